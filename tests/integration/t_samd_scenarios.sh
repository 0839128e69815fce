#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2034  # tap_check eval strings use the variables
# t_samd_scenarios.sh: samd, samsigd, samkeep, samdctl, samlog and samrep in
# a test host with its own /var (so SAM's real root /var/avail/sam is
# private), a fake boot id and a 1 s heartbeat.  Failure paths: kill -9 of
# samd and samsigd, a node crash, a clean stop, clock steps both sides of
# the window (libfaketime; the machine's clock is never touched), concurrent
# samlog writers, a torn, damaged and deleted event log, bad options.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/${B:-build}/bin
HB=1
WINDOW=60
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
for p in samd samsigd samkeep samdctl samlog samrep; do
	[ -x "$bin/$p" ] || { echo "Bail out! $bin/$p not built"; exit 1; }
done

hm_hosts_create 1 || { echo "Bail out! no test host"; exit 1; }
root=/var/avail/sam			# inside h1
outside=$(hm_host_dir h1)$root		# the same folder, seen from here
mkdir -p "$outside" "$(hm_host_dir h1)/var/avail"
sed -e "s/^HEARTBEAT_SEC_DEF=.*/HEARTBEAT_SEC_DEF=$HB/" \
	-e "s/^TIME_CHG_WINDOW_SEC_DEF=.*/TIME_CHG_WINDOW_SEC_DEF=$WINDOW/" \
	-e "s|@SAMD_BIN@|$bin/samd|" "$top/src/samd/samd.sh" >"$outside/samd"
chmod 755 "$outside/samd"
bootid_file=$(hm_host_dir h1)/var/avail/boot_id
cat /proc/sys/kernel/random/uuid >"$bootid_file"
fakefile=$HM_WORK/faketime
echo "+0" >"$fakefile"

ENVV=(SAM_BOOT_ID_FILE=/var/avail/boot_id "SAM_LOGFILE=$root/samd.log"
	"SAMKEEP_BIN=$bin/samkeep" "SAMDCTL_BIN=$bin/samdctl" TZ=UTC)
# ASan must come first among the libraries; libfaketime is preloaded.
[ -n "${SANITIZE:-}" ] && ENVV+=(ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0)
FAKEV=("LD_PRELOAD=$FAKETIME_LIB" "FAKETIME_TIMESTAMP_FILE=$fakefile"
	FAKETIME_NO_CACHE=1 DONT_FAKE_MONOTONIC=1)
# Under libfaketime events are dated in the (fake) future: report to 2100.
END=@4102444800

sam() { hm_host_exec h1 env "${ENVV[@]}" "$@"; }
samf() { hm_host_exec h1 env "${ENVV[@]}" "${FAKEV[@]}" "$@"; }
stop_all() { sam timeout 60 "$bin/samdctl" stop >/dev/null 2>&1; }
hm_at_exit stop_all

pid_of() { cat "$outside/.state/$1.pid" 2>/dev/null; }
running() { sam "$bin/samdctl" status >/dev/null; }
log_has() { grep -qF -- "$1" "$outside/samd.log"; }
now() { date +%s; }

# The last DOWN event of TYPE.NAME and the UP after it: "down up planned".
last_outage() {
	sam "$bin/samrep" -e "$END" -q EVENTS -t "$1" -n "$2" | awk -F= '
		/^time=/ { t = $2 } /^state=/ { s = $2 } /^planned=/ { p = $2 }
		/^$/ && s != "" {
			if (s == "DOWN" && !down) { d = t; dp = p; down = 1 }
			else if (s == "UP" && down) { u = t; down = 0; have = 1 }
			s = ""
		}
		END { if (have) print d, u, dp; else exit 1 }'
}

# The outage of TYPE.NAME lasted from MIN to MAX seconds and was PLAN.
outage_within() {
	local o d u p
	o=$(last_outage "$1" "$2") || { echo "no outage of $1.$2"; return 1; }
	read -r d u p <<<"$o"
	echo "outage $1.$2: $((u - d)) s ($p), expected $3..$4 s ($5)"
	[ "$p" = "$5" ] && [ $((u - d)) -ge "$3" ] && [ $((u - d)) -le "$4" ]
}

# The last outage of TYPE.NAME went down from LO to HI (seconds).
down_within() {
	local o d u p
	o=$(last_outage "$1" "$2") || { echo "no outage of $1.$2"; return 1; }
	read -r d u p <<<"$o"
	echo "outage $1.$2: down at $d, expected $3..$4"
	[ "$d" -ge "$3" ] && [ "$d" -le "$4" ]
}

count_events() { sam "$bin/samrep" -e "$END" -q EVENTS "$@" | grep -c '^evid='; }

# --- bad options -------------------------------------------------------------
tap_check "start script refuses an unknown reason" \
	eval '! sam "$root/samd" BOOT_FAIL 2>/dev/null'
tap_check "start script -h prints usage" eval 'sam "$root/samd" -h 2>&1 | grep -q "usage: samd"'
sed 's/^HEARTBEAT_SEC_DEF=.*/HEARTBEAT_SEC_DEF=31/' "$outside/samd" >"$outside/samd.bad"
chmod 755 "$outside/samd.bad"
tap_check "start script refuses HEARTBEAT_SEC_DEF=31" \
	eval 'sam "$root/samd.bad" NODE_FAIL 2>&1 | grep -q "must be from 1 to 30"'
rm -f "$outside/samd.bad"
tap_check "samlog refuses a field holding .:." \
	eval '! sam "$bin/samlog" -t NODE -n n1 "bad.:.msg" 2>/dev/null'
tap_check "samlog refuses an unknown object type" \
	eval '! sam "$bin/samlog" -t DISK -n n1 2>/dev/null'
tap_check "samrep: -r, -q and -c are exclusive" \
	eval '! sam "$bin/samrep" -r SUMMARY -q EVENTS 2>/dev/null'
tap_check "samrep -c converts between time formats" \
	eval 'sam "$bin/samrep" -c 20231114221320 | grep -qx seconds=1700000000'
tap_check "samdctl refuses a user who is not root" \
	eval 'hm_host_exec h1 setpriv --reuid=65534 --regid=65534 --clear-groups \
	    env "${ENVV[@]}" "$bin/samdctl" status 2>&1 | grep -q "must be run as root"'

# --- start -------------------------------------------------------------------
tap_check "samdctl restart starts samd under samkeep" sam "$bin/samdctl" restart
tap_check "samdctl status: running and watched" running
tap_check "the event log starts with its version line" \
	eval 'head -n 1 "$outside/eventlog" | grep -q "^SAMLOG\.:\.1	"'
tap_check "samsigd answers samd's pings" hm_wait_for 5 log_has "samsigd (pid"

# --- kill -9 of samsigd --------------------------------------------------------
old=$(pid_of samsigd)
kill -9 "$old"
tap_check "samd restarts a killed samsigd and logs it" \
	hm_wait_for 5 eval '[ -n "$(pid_of samsigd)" ] && [ "$(pid_of samsigd)" != "$old" ] &&
	    log_has "samsigd killed by signal 9; restarting it"'

# --- kill -9 of samd -----------------------------------------------------------
sleep_beats() { sleep $((HB * $1)); }	# an outage or uptime of known length
sleep_beats 2
old=$(pid_of samd)
oldsig=$(pid_of samsigd)
# samkeep is held for 2 s, so a down event dated at the restart instead of at
# the last heartbeat would show.
keep=$(pid_of samkeep)
kill -STOP "$keep"
t0=$(now)
kill -9 "$old"
tk=$(now)
sleep 2
kill -CONT "$keep"
tap_check "samkeep restarts a killed samd" \
	hm_wait_for 10 eval '[ -n "$(pid_of samd)" ] && [ "$(pid_of samd)" != "$old" ]'
t1=$(now)
# (the orphan is reaped late by this machine's init: a zombie counts as dead)
tap_check "samsigd died with its samd" hm_wait_for 5 eval '! hm_pid_alive "$oldsig"'
# Down at the last heartbeat (at most HB before the kill at t0), up by t1.
tap_check "APPL down (unplanned, from the last heartbeat) and up logged" \
	hm_wait_for 5 outage_within APPL samd 2 $((t1 - t0 + HB + 1)) UNPLANNED
tap_check "the APPL down event is dated at the last heartbeat before the kill" \
	down_within APPL samd $((t0 - HB - 1)) "$tk"
tap_check "samd was restarted with PROC_FAIL" log_has "restarted $root/samd PROC_FAIL"

# --- clean stop and restart ------------------------------------------------------
# t0 before the stop: the down event is dated inside it.
t0=$(now)
tap_check "samdctl stop" sam "$bin/samdctl" stop
tap_check "samdctl status says stopped (exit 3)" \
	eval 'sam "$bin/samdctl" status >/dev/null; [ $? -eq 3 ]'
sleep 2
tap_check "samdctl restart after a stop" sam "$bin/samdctl" restart
t1=$(now)
tap_check "the stop is logged as a planned outage of about 2 s" \
	outage_within APPL samd 1 $((t1 - t0 + 1)) PLANNED
tap_check "the init script does not start samd stopped by samdctl this boot" \
	eval 'sam "$bin/samdctl" stop >/dev/null &&
	    sam env SAM_ROOT=$root "$top/etc/init.d/samd" start | grep -q "until the next boot" &&
	    ! running'

# --- node crash: no clean stop, new boot id, NODE_FAIL -------------------------------
sam "$bin/samdctl" restart >/dev/null
sleep_beats 2
kill -9 "$(pid_of samkeep)"
kill -9 "$(pid_of samd)"
t0=$(now)
cat /proc/sys/kernel/random/uuid >"$bootid_file"
rm -f "$outside/.state/stopped"	# a reboot clears nothing else
sleep 3	# so the outage is at least 3 s: killed before t0, started after t0 + 3
tap_check "init script starts samd with NODE_FAIL after the crash" \
	sam env SAM_ROOT=$root SAMKEEP_BIN="$bin/samkeep" "$top/etc/init.d/samd" start
t1=$(now)
tap_check "NODE down (unplanned, from the last heartbeat) and up logged" \
	outage_within NODE "$(hm_host_exec h1 uname -n)" 3 $((t1 - t0 + HB + 1)) UNPLANNED
tap_check "running and watched after the crash" running

# --- clock steps (libfaketime) -----------------------------------------------------------
sam "$bin/samdctl" stop >/dev/null
tap_check "samd starts under libfaketime" samf "$bin/samdctl" restart
ntime=$(count_events -t TIME -n clock)
echo "+600" >"$fakefile"
tap_check "a step of +600 s (window $WINDOW s) is logged as a TIME event" \
	hm_wait_for $((HB * 10)) eval '[ "$(count_events -t TIME -n clock)" -gt "$ntime" ] &&
	    grep -q "clock stepped by +600 s" "$outside/eventlog"'
echo "+630" >"$fakefile"
tap_check "a step of +30 s is seen and not logged" \
	hm_wait_for $((HB * 10)) log_has "clock changed by +30 s"
tap_check "only the large step made a TIME event" \
	eval '[ "$(count_events -t TIME -n clock)" -eq $((ntime + 1)) ]'
echo "+0" >"$fakefile"
tap_check "a step of -630 s is logged too" \
	hm_wait_for $((HB * 10)) grep -q "clock stepped by -630 s" "$outside/eventlog"
sleep_beats 2
old=$(pid_of samd)
t0=$(now)
kill -9 "$old"
tk=$(now)
hm_wait_for 10 eval '[ -n "$(pid_of samd)" ] && [ "$(pid_of samd)" != "$old" ]'
t1=$(now)
tap_check "after the steps, a samd crash still measures to one heartbeat" \
	eval 'hm_wait_for 5 outage_within APPL samd 0 $((t1 - t0 + HB + 1)) UNPLANNED &&
	    down_within APPL samd $((t0 - HB - 1)) "$tk"'
sam "$bin/samdctl" stop >/dev/null
sam "$bin/samdctl" restart >/dev/null

# --- concurrent samlog writers ------------------------------------------------------------
before=$(count_events)
writer() {
	local i
	for i in $(seq 1 25); do
		sam "$bin/samlog" -t APPL -n "writer$1" -s UP -u NULL -- "-w $i" >/dev/null || return 1
	done
}
pids=()
for w in 1 2 3 4; do writer "$w" & pids+=($!); done
ok=1
for p in "${pids[@]}"; do wait "$p" || ok=0; done
unique_ids() {
	local all dup
	all=$(sam "$bin/samrep" -e "$END" -q EVENTS | sed -n 's/^evid=//p')
	dup=$(echo "$all" | sort -n | uniq -d)
	[ -z "$dup" ] || { echo "duplicate ids: $dup"; return 1; }
	[ "$(echo "$all" | wc -l)" -eq $((before + 100)) ] ||
		{ echo "$(echo "$all" | wc -l) events, expected $((before + 100))"; return 1; }
	[ "$(echo "$all" | sort -n | tail -n 1)" -eq "$(echo "$all" | wc -l)" ]
}
tap_check "4 concurrent samlog writers: all succeed" eval "[ $ok -eq 1 ]"
tap_check "no lost or duplicate ids (1..N)" unique_ids

# --- samlog -i: a down event made planned --------------------------------------------------
# One reading of the clock for both times: two readings may straddle a second.
t=$(now)
id=$(sam "$bin/samlog" -t NODE -n spare -s DOWN -w "$((t - 100))" NULL)
sam "$bin/samlog" -t NODE -n spare -s UP -w "$((t - 40))" NULL >/dev/null
tap_check "samlog -i $id -p PLANNED marks the outage planned" \
	eval 'sam "$bin/samlog" -i "$id" -p PLANNED && outage_within NODE spare 60 60 PLANNED'

# --- node event signals: samsigd catches them, samd logs events ---------------
# SIGUSR1 is NODE node:event, SIGPWR NODE node:powerfail, each a CHANGE with
# the sender's user and pid (the kill builtin: this shell, $$).
# (after the restart above, once samsigd said hello: it catches them by then)
node=$(hm_host_exec h1 uname -n)
hm_wait_for 5 eval 'log_has "samsigd (pid $(pid_of samsigd)) ready"'
sig_field() { sam "$bin/samrep" -e "$END" -q EVENTS -t NODE -n "$node:$1" | sed -n "s/^$2=//p" | tail -n 1; }
kill -USR1 "$(pid_of samsigd)"
tap_check "SIGUSR1: a NODE $node:event CHANGE event in the log" \
	hm_wait_for 5 eval '[ "$(count_events -t NODE -n "$node:event")" = 1 ] &&
	    [ "$(sig_field event state)" = CHANGE ] && [ "$(sig_field event user)" = root ] &&
	    [ "$(sig_field event msg)" = "node event: SIGUSR1 from pid $$" ]'
kill -PWR "$(pid_of samsigd)"
hm_wait_for 5 eval '[ "$(count_events -t NODE -n "$node:powerfail")" = 1 ]'
kill -PWR "$(pid_of samsigd)"
tap_check "SIGPWR twice: two NODE $node:powerfail CHANGE events" \
	hm_wait_for 5 eval '[ "$(count_events -t NODE -n "$node:powerfail")" = 2 ] &&
	    [ "$(sig_field powerfail msg)" = "power failure: SIGPWR from pid $$" ]'
tap_check "samrep's summary counts them, with no up time or state" eval '
	sam "$bin/samrep" -e "$END" | grep -E "^NODE\.$node:powerfail +2 .* - +-\$" &&
	sam "$bin/samrep" -e "$END" | grep -E "^NODE\.$node:event +1 .* - +-\$" &&
	sam "$bin/samrep" -j -e "$END" | jq -e -s --arg n "$node:powerfail" \
	    "length == 1 and (.[0].objects[] | select(.name == \$n) |
	        .changes == 2 and .downs == 0 and .state == null)"'
tap_check "the signals are no events of NODE.$node itself" \
	eval '! sam "$bin/samrep" -e "$END" -q EVENTS -t NODE -n "$node" | grep -q SIG'

# --- damaged, torn and deleted event log -------------------------------------------------------
truncate -s -5 "$outside/eventlog"
tap_check "samrep reports a torn last line and goes on" \
	eval 'sam "$bin/samrep" -q EVENTS 2>&1 >/dev/null | grep -q "torn line"'
tap_check "samlog cuts the torn line and appends" \
	eval 'sam "$bin/samlog" -t APPL -n after-tear >/dev/null && ls "$outside"/eventlog.bad.* >/dev/null'
total=$(count_events)
sed -i '3s/APPL/APPX/' "$outside/eventlog"
tap_check "a damaged line is reported with its line number and skipped" \
	eval 'sam "$bin/samrep" 2>&1 >/dev/null | grep -q "line 3: checksum mismatch, skipped"'
tap_check "the rest of the log still reads" \
	eval '[ "$(count_events 2>/dev/null)" -eq $((total - 1)) ]'
maxid=$(sam "$bin/samrep" -e "$END" -q EVENTS 2>/dev/null | sed -n 's/^evid=//p' | sort -n | tail -n 1)
rm -f "$outside/eventlog"
tap_check "a deleted event log is recreated by samd with its version line" \
	hm_wait_for $((HB * 5)) eval 'head -n 1 "$outside/eventlog" 2>/dev/null | grep -q "^SAMLOG\.:\.1	"'
tap_check "ids go on after the deletion" \
	eval '[ "$(sam "$bin/samlog" -t APPL -n after-delete)" -gt "$maxid" ]'

# --- samkeep gives up ---------------------------------------------------------------------------
start=$(now)
keep_out=$(hm_host_exec h1 env "${ENVV[@]}" SAM_LOGFILE= timeout 60 "$bin/samkeep" -F -- /bin/sh -c 'exit 3' 2>&1)
keep_rc=$?
tap_check "samkeep stops after 10 failures within 300 s" \
	eval '[ $keep_rc -eq 1 ] && echo "$keep_out" | grep -q "10 failures within 300 s, giving up" &&
	    [ "$(echo "$keep_out" | grep -c "restarting it")" -eq 9 ] && [ $(($(now) - start)) -lt 30 ]'

# An end before the first event, without -b: an empty period at that end,
# not an error.
tap_check "samrep -e before the first event gives an empty report" \
	eval 'sam "$bin/samrep" -e 20000101000000 | grep -q "^Period: .* to 2000-01-01 00:00:00"'

tap_check "samdctl stop at the end" sam "$bin/samdctl" stop
tap_check "nothing of SAM runs after the stop" \
	eval '[ -z "$(pid_of samd)$(pid_of samkeep)$(pid_of samsigd)" ] || ! running'
tap_done
