#!/bin/sh
# hm-install.sh: install or uninstall what a list names (make install,
# make uninstall; the list is written by the Makefile's install-list).
#
# Usage: DESTDIR=... HM_USERS="user ..." scripts/hm-install.sh install|uninstall LIST
#
# Each line of LIST is one of
#	file MODE SOURCE PATH	a file
#	conf MODE SOURCE PATH	a configuration file: an existing one is kept
#				(the new one is left beside it as PATH.hm-new),
#				and uninstall removes it only while it is as
#				shipped
#	link TARGET PATH	a symbolic link, made relative to PATH's folder
#	dir PATH		a folder of hostmon's own, removed when empty
# PATH is where the file is on the running system; DESTDIR is put before it.
#
# Into this system (no DESTDIR, or with HM_CHECK_OWNER=1 set) install
# first checks every PATH against dpkg's database and refuses, installing
# nothing, if a Debian package other than hostmon's own owns one: make
# install never overwrites another package's file.  As root it then makes the daemons' system users
# (HM_USERS, each in the group _hostmon); uninstall leaves them, as Debian
# leaves a purged package's system users.
#
# uninstall removes the files and links the list names (a link only while
# it still points where install made it point), then hostmon's own folders
# once empty; under a DESTDIR also the emptied folders above what it
# removed.  From this system it never removes a folder not hostmon's.
set -eu

[ $# -eq 2 ] || { echo "usage: $0 install|uninstall LIST" >&2; exit 2; }
mode=$1 list=$2
[ -r "$list" ] || { echo "hm-install: cannot read $list" >&2; exit 2; }
D=${DESTDIR:-}

mkdirs() {
	d=$1
	missing=""
	while [ ! -d "$D$d" ] && [ "$d" != / ] && [ "$d" != . ]; do
		missing="$d $missing"
		d=$(dirname "$d")
	done
	for d in $missing; do
		mkdir -m 755 "$D$d"
	done
}

# A package (not ours) that owns PATH, or nothing.  With merged /usr
# (Debian 12) dpkg knows iproute2's ss as /bin/ss, which is /usr/bin/ss:
# both names are asked; and a manual page NAME shadows a package's
# NAME.gz.
owner() {
	set -- "$1"
	case $1 in
	/usr/bin/* | /usr/sbin/* | /usr/lib/* | /usr/lib32/* | /usr/lib64/* | /usr/libx32/*)
		set -- "$1" "${1#/usr}" ;;
	/bin/* | /sbin/* | /lib/* | /lib32/* | /lib64/* | /libx32/*)
		set -- "$1" "/usr$1" ;;
	*/share/man/*) set -- "$1" "$1.gz" ;;
	esac
	for p in "$@"; do
		o=$(dpkg-query -S "$p" 2>/dev/null | awk -F': ' -v p="$p" '
		    $2 == p && $1 !~ /^diversion by/ { print $1 }' | tr ', ' '\n\n' |
		    grep -v -e '^$' -e '^hostmon' -e '^libcsstat' | head -n 1) || true
		[ -n "$o" ] && { echo "$o"; return 0; }
	done
	return 0
}

relative() {	# TARGET relative to folder DIR
	realpath -m --relative-to="$2" "$1"
}

do_install() {
	[ -z "$D" ] || mkdir -p "$D"
	if { [ -z "$D" ] || [ -n "${HM_CHECK_OWNER:-}" ]; } &&
	    command -v dpkg-query >/dev/null; then
		clash=""
		while read -r kind a b c; do
			case $kind in
			file | conf) p=$c ;;
			link) p=$b ;;
			*) continue ;;
			esac
			o=$(owner "$p")
			[ -n "$o" ] && clash="$clash
  $p (package $o)"
			[ -L "$p" ] && [ "$kind" = file ] && o=$(owner "$(readlink -f "$p")") &&
			    [ -n "$o" ] && clash="$clash
  $p -> $(readlink -f "$p") (package $o)"
		done <"$list"
		if [ -n "$clash" ]; then
			echo "hm-install: refusing: these belong to other Debian packages:$clash" >&2
			exit 1
		fi
	fi
	while read -r kind a b c; do
		case $kind in
		file)
			mkdirs "$(dirname "$c")"
			echo "install -m $a $b $D$c"
			install -m "$a" "$b" "$D$c"
			;;
		conf)
			mkdirs "$(dirname "$c")"
			if [ -e "$D$c" ] && ! cmp -s "$b" "$D$c"; then
				echo "keeping $D$c (changed); the shipped one is $D$c.hm-new"
				install -m "$a" "$b" "$D$c.hm-new"
			else
				echo "install -m $a $b $D$c"
				install -m "$a" "$b" "$D$c"
			fi
			;;
		link)
			mkdirs "$(dirname "$b")"
			t=$(relative "$a" "$(dirname "$b")")
			echo "ln -sfn $t $D$b"
			ln -sfn "$t" "$D$b"
			;;
		dir)
			mkdirs "$a"
			;;
		*)
			echo "hm-install: bad line: $kind $a" >&2
			exit 2
			;;
		esac
	done <"$list"
	[ -z "$D" ] && [ "$(id -u)" -eq 0 ] && make_users
	return 0
}

make_users() {
	getent group _hostmon >/dev/null || {
		echo "addgroup --system _hostmon"
		groupadd --system _hostmon
	}
	for u in ${HM_USERS:-}; do
		if ! getent passwd "$u" >/dev/null; then
			echo "adduser --system $u"
			useradd --system --no-create-home --home-dir /nonexistent \
			    --shell /usr/sbin/nologin --user-group "$u"
		fi
		id -nG "$u" | tr ' ' '\n' | grep -qx _hostmon ||
			usermod -a -G _hostmon "$u"
	done
}

do_uninstall() {
	dirs="" parents=""
	while read -r kind a b c; do
		case $kind in
		file)
			[ -e "$D$c" ] || [ -L "$D$c" ] || continue
			echo "rm $D$c"
			rm -f "$D$c"
			parents="$parents $(dirname "$c")"
			;;
		conf)
			if [ -e "$D$c" ] && cmp -s "$b" "$D$c"; then
				echo "rm $D$c"
				rm -f "$D$c"
			elif [ -e "$D$c" ]; then
				echo "keeping $D$c (changed since installed)"
			fi
			if [ -e "$D$c.hm-new" ] && cmp -s "$b" "$D$c.hm-new"; then
				rm -f "$D$c.hm-new"
			fi
			parents="$parents $(dirname "$c")"
			;;
		link)
			[ -L "$D$b" ] || continue
			if [ "$(readlink "$D$b")" = "$(relative "$a" "$(dirname "$b")")" ]; then
				echo "rm $D$b"
				rm -f "$D$b"
				parents="$parents $(dirname "$b")"
			else
				echo "keeping $D$b (points elsewhere now)"
			fi
			;;
		dir) dirs="$dirs $a" ;;
		esac
	done <"$list"
	# Deepest first, those left empty: our own folders and what is in
	# them; under a DESTDIR also every folder above a removed file, up to
	# DESTDIR (a staging tree holds nothing else of ours to keep).
	{
		for d in $dirs; do
			echo "$d"
			[ -d "$D$d" ] && find "$D$d" -mindepth 1 -type d | sed "s|^$D||"
		done
		if [ -n "$D" ]; then
			for d in $parents; do
				while [ "$d" != / ] && [ "$d" != . ]; do
					echo "$d"
					d=$(dirname "$d")
				done
			done
		fi
	} | sort -u | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f 2- |
	    while read -r d; do
		[ -d "$D$d" ] && rmdir "$D$d" 2>/dev/null && echo "rmdir $D$d"
		true
	    done
	return 0
}

case $mode in
install) do_install ;;
uninstall) do_uninstall ;;
*) echo "usage: $0 install|uninstall LIST" >&2; exit 2 ;;
esac
