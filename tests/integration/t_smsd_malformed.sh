#!/usr/bin/env bash
# t_smsd_malformed.sh: a request smsd cannot parse is answered like every
# other error: a JSON body {"error":{"code":N,"message":...}}, the status
# that fits (400, 414, 431, 501, 505), Connection: close and the connection
# closed, and one log line naming the client, the request line (escaped)
# and what is wrong.  evhttp alone answered these with an HTML page and no
# log line.  Each kind is sent by a raw client; a request that follows a
# good one on the same connection is judged too; well-formed requests,
# keep-alive among them, are served as before.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"

top=$(cd "$lib/../../.." && pwd)
B=${B:-build}
case $B in /*) bin=$B/bin ;; *) bin=$top/$B/bin ;; esac
SMSD=$bin/smsd
[ -x "$SMSD" ] || { echo "Bail out! $SMSD not built"; exit 1; }

hm_hosts_create h1
W=$HM_WORK/smsd
mkdir -p "$W/dpkg"
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
	echo "max-request-size 8192"
} >"$W/smsd.conf"

# The raw client: sends the bytes of a Python expression, reads until the
# server closes (or 10 s pass), and writes the answers it read, split by
# their Content-Length, as JSON.  Prints "closed PORT" or "open PORT".
cat >"$W/raw.py" <<'EOF'
import json, socket, sys
data = eval(sys.argv[1])
s = socket.create_connection(("127.0.0.1", 596), timeout=10)
port = s.getsockname()[1]
s.sendall(data)
buf, state = b"", "closed"
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        buf += b
except socket.timeout:
    state = "open"
except ConnectionResetError:
    state = "reset"
answers = []
heads = data.startswith(b"HEAD ")
while buf:
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        answers.append({"trailing": buf.decode("latin-1")})
        break
    lines = buf[:end].decode("latin-1").split("\r\n")
    hdrs = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    n = 0 if heads else int(hdrs.get("content-length", len(buf) - end - 4))
    body = buf[end + 4:end + 4 + n]
    answers.append({"status": lines[0], "headers": hdrs,
                    "body": body.decode("latin-1"), "length": len(body)})
    buf = buf[end + 4 + n:]
json.dump(answers, open(sys.argv[2], "w"))
print(state, port)
EOF

start_smsd() {
	hm_host_spawn h1 "$W/out.log" "$SMSD" -f "$W/smsd.conf" >/dev/null
	hm_wait_for 10 hm_host_exec h1 curl -sf -o /dev/null \
	    http://127.0.0.1:596/v1/system
}
tap_check "smsd serves on port 596 in h1" start_smsd
same() { [ "$1" = "$2" ] || { echo "got '$1', expected '$2'"; return 1; }; }

sent=0
# refused EXPR CODE REASON MESSAGE LOGGED [ANSWERS]: the last answer to
# the bytes EXPR is CODE REASON in JSON with MESSAGE, the connection is
# closed, and the log names this client, LOGGED (the request line as the
# log escapes it) and MESSAGE.
refused() {
	local expr=$1 code=$2 reason=$3 msg=$4 logged=$5 n=${6:-1} out
	local state port
	out=$(hm_host_exec h1 python3 "$W/raw.py" "$expr" "$W/ans.json") ||
	    return 1
	sent=$((sent + 1))
	read -r state port <<<"$out"
	same "$state" closed || return 1
	jq -e --argjson n "$n" --arg st "HTTP/1.1 $code $reason" \
	    --argjson c "$code" --arg m "$msg" '
	    length == $n and (.[-1] |
	    .status == $st and
	    .headers["content-type"] == "application/json" and
	    .headers.connection == "close" and
	    .headers["x-content-type-options"] == "nosniff" and
	    (.headers["content-length"] | tonumber) == .length and
	    (.body | fromjson) == {error: {code: $c, message: $m}})' \
	    "$W/ans.json" >/dev/null || { cat "$W/ans.json"; echo; return 1; }
	grep -qF "client 127.0.0.1 port $port: malformed request \"$logged\": $msg ($code)" \
	    "$W/out.log" || { echo "not logged:"; tail -n 3 "$W/out.log"; return 1; }
}

# control bytes in the request line: the log shows them escaped
tap_check "garbage: 400 in JSON, logged escaped" refused \
    'b"\x00\xff garbage\x1b[31m\r\n\r\n"' 400 "Bad Request" \
    "malformed request line" '\x00\xff garbage\x1b[31m'
tap_check "no HTTP version: 400" refused \
    'b"GET /v1/server\r\nHost: h1\r\n\r\n"' 400 "Bad Request" \
    "malformed request line" "GET /v1/server"
tap_check "HTTP/2.0 in a request line: 505" refused \
    'b"GET /v1/server HTTP/2.0\r\n\r\n"' 505 "HTTP Version Not Supported" \
    "HTTP version not supported" "GET /v1/server HTTP/2.0"
tap_check "a method evhttp does not know: 501" refused \
    'b"FROB /v1/server HTTP/1.1\r\n\r\n"' 501 "Not Implemented" \
    "method not implemented" "FROB /v1/server HTTP/1.1"
tap_check "a header line without a colon: 400" refused \
    'b"GET /v1/server HTTP/1.1\r\nHost h1\r\n\r\n"' 400 "Bad Request" \
    "malformed header line" "GET /v1/server HTTP/1.1"
tap_check "a Content-Length that is not a number: 400" refused \
    'b"GET /v1/server HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n"' 400 \
    "Bad Request" "malformed Content-Length" "GET /v1/server HTTP/1.1"
tap_check "a request line past max-request-size: 414" refused \
    'b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n"' 414 "URI Too Long" \
    "request line too long" "GET /$(head -c 119 /dev/zero | tr '\0' a)..."
# the client goes on sending after the answer; it still reads it whole
tap_check "header fields past max-request-size: 431" refused \
    'b"GET /v1/server HTTP/1.1\r\nX-Big: " + b"b" * 40000 + b"\r\n\r\n"' \
    431 "Request Header Fields Too Large" \
    "request header fields too large" "GET /v1/server HTTP/1.1"

# a HEAD gets the headers of the answer, and no body
head_refused() {
	local out state port
	out=$(hm_host_exec h1 python3 "$W/raw.py" \
	    'b"HEAD /v1/server HTTP/1.1\r\nHost h1\r\n\r\n"' "$W/ans.json") ||
	    return 1
	sent=$((sent + 1))
	read -r state port <<<"$out"
	same "$state" closed &&
	    jq -e 'length == 1 and .[0].status == "HTTP/1.1 400 Bad Request"
	    and .[0].headers.connection == "close"
	    and .[0].headers["content-type"] == "application/json"
	    and (.[0].headers["content-length"] | tonumber) > 0
	    and .[0].body == ""' "$W/ans.json" >/dev/null ||
	    { cat "$W/ans.json"; echo; return 1; }
	grep -qF "client 127.0.0.1 port $port: malformed request \"HEAD /v1/server HTTP/1.1\": malformed header line (400)" \
	    "$W/out.log" || { tail -n 3 "$W/out.log"; return 1; }
}
tap_check "HEAD with a malformed header: 400, no body" head_refused

# after a good request on the same connection, the next is judged too
tap_check "garbage after a good request on one connection: 200, then 400" \
    refused 'b"GET /v1/server HTTP/1.1\r\nHost: h1\r\n\r\nGARBAGE\r\n\r\n"' \
    400 "Bad Request" "malformed request line" "GARBAGE" 2

clean_log() {
	# no raw control byte of a request reached the log
	! LC_ALL=C grep -q $'\x1b' "$W/out.log" &&
	    ! LC_ALL=C grep -q $'\xff' "$W/out.log" &&
	    ! LC_ALL=C grep -q 'HTML' "$W/out.log"
}
tap_check "the log holds no raw bytes of a request" clean_log

# a new connection after all that is served; each malformed request was
# counted once
served_after() {
	local srv
	srv=$(hm_host_exec h1 curl -s --max-time 10 \
	    http://127.0.0.1:596/v1/server) &&
	    same "$(jq -r .member <<<"$srv")" h1 &&
	    same "$(jq -r .bad_requests <<<"$srv")" "$sent"
}
tap_check "a well-formed request on a new connection is served after them" served_after

# keep-alive: two requests, one connection, both answered
keepalive() {
	local n
	n=$(hm_host_exec h1 curl -s -o /dev/null -o /dev/null \
	    -w '%{http_code} %{num_connects} ' \
	    http://127.0.0.1:596/v1/server http://127.0.0.1:596/v1) &&
	    same "$n" "200 1 200 0 "
}
tap_check "keep-alive: a second request on the same connection is served" keepalive

# pipelined well-formed requests: both answered, the connection kept
pipelined() {
	local out
	out=$(hm_host_exec h1 python3 "$W/raw.py" \
	    'b"GET /v1 HTTP/1.1\r\nHost: h1\r\n\r\nGET /v1/server HTTP/1.1\r\nHost: h1\r\nConnection: close\r\n\r\n"' \
	    "$W/ans.json") &&
	    same "${out%% *}" closed &&
	    jq -e 'length == 2 and all(.[]; .status == "HTTP/1.1 200 OK") and
	    (.[0].headers | has("connection") | not) and
	    (.[1].body | fromjson | .member == "h1")' "$W/ans.json" \
	    >/dev/null || { cat "$W/ans.json"; echo; return 1; }
}
tap_check "two pipelined requests are both answered" pipelined

# a known method but GET and HEAD still reaches the API's own refusal,
# body read, connection kept
post_body() {
	local out
	out=$(hm_host_exec h1 python3 "$W/raw.py" \
	    'b"POST /v1/server HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /v1 HTTP/1.1\r\nConnection: close\r\n\r\n"' \
	    "$W/ans.json") &&
	    same "${out%% *}" closed &&
	    jq -e 'length == 2 and .[0].status == "HTTP/1.1 405 Method Not Allowed"
	    and .[1].status == "HTTP/1.1 200 OK"' "$W/ans.json" >/dev/null ||
	    { cat "$W/ans.json"; echo; return 1; }
}
tap_check "POST with a body: 405 from the API, the connection kept" post_body

tap_done
