/*
 * smtorture: one of the concurrent NSM callers of the crash-torture test
 * (tests/integration/t_torture.sh).  It sends SM_MON, SM_UNMON and
 * SM_UNMON_ALL to the local rpc.statd over TCP (or UDP, -u), from a
 * reserved port when it can bind one, until a call gets no reply (the daemon was killed), and
 * writes a journal line before and after every call:
 *
 *	send OP PROC MON_NAME PRIV	the call is about to go out
 *	ack OP PROC MON_NAME PRIV	its reply came: statd says it is done
 *	refused OP PROC MON_NAME PRIV	a reply that says it was not done
 *
 * OP is mon, unmon or unmon_all (MON_NAME and PRIV are then "-").  A send
 * without its ack is the call in flight at the kill: it may or may not
 * have landed.  Every call is made for my_name 127.0.0.1, program 100021
 * version 4 and procedure PROC (-p), so each caller owns the entries with
 * its PROC; the MON_NAMEs n0 .. n(K-1) (-k) are shared by all callers, so
 * statd's hosts have several entries.
 *
 *	smtorture -p PROC [-c CALLERS] [-u UDPCALLERS] [-k K] [-s SEED]
 *	    [-n MAXCALLS] [-T SECONDS]
 *
 * With -c, CALLERS processes call at once, with procedures PROC,
 * PROC + 1, ...; their journal lines share standard output (one write
 * each: open it for appending).  The last UDPCALLERS of them (-u, 0 by
 * default) call over UDP, retrying every half second: statd then batches
 * the replies of both transports together (issue 16); a UDP caller gives
 * up after 2 s without a reply, the in-flight call of a kill.  A caller ends after its first call
 * without a reply (or MAXCALLS calls).  Exit 0 when every caller ended so,
 * 1 on a usage error, 2 if one could not reach statd at all.
 */
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rpc/rpc.h>
#include <rpc/rpcb_clnt.h>

#include "sm_inter.h"

#define MY_NAME		"127.0.0.1"
#define MY_PROG		100021
#define MY_VERS		4

static void
usage(void)
{
	fprintf(stderr, "usage: smtorture -p proc [-c callers] [-u udpcallers] "
	    "[-k names] [-s seed] [-n maxcalls] [-T seconds]\n");
	exit(1);
}

static long
num(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < min || v > max)
		usage();
	return v;
}

/*
 * A TCP (or UDP) client of the local statd, bound to a reserved port if
 * possible.
 */
static CLIENT *
connect_statd(int udp)
{
	struct netconfig *nc;
	struct netbuf nb;
	struct sockaddr_in sin, me;
	CLIENT *cl;
	int fd;

	if ((nc = getnetconfigent(udp ? "udp" : "tcp")) == NULL)
		return NULL;
	memset(&sin, 0, sizeof(sin));
	nb.buf = &sin;
	nb.len = nb.maxlen = sizeof(sin);
	if (!rpcb_getaddr(SM_PROG, SM_VERS, nc, &nb, "127.0.0.1")) {
		freenetconfigent(nc);
		clnt_pcreateerror("rpcbind");
		return NULL;
	}
	freenetconfigent(nc);
	if ((fd = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) |
	    SOCK_CLOEXEC, 0)) == -1)
		return NULL;
	/* Only root may: then statd sees a privileged local caller. */
	memset(&me, 0, sizeof(me));
	me.sin_family = AF_INET;
	me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (geteuid() == 0 && bindresvport(fd, &me) == -1)
		perror("smtorture: bindresvport");
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		perror("smtorture: connect");
		close(fd);
		return NULL;
	}
	if (udp) {
		struct timeval retry = { 0, 500000 };

		cl = clnt_dg_create(fd, &nb, SM_PROG, SM_VERS, 0, 0);
		if (cl != NULL)
			clnt_control(cl, CLSET_RETRY_TIMEOUT, (char *)&retry);
	} else
		cl = clnt_vc_create(fd, &nb, SM_PROG, SM_VERS, 0, 0);
	if (cl == NULL) {
		clnt_pcreateerror("smtorture");
		close(fd);
		return NULL;
	}
	clnt_control(cl, CLSET_FD_CLOSE, NULL);
	return cl;
}

static int caller(long proc, long names, long maxcalls, struct timeval tv,
    int udp);

int
main(int argc, char *argv[])
{
	struct timeval tv = { 10, 0 };
	long proc = -1, names = 8, maxcalls = 1000000, seed = 1, callers = 1, i;
	long udpcallers = 0;
	pid_t pid;
	int ch, status, rc = 0;

	while ((ch = getopt(argc, argv, "c:k:n:p:s:T:u:")) != -1) {
		switch (ch) {
		case 'c': callers = num(optarg, 1, 64); break;
		case 'k': names = num(optarg, 1, 100000); break;
		case 'n': maxcalls = num(optarg, 1, 1000000000); break;
		case 'p': proc = num(optarg, 0, 0x7fffffff); break;
		case 's': seed = num(optarg, 0, 0x7fffffff); break;
		case 'T': tv.tv_sec = num(optarg, 1, 3600); break;
		case 'u': udpcallers = num(optarg, 0, 64); break;
		default: usage();
		}
	}
	if (proc < 0 || proc > 0x7fffffff - callers || optind != argc ||
	    udpcallers > callers)
		usage();
	/* Line-buffered: each journal line is one write(). */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < callers; i++) {
		if ((pid = fork()) == -1) {
			perror("smtorture: fork");
			rc = 2;
			break;
		}
		if (pid == 0) {
			srandom((unsigned)(seed * 7919 + i));
			_exit(caller(proc + i, names, maxcalls, tv,
			    i >= callers - udpcallers));
		}
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			rc = 2;
	return rc;
}

static int
caller(long proc, long names, long maxcalls, struct timeval tv, int udp)
{
	CLIENT *cl;
	long i;

	if ((cl = connect_statd(udp)) == NULL)
		return 2;
	if (udp)
		tv.tv_sec = tv.tv_sec < 2 ? tv.tv_sec : 2;
	clnt_control(cl, CLSET_TIMEOUT, (char *)&tv);

	for (i = 0; i < maxcalls; i++) {
		char mname[32], privhex[2 * SM_PRIV_SIZE + 1];
		const char *op;
		long r = random() % 100;
		int j, ok, done;

		snprintf(mname, sizeof(mname), "n%ld", random() % names);
		if (r < 55) {
			mon a;
			sm_stat_res *sr;

			op = "mon";
			a.mon_id.mon_name = mname;
			a.mon_id.my_id.my_name = MY_NAME;
			a.mon_id.my_id.my_prog = MY_PROG;
			a.mon_id.my_id.my_vers = MY_VERS;
			a.mon_id.my_id.my_proc = (int)proc;
			for (j = 0; j < SM_PRIV_SIZE; j++) {
				a.priv[j] = (char)(random() & 0xff);
				snprintf(privhex + 2 * j, 3, "%02x",
				    (unsigned char)a.priv[j]);
			}
			printf("send %s %ld %s %s\n", op, proc, mname, privhex);
			sr = sm_mon_1(&a, cl);
			ok = sr != NULL;
			done = ok && sr->res_stat == stat_succ;
		} else if (r < 97) {
			mon_id a;

			op = "unmon";
			strcpy(privhex, "-");
			a.mon_name = mname;
			a.my_id.my_name = MY_NAME;
			a.my_id.my_prog = MY_PROG;
			a.my_id.my_vers = MY_VERS;
			a.my_id.my_proc = (int)proc;
			printf("send %s %ld %s -\n", op, proc, mname);
			/* SM_UNMON has no failure status: a reply is done. */
			ok = done = sm_unmon_1(&a, cl) != NULL;
		} else {
			my_id a;

			op = "unmon_all";
			strcpy(mname, "-");
			strcpy(privhex, "-");
			a.my_name = MY_NAME;
			a.my_prog = MY_PROG;
			a.my_vers = MY_VERS;
			a.my_proc = (int)proc;
			printf("send %s %ld - -\n", op, proc);
			ok = done = sm_unmon_all_1(&a, cl) != NULL;
		}
		if (!ok)
			break;
		printf("%s %s %ld %s %s\n", done ? "ack" : "refused", op, proc,
		    mname, privhex);
	}
	clnt_destroy(cl);
	return 0;
}
