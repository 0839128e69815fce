#!/bin/sh
# debpkg.sh: build hostmon's Debian packages from a copy of the checkout,
# so that nothing lands beside it or in it (dpkg-buildpackage writes its
# .debs into the parent of the tree it builds, debhelper into debian/).
#
# Usage: scripts/debpkg.sh build DIR
#
# The files git knows (committed, changed, or new and not ignored) are
# copied to DIR/hostmon-VERSION; dpkg-buildpackage -us -uc -b runs there;
# the .debs, .buildinfo and .changes are left in DIR, lintian's verdict on
# the .changes in DIR/lintian.txt with its figures (errors, warnings,
# overrides) on the last line of the output.  Exit 1 if the build fails
# or lintian finds an error or a warning.
set -eu

[ $# -eq 2 ] && [ "$1" = build ] || { echo "usage: $0 build DIR" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
out=$2
case $out in /*) ;; *) out=$top/$out ;; esac

for c in dpkg-buildpackage dh lintian fakeroot; do
	command -v "$c" >/dev/null || {
		echo "debpkg: $c missing (scripts/deps.sh package)" >&2
		exit 2
	}
done

ver=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
rm -rf "$out"
mkdir -p "$out"
src=$out/hostmon-$ver
mkdir "$src"
# ORDER: the list first, then the copy, so a build folder inside the
# checkout (DIR itself) is never copied into itself.
(cd "$top" && git ls-files -z -c -o --exclude-standard) |
    (cd "$top" && xargs -0 cp --parents -a -t "$src" --) 2>/dev/null ||
	{ echo "debpkg: cannot copy the checkout" >&2; exit 1; }

echo "debpkg: dpkg-buildpackage -us -uc -b in $src"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log" >&2
	echo "debpkg: dpkg-buildpackage failed ($out/build.log)" >&2
	exit 1
fi
rm -rf "$src"
ls "$out"/*.deb

changes=$(ls "$out"/*.changes)
lintian --no-cfg --display-info --show-overrides "$changes" >"$out/lintian.txt" 2>&1 || true
e=$(grep -c '^E: ' "$out/lintian.txt" || true)
w=$(grep -c '^W: ' "$out/lintian.txt" || true)
o=$(grep -c '^O: ' "$out/lintian.txt" || true)
grep -E '^(E|W): ' "$out/lintian.txt" || true
echo "debpkg: lintian: $e errors, $w warnings, $o overridden ($out/lintian.txt)"
[ "$e" -eq 0 ] && [ "$w" -eq 0 ]
