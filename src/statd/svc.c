/*
 * The RPC side: UDP and TCP over IPv4 and IPv6, registered with rpcbind for
 * the four netids, and one dispatch function that decodes, checks the
 * caller, hands the request to monitor.c or callback.c, and replies.
 *
 * libtirpc's server code is used for the transports (record marking,
 * duplicate replies, connection handling), in non-blocking mode so that a
 * slow TCP client cannot hold the loop; the loop itself is statd.c's.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rpc/rpc.h>
#include <rpc/rpcb_clnt.h>
#include <rpc/rpc_com.h>

#include "log.h"
#include "statd.h"

#define SVC_MAXREC	(16 * 1024)	/* largest TCP record we accept */

static const char *const netids[] = { "udp", "tcp", "udp6", "tcp6" };
#define NNETIDS (sizeof(netids) / sizeof(netids[0]))

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
	}
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

/* Unregister from rpcbind; the sockets go with the process. */
void
svc_stop(void)
{
	if (registered)
		rpcb_unset(SM_PROG, SM_VERS, NULL);
	registered = 0;
}
