/*
 * smstorm: many NSM callers at once, for the storm benchmark and tests.
 *
 *   smstorm [-h host] [-t netid] [-c callers] [-n calls] [-s state]
 *           mon|unmon|notify FORMAT [MY_NAME]
 *
 * Each of the callers (threads, 40 by default) opens its own client to
 * program 100024 on host (127.0.0.1) over netid (udp), and once all are
 * ready they make calls/callers calls each, one after another, all at once:
 * SM_MON or SM_UNMON of FORMAT for my_name MY_NAME (localhost), program
 * 100021 version 4 procedure 16, or SM_NOTIFY of FORMAT with state -s (3).
 * FORMAT holds exactly two %d: the caller's number and its call's number
 * (0 onwards), e.g. "10.7.%d.%d".  Prints
 *
 *   N calls in S s: R calls/s, U us/call; C callers, F failed
 *
 * where a failure is a call without a reply or an SM_MON not stat_succ.
 * Run as root, libtirpc binds each caller a reserved source port (statd
 * takes SM_MON and SM_UNMON only from one).  Exit 0 when every call
 * succeeded, 2 when one did not, 1 for bad usage.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rpc/rpc.h>

#include "sm_inter.h"

#define MAX_CALLERS	1024

static const char *host = "127.0.0.1", *netid = "udp", *fmt, *myname =
    "localhost";
static int	 ncallers = 40, per, state = 3;
static long	 ncalls = 10000;
static enum { MON, UNMON, NOTIFY } op;
static pthread_barrier_t ready;
static struct timespec t_start;

struct caller {
	pthread_t	 tid;
	int		 idx;
	long		 failed;
	CLIENT		*cl;
};

static void
usage(void)
{
	fprintf(stderr, "usage: smstorm [-h host] [-t netid] [-c callers] "
	    "[-n calls] [-s state] mon|unmon|notify FORMAT [MY_NAME]\n");
	exit(1);
}

static long
num(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi)
		usage();
	return v;
}

/* FORMAT: exactly two "%d" and no other conversion. */
static int
format_ok(const char *f)
{
	int n = 0;

	for (; *f != '\0'; f++) {
		if (*f != '%')
			continue;
		if (f[1] != 'd')
			return 0;
		n++;
		f++;
	}
	return n == 2;
}

static bool_t
xdr_none(XDR *x, void *p)
{
	(void)x;
	(void)p;
	return TRUE;
}

static void *
run(void *arg)
{
	struct caller *c = arg;
	struct timeval tv = { 25, 0 };
	char name[SM_MAXSTRLEN + 1];
	int i;

	pthread_barrier_wait(&ready);
	for (i = 0; i < per; i++) {
		enum clnt_stat st;

		/* format_ok() checked it: two %d, nothing else. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		snprintf(name, sizeof(name), fmt, c->idx, i);
#pragma GCC diagnostic pop
		if (op == MON) {
			mon m;
			sm_stat_res res;

			memset(&m, 0, sizeof(m));
			m.mon_id.mon_name = name;
			m.mon_id.my_id.my_name = (char *)(uintptr_t)myname;
			m.mon_id.my_id.my_prog = 100021;
			m.mon_id.my_id.my_vers = 4;
			m.mon_id.my_id.my_proc = 16;
			memset(&res, 0, sizeof(res));
			st = clnt_call(c->cl, SM_MON, (xdrproc_t)xdr_mon,
			    (caddr_t)&m, (xdrproc_t)xdr_sm_stat_res,
			    (caddr_t)&res, tv);
			if (st != RPC_SUCCESS || res.res_stat != stat_succ)
				c->failed++;
		} else if (op == UNMON) {
			mon_id id;
			sm_stat res;

			memset(&id, 0, sizeof(id));
			id.mon_name = name;
			id.my_id.my_name = (char *)(uintptr_t)myname;
			id.my_id.my_prog = 100021;
			id.my_id.my_vers = 4;
			id.my_id.my_proc = 16;
			st = clnt_call(c->cl, SM_UNMON, (xdrproc_t)xdr_mon_id,
			    (caddr_t)&id, (xdrproc_t)xdr_sm_stat,
			    (caddr_t)&res, tv);
			if (st != RPC_SUCCESS)
				c->failed++;
		} else {
			stat_chge sc;

			sc.mon_name = name;
			sc.state = state;
			st = clnt_call(c->cl, SM_NOTIFY, (xdrproc_t)xdr_stat_chge,
			    (caddr_t)&sc, (xdrproc_t)xdr_none, NULL, tv);
			if (st != RPC_SUCCESS)
				c->failed++;
		}
	}
	return NULL;
}

int
main(int argc, char *argv[])
{
	static struct caller callers[MAX_CALLERS];
	struct timespec t_end;
	struct timeval retry = { 1, 0 };
	long failed = 0, total;
	double secs;
	int ch, i;

	while ((ch = getopt(argc, argv, "c:h:n:s:t:")) != -1)
		switch (ch) {
		case 'c': ncallers = (int)num(optarg, 1, MAX_CALLERS); break;
		case 'h': host = optarg; break;
		case 'n': ncalls = num(optarg, 1, 100000000); break;
		case 's': state = (int)num(optarg, 0, 0x7fffffff); break;
		case 't': netid = optarg; break;
		default: usage();
		}
	argc -= optind;
	argv += optind;
	if (argc < 2 || argc > 3)
		usage();
	if (strcmp(argv[0], "mon") == 0)
		op = MON;
	else if (strcmp(argv[0], "unmon") == 0)
		op = UNMON;
	else if (strcmp(argv[0], "notify") == 0)
		op = NOTIFY;
	else
		usage();
	fmt = argv[1];
	if (!format_ok(fmt))
		usage();
	if (argc == 3)
		myname = argv[2];
	per = (int)(ncalls / ncallers);
	if (per < 1)
		usage();
	total = (long)per * ncallers;

	if (pthread_barrier_init(&ready, NULL, (unsigned)ncallers + 1) != 0)
		return 1;
	for (i = 0; i < ncallers; i++) {
		callers[i].idx = i;
		callers[i].cl = clnt_create(host, SM_PROG, SM_VERS, netid);
		if (callers[i].cl == NULL) {
			clnt_pcreateerror("smstorm");
			return 2;
		}
		(void)clnt_control(callers[i].cl, CLSET_RETRY_TIMEOUT,
		    (char *)&retry);
		if (pthread_create(&callers[i].tid, NULL, run, &callers[i])
		    != 0) {
			fprintf(stderr, "smstorm: cannot start a caller\n");
			return 2;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t_start);
	pthread_barrier_wait(&ready);
	for (i = 0; i < ncallers; i++) {
		pthread_join(callers[i].tid, NULL);
		failed += callers[i].failed;
		clnt_destroy(callers[i].cl);
	}
	clock_gettime(CLOCK_MONOTONIC, &t_end);
	secs = (double)(t_end.tv_sec - t_start.tv_sec) +
	    (double)(t_end.tv_nsec - t_start.tv_nsec) / 1e9;
	printf("%ld calls in %.3f s: %.0f calls/s, %.1f us/call; %d callers, "
	    "%ld failed\n", total, secs, (double)total / secs,
	    secs * 1e6 / (double)total, ncallers, failed);
	return failed == 0 ? 0 : 2;
}
