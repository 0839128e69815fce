# shellcheck shell=bash
# shellcheck disable=SC2154  # $bin and $share are set by the test script
# ssd.sh: what the ssd scenario tests share.  Source it after hosts.sh and
# after creating the hosts; it uses $bin (the built programs) and $share
# (the status directory).
#
#	ssd_rsh_standin HOST...	write $HM_WORK/rsh, a stand-in for ssh: it
#				enters the named host's namespaces and runs its
#				command through sh -c, as ssh does, after saying
#				"rsh: connected to HOST" on standard error (ssh's
#				banner); an unknown host is exit 255
#	ssd_state_of HOST	the host's state as ss -j tells it, with a long
#				threshold, so marked down is told from stale

ssd_rsh_standin() {
	local h anchors=$HM_WORK/anchors
	for h in "$@"; do echo "$h $(hm_host_pid "$h")"; done >"$anchors" || return 1
	cat >"$HM_WORK/rsh" <<EOS
#!/bin/sh
host=\$1
shift
pid=\$(awk -v h="\$host" '\$1 == h { print \$2 }' "$anchors")
[ -n "\$pid" ] || { echo "rsh: \$host: unknown host" >&2; exit 255; }
echo "rsh: connected to \$host" >&2
exec nsenter -t "\$pid" -r -m -u -n --wd=/ -- sh -c "\$*"
EOS
	chmod 755 "$HM_WORK/rsh"
}

ssd_state_of() {
	CSSTAT_DOWN_AFTER=600 "$bin/ss" -n -j -D "$share" "$1" |
		sed -n 's/.*"state":"\([^"]*\)".*/\1/p'
}
