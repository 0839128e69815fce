/*
 * nlmclient: a small NLM version 4 client for tests, which takes the place
 * of a client kernel's lockd.  It gets the export's root handle with MOUNT
 * v3 MNT, the file's handle with NFSv3 LOOKUP, and makes one NLM4 call on
 * the whole file (offset 0, length 0: to the end), never blocking.
 *
 *   nlmclient [-n caller_name] [-o svid] [-t udp|tcp] [-T seconds] [-r]
 *       SERVER EXPORT FILE test|lock|unlock
 *
 * caller_name defaults to this host's node name; the lock owner is
 * "nlmclient:CALLER:SVID" (svid 1 unless -o).  -r marks the lock a reclaim.
 * Prints the NLM status in lower case ("granted", "denied", ...); for a
 * denied TEST also "svid N" of the holder.  Exit 0 when the server
 * answered (whatever the status), 2 when a call failed, 1 for bad usage.
 */
#include <sys/utsname.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rpc/rpc.h>

#include "mount3.h"
#include "nfs3.h"
#include "nlm4.h"

static struct timeval timeout = { 10, 0 };

static __attribute__((noreturn)) void
usage(void)
{
	fprintf(stderr, "usage: nlmclient [-n caller_name] [-o svid] "
	    "[-t udp|tcp] [-T seconds] [-r]\n"
	    "                 SERVER EXPORT FILE test|lock|unlock\n");
	exit(1);
}

static const char *
nlm4_stat_name(nlm4_stats s)
{
	static const char *const names[] = { "granted", "denied",
	    "denied_nolocks", "blocked", "denied_grace_period", "deadlck",
	    "rofs", "stale_fh", "fbig", "failed" };

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ?
	    names[s] : "unknown";
}

static CLIENT *
connect_to(const char *host, rpcprog_t prog, rpcvers_t vers,
    const char *netid)
{
	CLIENT *cl;

	if ((cl = clnt_create(host, prog, vers, netid)) == NULL) {
		clnt_pcreateerror(host);
		exit(2);
	}
	clnt_control(cl, CLSET_TIMEOUT, (char *)&timeout);
	auth_destroy(cl->cl_auth);
	if ((cl->cl_auth = authsys_create_default()) == NULL) {
		fprintf(stderr, "nlmclient: no AUTH_SYS credentials\n");
		exit(2);
	}
	return cl;
}

/* The export's root handle, by MOUNT v3 MNT; copied into fh. */
static void
mount_root(const char *server, const char *export, nfs3x_fh *fh)
{
	CLIENT *cl = connect_to(server, MNT3_PROGRAM, MNT3_VERSION, "udp");
	mnt3_dirpath path = (char *)(uintptr_t)export;
	mnt3_res res;

	memset(&res, 0, sizeof(res));
	if (clnt_call(cl, MNT3PROC_MNT, (xdrproc_t)xdr_mnt3_dirpath,
	    (char *)&path, (xdrproc_t)xdr_mnt3_res, (char *)&res,
	    timeout) != RPC_SUCCESS) {
		clnt_perror(cl, "MOUNT MNT");
		exit(2);
	}
	if (res.fhs_status != MNT3_OK) {
		fprintf(stderr, "nlmclient: MNT %s: status %d\n", export,
		    (int)res.fhs_status);
		exit(2);
	}
	fh->nfs3x_fh_len = res.mnt3_res_u.mountinfo.fhandle.mnt3_fhandle_len;
	if ((fh->nfs3x_fh_val = malloc(fh->nfs3x_fh_len)) == NULL) {
		perror("nlmclient");
		exit(2);
	}
	memcpy(fh->nfs3x_fh_val,
	    res.mnt3_res_u.mountinfo.fhandle.mnt3_fhandle_val,
	    fh->nfs3x_fh_len);
	clnt_freeres(cl, (xdrproc_t)xdr_mnt3_res, (char *)&res);
	auth_destroy(cl->cl_auth);
	clnt_destroy(cl);
}

/* FILE's handle in the directory dir, by NFSv3 LOOKUP; copied into fh. */
static void
lookup(const char *server, nfs3x_fh *dir, const char *name, nfs3x_fh *fh)
{
	CLIENT *cl = connect_to(server, NFS3X_PROGRAM, NFS3X_VERSION, "udp");
	nfs3x_lookup_args args;
	nfs3x_lookup_res res;

	args.dir = *dir;
	args.name = (char *)(uintptr_t)name;
	memset(&res, 0, sizeof(res));
	if (clnt_call(cl, NFS3XPROC_LOOKUP, (xdrproc_t)xdr_nfs3x_lookup_args,
	    (char *)&args, (xdrproc_t)xdr_nfs3x_lookup_res, (char *)&res,
	    timeout) != RPC_SUCCESS) {
		clnt_perror(cl, "NFS LOOKUP");
		exit(2);
	}
	if (res.status != NFS3X_OK) {
		fprintf(stderr, "nlmclient: LOOKUP %s: status %d\n", name,
		    (int)res.status);
		exit(2);
	}
	fh->nfs3x_fh_len = res.nfs3x_lookup_res_u.resok.object.nfs3x_fh_len;
	if ((fh->nfs3x_fh_val = malloc(fh->nfs3x_fh_len)) == NULL) {
		perror("nlmclient");
		exit(2);
	}
	memcpy(fh->nfs3x_fh_val,
	    res.nfs3x_lookup_res_u.resok.object.nfs3x_fh_val, fh->nfs3x_fh_len);
	clnt_freeres(cl, (xdrproc_t)xdr_nfs3x_lookup_res, (char *)&res);
	auth_destroy(cl->cl_auth);
	clnt_destroy(cl);
}

int
main(int argc, char *argv[])
{
	const char *netid = "udp", *caller = NULL, *server, *export, *file, *op;
	struct utsname u;
	nfs3x_fh root, fh;
	nlm4_lock lk;
	CLIENT *cl;
	char owner[NLM4_MAXSTRLEN + 32], cookie[8] = "nlmtest";
	int ch, svid = 1, reclaim = 0;
	long v;
	char *end;

	while ((ch = getopt(argc, argv, "n:o:rt:T:")) != -1) {
		switch (ch) {
		case 'n':
			caller = optarg;
			break;
		case 'o':
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 0 ||
			    v > 0x7fffffff)
				usage();
			svid = (int)v;
			break;
		case 'r':
			reclaim = 1;
			break;
		case 't':
			netid = optarg;
			break;
		case 'T':
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 1 || v > 600)
				usage();
			timeout.tv_sec = v;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 4)
		usage();
	server = argv[optind];
	export = argv[optind + 1];
	file = argv[optind + 2];
	op = argv[optind + 3];
	if (caller == NULL) {
		if (uname(&u) == -1) {
			perror("uname");
			return 2;
		}
		caller = u.nodename;
	}
	if (strlen(caller) > NLM4_MAXSTRLEN)
		usage();

	mount_root(server, export, &root);
	lookup(server, &root, file, &fh);

	snprintf(owner, sizeof(owner), "nlmclient:%s:%d", caller, svid);
	memset(&lk, 0, sizeof(lk));
	lk.caller_name = (char *)(uintptr_t)caller;
	lk.fh.nlm4_netobj_len = fh.nfs3x_fh_len;
	lk.fh.nlm4_netobj_val = fh.nfs3x_fh_val;
	lk.oh.nlm4_netobj_len = (u_int)strlen(owner);
	lk.oh.nlm4_netobj_val = owner;
	lk.svid = svid;
	lk.l_offset = 0;
	lk.l_len = 0;

	cl = connect_to(server, NLM4_PROG, NLM4_VERS, netid);
	if (strcmp(op, "test") == 0) {
		nlm4_testargs a;
		nlm4_testres r;

		memset(&a, 0, sizeof(a));
		memset(&r, 0, sizeof(r));
		a.cookie.nlm4_netobj_len = sizeof(cookie);
		a.cookie.nlm4_netobj_val = cookie;
		a.exclusive = TRUE;
		a.alock = lk;
		if (clnt_call(cl, NLM4PROC_TEST, (xdrproc_t)xdr_nlm4_testargs,
		    (char *)&a, (xdrproc_t)xdr_nlm4_testres, (char *)&r,
		    timeout) != RPC_SUCCESS) {
			clnt_perror(cl, "NLM4 TEST");
			return 2;
		}
		if (r.stat.stat == NLM4_DENIED)
			printf("denied svid %d\n",
			    r.stat.nlm4_testrply_u.holder.svid);
		else
			printf("%s\n", nlm4_stat_name(r.stat.stat));
		clnt_freeres(cl, (xdrproc_t)xdr_nlm4_testres, (char *)&r);
	} else if (strcmp(op, "lock") == 0) {
		nlm4_lockargs a;
		nlm4_res r;

		memset(&a, 0, sizeof(a));
		memset(&r, 0, sizeof(r));
		a.cookie.nlm4_netobj_len = sizeof(cookie);
		a.cookie.nlm4_netobj_val = cookie;
		a.block = FALSE;
		a.exclusive = TRUE;
		a.alock = lk;
		a.reclaim = reclaim;
		a.state = 0;
		if (clnt_call(cl, NLM4PROC_LOCK, (xdrproc_t)xdr_nlm4_lockargs,
		    (char *)&a, (xdrproc_t)xdr_nlm4_res, (char *)&r,
		    timeout) != RPC_SUCCESS) {
			clnt_perror(cl, "NLM4 LOCK");
			return 2;
		}
		printf("%s\n", nlm4_stat_name(r.stat));
		clnt_freeres(cl, (xdrproc_t)xdr_nlm4_res, (char *)&r);
	} else if (strcmp(op, "unlock") == 0) {
		nlm4_unlockargs a;
		nlm4_res r;

		memset(&a, 0, sizeof(a));
		memset(&r, 0, sizeof(r));
		a.cookie.nlm4_netobj_len = sizeof(cookie);
		a.cookie.nlm4_netobj_val = cookie;
		a.alock = lk;
		if (clnt_call(cl, NLM4PROC_UNLOCK,
		    (xdrproc_t)xdr_nlm4_unlockargs, (char *)&a,
		    (xdrproc_t)xdr_nlm4_res, (char *)&r, timeout) !=
		    RPC_SUCCESS) {
			clnt_perror(cl, "NLM4 UNLOCK");
			return 2;
		}
		printf("%s\n", nlm4_stat_name(r.stat));
		clnt_freeres(cl, (xdrproc_t)xdr_nlm4_res, (char *)&r);
	} else
		usage();
	auth_destroy(cl->cl_auth);
	clnt_destroy(cl);
	free(root.nfs3x_fh_val);
	free(fh.nfs3x_fh_val);
	return 0;
}
