/*
 * samdctl: stop, restart and show samd and its watching (samkeep).
 *
 * Root only, except on a private SAM_ROOT the caller owns (tests and the
 * demo): the default root belongs to the system's samd.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pidfile.h"
#include "progopt.h"
#include "sam.h"
#include "timeutil.h"

#define STOP_WAIT_MS	40000

static const char usage_text[] =
    "usage: samdctl stop | restart | status\n       samdctl -h\n";

static __attribute__((noreturn)) void
usage(int rc)
{
	fputs(usage_text, rc ? stderr : stdout);
	exit(rc);
}

static void
check_user(const struct sam_paths *p)
{
	struct stat st;

	if (geteuid() == 0)
		return;
	if (strcmp(p->root, SAM_ROOT_DEFAULT) != 0 &&
	    stat(p->root, &st) == 0 && st.st_uid == geteuid())
		return;
	fatalx("must be run as root");
}

static int
wait_gone(const char *pidfile, int64_t ms)
{
	int64_t deadline = mono_ms() + ms;

	while (mono_ms() < deadline) {
		if (pidfile_check(pidfile) <= 0)
			return 0;
		usleep(20000);
	}
	return -1;
}

static int
stop(const struct sam_paths *p)
{
	char bid[37];
	pid_t keep, samd;

	if (read_boot_id(p->bootid, bid) == -1)
		fatal("boot id %s", p->bootid);
	/* ORDER: the marker first, so samd logs why it stops. */
	if (sam_mkdirs(p) == -1 || sam_stopped_write(p->stopped, bid) == -1)
		fatal("%s", p->stopped);
	keep = pidfile_check(p->samkeep_pid);
	samd = pidfile_check(p->samd_pid);
	if (keep > 0) {
		if (kill(keep, SIGTERM) == -1 && errno != ESRCH)
			fatal("samkeep pid %d", (int)keep);
		if (wait_gone(p->samkeep_pid, STOP_WAIT_MS) == -1)
			fatalx("samkeep (pid %d) did not stop", (int)keep);
	} else if (samd > 0) {
		if (kill(samd, SIGTERM) == -1 && errno != ESRCH)
			fatal("samd pid %d", (int)samd);
	}
	if (wait_gone(p->samd_pid, STOP_WAIT_MS) == -1)
		fatalx("samd did not stop");
	if (keep <= 0 && samd <= 0)
		printf("samd was not running\n");
	else
		printf("samd stopped until the next boot or samdctl restart\n");
	return 0;
}

static int
start(const struct sam_paths *p)
{
	char keep[PATH_MAX];
	pid_t pid;
	int status;

	if (sam_prog_path("samkeep", "SAMKEEP_BIN", keep, sizeof(keep)) == -1)
		fatal("cannot find samkeep");
	if (sam_mkdirs(p) == -1)
		fatal("%s", p->statedir);
	if (access(p->script, X_OK) == -1)
		fatal("%s", p->script);
	if (sam_remove_durably(p->stopped) == -1)
		fatal("%s", p->stopped);
	switch (pid = fork()) {
	case -1:
		fatal("fork");
	case 0:
		execl(keep, "samkeep", "-p", p->samkeep_pid, "-c", p->samd_pid,
		    "-r", "PROC_FAIL", "--", p->script, "PROC_FAIL",
		    (char *)NULL);
		dprintf(STDERR_FILENO, "samdctl: exec %s: %s\n", keep,
		    strerror(errno));
		_exit(127);
	}
	/* samkeep's parent exits once samd is running, or with its error. */
	if (waitpid(pid, &status, 0) == -1)
		fatal("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fatalx("samd did not start");
	printf("samd started, pid %d, watched by samkeep pid %d\n",
	    (int)pidfile_check(p->samd_pid),
	    (int)pidfile_check(p->samkeep_pid));
	return 0;
}

static int
status(const struct sam_paths *p)
{
	struct sam_hb hb;
	pid_t keep, samd, sigd;
	char t[32], el[24], bid[37];
	int64_t age;

	keep = pidfile_check(p->samkeep_pid);
	samd = pidfile_check(p->samd_pid);
	sigd = pidfile_check(p->samsigd_pid);
	if (samd > 0)
		printf("samd: running, pid %d\n", (int)samd);
	else
		printf("samd: not running\n");
	if (keep > 0)
		printf("watched: yes, by samkeep pid %d\n", (int)keep);
	else
		printf("watched: no\n");
	if (sigd > 0)
		printf("samsigd: running, pid %d\n", (int)sigd);
	else
		printf("samsigd: not running\n");
	if (sam_hb_read(p->heartbeat, &hb) == 0) {
		age = real_ms() / 1000 - hb.real_ms / 1000;
		printf("last heartbeat: %s (%s ago), every %u s\n",
		    sam_fmt_time(hb.real_ms / 1000, t, sizeof(t)),
		    fmt_elapsed(age, el, sizeof(el)), hb.interval);
	} else
		printf("last heartbeat: none\n");
	if (read_boot_id(p->bootid, bid) == 0 &&
	    sam_stopped_matches(p->stopped, bid))
		printf("stopped by samdctl stop until the next boot\n");
	printf("event log: %s\n", p->eventlog);
	if (samd > 0 && keep > 0)
		return 0;
	return samd > 0 ? 1 : 3;
}

int
main(int argc, char *argv[])
{
	struct sam_paths paths;
	int ch;

	log_procname("samdctl");
	log_init(1, 0);
	while ((ch = progopt_getopt(argc, argv, "h", "samdctl",
	    usage_text)) != -1) {
		switch (ch) {
		case 'h':
			usage(0);
		default:
			usage(1);
		}
	}
	if (argc - optind != 1)
		usage(1);
	if (sam_paths_init(&paths, NULL) == -1)
		fatal("SAM_ROOT");
	check_user(&paths);
	if (strcmp(argv[optind], "stop") == 0)
		return stop(&paths);
	if (strcmp(argv[optind], "restart") == 0) {
		if (pidfile_check(paths.samkeep_pid) > 0 ||
		    pidfile_check(paths.samd_pid) > 0)
			stop(&paths);
		return start(&paths);
	}
	if (strcmp(argv[optind], "status") == 0)
		return status(&paths);
	usage(1);
}
