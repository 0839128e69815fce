/*
 * The RPC side: UDP and TCP over IPv4 and IPv6, registered with rpcbind for
 * the four netids, and one dispatch function that decodes, checks the
 * caller, hands the request to monitor.c or callback.c, and replies.
 *
 * libtirpc's server code is used for the transports (record marking,
 * duplicate replies, connection handling), in non-blocking mode so that a
 * slow TCP client cannot hold the loop; the loop itself is statd.c's.
 *
 * Group commit.  SM_MON, SM_UNMON and SM_UNMON_ALL change the status
 * file, and their reply may leave only once the change is durable.  Each
 * is applied to memory and appended at once, but its reply is held
 * (struct deferred); svc_serve() reads every request already waiting on
 * any transport (those that came while the last commit was in flight),
 * then commits them all with one fdatasync (mon_commit) and only then
 * sends their replies, or failures for all if the commit failed.  A lone
 * call finds nothing else waiting and is committed and answered in the
 * same round.
 *
 * A held reply cannot go through svc_sendreply(), which answers the
 * transport's latest request only: each keeps what its reply needs.  For
 * UDP, the xid, the caller's address and the local address it wrote to
 * (IP_PKTINFO, so the reply leaves from it) are libtirpc's struct
 * svc_dg_data, which <rpc/svc_dg.h> publishes.  For TCP, libtirpc keeps
 * the xid private: the receive function of a connection is wrapped, on
 * its first request, to note each request's xid; that first request is
 * answered at once (committed alone), the later ones by batch.  A TCP
 * reply is written, as one record, to a duplicate of the connection's
 * descriptor (one for a connection's calls in a row, closed after the
 * batch), so that a connection closed meanwhile cannot hand its number to
 * another client before the reply is sent.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rpc/rpc.h>
#include <rpc/rpcb_clnt.h>
#include <rpc/rpc_com.h>
#include <rpc/svc_dg.h>

#include "log.h"
#include "statd.h"

#define SVC_MAXREC	(16 * 1024)	/* largest TCP record we accept */

static const char *const netids[] = { "udp", "tcp", "udp6", "tcp6" };
#define NNETIDS (sizeof(netids) / sizeof(netids[0]))

#define SVC_BATCH_MAX	1024	/* calls read before their commit, at most */

static SVCXPRT	*xprts[NNETIDS];
static int	 registered, svc_port;
static struct log_ratelimit garbage_rl = LOG_RATELIMIT_INIT(60, 10);

static const char *
proc_name(rpcproc_t p)
{
	static const char *const names[] = { "NULL", "SM_STAT", "SM_MON",
	    "SM_UNMON", "SM_UNMON_ALL", "SM_SIMU_CRASH", "SM_NOTIFY" };

	return p < sizeof(names) / sizeof(names[0]) ? names[p] : "unknown";
}

/* A reply held until the commit of its call's change. */
struct deferred {
	int		 fd;		/* UDP: the transport's; TCP: a dup */
	int		 stream;
	int		 own_fd;	/* the dup to close after the batch */
	const SVCXPRT	*xprt;		/* only to share one dup per connection */
	uint32_t	 xid;
	rpcproc_t	 proc;
	int		 rc;		/* -1: a system error */
	union {
		sm_stat_res	sr;
		sm_stat		s;
	}		 res;
	socklen_t	 tolen;
	struct sockaddr_storage to;
	size_t		 cmsglen;
	unsigned char	 cmsg[64];	/* as struct svc_dg_data's */
};
static struct deferred *batch;
static size_t	 nbatch, batch_cap;
static unsigned long long nbatched, nbatches;

/* The UDP transports, whose requests' details are in svc_dg_data. */
static SVCXPRT	*dg_xprts[2 * NNETIDS + 4];
static size_t	 ndg;

/* TCP connections: receive wrapped to note each request's xid. */
static struct xp_ops vc_ops;
static bool_t	(*vc_recv)(SVCXPRT *, struct rpc_msg *);
static SVCXPRT	*last_xprt;
static uint32_t	 last_xid;

static void
note_transport(SVCXPRT *x, const struct netconfig *nc)
{
	if (nc->nc_semantics == NC_TPI_CLTS &&
	    ndg < sizeof(dg_xprts) / sizeof(dg_xprts[0]))
		dg_xprts[ndg++] = x;
}

static int
is_dg(const SVCXPRT *x)
{
	size_t i;

	for (i = 0; i < ndg; i++)
		if (dg_xprts[i] == x)
			return 1;
	return 0;
}

static bool_t
vc_recv_xid(SVCXPRT *xprt, struct rpc_msg *msg)
{
	bool_t r = vc_recv(xprt, msg);

	if (r) {
		last_xprt = xprt;
		last_xid = msg->rm_xid;
	}
	return r;
}

static void
wrap_vc(SVCXPRT *xprt)
{
	if (vc_recv == NULL) {
		vc_ops = *xprt->xp_ops;
		vc_recv = vc_ops.xp_recv;
		vc_ops.xp_recv = vc_recv_xid;
	} else if (xprt->xp_ops->xp_recv != vc_recv)
		return;		/* not libtirpc's connection: never held */
	xprt->xp_ops = &vc_ops;
}

/* A held reply for this request, or NULL to answer it at once. */
static struct deferred *
defer(SVCXPRT *xprt, rpcproc_t proc)
{
	struct deferred *d;

	if (xprt->xp_verf.oa_flavor != AUTH_NONE)
		return NULL;
	if (nbatch == batch_cap) {
		size_t ncap = batch_cap > 0 ? 2 * batch_cap : 64;

		if ((d = reallocarray(batch, ncap, sizeof(*d))) == NULL)
			return NULL;
		batch = d;
		batch_cap = ncap;
	}
	d = &batch[nbatch];
	memset(d, 0, sizeof(*d));
	if (is_dg(xprt)) {
		const struct svc_dg_data *su = xprt->xp_p2;
		const struct msghdr *mh = &su->su_msghdr;

		if (xprt->xp_rtaddr.buf == NULL ||
		    xprt->xp_rtaddr.len > sizeof(d->to) ||
		    (mh->msg_control != NULL &&
		    mh->msg_controllen > sizeof(d->cmsg)))
			return NULL;
		d->fd = xprt->xp_fd;
		d->xid = su->su_xid;
		memcpy(&d->to, xprt->xp_rtaddr.buf, xprt->xp_rtaddr.len);
		d->tolen = xprt->xp_rtaddr.len;
		if (mh->msg_control != NULL && mh->msg_controllen > 0) {
			memcpy(d->cmsg, mh->msg_control, mh->msg_controllen);
			d->cmsglen = mh->msg_controllen;
		}
	} else {
		if (xprt->xp_ops != &vc_ops) {
			wrap_vc(xprt);
			return NULL;
		}
		if (last_xprt != xprt)
			return NULL;
		/* A connection's pipelined calls come in a row: one dup. */
		if (nbatch > 0 && batch[nbatch - 1].stream &&
		    batch[nbatch - 1].xprt == xprt)
			d->fd = batch[nbatch - 1].fd;
		else if ((d->fd = fcntl(xprt->xp_fd, F_DUPFD_CLOEXEC, 0))
		    == -1)
			return NULL;
		else
			d->own_fd = 1;
		d->stream = 1;
		d->xprt = xprt;
		d->xid = last_xid;
	}
	d->proc = proc;
	nbatch++;
	return d;
}

static void
send_deferred(struct deferred *d)
{
	char buf[4 + 512];
	struct rpc_msg m;
	struct msghdr mh;
	struct iovec iov;
	XDR x;
	size_t len;
	uint32_t mark;

	memset(&m, 0, sizeof(m));
	m.rm_xid = d->xid;
	m.rm_direction = REPLY;
	m.rm_reply.rp_stat = MSG_ACCEPTED;
	m.acpted_rply.ar_verf = _null_auth;
	if (d->rc == -1)
		m.acpted_rply.ar_stat = SYSTEM_ERR;
	else {
		m.acpted_rply.ar_stat = SUCCESS;
		m.acpted_rply.ar_results.where = (caddr_t)&d->res;
		m.acpted_rply.ar_results.proc = d->proc == SM_MON ?
		    (xdrproc_t)xdr_sm_stat_res : (xdrproc_t)xdr_sm_stat;
	}
	xdrmem_create(&x, buf + 4, sizeof(buf) - 4, XDR_ENCODE);
	if (!xdr_replymsg(&x, &m)) {
		xdr_destroy(&x);
		log_warnx("%s: reply not encoded", proc_name(d->proc));
		return;
	}
	len = xdr_getpos(&x);
	xdr_destroy(&x);
	if (d->stream) {
		ssize_t n;

		mark = htonl(0x80000000u | (uint32_t)len);
		memcpy(buf, &mark, 4);
		n = send(d->fd, buf, len + 4, MSG_DONTWAIT | MSG_NOSIGNAL);
		/* A part of a record would garble the stream: end it. */
		if (n != (ssize_t)(len + 4)) {
			log_debug("%s: reply not sent", proc_name(d->proc));
			if (n > 0)
				(void)shutdown(d->fd, SHUT_RDWR);
		}
		return;
	}
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = buf + 4;
	iov.iov_len = len;
	mh.msg_name = &d->to;
	mh.msg_namelen = d->tolen;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (d->cmsglen > 0) {
		mh.msg_control = d->cmsg;
		mh.msg_controllen = d->cmsglen;
	}
	if (sendmsg(d->fd, &mh, 0) != (ssize_t)len)
		log_debug("%s: reply not sent", proc_name(d->proc));
}

/*
 * Commit the batch, then send its replies: success as each call had it,
 * or failure for every one if the commit failed (mon_commit undid them).
 */
static void
svc_flush(void)
{
	size_t i;
	int failed;

	if (nbatch == 0)
		return;
	failed = mon_commit() == -1;
	nbatched += nbatch;
	nbatches++;
	for (i = 0; i < nbatch; i++) {
		struct deferred *d = &batch[i];

		if (failed) {
			if (d->proc == SM_MON)
				d->res.sr.res_stat = stat_fail;
			else
				d->rc = -1;
		}
		send_deferred(d);
	}
	for (i = 0; i < nbatch; i++)
		if (batch[i].own_fd)
			close(batch[i].fd);
	nbatch = 0;
}

void
svc_batch_stats(unsigned long long *calls, unsigned long long *batches)
{
	*calls = nbatched;
	*batches = nbatches;
}

static void
dispatch(struct svc_req *rq, SVCXPRT *xprt)
{
	union {
		sm_name		stat;
		mon		mon;
		mon_id		unmon;
		my_id		unmon_all;
		stat_chge	notify;
	} arg;
	struct deferred *d;
	union {
		sm_stat_res	sr;
		sm_stat		s;
	} res;
	xdrproc_t xarg = (xdrproc_t)sm_xdr_void, xres = (xdrproc_t)sm_xdr_void;
	struct netbuf *nb = svc_getrpccaller(xprt);
	const struct sockaddr *caller = NULL;
	char a[INET6_ADDRSTRLEN + 8];
	unsigned long suppressed;
	int rc = 0;

	if (nb != NULL && nb->buf != NULL && nb->len >= sizeof(sa_family_t))
		caller = nb->buf;
	switch (rq->rq_proc) {
	case NULLPROC:
		break;
	case SM_STAT:
		xarg = (xdrproc_t)xdr_sm_name;
		xres = (xdrproc_t)xdr_sm_stat_res;
		break;
	case SM_MON:
		xarg = (xdrproc_t)xdr_mon;
		xres = (xdrproc_t)xdr_sm_stat_res;
		break;
	case SM_UNMON:
		xarg = (xdrproc_t)xdr_mon_id;
		xres = (xdrproc_t)xdr_sm_stat;
		break;
	case SM_UNMON_ALL:
		xarg = (xdrproc_t)xdr_my_id;
		xres = (xdrproc_t)xdr_sm_stat;
		break;
	case SM_SIMU_CRASH:
		break;
	case SM_NOTIFY:
		xarg = (xdrproc_t)xdr_stat_chge;
		break;
	default:
		svcerr_noproc(xprt);
		return;
	}
	memset(&arg, 0, sizeof(arg));
	memset(&res, 0, sizeof(res));
	if (!svc_getargs(xprt, xarg, (caddr_t)&arg)) {
		if (log_ratelimit(&garbage_rl, &suppressed))
			log_warnx("undecodable %s from %s", proc_name(rq->rq_proc),
			    caller ? sm_addr_str(caller, a, sizeof(a)) : "?");
		svcerr_decode(xprt);
		return;
	}
	if (log_getverbose() > 0)
		log_debug("%s from %s", proc_name(rq->rq_proc),
		    caller ? sm_addr_str(caller, a, sizeof(a)) : "?");

	switch (rq->rq_proc) {
	case SM_MON:
	case SM_UNMON:
	case SM_UNMON_ALL:
		if ((d = defer(xprt, rq->rq_proc)) != NULL) {
			/* Applied now, answered by svc_flush(). */
			if (rq->rq_proc == SM_MON)
				d->rc = sm_apply_mon(&arg.mon, caller,
				    &d->res.sr);
			else if (rq->rq_proc == SM_UNMON)
				d->rc = sm_apply_unmon(&arg.unmon, caller,
				    &d->res.s);
			else
				d->rc = sm_apply_unmon_all(&arg.unmon_all,
				    caller, &d->res.s);
			if (!svc_freeargs(xprt, xarg, (caddr_t)&arg))
				log_warnx("svc_freeargs failed");
			return;
		}
		/* ORDER: the calls read before this one are committed first. */
		svc_flush();
		break;
	case SM_SIMU_CRASH:
		svc_flush();
		break;
	}
	switch (rq->rq_proc) {
	case SM_STAT:
		rc = sm_handle_stat(&arg.stat, &res.sr);
		break;
	case SM_MON:
		rc = sm_handle_mon(&arg.mon, caller, &res.sr);
		break;
	case SM_UNMON:
		rc = sm_handle_unmon(&arg.unmon, caller, &res.s);
		break;
	case SM_UNMON_ALL:
		rc = sm_handle_unmon_all(&arg.unmon_all, caller, &res.s);
		break;
	case SM_SIMU_CRASH:
		rc = sm_handle_simu_crash(caller);
		break;
	case SM_NOTIFY:
		if (arg.notify.mon_name != NULL &&
		    sm_name_valid(arg.notify.mon_name,
		    strlen(arg.notify.mon_name)))
			callback_notify(arg.notify.mon_name, arg.notify.state,
			    caller);
		else if (log_ratelimit(&garbage_rl, &suppressed))
			log_warnx("SM_NOTIFY from %s with an invalid name",
			    caller ? sm_addr_str(caller, a, sizeof(a)) : "?");
		break;
	}
	if (rc == -1)
		svcerr_systemerr(xprt);
	else if (!svc_sendreply(xprt, xres, (caddr_t)&res))
		log_debug("%s: reply not sent", proc_name(rq->rq_proc));
	if (!svc_freeargs(xprt, xarg, (caddr_t)&arg))
		log_warnx("svc_freeargs failed");
}

/*
 * A socket for one netid, bound to the -h address (or any) and the -p port
 * (or any).  v6 sockets are v6-only so the v4 ones get the v4 traffic.
 */
static int
open_socket(int family, int type, const struct sockaddr_storage *bindss,
    int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, on = 1;

	if ((fd = socket(family, type | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
		    sizeof(on));
	memset(&ss, 0, sizeof(ss));
	if (bindss != NULL && bindss->ss_family == family)
		memcpy(&ss, bindss, sizeof(ss));
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET) {
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
		len = sizeof(struct sockaddr_in);
	} else {
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
		len = sizeof(struct sockaddr_in6);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    (type == SOCK_STREAM && listen(fd, 128) == -1)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void
add_loopback(int family, int type, int port, struct netconfig *nc)
{
	struct sockaddr_storage ss;
	SVCXPRT *x;
	int fd;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_addr.s_addr =
		    htonl(INADDR_LOOPBACK);
	else
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
	if ((fd = open_socket(family, type, &ss, port)) == -1) {
		log_warn("%s loopback socket", nc->nc_netid);
		return;
	}
	if ((x = svc_tli_create(fd, nc, NULL, 0, 0)) == NULL ||
	    !svc_reg(x, SM_PROG, SM_VERS, dispatch, NULL)) {
		log_warnx("cannot serve %s on loopback", nc->nc_netid);
		if (x == NULL)
			close(fd);
		return;
	}
	note_transport(x, nc);
}

/*
 * Create the transports and register them.  With -p 0 the first socket
 * picks a port and the others take the same, so every netid answers on
 * one number.
 */
int
svc_start(void)
{
	struct sockaddr_storage bindss, *bp = NULL;
	int port = conf.port, maxrec = SVC_MAXREC, ok = 0;
	size_t i;

	/* Non-blocking TCP transports: needs a record size limit. */
	if (!rpc_control(RPC_SVC_CONNMAXREC_SET, &maxrec))
		log_warnx("cannot make TCP transports non-blocking");
	sm_privileged_ports_init(STATD_UNPRIV_PORT_SYSCTL);
	if (conf.bindaddr != NULL) {
		if (sm_parse_numeric(conf.bindaddr, &bindss) == -1)
			fatalx("-h %s: not an IPv4 or IPv6 address",
			    esc(conf.bindaddr));
		bp = &bindss;
	}
	rpcb_unset(SM_PROG, SM_VERS, NULL);
	for (i = 0; i < NNETIDS; i++) {
		struct netconfig *nc = getnetconfigent(netids[i]);
		int v6 = strchr(netids[i], '6') != NULL;
		int family = v6 ? AF_INET6 : AF_INET;
		int type = netids[i][0] == 't' ? SOCK_STREAM : SOCK_DGRAM;
		int fd;

		if (nc == NULL) {
			log_warnx("no netconfig for %s", netids[i]);
			continue;
		}
		if (bp != NULL && bp->ss_family != family) {
			freenetconfigent(nc);
			continue;
		}
		if ((fd = open_socket(family, type, bp, port)) == -1) {
			log_warn("%s socket", netids[i]);
			freenetconfigent(nc);
			continue;
		}
		if (port == 0) {
			struct sockaddr_storage got;
			socklen_t gl = sizeof(got);

			if (getsockname(fd, (struct sockaddr *)&got, &gl) == 0)
				port = ntohs(family == AF_INET ?
				    ((struct sockaddr_in *)&got)->sin_port :
				    ((struct sockaddr_in6 *)&got)->sin6_port);
		}
		xprts[i] = svc_tli_create(fd, nc, NULL, 0, 0);
		if (xprts[i] == NULL) {
			log_warnx("cannot create the %s transport", netids[i]);
			close(fd);
			freenetconfigent(nc);
			continue;
		}
		/* Served now, registered with rpcbind by svc_announce(). */
		if (!svc_reg(xprts[i], SM_PROG, SM_VERS, dispatch, NULL)) {
			log_warnx("cannot serve %s", netids[i]);
			svc_destroy(xprts[i]);
			xprts[i] = NULL;
			freenetconfigent(nc);
			continue;
		}
		note_transport(xprts[i], nc);
		/*
		 * Bound to one outside address, local lock managers would
		 * be shut out: also listen on loopback, same port, and
		 * register only the -h address.
		 */
		if (bp != NULL && !sm_addr_is_loopback((struct sockaddr *)bp))
			add_loopback(family, type, port, nc);
		freenetconfigent(nc);
		ok++;
	}
	if (ok == 0)
		fatalx("no transport could be created");
	svc_port = port;
	return port;
}

/*
 * Register the transports with rpcbind.  ORDER: after the privilege drop,
 * so that the registrations belong to the serving user (rpcbind lets only
 * their owner, or root, remove them): the serving process can then
 * unregister itself even when the root parent is gone.  svc_start() removed
 * any stale registration while still root, an instant before.
 */
void
svc_announce(void)
{
	int ok = 0;
	size_t i;

	for (i = 0; i < NNETIDS; i++) {
		struct netconfig *nc;

		if (xprts[i] == NULL)
			continue;
		if ((nc = getnetconfigent(netids[i])) == NULL ||
		    !rpcb_set(SM_PROG, SM_VERS, nc, &xprts[i]->xp_ltaddr))
			log_warnx("cannot register %s with rpcbind", netids[i]);
		else
			ok++;
		if (nc != NULL)
			freenetconfigent(nc);
	}
	if (ok == 0)
		fatalx("no transport registered; is rpcbind running?");
	registered = 1;
	log_info("serving program %u version %u on port %d (%d netids)",
	    SM_PROG, SM_VERS, svc_port, ok);
}

int
svc_add_transport(int fd, const char *netid)
{
	struct netconfig *nc = getnetconfigent(netid);
	SVCXPRT *x = NULL;

	if (nc == NULL)
		return -1;
	if ((x = svc_tli_create(fd, nc, NULL, 0, 0)) == NULL ||
	    !svc_reg(x, SM_PROG, SM_VERS, dispatch, NULL)) {
		if (x != NULL)
			svc_destroy(x);
		freenetconfigent(nc);
		return -1;
	}
	note_transport(x, nc);
	freenetconfigent(nc);
	return 0;
}

/*
 * One round of the loop's RPC work: the requests poll() found, then every
 * request already waiting on any transport (a poll that does not wait),
 * up to SVC_BATCH_MAX held replies, then their commit and replies.
 */
void
svc_serve(struct pollfd *pfd, int nready)
{
	static struct pollfd *more;
	static int nmore;

	svc_getreq_poll(pfd, nready);
	while (nbatch > 0 && nbatch < SVC_BATCH_MAX) {
		int nfds = svc_max_pollfd, n;

		if (nfds > nmore) {
			struct pollfd *p = reallocarray(more, (size_t)nfds,
			    sizeof(*p));

			if (p == NULL)
				break;
			more = p;
			nmore = nfds;
		}
		memcpy(more, svc_pollfd, (size_t)nfds * sizeof(*more));
		if ((n = poll(more, (nfds_t)nfds, 0)) <= 0)
			break;
		svc_getreq_poll(more, n);
	}
	svc_flush();
}

/* Unregister from rpcbind; the sockets go with the process. */
void
svc_stop(void)
{
	if (registered)
		rpcb_unset(SM_PROG, SM_VERS, NULL);
	registered = 0;
}
