/*
 * sample: uptime, load, CPU, users and idle time from /proc, utmp and the
 * access times of terminals and input devices.  Paths are parameters, so
 * the tests feed their own files.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utmpx.h>

#include "ssd.h"

#define PROC_MAX	4096	/* the first line is all we need */

/* The start of a small /proc file, NUL-terminated.  0 or -1. */
static int
read_head(const char *path, char *buf, size_t bufsz)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while (len < bufsz - 1) {
		n = read(fd, buf + len, bufsz - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return 0;
}

int
sample_uptime(const char *path, long *up)
{
	char buf[128], *end;
	double d;

	if (read_head(path, buf, sizeof(buf)) == -1)
		return -1;
	errno = 0;
	d = strtod(buf, &end);
	if (end == buf || errno != 0 || d < 0 || d > (double)LONG_MAX / 2) {
		errno = EINVAL;
		return -1;
	}
	*up = (long)d;
	return 0;
}

int
sample_load(const char *path, int *load)
{
	char buf[128], *end;
	double d;

	if (read_head(path, buf, sizeof(buf)) == -1)
		return -1;
	errno = 0;
	d = strtod(buf, &end);
	if (end == buf || errno != 0 || d < 0 || d > 1e6) {
		errno = EINVAL;
		return -1;
	}
	*load = (int)(d * 100 + 0.5);
	return 0;
}

int
sample_cpu(const char *path, struct cpu_ticks *t)
{
	char buf[PROC_MAX], *p, *end;
	uint64_t v[8];
	int i;

	if (read_head(path, buf, sizeof(buf)) == -1)
		return -1;
	if (strncmp(buf, "cpu ", 4) != 0) {
		errno = EINVAL;
		return -1;
	}
	p = buf + 4;
	/* user nice system idle iowait irq softirq steal */
	for (i = 0; i < 8; i++) {
		errno = 0;
		v[i] = strtoull(p, &end, 10);
		if (end == p || errno != 0) {
			if (i < 4) {
				errno = EINVAL;
				return -1;
			}
			v[i] = 0;	/* old kernels have fewer fields */
		}
		p = end;
	}
	t->usr = v[0] + v[1];
	t->sys = v[2] + v[5] + v[6];
	t->total = 0;
	for (i = 0; i < 8; i++)
		t->total += v[i];
	return 0;
}

static int
pct(uint64_t part, uint64_t whole)
{
	if (whole == 0)
		return 0;
	if (part > whole)
		part = whole;
	return (int)((part * 100 + whole / 2) / whole);
}

void
cpu_percent(const struct cpu_ticks *prev, const struct cpu_ticks *cur,
    int *pctusr, int *pctsys)
{
	uint64_t total = 0, usr = 0, sys = 0;

	/* Counters never go back; if they seem to, show nothing. */
	if (cur->total >= prev->total && cur->usr >= prev->usr &&
	    cur->sys >= prev->sys) {
		total = cur->total - prev->total;
		usr = cur->usr - prev->usr;
		sys = cur->sys - prev->sys;
	}
	*pctusr = pct(usr, total);
	*pctsys = pct(sys, total);
}

/* ut_line is a terminal under /dev, e.g. "pts/3": nothing else is looked at. */
static int
tty_name_ok(const char *line)
{
	const char *p;

	if (line[0] == '\0' || line[0] == '/' || line[0] == '.')
		return 0;
	if (strstr(line, "..") != NULL)
		return 0;
	for (p = line; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '/' || *p == '_' ||
		    *p == '-' || *p == '.'))
			return 0;
	return 1;
}

int
sample_users(const char *utmp, const char *devdir, time_t now, int *users,
    long *idle)
{
	char line[sizeof(((struct utmpx *)0)->ut_line) + 1];
	char path[PATH_MAX];
	struct utmpx *u;
	struct stat sb;
	time_t active;
	long best = -1, i;
	int n = 0;

	if (utmpxname(utmp) == -1)
		return -1;
	setutxent();
	while ((u = getutxent()) != NULL) {
		if (u->ut_type != USER_PROCESS)
			continue;
		/* An entry left by a session that crashed. */
		if (u->ut_pid > 0 && kill(u->ut_pid, 0) == -1 &&
		    errno == ESRCH)
			continue;
		memcpy(line, u->ut_line, sizeof(u->ut_line));
		line[sizeof(u->ut_line)] = '\0';
		active = u->ut_tv.tv_sec;
		if (tty_name_ok(line) && (size_t)snprintf(path, sizeof(path),
		    "%s/%s", devdir, line) < sizeof(path) &&
		    stat(path, &sb) == 0) {
			if (sb.st_atime > active)
				active = sb.st_atime;
			i = now - sb.st_atime;
			if (i < 0)
				i = 0;
			if (best == -1 || i < best)
				best = i;
		}
		if (now - active <= 86400)
			n++;
	}
	endutxent();
	*users = n;
	*idle = n > 0 ? best : -1;
	return 0;
}

long
sample_input_idle(const char *devdir, time_t now)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat sb;
	time_t last = 0;
	DIR *d;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/input", devdir) >=
	    sizeof(path))
		return -1;
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "event", 5) != 0 &&
		    strcmp(de->d_name, "mice") != 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &sb,
		    AT_SYMLINK_NOFOLLOW) == 0 && S_ISCHR(sb.st_mode) &&
		    sb.st_atime > last)
			last = sb.st_atime;
	}
	closedir(d);
	if (last == 0)
		return -1;
	return now > last ? (long)(now - last) : 0;
}
