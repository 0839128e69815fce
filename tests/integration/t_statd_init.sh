#!/usr/bin/env bash
# etc/init.d/statd on a test host: start reports readiness truthfully
# (also when the daemon cannot start), status, a second start, stop.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib/tap.sh
. tests/integration/lib/hosts.sh

B=${B:-build}
STATD=$PWD/$B/bin/rpc.statd
INIT=$PWD/etc/init.d/statd
[ -x "$STATD" ] || { echo "Bail out! $STATD not built"; exit 1; }

hm_hosts_create 1
H=${HM_HOSTS[0]}
D=$(hm_host_dir "$H")
init() { hm_host_exec "$H" env DAEMON="$STATD" "$INIT" "$@"; }

# No rpcbind yet: the start must fail, with the daemon's own reason.
out=$(init start 2>&1)
rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "rpcbind"; then
	tap_ok "start without rpcbind fails (exit $rc) and says why"
else
	tap_fail "start without rpcbind fails and says why" "exit $rc: $out"
fi
init status >/dev/null 2>&1
rc=$?
[ $rc -ne 0 ] && tap_ok "status: not running (exit $rc)" || tap_fail "status after failed start"

hm_rpcbind "$H"
init start >/dev/null 2>&1
rc=$?
# It said ready: it must answer at once, without any waiting.
if [ $rc -eq 0 ] && hm_host_exec "$H" rpcinfo -T udp 127.0.0.1 100024 1 >/dev/null 2>&1; then
	tap_ok "start exits 0 only once the daemon serves"
else
	tap_fail "start succeeds and serves" "exit $rc"
fi
pid=$(cat "$D/run/rpc.statd.pid" 2>/dev/null)
out=$(init status)
rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q "pid $pid" &&
	tap_ok "status: running, pid $pid" || tap_fail "status running" "exit $rc: $out"
out=$(init start)
rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q "already running" &&
	[ "$(cat "$D/run/rpc.statd.pid")" = "$pid" ] &&
	tap_ok "a second start leaves the running daemon alone" ||
	tap_fail "second start" "exit $rc: $out"
direct=$(hm_host_exec "$H" "$STATD" --pid-file /run/rpc.statd.pid 2>&1)
rc=$?
[ $rc -ne 0 ] && echo "$direct" | grep -q "already running, pid $pid" &&
	tap_ok "a second daemon refuses: already running, pid $pid" ||
	tap_fail "second daemon refused" "exit $rc: $direct"
[ -s "$D/var/db/statd.status" ] && tap_ok "default status file /var/db/statd.status" ||
	tap_fail "default status file"

init stop >/dev/null 2>&1
rc=$?
# Exited, it may be a zombie a moment longer, until its root parent reaps
# it; hm_pid_alive counts a zombie as gone.  The registration is gone already.
if [ $rc -eq 0 ] &&
    ! hm_host_exec "$H" rpcinfo -T udp 127.0.0.1 100024 1 >/dev/null 2>&1 &&
    hm_wait_for 5 eval '! hm_pid_alive "$pid"'; then
	tap_ok "stop: the daemon is gone and unregistered"
else
	tap_fail "stop" "exit $rc"
fi
hm_wait_for 10 sh -c "[ ! -e '$D/run/rpc.statd.pid' ]" &&
	tap_ok "the pid file is removed" || tap_fail "pid file removed"
init status >/dev/null 2>&1
rc=$?
[ $rc -eq 3 ] && tap_ok "status after stop: exit 3" || tap_fail "status after stop" "exit $rc"
init restart >/dev/null 2>&1 && init status >/dev/null 2>&1 &&
	tap_ok "restart from stopped starts it" || tap_fail "restart"
init stop >/dev/null 2>&1

tap_done
