/*
 * fdio: whole reads and writes on descriptors, retried across EINTR and
 * short transfers.
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

#endif
