/*
 * timeutil: clocks and time formatting shared by the daemons.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "timeutil.h"

static int64_t
clock_ms(clockid_t id)
{
	struct timespec ts;

	/* Only an invalid clock id fails, and these are fixed. */
	if (clock_gettime(id, &ts) == -1)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
mono_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

int64_t
boot_ms(void)
{
	return clock_ms(CLOCK_BOOTTIME);
}

int64_t
real_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

const char *
fmt_elapsed(int64_t seconds, char *buf, size_t bufsz)
{
	uint64_t s;

	if (bufsz == 0)
		return buf;
	/* Negating through uint64_t also works for INT64_MIN. */
	s = seconds < 0 ? -(uint64_t)seconds : (uint64_t)seconds;

	if (s < 60)
		snprintf(buf, bufsz, "%" PRIu64 ".00s", s);
	else if (s < 3600)
		snprintf(buf, bufsz, "%" PRIu64 "m%02" PRIu64 "s",
		    s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, bufsz, "%" PRIu64 "h%02" PRIu64 "m",
		    s / 3600, s % 3600 / 60);
	else if (s < 604800)
		snprintf(buf, bufsz, "%" PRIu64 "d%02" PRIu64 "h",
		    s / 86400, s % 86400 / 3600);
	else
		snprintf(buf, bufsz, "%" PRIu64 "w%02" PRIu64 "d",
		    s / 604800, s % 604800 / 86400);
	return buf;
}

/* The kernel's layout: 8-4-4-4-12 hex digits. */
static int
boot_id_valid(const char *id)
{
	size_t i;

	if (strlen(id) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (id[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)id[i]))
			return 0;
	}
	return 1;
}

int
read_boot_id(const char *path, char out[37])
{
	char buf[64];
	size_t len = 0;
	ssize_t n;
	int fd, saved_errno;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	/* One byte short of buf, to notice a file that is too long. */
	while (len < sizeof(buf) - 1) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			saved_errno = errno;
			close(fd);
			errno = saved_errno;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	/* strlen() in boot_id_valid() also catches an embedded NUL. */
	if (len != 36 || !boot_id_valid(buf)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(out, buf, 37);
	return 0;
}

const char *
fmt_time(time_t t, char *buf, size_t bufsz)
{
	struct tm tm;

	if (bufsz == 0)
		return buf;
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, bufsz, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		buf[0] = '\0';
	return buf;
}
