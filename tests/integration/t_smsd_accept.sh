#!/usr/bin/env bash
# shellcheck disable=SC2016  # tap_check eval strings use the variables
# t_smsd_accept.sh: smsd judges a connection when it accepts it, not after
# a complete request.  A connection from outside the access list is
# answered 403 and closed at once, with a log line, without sending a
# byte; one past max-clients gets 503 at once; one that trickles its
# header is closed after header-timeout, however often it sends a byte;
# and while another host attempts 1,200 half-open connections, smsd holds
# few descriptors and a real request is still served promptly, even when
# all 1,200 wait in the listen backlog at once.
#
# Two smsds in h1: A (port 596, header-timeout 2, 512 descriptors) and B
# (port 1596, max-clients 20, header-timeout 30).  h2 is outside both
# access lists.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"

top=$(cd "$lib/../../.." && pwd)
B=${B:-build}
case $B in /*) bin=$B/bin ;; *) bin=$top/$B/bin ;; esac
SMSD=$bin/smsd
[ -x "$SMSD" ] || { echo "Bail out! $SMSD not built"; exit 1; }
command -v prlimit >/dev/null || { echo "Bail out! prlimit missing"; exit 1; }

hm_hosts_create h1 h2 || { echo "Bail out! no test hosts"; exit 1; }
a1=$(hm_host_addr h1)
a2=$(hm_host_addr h2)
W=$HM_WORK/smsd
mkdir -p "$W/dpkg"
chmod 755 "$HM_WORK" "$W"
cp /var/lib/dpkg/status "$W/dpkg/status"
conf() {	# conf NAME PORT [lines...]
	local n=$1 port=$2
	shift 2
	{
		echo "port $port"
		echo "listen 0.0.0.0"
		echo "allow 127.0.0.0/8"
		echo "member-name h1"
		echo "data-dir $W/$n/data"
		echo "post-socket $W/$n/post.sock"
		echo "pid-file $W/$n/smsd.pid"
		echo "dpkg-dir $W/dpkg"
		printf '%s\n' "$@"
	} >"$W/$n.conf"
	mkdir -p "$W/$n"
}
conf A 596 "header-timeout 2" "max-clients 400"
conf B 1596 "header-timeout 30" "max-clients 20"

hm_host_spawn h1 "$W/A.log" prlimit --nofile=512:512 -- "$SMSD" -f "$W/A.conf" >/dev/null
pidA=$HM_LAST_PID
hm_host_spawn h1 "$W/B.log" "$SMSD" -f "$W/B.conf" >/dev/null
pidB=$HM_LAST_PID
serves() { hm_host_exec h1 curl -sf -o /dev/null --max-time 5 "http://127.0.0.1:$1/v1/system"; }
hm_wait_for 10 serves 596 && hm_wait_for 10 serves 1596 ||
	{ tap_fail "both smsds serve" "$(tail -n 5 "$W/A.log" "$W/B.log")"; tap_done; }

# A raw connection from HOST to ADDR:PORT that sends nothing: what it
# reads until smsd closes it (at most 5 s), then "elapsed SECONDS".
silent() {
	hm_host_exec "$1" bash -c 'exec 3<>"/dev/tcp/$0/$1" || exit 1
	    t0=$EPOCHREALTIME; timeout 5 cat <&3; t1=$EPOCHREALTIME
	    echo; echo "elapsed $(echo "$t1 - $t0" | bc)"' "$2" "$3"
}
quick() { awk -v t="$1" -v m="$2" 'BEGIN { exit !(t < m) }'; }

# --- outside the access list: answered and closed at accept -------------------
outside() {
	local out t
	out=$(silent h2 "$a1" 596)
	t=$(sed -n 's/^elapsed //p' <<<"$out")
	grep -q '^HTTP/1.1 403 Forbidden' <<<"$out" &&
	grep -q '"not in the access list"' <<<"$out" && quick "$t" 1 ||
	    { echo "$out"; return 1; }
	hm_wait_for 5 grep -q "refused client $a2 port [0-9]*: not in the access list" "$W/A.log"
}
tap_check "a silent connection from outside the access list: 403 and closed at once, logged" outside

# --- past max-clients: answered and closed at accept ---------------------------
hm_host_spawn h1 "$W/holder.log" bash -c '
	for i in $(seq 20); do exec {fd}<>/dev/tcp/127.0.0.1/1596 || exit 1; done
	echo held; exec sleep 60' >/dev/null
holder=$HM_LAST_PID
hm_wait_for 10 grep -q held "$W/holder.log"
established() {
	[ "$(hm_host_exec h1 ss -Htn state established '( sport = :1596 )' | wc -l)" -ge 20 ]
}
hm_wait_for 5 established
full() {
	local out t
	out=$(silent h1 127.0.0.1 1596)
	t=$(sed -n 's/^elapsed //p' <<<"$out")
	grep -q '^HTTP/1.1 503 Service Unavailable' <<<"$out" &&
	grep -q '"too many clients"' <<<"$out" && quick "$t" 1 ||
	    { echo "$out"; return 1; }
	hm_wait_for 5 grep -q "refused client 127.0.0.1 port [0-9]*: too many clients" "$W/B.log"
}
tap_check "past max-clients (20 idle connections held): 503 and closed at once, logged" full
hm_host_kill "$holder" TERM
tap_check "once they are gone, B serves again" hm_wait_for 10 serves 1596

# --- a client that trickles its header is closed after header-timeout ---------
trickle() {
	local out t
	out=$(hm_host_exec h1 bash -c 'exec 3<>/dev/tcp/127.0.0.1/596 || exit 1
	    printf "GET /v1/system HTTP/1.1\r\n" >&3
	    ( i=0; while printf "X-Slow-%d: 1\r\n" $((i += 1)) >&3 2>/dev/null
	      do sleep 0.5; done ) &
	    t0=$EPOCHREALTIME; timeout 15 cat <&3 >/dev/null; t1=$EPOCHREALTIME
	    kill $! 2>/dev/null; echo "elapsed $(echo "$t1 - $t0" | bc)"')
	t=${out#elapsed }
	awk -v t="$t" 'BEGIN { exit !(t >= 1.5 && t < 6) }' ||
	    { echo "closed after $t s (header-timeout 2)"; return 1; }
	grep -q "closing client 127.0.0.1 port [0-9]*: no complete request in time" "$W/A.log"
}
tap_check "a header trickled a line every 0.5 s is cut off after header-timeout (2 s), logged" trickle

# --- 1,200 half-open connections from outside: few descriptors, prompt answers -
fds() { ls "/proc/$pidA/fd" | wc -l; }
hm_host_spawn h2 "$W/flood.log" bash -c '
	ulimit -n 4096
	for i in $(seq 1200); do exec {fd}<>"/dev/tcp/$0/596" || echo "connect $i failed"; done
	echo flooded; exec sleep 60' "$a1" >/dev/null
flood=$HM_LAST_PID
slowest=0 failed=0 maxfd=0
for i in $(seq 30); do
	t=$(hm_host_exec h1 curl -s -o /dev/null -w '%{http_code} %{time_total}' \
	    --max-time 5 http://127.0.0.1:596/v1/system)
	case $t in "200 "*) ;; *) failed=$((failed + 1)) ;; esac
	t=${t#* }
	awk -v a="$t" -v b="$slowest" 'BEGIN { exit !(a > b) }' && slowest=$t
	n=$(fds)
	[ "$n" -gt "$maxfd" ] && maxfd=$n
	grep -q flooded "$W/flood.log" && [ "$i" -ge 10 ] && break
	sleep 0.1
done
hm_wait_for 20 grep -q flooded "$W/flood.log"
n=$(fds)
[ "$n" -gt "$maxfd" ] && maxfd=$n
tap_diag "during the flood: slowest request $slowest s, $failed failed, at most $maxfd descriptors"
tap_check "requests served during 1,200 half-open connections (none failed, slowest under 0.9 s: no accept pause)" \
	eval '[ "$failed" = 0 ] && quick "$slowest" 0.9'
tap_check "smsd held few descriptors meanwhile (at most $maxfd)" eval '[ "$maxfd" -lt 100 ]'
tap_check "no descriptor shortage logged" eval '! grep -q "Too many open files" "$W/A.log"'
tap_check "and a request after the flood is served" serves 596
hm_host_kill "$flood" TERM

# --- 1,200 connections waiting at once: taken a few at a time ------------------
# A is stopped while h2 connects (the kernel completes each handshake into
# the listen backlog), then resumed with all of them waiting: accepting the
# whole backlog before closing any would need more than its 512 descriptors.
hm_at_exit hm_host_kill "$pidA" CONT
hm_host_kill "$pidA" STOP
hm_host_spawn h2 "$W/flood2.log" bash -c '
	ulimit -n 4096
	for i in $(seq 1200); do exec {fd}<>"/dev/tcp/$0/596" || echo "connect $i failed"; done
	echo flooded; exec sleep 60' "$a1" >/dev/null
flood2=$HM_LAST_PID
backlog() {	# connections waiting in A's listen backlog (its Recv-Q)
	hm_host_exec h1 ss -Hltn 'sport = :596' | awk '{ n += $2 } END { print n + 0 }'
}
tap_check "1,200 connections wait in A's backlog while it is stopped (none failed)" \
	eval 'hm_wait_for 30 grep -q flooded "$W/flood2.log" &&
	    ! grep -q "connect .* failed" "$W/flood2.log" && [ "$(backlog)" -ge 1200 ]'
hm_host_kill "$pidA" CONT
t=$(hm_host_exec h1 curl -s -o /dev/null -w '%{http_code} %{time_total}' \
    --max-time 5 http://127.0.0.1:596/v1/system)
tap_diag "behind a waiting backlog of 1,200: $t"
tap_check "behind 1,200 waiting connections a request is served in under a second (no pause)" \
	eval '[ "${t%% *}" = 200 ] && quick "${t#* }" 1'
tap_check "and no descriptor shortage logged" eval '! grep -q "Too many open files" "$W/A.log"'
hm_host_kill "$flood2" TERM

hm_host_kill "$pidA" TERM
hm_host_kill "$pidB" TERM
tap_done
