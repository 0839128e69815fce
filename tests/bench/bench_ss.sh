#!/usr/bin/env bash
# bench_ss.sh: ss over 10,000 hosts' status files against ruptime (Debian's
# rwho) over 10,000 rwhod spool files, side by side in one run (issue 4,
# "Tests and benchmark"); bytes of data one ssd writes per update; CPU per
# hour of one ssd.  Run by `make bench` (tests/bench/run.sh), or alone as
# root:	make B=build-bench build && B=build-bench tests/bench/bench_ss.sh
#
# ruptime reads /var/spool/rwho only: it runs in a private mount namespace
# (unshare -m) where our spool folder is bind-mounted there; the machine's
# own spool is never touched.  Both spools hold HOSTS files with the same
# host names, in folders side by side on the same file system (the last
# host is this one, so ss starts no demon).  Both programs print every host
# to /dev/null, pinned to CPU 1 (taskset), warm caches (one run each
# first), taken in turn ROUNDS times; the figures are medians.  Each run is
# timed the same way: wall clock around fork+exec+wait, and its CPU time
# (user+system, getrusage of the child through bash's times), which the
# other jobs of a shared machine disturb far less than the wall clock.
# Beside them, statfloor (tests/bench/statfloor.c, built here with cc): a
# bare getdents64+fstatat loop over ss's folder, the least any reader of
# timestamps can cost, and its open+read+close twin over ruptime's.
#
# Settings (environment): HOSTS (10000), ROUNDS (21), CPU_SECS (20).
# Exit status: 0 when the targets are met (ss at least 3x faster; zero bytes
# of data written), 1 otherwise, 77 when it cannot run here.
root=$(cd "$(dirname "$0")/../.." && pwd) || exit 1
B=${B:-build}
case $B in /*) build=$B ;; *) build=$root/$B ;; esac
SS=$build/bin/ss
SSD=$build/bin/ssd
HOSTS=${HOSTS:-10000}
ROUNDS=${ROUNDS:-21}
CPU_SECS=${CPU_SECS:-20}

if [ "$(id -u)" -ne 0 ]; then
	echo "bench_ss: needs root (a private mount namespace for ruptime)"
	exit 77
fi
for t in ruptime perl taskset unshare "${CC:-cc}"; do
	command -v "$t" >/dev/null || { echo "bench_ss: $t is missing"; exit 77; }
done
[ -x "$SS" ] && [ -x "$SSD" ] || { echo "bench_ss: build $B first"; exit 77; }

work=$(mktemp -d /tmp/bench_ss.XXXXXX) || exit 1
ssd_pid=
cleanup() {
	[ -n "$ssd_pid" ] && kill "$ssd_pid" 2>/dev/null && wait "$ssd_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/ss" "$work/rwho" "$work/ssd"
chmod 1777 "$work/ssd"
"${CC:-cc}" -O2 -o "$work/statfloor" "$root/tests/bench/statfloor.c" ||
	{ echo "bench_ss: cannot build statfloor"; exit 1; }

# Both spools from one perl run: status files (empty, timestamps set) and
# rwhod files (struct whod in host byte order, as rwhod writes them, with
# one logged-in user each).
me=$(uname -n)
perl -e '
	my ($n, $ssdir, $rwdir, $me) = @ARGV;
	my $now = time;
	sub enc { my $v = shift; my $e = 0;
		while ($v > 2047) { $v >>= 1; $e++ } return $v | $e << 11; }
	for my $i (0 .. $n - 1) {
		my $h = $i == $n - 1 ? $me : sprintf("host%05d", $i);
		my $up = 3600 + $i * 37;
		my $a = enc($up) << 16 | enc($i % 4000);
		my $m = (($i % 200) >> 3) << 24 | ($i % 7) << 16 | ($i % 13) << 8 | $i % 5;
		open(my $f, ">", "$ssdir/$h") or die; close $f;
		utime($a, $m, "$ssdir/$h") or die;
		my $w = pack("c c x2 l l a32 l3 l", 1, 1, $now, $now, $h,
		    ($i % 200), 10, 5, $now - $up);
		$w .= pack("a8 a8 l l", "pts/0", "user", $now - 600, $i % 4000);
		open(my $g, ">", "$rwdir/whod.$h") or die;
		binmode $g; print $g $w; close $g;
	}' "$HOSTS" "$work/ss" "$work/rwho" "$me" || { echo "bench_ss: generating failed"; exit 1; }

# One namespace for all rounds, so ruptime's runs cost only themselves.
cat >"$work/rounds.sh" <<'EOF'
set -u
mount --make-rprivate / && mount --bind "$RWHO" /var/spool/rwho || exit 1
now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }
# "wall_us cpu_us" of one run of CMD... (output to /dev/null), in a subshell
# whose only child it is, so that times gives that run's CPU alone.
run() (
	t0=$(now_us)
	"$@" >/dev/null
	t1=$(now_us)
	# Not in a pipe: a forked times would report no children.
	times >"$TIMES"
	awk -v w=$((t1 - t0)) 'NR == 2 {
		split($1, u, /[ms]/); split($2, s, /[ms]/)
		printf "%d %d\n", w, (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1e6 }' "$TIMES"
)
# Warm both caches; check both print every host.
n_ss=$(taskset -c 1 "$SS" -n -D "$DIR" | wc -l)
n_ru=$(taskset -c 1 ruptime | wc -l)
n_fl=$(taskset -c 1 "$FLOOR" "$DIR")
echo "lines $n_ss $n_ru $n_fl"
for _ in $(seq "$ROUNDS"); do
	echo "round $(run taskset -c 1 "$SS" -n -D "$DIR") $(run taskset -c 1 ruptime)" \
	    "$(run taskset -c 1 "$FLOOR" "$DIR") $(run taskset -c 1 "$FLOOR" -o "$RWHO")"
done
EOF
out=$(RWHO=$work/rwho SS=$SS DIR=$work/ss FLOOR=$work/statfloor TIMES=$work/times ROUNDS=$ROUNDS \
	unshare -m bash "$work/rounds.sh") || { echo "bench_ss: rounds failed: $out"; exit 1; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
read -r _ n_ss n_ru n_fl <<<"$(grep '^lines' <<<"$out")"
# Columns of a round: ss wall, CPU; ruptime wall, CPU; floor wall, CPU;
# open+read floor wall, CPU.
col() { awk -v c="$1" '/^round/ { print $(c + 1) }' <<<"$out" | median; }
ss_us=$(col 1); ss_cpu=$(col 2); ru_us=$(col 3); ru_cpu=$(col 4)
fl_us=$(col 5); fl_cpu=$(col 6); fo_us=$(col 7); fo_cpu=$(col 8)
ms() { awk -v u="$1" 'BEGIN { printf "%6.1f", u / 1000 }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }
ratio=$(div "$ru_us" "$ss_us")
cpu_ratio=$(div "$ru_cpu" "$ss_cpu")
echo "medians of $ROUNDS rounds, $HOSTS hosts each (lines: ss $n_ss, ruptime $n_ru):"
echo "                                                  wall ms   CPU ms"
echo "ss, status files:                                 $(ms "$ss_us")   $(ms "$ss_cpu")"
echo "ruptime, rwhod files:                             $(ms "$ru_us")   $(ms "$ru_cpu")"
echo "floor: getdents64+fstatat, ss's files:            $(ms "$fl_us")   $(ms "$fl_cpu")"
echo "floor: getdents64+open+read+close, rwhod files:   $(ms "$fo_us")   $(ms "$fo_cpu")"
echo "ratio ruptime/ss: ${ratio}x wall, ${cpu_ratio}x CPU (target: at least 3x);" \
	"ruptime/floor: $(div "$ru_us" "$fl_us")x wall, $(div "$ru_cpu" "$fl_cpu")x CPU"

# One ssd, updating every 1 to 1.5 s: bytes written and CPU per update.
export CSSTAT_DOWN_AFTER=150
taskset -c 1 "$SSD" -d -D "$work/ssd" -i 1 2>/dev/null &
ssd_pid=$!
i=0
while [ ! -e "$work/ssd/$me" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
# Count updates by the ctime (nanoseconds) moving.
ctime() { stat -c %.9Z "$work/ssd/$me" 2>/dev/null; }
runtime_ns() { awk '{ print $1 }' "/proc/$ssd_pid/schedstat"; }
wchar() { awk '/^wchar/ { print $2 }' "/proc/$ssd_pid/io"; }
last=$(ctime); updates=0
rt0=$(runtime_ns); w0=$(wchar)
end=$(( $(date +%s) + CPU_SECS ))
while [ "$(date +%s)" -lt "$end" ]; do
	sleep 0.1
	c=$(ctime)
	[ "$c" != "$last" ] && { updates=$((updates + 1)); last=$c; }
done
rt1=$(runtime_ns); w1=$(wchar)
size=$(stat -c %s "$work/ssd/$me")
kill "$ssd_pid"; wait "$ssd_pid" 2>/dev/null; ssd_pid=
bytes=$((w1 - w0))
per_update_us=$(awk -v d="$((rt1 - rt0))" -v n="$updates" 'BEGIN { printf "%.0f", n ? d / n / 1000 : 0 }')
# At the default interval (40-60 s, 50 on average): 72 updates an hour;
# the 360 idle checks an hour are counted as full updates (an upper bound).
per_hour_ms=$(awk -v u="$per_update_us" 'BEGIN { printf "%.1f", u * (72 + 360) / 1000 }')
echo "ssd: $updates updates in ${CPU_SECS} s; data bytes written: $bytes (wchar), status file size: $size"
echo "ssd: CPU ${per_update_us} us per update; at most ${per_hour_ms} ms CPU per hour at the default interval"

ok=0
awk -v r="$ratio" 'BEGIN { exit !(r >= 3) }' || { echo "MISSED: ratio $ratio < 3"; ok=1; }
[ "$bytes" -eq 0 ] && [ "$size" -eq 0 ] || { echo "MISSED: ssd wrote data"; ok=1; }
[ "$updates" -gt 0 ] || { echo "FAILED: no update seen"; ok=1; }
[ "$n_ss" -eq "$HOSTS" ] && [ "$n_ru" -eq "$HOSTS" ] && [ "$n_fl" -eq "$HOSTS" ] ||
	{ echo "FAILED: line counts"; ok=1; }
exit $ok
