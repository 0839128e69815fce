#!/usr/bin/env bash
# t_smsd_api.sh: smsd's HTTP API by the conventions its clients expect.
#   /metrics  passes `promtool check metrics` (Prometheus' own linter:
#             base units, _total for counters, help and type), one series
#             per mount point (a mount point mounted over twice is one
#             file system to a reader), one unit per metric name, and
#             sms_build_info with the project's version;
#   version   the same version in /v1/server and the Server header;
#   HEAD      no body, and the Content-Length a GET of the same gets;
#   headers   X-SMS-Data-Age-Ms once on every resource;
#   /v1/system the fork count since boot and the processes there are, each
#             named for what it is.
# promtool comes from Debian's prometheus package (scripts/deps.sh).
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"

top=$(cd "$lib/../../.." && pwd)
B=${B:-build}
case $B in /*) bin=$B/bin ;; *) bin=$top/$B/bin ;; esac
SMSD=$bin/smsd
SMSCTL=$bin/smsctl
[ -x "$SMSD" ] || { echo "Bail out! $SMSD not built"; exit 1; }
command -v promtool >/dev/null ||
    { echo "Bail out! promtool (Debian package prometheus) not installed"; exit 1; }
version=$(sed -n 's/^HM_VERSION[[:space:]]*:=[[:space:]]*//p' \
	"$top/src/common/module.mk")

hm_hosts_create h1
W=$HM_WORK/smsd
mkdir -p "$W/dpkg" "$W/shm2"
chmod 755 "$HM_WORK" "$W"
cp /var/lib/dpkg/status "$W/dpkg/status"
{
	echo "port 596"
	echo "listen 0.0.0.0"
	echo "member-name h1"
	echo "data-dir $W/data"
	echo "post-socket $W/post.sock"
	echo "pid-file $W/smsd.pid"
	echo "log-file $W/smsd.log"
	echo "dpkg-dir $W/dpkg"
} >"$W/smsd.conf"

# Two file systems on one mount point, inside h1's own mount namespace:
# only the one on top is seen there.
twice() {
	hm_host_exec h1 mount -t tmpfs -o size=1m hm-under "$W/shm2" &&
	    hm_host_exec h1 mount -t tmpfs -o size=2m hm-over "$W/shm2" &&
	    [ "$(hm_host_exec h1 awk -v m="$W/shm2" '$5 == m' \
	    /proc/self/mountinfo | wc -l)" -eq 2 ]
}
tap_check "h1 has two tmpfs on one mount point" twice

start_smsd() {
	hm_host_spawn h1 "$W/out.log" "$SMSD" -f "$W/smsd.conf" >/dev/null
	hm_wait_for 10 hm_host_exec h1 curl -sf -o /dev/null \
	    http://127.0.0.1:596/v1/system
}
tap_check "smsd serves on port 596 in h1" start_smsd
get() { hm_host_exec h1 curl -s --max-time 10 "http://127.0.0.1:596$1"; }
same() { [ "$1" = "$2" ] || { echo "got '$1', expected '$2'"; return 1; }; }

get /v1/metrics >"$W/metrics"
promtool_clean() {
	promtool check metrics <"$W/metrics" >"$W/promtool.out" 2>&1
	local rc=$?
	cat "$W/promtool.out"
	[ $rc -eq 0 ] && [ ! -s "$W/promtool.out" ]
}
tap_check "promtool check metrics finds nothing to say" promtool_clean

one_per_mount() {
	local dup
	dup=$(grep '^sms_filesystem_size_bytes{' "$W/metrics" |
	    sed 's/^[^{]*{mountpoint="\([^"]*\)".*/\1/' | sort | uniq -d)
	[ -z "$dup" ] || { echo "twice: $dup"; return 1; }
	grep -q "^sms_filesystem_size_bytes{mountpoint=\"$W/shm2\",fstype=\"tmpfs\"} 2097152\$" \
	    "$W/metrics" || { grep shm2 "$W/metrics"; return 1; }
}
tap_check "one series per mount point, the file system on top" one_per_mount

# One unit per name: no kind label mixing counts, sectors and times.
one_unit() {
	! grep -E '^sms_(disk_io|network)_total\{' "$W/metrics" &&
	    grep -q '^sms_disk_read_bytes_total{device=' "$W/metrics" ||
	    ! grep -q . /proc/diskstats
	grep -q '^sms_network_receive_bytes_total{device="lo"}' "$W/metrics"
}
tap_check "disk and network counters: one unit per metric name" one_unit

build_info() {
	grep -qx "sms_build_info{version=\"$version\"} 1" "$W/metrics" ||
	    { grep build_info "$W/metrics"; return 1; }
}
tap_check "sms_build_info carries version $version" build_info

server_version() {
	same "$(get /v1/server | jq -r .version)" "$version" &&
	    hm_host_exec h1 curl -s -D - -o /dev/null \
	    http://127.0.0.1:596/v1/server | tr -d '\r' |
	    grep -qx "Server: smsd/$version"
}
tap_check "/v1/server and the Server header give version $version" server_version
smsctl_shows() {
	hm_host_exec h1 "$SMSCTL" -f "$W/smsd.conf" server >"$W/ctl.out" &&
	    grep -q "^member h1 version $version pid " "$W/ctl.out" &&
	    hm_host_exec h1 "$SMSCTL" -f "$W/smsd.conf" filesystems \
	    >"$W/ctl.out" && head -n 1 "$W/ctl.out" | grep -q " HEALTH\$" &&
	    grep -Eq "^$W/shm2 +tmpfs .* good\$" "$W/ctl.out" ||
	    { cat "$W/ctl.out"; return 1; }
}
tap_check "smsctl server shows the version, smsctl filesystems the health" smsctl_shows

# HEAD: headers as a GET's, no body.  curl -I reads only the headers; a
# raw exchange shows whether bytes follow them.  The lengths are compared
# where the content stays the same between two requests (the index, the
# package list, an error); the others only must have one.
head_no_body() {
	local r len glen
	for r in /v1 /v1/software /v1/nosuch /v1/system /v1/server \
	    /v1/metrics /v1/events /v1/health /v1/events/stream; do
		hm_host_exec h1 bash -c 'exec 3<>/dev/tcp/127.0.0.1/596 &&
		    printf "HEAD %s HTTP/1.0\r\n\r\n" "$1" >&3 &&
		    timeout 5 cat <&3' _ "$r" >"$W/head.raw"
		len=$(tr -d '\r' <"$W/head.raw" |
		    sed -n 's/^Content-Length: //Ip')
		# everything after the blank line that ends the headers
		if [ "$(sed '1,/^\r$/d' "$W/head.raw" | wc -c)" -ne 0 ]; then
			echo "$r: HEAD has a body"
			return 1
		fi
		case $r in
		/v1/events/stream)
			# endless to a GET: the answer must end by itself
			sed -n 1p "$W/head.raw" | grep -q '^HTTP/1\.[01] 200 ' &&
			    grep -q '^Content-Type: text/event-stream' \
			    "$W/head.raw" &&
			    [ "$(hm_host_exec h1 bash -c 'exec 3<>/dev/tcp/127.0.0.1/596 &&
			    printf "HEAD %s HTTP/1.0\r\n\r\n" "$1" >&3 &&
			    timeout 5 cat <&3 >/dev/null; echo $?' _ "$r")" = 0 ] ||
			    { echo "$r: not answered at once"; cat "$W/head.raw"; return 1; } ;;
		/v1 | /v1/software | /v1/nosuch)
			glen=$(get "$r" | wc -c)
			same "$len" "$glen" || { echo "$r"; return 1; } ;;
		*)
			[ "${len:-0}" -gt 0 ] ||
			    { echo "$r: no Content-Length"; return 1; } ;;
		esac
	done
}
tap_check "HEAD: no body, the Content-Length of a GET" head_no_body

age_once() {
	local r n
	for r in /v1/system /v1/software /v1/filesystems /v1/health \
	    /v1/metrics; do
		n=$(hm_host_exec h1 curl -s -D - -o /dev/null \
		    "http://127.0.0.1:596$r" | grep -ci '^X-SMS-Data-Age-Ms:')
		same "$n" 1 || { echo "$r"; return 1; }
	done
}
tap_check "X-SMS-Data-Age-Ms is sent once on every resource" age_once

processes() {
	local forks running
	get /v1/system >"$W/system"
	forks=$(awk '$1 == "processes" { print $2 }' /proc/stat)
	jq -e 'has("processes") | not' "$W/system" >/dev/null ||
	    { echo "an ambiguous 'processes' is still there"; return 1; }
	running=$(jq -r .process_count "$W/system")
	# both move while we look: the forks only up, the running a little
	[ "$(jq -r .forks_since_boot "$W/system")" -le "$forks" ] &&
	    [ "$(jq -r .forks_since_boot "$W/system")" -gt 0 ] &&
	    [ "$running" -ge 1 ] && [ "$running" -le $((2 * $(ls -d /proc/[0-9]* | wc -l))) ] ||
	    { cat "$W/system"; return 1; }
}
tap_check "/v1/system: forks_since_boot and process_count" processes

os_keys() {
	get /v1/system >"$W/system"
	same "$(jq -r '.os | keys | map(select(. != ascii_downcase)) | length' \
	    "$W/system")" 0 &&
	    same "$(jq -r .os.id "$W/system")" \
	    "$(. /etc/os-release && echo "$ID")"
}
tap_check "/v1/system: os-release keys in lower case, like every other name" os_keys

# good, warning, critical, inactive: the words of /v1/health, the hardware
# tree and the file systems alike.
health_words() {
	local words='["good","warning","critical","inactive"]'
	get /v1/filesystems >"$W/fs.json"
	get /v1/hardware >"$W/hw.json"
	get /v1/health >"$W/health.json"
	jq -e "[.filesystems[].health] - $words | length == 0" "$W/fs.json" &&
	    jq -e '[.filesystems[] | select(has("state"))] | length == 0' \
	    "$W/fs.json" &&
	    jq -e '.filesystems | length > 0' "$W/fs.json" &&
	    jq -e "[.nodes[].health] - $words | length == 0" "$W/hw.json" &&
	    jq -e "[.state, .checks[].state] - $words | length == 0" \
	    "$W/health.json" >/dev/null ||
	    { cat "$W/fs.json"; return 1; }
	same "$(jq -r --arg m "$W/shm2" \
	    '[.filesystems[] | select(.mountpoint == $m)][-1].health' \
	    "$W/fs.json")" good
}
tap_check "one set of health words in /v1/filesystems, /v1/hardware, /v1/health" health_words

tap_done
