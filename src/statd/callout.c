/*
 * -H: the high-availability callout, with nfs-utils' arguments:
 *   PROG add-client MON_NAME MY_NAME       an entry was added (committed)
 *   PROG del-client MON_NAME MY_NAME       an entry was removed (committed)
 *   PROG sm-notify MON_NAME ADDRESS STATE  an SM_NOTIFY arrived
 * The program is run directly (execv, no shell), as the user the daemon
 * runs as, with no descriptor but 0, 1 and 2 (/dev/null); one at a time,
 * in the order of the events, so that a script sees add before del.  The
 * daemon does not wait for it: the next starts when the last has exited
 * (SIGCHLD in the loop, callout_reap).  Events beyond CALLOUT_QUEUE_MAX
 * waiting are dropped and counted in the log.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "statd.h"

#define CALLOUT_ARGS	4		/* event and at most three arguments */

struct callout {
	struct callout	*next;
	char		*argv[CALLOUT_ARGS + 2];	/* prog ... NULL */
};

static char		*prog;
static struct callout	*head, **tail = &head;
static unsigned long	 queued, dropped;
static pid_t		 running = -1;

int
callout_set(const char *path)
{
	struct stat sb;

	if (path[0] != '/') {
		log_warnx("-H %s: give the program's absolute path", esc(path));
		return -1;
	}
	if (stat(path, &sb) == -1) {
		log_warn("-H %s", esc(path));
		return -1;
	}
	if (!S_ISREG(sb.st_mode) || (sb.st_mode & 0111) == 0) {
		log_warnx("-H %s: not an executable file", esc(path));
		return -1;
	}
	free(prog);
	if ((prog = strdup(path)) == NULL) {
		log_warn("-H");
		return -1;
	}
	return 0;
}

static void
free_item(struct callout *c)
{
	int i;

	for (i = 1; c->argv[i] != NULL; i++)
		free(c->argv[i]);
	free(c);
}

/* In the child: what is left of the daemon is closed, then exec. */
static __attribute__((noreturn)) void
child(struct callout *c)
{
	sigset_t none;
	int fd;

	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		(void)dup2(fd, 0);
		(void)dup2(fd, 1);
		if (log_destination() != LOG_TO_STDERR)
			(void)dup2(fd, 2);
	}
	(void)close_range(3, ~0U, 0);
	execv(c->argv[0], c->argv);
	_exit(127);
}

static void
start_next(void)
{
	struct callout *c;
	pid_t pid;

	while (running == -1 && (c = head) != NULL) {
		if ((head = c->next) == NULL)
			tail = &head;
		queued--;
		pid = fork();
		if (pid == 0)
			child(c);
		if (pid == -1)
			log_warn("-H %s %s: not run", esc(prog), c->argv[1]);
		else
			running = pid;
		free_item(c);
	}
}

void
callout_queue(const char *event, const char *a1, const char *a2, int state)
{
	struct callout *c;
	char num[16];
	int i = 0;

	if (prog == NULL)
		return;
	if (queued >= CALLOUT_QUEUE_MAX) {
		if (dropped++ % 1000 == 0)
			log_warnx("-H: %lu events waiting; %s %s dropped (%lu "
			    "so far)", queued, event, esc(a1), dropped);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto fail;
	c->argv[i++] = prog;
	if ((c->argv[i++] = strdup(event)) == NULL ||
	    (c->argv[i++] = strdup(a1)) == NULL ||
	    (c->argv[i++] = strdup(a2)) == NULL)
		goto fail;
	if (state >= 0) {
		snprintf(num, sizeof(num), "%d", state);
		if ((c->argv[i++] = strdup(num)) == NULL)
			goto fail;
	}
	*tail = c;
	tail = &c->next;
	queued++;
	start_next();
	return;
fail:
	log_warn("-H: %s %s dropped", event, esc(a1));
	if (c != NULL)
		free_item(c);
}

void
callout_reap(void)
{
	int st;
	pid_t r;

	if (running == -1)
		return;
	while ((r = waitpid(running, &st, WNOHANG)) == -1 && errno == EINTR)
		;
	if (r == 0)
		return;		/* not this child's signal */
	if (r == running) {
		if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
			log_warnx("-H %s: exited %d", esc(prog),
			    WEXITSTATUS(st));
		else if (WIFSIGNALED(st))
			log_warnx("-H %s: killed by signal %d", esc(prog),
			    WTERMSIG(st));
	}
	running = -1;
	start_next();
}

unsigned long
callout_pending(void)
{
	return queued + (running != -1);
}

void
callout_free(void)
{
	struct callout *c;

	while ((c = head) != NULL) {
		head = c->next;
		free_item(c);
	}
	tail = &head;
	queued = 0;
	free(prog);
	prog = NULL;
}
