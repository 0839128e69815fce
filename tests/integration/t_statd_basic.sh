#!/usr/bin/env bash
# rpc.statd on a test host with Debian's rpcbind: every procedure and its
# result codes, the local-only procedures refused from another host, bad
# packets, a DNS server that never answers (it must not stall the loop), and
# kill -9 in the middle of a stream of SM_MON/SM_UNMON.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib/tap.sh
. tests/integration/lib/hosts.sh

B=${B:-build}
STATD=$PWD/$B/bin/rpc.statd
SMCALL=$PWD/$B/tests/tools/smcall
NLMSTUB=$PWD/$B/tests/tools/nlmstub
for f in "$STATD" "$SMCALL" "$NLMSTUB"; do
	[ -x "$f" ] || { echo "Bail out! $f not built"; exit 1; }
done

hm_hosts_create 2
H1=${HM_HOSTS[0]} H2=${HM_HOSTS[1]}
A1=$(hm_host_addr "$H1")
A2=$(hm_host_addr "$H2")
D1=$(hm_host_dir "$H1")
LOG=$HM_WORK/statd.log
CB=$HM_WORK/callbacks
PIDFILE=$D1/run/rpc.statd.pid

hm_rpcbind "$H1"
hm_rpcbind "$H2"
hm_host_spawn "$H1" "$HM_WORK/nlmstub.log" "$NLMSTUB" -o "$CB" >/dev/null
NLM_PID=$HM_LAST_PID
hm_wait_for 5 grep -q ready "$CB"

# The default status file, /var/db/statd.status: its folder belongs to
# root, so compaction needs the privileged parent.
start_statd() {
	hm_host_spawn "$H1" "$LOG" "$STATD" -F -d >/dev/null
	STATD_PARENT=$HM_LAST_PID
	hm_wait_for 10 hm_host_exec "$H1" rpcinfo -T udp 127.0.0.1 100024 1
	STATD_PID=$(cat "$PIDFILE")
}
# The serving process is the privileged parent's child; both must go.
stop_statd() {
	kill "-$1" "$STATD_PID"
	hm_wait_for 10 sh -c "! kill -0 $STATD_PARENT 2>/dev/null"
}
sm() { hm_host_exec "$H1" "$SMCALL" "$@"; }
sm2() { hm_host_exec "$H2" "$SMCALL" -h "$A1" "$@"; }
list() { hm_host_exec "$H1" "$STATD" -l; }

start_statd
reg=$(hm_host_exec "$H1" rpcinfo -s 127.0.0.1 | awk '$1 == 100024 { print $3 }')
if [ "$(echo "$reg" | tr , '\n' | sort | tr '\n' ' ')" = "tcp tcp6 udp udp6 " ]; then
	tap_ok "rpcbind lists 100024 on $reg"
else
	tap_fail "rpcbind lists 100024 on four netids" "got: $reg"
fi
owner=$(stat -c %U "/proc/$STATD_PID")
[ "$owner" = _hmstatd ] && tap_ok "the serving process runs as its default user, _hmstatd" ||
	tap_fail "the serving process runs as _hmstatd" "owner: $owner"
# A user that does not exist: refused before anything starts, in words that
# name the user and the option that chooses another.
nouser=$(hm_host_exec "$H1" "$STATD" -F -u hm-no-such-user -f "$HM_WORK/nouser.status" \
    --pid-file "$HM_WORK/nouser.pid" 2>&1)
rc=$?
if [ $rc -eq 1 ] && [ "$nouser" = "rpc.statd: user hm-no-such-user does not exist: create it, or name another with -u" ] &&
    [ ! -e "$HM_WORK/nouser.pid" ]; then
	tap_ok "a missing user: exit 1, the error names the user and -u"
else
	tap_fail "a missing user: exit 1, the error names the user and -u" "status $rc: $nouser"
fi
pstatus=$(awk '/^CapEff/ { print $2 }' "/proc/$STATD_PID/status")
[ "$pstatus" = 0000000000000000 ] && tap_ok "and has no capabilities left" ||
	tap_fail "no capabilities" "CapEff $pstatus"

out=$(sm stat anyhost)
[ "$out" = "stat_succ 1" ] && tap_ok "SM_STAT over UDP: stat_succ, state 1" ||
	tap_fail "SM_STAT over UDP" "$out"
out=$(sm -t tcp stat anyhost)
[ "$out" = "stat_succ 1" ] && tap_ok "SM_STAT over TCP" || tap_fail "SM_STAT over TCP" "$out"
out=$(sm -h ::1 -t udp6 stat anyhost)
[ "$out" = "stat_succ 1" ] && tap_ok "SM_STAT over udp6 (::1)" || tap_fail "SM_STAT over udp6" "$out"
out=$(sm2 stat anyhost)
[ "$out" = "stat_succ 1" ] && tap_ok "SM_STAT from another host" ||
	tap_fail "SM_STAT from another host" "$out"
out=$(sm stat 'bad/name')
[ "$out" = "stat_fail 1" ] && tap_ok "SM_STAT of an invalid name: stat_fail" ||
	tap_fail "SM_STAT of an invalid name" "$out"

PRIV=000102030405060708090a0b0c0d0e0f
out=$(sm mon "$H2" localhost 100021 4 16 "$PRIV")
[ "$out" = "stat_succ 1" ] && tap_ok "SM_MON from loopback" || tap_fail "SM_MON from loopback" "$out"
out=$(sm -t tcp mon 198.18.250.1 "$H1" 100021 4 16 "$PRIV")
[ "$out" = "stat_succ 1" ] && tap_ok "SM_MON over TCP, my_name = host name" ||
	tap_fail "SM_MON over TCP" "$out"
out=$(sm2 mon intruder localhost 100021 4 16)
[ "$out" = "stat_fail 1" ] && tap_ok "SM_MON from another host: stat_fail" ||
	tap_fail "SM_MON from another host" "$out"
hm_wait_for 5 grep -q "refused SM_MON from $(hm_host_addr "$H2"): not a local caller" "$LOG" &&
	tap_ok "the refusal is logged with the caller's address" ||
	tap_fail "refusal logged"
out=$(sm mon relay "$H2" 100021 4 16)
[ "$out" = "stat_fail 1" ] && tap_ok "SM_MON with a remote my_name: stat_fail" ||
	tap_fail "SM_MON with a remote my_name" "$out"
out=$(sm mon relay localhost 100003 3 1)
[ "$out" = "stat_fail 1" ] && tap_ok "SM_MON for a program not on the allow-list: stat_fail" ||
	tap_fail "SM_MON for an unlisted program" "$out"
n=$(list | grep -c '^monitor ')
[ "$n" = 2 ] && tap_ok "rpc.statd -l shows exactly the two accepted entries" ||
	tap_fail "two entries listed" "$(list)"

# Local-only procedures from outside change nothing.
sm2 unmon "$H2" localhost 100021 4 16 >/dev/null
sm2 unmon_all localhost 100021 4 16 >/dev/null
sm2 crash >/dev/null
n=$(list | grep -c '^monitor ')
out=$(sm stat x)
[ "$n" = 2 ] && [ "$out" = "stat_succ 1" ] &&
	tap_ok "SM_UNMON, SM_UNMON_ALL, SM_SIMU_CRASH from another host change nothing" ||
	tap_fail "remote local-only procedures refused" "entries $n, $out"

# SM_NOTIFY from the monitored host: the lock manager hears of it.
out=$(sm2 notify "$H2" 5)
hm_wait_for 15 grep -q "mon_name $H2 state 5 priv $PRIV" "$CB" &&
	tap_ok "SM_NOTIFY from $H2: callback with mon_name, state and priv unchanged" ||
	tap_fail "callback delivered" "$(cat "$CB")"
port=$(grep "mon_name $H2 state 5" "$CB" | sed -E 's/.*from 127\.0\.0\.1:([0-9]+).*/\1/' | head -n 1)
[ -n "$port" ] && [ "$port" -lt 1024 ] && tap_ok "the callback comes from a reserved port ($port)" ||
	tap_fail "callback from a reserved port" "port '$port'"
# A repeat is seen in statd's log, which says for each SM_NOTIFY how many
# hosts it matched anew, before it answers.  How often a callback was
# delivered is counted there too: statd logs "told program ... that NAME is
# in state N" once per delivery the lock manager answered in time, while
# nlmstub may record one delivery more than once (a call not answered
# within statd's 1 s is sent again: at least once, as NLM expects).  A
# lock manager slower than that on every try never gets a "told", hence
# "at most once" there, and "at least once" from nlmstub's record above.
told() { grep -c "told program 100021 that $1 is in state $2\$" "$LOG"; }
sm2 notify "$H2" 5 >/dev/null		# the repeat
repeat=$(grep "SM_NOTIFY from $A2: $H2 is in state 5;" "$LOG" | tail -n 1)
sm2 notify 198.18.250.1 7 >/dev/null
hm_wait_for 15 grep -q "mon_name 198.18.250.1 state 7" "$CB" &&
	tap_ok "SM_NOTIFY naming a monitored address is delivered" ||
	tap_fail "address-named notify delivered" "$(cat "$CB")"
# (A callback the repeat had queued would have reached nlmstub before that.)
n=$(told "$H2" 5)
case $repeat in
*"; 0 hosts matched (repeat ignored)")
	[ "$n" -le 1 ] && tap_ok "a repeated SM_NOTIFY with the same state is not delivered twice" ||
		tap_fail "no repeated callback" "told $n times" ;;
*)	tap_fail "no repeated callback" "statd logged: '$repeat'" ;;
esac
sm2 notify stranger 9 >/dev/null
sm stat x >/dev/null
grep -q stranger "$CB" && tap_fail "an unmonitored host is not called back" ||
	tap_ok "an unmonitored host is not called back"

# A lock manager that is down: the callback is retried on a ladder, the
# daemon does not spin meanwhile, and the call arrives once it is back.
hm_host_kill "$NLM_PID" TERM
cpu() { awk '{ print $14 + $15 }' "/proc/$STATD_PID/stat"; }
sm2 notify "$H2" 11 >/dev/null
c0=$(cpu)
hm_wait_for 20 grep -q "program 100021 does not answer the callback about $H2" "$LOG" &&
	tap_ok "an unanswered callback is logged and retried" ||
	tap_fail "unanswered callback retried"
c1=$(cpu)
# Clock ticks (1/100 s) used while retrying for several seconds.
[ $((c1 - c0)) -le 20 ] && tap_ok "no busy loop while the lock manager is down ($((c1 - c0)) ticks)" ||
	tap_fail "no busy loop" "$((c1 - c0)) ticks"
hm_host_spawn "$H1" "$HM_WORK/nlmstub.log" "$NLMSTUB" -o "$CB" >/dev/null
NLM_PID=$HM_LAST_PID
hm_wait_for 40 grep -q "mon_name $H2 state 11 priv $PRIV" "$CB" &&
	tap_ok "the callback arrives once the lock manager is back" ||
	tap_fail "callback after restart of the lock manager"

# A newer state while the callback for an older one is still out: a lock
# manager that takes 0.7 s to answer (within statd's 1 s reply time), state
# 13, then 15 as soon as 13 has arrived.
# Both reach it, the newer after the older.
hm_host_kill "$NLM_PID" TERM
hm_host_spawn "$H1" "$HM_WORK/nlmstub.log" "$NLMSTUB" -d 700 -o "$CB" >/dev/null
NLM_PID=$HM_LAST_PID
hm_wait_for 5 sh -c "[ \$(grep -c ready '$CB') -ge 3 ]"
sm2 notify "$H2" 13 >/dev/null
hm_wait_for 5 grep -q "mon_name $H2 state 13 " "$CB"
sm2 notify "$H2" 15 >/dev/null
hm_wait_for 15 grep -q "mon_name $H2 state 15 priv $PRIV" "$CB" &&
	tap_ok "a newer state that arrives while a callback is out is delivered too" ||
	tap_fail "newer state during a callback" "$(grep "mon_name $H2" "$CB")"
# Distinct (mon_name, state) pairs: a call statd sent again is one pair.
# Every SM_NOTIFY above came from h2's address, which matches the entry for
# $H2 too: hence $H2 7 and $H2 9 (the notices about 198.18.250.1 and stranger).
unexpected=$(awk '$1 == "call" && $2 == 16 { print $8, $10 }' "$CB" | sort -u |
	grep -vxF -e "$H2 5" -e "198.18.250.1 7" -e "$H2 7" -e "$H2 9" -e "$H2 11" \
	    -e "$H2 13" -e "$H2 15")
[ -z "$unexpected" ] && tap_ok "the lock manager heard of nothing but those notifications" ||
	tap_fail "no unexpected callback" "$unexpected"
hm_host_kill "$NLM_PID" TERM
hm_host_spawn "$H1" "$HM_WORK/nlmstub.log" "$NLMSTUB" -o "$CB" >/dev/null
NLM_PID=$HM_LAST_PID

# Garbage: a short packet, a call with a name over 1024 bytes; the daemon
# answers the next call.
port=$(hm_host_exec "$H1" rpcinfo -p 127.0.0.1 | awk '$1 == 100024 && $3 == "udp" { print $4 }')
hm_host_exec "$H1" bash -c "printf 'junk' >/dev/udp/127.0.0.1/$port"
# One datagram: built in a file, sent with a single write.
{ printf '\x00\x00\x00\x2a\x00\x00\x00\x00\x00\x00\x00\x02'
  printf '\x00\x01\x86\xb8\x00\x00\x00\x01\x00\x00\x00\x01'
  printf '\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
  printf '\x00\x00\x07\xd0'; head -c 2000 /dev/zero | tr '\0' 'a'
} >"$HM_WORK/longname.bin"
hm_host_exec "$H1" bash -c "cat '$HM_WORK/longname.bin' >/dev/udp/127.0.0.1/$port"
out=$(sm stat after-garbage)
[ "$out" = "stat_succ 1" ] && tap_ok "malformed packets are dropped, the daemon serves on" ||
	tap_fail "serving after garbage" "$out"
hm_wait_for 5 grep -q "undecodable SM_STAT" "$LOG" &&
	tap_ok "the undecodable call is logged" || tap_fail "undecodable call logged"

out=$(sm unmon "$H2" localhost 100021 4 16)
[ "$out" = "state 1" ] && ! list | grep -q "monitor $H2 " &&
	tap_ok "SM_UNMON removes the entry and answers the state" ||
	tap_fail "SM_UNMON" "$out"
out=$(sm unmon_all "$H1" 100021 4 16)
n=$(list | grep -c '^monitor ')
[ "$out" = "state 1" ] && [ "$n" = 0 ] && tap_ok "SM_UNMON_ALL removes that caller's entries" ||
	tap_fail "SM_UNMON_ALL" "$out, $n left"

# A DNS server that never answers must not stall anyone.  h1's name server
# is h2's address and the two are partitioned: a query vanishes, with no
# answer and no ICMP error, so each lookup waits its whole 30 s (glibc's
# most).  Four lookups of unknown names keep every resolver thread waiting
# (the fifth is queued); that they really wait is seen from outside, as
# statd's sockets to port 53 of the silent server, before the calls that
# must still be answered and after them.
resolv_saved=$(cat "$D1/etc/resolv.conf")
nss_saved=$(cat "$D1/etc/nsswitch.conf")
hm_partition "$H1" "$H2"
printf 'hosts: files dns\n' >"$D1/etc/nsswitch.conf"
printf 'nameserver %s\noptions timeout:30 attempts:1\n' "$A2" >"$D1/etc/resolv.conf"
dns_waiting() {
	hm_host_exec "$H1" ss -Hunp dst "$A2:53" | grep -c "pid=$STATD_PID,"
}
dns_waiting_atleast() { [ "$(dns_waiting)" -ge "$1" ]; }
o0=
for i in 1 2 3 4 5; do
	o0+="$(sm mon "unknown$i.example" localhost 100021 4 16),"
done
if hm_wait_for 15 dns_waiting_atleast 4; then
	tap_ok "a lookup through the silent name server hangs: statd waits on $(dns_waiting) queries"
else
	tap_fail "statd's lookups wait for the silent name server" \
	    "$(dns_waiting) sockets to $A2:53" "$(grep "cannot resolve" "$LOG" | tail -n 5)"
fi
t0=${EPOCHREALTIME//[!0-9]/}
o1=$(sm stat probe)
o2=$(sm mon 198.18.250.2 localhost 100021 4 16)
o3=$(sm mon "unknown6.example" localhost 100021 4 16)
t1=${EPOCHREALTIME//[!0-9]/}
ms=$(((t1 - t0) / 1000))
# Still waiting after the answers: they did not wait for the lookups.
waiting=$(dns_waiting)
if [ "$o0" = "$(printf 'stat_succ 1,%.0s' 1 2 3 4 5)" ] && [ "$o1" = "stat_succ 1" ] &&
    [ "$o2" = "stat_succ 1" ] && [ "$o3" = "stat_succ 1" ] && [ "$waiting" -ge 4 ] &&
    ! grep -q "cannot resolve unknown" "$LOG"; then
	tap_ok "with every resolver thread waiting, SM_STAT and SM_MON still answer ($ms ms for three)"
else
	tap_fail "resolver hang does not stall the loop" \
	    "$o0 / $o1 / $o2 / $o3 in $ms ms; $waiting lookups waiting" \
	    "$(grep "cannot resolve" "$LOG" | tail -n 5)"
fi
printf '%s\n' "$resolv_saved" >"$D1/etc/resolv.conf"
printf '%s\n' "$nss_saved" >"$D1/etc/nsswitch.conf"
hm_heal "$H1" "$H2"

# kill -9 during a stream: exactly the acknowledged changes survive.  Each
# request is written down ("sent ...") before it goes out and again with
# its answer after it; the stream stops at the first call without one.  So
# at most one request was in flight at the kill: the last line, a "sent"
# with no answer after it.  statd may have made it durable without its
# answer reaching smcall, or smcall may have timed out while statd still
# applied it, so the one name it concerns (a mon of a new name, or an unmon
# of the name monitored just before) is left out of both sides; every other
# name must be there if and only if its last answered request was a
# successful SM_MON.
sm unmon_all localhost 100021 4 16 >/dev/null
ACK=$HM_WORK/acked
: >"$ACK"
hm_host_exec "$H1" bash -c '
	i=0
	while [ $i -lt 100000 ]; do
		i=$((i + 1))
		echo "sent mon k$i" >>"$2"
		out=$("$1" -T 2 mon "k$i" localhost 100021 4 16) || exit 0
		echo "mon k$i $out" >>"$2"
		if [ $((i % 3)) -eq 0 ]; then
			echo "sent unmon k$((i - 1))" >>"$2"
			out=$("$1" -T 2 unmon "k$((i - 1))" localhost 100021 4 16) || exit 0
			echo "unmon k$((i - 1)) $out" >>"$2"
		fi
	done' stream "$SMCALL" "$ACK" >/dev/null 2>&1 &
stream=$!
hm_wait_for 20 sh -c "[ \$(grep -vc '^sent ' '$ACK') -ge 300 ]"
stop_statd KILL
wait "$stream"
tap_ok "killed the serving process with SIGKILL after $(grep -vc '^sent ' "$ACK") answered requests"
start_statd
# want: names whose last answered request was a successful SM_MON, without
# the in-flight one; "bad" if an answer does not follow its own "sent".
inflight=$(tail -n 1 "$ACK" | awk '$1 == "sent" { print $3 }')
want=$(awk -v skip="$inflight" '
	$1 == "sent" { if (sent != "") print "bad: two requests out:", sent, $0
		sent = $2 " " $3; next }
	$1 " " $2 != sent { print "bad: answer without its request:", $0 }
	{ sent = "" }
	$1 == "mon" && $3 == "stat_succ" { s[$2] = 1 }
	$1 == "unmon" { delete s[$2] }
	END { for (k in s) if (k != skip) print k }' "$ACK" | sort)
have=$(list | awk -v skip="$inflight" '$1 == "monitor" && $2 ~ /^k/ && $2 != skip { print $2 }' | sort)
extra=$(comm -13 <(echo "$want") <(echo "$have") | grep -c .)
missing=$(comm -23 <(echo "$want") <(echo "$have") | grep -c .)
if [ -n "$inflight" ] && [ "$missing" -eq 0 ] && [ "$extra" -eq 0 ]; then
	tap_ok "after restart: every acknowledged SM_MON is there, every acknowledged SM_UNMON gone ($(echo "$want" | grep -c .) entries; $inflight left open)"
else
	tap_fail "acknowledged set after kill -9" "missing $missing, extra $extra, in flight '$inflight'" \
	    "$(comm -3 <(echo "$want") <(echo "$have") | head)" "$(tail -n 3 "$ACK")"
fi
out=$(sm stat x)
[ "$out" = "stat_succ 1" ] && tap_ok "a restart within the same boot keeps state 1" ||
	tap_fail "state after restart" "$out"

# A corrupt tail is cut, set aside, and the rest kept.
stop_statd TERM
before=$(list | grep -c '^monitor ')
printf 'garbage at the end' >>"$D1/var/db/statd.status"
start_statd
after=$(list | grep -c '^monitor ')
if [ "$after" = "$before" ] && ls "$D1"/var/db/statd.status.bad.* >/dev/null 2>&1 &&
    grep -q "cut off" "$LOG"; then
	tap_ok "a damaged tail is reported, set aside, and the $after entries kept"
else
	tap_fail "damaged tail" "before $before after $after" "$(ls "$D1/var/db")"
fi

stop_statd TERM
hm_host_exec "$H1" rpcinfo -T udp 127.0.0.1 100024 1 >/dev/null 2>&1 &&
	tap_fail "unregistered from rpcbind at exit" ||
	tap_ok "SIGTERM: unregistered from rpcbind, both processes gone"
[ ! -e "$PIDFILE" ] && tap_ok "the pid file is removed at exit" ||
	tap_fail "pid file removed"

tap_done
