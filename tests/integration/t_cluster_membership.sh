#!/bin/bash
# t_cluster_membership.sh: libhmcluster (src/cluster) against Debian's
# corosync 3 on three test hosts (knet, token 1000 ms), watched by
# clusterwatch on h1, h2 and h3; h4 has no corosync at all.
#
#   (a) kill -9 of h3's corosync: h1 and h2 report h3 down (failed) within
#       token + consensus, and up again after it is back
#   (b) h3's link cut: h3 down on h1 and h2, quorum stays with them; rejoin:
#       up again
#   (e) clean stops of h3's corosync (SIGTERM, corosync-cfgtool -H): down as
#       planned while a hostmon process (clusterwatch) runs on h3; without
#       one, corosync gives no way to tell, and the leave counts as failed
#   (c) h1's corosync stopped and started under its clusterwatch, h3 stopped
#       meanwhile: disconnection, reconnect, the gap, h3's leave found after
#       the reconnect; near zero CPU while disconnected
#   (d) h4 without corosync: single-node, said once, keeps running
# It prints the measured delays, the callback latency, and clusterwatch's
# idle CPU and memory.
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/hosts.sh"
. "$(dirname "$0")/lib/corosync.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CW=$ROOT/${B:-build}/tests/tools/clusterwatch
if [ ! -x "$CW" ]; then
	echo "Bail out! $CW is not built (make B=${B:-build} build)"
	exit 1
fi

declare -A CW_PID=() CW_LOG=()

# Start clusterwatch in HOST, output in CW_LOG[HOST].
cw_start() {
	local h=$1
	CW_LOG[$h]=$(hm_host_dir "$h")/clusterwatch.log
	hm_host_spawn "$h" "${CW_LOG[$h]}" "$CW" >/dev/null || return 1
	CW_PID[$h]=$HM_LAST_PID
}

# Lines in HOST's clusterwatch output so far: a mark for cw_after.
cw_mark() { wc -l <"${CW_LOG[$1]}"; }

# First line after MARK in HOST's output matching REGEX (grep -E).
cw_after() {
	tail -n "+$(($2 + 1))" "${CW_LOG[$1]}" | grep -E -m 1 -- "$3"
}

# Wait up to SECS for such a line; print it.
cw_wait() {
	local h=$1 mark=$2 re=$3 secs=$4
	hm_wait_for "$secs" cw_after "$h" "$mark" "$re" || return 1
	cw_after "$h" "$mark" "$re"
}

# CPU ticks (utime + stime) and RSS (kB) of a PID.
cpu_ticks() {
	local stat f
	stat=$(cat "/proc/$1/stat") || return 1
	read -r -a f <<<"${stat##*) }"
	echo $((f[11] + f[12]))
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# Seconds from T0 (EPOCHREALTIME) to an event line's time, e.g. "3.512".
delay_s() { awk -v a="$1" -v b="${2%% *}" 'BEGIN { printf "%.3f", b - a }'; }
# Is "$1" <= "$2" (decimal seconds)?
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

hm_hosts_create 4 || { echo "Bail out! cannot create test hosts"; exit 1; }
hm_corosync_setup h1 h2 h3 || { echo "Bail out! corosync setup failed"; exit 1; }

# clusterwatch on h1 before its corosync runs: single-node, then it finds
# corosync by itself.  h4 never gets one.
cw_start h4 || { echo "Bail out! clusterwatch did not start"; exit 1; }
cw_start h1 || { echo "Bail out! clusterwatch did not start"; exit 1; }
tap_check "h1: clusterwatch started before corosync says single-node" \
	cw_wait h1 0 'single-node' 5

for h in h1 h2 h3; do
	hm_corosync_start "$h" || { echo "Bail out! corosync did not start in $h"; exit 1; }
done
hm_corosync_wait_members h1 3 20 || { echo "Bail out! no 3-node membership"; exit 1; }
hm_corosync_wait_quorate h1 || { echo "Bail out! not quorate"; exit 1; }
cw_start h2 && cw_start h3 || { echo "Bail out! clusterwatch did not start"; exit 1; }

line=$(cw_wait h1 0 'connected first' 5) &&
	tap_ok "h1: clusterwatch connected by itself once corosync ran" ||
	tap_fail "h1: clusterwatch connected by itself once corosync ran" "$(cat "${CW_LOG[h1]}")"
for h in h1 h2; do
	tap_check "$h: initial membership and quorum reported" \
		cw_wait "$h" 0 'quorum quorate initial' 10
done
cw_wait h3 0 'quorum quorate' 10 >/dev/null
DETECT_MS=$(grep -m 1 -oE 'detection_ms [0-9]+' "${CW_LOG[h2]}" | awk '{ print $2 }')
DETECT_MS=${DETECT_MS:-0}
tap_diag "corosync failure detection (token + consensus, from cmap): ${DETECT_MS} ms"
LIMIT=$(awk -v d="$DETECT_MS" 'BEGIN { printf "%.3f", d / 1000 + 2.0 }')

# Idle cost while connected and nothing happens.
c0=$(cpu_ticks "${CW_PID[h2]}")
t0=$EPOCHREALTIME
sleep 3		# a measuring window, not a wait for a condition
c1=$(cpu_ticks "${CW_PID[h2]}")
IDLE_TICKS=$((c1 - c0))
IDLE_SECS=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
IDLE_RSS=$(rss_kb "${CW_PID[h2]}")
tap_diag "clusterwatch idle while connected: $IDLE_TICKS ticks CPU in ${IDLE_SECS}s, RSS ${IDLE_RSS} kB"
if [ "$IDLE_TICKS" -le 2 ]; then
	tap_ok "clusterwatch idle CPU while connected near zero ($IDLE_TICKS ticks in ${IDLE_SECS}s)"
else
	tap_fail "clusterwatch idle CPU while connected near zero" "$IDLE_TICKS ticks in ${IDLE_SECS}s"
fi

# (a) kill -9 of h3's corosync.
m1=$(cw_mark h1); m2=$(cw_mark h2)
t_kill=$EPOCHREALTIME
hm_corosync_stop h3 KILL
for h in h1 h2; do
	m=$m1; [ "$h" = h2 ] && m=$m2
	if line=$(cw_wait "$h" "$m" 'node_down h3 nodeid 3 ' 15); then
		d=$(delay_s "$t_kill" "$line")
		tap_diag "$h: kill -9 -> '$line' after ${d}s"
		case $line in
		*" failed"*) tap_ok "(a) $h: h3 down as failed after kill -9" ;;
		*) tap_fail "(a) $h: h3 down as failed after kill -9" "$line" ;;
		esac
		if le "$d" "$LIMIT" && le 0 "$d"; then
			tap_ok "(a) $h: detected in ${d}s, within token+consensus (${DETECT_MS} ms) + 2 s"
		else
			tap_fail "(a) $h: detected within token+consensus + 2 s" "took ${d}s, limit ${LIMIT}s"
		fi
	else
		tap_fail "(a) $h: h3 down reported after kill -9" "$(tail -n 5 "${CW_LOG[$h]}")"
		tap_fail "(a) $h: detected within token+consensus + 2 s" "no event"
	fi
done
m1=$(cw_mark h1); m2=$(cw_mark h2); m3=$(cw_mark h3)
hm_corosync_start h3 || tap_diag "corosync did not start again in h3"
tap_check "(a) h1: h3 up again" cw_wait h1 "$m1" 'node_up h3 nodeid 3' 15
tap_check "(a) h2: h3 up again" cw_wait h2 "$m2" 'node_up h3 nodeid 3' 15
# h3's own clusterwatch, disconnected meanwhile, is back in the group (e).
cw_wait h3 "$m3" 'connected gap_ms' 10 >/dev/null
hm_corosync_wait_members h1 3 15 >/dev/null

# (b) h3's link cut.
m1=$(cw_mark h1); m2=$(cw_mark h2)
t_cut=$EPOCHREALTIME
hm_isolate h3
for h in h1 h2; do
	m=$m1; [ "$h" = h2 ] && m=$m2
	if line=$(cw_wait "$h" "$m" 'node_down h3 nodeid 3 ' 15); then
		d=$(delay_s "$t_cut" "$line")
		tap_diag "$h: link cut -> '$line' after ${d}s"
		case $line in
		*" failed"*) tap_ok "(b) $h: h3 down as failed after its link was cut" ;;
		*) tap_fail "(b) $h: h3 down as failed after its link was cut" "$line" ;;
		esac
	else
		tap_fail "(b) $h: h3 down as failed after its link was cut" "$(tail -n 5 "${CW_LOG[$h]}")"
	fi
done
tap_check "(b) h1 and h2 stay quorate (corosync-quorumtool)" \
	hm_host_exec h1 corosync-quorumtool -s
if cw_after h1 "$m1" 'quorum' >/dev/null || cw_after h2 "$m2" 'quorum' >/dev/null; then
	tap_fail "(b) no quorum change reported on h1 and h2" \
		"$(cw_after h1 "$m1" quorum)" "$(cw_after h2 "$m2" quorum)"
else
	tap_ok "(b) no quorum change reported on h1 and h2"
fi
m1=$(cw_mark h1); m2=$(cw_mark h2)
hm_rejoin h3
tap_check "(b) h1: h3 up after rejoin" cw_wait h1 "$m1" 'node_up h3 nodeid 3' 20
tap_check "(b) h2: h3 up after rejoin" cw_wait h2 "$m2" 'node_up h3 nodeid 3' 20
hm_corosync_wait_members h1 3 15 >/dev/null

# (e) clean stops.  h3's clusterwatch is in corosync's process group
# "hostmon"; corosync closes its clients before it leaves, which the others
# see (CPG_REASON_PROCDOWN) just before the membership change.
m1=$(cw_mark h1); m2=$(cw_mark h2)
t_stop=$EPOCHREALTIME
hm_corosync_stop h3 TERM
for h in h1 h2; do
	m=$m1; [ "$h" = h2 ] && m=$m2
	if line=$(cw_wait "$h" "$m" 'node_down h3 nodeid 3 ' 15); then
		tap_diag "$h: SIGTERM -> '$line' after $(delay_s "$t_stop" "$line")s"
		case $line in
		*" planned"*) tap_ok "(e) $h: SIGTERM of h3's corosync reported as planned" ;;
		*) tap_fail "(e) $h: SIGTERM of h3's corosync reported as planned" "$line" ;;
		esac
	else
		tap_fail "(e) $h: SIGTERM of h3's corosync reported as planned" "no event"
	fi
done
m1=$(cw_mark h1); m3=$(cw_mark h3)
hm_corosync_start h3
cw_wait h1 "$m1" 'node_up h3 nodeid 3' 15 >/dev/null
# h3's clusterwatch must be back in the group before the next stop.
cw_wait h3 "$m3" 'connected gap_ms' 10 >/dev/null
hm_corosync_wait_members h1 3 15 >/dev/null
m1=$(cw_mark h1)
t_stop=$EPOCHREALTIME
hm_corosync_shutdown h3 || tap_diag "corosync-cfgtool -H failed in h3"
if line=$(cw_wait h1 "$m1" 'node_down h3 nodeid 3 ' 15); then
	tap_diag "h1: corosync-cfgtool -H -> '$line' after $(delay_s "$t_stop" "$line")s"
	case $line in
	*" planned"*) tap_ok "(e) h1: corosync-cfgtool -H on h3 reported as planned" ;;
	*) tap_fail "(e) h1: corosync-cfgtool -H on h3 reported as planned" "$line" ;;
	esac
else
	tap_fail "(e) h1: corosync-cfgtool -H on h3 reported as planned" "no event"
fi
# Without a hostmon process on h3, a clean stop looks like a failure to
# the others (only faster: corosync sends a leave message).
hm_host_kill "${CW_PID[h3]}" TERM
m1=$(cw_mark h1)
hm_corosync_start h3
cw_wait h1 "$m1" 'node_up h3 nodeid 3' 15 >/dev/null
hm_corosync_wait_members h1 3 15 >/dev/null
m1=$(cw_mark h1)
t_stop=$EPOCHREALTIME
hm_corosync_stop h3 TERM
if line=$(cw_wait h1 "$m1" 'node_down h3 nodeid 3 ' 15); then
	d=$(delay_s "$t_stop" "$line")
	tap_diag "h1: SIGTERM, nothing of ours on h3 -> '$line' after ${d}s"
	case $line in
	*" failed"*) tap_ok "(e) h1: clean stop without a hostmon process on h3 cannot be told from a failure" ;;
	*) tap_fail "(e) h1: clean stop without a hostmon process on h3 cannot be told from a failure" "$line" ;;
	esac
else
	tap_fail "(e) h1: clean stop without a hostmon process on h3 reported" "no event"
fi
m1=$(cw_mark h1)
hm_corosync_start h3
cw_wait h1 "$m1" 'node_up h3 nodeid 3' 15 >/dev/null
hm_corosync_wait_members h1 3 15 >/dev/null

# (c) h1's corosync restarted under its clusterwatch; h3 leaves meanwhile.
m1=$(cw_mark h1)
hm_corosync_stop h1 TERM
tap_check "(c) h1: disconnection reported" cw_wait h1 "$m1" 'disconnected' 5
c0=$(cpu_ticks "${CW_PID[h1]}")
t0=$EPOCHREALTIME
hm_corosync_stop h3 TERM
hm_corosync_wait_members h2 1 15 >/dev/null
sleep 2		# with the stop above, a window of 3 s or more
c1=$(cpu_ticks "${CW_PID[h1]}")
GAP_TICKS=$((c1 - c0))
GAP_SECS=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
tap_diag "clusterwatch while disconnected: $GAP_TICKS ticks CPU in ${GAP_SECS}s"
if [ "$GAP_TICKS" -le 2 ]; then
	tap_ok "(c) h1: near zero CPU while disconnected ($GAP_TICKS ticks in ${GAP_SECS}s)"
else
	tap_fail "(c) h1: near zero CPU while disconnected" "$GAP_TICKS ticks in ${GAP_SECS}s"
fi
t_start=$EPOCHREALTIME
hm_corosync_start h1
if line=$(cw_wait h1 "$m1" 'connected gap_ms' 10); then
	tap_diag "h1: '$line', $(delay_s "$t_start" "$line")s after corosync was started"
	tap_ok "(c) h1: reconnected by itself and reported the gap"
else
	tap_fail "(c) h1: reconnected by itself and reported the gap" "$(tail -n 5 "${CW_LOG[h1]}")"
fi
tap_check "(c) h1: h3's leave during the gap reported after the reconnect" \
	cw_wait h1 "$m1" 'node_down h3 nodeid 3 .*gap' 10
hm_corosync_wait_members h1 2 15 >/dev/null
if cw_after h1 "$m1" 'node_(down|up) h2 ' >/dev/null; then
	tap_fail "(c) h1: no false change for h2 (still a member)" "$(cw_after h1 "$m1" 'h2 ')"
else
	tap_ok "(c) h1: no false change for h2 (still a member)"
fi

# (d) h4: no corosync at all.
# Its output: the library's log line and clusterwatch's own, nothing more.
n=$(grep -c 'single-node mode' "${CW_LOG[h4]}")
lines=$(wc -l <"${CW_LOG[h4]}")
if hm_pid_alive "${CW_PID[h4]}" && [ "$n" -eq 1 ] && [ "$lines" -eq 2 ]; then
	tap_ok "(d) h4 without corosync: single-node said once, still running"
else
	tap_fail "(d) h4 without corosync: single-node said once, still running" \
		"alive: $(hm_pid_alive "${CW_PID[h4]}" && echo yes || echo no)" \
		"$(cat "${CW_LOG[h4]}")"
fi
H4_TICKS=$(cpu_ticks "${CW_PID[h4]}")
tap_diag "h4's clusterwatch (single-node, retrying every second): $H4_TICKS ticks CPU in its whole life"

# Latency from poll() returning with corosync's message to our callback.
LAT=$(cat "${CW_LOG[h1]}" "${CW_LOG[h2]}" | grep -oE 'lat_us=[0-9]+' | cut -d= -f2 | sort -n)
if [ -n "$LAT" ]; then
	tap_diag "callback latency (us) over $(echo "$LAT" | wc -l) events: median $(echo "$LAT" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'), max $(echo "$LAT" | tail -n 1)"
fi
tap_done
