#!/usr/bin/env bash
# t_statd_debian.sh: our rpc.statd and Debian's (nfs-common) work together.
#
# h1 runs our statd, h2 Debian's rpc.statd (-L: it never runs sm-notify by
# itself), each with rpcbind and nlmstub as the lock manager.  Each lock
# manager monitors the other host (h1's by name and by address, as Ganesha
# would).  (a) h2 "reboots": Debian's sm-notify, run by hand, notifies h1
# and our statd calls h1's lock manager back, for both.
# (b) h1 reboots (new boot id), and (c) SM_SIMU_CRASH on h1: Debian's statd
# calls h2's lock manager back.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"
. "$lib/statd.sh"
. "$lib/peers.sh"

peers_need_nfs_common

started=$EPOCHREALTIME
PRIV_TO_DEB=d1d1d1d1000000000000000000000001	# h2's lock manager, about h1
PRIV_TO_OURS=0e0e0e0e000000000000000000000002	# h1's lock manager, about h2
PRIV_BY_ADDR=0a0a0a0a000000000000000000000002	# the same, h2 by address

# Debian's NSM state: a 4-byte integer in host order, in DIR/state.
deb_state() { od -An -tu4 "$DEB_DIR/state" | tr -d ' '; }

# Debian's statd keeps one file per monitored host in DIR/sm.
deb_monitors() { [ -f "$DEB_DIR/sm/$1" ] && cat "$DEB_DIR/sm/$1"; }

deb_registered() { hm_host_exec h2 rpcinfo -T udp 127.0.0.1 100024 1; }

hm_hosts_create 2 || { tap_fail "create 2 hosts"; tap_done; }

# Debian's statd and sm-notify: state in a folder of h2's own, owned by statd
# (both drop privileges to the owner of DIR/sm).
DEB_DIR=$(hm_host_dir h2)/nfs
mkdir -p "$DEB_DIR/sm" "$DEB_DIR/sm.bak" && chown -R statd "$DEB_DIR"
# sm-notify also writes the kernel's NSM state where lockd is loaded: keep
# that away from the machine's kernel.
if [ -d /proc/sys/fs/nfs ]; then
	hm_host_private h2 /proc/sys/fs/nfs
fi

up=0
hm_rpcbind h1 && st_start h1 && nlm_start h1 && up=$((up + 1))
if hm_rpcbind h2 && nlm_start h2; then
	hm_host_spawn h2 "$(hm_host_dir h2)/debian-statd.log" \
		/usr/sbin/rpc.statd -F -d -L -P "$DEB_DIR" >/dev/null
	DEB_PID=$HM_LAST_PID
	hm_wait_for 10 deb_registered && up=$((up + 1))
fi
if [ $up -ne 2 ]; then
	tap_fail "our statd on h1, Debian's on h2 start" \
		"$(tail -n 20 "$(hm_host_dir h2)/debian-statd.log" 2>/dev/null)"
	tap_done
fi
tap_ok "our statd runs on h1, Debian's rpc.statd on h2, each with rpcbind and nlmstub"

tap_check "Debian's statd (h2) monitors h1 for h2's lock manager" st_mon h2 h1 $PRIV_TO_DEB
tap_check "Debian's statd recorded it" eval 'deb_monitors h1 | grep -q " h1 h2$"'
tap_check "our statd (h1) monitors h2 for h1's lock manager" st_mon h1 h2 $PRIV_TO_OURS
h2addr=$(hm_host_addr h2)
tap_check "our statd (h1) monitors h2 by address ($h2addr) too" st_mon h1 "$h2addr" $PRIV_BY_ADDR

# --- (a) h2 reboots: Debian's sm-notify -> our statd -> h1's lock manager ------
d0=$(deb_state)
# -v h2: announce "h2" and send from h2's address; -f: even though it "ran"
# (h2's private /run); -d: foreground, so it ends when all are notified.
tap_check "Debian's sm-notify on h2 notifies its peers" \
	hm_host_exec h2 timeout 60 /usr/sbin/sm-notify -f -d -v h2 -P "$DEB_DIR"
d1=$(deb_state)
tap_check "sm-notify advanced Debian's state ($d0 -> $d1)" eval "[ '$d1' -gt '$d0' ]"
tap_check "h1's lock manager is called back by our statd: mon_name h2 state $d1" \
	nlm_wait h1 15 "mon_name h2 state $d1 priv $PRIV_TO_OURS\$"
tap_check "and for the address: mon_name $h2addr state $d1" \
	nlm_wait h1 15 "mon_name $h2addr state $d1 priv $PRIV_BY_ADDR\$"
tap_check "our callbacks came from 127.0.0.1 and a reserved port" \
	nlm_from_loopback_reserved h1 " state $d1 "
tap_check "our statd still monitors h2 (a callback removes nothing)" \
	eval 'st_list h1 | grep -q "^monitor h2 by h1 "'

# --- (b) h1 reboots: our statd -> Debian's statd -> h2's lock manager ----------
s0=$(st_state h1)
s1=$((s0 + 2))
tap_check "reboot h1 (new boot id)" eval 'st_stop h1 && st_boot h1 && st_start h1'
tap_check "h2's lock manager is called back by Debian's statd: mon_name h1 state $s1" \
	nlm_wait h2 15 "mon_name h1 state $s1 priv $PRIV_TO_DEB\$"
tap_check "Debian's callback came from 127.0.0.1 and a reserved port" \
	nlm_from_loopback_reserved h2 "mon_name h1 state $s1 "
tap_check "h1 has no pending notification after delivery" \
	hm_wait_for 10 eval '[ "$(st_pending h1)" = 0 ]'
tap_check "our statd answered SM_STAT to Debian's side with state $s1" \
	eval 'st_smcall h2 -h "$(hm_host_addr h1)" stat h1 | grep -qx "stat_succ '"$s1"'"'

# --- (c) SM_SIMU_CRASH on h1 ---------------------------------------------------
s2=$((s1 + 2))
tap_check "our statd (h1) monitors h2 again" st_mon h1 h2 $PRIV_TO_OURS
tap_check "SM_SIMU_CRASH on h1" eval 'st_smcall h1 crash | grep -qx ok'
tap_check "h2's lock manager is called back by Debian's statd: mon_name h1 state $s2" \
	nlm_wait h2 15 "mon_name h1 state $s2 priv $PRIV_TO_DEB\$"
# Each lock manager heard of each notification, and of nothing else: distinct
# (mon_name, state) pairs, since either statd sends a callback again when the
# answer is late (see statd.sh).  Our statd delivered each at most once (its
# log counts deliveries answered in time).
tap_check "each lock manager got exactly the callbacks expected" eval \
	'same_text "$(nlm_pairs h1)" "$(printf "%s\n" "h2 $d1" "$h2addr $d1" | LC_ALL=C sort)" &&
	 same_text "$(nlm_pairs h2)" "$(printf "%s\n" "h1 $s1" "h1 $s2" | LC_ALL=C sort)" &&
	 [ "$(st_told h1 h2 "$d1")" -le 1 ] && [ "$(st_told h1 "$h2addr" "$d1")" -le 1 ]'

tap_check "Debian's statd stops on SIGTERM" hm_host_kill "$DEB_PID" TERM
tap_check "our statd stops cleanly on SIGTERM" st_stop h1
tap_check "our statd's log reports no sanitizer error" eval \
	'! grep -l "ERROR: AddressSanitizer\|runtime error:" "$(st_dir h1)/statd.log"'

took=$(( ${EPOCHREALTIME//[!0-9]/} - ${started//[!0-9]/} ))
tap_diag "t_statd_debian took $((took / 1000)) ms"
tap_done
