/*
 * hbfloor: the least a durable heartbeat can cost, which bench_samrep.sh
 * runs beside samd over the same beats: wake on a CLOCK_BOOTTIME timerfd
 * every SECS seconds, pwrite 128 bytes and fdatasync them, nothing else.
 * Usage: hbfloor file secs
 */
#include <sys/timerfd.h>

#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	struct itimerspec its;
	struct pollfd pfd;
	unsigned char slot[128];
	uint64_t seq = 0, ticks;
	int fd, tfd, secs;

	if (argc != 3 || (secs = atoi(argv[2])) < 1) {
		fprintf(stderr, "usage: hbfloor file secs\n");
		return 2;
	}
	if ((fd = open(argv[1], O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1 ||
	    (tfd = timerfd_create(CLOCK_BOOTTIME, TFD_CLOEXEC)) == -1) {
		perror(argv[1]);
		return 1;
	}
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = its.it_interval.tv_sec = secs;
	if (timerfd_settime(tfd, 0, &its, NULL) == -1) {
		perror("timerfd_settime");
		return 1;
	}
	memset(slot, 0, sizeof(slot));
	pfd.fd = tfd;
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, -1) == -1 ||
		    read(tfd, &ticks, sizeof(ticks)) != (ssize_t)sizeof(ticks))
			continue;
		seq++;
		memcpy(slot, &seq, sizeof(seq));
		if (pwrite(fd, slot, sizeof(slot), (off_t)(seq % 2) *
		    (off_t)sizeof(slot)) != (ssize_t)sizeof(slot) ||
		    fdatasync(fd) == -1) {
			perror(argv[1]);
			return 1;
		}
	}
}
