#!/bin/sh
# demo.sh start|status|stop ROOT: smsd with every path inside ROOT (an
# unprivileged port unless root), shown through smsctl.
set -u
: "${B:=build}"
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/$B/bin
root=${2:?usage: demo.sh start|status|stop ROOT}/smsd
port=15960	# unprivileged, never the real port, in a demo

case ${1:-} in
start)
	mkdir -p "$root"
	chmod 755 "$root"
	cat >"$root/smsd.conf" <<CONF
port $port
listen 127.0.0.1
member-name demo
data-dir $root/data
post-socket $root/post.sock
pid-file $root/smsd.pid
log-file $root/smsd.log
post-group $(id -gn)
CONF
	"$bin/smsd" -d -f "$root/smsd.conf" || exit 1
	"$bin/smsctl" -f "$root/smsd.conf" post -s "$root/post.sock" \
	    demo.smsd.started notice "demo started"
	;;
status)
	"$bin/smsctl" -f "$root/smsd.conf" system &&
	"$bin/smsctl" -f "$root/smsd.conf" health &&
	"$bin/smsctl" -f "$root/smsd.conf" events -l 5
	;;
stop)
	[ -f "$root/smsd.pid" ] || exit 0
	pid=$(cat "$root/smsd.pid")
	kill "$pid" 2>/dev/null || exit 0
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	! kill -0 "$pid" 2>/dev/null
	;;
*)
	echo "usage: $0 start|status|stop ROOT" >&2
	exit 1
	;;
esac
