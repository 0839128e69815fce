#!/usr/bin/env bash
# t_statd_damage.sh: a damaged status file never takes the state back, nor
# the monitors it can still prove, and rpc.statd -l says it is damaged.
#
# h1 runs our statd; h2 runs one too, and nlmstub as its lock manager,
# which monitors h1 and so hears of h1's reboots.  h1 takes two SM_SIMU_CRASH (state 5) and 20 SM_MON
# (client01..client19, then h2).  Then, each time from that file, one byte
# is damaged: the header (byte 0), the first state record (byte 30), the
# length of record 1 (byte 17), an entry (byte 200); the restart in the
# same boot keeps state 5 and every entry not hit, logs the damage with its
# offsets, and -l exits 2 before it.  A reboot with a damaged file advances
# the state to 7 and notifies h2.  With both copies of the state damaged,
# statd refuses to start (exit 2) and leaves the file alone, until started
# with --fresh-state: then it takes a state above any seen and notifies h2.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"
. "$lib/statd.sh"

started=$EPOCHREALTIME

hm_hosts_create 2 || { tap_fail "create 2 hosts"; tap_done; }
h1addr=$(hm_host_addr h1)
d1=$(st_dir h1)
sf=$d1/statd.status
up=0
for h in h1 h2; do
	hm_rpcbind "$h" && st_start "$h" && up=$((up + 1))
done
nlm_start h2 && up=$((up + 1))
if [ $up -ne 3 ]; then
	tap_fail "rpcbind and statd start on h1 and h2, nlmstub on h2"
	tap_done
fi
tap_ok "rpcbind and statd run on h1 and h2, nlmstub on h2"
tap_check "h2's lock manager monitors h1" st_mon h2 h1 0

# Flip the lowest bit of byte AT of FILE.
flip() {
	local v
	v=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ') || return 1
	# shellcheck disable=SC2059 # an octal escape made here
	printf "$(printf '\\%03o' $((v ^ 1)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# Set byte AT of FILE to V.
poke() {
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' "$3")" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# rpc.statd -l of h1's file exits RC, and says each TEXT (fixed strings).
list_says() {
	local rc=$1 out got
	shift
	out=$(hm_host_exec h1 "$ST_STATD" -l -f "$sf" 2>&1)
	got=$?
	[ "$got" = "$rc" ] || { echo "-l exited $got, not $rc"; return 1; }
	for t in "$@"; do
		[[ $out == *"$t"* ]] || { echo "-l did not say '$t':"; echo "$out"; return 1; }
	done
}

# h1 answers SM_STAT (from h2) with state N.
stat_says() { same_text "$(st_smcall h2 -h "$h1addr" stat h1)" "stat_succ $1"; }

# The number of entries -l lists.
entries_h1() { st_list h1 2>/dev/null | sed -n 's/^entries \([0-9]*\) .*/\1/p'; }

# h1's statd log since line N has LINE (a fixed string).
logged_since() { tail -n +$(($1 + 1)) "$d1/statd.log" | grep -qF -- "$2"; }

crash_ok() { [ "$(st_smcall h1 crash)" = ok ]; }
tap_check "two SM_SIMU_CRASH on h1" eval 'crash_ok && crash_ok'
tap_check "h1's state is 5" same_text "$(st_state h1)" 5
mons=0
for i in $(seq -w 1 19); do
	st_mon h1 "client$i" 0 >/dev/null && mons=$((mons + 1))
done
st_mon h1 h2 0 >/dev/null && mons=$((mons + 1))
tap_check "20 SM_MON on h1 (client01..client19, h2)" same_text "$mons" 20
tap_check "stop h1's statd" st_stop h1
tap_check "-l: state 5, 20 entries, exit 0" list_says 0 "state 5 " "entries 20 "
cp "$sf" "$HM_WORK/pristine"

# NAME is no longer monitored on h1, h2 still is.
entry_gone() {
	! st_list h1 | grep -q "^monitor $1 " && st_list h1 | grep -q "^monitor h2 "
}

# KIND WANT_ENTRIES ENTRY_HIT LOGLINE: damage, then a restart in the same boot.
damaged_restart() {
	local what=$1 lines
	cp "$HM_WORK/pristine" "$sf"
	case $what in
	header) flip "$sf" 0 ;;
	state) flip "$sf" 30 ;;
	length) poke "$sf" 17 127 ;;
	entry) flip "$sf" 200 ;;
	esac
	tap_check "$what: -l exits 2, names the damaged bytes" \
		list_says 2 damaged "$4"
	lines=$(wc -l <"$d1/statd.log")
	tap_check "$what: h1's statd starts again in the same boot" st_start h1
	tap_check "$what: state stays 5" same_text "$(st_state h1)" 5
	tap_check "$what: SM_STAT answers state 5" stat_says 5
	tap_check "$what: $2 entries kept" same_text "$(entries_h1)" "$2"
	tap_check "$what: the log names the damaged bytes" logged_since "$lines" "$4"
	tap_check "$what: nothing is queued to notify" \
		same_text "$(st_pending h1)" 0
	tap_check "$what: stop" st_stop h1
	tap_check "$what: the file was rewritten (-l exits 0, copies 2)" \
		list_says 0 "state 5 boot " " copies 2"
	[ "$3" = all ] || tap_check "$what: the entry hit is $3, gone" \
		entry_gone "$3"
}
damaged_restart header 20 all "file header damaged (bytes 0 to 15)"
damaged_restart state 20 all "bytes 16 to 64 damaged (record checksum mismatch)"
damaged_restart length 20 all "bytes 16 to 64 damaged (record length over the limit)"
damaged_restart entry 19 client02 "bytes 165 to 215 damaged (record checksum mismatch)"

# --- a reboot with a damaged file -------------------------------------------
cp "$HM_WORK/pristine" "$sf"
flip "$sf" 30
flip "$sf" 200
tap_check "reboot h1 with a damaged file" eval 'st_boot h1 && st_start h1'
tap_check "after the reboot h1's state is 7" same_text "$(st_state h1)" 7
tap_check "h2's lock manager hears h1 is in state 7" \
	nlm_wait h2 20 "mon_name h1 state 7 "
tap_check "stop h1's statd" st_stop h1

# --- both copies of the state damaged ---------------------------------------
cp "$HM_WORK/pristine" "$sf"
flip "$sf" 30
flip "$sf" 95
cp "$sf" "$HM_WORK/lost"
tap_check "state lost: -l exits 2 and says state none" list_says 2 "state none"
refusal=$(hm_host_exec h1 timeout 10 "$ST_STATD" -F -d -f "$sf" --pid-file "" -P "" \
	-B "$d1/boot_id" 2>&1)
rc=$?
tap_check "state lost: statd refuses to start, exit 2 (got $rc)" same_text "$rc" 2
if [[ $refusal == *"no state number can be read"*"--fresh-state"* ]]; then
	tap_ok "state lost: it says why and what to do"
else
	tap_fail "state lost: it says why and what to do"
	tap_diag "$refusal"
fi
tap_check "state lost: the file is left as it was" cmp -s "$sf" "$HM_WORK/lost"
tap_check "--fresh-state: statd starts" st_start h1 --fresh-state
fresh=$(st_state h1)
tap_check "--fresh-state: odd state $fresh, above 7 and the clock's floor" eval \
	'[ "$fresh" -gt 7 ] && [ $((fresh % 2)) = 1 ] &&
	 [ "$fresh" -gt $(($(date +%s) / 60 * 2)) ]'
tap_check "--fresh-state: h2's lock manager hears h1 is in state $fresh" \
	nlm_wait h2 40 "mon_name h1 state $fresh "
tap_check "--fresh-state: a plain restart keeps $fresh" eval \
	'st_stop h1 && st_start h1 && [ "$(st_state h1)" = "$fresh" ]'

for h in h1 h2; do
	tap_check "$h's statd stops cleanly on SIGTERM" st_stop "$h"
done
tap_check "no statd log reports a sanitizer error" eval \
	'! grep -l "ERROR: AddressSanitizer\|runtime error:" "$HM_WORK"/h*/statd/statd.log'

took=$(( ${EPOCHREALTIME//[!0-9]/} - ${started//[!0-9]/} ))
tap_diag "t_statd_damage took $((took / 1000)) ms"
tap_done
