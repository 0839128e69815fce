#!/bin/bash
# fresh-root.sh: run the README's commands as a new user would, in a fresh
# minimal Debian 12 root, with the checkout under /root.
#
# Usage (as root, from anywhere in the checkout):
#	scripts/fresh-root.sh [-k] [COMMAND...]
# Default COMMANDs: "make demo" then "make check"; each runs in turn with
# bash -lc in /root/hostmon inside the root, and the first to fail ends the
# run with its status.  -k keeps the root afterwards and prints its path.
#
# The root is made by mmdebstrap --variant=apt (Debian's essential packages
# and apt, plus git, make and ca-certificates, which a user needs to fetch
# the checkout and type make), from the archive this machine's apt uses.
# Only that untouched tarball is cached, in $HM_FRESH_CACHE (default
# ~/.cache/hostmon-fresh); every run unpacks a new copy, so nothing a
# previous run installed is ever seen.  The committed HEAD is cloned into it,
# as CI sees the change.  The root is a mount point of its own, as / is on a
# machine, and /proc, /sys, /dev and /dev/pts are bound; at the
# end, also on failure or a signal, the processes left inside the root are
# stopped (by PID, those whose root is this one), the binds undone and the
# root removed.
set -u
keep=0
[ "${1:-}" = -k ] && { keep=1; shift; }
[ $# -gt 0 ] || set -- "make demo" "make check"
[ "$(id -u)" -eq 0 ] || { echo "fresh-root: run as root" >&2; exit 2; }
top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel) || exit 2

say() { printf '== fresh-root: %s\n' "$*" >&2; }

cache=${HM_FRESH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hostmon-fresh}
img=$cache/bookworm.tar
if [ ! -s "$img" ]; then
	command -v mmdebstrap >/dev/null ||
		apt-get install -y -q --no-install-recommends mmdebstrap >&2 ||
		{ apt-get update -q >&2 && apt-get install -y -q --no-install-recommends mmdebstrap >&2; } ||
		{ echo "fresh-root: cannot install mmdebstrap" >&2; exit 2; }
	mkdir -p "$cache" || exit 2
	s=$(date +%s)
	# mmdebstrap picks the format from the name: keep ".tar" at its end.
	if ! mmdebstrap --variant=apt --include=git,ca-certificates,make \
	    bookworm "$cache/new.tar" >&2; then
		rm -f "$cache/new.tar"
		echo "fresh-root: mmdebstrap failed" >&2
		exit 2
	fi
	mv "$cache/new.tar" "$img" || exit 2
	say "mmdebstrap made $img in $(($(date +%s) - s)) s"
fi

r=$(mktemp -d "${TMPDIR:-/tmp}/fresh-root.XXXXXX") || exit 2
mounted=()
cleanup() {
	local p n
	# ORDER: processes first (they hold the binds), then the binds, then
	# the files.
	for n in 1 2; do
		for p in /proc/[0-9]*; do
			[ "$(readlink "$p/root" 2>/dev/null)" = "$r" ] || continue
			kill -s "$([ $n = 1 ] && echo TERM || echo KILL)" "${p#/proc/}" 2>/dev/null
		done
		[ $n = 1 ] && sleep 1
	done
	for ((n = ${#mounted[@]} - 1; n >= 0; n--)); do
		umount -l "${mounted[n]}" 2>/dev/null
	done
	if [ $keep = 1 ]; then
		echo "fresh-root: kept $r" >&2
	else
		rm -rf --one-file-system "$r"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

s=$(date +%s)
tar -C "$r" -xf "$img" || { echo "fresh-root: cannot unpack $img" >&2; exit 2; }
# The archive is reached as this machine reaches it.
cp /etc/resolv.conf "$r/etc/resolv.conf" 2>/dev/null
# ORDER: the root is made a mount point of its own (private, so nothing
# mounted in it shows elsewhere) before the binds inside it.  On a real
# machine / is a mount point; in a bare chroot it is not, and unshare
# --propagation and ip netns exec, which the test hosts use, fail there.
mount --bind "$r" "$r" || exit 2
mounted+=("$r")
mount --make-private "$r" || exit 2
for m in proc sys dev dev/pts; do
	mount --bind "/$m" "$r/$m" || exit 2
	mounted+=("$r/$m")
done
git clone -q "$top" "$r/root/hostmon" || exit 2
say "root unpacked and checkout cloned in $(($(date +%s) - s)) s"

for c in "$@"; do
	say "$c"
	s=$(date +%s)
	chroot "$r" /bin/bash -lc "cd /root/hostmon && $c"
	rc=$?
	say "'$c' exit $rc after $(($(date +%s) - s)) s"
	[ $rc -eq 0 ] || exit $rc
done
exit 0
