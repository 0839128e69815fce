#!/usr/bin/env bash
# t_ssd_basic.sh: ssd and ss on three test hosts sharing one status
# directory (a folder under $HM_WORK stands in for the NFS share).
# Three hosts report; a killed demon's host turns down after the threshold
# (shortened for the test with CSSTAT_DOWN_AFTER; the real one is 150 s);
# TERM marks down at once; a second demon makes the first exit; rm of the
# file stops the demon; symlinks, FIFOs, foreign files and bad names are
# refused; `ss .` starts the local demon when its status is stale or marked down.
lib=$(cd "$(dirname "$0")/lib" && pwd) || exit 1
. "$lib/tap.sh"
. "$lib/hosts.sh"

B=${B:-build}
bin=$(cd "$B/bin" && pwd) || { echo "Bail out! no $B/bin"; exit 1; }
[ -x "$bin/ssd" ] && [ -x "$bin/ss" ] || { echo "Bail out! ssd/ss not built in $B"; exit 1; }

export CSSTAT_DOWN_AFTER=4	# testing only: the real threshold is 150 s
share=$HM_WORK/share/lib/ss
mkdir -p "$share" && chmod 1777 "$share"

hm_hosts_create alpha beta gamma || { tap_fail "create hosts"; tap_done; }

ss_in() { local h=$1; shift; hm_host_exec "$h" env CSSTAT_DOWN_AFTER=$CSSTAT_DOWN_AFTER "$bin/ss" -n -D "$share" "$@"; }
# Host $2's state as ss on host $1 sees it ("up", "down", ...).
state_of() {
	ss_in "$1" -j "$2" | sed -n 's/.*"state":"\([^"]*\)".*/\1/p'
}
is_state() { [ "$(state_of "$1" "$2")" = "$3" ]; }
ctime_of() { stat -c %Z "$share/$1"; }
log_has() { grep -q -- "$1" "$share/.log"; }

declare -A pid
for h in alpha beta gamma; do
	hm_host_spawn "$h" "$HM_WORK/$h.out" "$bin/ssd" -f -D "$share" -i 1 >/dev/null
	pid[$h]=$HM_LAST_PID
done
three_up() {
	local listing
	listing=$(ss_in alpha)
	echo "$listing"
	[ "$(grep -c '^[a-z]* *up ' <<<"$listing")" -eq 3 ]
}
tap_check "three hosts report up" hm_wait_for 10 three_up

format_ok() {
	local listing
	listing=$(ss_in beta)
	echo "$listing"
	[ "$(cut -d' ' -f1 <<<"$listing" | tr '\n' ' ')" = "alpha beta gamma " ] &&
	! grep -vE '^[a-z]+ +up +[0-9][0-9.smhdw]*, +[0-9]+ (user, |users,) idle +([0-9][0-9.smhdw]*|%), load +[0-9]+\.[0-9]{2}, %usr +[0-9]+, %sys +[0-9]+$' <<<"$listing"
}
tap_check "one line per host, sorted by name, in the original format" format_ok

# AST's rules, against the numbers ss -j gives: "1 user,  idle" but "N
# users, idle" otherwise, and an idle time of % when nobody is logged in
# or the idle time is longer than the up time.
ast_rules() {
	local h line js users want_u want_i
	for h in alpha beta gamma; do
		line=$(ss_in beta "$h") js=$(ss_in beta -j "$h")
		echo "$line"
		users=$(jq -r '.[0].users' <<<"$js")
		if [ "$users" = 1 ]; then want_u=", +1 user,  idle"; else want_u=", +$users users, idle"; fi
		if jq -e '.[0].users == 0 or .[0].idle > .[0].up' <<<"$js" >/dev/null; then
			want_i="idle +%,"
		else
			want_i="idle +[0-9][0-9.smhdw]*,"
		fi
		grep -qE "$want_u" <<<"$line" && grep -qE "$want_i" <<<"$line" ||
			{ echo "expected /$want_u/ and /$want_i/ from $js"; return 1; }
	done
}
tap_check "users and idle time as AST's ss prints them" ast_rules

# A name longer than the 12 columns still leaves a blank before the state,
# "down" too (an atime of 5: up 0, marked down 5 s ago).
longname=beta-longer-hostname-example
touch "$share/$longname"
touch -a -d @5 "$share/$longname"
tap_check "a long name never touches the state" eval \
	"ss_in beta $longname | grep -E '^$longname +down +[0-9]'"
rm -f "$share/$longname"
ss_in beta >/dev/null
tap_check "ss exits 0 when every host is up" [ $? -eq 0 ]

unprivileged() {
	local f
	for f in alpha beta gamma; do
		[ "$(stat -c %U:%s "$share/$f")" = _hmssd:0 ] || { stat "$share/$f"; return 1; }
	done
}
tap_check "status files are empty and written by the unprivileged user" unprivileged

atime_is_status() {
	# A real access time would be near now; the status is far from it.
	local a now
	a=$(stat -c %X "$share/alpha")
	now=$(date +%s)
	[ $((a >> 16)) -ne 0 ] && [ $((now - a)) -gt 86400 ]
}
tap_check "the status is carried in the atime" atime_is_status

# A demon killed outright cannot mark itself down: its file goes stale.
kill -KILL "${pid[gamma]}"
killed_at=$(date +%s)
still_up_now=$(state_of alpha gamma)
tap_check "gamma is still up before the threshold" [ "$still_up_now" = up ]
tap_check "gamma turns down once its file is older than the threshold" \
	hm_wait_for 10 is_state alpha gamma down
stale_ok() {
	local age j down
	age=$(( $(date +%s) - $(ctime_of gamma) ))
	[ "$age" -gt "$CSSTAT_DOWN_AFTER" ] || { echo "age $age"; return 1; }
	j=$(ss_in alpha -j gamma)
	down=$(sed -n 's/.*"down":\([0-9]*\).*/\1/p' <<<"$j")
	echo "$j; age $age; killed $(( $(date +%s) - killed_at )) s ago"
	[ "$down" -ge "$age" ] && [ "$down" -le $((age + 1)) ]
}
tap_check "a stale host is down for the file's age" stale_ok
ss_in alpha >/dev/null
tap_check "ss exits 1 when a host is down" [ $? -eq 1 ]

# TERM: the demon marks itself down before it goes.
hm_host_kill "${pid[beta]}" TERM
tap_check "a stopped demon marks its host down at once" \
	eval 'CSSTAT_DOWN_AFTER=600 is_state alpha beta down'

# A second demon for alpha replaces the file: the first notices and exits.
first=${pid[alpha]}
hm_host_spawn alpha "$HM_WORK/alpha2.out" "$bin/ssd" -f -D "$share" -i 1 >/dev/null
second=$HM_LAST_PID
tap_check "a second demon makes the first exit" \
	hm_wait_for 10 eval "! hm_pid_alive $first"
tap_check "the first said why in share/lib/ss/.log" log_has "another ssd writes alpha: exiting"
tap_check "the second demon keeps alpha up" \
	eval "hm_pid_alive $second && is_state beta alpha up"

# rm of the file is the way to stop a host's demon; it is not made again.
rm -f "$share/alpha"
tap_check "rm -f share/lib/ss/alpha stops alpha's demon" \
	hm_wait_for 10 eval "! hm_pid_alive $second"
tap_check "the file is not created again" [ ! -e "$share/alpha" ]
tap_check "the demon logged the removal" log_has "status file alpha removed: exiting"

# Hostile contents of the shared directory.
echo secret >"$HM_WORK/precious"
touch -d '2001-01-01' "$HM_WORK/precious"
ln -s "$HM_WORK/precious" "$share/alpha"
hm_host_exec alpha timeout 10 "$bin/ssd" -d -D "$share" -i 1 >"$HM_WORK/link.out" 2>&1
rc=$?
tap_check "ssd refuses a symlink for its status file" \
	eval "[ $rc -ne 0 ] && grep -q 'not touched' $HM_WORK/link.out"
tap_check "the symlink's target is untouched" \
	eval "[ \"\$(stat -c %X:%Y $HM_WORK/precious)\" = \"\$(date -d 2001-01-01 +%s):\$(date -d 2001-01-01 +%s)\" ] && [ \"\$(cat $HM_WORK/precious)\" = secret ]"
rm -f "$share/alpha"

mkfifo "$share/fifo-host"
mkdir "$share/dir-host"
ln -s /etc/passwd "$share/link-host"
touch "$share/.hidden" "$share/foreign"
touch -d @$(( (0x0800 << 16) | 0xffff )) "$share/foreign"	# zero mantissa
printf 'junk data' >"$share/datafile"
listing=$(timeout 10 "$bin/ss" -n -D "$share")
rc=$?
echo "$listing" | sed 's/^/# /'
tap_check "ss skips FIFOs, folders, symlinks and dot files, without hanging" \
	eval "[ $rc -le 1 ] && ! grep -qE '^(fifo-host|dir-host|link-host|\\.hidden) ' <<<\"\$listing\""
tap_check "ss reads foreign and non-empty files as timestamps" \
	eval "grep -qE '^foreign +up ' <<<\"\$listing\" && grep -qE '^datafile ' <<<\"\$listing\""

hm_host_exec alpha timeout 5 "$bin/ssd" -d -D "$share" -H ../etc >"$HM_WORK/bad.out" 2>&1
rc1=$?
hm_host_exec alpha timeout 5 "$bin/ssd" -d -D "$share" -H .log >>"$HM_WORK/bad.out" 2>&1
rc2=$?
hm_host_exec alpha timeout 5 "$bin/ssd" -d -D "$share" -- -oProxyCommand=x >>"$HM_WORK/bad.out" 2>&1
rc3=$?
tap_check "ssd refuses host names with '/', a leading '.' or '-'" \
	eval "[ $rc1 -ne 0 ] && [ $rc2 -ne 0 ] && [ $rc3 -ne 0 ] && [ \$(grep -c 'bad host name' $HM_WORK/bad.out) -eq 3 ]"
tap_check "nothing was created for them" \
	eval "[ ! -e $HM_WORK/share/lib/etc ] && [ \$(stat -c %s $share/.log) -gt 0 ] && [ ! -e $share/-oProxyCommand=x ]"
listing=$(ss_in alpha 'a/b' nosuchhost beta)
tap_check "ss marks bad and unknown names" \
	eval "grep -qE '^a/b +\\*unknown host\\*' <<<\"\$listing\" && grep -qE '^nosuchhost +\\*unknown host\\*' <<<\"\$listing\""
rm -rf "$share/fifo-host" "$share/dir-host" "$share/link-host" "$share/foreign" "$share/datafile"

# gamma's file is stale: `ss . >/dev/null 2>&1` (the rc.local idiom) starts
# gamma's demon, detached; cleanup stops it with the host.
hm_host_exec gamma env CSSTAT_SSD="$bin/ssd" CSSTAT_DOWN_AFTER=$CSSTAT_DOWN_AFTER \
	timeout 20 "$bin/ss" -D "$share" . >/dev/null 2>&1
tap_check "ss . starts the local demon when its status is stale" is_state alpha gamma up
tap_check "ss . started exactly one demon" \
	eval "[ \$(pgrep -f -c -- '^ssd -D $share\$') -eq 1 ]"

# beta's demon was stopped cleanly: its file is marked down but, with a
# long stale limit, fresh, as after a reboot quicker than that limit.
# ss . must start the demon now, not once the file has gone stale.
hm_host_exec beta env CSSTAT_SSD="$bin/ssd" CSSTAT_DOWN_AFTER=600 \
	timeout 20 "$bin/ss" -D "$share" . >/dev/null 2>&1
tap_check "ss . starts the local demon when its host is marked down" \
	eval 'CSSTAT_DOWN_AFTER=600 is_state alpha beta up'

tap_done
