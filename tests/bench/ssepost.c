/*
 * ssepost: post events to smsd's local posting socket at a steady rate,
 * each carrying its send time, for the fan-out latency of the smsd
 * benchmark (tests/bench/bench_smsd.sh; ssehold -l measures).
 *
 *   ssepost -s socket [-r per-second] [-n count] [-N name]
 *
 * Sends -n (default 3000) datagrams at -r per second (default 1000), on a
 * fixed schedule (a late send is not made up by a burst beyond the
 * socket's own queue), in the posting socket's format (src/smsd/post.c):
 *
 *	name=bench.fanout
 *	priority=100
 *	message=BMK <seq> <CLOCK_MONOTONIC ns, taken just before the send>
 *
 * The socket is blocking: when smsd's queue is full the poster waits, and
 * the achieved rate printed at the end ("sent N in S s: R/s") shows it.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
usage(void)
{
	fprintf(stderr, "usage: ssepost -s socket [-r per-second] [-n count] "
	    "[-N name]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_un sun;
	const char *path = NULL, *name = "bench.fanout";
	long rate = 1000, count = 3000, i;
	uint64_t t0, period, t;
	struct timespec due;
	char msg[256];
	int ch, fd, n;

	while ((ch = getopt(argc, argv, "N:n:r:s:")) != -1) {
		switch (ch) {
		case 'N': name = optarg; break;
		case 'n': count = atol(optarg); break;
		case 'r': rate = atol(optarg); break;
		case 's': path = optarg; break;
		default: usage();
		}
	}
	if (path == NULL || rate <= 0 || count <= 0 || strlen(name) > 128)
		usage();
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		usage();
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		perror(path);
		return 1;
	}
	period = 1000000000u / (uint64_t)rate;
	t0 = now_ns();
	for (i = 1; i <= count; i++) {
		t = t0 + (uint64_t)(i - 1) * period;
		due.tv_sec = (time_t)(t / 1000000000u);
		due.tv_nsec = (long)(t % 1000000000u);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due,
		    NULL) == EINTR)
			;
		n = snprintf(msg, sizeof(msg), "name=%s\npriority=100\n"
		    "message=BMK %ld %llu\n", name, i,
		    (unsigned long long)now_ns());
		while (send(fd, msg, (size_t)n, 0) == -1) {
			if (errno == EINTR)
				continue;
			perror("ssepost: send");
			return 1;
		}
	}
	t = now_ns() - t0;
	printf("sent %ld in %.3f s: %.0f/s\n", count, (double)t / 1e9,
	    (double)count / ((double)t / 1e9));
	return 0;
}
