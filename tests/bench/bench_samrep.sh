#!/usr/bin/env bash
# bench_samrep.sh: samrep's SUMMARY over a 1,000,000-event log beside
# tuptime's default report over a database of 1,000,000 boots (the same
# history size), as a ratio of medians, both pinned to one CPU; and samd's
# CPU time per day of heartbeats and its RSS.  Everything lives in a
# private folder; tuptime is pointed at a private database with -f and run
# with -n, so the real /var/lib/tuptime is never touched.
# Targets: samrep < 1 s, at least 10x faster than tuptime, samd < 1 CPU
# second per day.  Usage: B=build tests/bench/bench_samrep.sh
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/${B:-build}/bin
gen=$top/${B:-build}/tests/tools/samgen
N=${SAM_BENCH_EVENTS:-1000000}
REPEATS=${SAM_BENCH_REPEATS:-5}
RUN_S=${SAM_BENCH_SAMD_SECONDS:-30}
CPU=${SAM_BENCH_CPU:-1}
for t in "$bin/samrep" "$bin/samd" "$gen"; do
	[ -x "$t" ] || { echo "bench_samrep: $t not built"; exit 77; }
done
for t in tuptime sqlite3 taskset; do
	command -v "$t" >/dev/null || { echo "bench_samrep: $t missing"; exit 77; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/sambench.XXXXXX") || exit 1
samkeep_pid=
cleanup() {
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

# samd: a 1 s heartbeat for RUN_S seconds, then CPU per heartbeat times the
# 8,640 heartbeats of a day at the default 10 s.
root=$work/sam
mkdir -p "$root"
sed -e 's/^HEARTBEAT_SEC_DEF=.*/HEARTBEAT_SEC_DEF=1/' -e "s|@SAMD_BIN@|$bin/samd|" \
	"$top/src/samd/samd.sh" >"$root/samd"
chmod 755 "$root/samd"
cat /proc/sys/kernel/random/uuid >"$work/boot_id"
SAM_ROOT=$root SAM_BOOT_ID_FILE=$work/boot_id SAM_LOGFILE=$root/samd.log \
	"$bin/samkeep" -F -c "$root/.state/samd.pid" -- "$root/samd" NODE_FAIL &
samkeep_pid=$!
for _ in $(seq 1 100); do
	[ -s "$root/.state/samd.pid" ] && break
	sleep 0.1
done
samd_pid=$(cat "$root/.state/samd.pid" 2>/dev/null)
[ -n "$samd_pid" ] || { echo "samd did not start"; exit 1; }
# Nanoseconds on the CPU (schedstat): clock ticks are too coarse here.
ticks() { awk '{ print $1 }' "/proc/$1/schedstat"; }
c0=$(ticks "$samd_pid")
t0=$(date +%s.%N)
sleep "$RUN_S"
c1=$(ticks "$samd_pid")
t1=$(date +%s.%N)
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$samd_pid/status")
sigd_rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$(cat "$root/.state/samsigd.pid")/status")
per_day=$(awk -v c=$((c1 - c0)) -v t0="$t0" -v t1="$t1" \
	'BEGIN { beats = t1 - t0; printf "%.4f", c / 1e9 / beats * 8640 }')
echo "samd: $(((c1 - c0) / 1000)) us CPU over ${RUN_S} s of 1 s heartbeats -> ${per_day} CPU s/day at 10 s; RSS ${rss} KiB (samsigd ${sigd_rss} KiB)"

ok=1
awk -v s="$s_sec" 'BEGIN { exit !(s < 1.0) }' || { echo "MISS: samrep over 1 s"; ok=0; }
awk -v r="$ratio" 'BEGIN { exit !(r >= 10) }' || { echo "MISS: less than 10x tuptime"; ok=0; }
awk -v d="$per_day" 'BEGIN { exit !(d < 1.0) }' || { echo "MISS: samd over 1 CPU s/day"; ok=0; }
[ $ok -eq 1 ]
