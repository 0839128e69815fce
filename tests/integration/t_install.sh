#!/usr/bin/env bash
# t_install.sh: make install into a scratch DESTDIR puts every program,
# manual page, init script and systemd unit (pointed at the installed
# programs) and the csstat library (in the multiarch folder) in place, and a
# program builds and runs against the installed library through its
# pkg-config file.  A build for another PREFIX (in a build folder of its
# own) carries that prefix.  With PREFIX=/usr no installed path is a file of
# another Debian package (iproute2's ss, nfs-common's rpc.statd): AST's ss
# is PREFIX/lib/hostmon/bin/ss and hmss on PATH, rpc.statd is
# PREFIX/lib/hostmon/sbin/rpc.statd (issue 14).  make uninstall leaves the
# DESTDIR without a file, and keeps a configuration file changed since.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib/tap.sh

B=${B:-build}
dest=$(mktemp -d "${TMPDIR:-/tmp}/hminstall.XXXXXX") || exit 1
trap 'rm -rf "$dest"' EXIT
sbin=/usr/local/sbin
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || cc -print-multiarch)

# The default PREFIX, from the build the other tests use: nothing in it is
# rebuilt (SANITIZE as it was built, or the objects would be mixed).
if make -s B="$B" SANITIZE="${SANITIZE:-}" install DESTDIR="$dest" \
    >"$dest/make.log" 2>&1; then
	tap_ok "make install DESTDIR"
else
	tap_fail "make install" "$(tail -n 20 "$dest/make.log")"
fi

missing=""
for f in lib/hostmon/sbin/rpc.statd lib/hostmon/sbin/sm-notify sbin/ssd sbin/samd sbin/samsigd sbin/samkeep \
    sbin/samdctl sbin/smsd lib/hostmon/bin/ss bin/hmss bin/samlog bin/samrep bin/smsctl \
    include/csstat.h "lib/$ma/libcsstat.a" "lib/$ma/libcsstat.so.1" "lib/$ma/pkgconfig/csstat.pc" \
    share/man/man8/hostmon-rpc.statd.8 share/man/man8/ssd.8 share/man/man1/hmss.1 \
    share/man/man3/csstat.3 share/man/man8/samd.8 share/man/man8/samrep.8 share/man/man8/smsd.8 \
    lib/systemd/system/hostmon-statd.service lib/systemd/system/hostmon-smsd.service; do
	[ -e "$dest/usr/local/$f" ] || missing="$missing $f"
done
for f in var/avail/sam/samd etc/corosync/uidgid.d/smsd etc/sms/smsd.conf \
    etc/default/hostmon-statd etc/default/hostmon-ssd etc/logrotate.d/hostmon-smsd; do
	[ -e "$dest/$f" ] || missing="$missing /$f"
done
[ -z "$missing" ] && tap_ok "programs, library, header, manual pages and configuration installed" ||
	tap_fail "installed files" "missing:$missing"
# iproute2's ss and nfs-common's rpc.statd keep their names, on PATH and in
# the manual: nothing of ours under them.
clash=""
for f in bin/ss sbin/rpc.statd sbin/sm-notify share/man/man1/ss.1 share/man/man8/rpc.statd.8 \
    share/man/man8/sm-notify.8; do
	[ -e "$dest/usr/local/$f" ] && clash="$clash $f"
done
# sm-notify is rpc.statd under nfs-utils' name, beside it (rpc.statd.8).
[ "$(readlink "$dest/usr/local/lib/hostmon/sbin/sm-notify")" = rpc.statd ] ||
	clash="$clash lib/hostmon/sbin/sm-notify"
[ "$(readlink "$dest/usr/local/bin/hmss")" = ../lib/hostmon/bin/ss ] || clash="$clash bin/hmss"
grep -q '^\.Dt HMSS 1' "$dest/usr/local/share/man/man1/hmss.1" || clash="$clash hmss.1's header"
[ -z "$clash" ] && tap_ok "no ss, rpc.statd or sm-notify on PATH or in the manual; hmss links to lib/hostmon/bin/ss, sm-notify to rpc.statd" ||
	tap_fail "names of other packages" "$clash"

bad=""
for s in statd ssd samd smsd; do
	f=$dest/etc/init.d/hostmon-$s
	p=$(sed -n 's/^DAEMON=\${[A-Z_]*:-\(.*\)}$/\1/p; s/^SAMKEEP=\${[A-Z_]*:-\(.*\)}$/\1/p' \
	    "$f" 2>/dev/null | head -n 1)
	case $p in
	"$sbin"/* | /usr/local/lib/hostmon/sbin/*) [ -x "$f" ] && [ -x "$dest$p" ] || bad="$bad $s:$p" ;;
	*) bad="$bad $s:$p" ;;
	esac
	u=$dest/usr/local/lib/systemd/system/hostmon-$s.service
	p=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$u" 2>/dev/null)
	[ -n "$p" ] && [ -x "$dest$p" ] || bad="$bad $s.service:$p"
done
[ -z "$bad" ] && tap_ok "each init script and unit is installed and names an installed program" ||
	tap_fail "init scripts and units" "$bad"

# A program against the installed library, found only through pkg-config;
# under the sysroot the system paths are the scratch tree's, so keep them.
cat >"$dest/prog.c" <<'C'
#include <stdio.h>
#include <csstat.h>

int
main(void)
{
	Csstat_t st;
	uint32_t a, m;

	st.up = 3601; st.idle = 90; st.load = 48; st.pctusr = 3;
	st.pctsys = 1; st.users = 2;
	csstat_encode(&st, &a, &m);
	csstat_decode(a, m, 0, 150, &st);
	printf("%lld %d\n", (long long)st.up, st.users);
	return 0;
}
C
export PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_LIBDIR=$dest/usr/local/lib/$ma/pkgconfig
export PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 PKG_CONFIG_ALLOW_SYSTEM_LIBS=1
# A sanitized library (make check SANITIZE=1) wants a sanitized program.
san=${SANITIZE:+-fsanitize=address,undefined}
# shellcheck disable=SC2086
if flags=$(pkg-config --cflags --libs csstat) &&
    cc $san -o "$dest/prog" "$dest/prog.c" $flags 2>"$dest/cc.err"; then
	tap_ok "a program builds with pkg-config --cflags --libs csstat"
else
	tap_fail "build against libcsstat" "$(cat "$dest/cc.err" 2>/dev/null)"
fi
out=$(LD_LIBRARY_PATH=$dest/usr/local/lib/$ma "$dest/prog" 2>&1)
[ "$out" = "3600 2" ] && tap_ok "and runs: 3601 s up reads back as 3600, 2 users" ||
	tap_fail "run against libcsstat" "got '$out'"

# PREFIX=/usr in a build folder of its own: the pkg-config file and the
# library's default status directory follow it.
b=$dest/b
if make -s B="$b" PREFIX=/usr "$b/csstat.pc" "$b/libcsstat.a" >"$dest/make2.log" 2>&1 &&
    grep -qx 'prefix=/usr' "$b/csstat.pc" && grep -qx "libdir=/usr/lib/$ma" "$b/csstat.pc" &&
    grep -aq '/usr/share/lib/ss' "$b/libcsstat.a" &&
    ! grep -aq '/usr/local/share/lib/ss' "$b/libcsstat.a"; then
	tap_ok "built for PREFIX=/usr: csstat.pc and the default directory say /usr"
else
	tap_fail "PREFIX=/usr build" "$(tail -n 5 "$dest/make2.log")" "$(cat "$b/csstat.pc" 2>/dev/null)"
fi
# Then the same folder for another PREFIX: the stamp makes it rebuild.
if make -s B="$b" PREFIX=/opt/hm "$b/csstat.pc" "$b/libcsstat.a" >>"$dest/make2.log" 2>&1 &&
    grep -qx 'prefix=/opt/hm' "$b/csstat.pc" &&
    grep -aq '/opt/hm/share/lib/ss' "$b/libcsstat.a"; then
	tap_ok "the same build folder for PREFIX=/opt/hm is rebuilt for it"
else
	tap_fail "rebuild on a PREFIX change" "$(cat "$b/csstat.pc" 2>/dev/null)"
fi

# make uninstall removes what make install put there, and nothing else: a
# configuration file changed since is kept, then the DESTDIR is empty.
echo "allow 198.18.0.0/15" >>"$dest/etc/sms/smsd.conf"
touch "$dest/etc/not-ours"
if make -s B="$B" SANITIZE="${SANITIZE:-}" uninstall DESTDIR="$dest" >"$dest/un.log" 2>&1 &&
    left=$(cd "$dest" && find etc usr var ! -type d 2>/dev/null | sort | tr '\n' ' ') &&
    [ "$left" = "etc/not-ours etc/sms/smsd.conf " ]; then
	tap_ok "make uninstall leaves only the changed smsd.conf and a file not ours"
else
	tap_fail "make uninstall" "left: $left" "$(tail -n 5 "$dest/un.log")"
fi

unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR
# PREFIX=/usr, as a Debian system has it: every path is checked against
# dpkg's database (HM_CHECK_OWNER) and none is another package's.  The
# build folder is copied, so the tests' own is not rebuilt for /usr.
d2=$dest/usr-root
cp -a "$B" "$dest/b3"
if make -s B="$dest/b3" SANITIZE="${SANITIZE:-}" PREFIX=/usr HM_CHECK_OWNER=1 install \
    DESTDIR="$d2" >"$dest/make3.log" 2>&1; then
	tap_ok "make install PREFIX=/usr overwrites no file of another Debian package"
else
	tap_fail "make install PREFIX=/usr" "$(grep -A 20 refusing "$dest/make3.log" || tail -n 20 "$dest/make3.log")"
fi
# And the check itself refuses such a path, installing nothing.
printf 'file 755 /bin/true /usr/bin/ss\nfile 755 /bin/true /usr/lib/hostmon/x\n' >"$dest/clash.list"
if DESTDIR=$dest/clash HM_CHECK_OWNER=1 scripts/hm-install.sh install "$dest/clash.list" \
    >"$dest/clash.log" 2>&1; then
	tap_fail "a list naming iproute2's /usr/bin/ss was installed" "$(cat "$dest/clash.log")"
else
	left=$(find "$dest/clash" ! -type d 2>/dev/null)
	tap_check "a list naming /usr/bin/ss is refused (iproute2), nothing installed" \
		eval "grep -q 'usr/bin/ss (package iproute2)' '$dest/clash.log' && [ -z '$left' ]"
fi
if make -s B="$dest/b3" SANITIZE="${SANITIZE:-}" PREFIX=/usr uninstall DESTDIR="$d2" \
    >>"$dest/make3.log" 2>&1 && [ -z "$(find "$d2" ! -type d)" ] &&
    [ -z "$(find "$d2" -mindepth 1 -type d)" ]; then
	tap_ok "make uninstall PREFIX=/usr leaves the DESTDIR empty, folders too"
else
	tap_fail "make uninstall PREFIX=/usr" "$(find "$d2" | head -n 20)"
fi

tap_done
