#!/usr/bin/env bash
# rpc.statd's two processes: the root parent (the pid -F leaves to its
# starter) and the serving child.  The child must never outlive the parent:
# it gets SIGTERM when the parent dies (PR_SET_PDEATHSIG, armed after the
# privilege drop, which clears it) and stops as on any SIGTERM.  Who cleans
# up depends on who is left: the child registered with rpcbind as its own
# user, so it unregisters alone; the pid file's folder is root's, so it can
# only empty the file.  When the child dies, the parent removes both.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib/tap.sh
. tests/integration/lib/hosts.sh
. tests/integration/lib/statd.sh

hm_hosts_create 1 || { echo "Bail out! no test host"; exit 1; }
H=${HM_HOSTS[0]}
D=$(st_dir "$H")
LOG=$D/statd.log
PIDFILE=$D/statd.pid
hm_rpcbind "$H" || { echo "Bail out! no rpcbind"; exit 1; }

registered() { hm_host_exec "$H" rpcinfo -T udp 127.0.0.1 100024 1 >/dev/null 2>&1; }
unregistered() { ! hm_host_exec "$H" rpcinfo -p 127.0.0.1 | awk '$1 == 100024 { f = 1 } END { exit !f }'; }
child_of() { pgrep -P "$1"; }
gone() { ! hm_pid_alive "$1"; }
started() {
	st_start "$H" || return 1
	PARENT=${ST_PID[$H]}
	CHILD=$(cat "$PIDFILE")
	[ -n "$CHILD" ] && [ "$(child_of "$PARENT")" = "$CHILD" ] && registered
}

tap_check "statd starts: a root parent and its serving child, registered" started
owner=$(hm_host_exec "$H" rpcinfo -s 127.0.0.1 | awk '$1 == 100024 { print $5 }')
tap_check "the registration belongs to the serving user, who can remove it" \
	same_text "$owner" "$(id -u _hmstatd)"

# SIGUSR1 to the pid a service manager knows: the statistics, not a death.
before=$(grep -c 'notifications and .* callbacks pending' "$LOG")
kill -USR1 "$PARENT"
if hm_wait_for 5 eval '[ "$(grep -c "notifications and .* callbacks pending" "$LOG")" -gt '"$before"' ]' &&
    hm_pid_alive "$PARENT" && hm_pid_alive "$CHILD" && registered; then
	tap_ok "SIGUSR1 to the parent is passed on: the child logs its counts, both serve on"
else
	tap_fail "SIGUSR1 to the parent passed on" \
	    "parent $(hm_pid_alive "$PARENT" && echo alive || echo dead)," \
	    "child $(hm_pid_alive "$CHILD" && echo alive || echo dead)"
fi

# kill -9 of the parent: the child stops at once, unregistered, and empties
# the pid file it cannot remove.
kill -KILL "$PARENT" 2>/dev/null
t0=${EPOCHREALTIME//[!0-9]/}
if hm_wait_for 5 gone "$CHILD"; then
	t1=${EPOCHREALTIME//[!0-9]/}
	tap_ok "kill -9 of the parent: the serving child ends too ($(((t1 - t0) / 1000)) ms)"
else
	tap_fail "the serving child ends with its parent" "pid $CHILD still serves"
	kill -KILL "$CHILD" 2>/dev/null
fi
tap_check "and unregistered itself from rpcbind" hm_wait_for 5 unregistered
if [ ! -s "$PIDFILE" ]; then
	tap_ok "the pid file names no process ($([ -e "$PIDFILE" ] && echo emptied || echo removed))"
else
	tap_fail "pid file emptied" "it says $(cat "$PIDFILE")"
fi
tap_check "the child said why" grep -q 'privileged parent is gone' "$LOG"
tap_check "a new statd starts over the left pid file" started

# A signal the parent does not handle: default action, death; same end.
kill -USR2 "$PARENT"
tap_check "SIGUSR2 kills the parent: the serving child ends too" hm_wait_for 5 gone "$CHILD"
tap_check "unregistered again" hm_wait_for 5 unregistered
tap_check "statd starts once more" started

# kill -9 of the child: the root parent is left, and removes both.
kill -KILL "$CHILD"
tap_check "kill -9 of the serving child: the parent ends" hm_wait_for 5 gone "$PARENT"
tap_check "and unregistered it" hm_wait_for 5 unregistered
tap_check "and removed the pid file" test ! -e "$PIDFILE"
ST_PID[$H]=

tap_check "no statd log reports a sanitizer error" eval \
	'! grep -l "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$HM_WORK"/h*/statd/statd.log'
tap_done
