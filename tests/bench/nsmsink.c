/*
 * nsmsink: a crowd of rebooted statd peers in one process, for the
 * notification benchmark.
 *
 *   nsmsink [-p port] [-n target] [-t seconds] [-m mon_name]
 *
 * One UDP socket bound to 0.0.0.0:port (default 111) plays, for every local
 * address at once (e.g. 198.19.0.0/16 made local with
 * "ip route add local 198.19.0.0/16 dev lo"), both rpcbind (PMAP GETPORT,
 * answered with its own port) and statd (SM_NOTIFY, answered with an empty
 * success).  Replies leave from the address the call was sent to
 * (IP_PKTINFO), as a real host's would.  It counts the distinct
 * (mon_name, destination address) pairs of SM_NOTIFY; with -m only that
 * mon_name counts.  When target pairs are in it prints one line, and goes on
 * answering (a notifier whose reply was lost retries) until -t seconds have
 * passed or SIGTERM/SIGINT; then it prints the line again as "final":
 *
 *   notified N of T; first F last L (s since the epoch); getport G notify S
 *   dup D other O
 *
 * Exit 0 when the target was reached, 1 otherwise.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PMAP_PROG	100000u
#define PMAP_GETPORT	3u
#define SM_PROG		100024u
#define SM_NOTIFY	6u
#define MAXNAME		1024
#define NSLOTS		(1u << 18)	/* open-addressing table of pairs */

struct pair {
	uint32_t	addr;		/* network order; 0 = empty */
	uint32_t	namehash;
};

static struct pair	*pairs;
static volatile sig_atomic_t stop;

static void on_sig(int s) { (void)s; stop = 1; }

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t
fnv(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n-- > 0)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/* 1 if (addr, name) is new, 0 if seen before, -1 if the table is full. */
static int
add_pair(uint32_t addr, uint32_t namehash)
{
	uint32_t i = fnv((const unsigned char *)&addr, 4) ^ namehash, n;

	for (n = 0; n < NSLOTS; n++, i++) {
		struct pair *p = &pairs[i & (NSLOTS - 1)];

		if (p->addr == 0) {
			p->addr = addr ? addr : 1;
			p->namehash = namehash;
			return 1;
		}
		if (p->addr == addr && p->namehash == namehash)
			return 0;
	}
	return -1;
}

/*
 * Skip an opaque_auth at *off; -1 if it does not fit in len.
 */
static int
skip_auth(const unsigned char *b, size_t len, size_t *off)
{
	uint32_t l;

	if (*off + 8 > len)
		return -1;
	l = get32(b + *off + 4);
	if (l > 400)
		return -1;
	*off += 8 + ((l + 3) & ~3u);
	return *off <= len ? 0 : -1;
}

static void
report(const char *what, unsigned long distinct, unsigned long target,
    double first, double last, unsigned long getports,
    unsigned long notifies, unsigned long dups, unsigned long other)
{
	printf("%s %lu of %lu; first %.6f last %.6f; getport %lu notify %lu "
	    "dup %lu other %lu\n", what, distinct, target, first, last,
	    getports, notifies, dups, other);
	fflush(stdout);
}

static void
usage(void)
{
	fprintf(stderr, "usage: nsmsink [-p port] [-n target] [-t seconds] "
	    "[-m mon_name]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	unsigned long target = 0, getports = 0, notifies = 0, dups = 0,
	    other = 0, distinct = 0;
	const char *want = NULL;
	double first = 0, last = 0, deadline;
	struct sockaddr_in sin;
	struct sigaction sa;
	int fd, ch, on = 1, port = 111, secs = 60, sz = 16 * 1024 * 1024;

	while ((ch = getopt(argc, argv, "m:n:p:t:")) != -1) {
		switch (ch) {
		case 'm': want = optarg; break;
		case 'n': target = strtoul(optarg, NULL, 10); break;
		case 'p': port = atoi(optarg); break;
		case 't': secs = atoi(optarg); break;
		default: usage();
		}
	}
	if (optind != argc || port <= 0 || port > 65535 || secs <= 0)
		usage();
	if ((pairs = calloc(NSLOTS, sizeof(*pairs))) == NULL)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1) {
		perror("socket");
		return 2;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) == -1) {
		perror("IP_PKTINFO");
		return 2;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		perror("bind");
		return 2;
	}
	/* Ready: the caller may wait for this line. */
	printf("listening on port %d\n", port);
	fflush(stdout);

	deadline = now_s() + secs;
	while (!stop) {
		unsigned char buf[2048], out[64], cbuf[256];
		struct sockaddr_in from;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh;
		struct cmsghdr *cm;
		struct in_pktinfo *pi = NULL, reply_pi;
		struct in_addr dst;
		struct pollfd pfd = { fd, POLLIN, 0 };
		uint32_t prog, proc, xid;
		size_t off, outlen;
		ssize_t n;
		int ms = (int)((deadline - now_s()) * 1000);

		if (ms <= 0)
			break;
		if (poll(&pfd, 1, ms > 200 ? 200 : ms) <= 0)
			continue;
		memset(&mh, 0, sizeof(mh));
		mh.msg_name = &from;
		mh.msg_namelen = sizeof(from);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		if ((n = recvmsg(fd, &mh, MSG_DONTWAIT)) < 0)
			continue;
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL;
		    cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == IPPROTO_IP &&
			    cm->cmsg_type == IP_PKTINFO)
				pi = (struct in_pktinfo *)CMSG_DATA(cm);
		/* xid, CALL, rpcvers 2, prog, vers, proc, cred, verf */
		if (pi == NULL || n < 24 || get32(buf + 4) != 0 ||
		    get32(buf + 8) != 2) {
			other++;
			continue;
		}
		dst = pi->ipi_addr;	/* cbuf is reused for the reply */
		xid = get32(buf);
		prog = get32(buf + 12);
		proc = get32(buf + 20);
		off = 24;
		if (skip_auth(buf, (size_t)n, &off) == -1 ||
		    skip_auth(buf, (size_t)n, &off) == -1) {
			other++;
			continue;
		}
		/* Reply header: xid, REPLY, MSG_ACCEPTED, null verf, status. */
		put32(out, xid);
		put32(out + 4, 1);
		put32(out + 8, 0);
		put32(out + 12, 0);
		put32(out + 16, 0);
		put32(out + 20, 0);	/* SUCCESS */
		outlen = 24;
		if (prog == PMAP_PROG && proc == PMAP_GETPORT) {
			put32(out + 24, (uint32_t)port);
			outlen = 28;
			getports++;
		} else if (prog == SM_PROG && proc == SM_NOTIFY) {
			uint32_t l;
			int r;

			if (off + 4 > (size_t)n ||
			    (l = get32(buf + off)) == 0 || l > MAXNAME ||
			    off + 4 + l > (size_t)n) {
				other++;
				continue;
			}
			notifies++;
			if (want == NULL || (strlen(want) == l &&
			    memcmp(want, buf + off + 4, l) == 0)) {
				r = add_pair(dst.s_addr,
				    fnv(buf + off + 4, l));
				if (r == 1) {
					last = now_s();
					if (distinct++ == 0)
						first = last;
					if (distinct == target)
						report("notified", distinct,
						    target, first, last,
						    getports, notifies, dups,
						    other);
				} else
					dups++;
			} else
				other++;
		} else {
			put32(out + 20, 1);	/* PROG_UNAVAIL */
			other++;
		}
		memset(&mh, 0, sizeof(mh));
		mh.msg_name = &from;
		mh.msg_namelen = sizeof(from);
		iov.iov_base = out;
		iov.iov_len = outlen;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(reply_pi));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(reply_pi));
		memset(&reply_pi, 0, sizeof(reply_pi));
		reply_pi.ipi_spec_dst = dst;
		memcpy(CMSG_DATA(cm), &reply_pi, sizeof(reply_pi));
		if (sendmsg(fd, &mh, 0) == -1 && errno != EAGAIN)
			perror("sendmsg");
	}
	report(target > 0 && distinct >= target ? "final" : "notified",
	    distinct, target, first, last, getports, notifies, dups, other);
	close(fd);
	free(pairs);
	return target > 0 && distinct >= target ? 0 : 1;
}
