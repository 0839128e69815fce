#!/usr/bin/env bash
# bench_statd.sh: rpc.statd against Debian's (nfs-common) and against a
# trivial UDP echo over the same loopback, side by side in one run (issue 3,
# "Benchmark").  Run by `make bench` (tests/bench/run.sh), or alone as root:
#	make B=build-bench build && B=build-bench tests/bench/bench_statd.sh
#
# Test hosts (tests/integration/lib/hosts.sh): h1 runs our statd, h2 Debian's
# (each with its own rpcbind), h3 is "the network" for the reboot
# notification: every address of a /16 inside 198.18.0.0/15 is local there
# (AnyIP) and one nsmsink answers rpcbind GETPORT and SM_NOTIFY for all.
#
# Pinning: in the request/response measurements (SM_STAT, SM_MON, echo)
# every server and every client runs on CPU 0 (taskset -c 0), so no
# comparison pays the cross-core wake-up.  In the notification runs the
# notifier (our statd or Debian's sm-notify) is on CPU 0 and the sink on
# CPU 1, for both.  Each figure is the median of ROUNDS rounds, taken in
# turn (echo, ours, Debian's; ours, Debian's) so that noise hits all alike.
#
# Storms (issue 16), first: STORM_CALLERS (40) callers at once (smstorm,
# one thread each, on CPU 1; the statds on CPU 0) make STORM_CALLS
# (10000) SM_MON, then as many SM_UNMON, over UDP and then over TCP, into
# an empty list and again with STORM_BIG (100000) entries in it; Debian's
# statd takes DEB_STORM_CALLS (200) of each and its rate is extrapolated.
# Beside each time, the status file commits per 1,000 calls (ours: the
# counter its SIGUSR1 line shows, one fdatasync each; Debian's: fsync,
# fdatasync and write calls counted by strace -c in a run of their own,
# since strace slows what it watches), and the floor the disk sets: the
# commits times the time of one synchronous 512-byte overwrite (dd
# oflag=dsync, in the status file's folder, measured before and after).  Then STORM_CALLS monitored hosts send
# SM_NOTIFY with a new state, all at once, twice over: the time until the
# lock manager (nlmstub -S on h1) has every callback, each exactly once.
# With ONLY=storm the run stops after the storms.
#
# Settings (environment): ROUNDS (5), STAT_CALLS (20000), BIG (100000
# entries for the flatness and RSS figures), NOTIFY_HOSTS (10000),
# NOTIFY_ROUNDS (3), DEB_NOTIFY_HOSTS (500), DEB_NOTIFY_LIMIT (120 s), the
# storms' above, ONLY (empty, or storm).
# Exit status: 0 when every target of the issue is met, 1 when one is
# missed or a measurement failed, 77 when it cannot run here.
lib=$(cd "$(dirname "$0")/../integration/lib" && pwd) || exit 1
root=$(cd "$(dirname "$0")/../.." && pwd) || exit 1
B=${B:-build}
case $B in /*) build=$B ;; *) build=$root/$B ;; esac

STATD=$build/bin/rpc.statd
SMCALL=$build/tests/tools/smcall
ECHO=$build/tests/bench/udpecho
SINK=$build/tests/bench/nsmsink
STORM=$build/tests/bench/smstorm
NLMSTUB=$build/tests/tools/nlmstub
for bin in "$STATD" "$SMCALL" "$ECHO" "$SINK" "$STORM" "$NLMSTUB"; do
	if [ ! -x "$bin" ]; then
		echo "bench_statd: $bin is not built (make B=$B build)" >&2
		exit 77
	fi
done
for bin in rpcbind rpc.statd sm-notify taskset strace; do
	if ! command -v "$bin" >/dev/null 2>&1; then
		echo "bench_statd: $bin is missing (Debian packages rpcbind, nfs-common)" >&2
		exit 77
	fi
done
DEB_STATD=$(command -v rpc.statd)
# The pid file option: --pid-file since -P names nfs-utils' folder.
PIDOPT=-P
"$STATD" -h 2>&1 | grep -q -- --pid-file && PIDOPT=--pid-file
DEB_NOTIFY=$(command -v sm-notify)

ROUNDS=${ROUNDS:-5}
STAT_CALLS=${STAT_CALLS:-20000}
BIG=${BIG:-100000}
NOTIFY_HOSTS=${NOTIFY_HOSTS:-10000}
NOTIFY_ROUNDS=${NOTIFY_ROUNDS:-3}
DEB_NOTIFY_HOSTS=${DEB_NOTIFY_HOSTS:-500}
DEB_NOTIFY_LIMIT=${DEB_NOTIFY_LIMIT:-120}
MON_ROUND=200		# SM_MON calls per measured round (x ROUNDS = 1,000)
DEB_MON_ROUND=10	# Debian's are slow: 10 per round is enough for a rate
NAME_MON_ROUND=2	# and slower still by name
MYNAME=localhost	# my_name of every SM_MON (9 bytes)
STORM_CALLS=${STORM_CALLS:-10000}
STORM_CALLERS=${STORM_CALLERS:-40}
STORM_BIG=${STORM_BIG:-100000}
DEB_STORM_CALLS=${DEB_STORM_CALLS:-200}
ONLY=${ONLY:-}

. "$lib/hosts.sh"

bench_started=$EPOCHREALTIME
failed=0
declare -A R=()		# results, by key

say() { printf '# %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; failed=1; }

# Median of the numbers given (as printed: "123" or "12.5").
median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
	    END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2];
	    else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Field of smcall's or udpecho's rate line: "N calls in S s: R calls/s, U us/call".
rate_of() { sed -n 's/.* s: \([0-9.]*\) calls\/s.*/\1/p' <<<"$1" | head -n 1; }
secs_of() { sed -n 's/^[0-9]* calls in \([0-9.]*\) s:.*/\1/p' <<<"$1" | head -n 1; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f\n", a / b }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }

# The serving child of our statd (the spawned PID is its root parent).
serving_pid() {
	local c
	for c in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
		echo "$c"
		return 0
	done
	return 1
}

# SM_MON names: IPv4 literals 10.X.Y.Z, so that neither statd needs a
# resolver (Debian's refuses names it cannot resolve); batches of at most
# 250 names from one smcall, a fresh 10.X.Y prefix for each.
K=0
OURS_NAME_BYTES=0
MB_OUT=
# HOST COUNT(<=250): one smcall of COUNT SM_MON with a fresh prefix; its
# line in MB_OUT; for our statd (h1), the names' bytes are counted.  Runs
# in the main shell (K and the count are globals).
# A third argument gives the prefix instead (host names, say).
mon_batch() {
	local host=$1 n=$2 prefix=${3:-} i
	if [ -z "$prefix" ]; then
		prefix="10.$((K / 256)).$((K % 256))."
		K=$((K + 1))
	fi
	MB_OUT=$(hm_host_exec "$host" taskset -c 0 "$SMCALL" -n "$n" mon \
		"$prefix%d" "$MYNAME" 100021 4 16 2>&1)
	if [ -z "$(secs_of "$MB_OUT")" ]; then
		fail "SM_MON on $host: $MB_OUT"
		return 1
	fi
	if [ "$host" = h1 ]; then
		for ((i = 0; i < n; i++)); do
			OURS_NAME_BYTES=$((OURS_NAME_BYTES + ${#prefix} + ${#i} + ${#MYNAME}))
		done
	fi
}

# Preload HOST's statd with COUNT more entries.
preload() {
	local host=$1 count=$2 n
	while [ "$count" -gt 0 ]; do
		n=$((count > 250 ? 250 : count))
		mon_batch "$host" "$n" || return 1
		count=$((count - n))
	done
}

# One measured round of n SM_MON on HOST: its us/call in MR_US.
# For our statd also the CPU time its serving process spent per call, in
# MR_CPU (from /proc/PID/schedstat): its own work, whatever the disk and the
# other tenants of the machine do to the wall time.
MR_US='' MR_CPU='' OURS_CHILD=''
cpu_ns() { awk '{ print $1 }' "/proc/$1/schedstat" 2>/dev/null || echo 0; }
mon_round() {
	local c0=0
	[ "$1" = h1 ] && c0=$(cpu_ns "$OURS_CHILD")
	mon_batch "$1" "$2" "${3:-}" || return 1
	MR_US=$(awk -v s="$(secs_of "$MB_OUT")" -v n="$2" 'BEGIN { printf "%.1f\n", s * 1e6 / n }')
	[ "$1" = h1 ] && MR_CPU=$(awk -v a="$c0" -v b="$(cpu_ns "$OURS_CHILD")" -v n="$2" 'BEGIN { printf "%.1f\n", (b - a) / 1e3 / n }')
	return 0
}

ours_entries() {
	hm_host_exec h1 "$STATD" -l -f "$1" 2>/dev/null |
		sed -n 's/^entries \([0-9]*\) .*/\1/p'
}
ours_pending() {
	hm_host_exec h1 "$STATD" -l -f "$1" 2>/dev/null |
		sed -n 's/^entries .* pending \([0-9]*\)$/\1/p'
}
# The log's own size ("status file F: N bytes, ..."), without the zeros
# the daemon holds ahead in the file while it runs.
ours_bytes() {
	hm_host_exec h1 "$STATD" -l -f "$1" 2>/dev/null |
		sed -n 's/^status file .*: \([0-9]*\) bytes,.*/\1/p'
}
deb_entries() { find "$1/sm" -type f | wc -l; }

# ---------------------------------------------------------------- set-up
hm_hosts_create 3 || exit 1
hm_rpcbind h1 || exit 1
hm_rpcbind h2 || exit 1
h1dir=$(hm_host_dir h1)
h2dir=$(hm_host_dir h2)
h3addr=$(hm_host_addr h3)
# The sink's /16: the half of 198.18.0.0/15 the test hosts do not use.
case $h3addr in
198.18.*) SINKNET=198.19 ;;
*) SINKNET=198.18 ;;
esac
hm_host_exec h3 ip route add local "$SINKNET.0.0/16" dev lo || exit 1
hm_host_exec h1 ip route add "$SINKNET.0.0/16" via "$h3addr" || exit 1
hm_host_exec h2 ip route add "$SINKNET.0.0/16" via "$h3addr" || exit 1

say "machine: $(nproc) CPUs, $(sed -n 's/^model name\t*: //p' /proc/cpuinfo | head -n 1), kernel $(uname -r); status files on $(df -T "$HM_WORK" | awk 'NR == 2 { print $2 }')"
say "pinning: servers and clients on CPU 0 (taskset -c 0); sinks on CPU 1"

cat /proc/sys/kernel/random/uuid >"$HM_WORK/boot1"
OURS_FILE=/var/db/statd.status
hm_host_spawn h1 "$HM_WORK/ours.log" taskset -c 0 "$STATD" -F \
	-f "$OURS_FILE" "$PIDOPT" /run/bench-statd.pid -B "$HM_WORK/boot1" >/dev/null
ours_pid=$HM_LAST_PID
hm_host_spawn h2 "$HM_WORK/debian.log" taskset -c 0 "$DEB_STATD" -F -L \
	-P /var/lib/nfs >/dev/null
deb_pid=$HM_LAST_PID
hm_host_spawn h1 "$HM_WORK/echo.log" taskset -c 0 "$ECHO" -s -p 7777 >/dev/null
echo_pid=$HM_LAST_PID
hm_wait_for 10 hm_host_exec h1 rpcinfo -T udp 127.0.0.1 100024 ||
	{ say "our statd did not start:"; cat "$HM_WORK/ours.log" >&2; exit 1; }
hm_wait_for 10 hm_host_exec h2 rpcinfo -T udp 127.0.0.1 100024 ||
	{ say "Debian's statd did not start:"; cat "$HM_WORK/debian.log" >&2; exit 1; }
OURS_CHILD=$(serving_pid "$ours_pid")
say "our statd $ours_pid (serving $OURS_CHILD), Debian's $deb_pid, echo $echo_pid"

# ------------------------------------------------------------ 6. storms
# HOST VERB FORMAT COUNT [NETID]: one storm of smstorm (CPU 1); its line in
# ST_OUT, its seconds in ST_SECS.
storm() {
	ST_OUT=$(hm_host_exec "$1" taskset -c 1 "$STORM" -t "${5:-udp}" \
		-c "$STORM_CALLERS" -n "$4" "$2" "$3" "$MYNAME" 2>&1)
	ST_SECS=$(secs_of "$ST_OUT")
	if [ -z "$ST_SECS" ] || ! grep -q ', 0 failed$' <<<"$ST_OUT"; then
		fail "storm $2 on $1: $ST_OUT"
		return 1
	fi
}
# Our statd's commits so far, from the line SIGUSR1 has it log.
ours_commits() {
	local before
	before=$(grep -c 'status file: [0-9]* commits' "$HM_WORK/ours.log")
	kill -USR1 "$OURS_CHILD"
	hm_wait_for 5 sh -c "[ \$(grep -c 'status file: [0-9]* commits' '$HM_WORK/ours.log') -gt $before ]" ||
		{ fail "no commit count from our statd"; echo 0; return 1; }
	sed -n 's/.*status file: \([0-9]*\) commits.*/\1/p' "$HM_WORK/ours.log" | tail -n 1
}
# Our statd's unanswered callback attempts so far (the same SIGUSR1 line).
ours_cb_unanswered() {
	local before
	before=$(grep -c 'callback attempts unanswered' "$HM_WORK/ours.log")
	kill -USR1 "$OURS_CHILD"
	hm_wait_for 5 sh -c "[ \$(grep -c 'callback attempts unanswered' '$HM_WORK/ours.log') -gt $before ]" ||
		{ fail "no callback count from our statd"; echo 0; return 1; }
	sed -n 's/.*; \([0-9]*\) callback attempts unanswered.*/\1/p' "$HM_WORK/ours.log" | tail -n 1
}
per1k() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.1f", (b - a) * 1000 / n }'; }
# KEY VERB FORMAT COUNT NETID: a storm of ours, timed, with its commits.
ours_storm() {
	local c0 c1 u0
	c0=$(ours_commits)
	u0=$(cpu_ns "$OURS_CHILD")
	storm h1 "$2" "$3" "$4" "$5" || return 1
	R[storm_$1_cpu]=$(awk -v a="$u0" -v b="$(cpu_ns "$OURS_CHILD")" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
	c1=$(ours_commits)
	R[storm_$1]=$ST_SECS
	R[storm_$1_per1k]=$(per1k "$c0" "$c1" "$4")
	say "  ours, $2 x $4 over $5: $ST_OUT; $((c1 - c0)) commits; statd's CPU ${R[storm_$1_cpu]} s"
}
# STORM_CALLS SM_MON then SM_UNMON, over udp and tcp; KEY names the list's size.
ours_storms() {
	local n
	ours_storm "mon_udp_$1" mon "10.200.%d.%d" "$STORM_CALLS" udp || return 1
	ours_storm "unmon_udp_$1" unmon "10.200.%d.%d" "$STORM_CALLS" udp || return 1
	ours_storm "mon_tcp_$1" mon "10.201.%d.%d" "$STORM_CALLS" tcp || return 1
	n=$(ours_entries "$OURS_FILE")
	[ "$n" = $(($2 + STORM_CALLS)) ] || fail "after the storms our statd holds $n entries, not $(($2 + STORM_CALLS))"
	ours_storm "unmon_tcp_$1" unmon "10.201.%d.%d" "$STORM_CALLS" tcp || return 1
	n=$(ours_entries "$OURS_FILE")
	[ "$n" = "$2" ] || fail "after the storms our statd holds $n entries, not $2"
}

# The disk's time for one commit: a synchronous overwrite in place of 512
# bytes (as a commit's pwrite and fdatasync), the median of 200, in us.
dsync_us() {
	local probe=$h1dir/var/db/dsync.probe out secs
	dd if=/dev/zero of="$probe" bs=1M count=1 conv=fsync 2>/dev/null
	out=$(dd if=/dev/zero of="$probe" bs=512 count=200 oflag=dsync conv=notrunc 2>&1)
	rm -f "$probe"
	secs=$(sed -n 's/.* copied, \([0-9.e-]*\) s,.*/\1/p' <<<"$out")
	awk -v s="${secs:-0}" 'BEGIN { printf "%.0f", s * 1e6 / 200 }'
}
say "6. storms: $STORM_CALLERS callers at once, $STORM_CALLS SM_MON then SM_UNMON (Debian's: $DEB_STORM_CALLS)"
R[dsync_before]=$(dsync_us)
say "  one synchronous 512-byte overwrite: ${R[dsync_before]} us"
[ $((STORM_CALLS / STORM_CALLERS)) -le 250 ] || { fail "STORM_CALLS / STORM_CALLERS must be at most 250"; exit 1; }
ours_storms empty 0
# Debian's: timed, then counted under strace in runs of their own.
storm h2 mon "10.200.%d.%d" "$DEB_STORM_CALLS" udp &&
	R[storm_deb_mon]=$ST_SECS && say "  Debian's, mon x $DEB_STORM_CALLS: $ST_OUT"
storm h2 unmon "10.200.%d.%d" "$DEB_STORM_CALLS" udp &&
	R[storm_deb_unmon]=$ST_SECS && say "  Debian's, unmon x $DEB_STORM_CALLS: $ST_OUT"
strace -f -c -e trace=fsync,fdatasync,write -o "$HM_WORK/deb.strace" -p "$deb_pid" 2>/dev/null &
strace_pid=$!
sleep 1		# strace attaches to every thread before the calls
storm h2 mon "10.202.%d.%d" "$DEB_STORM_CALLS" udp
kill -INT "$strace_pid"
wait "$strace_pid"
R[storm_deb_mon_per1k]=$(awk -v n="$DEB_STORM_CALLS" '$NF == "fsync" || $NF == "fdatasync" { c += $4 } END { printf "%.1f", c * 1000 / n }' "$HM_WORK/deb.strace")
R[storm_deb_mon_writes1k]=$(awk -v n="$DEB_STORM_CALLS" '$NF == "write" { printf "%.0f at %d us", $4 * 1000 / n, $3 }' "$HM_WORK/deb.strace")
say "  Debian's under strace: $(grep -E ' (fsync|fdatasync|write)$' "$HM_WORK/deb.strace" | tr -s ' ' | paste -s -d ';')"
storm h2 unmon "10.202.%d.%d" "$DEB_STORM_CALLS" udp
n=$(deb_entries "$h2dir/var/lib/nfs")
[ "$n" = 0 ] || fail "Debian's statd holds $n entries after its storms, not 0"

# The same on top of STORM_BIG entries (loaded by storms too).
say "  loading $STORM_BIG entries into ours"
for ((b = 0; b < STORM_BIG / STORM_CALLS; b++)); do
	storm h1 mon "10.$((100 + b)).%d.%d" "$STORM_CALLS" || exit 1
done
ours_storms big "$STORM_BIG"
for ((b = 0; b < STORM_BIG / STORM_CALLS; b++)); do
	storm h1 unmon "10.$((100 + b)).%d.%d" "$STORM_CALLS" || exit 1
done

# The notification storm: STORM_CALLS hosts monitored, then each sends
# SM_NOTIFY with a new state, all at once; then all of it again (the
# duplicates must be dropped).  The lock manager is nlmstub on h1.
hm_host_spawn h1 "$HM_WORK/nlm.log" taskset -c 1 "$NLMSTUB" -S -o "$HM_WORK/nlm.calls" >/dev/null
nlm_pid=$HM_LAST_PID
hm_wait_for 10 hm_host_exec h1 rpcinfo -T udp 127.0.0.1 100021 4 >/dev/null || fail "nlmstub did not start"
storm h1 mon "10.203.%d.%d" "$STORM_CALLS" || exit 1
callbacks() { grep -c ' mon_name 10\.203\.' "$HM_WORK/nlm.calls" 2>/dev/null || echo 0; }
r0=$(ours_cb_unanswered)
t0=$EPOCHREALTIME
u0=$(cpu_ns "$OURS_CHILD")
storm h1 notify "10.203.%d.%d" "$STORM_CALLS" && R[storm_notify_send]=$ST_SECS
say "  $STORM_CALLS SM_NOTIFY: $ST_OUT"
hm_wait_for 30 sh -c "[ \$(grep -c ' mon_name 10\.203\.' '$HM_WORK/nlm.calls') -ge $STORM_CALLS ]" ||
	fail "only $(callbacks) of $STORM_CALLS callbacks within 30 s"
t1=$EPOCHREALTIME
R[storm_notify_cpu]=$(awk -v a="$u0" -v b="$(cpu_ns "$OURS_CHILD")" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
R[storm_notify_all]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
R[storm_notify_unanswered]=$(( $(ours_cb_unanswered) - r0 ))
R[storm_notify_after]=$(awk -v a="${R[storm_notify_all]}" -v s="${R[storm_notify_send]:-0}" 'BEGIN { printf "%.2f", a - s }')
storm h1 notify "10.203.%d.%d" "$STORM_CALLS"	# the same states again
sleep 2		# any callback the repeats caused has come by now
R[storm_notify_calls]=$(callbacks)
R[storm_notify_distinct]=$(grep -o ' mon_name 10\.203\.[0-9.]*' "$HM_WORK/nlm.calls" | sort -u | wc -l)
if [ "${R[storm_notify_calls]}" != "$STORM_CALLS" ] || [ "${R[storm_notify_distinct]}" != "$STORM_CALLS" ]; then
	fail "notification storm: ${R[storm_notify_calls]} callbacks for ${R[storm_notify_distinct]} hosts, not $STORM_CALLS each once"
fi
say "  every callback in ${R[storm_notify_all]} s from the first SM_NOTIFY (${R[storm_notify_after]} s after the last was answered; statd's CPU ${R[storm_notify_cpu]} s; ${R[storm_notify_unanswered]} callback attempts unanswered, sent again); ${R[storm_notify_calls]} callbacks for ${R[storm_notify_distinct]} hosts"
storm h1 unmon "10.203.%d.%d" "$STORM_CALLS"
hm_host_kill "$nlm_pid"

R[dsync_after]=$(dsync_us)
say "  one synchronous 512-byte overwrite: ${R[dsync_after]} us (before the storms: ${R[dsync_before]} us)"

storm_table() {
	local deb_mon_rate deb_unmon_rate k floor
	deb_mon_rate=$(awk -v n="$DEB_STORM_CALLS" -v t="${R[storm_deb_mon]:-0}" 'BEGIN { if (t + 0 <= 0) print "n/a"; else printf "%.0f", n / t }')
	deb_unmon_rate=$(awk -v n="$DEB_STORM_CALLS" -v t="${R[storm_deb_unmon]:-0}" 'BEGIN { if (t + 0 <= 0) print "n/a"; else printf "%.0f", n / t }')
	printf '\n'
	printf 'rpc.statd storms (%s; %d callers at once on CPU 1, statds on CPU 0)\n' "$(date -u +%Y-%m-%d)" "$STORM_CALLERS"
	printf '%-36s %14s %14s %12s %14s %8s\n' "$STORM_CALLS calls, s (commits per 1,000)" "empty" "$STORM_BIG" "disk floor" "Debian (est.)" "target"
	for k in mon_udp unmon_udp mon_tcp unmon_tcp; do
		# The commits of the slower of the two, at the better of the
		# two dsync times: what the disk alone would take.
		floor=$(awk -v a="${R[storm_${k}_empty_per1k]}" -v b="${R[storm_${k}_big_per1k]}" \
			-v u="${R[dsync_before]}" -v v="${R[dsync_after]}" -v n="$STORM_CALLS" \
			'BEGIN { c = (a > b ? a : b) * n / 1000; d = (u < v ? u : v); printf "%.2f", c * d / 1e6 }')
		printf '%-36s %14s %14s %12s %14s %8s\n' "  ${k/_/ over }" \
			"${R[storm_${k}_empty]} (${R[storm_${k}_empty_per1k]})" \
			"${R[storm_${k}_big]} (${R[storm_${k}_big_per1k]})" "$floor" \
			"$(case $k in mon_udp) awk -v r="$deb_mon_rate" -v n="$STORM_CALLS" 'BEGIN { if (r == "n/a") print r; else printf "%.0f", n / r }';; unmon_udp) awk -v r="$deb_unmon_rate" -v n="$STORM_CALLS" 'BEGIN { if (r == "n/a") print r; else printf "%.0f", n / r }';; *) echo -;; esac)" "<=0.5"
	done
	printf '%-44s %10s\n' "  Debian: $DEB_STORM_CALLS SM_MON / SM_UNMON, s" "${R[storm_deb_mon]:-n/a} / ${R[storm_deb_unmon]:-n/a}"
	printf '%-44s %10s\n' "  Debian: calls/s (SM_MON / SM_UNMON)" "$deb_mon_rate / $deb_unmon_rate"
	printf '%-44s %10s\n' "  Debian: fsync+fdatasync per 1,000 SM_MON" "${R[storm_deb_mon_per1k]:-n/a}"
	printf '%-44s %10s\n' "  Debian: write(2) per 1,000 SM_MON" "${R[storm_deb_mon_writes1k]:-n/a}"
	printf '%-44s %10s\n' "one synchronous 512-byte overwrite, us" "${R[dsync_before]} / ${R[dsync_after]}"
	printf '%-44s %s\n' "statd's CPU s in each (empty; $STORM_BIG)" "$(for k in mon_udp unmon_udp mon_tcp unmon_tcp; do printf '%s %s/%s; ' "$k" "${R[storm_${k}_empty_cpu]}" "${R[storm_${k}_big_cpu]}"; done)"
	printf '%-44s %10s %8s\n' "SM_NOTIFY storm: all called back after, s" "${R[storm_notify_all]}" ""
	printf '%-44s %10s %8s\n' "  after the last SM_NOTIFY was answered, s" "${R[storm_notify_after]}" "<=1"
	printf '%-44s %10s\n' "  statd's CPU in all, s" "${R[storm_notify_cpu]}"
	printf '%-44s %10s\n' "  callback attempts unanswered, sent again" "${R[storm_notify_unanswered]}"
	printf '%-44s %10s\n' "  callbacks / hosts (sent twice)" "${R[storm_notify_calls]} / ${R[storm_notify_distinct]}"
	for k in mon_udp_empty unmon_udp_empty mon_tcp_empty unmon_tcp_empty mon_udp_big unmon_udp_big mon_tcp_big unmon_tcp_big; do
		ge 0.5 "${R[storm_$k]:-99}" || fail "storm $k: ${R[storm_$k]:-none} s, target 0.5 s"
	done
	ge 1 "${R[storm_notify_after]:-99}" || fail "SM_NOTIFY storm: callbacks done ${R[storm_notify_after]:-?} s after the last SM_NOTIFY, target 1 s"
}
if [ "$ONLY" = storm ]; then
	storm_table
	[ "$failed" = 0 ] && echo "bench_statd: every storm target met" || echo "bench_statd: FAILED (see above)"
	exit "$failed"
fi
# The rest starts from a fresh status file: the storms' dead records
# would count in its bytes per host.
hm_host_kill "$ours_pid"
rm -f "$h1dir$OURS_FILE"
: >"$HM_WORK/ours.log"
hm_host_spawn h1 "$HM_WORK/ours.log" taskset -c 0 "$STATD" -F \
	-f "$OURS_FILE" "$PIDOPT" /run/bench-statd.pid -B "$HM_WORK/boot1" >/dev/null
ours_pid=$HM_LAST_PID
hm_wait_for 10 hm_host_exec h1 rpcinfo -T udp 127.0.0.1 100024 ||
	{ say "our statd did not start again:"; cat "$HM_WORK/ours.log" >&2; exit 1; }
OURS_CHILD=$(serving_pid "$ours_pid")

# ------------------------------------------------------- 1. SM_STAT by name
say "1. SM_STAT by name over UDP, $STAT_CALLS calls x $ROUNDS rounds"
e=() o=() d=()
for ((r = 1; r <= ROUNDS; r++)); do
	out=$(hm_host_exec h1 taskset -c 0 "$ECHO" -c -p 7777 -n "$STAT_CALLS")
	e+=("$(rate_of "$out")")
	out=$(hm_host_exec h1 taskset -c 0 "$SMCALL" -n "$STAT_CALLS" stat localhost)
	o+=("$(rate_of "$out")")
	out=$(hm_host_exec h2 taskset -c 0 "$SMCALL" -n "$STAT_CALLS" stat localhost)
	d+=("$(rate_of "$out")")
	say "  round $r: echo ${e[-1]}, ours ${o[-1]}, Debian ${d[-1]} calls/s"
done
R[echo]=$(median "${e[@]}")
R[stat_ours]=$(median "${o[@]}")
R[stat_deb]=$(median "${d[@]}")
# Both statds answered stat_succ to the name (not a refusal).
hm_host_exec h1 "$SMCALL" stat localhost | grep -q '^stat_succ' ||
	fail "our SM_STAT localhost is not stat_succ"
hm_host_exec h2 "$SMCALL" stat localhost | grep -q '^stat_succ' ||
	fail "Debian's SM_STAT localhost is not stat_succ"

# ------------------------------------------ 2. durable SM_MON at 1,000 hosts
say "2. SM_MON: pre-loading 1,000 entries into each statd"
t=$EPOCHREALTIME
preload h1 1000 || exit 1
R[preload_ours_1k]=$(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
t=$EPOCHREALTIME
preload h2 1000 || exit 1
R[preload_deb_1k]=$(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
n=$(ours_entries "$OURS_FILE")
[ "$n" = 1000 ] || fail "our statd holds $n entries, not 1000"
n=$(deb_entries "$h2dir/var/lib/nfs")
[ "$n" = 1000 ] || fail "Debian's statd holds $n entries, not 1000"
say "  pre-load took ${R[preload_ours_1k]} s (ours), ${R[preload_deb_1k]} s (Debian's)"

# 3. bytes on disk at 1,000 (before the rounds add more).  Ours: the log's
# own size, which is the file's size after a clean stop; while statd runs
# the file also holds zeros ahead (at least 256 KiB, an eighth of the log
# beyond that), reported apart.
sz=$(ours_bytes "$OURS_FILE")
R[disk_ours_1k]=$(awk -v s="$sz" -v nb="$OURS_NAME_BYTES" 'BEGIN { printf "%.1f", (s - nb) / 1000 }')
R[disk_ours_file_1k]=$sz
R[disk_ours_alloc_1k]=$(stat -c %s "$h1dir$OURS_FILE")
R[disk_deb_du]=$(du -sk "$h2dir/var/lib/nfs/sm" | awk '{ print $1 * 1024 / 1000 }')
R[disk_deb_apparent]=$(du -s --apparent-size -B1 "$h2dir/var/lib/nfs/sm" | awk '{ print $1 / 1000 }')

say "  measuring: $ROUNDS rounds of $MON_ROUND (ours) and $DEB_MON_ROUND (Debian's)"
o=() d=() c=()
for ((r = 1; r <= ROUNDS; r++)); do
	mon_round h1 "$MON_ROUND" || exit 1
	o+=("$MR_US")
	c+=("$MR_CPU")
	mon_round h2 "$DEB_MON_ROUND" || exit 1
	d+=("$MR_US")
	say "  round $r: ours ${o[-1]} us/call (CPU ${c[-1]}), Debian ${d[-1]} us/call"
done
R[mon_ours_1k]=$(median "${o[@]}")
R[cpu_ours_1k]=$(median "${c[@]}")
R[mon_deb_1k]=$(median "${d[@]}")
n=$(deb_entries "$h2dir/var/lib/nfs")
[ "$n" = $((1000 + ROUNDS * DEB_MON_ROUND)) ] ||
	fail "Debian's statd holds $n entries, not $((1000 + ROUNDS * DEB_MON_ROUND))"

# The same with host names, resolved from /etc/hosts (as a lock manager
# with NSM_Use_Caller_Name would send): both hosts list the names.
say "  again by host name (in /etc/hosts): $ROUNDS rounds of $MON_ROUND (ours) and $NAME_MON_ROUND (Debian's)"
for ((r = 1; r <= ROUNDS; r++)); do
	for ((i = 0; i < MON_ROUND; i++)); do
		printf '10.250.%d.%d\tclient%d-%d\n' "$r" "$i" "$r" "$i"
	done
done >"$HM_WORK/names"
cat "$HM_WORK/names" >>"$h1dir/etc/hosts"
cat "$HM_WORK/names" >>"$h2dir/etc/hosts"
o=() d=()
for ((r = 1; r <= ROUNDS; r++)); do
	mon_round h1 "$MON_ROUND" "client$r-" || exit 1
	o+=("$MR_US")
	mon_round h2 "$NAME_MON_ROUND" "client$r-" || exit 1
	d+=("$MR_US")
	say "  round $r: ours ${o[-1]} us/call, Debian ${d[-1]} us/call"
done
R[mon_ours_1k_names]=$(median "${o[@]}")
R[mon_deb_1k_names]=$(median "${d[@]}")
n=$(deb_entries "$h2dir/var/lib/nfs")
[ "$n" = $((1000 + ROUNDS * (DEB_MON_ROUND + NAME_MON_ROUND))) ] ||
	fail "Debian's statd holds $n entries, not $((1000 + ROUNDS * (DEB_MON_ROUND + NAME_MON_ROUND)))"
# Debian's is done: stop it, so it costs nothing from here on.
hm_host_kill "$deb_pid"
hm_host_kill "$echo_pid"

# Ours at 10,000 and at BIG.
for size in 10000 "$BIG"; do
	have=$(ours_entries "$OURS_FILE")
	say "  pre-loading ours from $have to $size entries"
	t=$EPOCHREALTIME
	preload h1 $((size - have)) || exit 1
	say "  ... $(awk -v a="$t" -v b="$EPOCHREALTIME" -v n=$((size - have)) 'BEGIN { printf "%.1f s, %.0f SM_MON/s", b - a, n / (b - a) }')"
	o=() c=()
	for ((r = 1; r <= ROUNDS; r++)); do
		mon_round h1 "$MON_ROUND" || exit 1
		o+=("$MR_US")
		c+=("$MR_CPU")
	done
	say "  at $size: ${o[*]} us/call; CPU ${c[*]} us/call"
	R[mon_ours_$size]=$(median "${o[@]}")
	R[cpu_ours_$size]=$(median "${c[@]}")
done
n=$(ours_entries "$OURS_FILE")
[ "$n" = $((BIG + ROUNDS * MON_ROUND)) ] ||
	fail "our statd holds $n entries, not $((BIG + ROUNDS * MON_ROUND))"
R[big_entries]=$n
sz=$(ours_bytes "$OURS_FILE")
R[disk_ours_big]=$(awk -v s="$sz" -v nb="$OURS_NAME_BYTES" -v n="$n" 'BEGIN { printf "%.1f", (s - nb) / n }')
R[disk_ours_file_big]=$sz
R[disk_ours_alloc_big]=$(stat -c %s "$h1dir$OURS_FILE")

# ------------------------------------------------ 5. RSS at BIG entries
child=$(serving_pid "$ours_pid")
R[rss_ours]=$(awk '/^VmRSS:/ { print $2 }' "/proc/$child/status")
R[rss_ours_parent]=$(awk '/^VmRSS:/ { print $2 }' "/proc/$ours_pid/status")
hm_host_kill "$ours_pid"

# ------------------------------------- 4. notification after a reboot
# Our statd monitors NOTIFY_HOSTS addresses of the sink's /16, stops, and
# starts again with a new boot id: the time from that start to the sink
# having heard from every address.
notify_targets() {	# HOST COUNT: SM_MON COUNT sink addresses
	local host=$1 count=$2 b=1 n out
	while [ "$count" -gt 0 ]; do
		n=$((count > 250 ? 250 : count))
		out=$(hm_host_exec "$host" taskset -c 0 "$SMCALL" -n "$n" mon \
			"$SINKNET.$b.%d" "$MYNAME" 100021 4 16 2>&1)
		[ -n "$(secs_of "$out")" ] || { fail "SM_MON $SINKNET.$b.*: $out"; return 1; }
		b=$((b + 1))
		count=$((count - n))
	done
}

# Start the sink on h3 (CPU 1) expecting N pairs within LIMIT s; sets
# sink_pid and sink_out.
start_sink() {
	sink_out=$HM_WORK/sink.$1.$2.out
	: >"$sink_out"
	hm_host_spawn h3 "$sink_out" taskset -c 1 "$SINK" -n "$2" -t "$3" >/dev/null
	sink_pid=$HM_LAST_PID
	hm_wait_for 5 grep -q listening "$sink_out"
}

wait_gone() {	# PID SECS
	local end=$((${EPOCHSECONDS} + $2))
	while hm_pid_alive "$1" && [ "$EPOCHSECONDS" -lt "$end" ]; do
		sleep 0.05
	done
}

say "4. notification after a reboot: $NOTIFY_HOSTS hosts x $NOTIFY_ROUNDS rounds"
NOTIFY_FILE=/var/db/notify.status
nt=() ok_rounds=0 gaveup_total=0
for ((r = 1; r <= NOTIFY_ROUNDS; r++)); do
	cat /proc/sys/kernel/random/uuid >"$HM_WORK/boot_n$r"
	hm_host_spawn h1 "$HM_WORK/notify_mon.$r.log" taskset -c 0 "$STATD" -F \
		-f "$NOTIFY_FILE" "$PIDOPT" /run/bench-statd.pid -B "$HM_WORK/boot_n$r" >/dev/null
	p=$HM_LAST_PID
	hm_wait_for 10 hm_host_exec h1 rpcinfo -T udp 127.0.0.1 100024 || { fail "statd did not start"; break; }
	notify_targets h1 "$NOTIFY_HOSTS" || break
	hm_host_kill "$p"
	# Round 1 starts from an empty file; later ones inherit nothing pending.
	pend=$(ours_pending "$NOTIFY_FILE")
	[ "$pend" = 0 ] || fail "round $r: $pend notifications pending before the reboot"
	cat /proc/sys/kernel/random/uuid >"$HM_WORK/boot_r$r"
	start_sink "ours$r" "$NOTIFY_HOSTS" 120 || { fail "sink did not start"; break; }
	log=$HM_WORK/notify.$r.log
	t0=$EPOCHREALTIME
	hm_host_spawn h1 "$log" taskset -c 0 "$STATD" -F -f "$NOTIFY_FILE" \
		"$PIDOPT" /run/bench-statd.pid -B "$HM_WORK/boot_r$r" >/dev/null
	p=$HM_LAST_PID
	hm_wait_for 60 grep -q '^notified' "$sink_out"
	line=$(grep '^notified' "$sink_out")
	got=$(sed -n 's/^notified \([0-9]*\) of.*/\1/p' <<<"$line")
	last=$(sed -n 's/.* last \([0-9.]*\);.*/\1/p' <<<"$line")
	# The daemon's own account: nothing pending, nothing given up.
	hm_wait_for 10 sh -c "[ \"\$($STATD -l -f $h1dir$NOTIFY_FILE | sed -n 's/^entries .* pending \([0-9]*\)$/\1/p')\" = 0 ]" ||
		fail "round $r: notifications still pending"
	gaveup=$(grep -c 'gave up' "$log")
	gaveup_total=$((gaveup_total + gaveup))
	hm_host_kill "$p"
	hm_host_kill "$sink_pid"
	say "  sink: $(grep '^final' "$sink_out")"
	if [ "${got:-0}" -ge "$NOTIFY_HOSTS" ] && [ -n "$last" ]; then
		nt+=("$(awk -v a="$t0" -v b="$last" 'BEGIN { printf "%.2f", b - a }')")
		ok_rounds=$((ok_rounds + 1))
		say "  round $r: $got hosts notified in ${nt[-1]} s from start; $line"
	else
		fail "round $r: only ${got:-0} of $NOTIFY_HOSTS hosts notified in 60 s ($line)"
	fi
done
R[notify_ours]=$(median "${nt[@]}")
R[notify_ours_gaveup]=$gaveup_total

# Debian's sm-notify: DEB_NOTIFY_HOSTS monitored through Debian's statd in
# a fresh state folder, then `sm-notify -f -d` as after a reboot.
say "4b. Debian's sm-notify to $DEB_NOTIFY_HOSTS hosts (limit ${DEB_NOTIFY_LIMIT} s)"
dnd=/var/lib/nfsbench
mkdir -p "$h2dir$dnd/sm" "$h2dir$dnd/sm.bak"
chown statd "$h2dir$dnd/sm" "$h2dir$dnd/sm.bak"
hm_host_spawn h2 "$HM_WORK/debian_n.log" taskset -c 0 "$DEB_STATD" -F -L -P "$dnd" >/dev/null
p=$HM_LAST_PID
hm_wait_for 10 hm_host_exec h2 rpcinfo -T udp 127.0.0.1 100024 || fail "Debian's statd did not start again"
notify_targets h2 "$DEB_NOTIFY_HOSTS"
hm_host_kill "$p"
n=$(deb_entries "$h2dir$dnd")
[ "$n" = "$DEB_NOTIFY_HOSTS" ] || fail "Debian's statd recorded $n of $DEB_NOTIFY_HOSTS hosts"
start_sink debian "$DEB_NOTIFY_HOSTS" $((DEB_NOTIFY_LIMIT + 5)) || fail "sink did not start"
t0=$EPOCHREALTIME
hm_host_spawn h2 "$HM_WORK/sm-notify.log" timeout "$DEB_NOTIFY_LIMIT" \
	taskset -c 0 "$DEB_NOTIFY" -f -d -P "$dnd" >/dev/null
p=$HM_LAST_PID
wait_gone "$p" $((DEB_NOTIFY_LIMIT + 5))
t1=$EPOCHREALTIME
hm_host_kill "$sink_pid"
line=$(grep '^notified' "$sink_out" | head -n 1)
got=$(sed -n 's/^notified \([0-9]*\) of.*/\1/p' <<<"$line")
last=$(sed -n 's/.* last \([0-9.]*\);.*/\1/p' <<<"$line")
R[deb_notify_got]=${got:-0}
R[deb_notify_run]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
R[deb_notify_last]=$(awk -v a="$t0" -v b="${last:-0}" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", b - a }')
R[deb_notify_rate]=$(awk -v n="${got:-0}" -v t="${R[deb_notify_last]}" 'BEGIN { if (t + 0 <= 0) print "n/a"; else printf "%.1f", n / t }')
say "  sm-notify: ${got:-0} of $DEB_NOTIFY_HOSTS notified, the last after ${R[deb_notify_last]} s; it ran ${R[deb_notify_run]} s; $line"

# ------------------------------------------------------------ the table
ours_rate() { awk -v u="$1" 'BEGIN { printf "%.0f", 1e6 / u }'; }
R[mon_ours_1k_rate]=$(ours_rate "${R[mon_ours_1k]}")
R[mon_deb_1k_rate]=$(awk -v u="${R[mon_deb_1k]}" 'BEGIN { printf "%.1f", 1e6 / u }')
R[ours_notify_rate]=$(awk -v n="$NOTIFY_HOSTS" -v t="${R[notify_ours]}" 'BEGIN { if (t + 0 <= 0) print "n/a"; else printf "%.0f", n / t }')
stat_x=$(ratio "${R[stat_ours]}" "${R[stat_deb]}")
stat_e=$(ratio "${R[stat_ours]}" "${R[echo]}")
deb_e=$(ratio "${R[stat_deb]}" "${R[echo]}")
mon_x=$(ratio "${R[mon_deb_1k]}" "${R[mon_ours_1k]}")
flat=$(ratio "${R[mon_ours_$BIG]}" "${R[mon_ours_1k]}")
flatc=$(ratio "${R[cpu_ours_$BIG]}" "${R[cpu_ours_1k]}")
echo_us=$(awk -v r="${R[echo]}" 'BEGIN { printf "%.1f", 1e6 / r }')
mon_e=$(ratio "$echo_us" "${R[mon_ours_1k]}")
notify_x=$(ratio "${R[ours_notify_rate]}" "${R[deb_notify_rate]}")

printf '\n'
printf 'rpc.statd benchmark (%s; median of %d rounds; CPU 0 pinning)\n' "$(date -u +%Y-%m-%d)" "$ROUNDS"
printf '%-46s %14s %14s %14s %10s %8s\n' "measure" "ours" "Debian 2.6.2" "UDP echo" "ours/Deb" "target"
printf '%-46s %14s %14s %14s %10s %8s\n' "SM_STAT by name, calls/s" "${R[stat_ours]}" "${R[stat_deb]}" "${R[echo]}" "${stat_x}x" ">=3x"
printf '%-46s %14s %14s %14s\n' "  ... as a fraction of the echo" "$stat_e" "$deb_e" "1"
printf '%-46s %14s %14s %14s %10s %8s\n' "durable SM_MON at 1,000 hosts, calls/s" "${R[mon_ours_1k_rate]}" "${R[mon_deb_1k_rate]}" "-" "${mon_x}x" ">=100x"
printf '%-46s %14s %14s %14s\n' "  us/call (echo us/call over ours: $mon_e)" "${R[mon_ours_1k]}" "${R[mon_deb_1k]}" "$echo_us"
mon_xn=$(ratio "${R[mon_deb_1k_names]}" "${R[mon_ours_1k_names]}")
printf '%-46s %14s %14s %14s %10s\n' "  by host name (/etc/hosts), us/call" "${R[mon_ours_1k_names]}" "${R[mon_deb_1k_names]}" "-" "${mon_xn}x"
printf '%-46s %14s\n' "  vs the PEERS anchor of 17 SM_MON/s" "$(awk -v u="${R[mon_ours_1k]}" 'BEGIN { printf "%.0fx", 1e6 / u / 17 }')"
printf '%-46s %14s %14s\n' "SM_MON us/call at 10,000 hosts" "${R[mon_ours_10000]}" "(PEERS: 10.5 s)"
printf '%-46s %14s %14s %14s %10s %8s\n' "SM_MON us/call at $BIG hosts" "${R[mon_ours_$BIG]}" "-" "-" "" "flat"
printf '%-46s %14s\n' "  at $BIG / at 1,000 (wall)" "$flat"
printf '%-46s %14s\n' "  daemon CPU us/call at 1,000/10,000/$BIG" "${R[cpu_ours_1k]}/${R[cpu_ours_10000]}/${R[cpu_ours_$BIG]}"
printf '%-46s %14s\n' "  at $BIG / at 1,000 (CPU)" "$flatc"
printf '%-46s %14s %14s %14s %10s %8s\n' "disk bytes per host, minus names (at 1,000)" "${R[disk_ours_1k]}" "${R[disk_deb_du]}" "-" "" "<=64"
printf '%-46s %14s %14s\n' "  (Debian: du of sm/; its files hold)" "" "${R[disk_deb_apparent]}"
printf '%-46s %14s\n' "  ours at ${R[big_entries]} entries" "${R[disk_ours_big]}"
printf '%-46s %14s\n' "  file held ahead while running, KiB (1,000)" "$(( (R[disk_ours_alloc_1k] - R[disk_ours_file_1k]) / 1024 ))"
printf '%-46s %14s\n' "  ... at ${R[big_entries]} entries, KiB" "$(( (R[disk_ours_alloc_big] - R[disk_ours_file_big]) / 1024 ))"
printf '%-46s %14s %14s %14s %10s %8s\n' "reboot notify $NOTIFY_HOSTS hosts, s (none given up)" "${R[notify_ours]}" "(PEERS: 960)" "-" "" "<=5 s"
printf '%-46s %14s %14s\n' "  given up / hosts notified per s" "${R[notify_ours_gaveup]} / ${R[ours_notify_rate]}" "(PEERS: 569)"
printf '%-46s %14s %14s %14s %10s\n' "notify rate, hosts/s (Debian: $DEB_NOTIFY_HOSTS hosts)" "${R[ours_notify_rate]}" "${R[deb_notify_rate]}" "-" "${notify_x}x"
printf '%-46s %14s %14s\n' "  Debian: notified / last after s / ran s" "" "${R[deb_notify_got]}/${R[deb_notify_last]}/${R[deb_notify_run]}"
printf '%-46s %14s\n' "RSS at ${R[big_entries]} entries, KiB (serving)" "${R[rss_ours]}"
printf '%-46s %14s\n' "  the root parent [priv], KiB" "${R[rss_ours_parent]}"
storm_table
printf 'bench_statd: %.0f s in all\n' "$(awk -v a="$bench_started" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')"

# Targets of issue 3.
ge "$stat_x" 3 || fail "SM_STAT: ${stat_x}x Debian's, target 3x"
# The issue's anchor (17/s) is Debian's statd with host names; with IP
# literals it does no name-file lookups and is several times faster, while
# ours is held at the disk's flush time either way: reported, not failed.
ge "$mon_xn" 100 || fail "SM_MON at 1,000 by name: ${mon_xn}x Debian's, target 100x"
ge "$mon_x" 100 || say "NOTE: SM_MON at 1,000 with IP-literal names: ${mon_x}x Debian's (under 100x; see docs/BENCHMARKS.md)"
# Flat: the daemon's own CPU per call (the wall time is mostly the disk's
# flush, and on a shared VM its spikes are the neighbours').
ge 1.5 "$flatc" || fail "SM_MON CPU per call at $BIG is ${flatc}x that at 1,000: not flat"
ge 1.5 "$flat" || say "NOTE: SM_MON wall time per call at $BIG is ${flat}x that at 1,000 (CPU: ${flatc}x)"
ge 64 "${R[disk_ours_1k]}" || fail "disk: ${R[disk_ours_1k]} bytes per host plus names, target 64"
[ "$ok_rounds" -eq "$NOTIFY_ROUNDS" ] && ge 5 "${R[notify_ours]}" ||
	fail "notification of $NOTIFY_HOSTS hosts: ${R[notify_ours]} s, target 5 s"
[ "${R[notify_ours_gaveup]}" = 0 ] || fail "notification: ${R[notify_ours_gaveup]} given up"
[ "$failed" = 0 ] && echo "bench_statd: every target met" || echo "bench_statd: FAILED (see above)"
exit "$failed"
