/*
 * statefile: durable replacement and bounded reading of whole files.
 *
 * The order in a replace is what makes it crash-safe: the data must be on
 * disk (fsync of the temporary file) before the rename can make it visible,
 * and the rename itself is only durable once the folder is fsynced.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"
#include "log.h"
#include "statefile.h"

#define TEMP_SUFFIX	".XXXXXX"
#define COPY_BUFSZ	(64 * 1024)
#define SET_ASIDE_TRIES	1000

struct statefile_writer {
	char	*path;
	char	*tmp;		/* ".NAME.XXXXXX" in the same folder */
	int	 fd;
	mode_t	 mode;
	int	 error;		/* first write error, reported at commit */
};

static char	*temp_name(const char *);
static int	finish(struct statefile_writer *);

/* "dir/.base.XXXXXX" for "dir/base"; the dot keeps it out of listings. */
static char *
temp_name(const char *path)
{
	const char *base = strrchr(path, '/');
	char *tmp;
	int dirlen, r;

	if (base == NULL) {
		base = path;
		dirlen = 0;
	} else {
		base++;
		if (base - path > INT_MAX) {
			errno = ENAMETOOLONG;
			return NULL;
		}
		dirlen = (int)(base - path);
	}
	if (*base == '\0') {
		errno = EISDIR;
		return NULL;
	}
	r = asprintf(&tmp, "%.*s.%s" TEMP_SUFFIX, dirlen, path, base);
	if (r == -1)
		return NULL;
	return tmp;
}

struct statefile_writer *
statefile_begin(const char *path, mode_t mode)
{
	struct statefile_writer *w;
	int saved;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->fd = -1;
	w->mode = mode;
	if ((w->path = strdup(path)) == NULL ||
	    (w->tmp = temp_name(path)) == NULL)
		goto fail;
	if ((w->fd = mkostemp(w->tmp, O_CLOEXEC)) == -1)
		goto fail;
	return w;
fail:
	saved = errno;
	free(w->tmp);
	free(w->path);
	free(w);
	errno = saved;
	return NULL;
}

int
statefile_write(struct statefile_writer *w, const void *buf, size_t len)
{
	if (w->error != 0) {
		errno = w->error;
		return -1;
	}
	if (write_full(w->fd, buf, len) == -1) {
		w->error = errno;
		return -1;
	}
	return 0;
}

/* ORDER: mode, fsync, close, rename, fsync folder; each must succeed. */
static int
finish(struct statefile_writer *w)
{
	int fd = w->fd;

	if (w->error != 0) {
		errno = w->error;
		return -1;
	}
	/* mkstemp made it 0600; fchmod is not subject to the umask. */
	if (fchmod(fd, w->mode) == -1 || fsync(fd) == -1)
		return -1;
	w->fd = -1;
	/* On NFS a deferred write error shows up only here. */
	if (close(fd) == -1)
		return -1;
	if (rename(w->tmp, w->path) == -1)
		return -1;
	/* The new content is in place now: the temp name is gone. */
	w->tmp[0] = '\0';
	return fsync_parent(w->path);
}

int
statefile_commit(struct statefile_writer *w)
{
	int r, saved;

	r = finish(w);
	saved = errno;
	statefile_abort(w);
	errno = saved;
	return r;
}

int
statefile_fileno(const struct statefile_writer *w)
{
	return w->fd;
}

void
statefile_abort(struct statefile_writer *w)
{
	int saved = errno;

	if (w == NULL)
		return;
	if (w->fd != -1)
		close(w->fd);
	if (w->tmp[0] != '\0')
		unlink(w->tmp);
	free(w->tmp);
	free(w->path);
	free(w);
	errno = saved;
}

int
statefile_replace(const char *path, const void *buf, size_t len, mode_t mode)
{
	struct statefile_writer *w;

	if ((w = statefile_begin(path, mode)) == NULL)
		return -1;
	if (statefile_write(w, buf, len) == -1) {
		statefile_abort(w);
		return -1;
	}
	return statefile_commit(w);
}

char *
statefile_read(const char *path, size_t max, size_t *lenp)
{
	struct stat st;
	char *buf = NULL, *nbuf;
	size_t cap, len = 0;
	ssize_t n;
	int fd, saved;

	/* Room for the NUL must not overflow. */
	if (max > SIZE_MAX / 2)
		max = SIZE_MAX / 2;
	if ((fd = open_regular(path, O_RDONLY | O_CLOEXEC, 0)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (st.st_size < 0 || (uintmax_t)st.st_size > max) {
		errno = EFBIG;
		goto fail;
	}
	/* One byte more than expected, so EOF is seen without a realloc. */
	cap = (size_t)st.st_size + 1;
	if ((buf = malloc(cap)) == NULL)
		goto fail;
	for (;;) {
		if (len == cap - 1) {
			/* The file grew since fstat: follow it up to max. */
			if (len >= max) {
				char c;

				n = read(fd, &c, 1);
				if (n == -1 && errno == EINTR)
					continue;
				if (n == -1)
					goto fail;
				if (n > 0) {
					errno = EFBIG;
					goto fail;
				}
				break;
			}
			cap = cap > max / 2 ? max + 1 : cap * 2;
			if ((nbuf = realloc(buf, cap)) == NULL)
				goto fail;
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
fail:
	saved = errno;
	free(buf);
	close(fd);
	errno = saved;
	return NULL;
}

int
fsync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, r, saved;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	saved = errno;
	free(dir);
	if (fd == -1) {
		errno = saved;
		return -1;
	}
	r = fsync(fd);
	/* Some file systems cannot fsync a folder; nothing more to do there. */
	if (r == -1 && errno == EINVAL)
		r = 0;
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

/*
 * The copy is written to a temporary file and then link()ed to its name:
 * link fails rather than overwrite an earlier copy, and nobody ever sees a
 * half-written copy under the final name.
 */
char *
statefile_set_aside(const char *path)
{
	struct statefile_writer *w = NULL;
	struct stat st;
	char *buf = NULL, *name = NULL;
	ssize_t n;
	time_t now;
	int fd, i, saved;

	if ((fd = open_regular(path, O_RDONLY | O_CLOEXEC, 0)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 ||
	    (buf = malloc(COPY_BUFSZ)) == NULL ||
	    (w = statefile_begin(path, st.st_mode & 0777)) == NULL)
		goto fail;
	for (;;) {
		n = read(fd, buf, COPY_BUFSZ);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		if (n == 0)
			break;
		if (statefile_write(w, buf, (size_t)n) == -1)
			goto fail;
	}
	if (fchmod(w->fd, w->mode) == -1 || fsync(w->fd) == -1)
		goto fail;
	now = time(NULL);
	for (i = 0; i < SET_ASIDE_TRIES; i++) {
		free(name);
		if ((i == 0 ? asprintf(&name, "%s.bad.%lld", path,
		    (long long)now) : asprintf(&name, "%s.bad.%lld-%d", path,
		    (long long)now, i)) == -1) {
			name = NULL;
			goto fail;
		}
		if (link(w->tmp, name) == 0)
			break;
		if (errno != EEXIST)
			goto fail;
	}
	if (i == SET_ASIDE_TRIES) {
		errno = EEXIST;
		goto fail;
	}
	if (fsync_parent(name) == -1) {
		saved = errno;
		unlink(name);
		errno = saved;
		goto fail;
	}
	statefile_abort(w);	/* removes the temporary name only */
	free(buf);
	close(fd);
	return name;
fail:
	saved = errno;
	statefile_abort(w);
	free(name);
	free(buf);
	close(fd);
	errno = saved;
	return NULL;
}

int
statefile_clean_temps(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash != NULL ? slash + 1 : path;
	struct dirent *de;
	DIR *d;
	char *dir;
	size_t blen = strlen(base), tlen = strlen(TEMP_SUFFIX) - 1;
	int dfd, removed = 0, saved;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return -1;
	d = opendir(dir);
	saved = errno;
	free(dir);
	if (d == NULL) {
		errno = saved;
		return -1;
	}
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name;

		/* Exactly "." base "." and the six characters of mkstemp. */
		if (n[0] != '.' || strlen(n) != 1 + blen + 1 + tlen ||
		    strncmp(n + 1, base, blen) != 0 || n[1 + blen] != '.')
			continue;
		if (unlinkat(dfd, n, 0) == 0) {
			log_info("%s: removed leftover temporary file %s",
			    path, n);
			removed++;
		} else if (errno != ENOENT)
			log_warn("%s: cannot remove %s", path, n);
	}
	closedir(d);
	return removed;
}
