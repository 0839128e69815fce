/*
 * Non-blocking RPC calls over UDP, many at once on one socket.
 *
 * The loop never waits for a peer: a call is one sendto(), its reply is
 * matched by xid (and by the address it was sent to, so a third party
 * cannot answer for a host), and retries and time-outs belong to the
 * caller's timers.  A send that finds the socket buffer full counts as a
 * lost datagram, which the caller's retry covers.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rpc/rpc.h>

#include "log.h"
#include "statd.h"
#include "timeutil.h"

#define RPCIO_BUFSZ	8800
#define RPCIO_SOCKBUF	(4 * 1024 * 1024)

struct pending {
	struct pending	*next;
	uint32_t	 xid;
	struct sockaddr_storage to;
	xdrproc_t	 xres;
	void		*res;
	rpcio_done_fn	 done;
	void		*arg;
};

struct rpcio {
	int		 fd;
	uint32_t	 next_xid;
	struct pending	**slots;
	size_t		 nslots;	/* power of two */
	unsigned long	 n;
};

static void
set_bufs(int fd)
{
	int sz = RPCIO_SOCKBUF;

	/* FORCE passes the sysctl limit when root; plain is the fallback. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
}

struct rpcio *
rpcio_new(int family, int reserved_port)
{
	struct rpcio *io;
	struct sockaddr_storage ss;

	if ((io = calloc(1, sizeof(*io))) == NULL)
		return NULL;
	io->nslots = 4096;
	if ((io->slots = calloc(io->nslots, sizeof(*io->slots))) == NULL)
		goto fail;
	io->fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (io->fd == -1)
		goto fail;
	set_bufs(io->fd);
	if (family == AF_INET6) {
		int on = 1;

		(void)setsockopt(io->fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
		    sizeof(on));
	}
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)family;
	/*
	 * Lock managers (the kernel's lockd among them) trust callbacks only
	 * from a reserved port; only root can bind one, before the drop.
	 */
	if (reserved_port && bindresvport_sa(io->fd, (struct sockaddr *)&ss)
	    == -1)
		log_warn("no reserved port for callbacks");
	/* Unpredictable xids make blind reply spoofing harder. */
	io->next_xid = (uint32_t)getpid() * 2654435761u ^ (uint32_t)mono_ms();
	return io;
fail:
	if (io->fd > 0)
		close(io->fd);
	free(io->slots);
	free(io);
	return NULL;
}

/* xdr_void as libtirpc declares it takes no arguments; this one fits. */
bool_t
sm_xdr_void(XDR *xdrs, void *p)
{
	(void)xdrs;
	(void)p;
	return TRUE;
}

int
rpcio_fd(const struct rpcio *io)
{
	return io->fd;
}

unsigned long
rpcio_inflight(const struct rpcio *io)
{
	return io->n;
}

static socklen_t
salen(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}

uint32_t
rpcio_call(struct rpcio *io, const struct sockaddr *to, uint32_t prog,
    uint32_t vers, uint32_t proc, xdrproc_t xargs, void *args, xdrproc_t xres,
    void *res, rpcio_done_fn done, void *arg)
{
	char buf[RPCIO_BUFSZ];
	struct rpc_msg msg;
	struct pending *p;
	XDR x;
	size_t len;
	uint32_t xid;

	do
		xid = io->next_xid++;
	while (xid == 0);
	memset(&msg, 0, sizeof(msg));
	msg.rm_xid = xid;
	msg.rm_direction = CALL;
	msg.rm_call.cb_rpcvers = RPC_MSG_VERSION;
	msg.rm_call.cb_prog = prog;
	msg.rm_call.cb_vers = vers;
	msg.rm_call.cb_proc = proc;
	msg.rm_call.cb_cred = _null_auth;
	msg.rm_call.cb_verf = _null_auth;
	xdrmem_create(&x, buf, sizeof(buf), XDR_ENCODE);
	if (!xdr_callmsg(&x, &msg) || !xargs(&x, args)) {
		xdr_destroy(&x);
		errno = EMSGSIZE;
		return 0;
	}
	len = xdr_getpos(&x);
	xdr_destroy(&x);

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return 0;
	p->xid = xid;
	memcpy(&p->to, to, salen(to));
	p->xres = xres;
	p->res = res;
	p->done = done;
	p->arg = arg;
	p->next = io->slots[xid & (io->nslots - 1)];
	io->slots[xid & (io->nslots - 1)] = p;
	io->n++;

	if (sendto(io->fd, buf, len, 0, to, salen(to)) == -1 &&
	    errno != EAGAIN && errno != ENOBUFS && errno != EINTR) {
		char a[64];

		log_debug("sendto %s: %s", sm_addr_str(to, a, sizeof(a)),
		    strerror(errno));
	}
	return xid;
}

static struct pending *
unlink_xid(struct rpcio *io, uint32_t xid)
{
	struct pending **pp = &io->slots[xid & (io->nslots - 1)], *p;

	for (; (p = *pp) != NULL; pp = &p->next)
		if (p->xid == xid) {
			*pp = p->next;
			io->n--;
			return p;
		}
	return NULL;
}

void
rpcio_cancel(struct rpcio *io, uint32_t xid)
{
	free(unlink_xid(io, xid));
}

/* Same address and port as the call went to. */
static int
from_target(const struct sockaddr_storage *to, const struct sockaddr *from)
{
	if (!sm_addr_equal((const struct sockaddr *)to, from))
		return 0;
	if (from->sa_family == AF_INET)
		return ((const struct sockaddr_in *)to)->sin_port ==
		    ((const struct sockaddr_in *)from)->sin_port;
	return ((const struct sockaddr_in6 *)to)->sin6_port ==
	    ((const struct sockaddr_in6 *)from)->sin6_port;
}

static void
handle_reply(struct rpcio *io, char *buf, size_t len,
    const struct sockaddr *from)
{
	struct pending *p, **pp;
	struct rpc_msg msg;
	uint32_t xid;
	XDR x;
	int err = 0;

	if (len < 4)
		return;
	memcpy(&xid, buf, 4);
	xid = ntohl(xid);
	pp = &io->slots[xid & (io->nslots - 1)];
	for (; (p = *pp) != NULL; pp = &p->next)
		if (p->xid == xid && from_target(&p->to, from))
			break;
	if (p == NULL)
		return;		/* late, duplicate, or not from the target */
	*pp = p->next;
	io->n--;

	memset(&msg, 0, sizeof(msg));
	msg.acpted_rply.ar_verf = _null_auth;
	msg.acpted_rply.ar_results.where = p->res;
	msg.acpted_rply.ar_results.proc = p->xres;
	xdrmem_create(&x, buf, (u_int)len, XDR_DECODE);
	if (!xdr_replymsg(&x, &msg) || msg.rm_direction != REPLY ||
	    msg.rm_reply.rp_stat != MSG_ACCEPTED ||
	    msg.acpted_rply.ar_stat != SUCCESS)
		err = EPROTO;
	xdr_destroy(&x);
	p->done(p->arg, err);
	free(p);
}

void
rpcio_input(struct rpcio *io)
{
	char buf[RPCIO_BUFSZ];
	struct sockaddr_storage from;
	int budget = 1024;	/* let the loop serve others too */

	while (budget-- > 0) {
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(io->fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &fl);

		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNREFUSED)
				log_debug("recvfrom: %s", strerror(errno));
			if (errno != ECONNREFUSED)
				return;
			continue;
		}
		handle_reply(io, buf, (size_t)n, (struct sockaddr *)&from);
	}
}

void
rpcio_free(struct rpcio *io)
{
	size_t i;

	if (io == NULL)
		return;
	for (i = 0; i < io->nslots; i++) {
		struct pending *p = io->slots[i], *next;

		for (; p != NULL; p = next) {
			next = p->next;
			free(p);
		}
	}
	free(io->slots);
	close(io->fd);
	free(io);
}
