#!/bin/sh
# deps.sh: install the Debian packages hostmon needs to build and test.
#
# Usage: scripts/deps.sh [build|test|all]   (default: all)
#
# As root it installs what is missing with apt-get, never starting the
# distribution's own rpcbind, rpc.statd, ganesha or corosync services as a
# side effect.  As another user it prints the exact command and exits 1.
# It also creates the unprivileged "statd" user the daemons drop to.
set -eu

BUILD_PKGS="gcc clang make pkg-config libtirpc-dev rpcsvc-proto libevent-dev
check libjansson-dev"
TEST_PKGS="rpcbind nfs-common iproute2 mandoc shellcheck cppcheck valgrind
util-linux procps psmisc nfs-ganesha nfs-ganesha-vfs faketime rwho tuptime
corosync libcorosync-common-dev libquorum-dev libcpg-dev libcmap-dev
prometheus-node-exporter curl libfaketime jq bc wrk iputils-ping
bsdutils python3"

what=${1:-all}
case $what in
build) want=$BUILD_PKGS ;;
test) want=$TEST_PKGS ;;
all) want="$BUILD_PKGS $TEST_PKGS" ;;
*) echo "usage: $0 [build|test|all]" >&2; exit 1 ;;
esac

missing=""
for p in $want; do
	s=$(dpkg-query -W -f '${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case $s in
	ii*) ;;
	*) missing="$missing $p" ;;
	esac
done

ensure_user() {
	if ! getent passwd statd >/dev/null; then
		useradd --system --no-create-home --home-dir /nonexistent \
		    --shell /usr/sbin/nologin statd
	fi
}

if [ -z "$missing" ]; then
	[ "$(id -u)" -eq 0 ] && ensure_user
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "hostmon needs these Debian packages:$missing" >&2
	echo "run as root:  apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi

# ORDER: forbid service starts before any package's postinst runs.
policy=/usr/sbin/policy-rc.d
ours=""
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	ours=1
fi
cleanup() { [ -n "$ours" ] && rm -f "$policy"; return 0; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
echo "deps: installing$missing"
# shellcheck disable=SC2086
if ! apt-get install -y -q --no-install-recommends $missing; then
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi

# With no init system running there is nothing to start, but a postinst that
# ignores policy-rc.d could still leave a daemon behind: say so loudly.
for d in rpcbind rpc.statd ganesha.nfsd corosync prometheus-node-exporter; do
	if pids=$(pidof "$d" 2>/dev/null); then
		echo "deps: warning: $d is running (pid $pids) after install" >&2
	fi
done
ensure_user
exit 0
