/*
 * What the kernel's lockd reads from statd through /proc/sys/fs/nfs: the
 * NSM state (nsm_local_state, sent in the kernel's own SM_NOTIFY replies
 * and NLM requests) and, with -T and -U, the ports lockd listens on.
 * Written as root before the drop: /proc/sys checks the writer at each
 * write, not only at open.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "statd.h"

int
kernel_write_int(const char *path, int value)
{
	char buf[16];
	ssize_t n;
	int fd, len;

	fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		if (errno == ENOENT)
			return 1;
		log_warn("%s", path);
		return -1;
	}
	len = snprintf(buf, sizeof(buf), "%d\n", value);
	n = write(fd, buf, (size_t)len);
	if (n != len) {
		log_warn("%s: writing %d", path, value);
		close(fd);
		return -1;
	}
	if (close(fd) == -1) {
		log_warn("%s: writing %d", path, value);
		return -1;
	}
	log_debug("%s: %d", path, value);
	return 0;
}
