#!/usr/bin/env bash
# t_csstat_api.sh: csstat(3) through the built library (tests/tools/
# csstat_call), in test hosts sharing one status folder that starts empty.
# csstat(NULL) on a host without status starts its ssd (CSSTAT_SSD, or the
# ssd next to the program) and reads the fresh status; "local" and the
# host's name read the same; a name without a file is ENOENT, a bad name
# EINVAL, and neither starts anything; a demon stopped (marked down) or
# killed (stale) is started again; a starter that hangs is given up after
# the documented 15 seconds.  Each demon is stopped by its PID.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"

B=${B:-build}
bin=$(cd "$B/bin" && pwd) || { echo "Bail out! no $B/bin"; exit 1; }
tools=$(cd "$B/tests/tools" && pwd) || { echo "Bail out! no $B/tests/tools"; exit 1; }
[ -x "$bin/ssd" ] && [ -x "$bin/ss" ] && [ -x "$tools/csstat_call" ] ||
	{ echo "Bail out! ssd, ss or csstat_call not built in $B"; exit 1; }

share=$HM_WORK/share/lib/ss
mkdir -p "$share" && chmod 1777 "$share"
START_LIMIT_S=15	# csstat(3): waits up to 15 seconds for a started demon

hm_hosts_create alpha beta || { tap_fail "create hosts"; tap_done; }

# call HOST [NAME]: one csstat() call inside HOST (csstat_call); sets res (its
# output), status and ms (not out and rc: tap_check has locals of those names).
# CALL_ENV is its environment besides CSSTAT_DIR (no CSSTAT_SSD unless it
# says so), CALL_PROG the csstat_call run.
CALL_ENV=("CSSTAT_SSD=$bin/ssd")
CALL_PROG=$tools/csstat_call
call() {
	local host=$1 t0
	shift
	t0=${EPOCHREALTIME//[!0-9]/}
	res=$(hm_host_exec "$host" env -u CSSTAT_SSD CSSTAT_DIR="$share" \
		"${CALL_ENV[@]}" timeout 60 "$CALL_PROG" "$@")
	status=$?
	ms=$(( (${EPOCHREALTIME//[!0-9]/} - t0) / 1000 ))
	tap_diag "csstat(${1:-NULL}) in $host by $CALL_PROG: $res (exit $status, $ms ms)"
}
field() { sed -n "s/.*\\<$1=\\(-\\{0,1\\}[0-9]*\\).*/\\1/p" <<<"$res"; }
# The ssd processes inside HOST (its network namespace), one PID a line.
demons() { pgrep --ns "$(hm_host_pid "$1")" --nslist net -x ssd; }
one_demon() {
	local d
	d=$(demons "$1")
	echo "ssd in $1: ${d:-none}"
	[ -n "$d" ] && [ "$(wc -l <<<"$d")" -eq 1 ]
}
no_demon() { local d; d=$(demons "$1"); echo "ssd in $1: ${d:-none}"; [ -z "$d" ]; }
state_of() { "$bin/ss" -n -j -D "$share" "$1" | sed -n 's/.*"state":"\([^"]*\)".*/\1/p'; }
# The demons csstat starts are detached, not the harness's: stopped by PID.
stop_demon() {
	kill -s "${2:-TERM}" "$1" || return 1
	hm_wait_for 10 eval "! hm_pid_alive $1"
}
up_now() { local u; u=$(cut -d. -f1 /proc/uptime); echo "$u"; }

# 1. Nothing in the folder: csstat(NULL) starts alpha's demon.
tap_check "before: no status file and no demon" \
	eval '[ -z "$(ls -A "$share")" ] && no_demon alpha && no_demon beta'
call alpha
tap_check "csstat(NULL) with no status: 0 and an up host" \
	eval '[ $status -eq 0 ] && [ "$(field up)" -gt 0 ]'
tap_check "within the documented bound (${START_LIMIT_S} s)" [ "$ms" -lt $((START_LIMIT_S * 1000)) ]
tap_check "a demon for alpha runs" one_demon alpha
pid=$(demons alpha)
first=$pid
started_right() {
	local cmd user
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline")
	user=$(stat -c %U "/proc/$pid")
	echo "pid $pid: $cmd as $user"
	[ "$cmd" = "ssd -D $share " ] && [ "$user" = _hmssd ]
}
tap_check "it is \"ssd -D <folder>\", unprivileged" started_right
tap_check "it made alpha's file, empty, and logged its start" \
	eval '[ -f "$share/alpha" ] && [ ! -L "$share/alpha" ] && [ ! -s "$share/alpha" ] &&
	    grep -q "started for alpha on $share" "$share/.log"'
# What csstat read is this host's: the up time is the kernel's, as the
# 16-bit encoding keeps it (at most 1/1024 less).
uptime_ok() {
	local u up
	u=$(field up)
	up=$(up_now)
	echo "csstat up $u, /proc/uptime $up"
	[ "$u" -le $((up + 1)) ] && [ "$u" -ge $((up - up / 1024 - 60)) ]
}
tap_check "the status read is alpha's own (its up time)" uptime_ok
tap_check "ss reads the same file: alpha up" eval '[ "$(state_of alpha)" = up ]'

# 2. With a fresh status, nothing more is started.
call alpha local
tap_check "csstat(\"local\"): 0, the same host up" eval '[ $status -eq 0 ] && [ "$(field up)" -gt 0 ]'
call alpha alpha
tap_check "csstat(\"alpha\") in alpha: 0, up" eval '[ $status -eq 0 ] && [ "$(field up)" -gt 0 ]'
tap_check "still the one demon" eval 'one_demon alpha && [ "$(demons alpha)" = "$first" ]'

# 3. Names without status, and bad names.
call alpha nosuchhost
tap_check "a host without a file: ENOENT" eval '[ $status -eq 1 ] && [ "$res" = error=ENOENT ]'
call alpha beta
tap_check "beta, which has no file yet, from alpha: ENOENT" \
	eval '[ $status -eq 1 ] && [ "$res" = error=ENOENT ]'
call alpha ../etc
tap_check "\"../etc\": EINVAL" eval '[ $status -eq 1 ] && [ "$res" = error=EINVAL ]'
call alpha .log
tap_check "\".log\" (which exists): EINVAL" eval '[ -e "$share/.log" ] && [ $status -eq 1 ] && [ "$res" = error=EINVAL ]'
tap_check "none of them started a demon or made a file" \
	eval '[ "$(demons alpha)" = "$first" ] && no_demon beta &&
	    [ ! -e "$share/nosuchhost" ] && [ ! -e "$share/beta" ]'

# 4. Stopped: the demon marks alpha down at once; csstat(NULL) starts another.
tap_check "the demon stops on TERM (by its PID)" stop_demon "$first"
tap_check "alpha is marked down" eval '[ "$(state_of alpha)" = down ]'
call alpha
tap_check "csstat(NULL) on a marked-down host: 0, up" eval '[ $status -eq 0 ] && [ "$(field up)" -gt 0 ]'
tap_check "by a new demon" eval 'one_demon alpha && [ "$(demons alpha)" != "$first" ]'
second=$(demons alpha)

# 5. Killed: the file goes stale (5 s here, 150 s for real) and csstat
# starts another.
tap_check "the demon is killed outright (by its PID)" stop_demon "$second" KILL
stale() { local age; age=$(( $(date +%s) - $(stat -c %Z "$share/alpha") )); echo "age $age"; [ "$age" -gt 5 ]; }
hm_wait_for 15 stale
CALL_ENV=("CSSTAT_SSD=$bin/ssd" CSSTAT_DOWN_AFTER=5)
call alpha
CALL_ENV=("CSSTAT_SSD=$bin/ssd")
tap_check "csstat(NULL) on a stale host: 0, up" eval '[ $status -eq 0 ] && [ "$(field up)" -gt 0 ]'
tap_check "by a new demon" eval 'one_demon alpha && [ "$(demons alpha)" != "$second" ]'
third=$(demons alpha)
tap_check "which is stopped by its PID" stop_demon "$third"

# 6. Without CSSTAT_SSD: the ssd next to the calling program.
nextto=$HM_WORK/nextto
mkdir -p "$nextto" && cp "$tools/csstat_call" "$bin/ssd" "$nextto/"
CALL_ENV=()
CALL_PROG=$nextto/csstat_call
call alpha
CALL_PROG=$tools/csstat_call
exe_ok() {
	local d
	d=$(demons alpha)
	echo "ssd $d: $(readlink "/proc/$d/exe")"
	# The same file, not the same name: a process of another mount
	# namespace names its program from that namespace's root (seen from a
	# chroot, with the chroot's folder before it).
	[ "/proc/$d/exe" -ef "$nextto/ssd" ]
}
tap_check "without CSSTAT_SSD, the ssd next to the program is started" \
	eval '[ $status -eq 0 ] && one_demon alpha && exe_ok'
tap_check "which is stopped by its PID" stop_demon "$(demons alpha)"

# 7. A starter that never says ready: csstat gives up after 15 s, kills it,
# and says what it found.
marker="sleep 300.$$"	# a unique command line to look for
printf '#!/bin/sh\nexec %s\n' "$marker" >"$HM_WORK/hanging-ssd"
chmod 755 "$HM_WORK/hanging-ssd"
CALL_ENV=("CSSTAT_SSD=$HM_WORK/hanging-ssd")
call beta
tap_check "a hanging starter: ENOENT after about ${START_LIMIT_S} s" \
	eval '[ $status -eq 1 ] && [ "$res" = error=ENOENT ] &&
	    [ "$ms" -ge $((START_LIMIT_S * 1000 - 500)) ] && [ "$ms" -lt $((START_LIMIT_S * 1000 + 5000)) ]'
tap_check "and the starter is killed" eval '! pgrep -f -x "$marker"'

tap_done
