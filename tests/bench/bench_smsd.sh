#!/usr/bin/env bash
# bench_smsd.sh: smsd against Debian's prometheus-node-exporter, side by
# side in one run (issue 6, "make bench").  Run by `make bench`
# (tests/bench/run.sh), or alone:
#	make B=build-smsdbench build && B=build-smsdbench tests/bench/bench_smsd.sh
#
# Both servers run on this host's loopback, each on a free unprivileged
# port, with every smsd path inside a private folder (no test hosts are
# needed; the system's smsd or node_exporter, if any, is never touched).
# Measured:
#  1. a full metrics scrape, smsd's /v1/metrics (its refresh policy: data
#     no older than 1 s) against node_exporter's /metrics (its default
#     collectors, gathered at each scrape): requests/s with one client
#     (wrk -t1 -c1), CPU per request of the server process (utime + stime
#     of /proc/PID/stat, all its threads, around each wrk run, divided by
#     the requests), bytes per scrape;
#  2. /v1/system requests/s with 1, 16 and 256 clients (wrk -c);
#  3. HOLD_CLIENTS idle stream clients (/v1/events/stream, ssehold): smsd's
#     RSS before and with them, per client, and /v1/system served meanwhile;
#  4. event fan-out: FAN_SUBS subscribers (ssehold -l), FAN_RATE events/s
#     for FAN_SECS s through the posting socket (ssepost, the send time in
#     each event): latency p50/p99 and events received per subscriber.
#
# Pinning: in 1 and 2 both servers and wrk run on CPU 0 (taskset -c 0; a
# loopback request costs ~10 us on one core, ~40 us across cores), ours
# and node_exporter alike.  In 3 and 4 smsd stays on CPU 0 and the stream
# clients and the poster run on CPU 1.  Each figure of 1 and 2 is the
# median of ROUNDS rounds, taken in turn (ours, node_exporter), so noise
# falls on both.
#
# Settings (environment): ROUNDS (5), SECS (6, one wrk run of 1), SYS_SECS
# (4, one wrk run of 2), HOLD_CLIENTS (10000), FAN_SUBS (1000), FAN_RATE
# (1000), FAN_SECS (5).  About 3 minutes with the defaults.
# Exit status: 0 when every target is met, 1 when one is missed or a
# measurement failed (the reason is printed), 77 when it cannot run here.
root=$(cd "$(dirname "$0")/../.." && pwd) || exit 1
B=${B:-build}
case $B in /*) build=$B ;; *) build=$root/$B ;; esac

SMSD=$build/bin/smsd
HOLD=$build/tests/bench/ssehold
POST=$build/tests/bench/ssepost
for bin in "$SMSD" "$HOLD" "$POST"; do
	if [ ! -x "$bin" ]; then
		echo "bench_smsd: $bin is not built (make B=$B build)" >&2
		exit 77
	fi
done
for bin in prometheus-node-exporter wrk taskset curl ss; do
	if ! command -v "$bin" >/dev/null 2>&1; then
		echo "bench_smsd: $bin is missing (Debian packages prometheus-node-exporter, wrk, util-linux, curl, iproute2)" >&2
		exit 77
	fi
done
if [ "$(id -u)" -eq 0 ] && ! id statd >/dev/null 2>&1; then
	echo "bench_smsd: smsd started by root runs as user statd, which does not exist" >&2
	exit 77
fi
if [ "$(nproc)" -lt 2 ]; then
	echo "bench_smsd: needs 2 CPUs (servers on CPU 0, stream clients on CPU 1)" >&2
	exit 77
fi
NODE_EXPORTER=$(command -v prometheus-node-exporter)

ROUNDS=${ROUNDS:-5}
SECS=${SECS:-6}
SYS_SECS=${SYS_SECS:-4}
HOLD_CLIENTS=${HOLD_CLIENTS:-10000}
FAN_SUBS=${FAN_SUBS:-1000}
FAN_RATE=${FAN_RATE:-1000}
FAN_SECS=${FAN_SECS:-5}
TARGET=10	# issue 6: >= 10x node_exporter's rate, <= 1/10 of its CPU

# Descriptors: the holder and smsd each need one per client.
want_fds=$(((HOLD_CLIENTS > FAN_SUBS ? HOLD_CLIENTS : FAN_SUBS) + 512))
ulimit -n "$want_fds" 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
have_fds=$(ulimit -n)
if [ "$have_fds" != unlimited ] && [ "$have_fds" -lt "$want_fds" ]; then
	echo "bench_smsd: open files limited to $have_fds, $want_fds needed for $HOLD_CLIENTS clients" >&2
	exit 77
fi

W=$(mktemp -d /tmp/bench_smsd.XXXXXX) || exit 1
chmod 755 "$W"		# smsd started by root runs as statd after binding
PIDS=()
failed=0
misses=()

cleanup() {
	local p i
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		for ((i = 0; i < 50; i++)); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

say() { printf '# %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; failed=1; misses+=("$*"); }

median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
	    END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2];
	    else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.1f\n", a / b }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }
fmt() { awk -v a="$1" -v d="${2:-0}" 'BEGIN { printf "%.*f\n", d, a }'; }

CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# A free TCP port on 127.0.0.1 from $1 on.
free_port() {
	local p
	for ((p = $1; p < $1 + 500; p++)); do
		if [ -z "$(ss -Htan "sport = :$p")" ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

wait_for() {	# seconds command...
	local n=$(($1 * 10))
	shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}

# WRK_OUT, WRK_RPS, WRK_REQS, WRK_CPU_MS (server CPU ms per request):
# wrk_run PID SECONDS CLIENTS URL
WRK_OUT='' WRK_RPS='' WRK_REQS='' WRK_CPU_MS=''
wrk_run() {
	local pid=$1 secs=$2 clients=$3 url=$4 c0 c1
	c0=$(cpu_ticks "$pid")
	WRK_OUT=$(timeout $((secs + 30)) taskset -c 0 wrk -t1 -c"$clients" \
	    -d"${secs}s" "$url" 2>&1)
	c1=$(cpu_ticks "$pid")
	WRK_RPS=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' <<<"$WRK_OUT")
	WRK_REQS=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' <<<"$WRK_OUT")
	if [ -z "$WRK_RPS" ] || [ -z "$WRK_REQS" ] || [ "$WRK_REQS" -eq 0 ] ||
	    grep -q 'Non-2xx\|Socket errors' <<<"$WRK_OUT"; then
		fail "wrk $url: $(tr '\n' ' ' <<<"$WRK_OUT")"
		WRK_RPS=0 WRK_CPU_MS=0
		return 1
	fi
	WRK_CPU_MS=$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$WRK_REQS" \
	    'BEGIN { printf "%.4f\n", t * 1000 / hz / n }')
}

# ---------------------------------------------------------------- set-up
SP=$(free_port $((20000 + RANDOM % 10000))) || exit 1
NP=$(free_port $((SP + 1))) || exit 1
cat >"$W/smsd.conf" <<CONF
port $SP
listen 127.0.0.1
member-name bench
data-dir $W/data
post-socket $W/post.sock
pid-file $W/smsd.pid
log-file $W/smsd.log
max-clients $((HOLD_CLIENTS + FAN_SUBS + 512))
idle-timeout 300
CONF
"$SMSD" -n -f "$W/smsd.conf" 2>/dev/null || { say "smsd -n refuses $W/smsd.conf"; exit 1; }

say "machine: $(nproc) CPUs, $(sed -n 's/^model name\t*: //p' /proc/cpuinfo | head -n 1), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
say "peer: $("$NODE_EXPORTER" --version 2>&1 | head -n 1)"
say "pinning: both servers and wrk on CPU 0; stream clients and poster on CPU 1"

taskset -c 0 "$SMSD" -f "$W/smsd.conf" >"$W/smsd.out" 2>&1 &
SMSD_PID=$!
PIDS+=("$SMSD_PID")
taskset -c 0 "$NODE_EXPORTER" --web.listen-address="127.0.0.1:$NP" \
    >"$W/ne.out" 2>&1 &
NE_PID=$!
PIDS+=("$NE_PID")
OURS=http://127.0.0.1:$SP
NEURL=http://127.0.0.1:$NP/metrics
wait_for 10 curl -sf -o /dev/null "$OURS/v1/metrics" ||
	{ say "smsd did not start:"; cat "$W/smsd.out" >&2; exit 1; }
wait_for 10 curl -sf -o /dev/null "$NEURL" ||
	{ say "node_exporter did not start:"; cat "$W/ne.out" >&2; exit 1; }
say "smsd pid $SMSD_PID port $SP, node_exporter pid $NE_PID port $NP"
sleep 2		# smsd's first gathers of every source (dpkg, hardware) end

# ------------------------------------------------------- 1. metrics scrape
OURS_BYTES=$(curl -s "$OURS/v1/metrics" | wc -c)
NE_BYTES=$(curl -s "$NEURL" | wc -c)
OURS_SERIES=$(curl -s "$OURS/v1/metrics" | grep -vc '^#')
NE_SERIES=$(curl -s "$NEURL" | grep -vc '^#')
say "1. full metrics scrape, wrk -t1 -c1 -d${SECS}s x $ROUNDS rounds; $OURS_BYTES vs $NE_BYTES bytes"
o=() n=() oc=() nc=()
for ((r = 1; r <= ROUNDS; r++)); do
	wrk_run "$SMSD_PID" "$SECS" 1 "$OURS/v1/metrics"
	o+=("$WRK_RPS") oc+=("$WRK_CPU_MS")
	wrk_run "$NE_PID" "$SECS" 1 "$NEURL"
	n+=("$WRK_RPS") nc+=("$WRK_CPU_MS")
	say "round $r: ours ${o[-1]}/s ${oc[-1]} ms; node_exporter ${n[-1]}/s ${nc[-1]} ms"
done
M_O=$(median "${o[@]}") M_N=$(median "${n[@]}")
C_O=$(median "${oc[@]}") C_N=$(median "${nc[@]}")
R_RPS=$(ratio "$M_O" "$M_N")
R_CPU=$(ratio "$C_N" "$C_O")
ge "$R_RPS" "$TARGET" || fail "metrics requests/s: ${R_RPS}x node_exporter's, target >= ${TARGET}x"
ge "$R_CPU" "$TARGET" || fail "metrics CPU per scrape: node_exporter/ours ${R_CPU}x, target >= ${TARGET}x"

# The refresh policy: an answer's data is at most 1 s old (smsd says how
# old in X-SMS-Data-Age-Ms); sampled over 3 s of scrapes.
AGE_MAX=0
for ((i = 0; i < 30; i++)); do
	a=$(curl -s -D - -o /dev/null "$OURS/v1/metrics" |
	    sed -n 's/^X-SMS-Data-Age-Ms: *\([0-9]*\).*/\1/p')
	[ -n "$a" ] && [ "$a" -gt "$AGE_MAX" ] && AGE_MAX=$a
	sleep 0.1
done
[ "$AGE_MAX" -le 1000 ] || fail "metrics data age up to $AGE_MAX ms, over 1 s"

# ---------------------------------------------------- 2. /v1/system rates
say "2. /v1/system, wrk -t1 -cN -d${SYS_SECS}s x $ROUNDS rounds"
SYS_BYTES=$(curl -s "$OURS/v1/system" | wc -c)
declare -A SYS=() SYSCPU=()
for c in 1 16 256; do
	s=() sc=()
	for ((r = 1; r <= ROUNDS; r++)); do
		wrk_run "$SMSD_PID" "$SYS_SECS" "$c" "$OURS/v1/system"
		s+=("$WRK_RPS") sc+=("$WRK_CPU_MS")
	done
	SYS[$c]=$(median "${s[@]}")
	SYSCPU[$c]=$(median "${sc[@]}")
	say "$c clients: ${s[*]} req/s"
done

# ------------------------------------------------ 3. idle stream clients
say "3. $HOLD_CLIENTS idle stream clients"
RSS0=$(rss_kb "$SMSD_PID")
rm -f "$W/ready"
taskset -c 1 "$HOLD" -p "$SP" -n "$HOLD_CLIENTS" -r "$W/ready" \
    >"$W/hold.out" 2>&1 &
HOLD_PID=$!
PIDS+=("$HOLD_PID")
HELD=0 RSS1=0 HOLD_RPS=0 HOLD_LAT='' STREAMS=0
if wait_for 60 test -f "$W/ready"; then
	sleep 1
	RSS1=$(rss_kb "$SMSD_PID")
	STREAMS=$(curl -s --max-time 10 "$OURS/v1/server" |
	    sed -n 's/.*"streams":\([0-9]*\).*/\1/p')
	wrk_run "$SMSD_PID" 3 1 "$OURS/v1/system"
	HOLD_RPS=$WRK_RPS
	# one request at a time, as a person's smsctl would: curl's own
	# time from connect to the last byte, median and slowest of 20
	t=()
	for ((i = 0; i < 20; i++)); do
		t+=("$(curl -s -o /dev/null --max-time 10 -w '%{time_total}' \
		    "$OURS/v1/system" | awk '{ print $1 * 1000 }')")
	done
	HOLD_LAT="$(fmt "$(median "${t[@]}")" 2) / $(fmt "$(printf '%s\n' "${t[@]}" | sort -g | tail -n 1)" 2)"
	kill -TERM "$HOLD_PID"
	wait "$HOLD_PID"
	HELD=$(sed -n 's/^clients \([0-9]*\) held .* closed_by_server 0$/\1/p' "$W/hold.out")
else
	fail "the stream clients did not connect: $(tail -n 3 "$W/hold.out" | tr '\n' ' ')"
	kill -TERM "$HOLD_PID" 2>/dev/null
	wait "$HOLD_PID"
fi
say "$(head -n 2 "$W/hold.out" | tr '\n' ' ')"
PER_CLIENT=$(awk -v a="$RSS0" -v b="$RSS1" -v n="$HOLD_CLIENTS" 'BEGIN { printf "%.0f\n", (b - a) * 1024 / n }')
[ "${HELD:-0}" = "$HOLD_CLIENTS" ] && [ "${STREAMS:-0}" = "$HOLD_CLIENTS" ] ||
	fail "$HOLD_CLIENTS stream clients: $HOLD_CLIENTS wanted, smsd counted ${STREAMS:-?}, held to the end ${HELD:-0}"
ge "$HOLD_RPS" "$(awk -v a="${SYS[1]}" 'BEGIN { print a / 2 }')" ||
	fail "/v1/system with $HOLD_CLIENTS streams held: $HOLD_RPS req/s, under half of ${SYS[1]} without"

# ---------------------------------------------------------- 4. fan-out
FAN_EVENTS=$((FAN_RATE * FAN_SECS))
say "4. fan-out: $FAN_SUBS subscribers, $FAN_EVENTS events at $FAN_RATE/s"
rm -f "$W/ready"
taskset -c 1 "$HOLD" -p "$SP" -n "$FAN_SUBS" -l -e "$FAN_EVENTS" \
    -t $((FAN_SECS + 20)) -u '/v1/events/stream?name=bench.*' \
    -r "$W/ready" >"$W/fan.out" 2>&1 &
FAN_PID=$!
PIDS+=("$FAN_PID")
POST_OUT='' FAN=''
if wait_for 30 test -f "$W/ready"; then
	c0=$(cpu_ticks "$SMSD_PID")
	POST_OUT=$(timeout $((FAN_SECS * 3 + 10)) taskset -c 1 "$POST" \
	    -s "$W/post.sock" -r "$FAN_RATE" -n "$FAN_EVENTS" 2>&1)
	wait "$FAN_PID"
	c1=$(cpu_ticks "$SMSD_PID")
	FAN=$(grep '^clients' "$W/fan.out")
	FAN_CPU=$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" 'BEGIN { printf "%.2f\n", t / hz }')
else
	fail "the subscribers did not connect: $(tail -n 3 "$W/fan.out" | tr '\n' ' ')"
fi
say "poster: $POST_OUT"
say "subscribers: $FAN"
field() { sed -n "s/.* $1 \([0-9]*\).*/\1/p" <<<"$FAN"; }
F_MIN=$(field 'events_per_client min')
F_MED=$(sed -n 's/.* median \([0-9]*\) max.*/\1/p' <<<"$FAN")
F_CLOSED=$(field closed_by_server)
F_P50=$(sed -n 's/.* p50 \([0-9]*\).*/\1/p' <<<"$FAN")
F_P99=$(sed -n 's/.* p99 \([0-9]*\).*/\1/p' <<<"$FAN")
F_MAX=$(sed -n 's/.* p99 [0-9]* max \([0-9]*\).*/\1/p' <<<"$FAN")
F_OOO=$(field out_of_order)
[ "${F_MIN:-0}" = "$FAN_EVENTS" ] && [ "${F_CLOSED:-1}" = 0 ] ||
	fail "fan-out: every subscriber should get all $FAN_EVENTS events; fewest ${F_MIN:-?}, ${F_CLOSED:-?} dropped by smsd"

# ----------------------------------------------------------------- table
ms() { fmt "$1" 3; }
echo
echo "smsd benchmark, $(date -u +%Y-%m-%d), B=$B"
row() { printf '| %-68s | %26s | %16s | %8s | %-8s |\n' "$@"; }
row measure smsd node_exporter ratio target
printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..70})" "$(printf -- '-%.0s' {1..27}):" "$(printf -- '-%.0s' {1..17}):" "$(printf -- '-%.0s' {1..9}):" "$(printf -- '-%.0s' {1..10})"

row "metrics scrape, requests/s, 1 client (median of $ROUNDS)" "$(fmt "$M_O")" "$(fmt "$M_N")" "${R_RPS}x" ">= ${TARGET}x"
row "metrics scrape, server CPU ms per request" "$(ms "$C_O")" "$(ms "$C_N")" "${R_CPU}x" ">= ${TARGET}x"
row "metrics scrape, bytes (series)" "$OURS_BYTES ($OURS_SERIES)" "$NE_BYTES ($NE_SERIES)" "" ""
row "metrics data age, max seen over 30 scrapes, ms" "$AGE_MAX" "0 (per scrape)" "" "<= 1000"
for c in 1 16 256; do
	row "/v1/system ($SYS_BYTES bytes) requests/s, $c clients" "$(fmt "${SYS[$c]}")" "" "" ""
done
row "/v1/system server CPU us per request, 1 / 16 / 256 clients" "$(fmt "$(awk -v a="${SYSCPU[1]}" 'BEGIN { print a * 1000 }')" 1) / $(fmt "$(awk -v a="${SYSCPU[16]}" 'BEGIN { print a * 1000 }')" 1) / $(fmt "$(awk -v a="${SYSCPU[256]}" 'BEGIN { print a * 1000 }')" 1)" "" "" ""
row "stream clients held idle (smsd's count)" "${HELD:-0} (${STREAMS:-?})" "" "" "$HOLD_CLIENTS"
row "smsd RSS before / with them, KiB" "$RSS0 / $RSS1" "" "" ""
row "smsd memory per idle stream client, bytes" "$PER_CLIENT" "" "" ""
row "/v1/system requests/s, 1 client, while holding them" "$(fmt "$HOLD_RPS")" "" "" ">= $(fmt "$(awk -v a="${SYS[1]}" 'BEGIN { print a / 2 }')")"
row "... one request alone (curl), median / slowest of 20, ms" "$HOLD_LAT" "" "" ""
row "fan-out $FAN_RATE events/s to $FAN_SUBS subscribers: p50 / p99 / max, ms" "$(ms "$(awk -v a="${F_P50:-0}" 'BEGIN { print a / 1000 }')") / $(ms "$(awk -v a="${F_P99:-0}" 'BEGIN { print a / 1000 }')") / $(ms "$(awk -v a="${F_MAX:-0}" 'BEGIN { print a / 1000 }')")" "" "" ""
row "... events received per subscriber, fewest / median (of sent)" "${F_MIN:-0} / ${F_MED:-0} ($FAN_EVENTS)" "" "" "all"
row "... out of order / subscribers dropped by smsd" "${F_OOO:-?} / ${F_CLOSED:-?}" "" "" "0 / 0"
row "... smsd CPU during the fan-out, s (poster: $(sed -n 's/.*: \([0-9]*\/s\)$/\1/p' <<<"$POST_OUT"))" "${FAN_CPU:-?}" "" "" ""
echo
if [ "$failed" -ne 0 ]; then
	echo "bench_smsd: MISSED:"
	printf '  - %s\n' "${misses[@]}"
	exit 1
fi
echo "bench_smsd: every target met"
exit 0
