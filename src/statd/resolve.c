/*
 * Name resolution off the loop.  getaddrinfo() may wait for a dead DNS
 * server for many seconds; it runs in a few worker threads, and answers
 * come back to the loop through a pipe.  The loop never blocks on it, so a
 * slow resolver delays only the address match of the names it resolves.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "statd.h"

#define RESOLVE_THREADS	4
#define RESOLVE_MAXADDR	8

struct rq {
	struct rq	*next;
	char		*name;
	resolve_fn	 fn;
	void		*arg;
	int		 err;
	int		 naddrs;
	struct sockaddr_storage addrs[RESOLVE_MAXADDR];
};

static pthread_mutex_t	 mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 cv = PTHREAD_COND_INITIALIZER;
static struct rq	*todo, **todo_tail = &todo;
static struct rq	*done_list;
static int		 wake[2] = { -1, -1 };
static int		 stopping, started;

static void
lookup(struct rq *r)
{
	struct addrinfo hints, *res, *ai;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	r->err = getaddrinfo(r->name, NULL, &hints, &res);
	if (r->err != 0)
		return;
	for (ai = res; ai != NULL && r->naddrs < RESOLVE_MAXADDR;
	    ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(r->addrs[0]))
			continue;
		memset(&r->addrs[r->naddrs], 0, sizeof(r->addrs[0]));
		memcpy(&r->addrs[r->naddrs++], ai->ai_addr, ai->ai_addrlen);
	}
	freeaddrinfo(res);
}

static void *
worker(void *unused)
{
	(void)unused;
	for (;;) {
		struct rq *r;
		char c = 1;

		pthread_mutex_lock(&mu);
		while (todo == NULL && !stopping)
			pthread_cond_wait(&cv, &mu);
		if (stopping) {
			pthread_mutex_unlock(&mu);
			return NULL;
		}
		r = todo;
		if ((todo = r->next) == NULL)
			todo_tail = &todo;
		pthread_mutex_unlock(&mu);

		lookup(r);

		pthread_mutex_lock(&mu);
		r->next = done_list;
		done_list = r;
		pthread_mutex_unlock(&mu);
		/* A full pipe already holds a wake-up: nothing lost. */
		(void)write(wake[1], &c, 1);
	}
}

int
resolve_init(void)
{
	pthread_attr_t attr;
	pthread_t t;
	int i;

	if (pipe2(wake, O_NONBLOCK | O_CLOEXEC) == -1)
		return -1;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (i = 0; i < RESOLVE_THREADS; i++)
		if (pthread_create(&t, &attr, worker, NULL) != 0) {
			pthread_attr_destroy(&attr);
			return -1;
		}
	pthread_attr_destroy(&attr);
	started = 1;
	return 0;
}

int
resolve_fd(void)
{
	return wake[0];
}

int
resolve_start(const char *name, resolve_fn fn, void *arg)
{
	struct rq *r;

	if (!started) {
		errno = ENOTCONN;
		return -1;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	if ((r->name = strdup(name)) == NULL) {
		free(r);
		return -1;
	}
	r->fn = fn;
	r->arg = arg;
	pthread_mutex_lock(&mu);
	*todo_tail = r;
	todo_tail = &r->next;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	return 0;
}

void
resolve_dispatch(void)
{
	char buf[256];
	struct rq *list, *r;

	while (read(wake[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&mu);
	list = done_list;
	done_list = NULL;
	pthread_mutex_unlock(&mu);
	while ((r = list) != NULL) {
		list = r->next;
		r->fn(r->name, r->addrs, r->naddrs, r->err, r->arg);
		free(r->name);
		free(r);
	}
}

/*
 * Workers stuck in getaddrinfo cannot be interrupted; they are detached
 * and end with the process.  Queued work is freed.
 */
void
resolve_shutdown(void)
{
	struct rq *r;

	if (!started)
		return;
	pthread_mutex_lock(&mu);
	stopping = 1;
	pthread_cond_broadcast(&cv);
	while ((r = todo) != NULL) {
		todo = r->next;
		free(r->name);
		free(r);
	}
	todo_tail = &todo;
	while ((r = done_list) != NULL) {
		done_list = r->next;
		free(r->name);
		free(r);
	}
	pthread_mutex_unlock(&mu);
}
