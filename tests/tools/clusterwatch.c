/*
 * clusterwatch: run libhmcluster in a poll loop and print one line per
 * event, for the scenario tests (t_cluster_membership.sh).
 *
 *   clusterwatch [-v]
 *
 * Each line starts with the event's time (real seconds.milliseconds, as
 * the library dated it) and ends with lat_us=N, the microseconds from
 * poll() returning with corosync's message to this callback:
 *
 *	1700000000.123 single-node
 *	1700000000.123 connected first
 *	1700000000.123 cluster hm42 node 1 detection_ms 3630
 *	1700000000.123 connected gap_ms 5012 cluster hm42 node 1 detection_ms 3630
 *	1700000000.123 disconnected
 *	1700000000.123 node_up h3 nodeid 3 [initial] [gap] lat_us=12
 *	1700000000.123 node_down h3 nodeid 3 failed|planned [initial] [gap] lat_us=12
 *	1700000000.123 quorum quorate|inquorate [initial] [gap] lat_us=12
 *
 * SIGUSR1 prints the member table ("member h3 nodeid 3 unreachable
 * changed 1700000000.123 [local]"), then "members end quorate Q".
 * SIGTERM and SIGINT end it.  -v sends the library's debug log to stderr.
 * stdout is flushed after every line.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cluster.h"
#include "log.h"
#include "timeutil.h"

static int64_t	poll_return_us;

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
put_time(int64_t ms)
{
	printf("%" PRId64 ".%03d", ms / 1000, (int)(ms % 1000));
}

static void
put_flags(unsigned flags)
{
	if (flags & CLUSTER_F_INITIAL)
		printf(" initial");
	if (flags & CLUSTER_F_GAP)
		printf(" gap");
	printf(" lat_us=%" PRId64 "\n", now_us() - poll_return_us);
	fflush(stdout);
}

static void
on_up(void *arg, const char *name, uint32_t nodeid, int64_t when,
    unsigned flags)
{
	(void)arg;
	put_time(when);
	printf(" node_up %s nodeid %u", name, nodeid);
	put_flags(flags);
}

static void
on_down(void *arg, const char *name, uint32_t nodeid, int64_t when,
    unsigned flags)
{
	(void)arg;
	put_time(when);
	printf(" node_down %s nodeid %u %s", name, nodeid,
	    flags & CLUSTER_F_PLANNED ? "planned" : "failed");
	put_flags(flags);
}

static void
on_quorum(void *arg, int quorate, int64_t when, unsigned flags)
{
	(void)arg;
	put_time(when);
	printf(" quorum %s", quorate ? "quorate" : "inquorate");
	put_flags(flags);
}

static void
on_connected(void *arg, int64_t when, int64_t gap_start)
{
	struct cluster *c = *(struct cluster **)arg;

	put_time(when);
	if (gap_start == 0)
		printf(" connected first");
	else
		printf(" connected gap_ms %" PRId64, when - gap_start);
	/* During cluster_open the handle is not returned yet. */
	if (c != NULL)
		printf(" cluster %s node %u detection_ms %d", cluster_name(c),
		    cluster_local_nodeid(c), cluster_detection_ms(c));
	printf("\n");
	fflush(stdout);
}

static void
on_disconnected(void *arg, int64_t when)
{
	(void)arg;
	put_time(when);
	printf(" disconnected\n");
	fflush(stdout);
}

static int
put_member(const struct cluster_member *m, void *arg)
{
	(void)arg;
	printf("member %s nodeid %u %s changed ", m->name, m->nodeid,
	    cluster_state_name(m->state));
	put_time(m->changed_ms);
	printf("%s\n", m->local ? " local" : "");
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: clusterwatch [-v]\n");
	exit(1);
}

int
main(int argc, char *argv[])
{
	static const struct cluster_ops ops = {
		.node_up = on_up,
		.node_down = on_down,
		.quorum = on_quorum,
		.connected = on_connected,
		.disconnected = on_disconnected,
	};
	struct cluster *c = NULL;
	struct signalfd_siginfo si;
	struct pollfd pfd[2];
	sigset_t mask;
	int ch, n, sfd, nfds;

	while ((ch = getopt(argc, argv, "v")) != -1) {
		switch (ch) {
		case 'v':
			log_setverbose(log_getverbose() + 1);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init(1, 0);
	log_procname("clusterwatch");

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) == -1 ||
	    (sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) == -1)
		fatal("signalfd");

	poll_return_us = now_us();
	if ((c = cluster_open(&ops, &c)) == NULL)
		fatal("cluster_open");
	if (!cluster_connected(c)) {
		put_time(real_ms());
		printf(" single-node\n");
	} else {
		put_time(real_ms());
		printf(" cluster %s node %u detection_ms %d\n", cluster_name(c),
		    cluster_local_nodeid(c), cluster_detection_ms(c));
	}
	fflush(stdout);

	for (;;) {
		pfd[0].fd = sfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = cluster_fd(c);
		pfd[1].events = POLLIN;
		pfd[1].revents = 0;
		nfds = pfd[1].fd >= 0 ? 2 : 1;
		n = poll(pfd, (nfds_t)nfds, cluster_timeout_ms(c));
		poll_return_us = now_us();
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[0].revents & POLLIN) {
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo != SIGUSR1)
					goto out;
				cluster_members(c, put_member, NULL);
				printf("members end quorate %d\n", cluster_quorate(c));
				fflush(stdout);
			}
		}
		if (n == 0 || (nfds == 2 && pfd[1].revents != 0))
			cluster_dispatch(c);
	}
out:
	cluster_close(c);
	return 0;
}
