#!/usr/bin/env bash
# t_statd_reboot.sh: a reboot of one host reaches the lock managers of the
# others, through our rpc.statd on each side.
#
# Three test hosts, each with rpcbind, our statd and nlmstub (a lock manager
# that records its callbacks).  h2's lock manager monitors h1 by name and h3
# by address; h1 and h3 monitor h2.  Covered: reboot (new boot id) and
# SM_SIMU_CRASH notify with state + 2 and the priv given; a repeated
# notification is not delivered twice; a restart in the same boot keeps the
# state and the monitors and notifies nobody; a notification pending when
# statd is killed -9 is sent after the next start; one that got no answer
# (partition) is retried and delivered once the partition heals.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"
. "$lib/statd.sh"

started=$EPOCHREALTIME
PRIV_H1=a1a1a1a1000000000000000000000001
PRIV_H3=c3c3c3c3000000000000000000000003
PRIV_MARK=0000000000000000000000000000beef

# HOST's statd log has, after line N, no SM_NOTIFY from address A, while
# before it has (so a change of the log's wording cannot pass unnoticed).
no_notify_since() {
	local log
	log=$(st_dir "$1")/statd.log
	head -n "$2" "$log" | grep -q "SM_NOTIFY from $3" ||
		{ echo "the log never says 'SM_NOTIFY from $3'"; return 1; }
	! tail -n +$(($2 + 1)) "$log" | grep "SM_NOTIFY from $3"
}

reboot() {
	st_stop "$1" && st_boot "$1" && st_start "$1"
}

hm_hosts_create 3 || { tap_fail "create 3 hosts"; tap_done; }
h3addr=$(hm_host_addr h3)
up=0
for h in h1 h2 h3; do
	hm_rpcbind "$h" && st_start "$h" && nlm_start "$h" && up=$((up + 1))
done
if [ $up -ne 3 ]; then
	tap_fail "rpcbind, statd and nlmstub start on h1, h2, h3"
	tap_done
fi
tap_ok "rpcbind, statd and nlmstub run on h1, h2, h3"

tap_check "h2 monitors h1 by name" st_mon h2 h1 $PRIV_H1
tap_check "h2 monitors h3 by address ($h3addr)" st_mon h2 "$h3addr" $PRIV_H3
tap_check "h2 monitors a marker name (for ordering)" st_mon h2 marker $PRIV_MARK
tap_check "h1 monitors h2" st_mon h1 h2 0
tap_check "h3 monitors h2" st_mon h3 h2 0

# --- reboot of h1 -------------------------------------------------------------
s0=$(st_state h1)
tap_check "reboot h1 (new boot id)" reboot h1
s1=$((s0 + 2))
tap_check "h2's lock manager is called back: mon_name h1 state $s1 with its priv" \
	nlm_wait h2 15 "mon_name h1 state $s1 priv $PRIV_H1\$"
tap_check "the callback came from 127.0.0.1 and a reserved port" \
	nlm_from_loopback_reserved h2 "mon_name h1 state $s1 "
tap_check "h1's state advanced by 2 ($s0 -> $s1)" same_text "$(st_state h1)" "$s1"
tap_check "h1 has no pending notification after delivery" \
	hm_wait_for 10 eval '[ "$(st_pending h1)" = 0 ]'
tap_check "h1 forgot its monitors with the reboot" \
	eval 'st_list h1 | grep -q "^entries 0 "'
tap_check "h1 and h3 got no callback" eval \
	'[ "$(nlm_count h1 "^call 16")" = 0 ] && [ "$(nlm_count h3 "^call 16")" = 0 ]'

# --- reboot of h3: h2 monitored it by address, h3 announces its name ------------
s3=$(st_state h3)
tap_check "reboot h3 (new boot id)" reboot h3
tap_check "h2's lock manager is called back with the address it monitored: mon_name $h3addr state $((s3 + 2))" \
	nlm_wait h2 15 "mon_name $h3addr state $((s3 + 2)) priv $PRIV_H3\$"

# --- SM_SIMU_CRASH on h1 --------------------------------------------------------
tap_check "h1 monitors h2 again" st_mon h1 h2 0
tap_check "SM_SIMU_CRASH on h1" eval 'st_smcall h1 crash | grep -qx ok'
s2=$((s1 + 2))
tap_check "SM_SIMU_CRASH: h2's lock manager gets mon_name h1 state $s2" \
	nlm_wait h2 15 "mon_name h1 state $s2 priv $PRIV_H1\$"
tap_check "SM_SIMU_CRASH: h1's state is $s2, nothing pending" \
	hm_wait_for 10 eval '[ "$(st_state h1)" = '"$s2"' ] && [ "$(st_pending h1)" = 0 ]'

# --- a repeated notification is not delivered twice ----------------------------
tap_check "h1 sends SM_NOTIFY h1 $s2 to h2 again" \
	eval 'st_smcall h1 -h "$(hm_host_addr h2)" notify h1 '"$s2"' | grep -qx ok'
# A later notification, sent from h2's loopback (whose address no monitored
# name has), is delivered after anything the repeat could have queued.
tap_check "a marker notification sent after it is delivered" eval \
	'st_smcall h2 notify marker 1001 | grep -qx ok &&
	 nlm_wait h2 15 "mon_name marker state 1001 priv $PRIV_MARK\$"'
# h2's statd says in its log, before it answers, that it matched no host
# anew, and it delivered the callback for state $s2 at most once: it logs a
# delivery ("told") once, when the lock manager answered in time, while
# nlmstub may record one more than once (see statd.sh).  A callback the
# repeat had queued would have reached nlmstub before the marker's.
repeat_ignored() {
	local log
	log=$(st_dir h2)/statd.log
	grep "SM_NOTIFY from $(hm_host_addr h1): h1 is in state $1;" "$log"
	grep -q "SM_NOTIFY from $(hm_host_addr h1): h1 is in state $1; 0 hosts matched (repeat ignored)\$" \
		"$log" && [ "$(st_told h2 h1 "$1")" -le 1 ]
}
tap_check "the repeat was not delivered (one callback for state $s2)" repeat_ignored "$s2"
tap_check "h2's lock manager heard of each notification so far, and of nothing else" \
	same_text "$(nlm_pairs h2)" \
	"$(printf '%s\n' "h1 $s1" "$h3addr $((s3 + 2))" "h1 $s2" "marker 1001" | LC_ALL=C sort)"

# --- a restart in the same boot ----------------------------------------------
tap_check "h1 monitors h2 again" st_mon h1 h2 0
callbacks=$(nlm_pairs h2)
h2log_lines=$(wc -l <"$(st_dir h2)/statd.log")
tap_check "restart h1's statd with the same boot id" \
	eval 'st_stop h1 && st_start h1'
tap_check "after the restart: same state $s2, monitor of h2 kept, nothing pending" \
	eval 'st_list h1 | grep -q "^state '"$s2"' " &&
	      st_list h1 | grep -q "^entries 1 hosts 1 pending 0\$" &&
	      st_list h1 | grep -q "^monitor h2 by h1 "'
tap_check "after the restart: h1 answers SM_STAT with state $s2" \
	eval 'st_smcall h2 -h "$(hm_host_addr h1)" stat h1 | grep -qx "stat_succ '"$s2"'"'
# Nothing can come later either: the daemon says at start what it queued.
tap_check "the restarted statd queued no notification" eval \
	'grep "ready: state" "$(st_dir h1)/statd.log" | tail -n 1 |
	 grep -q "ready: state '"$s2"', .* 0 notifications pending"'
# Distinct pairs: a late answer may have made h2's statd send a callback from
# before the restart again, which is not a new one.
tap_check "the restart notified nobody" same_text "$(nlm_pairs h2)" "$callbacks"
tap_check "h2's statd got no SM_NOTIFY from h1 after the restart" \
	no_notify_since h2 "$h2log_lines" "$(hm_host_addr h1)"

# --- a pending notification survives kill -9 ----------------------------------
hm_partition h1 h2
tap_check "reboot h1 while it cannot reach h2" reboot h1
s4=$((s2 + 2))
tap_check "the notification to h2 (state $s4) is pending in h1's status file" \
	eval 'st_list h1 | grep -q "^notify h2 state '"$s4"' "'
tap_check "h1's statd tried to reach h2 and got no answer" \
	hm_wait_for 10 grep -q "notify h2: no answer" "$(st_dir h1)/statd.log"
tap_check "kill -9 h1's statd" st_kill9 h1
tap_check "after kill -9 the notification is still pending" \
	eval 'st_list h1 | grep -q "^notify h2 state '"$s4"' "'
hm_heal h1 h2
tap_check "no callback reached h2 in the meantime" \
	same_text "$(nlm_count h2 "mon_name h1 state $s4 ")" 0
tap_check "start h1's statd again (same boot id: a restart)" st_start h1
tap_check "h1's state stayed $s4 over the restart" same_text "$(st_state h1)" "$s4"
tap_check "h2's lock manager gets mon_name h1 state $s4 after the restart" \
	nlm_wait h2 20 "mon_name h1 state $s4 priv $PRIV_H1\$"
tap_check "then nothing is pending on h1" \
	hm_wait_for 10 eval '[ "$(st_pending h1)" = 0 ]'

# --- a notification that failed is retried, without a restart -----------------
tap_check "h3 monitors h2 again" st_mon h3 h2 0
hm_partition h3 h2
s5=$(( $(st_state h3) + 2 ))
tap_check "reboot h3 while it cannot reach h2" reboot h3
tap_check "h3's first attempt to reach h2 got no answer" \
	hm_wait_for 10 grep -q "notify h2: no answer" "$(st_dir h3)/statd.log"
hm_heal h3 h2
tap_check "after the partition heals, a retry reaches h2's lock manager: mon_name $h3addr state $s5" \
	nlm_wait h2 30 "mon_name $h3addr state $s5 priv $PRIV_H3\$"
tap_check "then nothing is pending on h3" \
	hm_wait_for 10 eval '[ "$(st_pending h3)" = 0 ]'

for h in h1 h2 h3; do
	tap_check "$h's statd stops cleanly on SIGTERM" st_stop "$h"
done
tap_check "no statd log reports a sanitizer error" eval \
	'! grep -l "ERROR: AddressSanitizer\|runtime error:" "$HM_WORK"/h*/statd/statd.log'

took=$(( ${EPOCHREALTIME//[!0-9]/} - ${started//[!0-9]/} ))
tap_diag "t_statd_reboot took $((took / 1000)) ms"
tap_done
