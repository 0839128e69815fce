#!/usr/bin/env bash
# t_smsd_logfile.sh: the log file's folder belongs to smsd's unprivileged
# user, so a link left there must not make root write to, or chown, the
# file it points at when smsd starts again.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"

top=$(cd "$lib/../../.." && pwd)
B=${B:-build}
case $B in /*) bin=$B/bin ;; *) bin=$top/$B/bin ;; esac
SMSD=$bin/smsd
[ -x "$SMSD" ] || { echo "Bail out! $SMSD not built"; exit 1; }
[ "$(id -u)" = 0 ] || { tap_skip "log file link" "needs root"; tap_done; exit 0; }
id _hmsmsd >/dev/null 2>&1 || { tap_skip "log file link" "no user _hmsmsd (scripts/deps.sh)"; tap_done; exit 0; }

W=$(mktemp -d /var/tmp/t_smsd_logfile.XXXXXX) || exit 1
chmod 755 "$W"
trap '[ -s "$W/run/smsd.pid" ] && kill "$(cat "$W/run/smsd.pid")" 2>/dev/null; rm -rf "$W"' EXIT
mkdir -p "$W/log" "$W/data" "$W/run"
port=$((20000 + $$ % 20000))
cat >"$W/smsd.conf" <<CONF
listen 127.0.0.1
port $port
log-file $W/log/smsd.log
data-dir $W/data
post-socket $W/run/post.sock
pid-file $W/run/smsd.pid
dpkg-dir /var/lib/dpkg
user _hmsmsd
CONF

# The first start makes the folder the user's; the user plants a link.
"$SMSD" -d -f "$W/smsd.conf" 2>"$W/err1"
tap_check "smsd starts and logs to its file" test -s "$W/log/smsd.log"
first=$(cat "$W/run/smsd.pid")
kill "$first"
# the second start below must fail on the link, not on "already running"
# A zombie counts as stopped: the orphan may be reaped by init only later.
alive() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	[ "${s%% *}" != Z ]
}
stopped() {
	for _ in $(seq 100); do alive "$first" || return 0; sleep 0.1; done
	return 1
}
tap_check "the first smsd stops" stopped
printf 'secret\n' >"$W/victim"
chmod 600 "$W/victim"
rm -f "$W/log/smsd.log"
su -s /bin/sh _hmsmsd -c "ln -s '$W/victim' '$W/log/smsd.log'"
tap_check "the unprivileged user could plant the link" test -L "$W/log/smsd.log"
"$SMSD" -d -f "$W/smsd.conf" 2>"$W/err2"
untouched() {
	[ "$(stat -c %U:%s "$W/victim")" = "root:7" ] ||
	    { ls -l "$W/victim"; return 1; }
}
tap_check "root neither chowns nor appends to the link's target" untouched
tap_check "smsd refuses to start on the link" \
    grep -q "$W/log/smsd.log: Too many levels of symbolic links" "$W/err2"
tap_done
