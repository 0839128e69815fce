/*
 * pidfile: a locked pid file with FreeBSD pidfile(3) semantics.
 *
 * The flock() on the open file is what says "running"; the pid written in
 * the file only tells who.  A file left behind by a killed daemon is
 * therefore harmless: nobody holds its lock, and the next start takes it.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pidfile.h"

struct pidfh {
	int	 fd;
	char	*path;
	dev_t	 dev;
	ino_t	 ino;
};

/*
 * The holder writes its pid only after detaching, so a fresh file may be
 * empty for a moment; this many tries 5 ms apart cover that.
 */
#define PIDFILE_READ_TRIES	20

static pid_t	pidfile_read_fd(int);
static pid_t	pidfile_read_retry(int);

/* 0 if the file holds no pid (yet), -1 on a read error. */
static pid_t
pidfile_read_fd(int fd)
{
	char buf[32], *end;
	ssize_t n;
	long v;

	do {
		n = pread(fd, buf, sizeof(buf) - 1, 0);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || v <= 0 || v > INT_MAX ||
	    (*end != '\0' && *end != '\n'))
		return 0;
	return (pid_t)v;
}

static pid_t
pidfile_read_retry(int fd)
{
	const struct timespec pause = { 0, 5 * 1000 * 1000 };
	pid_t pid = 0;
	int i;

	for (i = 0; i < PIDFILE_READ_TRIES; i++) {
		if ((pid = pidfile_read_fd(fd)) != 0)
			break;
		nanosleep(&pause, NULL);
	}
	return pid;
}

struct pidfh *
pidfile_open(const char *path, mode_t mode, pid_t *otherpid)
{
	struct pidfh *pfh;
	struct stat fst, pst;
	int fd, saved_errno, tries;
	pid_t pid;

	if (path == NULL || *path == '\0') {
		errno = EINVAL;
		return NULL;
	}
	if (mode == 0)
		mode = 0600;
	if ((pfh = calloc(1, sizeof(*pfh))) == NULL)
		return NULL;
	if ((pfh->path = strdup(path)) == NULL)
		goto fail;

	/*
	 * The previous holder may unlink the file between our open() and
	 * flock(); a lock on that orphaned inode would not keep out the
	 * next process, which creates a new file.  Retry until the lock is
	 * on the file the path names.
	 */
	for (tries = 0;; tries++) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, mode);
		if (fd == -1)
			goto fail;
		if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
			saved_errno = errno;
			if (saved_errno == EWOULDBLOCK) {
				pid = pidfile_read_retry(fd);
				if (otherpid != NULL)
					*otherpid = pid > 0 ? pid : -1;
				saved_errno = EEXIST;
			}
			close(fd);
			errno = saved_errno;
			goto fail;
		}
		if (fstat(fd, &fst) == -1)
			goto fail_fd;
		if (stat(path, &pst) == 0 && pst.st_dev == fst.st_dev &&
		    pst.st_ino == fst.st_ino)
			break;
		if (tries >= 10) {
			errno = EAGAIN;
			goto fail_fd;
		}
		close(fd);
	}
	/* A dead holder's pid must not be read as ours. */
	if (ftruncate(fd, 0) == -1)
		goto fail_fd;
	pfh->fd = fd;
	pfh->dev = fst.st_dev;
	pfh->ino = fst.st_ino;
	return pfh;

fail_fd:
	saved_errno = errno;
	close(fd);
	errno = saved_errno;
fail:
	saved_errno = errno;
	free(pfh->path);
	free(pfh);
	errno = saved_errno;
	return NULL;
}

int
pidfile_write(struct pidfh *pfh)
{
	char buf[32];
	ssize_t n;
	int len;

	if (pfh == NULL || pfh->fd == -1) {
		errno = EINVAL;
		return -1;
	}
	len = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (ftruncate(pfh->fd, 0) == -1)
		return -1;
	do {
		n = pwrite(pfh->fd, buf, (size_t)len, 0);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if (n != len) {
		errno = EIO;
		return -1;
	}
	return fsync(pfh->fd);
}

int
pidfile_fileno(const struct pidfh *pfh)
{
	if (pfh == NULL) {
		errno = EINVAL;
		return -1;
	}
	return pfh->fd;
}

static void
pidfile_free(struct pidfh *pfh)
{
	free(pfh->path);
	free(pfh);
}

int
pidfile_close(struct pidfh *pfh)
{
	int rv;

	if (pfh == NULL) {
		errno = EINVAL;
		return -1;
	}
	rv = close(pfh->fd);
	pidfile_free(pfh);
	return rv;
}

int
pidfile_remove(struct pidfh *pfh)
{
	struct stat st;
	int rv = 0, saved_errno = 0;

	if (pfh == NULL) {
		errno = EINVAL;
		return -1;
	}
	/*
	 * Unlink while still holding the lock, and only our own file: a
	 * stale instance must not remove the file of the one that replaced
	 * it.
	 */
	if (stat(pfh->path, &st) == 0 && st.st_dev == pfh->dev &&
	    st.st_ino == pfh->ino) {
		if (unlink(pfh->path) == -1 && errno != ENOENT) {
			saved_errno = errno;
			rv = -1;
		}
	}
	if (close(pfh->fd) == -1 && rv == 0) {
		saved_errno = errno;
		rv = -1;
	}
	pidfile_free(pfh);
	if (rv == -1)
		errno = saved_errno;
	return rv;
}

pid_t
pidfile_check(const char *path)
{
	int fd, saved_errno;
	pid_t pid;

	if (path == NULL) {
		errno = EINVAL;
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return -1;
	/*
	 * A shared lock is refused only while a daemon holds its exclusive
	 * one, and two status commands do not disturb each other.
	 */
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		close(fd);
		return 0;
	}
	if (errno != EWOULDBLOCK) {
		saved_errno = errno;
		close(fd);
		errno = saved_errno;
		return -1;
	}
	pid = pidfile_read_retry(fd);
	saved_errno = errno;
	close(fd);
	if (pid == 0) {
		errno = EAGAIN;
		return -1;
	}
	if (pid == -1)
		errno = saved_errno;
	return pid;
}
