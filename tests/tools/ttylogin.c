/*
 * ttylogin: a user logged in on a terminal, for the scenario tests of ssd's
 * idle time.
 *
 *	ttylogin [-f utmpfile] [-u user]
 *
 * Opens a pseudo-terminal, records a login on it in utmp (USER_PROCESS,
 * ut_line the terminal, ut_pid this process, as login does; default file
 * _PATH_UTMPX, made if missing), prints the terminal's name under /dev
 * ("pts/N") and stays.  SIGUSR1 types a key: a byte written to the master
 * is read from the terminal, as a shell reads a keystroke, so the kernel
 * sets the terminal's access time.  TERM or INT records the logout
 * (DEAD_PROCESS) and ends it.
 */
#include <sys/time.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <utmpx.h>

static void
record(const char *file, short type, const char *line, const char *user)
{
	struct utmpx u;
	struct timeval tv;
	size_t len;

	memset(&u, 0, sizeof(u));
	u.ut_type = type;
	u.ut_pid = getpid();
	strncpy(u.ut_line, line, sizeof(u.ut_line));
	/* ut_id: the end of the line, as getty and login make it. */
	len = strlen(line);
	strncpy(u.ut_id, len > sizeof(u.ut_id) ?
	    line + len - sizeof(u.ut_id) : line, sizeof(u.ut_id));
	if (type == USER_PROCESS)
		strncpy(u.ut_user, user, sizeof(u.ut_user));
	gettimeofday(&tv, NULL);
	u.ut_tv.tv_sec = (int32_t)tv.tv_sec;
	u.ut_tv.tv_usec = (int32_t)tv.tv_usec;
	if (utmpxname(file) == -1)
		err(1, "%s", file);
	setutxent();
	if (pututxline(&u) == NULL)
		err(1, "%s: pututxline", file);
	endutxent();
}

static void
keystroke(int master, int slave)
{
	char c = 'x';

	if (write(master, &c, 1) != 1)
		err(1, "write to the master");
	if (read(slave, &c, 1) != 1)
		err(1, "read from the terminal");
}

int
main(int argc, char *argv[])
{
	const char *file = _PATH_UTMPX, *user = "hmtest";
	char *slavepath;
	struct termios t;
	sigset_t set;
	int ch, master, slave, fd, sig;

	while ((ch = getopt(argc, argv, "f:u:")) != -1) {
		switch (ch) {
		case 'f':
			file = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		default:
			fprintf(stderr, "usage: ttylogin [-f utmpfile] "
			    "[-u user]\n");
			return 2;
		}
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);

	if ((master = posix_openpt(O_RDWR | O_NOCTTY)) == -1)
		err(1, "posix_openpt");
	if (grantpt(master) == -1 || unlockpt(master) == -1)
		err(1, "grantpt");
	if ((slavepath = ptsname(master)) == NULL ||
	    (slavepath = strdup(slavepath)) == NULL)
		err(1, "ptsname");
	if (strncmp(slavepath, "/dev/", 5) != 0)
		errx(1, "%s: not under /dev", slavepath);
	if ((slave = open(slavepath, O_RDWR | O_NOCTTY)) == -1)
		err(1, "%s", slavepath);
	/* A key at a time, no echo back into the master. */
	if (tcgetattr(slave, &t) == -1)
		err(1, "tcgetattr");
	cfmakeraw(&t);
	if (tcsetattr(slave, TCSANOW, &t) == -1)
		err(1, "tcsetattr");

	if ((fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1)
		err(1, "%s", file);
	close(fd);
	record(file, USER_PROCESS, slavepath + 5, user);
	printf("%s\n", slavepath + 5);
	fflush(stdout);

	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGUSR1) {
			keystroke(master, slave);
			continue;
		}
		record(file, DEAD_PROCESS, slavepath + 5, user);
		return 0;
	}
}
