#!/bin/sh
# run.sh: `make bench` -- run every tests/bench/bench_*.sh in turn, each with
# B (the build folder) in its environment, keep going after a failure, and
# end with one summary line.  A script exits 0 when its targets are met, 77
# when it cannot run here (not root, a tool missing), anything else on a
# miss or a failure.  Usage: B=build tests/bench/run.sh [SCRIPT...]
set -u
here=$(cd "$(dirname "$0")" && pwd) || exit 1
B=${B:-build}
export B

if [ $# -eq 0 ]; then
	set -- "$here"/bench_*.sh
fi
passed=0 failed=0 skipped=0 failures=""
for s in "$@"; do
	[ -f "$s" ] || continue
	echo "== bench: $s"
	bash "$s"
	rc=$?
	case $rc in
	0) passed=$((passed + 1)) ;;
	77) skipped=$((skipped + 1)); echo "SKIPPED: $s" ;;
	*) failed=$((failed + 1)); failures="$failures $s(exit $rc)" ;;
	esac
done
echo "bench: $passed met their targets, $failed did not, $skipped skipped"
[ -n "$failures" ] && echo "bench: failed:$failures"
[ "$failed" -eq 0 ]
