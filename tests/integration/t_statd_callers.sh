#!/usr/bin/env bash
# Who may change rpc.statd's monitor list.  SM_MON, SM_UNMON, SM_UNMON_ALL
# and SM_SIMU_CRASH are accepted only from a loopback address AND a reserved
# source port (below 1024): only root, or a process given
# CAP_NET_BIND_SERVICE, can bind one, and that is how the lock managers call
# (the kernel's lockd, NFS-Ganesha, and any libtirpc client run as root).
# A local user calling over loopback from an ordinary port is refused and
# logged, over UDP, TCP and UDP6; SM_STAT and SM_NOTIFY stay open to all.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib/tap.sh
. tests/integration/lib/hosts.sh
. tests/integration/lib/statd.sh

id _hmstatd >/dev/null 2>&1 || { echo "Bail out! no user _hmstatd (scripts/deps.sh)"; exit 1; }
hm_hosts_create 1 || { echo "Bail out! no test host"; exit 1; }
H=${HM_HOSTS[0]}
LOG=$(st_dir "$H")/statd.log
hm_rpcbind "$H" || { echo "Bail out! no rpcbind"; exit 1; }
st_start "$H" || { echo "Bail out! statd does not start"; exit 1; }

# smcall where user nobody can run it, whatever the checkout's folders allow.
chmod 755 "$HM_WORK"
install -m 755 "$ST_SMCALL" "$HM_WORK/smcall"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
# The same user, given the capability a lock manager not run as root needs.
BINDER=("${NOBODY[@]}" --inh-caps=+net_bind_service --ambient-caps=+net_bind_service)
nobody() { hm_host_exec "$H" timeout 20 "${NOBODY[@]}" "$HM_WORK/smcall" -T 5 "$@"; }
binder() { hm_host_exec "$H" timeout 20 "${BINDER[@]}" "$HM_WORK/smcall" -T 5 "$@"; }
entries() { st_list "$H" | grep -c '^monitor '; }
refusals() { grep -c "refused $1 from $2: unprivileged source port [0-9]* (not root)" "$LOG"; }

PRIV=00112233445566778899aabbccddeeff
tap_check "root (reserved port) monitors two hosts" \
	eval 'st_mon "$H" keep1 $PRIV && st_mon "$H" keep2 $PRIV && [ "$(entries)" = 2 ]'
tap_check "user nobody reaches statd over loopback (NULL answered)" \
	eval '[ "$(nobody null)" = ok ] && grep -q "NULL from 127.0.0.1" "$LOG"'

# Every local-only procedure, over UDP and TCP, and SM_MON over UDP6.
for t in udp tcp; do
	got=$(nobody -t "$t" mon intruder "$H" 100021 4 16 "$PRIV")
	tap_check "nobody's SM_MON over $t: stat_fail" same_text "$got" "stat_fail 1"
	got=$(nobody -t "$t" unmon keep1 "$H" 100021 4 16)
	tap_check "nobody's SM_UNMON over $t: answered, nothing removed" \
		eval 'same_text "$got" "state 1" && st_list "$H" | grep -q "^monitor keep1 "'
	got=$(nobody -t "$t" unmon_all "$H" 100021 4 16)
	tap_check "nobody's SM_UNMON_ALL over $t: nothing removed" \
		eval 'same_text "$got" "state 1" && [ "$(entries)" = 2 ]'
	got=$(nobody -t "$t" crash)
	tap_check "nobody's SM_SIMU_CRASH over $t: state still 1, monitors kept" \
		eval 'same_text "$got" ok && same_text "$(st_state "$H")" 1 && [ "$(entries)" = 2 ]'
done
got=$(nobody -h ::1 -t udp6 mon intruder "$H" 100021 4 16)
tap_check "nobody's SM_MON over udp6 (::1): stat_fail" same_text "$got" "stat_fail 1"
tap_check "rpc.statd -l: still exactly the two entries root made" \
	eval '[ "$(entries)" = 2 ] && ! st_list "$H" | grep -q intruder'

n=$(($(refusals SM_MON 127.0.0.1) + $(refusals SM_UNMON 127.0.0.1) +
	$(refusals SM_UNMON_ALL 127.0.0.1) + $(refusals SM_SIMU_CRASH 127.0.0.1) +
	$(refusals SM_MON ::1)))
tap_check "each refusal is logged with the caller and its port (9 lines)" same_text "$n" 9
for p in SM_MON SM_UNMON SM_UNMON_ALL SM_SIMU_CRASH; do
	[ "$(refusals "$p" 127.0.0.1)" = 2 ] || tap_diag "$p: $(refusals "$p" 127.0.0.1) refusals logged"
done

# SM_STAT and SM_NOTIFY are anyone's.
tap_check "nobody's SM_STAT is answered" eval '[ "$(nobody stat keep1)" = "stat_succ 1" ]'
tap_check "nobody's SM_NOTIFY is answered" eval '[ "$(nobody notify elsewhere 3)" = ok ]'

# Allowed callers: a non-root lock manager with CAP_NET_BIND_SERVICE, root.
tap_check "uid 65534 with CAP_NET_BIND_SERVICE (a reserved port) may SM_MON over TCP" \
	eval 'same_text "$(binder -t tcp mon lm-host "$H" 100021 4 16)" "stat_succ 1" &&
	    st_list "$H" | grep -q "^monitor lm-host "'
tap_check "root's SM_UNMON over UDP removes keep1" \
	eval 'same_text "$(st_smcall "$H" unmon keep1 "$H" 100021 4 16)" "state 1" &&
	    ! st_list "$H" | grep -q "^monitor keep1 "'
tap_check "root's SM_UNMON_ALL over TCP removes the rest" \
	eval 'same_text "$(st_smcall "$H" -t tcp unmon_all "$H" 100021 4 16)" "state 1" &&
	    [ "$(entries)" = 0 ]'
tap_check "root's SM_SIMU_CRASH over UDP: state 3" \
	eval 'same_text "$(st_smcall "$H" crash)" ok && same_text "$(st_state "$H")" 3'

tap_check "statd stops cleanly on SIGTERM" st_stop "$H"
tap_check "no statd log reports a sanitizer error" eval \
	'! grep -l "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$HM_WORK"/h*/statd/statd.log'
tap_done
