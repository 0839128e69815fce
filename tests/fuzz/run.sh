#!/bin/sh
# run.sh TARGET...: run each libFuzzer target for FUZZ_TIME seconds (default
# 60), one after another, on one core.  Seeds: the committed corpus and
# crash inputs of the target (tests/fuzz/PART/corpus/NAME, regress/NAME);
# what it learns goes to $FUZZ_B/corpus/TARGET, crash inputs to
# $FUZZ_B/crashes/TARGET-*, its output to $FUZZ_B/logs/TARGET.log.  Exits 1
# if any target crashed (after running them all), naming each.
set -u

FUZZ_B=${FUZZ_B:-build-fuzz}
FUZZ_TIME=${FUZZ_TIME:-60}
failed=""
mkdir -p "$FUZZ_B/corpus" "$FUZZ_B/crashes" "$FUZZ_B/logs"
for bin in "$@"; do
	t=${bin##*/}			# fuzz_PART_NAME
	rest=${t#fuzz_}
	part=${rest%%_*}
	name=${rest#*_}
	seeds=""
	for d in "tests/fuzz/$part/corpus/$name" "tests/fuzz/$part/regress/$name"; do
		[ -d "$d" ] && seeds="$seeds $d"
	done
	mkdir -p "$FUZZ_B/corpus/$t"
	log="$FUZZ_B/logs/$t.log"
	echo "fuzz: $t for ${FUZZ_TIME}s (log $log)"
	# shellcheck disable=SC2086  # seeds: a list of folders
	"$bin" -max_total_time="$FUZZ_TIME" -timeout=25 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$FUZZ_B/crashes/$t-" \
	    "$FUZZ_B/corpus/$t" $seeds >"$log" 2>&1
	rc=$?
	# The final lines: executions, speed, coverage.
	sed -n 's/^\(#[0-9]*\).*DONE *\(cov: [0-9]*\).*\(ft: [0-9]*\).*\(exec\/s: [0-9]*\).*/  \1 \2 \3 \4/p' "$log" | tail -n 1
	grep '^stat::number_of_executed_units' "$log" | sed 's/^/  /'
	if [ "$rc" -ne 0 ]; then
		echo "fuzz: $t FOUND A CRASH (exit $rc); see $log and $FUZZ_B/crashes/$t-*"
		failed="$failed $t"
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz-run: crashes in:$failed"
	exit 1
fi
echo "fuzz-run: $# targets, no crash"
