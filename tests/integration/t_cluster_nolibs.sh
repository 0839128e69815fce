#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2034  # tap_check eval strings use the variables
# t_cluster_nolibs.sh: samsigd (under samd) and smsd on a test host where
# corosync's client libraries are really absent (issue 7): libhmcluster
# loads them at run time, so neither program is linked against them.
#
#   (a) samsigd, smsd and clusterwatch are not linked against libcmap,
#       libcpg, libquorum or libcorosync_common (ldd)
#   (b) in h1's mount namespace only, an overlay over the folder holding
#       those libraries deletes them: the dynamic linker cannot find them
#       there (ldd of corosync's own tools says "not found")
#   (c) there, samd starts samsigd, which runs in single-node mode and
#       says so once, naming the missing libraries, and keeps running
#       (neither restarted by samd nor busy retrying)
#   (d) smsd starts there, says the same once, and serves /v1/cluster from
#       smsd.conf's members (itself)
#   (e) the libraries come back (the overlay goes), all but libcpg, and
#       corosync starts in h1: the running samsigd and smsd find the
#       libraries and connect by themselves; the missing libcpg is named
#       once and only costs how a leave is told (every leave counts as
#       failed).  Skipped when corosync is not installed.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"

top=$(cd "$lib/../../.." && pwd)
B=${B:-build}
case $B in /*) bdir=$B ;; *) bdir=$top/$B ;; esac
bin=$bdir/bin
CW=$bdir/tests/tools/clusterwatch
for p in "$bin/samd" "$bin/samsigd" "$bin/samkeep" "$bin/samdctl" "$bin/smsd" "$CW"; do
	[ -x "$p" ] || { echo "Bail out! $p not built (make B=$B build)"; exit 1; }
done
COROLIBS=(libcorosync_common.so.4 libcmap.so.4 libquorum.so.5 libcpg.so.4)
HB=1
root=/var/avail/sam		# inside h1

# --- (a) no link-time dependency ----------------------------------------------
# ldd PROG lists none of corosync's client libraries.
not_linked() {
	local out
	out=$(ldd "$1") || { echo "ldd $1 failed"; return 1; }
	if grep -E 'lib(cmap|cpg|quorum|corosync_common)\.so' <<<"$out"; then
		return 1
	fi
	return 0
}
for p in "$bin/samsigd" "$bin/smsd" "$CW"; do
	tap_check "(a) ${p##*/} is not linked against corosync's client libraries" \
		not_linked "$p"
done

# --- (b) the libraries gone from h1 -------------------------------------------
hm_hosts_create 1 || { echo "Bail out! no test host"; exit 1; }
chmod 755 "$HM_WORK"

# Every path the linker's cache gives for SONAME (none if not installed).
cached_paths() { ldconfig -p | awk -v s="$1" '$1 == s { print $NF }'; }

# Folders holding SONAMEs: where the cache points and where that leads.
lib_dirs() {
	local so p
	for so in "$@"; do
		while read -r p; do
			[ -n "$p" ] || continue
			(cd "${p%/*}" && pwd -P)
			p=$(readlink -f "$p") && echo "${p%/*}"
		done < <(cached_paths "$so")
	done | sort -u
}

# hide_libs HOST SONAME...: in HOST's mount namespace only, an overlay over
# each folder holding one of SONAMEs (upper layer on a private tmpfs), in
# which those libraries (every file named NAME.so*) are deleted: whiteouts,
# so they are absent as if never installed.
HIDE_SCRIPT='
set -eu
t=$1 d=$2
shift 2
mkdir -p "$t"
mountpoint -q "$t" || mount -t tmpfs -o mode=700,size=16m hm-nolibs "$t"
n=$(ls "$t" | wc -l)
mkdir "$t/u$n" "$t/w$n"
mount -t overlay hm-nolibs -o "lowerdir=$d,upperdir=$t/u$n,workdir=$t/w$n" "$d"
for so in "$@"; do
	rm -f "$d/${so%%.so*}".so*
done
'
HIDDEN=()
hide_libs() {
	local h=$1 d t
	shift
	t=$(hm_host_dir "$h")/fs/nolibs
	while read -r d; do
		[ -n "$d" ] || continue
		hm_host_sh "$h" "$HIDE_SCRIPT" "$t" "$d" "$@" || return 1
		HIDDEN+=("$d")
	done < <(lib_dirs "$@")
}
# unhide_libs HOST: the overlays go (lazily: running programs map their
# libc from them), so HOST sees the machine's libraries again.
unhide_libs() {
	local d
	for d in "${HIDDEN[@]}"; do
		hm_host_exec "$1" sh -c 'while mountpoint -q "$1" &&
		    grep -q "^hm-nolibs $1 overlay" /proc/self/mounts; do
			umount -l "$1" || exit 1; done' sh "$d" || return 1
	done
	HIDDEN=()
}

# No SONAME is where the cache says, seen from HOST.
libs_absent() {
	local h=$1 so p
	shift
	for so in "$@"; do
		while read -r p; do
			[ -n "$p" ] || continue
			if hm_host_exec "$h" test -e "$p"; then
				echo "$p is still there"
				return 1
			fi
		done < <(cached_paths "$so")
	done
}

if [ -z "$(cached_paths libcmap.so.4)" ]; then
	tap_diag "corosync's client libraries are not installed here: nothing to hide"
fi
hide_libs h1 "${COROLIBS[@]}" || { echo "Bail out! cannot hide the libraries in h1"; exit 1; }
tap_diag "hidden in h1: ${COROLIBS[*]} (overlay over: ${HIDDEN[*]:-nothing})"
tap_check "(b) h1: corosync's client libraries are absent" libs_absent h1 "${COROLIBS[@]}"
tap_check "(b) the machine still has them (only h1's mount namespace changed)" \
	eval '[ -z "$(cached_paths libcmap.so.4)" ] || [ -e "$(cached_paths libcmap.so.4 | head -n 1)" ]'
if tool=$(command -v corosync-quorumtool); then
	tap_check "(b) h1: the dynamic linker cannot find them (ldd corosync-quorumtool)" \
		eval 'hm_host_exec h1 ldd "$tool" | grep -E "libquorum\.so\.5 => not found"'
else
	tap_skip "(b) h1: the dynamic linker cannot find them" "corosync-quorumtool not installed"
fi

# --- (c) samd and samsigd -----------------------------------------------------
outside=$(hm_host_dir h1)$root
mkdir -p "$outside" "$(hm_host_dir h1)/var/avail"
sed -e "s/^HEARTBEAT_SEC_DEF=.*/HEARTBEAT_SEC_DEF=$HB/" \
	-e "s|@SAMD_BIN@|$bin/samd|" "$top/src/samd/samd.sh" >"$outside/samd"
chmod 755 "$outside/samd"
cat /proc/sys/kernel/random/uuid >"$(hm_host_dir h1)/var/avail/boot_id"
ENVV=(SAM_BOOT_ID_FILE=/var/avail/boot_id "SAM_LOGFILE=$root/samd.log"
	"SAMKEEP_BIN=$bin/samkeep" "SAMDCTL_BIN=$bin/samdctl" TZ=UTC)
[ -n "${SANITIZE:-}" ] && ENVV+=(ASAN_OPTIONS=detect_leaks=0)
sam() { hm_host_exec h1 env "${ENVV[@]}" "$@"; }
stop_sam() { sam timeout 20 "$bin/samdctl" stop >/dev/null 2>&1; }
hm_at_exit stop_sam
samlog=$outside/samd.log
pid_of() { cat "$outside/.state/$1.pid" 2>/dev/null; }
# How many lines of FILE match REGEX (grep -E).
count() { grep -cE -- "$2" "$1" 2>/dev/null; }
# libhmcluster's single-node message (samd has one of its own).
SINGLE_RE='cluster: no corosync \('
# Its message here: "no corosync (A, B: why): single-node mode".
NOLIBS_RE='cluster: no corosync \([^)]*libcmap\.so\.4[^)]*(cannot open shared object file|No such file)[^)]*\): single-node mode'

tap_check "(c) h1: samdctl restart starts samd (and samsigd)" sam "$bin/samdctl" restart
tap_check "(c) h1: samsigd ready, single-node mode" \
	hm_wait_for 15 grep -qE 'samsigd \(pid [0-9]+\) ready, single-node mode' "$samlog"
tap_check "(c) h1: samsigd says single-node mode, naming the missing libraries" \
	hm_wait_for 5 grep -qE -- "$NOLIBS_RE" "$samlog"
tap_diag "$(grep -m 1 -E -- "$NOLIBS_RE" "$samlog")"
sigd=$(pid_of samsigd)

cpu_ticks() {
	local stat f
	stat=$(cat "/proc/$1/stat") || return 1
	read -r -a f <<<"${stat##*) }"
	echo $((f[11] + f[12]))
}
# A window of several retries (one a second).
c0=$(cpu_ticks "$sigd")
sleep 4
c1=$(cpu_ticks "$sigd")
IDLE=$(( ${c1:-0} - ${c0:-0} ))
tap_check "(c) h1: samsigd still runs, the same process (not restarted by samd)" \
	eval '[ -n "$sigd" ] && hm_pid_alive "$sigd" && [ "$(pid_of samsigd)" = "$sigd" ] &&
	    sam "$bin/samdctl" status >/dev/null'
tap_check "(c) h1: single-node mode said once in 4 s of retries" \
	eval 'n=$(count "$samlog" "$SINGLE_RE"); echo "said $n times"; [ "$n" -eq 1 ]'
tap_diag "samsigd without the libraries, retrying every second: $IDLE ticks CPU in 4 s"
# 20 ticks: 5 % of a CPU, room for a loaded VM; a busy loop shows ~400.
tap_check "(c) h1: samsigd idle while retrying ($IDLE ticks in 4 s)" \
	eval '[ -n "$c0" ] && [ -n "$c1" ] && [ "$IDLE" -le 20 ]'

# --- (d) smsd -------------------------------------------------------------------
d=$HM_WORK/smsd
mkdir -p "$d" && chmod 755 "$d"
printf '%s\n' "listen 0.0.0.0" "member-name h1" "allow 127.0.0.0/8" \
	"allow 198.18.0.0/15" "data-dir $d/data" "post-socket $d/post.sock" \
	"cluster-timeout 1000" "member h1 $(hm_host_addr h1)" >"$d/smsd.conf"
smslog=$d/smsd.log
hm_host_spawn h1 "$smslog" "$bin/smsd" -v -f "$d/smsd.conf" >/dev/null
smsd_pid=$HM_LAST_PID
tap_check "(d) h1: smsd starts and answers" \
	hm_wait_for 15 hm_host_exec h1 curl -sf -o /dev/null http://127.0.0.1:596/v1/system
tap_check "(d) h1: smsd says single-node mode, naming the missing libraries" \
	hm_wait_for 5 grep -qE -- "$NOLIBS_RE" "$smslog"
json=$HM_WORK/cluster.json
jfield() { jq -r "$1" "$json"; }
conf_view() {
	hm_host_exec h1 curl -s --max-time 10 http://127.0.0.1:596/v1/cluster >"$json" &&
	[ "$(jfield .membership_source)" = smsd.conf ] &&
	[ "$(jfield .members_total)" = 1 ] &&
	[ "$(jfield '.members[0].name')" = h1 ] &&
	[ "$(jfield '.members[0].state')" = up ] &&
	[ "$(jfield '.members[0].system.hostname')" = h1 ] &&
	[ "$(jfield .quorate)" = null ] || { cat "$json"; return 1; }
}
tap_check "(d) h1: /v1/cluster is smsd.conf's list: h1 alone, up, quorum unknown" \
	hm_wait_for 10 conf_view
sleep 2		# more retries
tap_check "(d) h1: smsd said it once" \
	eval 'n=$(count "$smslog" "$SINGLE_RE"); echo "said $n times"; [ "$n" -eq 1 ] &&
	    hm_pid_alive "$smsd_pid"'

# --- (e) the libraries back (but libcpg), corosync started ------------------------
if ! command -v corosync >/dev/null 2>&1 || [ -z "$(cached_paths libcmap.so.4)" ]; then
	tap_skip "(e) corosync installed later is found" "corosync is not installed"
	tap_done
fi
. "$lib/corosync.sh"
hm_corosync_setup h1 || { echo "Bail out! corosync setup failed"; exit 1; }
# smsd connects now as its unprivileged user: the shipped uidgid.d entry.
u=$(hm_host_dir h1)/fs/etc/corosync/uidgid.d
mkdir -p "$u" && install -m 644 "$top/etc/corosync/uidgid.d/smsd" "$u/smsd"
samlines=$(wc -l <"$samlog")
smslines=$(wc -l <"$smslog")
# Both retry every second and keep a library once it loads: held while the
# overlay is swapped, so neither sees libcpg in between.
kill -STOP "$sigd" "$smsd_pid"
unhide_libs h1 && hide_libs h1 libcpg.so.4
hid=$?
kill -CONT "$sigd" "$smsd_pid"
[ $hid -eq 0 ] || { echo "Bail out! cannot hide only libcpg in h1"; exit 1; }
tap_check "(e) h1: libcmap back, libcpg still absent" \
	eval 'libs_absent h1 libcpg.so.4 && ! libs_absent h1 libcmap.so.4 >/dev/null'
hm_corosync_start h1 || { echo "Bail out! corosync did not start in h1"; exit 1; }
hm_corosync_wait_quorate h1 || tap_diag "h1's corosync is not quorate"
after() { tail -n "+$(($2 + 1))" "$1" | grep -qE -- "$3"; }
tap_check "(e) h1: the running samsigd connects to corosync by itself" \
	hm_wait_for 15 after "$samlog" "$samlines" 'corosync detects a failed member within [0-9]+ ms'
CPG_RE='cluster: corosync cpg: libcpg\.so\.4: [^;]*; every member that goes away counts as failed'
tap_check "(e) h1: samsigd names the missing libcpg once" \
	eval 'hm_wait_for 5 after "$samlog" "$samlines" "$CPG_RE" &&
	    n=$(count "$samlog" "$CPG_RE") && echo "said $n times" && [ "$n" -eq 1 ]'
tap_diag "$(grep -m 1 -E -- "$CPG_RE" "$samlog")"
tap_check "(e) h1: the same samsigd (pid $sigd), single-node mode still said once" \
	eval '[ "$(pid_of samsigd)" = "$sigd" ] && [ "$(count "$samlog" "$SINGLE_RE")" -eq 1 ]'
cs_view() {
	sleep 1.1	# the view is cached for a second
	hm_host_exec h1 curl -s --max-time 10 http://127.0.0.1:596/v1/cluster >"$json" &&
	[ "$(jfield .membership_source)" = corosync ] &&
	[ "$(jfield '.members[] | select(.name == "h1") | .membership')" = member ] &&
	[ "$(jfield .quorate)" = true ] || { cat "$json"; return 1; }
}
tap_check "(e) h1: the running smsd takes the member list from corosync" \
	hm_wait_for 15 cs_view
tap_check "(e) h1: smsd names the missing libcpg" \
	hm_wait_for 5 after "$smslog" "$smslines" "$CPG_RE"
tap_done
