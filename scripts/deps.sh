#!/bin/sh
# deps.sh: install the Debian packages (and system users) hostmon needs.
#
# Usage: scripts/deps.sh [build|unit|demo|test|lint|bench|fuzz|package|all]...   (default: all)
#        scripts/deps.sh package-of COMMAND...
#
# Each target installs its own packages and those of the targets it builds on:
#   build  compile every program and test            (make, make build)
#   unit   build, plus the time zones the unit tests use   (make check-unit)
#   demo   build, plus what the suite runs with      (make demo)
#   test   unit and demo, plus the real peers and the tools the tests run
#          (make check)
#   lint   build, plus the linters                   (make lint)
#   bench  test, plus the peers the benchmarks compare with        (make bench)
#   fuzz   build, plus clang and its fuzzer runtime  (make fuzz)
#   package  build, plus Debian's packaging tools     (make package)
#   all    everything above
# As root it installs what is missing with apt-get, never starting the
# distribution's own rpcbind, rpc.statd, ganesha or corosync services as a
# side effect, and creates the system users the daemons drop to.  As another
# user it prints the exact command and exits 1.
#
# "package-of" names the package that provides a command the scripts run,
# from the table below, so a test that finds a command missing can say what
# to install.  Every command a script, test or benchmark runs and that a
# minimal Debian 12 root (mmdebstrap --variant=apt) lacks is in the table.
set -eu

BUILD_PKGS="gcc libc6-dev binutils make pkg-config libtirpc-dev rpcsvc-proto libevent-dev check
libjansson-dev libcorosync-common-dev libquorum-dev libcpg-dev libcmap-dev"
UNIT_PKGS="tzdata"
DEMO_PKGS="rpcbind iproute2 mount procps netbase"
TEST_PKGS="nfs-common nfs-ganesha nfs-ganesha-vfs corosync faketime
libfaketime curl jq bc iputils-ping python3 prometheus mandoc
chromium chromium-driver python3-selenium"
LINT_PKGS="cppcheck shellcheck mandoc clang"
BENCH_PKGS="rwho rwhod tuptime sqlite3 prometheus-node-exporter wrk strace"
FUZZ_PKGS="clang libclang-rt-14-dev"
PACKAGE_PKGS="build-essential debhelper dpkg-dev fakeroot lintian adduser"

# command package: what provides each command that is not in every
# Debian 12 root.  Keep it in step with the lists above.
COMMANDS='
cc gcc
gcc gcc
make make
pkg-config pkg-config
rpcgen rpcsvc-proto
rpcbind rpcbind
rpcinfo rpcbind
ip iproute2
bridge iproute2
ss iproute2
mount mount
umount mount
ps procps
pgrep procps
free procps
uptime procps
w procps
rpc.statd nfs-common
sm-notify nfs-common
ganesha.nfsd nfs-ganesha
corosync corosync
corosync-keygen corosync
corosync-cfgtool corosync
corosync-cmapctl corosync
corosync-quorumtool corosync
faketime faketime
curl curl
jq jq
bc bc
ping iputils-ping
strace strace
chromium chromium
chromedriver chromium-driver
python3 python3
ar binutils
strings binutils
shellcheck shellcheck
cppcheck cppcheck
mandoc mandoc
clang clang
ruptime rwho
rwhod rwhod
tuptime tuptime
sqlite3 sqlite3
prometheus-node-exporter prometheus-node-exporter
wrk wrk
promtool prometheus
dpkg-buildpackage dpkg-dev
dh debhelper
fakeroot fakeroot
lintian lintian
'

# package_of COMMAND: the package, or nothing when the table lacks it.
package_of() {
	echo "$COMMANDS" | awk -v c="$1" '$1 == c { print $2; exit }'
}

pkgs_for() {
	case $1 in
	build) echo "$BUILD_PKGS" ;;
	demo) echo "$BUILD_PKGS $DEMO_PKGS" ;;
	unit) echo "$BUILD_PKGS $UNIT_PKGS" ;;
	test) echo "$BUILD_PKGS $UNIT_PKGS $DEMO_PKGS $TEST_PKGS" ;;
	lint) echo "$BUILD_PKGS $LINT_PKGS" ;;
	bench) echo "$BUILD_PKGS $UNIT_PKGS $DEMO_PKGS $TEST_PKGS $BENCH_PKGS" ;;
	fuzz) echo "$BUILD_PKGS $FUZZ_PKGS" ;;
	package) echo "$BUILD_PKGS $PACKAGE_PKGS" ;;
	all) echo "$BUILD_PKGS $UNIT_PKGS $DEMO_PKGS $TEST_PKGS $LINT_PKGS $BENCH_PKGS $FUZZ_PKGS $PACKAGE_PKGS" ;;
	*) return 1 ;;
	esac
}

usage() {
	echo "usage: $0 [build|unit|demo|test|lint|bench|fuzz|package|all]... | package-of COMMAND..." >&2
	exit 1
}

if [ "${1:-}" = package-of ]; then
	shift
	[ $# -gt 0 ] || usage
	rc=0
	for c in "$@"; do
		p=$(package_of "$c")
		if [ -n "$p" ]; then
			echo "$c: $p"
		else
			echo "$c: not in scripts/deps.sh's table" >&2
			rc=1
		fi
	done
	exit $rc
fi

[ $# -gt 0 ] || set -- all
want=""
for t in "$@"; do
	w=$(pkgs_for "$t") || usage
	want="$want $w"
done

missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	s=$(dpkg-query -W -f '${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case $s in
	ii*) ;;
	*) missing="$missing $p" ;;
	esac
done

# The daemons' own system users: rpc.statd drops to "_hmstatd", ssd to
# "_hmssd", smsd to "_hmsmsd"; the group "_hostmon" may write to smsd's
# posting socket and read statd's status file.  "statd" is nfs-common's,
# which the tests run as the real peer.
ensure_users() {
	getent group _hostmon >/dev/null || groupadd --system _hostmon
	if ! getent passwd statd >/dev/null; then
		useradd --system --no-create-home --home-dir /nonexistent \
		    --shell /usr/sbin/nologin statd
	fi
	for u in _hmstatd _hmssd _hmsmsd; do
		getent passwd "$u" >/dev/null ||
			useradd --system --no-create-home --home-dir /nonexistent \
			    --shell /usr/sbin/nologin --user-group "$u"
	done
	for u in statd _hmstatd _hmssd _hmsmsd; do
		id -nG "$u" | tr ' ' '\n' | grep -qx _hostmon ||
			usermod -a -G _hostmon "$u"
	done
}

if [ -z "$missing" ]; then
	[ "$(id -u)" -eq 0 ] && ensure_users
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
# A fresh root has no package lists yet: fetch them when apt cannot find a
# package.
# shellcheck disable=SC2086
if ! apt-get install -y -q --no-install-recommends $missing; then
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi

# With no init system running there is nothing to start, but a postinst that
# ignores policy-rc.d could still leave a daemon behind: say so loudly.
for d in rpcbind rpc.statd ganesha.nfsd corosync prometheus-node-exporter prometheus; do
	if pids=$(pidof "$d" 2>/dev/null); then
		echo "deps: warning: $d is running (pid $pids) after install" >&2
	fi
done
ensure_users
exit 0
