#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2034  # tap_check eval strings use the variables
# t_ssd_sharedlog.sh: the shared directory's .log, as root's `ssd host`
# (the starter that keeps root for its remote shell) and a local demon meet
# it.  The starter must create the file as the user it drops to, hand its
# remote shell the file it checked, and refuse a FIFO or a link planted
# under the name: never block on it, never write into it.  The remote shell
# is the stand-in of t_ssd_remote.sh (nsenter into the other host, sh -c),
# which also says a word on its standard error, as ssh does.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"
. "$lib/ssd.sh"

B=${B:-build}
bin=$(cd "$B/bin" && pwd) || { echo "Bail out! no $B/bin"; exit 1; }
[ -x "$bin/ssd" ] && [ -x "$bin/ss" ] || { echo "Bail out! ssd/ss not built in $B"; exit 1; }
id _hmssd >/dev/null 2>&1 || { echo "Bail out! no user _hmssd (scripts/deps.sh)"; exit 1; }

share=$HM_WORK/share/lib/ss
mkdir -p "$share" && chmod 1777 "$share"
log=$share/.log

hm_hosts_create alpha beta || { tap_fail "create hosts"; tap_done; }

ssd_rsh_standin alpha beta || { tap_fail "remote shell stand-in"; tap_done; }
rsh=$HM_WORK/rsh

state_of() { ssd_state_of "$1"; }
is_state() { [ "$(state_of "$1")" = "$2" ]; }
# The detached starter, found by its arguments (it keeps no pid file).
starter_pid() { pgrep -f -- "ssd -r $rsh -D $share -i 1 beta"; }
remote_pid() { pgrep -f -- "-D $share -H beta"; }

# Start `ssd beta` on alpha as root, detached (no -d or -f: it logs to
# .log).  It returns once beta's file is updated, or after 60 s without an
# update: 30 s bound that wait, so a starter stuck on the log fails.
start_starter() {	# OUTFILE
	hm_host_exec alpha timeout 30 "$bin/ssd" -r "$rsh" -D "$share" -i 1 beta \
		>"$1" 2>&1
}
stop_starter() {	# every one left, also one stuck on its log
	local p ps
	ps=$(starter_pid) || return 0
	for p in $ps; do
		kill -TERM "$p"
	done
	for p in $ps; do
		hm_wait_for 10 eval "! kill -0 $p 2>/dev/null" || return 1
	done
	hm_wait_for 5 eval '! remote_pid'
}
hm_at_exit stop_starter

# A FIFO under .log with a reader behind it, and a way to see what it got:
# after the daemon is up, we write "END" into it; the reader's copy is then
# "END" alone unless the daemon wrote first (FIFOs keep order).
fifo_reader() {
	rm -f "$log" && mkfifo -m 666 "$log" || return 1
	cat "$log" >"$HM_WORK/fifo.got" 2>&1 &
	catpid=$!
}
fifo_got_only_end() {
	timeout 5 sh -c 'echo END >"$1"' sh "$log" || return 1
	hm_wait_for 5 grep -qx END "$HM_WORK/fifo.got" || return 1
	echo "the FIFO's reader got:"
	cat "$HM_WORK/fifo.got"
	[ "$(cat "$HM_WORK/fifo.got")" = END ]
}
stop_reader() {
	[ -n "${catpid:-}" ] && kill "$catpid" 2>/dev/null
	wait "$catpid" 2>/dev/null
	catpid=
}
hm_at_exit stop_reader

# --- no .log yet: root's starter creates it as the user it drops to ------
rm -f "$log"
start_starter "$HM_WORK/first.out"
start_rc=$?
tap_check "root's ssd beta starts beta (exit 0)" \
	eval '[ $start_rc -eq 0 ] && is_state beta up || { cat "$HM_WORK/first.out"; false; }'
tap_check ".log is created by the user ssd runs as (_hmssd), not root" \
	eval 'stat -c "%F %U" "$log"; [ "$(stat -c "%F %U" "$log")" = "regular file _hmssd" ]'
tap_check "the starter logs there" \
	grep -q 'ssd@beta\[[0-9]*\]: starting ssd on beta' "$log"
tap_check "and so does its remote shell, through the file the starter checked" \
	grep -qx 'rsh: connected to beta' "$log"
stop_starter
tap_check "stopped, the starter marks beta down" \
	eval 'is_state beta down && grep -q "beta marked down" "$log"'

# --- a FIFO with nobody reading: the starter neither blocks nor uses it ---
rm -f "$log" && mkfifo -m 666 "$log"
start_starter "$HM_WORK/fifo.out"
start_rc=$?
tap_check "a FIFO as .log: the starter still starts beta, without waiting on it" \
	eval '[ $start_rc -eq 0 ] && is_state beta up || { echo "exit $start_rc"; cat "$HM_WORK/fifo.out"; false; }'
tap_check "the FIFO is refused, and said so on standard error" \
	grep -q '\.log is not a regular file: not used' "$HM_WORK/fifo.out"
tap_check "the FIFO is left as it was" eval '[ -p "$log" ]'
stop_starter

# --- a FIFO with a reader: nothing is written into it -------------------
fifo_reader
start_starter "$HM_WORK/fifo2.out"
start_rc=$?
tap_check "a FIFO with a reader as .log: beta starts" \
	eval '[ $start_rc -eq 0 ] && is_state beta up || { echo "exit $start_rc"; cat "$HM_WORK/fifo2.out"; false; }'
tap_check "neither the starter nor its remote shell writes into the FIFO" \
	fifo_got_only_end
stop_starter
stop_reader

# --- a symbolic link: not followed --------------------------------------
rm -f "$log"
: >"$HM_WORK/target"
ln -s "$HM_WORK/target" "$log"
start_starter "$HM_WORK/link.out"
start_rc=$?
tap_check "a link as .log: beta starts, the link is not followed" \
	eval '[ $start_rc -eq 0 ] && is_state beta up && [ -L "$log" ] && [ ! -s "$HM_WORK/target" ] ||
	    { echo "exit $start_rc"; cat "$HM_WORK/link.out"; false; }'
stop_starter

# --- -f: in the foreground, logging to .log all the same ----------------
rm -f "$log"
hm_host_spawn alpha "$HM_WORK/fg.out" "$bin/ssd" -f -r "$rsh" -D "$share" -i 1 beta >/dev/null
fgpid=$HM_LAST_PID
tap_check "ssd -f beta (a starter in the foreground) starts beta" hm_wait_for 10 is_state beta up
tap_check "and logs to .log, as -f says, with its remote shell's words" \
	eval 'grep -q "ssd@beta\[$fgpid\]: starting ssd on beta" "$log" &&
	    grep -qx "rsh: connected to beta" "$log" && [ ! -s "$HM_WORK/fg.out" ] ||
	    { cat "$HM_WORK/fg.out"; false; }'
hm_host_kill "$fgpid" TERM
hm_wait_for 5 eval '! remote_pid'

# --- the local demon (-f: in the foreground, logging to .log) ------------
fifo_reader
hm_host_spawn beta "$HM_WORK/local.out" "$bin/ssd" -f -D "$share" -i 1 >/dev/null
localpid=$HM_LAST_PID
tap_check "a local demon with a FIFO as .log runs" hm_wait_for 10 is_state beta up
tap_check "it refuses the FIFO and writes nothing into it" \
	eval 'grep -q "\.log is not a regular file: not used" "$HM_WORK/local.out" && fifo_got_only_end'
hm_host_kill "$localpid" TERM
stop_reader

tap_done
