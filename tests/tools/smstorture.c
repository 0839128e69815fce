/*
 * smstorture: the posters of the crash-torture test for smsd
 * (tests/integration/t_torture.sh).  Several threads post events to smsd's
 * posting socket in bursts, while the main thread asks smsd, over HTTP,
 * which of them it holds and whether its history file has caught up:
 *
 *	sent KEY	the posting socket took the event (smsd may not have
 *			read it yet: a kill loses what waits in the socket)
 *	ack KEY		smsd served the event in /v1/events, and afterwards
 *			/v1/server said nothing waits for the disk
 *			(history_queued 0, history_unsaved unchanged): the
 *			event is committed to the history file
 *
 * Every event is named torture.pN (N the thread) with the message
 * "tk-TAG-N-I", I counting the thread's posts; TAG (-t) makes the keys of
 * one run unique.  Runs until smsd stops answering (it was killed), or
 * MAXPOSTS posts per thread.
 *
 *	smstorture -S POST_SOCKET -t TAG [-a ADDR] [-p PORT] [-P POSTERS]
 *	    [-s SEED] [-n MAXPOSTS]
 *
 * Exit 0 when smsd went away (or MAXPOSTS were posted), 1 on a usage
 * error, 2 if smsd could not be reached at the start.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_POSTERS	16
#define KEY_MAX		64

static const char *sock_path, *tag;
static struct sockaddr_in http_addr;
static long maxposts = 1000000;
static unsigned seed = 1;
static volatile int stopping;
static pthread_mutex_t out_mu = PTHREAD_MUTEX_INITIALIZER;

static void
usage(void)
{
	fprintf(stderr, "usage: smstorture -S post_socket -t tag [-a addr] "
	    "[-p port] [-P posters] [-s seed] [-n maxposts]\n");
	exit(1);
}

static long
num(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < min || v > max)
		usage();
	return v;
}

static void
journal(const char *what, const char *key)
{
	pthread_mutex_lock(&out_mu);
	printf("%s %s\n", what, key);
	fflush(stdout);
	pthread_mutex_unlock(&out_mu);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void *
poster(void *arg)
{
	long id = (long)(intptr_t)arg, i = 0;
	unsigned rs = seed * 7919u + (unsigned)id;
	struct sockaddr_un sun;
	char key[KEY_MAX], dgram[256];
	int fd, n, burst;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		perror("smstorture: socket");
		return NULL;
	}
	while (!stopping && i < maxposts) {
		burst = 1 + (int)(rand_r(&rs) % 8);
		while (burst-- > 0 && i < maxposts) {
			snprintf(key, sizeof(key), "tk-%s-%ld-%ld", tag, id, i);
			n = snprintf(dgram, sizeof(dgram), "name=torture.p%ld\n"
			    "priority=100\nmessage=%s\n", id, key);
			/* A full queue is waited out; no smsd ends the run. */
			while (sendto(fd, dgram, (size_t)n, MSG_DONTWAIT,
			    (struct sockaddr *)&sun, sizeof(sun)) == -1) {
				if (errno != EAGAIN && errno != EWOULDBLOCK &&
				    errno != EINTR) {
					close(fd);
					return NULL;
				}
				if (stopping) {
					close(fd);
					return NULL;
				}
				sleep_ms(1);
			}
			journal("sent", key);
			i++;
		}
		/* Quiet moments, so that the history writer catches up. */
		sleep_ms((long)(rand_r(&rs) % 40));
	}
	close(fd);
	return NULL;
}

/* GET path from smsd into a malloc'ed, NUL-terminated buffer; NULL if
   smsd did not answer with a whole 200 response. */
static char *
http_get(const char *path)
{
	char req[512], *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd, rl;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return NULL;
	if (connect(fd, (struct sockaddr *)&http_addr,
	    sizeof(http_addr)) == -1) {
		close(fd);
		return NULL;
	}
	rl = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: torture\r\n"
	    "Connection: close\r\n\r\n", path);
	if (write(fd, req, (size_t)rl) != rl) {
		close(fd);
		return NULL;
	}
	for (;;) {
		if (cap - len < 65536) {
			cap = cap * 2 + 65536;
			if ((nb = realloc(buf, cap + 1)) == NULL)
				break;
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (buf == NULL)
		return NULL;
	buf[len] = '\0';
	if (n != 0 || strncmp(buf, "HTTP/1.1 200 ", 13) != 0 ||
	    strstr(buf, "\r\n\r\n") == NULL) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The number after "\"field\":" in a JSON body, or -1. */
static long long
json_num(const char *body, const char *field)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", field);
	if ((p = strstr(body, pat)) == NULL)
		return -1;
	return strtoll(p + strlen(pat), NULL, 10);
}

struct keys {
	char	(*k)[KEY_MAX];
	size_t	 n, cap;
};

static int
keys_add(struct keys *ks, const char *k, size_t len)
{
	if (len >= KEY_MAX)
		return -1;
	if (ks->n == ks->cap) {
		size_t cap = ks->cap * 2 + 256;
		void *p = realloc(ks->k, cap * sizeof(*ks->k));

		if (p == NULL)
			return -1;
		ks->k = p;
		ks->cap = cap;
	}
	memcpy(ks->k[ks->n], k, len);
	ks->k[ks->n][len] = '\0';
	ks->n++;
	return 0;
}

/*
 * Read the events newer than *since from an /v1/events body: the key of
 * every torture event into ks, the highest seq into *since.  Each event
 * is a compact JSON object beginning {"seq":N, with "message":"KEY".
 */
static int
scan_events(const char *body, uint64_t *since, struct keys *ks)
{
	const char *p = body, *m, *q;
	uint64_t seq;

	while ((p = strstr(p, "{\"seq\":")) != NULL) {
		seq = strtoull(p + 7, NULL, 10);
		if (seq > *since)
			*since = seq;
		if ((m = strstr(p, "\"message\":\"tk-")) == NULL)
			break;
		m += 11;
		if ((q = strchr(m, '"')) == NULL || keys_add(ks, m,
		    (size_t)(q - m)) == -1)
			return -1;
		p = q;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	pthread_t th[MAX_POSTERS];
	struct keys seen = { NULL, 0, 0 };
	const char *addr = "127.0.0.1";
	long posters = 4, port = 596, i;
	long long unsaved0 = -1, queued, unsaved;
	uint64_t since = 0;
	char path[256], *body;
	size_t k;
	int ch, fails = 0;

	while ((ch = getopt(argc, argv, "a:n:p:P:s:S:t:")) != -1) {
		switch (ch) {
		case 'a': addr = optarg; break;
		case 'n': maxposts = num(optarg, 1, 100000000); break;
		case 'p': port = num(optarg, 1, 65535); break;
		case 'P': posters = num(optarg, 1, MAX_POSTERS); break;
		case 's': seed = (unsigned)num(optarg, 0, 0x7fffffff); break;
		case 'S': sock_path = optarg; break;
		case 't': tag = optarg; break;
		default: usage();
		}
	}
	if (sock_path == NULL || tag == NULL || optind != argc ||
	    strlen(sock_path) >= sizeof(((struct sockaddr_un *)0)->sun_path) ||
	    strlen(tag) > 16)
		usage();
	memset(&http_addr, 0, sizeof(http_addr));
	http_addr.sin_family = AF_INET;
	http_addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &http_addr.sin_addr) != 1)
		usage();

	/* Where the ring stands now, and the unsaved count to hold to. */
	if ((body = http_get("/v1/server")) == NULL) {
		fprintf(stderr, "smstorture: smsd does not answer\n");
		return 2;
	}
	unsaved0 = json_num(body, "history_unsaved");
	free(body);
	if (unsaved0 < 0) {
		fprintf(stderr, "smstorture: no history_unsaved in /v1/server\n");
		return 2;
	}
	if ((body = http_get("/v1/events?name=torture.*&limit=1")) != NULL) {
		struct keys ignore = { NULL, 0, 0 };

		(void)scan_events(body, &since, &ignore);
		free(ignore.k);
		free(body);
	}

	for (i = 0; i < posters; i++)
		if (pthread_create(&th[i], NULL, poster, (void *)(intptr_t)i)
		    != 0) {
			fprintf(stderr, "smstorture: pthread_create failed\n");
			return 2;
		}

	/*
	 * ORDER: events first, then the queue.  An event in the answer was
	 * handed to the writer before it; a queue found empty afterwards
	 * means the writer has committed it.
	 */
	while (fails < 3) {
		snprintf(path, sizeof(path), "/v1/events?name=torture.*&"
		    "limit=1000000&since=%" PRIu64, since);
		if ((body = http_get(path)) == NULL) {
			fails++;
			continue;
		}
		if (scan_events(body, &since, &seen) == -1) {
			fprintf(stderr, "smstorture: bad event key\n");
			free(body);
			break;
		}
		free(body);
		if ((body = http_get("/v1/server")) == NULL) {
			fails++;
			continue;
		}
		fails = 0;
		queued = json_num(body, "history_queued");
		unsaved = json_num(body, "history_unsaved");
		free(body);
		if (queued == 0 && unsaved == unsaved0) {
			for (k = 0; k < seen.n; k++)
				journal("ack", seen.k[k]);
			seen.n = 0;
		}
		sleep_ms(2);
	}
	stopping = 1;
	for (i = 0; i < posters; i++)
		pthread_join(th[i], NULL);
	free(seen.k);
	return 0;
}
