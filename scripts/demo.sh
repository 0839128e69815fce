#!/bin/sh
# demo.sh: start the whole suite against a private root inside the build
# tree, show each daemon's status, and stop everything cleanly.
#
# Each daemon adds itself with an executable src/NAME/demo.sh that takes
# "start ROOT", "status ROOT" and "stop ROOT".  Nothing outside ROOT is
# touched; a daemon whose real port needs root uses an unprivileged one when
# the user is not root.
set -u
: "${B:=build}"
root=$(cd "$(dirname "$0")/.." && pwd)/$B/demo-root
mkdir -p "$root"
export B

parts=""
for d in src/*/demo.sh; do
	[ -x "$d" ] && parts="$parts $d"
done
if [ -z "$parts" ]; then
	echo "demo: no daemon is built yet"
	exit 0
fi

started=""
stop_all() {
	for d in $started; do
		"$d" stop "$root" || echo "demo: $d stop failed" >&2
	done
}
trap stop_all EXIT
trap 'exit 1' INT TERM

rc=0
for d in $parts; do
	echo "== starting $(dirname "$d")"
	# stop in reverse order of start
	started="$d $started"
	if ! "$d" start "$root"; then
		echo "demo: $d failed to start" >&2
		rc=1
		break
	fi
done
if [ $rc -eq 0 ]; then
	for d in $parts; do
		echo "== status of $(dirname "$d")"
		"$d" status "$root" || rc=1
	done
fi
echo "== stopping"
exit $rc
