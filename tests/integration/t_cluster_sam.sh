#!/usr/bin/env bash
# shellcheck disable=SC2016  # tap_check eval strings expand when run
# t_cluster_sam.sh: corosync membership in samd (through samsigd) and smsd
# on three test hosts, each with its own corosync (knet, token 1000 ms),
# samd with samsigd (1 s heartbeat, private SAM root) and smsd (no members
# in smsd.conf: the list is corosync's).
#
#   (a) kill -9 of h3's corosync, then a cut of h3's link: h1 and h2 log
#       NODE h3 DOWN (unplanned) and UP after it returns; samrep on h1
#       shows h3's down time equal to the outage within corosync's
#       detection time; h3, alone, logs the quorum loss as CLUS DOWN
#   (c) during the cut, smsd's /v1/cluster on h1 lists three members from
#       corosync, marks h3 unreachable and says quorate
#   (d) corosync restarted under h1's running samsigd (h3 killed meanwhile):
#       reconnect, the gap logged, h3's loss found after the gap, no busy
#       loop (CPU ticks); h1's smsd reconnects as its unprivileged user
#       through the shipped uidgid.d entry
#   (b) all three samds stopped uncleanly and started with CLUS_FAIL: a
#       CLUS down event dated at the last heartbeat
# It prints the delay from corosync's callback to the durable event log
# line, and samsigd's idle CPU and memory.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"
. "$lib/corosync.sh"

top=$(cd "$lib/../../.." && pwd)
B=${B:-build}
case $B in /*) bin=$B/bin ;; *) bin=$top/$B/bin ;; esac
for p in samd samsigd samkeep samdctl samrep smsd; do
	[ -x "$bin/$p" ] || { echo "Bail out! $bin/$p not built"; exit 1; }
done
HB=1
CLUS=hmc			# SAM_CLUSTER: the CLUS object's name
root=/var/avail/sam		# inside every host
END=@4102444800

hm_hosts_create 3 || { echo "Bail out! no test hosts"; exit 1; }
hm_corosync_setup h1 h2 h3 || { echo "Bail out! corosync setup failed"; exit 1; }
chmod 755 "$HM_WORK"

ENVV=(SAM_BOOT_ID_FILE=/var/avail/boot_id "SAM_LOGFILE=$root/samd.log"
	"SAMKEEP_BIN=$bin/samkeep" "SAMDCTL_BIN=$bin/samdctl" TZ=UTC
	"SAM_CLUSTER=$CLUS")
[ -n "${SANITIZE:-}" ] && ENVV+=(ASAN_OPTIONS=detect_leaks=0)
sam() { local h=$1; shift; hm_host_exec "$h" env "${ENVV[@]}" "$@"; }
sam_dir() { echo "$(hm_host_dir "$1")$root"; }
samlog() { echo "$(sam_dir "$1")/samd.log"; }
pid_of() { cat "$(sam_dir "$1")/.state/$2.pid" 2>/dev/null; }

for h in h1 h2 h3; do
	# The shipped uidgid.d entry: smsd reconnects as its user _hmsmsd.
	d=$(hm_host_dir "$h")/fs/etc/corosync/uidgid.d
	mkdir -p "$d" && install -m 644 "$top/etc/corosync/uidgid.d/smsd" "$d/smsd"
	hm_corosync_start "$h" || { echo "Bail out! corosync did not start in $h"; exit 1; }
done
hm_corosync_wait_members h1 3 20 || { echo "Bail out! no 3-node membership"; exit 1; }
hm_corosync_wait_quorate h1 || { echo "Bail out! not quorate"; exit 1; }

for h in h1 h2 h3; do
	o=$(sam_dir "$h")
	mkdir -p "$o" "$(hm_host_dir "$h")/var/avail"
	sed -e "s/^HEARTBEAT_SEC_DEF=.*/HEARTBEAT_SEC_DEF=$HB/" \
		-e "s|@SAMD_BIN@|$bin/samd|" "$top/src/samd/samd.sh" >"$o/samd"
	chmod 755 "$o/samd"
	cat /proc/sys/kernel/random/uuid >"$(hm_host_dir "$h")/var/avail/boot_id"
	sam "$h" "$bin/samdctl" restart >/dev/null ||
		{ echo "Bail out! samd did not start in $h"; exit 1; }
	d=$HM_WORK/$h
	mkdir -p "$d" && chmod 755 "$d"
	printf '%s\n' "listen 0.0.0.0" "member-name $h" "allow 127.0.0.0/8" \
		"allow 198.18.0.0/15" "data-dir $d/data" "post-socket $d/post.sock" \
		"cluster-timeout 1000" >"$d/smsd.conf"
	hm_host_spawn "$h" "$d/smsd.log" "$bin/smsd" -v -f "$d/smsd.conf" >/dev/null
done
stop_sams() { for h in h1 h2 h3; do sam "$h" timeout 20 "$bin/samdctl" stop >/dev/null 2>&1; done; }
hm_at_exit stop_sams

# Lines of HOST's samd log so far: a mark for log_after.
mark() { wc -l <"$(samlog "$1")"; }
# First line after MARK in HOST's samd log matching REGEX (grep -E).
log_after() { tail -n "+$(($2 + 1))" "$(samlog "$1")" | grep -E -m 1 -- "$3"; }
log_wait() { hm_wait_for "$4" log_after "$@" >/dev/null; }

for h in h1 h2 h3; do
	tap_check "$h: samsigd follows corosync and says its detection time" \
		log_wait "$h" 0 'corosync detects a failed member within [0-9]+ ms' 15
done
DETECT_MS=$(grep -m 1 -oE 'within [0-9]+ ms \(token' "$(samlog h1)" | grep -oE '[0-9]+')
DETECT_MS=${DETECT_MS:-3600}
tap_diag "corosync failure detection (token + consensus): $DETECT_MS ms"
tap_check "h1: samsigd said HELLO in corosync mode" log_wait h1 0 'ready, corosync mode' 5

# --- samsigd's idle cost -------------------------------------------------------
cpu_ticks() {
	local stat f
	stat=$(cat "/proc/$1/stat") || return 1
	read -r -a f <<<"${stat##*) }"
	echo $((f[11] + f[12]))
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
sigd2=$(pid_of h2 samsigd)
c0=$(cpu_ticks "$sigd2"); t0=$EPOCHREALTIME
sleep 5		# a measuring window, not a wait
c1=$(cpu_ticks "$sigd2")
IDLE_TICKS=$((c1 - c0))
IDLE_SECS=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
IDLE_RSS=$(rss_kb "$sigd2")
tap_diag "samsigd idle, connected: $IDLE_TICKS ticks CPU in ${IDLE_SECS}s, RSS $IDLE_RSS kB"
tap_check "samsigd idle CPU near zero ($IDLE_TICKS ticks in ${IDLE_SECS}s)" [ "$IDLE_TICKS" -le 2 ]

# The last DOWN of TYPE.NAME and the UP after it in HOST's event log:
# "down up planned".
last_outage() {
	sam "$1" "$bin/samrep" -e "$END" -q EVENTS -t "$2" -n "$3" | awk -F= '
		/^time=/ { t = $2 } /^state=/ { s = $2 } /^planned=/ { p = $2 }
		/^$/ && s != "" {
			if (s == "DOWN" && !down) { d = t; dp = p; down = 1 }
			else if (s == "UP" && down) { u = t; down = 0; have = 1 }
			s = ""
		}
		END { if (have) print d, u, dp; else exit 1 }'
}

# samrep's outage of NODE h3 on h1 against the one the test made (from T0
# to T1, EPOCHREALTIME): within the detection time (plus 2 s: whole
# seconds in the log, and the test's polling).  Says both.
outage_matches() {
	local o d u p real rep
	o=$(last_outage h1 NODE h3) || { echo "no outage of NODE.h3 on h1"; return 1; }
	read -r d u p <<<"$o"
	rep=$((u - d))
	real=$(awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }')
	echo "samrep on h1: NODE.h3 down ${rep}s ($p); the outage made: ${real}s"
	[ "$p" = UNPLANNED ] &&
		awk -v r="$rep" -v x="$real" -v lim="$DETECT_MS" \
			'BEGIN { d = r - x; if (d < 0) d = -d; exit !(d <= lim / 1000 + 2) }'
}

# --- (a) kill -9 of h3's corosync ---------------------------------------------
m1=$(mark h1); m2=$(mark h2); m3=$(mark h3)
t0=$EPOCHREALTIME
hm_corosync_stop h3 KILL
for h in h1 h2; do
	m=$m1; [ "$h" = h2 ] && m=$m2
	tap_check "(a) $h: NODE h3 DOWN UNPLANNED after kill -9 of its corosync" \
		log_wait "$h" "$m" 'NODE\.h3 DOWN UNPLANNED' 10
done
sleep 2		# an outage of known length
hm_corosync_start h3 || tap_diag "corosync did not start again in h3"
hm_corosync_wait_members h1 3 15 >/dev/null
t1=$EPOCHREALTIME
for h in h1 h2; do
	m=$m1; [ "$h" = h2 ] && m=$m2
	tap_check "(a) $h: NODE h3 UP after its corosync is back" \
		log_wait "$h" "$m" 'NODE\.h3 UP' 10
done
check_outage() {
	local out
	if out=$(outage_matches "$2" "$3"); then tap_ok "$1"; else tap_fail "$1" "$out"; fi
	tap_diag "$out"
}
check_outage "(a) samrep on h1: h3's down time after kill -9 is the outage within the detection time" "$t0" "$t1"
# h3's restarted corosync is alone (not quorate) for a moment before it
# merges: no cluster outage.
if log_after h3 "$m3" "CLUS\\.$CLUS DOWN" >/dev/null; then
	tap_fail "(a) h3: its corosync's restart is no CLUS outage" "$(log_after h3 "$m3" "CLUS\\.$CLUS DOWN")"
else
	tap_ok "(a) h3: its corosync's restart is no CLUS outage"
fi

# --- (a) h3's link cut; (c) smsd's view meanwhile ------------------------------
m1=$(mark h1); m2=$(mark h2); m3=$(mark h3)
t0=$EPOCHREALTIME
hm_isolate h3
for h in h1 h2; do
	m=$m1; [ "$h" = h2 ] && m=$m2
	tap_check "(a) $h: NODE h3 DOWN UNPLANNED after its link was cut" \
		log_wait "$h" "$m" 'NODE\.h3 DOWN UNPLANNED' 10
done
tap_check "(a) h3, alone: CLUS $CLUS DOWN (quorum lost)" \
	log_wait h3 "$m3" "CLUS\\.$CLUS DOWN UNPLANNED" 10

json=$HM_WORK/cluster.json
cluster_view() {
	hm_host_exec h1 curl -s --max-time 10 http://127.0.0.1:596/v1/cluster >"$json"
}
jfield() { jq -r "$1" "$json"; }
view_marks_h3() {
	sleep 1.1	# the view is cached for a second
	cluster_view &&
	[ "$(jfield .membership_source)" = corosync ] &&
	[ "$(jfield .members_total)" = 3 ] &&
	[ "$(jfield '.members[] | select(.name == "h3") | .membership')" = unreachable ] &&
	[ "$(jfield '.members[] | select(.name == "h3") | .state')" = unreachable ] &&
	[ "$(jfield '.members[] | select(.name == "h2") | .membership')" = member ] &&
	[ "$(jfield '.members[] | select(.name == "h2") | .state')" = up ] &&
	[ "$(jfield '.members[] | select(.name == "h3") | .membership_changed_ms')" -gt 0 ] &&
	[ "$(jfield .quorate)" = true ] || { cat "$json"; return 1; }
}
tap_check "(c) h1's /v1/cluster: three members from corosync, h3 unreachable, quorate" \
	hm_wait_for 10 view_marks_h3
tap_diag "(c) $(jq -c '{membership_source, cluster_name, quorate, members: [.members[] | {name, address, membership, state}]}' "$json")"

sleep 1		# an outage of known length
hm_rejoin h3
hm_corosync_wait_members h1 3 20 >/dev/null
t1=$EPOCHREALTIME
for h in h1 h2; do
	m=$m1; [ "$h" = h2 ] && m=$m2
	tap_check "(a) $h: NODE h3 UP after rejoin" log_wait "$h" "$m" 'NODE\.h3 UP' 15
done
tap_check "(a) h3: CLUS $CLUS UP after rejoin" log_wait h3 "$m3" "CLUS\\.$CLUS UP" 15
check_outage "(a) samrep on h1: h3's down time after the cut is the outage within the detection time" "$t0" "$t1"

# --- (d) corosync restarted under h1's running samsigd --------------------------
sigd1=$(pid_of h1 samsigd)
m1=$(mark h1); m2=$(mark h2)
hm_corosync_stop h1 TERM
tap_check "(d) h1: samd logs that samsigd lost corosync" \
	log_wait h1 "$m1" 'samsigd lost corosync' 5
tap_check "(d) h2: h1's clean stop is NODE h1 DOWN PLANNED (samsigd ran there)" \
	log_wait h2 "$m2" 'NODE\.h1 DOWN PLANNED' 10
c0=$(cpu_ticks "$sigd1"); t0=$EPOCHREALTIME
hm_corosync_stop h3 KILL	# a change h1 must find after the gap
hm_corosync_wait_members h2 1 15 >/dev/null
sleep 1
c1=$(cpu_ticks "$sigd1")
GAP_TICKS=$((c1 - c0))
GAP_SECS=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
tap_diag "samsigd while corosync is away: $GAP_TICKS ticks CPU in ${GAP_SECS}s"
tap_check "(d) h1: no busy loop while disconnected ($GAP_TICKS ticks in ${GAP_SECS}s)" [ "$GAP_TICKS" -le 2 ]
hm_corosync_start h1 || tap_diag "corosync did not start again in h1"
tap_check "(d) h1: samsigd reconnected by itself and the gap is logged" \
	log_wait h1 "$m1" 'samsigd reached corosync again after' 10
tap_check "(d) h1: h3's loss during the gap is logged (NODE h3 DOWN, found after the gap)" \
	log_wait h1 "$m1" 'NODE\.h3 DOWN UNPLANNED.*after a gap' 10
tap_check "(d) h1: the same samsigd, not a restarted one" [ "$(pid_of h1 samsigd)" = "$sigd1" ]
if log_after h1 "$m1" 'NODE\.h2 (DOWN|UP)' >/dev/null; then
	tap_fail "(d) h1: no false change for h2" "$(log_after h1 "$m1" 'NODE\.h2')"
else
	tap_ok "(d) h1: no false change for h2"
fi
smsd_back() {
	sleep 1.1
	cluster_view && [ "$(jfield .membership_source)" = corosync ] &&
	[ "$(jfield '.members[] | select(.name == "h3") | .membership')" = unreachable ]
}
tap_check "(d) h1's smsd (user _hmsmsd) reconnected: corosync's list, h3 unreachable" \
	hm_wait_for 10 smsd_back
m1=$(mark h1)
hm_corosync_start h3 || tap_diag "corosync did not start again in h3"
tap_check "(d) h1: NODE h3 UP after it is back" log_wait h1 "$m1" 'NODE\.h3 UP' 15
hm_corosync_wait_members h1 3 15 >/dev/null
hm_corosync_wait_quorate h1 >/dev/null

# --- the delay from corosync's callback to the durable event log line -----------
DELAYS=$(cat "$(samlog h1)" "$(samlog h2)" "$(samlog h3)" |
	grep -v 'held while' | grep -oE 'durable -?[0-9]+ ms later' |
	grep -oE -- '-?[0-9]+' | sort -n)
N=$(echo "$DELAYS" | grep -c .)
MED=$(echo "$DELAYS" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
MAX=$(echo "$DELAYS" | tail -n 1)
tap_diag "corosync callback -> durable event log line: $N events, median ${MED} ms, max ${MAX} ms (events held while a connection settled not counted)"
# A bound for correctness (written at once, not at a later heartbeat); the
# 100 ms target is a figure of docs/BENCHMARKS.md, from the line above.
tap_check "every event durable within 1 s of corosync's callback (max ${MAX:-?} ms)" \
	eval '[ "$N" -ge 8 ] && [ "$MAX" -lt 1000 ]'

# --- (b) all three samds stopped uncleanly, started with CLUS_FAIL ----------------
declare -A t_kill=()
declare -A t_before=()
for h in h1 h2 h3; do
	t_before[$h]=$(date +%s)
	kill -9 "$(pid_of "$h" samkeep)" "$(pid_of "$h" samd)"
	t_kill[$h]=$(date +%s)
done
sleep 2
for h in h1 h2 h3; do
	o=$(sam_dir "$h")
	hm_wait_for 5 eval '! hm_pid_alive "$(pid_of '"$h"' samsigd)"' >/dev/null
	sam "$h" "$bin/samkeep" -p "$root/.state/samkeep.pid" -c "$root/.state/samd.pid" \
		-r PROC_FAIL -- "$root/samd" CLUS_FAIL >/dev/null 2>&1 ||
		tap_diag "samkeep did not start samd CLUS_FAIL in $h"
done
clus_down_at_hb() {
	local o d u p
	o=$(last_outage "$1" CLUS "$CLUS") || { echo "no CLUS outage on $1"; return 1; }
	read -r d u p <<<"$o"
	echo "$1: CLUS.$CLUS down at $d ($p), up at $u; samd killed at ${t_kill[$1]}"
	[ "$p" = UNPLANNED ] && [ "$d" -le "${t_kill[$1]}" ] &&
		[ "$d" -ge $((t_before[$1] - HB - 1)) ] &&
		sam "$1" "$bin/samrep" -e "$END" -q EVENTS -t CLUS -n "$CLUS" |
		grep -q 'CLUS_FAIL: samd ended without a clean stop; down since the last heartbeat'
}
for h in h1 h2 h3; do
	tap_check "(b) $h: started with CLUS_FAIL: CLUS down dated at the last heartbeat" \
		hm_wait_for 10 clus_down_at_hb "$h"
done

tap_done
