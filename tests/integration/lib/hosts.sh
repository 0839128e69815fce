# shellcheck shell=bash
# hosts.sh: throw-away test hosts on one machine, for hostmon's scenario tests.
#
# Source it from a bash test script running as root (tests/run.sh does that):
#
#	. "$(dirname "$0")/lib/tap.sh"
#	. "$(dirname "$0")/lib/hosts.sh"
#	hm_hosts_create 3			# h1 h2 h3, or: hm_hosts_create alpha beta
#	hm_rpcbind h1
#	hm_host_spawn h1 "$HM_WORK/statd.log" rpc.statd -F -d -L -P DIR >/dev/null
#	statd=$HM_LAST_PID
#	hm_wait_for 5 hm_host_exec h1 rpcinfo -T udp 127.0.0.1 100024
#	hm_partition h1 h2 ... hm_heal h1 h2
#	tap_done				# cleanup runs by itself on exit
#
# A host is a network namespace (netns "hm<PID>h<I>", so concurrent test
# scripts never meet) plus a mount and UTS namespace held open by one
# "anchor" process (sleep) per host; commands enter all three with nsenter.
# Every host has one interface, eth0, with 198.18.S.I/24 (S per run, inside
# 198.18.0.0/15), cabled by a veth pair to a bridge in a per-run "switch"
# namespace.  The veths are created directly inside those namespaces: the
# machine's own namespace never sees them, and no route leads off the test
# network (no default route; IPv6 off except ::1 on lo).
#
# What a host sees of its own (bind mounts inside its mount namespace only):
#	hostname	its name (uname -n), /etc/hostname
#	/etc/hosts	localhost and every test host by name; editable per host
#			from outside at $(hm_host_dir H)/etc/hosts
#	/etc/resolv.conf  nameserver 127.0.0.1 (nothing listens), timeout:1
#			attempts:1; /etc/nsswitch.conf "hosts: files": no lookup
#			ever leaves the host
#	/run, /var	per-host folders $(hm_host_dir H)/run and .../var (with
#			lib, db, log, tmp, spool, cache, lib/nfs/sm{,.bak}; var/run
#			and var/lock point into /run), so pidfiles, sockets
#			(/run/rpcbind.sock) and state never collide
#	/tmp		per-host $(hm_host_dir H)/tmp
#	/dev/shm	a private tmpfs (corosync/libqb)
# The run's work folder $HM_WORK and the source tree stay visible at their
# own paths in every host, also when they lie under /tmp, /var or /run (a
# CI checkout may).  Everything else (/etc, /usr) is the machine's own.
#
# API (HOST is a host's name, e.g. h2, or its number, e.g. 2):
#	hm_hosts_create N | NAME...	create hosts; sets HM_HOSTS (array of names)
#	hm_host_exec HOST CMD...	run CMD inside HOST in the foreground; its
#					exit status is returned
#	hm_host_sh HOST SCRIPT [ARG...]	hm_host_exec HOST sh -c SCRIPT sh ARG...
#	hm_host_spawn HOST LOG CMD...	start CMD in the background inside HOST,
#					stdout+stderr appended to LOG; the PID is the
#					daemon's own; printed, and set as HM_LAST_PID
#	hm_host_kill PID [SIG]		signal a spawned PID (default TERM); for TERM,
#					INT, QUIT and KILL wait until it is gone (KILL
#					after HM_STOP_TIMEOUT s)
#	hm_pid_alive PID		true while PID runs (a zombie counts as gone)
#	hm_wait_for TIMEOUT_S CMD...	poll CMD (quietly) until it succeeds; on
#					timeout print CMD and its last output, fail
#	hm_host_addr|name|dir|ns|pid HOST  its IPv4 address, host name, state folder
#					on the real filesystem, netns name, anchor PID
#	hm_host_private HOST DIR	give HOST an empty private DIR (an existing
#					directory, e.g. /etc/corosync), backed by
#					$(hm_host_dir HOST)/fs/DIR
#	hm_reachable HOST DEST [SECS]	can HOST open TCP to DEST (name or address as
#					HOST resolves it; a refusal counts as reached)
#	hm_partition A B / hm_heal A B	silently drop / restore unicast IPv4 between A
#					and B (broadcasts still pass; hosts other than
#					A and B are untouched)
#	hm_isolate HOST / hm_rejoin HOST  cut HOST off the switch / plug it back
#	hm_rpcbind HOST			start "rpcbind -f -w" in HOST, wait until it
#					answers; HM_LAST_PID is its PID
#	hm_need COMMAND...		bail out, naming its Debian package, when a
#					command is missing
#	hm_at_exit CMD...		run CMD during cleanup, before processes are
#					stopped (use it instead of your own EXIT trap)
#	hm_cleanup			stop, remove, forget everything (ends the run:
#					no hosts after it); runs by itself on EXIT,
#					INT, TERM and HUP
#
# Variables: HM_WORK (this run's folder, removed at cleanup unless HM_KEEP=1),
# HM_HOSTS, HM_LAST_PID; settings HM_TMPDIR (where HM_WORK is made, default
# /tmp), HM_STOP_TIMEOUT (seconds between TERM and KILL, default 5), HM_KEEP.
#
# Rules for tests: call hm_hosts_create, hm_host_spawn and hm_rpcbind from the
# script's main shell (not inside $(...) or a pipeline), so the daemons stay
# its children and are reaped at once; the test VM's PID 1 reaps orphans only
# seconds later (hm_pid_alive counts a zombie as gone).  Run daemons in the
# foreground (-F, -f, -d): one that forks away from its spawned PID is still
# stopped at cleanup (every process inside a test host is), but hm_host_kill
# cannot reach it.  Do not use set -e.  Do not set traps for EXIT, INT, TERM
# or HUP; use hm_at_exit.  A signal that arrives while the test's shell waits
# for a foreground command is handled when that command ends: keep foreground
# commands short and bounded (timeout), and wait with hm_wait_for.

if [ -z "${BASH_VERSION:-}" ]; then
	echo "hosts.sh: needs bash" >&2
	exit 77
fi

# ORDER: refuse before anything is created.  tests/run.sh counts a script that
# exits non-zero without results as failed; 77 is the conventional "skipped".
if [ "$(id -u)" -ne 0 ]; then
	echo "Bail out! test hosts need root (network namespaces); run as root"
	echo "hosts.sh: must run as root: it creates network and mount namespaces" >&2
	exit 77
fi
# hm_need COMMAND...: bail out, naming the Debian package to install, when
# a command the test runs is missing.
hm_need() {
	local c p
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 && continue
		p=$("$(dirname "${BASH_SOURCE[0]}")/../../../scripts/deps.sh" \
			package-of "$c" 2>/dev/null) || p="$c: a package deps.sh does not know"
		echo "Bail out! $c is missing (package ${p#*: }; scripts/deps.sh test installs it)"
		exit 77
	done
}
hm_need ip bridge nsenter unshare mount timeout setpriv stat

# The source tree (and its build products) stays visible inside every host,
# wherever the checkout lies: CI may clone it under /tmp or /var.
HM__SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd -P)
HM_TMPDIR=${HM_TMPDIR:-/tmp}
HM_STOP_TIMEOUT=${HM_STOP_TIMEOUT:-5}
HM_KEEP=${HM_KEEP:-0}
HM_LAST_PID=
HM_HOSTS=()
HM__OWNER=$BASHPID
HM__PREFIX=hm$BASHPID
HM__SWITCH=${HM__PREFIX}sw
# 198.18.0.0/15 holds 512 /24s; one per run keeps logs of concurrent runs
# apart (each run has its own switch, so a clash would still be harmless).
HM__SUBNET=198.$((18 + BASHPID % 512 / 256)).$((BASHPID % 256))
HM__NETNS=()		# every namespace this run made, for cleanup
HM__ANCHOR=()		# HM__ANCHOR[i]: anchor PID of host i (1-based)
HM__ANCHOR_START=()
HM__AT_EXIT=()
HM__CLEANED=0
HM__BOGUS_MAC=02:68:6d:00:00:00	# no interface has it: frames sent there vanish

hm__log() { echo "# hm: $*" >&2; }
hm__die() { echo "# hm: error: $*" >&2; return 1; }

case $HM_TMPDIR in
/run | /run/* | /var | /var/* | /dev/shm | /dev/shm/*)
	echo "Bail out! HM_TMPDIR=$HM_TMPDIR is hidden inside test hosts; use /tmp"
	exit 77 ;;
esac
if ! HM_WORK=$(mktemp -d "$HM_TMPDIR/$HM__PREFIX.XXXXXX"); then
	echo "Bail out! cannot make a work folder in $HM_TMPDIR"
	exit 77
fi
# Daemons that drop privileges (statd, _rpc) must reach files under it.
chmod 755 "$HM_WORK"
: >"$HM_WORK/pids"

# Microseconds since the epoch, without a fork.
hm__now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }

# "3" or "0.5" seconds -> microseconds.
hm__secs_us() {
	local int=${1%%.*} frac=
	[ "$int" = "$1" ] || frac=${1#*.}
	frac=${frac}000000
	echo $(( ${int:-0} * 1000000 + 10#${frac:0:6} ))
}

# Start time of PID in clock ticks since boot (with the PID, names a process
# uniquely), or nothing if it is gone or a zombie.
hm__start_time() {
	local stat f
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	# Fields after the ")" that closes the command name: state is the first,
	# starttime (field 22 of the line) the 20th.
	read -r -a f <<<"${stat##*) }"
	case ${f[0]} in Z | X | x) return 1 ;; esac
	echo "${f[19]}"
}

hm_pid_alive() {
	[ -n "${1:-}" ] && hm__start_time "$1" >/dev/null
}

# Is PID still the process that was started at START?
hm__same_process() {
	local now
	now=$(hm__start_time "$1") && [ "$now" = "$2" ]
}

# Host argument (name or number) -> index into HM_HOSTS (1-based).
hm__index() {
	local i
	if [[ ${1:-} =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le ${#HM_HOSTS[@]} ]; then
		echo "$1"
		return 0
	fi
	for i in "${!HM_HOSTS[@]}"; do
		if [ "${HM_HOSTS[i]}" = "${1:-}" ]; then
			echo $((i + 1))
			return 0
		fi
	done
	hm__die "no test host '${1:-}' (hosts: ${HM_HOSTS[*]:-none})"
}

hm_host_name() { local i; i=$(hm__index "$1") && echo "${HM_HOSTS[i - 1]}"; }
hm_host_addr() { local i; i=$(hm__index "$1") && echo "$HM__SUBNET.$i"; }
hm_host_ns() { local i; i=$(hm__index "$1") && echo "${HM__PREFIX}h$i"; }
hm_host_dir() { local i; i=$(hm__index "$1") && echo "$HM_WORK/h$i"; }
hm_host_pid() { local i; i=$(hm__index "$1") && echo "${HM__ANCHOR[i]}"; }

# Working directory for commands entering a host: the caller's, if the host
# sees the same folder there.
hm__wd() {
	case $PWD in
	"$HM_WORK" | "$HM_WORK"/* | "$HM__SRC" | "$HM__SRC"/*) echo "$PWD" ;;
	/tmp | /tmp/* | /run | /run/* | /var | /var/* | /dev/shm | /dev/shm/*) echo / ;;
	*) echo "$PWD" ;;
	esac
}

hm__require_owner() {
	if [ "$BASHPID" != "$HM__OWNER" ]; then
		hm__die "$1 must be called from the test's main shell, not in a subshell or \$(...)"
		return 1
	fi
}

# Write HOST i's /etc files (in place: the hosts bind-mount these inodes).
hm__write_etc() {
	local i=$1 dir=$HM_WORK/h$1 j
	{
		echo "# test hosts of run $HM__PREFIX (tests/integration/lib/hosts.sh)"
		echo "127.0.0.1	localhost"
		echo "::1	localhost ip6-localhost ip6-loopback"
		for j in "${!HM_HOSTS[@]}"; do
			echo "$HM__SUBNET.$((j + 1))	${HM_HOSTS[j]}"
		done
	} >"$dir/etc/hosts"
	echo "${HM_HOSTS[i - 1]}" >"$dir/etc/hostname"
	# Nothing listens on 127.0.0.1:53 inside a host: a query that still goes
	# to DNS is refused at once, and never leaves the host.
	printf '%s\n' "nameserver 127.0.0.1" "options timeout:1 attempts:1" \
		>"$dir/etc/resolv.conf"
	printf '%s\n' "passwd: files" "group: files" "shadow: files" \
		"gshadow: files" "hosts: files" "networks: files" \
		"protocols: files" "services: files" "ethers: files" \
		"rpc: files" "netgroup: files" >"$dir/etc/nsswitch.conf"
}

# Runs inside a fresh host (mount+UTS namespace, host netns) as "sh -s".
# $1 name, $2 host folder, $3 run folder, $4 source tree.
# shellcheck disable=SC2016
HM__SETUP_SCRIPT='
set -eu
name=$1 dir=$2 work=$3 src=$4
hostname "$name"
# A folder the host must still see at its own path (the run folder, the
# source tree) although it lies under one of the private ones: bind it into
# the private copy first, which is then mounted recursively.
keep() {
	case $1 in
	"/$2"/*)
		mkdir -p "$dir/$2${1#/"$2"}"
		mount --bind "$1" "$dir/$2${1#/"$2"}" ;;
	esac
}
# ORDER: /run and /var first, so an /etc file that is a symlink into them
# (resolv.conf -> /run/...) is covered in the private copy.
keep "$src" run
keep "$src" var
mount --rbind "$dir/run" /run
mount --rbind "$dir/var" /var
mount -t tmpfs -o mode=1777,size=256m hm-shm /dev/shm
# A machine without one of these files (a minimal root without systemd has
# no /etc/hosts and no /etc/mtab, which NFS-Ganesha reads) gets, in this
# host only, an /etc that has them: an overlay, its upper layer in the host
# folder, holding empty files to bind onto and the usual mtab link.
etc_up=$dir/etc-overlay/up
mkdir -p "$etc_up"
for f in hosts hostname resolv.conf nsswitch.conf; do
	if [ ! -e "/etc/$f" ]; then
		t=$(readlink -f "/etc/$f")
		case $t in
		/run/* | /var/*) mkdir -p "${t%/*}"; : >"$t" ;;
		*) : >"$etc_up/$f" ;;
		esac
	fi
done
[ -e /etc/mtab ] || ln -s ../proc/self/mounts "$etc_up/mtab"
if [ -z "$(ls -A "$etc_up")" ]; then
	etc_up=
fi
if [ -n "$etc_up" ]; then
	mkdir -p "$dir/etc-overlay/work"
	mount -t overlay hm-etc -o "lowerdir=/etc,upperdir=$etc_up,workdir=$dir/etc-overlay/work" /etc
fi
for f in hosts hostname resolv.conf nsswitch.conf; do
	mount --bind "$dir/etc/$f" "/etc/$f"
done
# ORDER: last, since $dir itself may lie under /tmp.
keep "$work" tmp
[ "${src#"$work"}" = "$src" ] && keep "$src" tmp
mount --rbind "$dir/tmp" /tmp
# Every user of the host reaches the source tree and its build (tests run
# programs as nobody or as a daemon'"'"'s user), wherever the checkout lies: a
# folder above it that others may not search (/root is 0700) is covered, in
# this host only, by a searchable tmpfs holding the same entries, bound.
a=
rest=${src#/}
while [ -n "$rest" ]; do
	a=$a/${rest%%/*}
	case $rest in */*) rest=${rest#*/} ;; *) rest= ;; esac
	case $(stat -c %A "$a") in *[xt]) continue ;; esac
	orig=$(mktemp -d "$dir/orig.XXXXXX")
	mount --bind "$a" "$orig"
	mount -t tmpfs -o size=1m hm-open "$a"
	chown --reference="$orig" "$a"
	chmod --reference="$orig" "$a"
	chmod go+x "$a"
	for e in "$orig"/* "$orig"/.[!.]* "$orig"/..?*; do
		[ -e "$e" ] || [ -L "$e" ] || continue
		n=$a/${e##*/}
		if [ -L "$e" ]; then
			cp -P "$e" "$n"
		elif [ -d "$e" ]; then
			mkdir "$n" && mount --rbind "$e" "$n"
		else
			: >"$n" && mount --bind "$e" "$n"
		fi
	done
done
'

# Create one host: namespace, cable, anchor, mounts.  $1 index, $2 name.
hm__create_host() {
	local i=$1 name=$2 ns=${HM__PREFIX}h$1 dir=$HM_WORK/h$1 pid d start
	local own_uts
	mkdir -p "$dir/etc" "$dir/run/lock" "$dir/tmp" "$dir/fs" \
		"$dir/var/lib/nfs/sm" "$dir/var/lib/nfs/sm.bak" "$dir/var/tmp" || return 1
	for d in db log spool cache backups mail local opt; do
		mkdir -p "$dir/var/$d" || return 1
	done
	ln -s /run "$dir/var/run" && ln -s /run/lock "$dir/var/lock" || return 1
	chmod 1777 "$dir/tmp" "$dir/var/tmp" "$dir/run/lock"
	if getent passwd statd >/dev/null 2>&1; then
		chown statd "$dir/var/lib/nfs/sm" "$dir/var/lib/nfs/sm.bak"
	fi
	hm__write_etc "$i" || return 1

	HM__NETNS+=("$ns")
	ip netns add "$ns" || return 1
	# ORDER: before eth0 exists, so it never gets an IPv6 address.
	ip netns exec "$ns" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6' || return 1
	ip link add eth0 netns "$ns" type veth peer name "p$i" netns "$HM__SWITCH" || return 1
	ip -n "$HM__SWITCH" link set "p$i" master br0 up || return 1
	ip -n "$ns" link set lo up || return 1
	ip -n "$ns" addr add "$HM__SUBNET.$i/24" dev eth0 || return 1
	ip -n "$ns" link set eth0 up || return 1

	# The anchor: ip netns exec and unshare both exec, so $! ends up as the
	# sleep holding the host's mount and UTS namespaces.
	ip netns exec "$ns" unshare --mount --uts --propagation private \
		sleep infinity </dev/null >/dev/null 2>"$dir/anchor.log" &
	pid=$!
	disown "$pid"
	HM__ANCHOR[i]=$pid
	own_uts=$(readlink /proc/self/ns/uts)
	# shellcheck disable=SC2016
	if ! hm_wait_for 10 sh -c '[ "$(cat /proc/$1/comm)" = sleep ] &&
	    [ "$(readlink /proc/$1/ns/uts)" != "$2" ]' sh "$pid" "$own_uts"; then
		hm__die "host $name: anchor did not start: $(cat "$dir/anchor.log")"
		return 1
	fi
	start=$(hm__start_time "$pid") || return 1
	HM__ANCHOR_START[i]=$start
	nsenter -t "$pid" -r -m -u -n --wd=/ -- sh -c "$HM__SETUP_SCRIPT" sh \
		"$name" "$dir" "$HM_WORK" "$HM__SRC" || {
		hm__die "host $name: mount setup failed"
		return 1
	}
}

# hm_hosts_create N | NAME...: create test hosts h1..hN (or the given names)
# and set HM_HOSTS.  May be called again to add hosts.
hm_hosts_create() {
	local names=() n i first
	hm__require_owner hm_hosts_create || return 1
	[ "$HM__CLEANED" = 0 ] || { hm__die "hm_hosts_create after hm_cleanup"; return 1; }
	if [ $# -eq 1 ] && [[ $1 =~ ^[0-9]+$ ]]; then
		for ((n = 1; n <= $1; n++)); do
			names+=("h$((${#HM_HOSTS[@]} + n))")
		done
	else
		names=("$@")
	fi
	[ ${#names[@]} -ge 1 ] || { hm__die "usage: hm_hosts_create N | NAME..."; return 1; }
	for n in "${names[@]}"; do
		if ! [[ $n =~ ^[a-z][a-z0-9-]{0,31}$ ]]; then
			hm__die "bad host name '$n'"
			return 1
		fi
		if hm__index "$n" >/dev/null 2>&1; then
			hm__die "host '$n' exists already"
			return 1
		fi
		if [[ " ${names[*]} " == *" $n "*" $n "* ]]; then
			hm__die "host '$n' named twice"
			return 1
		fi
	done
	if [ $((${#HM_HOSTS[@]} + ${#names[@]})) -gt 250 ]; then
		hm__die "at most 250 hosts"
		return 1
	fi

	if [ ${#HM__NETNS[@]} -eq 0 ]; then
		if ip netns list | grep -qE "^${HM__PREFIX}(sw|h[0-9]+)( |\$)"; then
			hm__die "namespaces named ${HM__PREFIX}* exist already (left by a killed run?)"
			return 1
		fi
		HM__NETNS+=("$HM__SWITCH")
		ip netns add "$HM__SWITCH" || return 1
		ip netns exec "$HM__SWITCH" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6' || return 1
		ip -n "$HM__SWITCH" link add br0 type bridge || return 1
		ip -n "$HM__SWITCH" link set br0 up || return 1
	fi
	first=$((${#HM_HOSTS[@]} + 1))
	HM_HOSTS+=("${names[@]}")
	for ((i = first; i <= ${#HM_HOSTS[@]}; i++)); do
		hm__create_host "$i" "${HM_HOSTS[i - 1]}" || {
			hm__die "creating host ${HM_HOSTS[i - 1]} failed"
			return 1
		}
	done
	# Earlier hosts learn the new names (same inode, so no remount).
	for ((i = 1; i < first; i++)); do
		hm__write_etc "$i" || return 1
	done
	hm__log "hosts of run $HM__PREFIX:$(for i in "${!HM_HOSTS[@]}"; do
		printf ' %s=%s' "${HM_HOSTS[i]}" "$HM__SUBNET.$((i + 1))"; done)"
}

hm_host_exec() {
	local pid
	pid=$(hm_host_pid "${1:-}") || return 125
	shift
	nsenter -t "$pid" -r -m -u -n --wd="$(hm__wd)" -- "$@"
}

hm_host_sh() {
	local host=${1:-} script=${2:-}
	shift 2 || return 125
	hm_host_exec "$host" sh -c "$script" sh "$@"
}

hm_host_spawn() {
	local host=${1:-} log=${2:-} apid pid start
	shift 2 || { hm__die "usage: hm_host_spawn HOST LOGFILE CMD..."; return 1; }
	[ $# -ge 1 ] || { hm__die "usage: hm_host_spawn HOST LOGFILE CMD..."; return 1; }
	apid=$(hm_host_pid "$host") || return 1
	if [ "$BASHPID" != "$HM__OWNER" ]; then
		hm__log "warning: hm_host_spawn in a subshell: $1 will be an orphan; call it in the main shell and use HM_LAST_PID"
	fi
	# nsenter execs the command after entering (no --fork), so $! is the
	# daemon itself.
	nsenter -t "$apid" -r -m -u -n --wd="$(hm__wd)" -- "$@" </dev/null >>"$log" 2>&1 &
	pid=$!
	disown "$pid"
	start=$(hm__start_time "$pid") || start=-
	echo "$pid $start $(hm_host_name "$host")" >>"$HM_WORK/pids"
	# shellcheck disable=SC2034 # for the caller
	HM_LAST_PID=$pid
	echo "$pid"
}

# Start time recorded for a spawned PID, or failure if we did not spawn it.
hm__spawned_start() {
	local p s
	while read -r p s _; do
		if [ "$p" = "$1" ]; then
			echo "$s"
			return 0
		fi
	done <"$HM_WORK/pids"
	return 1
}

# Wait (bounded) until every PID given is gone; true if all are.
hm__wait_gone() {
	local secs=$1 deadline p left
	shift
	deadline=$(( $(hm__now_us) + $(hm__secs_us "$secs") ))
	while :; do
		left=0
		for p in "$@"; do
			hm_pid_alive "$p" && left=1
		done
		[ $left -eq 0 ] && return 0
		[ "$(hm__now_us)" -ge "$deadline" ] && return 1
		sleep 0.05
	done
}

hm_host_kill() {
	local pid=${1:-} sig=${2:-TERM} start
	if ! start=$(hm__spawned_start "$pid"); then
		hm__die "hm_host_kill: $pid was not started by hm_host_spawn"
		return 1
	fi
	sig=${sig#SIG}
	hm__same_process "$pid" "$start" || return 0
	kill -s "$sig" "$pid" || return 1
	case $sig in
	TERM | INT | QUIT | KILL | 15 | 2 | 3 | 9) ;;
	*) return 0 ;;
	esac
	hm__wait_gone "$HM_STOP_TIMEOUT" "$pid" && return 0
	hm__log "pid $pid still there ${HM_STOP_TIMEOUT}s after $sig: KILL"
	hm__same_process "$pid" "$start" && kill -s KILL "$pid"
	hm__wait_gone 5 "$pid"
}

hm_wait_for() {
	local limit=${1:-} deadline delay=0.02 out rc
	shift
	if ! [[ $limit =~ ^[0-9]+(\.[0-9]+)?$ ]] || [ $# -eq 0 ]; then
		hm__die "usage: hm_wait_for TIMEOUT_S CMD..."
		return 2
	fi
	deadline=$(( $(hm__now_us) + $(hm__secs_us "$limit") ))
	while :; do
		out=$("$@" 2>&1) && return 0
		rc=$?
		if [ "$(hm__now_us)" -ge "$deadline" ]; then
			echo "# hm_wait_for: gave up after ${limit}s: $* (exit $rc)" >&2
			[ -n "$out" ] && printf '%s\n' "$out" | tail -n 20 | sed 's/^/#   /' >&2
			return 1
		fi
		sleep "$delay"
		case $delay in
		0.02) delay=0.05 ;;
		0.05) delay=0.1 ;;
		*) delay=0.2 ;;
		esac
	done
}

hm_host_private() {
	local host=${1:-} path=${2:-} dir
	dir=$(hm_host_dir "$host") || return 1
	case $path in
	/*) ;;
	*) hm__die "hm_host_private: '$path' is not an absolute path"; return 1 ;;
	esac
	mkdir -p "$dir/fs$path" || return 1
	hm_host_exec "$host" mount --bind "$dir/fs$path" "$path"
}

hm_reachable() {
	local host=${1:-} dest=${2:-} secs=${3:-1} out
	[ -n "$dest" ] || { hm__die "usage: hm_reachable HOST DEST [SECS]"; return 2; }
	# A TCP connect to the discard port: a refusal (RST) proves the path as
	# well as an answer does.  Needs nothing but bash.
	# shellcheck disable=SC2016
	out=$(LC_ALL=C hm_host_exec "$host" timeout "$secs" \
		bash -c 'exec 3<>"/dev/tcp/$1/9"' sh "$dest" 2>&1) && return 0
	case $out in
	*"Connection refused"*) return 0 ;;
	esac
	return 1
}

# Neighbour entries pointing at a MAC nobody has: IPv4 between the two hosts
# vanishes on the wire (no error, no ICMP), as in a real partition.
hm_partition() {
	local a b
	a=$(hm__index "${1:-}") && b=$(hm__index "${2:-}") || return 1
	ip -n "${HM__PREFIX}h$a" neigh replace "$HM__SUBNET.$b" \
		lladdr "$HM__BOGUS_MAC" nud permanent dev eth0 &&
	ip -n "${HM__PREFIX}h$b" neigh replace "$HM__SUBNET.$a" \
		lladdr "$HM__BOGUS_MAC" nud permanent dev eth0
}

hm_heal() {
	local a b rc=0
	a=$(hm__index "${1:-}") && b=$(hm__index "${2:-}") || return 1
	ip -n "${HM__PREFIX}h$a" neigh del "$HM__SUBNET.$b" dev eth0 2>/dev/null || rc=1
	ip -n "${HM__PREFIX}h$b" neigh del "$HM__SUBNET.$a" dev eth0 2>/dev/null || rc=1
	[ $rc -eq 0 ] || hm__die "hm_heal: $1 and $2 were not partitioned"
}

# The switch port stops forwarding; the host keeps its carrier, so it only
# notices by silence.
hm_isolate() {
	local i
	i=$(hm__index "${1:-}") || return 1
	bridge -n "$HM__SWITCH" link set dev "p$i" state 0
}

hm_rejoin() {
	local i
	i=$(hm__index "${1:-}") || return 1
	bridge -n "$HM__SWITCH" link set dev "p$i" state 3
}

hm_rpcbind() {
	local host=${1:-} dir
	dir=$(hm_host_dir "$host") || return 1
	# -w: warm start from /run/rpcbind (private); -f: stay in the foreground.
	hm_host_spawn "$host" "$dir/rpcbind.log" rpcbind -f -w >/dev/null || return 1
	if ! hm_wait_for 10 hm_host_exec "$host" rpcinfo -p 127.0.0.1; then
		sed 's/^/#   rpcbind: /' "$dir/rpcbind.log" >&2
		return 1
	fi
}

hm_at_exit() {
	[ $# -ge 1 ] || return 0
	HM__AT_EXIT+=("$(printf '%q ' "$@")")
}

# PIDs of processes inside any namespace of this run, but not its anchors.
hm__strays() {
	local inodes=" " ns p n a skip
	for ns in "${HM__NETNS[@]}"; do
		n=$(stat -L -c %i "/run/netns/$ns" 2>/dev/null) && inodes+="net:[$n] "
	done
	[ "$inodes" = " " ] && return 0
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		n=$(readlink "/proc/$p/ns/net" 2>/dev/null) || continue
		[[ $inodes == *" $n "* ]] || continue
		skip=0
		for a in "${HM__ANCHOR[@]}"; do
			[ "$a" = "$p" ] && skip=1
		done
		[ $skip -eq 0 ] && hm_pid_alive "$p" && echo "$p"
	done
}

hm_cleanup() {
	local cmd p s pids=() starts=() i ns strays
	[ "$HM__CLEANED" = 1 ] && return 0
	[ "$BASHPID" = "$HM__OWNER" ] || return 0
	HM__CLEANED=1
	# A second ^C, or timeout's TERM to the whole process group, must not
	# cut the cleanup short.
	trap '' INT TERM HUP
	for cmd in "${HM__AT_EXIT[@]}"; do
		eval "$cmd" || hm__log "at-exit command failed: $cmd"
	done

	# Spawned daemons, checked by start time so a reused PID is never hit.
	if [ -f "$HM_WORK/pids" ]; then
		while read -r p s _; do
			[ "$s" = - ] && continue
			hm__same_process "$p" "$s" || continue
			pids+=("$p")
			starts+=("$s")
			kill -s TERM "$p" 2>/dev/null
		done <"$HM_WORK/pids"
	fi
	# Anything else running inside the run's namespaces was started there by
	# the test (through hm_host_exec): a daemon that forked, say.
	strays=$(hm__strays)
	for p in $strays; do
		s=$(hm__start_time "$p") || continue
		hm__log "stopping pid $p ($(cat "/proc/$p/comm" 2>/dev/null)), started in a test host"
		pids+=("$p")
		starts+=("$s")
		kill -s TERM "$p" 2>/dev/null
	done
	if [ ${#pids[@]} -gt 0 ] && ! hm__wait_gone "$HM_STOP_TIMEOUT" "${pids[@]}"; then
		for i in "${!pids[@]}"; do
			if hm__same_process "${pids[i]}" "${starts[i]}"; then
				hm__log "pid ${pids[i]} ignored TERM for ${HM_STOP_TIMEOUT}s: KILL"
				kill -s KILL "${pids[i]}" 2>/dev/null
			fi
		done
		hm__wait_gone 5 "${pids[@]}" || hm__log "pids still there after KILL: ${pids[*]}"
	fi
	pids=()
	for i in "${!HM__ANCHOR[@]}"; do
		if hm__same_process "${HM__ANCHOR[i]}" "${HM__ANCHOR_START[i]:-}"; then
			kill -s KILL "${HM__ANCHOR[i]}" 2>/dev/null
			pids+=("${HM__ANCHOR[i]}")
		fi
	done
	[ ${#pids[@]} -gt 0 ] && hm__wait_gone 5 "${pids[@]}"

	# ORDER: veths before namespaces, so none outlives its namespace even
	# for a moment.
	for ns in "${HM__NETNS[@]}"; do
		[ "$ns" = "$HM__SWITCH" ] && continue
		ip -n "$ns" link del eth0 2>/dev/null
	done
	for ((i = ${#HM__NETNS[@]} - 1; i >= 0; i--)); do
		ip netns del "${HM__NETNS[i]}" 2>/dev/null
	done
	HM__NETNS=()
	HM__ANCHOR=()
	HM__ANCHOR_START=()
	HM__AT_EXIT=()
	HM_HOSTS=()

	if [ "$HM_KEEP" = 1 ]; then
		hm__log "kept the run's folder $HM_WORK (HM_KEEP=1)"
	else
		case $HM_WORK in
		"$HM_TMPDIR/$HM__PREFIX".*) rm -rf "$HM_WORK" ;;
		esac
	fi
	hm__traps
}

hm__on_signal() {
	local sig=$1 code=$2
	hm__log "caught SIG$sig: cleaning up"
	hm_cleanup
	trap - EXIT
	exit "$code"
}

hm__traps() {
	trap 'hm__on_signal INT 130' INT
	trap 'hm__on_signal TERM 143' TERM
	trap 'hm__on_signal HUP 129' HUP
}
trap 'hm_cleanup' EXIT
hm__traps
