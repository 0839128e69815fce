/*
 * statefile: durable replacement and bounded reading of whole files.
 *
 * A replace writes a dot-prefixed temporary file in the same folder, fsyncs
 * it, closes it (checking the result), renames it over the target and fsyncs
 * the folder.  After a crash at any moment the target is the old file or the
 * new one, never a mix.
 */
#ifndef HM_STATEFILE_H
#define HM_STATEFILE_H

#include <sys/types.h>
#include <stddef.h>

/* Replace path with len bytes of buf.  0, or -1 with errno. */
int	statefile_replace(const char *path, const void *buf, size_t len,
	    mode_t mode);

/* A replace written piece by piece (for files too large to build first). */
struct statefile_writer;
struct statefile_writer *statefile_begin(const char *path, mode_t mode);
int	statefile_write(struct statefile_writer *w, const void *buf,
	    size_t len);
int	statefile_commit(struct statefile_writer *w);	/* frees w */
void	statefile_abort(struct statefile_writer *w);	/* frees w */
/* The temporary file's descriptor (O_RDWR), valid until commit or abort. */
int	statefile_fileno(const struct statefile_writer *w);

/*
 * Read all of path into a new NUL-terminated buffer (the NUL is not counted
 * in *lenp).  NULL with errno EFBIG if the file is larger than max bytes,
 * or with the errno of the failure.
 */
char	*statefile_read(const char *path, size_t max, size_t *lenp);

/* fsync the folder that holds path (for renames and creations). */
int	fsync_parent(const char *path);

/*
 * Copy path to path.bad.UNIXTIME (durably) for an administrator to look at;
 * a copy made in the same second gets a "-N" suffix, an existing file is
 * never overwritten.  Returns a malloc'ed name of the copy, or NULL with
 * errno.
 */
char	*statefile_set_aside(const char *path);

/*
 * A process killed in the middle of a replace leaves its temporary file
 * (".NAME.XXXXXX" next to path) behind; the target itself is intact.  A
 * replace does not clean these up, because it cannot tell a leftover from
 * the temporary file of another process replacing the same file right now.
 * The owner of path calls this once at startup (reclog_open does it for its
 * log).  Returns the number of files removed, or -1 with errno.
 */
int	statefile_clean_temps(const char *path);

#endif
