#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2034  # tap_check eval strings use the variables
# t_statd_smsd_read.sh: rpc.statd's status file as smsd meets it on a real
# install.  In one test host rpc.statd starts as root and serves as its
# default user _hmstatd; smsd serves as its own user _hmsmsd, which is in
# the group _hostmon.  The status file must be _hmstatd's, group _hostmon,
# mode 0640 (never readable by others: it names the hosts monitored), from
# the start and after the root parent replaced it (SM_SIMU_CRASH compacts
# it), and smsd's /v1/suite/statd must read it both times.  An unknown
# --status-group is refused by name.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"
. "$lib/statd.sh"

top=$(cd "$lib/../../.." && pwd)
B=${B:-build}
case $B in /*) bin=$B/bin ;; *) bin=$top/$B/bin ;; esac
SMSD=$bin/smsd
[ -x "$SMSD" ] || { echo "Bail out! $SMSD not built"; exit 1; }
hm_need curl jq
for u in _hmstatd _hmsmsd; do
	id "$u" >/dev/null 2>&1 || { echo "Bail out! no user $u (scripts/deps.sh)"; exit 1; }
done
id -nG _hmsmsd | tr ' ' '\n' | grep -qx _hostmon ||
	{ echo "Bail out! _hmsmsd is not in group _hostmon (scripts/deps.sh)"; exit 1; }

hm_hosts_create h1 || { echo "Bail out! no test host"; exit 1; }
# The folders above the status file: others may traverse them, as /var/db
# and /var/lib/hostmon on an installed system.
chmod 755 "$HM_WORK" "$(hm_host_dir h1)"
hm_rpcbind h1 || { echo "Bail out! rpcbind does not start in h1"; exit 1; }
st_start h1 || { echo "Bail out! rpc.statd does not start in h1"; exit 1; }
SF=$(st_dir h1)/statd.status
PARENT=${ST_PID[h1]}

same() { [ "$1" = "$2" ] || { echo "got '$1', expected '$2'"; return 1; }; }
attrs() { same "$(stat -c '%U %G %a' "$SF")" "_hmstatd _hostmon 640"; }

tap_check "the status file: owner _hmstatd, group _hostmon, mode 0640" attrs

W=$HM_WORK/smsd
mkdir -p "$W"
chmod 755 "$W"
{
	echo "data-dir $W/data"
	echo "post-socket $W/post.sock"
	echo "statd-status-file $SF"
	echo "statd-pid-file $(st_dir h1)/statd.pid"
} >"$W/smsd.conf"
hm_host_spawn h1 "$W/out.log" "$SMSD" -f "$W/smsd.conf" >/dev/null
SMSD_PID=$HM_LAST_PID
if ! hm_wait_for 10 hm_host_exec h1 curl -sf -o /dev/null http://127.0.0.1:596/v1/system; then
	tail -n 20 "$W/out.log" | sed 's/^/#   smsd: /' >&2
	echo "Bail out! smsd does not serve in h1"
	exit 1
fi
tap_check "smsd serves as its own user, _hmsmsd" \
	eval 'same "$(stat -c %U "/proc/$SMSD_PID")" _hmsmsd'

# The answer smsd gives about statd: readable, statd running, its state.
statd_view() {
	local b
	b=$(hm_host_exec h1 curl -s --max-time 10 http://127.0.0.1:596/v1/suite/statd) || return 1
	jq -e --argjson s "$(st_state h1)" '.available == true and .running == true and .state == $s' \
	    <<<"$b" >/dev/null || { echo "$b"; return 1; }
}
tap_check "/v1/suite/statd as _hmsmsd: available, running, statd's state" statd_view

# SM_SIMU_CRASH rewrites the file through the root parent (the serving
# user may not create files in the folder).
before=$(stat -c %i "$SF")
crashed() {
	same "$(st_smcall h1 crash)" ok &&
	hm_wait_for 10 eval '[ "$(stat -c %i "$SF")" != "$before" ]'
}
tap_check "SM_SIMU_CRASH: the root parent replaced the status file" crashed
tap_check "the replaced file: owner _hmstatd, group _hostmon, mode 0640" attrs
tap_check "/v1/suite/statd reads the replaced file, with the new state" statd_view

nogroup() {
	local out rc
	out=$(hm_host_exec h1 "$ST_STATD" -F --status-group hm-no-such-group \
	    -f "$HM_WORK/nogroup.status" --pid-file "$HM_WORK/nogroup.pid" 2>&1)
	rc=$?
	same "$rc $out" "1 rpc.statd: group hm-no-such-group does not exist: create it, or name another with --status-group" &&
	[ ! -e "$HM_WORK/nogroup.pid" ]
}
tap_check "--status-group naming no group: exit 1, the error names it and the option" nogroup

hm_host_kill "$SMSD_PID" TERM
st_stop h1
tap_check "statd's root parent is gone too" eval '! hm_pid_alive "$PARENT"'
tap_done
