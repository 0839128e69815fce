/*
 * idlehook: the site's ssd.idle program decides what "idle" means.
 *
 * It runs in its own process group, so that on a timeout the whole group
 * (and any child still holding the pipe) is killed, and a hook that hangs
 * costs one time limit per update, never the demon.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "timeutil.h"
#include "ssd.h"

#define HOOK_LINE_MAX	128

enum idle_verdict
idlehook_parse(const char *line, long *secs)
{
	char word[HOOK_LINE_MAX];
	size_t len;
	const char *p;
	long v = 0;

	while (*line == ' ' || *line == '\t')
		line++;
	len = strcspn(line, "\n");
	if (len >= sizeof(word))
		return IDLE_DEFAULT;
	memcpy(word, line, len);
	while (len > 0 && isspace((unsigned char)word[len - 1]))
		len--;
	word[len] = '\0';

	if (strcmp(word, "busy") == 0) {
		*secs = 0;
		return IDLE_SET;
	}
	if (strcmp(word, "free") == 0) {
		*secs = SSD_IDLE_FREE;
		return IDLE_SET;
	}
	if (strcmp(word, "idle") == 0)
		return IDLE_ADD;
	if (len == 0)
		return IDLE_DEFAULT;
	for (p = word; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return IDLE_DEFAULT;
		if (v > (LONG_MAX - 9) / 10)
			return IDLE_DEFAULT;
		v = v * 10 + (*p - '0');
	}
	/*
	 * The file keeps no more; and ssd adds the seconds since to the
	 * last value ("idle"), which must not overflow.
	 */
	if ((uint64_t)v > CSSTAT_MAX16)
		v = (long)CSSTAT_MAX16;
	*secs = v;
	return IDLE_SET;
}

char *
idlehook_find(void)
{
	char buf[PATH_MAX], *slash, *path;
	ssize_t n;

	if ((n = readlink("/proc/self/exe", buf, sizeof(buf) - 1)) <= 0)
		return NULL;
	buf[n] = '\0';
	if ((slash = strrchr(buf, '/')) == NULL)
		return NULL;
	*slash = '\0';
	if (asprintf(&path, "%s/ssd.idle", buf) == -1)
		return NULL;
	if (access(path, X_OK) == -1) {
		free(path);
		return NULL;
	}
	return path;
}

/* Kill the hook's group and reap it; a process stuck in the kernel is left. */
static int
reap(pid_t pid, int kill_it)
{
	int status, i;
	pid_t r;

	if (kill_it)
		kill(-pid, SIGKILL);
	for (i = 0; i < 100; i++) {
		r = waitpid(pid, &status, kill_it ? WNOHANG : 0);
		if (r == pid)
			return status;
		if (r == -1 && errno != EINTR)
			return -1;
		if (r == 0)
			usleep(10000);
	}
	log_warnx("ssd.idle: pid %ld does not die", (long)pid);
	return -1;
}

enum idle_verdict
idlehook_run(const char *path, const char *host, int timeout_ms, long *secs)
{
	char buf[HOOK_LINE_MAX], esc[LOG_ESCAPE_MAX];
	size_t len = 0;
	int fds[2], devnull, status, left;
	int64_t deadline;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) == -1) {
		log_warn("ssd.idle: pipe");
		return IDLE_DEFAULT;
	}
	switch (pid = fork()) {
	case -1:
		log_warn("ssd.idle: fork");
		close(fds[0]);
		close(fds[1]);
		return IDLE_DEFAULT;
	case 0:
		setpgid(0, 0);
		if ((devnull = open("/dev/null", O_RDWR)) == -1 ||
		    dup2(devnull, STDIN_FILENO) == -1 ||
		    dup2(fds[1], STDOUT_FILENO) == -1)
			_exit(127);
		{
			sigset_t none;

			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
		}
		execl(path, "ssd.idle", host, (char *)NULL);
		_exit(127);
	default:
		break;
	}
	/* Both sides, so the group exists before a kill can target it. */
	setpgid(pid, pid);
	close(fds[1]);

	deadline = mono_ms() + timeout_ms;
	/* The first line is all that counts; stop reading at its end. */
	while (len < sizeof(buf) - 1 && memchr(buf, '\n', len) == NULL) {
		struct pollfd pfd = { fds[0], POLLIN, 0 };

		left = (int)(deadline - mono_ms());
		if (left <= 0 || poll(&pfd, 1, left) == 0) {
			close(fds[0]);
			reap(pid, 1);
			log_warnx("ssd.idle: no answer within %d ms: killed",
			    timeout_ms);
			return IDLE_DEFAULT;
		}
		n = read(fds[0], buf + len, sizeof(buf) - 1 - len);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fds[0]);
	buf[len] = '\0';

	/*
	 * Having said its line, the hook gets the rest of the limit to exit;
	 * its status matters only if it said nothing.
	 */
	status = -1;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if ((r == -1 && errno != EINTR) || mono_ms() >= deadline) {
			status = reap(pid, 1);
			break;
		}
		usleep(5000);
	}
	if (len == 0) {
		if (status != -1 && WIFEXITED(status))
			log_warnx("ssd.idle: no output (exit %d)",
			    WEXITSTATUS(status));
		else
			log_warnx("ssd.idle: no output (killed)");
		return IDLE_DEFAULT;
	}
	switch (idlehook_parse(buf, secs)) {
	case IDLE_SET:
		return IDLE_SET;
	case IDLE_ADD:
		return IDLE_ADD;
	default:
		log_debug("ssd.idle said \"%s\": default algorithm",
		    log_escape(buf, strcspn(buf, "\n"), esc, sizeof(esc)));
		return IDLE_DEFAULT;
	}
}
