#!/usr/bin/env bash
# shellcheck disable=SC2016 # awk programs and a script in single quotes
# t_torture.sh: crash torture.  Each daemon is killed with SIGKILL at random
# moments while clients work it; after every restart what it holds is
# compared with what it acknowledged before the kill: nothing acknowledged
# may be lost, nothing never asked for may appear (a phantom).  A request
# in flight at the kill (sent, no answer yet) may have landed or not.
#
#	rpc.statd  12 NSM callers at once (tests/tools/smtorture) send
#		   SM_MON with random privs, SM_UNMON and SM_UNMON_ALL, 8
#		   over TCP and 4 over UDP, so that kills land in statd's
#		   group commits (batches of calls, issue 16) too; the
#		   status file after the restart (rpc.statd -l of the file the
#		   new daemon loaded) must hold exactly the monitors the
#		   acknowledged calls leave, the same state number and nothing
#		   to notify (a restart in the same boot is no reboot).
#	samd	   3 samlog writers append events to the event log while samd,
#		   with a 1 s heartbeat, starts, logs and beats; every event
#		   samlog gave an id is in the log once, under that id, with
#		   its fields; samd's own events are the APPL samd outages a
#		   kill causes (none dated after the kill or before the last
#		   heartbeat seen), every id is used once, and the heartbeat
#		   never goes back.
#	smsd	   4 posting threads (tests/tools/smstorture) post events; an
#		   event is acknowledged when smsd served it and then said
#		   nothing waits for its history file; after the restart
#		   /v1/events must serve every acknowledged event, once, and
#		   no event that was never posted.  Every other start, each
#		   commit of the history file is made 30 ms late (a slow disk),
#		   so that kills land between taking events and committing
#		   them too.  smsd keeps 1000 events, so its history file is
#		   compacted every few kills, and some kills land in a
#		   compaction; a run posts at most 600, so that what it
#		   acknowledged is still among them after the restart.
#
# TORTURE_KILLS kills per daemon (default 20, `make torture`: 1000),
# TORTURE_DAEMONS which ones (default "statd samd smsd").  The kill comes
# 0-200 ms after the clients start (samd: 0-300 ms, one in four 0-1300 ms,
# after samd is started, so kills land in its start-up writes too; smsd:
# 0-300 ms after the first acknowledgement).  Counts and times are printed as diagnostics.
# TORTURE_STATD_CALLERS (12) sets statd's callers, TORTURE_STATD_UDP (4) how
# many of them call over UDP.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"
. "$lib/statd.sh"

KILLS=${TORTURE_KILLS:-20}
DAEMONS=${TORTURE_DAEMONS:-statd samd smsd}
[[ $KILLS =~ ^[1-9][0-9]*$ ]] || { echo "Bail out! TORTURE_KILLS=$KILLS"; exit 1; }
TOOLS=$ST_BUILD/tests/tools
BIN=$ST_BUILD/bin
for t in "$TOOLS/smtorture" "$TOOLS/smstorture" "$TOOLS/samdump" "$BIN/smsd" \
	"$BIN/samd" "$BIN/samsigd" "$BIN/samlog"; do
	[ -x "$t" ] || { echo "Bail out! $t is not built (make B=${B:-build} build)"; exit 1; }
done

now_ms() { echo $(( ${EPOCHREALTIME//[!0-9]/} / 1000 )); }
# Milliseconds as seconds: 1234 -> 1.234
secs() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }
# verdict OK_TEXT FAIL_TEXT: ok if the run had no bad check ($fails), ran
# every kill ($i) and acknowledged something ($acked).
verdict() {
	if [ "$fails" = 0 ] && [ "$i" = "$KILLS" ] && [ "$acked" -gt 0 ]; then
		tap_ok "$1"
	else
		tap_fail "$2"
	fi
}
# progress DAEMON TEXT: a diagnostic every 100 kills of a long run.
progress() {
	[ "$i" -gt 0 ] && [ $((i % 100)) = 0 ] && [ "$i" != "$KILLS" ] &&
		tap_diag "$1: $i kills, $(secs $(( $(now_ms) - t0 ))) s: $2"
	return 0
}
# A random pause of 0 .. $1-1 ms.
pause_ms() { sleep "$(secs $((RANDOM % $1)))"; }
# Wait (at most $1 s) until every PID after it is gone.
wait_gone() {
	local limit=$1 p deadline
	shift
	deadline=$(( $(now_ms) + limit * 1000 ))
	for p in "$@"; do
		while hm_pid_alive "$p"; do
			[ "$(now_ms)" -lt "$deadline" ] || return 1
			sleep 0.01
		done
	done
}

hm_hosts_create 1 || { tap_fail "create a test host"; tap_done; }

# --- rpc.statd ----------------------------------------------------------------
# The check, in awk: MODEL (the monitors found after the last restart, lines
# "PROC NAME PRIV"), then the callers' journals (smtorture), then rpc.statd -l
# now.  Each caller owns the entries of its PROC; what it acknowledged is
# applied to the model in order; its last call, if unanswered, may have
# landed (the entries of its PROC must then equal the model with or without
# it).  Prints the new model to NEWMODEL and one line of counts.
STATD_CHECK='
function apply(op, p, n, v,    k, f) {
	if (op == "mon") m[p " " n] = v
	else if (op == "unmon") delete m[p " " n]
	else if (op == "unmon_all")
		for (k in m) { split(k, f, " "); if (f[1] == p) delete m[k] }
}
# The entries of PROC p in array a, as one sorted string.
function canon(a, p,    k, f, s, n, i, j, keys) {
	n = 0
	for (k in a) { split(k, f, " "); if (f[1] == p) keys[++n] = f[2] "=" a[k] }
	for (i = 2; i <= n; i++) {
		s = keys[i]
		for (j = i - 1; j >= 1 && keys[j] > s; j--) keys[j + 1] = keys[j]
		keys[j + 1] = s
	}
	s = ""
	for (i = 1; i <= n; i++) s = s keys[i] ";"
	return s
}
FILENAME == model { m[$1 " " $2] = $3; procs[$1] = 1; next }
FILENAME == list {
	if ($1 != "monitor") next
	if ($4 != "127.0.0.1" || $6 != 100021 || $8 != 4 || !($10 in procs)) {
		phantom++; bad = bad " phantom:" $0; next
	}
	got[$10 " " $2] = $12
	next
}
$1 == "send" { procs[$3] = 1; pend[$3] = $2 " " $4 " " $5; next }
$1 == "ack" { apply($2, $3, $4, $5); delete pend[$3]; acked++; next }
$1 == "refused" { delete pend[$3]; refused++; next }
END {
	for (p in procs) {
		if (p in pend) inflight++
		have = canon(got, p)
		if (canon(m, p) == have) continue
		if (p in pend) {
			# Did the call in flight land?  Try it on the model.
			split(pend[p], q, " ")
			n = 0
			for (k in m) { split(k, f, " "); if (f[1] == p) { sk[++n] = k; sv[n] = m[k] } }
			apply(q[1], p, q[2], q[3])
			if (canon(m, p) == have) { landed++; continue }
			for (k in m) { split(k, f, " "); if (f[1] == p) delete m[k] }
			for (j = 1; j <= n; j++) m[sk[j]] = sv[j]
		}
		for (k in m) {
			split(k, f, " ")
			if (f[1] == p && (!(k in got) || got[k] != m[k])) { lost++; bad = bad " lost:" k "=" m[k] }
		}
		for (k in got) {
			split(k, f, " ")
			if (f[1] == p && (!(k in m) || got[k] != m[k])) { phantom++; bad = bad " phantom:" k "=" got[k] }
		}
	}
	printf "" > newmodel
	for (k in got) print k, got[k] > newmodel
	printf "acked %d refused %d inflight %d landed %d lost %d phantom %d%s\n", acked, refused, inflight, landed, lost, phantom, bad
}'

# Both of statd's processes, the serving child first (killed after its
# parent it would get PR_SET_PDEATHSIG's SIGTERM and stop cleanly).
kill9_statd() {
	local kids k
	hm_pid_alive "$1" || { echo "statd (pid $1) was gone before the kill"; return 1; }
	kids=$(pgrep -P "$1")
	[ -n "$kids" ] || { echo "statd (pid $1) had no serving child before the kill"; return 1; }
	for k in $kids; do
		hm_pid_alive "$k" || { echo "statd's child $k was gone before the kill"; return 1; }
	done
	# The parent may end by itself as its child dies, before its own
	# KILL (ESRCH): what counts is that both are gone.
	# shellcheck disable=SC2086 # a list of PIDs
	kill -s KILL $kids "$1" 2>/dev/null
	# shellcheck disable=SC2086
	wait_gone 10 "$1" $kids
}

torture_statd() {
	local T d i statd pids t0 took line state0 state st a r f l x y
	local acked=0 inflight=0 landed=0 lost=0 phantom=0 fails=0 refused=0
	local callers=${TORTURE_STATD_CALLERS:-12} udp=${TORTURE_STATD_UDP:-4}
	T=$HM_WORK/torture-statd
	mkdir -p "$T"
	chmod 755 "$T"
	d=$(st_dir h1)
	hm_rpcbind h1 || { tap_fail "statd: rpcbind starts"; return; }
	st_boot h1
	: >"$T/model"
	: >"$T/journal"
	t0=$(now_ms)
	for ((i = 0; i <= KILLS; i++)); do
		: >"$T/statd.log"
		hm_host_spawn h1 "$T/statd.log" "$ST_STATD" -F -d -f "$d/statd.status" \
			--pid-file "$d/statd.pid" -P "" -B "$d/boot_id" >/dev/null
		statd=$HM_LAST_PID
		if ! hm_wait_for 10 grep -q 'ready: state' "$T/statd.log"; then
			tap_fail "statd: restart $i" "$(tail -n 20 "$T/statd.log")"
			fails=$((fails + 1))
			break
		fi
		# The file is on this side too: no need to enter the host.
		"$ST_STATD" -l -f "$d/statd.status" >"$T/list" 2>&1
		state=$(sed -n 's/^state \([0-9]*\) .*/\1/p' "$T/list")
		[ "$i" = 0 ] && state0=$state
		st=
		[ "$state" = "$state0" ] || st="state $state0 became $state;"
		grep -q '^entries .* pending 0$' "$T/list" || st="$st notifications pending;"
		grep -q '^damaged tail\|^records not understood' "$T/list" && st="$st $(grep '^damaged tail\|^records not understood' "$T/list");"
		line=$(awk -v model="$T/model" -v list="$T/list" -v newmodel="$T/model.new" \
			"$STATD_CHECK" "$T/model" "$T/journal" "$T/list")
		mv "$T/model.new" "$T/model"
		# acked R refused R inflight F landed L lost X phantom Y [details]
		read -r _ a _ r _ f _ l _ x _ y _ <<<"$line"
		acked=$((acked + a)); refused=$((refused + r)); inflight=$((inflight + f))
		landed=$((landed + l)); lost=$((lost + x)); phantom=$((phantom + y))
		if [ "$x" != 0 ] || [ "$y" != 0 ] || [ -n "$st" ]; then
			fails=$((fails + 1))
			[ $fails -le 5 ] && tap_diag "statd: after kill $i: $st $line"
			[ $fails -le 5 ] && cp "$d/statd.status" "$T/statd.status.fail$i"
		fi
		progress statd "acknowledged $acked, in flight $inflight, lost $lost, phantom $phantom"
		[ "$i" = "$KILLS" ] && break
		# The callers are procedures 201, 202, ... (one process each).
		: >"$T/journal"
		hm_host_spawn h1 "$T/journal" "$TOOLS/smtorture" -p 201 -c "$callers" \
			-u "$udp" -k 6 -s "$i" >/dev/null
		pids=("$HM_LAST_PID")
		pause_ms 200
		if ! line=$(kill9_statd "$statd"); then
			tap_fail "statd: kill $i" "$line" "$(tail -n 20 "$T/statd.log")"
			fails=$((fails + 1))
			break
		fi
		if ! wait_gone 20 "${pids[@]}"; then
			tap_fail "statd: the callers end after kill $i"
			fails=$((fails + 1))
			break
		fi
	done
	took=$(( $(now_ms) - t0 ))
	hm_host_kill "$statd" TERM
	tap_diag "statd: $i kills in $(secs "$took") s;" \
		"calls acknowledged $acked (refused $refused), in flight at a kill $inflight" \
		"(landed $landed), lost $lost, phantom $phantom"
	verdict "statd: $KILLS kills, $acked acknowledged calls: 0 lost, 0 phantom, state and notifications unchanged" \
		"statd: $KILLS kills: $fails bad restarts, $lost lost, $phantom phantom (acknowledged $acked)"
}

# --- samd -----------------------------------------------------------------------
# The check, in awk: the writers' journal of the whole run (send KEY, ack
# KEY ID, fail KEY: a samlog killed or failed, in flight), then samdump's
# listing of the event log.  The event log is never cut, so every event
# samlog ever acknowledged must be in it, once, under its id.  Events with
# ids above LASTID were written since the last check, by one start of samd:
# its own must be an APPL samd outage of the kill before, dated at the
# heartbeat the file held after that kill (HB, in seconds), and an up; the
# outage must be there if samd got through its start (RUNNING).  FINAL:
# the clean stop's planned down is allowed too.
SAMD_CHECK='
FILENAME == journal {
	if ($1 == "send") sent[$2] = 1
	else if ($1 == "ack") { ack[$2] = $3; nack++ }
	else if ($1 == "fail") failed[$2] = 1
	next
}
$1 == "stats" { if ($5 != 0) { phantom++; bad = bad " damaged-lines:" $5 }; next }
$1 == "unreadable" { phantom++; bad = bad " unreadable:" $2; next }
$1 == "E" {
	id = $2 + 0
	if (id in ids) { phantom++; bad = bad " id-twice:" id }
	ids[id] = 1
	if (id <= maxid) { phantom++; bad = bad " id-order:" id }
	maxid = id
	if ($8 ~ /^tk-/) {
		k = $8; n[k]++; where[k] = id
		if (!(k in sent)) { phantom++; bad = bad " never-sent:" k }
		else if (n[k] > 1) { phantom++; bad = bad " twice:" k }
		split(k, f, "-")
		if ($4 != "APPL" || $5 != "tw" f[3] || $6 != "UP") { phantom++; bad = bad " fields:" k }
		next
	}
	if (id <= lastid) next
	if (final && $4 == "APPL" && $5 == "samd" && $6 == "DOWN" && $7 == "PLANNED" && !planned++) {
		# the clean stop at the end
	} else if ($4 == "APPL" && $5 == "samd" && $6 == "DOWN" && $7 == "UNPLANNED") {
		downs++
		if (hb != "" && $3 != hb) { phantom++; bad = bad " down-dated:" $3 "-not-" hb }
	} else if ($4 == "APPL" && $5 == "samd" && $6 == "UP") {
		ups++
	} else { phantom++; bad = bad " samd-event:" $4 "." $5 "." $6 }
	next
}
$1 == "M" { phantom++; bad = bad " change:" $2; next }
END {
	for (k in ack) {
		if (!(k in n)) { lost++; bad = bad " lost:" k }
		else if (where[k] != ack[k]) { lost++; bad = bad " id:" k "=" where[k] "-not-" ack[k] }
	}
	for (k in sent) if (!(k in ack)) open_++
	if (running && hb != "" && downs == 0) { lost++; bad = bad " no-outage-logged" }
	printf "acked %d inflight %d lost %d phantom %d downs %d maxid %d%s\n", nack, open_, lost, phantom, downs, maxid, bad
}'

# samlog writers, run inside the host: writer W ITERATION STOPFILE SAMLOG
SAMD_WRITER='
w=$1 it=$2 stop=$3 samlog=$4 n=0
while [ ! -e "$stop" ]; do
	key=tk-$it-$w-$n
	echo "send $key"
	if id=$("$samlog" -t APPL -n "tw$w" -s UP -- "$key" 2>/dev/null); then
		echo "ack $key $id"
	else
		echo "fail $key"
	fi
	n=$((n + 1))
done'

torture_samd() {
	local T=$HM_WORK/torture-samd root=/var/avail/sam out i wrapper writers
	local t0 took line a f x y dn hb hbseq prevseq=0 hbprev='' delay victim
	local victims=0 early=0 lastid=0 running=0 acked=0 lost=0 phantom=0
	local fails=0 downs=0
	mkdir -p "$T"
	chmod 755 "$T"
	out=$(hm_host_dir h1)$root
	mkdir -p "$out"
	cat /proc/sys/kernel/random/uuid >"$T/boot_id"
	printf '%s\n' "$SAMD_WRITER" >"$T/writer.sh"
	: >"$T/journal"
	t0=$(now_ms)
	for ((i = 0; i <= KILLS; i++)); do
		: >"$T/samd.log"
		rm -f "$T/stop"
		if [ "$i" != "$KILLS" ]; then
			hm_host_spawn h1 "$T/journal" env SAM_ROOT=$root bash -c \
				'for w in 1 2 3; do bash "$1" "$w" "$2" "$3" "$4" & done; wait' \
				_ "$T/writer.sh" "$i" "$T/stop" "$BIN/samlog" >/dev/null
			writers=$HM_LAST_PID
		fi
		# The kill is timed from samd's exec (timeout(1) sends it), so it
		# can land in the start-up's writes; one kill in four comes after
		# up to 1.3 s, where a heartbeat falls.
		# (at least 1 ms: timeout(1) takes 0 for "never")
		delay=$((1 + RANDOM % (i % 4 == 3 ? 1300 : 300)))
		[ "$i" = "$KILLS" ] && delay=600000
		hm_host_spawn h1 "$T/out.log" timeout -s KILL \
			"$(secs "$delay")" \
			env SAM_ROOT=$root SAM_BOOT_ID_FILE="$T/boot_id" \
			SAM_LOGFILE="$T/samd.log" SAMSIGD_BIN="$BIN/samsigd" \
			"$BIN/samd" -H 1 -W 300 PROC_FAIL >/dev/null
		wrapper=$HM_LAST_PID
		if [ "$i" = "$KILLS" ]; then
			# The last start is left to finish, then stopped cleanly.
			hm_wait_for 10 grep -q 'running (pid' "$T/samd.log" ||
				{ fails=$((fails + 1)); tap_diag "samd: the last start did not finish"; }
			running=1
			kill -s TERM "$(pgrep -P "$wrapper")"
			wait_gone 20 "$wrapper"
		else
			# Meanwhile one samlog is killed in the middle of its write.
			pause_ms $((delay + 1))
			victim=$(pgrep -P "$(pgrep -P "$writers" | paste -s -d, -)" | head -n 1)
			if [ -n "$victim" ] && kill -s KILL "$victim" 2>/dev/null; then
				victims=$((victims + 1))
			fi
			# Every heartbeat read before samd is gone was written.
			hbseq=none
			while hm_pid_alive "$wrapper"; do
				read -r _ hbseq hb _ <<<"$("$TOOLS/samdump" heartbeat "$out/.state/heartbeat")"
				sleep 0.01
			done
			touch "$T/stop"
			running=0
			grep -q 'running (pid' "$T/samd.log" && running=1
			[ "$running" = 0 ] && early=$((early + 1))
			if ! wait_gone 20 "$writers"; then
				tap_fail "samd: the samlog writers end after kill $i"
				fails=$((fails + 1))
				break
			fi
			if [ "$hbseq" != none ] && [ "$hbseq" -lt "$prevseq" ]; then
				fails=$((fails + 1))
				tap_diag "samd: kill $i: heartbeat $hbseq older than $prevseq seen before"
			fi
			[ "$hbseq" != none ] && prevseq=$hbseq
			# What the next start finds: after the kill, the file is final.
			read -r _ hbseq hb _ <<<"$("$TOOLS/samdump" heartbeat "$out/.state/heartbeat")"
			if { [ "$hbseq" = none ] && [ "$prevseq" != 0 ]; } ||
				{ [ "$hbseq" != none ] && [ "$hbseq" -lt "$prevseq" ]; }; then
				fails=$((fails + 1))
				tap_diag "samd: kill $i: heartbeat $hbseq after the kill, $prevseq seen before"
			fi
		fi
		"$TOOLS/samdump" eventlog "$out/eventlog" >"$T/dump" 2>&1
		line=$(awk -v journal="$T/journal" -v lastid="$lastid" -v hb="$hbprev" \
			-v running="$running" -v final=$((i == KILLS)) "$SAMD_CHECK" \
			"$T/journal" "$T/dump")
		# acked A inflight F lost X phantom Y downs D maxid M [details]
		read -r _ a _ f _ x _ y _ dn _ lastid _ <<<"$line"
		acked=$a; lost=$((lost + x)); phantom=$((phantom + y)); downs=$((downs + dn))
		if [ "$x" != 0 ] || [ "$y" != 0 ]; then
			fails=$((fails + 1))
			[ $fails -le 5 ] && tap_diag "samd: after kill $i: $line" &&
				cp "$out/eventlog" "$T/eventlog.fail$i"
		fi
		progress samd "acknowledged $acked, outages $downs, lost $lost, phantom $phantom"
		[ "$i" = "$KILLS" ] && break
		# The next start dates its outage at this heartbeat, in seconds.
		[ "$hbseq" != none ] && hbprev=$((hb / 1000))
	done
	took=$(( $(now_ms) - t0 ))
	tap_diag "samd: $i kills in $(secs "$took") s;" \
		"$early of them before samd's start-up was done, $victims with a samlog" \
		"killed too; samlog events acknowledged $acked (in flight at a kill $f)," \
		"samd outages logged $downs; lost $lost, phantom $phantom"
	verdict "samd: $KILLS kills, $acked acknowledged samlog events and $downs outages: 0 lost, 0 phantom" \
		"samd: $KILLS kills: $fails bad checks, $lost lost, $phantom phantom (acknowledged $acked)"
}

# --- smsd -----------------------------------------------------------------------
# The check, in awk: every key ever posted (sent), the keys acknowledged
# before the kill, then the torture events smsd serves after the restart
# (one key a line).  Lost: acknowledged, not served; phantom: served but
# never posted, or served twice.
SMSD_CHECK='
FILENAME == sent { s[$1] = 1; next }
FILENAME == acked { a[$1] = 1; na++; next }
{ n[$1]++; served++ }
END {
	for (k in a) if (!(k in n)) { lost++; bad = bad " lost:" k }
	for (k in n) {
		if (!(k in s)) { phantom++; bad = bad " phantom:" k }
		else if (n[k] > 1) { phantom += n[k] - 1; bad = bad " twice:" k }
	}
	printf "acked %d served %d lost %d phantom %d%s\n", na, served, lost, phantom, bad
}'

torture_smsd() {
	local T=$HM_WORK/torture-smsd i smsd poster t0 took line a x y
	local acked=0 sent=0 lost=0 phantom=0 fails=0 served=0 compactions=0
	local hlines prevlines=0
	mkdir -p "$T/data" "$T/dpkg"
	chmod 755 "$T"
	# The hosts' /var is private: smsd reads a copy of the machine's database.
	cp /var/lib/dpkg/status "$T/dpkg/status"
	printf '%s\n' "port 596" "listen 127.0.0.1" "member-name h1" \
		"data-dir $T/data" "post-socket $T/post.sock" \
		"pid-file $T/smsd.pid" "log-file $T/smsd.log" "dpkg-dir $T/dpkg" \
		"source-timeout 800" "event-history 1000" >"$T/smsd.conf"
	: >"$T/sent"
	: >"$T/acked"
	t0=$(now_ms)
	for ((i = 0; i <= KILLS; i++)); do
		# Every other run a slow disk (each commit 30 ms late), so that
		# kills also land between the writer taking events and committing.
		hm_host_spawn h1 "$T/out.log" env SMSD_TEST_HISTORY_DELAY_MS=$((i % 2 * 30)) \
			"$BIN/smsd" -f "$T/smsd.conf" >/dev/null
		smsd=$HM_LAST_PID
		if ! hm_wait_for 10 hm_host_exec h1 curl -sf -o /dev/null \
			http://127.0.0.1:596/v1/server; then
			tap_fail "smsd: restart $i" "$(tail -n 20 "$T/out.log" "$T/smsd.log")"
			fails=$((fails + 1))
			break
		fi
		hm_host_exec h1 curl -s --max-time 20 \
			'http://127.0.0.1:596/v1/events?name=torture.*&limit=1000000' |
			grep -o '"message":"tk-[^"]*"' | sed 's/^"message":"//; s/"$//' >"$T/served"
		line=$(awk -v sent="$T/sent" -v acked="$T/acked" "$SMSD_CHECK" \
			"$T/sent" "$T/acked" "$T/served")
		# acked A served S lost X phantom Y [details]
		read -r _ a _ _ _ x _ y _ <<<"$line"
		acked=$((acked + a)); lost=$((lost + x)); phantom=$((phantom + y))
		served=$(wc -l <"$T/served")
		# The file shrinks when the writer compacted it.
		hlines=$(wc -l <"$T/data/h1/events.log")
		[ "$hlines" -lt "$prevlines" ] && compactions=$((compactions + 1))
		prevlines=$hlines
		# A line with a good checksum that smsd cannot read is damage no
		# kill may cause (a torn tail is cut off silently).
		if grep -q 'event history line' "$T/out.log"; then
			line="$line; $(grep 'event history line' "$T/out.log" | head -n 3)"
			y=$((y + 1)); phantom=$((phantom + 1))
			: >"$T/out.log"
		fi
		if [ "$x" != 0 ] || [ "$y" != 0 ]; then
			fails=$((fails + 1))
			[ $fails -le 5 ] && tap_diag "smsd: after kill $i: $line"
		fi
		progress smsd "acknowledged $acked, lost $lost, phantom $phantom"
		[ "$i" = "$KILLS" ] && break
		: >"$T/journal"
		hm_host_spawn h1 "$T/journal" "$TOOLS/smstorture" -S "$T/post.sock" \
			-t "$i" -P 4 -n 150 -s "$i" >/dev/null
		poster=$HM_LAST_PID
		# The kill comes 0-300 ms after the first acknowledgement, so that
		# every run has some (a loaded machine may take long to the first:
		# without one in 10 s, the kill comes anyway).
		hm_wait_for 10 grep -q '^ack ' "$T/journal" 2>/dev/null
		pause_ms 300
		kill -s KILL "$smsd"
		if ! wait_gone 20 "$smsd" "$poster"; then
			tap_fail "smsd: smsd and the posters end after kill $i"
			fails=$((fails + 1))
			break
		fi
		awk '$1 == "sent" { print $2 }' "$T/journal" >>"$T/sent"
		awk '$1 == "ack" { print $2 }' "$T/journal" >"$T/acked"
	done
	took=$(( $(now_ms) - t0 ))
	sent=$(wc -l <"$T/sent")
	hm_host_kill "$smsd" TERM
	tap_diag "smsd: $i kills in $(secs "$took") s;" \
		"events posted $sent, acknowledged $acked, lost $lost, phantom $phantom;" \
		"history file compacted $compactions times; served at the end $served"
	verdict "smsd: $KILLS kills, $acked acknowledged events: 0 lost, 0 phantom" \
		"smsd: $KILLS kills: $fails bad restarts, $lost lost, $phantom phantom (acknowledged $acked)"
}

for daemon in $DAEMONS; do
	case $daemon in
	statd) torture_statd ;;
	samd) torture_samd ;;
	smsd) torture_smsd ;;
	*) tap_fail "unknown daemon $daemon in TORTURE_DAEMONS" ;;
	esac
done
tap_done
