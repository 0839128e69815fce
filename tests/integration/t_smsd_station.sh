#!/usr/bin/env bash
# t_smsd_station.sh: smsd's side of the SysMan Station on three test hosts.
# The station's files served from station-dir (GET / by Accept, types, the
# Content-Security-Policy and the other headers on every answer, ETag and
# 304, refused names: "..", encoded dots, subfolders, a link out, a FIFO);
# /v1/history filling at a 1 s step; /v1/members/NAME/... proxied to h2,
# answered locally for h1, 502 for a refused connect and for one that
# fails at once, 504 for a member cut off, 404 for a name nobody knows;
# /v1/software paged; /v1/suite/ss against ss -j on the same directory,
# /v1/suite/availability against samrep -j on the same log, /v1/suite/statd
# against rpc.statd -l on the same status file (left unchanged), and each
# suite resource saying plainly when its daemon's files are not there.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"

top=$(cd "$lib/../../.." && pwd)
B=${B:-build}
case $B in /*) bin=$B/bin ;; *) bin=$top/$B/bin ;; esac
SMSD=$bin/smsd
[ -x "$SMSD" ] || { echo "Bail out! $SMSD not built"; exit 1; }
hm_need curl jq mkfifo

hm_hosts_create h1 h2 h3
chmod 755 "$HM_WORK"
W=$HM_WORK/station
ST=$W/station		# a station folder of the test's own
mkdir -p "$W" "$ST" "$W/ss" "$W/dpkg"
chmod 755 "$W" "$ST" "$W/ss" "$W/dpkg"
# the hosts' /var is private: smsd reads a copy of the machine's database
cp /var/lib/dpkg/status "$W/dpkg/status"
chmod 644 "$W/dpkg/status"
printf '<!doctype html>\n<title>test station</title>\n<script src="/station/app.js"></script>\n' >"$ST/index.html"
printf 'export const x = 1;\n' >"$ST/app.js"
printf 'body { color: black; }\n' >"$ST/style.css"
printf '<svg xmlns="http://www.w3.org/2000/svg"/>\n' >"$ST/icon.svg"
printf 'secret\n' >"$W/secret.js"
ln -s "$W/secret.js" "$ST/link.js"
mkfifo "$ST/fifo.js"
mkdir "$ST/sub"
printf 'x\n' >"$ST/sub/deep.js"
chmod 644 "$ST"/*.html "$ST"/*.js "$ST"/*.css "$ST"/*.svg "$W/secret.js"

# samd's event log and statd's status file: copies smsd may read
"$bin/../tests/tools/samgen" "$W/eventlog" 200 6 >/dev/null ||
	{ echo "Bail out! samgen failed"; exit 1; }
cp "$top/tests/fuzz/statd/corpus/statusfile/typical" "$W/statd.status"
chmod 644 "$W/eventlog" "$W/statd.status"

declare -A pid
for h in h1 h2 h3; do
	d=$HM_WORK/$h
	mkdir -p "$d"
	chmod 755 "$d"
	{
		echo "listen 0.0.0.0"
		echo "member-name $h"
		echo "allow 127.0.0.0/8"
		echo "allow 198.18.0.0/15"
		echo "data-dir $d/data"
		echo "post-socket $d/post.sock"
		echo "dpkg-dir $W/dpkg"
		echo "cluster-timeout 1000"
		echo "history-step 1"
		echo "station-dir $ST"
		echo "ss-dir $W/ss"
		echo "availability-log $W/eventlog"
		echo "statd-status-file $W/statd.status"
		echo "statd-pid-file $W/none.pid"
		for m in h1 h2 h3; do echo "member $m $(hm_host_addr "$m")"; done
		echo "member refused $(hm_host_addr h3) 597"
		echo "member far 224.0.0.1"
	} >"$d/smsd.conf"
done
for h in h1 h2 h3; do
	hm_host_spawn "$h" "$HM_WORK/$h/out.log" "$SMSD" -f "$HM_WORK/$h/smsd.conf" >/dev/null
	pid[$h]=$HM_LAST_PID
done
for h in h1 h2 h3; do
	hm_wait_for 10 hm_host_exec "$h" curl -sf -o /dev/null \
	    http://127.0.0.1:596/v1/system
done

same() { [ "$1" = "$2" ] || { echo "got '$1', expected '$2'"; return 1; }; }
# get PATH [curl options...]: the answer's headers to $W/h, body to $W/b
get() {
	local p=$1
	shift
	rm -f "$W/h" "$W/b"	# a 304 or a HEAD leaves no body file
	hm_host_exec h1 curl -s --path-as-is --max-time 10 -D "$W/h" \
	    -o "$W/b" "$@" "http://127.0.0.1:596$p" >/dev/null
}
code() { head -1 "$W/h" | awk '{ print $2 }'; }
size() { [ -f "$W/b" ] && wc -c <"$W/b" || echo 0; }
header() { tr -d '\r' <"$W/h" | awk -v k="$1" 'tolower($1) == tolower(k) ":" { sub(/^[^:]*: /, ""); print }'; }
BROWSER='text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'
CSP="default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

# ---- serving ----
root_html() {
	get / -H "Accept: $BROWSER" && same "$(code)" 200 &&
	same "$(header Content-Type)" "text/html; charset=utf-8" &&
	cmp -s "$W/b" "$ST/index.html"
}
tap_check "GET / from a browser (Accept text/html first): the station's index.html" root_html
root_json() {
	get / && same "$(code)" 200 &&
	same "$(header Content-Type)" application/json &&
	jq -e '.resources | index("/v1/history") and index("/v1/suite/statd")' "$W/b" >/dev/null &&
	get / -H 'Accept: */*' && jq -e .resources "$W/b" >/dev/null &&
	get / -H 'Accept: application/json, text/html;q=0.5' &&
	jq -e .resources "$W/b" >/dev/null &&
	get /v1/ -H "Accept: $BROWSER" && jq -e .resources "$W/b" >/dev/null
}
tap_check "GET / from curl, or preferring JSON, and /v1/ always: the JSON index" root_json
types() {
	local f t
	for f in index.html:text/html app.js:text/javascript \
	    style.css:text/css icon.svg:image/svg+xml; do
		t=${f#*:}
		f=${f%%:*}
		get "/station/$f" && same "$(code)" 200 &&
		case $(header Content-Type) in "$t"*) ;; *) echo "$f: $(header Content-Type)"; return 1 ;; esac &&
		cmp -s "$W/b" "$ST/$f" || return 1
	done
	get /station/ && same "$(code)" 200 && cmp -s "$W/b" "$ST/index.html"
}
tap_check "/station/NAME: each file with its type, /station/ the index" types
headers() {
	local p
	for p in / /station/app.js /v1/system /v1/history /v1/nothing '/station/../x'; do
		get "$p" &&
		same "$(header Content-Security-Policy)" "$CSP" &&
		same "$(header X-Content-Type-Options)" nosniff &&
		same "$(header Referrer-Policy)" no-referrer || { echo "on $p"; return 1; }
	done
}
tap_check "every answer (files, JSON, errors): the CSP, nosniff, no-referrer" headers
etag() {
	local tag
	get /station/app.js && tag=$(header ETag) &&
	case $tag in \"*\") ;; *) echo "etag '$tag'"; return 1 ;; esac &&
	same "$(header Cache-Control)" no-cache &&
	get /station/app.js -H "If-None-Match: $tag" && same "$(code)" 304 &&
	same "$(size)" 0 && same "$(header ETag)" "$tag" &&
	get /station/app.js -H "If-None-Match: \"other\", $tag" && same "$(code)" 304 &&
	printf 'export const x = 2;\n' >"$ST/app.js" &&
	get /station/app.js -H "If-None-Match: $tag" && same "$(code)" 200 &&
	[ "$(header ETag)" != "$tag" ] && cmp -s "$W/b" "$ST/app.js"
}
tap_check "a strong ETag; If-None-Match: 304 with no body; a changed file: 200" etag
refused() {
	local p c
	for p in '/station/../h1/smsd.conf:400' '/station/..%2fsecret.js:400' \
	    '/station/%2e%2e/secret.js:400' '/station/sub/deep.js:400' \
	    '/station/.hidden:400' '/station/app.js?v=1:400' \
	    '/station/link.js:404' '/station/fifo.js:404' '/station/sub:404' \
	    '/station/none.js:404' '/station/smsd.conf:404'; do
		c=${p##*:}
		p=${p%:*}
		get "$p" && same "$(code)" "$c" || { echo "on $p"; return 1; }
		if grep -q secret "$W/b"; then echo "$p: leaked"; return 1; fi
	done
	get /v1/system && same "$(code)" 200	# the FIFO hung nothing
}
tap_check "refused: .., encoded dots, subfolders, hidden names, a link out (404), a FIFO (404, nothing hangs)" refused

# ---- /v1/history ----
history_fills() {
	get /v1/history && same "$(code)" 200 &&
	jq -e '.step_seconds == 1 and .capacity == 360 and (.samples | length) >= 3' "$W/b" >/dev/null
}
tap_check "/v1/history: a sample a second (history-step 1), capacity 360" \
	hm_wait_for 15 history_fills
history_values() {
	local memtotal
	memtotal=$(( $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) * 1024 ))
	jq -e --argjson mt "$memtotal" '
	    .samples as $s |
	    ([range(1; $s | length) | $s[.].time_ms > $s[. - 1].time_ms] | all) and
	    ($s | all(.memory_total_bytes == $mt and
	        .memory_used_bytes > 0 and .memory_used_bytes < $mt and
	        .cpu_busy_ratio >= 0 and .cpu_busy_ratio <= 1 and
	        .load1 >= 0 and .disk_read_bytes_per_second >= 0 and
	        .net_rx_bytes_per_second >= 0 and .net_tx_bytes_per_second >= 0))' \
	    "$W/b" >/dev/null || { jq -c '.samples[0]' "$W/b"; return 1; }
}
tap_check "/v1/history: oldest first, memory total as /proc/meminfo, ratios and rates in range" history_values

# ---- /v1/members/NAME/... ----
proxied() {
	get /v1/members/h2/system && same "$(code)" 200 &&
	same "$(jq -r .member "$W/b")" h2 && same "$(jq -r .hostname "$W/b")" h2 &&
	get '/v1/members/h2/software?limit=2' && same "$(jq .count "$W/b")" 2 &&
	get /v1/members/h2/history && jq -e '.step_seconds == 1' "$W/b" >/dev/null &&
	get '/v1/members/h3/events?name=sys.unix.smsd.start' &&
	same "$(jq -r '.events[0].member' "$W/b")" h3 &&
	# HEAD: curl -I writes the headers where the body would go
	get /v1/members/h2/health -I && same "$(code)" 200 &&
	! grep -q '"member"' "$W/b" && [ "$(header Content-Length)" -gt 0 ]
}
tap_check "/v1/members/h2/...: h2's own answers, query strings passed on, HEAD" proxied
local_member() {
	get /v1/members/h1/system && same "$(code)" 200 &&
	same "$(jq -r .member "$W/b")" h1 &&
	get '/v1/members/h1/software?offset=1&limit=1' && same "$(jq .count "$W/b")" 1
}
tap_check "/v1/members/h1/... on h1: answered locally" local_member
member_refusals() {
	get /v1/members/h9/system && same "$(code)" 404 &&
	jq -e '.error.message | test("no member h9")' "$W/b" >/dev/null &&
	get /v1/members/h2/cluster && same "$(code)" 404 &&
	get /v1/members/h2/events/stream && same "$(code)" 404 &&
	get '/v1/members/h2/events?bogus=1' && same "$(code)" 400 &&
	get '/v1/members/../system' && same "$(code)" 400
}
tap_check "/v1/members: an unknown member 404, resources not proxied 404, bad queries 400" member_refusals
member_errors() {
	get /v1/members/refused/system && same "$(code)" 502 &&
	jq -e '.error.member == "refused" and (.error.message | test("connection failed"))' "$W/b" >/dev/null &&
	get /v1/members/far/system && same "$(code)" 502 &&
	jq -e '.error.member == "far"' "$W/b" >/dev/null &&
	get /v1/system && same "$(code)" 200
}
tap_check "a member refusing (502), one failing at once (502, smsd goes on)" member_errors
hm_isolate h3
member_slow() {
	local t0 t1
	t0=$EPOCHREALTIME
	get /v1/members/h3/system
	t1=$EPOCHREALTIME
	same "$(code)" 504 &&
	jq -e '.error.member == "h3" and (.error.message | test("no answer within 1000 ms"))' "$W/b" >/dev/null &&
	awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 0.9 && b - a < 2.5) }' ||
	{ echo "took $t0 .. $t1"; cat "$W/b"; return 1; }
}
tap_check "a member cut off: 504 after cluster-timeout (1 s), naming it" member_slow
hm_rejoin h3

# ---- /v1/software paging ----
paging() {
	local all
	get /v1/software && all=$(jq .count "$W/b") && [ "$all" -gt 3 ] &&
	jq -r '.packages[1:3][].name' "$W/b" >"$W/want" &&
	get '/v1/software?offset=1&limit=2' &&
	jq -e --argjson all "$all" '.count == 2 and .total == $all and .offset == 1 and .limit == 2' "$W/b" >/dev/null &&
	jq -r '.packages[].name' "$W/b" | cmp -s - "$W/want" &&
	get "/v1/software?offset=$all&limit=5" &&
	jq -e '.count == 0 and (.packages | length) == 0' "$W/b" >/dev/null &&
	get '/v1/software?offset=-1' && same "$(code)" 400
}
tap_check "/v1/software?offset=&limit=: the page, the total, past the end empty" paging

# ---- the suite ----
# two ss status files, encoded as ssd writes them (csstat.h): alpha up
# 3600 s (3600 >> 1 = 1800, e 1), idle 60, load 0.96, 10 % usr, 5 % sys, 2
# users; beta marked down
touch -a -d "@$(( ((1800 | 1 << 11) << 16) | 60 ))" "$W/ss/alpha"
touch -m -d "@$(( (12 << 24) | (5 << 16) | (10 << 8) | 2 ))" "$W/ss/alpha"
touch -d "@$(( 30 ))" "$W/ss/beta"
ss_same() {
	get /v1/suite/ss && jq -e '.available and (.hosts | length) == 2' "$W/b" >/dev/null &&
	# (ss's exit status says whether a host is down: not asked here)
	{ "$bin/ss" -n -j -D "$W/ss" >"$W/ss.out" || :; } &&
	jq -r '.[] | "\(.host) \(.state) \(.up) \(.users) \(.idle) \(.pctusr) \(.pctsys) \(.load)"' \
	    "$W/ss.out" | sort >"$W/want" &&
	jq -r '.hosts[] | "\(.name) \(.state) \(.uptime_seconds // 0) \(.users // 0) \(.idle_seconds // 0) \(.usr_percent // 0) \(.sys_percent // 0) \(.load1 // 0)"' \
	    "$W/b" | sort >"$W/got" &&
	diff "$W/want" "$W/got" || { cat "$W/b"; return 1; }
}
tap_check "/v1/suite/ss: the hosts, states and numbers of ss -j on the same directory" ss_same
avail_same() {
	get /v1/suite/availability && jq -e '.available and .log == "'"$W/eventlog"'"' "$W/b" >/dev/null &&
	# in h1, whose node name the summary gives
	hm_host_exec h1 "$bin/samrep" -j -f "$W/eventlog" >"$W/samrep.json" &&
	jq -e --slurpfile r "$W/samrep.json" '
	    # what moves with the clock between the two reads: now, the end,
	    # the periods and the down time of an object still down (compared
	    # within 5 s), the percentages (within 1e-5)
	    def strip: del(.now, .end, .period_seconds) |
	        .objects |= map(del(.up_percent, .period_seconds,
	            .unplanned_down_seconds, .planned_down_seconds));
	    def col(k): [.objects[][k]];
	    def near(k; tol): [.summary | col(k), ($r[0] | col(k))] |
	        transpose | all(if .[0] == null then .[1] == null
	            else (.[0] - .[1] | fabs) < tol end);
	    (.summary | strip) == ($r[0] | strip) and
	    near("up_percent"; 1e-5) and near("period_seconds"; 5) and
	    near("unplanned_down_seconds"; 5) and
	    near("planned_down_seconds"; 5) and
	    (.summary.objects | length) == 6' "$W/b" >/dev/null ||
	{ jq -c .summary "$W/b" | head -c 600; return 1; }
}
tap_check "/v1/suite/availability: samrep -j's SUMMARY of the same log" avail_same
statd_same() {
	local before
	before=$(sha256sum <"$W/statd.status")
	get /v1/suite/statd && jq -e '.available and .running == false and .state == 5' "$W/b" >/dev/null &&
	"$bin/rpc.statd" -l -f "$W/statd.status" >"$W/list" 2>&1 &&
	awk '/^monitor / { print $2, $4, $6, $8, $10 }' "$W/list" | sort >"$W/want" &&
	jq -r '.monitored[] | "\(.mon_name) \(.my_name) \(.prog) \(.vers) \(.proc)"' "$W/b" | sort | cmp -s - "$W/want" &&
	awk '/^notify / { print $2, $4 }' "$W/list" | sort >"$W/want" &&
	jq -r '.pending[] | "\(.host) \(.state)"' "$W/b" | sort | cmp -s - "$W/want" &&
	same "$(sha256sum <"$W/statd.status")" "$before" ||
	{ cat "$W/b" "$W/list"; return 1; }
}
tap_check "/v1/suite/statd: rpc.statd -l's entries and notifications; the file unchanged" statd_same
SMSCTL=$bin/smsctl
smsctl_shows() {
	hm_host_exec h1 "$SMSCTL" -p 596 suite statd >"$W/ctl" &&
	grep -q '^rpc.statd not running, state 5, 2 monitored, 1 pending$' "$W/ctl" &&
	grep -q '^monitor 198.18.0.2 by nfs1 prog 100021 vers 4 proc 16$' "$W/ctl" &&
	grep -q '^notify fe80::1 state 3$' "$W/ctl" &&
	hm_host_exec h1 "$SMSCTL" -p 596 suite ss >"$W/ctl" &&
	grep -Eq '^alpha +up +3600 +2 +60 +0.96 +10 +5$' "$W/ctl" &&
	hm_host_exec h1 "$SMSCTL" -p 596 suite availability >"$W/ctl" &&
	grep -q "^event log $W/eventlog, node h1, 200 events$" "$W/ctl" &&
	hm_host_exec h1 "$SMSCTL" -p 596 history >"$W/ctl" &&
	grep -Eq '^step 1 s, [0-9]+ of 360 samples$' "$W/ctl" &&
	[ "$(wc -l <"$W/ctl")" -ge 5 ] || { cat "$W/ctl"; return 1; }
}
tap_check "smsctl suite statd|ss|availability and history show the resources" smsctl_shows
suite_absent() {
	hm_host_exec h1 sh -c "sed -i -e 's|^ss-dir .*|ss-dir $W/nothere|' \
	    -e 's|^availability-log .*|availability-log $W/nothere.log|' \
	    -e 's|^statd-status-file .*|statd-status-file $W/nothere.status|' \
	    $HM_WORK/h1/smsd.conf" &&
	hm_host_kill "${pid[h1]}" HUP && sleep 0.3 &&
	get /v1/suite/ss && jq -e '(.available | not) and (.reason | test("nothere"))' "$W/b" >/dev/null &&
	get /v1/suite/availability &&
	jq -e '(.available | not) and (.reason | test("samd is not installed"))' "$W/b" >/dev/null &&
	get /v1/suite/statd &&
	jq -e '(.available | not) and .running == false and (.reason | test("rpc.statd is not installed"))' "$W/b" >/dev/null &&
	{ ! hm_host_exec h1 "$SMSCTL" -p 596 suite statd >"$W/ctl"; } &&
	grep -q '^statd: not available: rpc.statd is not installed' "$W/ctl" ||
	{ cat "$W/b"; return 1; }
}
tap_check "the suite's daemons absent: available false, with a plain reason" suite_absent

# ---- the stream for a browser's EventSource: frames=message ----
post() { "$SMSCTL" post -s "$HM_WORK/$1/post.sock" "$2" notice "$3"; }
# sse HOST OUT PATH [curl options...]: two seconds of HOST's stream, no \r
sse() {
	local h=$1 out=$2 p=$3
	shift 3
	# curl ends with 28 (its time is up): the stream itself never ends
	hm_host_exec "$h" curl -sN --max-time 2 "$@" "http://127.0.0.1:596$p" >"$W/raw"
	tr -d '\r' <"$W/raw" >"$out"
}
nposted() {	# nposted N PATTERN: h1's history holds N events named PATTERN
	get "/v1/events?name=$2" && [ "$(jq '.events | length' "$W/b")" = "$1" ]
}
seqs() { sed -n 's/^id: //p' "$1" | paste -sd' '; }
datas() { sed -n 's/^data: //p' "$1" | jq -r '"\(.seq) \(.name)"' | paste -sd' '; }
frames_message() {
	local s1 s2 s3
	post h1 app.frames.e1 one && post h1 app.frames.e2 two && post h1 app.frames.e3 three &&
	hm_wait_for 5 nposted 3 'app.frames.*' || return 1
	read -r s1 s2 s3 < <(jq -r '[.events[].seq] | join(" ")' "$W/b")
	# Last-Event-ID (s1) wins over the older since=: e2 and e3, each once
	sse h1 "$W/s" "/v1/events/stream?frames=message&name=app.frames.*&since=$((s1 - 1))" \
	    -H "Last-Event-ID: $s1" &&
	{ ! grep -q '^event:' "$W/s"; } && grep -qx 'retry: 1000' "$W/s" &&
	same "$(seqs "$W/s")" "$s2 $s3" &&
	same "$(datas "$W/s")" "$s2 app.frames.e2 $s3 app.frames.e3" || { cat "$W/s"; return 1; }
	# named frames (the default) as before: an event: line each, no retry:
	sse h1 "$W/s" "/v1/events/stream?name=app.frames.*" -H "Last-Event-ID: $s1" &&
	same "$(grep '^event:' "$W/s" | paste -sd' ')" "event: app.frames.e2 event: app.frames.e3" &&
	{ ! grep -q '^retry:' "$W/s"; } || { cat "$W/s"; return 1; }
	# live, not only the replay: an event posted while the stream is open
	: >"$W/raw"
	{ hm_wait_for 2 grep -q 'smsd event stream' "$W/raw" && post h1 app.frames.live four; } &
	sse h1 "$W/s" "/v1/events/stream?frames=message&name=app.frames.*"
	wait $! || return 1
	same "$(datas "$W/s" | cut -d' ' -f2)" app.frames.live && [ "$(seqs "$W/s")" -gt "$s3" ] &&
	{ ! grep -q '^event:' "$W/s"; } || { cat "$W/s"; return 1; }
	get '/v1/events/stream?frames=named' --max-time 1
	same "$(code)" 200 && get '/v1/events/stream?frames=bogus' && same "$(code)" 400
}
tap_check "stream?frames=message: no event: lines, resumes after Last-Event-ID, nothing lost or twice" frames_message
frames_reset() {	# an id past smsd's newest: ids started again
	local next
	sse h1 "$W/s" "/v1/events/stream?frames=message" -H "Last-Event-ID: 99999999" &&
	get '/v1/events?limit=1' && next=$(jq .next_seq "$W/b") &&
	{ ! grep -q '^id:' "$W/s"; } &&
	sed -n 's/^data: //p' "$W/s" | jq -s -e --argjson n "$next" 'length == 1 and
	    (.[0] | .name == "smsd.reset" and .seq == null and .member == "h1" and .next_seq <= $n)' >/dev/null ||
	{ cat "$W/s"; return 1; }
}
tap_check "stream?frames=message after an unknown id: an smsd.reset frame, no id" frames_reset

# h3 stops with a message stream open: its last frame says so, unnamed
hm_host_spawn h3 "$W/stop.raw" curl -sN "http://127.0.0.1:596/v1/events/stream?frames=message" >/dev/null
stopcurl=$HM_LAST_PID
gone() { ! hm_pid_alive "$1"; }
frames_stopping() {
	hm_wait_for 5 grep -q 'smsd event stream' "$W/stop.raw" &&
	hm_host_kill "${pid[h3]}" TERM &&
	hm_wait_for 5 gone "$stopcurl" || return 1
	tr -d '\r' <"$W/stop.raw" >"$W/s"
	{ ! grep -q '^event:' "$W/s"; } &&
	sed -n 's/^data: //p' "$W/s" | jq -s -e 'length >= 1 and
	    (.[-1] | .name == "smsd.stopping" and .seq == null and .member == "h3")' >/dev/null ||
	{ cat "$W/s"; return 1; }
}
tap_check "smsd stopping: a message stream's last frame is an unnamed smsd.stopping" frames_stopping
# h3 again, keeping only 16 events
hm_wait_for 5 gone "${pid[h3]}"
echo "event-history 16" >>"$HM_WORK/h3/smsd.conf"
hm_host_spawn h3 "$HM_WORK/h3/out.log" "$SMSD" -f "$HM_WORK/h3/smsd.conf" >/dev/null
pid[h3]=$HM_LAST_PID
hm_wait_for 10 hm_host_exec h3 curl -sf -o /dev/null http://127.0.0.1:596/v1/system
frames_gap() {	# 20 events after the last id seen, 16 kept: the rest said lost
	local n0 i first lost
	hm_host_exec h3 curl -s http://127.0.0.1:596/v1/events?limit=1 >"$W/n" &&
	n0=$(($(jq .next_seq "$W/n") - 1)) || return 1
	for i in $(seq 20); do post h3 "app.gap.e$i" "$i" || return 1; done
	hm_wait_for 5 eval 'hm_host_exec h3 curl -s "http://127.0.0.1:596/v1/events?name=app.gap.*&limit=1" |
	    jq -e ".events[0].name == \"app.gap.e20\"" >/dev/null' || return 1
	sse h3 "$W/s" "/v1/events/stream?frames=message&name=app.gap.*" -H "Last-Event-ID: $n0" &&
	first=$(sed -n 's/^data: //p' "$W/s" | head -1) && [ -n "$first" ] &&
	jq -e --argjson f $((n0 + 1)) '.name == "smsd.gap" and .seq == null and .first == $f and .lost >= 4' \
	    <<<"$first" >/dev/null || { cat "$W/s"; return 1; }
	# what follows is what is kept: from the first id after the lost ones,
	# the newest of the 20 in order, each once, ending with e20
	lost=$(jq .lost <<<"$first")
	sed -n 's/^data: //p' "$W/s" | tail -n +2 | jq -s -e --argjson o $((n0 + 1 + lost)) '
	    length >= 1 and length <= 16 and .[0].seq >= $o and
	    (map(.name) == [range(21 - length; 21) | "app.gap.e\(.)"])' >/dev/null ||
	{ cat "$W/s"; return 1; }
}
tap_check "stream?frames=message past the kept history: an smsd.gap frame with the lost count" frames_gap
alive() { hm_pid_alive "${pid[h1]}" && hm_pid_alive "${pid[h2]}" && hm_pid_alive "${pid[h3]}"; }
tap_check "smsd on h1, h2 and h3 still running" alive

tap_done
