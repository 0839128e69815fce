/*
 * libFuzzer target: rpc.statd's requests, as the dispatcher (svc.c) takes
 * them.  The input is a sequence of calls, each
 *	u8 op, u16 length, that many bytes of XDR arguments
 * where op % 7 is the procedure (NULL, SM_STAT, SM_MON, SM_UNMON,
 * SM_UNMON_ALL, SM_SIMU_CRASH, SM_NOTIFY) and op / 8 % 4 the caller
 * (127.0.0.1, ::1, 198.18.0.2, or unknown).  The arguments are decoded
 * with the rpcgen routines from an xdrmem stream and handed to the handler
 * the dispatcher calls, against a real status file.  Must hold:
 *  - every reply says stat_succ or stat_fail, with the current state;
 *  - what the callers were told is in the status file: replayed, it gives
 *    the same entries, pending notifications and state.
 * Callbacks and notifications are only queued (no timer runs, no resolver
 * is started), so nothing leaves the process.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rpc/rpc.h>

#include "smspost.h"
#include "../../../src/statd/statd.h"
#include "../fuzzutil.h"

#define FZ_RPC_MAX_CALLS	64
#define FZ_RPC_MAX_ARGS		4096

static const char fz_rpc_boot[] = "00000000-1111-2222-3333-444444444444";

static void
fz_rpc_setup(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	conf.max_entries = 64;
	conf.allowed_progs[0] = STATD_NLM_PROG;
	conf.nallowed = 1;
	conf.myname = "nfs1";
	sm_local_names_init("nfs1");
	smspost_socket(NULL);		/* sm_crash's event goes nowhere */
	memcpy(sm_boot_id, fz_rpc_boot, sizeof(fz_rpc_boot));
}

static void
fz_rpc_forget(void)
{
	store_close();
	callback_free();
	notify_free();
	mon_free();
	timers_free();
}

/* The caller's address for code c; NULL when the transport gave none. */
static const struct sockaddr *
fz_rpc_caller(unsigned c, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	switch (c) {
	case 0:
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin->sin_port = htons(1023);
		break;
	case 1:
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		break;
	case 2:
		sin->sin_family = AF_INET;
		(void)inet_pton(AF_INET, "198.18.0.2", &sin->sin_addr);
		break;
	default:
		return NULL;
	}
	return (const struct sockaddr *)ss;
}

/* One call; the dispatcher's switch, without the transport. */
static void
fz_rpc_call(unsigned proc, const struct sockaddr *caller, const uint8_t *args,
    size_t len)
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
	xdrproc_t xarg;
	XDR x;
	int rc = 0, stat_res = 0;

	switch (proc) {
	case SM_STAT: xarg = (xdrproc_t)xdr_sm_name; break;
	case SM_MON: xarg = (xdrproc_t)xdr_mon; break;
	case SM_UNMON: xarg = (xdrproc_t)xdr_mon_id; break;
	case SM_UNMON_ALL: xarg = (xdrproc_t)xdr_my_id; break;
	case SM_NOTIFY: xarg = (xdrproc_t)xdr_stat_chge; break;
	case SM_SIMU_CRASH:
		FUZZ_CHECK(sm_handle_simu_crash(caller) == 0);
		return;
	default:
		return;		/* NULLPROC */
	}
	memset(&arg, 0, sizeof(arg));
	memset(&res, 0, sizeof(res));
	xdrmem_create(&x, (char *)(uintptr_t)args, (u_int)len, XDR_DECODE);
	if (!xarg(&x, &arg)) {
		xdr_free(xarg, (char *)&arg);	/* svc_freeargs does it */
		xdr_destroy(&x);
		return;
	}
	xdr_destroy(&x);
	switch (proc) {
	case SM_STAT:
		rc = sm_handle_stat(&arg.stat, &res.sr);
		stat_res = 1;
		break;
	case SM_MON:
		rc = sm_handle_mon(&arg.mon, caller, &res.sr);
		stat_res = 1;
		break;
	case SM_UNMON:
		rc = sm_handle_unmon(&arg.unmon, caller, &res.s);
		break;
	case SM_UNMON_ALL:
		rc = sm_handle_unmon_all(&arg.unmon_all, caller, &res.s);
		break;
	case SM_NOTIFY:
		if (arg.notify.mon_name != NULL &&
		    sm_name_valid(arg.notify.mon_name,
		    strlen(arg.notify.mon_name)))
			callback_notify(arg.notify.mon_name, arg.notify.state,
			    caller);
		break;
	}
	/* The file is on tmpfs and never fails: every call succeeds. */
	FUZZ_CHECK(rc == 0);
	if (stat_res) {
		FUZZ_CHECK(res.sr.res_stat == stat_succ ||
		    res.sr.res_stat == stat_fail);
		FUZZ_CHECK(res.sr.state == sm_state);
	} else if (proc != SM_NOTIFY)
		FUZZ_CHECK(res.s.state == sm_state);
	xdr_free(xarg, (char *)&arg);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct store_replay rp;
	struct sockaddr_storage ss;
	unsigned long entries, pending;
	unsigned op, len, calls = 0;
	const uint8_t *args;
	size_t got;
	char path[512];
	int state;

	fz_rpc_setup();
	fz_scratch();
	fz_path(path, sizeof(path), "statd.status");
	conf.statusfile = path;
	sm_state = 1;
	FUZZ_CHECK(store_open(path, &rp) == 0);
	FUZZ_CHECK(store_state(sm_state, sm_boot_id) == 0 &&
	    store_commit() == 0);

	while (calls++ < FZ_RPC_MAX_CALLS && fz_u8(&in, &op) == 0 &&
	    fz_u16(&in, &len) == 0) {
		args = fz_bytes(&in, len % FZ_RPC_MAX_ARGS, &got);
		fz_rpc_call(op % 7, fz_rpc_caller(op / 8 % 4, &ss), args, got);
	}

	entries = mon_count();
	pending = notify_pending();
	state = sm_state;
	fz_rpc_forget();
	FUZZ_CHECK(store_open(path, &rp) == 0);
	FUZZ_CHECK(mon_count() == entries);
	FUZZ_CHECK(notify_pending() == pending);
	FUZZ_CHECK(rp.have_state && rp.state == state);
	fz_rpc_forget();
	return 0;
}
