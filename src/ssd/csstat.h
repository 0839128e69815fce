/*
 * csstat: host status through a shared directory, compatible with the
 * status files of the original AT&T cs library.
 *
 * Each host's status is the atime and mtime of DIR/HOST; the file's data is
 * never written.  Every number is kept as a 16-bit value: shifted right until
 * it is at most 2047, counting the shifts e, and stored as value | e << 11.
 *
 *	atime = up16 << 16 | idle16	(down: up16 = 0, idle16 = down time)
 *	mtime = (load >> 3) << 24 | pctsys << 16 | pctusr << 8 | users
 *
 * A file whose ctime is older than CSSTAT_DOWN seconds belongs to a demon
 * that is gone: its host is down since then.
 */
#ifndef CSSTAT_H
#define CSSTAT_H

#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CSSTAT_DOWN	150		/* seconds without update: down */
#define CSSTAT_LOCAL	"local"		/* csstat()'s name for this host */
#define CSSTAT_NAME_MAX	255		/* longest host name */
#define CSSTAT_ENV_DIR	"CSSTAT_DIR"	/* overrides the directory */
#define CSSTAT_ENV_SSD	"CSSTAT_SSD"	/* the ssd to start */
/* Testing only: another threshold than CSSTAT_DOWN, in seconds. */
#define CSSTAT_ENV_DOWN	"CSSTAT_DOWN_AFTER"

typedef struct {
	long	up;	/* > 0: seconds since boot; <= 0: down for -up s */
	long	idle;	/* seconds since the last user activity */
	int	load;	/* 1-minute load average x 100, a multiple of 8 */
	int	pctusr;	/* % user CPU over the last interval */
	int	pctsys;	/* % system CPU over the last interval */
	int	users;	/* login sessions active within 24 hours */
} Csstat_t;

/*
 * Status of host (NULL or "local" for this host).  For this host a demon
 * is started when its status is missing, stale or marked down, and waited
 * for a bounded time.  0, or -1 with errno: EINVAL for a bad host name,
 * ENOENT when the host has no status file.
 */
int	csstat(const char *host, Csstat_t *st);

/* The 16-bit number format; values above CSSTAT_MAX16 saturate. */
uint16_t csstat_enc16(uint64_t v);
uint64_t csstat_dec16(uint16_t v);
#define CSSTAT_MAX16	((uint64_t)0x7ff << 31)	/* largest value kept */

/* Status to the two timestamps (down when st->up <= 0) and back. */
void	csstat_encode(const Csstat_t *st, uint32_t *atime, uint32_t *mtime);
/*
 * age is now - ctime in seconds; down_after the threshold (normally
 * CSSTAT_DOWN).  A down or stale host gets up = -(down time + age) and
 * every other field 0.
 */
void	csstat_decode(uint32_t atime, uint32_t mtime, int64_t age,
	    int64_t down_after, Csstat_t *st);

/*
 * The status directory: $CSSTAT_DIR if set, else PREFIX/share/lib/ss.
 * The threshold: CSSTAT_DOWN unless $CSSTAT_DOWN_AFTER (testing) says.
 */
const char *csstat_dir(void);
int64_t	csstat_down_after(void);

/*
 * 1 if name may name a status file: 1 to CSSTAT_NAME_MAX characters of
 * letters, digits, '.', '-' and '_', neither starting with '.' nor '-'.
 */
int	csstat_name_ok(const char *name);

/* This host's name (uname), checked with csstat_name_ok.  0 or -1. */
int	csstat_local_name(char *buf, size_t bufsz);

/*
 * Read name's status in the directory open as dirfd, without following a
 * symbolic link or opening the file; now in seconds since the epoch.
 * 0, or -1 with errno (ENOENT; EINVAL for a name csstat_name_ok refuses
 * or an entry that is not a regular file, a symbolic link say).  *ctimep
 * (if not NULL) gets the file's ctime.
 */
int	csstat_at(int dirfd, const char *name, time_t now, Csstat_t *st,
	    time_t *ctimep);

/*
 * Start ssd for this host on dir and wait up to timeout_ms for it to say
 * it is ready.  The ssd run is $CSSTAT_SSD, else the ssd next to the
 * running program, else SBINDIR/ssd, else ssd in PATH.  0, or -1 with
 * errno (ETIMEDOUT, or ECHILD when ssd failed).
 */
int	csstat_start(const char *dir, int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif
