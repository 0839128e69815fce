/*
 * pidfile: a locked pid file, after FreeBSD's pidfile(3).
 *
 * pidfile_open() creates and flock()s the file before the daemon detaches,
 * so "already running, pid N" reaches the terminal.  The lock lives on the
 * open file description, so it survives daemon_detach()'s fork; write the
 * pid after detaching.  pidfile_remove() unlinks the file only if the path
 * still names the file we locked (same device and inode).
 */
#ifndef HM_PIDFILE_H
#define HM_PIDFILE_H

#include <sys/types.h>

struct pidfh;

/*
 * mode 0 means 0600.  NULL with errno EEXIST and *otherpid set (if otherpid
 * is not NULL; -1 if the holder has not written its pid yet) when another
 * process holds it; NULL with another errno on other failures.
 */
struct pidfh *pidfile_open(const char *path, mode_t mode, pid_t *otherpid);
int	pidfile_write(struct pidfh *pfh);	/* writes getpid(), fsyncs */
int	pidfile_close(struct pidfh *pfh);	/* keeps the file */
/* Unlinks if still ours; 0 also when the path now names another file. */
int	pidfile_remove(struct pidfh *pfh);
int	pidfile_fileno(const struct pidfh *pfh);

/*
 * For status commands: the pid of the live process holding path's lock,
 * 0 if the file exists but nobody holds it (stale), -1 with errno if it
 * cannot be read (ENOENT if absent, EAGAIN if the holder has not written
 * its pid yet).
 */
pid_t	pidfile_check(const char *path);

#endif
