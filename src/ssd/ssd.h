/*
 * ssd: the local system status demon, and ss, its reader.
 */
#ifndef SSD_H
#define SSD_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "csstat.h"

/* Exit statuses a remote starter tells apart (see remote.c). */
#define SSD_EXIT_TAKEN		3	/* another demon writes the file */
#define SSD_EXIT_REMOVED	4	/* the status file was removed */

#define SSD_INTERVAL	40	/* updates every 40 to 60 seconds */
#define SSD_HOOK_MAX_MS	10000	/* ssd.idle gets at most this long */
#define SSD_IDLE_FREE	((long)0x7ff << 14)	/* "free": 55 weeks */
#define SSD_IDLE_RETURN	60	/* idle this long, then active: update */

/* sample.c: what the kernel and utmp say.  Each 0, or -1 with errno. */
struct cpu_ticks {
	uint64_t	usr;	/* user + nice */
	uint64_t	sys;	/* system + irq + softirq */
	uint64_t	total;	/* every field up to steal */
};
int	sample_uptime(const char *path, long *up);
int	sample_load(const char *path, int *load);
int	sample_cpu(const char *path, struct cpu_ticks *t);
void	cpu_percent(const struct cpu_ticks *prev, const struct cpu_ticks *cur,
	    int *pctusr, int *pctsys);
/*
 * Sessions in the utmp file active within 24 hours (by login time or the
 * terminal's access time under devdir), and the least idle time among
 * them (-1 if there is none).
 */
int	sample_users(const char *utmp, const char *devdir, time_t now,
	    int *users, long *idle);
/* Seconds since an input device under devdir/input was read, or -1. */
long	sample_input_idle(const char *devdir, time_t now);

/* idlehook.c: the ssd.idle program. */
enum idle_verdict {
	IDLE_DEFAULT,	/* use the built-in algorithm this time */
	IDLE_SET,	/* the idle time is *secs */
	IDLE_ADD	/* add the seconds since the last check */
};
enum idle_verdict idlehook_parse(const char *line, long *secs);
/*
 * Run path with host as its argument, at most timeout_ms, and return its
 * verdict from the first line of its output.  A hook that fails, is
 * killed, says nothing or runs too long counts as IDLE_DEFAULT, and why is
 * logged.
 */
enum idle_verdict idlehook_run(const char *path, const char *host,
	    int timeout_ms, long *secs);
/* The ssd.idle next to the running program if it is executable, or NULL. */
char	*idlehook_find(void);

/* statusfile.c: this host's file in the shared directory. */
enum sf_result { SF_OK, SF_GONE, SF_TAKEN, SF_ERROR };
struct statusfile {
	int		dirfd;
	const char	*name;
	dev_t		dev;
	ino_t		ino;
	struct timespec	ctime;	/* after our last write */
	int		written;
};
/*
 * Take the file: a new one, with the old one's times, renamed over it (the
 * demon that wrote the old one leaves).  SF_OK, SF_TAKEN if the name is not
 * a regular file of ours to write, SF_ERROR with errno.
 */
enum sf_result statusfile_claim(struct statusfile *sf, int dirfd,
	    const char *name);
/*
 * Set the timestamps, unless the file is gone (SF_GONE), is no longer the
 * one we took or was changed by someone else since our last write
 * (SF_TAKEN).
 */
enum sf_result statusfile_write(struct statusfile *sf, uint32_t atime,
	    uint32_t mtime);
/* Mark an existing file down (never creates it).  0 or -1 with errno. */
int	statusfile_mark_down(int dirfd, const char *name);

/*
 * statusfile.c: log to the shared directory's .log, tagged ssd@host.  Run
 * by root, the file is opened (and created) as as_user, if not NULL.  The
 * descriptor (close-on-exec), or -1 if the log stays where it was (a .log
 * that is not a regular file is refused; said in the log).
 */
int	open_shared_log(int dirfd, const char *host, const char *as_user);

/* remote.c: ssd host. */
struct remote_opts {
	const char	*dir;
	const char	*host;
	const char	*rsh;		/* command words, split at blanks */
	const char	*user;
	int		 interval;
	int		 foreground;
	int		 logfile;	/* -f: the log is .log all the same */
	int		 verbose;
};
__attribute__((noreturn)) void remote_run(int dirfd,
	    const struct remote_opts *ro);
/* The remote command as one string for a remote shell, words quoted. */
char	*remote_command(const char *ssd, const struct remote_opts *ro);
/* Quote s for a POSIX shell into buf.  -1 if it does not fit. */
int	shell_quote(const char *s, char *buf, size_t bufsz);

/*
 * csstat.c, for ss: csstat_at for a name csstat_name_ok has passed, with
 * the threshold read once (csstat_down_after) rather than per host.
 */
int	csstat_stat_at(int dirfd, const char *name, time_t now,
	    int64_t down_after, Csstat_t *st, time_t *ctimep);

/* ssout.c: ss's lines. */
enum ss_state { SS_UP, SS_DOWN, SS_NOSTATUS, SS_UNKNOWN };
struct ss_host {
	char		*name;
	enum ss_state	 state;
	Csstat_t	 st;
};
#define SS_KEYS_MAX	4
/* One line, without newline, in buf; returns its length as snprintf. */
int	ss_line(const struct ss_host *h, char *buf, size_t bufsz);
/* An elapsed time as fmt_elapsed writes it ("0" for 0); returns its length. */
int	ss_elapsed(int64_t seconds, char *buf, size_t bufsz);
/* One JSON object, without newline. */
int	ss_json(const struct ss_host *h, char *buf, size_t bufsz);
/* keys: up to SS_KEYS_MAX of "ciltu", in order; "" sorts by name. */
void	ss_sort(struct ss_host *h, size_t n, const char *keys, int reverse);

/* csstat.c: start this host's demon after what csstat_at found? */
int	csstat_wants_demon(int rc, int err, const Csstat_t *st);

#endif
