# shellcheck shell=bash
# tap.sh: TAP output for hostmon's scenario scripts (tests/run.sh counts it).
#
#	tap_ok DESC			ok N - DESC
#	tap_fail DESC [DIAG...]		not ok N - DESC, then each DIAG as "# DIAG"
#	tap_check DESC CMD...		run CMD in this shell (its side effects stay);
#					ok if it exits 0, else not ok with its output
#	tap_skip DESC REASON		ok N - DESC # SKIP REASON
#	tap_diag MSG...			# MSG (a comment; shown, never counted)
#	tap_done			print the plan "1..N" and exit: 0 if nothing
#					failed, 1 otherwise
#
# The plan comes last, so a script that dies early has no plan and
# tests/run.sh counts it as failed by its exit status.

TAP_N=0
TAP_FAILED=0

tap_diag() {
	local line
	printf '%s\n' "$*" | while IFS= read -r line; do
		echo "# $line"
	done
}

tap_ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1"
}

tap_fail() {
	local desc=$1
	shift
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $desc"
	[ $# -gt 0 ] && tap_diag "$@"
	return 0
}

tap_skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP ${2:-}"
}

tap_check() {
	local desc=$1 out rc
	shift
	out=$(mktemp "${TMPDIR:-/tmp}/tap.XXXXXX") || {
		tap_fail "$desc" "tap_check: mktemp failed"
		return 1
	}
	"$@" >"$out" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		tap_ok "$desc"
	else
		tap_fail "$desc" "command: $*" "exit status: $rc"
		[ -s "$out" ] && tap_diag "$(tail -n 30 "$out")"
	fi
	rm -f "$out"
	return $rc
}

tap_done() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -gt 0 ] && tap_diag "failed $TAP_FAILED of $TAP_N"
	[ "$TAP_FAILED" -eq 0 ] && exit 0
	exit 1
}
