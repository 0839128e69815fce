/*
 * smnotify.c: rpc.statd run as sm-notify (or -N), nfs-utils' command that
 * tells the hosts of an nfs-utils state folder that its host rebooted.
 */
#ifndef STATD_SMNOTIFY_H
#define STATD_SMNOTIFY_H

#include <stddef.h>

#define SMN_DEFAULT_MINUTES	15
#define SMN_MAX_MINUTES		(7 * 24 * 60)	/* -m: a week at most */
#define SMN_DEFAULT_PIDFILE	"/run/sm-notify.pid"
#define SMN_EXIT_UNREACHED	3	/* -m passed with hosts not told */

struct smn_conf {
	const char	*dir;		/* -P; NULL: not given, nothing to do */
	const char	*srcname;	/* -v: mon_name, and the source address
					   when it is one */
	const char	*pidfile;	/* --pid-file: "ran since boot" mark */
	int		 minutes;	/* -m, 0 for ever */
	int		 port;		/* -p, 0 for any */
	int		 force;		/* -f */
	int		 debug;		/* -d */
	int		 no_update;	/* -n */
};

void	 smn_defaults(struct smn_conf *c);
/* 0, 1 for --help, or -1 with the reason in err. */
int	 smn_parse(int argc, char *argv[], struct smn_conf *c, char *err,
	    size_t errlen);
/* The exit status: 0 done (or nothing to do), 1 failed, SMN_EXIT_UNREACHED. */
int	 smn_run(const struct smn_conf *c);
int	 smnotify_main(int argc, char *argv[]);

#endif
