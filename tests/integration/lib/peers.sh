# shellcheck shell=bash
# peers.sh: the real peers the statd tests run beside (see shared/PEERS.md):
# Debian's rpc.statd and sm-notify (nfs-common), NFS-Ganesha as the lock
# manager.  Source after statd.sh.
#
#	peers_need_nfs_common		skip the script (TAP plan 1..0) without
#					rpc.statd, sm-notify or the user statd
#	peers_need_ganesha		skip it without Ganesha and its VFS FSAL
#	ganesha_write_conf FILE CALLER_NAME RECOVERYDIR EXPORT
#					a test configuration: NFSv3 with NLM,
#					locks granted at once, EXPORT read-write

GANESHA=/usr/bin/ganesha.nfsd
GANESHA_PLUGINS=/usr/lib/x86_64-linux-gnu/ganesha

peers_need_nfs_common() {
	local tool
	for tool in /usr/sbin/rpc.statd /usr/sbin/sm-notify; do
		if [ ! -x "$tool" ]; then
			echo "1..0 # SKIP $tool is missing (package nfs-common)"
			exit 0
		fi
	done
	if ! getent passwd statd >/dev/null; then
		echo "1..0 # SKIP no user statd (package nfs-common)"
		exit 0
	fi
}

peers_need_ganesha() {
	if [ ! -x "$GANESHA" ] || [ ! -e "$GANESHA_PLUGINS/libfsalvfs.so" ]; then
		echo "1..0 # SKIP NFS-Ganesha is missing (packages nfs-ganesha, nfs-ganesha-vfs)"
		exit 0
	fi
}

ganesha_write_conf() {
	cat >"$1" <<EOF_CONF
NFS_CORE_PARAM {
	Protocols = 3;
	Enable_NLM = true;
	Enable_RQUOTA = false;
	NSM_Use_Caller_Name = $2;
	Plugins_Dir = $GANESHA_PLUGINS;
}
NFSV4 {
	Graceless = true;
	RecoveryBackend = fs;
	RecoveryRoot = $3;
}
EXPORT {
	Export_Id = 1;
	Path = $4;
	Pseudo = /export;
	Protocols = 3;
	Transports = UDP, TCP;
	Access_Type = RW;
	Squash = No_Root_Squash;
	SecType = sys;
	FSAL {
		Name = VFS;
	}
}
LOG {
	Default_Log_Level = EVENT;
}
EOF_CONF
}
