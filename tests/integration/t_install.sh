#!/usr/bin/env bash
# t_install.sh: make install into a scratch DESTDIR puts every program,
# manual page, init script (pointed at the installed programs) and the
# csstat library in place, and a program builds and runs against the
# installed library through its pkg-config file.  A build for another
# PREFIX (in a build folder of its own) carries that prefix.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib/tap.sh

B=${B:-build}
dest=$(mktemp -d "${TMPDIR:-/tmp}/hminstall.XXXXXX") || exit 1
trap 'rm -rf "$dest"' EXIT
sbin=/usr/local/sbin

# The default PREFIX, from the build the other tests use: nothing in it is
# rebuilt (SANITIZE as it was built, or the objects would be mixed).
if make -s B="$B" SANITIZE="${SANITIZE:-}" install DESTDIR="$dest" \
    >"$dest/make.log" 2>&1; then
	tap_ok "make install DESTDIR"
else
	tap_fail "make install" "$(tail -n 20 "$dest/make.log")"
fi

missing=""
for f in sbin/rpc.statd sbin/ssd sbin/samd sbin/samsigd sbin/samkeep \
    sbin/samdctl sbin/smsd bin/ss bin/samlog bin/samrep bin/smsctl \
    include/csstat.h lib/libcsstat.a lib/pkgconfig/csstat.pc \
    share/man/man8/rpc.statd.8 share/man/man8/ssd.8 share/man/man1/ss.1 \
    share/man/man3/csstat.3 share/man/man8/samd.8 share/man/man8/samrep.8 share/man/man8/smsd.8; do
	[ -e "$dest/usr/local/$f" ] || missing="$missing $f"
done
for f in var/avail/sam/samd etc/corosync/uidgid.d/smsd; do
	[ -e "$dest/$f" ] || missing="$missing /$f"
done
[ -z "$missing" ] && tap_ok "programs, library, header and manual pages installed" ||
	tap_fail "installed files" "missing:$missing"

bad=""
for s in statd ssd samd smsd; do
	f=$dest/etc/init.d/$s
	p=$(sed -n 's/^DAEMON=\${[A-Z_]*:-\(.*\)}$/\1/p; s/^SAMKEEP=\${[A-Z_]*:-\(.*\)}$/\1/p' \
	    "$f" 2>/dev/null | head -n 1)
	case $p in
	"$sbin"/*) [ -x "$f" ] && [ -x "$dest$p" ] || bad="$bad $s:$p" ;;
	*) bad="$bad $s:$p" ;;
	esac
done
[ -z "$bad" ] && tap_ok "each init script is installed and names a program installed in $sbin" ||
	tap_fail "init scripts" "$bad"

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
export PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_LIBDIR=$dest/usr/local/lib/pkgconfig
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
out=$(LD_LIBRARY_PATH=$dest/usr/local/lib "$dest/prog" 2>&1)
[ "$out" = "3600 2" ] && tap_ok "and runs: 3601 s up reads back as 3600, 2 users" ||
	tap_fail "run against libcsstat" "got '$out'"

# PREFIX=/usr in a build folder of its own: the pkg-config file and the
# library's default status directory follow it.
b=$dest/b
if make -s B="$b" PREFIX=/usr "$b/csstat.pc" "$b/libcsstat.a" >"$dest/make2.log" 2>&1 &&
    grep -qx 'prefix=/usr' "$b/csstat.pc" && grep -qx 'libdir=/usr/lib' "$b/csstat.pc" &&
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

tap_done
