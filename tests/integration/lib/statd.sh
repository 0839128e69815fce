# shellcheck shell=bash
# statd.sh: our rpc.statd and its test tools on test hosts (source after
# hosts.sh).  Binaries come from ${B:-build} under the repository root.
#
#	st_boot HOST			give HOST a new boot id (the next start of its
#					statd is a reboot); the first call makes one
#	st_start HOST [ARG...]		start our statd in HOST (foreground, debug log
#					in $(st_dir HOST)/statd.log), wait until it
#					says ready; ST_PID[HOST] is its PID
#	st_stop HOST			SIGTERM, wait until gone
#	st_kill9 HOST			kill -9 both of its processes (the serving
#					child and the root parent), as a crash would
#	st_list HOST			rpc.statd -l of its status file
#	st_state HOST / st_pending HOST	state number / pending notifications, from -l
#	st_smcall HOST ARG...		smcall inside HOST (UDP, 5 s time-out), as root:
#					from a reserved port, as SM_MON, SM_UNMON,
#					SM_UNMON_ALL and SM_SIMU_CRASH need
#	st_mon HOST MON_NAME PRIVHEX	SM_MON from HOST's loopback to its statd, as
#					its lock manager (my_name HOST, 100021 4 16)
#					would; true on stat_succ
#	nlm_start HOST			start nlmstub in HOST, recording to
#					$(nlm_calls HOST)
#	nlm_count HOST REGEX		lines of HOST's nlmstub record matching REGEX
#	nlm_wait HOST SECS REGEX [N]	wait until at least N (default 1) match
#	nlm_from_loopback_reserved HOST REGEX  every matching call came from
#					127.0.0.1 and a reserved port (and one did)
#	nlm_pairs HOST			the distinct "MON_NAME STATE" of the NSM
#					callbacks HOST's nlmstub got, one a line, sorted
#	st_told HOST NAME STATE		how often HOST's statd logged a callback about
#					NAME in STATE as answered (once per delivery)
#	same_text GOT EXPECTED		equal, or say what differs
#
# Counting callbacks: a statd sends a callback again when the lock manager's
# answer is late (ours after 1 s, Debian's after some seconds), so nlmstub
# may record one delivery twice.  Count distinct pairs there (nlm_pairs) for
# "delivered"; our statd logs a delivery once, but only when it was answered
# in time (a lock manager slow on every try gets none): st_told <= 1 for
# "not delivered twice".

ST_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd -P)
case ${B:-build} in
/*) ST_BUILD=$B ;;
*) ST_BUILD=$ST_ROOT/${B:-build} ;;
esac
ST_STATD=$ST_BUILD/bin/rpc.statd
ST_SMCALL=$ST_BUILD/tests/tools/smcall
ST_NLMSTUB=$ST_BUILD/tests/tools/nlmstub
# Test hosts have their own /tmp, /run and /var; of those only the source
# tree (hosts.sh keeps it visible) and the run's folder show through.
case $ST_BUILD in
"$ST_ROOT"/*) ;;
/tmp/* | /run/* | /var/*)
	echo "Bail out! $ST_BUILD is hidden inside test hosts; build in the source tree"
	exit 1 ;;
esac
for st__bin in "$ST_STATD" "$ST_SMCALL" "$ST_NLMSTUB"; do
	if [ ! -x "$st__bin" ]; then
		echo "Bail out! $st__bin is not built (make B=${B:-build} build)"
		exit 1
	fi
done
unset st__bin
declare -A ST_PID=()

st_dir() { echo "$(hm_host_dir "$1")/statd"; }

st_boot() {
	local d
	d=$(st_dir "$1") || return 1
	mkdir -p "$d" && chmod 755 "$d" && cat /proc/sys/kernel/random/uuid >"$d/boot_id"
}

# Lines of HOST's statd log saying it is ready (the log is appended to).
st__readies() { grep -c 'ready: state' "$(st_dir "$1")/statd.log" 2>/dev/null; }

st__ready_since() {
	local n
	n=$(st__readies "$1")
	[ "${n:-0}" -gt "$2" ] && hm_pid_alive "$3"
}

st_start() {
	local host=$1 d before
	shift
	d=$(st_dir "$host") || return 1
	[ -f "$d/boot_id" ] || st_boot "$host" || return 1
	before=$(st__readies "$host")
	hm_host_spawn "$host" "$d/statd.log" "$ST_STATD" -F -d \
		-f "$d/statd.status" --pid-file "$d/statd.pid" -P "" -B "$d/boot_id" "$@" >/dev/null ||
		return 1
	ST_PID[$host]=$HM_LAST_PID
	if ! hm_wait_for 10 st__ready_since "$host" "${before:-0}" "$HM_LAST_PID"; then
		tail -n 20 "$d/statd.log" | sed 's/^/#   statd: /' >&2
		return 1
	fi
}

st_stop() {
	[ -n "${ST_PID[$1]:-}" ] || return 0
	hm_host_kill "${ST_PID[$1]}" TERM
	ST_PID[$1]=
}

st_kill9() {
	local parent=${ST_PID[$1]:-} kids
	[ -n "$parent" ] || return 1
	# The serving child first: killed after its parent it would get
	# PR_SET_PDEATHSIG's SIGTERM and stop cleanly instead.
	kids=$(pgrep -P "$parent")
	# shellcheck disable=SC2086 # a list of PIDs
	[ -z "$kids" ] || kill -s KILL $kids
	hm_host_kill "$parent" KILL
	ST_PID[$1]=
}

st_list() {
	hm_host_exec "$1" "$ST_STATD" -l -f "$(st_dir "$1")/statd.status"
}

st_state() { st_list "$1" | sed -n 's/^state \([0-9]*\) .*/\1/p'; }
st_pending() { st_list "$1" | sed -n 's/^entries .* pending \([0-9]*\)$/\1/p'; }

st_smcall() {
	local host=$1
	shift
	hm_host_exec "$host" timeout 20 "$ST_SMCALL" -T 5 "$@"
}

st_mon() {
	local out
	out=$(st_smcall "$1" mon "$2" "$1" 100021 4 16 "$3") || { echo "$out"; return 1; }
	[[ $out == "stat_succ "* ]] || { echo "$out"; return 1; }
}

nlm_calls() { echo "$(hm_host_dir "$1")/nlm.calls"; }

nlm_start() {
	local f
	f=$(nlm_calls "$1") || return 1
	hm_host_spawn "$1" "$(hm_host_dir "$1")/nlmstub.log" "$ST_NLMSTUB" -o "$f" >/dev/null ||
		return 1
	hm_wait_for 10 grep -q "^ready pid $HM_LAST_PID\$" "$f"
}

nlm_count() { grep -cE -- "$2" "$(nlm_calls "$1")"; }

nlm__atleast() { [ "$(nlm_count "$1" "$2")" -ge "$3" ]; }

nlm_wait() {
	hm_wait_for "$2" nlm__atleast "$1" "$3" "${4:-1}" || {
		sed 's/^/#   nlm: /' "$(nlm_calls "$1")" >&2
		return 1
	}
}

nlm_from_loopback_reserved() {
	# A line: call PROC vers V from ADDR:PORT mon_name ...
	grep -E -- "$2" "$(nlm_calls "$1")" |
		awk '{ n++; split($6, a, ":"); if (a[1] != "127.0.0.1" || a[2] >= 1024) bad++ }
		     END { exit !(n > 0 && bad == 0) }'
}

nlm_pairs() {
	# call 16 vers V from ADDR:PORT mon_name NAME state N priv HEX
	awk '$1 == "call" && $2 == 16 { print $8, $10 }' "$(nlm_calls "$1")" |
		LC_ALL=C sort -u
}

st_told() {
	grep -c "told program 100021 that $2 is in state $3\$" "$(st_dir "$1")/statd.log"
}

same_text() {
	[ "$1" = "$2" ] || { echo "got '$1', expected '$2'"; return 1; }
}
