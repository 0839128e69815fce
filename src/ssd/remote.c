/*
 * remote: ssd host, a demon for another host through a remote shell.
 *
 * The remote demon runs in the foreground under the remote shell and
 * watches its standard input, which is a pipe from us: when we go, it sees
 * end of file and marks itself down.  When the remote shell ends (the host
 * crashed, the connection broke), we mark the host down, unless the demon
 * left because another one took over or its file was removed.
 */
#include <sys/types.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "priv.h"
#include "timeutil.h"
#include "ssd.h"

#define RSH_WORDS_MAX	32
#define READY_WAIT_MS	60000	/* the remote demon's first update */
#define CLOSE_WAIT_MS	3000	/* a remote shell's own end after EOF */

int
shell_quote(const char *s, char *buf, size_t bufsz)
{
	size_t len = 0;

#define PUT(c) do { if (len + 1 >= bufsz) return -1; buf[len++] = (c); } \
	while (0)
	PUT('\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'') {
			PUT('\'');
			PUT('\\');
			PUT('\'');
		}
		PUT(*s);
	}
	PUT('\'');
#undef PUT
	buf[len] = '\0';
	return 0;
}

char *
remote_command(const char *ssd, const struct remote_opts *ro)
{
	char qssd[PATH_MAX * 4 + 3], qdir[PATH_MAX * 4 + 3], *cmd;

	if (shell_quote(ssd, qssd, sizeof(qssd)) == -1 ||
	    shell_quote(ro->dir, qdir, sizeof(qdir)) == -1) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	/* The host name passed csstat_name_ok: no quoting needed. */
	if (asprintf(&cmd, "%s -f -w -D %s -H %s -i %d%s", qssd, qdir,
	    ro->host, ro->interval, ro->verbose > 0 ? " -v" : "") == -1)
		return NULL;
	return cmd;
}

static const char *
self_path(char *buf, size_t bufsz)
{
	const char *env = getenv(CSSTAT_ENV_SSD);
	ssize_t n;

	if (env != NULL && *env != '\0')
		return env;
	if ((n = readlink("/proc/self/exe", buf, bufsz - 1)) <= 0)
		return "ssd";
	buf[n] = '\0';
	return buf;
}

/* The remote demon has written since we began. */
static int
remote_fresh(int dirfd, const char *host, time_t since)
{
	struct stat sb;

	return fstatat(dirfd, host, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(sb.st_mode) && sb.st_ctime >= since &&
	    (sb.st_atime >> 16 & 0xffff) != 0;
}

static void
mark_down(int dirfd, const char *host)
{
	if (statusfile_mark_down(dirfd, host) == -1) {
		if (errno != ENOENT)
			log_warn("mark %s down", host);
	} else
		log_info("%s marked down", host);
}

/* Wait for pid up to ms; its status, or -1 if it still runs. */
static int
wait_ms(pid_t pid, int ms)
{
	int64_t end = mono_ms() + ms;
	int status;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r == -1 && errno != EINTR)
			return 0;
		if (mono_ms() >= end)
			return -1;
		usleep(20000);
	}
}

static __attribute__((noreturn)) void
stop_remote(int dirfd, const struct remote_opts *ro, pid_t pid, int pipefd)
{
	close(pipefd);
	if (wait_ms(pid, CLOSE_WAIT_MS) == -1) {
		kill(pid, SIGTERM);
		if (wait_ms(pid, CLOSE_WAIT_MS) == -1) {
			kill(pid, SIGKILL);
			wait_ms(pid, CLOSE_WAIT_MS);
		}
	}
	mark_down(dirfd, ro->host);
	exit(0);
}

void
remote_run(int dirfd, const struct remote_opts *ro)
{
	char buf[PATH_MAX], host[CSSTAT_NAME_MAX + 1], *words, *w, *save, *cmd;
	char *argv[RSH_WORDS_MAX + 3];
	struct signalfd_siginfo si;
	struct pollfd pfd[2];
	int argc = 0, pipefds[2], logfd = -1, sigfd, pidfd, status, ready = 0;
	time_t since;
	int64_t ready_by;
	sigset_t mask;
	pid_t pid;

	if ((cmd = remote_command(self_path(buf, sizeof(buf)), ro)) == NULL)
		fatal("remote command");
	if ((words = strdup(ro->rsh)) == NULL)
		fatal(NULL);
	for (w = strtok_r(words, " \t", &save); w != NULL;
	    w = strtok_r(NULL, " \t", &save)) {
		if (argc == RSH_WORDS_MAX)
			fatalx("remote shell command has too many words");
		argv[argc++] = w;
	}
	if (argc == 0)
		fatalx("empty remote shell command");
	snprintf(host, sizeof(host), "%s", ro->host);
	argv[argc++] = host;
	argv[argc++] = cmd;
	argv[argc] = NULL;

	/*
	 * ORDER: before the fork, so the remote shell's complaints go to the
	 * same file; opened as ro->user, who writes it once we drop.
	 */
	if (!ro->foreground || ro->logfile)
		logfd = open_shared_log(dirfd, ro->host, ro->user);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) == -1)
		fatal("signalfd");
	if (!ro->foreground && daemon_detach() == -1)
		fatal("detach");

	if (pipe2(pipefds, O_CLOEXEC) == -1)
		fatal("pipe");
	since = time(NULL);
	log_info("starting ssd on %s: %s %s ...", ro->host, argv[0], ro->host);
	switch (pid = fork()) {
	case -1:
		fatal("fork");
	case 0:
		if (dup2(pipefds[0], STDIN_FILENO) == -1)
			_exit(127);
		/*
		 * Logging to .log (detached, or -f), the remote side's
		 * complaints go there too: to the file we checked, never to
		 * whatever the name holds by now.
		 */
		if (!ro->foreground || logfd != -1) {
			if (logfd == -1)
				logfd = open("/dev/null", O_WRONLY);
			if (logfd == -1 || dup2(logfd, STDOUT_FILENO) == -1 ||
			    dup2(logfd, STDERR_FILENO) == -1)
				_exit(127);
		}
		sigprocmask(SIG_UNBLOCK, &mask, NULL);
		execvp(argv[0], argv);
		_exit(127);
	default:
		break;
	}
	close(pipefds[0]);
	free(cmd);
	/*
	 * ORDER: the remote shell keeps the caller's identity (its keys);
	 * we drop before touching the directory again.
	 */
	if (geteuid() == 0 && priv_drop(ro->user) == -1)
		fatal("cannot run as %s", ro->user);
	if ((pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) == -1)
		fatal("pidfd_open");

	ready_by = mono_ms() + READY_WAIT_MS;
	for (;;) {
		pfd[0].fd = sigfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = pidfd;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, ready ? -1 : 200) == -1 && errno != EINTR)
			fatal("poll");
		if (pfd[0].revents & POLLIN &&
		    read(sigfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGHUP) {
				log_reopen();
				continue;
			}
			log_info("signal %d: stopping the remote demon",
			    (int)si.ssi_signo);
			stop_remote(dirfd, ro, pid, pipefds[1]);
		}
		if (pfd[1].revents & POLLIN)
			break;
		if (!ready && remote_fresh(dirfd, ro->host, since)) {
			ready = 1;
			log_info("ssd runs on %s", ro->host);
			daemon_ready();
		} else if (!ready && mono_ms() >= ready_by) {
			ready = 1;
			log_warnx("no update from %s after %d s; waiting on",
			    ro->host, READY_WAIT_MS / 1000);
			daemon_ready();
		}
	}

	status = wait_ms(pid, CLOSE_WAIT_MS);
	if (status != -1 && WIFEXITED(status) &&
	    (WEXITSTATUS(status) == SSD_EXIT_TAKEN ||
	    WEXITSTATUS(status) == SSD_EXIT_REMOVED)) {
		log_info("the demon on %s left (%s)", ro->host,
		    WEXITSTATUS(status) == SSD_EXIT_TAKEN ?
		    "another one took over" : "its file was removed");
		exit(0);
	}
	mark_down(dirfd, ro->host);
	if (status != -1 && WIFEXITED(status))
		fatalx("remote shell to %s ended with status %d", ro->host,
		    WEXITSTATUS(status));
	fatalx("remote shell to %s ended by signal %d", ro->host,
	    status != -1 && WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
