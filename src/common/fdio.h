/*
 * fdio: whole reads and writes on descriptors, retried across EINTR and
 * short transfers; opening a file that must be a regular one.
 */
#ifndef HM_FDIO_H
#define HM_FDIO_H

#include <stddef.h>
#include <sys/types.h>

/* Write all len bytes.  0, or -1 with errno (EIO if write returned 0). */
int	write_full(int fd, const void *buf, size_t len);
/* Write all len bytes at offset off, as write_full. */
int	pwrite_full(int fd, const void *buf, size_t len, off_t off);
/* Read exactly len bytes.  0, or -1 with errno (EPIPE at end of file). */
int	read_full(int fd, void *buf, size_t len);
/*
 * open(2) for a state or log file: never waits at open (O_NONBLOCK) and
 * takes only a regular file.  A FIFO, device or socket planted in its
 * place gives -1 with errno EINVAL, and is never read or written.
 */
int	open_regular(const char *path, int flags, mode_t mode);

#endif
