/*
 * csstat: the status file format, and reading one host's status.
 *
 * This file alone makes libcsstat, so it uses nothing of src/common.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "csstat.h"
#include "ssd.h"		/* csstat_stat_at, shared with ss */

#ifndef CSSTAT_PREFIX
#define CSSTAT_PREFIX	"/usr/local"
#endif
#define CSSTAT_START_MS	15000	/* a started demon's first update */

#ifndef CSSTAT_SBINDIR
#define CSSTAT_SBINDIR	CSSTAT_PREFIX "/sbin"
#endif

uint16_t
csstat_enc16(uint64_t v)
{
	unsigned int e = 0;

	if (v > CSSTAT_MAX16)
		return 0xffff;
	while (v > 0x7ff) {
		v >>= 1;
		e++;
	}
	return (uint16_t)(v | e << 11);
}

uint64_t
csstat_dec16(uint16_t v)
{
	return (uint64_t)(v & 0x7ff) << ((v >> 11) & 0x1f);
}

static uint32_t
clamp_byte(long v)
{
	if (v < 0)
		return 0;
	return v > 0xff ? 0xff : (uint32_t)v;
}

static uint64_t
nonneg(long v)
{
	return v < 0 ? 0 : (uint64_t)v;
}

void
csstat_encode(const Csstat_t *st, uint32_t *atime, uint32_t *mtime)
{
	if (st->up <= 0) {
		/* LONG_MIN cannot be negated in a long. */
		*atime = csstat_enc16(st->up == LONG_MIN ? CSSTAT_MAX16 :
		    (uint64_t)-st->up);
		*mtime = 0;
		return;
	}
	*atime = (uint32_t)csstat_enc16((uint64_t)st->up) << 16 |
	    csstat_enc16(nonneg(st->idle));
	/*
	 * Saturate rather than mask: a load of 25.00 masked to 8 bits would
	 * read back as 4.48.
	 */
	*mtime = clamp_byte(st->load < 0 ? 0 : st->load >> 3) << 24 |
	    clamp_byte(st->pctsys) << 16 | clamp_byte(st->pctusr) << 8 |
	    clamp_byte(st->users);
}

static long
to_long(uint64_t v)
{
	return v > LONG_MAX ? LONG_MAX : (long)v;
}

void
csstat_decode(uint32_t atime, uint32_t mtime, int64_t age,
    int64_t down_after, Csstat_t *st)
{
	uint16_t up16 = atime >> 16, idle16 = atime & 0xffff;
	uint64_t down;

	if (age < 0)		/* the file server's clock runs ahead */
		age = 0;
	memset(st, 0, sizeof(*st));
	if (up16 == 0 || age > down_after) {
		down = (up16 == 0 ? csstat_dec16(idle16) : 0) + (uint64_t)age;
		st->up = -to_long(down);
		return;
	}
	/* A foreign file may hold a zero mantissa with a shift. */
	st->up = csstat_dec16(up16) == 0 ? 1 : to_long(csstat_dec16(up16));
	st->idle = to_long(csstat_dec16(idle16));
	st->load = (int)((mtime >> 24) & 0xff) << 3;
	st->pctsys = (int)((mtime >> 16) & 0xff);
	st->pctusr = (int)((mtime >> 8) & 0xff);
	st->users = (int)(mtime & 0xff);
}

const char *
csstat_dir(void)
{
	const char *d = getenv(CSSTAT_ENV_DIR);

	return d != NULL && *d != '\0' ? d : CSSTAT_PREFIX "/share/lib/ss";
}

int64_t
csstat_down_after(void)
{
	const char *s = getenv(CSSTAT_ENV_DOWN);
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return CSSTAT_DOWN;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > 86400)
		return CSSTAT_DOWN;
	return v;
}

int
csstat_name_ok(const char *name)
{
	size_t i;
	char c;

	if (name == NULL || name[0] == '\0' || name[0] == '.' ||
	    name[0] == '-')
		return 0;
	for (i = 0; (c = name[i]) != '\0'; i++) {
		if (i >= CSSTAT_NAME_MAX)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

int
csstat_local_name(char *buf, size_t bufsz)
{
	struct utsname u;

	if (uname(&u) == -1)
		return -1;
	if (!csstat_name_ok(u.nodename)) {
		errno = EINVAL;
		return -1;
	}
	if (strlen(u.nodename) >= bufsz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, u.nodename);
	return 0;
}

int
csstat_at(int dirfd, const char *name, time_t now, Csstat_t *st,
    time_t *ctimep)
{
	if (!csstat_name_ok(name)) {
		errno = EINVAL;
		return -1;
	}
	return csstat_stat_at(dirfd, name, now, csstat_down_after(), st,
	    ctimep);
}

int
csstat_stat_at(int dirfd, const char *name, time_t now, int64_t down_after,
    Csstat_t *st, time_t *ctimep)
{
	struct stat sb;
	int64_t age;

	/* Only the inode is looked at: reading would move the atime. */
	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	if (!S_ISREG(sb.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	/* The caller's now and the server's ctime may be anything. */
	if (__builtin_sub_overflow((int64_t)now, (int64_t)sb.st_ctime, &age))
		age = (int64_t)now < 0 ? INT64_MIN : INT64_MAX;
	csstat_decode((uint32_t)sb.st_atime, (uint32_t)sb.st_mtime, age,
	    down_after, st);
	if (ctimep != NULL)
		*ctimep = sb.st_ctime;
	return 0;
}

/* Where the ssd to start is; the buffer holds PATH_MAX. */
static const char *
find_ssd(char *buf, size_t bufsz)
{
	const char *env = getenv(CSSTAT_ENV_SSD);
	ssize_t n;
	char *slash;

	if (env != NULL && *env != '\0')
		return env;
	if ((n = readlink("/proc/self/exe", buf, bufsz - 1)) > 0) {
		buf[n] = '\0';
		if ((slash = strrchr(buf, '/')) != NULL &&
		    (size_t)(slash - buf) + sizeof("/ssd") <= bufsz) {
			strcpy(slash, "/ssd");
			if (access(buf, X_OK) == 0)
				return buf;
		}
	}
	if (access(CSSTAT_SBINDIR "/ssd", X_OK) == 0)
		return CSSTAT_SBINDIR "/ssd";
	return "ssd";
}

static int
wait_bounded(pid_t pid, int timeout_ms)
{
	struct timespec t0, t;
	int status, fd, left;
	pid_t r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r == -1 && errno != EINTR)
			goto fail;
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = timeout_ms - (int)((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0) {
			/* The starter only; a demon it made lives on. */
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
				;
			errno = ETIMEDOUT;
			goto fail;
		}
		if (fd != -1) {
			struct pollfd pfd = { fd, POLLIN, 0 };

			poll(&pfd, 1, left);
		} else
			usleep(left < 20 ? (useconds_t)left * 1000 : 20000);
	}
	if (fd != -1)
		close(fd);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		errno = ECHILD;
		return -1;
	}
	return 0;
fail:
	if (fd != -1) {
		int saved_errno = errno;

		close(fd);
		errno = saved_errno;
	}
	return -1;
}

int
csstat_start(const char *dir, int timeout_ms)
{
	char buf[PATH_MAX], dirarg[PATH_MAX], ssdarg[] = "ssd", darg[] = "-D";
	const char *ssd = find_ssd(buf, sizeof(buf));
	char *argv[] = { ssdarg, darg, dirarg, NULL };
	pid_t pid;

	if ((size_t)snprintf(dirarg, sizeof(dirarg), "%s", dir) >=
	    sizeof(dirarg)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	switch (pid = fork()) {
	case -1:
		return -1;
	case 0: {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execvp(ssd, argv);
		_exit(127);
	}
	default:
		break;
	}
	return wait_bounded(pid, timeout_ms);
}

/*
 * Whether this host's demon should be started, given what csstat_at found:
 * no status file, or a status that reads as down, whether stale (its demon
 * is gone) or marked down (it stopped, perhaps before a reboot quicker than
 * the stale limit).
 */
int
csstat_wants_demon(int rc, int err, const Csstat_t *st)
{
	if (rc == -1)
		return err == ENOENT;
	return st->up <= 0;
}

int
csstat(const char *host, Csstat_t *st)
{
	char local[CSSTAT_NAME_MAX + 1];
	const char *dir = csstat_dir();
	time_t ctime;
	int dirfd, rc, is_local = 0, saved_errno;

	if (csstat_local_name(local, sizeof(local)) == 0 && (host == NULL ||
	    strcmp(host, CSSTAT_LOCAL) == 0 || strcmp(host, local) == 0)) {
		host = local;
		is_local = 1;
	} else if (host == NULL || strcmp(host, CSSTAT_LOCAL) == 0)
		return -1;
	if (!csstat_name_ok(host)) {
		errno = EINVAL;
		return -1;
	}
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = csstat_at(dirfd, host, time(NULL), st, &ctime);
	saved_errno = errno;
	if (is_local && csstat_wants_demon(rc, saved_errno, st)) {
		/* Failing that, the caller learns what we found. */
		if (csstat_start(dir, CSSTAT_START_MS) == 0) {
			rc = csstat_at(dirfd, host, time(NULL), st, NULL);
			saved_errno = errno;
		}
	}
	close(dirfd);
	errno = saved_errno;
	return rc;
}
