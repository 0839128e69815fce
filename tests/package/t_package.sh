#!/usr/bin/env bash
# t_package.sh: the Debian packages as a new machine gets them (issue 14).
# Run by `make package-check` inside a fresh minimal Debian 12 root
# (scripts/fresh-root.sh), as root, from the checkout:
#   1. the packaging tools and the packages' dependencies (nfs-common among
#      them) are installed; the packages are built (scripts/debpkg.sh);
#   2. a list of every file, the users and groups and dpkg's diversions are
#      taken, then the .debs are installed with apt: apt installs nothing
#      else, and nfs-common's rpc.statd is diverted aside;
#   3. in a network namespace of its own (nothing reaches the machine's
#      ports), each daemon is started through its init script and must
#      answer (nfs-common's sm-notify is diverted too, ours does nothing
#      without -P): rpc.statd in rpcinfo -p, this host in hmss's output, samdctl
#      status, smsd's /v1/server with curl on port 596; then stopped;
#   4. the packages are removed (conffiles stay, as dpkg keeps them, and
#      nfs-common's rpc.statd is back, byte for byte), then purged (dpkg
#      --purge, as apt-get purge skips removed packages): no file
#      of ours is left (the list of step 2 again), no diversion, and the
#      conffiles are gone.  The system users stay, as Debian leaves a purged
#      package's users: they are checked to be exactly the ones made.
# Not for the machine itself: it installs packages and diverts files.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib/tap.sh

if [ ! -e /root/hostmon ] || [ "$(pwd)" != /root/hostmon ]; then
	[ "${HM_PACKAGE_HERE:-}" = 1 ] || {
		echo "1..0 # SKIP runs in a fresh root: make package-check"
		exit 0
	}
fi

export DEBIAN_FRONTEND=noninteractive
out=/root/debs
log=/root/package-check.log
: >"$log"

# No daemon starts while packages are installed (there is no init here).
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod 755 /usr/sbin/policy-rc.d

# --- 1. tools, dependencies, build ----------------------------------------
if scripts/deps.sh package >>"$log" 2>&1 &&
    apt-get install -y -q --no-install-recommends adduser rpcbind nfs-common \
	curl iproute2 procps libevent-2.1-7 libjansson4 libtirpc3 >>"$log" 2>&1; then
	tap_ok "packaging tools and the packages' dependencies installed"
else
	tap_fail "apt-get install" "$(tail -n 20 "$log")"
	tap_done
	exit 1
fi
if lint=$(scripts/debpkg.sh build "$out" 2>&1); then
	tap_ok "dpkg-buildpackage -us -uc -b: $(echo "$lint" | tail -n 1 | sed 's/^debpkg: //')"
else
	tap_fail "package build or lintian" "$(echo "$lint" | tail -n 30)"
	tap_done
	exit 1
fi
debs=""
for d in "$out"/*.deb; do
	case $d in *-dbgsym_*) ;; *) debs="$debs $d" ;; esac
done

# --- 2. install -----------------------------------------------------------
# deps.sh made the suite's users for the tests; the packages must make
# their own: in this throwaway root they go.
for u in statd _hmstatd _hmssd _hmsmsd; do
	getent passwd "$u" >/dev/null && userdel "$u"
	getent group "$u" >/dev/null && groupdel "$u"
done
getent group _hostmon >/dev/null && groupdel _hostmon
snapshot() {
	find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run \
	    -o -path /tmp -o -path /root -o -path /var/cache -o -path /var/lib/apt \
	    -o -path /var/lib/dpkg -o -path /var/log/apt -o -path /var/log/dpkg.log \
	    -o -path /var/log/alternatives.log \
	    \) -prune -o -print | sort
}
snapshot >/root/files.before
getent passwd | cut -d: -f1 | sort >/root/users.before
getent group | cut -d: -f1 | sort >/root/groups.before
dpkg-divert --list | sort >/root/diversions.before
dpkg-query -W -f '${Package}\n' | sort >/root/packages.before
statd_sum=$(md5sum </sbin/rpc.statd)
smn_sum=$(md5sum </sbin/sm-notify)
export statd_sum smn_sum	# for the checks' eval

# shellcheck disable=SC2086
if apt-get install -y -q --no-install-recommends $debs >>"$log" 2>&1; then
	tap_ok "apt-get installs the six packages"
else
	tap_fail "apt-get install of the packages" "$(tail -n 30 "$log")"
	tap_done
	exit 1
fi
new=$(dpkg-query -W -f '${Package}\n' | sort | comm -13 /root/packages.before - | tr '\n' ' ')
tap_check "apt installed ours and nothing else" \
	eval "echo '$new'; [ '$new' = 'hostmon-samd hostmon-smsd hostmon-ssd hostmon-statd libcsstat-dev libcsstat1 ' ]"
tap_check "nfs-common's rpc.statd is diverted aside, ours in its place" \
	eval 'dpkg-divert --list | grep hostmon-statd;
	    [ "$(md5sum </sbin/rpc.statd.nfs-common)" = "$statd_sum" ] &&
	    /usr/sbin/rpc.statd --version | grep -q hostmon'
# rpc-statd-notify.service's command, now ours: without -P nothing to do.
tap_check "nfs-common's sm-notify is diverted aside, ours (rpc.statd's link) in its place" \
	eval 'dpkg-divert --list | grep "sm-notify.*hostmon-statd" &&
	    [ "$(md5sum </sbin/sm-notify.nfs-common)" = "$smn_sum" ] &&
	    [ "$(readlink -f /usr/sbin/sm-notify)" = "$(readlink -f /usr/sbin/rpc.statd)" ] &&
	    /usr/sbin/sm-notify -d 2>&1 | grep -q "no -P folder: nothing to do"'
users_made() {
	local u new
	new=$(getent passwd | cut -d: -f1 | sort | comm -13 /root/users.before - | tr '\n' ' ')
	echo "new users: $new"
	[ "$new" = "_hmsmsd _hmssd _hmstatd " ] || return 1
	for u in _hmsmsd _hmssd _hmstatd; do
		id -nG "$u" | grep -qw _hostmon || return 1
	done
}
tap_check "postinst made the users _hmsmsd _hmssd _hmstatd, each in _hostmon" users_made

# --- 3. each daemon through its init script, in a network of its own --------
cat >/root/run-daemons.sh <<'RUN'
set -u
ip link set lo up
fail=0
# DESCRIPTION COMMAND...: one line each, "ok" or "not ok".  The output
# goes to a file, not a pipe: a daemon that kept its standard output would
# hold a pipe open, and the reader would wait for it.
try() {
	local d=$1
	shift
	if timeout 60 "$@" >/root/try.out 2>&1 </dev/null; then
		echo "RUN ok $d"
	else
		echo "RUN not ok $d"
		sed 's/^/RUN #   /' /root/try.out
		fail=1
	fi
}
rpcbind -w
try "hostmon-statd starts" /etc/init.d/hostmon-statd start
try "rpcinfo -p lists status (100024)" sh -c 'rpcinfo -p 127.0.0.1 | grep -w 100024'
try "hostmon-ssd starts" /etc/init.d/hostmon-ssd start
try "hmss shows this host up" sh -c 'hmss; hmss | grep -E "^$(uname -n) +up"'
try "hostmon-samd starts" /etc/init.d/hostmon-samd start
try "samdctl status says samd runs" sh -c 'samdctl status; samdctl status | grep -i running'
try "hostmon-smsd starts" /etc/init.d/hostmon-smsd start
try "curl on port 596: /v1/server answers" sh -c 'curl -sf http://127.0.0.1:596/v1/server | grep -q "\"pid\""'
try "hostmon-smsd status" /etc/init.d/hostmon-smsd status
for s in smsd samd ssd statd; do
	try "hostmon-$s stops" /etc/init.d/hostmon-$s stop
done
kill "$(pidof rpcbind)" 2>/dev/null
exit $fail
RUN
unshare --net --fork bash /root/run-daemons.sh >/root/run.out 2>&1
while IFS= read -r line; do
	case $line in
	"RUN ok "*) tap_ok "${line#RUN ok }" ;;
	"RUN not ok "*) tap_fail "${line#RUN not ok }" ;;
	"RUN #"*) echo "#${line#RUN #}" ;;
	esac
done </root/run.out
grep -q '^RUN ' /root/run.out || tap_fail "the daemons' run" "$(tail -n 20 /root/run.out)"
# Daemons left behind would hold files: none may be.
left=$(pidof rpc.statd ssd samkeep samd smsd 2>/dev/null)
tap_check "no daemon of ours left running" eval "echo '$left'; [ -z '$left' ]"

# --- 4. remove, then purge -----------------------------------------------
pkgs="hostmon-statd hostmon-ssd hostmon-samd hostmon-smsd libcsstat-dev libcsstat1"
# shellcheck disable=SC2086
apt-get remove -y -q $pkgs >>"$log" 2>&1
tap_check "after remove, the conffiles stay (dpkg keeps them until purge)" \
	eval 'ls /etc/default/hostmon-statd /etc/sms/smsd.conf /etc/hostmon/samd /etc/logrotate.d/hostmon-smsd'
tap_check "after remove, nfs-common's rpc.statd is back, as it was, with no diversion" \
	eval '[ "$(md5sum </sbin/rpc.statd)" = "$statd_sum" ] && [ ! -e /sbin/rpc.statd.nfs-common ] &&
	    ! dpkg-divert --list | grep hostmon'
tap_check "after remove, nfs-common's sm-notify is back, as it was" \
	eval '[ ! -L /sbin/sm-notify ] && [ "$(md5sum </sbin/sm-notify)" = "$smn_sum" ] &&
	    [ ! -e /sbin/sm-notify.nfs-common ] && [ ! -e /usr/sbin/sm-notify.nfs-common ]'
# apt-get purge leaves a removed package (dpkg's "rc") alone: dpkg purges.
# shellcheck disable=SC2086
dpkg --purge $pkgs >>"$log" 2>&1
snapshot >/root/files.after
extra=$(comm -13 /root/files.before /root/files.after)
gone=$(comm -23 /root/files.before /root/files.after)
tap_check "after purge no file of ours is left, and none of the system's is gone" \
	eval "echo 'left: $extra'; echo 'gone: $gone'; [ -z '$extra' ] && [ -z '$gone' ]"
tap_check "no diversion left" eval 'dpkg-divert --list | sort | diff /root/diversions.before -'
tap_check "the users stay (Debian's way) and are only those made" \
	eval "getent passwd | cut -d: -f1 | sort | comm -13 /root/users.before - | tr '\n' ' ' |
	    grep -qx '_hmsmsd _hmssd _hmstatd '"

tap_done
