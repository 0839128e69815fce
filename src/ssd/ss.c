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
#include "progopt.h"

#define EXIT_ALLUP	0
#define EXIT_SOMEDOWN	1
#define EXIT_TROUBLE	2
#define START_WAIT_MS	15000

/*
 * Names point into the directory buffers or argv, which live until exit:
 * no host costs an allocation of its own.
 */
struct hostlist {
	struct ss_host	*h;
	size_t		 n, cap;
	int64_t		 down_after;	/* csstat_down_after(), read once */
};

/* getdents64 buffers, kept for the names in them. */
#define DIRBUF_SIZE	(1 << 20)
struct dirbuf {
	struct dirbuf	*next;
	char		 data[];
};

static const char usage_text[] =
    "usage: ss [-cijlnrtu] [-D dir] [host ...]\n";

static __attribute__((noreturn)) void
usage(void)
{
	fputs(usage_text, stderr);
	exit(EXIT_TROUBLE);
}

static struct ss_host *
add_host(struct hostlist *l, char *name)
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
	nh->name = name;
	return nh;
}

/* Fill h from the file h->name (csstat_name_ok) in dirfd; 0, or -1. */
static int
read_status(int dirfd, const struct hostlist *l, struct ss_host *h,
    time_t now)
{
	if (csstat_stat_at(dirfd, h->name, now, l->down_after, &h->st,
	    NULL) == -1)
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
	int rc;

	if (!start || local == NULL)
		return;
	rc = csstat_at(dirfd, local, time(NULL), &st, &ctime);
	/* A symlink or another foreign file (EINVAL) is left alone. */
	if (!csstat_wants_demon(rc, errno, &st))
		return;
	if (csstat_start(dir, START_WAIT_MS) == -1)
		fprintf(stderr, "ss: cannot start ssd for %s: %s\n", local,
		    strerror(errno));
}

/*
 * Every host in the directory open as dirfd (read from its start, once).
 * getdents64 into buffers of 1 MiB (about
 * 30,000 entries each, so usually one or two calls for the whole
 * directory), then one fstatat per host.
 */
static struct dirbuf *
scan_dir(int dirfd, struct hostlist *l, time_t now)
{
	struct dirbuf *bufs = NULL, *b;
	struct dirent64 *de;
	ssize_t got;
	size_t off;

	for (;;) {
		if ((b = malloc(sizeof(*b) + DIRBUF_SIZE)) == NULL) {
			perror("ss");
			exit(EXIT_TROUBLE);
		}
		b->next = bufs;
		bufs = b;
		if ((got = getdents64(dirfd, b->data, DIRBUF_SIZE)) <= 0)
			break;
		for (off = 0; off < (size_t)got; off += de->d_reclen) {
			de = (struct dirent64 *)(void *)(b->data + off);
			/* .log, temporary files and junk are no hosts. */
			if (!csstat_name_ok(de->d_name))
				continue;
			if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
				continue;
			/* Vanished meanwhile, or not a regular file. */
			if (read_status(dirfd, l, add_host(l, de->d_name),
			    now) == -1)
				l->n--;
		}
	}
	if (got == -1) {
		perror("ss: directory");
		exit(EXIT_TROUBLE);
	}
	return bufs;
}

static void
add_operand(int dirfd, struct hostlist *l, char *arg, char *local,
    time_t now)
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
	if (read_status(dirfd, l, h, now) == -1)
		h->state = resolvable(arg) ? SS_NOSTATUS : SS_UNKNOWN;
}

/*
 * The output: lines are formatted straight into one buffer that is written
 * with one write(2) when it holds OUT_FLUSH bytes or at the end (10,000
 * hosts make about 800 KB).
 */
#define OUT_FLUSH	(1 << 20)
#define OUT_LINE_MAX	(CSSTAT_NAME_MAX + 256)	/* one line or object, "\n" and "," */
struct out {
	char	*buf;
	size_t	 len, size;
};

static int
out_flush(struct out *o)
{
	size_t done = 0;
	ssize_t n;

	while (done < o->len) {
		n = write(STDOUT_FILENO, o->buf + done, o->len - done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	o->len = 0;
	return 0;
}

/* Room for one more line. */
static void
out_room(struct out *o)
{
	if (o->len >= OUT_FLUSH && out_flush(o) == -1) {
		perror("ss: stdout");
		exit(EXIT_TROUBLE);
	}
	if (o->size - o->len < OUT_LINE_MAX) {
		size_t size = OUT_FLUSH + OUT_LINE_MAX;
		char *nb = realloc(o->buf, size);

		if (nb == NULL) {
			perror("ss");
			exit(EXIT_TROUBLE);
		}
		o->buf = nb;
		o->size = size;
	}
}

static void
out_str(struct out *o, const char *s)
{
	size_t n = strlen(s);

	out_room(o);
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

int
main(int argc, char *argv[])
{
	char keys[SS_KEYS_MAX + 1] = "", local[CSSTAT_NAME_MAX + 1];
	const char *dir = csstat_dir();
	char *me = NULL;
	struct hostlist l = { NULL, 0, 0, 0 };
	struct dirbuf *bufs = NULL, *b;
	struct out o = { NULL, 0, 0 };
	int ch, json = 0, reverse = 0, start = 1, dirfd, rc = EXIT_ALLUP;
	size_t i, nkeys = 0;
	time_t now;

	while ((ch = progopt_getopt(argc, argv, "cD:ijlnrtu", "ss",
	    usage_text)) != -1) {
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
	l.down_after = csstat_down_after();
	if (argc == 0)
		bufs = scan_dir(dirfd, &l, now);
	else
		for (i = 0; i < (size_t)argc; i++)
			add_operand(dirfd, &l, argv[i], me, now);
	close(dirfd);
	ss_sort(l.h, l.n, keys, reverse);

	if (json)
		out_str(&o, "[");
	for (i = 0; i < l.n; i++) {
		out_room(&o);
		if (json) {
			if (i > 0)
				o.buf[o.len++] = ',';
			o.buf[o.len++] = '\n';
			o.len += (size_t)ss_json(&l.h[i], o.buf + o.len,
			    o.size - o.len);
		} else {
			o.len += (size_t)ss_line(&l.h[i], o.buf + o.len,
			    o.size - o.len);
			o.buf[o.len++] = '\n';
		}
		if (l.h[i].state != SS_UP)
			rc = EXIT_SOMEDOWN;
	}
	if (json)
		out_str(&o, l.n > 0 ? "\n]\n" : "]\n");
	if (out_flush(&o) == -1) {
		/* ss . >/dev/null is fine; a full disk is not. */
		perror("ss: stdout");
		return EXIT_TROUBLE;
	}
	free(o.buf);
	free(l.h);
	while ((b = bufs) != NULL) {
		bufs = b->next;
		free(b);
	}
	return rc;
}
