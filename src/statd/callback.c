/*
 * Incoming SM_NOTIFY: a monitored host says it restarted.  Find the
 * entries that watch it and call their lock managers back.
 *
 * A host matches when the notification's mon_name is the name it was
 * monitored by (any case), when the sender's address is one of the
 * monitored name's addresses (lock managers such as NFS-Ganesha monitor a
 * client by its address string, while the client's statd announces its
 * host name), or when the notified name is such an address.  The callback
 * carries the mon_name exactly as the lock manager gave it and its priv
 * bytes unchanged, and goes only to this host (127.0.0.1), from a reserved
 * port, to a program on the allow-list: statd relays nothing.  A repeated
 * notification with a state already delivered is dropped.  A lock manager
 * that does not answer is called again on the notification ladder, with
 * timers, never in a loop.
 *
 * SM_NOTIFY comes from anyone, so a flood must cost little: per host, a
 * new state is delivered at once only if the host's last delivery is at
 * least CB_QUIET_MS old.  A change inside that time is held back, newer
 * changes replace it, and the newest is delivered when the time is up:
 * a host's first new state is never delayed, the lock manager ends with
 * the latest state, and a host costs at most one delivery (callbacks, a
 * log line, an smsd event) per CB_QUIET_MS however often it is named.
 * Notifications that deliver nothing are logged at a limited rate.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rpc/rpc.h>
#include <rpc/pmap_prot.h>

#include "log.h"
#include "smspost.h"
#include "statd.h"
#include "timeutil.h"

#define CB_REPLY_MS	1000
#define CB_QUIET_MS	5000	/* per host, after a delivery */
/*
 * Callbacks out at once.  A storm of notifications queues thousands; sent
 * together they would overflow the lock manager's socket buffer, and each
 * dropped one would wait CB_REPLY_MS for its retry.
 */
#define CB_WINDOW	64

struct cb {
	struct cb	*next;		/* hash chain */
	uint32_t	 hash;		/* of the entry it is for */
	char		*mon_name;
	char		*my_name;
	int		 state;
	int		 sent_state;	/* what the call out carries */
	unsigned char	 priv[SM_PRIV_SIZE];
	uint32_t	 prog, vers, proc;
	unsigned	 attempts;
	int64_t		 since;
	struct timer	 timer;
	uint32_t	 xid;
	u_long		 port;
	int		 calling;	/* GETPORT or the call is out */
	int		 queued;	/* waiting for room in the window */
	TAILQ_ENTRY(cb)	 wentry;
};

/* A host's newer state, waiting for the host's quiet time to end. */
struct held {
	struct held	*next;		/* hash chain */
	uint32_t	 hash;		/* of the host's name */
	char		*name;		/* the host's mon_name */
	int		 state;
	unsigned long	 folded;	/* notifications it stands for */
	struct timer	 timer;
};

static uint32_t cb_hashof(const void *p) { return ((const struct cb *)p)->hash; }
static uint32_t held_hashof(const void *p) { return ((const struct held *)p)->hash; }
static struct rpcio	*io;
static struct htab	 cbs = { .hashof = cb_hashof };
static struct htab	 helds = { .hashof = held_hashof };
static TAILQ_HEAD(cbqueue, cb) waiting = TAILQ_HEAD_INITIALIZER(waiting);
static unsigned		 inflight;
static unsigned long	 retries;

static void cb_start(struct cb *);

/* c's call is over (answered, failed or timed out): room for the next. */
static void
cb_idle(struct cb *c)
{
	struct cb *w;

	if (!c->calling)
		return;
	c->calling = 0;
	inflight--;
	while (inflight < CB_WINDOW && (w = TAILQ_FIRST(&waiting)) != NULL) {
		TAILQ_REMOVE(&waiting, w, wentry);
		w->queued = 0;
		cb_start(w);
	}
}

static struct log_ratelimit notify_rl = LOG_RATELIMIT_INIT(60, 20);
static struct log_ratelimit quiet_rl = LOG_RATELIMIT_INIT(60, 10);

/*
 * rpcbind's answer for a lock manager's program, kept PORT_KEEP_MS: a
 * storm of notifications calls back one program thousands of times, and a
 * GETPORT before each call would double the datagrams.  A callback that
 * goes unanswered forgets the port, so a lock manager that moved is found
 * again at the next attempt.
 */
#define PORT_KEEP_MS	1000
#define NPORTS		4
static struct portmemo {
	uint32_t	 prog, vers;
	u_long		 port;
	int64_t		 until;		/* mono_ms; 0: empty */
} ports[NPORTS];

static struct portmemo *
port_find(uint32_t prog, uint32_t vers)
{
	int i;

	for (i = 0; i < NPORTS; i++)
		if (ports[i].until != 0 && ports[i].prog == prog &&
		    ports[i].vers == vers)
			return &ports[i];
	return NULL;
}

static void
port_keep(uint32_t prog, uint32_t vers, u_long port)
{
	struct portmemo *m = port_find(prog, vers);
	int i;

	if (m == NULL)			/* an empty slot, else the oldest */
		for (m = &ports[0], i = 1; i < NPORTS; i++)
			if (ports[i].until < m->until)
				m = &ports[i];
	m->prog = prog;
	m->vers = vers;
	m->port = port;
	m->until = mono_ms() + PORT_KEEP_MS;
}

static void
port_forget(uint32_t prog, uint32_t vers)
{
	struct portmemo *m = port_find(prog, vers);

	if (m != NULL)
		m->until = 0;
}

void
callback_init(void)
{
	/* ORDER: before the privilege drop, for the reserved port. */
	if ((io = rpcio_new(AF_INET, 1)) == NULL)
		fatal("callback socket");
}

int
callback_fd(void)
{
	return io != NULL ? rpcio_fd(io) : -1;
}

void
callback_input(void)
{
	rpcio_input(io);
}

unsigned long
callback_pending(void)
{
	return cbs.count;
}

/* Attempts that failed: no answer in time, or an error. */
unsigned long
callback_retries(void)
{
	return retries;
}

static void
cb_free(struct cb *c)
{
	timer_cancel(&c->timer);
	if (c->xid != 0)
		rpcio_cancel(io, c->xid);
	c->xid = 0;
	if (c->queued)
		TAILQ_REMOVE(&waiting, c, wentry);
	c->queued = 0;
	cb_idle(c);
	htab_unlink(&cbs, c, c->hash);
	free(c->mon_name);
	free(c->my_name);
	free(c);
}

static void
loopback(struct sockaddr_in *sin, uint16_t port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin->sin_port = htons(port);
}

static void
cb_retry(struct cb *c)
{
	int64_t d = notify_next_delay(real_ms() - c->since, c->attempts);

	if (c->xid != 0)
		rpcio_cancel(io, c->xid);
	c->xid = 0;
	cb_idle(c);
	port_forget(c->prog, c->vers);
	retries++;
	if (d < 0) {
		log_warnx("gave up calling program %u back about %s after "
		    "%u attempts", c->prog, esc(c->mon_name), c->attempts);
		cb_free(c);
		return;
	}
	if (c->attempts == 3)
		log_warnx("program %u does not answer the callback about %s; "
		    "retrying", c->prog, esc(c->mon_name));
	d -= CB_REPLY_MS;
	timer_set(&c->timer, d > 0 ? d : 0);
}

static void
call_done(void *arg, int err)
{
	struct cb *c = arg;

	c->xid = 0;
	if (err != 0) {
		cb_retry(c);
		return;
	}
	log_info("told program %u that %s is in state %d", c->prog,
	    esc(c->mon_name), c->sent_state);
	/* A newer state came while the older one was on the wire. */
	if (c->sent_state != c->state) {
		cb_idle(c);
		c->attempts = 0;
		timer_set(&c->timer, 0);
		return;
	}
	cb_free(c);
}

static void
call_out(struct cb *c)
{
	struct sockaddr_in to;
	sm_status st;

	loopback(&to, (uint16_t)c->port);
	st.mon_name = c->mon_name;
	st.state = c->state;
	c->sent_state = c->state;
	memcpy(st.priv, c->priv, SM_PRIV_SIZE);
	c->xid = rpcio_call(io, (struct sockaddr *)&to, c->prog, c->vers,
	    c->proc, (xdrproc_t)xdr_sm_status, &st, (xdrproc_t)sm_xdr_void, NULL,
	    call_done, c);
}

static void
getport_done(void *arg, int err)
{
	struct cb *c = arg;

	c->xid = 0;
	if (err != 0 || c->port == 0 || c->port > 65535) {
		log_debug("program %u version %u not registered with rpcbind",
		    c->prog, c->vers);
		cb_retry(c);
		return;
	}
	port_keep(c->prog, c->vers, c->port);
	call_out(c);
}

static void
cb_attempt(struct timer *t, void *arg)
{
	struct cb *c = arg;

	(void)t;
	if (c->calling) {		/* no answer in time */
		cb_retry(c);
		return;
	}
	if (c->queued)
		return;
	if (inflight >= CB_WINDOW) {
		TAILQ_INSERT_TAIL(&waiting, c, wentry);
		c->queued = 1;
		return;
	}
	cb_start(c);
}

static void
cb_start(struct cb *c)
{
	struct portmemo *m;
	struct sockaddr_in to;
	struct pmap pm;

	c->attempts++;
	c->calling = 1;
	inflight++;
	timer_set(&c->timer, CB_REPLY_MS);
	if ((m = port_find(c->prog, c->vers)) != NULL &&
	    m->until > mono_ms()) {
		c->port = m->port;
		call_out(c);
		return;
	}
	loopback(&to, PMAPPORT);
	pm.pm_prog = c->prog;
	pm.pm_vers = c->vers;
	pm.pm_prot = IPPROTO_UDP;
	pm.pm_port = 0;
	c->port = 0;
	c->xid = rpcio_call(io, (struct sockaddr *)&to, PMAPPROG, PMAPVERS,
	    PMAPPROC_GETPORT, (xdrproc_t)xdr_pmap, &pm, (xdrproc_t)xdr_u_long,
	    &c->port, getport_done, c);
}

static void
queue_callback(struct sm_entry *e, int state)
{
	uint32_t hash = mon_entry_hash(e->host->name, e->my_name, e->my_prog,
	    e->my_vers, e->my_proc);
	struct cb *c;

	/* One pending callback per entry: a newer state replaces it. */
	for (c = htab_bucket(&cbs, hash); c != NULL; c = c->next)
		if (c->hash == hash && c->prog == e->my_prog &&
		    c->vers == e->my_vers && c->proc == e->my_proc &&
		    strcmp(c->mon_name, e->host->name) == 0 &&
		    strcmp(c->my_name, e->my_name) == 0) {
			c->state = state;
			memcpy(c->priv, e->priv, SM_PRIV_SIZE);
			return;
		}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->mon_name = strdup(e->host->name)) == NULL ||
	    (c->my_name = strdup(e->my_name)) == NULL) {
		log_warn("callback about %s lost", esc(e->host->name));
		if (c != NULL)
			free(c->mon_name);
		free(c);
		return;
	}
	c->hash = hash;
	c->state = state;
	memcpy(c->priv, e->priv, SM_PRIV_SIZE);
	c->prog = e->my_prog;
	c->vers = e->my_vers;
	c->proc = e->my_proc;
	c->since = real_ms();
	timer_init(&c->timer, cb_attempt, c);
	if (htab_insert(&cbs, c, c->hash) == -1) {
		log_warnx("callback about %s lost", esc(e->host->name));
		free(c->mon_name);
		free(c->my_name);
		free(c);
		return;
	}
	timer_set(&c->timer, 0);
}

/* The hosts one notification matches, each once. */
struct match {
	struct sm_host	**hosts;
	size_t		 n, cap;
	int		 failed;
};

static void
add_match(struct sm_host *h, void *arg)
{
	struct match *m = arg;

	if (h->matched)
		return;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 8;
		struct sm_host **p = reallocarray(m->hosts, cap, sizeof(*p));

		if (p == NULL) {
			m->failed = 1;
			return;
		}
		m->hosts = p;
		m->cap = cap;
	}
	h->matched = 1;
	m->hosts[m->n++] = h;
}

/* Tell the lock managers watching h; its quiet time starts now. */
static void
deliver(struct sm_host *h, int state)
{
	struct sm_entry *e;

	h->have_delivered = 1;
	h->delivered_state = state;
	h->quiet_until = mono_ms() + CB_QUIET_MS;
	for (e = h->entries; e != NULL; e = e->host_next)
		queue_callback(e, state);
}

static struct held *
held_find(const char *name)
{
	uint32_t hash = hash_name(name);
	struct held *hd;

	for (hd = htab_bucket(&helds, hash); hd != NULL; hd = hd->next)
		if (hd->hash == hash && strcmp(hd->name, name) == 0)
			return hd;
	return NULL;
}

static void
held_free(struct held *hd)
{
	timer_cancel(&hd->timer);
	htab_unlink(&helds, hd, hd->hash);
	free(hd->name);
	free(hd);
}

/* The host's quiet time is up: deliver the newest state it was given. */
static void
held_due(struct timer *t, void *arg)
{
	struct held *hd = arg;
	struct sm_host *h = mon_host_find(hd->name);

	(void)t;
	/* Unmonitored meanwhile, or back at the state already delivered. */
	if (h != NULL && !(h->have_delivered &&
	    h->delivered_state == hd->state)) {
		deliver(h, hd->state);
		log_info("%s is in state %d: delivered after its quiet time, "
		    "the newest of %lu notifications held back",
		    esc(hd->name), hd->state, hd->folded);
		(void)smspost("hostmon.statd.notify", SMSPOST_NOTICE,
		    "%s rebooted (state %d); lock managers told after %lu "
		    "notifications were held back", esc(hd->name), hd->state,
		    hd->folded);
	}
	held_free(hd);
}

/* Keep state for h until its quiet time ends; 0, or -1 if it is lost. */
static int
hold(struct sm_host *h, int state)
{
	struct held *hd;
	int64_t wait = h->quiet_until - mono_ms();

	if ((hd = calloc(1, sizeof(*hd))) == NULL ||
	    (hd->name = strdup(h->name)) == NULL) {
		free(hd);
		return -1;
	}
	hd->hash = hash_name(h->name);
	hd->state = state;
	hd->folded = 1;
	timer_init(&hd->timer, held_due, hd);
	if (htab_insert(&helds, hd, hd->hash) == -1) {
		free(hd->name);
		free(hd);
		return -1;
	}
	timer_set(&hd->timer, wait > 0 ? wait : 0);
	return 0;
}

/* What became of one matched host's new state. */
enum notified { NOTIFY_REPEAT, NOTIFY_DELIVERED, NOTIFY_HELD };

static enum notified
notify_host(struct sm_host *h, int state)
{
	struct held *hd = held_find(h->name);

	if (hd != NULL) {
		/* Back at the delivered state, it delivers nothing when due. */
		hd->folded++;
		if (hd->state == state)
			return NOTIFY_REPEAT;
		hd->state = state;
		return NOTIFY_HELD;
	}
	if (h->have_delivered && h->delivered_state == state)
		return NOTIFY_REPEAT;
	if (h->have_delivered && mono_ms() < h->quiet_until) {
		if (hold(h, state) == 0)
			return NOTIFY_HELD;
		log_warn("SM_NOTIFY about %s: cannot hold it back; delivered "
		    "at once", esc(h->name));
	}
	deliver(h, state);
	return NOTIFY_DELIVERED;
}

void
callback_notify(const char *mon_name, int state, const struct sockaddr *sender)
{
	struct match m = { NULL, 0, 0, 0 };
	struct sockaddr_storage named;
	unsigned long delivered = 0, repeats = 0, held = 0, suppressed = 0;
	char a[64], extra[96];
	size_t i;

	if (sender != NULL)
		callout_queue("sm-notify", mon_name, sm_addr_str(sender, a,
		    sizeof(a)), state);
	/* By name in any case, by the sender's address, by a named address. */
	mon_hosts_by_name(mon_name, add_match, &m);
	if (sender != NULL)
		mon_hosts_by_addr(sender, add_match, &m);
	if (sm_parse_numeric(mon_name, &named) == 0)
		mon_hosts_by_addr((struct sockaddr *)&named, add_match, &m);
	for (i = 0; i < m.n; i++) {
		m.hosts[i]->matched = 0;
		switch (notify_host(m.hosts[i], state)) {
		case NOTIFY_REPEAT:
			repeats++;
			break;
		case NOTIFY_DELIVERED:
			delivered++;
			break;
		case NOTIFY_HELD:
			held++;
			break;
		}
	}
	free(m.hosts);
	if (m.failed)
		log_warnx("SM_NOTIFY for %s: out of memory while matching",
		    esc(mon_name));
	if (delivered == 0 && repeats == 0 && held == 0) {
		if (log_ratelimit(&notify_rl, &suppressed))
			log_info("SM_NOTIFY from %s for %s (state %d): not "
			    "monitored%s", sender ? sm_addr_str(sender, a,
			    sizeof(a)) : "?", esc(mon_name), state,
			    suppressed ? " (and more not logged)" : "");
		return;
	}
	/* Each delivery is logged; what delivers nothing, at a limited rate. */
	if (delivered == 0 && !log_ratelimit(&quiet_rl, &suppressed))
		return;
	extra[0] = '\0';
	if (held > 0)
		snprintf(extra, sizeof(extra), ", %lu held back (changed "
		    "within %d s of the last delivery)", held,
		    CB_QUIET_MS / 1000);
	log_info("SM_NOTIFY from %s: %s is in state %d; %lu hosts matched%s%s%s",
	    sender ? sm_addr_str(sender, a, sizeof(a)) : "?", esc(mon_name),
	    state, delivered, extra, repeats ? " (repeat ignored)" : "",
	    suppressed ? " (and more notifications not logged)" : "");
	/* The local smsd hears of each reboot once, not of repeats. */
	if (delivered > 0)
		(void)smspost("hostmon.statd.notify", SMSPOST_NOTICE,
		    "%s rebooted (state %d), from %s; lock managers told for "
		    "%lu monitored hosts", esc(mon_name), state,
		    sender ? a : "?", delivered);
}

static void
free_cb(void *item, void *arg)
{
	(void)arg;
	cb_free(item);
}

static void
free_held(void *item, void *arg)
{
	(void)arg;
	held_free(item);
}

void
callback_free(void)
{
	htab_foreach(&helds, free_held, NULL);
	htab_free(&helds);
	htab_foreach(&cbs, free_cb, NULL);
	htab_free(&cbs);
	rpcio_free(io);
	io = NULL;
}
