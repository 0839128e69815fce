#!/usr/bin/env bash
# bench_samrep.sh: samrep's SUMMARY over a 1,000,000-event log beside
# tuptime's default report over a database of 1,000,000 boots (the same
# history size), as a ratio of medians, both pinned to one CPU; and samd's
# CPU time per day of heartbeats and its RSS.  Everything lives in a
# private folder; tuptime is pointed at a private database with -f and run
# with -n, so the real /var/lib/tuptime is never touched.
# Targets: samrep < 1 s, at least 10x faster than tuptime, samd < 1 CPU
# second per day, samd alone (samsigd is reported beside it).
# Settings: SAM_BENCH_EVENTS (1000000), SAM_BENCH_REPEATS (5), SAM_BENCH_HB
# (samd's heartbeat, 10 s: the default), SAM_BENCH_BEATS (24: 4 minutes).
# Usage: B=build tests/bench/bench_samrep.sh
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/${B:-build}/bin
gen=$top/${B:-build}/tests/tools/samgen
N=${SAM_BENCH_EVENTS:-1000000}
REPEATS=${SAM_BENCH_REPEATS:-5}
HB=${SAM_BENCH_HB:-10}
BEATS=${SAM_BENCH_BEATS:-24}
CPU=${SAM_BENCH_CPU:-1}
for t in "$bin/samrep" "$bin/samd" "$gen"; do
	[ -x "$t" ] || { echo "bench_samrep: $t not built"; exit 77; }
done
for t in tuptime sqlite3 taskset "${CC:-cc}"; do
	command -v "$t" >/dev/null || { echo "bench_samrep: $t missing"; exit 77; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/sambench.XXXXXX") || exit 1
"${CC:-cc}" -O2 -o "$work/hbfloor" "$top/tests/bench/hbfloor.c" || exit 1
samkeep_pid=
floor_pid=
cleanup() {
	[ -n "$floor_pid" ] && kill "$floor_pid" 2>/dev/null
	[ -n "$samkeep_pid" ] && kill "$samkeep_pid" 2>/dev/null && wait "$samkeep_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# Seconds and max RSS (KiB) of one run of CMD..., as "secs kib".
measure() {
	/usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/err" ||
		{ cat "$work/err" >&2; return 1; }
	cat "$work/time"
}

echo "generating $N events and $N tuptime boots"; echo
"$gen" "$work/eventlog" "$N" 100 || exit 1
rm -f "$work/tuptime.db"
tuptime -f "$work/tuptime.db" -q || exit 1
# The boot tuptime registered stays the last (current) one; the history
# goes before it.
sqlite3 "$work/tuptime.db" "
	CREATE TEMP TABLE cur AS SELECT * FROM tuptime;
	DELETE FROM tuptime;
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N - 1)
	INSERT INTO tuptime SELECT lower(hex(randomblob(16))), 1000000 + i * 600,
	    500, 500, 0, 1000000 + i * 600 + 500, i % 2, 100, 'Linux-bench' FROM n;
	INSERT INTO tuptime SELECT * FROM cur;" || exit 1

: >"$work/samrep.t"
: >"$work/tuptime.t"
for _ in $(seq 1 "$REPEATS"); do
	measure taskset -c "$CPU" "$bin/samrep" -f "$work/eventlog" >>"$work/samrep.t" || exit 1
done
for _ in $(seq 1 3); do
	measure taskset -c "$CPU" tuptime -n -f "$work/tuptime.db" >>"$work/tuptime.t" || exit 1
done
s_sec=$(cut -d' ' -f1 "$work/samrep.t" | median)
s_kib=$(cut -d' ' -f2 "$work/samrep.t" | median)
t_sec=$(cut -d' ' -f1 "$work/tuptime.t" | median)
t_kib=$(cut -d' ' -f2 "$work/tuptime.t" | median)
ratio=$(awk -v a="$t_sec" -v b="$s_sec" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
echo "samrep SUMMARY, $N events:  ${s_sec} s, $((s_kib / 1024)) MiB (median of $REPEATS)"
echo "tuptime default, $N boots:  ${t_sec} s, $((t_kib / 1024)) MiB (median of 3)"
echo "samrep is ${ratio}x faster"

# samd: its real default heartbeat (HB, 10 s) over BEATS beats, counted
# from the heartbeat file's sequence numbers, not from the clock.  CPU from
# /proc/PID/schedstat (nanoseconds; clock ticks are too coarse here), for
# samd and samsigd apart.  hbfloor (tests/bench/hbfloor.c, built here) runs
# over the same beats: a timerfd wakeup, one pwrite and one fdatasync and
# nothing else, the least any durable heartbeat costs on this disk.
root=$work/sam
mkdir -p "$root"
sed -e "s/^HEARTBEAT_SEC_DEF=.*/HEARTBEAT_SEC_DEF=$HB/" -e "s|@SAMD_BIN@|$bin/samd|" \
	"$top/src/samd/samd.sh" >"$root/samd"
chmod 755 "$root/samd"
cat /proc/sys/kernel/random/uuid >"$work/boot_id"
SAM_ROOT=$root SAM_BOOT_ID_FILE=$work/boot_id SAM_LOGFILE=$root/samd.log \
	"$bin/samkeep" -F -c "$root/.state/samd.pid" -- "$root/samd" NODE_FAIL &
samkeep_pid=$!
"$work/hbfloor" "$root/floor" "$HB" &
floor_pid=$!
for _ in $(seq 1 100); do
	[ -s "$root/.state/samd.pid" ] && [ -s "$root/.state/samsigd.pid" ] && break
	sleep 0.1
done
samd_pid=$(cat "$root/.state/samd.pid" 2>/dev/null)
sigd_pid=$(cat "$root/.state/samsigd.pid" 2>/dev/null)
[ -n "$samd_pid" ] && [ -n "$sigd_pid" ] || { echo "samd did not start"; exit 1; }
runtime() { awk '{ print $1 }' "/proc/$1/schedstat"; }
# The higher sequence number of the heartbeat's two slots.
hb_seq() {
	od -An -tu8 -j8 -N8 "$root/.state/heartbeat"
	od -An -tu8 -j136 -N8 "$root/.state/heartbeat"
}
last_seq() { hb_seq | sort -n | tail -1; }
# Start just after a beat, so that the window holds whole beats.
seq=$(last_seq)
while [ "$(last_seq)" = "$seq" ]; do sleep 0.05; done
sleep 0.5
s0=$(last_seq); a0=$(runtime "$samd_pid"); g0=$(runtime "$sigd_pid"); f0=$(runtime "$floor_pid")
sleep $((BEATS * HB))
s1=$(last_seq); a1=$(runtime "$samd_pid"); g1=$(runtime "$sigd_pid"); f1=$(runtime "$floor_pid")
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$samd_pid/status")
sigd_rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$sigd_pid/status")
kill "$floor_pid"; wait "$floor_pid" 2>/dev/null
beats=$((s1 - s0))
[ "$beats" -gt 0 ] || { echo "samd wrote no heartbeat"; exit 1; }
per_beat() { awk -v d="$1" -v n="$beats" 'BEGIN { printf "%.0f", d / n / 1000 }'; }
# Per day at the default heartbeat (10 s: 8,640 beats), whatever HB is.
per_day() { awk -v d="$1" -v n="$beats" 'BEGIN { printf "%.2f", d / n / 1e9 * 8640 }'; }
samd_us=$(per_beat $((a1 - a0))); sigd_us=$(per_beat $((g1 - g0))); floor_us=$(per_beat $((f1 - f0)))
per_day=$(per_day $((a1 - a0))); sigd_day=$(per_day $((g1 - g0))); floor_day=$(per_day $((f1 - f0)))
echo "samd over $beats beats of $HB s: ${samd_us} us CPU per beat, ${per_day} CPU s/day at 10 s;" \
	"RSS ${rss} KiB"
echo "samsigd over the same beats:  ${sigd_us} us per beat, ${sigd_day} CPU s/day; RSS ${sigd_rss} KiB"
echo "floor (timerfd + pwrite + fdatasync alone): ${floor_us} us per beat, ${floor_day} CPU s/day"

ok=1
awk -v s="$s_sec" 'BEGIN { exit !(s < 1.0) }' || { echo "MISS: samrep over 1 s"; ok=0; }
awk -v r="$ratio" 'BEGIN { exit !(r >= 10) }' || { echo "MISS: less than 10x tuptime"; ok=0; }
awk -v d="$per_day" 'BEGIN { exit !(d < 1.0) }' || { echo "MISS: samd over 1 CPU s/day"; ok=0; }
[ $ok -eq 1 ]
