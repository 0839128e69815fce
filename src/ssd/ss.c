/*
 * ss: network system status, one line per host, from the timestamps of
 * the files in the shared status directory.  Only inodes are looked at;
 * no status file is ever opened.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ssd.h"

#define EXIT_ALLUP	0
#define EXIT_SOMEDOWN	1
#define EXIT_TROUBLE	2
#define START_WAIT_MS	15000

struct hostlist {
	struct ss_host	*h;
	size_t		 n, cap;
};

static __attribute__((noreturn)) void
usage(void)
{
	fprintf(stderr, "usage: ss [-cijlnrtu] [-D dir] [host ...]\n");
	exit(EXIT_TROUBLE);
}

static struct ss_host *
add_host(struct hostlist *l, const char *name)
{
	struct ss_host *nh;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap == 0 ? 256 : l->cap * 2;
		if ((nh = reallocarray(l->h, cap, sizeof(*nh))) == NULL) {
			perror("ss");
			exit(EXIT_TROUBLE);
		}
		l->h = nh;
		l->cap = cap;
	}
	nh = &l->h[l->n++];
	memset(nh, 0, sizeof(*nh));
	if ((nh->name = strdup(name)) == NULL) {
		perror("ss");
		exit(EXIT_TROUBLE);
	}
	return nh;
}

/* Fill h from the file name in dirfd; 0, or -1 with errno. */
static int
read_status(int dirfd, struct ss_host *h, time_t now, time_t *ctimep)
{
	if (csstat_at(dirfd, h->name, now, &h->st, ctimep) == -1)
		return -1;
	h->state = h->st.up > 0 ? SS_UP : SS_DOWN;
	return 0;
}

static int
resolvable(const char *name)
{
	struct addrinfo hints, *res;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return 0;
	freeaddrinfo(res);
	return 1;
}

/*
 * ss and csstat start this host's demon when its status is missing or
 * stale; `ss . >/dev/null 2>&1` in rc.local relies on it.
 */
static void
check_local(int dirfd, const char *dir, const char *local, int start)
{
	Csstat_t st;
	time_t ctime;

	if (!start || local == NULL)
		return;
	if (csstat_at(dirfd, local, time(NULL), &st, &ctime) == 0 &&
	    time(NULL) - ctime <= csstat_down_after())
		return;
	if (errno == EINVAL)		/* a symlink or such: leave it */
		return;
	if (csstat_start(dir, START_WAIT_MS) == -1)
		fprintf(stderr, "ss: cannot start ssd for %s: %s\n", local,
		    strerror(errno));
}

static void
scan_dir(int dirfd, struct hostlist *l, time_t now)
{
	struct dirent *de;
	struct ss_host *h;
	DIR *d;
	int fd;

	if ((fd = dup(dirfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		perror("ss: directory");
		exit(EXIT_TROUBLE);
	}
	while ((de = readdir(d)) != NULL) {
		/* .log, temporary files and junk are no hosts. */
		if (!csstat_name_ok(de->d_name))
			continue;
		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			continue;
		h = add_host(l, de->d_name);
		if (read_status(dirfd, h, now, NULL) == -1) {
			/* Vanished meanwhile, or not a regular file. */
			free(h->name);
			l->n--;
		}
	}
	closedir(d);
}

static void
add_operand(int dirfd, struct hostlist *l, const char *arg,
    const char *local, time_t now)
{
	struct ss_host *h;
	size_t i;

	if (strcmp(arg, ".") == 0 && local != NULL)
		arg = local;
	for (i = 0; i < l->n; i++)
		if (strcmp(l->h[i].name, arg) == 0)
			return;
	h = add_host(l, arg);
	if (!csstat_name_ok(arg)) {
		h->state = SS_UNKNOWN;
		return;
	}
	if (read_status(dirfd, h, now, NULL) == -1)
		h->state = resolvable(arg) ? SS_NOSTATUS : SS_UNKNOWN;
}

int
main(int argc, char *argv[])
{
	char keys[SS_KEYS_MAX + 1] = "", local[CSSTAT_NAME_MAX + 1];
	char line[CSSTAT_NAME_MAX + 256];
	const char *dir = csstat_dir(), *me = NULL;
	struct hostlist l = { NULL, 0, 0 };
	int ch, json = 0, reverse = 0, start = 1, dirfd, rc = EXIT_ALLUP;
	size_t i, nkeys = 0;
	static char obuf[1 << 16];
	time_t now;

	while ((ch = getopt(argc, argv, "cD:ijlnrtu")) != -1) {
		switch (ch) {
		case 'c':
		case 'i':
		case 'l':
		case 't':
		case 'u':
			if (strchr(keys, ch) != NULL)
				break;
			if (nkeys == SS_KEYS_MAX) {
				fprintf(stderr, "ss: at most %d sort keys\n",
				    SS_KEYS_MAX);
				usage();
			}
			keys[nkeys++] = (char)ch;
			keys[nkeys] = '\0';
			break;
		case 'D':
			dir = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'n':
			start = 0;
			break;
		case 'r':
			reverse = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;

	if (csstat_local_name(local, sizeof(local)) == 0)
		me = local;
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "ss: %s: %s\n", dir, strerror(errno));
		return EXIT_TROUBLE;
	}
	check_local(dirfd, dir, me, start);

	now = time(NULL);
	if (argc == 0)
		scan_dir(dirfd, &l, now);
	else
		for (i = 0; i < (size_t)argc; i++)
			add_operand(dirfd, &l, argv[i], me, now);
	close(dirfd);
	ss_sort(l.h, l.n, keys, reverse);

	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	if (json)
		fputs("[", stdout);
	for (i = 0; i < l.n; i++) {
		if (json) {
			ss_json(&l.h[i], line, sizeof(line));
			printf("%s\n%s", i == 0 ? "" : ",", line);
		} else {
			ss_line(&l.h[i], line, sizeof(line));
			puts(line);
		}
		if (l.h[i].state != SS_UP)
			rc = EXIT_SOMEDOWN;
	}
	if (json)
		fputs(l.n > 0 ? "\n]\n" : "]\n", stdout);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		/* ss . >/dev/null is fine; a full disk is not. */
		perror("ss: stdout");
		return EXIT_TROUBLE;
	}
	for (i = 0; i < l.n; i++)
		free(l.h[i].name);
	free(l.h);
	return rc;
}
