#!/usr/bin/env bash
# t_statd_ganesha.sh: NFS-Ganesha (Debian's nfs-ganesha, VFS FSAL, NLM on,
# NFSv3) as the real lock manager using our rpc.statd.
#
# Host "server" runs rpcbind, our statd and Ganesha exporting a folder of
# its own; "clienta" and "clientb" run rpcbind and our statd, and lock a
# file on the server with nlmclient (MOUNT v3, NFSv3 LOOKUP, NLM4).  In both
# Ganesha modes (NSM_Use_Caller_Name true: Ganesha monitors the client by
# its caller_name; false: by its IP address string):
#   clienta's lock is granted, so Ganesha asks our statd to monitor clienta;
#   clientb's conflicting lock is denied;
#   clienta reboots: its statd notifies the server's, which calls Ganesha
#   back with the mon_name Ganesha gave; Ganesha releases clienta's locks
#   and unmonitors it; clientb's lock is granted.
# Also, in each mode: the server's statd restarted (same boot) while Ganesha
# runs keeps Ganesha's monitors and still calls it back; and the server's
# statd rebooting notifies clientb, whose statd calls its lock manager
# (nlmstub) back.  Ganesha takes about 13 s to stop on SIGTERM: one start
# per mode.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"
. "$lib/statd.sh"
. "$lib/peers.sh"

peers_need_ganesha
NLMCLIENT=$ST_BUILD/tests/tools/nlmclient
if [ ! -x "$NLMCLIENT" ]; then
	echo "Bail out! $NLMCLIENT is not built (make B=${B:-build} build)"
	exit 1
fi

started=$EPOCHREALTIME
PRIV_SRV=5e5e5e5e0000000000000000000000b0
hm_hosts_create server clienta clientb || { tap_fail "create 3 hosts"; tap_done; }

GDIR=$(hm_host_dir server)/ganesha
EXPORT=$(hm_host_dir server)/export
mkdir -p "$GDIR/recovery" "$EXPORT" && : >"$EXPORT/lockfile" &&
	chmod 666 "$EXPORT/lockfile"

up=0
for h in server clienta clientb; do
	hm_rpcbind "$h" && st_start "$h" && up=$((up + 1))
done
# The clients' lock managers, for the server's reboot notification.
nlm_start clienta && nlm_start clientb && up=$((up + 1))
if [ $up -ne 4 ]; then
	tap_fail "rpcbind and our statd start on server, clienta, clientb; nlmstub on the clients"
	tap_done
fi
tap_ok "rpcbind and our statd run on server, clienta, clientb; nlmstub on the clients"

# libtirpc 1.3.3 leaks 16 bytes in clnt_create() when its rpcbind address
# cache is hit (nlmclient's second clnt_create): not ours, so a sanitizer
# build of nlmclient ignores leaks from inside libtirpc.
echo "leak:libtirpc.so" >"$HM_WORK/lsan-tirpc.supp"

# nlmclient on HOST: OP on the test file, as lock owner SVID.
nlm() {
	hm_host_exec "$1" env LSAN_OPTIONS="suppressions=$HM_WORK/lsan-tirpc.supp:print_suppressions=0" \
		timeout 60 "$NLMCLIENT" -T 25 -t tcp -o "$3" server "$EXPORT" lockfile "$2"
}

# nlm answers HOST OP SVID with exactly EXPECTED.
nlm_is() {
	local out err=$HM_WORK/nlmclient.err
	out=$(nlm "$1" "$2" "$3" 2>"$err")
	[ "$out" = "$4" ] && return 0
	echo "nlmclient $2 on $1: got '$out', expected '$4'"
	cat "$err"
	return 1
}

# The server's statd has an entry for MON_NAME made by Ganesha (or, with
# "!", has none).
server_monitors() {
	local re="^monitor $1 by server prog 100021 vers 4 proc 16 priv 0{32}\$"
	if [ "${2:-}" = "!" ]; then
		! st_list server | grep -qE -- "$re"
	else
		st_list server | grep -qE -- "$re"
	fi
}

ganesha_registered() {
	hm_host_exec server rpcinfo -T udp 127.0.0.1 100021 4 &&
	hm_host_exec server rpcinfo -T tcp 127.0.0.1 100021 4 &&
	hm_host_exec server rpcinfo -T udp 127.0.0.1 100005 3 &&
	hm_host_exec server rpcinfo -T udp 127.0.0.1 100003 3
}

statd_log_lines() { wc -l <"$(st_dir server)/statd.log"; }

# The server's statd logged, after line N, REGEX.
statd_logged_since() {
	tail -n +$(($1 + 1)) "$(st_dir server)/statd.log" | grep -qE -- "$2"
}

write_conf() {
	ganesha_write_conf "$GDIR/ganesha-$1.conf" "$1" "$GDIR/recovery" "$EXPORT"
}

# One Ganesha mode: $1 is NSM_Use_Caller_Name (true|false).
run_mode() {
	local mode=$1 mon_a mon_b gpid lines s_a s_srv tag
	tag="[caller_name $mode]"
	if [ "$mode" = true ]; then
		mon_a=clienta
		mon_b=clientb
	else
		mon_a=$(hm_host_addr clienta)
		mon_b=$(hm_host_addr clientb)
	fi
	write_conf "$mode"
	lines=$(statd_log_lines)
	hm_host_spawn server "$GDIR/ganesha-$mode.out" "$GANESHA" -F \
		-L "$GDIR/ganesha-$mode.log" -f "$GDIR/ganesha-$mode.conf" \
		-p "$GDIR/ganesha-$mode.pid" >/dev/null
	gpid=$HM_LAST_PID
	if ! hm_wait_for 20 ganesha_registered; then
		tap_fail "$tag Ganesha starts and registers NFS v3, MOUNT v3, NLM v4" \
			"$(tail -n 30 "$GDIR/ganesha-$mode.log" 2>/dev/null)"
		hm_host_kill "$gpid" KILL
		return 1
	fi
	tap_ok "$tag Ganesha starts and registers NFS v3, MOUNT v3, NLM v4"
	tap_check "$tag Ganesha's start-up SM_UNMON_ALL reached our statd" \
		hm_wait_for 10 statd_logged_since "$lines" "SM_UNMON_ALL for server prog 100021"

	tap_check "$tag clienta's lock is granted" nlm_is clienta lock 1 granted
	tap_check "$tag Ganesha asked our statd to monitor clienta as '$mon_a'" \
		hm_wait_for 10 server_monitors "$mon_a"
	# What clienta's lock manager would do: have its statd watch the server.
	tap_check "$tag clienta's statd monitors the server" st_mon clienta server 0
	tap_check "$tag clientb's conflicting lock is denied" nlm_is clientb lock 2 denied
	tap_check "$tag clientb's TEST names clienta's lock (svid 1)" \
		nlm_is clientb test 2 "denied svid 1"

	# Ganesha keeps its TCP connection to statd and reconnects (about 3 s)
	# at its next call.
	tap_check "$tag the server's statd restarts (same boot id)" \
		eval 'st_stop server && st_start server'
	tap_check "$tag after the restart it still monitors '$mon_a' for Ganesha" \
		server_monitors "$mon_a"

	s_a=$(( $(st_state clienta) + 2 ))
	lines=$(statd_log_lines)
	tap_check "$tag clienta reboots (new boot id)" \
		eval 'st_stop clienta && st_boot clienta && st_start clienta'
	tap_check "$tag clienta's statd notified the server" \
		hm_wait_for 15 eval '[ "$(st_pending clienta)" = 0 ]'
	tap_check "$tag our statd called Ganesha back about '$mon_a', state $s_a" \
		hm_wait_for 15 statd_logged_since "$lines" \
		"told program 100021 that $mon_a is in state $s_a\$"
	tap_check "$tag Ganesha released clienta and unmonitored it" \
		hm_wait_for 15 server_monitors "$mon_a" "!"
	tap_check "$tag clientb's lock is now granted" \
		hm_wait_for 15 nlm_is clientb lock 2 granted

	# The server "reboots" (its statd only; Ganesha runs on): every host
	# Ganesha monitored hears of it.
	tap_check "$tag Ganesha asked our statd to monitor clientb as '$mon_b'" \
		hm_wait_for 10 server_monitors "$mon_b"
	tap_check "$tag clientb's statd monitors the server" st_mon clientb server "$PRIV_SRV"
	s_srv=$(( $(st_state server) + 2 ))
	tap_check "$tag the server's statd reboots (new boot id)" \
		eval 'st_stop server && st_boot server && st_start server'
	tap_check "$tag clientb's lock manager hears: mon_name server state $s_srv" \
		nlm_wait clientb 15 "mon_name server state $s_srv priv $PRIV_SRV\$"
	tap_check "$tag the server's statd has nothing pending after delivery" \
		hm_wait_for 10 eval '[ "$(st_pending server)" = 0 ]'
	tap_check "$tag clientb unlocks" nlm_is clientb unlock 2 granted

	# ORDER: stop Ganesha before the next mode; it takes about 13 s.
	if HM_STOP_TIMEOUT=40 hm_host_kill "$gpid" TERM && ! hm_pid_alive "$gpid"; then
		tap_ok "$tag Ganesha stops"
	else
		tap_fail "$tag Ganesha stops"
	fi
}

run_mode true
run_mode false

for h in server clienta clientb; do
	tap_check "$h's statd stops cleanly on SIGTERM" st_stop "$h"
done
tap_check "no statd log reports a sanitizer error" eval \
	'! grep -l "ERROR: AddressSanitizer\|runtime error:" "$HM_WORK"/h*/statd/statd.log'

took=$(( ${EPOCHREALTIME//[!0-9]/} - ${started//[!0-9]/} ))
tap_diag "t_statd_ganesha took $((took / 1000)) ms"
tap_done
