#!/bin/sh
# demo.sh start|status|stop ROOT: rpc.statd for make demo.
#
# statd needs its own rpcbind, and rpcbind needs root and /run: as root the
# demo runs both in a private network, mount and UTS namespace whose /run is
# a tmpfs, so nothing on the machine is touched.  As another user it says so
# and does nothing.
set -u
cmd=$1 root=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build}
dir=$root/statd
STATD=$top/$B/bin/rpc.statd
SMCALL=$top/$B/tests/tools/smcall

if [ "$(id -u)" -ne 0 ]; then
	echo "statd: skipped (rpcbind and rpc.statd need root; run make demo as root)"
	exit 0
fi

in_ns() { nsenter -t "$(cat "$dir/ns.pid")" -r -m -n -u "$@"; }

case $cmd in
start)
	rm -rf "$dir"
	mkdir -p "$dir"
	chmod 755 "$root" "$dir"
	# The namespace's first process holds it open; it starts the two
	# daemons and waits for them.
	unshare --net --mount --uts --propagation private --fork sh -c '
		hostname demohost
		ip link set lo up
		mount -t tmpfs tmpfs /run
		mkdir -p /run/rpcbind
		rpcbind -f -w & echo $! >"$1/rpcbind.pid"
		i=0; until rpcinfo -p 127.0.0.1 >/dev/null 2>&1; do
			i=$((i + 1)); [ $i -gt 50 ] && exit 1; sleep 0.1; done
		"$2" -F -f "$1/statd.status" --pid-file "$1/statd.pid" -P "" \
		    >"$1/statd.log" 2>&1 &
		wait' demo "$dir" "$STATD" &
	echo $! >"$dir/ns.pid"
	i=0
	until [ -s "$dir/statd.pid" ] && in_ns rpcinfo -T udp 127.0.0.1 100024 1 \
	    >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			echo "statd: did not start:"
			cat "$dir/statd.log"
			exit 1
		fi
		sleep 0.1
	done
	in_ns "$SMCALL" mon client1 localhost 100021 4 16 >/dev/null
	echo "statd: serving in a private namespace, pid $(cat "$dir/statd.pid")"
	;;
status)
	in_ns rpcinfo -s 127.0.0.1 | awk 'NR == 1 || $1 == 100024'
	printf 'SM_STAT: '
	in_ns "$SMCALL" stat client1
	"$STATD" -l -f "$dir/statd.status"
	;;
stop)
	[ -s "$dir/statd.pid" ] && kill "$(cat "$dir/statd.pid")" 2>/dev/null
	i=0
	while [ -s "$dir/statd.pid" ] && [ $i -lt 50 ]; do
		i=$((i + 1)); sleep 0.1
	done
	[ -s "$dir/rpcbind.pid" ] && in_ns kill "$(cat "$dir/rpcbind.pid")" 2>/dev/null
	[ -s "$dir/ns.pid" ] && wait "$(cat "$dir/ns.pid")" 2>/dev/null
	tail -n 3 "$dir/statd.log"
	echo "statd: stopped"
	;;
*)
	echo "usage: $0 start|status|stop ROOT" >&2
	exit 1
	;;
esac
