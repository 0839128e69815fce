#!/usr/bin/env bash
# shellcheck disable=SC2016  # tap_check eval strings use the variables
# t_posters.sh: the suite's other daemons post their events to the local
# smsd (issue 6): a samd outage and a statd notification reach smsd's event
# stream and history, from the daemon's own process (smsd records the
# sender's uid), and neither daemon minds when no smsd runs.
#
# Two test hosts.  h1 runs smsd with its default posting socket (h1's /run
# is its own), a stream subscriber, rpcbind, our statd, nlmstub and samd
# under samkeep; h2 runs rpcbind and our statd.  h1 monitors h2; h2 reboots.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"
. "$lib/statd.sh"

top=$(cd "$lib/../../.." && pwd)
B=${B:-build}
case $B in /*) bin=$B/bin ;; *) bin=$top/$B/bin ;; esac
for p in smsd samd samkeep samdctl; do
	[ -x "$bin/$p" ] || { echo "Bail out! $bin/$p not built"; exit 1; }
done
command -v jq >/dev/null || { echo "Bail out! jq missing"; exit 1; }
id _hmstatd >/dev/null 2>&1 || { echo "Bail out! no user _hmstatd (scripts/deps.sh)"; exit 1; }

hm_hosts_create h1 h2 || { echo "Bail out! no test hosts"; exit 1; }
W=$HM_WORK/smsd
mkdir -p "$W/dpkg"
chmod 755 "$HM_WORK" "$W"
cp /var/lib/dpkg/status "$W/dpkg/status"
{
	echo "port 596"
	echo "listen 127.0.0.1"
	echo "member-name h1"
	echo "data-dir $W/data"
	echo "pid-file $W/smsd.pid"
	echo "log-file $W/smsd.log"
	echo "dpkg-dir $W/dpkg"
} >"$W/smsd.conf"

same() { [ "$1" = "$2" ] || { echo "got '$1', expected '$2'"; return 1; }; }
get() { hm_host_exec h1 curl -s --max-time 10 "http://127.0.0.1:596$1"; }

# --- no smsd yet: statd and samd start and serve all the same -----------------
up=0
for h in h1 h2; do
	hm_rpcbind "$h" && st_start "$h" && up=$((up + 1))
done
[ $up -eq 2 ] && nlm_start h1 && tap_ok "rpcbind and statd run on h1 and h2, no smsd anywhere" ||
	{ tap_fail "rpcbind and statd start on h1 and h2"; tap_done; }
tap_check "SM_SIMU_CRASH on h1 without an smsd: answered, state changed" \
	eval 'st_smcall h1 crash | grep -qx ok &&
	    hm_wait_for 10 grep -q "SM_SIMU_CRASH: state now" "$(st_dir h1)/statd.log"'

# --- smsd in h1, default posting socket, one stream subscriber ----------------
hm_host_spawn h1 "$W/out.log" "$bin/smsd" -f "$W/smsd.conf" >/dev/null
hm_wait_for 10 hm_host_exec h1 curl -sf -o /dev/null http://127.0.0.1:596/v1/system ||
	{ tap_fail "smsd serves in h1" "$(tail -n 5 "$W/out.log")"; tap_done; }
tap_check "smsd's default posting socket in h1" \
	test -S "$(hm_host_dir h1)/run/smsd/post.sock"
hm_host_spawn h1 "$W/stream" curl -sN http://127.0.0.1:596/v1/events/stream >/dev/null
hm_wait_for 5 grep -q 'smsd event stream' "$W/stream"

# The newest history event named NAME, as JSON.
last_event() { get "/v1/events?name=$1" | jq -c '.events[-1] // empty'; }
# A stream line of event NAME whose data has TEXT.
on_stream() { grep -A 1 "^event: $1\$" "$W/stream" | grep -qF -- "$2"; }

# --- statd: h2 reboots; h1's statd tells its lock manager and smsd ------------
# (after the SM_SIMU_CRASH above, which made h1 forget its monitors).  Both
# ways: h2's statd notifies the hosts it monitors when it reboots, and h1's
# statd passes that on for the hosts its lock manager monitors.
tap_check "h1 monitors h2, h2 monitors h1" eval 'st_mon h1 h2 0 && st_mon h2 h1 0'
st_stop h2 && st_boot h2 && st_start h2
statd_posted() {
	local ev
	ev=$(last_event hostmon.statd.notify)
	[ -n "$ev" ] || { echo "no hostmon.statd.notify in the history"; return 1; }
	echo "$ev"
	jq -e '.priority == 200 and (.message | test("^h2 rebooted \\(state [0-9]+\\), from ")) and
	    (.message | test("for 1 monitored hosts$"))' <<<"$ev" >/dev/null &&
	on_stream hostmon.statd.notify 'h2 rebooted'
}
tap_check "h2's reboot: hostmon.statd.notify on h1's stream and in its history" \
	hm_wait_for 15 statd_posted
from_statd() {
	same "$(last_event hostmon.statd.notify | jq -r '.data.uid // .uid // empty')" \
	    "$(id -u _hmstatd)"
}
tap_check "posted by statd's unprivileged server (uid _hmstatd)" from_statd
tap_check "the lock manager was told too" nlm_wait h1 15 'mon_name h2 state'

tap_check "SM_SIMU_CRASH on h1: hostmon.statd.reboot posted" \
	eval 'st_smcall h1 crash | grep -qx ok &&
	    hm_wait_for 10 eval "last_event hostmon.statd.reboot | grep -q \"SM_SIMU_CRASH: NSM state now\""'

# --- samd: kill -9, samkeep restarts it; the outage reaches smsd --------------
root=/var/avail/sam			# inside h1
outside=$(hm_host_dir h1)$root
mkdir -p "$outside"
sed -e "s/^HEARTBEAT_SEC_DEF=.*/HEARTBEAT_SEC_DEF=1/" \
	-e "s|@SAMD_BIN@|$bin/samd|" "$top/src/samd/samd.sh" >"$outside/samd"
chmod 755 "$outside/samd"
cat /proc/sys/kernel/random/uuid >"$(hm_host_dir h1)/var/avail/boot_id"
ENVV=(SAM_BOOT_ID_FILE=/var/avail/boot_id "SAM_LOGFILE=$root/samd.log"
	"SAMKEEP_BIN=$bin/samkeep" "SAMDCTL_BIN=$bin/samdctl" TZ=UTC)
sam() { hm_host_exec h1 env "${ENVV[@]}" "$@"; }
stop_sam() { sam timeout 60 "$bin/samdctl" stop >/dev/null 2>&1; }
hm_at_exit stop_sam
samd_pid() { cat "$outside/.state/samd.pid" 2>/dev/null; }

tap_check "samd starts under samkeep in h1" sam "$bin/samdctl" restart
hm_wait_for 5 grep -q "samsigd (pid" "$outside/samd.log"
sleep 2		# a few heartbeats, so the outage has a last one
old=$(samd_pid)
kill -9 "$old"
hm_wait_for 10 eval '[ -n "$(samd_pid)" ] && [ "$(samd_pid)" != "$old" ]'
samd_posted() {
	local ev
	ev=$(last_event hostmon.samd.outage)
	[ -n "$ev" ] || { echo "no hostmon.samd.outage in the history"; return 1; }
	echo "$ev"
	jq -e '.priority == 400 and (.message | test("^APPL\\.samd DOWN UNPLANNED at .* \\(event [0-9]+\\): "))' \
	    <<<"$ev" >/dev/null &&
	on_stream hostmon.samd.outage 'APPL.samd DOWN UNPLANNED' &&
	last_event hostmon.samd.up | grep -q 'APPL\.samd UP'
}
tap_check "samd killed -9: its outage (400) and recovery reach h1's smsd" \
	hm_wait_for 10 samd_posted
tap_check "posted by samd itself (uid 0)" \
	eval 'same "$(last_event hostmon.samd.outage | jq -r ".data.uid // .uid // empty")" 0'
# A node event signal to samsigd: samd's event, posted to smsd like the rest.
# (once the restarted samd's samsigd said hello: it catches signals by then)
sigd=$(cat "$outside/.state/samsigd.pid" 2>/dev/null)
hm_wait_for 5 eval 'sigd=$(cat "$outside/.state/samsigd.pid" 2>/dev/null) &&
    grep -q "samsigd (pid $sigd) ready" "$outside/samd.log"'
kill -PWR "$sigd"
signal_posted() {
	local ev
	ev=$(last_event hostmon.samd.signal)
	[ -n "$ev" ] || { echo "no hostmon.samd.signal in the history"; return 1; }
	echo "$ev"
	jq -e '.priority == 300 and (.message | test("^NODE\\.h1:powerfail CHANGE at .* \\(event [0-9]+\\): power failure: SIGPWR from pid [0-9]+$"))' \
	    <<<"$ev" >/dev/null && on_stream hostmon.samd.signal 'h1:powerfail CHANGE'
}
tap_check "SIGPWR to samsigd: hostmon.samd.signal (300) in h1's smsd" \
	hm_wait_for 10 signal_posted
tap_check "samdctl stop: a planned outage, posted as a notice (200)" \
	eval 'sam "$bin/samdctl" stop >/dev/null &&
	    hm_wait_for 10 eval "last_event hostmon.samd.outage | jq -e \".priority == 200 and (.message | test(\\\"DOWN PLANNED\\\"))\" >/dev/null"'

tap_done
