/*
 * statusfile: this host's file in the shared directory.
 *
 * Every access is relative to the directory's descriptor and never follows
 * a symbolic link.  No descriptor on the file is kept: over NFS an open
 * file that is removed lingers as .nfsXXXX, and the removal must be seen.
 * The ctime after each of our writes tells whether someone else (another
 * demon, for the same host) wrote since: then that one wins.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "ssd.h"

enum sf_result
statusfile_claim(struct statusfile *sf, int dirfd, const char *name)
{
	struct stat sb;
	int fd;

	memset(sf, 0, sizeof(*sf));
	sf->dirfd = dirfd;
	sf->name = name;
	/* O_NONBLOCK: a FIFO planted under our name must not hang us. */
	fd = openat(dirfd, name, O_RDONLY | O_CREAT | O_NOFOLLOW |
	    O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0644);
	if (fd == -1) {
		if (errno == ELOOP) {
			log_warnx("%s is a symbolic link: not touched", name);
			return SF_TAKEN;
		}
		return SF_ERROR;
	}
	if (fstat(fd, &sb) == -1) {
		int saved_errno = errno;

		close(fd);
		errno = saved_errno;
		return SF_ERROR;
	}
	close(fd);
	if (!S_ISREG(sb.st_mode)) {
		log_warnx("%s is not a regular file: not touched", name);
		return SF_TAKEN;
	}
	sf->dev = sb.st_dev;
	sf->ino = sb.st_ino;
	return SF_OK;
}

static int
same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

enum sf_result
statusfile_write(struct statusfile *sf, uint32_t atime, uint32_t mtime)
{
	struct timespec ts[2];
	struct stat sb;

	if (fstatat(sf->dirfd, sf->name, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? SF_GONE : SF_ERROR;
	if (!S_ISREG(sb.st_mode) || sb.st_dev != sf->dev ||
	    sb.st_ino != sf->ino)
		return SF_TAKEN;
	if (sf->written && !same_time(&sb.st_ctim, &sf->ctime))
		return SF_TAKEN;

	ts[0].tv_sec = atime;
	ts[0].tv_nsec = 0;
	ts[1].tv_sec = mtime;
	ts[1].tv_nsec = 0;
	if (utimensat(sf->dirfd, sf->name, ts, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? SF_GONE : SF_ERROR;
	if (fstatat(sf->dirfd, sf->name, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? SF_GONE : SF_ERROR;
	if (sb.st_ino != sf->ino || sb.st_dev != sf->dev)
		return SF_TAKEN;
	sf->ctime = sb.st_ctim;
	sf->written = 1;
	return SF_OK;
}

int
statusfile_mark_down(int dirfd, const char *name)
{
	Csstat_t down;
	struct timespec ts[2];
	uint32_t a, m;
	struct stat sb;

	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	if (!S_ISREG(sb.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	/* Down since now: readers add the file's age. */
	memset(&down, 0, sizeof(down));
	csstat_encode(&down, &a, &m);
	ts[0].tv_sec = a;
	ts[0].tv_nsec = 0;
	ts[1].tv_sec = m;
	ts[1].tv_nsec = 0;
	return utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW);
}

/*
 * The log is the shared directory's .log, opened without following a
 * link; logging reopens it through /proc, which names the same file.
 */
void
open_shared_log(int dirfd, const char *host)
{
	static char tag[CSSTAT_NAME_MAX + 8];
	char path[64];
	int fd;

	snprintf(tag, sizeof(tag), "ssd@%s", host);
	log_procname(tag);
	fd = openat(dirfd, ".log", O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
	    O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0644);
	if (fd == -1) {
		log_warn(".log");
		return;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (log_open_file(path) == -1)
		log_warn("%s", path);
	/* log_open_file has its own descriptor; keep ours for reopens. */
}
