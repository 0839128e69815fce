#!/usr/bin/env bash
# shellcheck disable=SC2016  # tap_check eval strings use the variables
# t_manpages.sh: the manual pages against the programs and each other (issue
# 12), beyond mandoc -Tlint: every program's usage line (--help) and the
# SYNOPSIS of its page name the same options; each page's file is in the
# section its header says, and the SAM pages are in section 8; every .Xr
# to a hostmon page names a page that exists; what an example shows is what
# it renders as.  Needs no root and no test host.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"

top=$(cd "$lib/../../.." && pwd)
B=${B:-build}
case $B in /*) bin=$B/bin ;; *) bin=$top/$B/bin ;; esac
man=${MAN_DIR:-$top/man}	# MAN_DIR: other pages, to test this test
command -v mandoc >/dev/null || { echo "Bail out! mandoc missing"; exit 1; }

# Option letters (one per line) and long options of a SYNOPSIS: each Fl's
# argument, a cluster of letters or \-long.  --help and --version, which
# every program takes (t_options.sh), are left out on both sides.
synopsis_opts() {
	awk '/^\.Sh SYNOPSIS/ { s = 1; next } /^\.Sh / { s = 0 } s' "$1" |
	    grep -oE 'Fl [^ ]+' | sed -e 's/^Fl //' -e 's/\\-/-/g' |
	    while read -r f; do
		case $f in
		-) ;;				# the end of options
		-*) echo "-$f" ;;		# a long option
		*) grep -o . <<<"$f" ;;
		esac
	    done | grep -vxE -e '--help' -e '--version' | sort -u
}

# The same of a usage text: -x clusters and --long words in its usage lines
# (the first line and those indented under it), not its other notes.
usage_opts() {
	awk 'NR == 1 || /^ / { print } NR > 1 && !/^ / { exit }' |
	    grep -oE '(^|[[ |])--?[A-Za-z][A-Za-z-]*' | sed 's/^[[ |]//' |
	    while read -r f; do
		case $f in
		--*) echo "$f" ;;
		*) grep -o . <<<"${f#-}" ;;
		esac
	    done | grep -vxE -e '--help' -e '--version' | sort -u
}

# usage_matches PROGRAM PAGE: the same options on both sides.
usage_matches() {
	local u p
	u=$("$bin/$1" --help 2>&1 | usage_opts) || true
	p=$(synopsis_opts "$man/$2")
	[ -n "$u" ] || { echo "$1 --help printed no options"; return 1; }
	[ "$u" = "$p" ] && return 0
	echo "$1 --help vs $2's SYNOPSIS:"
	diff <(echo "$u") <(echo "$p")
	return 1
}

for pair in ssd:ssd.8 ss:ss.1 samd:samd.8 samsigd:samsigd.8 samkeep:samkeep.8 \
    samlog:samlog.8 samrep:samrep.8 samdctl:samdctl.8 smsd:smsd.8 smsctl:smsctl.1; do
	prog=${pair%%:*} page=${pair#*:}
	if [ -x "$bin/$prog" ]; then
		tap_check "$prog: its usage and $page's SYNOPSIS name the same options" \
		    usage_matches "$prog" "$page"
	else
		tap_fail "$prog built in $B"
	fi
done

sections_ok() {
	local f dt bad=0
	for f in "$man"/*.[0-9]*; do
		dt=$(sed -n 's/^\.Dt [^ ]* \([^ ]*\).*/\1/p' "$f")
		[ "${f##*.}" = "$dt" ] || { echo "$f: header says section $dt"; bad=1; }
	done
	return $bad
}
tap_check "every page's file is in the section its header says" sections_ok

sam_in_8() {
	local p bad=0
	for p in samd samsigd samkeep samlog samrep samdctl; do
		[ -f "$man/$p.8" ] || { echo "no man/$p.8"; bad=1; }
	done
	! ls "$man"/*.1m 2>/dev/null || bad=1
	# And the makefile installs those files.
	for p in samd samsigd samkeep samlog samrep samdctl; do
		grep -q "man/$p\.8" "$top/src/samd/module.mk" || { echo "module.mk lacks man/$p.8"; bad=1; }
	done
	return $bad
}
tap_check "the SAM pages are section 8 files, installed as such" sam_in_8

xrefs_ok() {
	local f name sec bad=0
	for f in "$man"/*.[0-9]*; do
		while read -r name sec; do
			case $name in
			rpc.statd | ssd | ss | csstat | sam* | smsd | smsd.conf | smsctl) ;;
			*) continue ;;
			esac
			[ -f "$man/$name.$sec" ] || { echo "${f##*/}: .Xr $name $sec: no such page"; bad=1; }
		done < <(sed -n 's/^\.Xr \([^ ]*\) \([0-9][^ ]*\).*/\1 \2/p' "$f")
	done
	return $bad
}
tap_check "every .Xr to a hostmon page names one that exists" xrefs_ok

# `ss . >/dev/null 2>&1': mdoc takes a lone "." as punctuation ("ss.").
renders_dot() {
	local f
	for f in ss.1 ssd.8; do
		mandoc -Tascii "$man/$f" | grep -qF 'ss . >/dev/null 2>&1' ||
			{ echo "$f renders: $(mandoc -Tascii "$man/$f" | grep -F '/dev/null 2>&1')"; return 1; }
	done
}
tap_check "ss.1 and ssd.8 show ss . >/dev/null 2>&1 as written" renders_dot

tap_done
