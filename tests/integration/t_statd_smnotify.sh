#!/usr/bin/env bash
# t_statd_smnotify.sh: rpc.statd as nfs-utils' sm-notify, for an HA fail-over
# (issue 15).
#
# Server a runs Debian's rpc.statd on a shared nfs-utils folder ($HM_WORK,
# seen by every host) and answers on a service address VIP; through real
# SM_MON calls it monitors c1, c2 and c3 (my_name VIP).  Each client runs
# Debian's rpc.statd (the receiving side) and nlmstub, and monitors VIP.
# a "dies" (statd stopped, VIP removed, a cut off); b takes VIP over and runs
# our sm-notify -f -v VIP -P folder.  The clients route nothing back to b's
# own address: only notifications sent from VIP (-v binds it) are answered.
#   - c1, c2 hear SM_NOTIFY with mon_name VIP and a state above a's; c3, cut
#     off at first, is retried and reached within -m once back;
#   - the folder is left as sm-notify leaves it: state advanced, sm/ and
#     sm.bak/ empty;
#   - a second run without -f does nothing (already ran since boot); -f -n
#     notifies with the same state; -f again with a higher one;
#   - without -d it goes to the background after the first try and reaches a
#     host that comes back; with -d, -m running out exits 3, the host left in
#     sm.bak;
#   - bad options are refused and change nothing; an empty folder and a run
#     without -P exit 0 at once.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"
. "$lib/statd.sh"
. "$lib/peers.sh"

peers_need_nfs_common

PRIV_C=c0c0c0c0000000000000000000000007
PRIV_A=a0a0a0a0000000000000000000000001

hm_hosts_create a b c1 c2 c3 || { tap_fail "create 5 hosts"; tap_done; }

ADDR_A=$(hm_host_addr a)
ADDR_B=$(hm_host_addr b)
VIP=${ADDR_A%.*}.200
HA=$HM_WORK/ha-nfs		# the shared nfs-utils folder
SAVED=$HM_WORK/ha-sm.saved	# its sm/ as a's statd left it
SMN=$HM_WORK/bin/sm-notify	# our rpc.statd under nfs-utils' name
mkdir -p "$HA/sm" "$HA/sm.bak" "$HM_WORK/bin" && chown -R statd "$HA" &&
	ln -s "$ST_STATD" "$SMN"

deb_registered() { hm_host_exec "$1" rpcinfo -T udp 127.0.0.1 100024 1; }
declare -A DEB_PID=()
deb_start() {
	local host=$1
	shift
	hm_host_spawn "$host" "$(hm_host_dir "$host")/debian-statd.log" \
		/usr/sbin/rpc.statd -F -d -L "$@" >/dev/null || return 1
	DEB_PID[$host]=$HM_LAST_PID
	hm_wait_for 10 deb_registered "$host"
}
deb_log() { cat "$(hm_host_dir "$1")/debian-statd.log"; }
ha_state() { od -An -tu4 "$HA/state" | tr -d ' '; }
nfiles() { find "$1" -mindepth 1 | wc -l; }
# SM_MON as root from HOST's loopback: mon_name, my_name, priv.
deb_mon() {
	local out
	out=$(st_smcall "$1" mon "$2" "$3" 100021 4 16 "$4") || { echo "$out"; return 1; }
	[[ $out == "stat_succ "* ]] || { echo "$out"; return 1; }
}

# --- the cluster before the fail-over ----------------------------------------
up=0
hm_host_exec a ip addr add "$VIP/24" dev eth0 && hm_rpcbind a &&
	deb_start a -P "$HA" && up=$((up + 1))
for h in c1 c2 c3; do
	chown -R statd "$(hm_host_dir "$h")/var/lib/nfs"
	hm_rpcbind "$h" && deb_start "$h" && nlm_start "$h" &&
		deb_mon "$h" "$VIP" "$h" $PRIV_C && deb_mon a "$h" "$VIP" $PRIV_A &&
		up=$((up + 1))
done
hm_rpcbind b && up=$((up + 1))
if [ $up -ne 5 ]; then
	tap_fail "Debian's statd on a (VIP $VIP) monitors c1 c2 c3; each client's monitors VIP" \
		"$(deb_log a | tail -n 20)"
	tap_done
fi
tap_ok "Debian's statd on a (VIP $VIP) monitors c1 c2 c3; each client's monitors VIP"
recorded() {
	local h
	for h in c1 c2 c3; do grep -q " $h $VIP\$" "$HA/sm/$h" || return 1; done
}
tap_check "a's statd recorded sm/c1 sm/c2 sm/c3 with my_name $VIP" recorded
s0=$(ha_state)
mkdir -p "$SAVED" && cp -p "$HA"/sm/* "$SAVED/"

# --- a dies, b takes VIP over ------------------------------------------------
tap_check "a dies: its statd stops" hm_host_kill "${DEB_PID[a]}" TERM
tap_check "VIP leaves a, a is cut off" eval \
	'hm_host_exec a ip addr del "$VIP/24" dev eth0 && hm_isolate a'
tap_check "b takes VIP over" hm_host_exec b ip addr add "$VIP/24" dev eth0
# The clients answer nothing sent from b's own address.
for h in c1 c2 c3; do
	hm_host_exec "$h" ip route add blackhole "$ADDR_B/32" &&
		hm_host_exec "$h" ip neigh flush to "$VIP"
done

# sm-notify ARGS... in HOST, bounded; stdout+stderr in $SMN_OUT, status in $SMN_RC.
SMN_OUT=$HM_WORK/smn.out
smn() {
	local host=$1
	shift
	hm_host_exec "$host" timeout 150 "$SMN" "$@" >"$SMN_OUT" 2>&1
	SMN_RC=$?
	cat "$SMN_OUT" >>"$HM_WORK/smn.all"
}
# The last run exited RC and (if given) said PATTERN; else show what it said.
smn_is() {
	{ [ "$SMN_RC" = "$1" ] && { [ -z "${2:-}" ] || grep -q -- "$2" "$SMN_OUT"; }; } && return 0
	echo "exit status $SMN_RC, expected $1${2:+, and '$2'}:"
	cat "$SMN_OUT"
	return 1
}

# --- the fail-over notification, c3 unreachable at first ---------------------
hm_isolate c3
RC1=$HM_WORK/smn1.rc
rm -f "$RC1"
(hm_host_exec b timeout 150 "$SMN" -d -f -m 2 -v "$VIP" -P "$HA" \
	>"$HM_WORK/smn1.out" 2>&1; echo $? >"$RC1") &
tap_check "sm-notify advanced the state past $s0" \
	hm_wait_for 10 eval '[ "$(ha_state)" -gt "$s0" ]'
s1=$(ha_state)
tap_check "state $s1 is odd" eval '[ $(( s1 % 2 )) = 1 ]'
tap_check "the new state file is the folder owner's (statd), for nfs-utils' statd" \
	same_text "$(stat -c %U "$HA/state")" statd
for h in c1 c2; do
	tap_check "$h's lock manager hears: mon_name $VIP state $s1" \
		nlm_wait "$h" 20 "mon_name $VIP state $s1 priv $PRIV_C\$"
	tap_check "$h's Debian statd got SM_NOTIFY with mon_name $VIP (the -v name)" \
		eval 'deb_log "$h" | grep -q "Received SM_NOTIFY from $VIP, state: $s1\$"'
done
tap_check "sm-notify moved sm/ to sm.bak; c3 is still owed" \
	eval '[ "$(nfiles "$HA/sm")" = 0 ] && [ -f "$HA/sm.bak/c3" ] && [ ! -e "$HA/sm.bak/c1" ]'
tap_check "c3 heard nothing while cut off" eval '[ "$(nlm_count c3 "mon_name ")" = 0 ]'
tap_check "c3 goes unanswered for a few attempts" \
	hm_wait_for 15 grep -q "notifying c3, attempt 3" "$HM_WORK/smn1.out"
hm_rejoin c3
tap_check "c3, back, is retried and hears state $s1 within -m" \
	nlm_wait c3 70 "mon_name $VIP state $s1 priv $PRIV_C\$"
tap_check "sm-notify exits 0 once every host answered" \
	hm_wait_for 20 eval '[ "$(cat "$RC1" 2>/dev/null)" = 0 ]'
tap_check "it retried c3 (more than one attempt logged)" \
	grep -q "notifying c3, attempt [2-9]" "$HM_WORK/smn1.out"
tap_check "sm.bak is empty after delivery" eval '[ "$(nfiles "$HA/sm.bak")" = 0 ]'

# --- already ran since boot; -f; -n ------------------------------------------
cp -p "$SAVED"/* "$HA/sm/"
before=$(cd "$HA" && find . -type f -exec md5sum {} + | LC_ALL=C sort)
smn b -d -v "$VIP" -P "$HA"
tap_check "without -f a second run does nothing (exit 0, says so)" \
	smn_is 0 "already ran since boot"
after=$(cd "$HA" && find . -type f -exec md5sum {} + | LC_ALL=C sort)
tap_check "the folder is untouched by it" same_text "$after" "$before"

# shellcheck disable=SC2034 # read in an eval string
n_c1=$(deb_log c1 | grep -c "Received SM_NOTIFY from $VIP, state: $s1\$")
smn b -d -f -n -m 1 -v "$VIP" -P "$HA"
tap_check "-f -n runs again (exit 0) with state $s1" smn_is 0 "notifying 3 hosts of state $s1 as $VIP"
tap_check "-n kept state $s1" eval '[ "$(ha_state)" = "$s1" ]'
for h in c1 c2 c3; do
	tap_check "$h was told state $s1 again" \
		grep -q "notified $h (.*) of state $s1\$" "$SMN_OUT"
done
tap_check "c1's Debian statd received the same state once more" eval \
	'[ "$(deb_log c1 | grep -c "Received SM_NOTIFY from $VIP, state: $s1\$")" -gt "$n_c1" ]'

cp -p "$SAVED"/* "$HA/sm/"
smn b -d -f -m 1 -v "$VIP" -P "$HA"
s2=$(ha_state)
tap_check "-f runs again (exit 0)" smn_is 0 "notifying 3 hosts of state $s2 as $VIP"
tap_check "with a higher state ($s1 -> $s2)" eval '[ "$s2" -gt "$s1" ]'
for h in c1 c2 c3; do
	tap_check "$h's lock manager hears state $s2" \
		nlm_wait "$h" 10 "mon_name $VIP state $s2 priv $PRIV_C\$"
done

# --- without -d: the rest in the background; -m runs out -------------------
cp -p "$SAVED/c3" "$HA/sm/"
hm_isolate c3
t0=${EPOCHREALTIME//[!0-9]/}
smn b -f -m 1 -v "$VIP" -P "$HA"
t1=${EPOCHREALTIME//[!0-9]/}
s3=$(ha_state)
tap_check "without -d, c3 unreachable: exit 0 after the first try, the rest in the background" \
	smn_is 0 "1 hosts not answering yet; retrying in the background"
tap_check "at once ($(( (t1 - t0) / 1000 )) ms)" eval '[ $(( (t1 - t0) / 1000 )) -lt 5000 ]'
hm_rejoin c3
tap_check "c3, back, hears state $s3 from the background run" \
	nlm_wait c3 70 "mon_name $VIP state $s3 priv $PRIV_C\$"
tap_check "which then removes sm.bak/c3" hm_wait_for 10 test ! -e "$HA/sm.bak/c3"

cp -p "$SAVED/c3" "$HA/sm/"
hm_isolate c3
smn b -d -f -m 1 -v "$VIP" -P "$HA"
tap_check "-d -m 1 with c3 cut off: exit 3 after a minute, says so" \
	smn_is 3 "gave up notifying c3 after [0-9]* attempts in 1 minutes; it stays in sm.bak"
tap_check "c3 stays owed in sm.bak" test -f "$HA/sm.bak/c3"
hm_rejoin c3
rm -f "$HA/sm.bak/c3"

# --- bad input; nothing to do -----------------------------------------------
cp -p "$SAVED"/* "$HA/sm/"
before=$(cd "$HA" && find . -type f -exec md5sum {} + | LC_ALL=C sort)
for bad in "-m x" "-m -1" "-m 99999999" "-p 0" "-p 65536" "-p x" "-Z" "--bogus" \
	"-v bad/name" "-v .hidden" "-P $HM_WORK/none" "stray"; do
	# shellcheck disable=SC2086 # the options are words
	smn b -d -f -P "$HA" $bad
	tap_check "refused: sm-notify $bad (exit 1, with a reason)" smn_is 1 "sm-notify: "
done
after=$(cd "$HA" && find . -type f -exec md5sum {} + | LC_ALL=C sort)
tap_check "refused runs left the folder untouched" same_text "$after" "$before"

EMPTY=$HM_WORK/empty-nfs
mkdir -p "$EMPTY/sm"
t0=${EPOCHREALTIME//[!0-9]/}
smn b -d -f -P "$EMPTY"
t1=${EPOCHREALTIME//[!0-9]/}
tap_check "a folder with no monitored host: exit 0, says so" smn_is 0 "no hosts to notify"
tap_check "within 2 s ($(( (t1 - t0) / 1000 )) ms)" eval '[ $(( (t1 - t0) / 1000 )) -lt 2000 ]'
tap_check "and writes no state there" test ! -e "$EMPTY/state"

BNFS=$(hm_host_dir b)/var/lib/nfs
cp -p "$SAVED"/c1 "$BNFS/sm/"
before=$(cd "$BNFS" && find . -type f -exec md5sum {} + | LC_ALL=C sort)
smn b -d -f
tap_check "without -P: nothing to do (rpc.statd notifies at its start), exit 0" \
	smn_is 0 "no -P folder: nothing to do"
hm_host_exec b timeout 10 "$ST_STATD" -N -d >"$SMN_OUT" 2>&1
SMN_RC=$?
tap_check "rpc.statd -N is the same command" smn_is 0 "no -P folder: nothing to do"
after=$(cd "$BNFS" && find . -type f -exec md5sum {} + | LC_ALL=C sort)
tap_check "b's own /var/lib/nfs is untouched" same_text "$after" "$before"

tap_check "no run reported a sanitizer error" eval \
	'! grep -l "ERROR: AddressSanitizer\|runtime error:" "$HM_WORK"/smn1.out "$HM_WORK"/smn.all'
tap_done
