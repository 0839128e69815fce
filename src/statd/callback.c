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
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rpc/rpc.h>
#include <rpc/pmap_prot.h>

#include "log.h"
#include "statd.h"
#include "timeutil.h"

#define CB_REPLY_MS	1000

struct cb {
	struct cb	*prev, *next;
	char		*mon_name;
	char		*my_name;
	int		 state;
	unsigned char	 priv[SM_PRIV_SIZE];
	uint32_t	 prog, vers, proc;
	unsigned	 attempts;
	int64_t		 since;
	struct timer	 timer;
	uint32_t	 xid;
	u_long		 port;
	int		 calling;	/* GETPORT or the call is out */
};

static struct rpcio	*io;
static struct cb	*cbs;
static unsigned long	 ncbs;

static struct log_ratelimit notify_rl = LOG_RATELIMIT_INIT(60, 20);

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
	return ncbs;
}

static void
cb_free(struct cb *c)
{
	timer_cancel(&c->timer);
	if (c->xid != 0)
		rpcio_cancel(io, c->xid);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		cbs = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	ncbs--;
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

	c->calling = 0;
	if (c->xid != 0)
		rpcio_cancel(io, c->xid);
	c->xid = 0;
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
	    esc(c->mon_name), c->state);
	cb_free(c);
}

static void
getport_done(void *arg, int err)
{
	struct cb *c = arg;
	struct sockaddr_in to;
	sm_status st;

	c->xid = 0;
	if (err != 0 || c->port == 0 || c->port > 65535) {
		log_debug("program %u version %u not registered with rpcbind",
		    c->prog, c->vers);
		cb_retry(c);
		return;
	}
	loopback(&to, (uint16_t)c->port);
	st.mon_name = c->mon_name;
	st.state = c->state;
	memcpy(st.priv, c->priv, SM_PRIV_SIZE);
	c->xid = rpcio_call(io, (struct sockaddr *)&to, c->prog, c->vers,
	    c->proc, (xdrproc_t)xdr_sm_status, &st, (xdrproc_t)sm_xdr_void, NULL,
	    call_done, c);
}

static void
cb_attempt(struct timer *t, void *arg)
{
	struct cb *c = arg;
	struct sockaddr_in to;
	struct pmap pm;

	(void)t;
	if (c->calling) {		/* no answer in time */
		cb_retry(c);
		return;
	}
	c->attempts++;
	c->calling = 1;
	loopback(&to, PMAPPORT);
	pm.pm_prog = c->prog;
	pm.pm_vers = c->vers;
	pm.pm_prot = IPPROTO_UDP;
	pm.pm_port = 0;
	c->port = 0;
	c->xid = rpcio_call(io, (struct sockaddr *)&to, PMAPPROG, PMAPVERS,
	    PMAPPROC_GETPORT, (xdrproc_t)xdr_pmap, &pm, (xdrproc_t)xdr_u_long,
	    &c->port, getport_done, c);
	timer_set(&c->timer, CB_REPLY_MS);
}

static void
queue_callback(struct sm_entry *e, int state)
{
	struct cb *c;

	/* One pending callback per entry: a newer state replaces it. */
	for (c = cbs; c != NULL; c = c->next)
		if (c->prog == e->my_prog && c->vers == e->my_vers &&
		    c->proc == e->my_proc &&
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
	c->state = state;
	memcpy(c->priv, e->priv, SM_PRIV_SIZE);
	c->prog = e->my_prog;
	c->vers = e->my_vers;
	c->proc = e->my_proc;
	c->since = real_ms();
	timer_init(&c->timer, cb_attempt, c);
	c->next = cbs;
	if (cbs != NULL)
		cbs->prev = c;
	cbs = c;
	ncbs++;
	timer_set(&c->timer, 0);
}

struct match {
	const char	*mon_name;
	struct sockaddr_storage named;	/* mon_name as an address, if one */
	int		 named_is_addr;
	const struct sockaddr *sender;
	int		 state;
	unsigned long	 hosts, repeats;
};

static void
match_host(struct sm_host *h, void *arg)
{
	struct match *m = arg;
	int i, hit = strcasecmp(h->name, m->mon_name) == 0;

	for (i = 0; !hit && i < h->naddrs; i++) {
		const struct sockaddr *a = (struct sockaddr *)&h->addrs[i];

		if ((m->sender != NULL && sm_addr_equal(a, m->sender)) ||
		    (m->named_is_addr &&
		    sm_addr_equal(a, (struct sockaddr *)&m->named)))
			hit = 1;
	}
	h->matched = 0;
	if (!hit)
		return;
	if (h->have_delivered && h->delivered_state == m->state) {
		m->repeats++;
		return;
	}
	h->matched = 1;
	h->have_delivered = 1;
	h->delivered_state = m->state;
	m->hosts++;
}

static void
call_entry(struct sm_entry *e, void *arg)
{
	struct match *m = arg;

	if (e->host->matched)
		queue_callback(e, m->state);
}

void
callback_notify(const char *mon_name, int state, const struct sockaddr *sender)
{
	struct match m;
	char a[64];
	unsigned long suppressed;

	memset(&m, 0, sizeof(m));
	m.mon_name = mon_name;
	m.sender = sender;
	m.state = state;
	m.named_is_addr = sm_parse_numeric(mon_name, &m.named) == 0;
	mon_foreach_host(match_host, &m);
	if (m.hosts > 0)
		mon_foreach_entry(call_entry, &m);
	if (m.hosts == 0 && m.repeats == 0) {
		if (log_ratelimit(&notify_rl, &suppressed))
			log_info("SM_NOTIFY from %s for %s (state %d): not "
			    "monitored", sender ? sm_addr_str(sender, a,
			    sizeof(a)) : "?", esc(mon_name), state);
		return;
	}
	log_info("SM_NOTIFY from %s: %s is in state %d; %lu hosts matched%s",
	    sender ? sm_addr_str(sender, a, sizeof(a)) : "?", esc(mon_name),
	    state, m.hosts, m.repeats ? " (repeat ignored)" : "");
}

void
callback_free(void)
{
	while (cbs != NULL)
		cb_free(cbs);
	rpcio_free(io);
	io = NULL;
}
