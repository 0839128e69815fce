#!/bin/sh
# demo.sh start|status|stop ROOT: SAM with its root in ROOT/sam, a short
# heartbeat, and a fake boot id, so nothing outside ROOT is touched.
set -u
cmd=${1:-}
root=${2:-}
[ -n "$root" ] || { echo "usage: $0 start|status|stop ROOT" >&2; exit 1; }
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/${B:-build}/bin
SAM_ROOT=$root/sam
SAMD_BIN=$bin/samd
SAM_LOGFILE=$SAM_ROOT/samd.log
SAM_BOOT_ID_FILE=$SAM_ROOT/boot_id
export SAM_ROOT SAMD_BIN SAM_LOGFILE SAM_BOOT_ID_FILE

case $cmd in
start)
	mkdir -p "$SAM_ROOT" || exit 1
	[ -f "$SAM_BOOT_ID_FILE" ] || cat /proc/sys/kernel/random/uuid >"$SAM_BOOT_ID_FILE"
	sed 's/^HEARTBEAT_SEC_DEF=.*/HEARTBEAT_SEC_DEF=1/' "$top/src/samd/samd.sh" \
		>"$SAM_ROOT/samd" && chmod 755 "$SAM_ROOT/samd" || exit 1
	"$bin/samdctl" restart
	;;
status)
	"$bin/samdctl" status
	rc=$?
	"$bin/samlog" -t APPL -n demo -s DOWN -p PLANNED -- "demo outage" >/dev/null &&
		"$bin/samlog" -t APPL -n demo -s UP NULL >/dev/null || rc=1
	"$bin/samrep"
	exit $rc
	;;
stop)
	"$bin/samdctl" stop
	;;
*)
	echo "usage: $0 start|status|stop ROOT" >&2
	exit 1
	;;
esac
