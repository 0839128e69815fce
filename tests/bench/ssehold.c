/*
 * ssehold: many event stream (text/event-stream) clients of smsd in one
 * process, for the smsd benchmark (tests/bench/bench_smsd.sh).
 *
 *   ssehold -p port [-a addr] [-n clients] [-u target] [-c in-flight]
 *           [-r readyfile] [-t seconds] [-l] [-e events]
 *
 * Opens -n connections to addr:port (default 127.0.0.1), at most -c
 * (default 256) still connecting or waiting for their headers at a time,
 * sends "GET target" (default /v1/events/stream) on each and reads the
 * response headers.  When all have a "200" and their headers, it prints
 * "ready N clients in S s" and creates the ready file (-r), then holds the
 * connections, reading and discarding what arrives (keep-alives), until
 * SIGTERM/SIGINT or -t seconds after ready.
 *
 * -l (latency): every line "... BMK seq ns ..." (the message ssepost
 * sends, ns a CLOCK_MONOTONIC send time) is one event received; its
 * latency is the receive time (CLOCK_MONOTONIC, taken after each read)
 * minus ns.  With -e, it ends as soon as every client has -e events.  The
 * summary line (stdout) gives the clients, the events received per client
 * (min, median, max), events out of order, connections closed by the
 * server, and the latencies p50, p99 and max in microseconds.
 *
 * Plain epoll, one thread; a failed connection or a non-200 answer is
 * reported and makes the exit status 1.
 */
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES	4096

enum cstate { C_IDLE, C_CONNECTING, C_HEADERS, C_OPEN, C_CLOSED };

struct conn {
	int		fd;
	enum cstate	st;
	int		crlf;		/* bytes of "\r\n\r\n" matched */
	int		got_status;
	uint64_t	received;	/* -l: events */
	uint64_t	last_seq;
	uint64_t	disorder;
	char		*line;		/* -l: the partial line */
	size_t		linelen;
};

static volatile sig_atomic_t stop;
static struct conn *conns;
static int nconns;
static const char *target = "/v1/events/stream";
static struct sockaddr_in sa;
static int latency_mode;
static uint32_t *lat;		/* -l: microseconds */
static size_t nlat, caplat;
static char request[1200];
static size_t requestlen;
static int failures;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
usage(void)
{
	fprintf(stderr, "usage: ssehold -p port [-a addr] [-n clients] "
	    "[-u target] [-c in-flight]\n"
	    "               [-r readyfile] [-t seconds] [-l] [-e events]\n");
	exit(2);
}

static int
start_connect(int ep, struct conn *c)
{
	struct epoll_event ev;
	int one = 1;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1) {
		perror("ssehold: socket");
		return -1;
	}
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 &&
	    errno != EINPROGRESS) {
		perror("ssehold: connect");
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	c->st = C_CONNECTING;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLOUT | EPOLLIN;
	ev.data.ptr = c;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) == -1) {
		perror("ssehold: epoll_ctl");
		return -1;
	}
	return 0;
}

static void
conn_close(int ep, struct conn *c)
{
	(void)epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->st = C_CLOSED;
}

static void
lat_add(uint64_t us)
{
	if (nlat == caplat) {
		caplat = caplat != 0 ? caplat * 2 : 65536;
		if ((lat = realloc(lat, caplat * sizeof(*lat))) == NULL) {
			perror("ssehold: realloc");
			exit(1);
		}
	}
	lat[nlat++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

/* One complete line of the stream (chunk sizes included). */
static void
line_seen(struct conn *c, const char *p, size_t len, uint64_t t)
{
	const char *m = memmem(p, len, "BMK ", 4);
	unsigned long long seq, ns;

	if (m == NULL)
		return;
	if (sscanf(m, "BMK %llu %llu", &seq, &ns) != 2)
		return;
	c->received++;
	if (seq <= c->last_seq)
		c->disorder++;
	c->last_seq = seq;
	lat_add(t > ns ? (t - ns) / 1000 : 0);
}

static void
body_bytes(struct conn *c, const char *p, size_t len, uint64_t t)
{
	const char *nl;
	size_t n;

	if (!latency_mode)
		return;
	while (len > 0) {
		nl = memchr(p, '\n', len);
		n = nl != NULL ? (size_t)(nl - p) : len;
		if (c->linelen + n <= LINE_MAX_BYTES) {
			memcpy(c->line + c->linelen, p, n);
			c->linelen += n;
		} else
			c->linelen = LINE_MAX_BYTES + 1;	/* too long: skip */
		if (nl == NULL)
			return;
		if (c->linelen <= LINE_MAX_BYTES)
			line_seen(c, c->line, c->linelen, t);
		c->linelen = 0;
		p = nl + 1;
		len -= n + 1;
	}
}

/* 1 when the headers just ended, -1 on a bad answer or close, else 0. */
static int
readable(int ep, struct conn *c, int *ready_now)
{
	static char buf[65536];
	static const char end[] = "\r\n\r\n";
	ssize_t n;
	size_t i;
	uint64_t t;

	*ready_now = 0;
	n = read(c->fd, buf, sizeof(buf));
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	t = now_ns();
	if (n <= 0) {
		conn_close(ep, c);
		return -1;
	}
	i = 0;
	if (c->st == C_HEADERS) {
		if (!c->got_status) {
			if (n < 12 || memcmp(buf, "HTTP/1.1 200", 12) != 0) {
				fprintf(stderr, "ssehold: answer: %.*s\n",
				    (int)(n > 80 ? 80 : n), buf);
				conn_close(ep, c);
				return -1;
			}
			c->got_status = 1;
		}
		for (; i < (size_t)n && c->crlf < 4; i++)
			c->crlf = buf[i] == end[c->crlf] ? c->crlf + 1 :
			    buf[i] == '\r' ? 1 : 0;
		if (c->crlf < 4)
			return 0;
		c->st = C_OPEN;
		*ready_now = 1;
	}
	body_bytes(c, buf + i, (size_t)n - i, t);
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
summary(double held_s)
{
	uint64_t *per = calloc((size_t)nconns, sizeof(*per)), disorder = 0;
	int i, closed = 0;

	if (per == NULL)
		exit(1);
	for (i = 0; i < nconns; i++) {
		per[i] = conns[i].received;
		disorder += conns[i].disorder;
		if (conns[i].st == C_CLOSED)
			closed++;
	}
	qsort(per, (size_t)nconns, sizeof(*per), cmp_u64);
	qsort(lat, nlat, sizeof(*lat), cmp_u32);
	printf("clients %d held %.1f s closed_by_server %d", nconns, held_s,
	    closed);
	if (latency_mode)
		printf(" events_per_client min %" PRIu64 " median %" PRIu64
		    " max %" PRIu64 " total %zu out_of_order %" PRIu64
		    " latency_us p50 %u p99 %u max %u", per[0],
		    per[nconns / 2], per[nconns - 1], nlat, disorder,
		    nlat ? lat[nlat / 2] : 0,
		    nlat ? lat[(size_t)((double)nlat * 0.99)] : 0,
		    nlat ? lat[nlat - 1] : 0);
	printf("\n");
	free(per);
}

int
main(int argc, char *argv[])
{
	struct epoll_event evs[512];
	const char *addr = "127.0.0.1", *readyfile = NULL;
	int ch, port = 0, inflight = 256, ep, i, k, next = 0, busy = 0;
	int ready = 0, hold_s = 0, n;
	uint64_t expect = 0, t0, tready = 0;
	struct sigaction sa_sig;

	while ((ch = getopt(argc, argv, "a:c:e:ln:p:r:t:u:")) != -1) {
		switch (ch) {
		case 'a': addr = optarg; break;
		case 'c': inflight = atoi(optarg); break;
		case 'e': expect = strtoull(optarg, NULL, 10); break;
		case 'l': latency_mode = 1; break;
		case 'n': nconns = atoi(optarg); break;
		case 'p': port = atoi(optarg); break;
		case 'r': readyfile = optarg; break;
		case 't': hold_s = atoi(optarg); break;
		case 'u': target = optarg; break;
		default: usage();
		}
	}
	if (port <= 0 || port > 65535 || nconns <= 0 || inflight <= 0 ||
	    strlen(target) > 1000)
		usage();
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		usage();
	requestlen = (size_t)snprintf(request, sizeof(request),
	    "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n",
	    target, addr);
	if ((conns = calloc((size_t)nconns, sizeof(*conns))) == NULL)
		return 1;
	for (i = 0; i < nconns; i++) {
		conns[i].fd = -1;
		if (latency_mode && (conns[i].line =
		    malloc(LINE_MAX_BYTES)) == NULL)
			return 1;
	}
	memset(&sa_sig, 0, sizeof(sa_sig));
	sa_sig.sa_handler = on_signal;
	sigaction(SIGTERM, &sa_sig, NULL);
	sigaction(SIGINT, &sa_sig, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		perror("ssehold: epoll_create1");
		return 1;
	}
	t0 = now_ns();
	while (!stop) {
		int timeout = 200;

		while (next < nconns && busy < inflight) {
			if (start_connect(ep, &conns[next]) == -1)
				return 1;
			next++;
			busy++;
		}
		if (ready == nconns && tready == 0) {
			tready = now_ns();
			printf("ready %d clients in %.2f s\n", nconns,
			    (double)(tready - t0) / 1e9);
			if (readyfile != NULL) {
				int fd = open(readyfile, O_WRONLY | O_CREAT |
				    O_TRUNC | O_CLOEXEC, 0644);

				if (fd != -1)
					close(fd);
			}
		}
		if (tready != 0 && hold_s > 0 &&
		    now_ns() - tready >= (uint64_t)hold_s * 1000000000u)
			break;
		if (tready != 0 && latency_mode && expect > 0) {
			for (k = 0; k < nconns; k++)
				if (conns[k].received < expect &&
				    conns[k].st == C_OPEN)
					break;
			if (k == nconns)
				break;
		}
		n = epoll_wait(ep, evs, 512, timeout);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			perror("ssehold: epoll_wait");
			return 1;
		}
		for (k = 0; k < n; k++) {
			struct conn *c = evs[k].data.ptr;
			struct epoll_event ev;
			int err = 0, now_ready;
			socklen_t el = sizeof(err);

			if (c->st == C_CONNECTING) {
				if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR,
				    &err, &el) == -1 || err != 0) {
					fprintf(stderr, "ssehold: connect: "
					    "%s\n", strerror(err));
					conn_close(ep, c);
					failures++;
					busy--;
					continue;
				}
				if (write(c->fd, request, requestlen) !=
				    (ssize_t)requestlen) {
					perror("ssehold: write");
					conn_close(ep, c);
					failures++;
					busy--;
					continue;
				}
				c->st = C_HEADERS;
				memset(&ev, 0, sizeof(ev));
				ev.events = EPOLLIN;
				ev.data.ptr = c;
				(void)epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
				continue;
			}
			if (c->st == C_CLOSED)
				continue;
			{
				enum cstate before = c->st;

				if (readable(ep, c, &now_ready) == -1) {
					if (before == C_HEADERS) {
						failures++;
						busy--;
					}
					continue;
				}
				if (now_ready) {
					ready++;
					busy--;
				}
			}
		}
		if (ready + failures == nconns && failures > 0 && tready == 0) {
			fprintf(stderr, "ssehold: %d of %d clients failed\n",
			    failures, nconns);
			break;
		}
	}
	summary(tready ? (double)(now_ns() - tready) / 1e9 : 0.0);
	return failures > 0 || tready == 0;
}
