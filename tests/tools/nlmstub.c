/*
 * nlmstub: a stand-in lock manager for tests.  It registers program 100021
 * (versions 1, 3 and 4 by default) with rpcbind on UDP and TCP, and appends
 * every call it gets to a file, one line each, fsync'ed:
 *
 *   call PROC from ADDR:PORT mon_name NAME state N priv HEX
 *
 * (the last three only for the NSM callback, procedure 16).  It answers
 * every call with an empty reply, after -d milliseconds if given (a slow
 * lock manager).  With -S the lines are written but not fsync'ed (a
 * benchmark's lock manager, whose disk must not be the bottleneck).
 * SIGTERM unregisters and exits.
 *
 *   nlmstub -o FILE [-S] [-d ms] [-p prog] [-v vers,...]
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rpc/rpc.h>
#include <rpc/pmap_clnt.h>

#include "sm_inter.h"

static FILE	*out;
static volatile sig_atomic_t quit;
static unsigned long prog = 100021;
static unsigned long vers[8];
static int	nvers;
static long	reply_delay_ms;
static int	no_sync;

static bool_t
xdr_none(XDR *x, void *p)
{
	(void)x;
	(void)p;
	return TRUE;
}

static void
dispatch(struct svc_req *rq, SVCXPRT *xprt)
{
	struct netbuf *nb = svc_getrpccaller(xprt);
	char addr[INET6_ADDRSTRLEN] = "?";
	int port = 0, i;

	if (nb != NULL && nb->buf != NULL) {
		struct sockaddr *sa = nb->buf;

		if (sa->sa_family == AF_INET) {
			struct sockaddr_in *sin = nb->buf;

			inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
			port = ntohs(sin->sin_port);
		} else if (sa->sa_family == AF_INET6) {
			struct sockaddr_in6 *s6 = nb->buf;

			inet_ntop(AF_INET6, &s6->sin6_addr, addr, sizeof(addr));
			port = ntohs(s6->sin6_port);
		}
	}
	fprintf(out, "call %u vers %u from %s:%d", (unsigned)rq->rq_proc,
	    (unsigned)rq->rq_vers, addr, port);
	if (rq->rq_proc == 16) {
		sm_status st;

		memset(&st, 0, sizeof(st));
		if (!svc_getargs(xprt, (xdrproc_t)xdr_sm_status, (caddr_t)&st)) {
			fprintf(out, " undecodable\n");
			fflush(out);
			svcerr_decode(xprt);
			return;
		}
		fprintf(out, " mon_name %s state %d priv ", st.mon_name,
		    st.state);
		for (i = 0; i < SM_PRIV_SIZE; i++)
			fprintf(out, "%02x", (unsigned char)st.priv[i]);
		svc_freeargs(xprt, (xdrproc_t)xdr_sm_status, (caddr_t)&st);
	}
	fputc('\n', out);
	fflush(out);
	if (!no_sync)
		fsync(fileno(out));
	if (reply_delay_ms > 0) {
		struct timespec ts = { reply_delay_ms / 1000,
		    (reply_delay_ms % 1000) * 1000000 };

		nanosleep(&ts, NULL);
	}
	svc_sendreply(xprt, (xdrproc_t)xdr_none, NULL);
}

static void
on_term(int sig)
{
	(void)sig;
	quit = 1;
}

int
main(int argc, char *argv[])
{
	SVCXPRT *udp, *tcp;
	struct sigaction sa;
	char *p, *save = NULL;
	int ch, i;

	while ((ch = getopt(argc, argv, "d:o:p:Sv:")) != -1) {
		switch (ch) {
		case 'd':
			reply_delay_ms = strtol(optarg, NULL, 10);
			break;
		case 'o':
			if ((out = fopen(optarg, "a")) == NULL) {
				perror(optarg);
				return 1;
			}
			break;
		case 'p':
			prog = strtoul(optarg, NULL, 10);
			break;
		case 'S':
			no_sync = 1;
			break;
		case 'v':
			for (p = strtok_r(optarg, ",", &save); p != NULL &&
			    nvers < 8; p = strtok_r(NULL, ",", &save))
				vers[nvers++] = strtoul(p, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: nlmstub -o file [-S] [-d ms] "
			    "[-p prog] [-v vers,...]\n");
			return 1;
		}
	}
	if (out == NULL) {
		fprintf(stderr, "nlmstub: -o file is required\n");
		return 1;
	}
	if (nvers == 0) {
		vers[nvers++] = 1;
		vers[nvers++] = 3;
		vers[nvers++] = 4;
	}
	udp = svcudp_create(RPC_ANYSOCK);
	tcp = svctcp_create(RPC_ANYSOCK, 0, 0);
	if (udp == NULL || tcp == NULL) {
		fprintf(stderr, "nlmstub: cannot create transports\n");
		return 1;
	}
	for (i = 0; i < nvers; i++) {
		pmap_unset(prog, vers[i]);
		if (!svc_register(udp, prog, vers[i], dispatch, IPPROTO_UDP) ||
		    !svc_register(tcp, prog, vers[i], dispatch, IPPROTO_TCP)) {
			fprintf(stderr, "nlmstub: cannot register with "
			    "rpcbind\n");
			return 1;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fprintf(out, "ready pid %d\n", (int)getpid());
	fflush(out);
	while (!quit) {
		int n = poll(svc_pollfd, (nfds_t)svc_max_pollfd, 500);

		if (n > 0)
			svc_getreq_poll(svc_pollfd, n);
		else if (n == -1 && errno != EINTR)
			break;
	}
	for (i = 0; i < nvers; i++)
		pmap_unset(prog, vers[i]);
	return 0;
}
