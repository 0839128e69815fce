#!/usr/bin/env bash
# t_smsd_emfile.sh: smsd out of file descriptors.  With a low RLIMIT_NOFILE
# and more connections than it can hold, accept fails with EMFILE: smsd
# must say so, pause accepting instead of spinning on a listener that stays
# readable, and serve again as soon as descriptors are free.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"

top=$(cd "$lib/../../.." && pwd)
B=${B:-build}
case $B in /*) bin=$B/bin ;; *) bin=$top/$B/bin ;; esac
SMSD=$bin/smsd
[ -x "$SMSD" ] || { echo "Bail out! $SMSD not built"; exit 1; }
command -v prlimit >/dev/null || { echo "Bail out! prlimit missing"; exit 1; }

hm_hosts_create h1
W=$HM_WORK/smsd
mkdir -p "$W/dpkg"
chmod 755 "$HM_WORK" "$W"
cp /var/lib/dpkg/status "$W/dpkg/status"
{
	echo "port 596"
	echo "listen 127.0.0.1"
	echo "member-name h1"
	echo "data-dir $W/data"
	echo "post-socket $W/post.sock"
	echo "pid-file $W/smsd.pid"
	echo "dpkg-dir $W/dpkg"
	echo "max-clients 1000"
} >"$W/smsd.conf"

# 64 descriptors: a few dozen connections exhaust them.
hm_host_spawn h1 "$W/out.log" prlimit --nofile=64:64 -- "$SMSD" -f "$W/smsd.conf" >/dev/null
pid=$HM_LAST_PID
tap_check "smsd serves with RLIMIT_NOFILE 64" \
    hm_wait_for 10 hm_host_exec h1 curl -sf -o /dev/null http://127.0.0.1:596/v1/system

# One process holds 150 connections open; the kernel completes them in
# smsd's backlog whether or not smsd can accept them.
hm_host_spawn h1 "$W/holder.log" bash -c '
	for i in $(seq 150); do exec {fd}<>/dev/tcp/127.0.0.1/596 || exit 1; done
	echo held; exec sleep 120' >/dev/null
holder=$HM_LAST_PID
hm_wait_for 10 grep -q held "$W/holder.log"
# In the foreground smsd logs to its standard error.
hm_wait_for 10 grep -q "accept: Too many open files; pausing for a second" "$W/out.log" &&
	tap_ok "EMFILE is logged and accepting paused" ||
	tap_fail "EMFILE logged" "$(tail -n 5 "$W/out.log")"

# Paused, not spinning: clock ticks (1/100 s) over a three-second window
# (a measurement interval, not a wait for anything).
cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
c0=$(cpu)
sleep 3
c1=$(cpu)
[ $((c1 - c0)) -le 30 ] && tap_ok "no busy loop while out of descriptors ($((c1 - c0)) ticks in 3 s)" ||
	tap_fail "no busy loop" "$((c1 - c0)) ticks in 3 s"
hm_pid_alive "$pid" && tap_ok "smsd is still running" || tap_fail "smsd still running"

hm_host_kill "$holder" TERM
hm_wait_for 15 hm_host_exec h1 curl -sf -o /dev/null --max-time 2 http://127.0.0.1:596/v1/system &&
	tap_ok "descriptors free again: smsd accepts and answers" ||
	tap_fail "smsd answers after the holder is gone"

hm_host_kill "$pid" TERM
tap_done
