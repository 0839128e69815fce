# shellcheck shell=bash
# corosync.sh: Debian's corosync 3 on test hosts (source after hosts.sh).
#
#	hm_corosync_setup HOST...	make HOSTs one cluster: a private /run-like
#					set of folders per host (/etc/corosync,
#					/var/lib/corosync, /var/log/corosync; /run and
#					/dev/shm are private already), one authkey made
#					by corosync-keygen and shared by all, and a
#					corosync.conf (knet over the test addresses,
#					nodelist named after the hosts, nodeid = host
#					number, token HM_COROSYNC_TOKEN ms)
#	hm_corosync_start HOST		start "corosync -f" in HOST (log in
#					$(hm_corosync_log HOST)); HM_COROSYNC_PID[HOST]
#					is its PID; waits until its IPC answers
#	hm_corosync_stop HOST [SIG]	signal it (default TERM: a clean leave; KILL:
#					a crash) and wait until it is gone
#	hm_corosync_shutdown HOST	corosync-cfgtool -H (a clean shutdown asked
#					over IPC), then wait until it is gone
#	hm_corosync_running HOST	true while the corosync we started there runs
#	hm_corosync_wait_quorate HOST [SECS]  wait until HOST's corosync says quorate
#	hm_corosync_members HOST	node ids of HOST's current membership, one a
#					line (corosync-quorumtool -l)
#	hm_corosync_wait_members HOST N [SECS]  wait until HOST's membership has
#					N nodes
#	hm_corosync_log HOST		its log file
#
# corosync is started in the foreground with its pid file and IPC in the
# host's private /run and its ring buffers in the host's private /dev/shm;
# libqb's abstract sockets belong to the host's network namespace, so the
# hosts' corosyncs never meet except over the test network.

HM_COROSYNC_TOKEN=${HM_COROSYNC_TOKEN:-1000}
declare -A HM_COROSYNC_PID=()
HM__COROSYNC_HOSTS=()

hm_need corosync corosync-keygen corosync-cfgtool corosync-quorumtool

hm_corosync_log() { echo "$(hm_host_dir "$1")/corosync.log"; }

# The cluster's corosync.conf for the hosts given, written to stdout.
hm__corosync_conf() {
	local h i
	cat <<EOF
# written by tests/integration/lib/corosync.sh
totem {
	version: 2
	cluster_name: hm$$
	transport: knet
	token: $HM_COROSYNC_TOKEN
	crypto_cipher: aes256
	crypto_hash: sha256
	keyfile: /etc/corosync/authkey
}
logging {
	to_stderr: yes
	to_logfile: yes
	logfile: /var/log/corosync/corosync.log
	to_syslog: no
	timestamp: hires
	debug: off
}
quorum {
	provider: corosync_votequorum
}
nodelist {
EOF
	for h in "$@"; do
		i=$(hm__index "$h") || return 1
		cat <<EOF
	node {
		name: $(hm_host_name "$h")
		nodeid: $i
		ring0_addr: $(hm_host_addr "$h")
	}
EOF
	done
	echo "}"
}

hm_corosync_setup() {
	local h d key conf
	[ $# -ge 1 ] || { hm__die "usage: hm_corosync_setup HOST..."; return 1; }
	key=$HM_WORK/corosync.authkey
	conf=$HM_WORK/corosync.conf
	if [ ! -s "$key" ]; then
		corosync-keygen -k "$key" >/dev/null 2>&1 || {
			hm__die "corosync-keygen -k $key failed"
			return 1
		}
	fi
	hm__corosync_conf "$@" >"$conf" || return 1
	for h in "$@"; do
		for d in /etc/corosync /var/lib/corosync /var/log/corosync; do
			# /var is private per host already; /etc/corosync is not.
			hm_host_exec "$h" mkdir -p "$d" || return 1
			hm_host_private "$h" "$d" || return 1
		done
		d=$(hm_host_dir "$h")/fs/etc/corosync
		install -m 400 "$key" "$d/authkey" || return 1
		install -m 644 "$conf" "$d/corosync.conf" || return 1
		HM__COROSYNC_HOSTS+=("$(hm_host_name "$h")")
	done
}

hm_corosync_running() {
	local name
	name=$(hm_host_name "$1") || return 1
	hm_pid_alive "${HM_COROSYNC_PID[$name]:-}"
}

hm_corosync_start() {
	local name log
	name=$(hm_host_name "${1:-}") || return 1
	hm__require_owner hm_corosync_start || return 1
	if hm_corosync_running "$name"; then
		hm__die "corosync runs in $name already"
		return 1
	fi
	log=$(hm_corosync_log "$name")
	echo "# ---- corosync start $(date '+%F %T.%N')" >>"$log"
	hm_host_spawn "$name" "$log" corosync -f >/dev/null || return 1
	HM_COROSYNC_PID[$name]=$HM_LAST_PID
	# Its IPC answers once the service engines are loaded.
	if ! hm_wait_for 15 hm_host_exec "$name" corosync-cmapctl -g totem.cluster_name; then
		tail -n 20 "$log" | sed 's/^/#   corosync: /' >&2
		return 1
	fi
}

hm_corosync_stop() {
	local name sig=${2:-TERM} pid
	name=$(hm_host_name "${1:-}") || return 1
	pid=${HM_COROSYNC_PID[$name]:-}
	[ -n "$pid" ] || { hm__die "no corosync started in $name"; return 1; }
	hm_host_kill "$pid" "$sig"
}

hm_corosync_shutdown() {
	local name pid
	name=$(hm_host_name "${1:-}") || return 1
	pid=${HM_COROSYNC_PID[$name]:-}
	[ -n "$pid" ] || { hm__die "no corosync started in $name"; return 1; }
	hm_host_exec "$name" timeout 10 corosync-cfgtool -H >/dev/null 2>&1 || {
		hm__die "corosync-cfgtool -H in $name failed"
		return 1
	}
	hm__wait_gone 15 "$pid"
}

hm_corosync_wait_quorate() {
	local name secs=${2:-20}
	name=$(hm_host_name "${1:-}") || return 1
	# corosync-quorumtool -s exits 0 only when quorate (2 if not, 1 on error).
	hm_wait_for "$secs" hm_host_exec "$name" corosync-quorumtool -s
}

hm_corosync_members() {
	local name
	name=$(hm_host_name "${1:-}") || return 1
	hm_host_exec "$name" corosync-quorumtool -l -p 2>/dev/null |
		awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ { print $1 }'
}

hm__corosync_count_is() {
	[ "$(hm_corosync_members "$1" | wc -l)" -eq "$2" ]
}

hm_corosync_wait_members() {
	local name n=${2:-} secs=${3:-20}
	name=$(hm_host_name "${1:-}") || return 1
	[[ $n =~ ^[0-9]+$ ]] || { hm__die "usage: hm_corosync_wait_members HOST N [SECS]"; return 1; }
	hm_wait_for "$secs" hm__corosync_count_is "$name" "$n"
}
