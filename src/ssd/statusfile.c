/*
 * statusfile: this host's file in the shared directory.
 *
 * Every access is relative to the directory's descriptor and never follows
 * a symbolic link.  No descriptor on the file is kept: over NFS an open
 * file that is removed lingers as .nfsXXXX, and the removal must be seen.
 *
 * Another writer shows in two ways, and either makes the demon leave: the
 * file's ctime is not the one our last write left (another demon, ours or
 * another implementation of the format, set the times), or the name holds
 * another inode.  A demon takes the file by renaming a new one over it, so
 * that the one it replaces notices even when both write within one tick of
 * a coarse ctime clock (a network file system, an older kernel).
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "priv.h"
#include "ssd.h"

/* The times that say "down since the file's change time". */
static void
down_times(struct timespec ts[2])
{
	Csstat_t down;
	uint32_t a, m;

	memset(&down, 0, sizeof(down));
	csstat_encode(&down, &a, &m);
	ts[0].tv_sec = a;
	ts[0].tv_nsec = 0;
	ts[1].tv_sec = m;
	ts[1].tv_nsec = 0;
}

/*
 * The times the new file starts with: those of the file it replaces, so a
 * reader never sees a status that nobody wrote, or "down since now".
 */
static void
start_times(int dirfd, const char *name, struct timespec ts[2])
{
	struct stat sb;

	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(sb.st_mode)) {
		ts[0] = sb.st_atim;
		ts[1] = sb.st_mtim;
		return;
	}
	down_times(ts);
}

static int
same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

#define TMP_FLAGS	(O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | \
			    O_NOCTTY | O_CLOEXEC)

enum sf_result
statusfile_claim(struct statusfile *sf, int dirfd, const char *name)
{
	char tmp[CSSTAT_NAME_MAX + 32];
	struct timespec ts[2];
	struct stat sb, tsb;
	int fd, saved_errno;

	memset(sf, 0, sizeof(*sf));
	sf->dirfd = dirfd;
	sf->name = name;
	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(sb.st_mode)) {
			log_warnx("%s is a symbolic link: not touched", name);
			return SF_TAKEN;
		}
		if (!S_ISREG(sb.st_mode)) {
			log_warnx("%s is not a regular file: not touched",
			    name);
			return SF_TAKEN;
		}
	} else if (errno != ENOENT)
		return SF_ERROR;

	/*
	 * A leading dot: readers never take it for a host.  O_EXCL: a file
	 * left under this name (by a demon killed here, or planted) is
	 * removed, never written through.
	 */
	snprintf(tmp, sizeof(tmp), ".ssd.%ld.%.200s", (long)getpid(), name);
	fd = openat(dirfd, tmp, TMP_FLAGS, 0644);
	if (fd == -1 && errno == EEXIST && unlinkat(dirfd, tmp, 0) == 0)
		fd = openat(dirfd, tmp, TMP_FLAGS, 0644);
	if (fd == -1)
		return SF_ERROR;
	start_times(dirfd, name, ts);
	if (futimens(fd, ts) == -1 || fstat(fd, &tsb) == -1 ||
	    !S_ISREG(tsb.st_mode))
		goto fail;
	close(fd);
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, name) == -1)
		goto fail;
	/* Ours only if the name now holds the inode we made. */
	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno != ENOENT)
			return SF_ERROR;
		log_warnx("%s was removed as we took it", name);
		return SF_TAKEN;
	}
	if (sb.st_dev != tsb.st_dev || sb.st_ino != tsb.st_ino) {
		log_warnx("another ssd took %s as we did", name);
		return SF_TAKEN;
	}
	sf->dev = sb.st_dev;
	sf->ino = sb.st_ino;
	return SF_OK;

fail:
	saved_errno = errno;
	if (fd != -1)
		close(fd);
	unlinkat(dirfd, tmp, 0);
	errno = saved_errno;
	return SF_ERROR;
}

enum sf_result
statusfile_write(struct statusfile *sf, uint32_t atime, uint32_t mtime)
{
	struct timespec ts[2];
	struct stat sb;
	enum sf_result r = SF_OK;
	int fd, saved_errno;

	/* Look before opening: a device or FIFO under our name is not opened. */
	if (fstatat(sf->dirfd, sf->name, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? SF_GONE : SF_ERROR;
	if (!S_ISREG(sb.st_mode) || sb.st_dev != sf->dev ||
	    sb.st_ino != sf->ino)
		return SF_TAKEN;
	/*
	 * The times are set through a descriptor on the inode checked, never
	 * by name: a new demon renaming its file in meanwhile must not get
	 * our times (it would take them for another writer and leave too).
	 */
	fd = openat(sf->dirfd, sf->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC);
	if (fd == -1)
		return errno == ENOENT ? SF_GONE : errno == ELOOP ? SF_TAKEN :
		    SF_ERROR;
	if (fstat(fd, &sb) == -1)
		r = SF_ERROR;
	else if (!S_ISREG(sb.st_mode) || sb.st_dev != sf->dev ||
	    sb.st_ino != sf->ino)
		r = SF_TAKEN;
	else if (sf->written && !same_time(&sb.st_ctim, &sf->ctime))
		r = SF_TAKEN;
	else {
		ts[0].tv_sec = atime;
		ts[0].tv_nsec = 0;
		ts[1].tv_sec = mtime;
		ts[1].tv_nsec = 0;
		if (futimens(fd, ts) == -1 || fstat(fd, &sb) == -1)
			r = SF_ERROR;
		else {
			sf->ctime = sb.st_ctim;
			sf->written = 1;
		}
	}
	saved_errno = errno;
	close(fd);
	errno = saved_errno;
	return r;
}

int
statusfile_mark_down(int dirfd, const char *name)
{
	struct timespec ts[2];
	struct stat sb;

	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	if (!S_ISREG(sb.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	/* Down since now: readers add the file's age. */
	down_times(ts);
	return utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW);
}

/*
 * Root's starter (ssd host) opens the log before it drops privileges, since
 * its remote shell keeps root's identity: the open is made under the
 * user's identity, so a .log it creates belongs to that user, as one made
 * by a demon does, and the user could write it anyway.
 */
struct ident {
	gid_t	*groups;
	int	 ngroups;
	gid_t	 egid;
};

static int
ident_assume(struct ident *saved, uid_t uid, gid_t gid)
{
	int n;

	memset(saved, 0, sizeof(*saved));
	saved->egid = getegid();
	if ((n = getgroups(0, NULL)) == -1 ||
	    (saved->groups = calloc((size_t)n + 1, sizeof(gid_t))) == NULL ||
	    (saved->ngroups = getgroups(n, saved->groups)) == -1) {
		free(saved->groups);
		return -1;
	}
	/* ORDER: groups and gid while root, the uid last. */
	if (setgroups(1, &gid) == -1)
		goto fail;
	if (setresgid((gid_t)-1, gid, (gid_t)-1) == -1 ||
	    setresuid((uid_t)-1, uid, (uid_t)-1) == -1) {
		/* Still root: undo what was done. */
		if (setresgid((gid_t)-1, saved->egid, (gid_t)-1) == -1 ||
		    setgroups((size_t)saved->ngroups, saved->groups) == -1)
			fatal("cannot restore the group list");
		goto fail;
	}
	return 0;
fail:
	n = errno;
	free(saved->groups);
	errno = n;
	return -1;
}

static void
ident_restore(struct ident *saved)
{
	/* ORDER: the uid first, then what only root may set. */
	if (setresuid((uid_t)-1, 0, (uid_t)-1) == -1 ||
	    setresgid((gid_t)-1, saved->egid, (gid_t)-1) == -1 ||
	    setgroups((size_t)saved->ngroups, saved->groups) == -1)
		fatal("cannot return to root's identity");
	free(saved->groups);
	saved->groups = NULL;
}

/*
 * The log is the shared directory's .log: a regular file, opened without
 * following a link and without waiting (a FIFO or device planted under the
 * name is refused, never written to); logging reopens it through /proc,
 * which names the same file.
 */
int
open_shared_log(int dirfd, const char *host, const char *as_user)
{
	static char tag[CSSTAT_NAME_MAX + 8];
	struct ident saved;
	struct stat sb;
	char path[64];
	uid_t uid;
	gid_t gid;
	int fd, saved_errno, assumed = 0;

	snprintf(tag, sizeof(tag), "ssd@%s", host);
	log_procname(tag);
	/* Look first: a device is not even opened. */
	if (fstatat(dirfd, ".log", &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISREG(sb.st_mode)) {
		log_warnx(".log is not a regular file: not used");
		return -1;
	}
	if (as_user != NULL && geteuid() == 0) {
		if (priv_lookup(as_user, &uid, &gid) == -1) {
			log_warn("user %s", as_user);
			return -1;
		}
		if (ident_assume(&saved, uid, gid) == -1) {
			log_warn("open .log as %s", as_user);
			return -1;
		}
		assumed = 1;
	}
	fd = openat(dirfd, ".log", O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
	    O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0644);
	saved_errno = errno;
	if (assumed)
		ident_restore(&saved);
	if (fd == -1) {
		errno = saved_errno;
		log_warn(".log");
		return -1;
	}
	/* Replaced between the look and the open. */
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);
		log_warnx(".log is not a regular file: not used");
		return -1;
	}
	/* With stdio closed it could be 0-2, which detaching takes over. */
	if (fd <= STDERR_FILENO) {
		int fd2 = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);

		close(fd);
		if ((fd = fd2) == -1) {
			log_warn(".log");
			return -1;
		}
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (log_open_file(path) == -1) {
		log_warn("%s", path);
		close(fd);
		return -1;
	}
	/* log_open_file has its own descriptor; keep ours for reopens. */
	return fd;
}
