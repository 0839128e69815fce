#!/bin/sh
# samd: start script of the System Availability Monitor, installed as
# /var/avail/sam/samd.  samkeep (or an administrator) runs it with the
# reason samd starts; it checks its two parameters and runs the daemon in
# the foreground.  Edit the parameters here; see samd(8).
#
#	samd CLUS_FAIL | NODE_FAIL | PROC_FAIL
#	samd -h

# How often samd wakes and records that it lives, in seconds (1 to 30).
# Down events found at start are dated at the last heartbeat, so this is
# their accuracy.
HEARTBEAT_SEC_DEF=10
# A clock change smaller than this (seconds) is not logged as a TIME event.
TIME_CHG_WINDOW_SEC_DEF=300

usage() {
	echo "usage: samd CLUS_FAIL | NODE_FAIL | PROC_FAIL" >&2
	echo "       samd -h" >&2
	exit "$1"
}

# A whole number from $2 to $3, or a complaint naming $4.
check_number() {
	case $1 in
	'' | *[!0-9]*) echo "samd: $4=$1: not a whole number" >&2; exit 1 ;;
	esac
	if [ "${#1}" -gt 9 ] || [ "$1" -lt "$2" ] || [ "$1" -gt "$3" ]; then
		echo "samd: $4=$1: must be from $2 to $3" >&2
		exit 1
	fi
}

[ $# -eq 1 ] || usage 1
case $1 in
-h) usage 0 ;;
CLUS_FAIL | NODE_FAIL | PROC_FAIL) ;;
*) usage 1 ;;
esac
check_number "$HEARTBEAT_SEC_DEF" 1 30 HEARTBEAT_SEC_DEF
check_number "$TIME_CHG_WINDOW_SEC_DEF" 1 31622400 TIME_CHG_WINDOW_SEC_DEF

# The folder this script lives in is SAM's root, unless SAM_ROOT says.
if [ -z "${SAM_ROOT:-}" ]; then
	SAM_ROOT=$(cd "$(dirname "$0")" && pwd) || exit 1
fi
export SAM_ROOT
exec "${SAMD_BIN:-@SAMD_BIN@}" -H "$HEARTBEAT_SEC_DEF" \
	-W "$TIME_CHG_WINDOW_SEC_DEF" "$1"
