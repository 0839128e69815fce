#!/usr/bin/env bash
# t_harness.sh: self-test of the test-host harness (lib/hosts.sh, lib/tap.sh).
# Every later scenario trusts what this proves: hosts are apart from each
# other and from the machine, no traffic leaves 198.18.0.0/15, partitions cut
# and heal, and nothing outlives a run, whether it passes, fails or is killed.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
# A shell started with SIGINT ignored (in the background of a script) can
# neither trap it nor pass it on: then the SIGINT case cannot be tried.
int_ignored=$(trap -p INT)
. "$lib/tap.sh"
. "$lib/hosts.sh"

started=$EPOCHREALTIME
veths_before=$(ip -o link show type veth | wc -l)

# The route table read from stdin names only the test network and loopback.
routes_confined() {
	local f bad=0
	while read -r -a f; do
		[ ${#f[@]} -gt 0 ] || continue
		case ${f[0]} in
		local | broadcast | multicast | unicast | anycast | unreachable | \
			blackhole | prohibit | throw | nat) f=("${f[@]:1}") ;;
		esac
		case ${f[0]} in
		127.* | 198.18.* | 198.19.* | ::1 | ::1/128 | ff00::/8) ;;
		*) echo "route outside the test network: ${f[*]}"; bad=1 ;;
		esac
	done
	return $bad
}

host_routes_confined() {
	{
		hm_host_exec "$1" ip -4 route show table all &&
		hm_host_exec "$1" ip -6 route show table all
	} | routes_confined
}

same_text() {
	[ "$1" = "$2" ] || { echo "got '$1', expected '$2'"; return 1; }
}

# $1 (a file name) exists in h1's /run, /tmp and /var/lib, and neither in h2's
# nor in the machine's.
private_to_h1() {
	local d bad=0
	for d in /run /tmp /var/lib; do
		[ -e "$(hm_host_dir h1)$d/$1" ] || { echo "not in h1's $d"; bad=1; }
		[ ! -e "$d/$1" ] || { echo "in the machine's $d"; bad=1; }
		hm_host_exec h2 test ! -e "$d/$1" || { echo "in h2's $d"; bad=1; }
		hm_host_exec h1 test -e "$d/$1" || { echo "h1 cannot see it in $d"; bad=1; }
	done
	return $bad
}

two_rpcbinds() {
	[ $# -eq 2 ] || { echo "only $# rpcbinds started"; return 1; }
	hm_pid_alive "$1" && hm_pid_alive "$2" &&
	hm_host_exec h1 rpcinfo -p 127.0.0.1 && hm_host_exec h2 rpcinfo -p 127.0.0.1
}

# PID $1 runs program $2, in host $3's network and mount namespaces.
is_daemon_in() {
	local anchor ns
	anchor=$(hm_host_pid "$3")
	hm_wait_for 2 grep -qx "$2" "/proc/$1/comm" || return 1
	for ns in net mnt uts; do
		same_text "$(readlink "/proc/$1/ns/$ns")" "$(readlink "/proc/$anchor/ns/$ns")" ||
			return 1
	done
}

# Microseconds taken by CMD..., in $took; CMD's status is returned.
timed() {
	local t0=${EPOCHREALTIME//[!0-9]/} rc
	"$@"
	rc=$?
	took=$(( ${EPOCHREALTIME//[!0-9]/} - t0 ))
	return $rc
}

# Nothing of a finished run (state file $1, written by scenario below) is left.
run_left_nothing() {
	local prefix work pids p bad=0
	prefix=$(sed -n 's/^prefix //p' "$1")
	work=$(sed -n 's/^work //p' "$1")
	pids=$(sed -n 's/^pid //p' "$1")
	[ -n "$prefix" ] && [ -n "$pids" ] || { echo "scenario wrote no state"; return 1; }
	for p in $pids; do
		if hm_pid_alive "$p"; then
			echo "pid $p still runs: $(tr '\0' ' ' <"/proc/$p/cmdline")"
			bad=1
		fi
	done
	if ip netns list | grep -E "^$prefix(sw|h)"; then
		echo "namespaces of $prefix remain"
		bad=1
	fi
	if [ "$(ip -o link show type veth | wc -l)" -ne "$veths_before" ]; then
		echo "veths in the machine's namespace:"
		ip -o link show type veth
		bad=1
	fi
	if [ -e "$work" ]; then
		echo "work folder $work remains"
		bad=1
	fi
	return $bad
}

# A whole test run in another shell: hosts, rpcbind, a spawned daemon, a
# daemon forked from hm_host_exec; then it fails (exit 3) or, with "wait",
# idles until a signal arrives.
# shellcheck disable=SC2016
scenario='
. "$1/hosts.sh"
state=$2
hm_hosts_create 2 || exit 10
hm_rpcbind h2 || exit 11
pids=$HM_LAST_PID
hm_host_spawn h1 "$HM_WORK/sleep.log" sleep 600 >/dev/null || exit 12
pids="$pids $HM_LAST_PID"
stray=$(hm_host_sh h2 "sleep 601 >/dev/null 2>&1 & echo \$!") || exit 13
pids="$pids $stray $(hm_host_pid h1) $(hm_host_pid h2)"
printf "prefix %s\nwork %s\n" "$HM__PREFIX" "$HM_WORK" >"$state"
for p in $pids; do echo "pid $p" >>"$state"; done
echo ready >>"$state"
[ "$3" = wait ] || exit 3
while :; do sleep 0.1; done
'

hm_hosts_create 3 || { tap_fail "create 3 hosts"; tap_done; }
tap_ok "create 3 hosts (${HM_HOSTS[*]})"

for h in h1 h2 h3; do
	tap_check "$h has its own host name" same_text "$(hm_host_exec "$h" uname -n)" "$h"
done

tap_check "h1 resolves h2 from its /etc/hosts" \
	same_text "$(hm_host_exec h1 getent hosts h2 | awk '{print $1}')" "$(hm_host_addr h2)"
if hm_host_exec h1 sh -c 'command -v ping' >/dev/null; then
	tap_check "h1 pings h2 by name" hm_host_exec h1 ping -c1 -W1 h2
else
	tap_skip "h1 pings h2 by name" "ping is not installed (iputils-ping)"
fi
tap_check "h1 reaches h2 by name (TCP)" hm_reachable h1 h2

hm_partition h1 h2
tap_check "partitioned: h1 cannot reach h2" eval '! hm_reachable h1 h2'
tap_check "partitioned: h2 cannot reach h1" eval '! hm_reachable h2 h1'
tap_check "partitioned: h3 still reaches h1 and h2" \
	eval 'hm_reachable h3 h1 && hm_reachable h3 h2'
hm_heal h1 h2
tap_check "healed: h1 and h2 reach each other" \
	hm_wait_for 5 eval 'hm_reachable h1 h2 && hm_reachable h2 h1'

hm_isolate h3
tap_check "isolated h3: h1 cannot reach h3, h3 cannot reach h2" \
	eval '! hm_reachable h1 h3 && ! hm_reachable h3 h2'
tap_check "isolated h3: h1 still reaches h2" hm_reachable h1 h2
hm_rejoin h3
tap_check "rejoined h3 reaches h1 and h2" \
	hm_wait_for 5 eval 'hm_reachable h3 h1 && hm_reachable h3 h2'

for h in h1 h2 h3; do
	tap_check "$h routes only to 198.18.0.0/15 and loopback, no default" \
		host_routes_confined "$h"
done

mapfile -t real_ns < <(awk '$1 == "nameserver" { print $2 }' /etc/resolv.conf)
tap_check "h1's resolv.conf is the harness's, naming none of the machine's resolvers" \
	hm_host_sh h1 'grep -qx "nameserver 127.0.0.1" /etc/resolv.conf &&
	    for ns; do ! grep -qF "$ns" /etc/resolv.conf || exit 1; done' sh "${real_ns[@]}"
tap_check "h1 has no route to the machine's resolvers" \
	hm_host_sh h1 'for ns; do ! ip route get "$ns" >/dev/null 2>&1 || exit 1; done' \
	sh "${real_ns[@]}"
if timed hm_host_exec h1 getent ahosts no-such-host.invalid; then
	tap_fail "unknown name fails in h1" "it resolved"
elif [ "$took" -lt 2000000 ]; then
	tap_ok "unknown name fails in h1 at once ($((took / 1000)) ms)"
else
	tap_fail "unknown name fails in h1 at once" "took $((took / 1000)) ms"
fi

probe=hm-probe-$$
hm_host_exec h1 touch "/run/$probe" "/tmp/$probe" "/var/lib/$probe"
tap_check "h1's /run, /tmp, /var are its own" private_to_h1 "$probe"
tap_check "the run's folder is at the same path in every host" \
	hm_host_exec h3 test -f "$HM_WORK/pids"
# A checkout in a folder others may not search (/root is 0700): a copy of
# the harness there, whose hosts must let nobody read the tree, and root
# still see the folder's other entries.  Under /mnt, which hosts share with
# the machine: /tmp, /var and /run are remade in hosts (and the build folder
# may lie under /tmp).
closed=$(mktemp -d /mnt/hm-closed.XXXXXX) || exit 1
hm_at_exit rm -rf "$closed"
mkdir -p "$closed/tree/tests/integration"
cp -r "$lib" "$closed/tree/tests/integration/lib"
touch "$closed/other"
chmod 700 "$closed"
# shellcheck disable=SC2016
bash -c '. "$1/tree/tests/integration/lib/hosts.sh" >/dev/null &&
	hm_hosts_create 1 >/dev/null &&
	hm_host_exec h1 setpriv --reuid=65534 --regid=65534 --clear-groups \
	    cat "$1/tree/tests/integration/lib/tap.sh" >/dev/null &&
	hm_host_exec h1 test -f "$1/other"' sh "$closed" 2>"$HM_WORK/closed.log"
tap_check "nobody in a host reads a checkout under a 0700 folder, whose other entries stay" \
	same_text "$?" 0
hm_host_private h1 /srv
hm_host_exec h1 touch "/srv/$probe"
tap_check "hm_host_private gives h1 its own /srv" eval \
	"[ -f $(hm_host_dir h1)/fs/srv/$probe ] && [ ! -e /srv/$probe ] &&
	 hm_host_exec h2 test ! -e /srv/$probe"

rpcbinds=()
hm_rpcbind h1 && rpcbinds+=("$HM_LAST_PID")
hm_rpcbind h2 && rpcbinds+=("$HM_LAST_PID")
tap_check "rpcbind runs in h1 and h2 at once, each answers on loopback" \
	two_rpcbinds "${rpcbinds[@]}"
tap_check "h1 reaches h2's rpcbind over the test network" \
	hm_host_exec h1 rpcinfo -u h2 100000 2

hm_host_spawn h1 "$HM_WORK/sleep.log" sleep 300 >/dev/null
tap_check "hm_host_spawn's PID is the daemon itself, inside h1" \
	is_daemon_in "$HM_LAST_PID" sleep h1
tap_check "hm_host_kill stops it" \
	eval "hm_host_kill $HM_LAST_PID && ! hm_pid_alive $HM_LAST_PID"
tap_check "hm_host_kill refuses a PID it did not spawn" eval '! hm_host_kill $$ 2>/dev/null'

hm_host_spawn h2 "$HM_WORK/late.log" sh -c 'sleep 0.5; touch /tmp/late' >/dev/null
tap_check "hm_wait_for sees a condition come true" \
	hm_wait_for 5 test -e "$(hm_host_dir h2)/tmp/late"
if timed hm_wait_for 0.3 false 2>/dev/null; then
	tap_fail "hm_wait_for gives up after its timeout"
elif [ "$took" -lt 1000000 ]; then
	tap_ok "hm_wait_for gives up after its timeout ($((took / 1000)) ms for 0.3 s)"
else
	tap_fail "hm_wait_for gives up after its timeout" "took $((took / 1000)) ms"
fi

# Whole runs in other shells, concurrent with this one's hosts.
state=$HM_WORK/fail.state
bash -c "$scenario" sh "$lib" "$state" 2>"$HM_WORK/fail.log"
rc=$?
tap_check "a failing run exits with its own status (3)" same_text "$rc" 3
tap_check "a failing run leaves no process, namespace, veth or folder" \
	run_left_nothing "$state"

# If this test is stopped while a run idles, that run is stopped too.
runpid=
stop_run() {
	[ -n "$runpid" ] || return 0
	kill -s TERM "$runpid" 2>/dev/null
	hm_wait_for 15 eval '! hm_pid_alive "$runpid"' || kill -s KILL "$runpid"
	wait "$runpid"
	runpid=
}
hm_at_exit stop_run
for sig in TERM INT; do
	if [ "$sig" = INT ] && [ -n "$int_ignored" ]; then
		tap_skip "a run killed by SIGINT leaves nothing behind" \
			"this test was started with SIGINT ignored"
		continue
	fi
	code=$((128 + $(kill -l "$sig")))
	state=$HM_WORK/$sig.state
	# Job control gives the run its own process group and a SIGINT that is
	# not ignored, as an interactive ^C would find it.
	set -m
	bash -c "$scenario" sh "$lib" "$state" wait 2>"$HM_WORK/$sig.log" &
	runpid=$!
	set +m
	if ! hm_wait_for 20 grep -qx ready "$state"; then
		tap_fail "a run to stop by SIG$sig got ready" "$(cat "$HM_WORK/$sig.log")"
		stop_run
		continue
	fi
	kill -s "$sig" "$runpid"
	if hm_wait_for 20 eval '! hm_pid_alive "$runpid"'; then
		wait "$runpid"
		rc=$?
		runpid=
		tap_check "a run killed by SIG$sig exits $code" same_text "$rc" "$code"
		tap_check "a run killed by SIG$sig leaves nothing behind" \
			run_left_nothing "$state"
	else
		tap_fail "a run killed by SIG$sig stops within 20 s" "$(cat "$HM_WORK/$sig.log")"
		stop_run
	fi
done

tap_check "this run's hosts are untouched by the others" eval \
	'hm_reachable h1 h2 && hm_reachable h3 h1 &&
	 [ "$(ip netns list | grep -cE "^$HM__PREFIX(sw|h[0-9]+)( |\$)")" -eq 4 ]'

took=$(( ${EPOCHREALTIME//[!0-9]/} - ${started//[!0-9]/} ))
tap_diag "harness self-test body took $((took / 1000)) ms"
tap_done
