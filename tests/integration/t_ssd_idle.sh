#!/usr/bin/env bash
# t_ssd_idle.sh: the ssd.idle hook next to ssd: busy, free, a number, idle
# (time added), anything else (the default algorithm), a hook that hangs
# or fails; and a hook added later is noticed only after a restart.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"

B=${B:-build}
bin=$(cd "$B/bin" && pwd) || { echo "Bail out! no $B/bin"; exit 1; }
[ -x "$bin/ssd" ] && [ -x "$bin/ss" ] || { echo "Bail out! ssd/ss not built in $B"; exit 1; }

export CSSTAT_DOWN_AFTER=4	# testing only: the real threshold is 150 s
share=$HM_WORK/share/lib/ss
mkdir -p "$share" && chmod 1777 "$share"
# ssd looks for ssd.idle in its own folder: a private copy of ssd.
hookdir=$HM_WORK/hookbin
mkdir -p "$hookdir"
install -m 755 "$bin/ssd" "$hookdir/ssd"
mode=$HM_WORK/idle.mode
marker="sleep 300.$$"	# a unique command line to count

hm_hosts_create alpha || { tap_fail "create hosts"; tap_done; }

json() { "$bin/ss" -n -j -D "$share" alpha; }
idle_of() { json | sed -n 's/.*"idle":\([0-9]*\).*/\1/p'; }
idle_is() { local i; i=$(idle_of); echo "idle $i"; [ "$i" = "$1" ]; }
# Two updates after now, so a change of mode has been acted on.
ctime_of() { stat -c %Z "$share/alpha"; }
updated_since() { [ "$(ctime_of)" -gt "$1" ]; }
settle() {
	local t
	t=$(date +%s)
	hm_wait_for 10 updated_since "$t" && t=$(ctime_of) &&
		hm_wait_for 10 updated_since "$t"
}

# Started without a hook; one added later is not seen until a restart.
hm_host_spawn alpha "$HM_WORK/ssd1.out" "$hookdir/ssd" -f -D "$share" -i 1 >/dev/null
first=$HM_LAST_PID
hm_wait_for 10 test -e "$share/alpha"
printf '#!/bin/sh\nexec cat %s\n' "$mode" >"$hookdir/ssd.idle.new"
chmod 755 "$hookdir/ssd.idle.new"
echo busy >"$mode"
mv "$hookdir/ssd.idle.new" "$hookdir/ssd.idle"
settle
default_idle=$(idle_of)
tap_check "a hook added to a running ssd is ignored until a restart" \
	[ "${default_idle:-0}" -gt 0 ]
hm_host_kill "$first" TERM

# -v: the log says how each answer of the hook was taken.
hm_host_spawn alpha "$HM_WORK/ssd2.out" "$hookdir/ssd" -f -v -D "$share" -i 1 >/dev/null
tap_check "busy: idle 0" hm_wait_for 10 idle_is 0

echo free >"$mode"
tap_check "free: a large idle time (55 weeks)" hm_wait_for 10 idle_is 33538048
# Longer than the host's up time: AST's ss prints %, ss -j the seconds.
tap_check "ss shows it as % (longer than the up time), ss -j as seconds" eval \
	"\"$bin/ss\" -n -D \"$share\" alpha | grep -q 'idle      %,' &&
	\"$bin/ss\" -n -j -D \"$share\" alpha | grep -q '\"idle\":33538048'"

# The hook's numbers stay below 2048 (exact in the encoding) and far from
# the default here, which without users or input devices is the uptime.
up=$(cut -d. -f1 /proc/uptime)
if [ "$up" -lt 1000 ]; then base=1800; else base=400; fi
echo $base >"$mode"
tap_check "a number of seconds: that idle time" hm_wait_for 10 idle_is $base

echo idle >"$mode"
grows() { local i; i=$(idle_of); echo "idle $i"; [ "$i" -ge $((base + 2)) ] && [ "$i" -le $((base + 66)) ]; }
tap_check "idle: the seconds since the last check are added" hm_wait_for 10 grows

echo 'whatever' >"$mode"
back_to_default() { local i; i=$(idle_of); echo "idle $i"; [ "$i" -lt "$base" ] || [ "$i" -gt $((base + 66)) ]; }
tap_check "anything else: the default algorithm" \
	eval 'hm_wait_for 10 grep -q "ssd.idle said \"whatever\": default algorithm" "$share/.log" &&
	    hm_wait_for 10 back_to_default'

echo $base >"$mode"
hm_wait_for 10 idle_is $base
# A hook that hangs: killed at its limit (1 s here), the file stays fresh.
printf '#!/bin/sh\nexec %s\n' "$marker" >"$hookdir/ssd.idle"
t=$(ctime_of)
tap_check "a hanging hook does not stall the updates" \
	eval "hm_wait_for 10 updated_since $t && t2=\$(ctime_of) && hm_wait_for 10 updated_since \$t2"
tap_check "a hanging hook's idle is the default algorithm's" hm_wait_for 10 back_to_default
few_hangs() { local n; n=$(pgrep -c -f "$marker"); echo "$n hanging hooks"; [ "$n" -le 1 ]; }
tap_check "hung hooks are killed, not piled up" few_hangs
tap_check "the hang is logged" grep -q "ssd.idle: no answer within 1000 ms: killed" "$share/.log"

printf '#!/bin/sh\nexit 7\n' >"$hookdir/ssd.idle"
# An update with a hanging run may still be under way: wait for the failure
# to be logged, then for an update after it.
tap_check "a failing hook does not stop ssd" \
	eval "hm_wait_for 10 grep -q 'ssd.idle: no output (exit 7)' $share/.log &&
	    t=\$(ctime_of) && hm_wait_for 10 updated_since \$t"
tap_check "alpha stayed up throughout" eval '[ "$("$bin/ss" -n -j -D "$share" alpha | sed -n "s/.*\"state\":\"\([a-z]*\)\".*/\1/p")" = up ]'

tap_done
