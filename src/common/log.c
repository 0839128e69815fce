/*
 * log: stderr in the foreground, syslog or a file once detached.
 *
 * Every line is formatted once into a buffer and then handed to its
 * destination as data, never as a format, so text that came from a client
 * cannot be interpreted by printf or syslog.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "timeutil.h"

/* Longer lines are cut; syslog itself keeps little more than this. */
#define LOG_LINE_MAX	2048

static enum log_dest	 log_dest = LOG_TO_STDERR;
static int		 log_facility = LOG_DAEMON;
static int		 log_verbose;
static int		 log_syslog_open;
static int		 log_fd = -1;
static char		*log_path;
static log_hook_fn	 log_hook;
static void		*log_hook_arg;
static int		 log_in_hook;
static void		(*log_fatal_hook)(const char *);
static int		 log_in_fatal;
/* openlog() keeps the pointer, so the tag lives in storage that stays. */
static char		 log_tag[64];

static void	log_close_file(void);
static void	log_open_syslog(void);
static void	log_emit(int, const char *);
static void	log_write_all(int, const char *, size_t);
static void	vlog_errno(int, int, const char *, va_list) HM_PRINTF(3, 0);
static void	log_format(char *, size_t, int, const char *, va_list)
		    HM_PRINTF(4, 0);
static void	log_die(const char *) __attribute__((noreturn));

const char *
log_getprocname(void)
{
	if (log_tag[0] == '\0')
		return program_invocation_short_name;
	return log_tag;
}

void
log_procname(const char *name)
{
	int saved_errno = errno;

	if (name == NULL)
		name = program_invocation_short_name;
	snprintf(log_tag, sizeof(log_tag), "%s", name);
	errno = saved_errno;
}

void
log_init(int foreground, int facility)
{
	int saved_errno = errno;

	if (log_tag[0] == '\0')
		log_procname(NULL);
	if (facility != 0)
		log_facility = facility;
	log_close_file();
	if (foreground) {
		if (log_syslog_open) {
			closelog();
			log_syslog_open = 0;
		}
		log_dest = LOG_TO_STDERR;
	} else {
		log_open_syslog();
		log_dest = LOG_TO_SYSLOG;
	}
	errno = saved_errno;
}

static void
log_open_syslog(void)
{
	if (log_syslog_open)
		closelog();
	/* LOG_NDELAY: connect now, before a chroot or privilege drop. */
	openlog(log_getprocname(), LOG_PID | LOG_NDELAY, log_facility);
	log_syslog_open = 1;
}

void
log_setverbose(int level)
{
	log_verbose = level;
}

int
log_getverbose(void)
{
	return log_verbose;
}

enum log_dest
log_destination(void)
{
	return log_dest;
}

static int
log_open_fd(const char *path)
{
	int fd, fd2;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY,
	    0640);
	if (fd == -1)
		return -1;
	/*
	 * With stdio closed the file would get fd 0-2, and daemon_ready()
	 * points those at /dev/null.
	 */
	if (fd <= STDERR_FILENO) {
		fd2 = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
		if (fd2 == -1) {
			int saved_errno = errno;

			close(fd);
			errno = saved_errno;
			return -1;
		}
		close(fd);
		fd = fd2;
	}
	return fd;
}

int
log_open_file(const char *path)
{
	int saved_errno = errno;
	char *p;
	int fd;

	if (path == NULL || *path == '\0') {
		errno = EINVAL;
		return -1;
	}
	if ((p = strdup(path)) == NULL)
		return -1;
	if ((fd = log_open_fd(p)) == -1) {
		saved_errno = errno;
		free(p);
		errno = saved_errno;
		return -1;
	}
	log_close_file();
	if (log_tag[0] == '\0')
		log_procname(NULL);
	log_fd = fd;
	log_path = p;
	log_dest = LOG_TO_FILE;
	errno = saved_errno;
	return 0;
}

int
log_reopen(void)
{
	int saved_errno = errno;
	int fd;

	if (log_path == NULL)
		return 0;
	/* Keep writing to the old file if the new one cannot be made. */
	if ((fd = log_open_fd(log_path)) == -1)
		return -1;
	close(log_fd);
	log_fd = fd;
	errno = saved_errno;
	return 0;
}

static void
log_close_file(void)
{
	if (log_fd != -1)
		close(log_fd);
	log_fd = -1;
	free(log_path);
	log_path = NULL;
}

void
log_set_hook(log_hook_fn fn, void *arg)
{
	log_hook = fn;
	log_hook_arg = arg;
}

void
log_set_fatal_hook(void (*fn)(const char *))
{
	log_fatal_hook = fn;
}

static void
log_write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return;		/* nowhere left to complain */
		}
		buf += n;
		len -= (size_t)n;
	}
}

/*
 * One write() per line, so lines of several processes sharing stderr or an
 * O_APPEND file do not interleave.
 */
static void
log_emit(int pri, const char *msg)
{
	char line[LOG_LINE_MAX + 128], ts[32];
	int n;

	switch (log_dest) {
	case LOG_TO_STDERR:
		n = snprintf(line, sizeof(line), "%s: %s\n",
		    log_getprocname(), msg);
		break;
	case LOG_TO_FILE:
		fmt_time(time(NULL), ts, sizeof(ts));
		n = snprintf(line, sizeof(line), "%s %s[%ld]: %s\n", ts,
		    log_getprocname(), (long)getpid(), msg);
		break;
	case LOG_TO_SYSLOG:
	default:
		syslog(pri, "%s", msg);
		n = -1;
		break;
	}
	if (n > 0) {
		if ((size_t)n >= sizeof(line)) {
			n = sizeof(line) - 1;
			line[n - 1] = '\n';
		}
		log_write_all(log_dest == LOG_TO_FILE ? log_fd : STDERR_FILENO,
		    line, (size_t)n);
	}

	/* A hook that logs would otherwise recurse without end. */
	if (log_hook != NULL && !log_in_hook) {
		log_in_hook = 1;
		log_hook(pri, msg, log_hook_arg);
		log_in_hook = 0;
	}
}

/* errnum >= 0 appends ": strerror(errnum)". */
static void
log_format(char *msg, size_t msgsz, int errnum, const char *fmt, va_list ap)
{
	size_t len;

	msg[0] = '\0';
	if (fmt != NULL)
		vsnprintf(msg, msgsz, fmt, ap);
	if (errnum >= 0) {
		len = strlen(msg);
		snprintf(msg + len, msgsz - len, "%s%s",
		    len > 0 ? ": " : "", strerror(errnum));
	}
}

static void
vlog_errno(int pri, int errnum, const char *fmt, va_list ap)
{
	char msg[LOG_LINE_MAX];

	if (LOG_PRI(pri) == LOG_DEBUG && log_verbose <= 0)
		return;
	log_format(msg, sizeof(msg), errnum, fmt, ap);
	log_emit(pri, msg);
}

void
vlog(int pri, const char *fmt, va_list ap)
{
	int saved_errno = errno;

	vlog_errno(pri, -1, fmt, ap);
	errno = saved_errno;
}

void
logit(int pri, const char *fmt, ...)
{
	int saved_errno = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(pri, -1, fmt, ap);
	va_end(ap);
	errno = saved_errno;
}

void
log_warn(const char *fmt, ...)
{
	int saved_errno = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_ERR, saved_errno, fmt, ap);
	va_end(ap);
	errno = saved_errno;
}

void
log_warnx(const char *fmt, ...)
{
	int saved_errno = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_ERR, -1, fmt, ap);
	va_end(ap);
	errno = saved_errno;
}

void
log_info(const char *fmt, ...)
{
	int saved_errno = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_INFO, -1, fmt, ap);
	va_end(ap);
	errno = saved_errno;
}

void
log_debug(const char *fmt, ...)
{
	int saved_errno = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_DEBUG, -1, fmt, ap);
	va_end(ap);
	errno = saved_errno;
}

static void
log_die(const char *msg)
{
	/* A fatal() from inside the fatal hook must still end the process. */
	if (log_in_fatal)
		_exit(1);
	log_in_fatal = 1;

	log_emit(LOG_CRIT, msg);
	if (log_fatal_hook != NULL)
		log_fatal_hook(msg);
	exit(1);
}

void
fatal(const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	int saved_errno = errno;
	va_list ap;

	va_start(ap, fmt);
	log_format(msg, sizeof(msg), saved_errno, fmt, ap);
	va_end(ap);
	log_die(msg);
}

void
fatalx(const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	log_format(msg, sizeof(msg), -1, fmt, ap);
	va_end(ap);
	log_die(msg);
}

const char *
log_escape(const void *s, size_t len, char *buf, size_t bufsz)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = s;
	char piece[4];
	size_t i, j, n, out = 0, need = 0, room;

	if (bufsz == 0)
		return buf;
	if (p == NULL)
		len = 0;

	/* The whole escaped length decides whether the tail is cut. */
	for (i = 0; i < len; i++) {
		if (p[i] == '\\')
			need += 2;
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			need += 1;
		else
			need += 4;
	}
	room = bufsz - 1;
	if (need > room)
		room = room >= 3 ? room - 3 : 0;

	for (i = 0; i < len; i++) {
		if (p[i] == '\\') {
			piece[0] = piece[1] = '\\';
			n = 2;
		} else if (p[i] >= 0x20 && p[i] < 0x7f) {
			piece[0] = (char)p[i];
			n = 1;
		} else {
			piece[0] = '\\';
			piece[1] = 'x';
			piece[2] = hex[p[i] >> 4];
			piece[3] = hex[p[i] & 0xf];
			n = 4;
		}
		/* Never half an escape: "\x0" would read as another byte. */
		if (out + n > room)
			break;
		for (j = 0; j < n; j++)
			buf[out++] = piece[j];
	}
	if (need > bufsz - 1) {
		for (j = 0; j < 3 && out < bufsz - 1; j++)
			buf[out++] = '.';
	}
	buf[out] = '\0';
	return buf;
}

int
log_ratelimit(struct log_ratelimit *rl, unsigned long *suppressed)
{
	int saved_errno = errno;
	struct timespec ts;
	long long now;

	if (rl->interval <= 0 || rl->burst <= 0) {
		if (suppressed != NULL)
			*suppressed = 0;
		return 1;
	}
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		now = rl->window_start;
	else
		now = (long long)ts.tv_sec;
	errno = saved_errno;

	/* A clock behind the window means the struct was copied or reset. */
	if (rl->count == 0 || now - rl->window_start >= rl->interval ||
	    now < rl->window_start) {
		rl->window_start = now;
		rl->count = 0;
	}
	if (rl->count >= rl->burst) {
		rl->suppressed++;
		return 0;
	}
	rl->count++;
	if (suppressed != NULL)
		*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return 1;
}
