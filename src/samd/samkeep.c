/*
 * samkeep: keeps samd running, as keepalive(1M) did.
 *
 * It runs a command and, when the command fails (exits non-zero or is
 * killed), runs it again with its last argument replaced by the restart
 * argument (PROC_FAIL).  After 10 failures within 300 s it gives up, says
 * so, and exits 1.  A command that exits 0 has stopped cleanly and is not
 * restarted.  SIGTERM or SIGINT are passed on to the command; samkeep
 * waits for it and leaves.  samdctl and the init script find samkeep by
 * its pidfile.
 *
 * Detached, it gives the command /dev/null for stdin and stdout and a pipe
 * for stderr, whose lines it logs: the command must not hold the starter's
 * stdout or stderr, or `x=$(/etc/init.d/samd start)` would wait for samd
 * to stop.  Until samd is ready those lines go to the starter's stderr
 * as they are (samkeep's own, then); after that, to samkeep's log.
 */
#include <fcntl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "pidfile.h"
#include "progopt.h"
#include "sam.h"
#include "timeutil.h"

#define QUICK_DEATH_MS	1000	/* a child dying sooner waits a little */
#define RESTART_DELAY_MS 200
#define READY_WAIT_MS	30000
#define STOP_WAIT_MS	30000

static char	**cmd;
static int	  ncmd;
static char	*restart_arg;
static const char *child_pidfile;
static int	  err_pipe[2] = { -1, -1 };	/* the command's stderr */
static int	  null_fd = -1;

static const char usage_text[] =
    "usage: samkeep [-dF] [-c child_pidfile] "
    "[-n failures] [-p pidfile] [-r restart_arg]\n"
    "               [-w seconds] -- command [arg ...]\n";

static __attribute__((noreturn)) void
usage(void)
{
	fputs(usage_text, stderr);
	exit(1);
}

static pid_t
spawn(void)
{
	sigset_t none;
	pid_t pid;

	switch (pid = fork()) {
	case -1:
		log_warn("fork");
		return -1;
	case 0:
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* dup2 leaves the copies without FD_CLOEXEC */
		if (null_fd != -1 && (dup2(null_fd, STDIN_FILENO) == -1 ||
		    dup2(null_fd, STDOUT_FILENO) == -1 ||
		    dup2(err_pipe[1], STDERR_FILENO) == -1))
			_exit(127);
		execv(cmd[0], cmd);
		dprintf(STDERR_FILENO, "samkeep: exec %s: %s\n", cmd[0],
		    strerror(errno));
		_exit(127);
	}
	return pid;
}

/*
 * Log what the command wrote to stderr, a line at a time; a line longer
 * than the buffer is logged in pieces, control characters as '?'.
 */
static void
relay_stderr(int flush)
{
	static char buf[512];
	static size_t len;
	char *nl;
	ssize_t n;
	size_t i;

	if (err_pipe[0] == -1)
		return;
	for (;;) {
		n = read(err_pipe[0], buf + len, sizeof(buf) - 1 - len);
		if (n > 0) {
			for (i = len; i < len + (size_t)n; i++)
				if (buf[i] != '\n' && iscntrl((unsigned char)buf[i]))
					buf[i] = '?';
			len += (size_t)n;
		}
		while ((nl = memchr(buf, '\n', len)) != NULL ||
		    len == sizeof(buf) - 1 || (flush && len > 0 && n <= 0)) {
			size_t line = nl != NULL ? (size_t)(nl - buf) : len;

			buf[line] = '\0';
			/* the starter still listens: to it, as written */
			if (daemon_waiting())
				dprintf(STDERR_FILENO, "%s\n", buf);
			else
				log_warnx("%s", buf);
			if (nl != NULL)
				line++;
			memmove(buf, buf + line, len - line);
			len -= line;
		}
		if (n <= 0 && !(n == -1 && errno == EINTR))
			return;
	}
}

/* Until the child's pidfile names it, or the child is gone. */
static int
wait_ready(pid_t pid)
{
	int64_t deadline = mono_ms() + READY_WAIT_MS;
	int status;

	if (child_pidfile == NULL)
		return 0;
	while (mono_ms() < deadline) {
		relay_stderr(0);
		if (pidfile_check(child_pidfile) == pid)
			return 0;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			/* its last words before samkeep's own */
			relay_stderr(1);
			errno = ECHILD;
			return -1;
		}
		usleep(10000);
	}
	errno = ETIMEDOUT;
	return -1;
}

static void
describe(int status, char *buf, size_t bufsz)
{
	if (WIFSIGNALED(status))
		snprintf(buf, bufsz, "was killed by signal %d",
		    WTERMSIG(status));
	else
		snprintf(buf, bufsz, "exited with status %d",
		    WEXITSTATUS(status));
}

static void
stop_child(pid_t pid)
{
	int64_t deadline = mono_ms() + STOP_WAIT_MS;
	int status;

	kill(pid, SIGTERM);
	while (mono_ms() < deadline) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return;
		usleep(10000);
	}
	log_warnx("child %d ignored SIGTERM: killing it", (int)pid);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

int
main(int argc, char *argv[])
{
	struct sam_failcount fc;
	struct signalfd_siginfo si;
	struct itimerspec its;
	struct pollfd pfd[3];
	struct pidfh *pfh = NULL;
	const char *pidpath = NULL, *lf;
	char how[64], *end;
	sigset_t set;
	int64_t started = 0;
	pid_t child = -1, other, pid;
	long v;
	int ch, debug = 0, fg = 0, maxfail = SAM_KEEP_FAILS;
	int window = SAM_KEEP_WINDOW, status, sfd, tfd, rc = 0, quit = 0;

	log_procname("samkeep");
	log_init(1, 0);
	while ((ch = progopt_getopt(argc, argv, "c:dFn:p:r:w:", "samkeep",
	    usage_text)) != -1) {
		switch (ch) {
		case 'c':
			child_pidfile = optarg;
			break;
		case 'd':
			debug = fg = 1;
			break;
		case 'F':
			fg = 1;
			break;
		case 'n':
		case 'w':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v < 1 ||
			    v > (ch == 'n' ? SAM_KEEP_FAILS : 86400))
				usage();
			if (ch == 'n')
				maxfail = (int)v;
			else
				window = (int)v;
			break;
		case 'p':
			pidpath = optarg;
			break;
		case 'r':
			restart_arg = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc || argv[optind][0] != '/')
		usage();
	cmd = argv + optind;
	ncmd = argc - optind;
	log_setverbose(debug);
	if (!debug && (lf = getenv("SAM_LOGFILE")) != NULL && *lf != '\0' &&
	    log_open_file(lf) == -1)
		fatal("%s", lf);
	sam_failcount_init(&fc, maxfail, window);

	if (pidpath != NULL && (pfh = pidfile_open(pidpath, 0644,
	    &other)) == NULL) {
		if (errno == EEXIST)
			fatalx("already running, pid %d", (int)other);
		fatal("%s", pidpath);
	}
	if (!fg && daemon_detach() == -1)
		fatal("daemon");
	if (!fg) {
		if ((null_fd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
			fatal("/dev/null");
		if (pipe2(err_pipe, O_CLOEXEC) == -1 ||
		    fcntl(err_pipe[0], F_SETFL, O_NONBLOCK) == -1)
			fatal("pipe");
	}
	if (pfh != NULL && pidfile_write(pfh) == -1)
		fatal("%s", pidpath);

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) == -1)
		fatal("signalfd");
	if ((tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC |
	    TFD_NONBLOCK)) == -1)
		fatal("timerfd");

	if ((child = spawn()) == -1)
		fatal("cannot start %s", cmd[0]);
	started = mono_ms();
	if (wait_ready(child) == -1)
		fatal("%s did not start", cmd[0]);
	log_info("watching %s (pid %d), at most %d failures within %d s",
	    cmd[0], (int)child, maxfail, window);
	daemon_ready();

	pfd[0].fd = sfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = tfd;
	pfd[1].events = POLLIN;
	pfd[2].fd = err_pipe[0];	/* -1 in the foreground: ignored */
	pfd[2].events = POLLIN;
	while (!quit) {
		if (poll(pfd, 3, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[2].revents & POLLIN)
			relay_stderr(0);
		if (pfd[1].revents & POLLIN) {
			uint64_t ticks;

			if (read(tfd, &ticks, sizeof(ticks)) > 0 &&
			    child == -1) {
				if ((child = spawn()) == -1) {
					rc = 1;
					break;
				}
				started = mono_ms();
				log_info("restarted %s %s (pid %d)", cmd[0],
				    cmd[ncmd - 1], (int)child);
			}
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
				quit = 1;
				break;
			}
			if (si.ssi_signo == SIGHUP) {
				log_reopen();
				continue;
			}
			while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
				if (pid != child)
					continue;
				child = -1;
				if (WIFEXITED(status) &&
				    WEXITSTATUS(status) == 0) {
					log_info("%s stopped cleanly; not "
					    "restarting it", cmd[0]);
					quit = 1;
					break;
				}
				describe(status, how, sizeof(how));
				if (sam_failcount_add(&fc, mono_ms())) {
					log_warnx("%s %s: %d failures within "
					    "%d s, giving up", cmd[0], how,
					    maxfail, window);
					rc = 1;
					quit = 1;
					break;
				}
				if (restart_arg != NULL)
					cmd[ncmd - 1] = restart_arg;
				log_warnx("%s %s; restarting it", cmd[0], how);
				memset(&its, 0, sizeof(its));
				if (mono_ms() - started < QUICK_DEATH_MS)
					its.it_value.tv_nsec =
					    RESTART_DELAY_MS * 1000000L;
				else
					its.it_value.tv_nsec = 1;
				timerfd_settime(tfd, 0, &its, NULL);
			}
		}
	}
	if (child > 0)
		stop_child(child);
	relay_stderr(1);
	if (pfh != NULL)
		pidfile_remove(pfh);
	return rc;
}
