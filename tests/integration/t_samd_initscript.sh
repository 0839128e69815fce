#!/usr/bin/env bash
# shellcheck disable=SC2016  # tap_check eval strings use the variables
# t_samd_initscript.sh: etc/init.d/samd start in a test host (its own /var,
# so SAM's root /var/avail/sam is private), run as a command substitution
# the way scripts and configuration tools call it: `out=$(... start)` must
# come back once samd runs, not when it stops, so samkeep and samd may not
# keep the caller's stdout (or stderr) open.  Their errors still reach the
# caller while the start is not done (a start script that refuses its
# parameters), and samd's log still goes to its log file.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/${B:-build}/bin
for p in samd samsigd samkeep samdctl; do
	[ -x "$bin/$p" ] || { echo "Bail out! $bin/$p not built"; exit 1; }
done

hm_hosts_create 1 || { echo "Bail out! no test host"; exit 1; }
root=/var/avail/sam			# inside h1
outside=$(hm_host_dir h1)$root		# the same folder, seen from here
mkdir -p "$outside"
# samd's start script with a 1 s heartbeat; "bad" refuses its parameters.
sed -e "s/^HEARTBEAT_SEC_DEF=.*/HEARTBEAT_SEC_DEF=1/" \
	-e "s|@SAMD_BIN@|$bin/samd|" "$top/src/samd/samd.sh" >"$HM_WORK/samd.good"
sed -e "s/^HEARTBEAT_SEC_DEF=.*/HEARTBEAT_SEC_DEF=often/" \
	-e "s|@SAMD_BIN@|$bin/samd|" "$top/src/samd/samd.sh" >"$HM_WORK/samd.bad"
chmod 755 "$HM_WORK/samd.good" "$HM_WORK/samd.bad"
cat /proc/sys/kernel/random/uuid >"$(hm_host_dir h1)/var/avail/boot_id"

ENVV=(SAM_BOOT_ID_FILE=/var/avail/boot_id "SAM_LOGFILE=$root/samd.log"
	"SAMKEEP_BIN=$bin/samkeep" "SAMDCTL_BIN=$bin/samdctl" TZ=UTC)
[ -n "${SANITIZE:-}" ] && ENVV+=(ASAN_OPTIONS=detect_leaks=0)
init() { hm_host_exec h1 env "${ENVV[@]}" timeout 20 "$top/etc/init.d/samd" "$@"; }
keeper() { cat "$outside/.state/samkeep.pid" 2>/dev/null; }
# Stop what the init script started, by samkeep's pid (it stops samd).
stop_keeper() {
	local p
	p=$(keeper)
	# a stale file's pid may be anyone's by now: only a live samkeep
	hm_pid_alive "$p" && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = samkeep ] ||
		return 0
	kill -TERM "$p"
	hm_wait_for 30 eval '! hm_pid_alive '"$p"
}
hm_at_exit stop_keeper
same() { [ "$1" = "$2" ] || { echo "got '$1', expected '$2'"; return 1; }; }
secs() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# What `out=$(init.d/samd start)` sees, bounded: the output passes through
# a cat that gives up after 15 s, so a daemon that keeps the caller's pipe
# fails this test instead of hanging it.  Sets out, rc (the script's) and
# cat_rc (124: the pipe was still open after 15 s).
capture() {
	local all
	all=$({ init "$@"; echo "rc=$?"; } | timeout 15 cat; echo "cat_rc=${PIPESTATUS[1]}")
	cat_rc=${all##*cat_rc=}
	all=${all%$'\n'cat_rc=*}
	rc=${all##*rc=}
	out=${all%rc=*}
}
capture_all() {
	local all
	all=$({ init "$@" 2>&1; echo "rc=$?"; } | timeout 15 cat; echo "cat_rc=${PIPESTATUS[1]}")
	cat_rc=${all##*cat_rc=}
	all=${all%$'\n'cat_rc=*}
	rc=${all##*rc=}
	out=${all%rc=*}
}

# --- out=$(init.d/samd start): back within seconds, 0, samd running ---------
cp "$HM_WORK/samd.good" "$outside/samd"
t0=$(date +%s%N)
capture start
ms=$(secs "$t0")
tap_diag "start as a command substitution: status $rc after $ms ms (the pipe: $cat_rc)"
if [ "$rc" = 0 ] && [ "$cat_rc" = 0 ] && [ "$ms" -lt 10000 ]; then
	tap_ok "out=\$(init.d/samd start) returns 0 within 10 s (samd stays)"
else
	tap_fail "out=\$(init.d/samd start) returns 0 within 10 s" "status $rc (124: timed out) after $ms ms: $out"
fi
KEEP=$(keeper)
samd_pid=$(cat "$outside/.state/samd.pid" 2>/dev/null)
tap_check "samkeep and samd run after it returned" \
	eval 'hm_pid_alive "$KEEP" && hm_pid_alive "$samd_pid"'
# Where the descriptors point: nothing of samd's at the caller's pipe.
held_by_keeper() {
	local l
	for l in /proc/"$KEEP"/fd/*; do
		[ "$(readlink "$l")" = "$1" ] && return 0
	done
	return 1
}
stdio_not_pipes() {
	local p f t
	for p in "$KEEP" "$samd_pid"; do
		for f in 0 1 2; do
			t=$(readlink "/proc/$p/fd/$f")
			case $t in
			pipe:*) [ "$f" = 2 ] && [ "$p" = "$samd_pid" ] && held_by_keeper "$t" ||
				{ echo "pid $p fd $f: $t"; return 1; } ;;
			esac
		done
	done
}
tap_check "samkeep's and samd's stdio: no pipe but samd's stderr to samkeep" stdio_not_pipes
tap_check "samd logs to its log file as before" \
	hm_wait_for 10 grep -q "running (pid $samd_pid)" "$outside/samd.log"
stop_keeper
tap_check "samkeep, stopped by its pid, is gone with samd" \
	eval '! hm_pid_alive "$KEEP" && ! hm_pid_alive "$samd_pid"'

# --- the same with stderr captured too ---------------------------------------
t0=$(date +%s%N)
capture_all start
ms=$(secs "$t0")
if [ "$rc" = 0 ] && [ "$cat_rc" = 0 ] && [ "$ms" -lt 10000 ]; then
	tap_ok "out=\$(init.d/samd start 2>&1) returns 0 within 10 s"
else
	tap_fail "out=\$(init.d/samd start 2>&1) returns 0 within 10 s" "status $rc after $ms ms: $out"
fi
stop_keeper

# --- a start script that refuses: its words reach the caller, status 1 ------
cp "$HM_WORK/samd.bad" "$outside/samd"
capture_all start
# (tap_check has its own out and rc)
brc=$rc bout=$out
tap_diag "status $brc: $bout"
bad_start() {
	same "$brc" 1 &&
	grep -q 'HEARTBEAT_SEC_DEF=often: not a whole number' <<<"$bout" &&
	grep -q 'did not start' <<<"$bout" &&
	{ k=$(keeper); [ -z "$k" ] || ! hm_pid_alive "$k" || { echo "samkeep $k runs"; false; }; }
}
tap_check "a refusing start script: status 1, its message and samkeep's reach the caller" bad_start
tap_done
