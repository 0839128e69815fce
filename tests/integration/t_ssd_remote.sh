#!/usr/bin/env bash
# t_ssd_remote.sh: `ssd host` starts a demon on another test host through a
# remote shell.  The remote shell here is a stand-in for ssh that enters the
# other host's namespaces and runs the command through sh -c, as ssh does.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"
. "$lib/ssd.sh"

B=${B:-build}
bin=$(cd "$B/bin" && pwd) || { echo "Bail out! no $B/bin"; exit 1; }
[ -x "$bin/ssd" ] && [ -x "$bin/ss" ] || { echo "Bail out! ssd/ss not built in $B"; exit 1; }

share=$HM_WORK/share/lib/ss
mkdir -p "$share" && chmod 1777 "$share"

hm_hosts_create alpha beta || { tap_fail "create hosts"; tap_done; }

ssd_rsh_standin alpha beta || { tap_fail "remote shell stand-in"; tap_done; }
rsh=$HM_WORK/rsh

state_of() { ssd_state_of "$1"; }
is_state() { [ "$(state_of "$1")" = "$2" ]; }
remote_pid() { pgrep -f -- "-D $share -H beta"; }
start_remote() {
	hm_host_spawn alpha "$HM_WORK/starter.out" "$bin/ssd" -d -r "$rsh" \
		-D "$share" -i 1 beta >/dev/null
}

start_remote
starter=$HM_LAST_PID
tap_check "ssd beta, run on alpha, brings beta up" hm_wait_for 10 is_state beta up
in_beta() {
	local p
	p=$(remote_pid) || { echo "no remote demon"; return 1; }
	echo "remote demon pid $p"
	[ "$(readlink "/proc/$p/ns/uts")" = "$(readlink "/proc/$(hm_host_pid beta)/ns/uts")" ] &&
	[ "$(hm_host_exec beta uname -n)" = beta ]
}
tap_check "the demon runs inside beta, through the remote shell" in_beta
tap_check "the file stays fresh while it runs" \
	eval 't=$(stat -c %Z "$share/beta"); hm_wait_for 5 eval "[ \$(stat -c %Z $share/beta) -gt $t ]"'

# The remote shell ends under the starter (a crash, a broken connection).
kill -KILL "$(remote_pid)"
tap_check "when the remote shell ends, beta is marked down at once" \
	hm_wait_for 5 is_state beta down
tap_check "the starter exits and says so" \
	eval "hm_wait_for 5 eval '! hm_pid_alive $starter' && grep -q 'beta marked down' $HM_WORK/starter.out"

start_remote
starter=$HM_LAST_PID
hm_wait_for 10 is_state beta up
hm_host_kill "$starter" TERM
tap_check "stopping the starter stops the remote demon" \
	hm_wait_for 5 eval '! remote_pid'
tap_check "and beta is marked down" is_state beta down

# A demon started on beta itself takes over: the remote one leaves, and
# its starter must not mark beta down.
start_remote
starter=$HM_LAST_PID
hm_wait_for 10 is_state beta up
hm_host_spawn beta "$HM_WORK/local.out" "$bin/ssd" -f -D "$share" -i 1 >/dev/null
tap_check "a local demon on beta makes the remote one leave" \
	hm_wait_for 10 eval "! hm_pid_alive $starter"
tap_check "beta stays up" eval 'is_state beta up && grep -q "another one took over" "$HM_WORK/starter.out"'

hm_host_exec alpha timeout 20 "$bin/ssd" -d -r "$rsh" -D "$share" -i 1 delta \
	>"$HM_WORK/delta.out" 2>&1
rc=$?
tap_check "a remote shell that fails at once is an error" \
	eval "[ $rc -ne 0 ] && grep -q 'remote shell to delta ended with status 255' $HM_WORK/delta.out"

tap_done
