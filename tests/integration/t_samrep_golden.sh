#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2034  # tap_check eval strings use the variables
# t_samrep_golden.sh: samrep's printed reports compared with outputs written
# by hand from samrep(8) and issue 5, on a hand-written event log
# (tests/golden/samrep/eventlog, the log's real format: version line,
# ".:."-separated records, a tab and the CRC-32C of each).  Needs no root
# and no test host: samrep only reads the log.  Time zone UTC; "now" is
# frozen with libfaketime at 2026-01-02 03:04:05 (1767323045).
#
# The log (T0 = 2026-01-01 00:00:00 UTC = 1767225600), by line:
#   1  SAMLOG.:.1
#   2  ev 1  00:00     NODE.n1      UP
#   3  ev 2  00:00     CLUS.cluster UP
#   4  ev 3  00:00     APPL.samd    UP
#   5  ev 4  01:00     NODE.n2      UP
#   6  ev 5  02:00     NODE.n1      DOWN UNPLANNED  (logged 02:00:40)
#   7  ev 6  02:30     NODE.n1      UP
#   8  ev 7  03:00     APPL.samd    DOWN UNPLANNED  (logged 03:00:45)
#   9  ev 8  03:00:45  APPL.samd    UP
#  10  ev 9  04:00     TIME.clock   CHANGE
#  11  ev 10 05:00     NODE.n1      DOWN UNPLANNED, made PLANNED by line 19
#  12  ev 11 05:10     NODE.n1      DOWN UNPLANNED  (a DOWN while down)
#  13  ev 12 06:00     NODE.n1      UP
#  14  ev 13 07:00     NODE.n2      DOWN PLANNED
#  15  ev 14 08:00     NODE.n2      GONE
#  16  ev 15 09:00     NODE.n1      DOWN  -- checksum damaged: skipped
#  17  ev 16 10:00     CLUS.cluster DOWN UNPLANNED  (never comes back)
#  18  ev 17 01:30     TIME.clock   CHANGE (logged late, at 10:30)
#  19  M ev 10: planned PLANNED, user admin, msg "kernel update" (mask pum)
#  20  ev 18 11:30     DISK.sda -- good checksum, unknown type: skipped
#  21  ev 19 13:00     NODE.n1      DOWN UNPLANNED  (never comes back)
# 17 events parse (ids 1-14, 16, 17, 19); first 1 (00:00), last 19 (13:00).
#
# Hand computations (a DOWN starts an interval, the next UP or GONE ends it,
# a second DOWN while down does not count; open intervals end at the end;
# an object's period runs from its first event or -b to the end or GONE;
# UP% = (period - down) / period, -k PLANNED leaves planned time out of
# down; downs and down time count only inside the period):
#
# A. -b 2026-01-01 -e "2026-01-01 12:00:00": period 43200 s (12h00m).
#   NODE.n1: 02:00-02:30 unplanned 1800 (30m00s); 05:00-06:00 planned
#     3600 (1h00m; 05:10 ignored); 13:00 after the end.  downs 2, last
#     05:00, UP.  UP% 100*(43200-5400)/43200 = 87.500; -k PLANNED
#     100*(43200-1800)/43200 = 95.8333 -> 95.833.
#   CLUS.cluster: 10:00-12:00 unplanned 7200 (2h00m), still DOWN.
#     downs 1, UP% 100*36000/43200 = 83.333 (both -k).
#   APPL.samd: 03:00-03:00:45 unplanned 45 s.  downs 1, UP%
#     100*43155/43200 = 99.8958 -> 99.896 (both -k).
#   NODE.n2: period 01:00-08:00 (GONE) = 25200; 07:00-08:00 planned 3600.
#     downs 1, GONE, UP% 100*21600/25200 = 85.714; -k PLANNED 100.000.
#   TIME.clock: changes 01:30 and 04:00: 2, last 04:00; no UP%, no state;
#     its period (-q OBJECTS) runs from its first event: 01:30-12:00 = 37800.
#   FAILURES NODE.n1: ev 5 02:00 for 30m00s UNPLANNED "node crash"; ev 10
#     05:00 for 1h00m (to the UP at 06:00) PLANNED "kernel update"; with
#     -k PLANNED only ev 5.  FAILURES CLUS.cluster: ev 16 10:00 "still".
#   EVENTS NODE.n1: ev 1, 5, 6, 10 (PLANNED, user admin, new msg), 11, 12.
#   -q EVENTS -t TIME: ev 17 (01:30, logtime 1767263400) before ev 9.
# B. no argument at all (SAM_ROOT's eventlog, first event to now):
#   period 1767323045-1767225600 = 97445 s (1d03h).
#   NODE.n1: unplanned 1800 + (13:00 to now) 50645 = 52445 (14h34m),
#     planned 3600, downs 3, last 13:00, DOWN; UP% 100*(97445-56045)/97445
#     = 42.4855 -> 42.486.
#   CLUS.cluster: 10:00 to now = 61445 (17h04m); UP% 100*36000/97445 =
#     36.9439 -> 36.944.  APPL.samd: 100*97400/97445 = 99.9538 -> 99.954.
#   NODE.n2 and TIME.clock as in A.
# C. -q OBJECTS -b "2026-01-01 02:15" -e LAST -k PLANNED: begin 1767233700,
#   end = last event 13:00 = 1767272400, period 38700.
#   NODE.n1: 02:15-02:30 unplanned 900; 05:00-06:00 planned 3600; DOWN at
#     13:00 = end counts (0 s); downs 2 (02:00 is before -b), last
#     1767272400, DOWN; UP% 100*(38700-900)/38700 = 97.674.
#   CLUS.cluster: 10:00-13:00 = 10800; 100*27900/38700 = 72.093.
#   APPL.samd: 45; 100*38655/38700 = 99.884.
#   NODE.n2: 02:15-08:00 = 20700, planned 3600: 100.000 with -k PLANNED.
#   TIME.clock: only the 04:00 change is inside: downs 1, last 04:00.
# D. -q EVENTS -b "2026-01-01 03:00" -e "2026-01-01 05:00": ev 7, 8, 9, 10
#   (the end is inclusive), all types, ev 10 as changed by line 19.
# E. -q OBJECTS -e 2025-12-31 (before the first event, no -b): begin = end
#   = 1767139200 and no object.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"

top=$(cd "$lib/../../.." && pwd)
B=${B:-build}
case $B in /*) bin=$B/bin ;; *) bin=$top/$B/bin ;; esac
golden=$top/tests/golden/samrep
NOW='2026-01-02 03:04:05'
[ -x "$bin/samrep" ] || { echo "Bail out! $bin/samrep not built"; exit 1; }
command -v faketime >/dev/null ||
	{ echo "Bail out! faketime (Debian package faketime) not installed"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/samrep_golden.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
cp "$golden/eventlog" "$work/eventlog"
head -n 15 "$golden/eventlog" >"$work/clean"	# undamaged, for the errors
cd "$work" || exit 1

# "samrep" by name, so getopt's messages say samrep, not the build path.
PATH=$bin:$PATH
export TZ=UTC LC_ALL=C SAM_ROOT=$work
# libfaketime is preloaded; a sanitized samrep would want ASan first.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
node=$(uname -n)

at_now() { faketime -f "$NOW" samrep "$@"; }
# The node name and this run's folder are the only things not fixed.
tidy() { sed -e "1s/^SAM availability report, node .*/SAM availability report, node @NODE@/" \
	-e "s|$work/||g" "$1"; }

# golden NAME DESC ARGS...: samrep ARGS at NOW prints NAME.out and warns
# about the two damaged lines (damaged.err), exit 0.
golden() {
	local name=$1 desc=$2 rc d
	shift 2
	at_now "$@" >"$name.raw" 2>"$name.err"
	rc=$?
	tidy "$name.raw" >"$name.got"
	d=$(diff -u "$golden/$name.out" "$name.got"; tidy "$name.err" |
		diff -u "$golden/damaged.err" -)
	if [ $rc -eq 0 ] && [ -z "$d" ]; then
		tap_ok "$desc"
	else
		tap_fail "$desc" "samrep $*: exit $rc" "$d"
	fi
}

# transcript LABEL ARGS...: the command, its output, its stderr and status.
transcript() {
	local rc
	printf '$ %ssamrep %s\n' "$1" "${*:2}"
	at_now "${@:2}" >out 2>err
	rc=$?
	cat out
	sed 's/^/stderr: /' err
	echo "exit: $rc"
}

check_transcript() {	# NAME DESC: the transcript in NAME.got is NAME.out
	local d
	if d=$(diff -u "$golden/$1.out" "$1.got"); then
		tap_ok "$2"
	else
		tap_fail "$2" "$d"
	fi
}

# --- reports -------------------------------------------------------------
golden summary "SUMMARY without -r over 12 hours (-b date, -e date time)" \
	-f eventlog -b 2026-01-01 -e '2026-01-01 12:00:00'
tap_check "the header names this node" \
	eval '[ "$(head -n 1 summary.raw)" = "SAM availability report, node $node" ]'
golden summary-planned "-r SUMMARY -k PLANNED counts planned down time as up" \
	-r SUMMARY -k PLANNED -f eventlog -b 2026-01-01 -e '2026-01-01 12:00:00'
golden summary-now "no argument: SAM_ROOT's log from its first event to now"
golden failures-n1 "-r FAILURES: DOWN FOR to the next UP, a second DOWN not listed" \
	-r FAILURES -t NODE -n n1 -f eventlog -b @1767225600 -e 20260101120000
golden failures-n1-planned "-r FAILURES -k PLANNED lists only unplanned outages" \
	-r FAILURES -t NODE -n n1 -k PLANNED -f eventlog -b @1767225600 -e 20260101120000
golden failures-cluster "-r FAILURES: an outage still open is \"still\"" \
	-r FAILURES -t CLUS -n cluster -f eventlog -b 1767225600 -e 1767268800
golden events-n1 "-r EVENTS: every event of the object, changes applied" \
	-r EVENTS -t NODE -n n1 -f eventlog -b 2026-01-01T00:00 -e 2026-01-01T12:00:00
golden q-events-n2 "-q EVENTS -t -n: keyword=value records" \
	-q EVENTS -t NODE -n n2 -f eventlog -b 2026-01-01 -e '2026-01-01 12:00'
golden q-events-time "-q EVENTS -t TIME: in time order, not log order" \
	-q EVENTS -t TIME -f eventlog -b 2026-01-01 -e '2026-01-01 12:00'
golden q-events-window "-q EVENTS of all objects in a window, end inclusive" \
	-q EVENTS -f eventlog -b '2026-01-01 03:00' -e '2026-01-01 05:00'
golden q-objects "-q OBJECTS over 12 hours" \
	-q OBJECTS -f eventlog -b 2026-01-01 -e '2026-01-01 12:00:00'
golden q-objects-clipped "-q OBJECTS -b inside an outage, -e LAST, -k PLANNED" \
	-q OBJECTS -f eventlog -b '2026-01-01 02:15' -e LAST -k PLANNED
golden q-objects-empty "-e before the first event without -b: an empty period" \
	-q OBJECTS -f eventlog -e 2025-12-31

# A torn last line is reported and ignored: the same sums as A.
cp eventlog torn
printf 'E.:.20.:.1767276000.:.NODE.:.n1.:.UP' >>torn
at_now -f torn -b 2026-01-01 -e '2026-01-01 12:00:00' >torn.out 2>torn.err
torn_rc=$?
tap_check "a torn last line: exit 0, the same table" \
	eval '[ $torn_rc -eq 0 ] && diff -u <(sed 1,9d "$golden/summary.out") <(sed 1,9d torn.out)'
tap_check "a torn last line is reported with its size" \
	grep -qxF 'samrep: torn: the last 36 bytes are a torn line, ignored (the next writer cuts them off)' torn.err
tap_check "samrep, a reader, leaves both logs as they were" \
	eval 'cmp "$golden/eventlog" eventlog && [ "$(tail -c 36 torn)" = "E.:.20.:.1767276000.:.NODE.:.n1.:.UP" ]'

# A log holding a change but no event (its events lost, or never written):
# the change is named by its line and set aside, the report is empty, exit
# 0.  A sanitized samrep once stopped here (bsearch in an empty table).
printf 'SAMLOG.:.1\nM.:.7.:.0.:..:..:.UP.:.PLANNED.:.100.:..:..:.p\n' >onlychange
at_now -q OBJECTS -f onlychange -e @1767229200 >onlychange.out 2>onlychange.err
onlychange_rc=$?
tap_check "a change without events: exit 0, no object" \
	eval '[ $onlychange_rc -eq 0 ] && grep -qx "end=1767229200" onlychange.out &&
	    ! grep -q "^type=" onlychange.out'
tap_check "a change without events is named by its line, and counted" \
	eval 'grep -qxF "samrep: onlychange: line 2: a change of event 7, which is not in the log, ignored" onlychange.err &&
	    grep -qxF "samrep: onlychange: 1 changes name no event, ignored" onlychange.err'

# --- -c: conversions -----------------------------------------------------
{
	for t in 1767225600 @1767225600 20260101000000 2026-01-01 \
	    '2026-01-01 00:00' 2026-01-01T00:00:00 '2028-02-29 23:59:59' now; do
		transcript "TZ=UTC " -c "$t"
	done
	for t in '2026-01-01 05:30:00' 1767225600 20260101053000; do
		TZ=IST-5:30 transcript "TZ=IST-5:30 " -c "$t"
	done
} >convert.got
check_transcript convert "-c converts between SAM's time formats, in UTC and UTC+5:30"

# --- errors: exit 1, a message, nothing on stdout ------------------------
{
	transcript "" -f clean -r SUMMARY -q EVENTS
	transcript "" -f clean -q OBJECTS -c now
	transcript "" -c now -r EVENTS
	transcript "" -f clean -r SUMMARY -r SUMMARY
	transcript "" -f clean -r WEEKLY
	transcript "" -f clean -q ALL
	transcript "" -f clean -r EVENTS -t DISK -n sda
	transcript "" -f clean -q OBJECTS -t DISK
	transcript "" -f clean -r FAILURES -t NODE
	transcript "" -f clean -r EVENTS -n n1
	transcript "" -f clean -q EVENTS -n n1
	transcript "" -f clean -k SOMETIMES
	transcript "" -f clean -b yesterday
	transcript "" -f clean -e 2026-02-30
	transcript "" -f clean -e '2026-01-01 24:00'
	transcript "" -f clean -e 2026-01-01T12
	transcript "" -f clean -b 2026-01-01T12:00 -e 2026-01-01T06:00
	transcript "" -c yesterday
	transcript "" -c 2026-02-29
	transcript "" -c 1969-12-31
	transcript "" -c now -f clean
	transcript "" -c now -k PLANNED
	transcript "" -f missing
	transcript "" -f missing -b yesterday
} >errors.got
check_transcript errors "bad options, times, types and files: exit 1 with a message"

# Usage: -h on stdout with exit 0; a bad option or an operand, stderr and 1.
tap_check "-h prints every form of the usage and exits 0" \
	eval 'samrep -h >out 2>err && [ ! -s err ] && head -n 1 out | grep -q "^usage: samrep " &&
	    grep -q "samrep \[-j\] -r FAILURES|EVENTS -t objtype -n objname" out &&
	    grep -q "samrep -q EVENTS|OBJECTS" out && grep -q "samrep -c time$" out &&
	    grep -q "samrep -h$" out'
tap_check "an unknown option: usage on stderr, exit 1" \
	eval 'samrep -f clean -x >out 2>err; [ $? -eq 1 ] && [ ! -s out ] && grep -q "^usage: samrep " err'
tap_check "an operand: usage on stderr, exit 1" \
	eval 'samrep -f clean SUMMARY >out 2>err; [ $? -eq 1 ] && [ ! -s out ] && grep -q "^usage: samrep " err'

# An object that never went down: -q OBJECTS leaves last_down empty, as
# SUMMARY shows "-".  The log is written by samlog into a root of its own.
mkdir -p up/.state
never_down() {
	SAM_ROOT=$work/up "$bin/samlog" -t NODE -n n9 -s UP -w @1767225600 NULL >/dev/null &&
	SAM_ROOT=$work/up at_now -q OBJECTS -e @1767229200 >upq &&
	grep -qx 'last_down=' upq && grep -qx 'downs=0' upq && grep -qx 'uptime=100.000' upq &&
	SAM_ROOT=$work/up at_now -e @1767229200 | grep -qE '^NODE\.n9 +0 +- '
}
tap_check "-q OBJECTS: an empty last_down for an object never down (SUMMARY: -)" never_down

# -j: the reports of A as JSON, checked with jq against the same hand
# computations (times as seconds, durations in seconds, null for "-").
command -v jq >/dev/null || { echo "Bail out! jq missing"; exit 1; }
A=(-b 2026-01-01 -e "2026-01-01 12:00:00")
# jrep FILTER ARGS...: samrep ARGS at NOW exits 0 and prints one JSON value
# that FILTER finds true (jq -e alone passes on no input at all).
jrep() {
	local out
	out=$(at_now "${@:2}" 2>/dev/null) || { echo "samrep ${*:2}: exit $?"; return 1; }
	jq -e -s "length == 1 and (.[0] | $1)" <<<"$out" >/dev/null ||
		{ echo "samrep ${*:2}: $out"; return 1; }
}
sum_a='.now == 1767323045 and .begin == 1767225600 and .end == 1767268800 and
    .period_seconds == 43200 and .format_version == 1 and .event_count == 17 and
    .first_event == {id: 1, time: 1767225600} and .last_event.id == 19 and
    .planned_counts_as_up == false and (.objects | length) == 5 and
    (.objects[] | select(.type == "NODE" and .name == "n1") |
        .downs == 2 and .last_down == 1767243600 and .unplanned_down_seconds == 1800 and
        .planned_down_seconds == 3600 and .period_seconds == 43200 and
        .up_percent == 87.5 and .state == "UP") and
    (.objects[] | select(.type == "NODE" and .name == "n2") |
        .state == "GONE" and .period_seconds == 25200) and
    (.objects[] | select(.type == "TIME") | .changes == 2 and .downs == 0 and
        .last_change == 1767240000 and .up_percent == null and .state == null)'
tap_check "-j SUMMARY: valid JSON with the sums of A" jrep "$sum_a" -j -f eventlog "${A[@]}"
tap_check "-j -k PLANNED SUMMARY: planned time counts as up" jrep \
	'.planned_counts_as_up and (.objects[] | select(.name == "n2") | .up_percent == 100)' \
	-j -k PLANNED -f eventlog "${A[@]}"
fail_n1='.type == "NODE" and .name == "n1" and
    [.failures[] | [.id, .down_seconds, .planned, .message]] ==
    [[5, 1800, "UNPLANNED", "node crash"], [10, 3600, "PLANNED", "kernel update"],
     [19, null, "UNPLANNED", "n1 panic"]]'
tap_check "-j FAILURES NODE.n1: ev 5 (30 min), ev 10 (1 h, PLANNED), ev 19 still down" \
	jrep "$fail_n1" -j -r FAILURES -t NODE -n n1 -f eventlog -e LAST
ev_n1='[.events[].id] == [1, 5, 6, 10, 11, 12] and
    (.events[] | select(.id == 10) | .user == "admin" and .planned == "PLANNED" and
        .message == "kernel update") and
    (.events[] | select(.id == 1) | .user == null and .planned == null)'
tap_check "-j EVENTS NODE.n1: ev 1, 5, 6, 10 (user admin), 11, 12 in A" \
	jrep "$ev_n1" -j -r EVENTS -t NODE -n n1 -f eventlog "${A[@]}"
# Quotes, backslashes and bytes that are not UTF-8 in a message stay JSON.
mkdir -p esc/.state
esc_ok() {
	SAM_ROOT=$work/esc "$bin/samlog" -t APPL -n x -s DOWN -w @1767225600 \
	    "$(printf 'say "hi" \\ \351t\303\251')" >/dev/null &&
	SAM_ROOT=$work/esc jrep '.failures[0].message == "say \"hi\" \\ \ufffdt\u00e9"' \
	    -j -r FAILURES -t APPL -n x -e @1767229200
}
tap_check "-j: quotes, a backslash and a stray byte (U+FFFD) in a message" esc_ok
tap_check "-j with -q or -c: refused" eval \
	'! at_now -j -q EVENTS -f eventlog >/dev/null 2>&1 && ! at_now -j -c now >/dev/null 2>&1'

tap_done
