#!/usr/bin/env bash
# shellcheck disable=SC2016  # tap_check eval strings use the variables
# A flood of SM_NOTIFY for one monitored host costs rpc.statd little.  h2
# sends h1's statd 200 notifications about itself, the state alternating
# 1, 2, 1, 2 ... (anyone may send SM_NOTIFY).  The first new state reaches
# the lock manager at once; the changes after it, inside the host's quiet
# time (5 s after a delivery), are held back, and only the newest (2) is
# delivered when that time is up.  Counted: statd's log lines, the lock
# manager's callbacks (nlmstub) and smsd's events; all stay bounded, and the
# lock manager ends with the true latest state.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib/tap.sh
. tests/integration/lib/hosts.sh
. tests/integration/lib/statd.sh

QUIET_S=5	# the quiet time after a delivery (callback.c CB_QUIET_MS)
FLOOD=200
B=${B:-build}
SMSD=$ST_BUILD/bin/smsd
[ -x "$SMSD" ] || { echo "Bail out! $SMSD not built"; exit 1; }
command -v jq >/dev/null || { echo "Bail out! jq missing"; exit 1; }
id _hmstatd >/dev/null 2>&1 || { echo "Bail out! no user _hmstatd (scripts/deps.sh)"; exit 1; }

hm_hosts_create h1 h2 || { echo "Bail out! no test hosts"; exit 1; }
A2=$(hm_host_addr h2)
LOG=$(st_dir h1)/statd.log

# smsd in h1 on its default posting socket, where statd posts its events.
W=$HM_WORK/smsd
mkdir -p "$W/dpkg"
chmod 755 "$HM_WORK" "$W"
cp /var/lib/dpkg/status "$W/dpkg/status"
printf '%s\n' "port 596" "listen 127.0.0.1" "member-name h1" "data-dir $W/data" \
	"pid-file $W/smsd.pid" "log-file $W/smsd.log" "dpkg-dir $W/dpkg" >"$W/smsd.conf"
hm_host_spawn h1 "$W/out.log" "$SMSD" -f "$W/smsd.conf" >/dev/null
hm_wait_for 10 hm_host_exec h1 curl -sf -o /dev/null http://127.0.0.1:596/v1/system ||
	{ echo "Bail out! smsd does not serve: $(tail -n 5 "$W/out.log")"; exit 1; }
smsd_events() {
	hm_host_exec h1 curl -s --max-time 10 "http://127.0.0.1:596/v1/events?name=hostmon.statd.notify" |
		jq '[.events[] | select(.message | startswith("h2 rebooted"))] | length'
}

hm_rpcbind h1 && st_start h1 && nlm_start h1 ||
	{ echo "Bail out! rpcbind, statd or nlmstub does not start in h1"; exit 1; }
PRIV=0f0e0d0c0b0a09080706050403020100
tap_check "h1's lock manager monitors h2" st_mon h1 h2 $PRIV

out=$(hm_host_exec h2 "$ST_SMCALL" -T 5 -h "$(hm_host_addr h1)" -n $FLOOD notify h2 1,2)
secs=$(sed -n 's/^[0-9]* calls in \([0-9]*\)\.[0-9]* s:.*/\1/p' <<<"$out")
if [ -n "$secs" ]; then
	tap_ok "h2 sent $FLOOD SM_NOTIFY about itself, states 1,2,1,2...: $out"
else
	tap_fail "the flood was sent" "$out"
	tap_done
fi
# Deliveries allowed: the first, then one per quiet time begun during the
# flood, then the newest at the end.
allowed=$((2 + secs / QUIET_S))

last_state() { awk -v n=h2 '$1 == "call" && $2 == 16 && $8 == n { s = $10 } END { print s }' "$(nlm_calls h1)"; }
tap_check "the lock manager ends with the latest state, 2" \
	hm_wait_for $((QUIET_S + 15)) eval '[ "$(last_state)" = 2 ] && [ "$(st_told h1 h2 2)" -ge 1 ]'
sleep 1		# (anything late would come now; the counts below must not grow)

told=$(($(st_told h1 h2 1) + $(st_told h1 h2 2)))
tap_check "statd called the lock manager back $told times (at most $allowed)" \
	eval '[ "$told" -ge 2 ] && [ "$told" -le "$allowed" ]'
calls=$(nlm_count h1 "^call 16 .* mon_name h2 ")
# A callback answered late is sent again: at most twice per delivery.
tap_check "nlmstub recorded $calls callbacks about h2 (at most $((2 * allowed)))" \
	eval '[ "$calls" -le $((2 * allowed)) ]'
tap_check "both states reached it, nothing else" same_text "$(nlm_pairs h1 | tr '\n' ,)" "h2 1,h2 2,"
# One line per delivery, ten a minute for those held back or repeated.
lines=$(grep -c "SM_NOTIFY from $A2: h2 is in state" "$LOG")
tap_check "statd logged $lines lines for $FLOOD notifications (at most $((allowed + 10)))" \
	eval '[ "$lines" -le $((allowed + 10)) ]'
folded=$(grep "h2 is in state 2: delivered after its quiet time" "$LOG" |
	sed -n 's/.*the newest of \([0-9]*\) notifications held back$/\1/p' | tail -n 1)
tap_check "the held state's line says how many notifications it stands for ($folded)" \
	eval '[ "${folded:-0}" -ge 1 ]'
tap_check "smsd heard of h2's reboot at most $allowed times" \
	hm_wait_for 5 eval 'n=$(smsd_events) && [ "$n" -ge 2 ] && [ "$n" -le "$allowed" ]'

# After the quiet time a new state is delivered at once again.
sleep $((QUIET_S + 1))
hm_host_exec h2 "$ST_SMCALL" -T 5 -h "$(hm_host_addr h1)" notify h2 3 >/dev/null
tap_check "after the quiet time, state 3 is delivered at once (within 2 s)" \
	hm_wait_for 2 eval '[ "$(last_state)" = 3 ]'

tap_check "statd stops cleanly on SIGTERM" st_stop h1
tap_check "no statd log reports a sanitizer error" eval \
	'! grep -l "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$HM_WORK"/h*/statd/statd.log'
tap_done
