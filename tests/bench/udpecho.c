/*
 * udpecho: the physical limit of a request/response over loopback UDP, for
 * the benchmarks' ratios.
 *
 *   udpecho -s [-p port]                 serve: send every datagram back
 *   udpecho -c [-h addr] [-p port] [-n count] [-b bytes]
 *                                        call count times, one at a time
 *
 * The client sends a datagram of -b bytes (default 64, about an SM_STAT
 * call), waits for the echo, and prints the rate in smcall's format:
 * "N calls in S s: R calls/s, U us/call".  A datagram lost for 1 s is sent
 * again (counted and reported).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void
usage(void)
{
	fprintf(stderr, "usage: udpecho -s [-p port]\n"
	    "       udpecho -c [-h addr] [-p port] [-n count] [-b bytes]\n");
	exit(2);
}

static int
serve(int fd)
{
	unsigned char buf[65536];

	for (;;) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &fl);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("recvfrom");
			return 1;
		}
		(void)sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from,
		    fl);
	}
}

static int
call(int fd, const struct sockaddr_in *to, long count, size_t bytes)
{
	unsigned char buf[65536], in[65536];
	struct timespec t0, t1;
	long i, resent = 0;
	double s;

	memset(buf, 0x5a, bytes);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < count; i++) {
		uint32_t seq = (uint32_t)i;

		memcpy(buf, &seq, sizeof(seq));
		for (;;) {
			struct pollfd pfd = { fd, POLLIN, 0 };
			ssize_t n;

			if (sendto(fd, buf, bytes, 0,
			    (const struct sockaddr *)to, sizeof(*to)) < 0) {
				perror("sendto");
				return 1;
			}
			if (poll(&pfd, 1, 1000) != 1) {
				resent++;
				continue;
			}
			n = recv(fd, in, sizeof(in), 0);
			if (n == (ssize_t)bytes && memcmp(in, &seq, 4) == 0)
				break;
			if (n < 0 && errno != EINTR) {
				perror("recv");
				return 1;
			}
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%ld calls in %.3f s: %.0f calls/s, %.1f us/call", count, s,
	    (double)count / s, s * 1e6 / (double)count);
	if (resent > 0)
		printf(" (%ld resent)", resent);
	printf("\n");
	return 0;
}

int
main(int argc, char *argv[])
{
	const char *host = "127.0.0.1";
	struct sockaddr_in sin;
	long count = 10000;
	size_t bytes = 64;
	int ch, mode = 0, port = 7777, fd;

	while ((ch = getopt(argc, argv, "b:ch:n:p:s")) != -1) {
		switch (ch) {
		case 'b': bytes = strtoul(optarg, NULL, 10); break;
		case 'c': mode = 'c'; break;
		case 'h': host = optarg; break;
		case 'n': count = strtol(optarg, NULL, 10); break;
		case 'p': port = atoi(optarg); break;
		case 's': mode = 's'; break;
		default: usage();
		}
	}
	if (mode == 0 || optind != argc || port <= 0 || port > 65535 ||
	    count < 1 || bytes < 4 || bytes > 65000)
		usage();
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1) {
		perror("socket");
		return 1;
	}
	if (mode == 's') {
		sin.sin_addr.s_addr = htonl(INADDR_ANY);
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
			perror("bind");
			return 1;
		}
		return serve(fd);
	}
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		usage();
	return call(fd, &sin, count, bytes);
}
