#!/usr/bin/env bash
# t_smsctl_members.sh: smsctl -m NAME with corosync's member list.  Two
# test hosts, each with its own corosync (knet, one cluster) and an smsd
# whose smsd.conf has no member lines, so smsd's list is corosync's alone.
# From h1, smsctl -m h2 finds h2 in the local smsd's list (/v1/cluster) and
# shows h2's own data; a member line in smsctl's configuration still comes
# first; a name that neither knows is refused with a clear message.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"
. "$lib/corosync.sh"

top=$(cd "$lib/../../.." && pwd)
B=${B:-build}
case $B in /*) bin=$B/bin ;; *) bin=$top/$B/bin ;; esac
SMSD=$bin/smsd
SMSCTL=$bin/smsctl
for p in "$SMSD" "$SMSCTL"; do
	[ -x "$p" ] || { echo "Bail out! $p not built"; exit 1; }
done

hm_hosts_create 2 || { echo "Bail out! no test hosts"; exit 1; }
hm_corosync_setup h1 h2 || { echo "Bail out! corosync setup failed"; exit 1; }
chmod 755 "$HM_WORK"
for h in h1 h2; do
	hm_corosync_start "$h" || { echo "Bail out! corosync did not start in $h"; exit 1; }
done
hm_corosync_wait_members h1 2 20 || { echo "Bail out! no 2-node membership"; exit 1; }

# smsd after corosync: it connects as root, before dropping privileges.
for h in h1 h2; do
	d=$HM_WORK/$h
	mkdir -p "$d" && chmod 755 "$d"
	printf '%s\n' "listen 0.0.0.0" "member-name $h" "allow 127.0.0.0/8" \
		"allow 198.18.0.0/15" "data-dir $d/data" "post-socket $d/post.sock" \
		"cluster-timeout 1000" >"$d/smsd.conf"
	hm_host_spawn "$h" "$d/smsd.log" "$SMSD" -f "$d/smsd.conf" >/dev/null
done
for h in h1 h2; do
	hm_wait_for 10 hm_host_exec "$h" curl -sf -o /dev/null \
	    http://127.0.0.1:596/v1/system ||
	    { echo "Bail out! smsd does not serve in $h"; exit 1; }
done

same() { [ "$1" = "$2" ] || { echo "got '$1', expected '$2'"; return 1; }; }
CONF=$HM_WORK/h1/smsd.conf
ctl() { hm_host_exec h1 "$SMSCTL" "$@"; }

corosync_list() {
	local c
	c=$(hm_host_exec h1 curl -s --max-time 5 http://127.0.0.1:596/v1/cluster) &&
	same "$(jq -r .membership_source <<<"$c")" corosync &&
	same "$(jq -r '[.members[].name] | sort | join(" ")' <<<"$c")" "h1 h2" &&
	! grep -q '^member ' "$CONF"
}
tap_check "h1's smsd lists h1 and h2 from corosync, no member lines" \
	hm_wait_for 10 corosync_list

h2_system() {
	local j
	j=$(ctl -f "$CONF" -m h2 -j system) &&
	same "$(jq -r .member <<<"$j")" h2 &&
	same "$(jq -r .hostname <<<"$j")" h2 &&
	ctl -f "$CONF" -m h2 system | grep -qE '^hostname +h2$'
}
tap_check "smsctl -m h2 system on h1 shows h2's own data" h2_system

# smsctl's own member line wins: here it points h2 at h1's loopback.
printf 'member h2 127.0.0.1\n' >"$HM_WORK/ctl.conf"
conf_first() {
	same "$(ctl -f "$HM_WORK/ctl.conf" -m h2 -j system | jq -r .member)" h1
}
tap_check "a member line in smsctl's configuration comes first" conf_first

unknown() {
	! ctl -f "$CONF" -m h9 system >/dev/null 2>"$HM_WORK/ctl.err" &&
	grep -q "h9: no such member in $CONF or in the member list of the smsd at 127.0.0.1 port 596" \
	    "$HM_WORK/ctl.err" || { cat "$HM_WORK/ctl.err"; return 1; }
}
tap_check "smsctl -m of a name corosync does not know: refused, says so" unknown

tap_done
