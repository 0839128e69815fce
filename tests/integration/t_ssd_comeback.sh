#!/usr/bin/env bash
# t_ssd_comeback.sh: ssd updates at once when a user comes back after at
# least a minute of idleness (ssd(8): it looks every 10 seconds), not at its
# next regular update.  In a test host with a devpts of its own, ttylogin
# holds a pseudo-terminal and a utmp login on it (the host's /run is
# private); the terminal's access time, set 10 minutes back, makes ssd's
# default algorithm see an idle user; a keystroke read from the terminal
# (the kernel sets its access time) brings the user back.  ssd runs with
# -i 600, so its regular updates are 600 to 900 seconds apart.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"

B=${B:-build}
bin=$(cd "$B/bin" && pwd) || { echo "Bail out! no $B/bin"; exit 1; }
tools=$(cd "$B/tests/tools" && pwd) || { echo "Bail out! no $B/tests/tools"; exit 1; }
[ -x "$bin/ssd" ] && [ -x "$bin/ss" ] && [ -x "$tools/ttylogin" ] ||
	{ echo "Bail out! ssd, ss or ttylogin not built in $B"; exit 1; }

share=$HM_WORK/share/lib/ss
mkdir -p "$share" && chmod 1777 "$share"
CHECK_S=10	# ssd's period for looking whether a user came back
AWAY_S=600	# how long the user has been away

hm_hosts_create alpha || { tap_fail "create hosts"; tap_done; }

# Terminals of alpha's own: a new devpts instance, and /dev/ptmx opening it.
if hm_host_exec alpha mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 \
	hm-devpts /dev/pts && hm_host_exec alpha mount --bind /dev/pts/ptmx /dev/ptmx; then
	tap_ok "alpha has a devpts of its own"
else
	tap_fail "alpha has a devpts of its own"
	tap_done
fi

hm_host_spawn alpha "$HM_WORK/ttylogin.out" "$tools/ttylogin" -u comeback >/dev/null
login=$HM_LAST_PID
hm_wait_for 5 grep -q '^pts/[0-9]*$' "$HM_WORK/ttylogin.out" ||
	{ tap_fail "ttylogin logs in" "$(cat "$HM_WORK/ttylogin.out")"; tap_done; }
line=$(head -n 1 "$HM_WORK/ttylogin.out")
tty=/dev/$line
tap_check "utmp in alpha names the login on $line" \
	eval "hm_host_exec alpha who | grep -E '^comeback +$line '"

atime() { hm_host_exec alpha stat -c %X "$tty"; }
hm_host_exec alpha touch -a -d "@$(( $(date +%s) - AWAY_S ))" "$tty"

json() { "$bin/ss" -n -j -D "$share" alpha; }
field() { json | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
ctime_of() { stat -c %Z "$share/alpha"; }
idle_at_least() { local i; i=$(field idle); echo "idle ${i:-none}"; [ "${i:-0}" -ge "$1" ]; }
idle_below() { local i; i=$(field idle); echo "idle ${i:-none}"; [ -n "$i" ] && [ "$i" -lt "$1" ]; }

# -d -v: in the foreground, its debug lines (each update, the come-back)
# in the spawn log.
ssdlog=$HM_WORK/ssd.out
hm_host_spawn alpha "$ssdlog" "$bin/ssd" -d -v -D "$share" -i 600 >/dev/null
ssd=$HM_LAST_PID
tap_check "ssd publishes the idle user: idle >= $AWAY_S" hm_wait_for 10 idle_at_least "$AWAY_S"
tap_check "and counts the session" eval '[ "$(field users)" = 1 ]'

# While the user stays away, the checks change nothing: whatever updates
# the file after the keystroke is the come-back.
updates() { grep -c ' idle [0-9]* load ' "$ssdlog"; }
first=$(ctime_of)
sleep $((CHECK_S + 2))
still_away() {
	echo "ctime $(ctime_of), first update $first; $(updates) updates"
	[ "$(ctime_of)" = "$first" ] && [ "$(updates)" = 1 ] && idle_at_least "$AWAY_S"
}
tap_check "no update while the user stays away ($((CHECK_S + 2)) s, one check or more)" still_away

# The clock read before the keystroke bounds the access time it sets.
t0=$(date +%s)
hm_host_kill "$login" USR1
typed() { local a; a=$(atime); echo "atime $a, keystroke at or after $t0"; [ "$a" -ge "$t0" ]; }
tap_check "a keystroke sets the terminal's access time" hm_wait_for 10 typed

start_us=${EPOCHREALTIME//[!0-9]/}
tap_check "the published idle drops below 60 s within $((CHECK_S + 5)) s" \
	hm_wait_for $((CHECK_S + 5)) idle_below 60
took_ms=$(( (${EPOCHREALTIME//[!0-9]/} - start_us) / 1000 ))
tap_diag "idle $(field idle) ${took_ms} ms after the keystroke"
# The next regular update is due 600 to 900 s after the first.
one_early_update() {
	echo "ctime $(ctime_of), first update $first; $(updates) updates"
	[ "$(ctime_of)" -gt "$first" ] && [ "$(ctime_of)" -lt $((first + 600)) ] &&
		[ "$(updates)" = 2 ]
}
# (the file's times are set before the update's log line is written)
tap_check "one update, long before the next regular one" hm_wait_for 5 one_early_update
tap_check "ssd said why" grep -q "user came back: update now" "$ssdlog"
tap_check "ssd still runs" hm_pid_alive "$ssd"

hm_host_kill "$ssd" TERM
hm_host_kill "$login" TERM
tap_check "the logout is recorded" eval "! hm_host_exec alpha who | grep -q '^comeback '"

tap_done
