/*
 * log: one logging API for every hostmon daemon, after OpenBSD's log.c.
 *
 * Lines go to stderr while the process is in the foreground, and to syslog
 * (facility daemon unless told otherwise) or to a log file once detached.
 * errno is preserved across every call.  log_warn and fatal append
 * strerror(errno).  A hook lets tests (and the daemon helper) see each line.
 */
#ifndef HM_LOG_H
#define HM_LOG_H

#include <stdarg.h>
#include <stddef.h>

#define HM_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Where lines go. */
enum log_dest {
	LOG_TO_STDERR,		/* foreground */
	LOG_TO_SYSLOG,		/* detached, the default for daemons */
	LOG_TO_FILE		/* detached, with log_open_file() */
};

/*
 * foreground != 0 sends lines to stderr, otherwise to syslog with the given
 * facility (0 keeps the one given before, LOG_DAEMON at first).  Closes a
 * log file opened before.  May be called again, for example after
 * detaching.
 */
void	log_init(int foreground, int facility);
void	log_procname(const char *name);		/* tag of every line */
const char *log_getprocname(void);	/* program name if none was set */
void	log_setverbose(int level);		/* >0 lets log_debug through */
int	log_getverbose(void);

/* Send lines to a file (appended, created 0640).  -1 with errno on error. */
int	log_open_file(const char *path);
/* Reopen that file, after logrotate moved it (on SIGHUP).  0 if none. */
int	log_reopen(void);
enum log_dest log_destination(void);

/*
 * A hook sees every line that passes the verbosity filter, after it was
 * written: pri is a syslog priority, msg the formatted text without newline.
 */
typedef void (*log_hook_fn)(int pri, const char *msg, void *arg);
void	log_set_hook(log_hook_fn fn, void *arg);

/*
 * Called by fatal() and fatalx() with the final message before the process
 * exits; the daemon helper uses it to pass the message up the readiness
 * pipe.  Only one, may be NULL.
 */
void	log_set_fatal_hook(void (*fn)(const char *msg));

void	log_warn(const char *fmt, ...) HM_PRINTF(1, 2);
void	log_warnx(const char *fmt, ...) HM_PRINTF(1, 2);
void	log_info(const char *fmt, ...) HM_PRINTF(1, 2);
void	log_debug(const char *fmt, ...) HM_PRINTF(1, 2);
void	vlog(int pri, const char *fmt, va_list ap) HM_PRINTF(2, 0);
void	logit(int pri, const char *fmt, ...) HM_PRINTF(2, 3);
__attribute__((noreturn)) void fatal(const char *fmt, ...) HM_PRINTF(1, 2);
__attribute__((noreturn)) void fatalx(const char *fmt, ...) HM_PRINTF(1, 2);

/*
 * Make an untrusted string safe to log: printable ASCII is kept (and '\\'
 * doubled), everything else becomes \xNN; the result is cut to fit buf
 * (ending in "..." when cut).  Returns buf.  len of the input is explicit,
 * so embedded NULs are shown too.
 */
const char *log_escape(const void *s, size_t len, char *buf, size_t bufsz);
#define LOG_ESCAPE_MAX	256	/* a good buffer size for names */

/*
 * Rate limiting for lines an outsider can provoke: returns 1 if a line may
 * be logged now (at most burst lines per interval seconds), and counts the
 * ones suppressed, which the next allowed line should mention: on 1,
 * *suppressed (if not NULL) is the number suppressed since the last allowed
 * line and the count starts again; on 0 it is left alone.  interval or
 * burst <= 0 means no limit.
 */
struct log_ratelimit {
	int		interval;	/* seconds */
	int		burst;
	long long	window_start;	/* monotonic seconds */
	int		count;
	unsigned long	suppressed;
};
#define LOG_RATELIMIT_INIT(iv, b) { (iv), (b), 0, 0, 0 }
int	log_ratelimit(struct log_ratelimit *rl, unsigned long *suppressed);

#endif
