#!/usr/bin/env bash
# t_smsd_basic.sh: smsd on one test host, every resource checked against
# /proc and the dpkg database; the access list (a second host), malformed
# and oversized requests, events posted locally and hot-plugged interfaces
# arriving on a stream, a slow stream subscriber, a hung source, kill -9
# and a corrupt data file, SIGHUP, the init script and restart with
# clients connected.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"

top=$(cd "$lib/../../.." && pwd)
B=${B:-build}
case $B in /*) bin=$B/bin ;; *) bin=$top/$B/bin ;; esac
SMSD=$bin/smsd
SMSCTL=$bin/smsctl
[ -x "$SMSD" ] || { echo "Bail out! $SMSD not built"; exit 1; }

hm_hosts_create h1 h2
W=$HM_WORK/smsd
mkdir -p "$W"
chmod 755 "$HM_WORK" "$W"
# the hosts' /var is private: smsd reads a copy of the machine's database
mkdir -p "$W/dpkg"
cp /var/lib/dpkg/status "$W/dpkg/status"
a1=$(hm_host_addr h1)
a2=$(hm_host_addr h2)

conf() {	# conf FILE PORT [extra lines...]
	local f=$1 port=$2
	shift 2
	{
		echo "port $port"
		echo "listen 0.0.0.0"
		echo "member-name h1"
		echo "data-dir $W/data"
		echo "post-socket $W/post.sock"
		echo "pid-file $W/smsd.pid"
		echo "log-file $W/smsd.log"
		echo "max-output 1048576"
		echo "dpkg-dir $W/dpkg"
		echo "source-timeout 800"
		printf '%s\n' "$@"
	} >"$f"
}
conf "$W/smsd.conf" 596

start_smsd() {
	hm_host_spawn h1 "$W/out.log" "$SMSD" -f "$W/smsd.conf" >/dev/null
	SMSD_PID=$HM_LAST_PID
	hm_wait_for 10 hm_host_exec h1 curl -sf -o /dev/null \
	    http://127.0.0.1:596/v1/system
}
get() { hm_host_exec h1 curl -s --max-time 10 "http://127.0.0.1:596$1"; }
jget() { get "$1" | jq -r "$2"; }
same() { [ "$1" = "$2" ] || { echo "got '$1', expected '$2'"; return 1; }; }

tap_check "smsd -n accepts the test configuration" "$SMSD" -n -f "$W/smsd.conf"
printf 'port 596\nfrobnicate yes\n' >"$W/bad.conf"
bad_n() { ! "$SMSD" -n -f "$W/bad.conf" 2>"$W/n.err" && grep -q 'bad.conf:2:' "$W/n.err"; }
tap_check "smsd -n refuses a bad line and names it" bad_n

tap_check "smsd serves on port 596 in h1" start_smsd

listening() {
	hm_host_exec h1 ss -Htlnp 'sport = :596' | grep -q '"smsd"'
}
tap_check "ss -tlnp shows smsd on port 596" listening
dropped() {
	local u
	u=$(awk '/^Uid:/ { print $2 }' "/proc/$SMSD_PID/status")
	same "$u" "$(id -u _hmsmsd)"
}
tap_check "privileges dropped to _hmsmsd (its own user) after binding" dropped

# ---- resources against the real system ----
system_real() {
	local btime memkb
	btime=$(awk '/^btime/ { print $2 }' /proc/stat)
	memkb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
	same "$(jget /v1/system .kernel.release)" "$(uname -r)" &&
	same "$(jget /v1/system .boot_time)" "$btime" &&
	same "$(jget /v1/system .memory.total)" "$((memkb * 1024))" &&
	same "$(jget /v1/system .hostname)" h1 &&
	same "$(jget /v1/system .member)" h1 &&
	same "$(jget /v1/system .cpus)" "$(nproc)" &&
	same "$(jget /v1/system .os.version_id)" \
	    "$(. /etc/os-release && echo "$VERSION_ID")"
}
tap_check "system: kernel, boot time, memory, name, CPUs as /proc says" system_real

software_real() {
	local n
	n=$(dpkg-query -W -f '${db:Status-Abbrev}\n' | grep -c '^ii')
	get /v1/software >"$W/sw.json"
	same "$(jq '[.packages[] | select(.state == "installed")] | length' \
	    "$W/sw.json")" "$(dpkg-query -W -f '${db:Status-Abbrev}\n' | grep -c '^ii')" &&
	[ "$(jq .count "$W/sw.json")" -ge "$n" ] &&
	same "$(jq -r '.packages[] | select(.name == "bash") | .version' \
	    "$W/sw.json")" "$(dpkg-query -W -f '${Version}' bash)" &&
	same "$(jget '/v1/software?name=libc6*' '.packages[].name' | sort | head -n 1)" \
	    "$(dpkg-query -W -f '${Package}\n' 'libc6*' 2>/dev/null | sort | head -n 1)"
}
tap_check "software: packages and versions as dpkg's database says" software_real

fs_real() {
	local size
	size=$(hm_host_exec h1 stat -f -c '%b*%S' / | bc)
	same "$(jget /v1/filesystems '.filesystems[] | select(.mountpoint == "/") | .size' | head -n 1)" "$size" &&
	same "$(jget /v1/filesystems '.filesystems[] | select(.mountpoint == "/") | .responding' | head -n 1)" true
}
tap_check "filesystems: / with the size statfs reports" fs_real

hw_real() {
	get /v1/hardware >"$W/hw.json"
	same "$(jq '[.nodes[] | select(.class == "processor")] | length' "$W/hw.json")" \
	    "$(ls -d /sys/devices/system/cpu/cpu[0-9]* | wc -l)" &&
	same "$(jq -r '.nodes[] | select(.id == "net:eth0") | .attributes.address' "$W/hw.json")" \
	    "$(hm_host_exec h1 cat /sys/class/net/eth0/address)" &&
	same "$(jq -r '.nodes[] | select(.id == "memory") | .attributes.size' "$W/hw.json")" \
	    "$(($(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) * 1024))" &&
	jq -e '[.nodes[] | select(.parent == null)] | length == 1' "$W/hw.json" >/dev/null &&
	jq -e '[.nodes[].health] - ["good","warning","critical","inactive"] | length == 0' \
	    "$W/hw.json" >/dev/null
}
tap_check "hardware: CPUs, eth0's MAC and memory as /sys says, one root" hw_real

metrics_real() {
	hm_host_exec h1 curl -s -D "$W/mh" http://127.0.0.1:596/v1/metrics >"$W/metrics"
	grep -qi '^content-type: text/plain; version=0.0.4' "$W/mh" &&
	same "$(awk '$1 == "sms_boot_time_seconds" { print $2 }' "$W/metrics")" \
	    "$(awk '/^btime/ { print $2 }' /proc/stat)" &&
	same "$(awk '$1 == "sms_memory_bytes{kind=\"MemTotal\"}" { print $2 }' "$W/metrics")" \
	    "$(($(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) * 1024))" &&
	[ "$(grep -c '^# TYPE' "$W/metrics")" -ge 15 ]
}
tap_check "metrics: Prometheus text with boot time and memory from /proc" metrics_real

health_ok() {
	get /v1/health >"$W/health.json"
	jq -e '(.state | IN("good","warning","critical")) and (.checks | length > 0)' \
	    "$W/health.json" >/dev/null &&
	"$SMSCTL" -H "$a1" -p 596 health >/dev/null 2>&1 ||
	hm_host_exec h1 "$SMSCTL" -p 596 health | grep -q '^h1: '
}
tap_check "health: an aggregate with its checks; smsctl shows it" health_ok

# ---- events: posted locally, hot-plug, on a stream ----
hm_host_spawn h1 "$W/stream1" curl -sN http://127.0.0.1:596/v1/events/stream >/dev/null
stream_pid=$HM_LAST_PID
hm_wait_for 5 sh -c "grep -q 'smsd event stream' '$W/stream1'"
hm_host_exec h1 "$SMSCTL" post -s "$W/post.sock" hostmon.samd.outage error \
    "node b went down"
posted() {
	grep -q '^event: hostmon.samd.outage' "$W/stream1" &&
	grep -q '"message":"node b went down"' "$W/stream1" &&
	same "$(jget '/v1/events?name=hostmon.*' '.events[-1].priority')" 400
}
tap_check "a posted event arrives on the stream and in the history" \
    hm_wait_for 5 posted
hm_host_exec h1 ip link add hmtest0 type veth peer name hmtest1
plugged() {
	grep -q '^event: sys.unix.hw.net.add' "$W/stream1" &&
	jget /v1/hardware '.nodes[].id' | grep -qx 'net:hmtest0'
}
tap_check "a hot-plugged interface posts an event and joins the hardware tree" \
    hm_wait_for 5 plugged
hm_host_exec h1 ip link del hmtest0
# logger sends a syslog-framed datagram: not our format, so refused
bad_post() {
	hm_host_exec h1 logger -d -u "$W/post.sock" "name=../x" &&
	hm_wait_for 5 grep -q 'posting socket: refused message' "$W/out.log"
}
tap_check "a malformed posted message is refused and logged" bad_post

# ---- access list, malformed and oversized requests ----
refused() {
	local code
	code=$(hm_host_exec h2 curl -s -o /dev/null -w '%{http_code}' \
	    --max-time 5 "http://$a1:596/v1/system")
	same "$code" 403 && grep -q "refused client $a2.*access list" "$W/out.log"
}
tap_check "a client outside the access list is refused with a log line" refused

malformed() {
	same "$(hm_host_exec h1 curl -s -o /dev/null -w '%{http_code}' \
	    'http://127.0.0.1:596/v1/events?name=../../etc/passwd')" 400 &&
	same "$(hm_host_exec h1 curl -s -o /dev/null -w '%{http_code}' \
	    'http://127.0.0.1:596/v1/nothing')" 404 &&
	same "$(hm_host_exec h1 curl -s -o /dev/null -w '%{http_code}' \
	    -X DELETE http://127.0.0.1:596/v1/system)" 405 &&
	same "$(hm_host_exec h1 curl -s -o /dev/null -w '%{http_code}' \
	    "http://127.0.0.1:596/v1/system?$(head -c 2000 /dev/zero | tr '\0' a)")" 414 &&
	grep -q 'refused request "/v1/events?name=../../etc/passwd": bad name pattern' \
	    "$W/out.log"
}
tap_check "malformed requests: JSON errors 400/404/405/414, logged" malformed

oversized() {
	local code
	code=$(hm_host_exec h1 curl -s -o /dev/null -w '%{http_code}' \
	    -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' b)" \
	    http://127.0.0.1:596/v1/system)
	case $code in 4??) ;; *) echo "oversized header got $code"; return 1 ;; esac
	hm_host_exec h1 bash -c 'exec 3<>/dev/tcp/127.0.0.1/596; printf "\x00\xff garbage\r\n\r\n" >&3; timeout 3 cat <&3' >"$W/garbage" 2>&1
	grep -q '^HTTP/1.1 400' "$W/garbage" &&
	same "$(jget /v1/system .member)" h1
}
tap_check "oversized headers and garbage refused; smsd goes on" oversized

# ---- a slow subscriber is dropped ----
hm_host_spawn h1 "$W/slow.log" bash -c 'exec 3<>/dev/tcp/127.0.0.1/596; printf "GET /v1/events/stream HTTP/1.1\r\nHost: x\r\n\r\n" >&3; sleep 60' >/dev/null
slow_pid=$HM_LAST_PID
streams_are() { same "$(jget /v1/server .streams)" "$1"; }
hm_wait_for 5 streams_are 2
msg=$(head -c 1000 /dev/zero | tr '\0' x)
slow_dropped() {
	hm_host_exec h1 "$SMSCTL" post -r 400 -s "$W/post.sock" bench.fill info "$msg"
	grep -q 'dropping stream client 127.0.0.1 .*too slow' "$W/out.log"
}
tap_check "a stream subscriber that does not read is dropped" \
    hm_wait_for 30 slow_dropped
tap_check "the reading subscriber is still served" \
    hm_wait_for 5 sh -c "[ \$(grep -c '^event: bench.fill' '$W/stream1') -ge 1000 ]"
hm_host_kill "$slow_pid" KILL

# ---- a subscriber that keeps sending is not buffered without end ----
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$SMSD_PID/status"; }
chatty() {
	local before after
	before=$(rss_kb)
	# at loopback speed, 3 s is far more than the 64 MB allowed below
	hm_host_exec h1 bash -c 'exec 3<>/dev/tcp/127.0.0.1/596
	    printf "GET /v1/events/stream HTTP/1.1\r\nHost: x\r\n\r\n" >&3
	    timeout 3 head -c 500000000 /dev/zero >&3; exit 0'
	after=$(rss_kb)
	[ -n "$before" ] && [ -n "$after" ] &&
	[ $((after - before)) -lt 65536 ] || {
		echo "smsd's RSS went from $before to $after kB"; return 1; }
}
tap_check "a subscriber sending without end does not grow smsd's memory" chatty
tap_check "smsd serves after it" same "$(jget /v1/system .member)" h1

# ---- a hung source: dpkg's status is a FIFO nobody writes ----
mkdir -p "$W/hung/dpkg"
mkfifo "$W/hung/dpkg/status"
chmod 644 "$W/hung/dpkg/status"
conf "$W/hung.conf" 1596
sed -i "s|^dpkg-dir .*|dpkg-dir $W/hung/dpkg|; s|^data-dir .*|data-dir $W/hung/data|; s|^post-socket .*|post-socket $W/hung/post.sock|" "$W/hung.conf"
hm_host_spawn h1 "$W/hung.log" "$SMSD" -f "$W/hung.conf" >/dev/null
hung_pid=$HM_LAST_PID
hm_wait_for 10 hm_host_exec h1 curl -sf -o /dev/null http://127.0.0.1:1596/v1/system
hung() {
	local t0 code t1 sys
	t0=$EPOCHREALTIME
	code=$(hm_host_exec h1 curl -s -o "$W/hung.body" -w '%{http_code}' \
	    --max-time 10 http://127.0.0.1:1596/v1/software)
	t1=$EPOCHREALTIME
	same "$code" 504 || return 1
	grep -q 'did not answer within 800 ms' "$W/hung.body" || return 1
	awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 3) }' || {
		echo "took $(echo "$t1 - $t0" | bc) s"; return 1; }
	sys=$(hm_host_exec h1 curl -s --max-time 2 -o /dev/null -w '%{http_code} %{time_total}' \
	    http://127.0.0.1:1596/v1/system)
	case $sys in "200 0."*) ;; *) echo "system while hung: $sys"; return 1 ;; esac
	[ "$(hm_host_exec h1 curl -s --max-time 5 -o /dev/null -w '%{http_code}' \
	    http://127.0.0.1:1596/v1/software)" = 504 ]
}
tap_check "a hung source answers 504 in its time limit; others keep serving" hung
unhung() {
	# the writer's open releases the reader blocked in open(2)
	timeout 10 sh -c "cat /var/lib/dpkg/status >'$W/hung/dpkg/status'" ||
	    return 1
	hm_wait_for 10 hm_host_exec h1 sh -c \
	    '[ "$(curl -s -o /dev/null -w "%{http_code}" http://127.0.0.1:1596/v1/software)" = 200 ]'
}
tap_check "the source answers again once the blocked read ends" unhung
grep -q 'source software answered after' "$W/hung.log" &&
	tap_ok "the late answer is logged" || tap_fail "the late answer is logged" "$(tail -n 5 "$W/hung.log")"
hm_host_kill "$hung_pid"

# ---- SIGHUP: the access list is reloaded ----
echo "allow 127.0.0.0/8" >>"$W/smsd.conf"
echo "allow $a2/32" >>"$W/smsd.conf"
kill -HUP "$SMSD_PID"
hup_ok() {
	same "$(hm_host_exec h2 curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
	    "http://$a1:596/v1/system")" 200
}
tap_check "SIGHUP reloads the access list" hm_wait_for 5 hup_ok

# ---- kill -9, restart: data files intact ----
hm_host_exec h1 "$SMSCTL" post -s "$W/post.sock" hostmon.test.marker notice before-kill
hm_wait_for 5 grep -q before-kill "$W/data/h1/events.log"
before=$(jget '/v1/events?limit=100000' .count)
hm_host_kill "$SMSD_PID" KILL
start_smsd
after_kill() {
	jq -e .nodes "$W/data/h1/hardware.json" >/dev/null &&
	jq -e .packages "$W/data/h1/software.json" >/dev/null &&
	[ "$(jget '/v1/events?name=hostmon.test.marker' .count)" = 1 ] &&
	[ "$(jget '/v1/events?limit=100000' .count)" -gt "$before" ] &&
	! compgen -G "$W/data/h1/*.bad.*" >/dev/null
}
tap_check "after kill -9 the history and inventory files are intact" after_kill

# ---- a corrupt data file is set aside and rebuilt ----
hm_host_kill "$SMSD_PID"
printf '{"packages": [ {"name": ' >"$W/data/h1/software.json"
start_smsd
rebuilt() {
	compgen -G "$W/data/h1/software.json.bad.*" >/dev/null &&
	grep -q 'software.json is corrupt .*set aside' "$W/out.log" &&
	hm_wait_for 10 jq -e '.count > 0' "$W/data/h1/software.json" >/dev/null &&
	same "$(jget /v1/software '.packages | length')" \
	    "$(jq '.packages | length' "$W/data/h1/software.json")"
}
tap_check "a corrupt software.json is set aside, logged and rebuilt" rebuilt

# ---- a cached file that parses but has the wrong shape (health.c crashed on
# it at every start, and the file stayed, so smsd crash-looped) ----
hm_host_kill "$SMSD_PID"
printf '{"nodes":[{"health":"critical"}]}' >"$W/data/h1/hardware.json"
wrong_shape() {
	start_smsd || { tail -n 5 "$W/out.log"; return 1; }
	grep -q 'hardware.json is corrupt (node 0 has no id), set aside as' "$W/out.log" &&
	compgen -G "$W/data/h1/hardware.json.bad.*" >/dev/null &&
	hm_wait_for 10 jq -e '.nodes | length > 1' "$W/data/h1/hardware.json" >/dev/null &&
	jget /v1/health .state | grep -qE '^(good|warning|critical)$' &&
	hm_pid_alive "$SMSD_PID"
}
tap_check "a hardware.json of the wrong shape: smsd starts, logs it, sets it aside, rebuilds it" wrong_shape

# ---- init script status, restart with clients connected ----
hm_host_kill "$stream_pid"
hm_host_kill "$SMSD_PID"
init() {
	hm_host_exec h1 env SMSD_DAEMON="$SMSD" SMSD_CTL="$SMSCTL" \
	    SMSD_CONF="$W/smsd.conf" "$top/etc/init.d/smsd" "$@"
}
conf "$W/nouser.conf" 596 "user no-such-smsd-user"
no_user() {
	! hm_host_exec h1 env SMSD_DAEMON="$SMSD" SMSD_CTL="$SMSCTL" \
	    SMSD_CONF="$W/nouser.conf" "$top/etc/init.d/smsd" start >"$W/nouser.out" 2>&1 &&
	grep -q 'smsd: no user no-such-smsd-user' "$W/nouser.out"
}
tap_check "init script refuses to start without smsd's user, and says so" no_user
tap_check "init script starts smsd as a daemon" init start
status_is() {	# status_is CLIENTS STREAMS
	init status >"$W/status" 2>&1
	grep -q "smsd is running, pid [0-9]*, member h1: $1 active client connections ($2 event streams)" "$W/status" ||
	{ cat "$W/status"; return 1; }
}
# status's own smsctl connection is not an active client
tap_check "init script status with no clients says 0" status_is 0 0
hm_host_spawn h1 "$W/stream2" curl -sN http://127.0.0.1:596/v1/events/stream >/dev/null
s2=$HM_LAST_PID
hm_host_spawn h1 "$W/stream3" curl -sN http://127.0.0.1:596/v1/events/stream >/dev/null
s3=$HM_LAST_PID
hm_wait_for 5 sh -c "grep -q 'smsd event stream' '$W/stream2' && grep -q 'smsd event stream' '$W/stream3'"
tap_check "init script status reports the active client count" status_is 2 2
old=$(cat "$W/smsd.pid")
tap_check "restart succeeds with clients connected" init restart
restarted() {
	grep -q '^event: smsd.stopping' "$W/stream2" &&
	! hm_pid_alive "$s2" && ! hm_pid_alive "$s3" &&
	[ "$(cat "$W/smsd.pid")" != "$old" ] &&
	same "$(jget /v1/system .member)" h1
}
tap_check "stream clients were told and closed; the new smsd serves" \
    hm_wait_for 10 restarted
tap_check "init script stop" init stop
stopped() { init status >/dev/null; [ $? -eq 3 ]; }
tap_check "status after stop says not running (exit 3)" stopped

tap_done
