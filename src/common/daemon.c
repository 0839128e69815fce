/*
 * daemon: detach with a readiness pipe, after nfs-utils' mydaemon.c.
 *
 * The pipe carries one tagged message from the child: DAEMON_READY alone,
 * or DAEMON_FATAL followed by the fatal message and a NUL.  The tag is the
 * first byte, so no message text can pass for the ready marker.  The parent
 * decides on the first complete message and does not wait for end of file,
 * because processes the child forked may hold copies of the pipe.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

#define DAEMON_READY	'R'
#define DAEMON_FATAL	'F'
/* One write() of at most PIPE_BUF bytes reaches the parent whole. */
#define DAEMON_MSG_MAX	1024

static int	ready_fd = -1;

static void	daemon_send(const char *, size_t);
static void	daemon_fatal_hook(const char *);
static void	daemon_wait_child(int) __attribute__((noreturn));
static void	daemon_stdio_null(void);

int
daemon_waiting(void)
{
	return ready_fd != -1;
}

/*
 * A parent killed meanwhile must not take the daemon with it through
 * SIGPIPE, so the signal is held off and a pending one discarded.
 */
static void
daemon_send(const char *buf, size_t len)
{
	const struct timespec zero = { 0, 0 };
	sigset_t pipeset, oset;
	ssize_t n;

	sigemptyset(&pipeset);
	sigaddset(&pipeset, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipeset, &oset);
	do {
		n = write(ready_fd, buf, len);
	} while (n == -1 && errno == EINTR);
	if (n == -1 && errno == EPIPE && !sigismember(&oset, SIGPIPE))
		while (sigtimedwait(&pipeset, NULL, &zero) == -1 &&
		    errno == EINTR)
			;
	sigprocmask(SIG_SETMASK, &oset, NULL);
}

static void
daemon_fatal_hook(const char *msg)
{
	char buf[DAEMON_MSG_MAX];
	size_t len;

	if (ready_fd == -1)
		return;
	len = strlen(msg);
	if (len > sizeof(buf) - 2)
		len = sizeof(buf) - 2;
	buf[0] = DAEMON_FATAL;
	memcpy(buf + 1, msg, len);
	buf[len + 1] = '\0';
	daemon_send(buf, len + 2);
	close(ready_fd);
	ready_fd = -1;
}

/* The original process: report what the child says, never return. */
static void
daemon_wait_child(int fd)
{
	char buf[DAEMON_MSG_MAX + 1];
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(buf) - 1) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (buf[0] == DAEMON_READY)
			_exit(0);
		if (memchr(buf, '\0', len) != NULL)
			break;
	}
	buf[len] = '\0';
	if (len > 1 && buf[0] == DAEMON_FATAL)
		dprintf(STDERR_FILENO, "%s: %s\n", log_getprocname(), buf + 1);
	else
		dprintf(STDERR_FILENO, "%s: daemon exited before it was ready\n",
		    log_getprocname());
	_exit(1);
}

int
daemon_detach(void)
{
	int fds[2], fd, saved_errno;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	/*
	 * With stdio closed the pipe could get fd 0-2, which daemon_ready()
	 * points at /dev/null.
	 */
	if (fds[1] <= STDERR_FILENO) {
		if ((fd = fcntl(fds[1], F_DUPFD_CLOEXEC,
		    STDERR_FILENO + 1)) == -1)
			goto fail;
		close(fds[1]);
		fds[1] = fd;
	}
	/* Buffered output would otherwise be flushed twice. */
	fflush(NULL);

	switch (pid = fork()) {
	case -1:
		goto fail;
	case 0:
		break;
	default:
		close(fds[1]);
		daemon_wait_child(fds[0]);
		/* NOTREACHED */
	}

	close(fds[0]);
	ready_fd = fds[1];
	log_set_fatal_hook(daemon_fatal_hook);
	if (log_destination() != LOG_TO_FILE)
		log_init(0, 0);
	if (setsid() == -1)
		fatal("setsid");
	if (chdir("/") == -1)
		fatal("chdir /");
	return 0;

fail:
	saved_errno = errno;
	close(fds[0]);
	close(fds[1]);
	errno = saved_errno;
	return -1;
}

/* Before the pipe is let go, so a failure here still reaches the parent. */
static void
daemon_stdio_null(void)
{
	int fd;

	if ((fd = open("/dev/null", O_RDWR)) == -1)
		fatal("/dev/null");
	if (dup2(fd, STDIN_FILENO) == -1 || dup2(fd, STDOUT_FILENO) == -1 ||
	    dup2(fd, STDERR_FILENO) == -1)
		fatal("dup2 /dev/null");
	if (fd > STDERR_FILENO)
		close(fd);
}

void
daemon_ready(void)
{
	int saved_errno = errno;
	char tag = DAEMON_READY;

	if (ready_fd == -1)
		return;
	daemon_stdio_null();
	log_set_fatal_hook(NULL);
	daemon_send(&tag, 1);
	close(ready_fd);
	ready_fd = -1;
	errno = saved_errno;
}

void
daemon_release(void)
{
	int saved_errno = errno;

	if (ready_fd == -1)
		return;
	daemon_stdio_null();
	log_set_fatal_hook(NULL);
	close(ready_fd);
	ready_fd = -1;
	errno = saved_errno;
}
