#!/usr/bin/env bash
# t_statd_switch.sh: a Debian NFS server switches from nfs-common's statd to
# ours with no monitored host lost (issue 15).
#
# Host "srv" runs rpcbind, Debian's rpc.statd on its /var/lib/nfs, and
# NFS-Ganesha as the lock manager; c1, c2, c3 run rpcbind, our statd and
# nlmstub, and their statd monitors srv.
#   (a) Debian's statd monitors c3 (SM_MON); c3 is cut off the network and
#       srv "reboots" the Debian way (sm-notify, which cannot reach c3 and
#       is stopped): c3 stays owed a notification in sm.bak.
#   (b) c1 and c2 lock files on srv: Ganesha asks Debian's statd to monitor
#       them (sm/c1, sm/c2).
#   (c) The switch, as the package makes it: Debian's statd stops, ours
#       starts on the same folder.  It imports c1 and c2 with Ganesha's
#       my_name and priv, c3's pending notification, and a state above
#       Debian's; it writes nsm_local_state; Debian's files are unchanged.
#   (d) c1 reboots: our statd calls Ganesha back with the imported entry,
#       and Ganesha releases c1's lock (c2 may now take it).
#   (e) srv reboots (ours, new boot id): c1, c2 and, once back on the
#       network, c3 hear SM_NOTIFY from srv with a state above any Debian's
#       statd sent.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"
. "$lib/statd.sh"
. "$lib/peers.sh"

peers_need_nfs_common
peers_need_ganesha
NLMCLIENT=$ST_BUILD/tests/tools/nlmclient
if [ ! -x "$NLMCLIENT" ]; then
	echo "Bail out! $NLMCLIENT is not built (make B=${B:-build} build)"
	exit 1
fi

started=$EPOCHREALTIME
PRIV_C=c1c1c1c1000000000000000000000001	# the clients' lock managers, about srv
PRIV_DEB=3d3d3d3d000000000000000000000003	# srv's SM_MON of c3, by hand

hm_hosts_create srv c1 c2 c3 || { tap_fail "create 4 hosts"; tap_done; }

SRV=$(hm_host_dir srv)
NFSDIR=$SRV/var/lib/nfs		# the host's own /var/lib/nfs
GDIR=$SRV/ganesha
EXPORT=$SRV/export
mkdir -p "$GDIR/recovery" "$EXPORT" "$NFSDIR/sm" "$NFSDIR/sm.bak" &&
	chown -R statd "$NFSDIR" &&
	for f in file1 file2 file3; do : >"$EXPORT/$f" && chmod 666 "$EXPORT/$f"; done

# /proc/sys/fs/nfs/nsm_local_state as srv sees it: a file of its own, so
# neither statd writes the machine's (nor needs lockd loaded).
KSTATE=$SRV/fs/proc/sys/fs/nfs/nsm_local_state
if hm_host_private srv /proc/sys/fs && mkdir -p "$(dirname "$KSTATE")" &&
	echo 0 >"$KSTATE"; then
	tap_ok "srv sees a private /proc/sys/fs/nfs/nsm_local_state"
else
	tap_fail "srv sees a private /proc/sys/fs/nfs/nsm_local_state"
fi

deb_registered() { hm_host_exec srv rpcinfo -T udp 127.0.0.1 100024 1; }
deb_state() { od -An -tu4 "$NFSDIR/state" | tr -d ' '; }
DEB_PID=
deb_start() {
	hm_host_spawn srv "$SRV/debian-statd.log" /usr/sbin/rpc.statd -F -d -L \
		>/dev/null || return 1
	DEB_PID=$HM_LAST_PID
	hm_wait_for 10 deb_registered
}
deb_stop() {
	[ -n "$DEB_PID" ] || return 0
	hm_host_kill "$DEB_PID" TERM && DEB_PID=
}

up=0
hm_rpcbind srv && deb_start && up=$((up + 1))
for h in c1 c2 c3; do
	hm_rpcbind "$h" && st_start "$h" && nlm_start "$h" &&
		st_mon "$h" srv $PRIV_C && up=$((up + 1))
done
if [ $up -ne 4 ]; then
	tap_fail "Debian's statd on srv; our statd, nlmstub on c1 c2 c3, each monitoring srv" \
		"$(tail -n 20 "$SRV/debian-statd.log" 2>/dev/null)"
	tap_done
fi
tap_ok "Debian's statd on srv; our statd, nlmstub on c1 c2 c3, each monitoring srv"
d0=$(deb_state)
tap_check "Debian's statd wrote state $d0 for the kernel too" \
	eval '[ "$(cat "$KSTATE")" = "$d0" ]'

# --- (a) c3's notification left pending -------------------------------------
tap_check "Debian's statd monitors c3 (SM_MON)" st_mon srv c3 $PRIV_DEB
tap_check "it recorded sm/c3" test -f "$NFSDIR/sm/c3"
hm_isolate c3
tap_check "srv reboots the Debian way: statd stops" deb_stop
# sm-notify retries c3 for minutes; it is stopped with c3 still owed.
hm_host_exec srv timeout 15 /usr/sbin/sm-notify -f -d -v srv >/dev/null 2>&1
d1=$(deb_state)
tap_check "sm-notify advanced Debian's state ($d0 -> $d1)" eval "[ '$d1' -gt '$d0' ]"
tap_check "c3 is left in sm.bak, owed a notification" test -f "$NFSDIR/sm.bak/c3"
tap_check "Debian's statd starts again" deb_start

# --- (b) Ganesha locks: real SM_MON through Debian's statd --------------------
echo "leak:libtirpc.so" >"$HM_WORK/lsan-tirpc.supp"
nlm() {
	hm_host_exec "$1" env LSAN_OPTIONS="suppressions=$HM_WORK/lsan-tirpc.supp:print_suppressions=0" \
		timeout 60 "$NLMCLIENT" -T 25 -t tcp -o "$4" srv "$EXPORT" "$2" "$3"
}
nlm_is() {
	local out err=$HM_WORK/nlmclient.err
	out=$(nlm "$1" "$2" "$3" "$4" 2>"$err")
	[ "$out" = "$5" ] && return 0
	echo "nlmclient $3 $2 on $1: got '$out', expected '$5'"
	cat "$err"
	return 1
}
ganesha_write_conf "$GDIR/ganesha.conf" true "$GDIR/recovery" "$EXPORT"
ganesha_registered() {
	hm_host_exec srv rpcinfo -T udp 127.0.0.1 100021 4 &&
	hm_host_exec srv rpcinfo -T udp 127.0.0.1 100005 3
}
hm_host_spawn srv "$GDIR/ganesha.out" "$GANESHA" -F -L "$GDIR/ganesha.log" \
	-f "$GDIR/ganesha.conf" -p "$GDIR/ganesha.pid" >/dev/null
GPID=$HM_LAST_PID
if ! hm_wait_for 20 ganesha_registered; then
	tap_fail "Ganesha starts on srv" "$(tail -n 30 "$GDIR/ganesha.log" 2>/dev/null)"
	tap_done
fi
tap_ok "Ganesha starts on srv"
tap_check "c1's lock on file1 is granted" nlm_is c1 file1 lock 1 granted
tap_check "c2's lock on file2 is granted" nlm_is c2 file2 lock 2 granted
tap_check "Ganesha had Debian's statd monitor c1 and c2 (sm/c1, sm/c2)" \
	hm_wait_for 10 eval 'grep -q " c1 srv$" "$NFSDIR/sm/c1" && grep -q " c2 srv$" "$NFSDIR/sm/c2"'
tap_check "c2's lock on file1 is denied (c1 holds it)" nlm_is c2 file1 lock 2 denied

# --- (c) the switch -----------------------------------------------------------
before=$(cd "$NFSDIR" && find . -type f -exec md5sum {} + | LC_ALL=C sort)
tap_check "the switch: Debian's statd stops" deb_stop
tap_check "the switch: our statd starts on srv's /var/lib/nfs" \
	st_start srv -P /var/lib/nfs
s_imp=$(st_state srv)
tap_check "our state $s_imp is odd and above Debian's $d1" \
	eval "[ '$s_imp' -gt '$d1' ] && [ \$(( $s_imp % 2 )) = 1 ]"
tap_check "it imported c1 and c2 with Ganesha's my_name, program and priv" eval \
	'st_list srv | grep -q "^monitor c1 by srv prog 100021 vers 4 proc 16 priv 0\{32\}$" &&
	 st_list srv | grep -q "^monitor c2 by srv prog 100021 vers 4 proc 16 priv 0\{32\}$"'
tap_check "it owes c3 a notification (from sm.bak)" \
	eval 'st_list srv | grep -q "^notify c3 state $s_imp "'
tap_check "it logged what it imported" grep -q \
	"imported from nfs-utils' /var/lib/nfs (read only): state $d1, now $s_imp; 2 monitors from 2 files of sm; 1 pending" \
	"$(st_dir srv)/statd.log"
tap_check "it wrote state $s_imp to nsm_local_state" \
	eval '[ "$(cat "$KSTATE")" = "$s_imp" ]'
after=$(cd "$NFSDIR" && find . -type f -exec md5sum {} + | LC_ALL=C sort)
tap_check "nfs-common's files are unchanged" same_text "$after" "$before"
# rpc.statd -l -j through jq: state, monitored names, pending names.
list_jq() {
	hm_host_exec srv "$ST_STATD" -l -j -f "$(st_dir srv)/statd.status" |
		jq -r '[(.state | tostring), (.monitors | map(.mon_name) | sort | join(",")),
			(.notifications | map(.mon_name) | join(","))] | join(" ")'
}
tap_check "rpc.statd -l -j says the same to jq" same_text "$(list_jq)" "$s_imp c1,c2 c3"

# --- (d) Ganesha, through the imported entry, releases a rebooted client ------
# shellcheck disable=SC2034 # read in an eval string
lines=$(wc -l <"$(st_dir srv)/statd.log")
s_c1=$(( $(st_state c1) + 2 ))
tap_check "c1 reboots (new boot id)" eval 'st_stop c1 && st_boot c1 && st_start c1'
# A rebooted client's lock manager watches its server anew.
tap_check "c1's statd monitors srv again" st_mon c1 srv $PRIV_C
tap_check "our statd called Ganesha back about c1, state $s_c1" \
	hm_wait_for 20 eval 'tail -n +$((lines + 1)) "$(st_dir srv)/statd.log" |
		grep -q "told program 100021 that c1 is in state $s_c1\$"'
tap_check "Ganesha released c1 and unmonitored it" \
	hm_wait_for 15 eval '! st_list srv | grep -q "^monitor c1 "'
tap_check "c2's lock on file1 is now granted" hm_wait_for 15 nlm_is c2 file1 lock 2 granted
tap_check "c1 locks file3: Ganesha monitors c1 again, through ours" eval \
	'nlm_is c1 file3 lock 1 granted &&
	 hm_wait_for 10 eval "st_list srv | grep -q \"^monitor c1 by srv \""'

# --- (e) srv reboots: every client hears a state above Debian's -------------
tap_check "srv's statd reboots (new boot id)" \
	eval 'st_stop srv && st_boot srv && st_start srv -P /var/lib/nfs'
s_new=$(st_state srv)
tap_check "its state $s_new is above $s_imp" eval "[ '$s_new' -gt '$s_imp' ]"
for h in c1 c2; do
	tap_check "$h's lock manager hears: mon_name srv state $s_new" \
		nlm_wait "$h" 20 "mon_name srv state $s_new priv $PRIV_C\$"
done
tap_check "c3 heard nothing while cut off" \
	eval '[ "$(nlm_count c3 "mon_name srv ")" = 0 ]'
hm_rejoin c3
tap_check "c3, back on the network, hears from srv" \
	nlm_wait c3 60 "mon_name srv state [0-9]+ priv $PRIV_C\$"
s_c3=$(awk '$1 == "call" && $8 == "srv" { print $10 }' "$(nlm_calls c3)" | sort -n | tail -n 1)
tap_check "with state $s_c3, above any Debian's statd sent ($d1)" \
	eval "[ '${s_c3:-0}' -gt '$d1' ]"
# Every callback about srv on HOST carried a state above $1: none at or below.
all_above() {
	awk -v d="$2" '$1 == "call" && $8 == "srv" { n++; if ($10 + 0 <= d) bad++ }
		END { exit !(n > 0 && bad == 0) }' "$(nlm_calls "$1")"
}
for h in c1 c2 c3; do
	tap_check "every state $h heard from srv is above Debian's $d1" all_above "$h" "$d1"
done
tap_check "srv has nothing pending after delivery" \
	hm_wait_for 15 eval '[ "$(st_pending srv)" = 0 ]'

if HM_STOP_TIMEOUT=40 hm_host_kill "$GPID" TERM && ! hm_pid_alive "$GPID"; then
	tap_ok "Ganesha stops"
else
	tap_fail "Ganesha stops"
fi
for h in srv c1 c2 c3; do
	tap_check "$h's statd stops cleanly on SIGTERM" st_stop "$h"
done
tap_check "no statd log reports a sanitizer error" eval \
	'! grep -l "ERROR: AddressSanitizer\|runtime error:" "$HM_WORK"/h*/statd/statd.log'

took=$(( ${EPOCHREALTIME//[!0-9]/} - ${started//[!0-9]/} ))
tap_diag "t_statd_switch took $((took / 1000)) ms"
tap_done
