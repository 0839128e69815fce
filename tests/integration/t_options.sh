#!/usr/bin/env bash
# t_options.sh: the options every program answers alike, and what smsd and
# smsctl say of a missing configuration file or a bad number.
#   --version  "NAME (hostmon) VERSION" on stdout, exit 0, where VERSION is
#              the one set in src/common/module.mk (HM_VERSION);
#   --help     the usage on stdout, exit 0;
#   --bogus    an unknown long option: a message and the usage on stderr,
#              exit non-zero;
#   the page   man/NAME.N shows both in its SYNOPSIS;
#   -h         keeps each program's own meaning (samd's usage on stderr,
#              samdctl's and samlog's on stdout, rpc.statd's bind address).
# Needs no root and no test host: nothing here starts a daemon.
B=${B:-build}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib/tap.sh
. "$here/lib/tap.sh"
top=$(cd "$here/../.." && pwd)
bin=$B/bin
case $bin in /*) ;; *) bin=$top/$bin ;; esac

version=$(sed -n 's/^HM_VERSION[[:space:]]*:=[[:space:]]*//p' \
	"$top/src/common/module.mk")
case $version in
[0-9]*.[0-9]*) tap_ok "src/common/module.mk sets one version ($version)" ;;
*) tap_fail "src/common/module.mk sets one version" "found: '$version'" ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/t_options.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

# run NAME ARGS...: its exit status in $rc, stdout in $work/out, stderr in
# $work/err; never waits more than 10 s (nothing here should block).
run() {
	local prog=$1
	shift
	timeout 10 "$bin/$prog" "$@" </dev/null >"$work/out" 2>"$work/err"
	rc=$?
}

progs="rpc.statd ssd ss samd samsigd samkeep samdctl samlog samrep smsd smsctl"
for p in $progs; do
	if [ ! -x "$bin/$p" ]; then
		tap_fail "$p is built" "no $bin/$p"
		continue
	fi
	run "$p" --version
	want="$p (hostmon) $version"
	if [ "$rc" -eq 0 ] && [ "$(cat "$work/out")" = "$want" ] &&
	    [ ! -s "$work/err" ]; then
		tap_ok "$p --version: '$want', exit 0"
	else
		tap_fail "$p --version: '$want', exit 0" "exit $rc" \
		    "stdout: $(cat "$work/out")" "stderr: $(cat "$work/err")"
	fi

	run "$p" --help
	if [ "$rc" -eq 0 ] && head -n 1 "$work/out" | grep -q "^usage: $p " &&
	    [ ! -s "$work/err" ]; then
		tap_ok "$p --help: the usage on stdout, exit 0"
	else
		tap_fail "$p --help: the usage on stdout, exit 0" "exit $rc" \
		    "stdout: $(cat "$work/out")" "stderr: $(cat "$work/err")"
	fi

	page=$(ls "$top/man/$p".[1-8] 2>/dev/null | head -n 1)
	if [ -n "$page" ] && awk '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/' \
	    "$page" | grep -qx '\.Fl \\-help | \\-version'; then
		tap_ok "$p's page shows --help and --version"
	else
		tap_fail "$p's page shows --help and --version" \
		    "page: ${page:-none}"
	fi

	# The usage --help prints is the one a mistake prints.
	cp "$work/out" "$work/help"
	run "$p" --bogus
	if [ "$rc" -ne 0 ] && [ ! -s "$work/out" ] &&
	    grep -q -- "--bogus" "$work/err" &&
	    grep -Fq -f "$work/help" "$work/err"; then
		tap_ok "$p --bogus: named, the same usage on stderr, exit $rc"
	else
		tap_fail "$p --bogus: named, the same usage on stderr" \
		    "exit $rc" "stdout: $(cat "$work/out")" \
		    "stderr: $(cat "$work/err")"
	fi
done

# An option argument that looks like --version is still an argument:
# samrep reads it as a file name and does not print its version.
run samrep -f --version
if [ "$rc" -ne 0 ] && ! grep -q "(hostmon)" "$work/out"; then
	tap_ok "samrep -f --version: --version is the file's name"
else
	tap_fail "samrep -f --version: --version is the file's name" \
	    "exit $rc" "stdout: $(cat "$work/out")"
fi

# -h keeps each program's meaning.
run samd -h
if [ "$rc" -eq 1 ] && grep -q "^usage: samd " "$work/err"; then
	tap_ok "samd -h: the usage on stderr, exit 1 (as before)"
else
	tap_fail "samd -h: the usage on stderr, exit 1" "exit $rc" \
	    "stderr: $(cat "$work/err")"
fi
for p in samdctl samlog samrep; do
	run "$p" -h
	if [ "$rc" -eq 0 ] && grep -q "^usage: $p " "$work/out"; then
		tap_ok "$p -h: the usage on stdout, exit 0 (as before)"
	else
		tap_fail "$p -h: the usage on stdout, exit 0" "exit $rc" \
		    "stdout: $(cat "$work/out")"
	fi
done
run rpc.statd -h
if [ "$rc" -ne 0 ] && grep -q "requires an argument" "$work/err"; then
	tap_ok "rpc.statd -h still takes a bind address"
else
	tap_fail "rpc.statd -h still takes a bind address" "exit $rc" \
	    "stderr: $(cat "$work/err")"
fi

# smsd -n with no file says so and which defaults apply; a file named with
# -f that is missing is an error, as is a missing one for smsctl -f.
run smsd -n -f "$work/none.conf"
if [ "$rc" -ne 0 ] && grep -q "none.conf" "$work/err"; then
	tap_ok "smsd -n -f MISSING: an error naming the file"
else
	tap_fail "smsd -n -f MISSING: an error naming the file" "exit $rc" \
	    "stderr: $(cat "$work/err")"
fi
if [ -e /etc/sms/smsd.conf ]; then
	tap_skip "smsd -n without /etc/sms/smsd.conf" "the file exists here"
else
	run smsd -n
	if [ "$rc" -eq 0 ] && grep -q "no such file, every default applies" \
	    "$work/err" && grep -q "port 596, listening on 127.0.0.1 ::1" "$work/err" &&
	    ! grep -q "configuration OK" "$work/err"; then
		tap_ok "smsd -n without its file: says so and the defaults"
	else
		tap_fail "smsd -n without its file: says so and the defaults" \
		    "exit $rc" "stderr: $(cat "$work/err")"
	fi
fi
run smsctl -f "$work/none.conf" server
if [ "$rc" -ne 0 ] && grep -q "none.conf: No such file" "$work/err" &&
    grep -q "none.conf: cannot use this configuration" "$work/err"; then
	tap_ok "smsctl -f MISSING: says the file is missing and stops"
else
	tap_fail "smsctl -f MISSING: says the file is missing and stops" \
	    "exit $rc" "stderr: $(cat "$work/err")"
fi
for bad in "-t 0" "-t x" "-p 0" "-p 70000"; do
	# shellcheck disable=SC2086  # the option and its value, split
	run smsctl $bad server
	if [ "$rc" -ne 0 ] && grep -q -- "^smsctl: ${bad% *} ${bad#* }: .*whole number" \
	    "$work/err"; then
		tap_ok "smsctl $bad: says what is wrong"
	else
		tap_fail "smsctl $bad: says what is wrong" "exit $rc" \
		    "stderr: $(cat "$work/err")"
	fi
done

tap_done
