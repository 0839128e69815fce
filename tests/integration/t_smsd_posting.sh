#!/usr/bin/env bash
# shellcheck disable=SC2016  # tap_check eval strings use the variables
# t_smsd_posting.sh: who may post to smsd.  The posting socket belongs to
# root and group _hostmon, mode 0660: a user outside the group cannot
# connect at all.  Names under hostmon. and sys. (the suite's daemons and
# smsd itself; the health state counts them) are taken only from the
# post-trusted uids (root and _hmstatd by default): a member of the group
# that is not trusted (here _hmsmsd, smsd's own user) is refused them with
# a log line, while its other names are taken.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"

top=$(cd "$lib/../../.." && pwd)
B=${B:-build}
case $B in /*) bin=$B/bin ;; *) bin=$top/$B/bin ;; esac
SMSD=$bin/smsd
SMSCTL=$bin/smsctl
[ -x "$SMSD" ] || { echo "Bail out! $SMSD not built"; exit 1; }
command -v setpriv >/dev/null || { echo "Bail out! setpriv missing"; exit 1; }
command -v jq >/dev/null || { echo "Bail out! jq missing"; exit 1; }
for u in _hmstatd _hmsmsd nobody; do
	id "$u" >/dev/null 2>&1 || { echo "Bail out! no user $u (scripts/deps.sh)"; exit 1; }
done
getent group _hostmon >/dev/null || { echo "Bail out! no group _hostmon (scripts/deps.sh)"; exit 1; }
id -nG _hmsmsd | grep -qw _hostmon || { echo "Bail out! _hmsmsd not in _hostmon"; exit 1; }

hm_hosts_create h1 || { echo "Bail out! no test host"; exit 1; }
W=$HM_WORK/smsd
mkdir -p "$W/dpkg"
chmod 755 "$HM_WORK" "$W"
cp /var/lib/dpkg/status "$W/dpkg/status"
SOCK=$W/post.sock
{
	echo "port 596"
	echo "listen 127.0.0.1"
	echo "member-name h1"
	echo "data-dir $W/data"
	echo "post-socket $SOCK"
	echo "pid-file $W/smsd.pid"
	echo "dpkg-dir $W/dpkg"
} >"$W/smsd.conf"

hm_host_spawn h1 "$W/out.log" "$SMSD" -f "$W/smsd.conf" >/dev/null
smsd_pid=$HM_LAST_PID
hm_wait_for 10 hm_host_exec h1 curl -sf -o /dev/null http://127.0.0.1:596/v1/system ||
	{ tap_fail "smsd serves in h1" "$(tail -n 5 "$W/out.log")"; tap_done; }

get() { hm_host_exec h1 curl -s --max-time 10 "http://127.0.0.1:596$1"; }
count() { get "/v1/events?name=$1" | jq .count; }
same() { [ "$1" = "$2" ] || { echo "got '$1', expected '$2'"; return 1; }; }
# as USER GROUP [--init-groups | --clear-groups] COMMAND...
as() {
	local user=$1 group=$2 groups=$3
	shift 3
	hm_host_exec h1 setpriv --reuid="$user" --regid="$group" "$groups" "$@"
}

tap_check "the posting socket is root's and group _hostmon's, mode 0660" \
	eval 'same "$(stat -c %a:%U:%G "$SOCK")" 660:root:_hostmon'

# --- outside the group: no connection at all ---------------------------------
outsider() {
	! as nobody nogroup --clear-groups "$SMSCTL" post -s "$SOCK" \
	    app.outsider notice "from nobody" 2>"$W/nobody.err" &&
	grep -qi 'permission denied' "$W/nobody.err" ||
	    { cat "$W/nobody.err"; return 1; }
}
tap_check "nobody cannot send to the socket (permission denied)" outsider
tap_check "nothing of nobody's reached the history" eval 'same "$(count app.outsider)" 0'

# --- in the group, not trusted: the suite's names refused, others taken ------
hmuid=$(id -u _hmsmsd)
forged() {
	as _hmsmsd _hmsmsd --init-groups "$SMSCTL" post -s "$SOCK" \
	    hostmon.statd.reboot 700 "forged reboot" &&
	as _hmsmsd _hmsmsd --init-groups "$SMSCTL" post -s "$SOCK" \
	    sys.unix.kernel 700 "forged kernel" &&
	hm_wait_for 5 eval '[ "$(grep -c "refused message from pid [0-9]* uid $hmuid: names under hostmon. and sys. are taken only from post-trusted users" "$W/out.log")" -ge 2 ]'
}
tap_check "a group member that is not trusted: hostmon.* and sys.* refused with a log line" forged
member_ok() {
	as _hmsmsd _hmsmsd --init-groups "$SMSCTL" post -s "$SOCK" \
	    app.member.test notice "from a member" &&
	hm_wait_for 5 eval '[ "$(count app.member.test)" = 1 ]' &&
	same "$(get '/v1/events?name=app.member.test' | jq -r '.events[0].uid')" "$hmuid"
}
tap_check "its other names are taken, with its uid" member_ok
tap_check "the forged events are not in the history" \
	eval 'same "$(count hostmon.statd.reboot)" 0 && same "$(count sys.unix.kernel)" 0'
tap_check "the forged priority-700 events did not make the health critical" \
	eval '! get /v1/health | jq -e ".checks[] | select(.component == \"events\")" >/dev/null'

# --- trusted: _hmstatd (in the group) and root -------------------------------
trusted() {
	as _hmstatd nogroup --init-groups "$SMSCTL" post -s "$SOCK" \
	    hostmon.statd.test notice "from statd" &&
	hm_host_exec h1 "$SMSCTL" post -s "$SOCK" hostmon.root.test notice "from root" &&
	hm_wait_for 5 eval '[ "$(count hostmon.statd.test)" = 1 ] && [ "$(count hostmon.root.test)" = 1 ]' &&
	same "$(get '/v1/events?name=hostmon.statd.test' | jq -r '.events[0].uid')" "$(id -u _hmstatd)"
}
tap_check "_hmstatd and root post hostmon.* names" trusted

# --- post-trusted replaces the list; SIGHUP applies it -----------------------
echo "post-trusted root _hmsmsd" >>"$W/smsd.conf"
kill -HUP "$smsd_pid"
reloaded() { grep -q 'configuration reloaded' "$W/out.log"; }
hm_wait_for 5 reloaded
hup_trust() {
	as _hmsmsd _hmsmsd --init-groups "$SMSCTL" post -s "$SOCK" \
	    hostmon.member.trusted notice "now trusted" &&
	hm_wait_for 5 eval '[ "$(count hostmon.member.trusted)" = 1 ]'
}
tap_check "post-trusted, reloaded on SIGHUP: _hmsmsd may post hostmon.* now" hup_trust

hm_host_kill "$smsd_pid" TERM
tap_done
