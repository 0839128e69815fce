#!/bin/sh
# run.sh UNIT_BINARY... -- INTEGRATION_SCRIPT...
#
# Runs the Check suites and the scenario scripts, keeps their output, and
# ends with one summary line: "check: N passed, N failed, N skipped".
# Check binaries are counted by their own "Checks:" line; scenario scripts
# speak TAP ("ok N - what", "not ok N - what", "ok N - what # SKIP why").
# Scenario scripts need root: as another user each is counted as skipped,
# and the summary says so loudly.
set -u

passed=0 failed=0 skipped=0
failures=""
log=$(mktemp "${TMPDIR:-/tmp}/hmcheck.XXXXXX") || exit 1
trap 'rm -f "$log"' EXIT

note_failure() { failures="$failures
  $1"; }

while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	t=$1; shift
	echo "== unit: $t"
	timeout --kill-after=10 "${UNIT_TIMEOUT:-300}" "$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	line=$(grep -E '^[0-9]+%: Checks: [0-9]+' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		failed=$((failed + 1))
		note_failure "$t: no Check summary (exit $rc)"
		continue
	fi
	n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
	f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
	e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
	passed=$((passed + n - f - e))
	failed=$((failed + f + e))
	if [ $((f + e)) -gt 0 ] || [ $rc -ne 0 ]; then
		note_failure "$t: $f failures, $e errors (exit $rc)"
		[ $((f + e)) -eq 0 ] && failed=$((failed + 1))
	fi
done
[ $# -gt 0 ] && shift

not_root=0
for s in "$@"; do
	echo "== integration: $s"
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIPPED: $s needs root (network namespaces)"
		skipped=$((skipped + 1))
		not_root=1
		continue
	fi
	# bash, whatever the file's mode: every scenario is a bash script.
	timeout --kill-after=20 "${INTEG_TIMEOUT:-900}" bash "$s" >"$log" 2>&1
	rc=$?
	cat "$log"
	ok=$(grep -cE '^ok [0-9]+' "$log")
	sk=$(grep -cE '^ok [0-9]+.*# SKIP' "$log")
	nok=$(grep -cE '^not ok [0-9]+' "$log")
	passed=$((passed + ok - sk))
	skipped=$((skipped + sk))
	failed=$((failed + nok))
	if [ "$nok" -gt 0 ]; then
		note_failure "$s: $(grep -E '^not ok' "$log" | head -n 5)"
	elif [ $rc -ne 0 ] || [ "$ok" -eq 0 ]; then
		failed=$((failed + 1))
		note_failure "$s: exit $rc after $ok results"
	fi
done

echo
if [ -n "$failures" ]; then
	echo "FAILED:$failures"
fi
if [ $not_root -eq 1 ]; then
	echo "********************************************************"
	echo "* SKIPPED every integration test: they need root.       *"
	echo "* Run make check as root to run them (CI does).         *"
	echo "********************************************************"
fi
echo "check: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
