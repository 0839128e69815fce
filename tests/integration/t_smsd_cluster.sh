#!/usr/bin/env bash
# t_smsd_cluster.sh: three test hosts, each with smsd and the same member
# list (h3's leaves out h3 itself); the cluster view from h1 with h3's smsd down (refused at once) and
# then with h2 cut off (no answer: bounded by cluster-timeout); smsctl -m
# finding a member in its configuration or, failing that, in the local
# smsd's member list (t_smsctl_members.sh: that list from corosync).
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"

top=$(cd "$lib/../../.." && pwd)
B=${B:-build}
case $B in /*) bin=$B/bin ;; *) bin=$top/$B/bin ;; esac
SMSD=$bin/smsd
SMSCTL=$bin/smsctl
[ -x "$SMSD" ] || { echo "Bail out! $SMSD not built"; exit 1; }

hm_hosts_create h1 h2 h3
chmod 755 "$HM_WORK"
declare -A pid
for h in h1 h2 h3; do
	d=$HM_WORK/$h
	mkdir -p "$d"
	chmod 755 "$d"
	{
		echo "listen 0.0.0.0"
		echo "member-name $h"
		echo "allow 127.0.0.0/8"
		echo "allow 198.18.0.0/15"
		echo "data-dir $d/data"
		echo "post-socket $d/post.sock"
		echo "cluster-timeout 1000"
		for m in h1 h2 h3; do
			[ "$h$m" = h3h3 ] && continue
			echo "member $m $(hm_host_addr $m)"
		done
	} >"$d/smsd.conf"
	hm_host_spawn "$h" "$d/out.log" "$SMSD" -f "$d/smsd.conf" >/dev/null
	pid[$h]=$HM_LAST_PID
done
for h in h1 h2 h3; do
	hm_wait_for 10 hm_host_exec "$h" curl -sf -o /dev/null \
	    http://127.0.0.1:596/v1/system
done

cluster() {
	hm_host_exec h1 curl -s --max-time 10 http://127.0.0.1:596/v1/cluster \
	    >"$HM_WORK/cluster.json"
}
state_of() { jq -r ".members[] | select(.name == \"$1\") | .state" "$HM_WORK/cluster.json"; }
same() { [ "$1" = "$2" ] || { echo "got '$1', expected '$2'"; return 1; }; }

all_up() {
	cluster &&
	same "$(jq .members_up "$HM_WORK/cluster.json")" 3 &&
	same "$(jq -r '.members[] | select(.name == "h2") | .system.hostname' \
	    "$HM_WORK/cluster.json")" h2 &&
	same "$(jq -r '.members[] | select(.name == "h3") | .system.member' \
	    "$HM_WORK/cluster.json")" h3
}
tap_check "cluster view from h1: three members up, each its own data" \
	hm_wait_for 10 all_up

# smsctl -m: the member line of its configuration first; a configuration
# without one (here an empty file) leaves it to the local smsd's list.
: >"$HM_WORK/empty.conf"
answers_as() {	# answers_as HOST CONF MEMBER: smsctl -f CONF -m MEMBER on
		# HOST reaches MEMBER's smsd
	same "$(hm_host_exec "$1" "$SMSCTL" -f "$2" -m "$3" -j system |
	    jq -r .member)" "$3"
}
tap_check "smsctl -m h2 from h1: its member line" \
	answers_as h1 "$HM_WORK/h1/smsd.conf" h2
tap_check "smsctl -m h3 without a member line: from the local smsd's list" \
	answers_as h1 "$HM_WORK/empty.conf" h3
tap_check "smsctl -m h1 without a member line: the local smsd, listed" \
	answers_as h1 "$HM_WORK/empty.conf" h1
tap_check "smsctl -m h3 on h3, whose smsd does not list itself: that smsd" \
	answers_as h3 "$HM_WORK/empty.conf" h3
unknown_member() {
	! hm_host_exec h1 "$SMSCTL" -f "$HM_WORK/h1/smsd.conf" -m h9 system \
	    >/dev/null 2>"$HM_WORK/ctl.err" &&
	grep -q "h9: no such member in $HM_WORK/h1/smsd.conf or in the member list of the smsd at 127.0.0.1 port 596" \
	    "$HM_WORK/ctl.err" || { cat "$HM_WORK/ctl.err"; return 1; }
}
tap_check "smsctl -m of a name nobody knows: says so, exits 1" unknown_member
no_list() {
	! hm_host_exec h1 "$SMSCTL" -f "$HM_WORK/empty.conf" -p 9 -m h2 system \
	    >/dev/null 2>"$HM_WORK/ctl.err" &&
	grep -q "h2: no such member in $HM_WORK/empty.conf, and no member list from the smsd at 127.0.0.1 port 9: Connection refused" \
	    "$HM_WORK/ctl.err" || { cat "$HM_WORK/ctl.err"; return 1; }
}
tap_check "smsctl -m with no smsd to ask: says why" no_list

hm_host_kill "${pid[h3]}"
h3_down() {
	sleep 1.1	# the view is cached for a second
	cluster && same "$(state_of h3)" unreachable &&
	same "$(state_of h1)" up && same "$(state_of h2)" up &&
	jq -e '.members[] | select(.name == "h3") | .error == "connection failed"' \
	    "$HM_WORK/cluster.json" >/dev/null
}
tap_check "h3's smsd down: shown unreachable, the others up" \
	hm_wait_for 10 h3_down

hm_isolate h2
h2_cut() {
	local t0 t1
	sleep 1.1
	t0=$EPOCHREALTIME
	cluster
	t1=$EPOCHREALTIME
	same "$(state_of h2)" unreachable &&
	jq -e '.members[] | select(.name == "h2") | .error | test("no answer within 1000 ms")' \
	    "$HM_WORK/cluster.json" >/dev/null &&
	same "$(state_of h1)" up &&
	awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 2.5) }' ||
	{ echo "took $(echo "$t1 - $t0" | bc) s:"; cat "$HM_WORK/cluster.json"; return 1; }
}
tap_check "h2 cut off: unreachable after the 1 s limit, answer bounded" h2_cut
local_ok() {
	same "$(hm_host_exec h1 curl -s -o /dev/null -w '%{http_code}' \
	    --max-time 2 http://127.0.0.1:596/v1/system)" 200
}
tap_check "h1 serves its own resources meanwhile" local_ok
hm_rejoin h2

# A member whose connect fails at once (the kernel refuses a multicast
# address with ENETUNREACH, as it does with EMFILE): evhttp answers from
# inside evhttp_make_request; smsd once crashed on it.
echo "member far 224.0.0.1" >>"$HM_WORK/h1/smsd.conf"
hm_host_kill "${pid[h1]}" HUP
far_failed() {
	cluster &&
	same "$(jq .members_total "$HM_WORK/cluster.json")" 4 &&
	same "$(state_of far)" unreachable &&
	same "$(jq -r '.members[] | select(.name == "far") | .error' \
	    "$HM_WORK/cluster.json")" "connection failed" &&
	same "$(state_of h1)" up
}
tap_check "a member refused at once by the kernel: unreachable, smsd goes on" \
    hm_wait_for 10 far_failed
tap_check "h1's smsd still runs after that" hm_pid_alive "${pid[h1]}"

tap_done
