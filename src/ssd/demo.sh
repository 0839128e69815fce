#!/bin/sh
# demo.sh start|status|stop ROOT: an ssd for this host on ROOT/share/lib/ss,
# and ss's view of it.  Nothing outside ROOT is touched.
set -u
: "${B:=build}"
bin=$(cd "$(dirname "$0")/../.." && pwd)/$B/bin
root=${2:?usage: demo.sh start|status|stop ROOT}
dir=$root/share/lib/ss
pidfile=$root/ssd.pid

case ${1:-} in
start)
	# A demo starts afresh: files an earlier demo left (perhaps owned by
	# another user, as before ssd had a user of its own) are removed.
	rm -rf "$dir" && mkdir -p "$dir" || exit 1
	# As root ssd runs as "_hmssd": it must be able to write there.
	[ "$(id -u)" -eq 0 ] && chmod 1777 "$dir"
	# ssd returns once it has written its first update.
	"$bin/ssd" -D "$dir" -p "$pidfile" || exit 1
	echo "ssd started, pid $(cat "$pidfile")"
	;;
status)
	"$bin/ss" -n -D "$dir"
	rc=$?
	echo "(ss exit status $rc: 0 when every host is up)"
	echo "last lines of $dir/.log:"
	tail -n 3 "$dir/.log"
	;;
stop)
	[ -s "$pidfile" ] || exit 0
	pid=$(cat "$pidfile")
	kill "$pid" 2>/dev/null || exit 0
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "ssd: pid $pid did not stop"
		exit 1
	fi
	# The host now reads as down, so ss exits 1: that is the point.
	"$bin/ss" -n -D "$dir"
	exit 0
	;;
*)
	echo "usage: demo.sh start|status|stop ROOT" >&2
	exit 1
	;;
esac
