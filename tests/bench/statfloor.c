/*
 * statfloor: the least any ss-like reader can do over a status directory,
 * the lower bound bench_ss.sh reports beside ss: read the directory with
 * getdents64 (one 1 MiB buffer) and fstatat every entry not starting with
 * '.', printing only the count.  With -o it opens, reads and closes every
 * entry instead (what ruptime must do with rwhod files), for the same
 * bound on the other side.  Usage: statfloor [-o] dir
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUFSZ	(1 << 20)

int
main(int argc, char *argv[])
{
	struct dirent64 *de;
	struct stat sb;
	char *buf, data[512];
	long count = 0;
	ssize_t got, off;
	int dfd, fd, open_read = 0;

	if (argc == 3 && strcmp(argv[1], "-o") == 0) {
		open_read = 1;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: statfloor [-o] dir\n");
		return 2;
	}
	if ((dfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (buf = malloc(BUFSZ)) == NULL) {
		perror(argv[1]);
		return 1;
	}
	while ((got = getdents64(dfd, buf, BUFSZ)) > 0) {
		for (off = 0; off < got; off += de->d_reclen) {
			de = (struct dirent64 *)(void *)(buf + off);
			if (de->d_name[0] == '.')
				continue;
			if (open_read) {
				fd = openat(dfd, de->d_name, O_RDONLY |
				    O_CLOEXEC);
				if (fd == -1)
					continue;
				if (read(fd, data, sizeof(data)) >= 0)
					count++;
				close(fd);
			} else if (fstatat(dfd, de->d_name, &sb,
			    AT_SYMLINK_NOFOLLOW) == 0)
				count++;
		}
	}
	printf("%ld\n", count);
	return got == -1;
}
