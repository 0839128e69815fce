/*
 * Outgoing SM_NOTIFY: after this host reboots, tell every host that was
 * monitored that our state changed.
 *
 * Each pending host goes through  resolve -> rpcbind GETPORT -> SM_NOTIFY,
 * all hosts at once on one non-blocking socket per address family (no
 * blocking call and no process per host), with at most NOTIFY_WINDOW
 * exchanges in flight so a burst does not overrun socket buffers.  An
 * exchange that gets no answer is retried on the ladder of
 * notify_next_delay(): often for ten minutes, then hourly, and given up
 * (and logged) after a day.  Pending hosts are in the status file, so a
 * restart of the daemon goes on where it stopped; the day is counted from
 * the first attempt, which is stored too.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include <rpc/rpc.h>
#include <rpc/pmap_prot.h>

#include "log.h"
#include "smspost.h"
#include "statd.h"
#include "timeutil.h"

#define NOTIFY_WINDOW		1024
#define NOTIFY_REPLY_MS		1000	/* an exchange's answer time */
#define NOTIFY_FREQUENT_MS	(10 * 60 * 1000)
#define NOTIFY_HOURLY_MS	(60 * 60 * 1000)
#define NOTIFY_GIVEUP_MS	(24 * 60 * 60 * 1000LL)
#define NOTIFY_MAX_ADDRS	8

enum phase { IDLE, WAITING, RESOLVING, GETPORT, NOTIFYING };

struct notif {
	struct notif	*next;		/* hash chain */
	struct notif	*wnext;		/* window queue */
	char		*name;
	uint32_t	 hash;
	int		 state;		/* ours, to announce */
	int		 sent_state;	/* the state the SM_NOTIFY out carries */
	int64_t		 since;		/* real_ms() of the first queueing */
	unsigned	 attempts;
	enum phase	 phase;
	int		 naddrs, addr;
	struct sockaddr_storage addrs[NOTIFY_MAX_ADDRS];
	struct timer	 timer;
	struct rpcio	*io;
	uint32_t	 xid;
	u_long		 port;		/* GETPORT result */
	int		 gone;		/* freed while resolving */
};

static uint32_t notif_hashof(const void *p) { return ((const struct notif *)p)->hash; }
static struct htab	 pending = { .hashof = notif_hashof };
static struct notif	*wq_head, **wq_tail = &wq_head;
static int		 inflight, running;
static int		 done_unsynced;	/* 'D' records not yet committed */
static struct rpcio	*io4, *io6;

static void attempt(struct notif *n);
static void on_timer(struct timer *t, void *arg);

int64_t
notify_next_delay(int64_t elapsed_ms, unsigned attempts)
{
	int64_t d;

	if (elapsed_ms >= NOTIFY_GIVEUP_MS)
		return -1;
	if (elapsed_ms < NOTIFY_FREQUENT_MS) {
		/* 1 s, 2 s, 4 s ... up to a minute between attempts */
		d = attempts >= 7 ? 60000 : 1000LL << (attempts ? attempts - 1 : 0);
		if (d > 60000)
			d = 60000;
	} else
		d = NOTIFY_HOURLY_MS;
	if (elapsed_ms + d > NOTIFY_GIVEUP_MS)
		d = NOTIFY_GIVEUP_MS - elapsed_ms;
	return d;
}

static struct notif *
find(const char *name)
{
	uint32_t h = hash_name(name);
	struct notif *n;

	for (n = htab_bucket(&pending, h); n != NULL; n = n->next)
		if (n->hash == h && strcmp(n->name, name) == 0)
			return n;
	return NULL;
}

/* -o: the notifications leave from this port (nfs-utils' meaning). */
static void
bind_outgoing(struct rpcio *io, int family)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (io == NULL || conf.outgoing_port == 0)
		return;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)conf.outgoing_port);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)conf.outgoing_port);
		len = sizeof(*sin6);
	}
	if (bind(rpcio_fd(io), (struct sockaddr *)&ss, len) == -1)
		fatal("-o %d: cannot send notifications from that port",
		    conf.outgoing_port);
}

void
notify_init(void)
{
	if ((io4 = rpcio_new(AF_INET, 0)) == NULL)
		fatal("notify socket");
	bind_outgoing(io4, AF_INET);
	if ((io6 = rpcio_new(AF_INET6, 0)) == NULL)
		log_warn("no IPv6 socket for notifications");
	bind_outgoing(io6, AF_INET6);
}

int
notify_fds(int fds[2])
{
	fds[0] = io4 ? rpcio_fd(io4) : -1;
	fds[1] = io6 ? rpcio_fd(io6) : -1;
	return 2;
}

void
notify_input(int fd)
{
	if (io4 != NULL && fd == rpcio_fd(io4))
		rpcio_input(io4);
	else if (io6 != NULL && fd == rpcio_fd(io6))
		rpcio_input(io6);
	if (done_unsynced) {
		done_unsynced = 0;
		if (store_commit() == -1)
			log_warnx("finished notifications not recorded; they "
			    "will be sent again after a restart");
		store_maybe_compact();
	}
}

static void
stop_exchange(struct notif *n)
{
	if (n->xid != 0 && n->io != NULL)
		rpcio_cancel(n->io, n->xid);
	n->xid = 0;
	if (n->phase == GETPORT || n->phase == NOTIFYING ||
	    n->phase == RESOLVING)
		inflight--;
	n->phase = IDLE;
}

static void
wq_remove(struct notif *n)
{
	struct notif **pp;

	for (pp = &wq_head; *pp != NULL; pp = &(*pp)->wnext)
		if (*pp == n) {
			*pp = n->wnext;
			if (*pp == NULL)
				wq_tail = pp;
			return;
		}
}

static void
notif_free(struct notif *n)
{
	int resolving = n->phase == RESOLVING;

	timer_cancel(&n->timer);
	if (n->phase == WAITING)
		wq_remove(n);
	stop_exchange(n);
	htab_unlink(&pending, n, n->hash);
	if (resolving) {
		n->gone = 1;	/* the resolver's answer frees it */
		return;
	}
	free(n->name);
	free(n);
}

/* Start waiting exchanges while the window has room. */
static void
wq_run(void)
{
	while (wq_head != NULL && inflight < NOTIFY_WINDOW) {
		struct notif *n = wq_head;

		if ((wq_head = n->wnext) == NULL)
			wq_tail = &wq_head;
		n->phase = IDLE;
		attempt(n);
	}
}

static void
finish(struct notif *n, int delivered)
{
	char a[64];

	if (delivered)
		log_info("notified %s (%s) of state %d", esc(n->name),
		    sm_addr_str((struct sockaddr *)&n->addrs[n->addr], a,
		    sizeof(a)), n->state);
	else {
		log_warnx("gave up notifying %s after %u attempts in 24 hours",
		    esc(n->name), n->attempts);
		(void)smspost("hostmon.statd.giveup", SMSPOST_WARNING,
		    "gave up notifying %s of state %d after %u attempts in 24 "
		    "hours", esc(n->name), n->state, n->attempts);
	}
	/*
	 * A delivered host's 'D' record is committed with the rest of its
	 * batch (notify_input): one fdatasync per batch of replies, not one
	 * per host.  Losing it in a crash only notifies the host once more.
	 */
	if (store_notify_done(n->name) == -1 ||
	    (!delivered && store_commit() == -1))
		log_warnx("%s: done not recorded; it will be notified again "
		    "after a restart", esc(n->name));
	notif_free(n);
	if (delivered)
		done_unsynced = 1;
	else
		store_maybe_compact();
	wq_run();
}

/* The exchange failed or timed out: wait for the next rung of the ladder. */
static void
retry_later(struct notif *n)
{
	int64_t d = notify_next_delay(real_ms() - n->since, n->attempts);

	stop_exchange(n);
	if (d < 0) {
		finish(n, 0);
		return;
	}
	if (n->naddrs > 1)
		n->addr = (n->addr + 1) % n->naddrs;
	d -= NOTIFY_REPLY_MS;
	timer_set(&n->timer, d > 0 ? d : 0);
	wq_run();
}

static void
notify_done_cb(void *arg, int err)
{
	struct notif *n = arg;

	n->xid = 0;
	if (err != 0) {
		log_debug("SM_NOTIFY to %s: rejected", esc(n->name));
		retry_later(n);
		return;
	}
	stop_exchange(n);
	/* A newer state came while the older one was on the wire. */
	if (n->sent_state != n->state) {
		n->attempts = 0;
		attempt(n);
		return;
	}
	finish(n, 1);
}

static struct rpcio *
io_for(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET6 ? io6 : io4;
}

static void
getport_done(void *arg, int err)
{
	struct notif *n = arg;
	struct sockaddr_storage to;
	stat_chge args;

	n->xid = 0;
	if (err != 0 || n->port == 0 || n->port > 65535) {
		log_debug("GETPORT at %s: %s", esc(n->name),
		    err ? "rejected" : "statd not registered");
		retry_later(n);
		return;
	}
	memcpy(&to, &n->addrs[n->addr], sizeof(to));
	if (to.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&to)->sin6_port = htons((uint16_t)n->port);
	else
		((struct sockaddr_in *)&to)->sin_port = htons((uint16_t)n->port);
	args.mon_name = (char *)(uintptr_t)conf.myname;
	args.state = n->state;
	n->sent_state = n->state;
	n->phase = NOTIFYING;
	n->io = io_for((struct sockaddr *)&to);
	n->xid = rpcio_call(n->io, (struct sockaddr *)&to, SM_PROG, SM_VERS,
	    SM_NOTIFY, (xdrproc_t)xdr_stat_chge, &args, (xdrproc_t)sm_xdr_void,
	    NULL, notify_done_cb, n);
}

static void
send_getport(struct notif *n)
{
	struct sockaddr_storage to;
	struct pmap pm;

	memcpy(&to, &n->addrs[n->addr], sizeof(to));
	if (to.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&to)->sin6_port = htons(PMAPPORT);
	else
		((struct sockaddr_in *)&to)->sin_port = htons(PMAPPORT);
	n->phase = GETPORT;	/* holds a window slot from here */
	n->io = io_for((struct sockaddr *)&to);
	if (n->io == NULL) {
		retry_later(n);
		return;
	}
	pm.pm_prog = SM_PROG;
	pm.pm_vers = SM_VERS;
	pm.pm_prot = IPPROTO_UDP;
	pm.pm_port = 0;
	n->port = 0;
	n->xid = rpcio_call(n->io, (struct sockaddr *)&to, PMAPPROG, PMAPVERS,
	    PMAPPROC_GETPORT, (xdrproc_t)xdr_pmap, &pm, (xdrproc_t)xdr_u_long,
	    &n->port, getport_done, n);
	timer_set(&n->timer, NOTIFY_REPLY_MS);
}

static void
resolved(const char *name, const struct sockaddr_storage *addrs, int naddrs,
    int err, void *arg)
{
	struct notif *n = arg;

	if (n->gone) {
		free(n->name);
		free(n);
		return;
	}
	inflight--;
	n->phase = IDLE;
	if (err != 0 || naddrs == 0) {
		log_debug("notify %s: cannot resolve: %s", esc(name),
		    gai_strerror(err));
		n->phase = RESOLVING;	/* counted by retry_later */
		inflight++;
		retry_later(n);
		return;
	}
	n->naddrs = naddrs > NOTIFY_MAX_ADDRS ? NOTIFY_MAX_ADDRS : naddrs;
	memcpy(n->addrs, addrs, (size_t)n->naddrs * sizeof(*addrs));
	n->addr = 0;
	inflight++;
	send_getport(n);
}

static void
attempt(struct notif *n)
{
	if (inflight >= NOTIFY_WINDOW) {
		n->phase = WAITING;
		n->wnext = NULL;
		*wq_tail = n;
		wq_tail = &n->wnext;
		return;
	}
	n->attempts++;
	inflight++;
	/* Names are looked up again now and then: addresses change. */
	if (n->naddrs == 0 || n->attempts % 8 == 0) {
		struct sockaddr_storage ss;

		if (sm_parse_numeric(n->name, &ss) == 0) {
			n->addrs[0] = ss;
			n->naddrs = 1;
		} else if (resolve_start(n->name, resolved, n) == 0) {
			n->phase = RESOLVING;
			timer_set(&n->timer, NOTIFY_REPLY_MS * 5);
			return;
		} else if (n->naddrs == 0) {
			n->phase = RESOLVING;
			retry_later(n);
			return;
		}
	}
	send_getport(n);
}

static void
on_timer(struct timer *t, void *arg)
{
	struct notif *n = arg;

	(void)t;
	switch (n->phase) {
	case IDLE:
		attempt(n);
		break;
	case RESOLVING:
		/*
		 * The resolver is slow: leave the lookup to finish on its
		 * own and count this as a failed attempt.
		 */
		timer_set(&n->timer, NOTIFY_REPLY_MS * 5);
		break;
	case GETPORT:
	case NOTIFYING:
		log_debug("notify %s: no answer (attempt %u)", esc(n->name),
		    n->attempts);
		retry_later(n);
		break;
	case WAITING:
		break;
	}
}

int
notify_queue(const char *mon_name, int state, int64_t since_ms)
{
	struct notif *n = find(mon_name);

	if (n != NULL) {
		/* A newer state supersedes the one still being sent. */
		n->state = state;
		return 0;
	}
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return -1;
	if ((n->name = strdup(mon_name)) == NULL) {
		free(n);
		return -1;
	}
	n->hash = hash_name(mon_name);
	n->state = state;
	n->since = since_ms;
	n->phase = IDLE;
	timer_init(&n->timer, on_timer, n);
	if (htab_insert(&pending, n, n->hash) == -1) {
		free(n->name);
		free(n);
		return -1;
	}
	if (running)
		timer_set(&n->timer, 0);
	return 0;
}

void
notify_done(const char *mon_name)
{
	struct notif *n = find(mon_name);

	if (n != NULL)
		notif_free(n);
}

static void
arm(void *item, void *arg)
{
	struct notif *n = item;

	(void)arg;
	if (n->phase == IDLE && !timer_armed(&n->timer))
		timer_set(&n->timer, 0);
}

void
notify_start(void)
{
	running = 1;
	htab_foreach(&pending, arm, NULL);
}

unsigned long
notify_pending(void)
{
	return pending.count;
}

struct each_arg {
	notify_fn	 fn;
	void		*arg;
};

static void
each(void *item, void *arg)
{
	struct notif *n = item;
	struct each_arg *a = arg;

	a->fn(n->name, n->state, n->since, a->arg);
}

void
notify_foreach(notify_fn fn, void *arg)
{
	struct each_arg a = { fn, arg };

	htab_foreach(&pending, each, &a);
}

static void
free_cb(void *item, void *arg)
{
	(void)arg;
	notif_free(item);
}

void
notify_free(void)
{
	htab_foreach(&pending, free_cb, NULL);
	htab_free(&pending);
	rpcio_free(io4);
	rpcio_free(io6);
	io4 = io6 = NULL;
	running = 0;
}
