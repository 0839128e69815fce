/*
 * smcall: call an NSM (program 100024) procedure, for tests and benchmarks.
 *
 *   smcall [-h host] [-t netid] [-n count] [-T seconds] proc [args]
 *     null
 *     stat NAME
 *     mon MON_NAME MY_NAME PROG VERS PROC [PRIV_HEX]
 *     unmon MON_NAME MY_NAME PROG VERS PROC
 *     unmon_all MY_NAME PROG VERS PROC
 *     crash
 *     notify NAME STATE[,STATE...]
 *
 * Prints the result ("stat_succ 5", "stat_fail 5", "state 5", "ok").  With
 * -n the call is made count times (a "%d" in MON_NAME or NAME becomes the
 * call's number, and notify takes the listed states in turn) and the rate
 * is printed instead.  Run as root, libtirpc binds a reserved source port;
 * as another user, an unprivileged one.  Exit 0 when every call
 * got an RPC reply, 2 when one did not, 1 for bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rpc/rpc.h>

#include "sm_inter.h"

static bool_t
xdr_none(XDR *x, void *p)
{
	(void)x;
	(void)p;
	return TRUE;
}

static void
usage(void)
{
	fprintf(stderr, "usage: smcall [-h host] [-t netid] [-n count] "
	    "[-T seconds] proc [args]\n");
	exit(1);
}

static int
num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 0);

	if (*s == '\0' || *end != '\0')
		usage();
	return (int)v;
}

static void
priv_from_hex(const char *hex, char priv[SM_PRIV_SIZE])
{
	int i;

	memset(priv, 0, SM_PRIV_SIZE);
	for (i = 0; i < SM_PRIV_SIZE && hex[2 * i] && hex[2 * i + 1]; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			usage();
		priv[i] = (char)v;
	}
}

/* The name for call number i: fmt with "%d" replaced, or fmt itself. */
static char *
name_for(char *fmt, long i, char *buf, size_t len)
{
	const char *p = strstr(fmt, "%d");

	if (p == NULL)
		return fmt;
	snprintf(buf, len, "%.*s%ld%s", (int)(p - fmt), fmt, i, p + 2);
	return buf;
}

/* Call i's state from "S1,S2,...": the list taken in turn. */
static int
state_for(const char *list, long i)
{
	char buf[256], *p, *save = NULL;
	long n = 0, want;
	int states[64];

	if (strlen(list) >= sizeof(buf))
		usage();
	strcpy(buf, list);
	for (p = strtok_r(buf, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		if (n == (long)(sizeof(states) / sizeof(states[0])))
			usage();
		states[n++] = num(p);
	}
	if (n == 0)
		usage();
	want = i % n;
	return states[want];
}

int
main(int argc, char *argv[])
{
	const char *host = "127.0.0.1", *netid = "udp", *proc;
	struct timeval tv = { 10, 0 };
	struct timespec t0, t1;
	long count = 1, i;
	CLIENT *cl;
	struct netconfig *nc;
	int ch, quiet;
	char namebuf[SM_MAXSTRLEN + 1];

	while ((ch = getopt(argc, argv, "h:n:t:T:")) != -1) {
		switch (ch) {
		case 'h': host = optarg; break;
		case 'n': count = num(optarg); break;
		case 't': netid = optarg; break;
		case 'T': tv.tv_sec = num(optarg); break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || count < 1)
		usage();
	proc = argv[0];
	quiet = count > 1;

	if ((nc = getnetconfigent(netid)) == NULL) {
		fprintf(stderr, "smcall: unknown netid %s\n", netid);
		return 1;
	}
	/* By netid, so udp6 and tcp6 work too (clnt_create knows udp, tcp). */
	cl = clnt_tp_create(host, SM_PROG, SM_VERS, nc);
	freenetconfigent(nc);
	if (cl == NULL) {
		clnt_pcreateerror(host);
		return 2;
	}
	clnt_control(cl, CLSET_TIMEOUT, (char *)&tv);
	if (strcmp(netid, "udp") == 0 || strcmp(netid, "udp6") == 0) {
		struct timeval retry = { 1, 0 };

		clnt_control(cl, CLSET_RETRY_TIMEOUT, (char *)&retry);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < count; i++) {
		sm_stat_res *sr = NULL;
		sm_stat *st = NULL;
		void *v = NULL;
		int isvoid = 0;

		if (strcmp(proc, "null") == 0 && argc == 1) {
			static char dummy;

			isvoid = 1;
			v = clnt_call(cl, NULLPROC, (xdrproc_t)xdr_none, NULL,
			    (xdrproc_t)xdr_none, NULL, tv) == RPC_SUCCESS ?
			    &dummy : NULL;
		} else if (strcmp(proc, "stat") == 0 && argc == 2) {
			sm_name a = { name_for(argv[1], i, namebuf,
			    sizeof(namebuf)) };

			sr = sm_stat_1(&a, cl);
		} else if (strcmp(proc, "mon") == 0 && (argc == 6 || argc == 7)) {
			mon a;

			a.mon_id.mon_name = name_for(argv[1], i, namebuf,
			    sizeof(namebuf));
			a.mon_id.my_id.my_name = argv[2];
			a.mon_id.my_id.my_prog = num(argv[3]);
			a.mon_id.my_id.my_vers = num(argv[4]);
			a.mon_id.my_id.my_proc = num(argv[5]);
			priv_from_hex(argc == 7 ? argv[6] : "", a.priv);
			sr = sm_mon_1(&a, cl);
		} else if (strcmp(proc, "unmon") == 0 && argc == 6) {
			mon_id a;

			a.mon_name = name_for(argv[1], i, namebuf,
			    sizeof(namebuf));
			a.my_id.my_name = argv[2];
			a.my_id.my_prog = num(argv[3]);
			a.my_id.my_vers = num(argv[4]);
			a.my_id.my_proc = num(argv[5]);
			st = sm_unmon_1(&a, cl);
		} else if (strcmp(proc, "unmon_all") == 0 && argc == 5) {
			my_id a;

			a.my_name = argv[1];
			a.my_prog = num(argv[2]);
			a.my_vers = num(argv[3]);
			a.my_proc = num(argv[4]);
			st = sm_unmon_all_1(&a, cl);
		} else if (strcmp(proc, "crash") == 0 && argc == 1) {
			isvoid = 1;
			v = sm_simu_crash_1(NULL, cl);
		} else if (strcmp(proc, "notify") == 0 && argc == 3) {
			stat_chge a;

			a.mon_name = name_for(argv[1], i, namebuf,
			    sizeof(namebuf));
			a.state = state_for(argv[2], i);
			isvoid = 1;
			v = sm_notify_1(&a, cl);
		} else
			usage();

		if (sr == NULL && st == NULL && v == NULL) {
			clnt_perror(cl, proc);
			return 2;
		}
		if (quiet)
			continue;
		if (sr != NULL)
			printf("%s %d\n", sr->res_stat == stat_succ ?
			    "stat_succ" : "stat_fail", sr->state);
		else if (st != NULL)
			printf("state %d\n", st->state);
		else if (isvoid)
			printf("ok\n");
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (quiet) {
		double s = (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

		printf("%ld calls in %.3f s: %.0f calls/s, %.1f us/call\n",
		    count, s, (double)count / s, s * 1e6 / (double)count);
	}
	clnt_destroy(cl);
	return 0;
}
