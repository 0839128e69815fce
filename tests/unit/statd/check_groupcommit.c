/*
 * rpc.statd's group commit, through its real dispatch (svc.c on libtirpc)
 * and a real status file: SM_MON, SM_UNMON and SM_UNMON_ALL that are
 * waiting together are made durable by one commit, no reply leaves before
 * the commit that holds its change, a lone call is committed and answered
 * at once, and a failed commit fails every call of its batch and leaves
 * memory as the file is.
 *
 * The callers are this process's own sockets on loopback, bound to
 * reserved ports (the tests run as root, as the integration tests do).
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rpc/rpc.h>

#include "../check_main.h"
#include "log.h"
#include "../../../src/statd/statd.h"
#include "../testutil.h"

#define NCALLS	40

static const char BOOT_A[] = "11111111-2222-3333-4444-555555555555";

static char *dir, *path;
static struct sockaddr_in srv;		/* the served socket's address */
static int client = -1;			/* the callers' socket */
static int tcp;				/* client is a TCP connection */

/* What the commit hook saw. */
static unsigned long replies_seen;	/* read by the hook or after */
static unsigned long durable;		/* entries held by the last commit */
static int order_broken;		/* a reply before its commit */
static int fail_next_commit;

struct reply {
	uint32_t	xid;
	int		accepted;	/* MSG_ACCEPTED and SUCCESS */
	int		res_stat;	/* SM_MON's stat_succ or stat_fail */
};
static struct reply replies[4 * NCALLS];
static char	 tcpbuf[64 * 1024];
static size_t	 tcplen;

static void
setup(void)
{
	struct store_replay rp;

	log_init(1, 0);
	log_setverbose(0);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	dir = tu_tmpdir();
	path = tu_path(dir, "statd.status");
	memset(&conf, 0, sizeof(conf));
	conf.statusfile = path;
	conf.max_entries = 1000000;
	conf.max_bytes = STATD_DEFAULT_MAX_BYTES;
	conf.allowed_progs[0] = STATD_NLM_PROG;
	conf.nallowed = 1;
	conf.myname = "nfs1";
	sm_local_names_init("nfs1");
	sm_privileged_ports_init("/nonexistent/sysctl");	/* 1024 */
	memcpy(sm_boot_id, BOOT_A, sizeof(BOOT_A));
	sm_state = 1;
	mon_init();
	ck_assert_int_eq(store_open(path, &rp), 0);
	ck_assert_int_eq(store_state(sm_state, sm_boot_id), 0);
	ck_assert_int_eq(store_commit(), 0);
	replies_seen = durable = 0;
	order_broken = fail_next_commit = 0;
	tcplen = 0;
}

static void
teardown(void)
{
	store_set_commit_hook(NULL, NULL);
	if (client != -1)
		close(client);
	client = -1;
	store_close();
	notify_free();
	mon_free();
	timers_free();
	sm_local_names_free();
	tu_rmtree(dir);
	free(dir);
	free(path);
}

/* A served socket on 127.0.0.1 and a caller from a reserved port. */
static void
start(int type)
{
	struct sockaddr_in any;
	socklen_t len = sizeof(srv);
	int fd;

	tcp = type == SOCK_STREAM;
	memset(&srv, 0, sizeof(srv));
	srv.sin_family = AF_INET;
	srv.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ne(fd = socket(AF_INET, type, 0), -1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&srv, sizeof(srv)), 0);
	if (tcp)
		ck_assert_int_eq(listen(fd, 16), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&srv, &len), 0);
	ck_assert_int_eq(svc_add_transport(fd, tcp ? "tcp" : "udp"), 0);

	ck_assert_int_ne(client = socket(AF_INET, type, 0), -1);
	memset(&any, 0, sizeof(any));
	any.sin_family = AF_INET;
	ck_assert_int_eq(bindresvport_sa(client, (struct sockaddr *)&any), 0);
	if (tcp)
		ck_assert_int_eq(connect(client, (struct sockaddr *)&srv,
		    sizeof(srv)), 0);
}

static size_t
encode_call(char *buf, size_t size, uint32_t xid, uint32_t proc,
    xdrproc_t xargs, void *args)
{
	struct rpc_msg msg;
	XDR x;
	size_t len;

	memset(&msg, 0, sizeof(msg));
	msg.rm_xid = xid;
	msg.rm_direction = CALL;
	msg.rm_call.cb_rpcvers = RPC_MSG_VERSION;
	msg.rm_call.cb_prog = SM_PROG;
	msg.rm_call.cb_vers = SM_VERS;
	msg.rm_call.cb_proc = proc;
	msg.rm_call.cb_cred = _null_auth;
	msg.rm_call.cb_verf = _null_auth;
	xdrmem_create(&x, buf, (u_int)size, XDR_ENCODE);
	ck_assert(xdr_callmsg(&x, &msg));
	ck_assert(xargs(&x, args));
	len = xdr_getpos(&x);
	xdr_destroy(&x);
	return len;
}

/* One call; over TCP only queued in out (sent by flush_calls). */
static char	 out[256 * 1024];
static size_t	 outlen;

static void
send_call(uint32_t xid, uint32_t proc, xdrproc_t xargs, void *args)
{
	char buf[2048];
	size_t len = encode_call(buf, sizeof(buf), xid, proc, xargs, args);

	if (!tcp) {
		ck_assert_int_eq(sendto(client, buf, len, 0,
		    (struct sockaddr *)&srv, sizeof(srv)), (ssize_t)len);
		return;
	}
	ck_assert_uint_le(outlen + len + 4, sizeof(out));
	out[outlen] = (char)0x80;
	out[outlen + 1] = (char)((len >> 16) & 0xff);
	out[outlen + 2] = (char)((len >> 8) & 0xff);
	out[outlen + 3] = (char)(len & 0xff);
	memcpy(out + outlen + 4, buf, len);
	outlen += len + 4;
}

/* TCP: every queued call in one write, so they arrive together. */
static void
flush_calls(void)
{
	if (tcp && outlen > 0) {
		ck_assert_int_eq(write(client, out, outlen), (ssize_t)outlen);
		outlen = 0;
	}
}

static void
mon_args(mon *m, char *name, size_t namesz, int i, char privbyte)
{
	snprintf(name, namesz, "198.18.%d.%d", 1 + i / 200, 1 + i % 200);
	memset(m, 0, sizeof(*m));
	m->mon_id.mon_name = name;
	m->mon_id.my_id.my_name = (char *)(uintptr_t)"nfs1";
	m->mon_id.my_id.my_prog = STATD_NLM_PROG;
	m->mon_id.my_id.my_vers = 4;
	m->mon_id.my_id.my_proc = 16;
	memset(m->priv, privbyte, sizeof(m->priv));
}

static void
decode_reply(const char *buf, size_t len)
{
	struct rpc_msg msg;
	sm_stat_res res;
	XDR x;
	uint32_t xid;
	int xid_is_stat;

	ck_assert_uint_ge(len, 4);
	memcpy(&xid, buf, 4);
	xid = ntohl(xid);
	xid_is_stat = xid >= 2000;
	ck_assert_uint_lt(replies_seen, sizeof(replies) / sizeof(replies[0]));
	memset(&msg, 0, sizeof(msg));
	memset(&res, 0, sizeof(res));
	res.res_stat = -1;
	msg.acpted_rply.ar_verf = _null_auth;
	msg.acpted_rply.ar_results.where = (caddr_t)&res;
	/* xids from 2000 are SM_UNMON and SM_UNMON_ALL: an sm_stat. */
	msg.acpted_rply.ar_results.proc = xid_is_stat ?
	    (xdrproc_t)xdr_sm_stat : (xdrproc_t)xdr_sm_stat_res;
	xdrmem_create(&x, (char *)(uintptr_t)buf, (u_int)len, XDR_DECODE);
	/* A SYSTEM_ERR reply has no results: it decodes as well. */
	ck_assert(xdr_replymsg(&x, &msg));
	xdr_destroy(&x);
	ck_assert_int_eq(msg.rm_direction, REPLY);
	replies[replies_seen].xid = msg.rm_xid;
	replies[replies_seen].accepted =
	    msg.rm_reply.rp_stat == MSG_ACCEPTED &&
	    msg.acpted_rply.ar_stat == SUCCESS;
	replies[replies_seen].res_stat = res.res_stat;
	replies_seen++;
}

/* Read every reply that has arrived, without waiting. */
static void
read_replies(void)
{
	char buf[2048];
	ssize_t n;

	if (!tcp) {
		while ((n = recv(client, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			decode_reply(buf, (size_t)n);
		ck_assert(n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK));
		return;
	}
	while ((n = recv(client, tcpbuf + tcplen, sizeof(tcpbuf) - tcplen,
	    MSG_DONTWAIT)) > 0)
		tcplen += (size_t)n;
	ck_assert(n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK));
	for (;;) {
		unsigned char *h = (unsigned char *)tcpbuf;
		size_t rec;

		if (tcplen < 4)
			break;
		ck_assert(h[0] & 0x80);		/* one fragment */
		rec = ((size_t)(h[0] & 0x7f) << 24) | ((size_t)h[1] << 16) |
		    ((size_t)h[2] << 8) | h[3];
		if (tcplen < 4 + rec)
			break;
		decode_reply(tcpbuf + 4, rec);
		memmove(tcpbuf, tcpbuf + 4 + rec, tcplen - 4 - rec);
		tcplen -= 4 + rec;
	}
}

/*
 * Before each commit: every reply that has left so far must be for a call
 * an earlier commit made durable.  Each SM_MON here adds one entry, so the
 * entries in memory at a commit are the calls it makes durable.
 */
static void
check_order(void *arg)
{
	struct rlimit rl = { 0, RLIM_INFINITY };

	(void)arg;
	read_replies();
	if (replies_seen > durable)
		order_broken = 1;
	durable = mon_count();
	if (fail_next_commit) {
		/* Every write to the file fails (EFBIG): the commit fails. */
		fail_next_commit = 0;
		ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	}
}

/* Serve one poll round of the daemon's loop; 0 if nothing was ready. */
static int
serve_round(int timeout_ms)
{
	struct pollfd *pfd;
	int n, nfds = svc_max_pollfd;

	ck_assert_ptr_nonnull(pfd = calloc((size_t)nfds, sizeof(*pfd)));
	memcpy(pfd, svc_pollfd, (size_t)nfds * sizeof(*pfd));
	n = poll(pfd, (nfds_t)nfds, timeout_ms);
	ck_assert_int_ge(n, 0);
	if (n > 0)
		svc_serve(pfd, n);
	free(pfd);
	return n;
}

/* Serve until want replies have come back (or a round finds nothing). */
static unsigned
serve_until(unsigned long want)
{
	unsigned rounds = 0;

	for (;;) {
		read_replies();
		if (replies_seen >= want)
			break;
		ck_assert_uint_lt(rounds, 10 * NCALLS);
		if (serve_round(2000) == 0)
			break;
		rounds++;
	}
	return rounds;
}

static void
reopen(void)
{
	struct store_replay rp;

	store_close();
	notify_free();
	mon_free();
	mon_init();
	ck_assert_int_eq(store_open(path, &rp), 0);
}

static void
mon_storm(int type)
{
	char names[NCALLS][32];
	unsigned long long before;
	unsigned long i;
	mon m;

	start(type);
	store_set_commit_hook(check_order, NULL);
	for (i = 0; i < NCALLS; i++) {
		mon_args(&m, names[i], sizeof(names[i]), (int)i, 'a');
		send_call(1000 + (uint32_t)i, SM_MON, (xdrproc_t)xdr_mon, &m);
	}
	flush_calls();
	before = store_commits();
	serve_until(NCALLS);
	ck_assert_uint_eq(replies_seen, NCALLS);
	for (i = 0; i < NCALLS; i++) {
		ck_assert(replies[i].accepted);
		ck_assert_int_eq(replies[i].res_stat, stat_succ);
	}
	ck_assert(!order_broken);
	/*
	 * Waiting together, the calls share commits: one for the lot over
	 * UDP; over TCP the first call of a connection is answered alone
	 * (see svc.c), then the rest together.
	 */
	ck_assert_uint_le(store_commits() - before, 2);
	ck_assert_uint_eq(mon_count(), NCALLS);
	reopen();
	ck_assert_uint_eq(mon_count(), NCALLS);
}

START_TEST(test_udp_mon_storm_one_commit)
{
	mon_storm(SOCK_DGRAM);
}
END_TEST

START_TEST(test_tcp_mon_pipelined_few_commits)
{
	mon_storm(SOCK_STREAM);
}
END_TEST

/* SM_UNMON and SM_UNMON_ALL waiting together share a commit too. */
START_TEST(test_udp_unmon_storm_one_commit)
{
	char names[NCALLS][32];
	unsigned long long before;
	sm_stat_res res;
	struct sockaddr_in lo;
	unsigned long i;
	mon m;
	mon_id mid;
	my_id other;

	memset(&lo, 0, sizeof(lo));
	lo.sin_family = AF_INET;
	lo.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lo.sin_port = htons(700);
	for (i = 0; i < NCALLS; i++) {
		mon_args(&m, names[i], sizeof(names[i]), (int)i, 'a');
		if (i >= NCALLS / 2)
			m.mon_id.my_id.my_proc = 17;	/* for SM_UNMON_ALL */
		ck_assert_int_eq(sm_handle_mon(&m, (struct sockaddr *)&lo,
		    &res), 0);
		ck_assert_int_eq(res.res_stat, stat_succ);
	}
	start(SOCK_DGRAM);
	for (i = 0; i < NCALLS / 2; i++) {
		mon_args(&m, names[i], sizeof(names[i]), (int)i, 'a');
		mid = m.mon_id;
		send_call(2000 + (uint32_t)i, SM_UNMON, (xdrproc_t)xdr_mon_id,
		    &mid);
	}
	other = m.mon_id.my_id;
	other.my_proc = 17;
	send_call(3000, SM_UNMON_ALL, (xdrproc_t)xdr_my_id, &other);
	before = store_commits();
	serve_until(NCALLS / 2 + 1);
	ck_assert_uint_eq(replies_seen, NCALLS / 2 + 1);
	for (i = 0; i < replies_seen; i++)
		ck_assert(replies[i].accepted);
	ck_assert_uint_eq(store_commits() - before, 1);
	ck_assert_uint_eq(mon_count(), 0);
	reopen();
	ck_assert_uint_eq(mon_count(), 0);
}
END_TEST

/* A lone call is committed and answered in the round that read it. */
START_TEST(test_lone_call_at_once)
{
	char name[32];
	unsigned long long before;
	mon m;

	start(SOCK_DGRAM);
	store_set_commit_hook(check_order, NULL);
	mon_args(&m, name, sizeof(name), 0, 'a');
	send_call(42, SM_MON, (xdrproc_t)xdr_mon, &m);
	before = store_commits();
	ck_assert_int_eq(serve_round(2000), 1);
	ck_assert_uint_eq(store_commits() - before, 1);
	read_replies();
	ck_assert_uint_eq(replies_seen, 1);
	ck_assert_uint_eq(replies[0].xid, 42);
	ck_assert_int_eq(replies[0].res_stat, stat_succ);
	ck_assert(!order_broken);
}
END_TEST

/*
 * A batch whose commit fails: every call in it fails (SM_MON stat_fail,
 * SM_UNMON a system error), and memory is as the file: the new entry is
 * gone, the removed one back with its priv.
 */
START_TEST(test_failed_commit_fails_batch)
{
	char a[32], b[32];
	struct sockaddr_in lo;
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	struct sm_entry *e;
	sm_stat_res res;
	mon m;
	mon_id mid;
	unsigned long i;

	memset(&lo, 0, sizeof(lo));
	lo.sin_family = AF_INET;
	lo.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lo.sin_port = htons(700);
	mon_args(&m, a, sizeof(a), 0, 'a');
	ck_assert_int_eq(sm_handle_mon(&m, (struct sockaddr *)&lo, &res), 0);
	ck_assert_int_eq(res.res_stat, stat_succ);

	start(SOCK_DGRAM);
	store_set_commit_hook(check_order, NULL);
	durable = mon_count();
	fail_next_commit = 1;
	mon_args(&m, b, sizeof(b), 1, 'b');
	send_call(1, SM_MON, (xdrproc_t)xdr_mon, &m);
	mon_args(&m, a, sizeof(a), 0, 'a');
	mid = m.mon_id;
	send_call(2, SM_UNMON, (xdrproc_t)xdr_mon_id, &mid);
	serve_until(2);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &unlimited), 0);
	ck_assert_uint_eq(replies_seen, 2);
	for (i = 0; i < 2; i++) {
		if (replies[i].xid == 1) {
			ck_assert(replies[i].accepted);
			ck_assert_int_eq(replies[i].res_stat, stat_fail);
		} else {
			ck_assert_uint_eq(replies[i].xid, 2);
			ck_assert(!replies[i].accepted);
		}
	}
	ck_assert_ptr_null(mon_find(b, "nfs1", STATD_NLM_PROG, 4, 16));
	ck_assert_ptr_nonnull(e = mon_find(a, "nfs1", STATD_NLM_PROG, 4, 16));
	ck_assert_int_eq(e->priv[0], 'a');
	ck_assert_uint_eq(mon_count(), 1);
	reopen();
	ck_assert_uint_eq(mon_count(), 1);
	ck_assert_ptr_nonnull(mon_find(a, "nfs1", STATD_NLM_PROG, 4, 16));
}
END_TEST

static Suite *
groupcommit_suite(void)
{
	Suite *s = suite_create("statd group commit");
	TCase *tc = tcase_create("batches");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_udp_mon_storm_one_commit);
	tcase_add_test(tc, test_tcp_mon_pipelined_few_commits);
	tcase_add_test(tc, test_udp_unmon_storm_one_commit);
	tcase_add_test(tc, test_lone_call_at_once);
	tcase_add_test(tc, test_failed_commit_fails_batch);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(groupcommit_suite)
