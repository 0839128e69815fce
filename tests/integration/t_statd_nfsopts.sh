#!/usr/bin/env bash
# t_statd_nfsopts.sh: nfs-utils' rpc.statd options, as Debian's
# /etc/default/nfs-common (STATDOPTS) and /etc/nfs.conf pass them (issue 15).
#
# srv runs our statd with a real STATDOPTS line (long options): it serves on
# --port, sends its notifications from --outgoing-port, announces --name,
# writes the kernel lockd's ports (-T, -U) and state into srv's private
# /proc/sys/fs/nfs; -L and --no-syslog are taken.  A peer hears srv's
# reboot.  -N runs sm-notify (t_statd_smnotify.sh) and exits; bad values are refused
# with what to use instead; -P is the state folder, never a pid file.
# -H runs its program (as the user statd runs as) on every monitor added or
# removed and every SM_NOTIFY received, with nfs-utils' arguments.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"
. "$lib/statd.sh"

PRIV=0f0f0f0f0000000000000000000000aa
STATDOPTS="--port 32765 --outgoing-port 32766 --name nfs-srv -L -T 32768 --no-syslog --foreground --ha-callout /tmp/ha.sh"

hm_hosts_create srv peer || { tap_fail "create 2 hosts"; tap_done; }
SRV=$(hm_host_dir srv)
KDIR=$SRV/fs/proc/sys/fs/nfs
if hm_host_private srv /proc/sys/fs && mkdir -p "$KDIR" &&
	for f in nsm_local_state nlm_tcpport nlm_udpport; do echo 0 >"$KDIR/$f"; done; then
	tap_ok "srv has a private /proc/sys/fs/nfs"
else
	tap_fail "srv has a private /proc/sys/fs/nfs"
fi

# The callout, in srv's own /tmp: one line per run, with who ran it.
HADIR=$SRV/tmp
HALOG=$HADIR/ha.log
mkdir -p "$HADIR" && chmod 1777 "$HADIR" && : >"$HALOG" && chmod 666 "$HALOG" &&
	printf '#!/bin/sh\necho "$(id -un) $*" >>/tmp/ha.log\n' >"$HADIR/ha.sh" &&
	chmod 755 "$HADIR/ha.sh"

up=0
hm_rpcbind peer && st_start peer && nlm_start peer && st_mon peer srv $PRIV && up=$((up + 1))
# shellcheck disable=SC2086 # STATDOPTS is a list of words, as in nfs-common
hm_rpcbind srv && st_start srv $STATDOPTS && up=$((up + 1))
if [ $up -ne 2 ]; then
	tap_fail "our statd starts on srv with STATDOPTS=\"$STATDOPTS\""
	tap_done
fi
tap_ok "our statd starts on srv with STATDOPTS=\"$STATDOPTS\""
# srv's lock manager watches peer; my_name is the --name.
tap_check "srv monitors peer for my_name nfs-srv" eval \
	'st_smcall srv mon peer nfs-srv 100021 4 16 $PRIV | grep -q "^stat_succ "'

# rpcinfo -p: "program vers proto port service"
registered_on() {
	hm_host_exec srv rpcinfo -p 127.0.0.1 |
		awk -v p="$1" '$1 == 100024 && $4 == p { n[$3]++ } END { exit !(n["udp"] && n["tcp"]) }'
}
tap_check "--port 32765: registered on UDP and TCP port 32765" registered_on 32765
tap_check "--outgoing-port 32766: the statd holds UDP port 32766" eval \
	'hm_host_exec srv ss -Huanp "sport = :32766" | grep -q "rpc.statd"'
tap_check "-T 32768: nlm_tcpport is 32768" same_text "$(cat "$KDIR/nlm_tcpport")" 32768
tap_check "-T without -U: nlm_udpport is 32768 too (as nfs-utils)" \
	same_text "$(cat "$KDIR/nlm_udpport")" 32768
s0=$(st_state srv)
tap_check "nsm_local_state holds the state, $s0" same_text "$(cat "$KDIR/nsm_local_state")" "$s0"
tap_check "--name nfs-srv: it runs under that name" \
	grep -q "ready: state $s0, host name nfs-srv," "$(st_dir srv)/statd.log"

# srv reboots with the same line plus -U: the peer hears "nfs-srv", from
# srv's address, and its lock manager is called back for srv.
s1=$((s0 + 2))
# shellcheck disable=SC2086
tap_check "srv reboots (new boot id), now also with -U 32769" \
	eval 'st_stop srv && st_boot srv && st_start srv $STATDOPTS -U 32769'
tap_check "-U 32769: nlm_udpport is 32769" same_text "$(cat "$KDIR/nlm_udpport")" 32769
tap_check "nsm_local_state follows the reboot: $s1" \
	same_text "$(cat "$KDIR/nsm_local_state")" "$s1"
srvaddr=$(hm_host_addr srv)
tap_check "the peer's statd got SM_NOTIFY from $srvaddr for nfs-srv, state $s1" \
	hm_wait_for 15 grep -q "SM_NOTIFY from $srvaddr: nfs-srv is in state $s1;" \
	"$(st_dir peer)/statd.log"
tap_check "the peer's lock manager hears: mon_name srv state $s1" \
	nlm_wait peer 15 "mon_name srv state $s1 priv $PRIV\$"
tap_check "srv has nothing pending after delivery" \
	hm_wait_for 10 eval '[ "$(st_pending srv)" = 0 ]'

# --- -H ----------------------------------------------------------------------
statd_user=$(stat -c %U "/proc/$(pgrep -P "${ST_PID[srv]}" | head -n 1)")
tap_check "-H: SM_MON of peer ran 'add-client peer nfs-srv' as $statd_user" \
	grep -qx "$statd_user add-client peer nfs-srv" "$HALOG"
tap_check "-H: the callout ran as the serving user, not root" \
	eval '[ -n "$statd_user" ] && [ "$statd_user" != root ]'
tap_check "peer's lock manager watches srv after srv's reboot" st_mon peer srv $PRIV
p1=$(( $(st_state peer) + 2 ))
peeraddr=$(hm_host_addr peer)
tap_check "peer reboots (new boot id)" \
	eval 'st_stop peer && st_boot peer && st_start peer'
tap_check "-H: its SM_NOTIFY ran 'sm-notify peer $peeraddr $p1'" \
	hm_wait_for 15 grep -qx "$statd_user sm-notify peer $peeraddr $p1" "$HALOG"
tap_check "SM_MON then SM_UNMON of peer on srv" eval \
	'st_smcall srv mon peer nfs-srv 100021 4 16 $PRIV | grep -q "^stat_succ " &&
	 st_smcall srv unmon peer nfs-srv 100021 4 16 | grep -q .'
tap_check "-H: 'add-client' then 'del-client peer nfs-srv', in that order" \
	hm_wait_for 10 eval 'tail -n 2 "$HALOG" | tr "\n" "|" |
		grep -qx "$statd_user add-client peer nfs-srv|$statd_user del-client peer nfs-srv|"'

# Options answered at once: run rpc.statd on srv with a throw-away file.
# r_out and r_rc are read by the checks' eval strings (tap_check has its
# own out and rc).
# shellcheck disable=SC2034
run() {
	r_out=$(hm_host_exec srv timeout 10 "$ST_STATD" -F -f "$SRV/none.status" \
		--pid-file "" "$@" 2>&1)
	r_rc=$?
}
# shellcheck disable=SC2034 # read in an eval string
version_re="^rpc.statd [(]hostmon[)] [0-9]"
for o in -V -v --version; do
	run "$o"
	tap_check "$o prints the version, exit 0" eval \
		'[ "$r_rc" = 0 ] && echo "$r_out" | grep -q "$version_re"'
done
run --help
tap_check "--help prints the usage, exit 0" eval \
	'[ "$r_rc" = 0 ] && echo "$r_out" | grep -q "^usage: rpc.statd "'
run -N
tap_check "-N runs sm-notify and exits: without -P nothing to do, exit 0" eval \
	'[ "$r_rc" = 0 ] && echo "$r_out" | grep -q "^sm-notify: no -P folder: nothing to do"'
run --notify-mode
tap_check "--notify-mode is the same" eval \
	'[ "$r_rc" = 0 ] && echo "$r_out" | grep -q "^sm-notify: no -P folder: nothing to do"'
run -H bin/true
tap_check "-H with a relative path is refused" eval \
	'[ "$r_rc" = 1 ] && echo "$r_out" | grep -q "absolute path"'
run --ha-callout /etc/hostname
tap_check "--ha-callout with a file that is not executable is refused" eval \
	'[ "$r_rc" = 1 ] && echo "$r_out" | grep -q "not an executable file"'
run -P /etc/hostname
tap_check "-P with a file is refused and names --pid-file" eval \
	'[ "$r_rc" = 1 ] && echo "$r_out" | grep -q -- "--pid-file"'
run --state-directory-path "$SRV/no-such-folder"
tap_check "--state-directory-path with no folder is refused" eval \
	'[ "$r_rc" = 1 ] && echo "$r_out" | grep -q "not a folder"'
run -p 5000 -o 5000
tap_check "the same port for -p and -o is refused" eval \
	'[ "$r_rc" = 1 ] && echo "$r_out" | grep -q "must differ"'
run -o 0
tap_check "-o 0 is refused" eval '[ "$r_rc" = 1 ] && echo "$r_out" | grep -q "from 1 to 65535"'
run -j
tap_check "-j without -l is a usage error" eval \
	'[ "$r_rc" = 1 ] && echo "$r_out" | grep -q "^usage: rpc.statd "'
tap_check "none of those created a status file" test ! -e "$SRV/none.status"

tap_check "srv's statd stops cleanly on SIGTERM" st_stop srv
tap_check "the peer's statd stops cleanly on SIGTERM" st_stop peer
tap_check "no statd log reports a sanitizer error" eval \
	'! grep -l "ERROR: AddressSanitizer\|runtime error:" "$HM_WORK"/h*/statd/statd.log'
tap_done
