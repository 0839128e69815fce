/*
 * Helpers the fuzz targets share: a private scratch folder (on tmpfs when
 * there is one, so the fsyncs of the file formats cost little), whole-file
 * writes, and a quiet log.  Header-only, so that a replay suite may
 * include several targets in one file.
 */
#ifndef HM_FUZZUTIL_H
#define HM_FUZZUTIL_H

#include <sys/stat.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* An input that breaks an invariant: abort, which libFuzzer reports. */
#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

static char fz_dir[64];

static inline void
fz_clear(void)
{
	DIR *d;
	struct dirent *de;
	int dfd;

	if (fz_dir[0] == '\0' || (d = opendir(fz_dir)) == NULL)
		return;
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			(void)unlinkat(dfd, de->d_name, 0);
	closedir(d);
}

static inline void
fz_remove_dir(void)
{
	fz_clear();
	if (fz_dir[0] != '\0')
		(void)rmdir(fz_dir);
}

/*
 * The scratch folder, made on the first call (and removed at exit), its
 * files removed on every call: each input starts from an empty folder.
 * Lines the code under test logs go to /dev/null.
 */
static inline const char *
fz_scratch(void)
{
	const char *base;
	struct stat sb;

	if (fz_dir[0] == '\0') {
		base = stat("/dev/shm", &sb) == 0 && access("/dev/shm", W_OK) == 0 ?
		    "/dev/shm" : getenv("TMPDIR") != NULL ? getenv("TMPDIR") :
		    "/tmp";
		snprintf(fz_dir, sizeof(fz_dir), "%.40s/hmfuzz.XXXXXX", base);
		if (mkdtemp(fz_dir) == NULL) {
			perror(fz_dir);
			abort();
		}
		atexit(fz_remove_dir);
		(void)log_open_file("/dev/null");
	} else
		fz_clear();
	return fz_dir;
}

/* dir/name into buf (PATH_MAX-sized callers use 512). */
static inline const char *
fz_path(char *buf, size_t bufsz, const char *name)
{
	snprintf(buf, bufsz, "%s/%s", fz_dir, name);
	return buf;
}

static inline void
fz_write(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd == -1 || (len > 0 && write(fd, buf, len) != (ssize_t)len) ||
	    close(fd) == -1) {
		perror(path);
		abort();
	}
}

/* A bounded little-endian reader over the input, for op-code targets. */
struct fz_in {
	const uint8_t	*p;
	size_t		 left;
};

static inline int
fz_u8(struct fz_in *in, unsigned *v)
{
	if (in->left < 1)
		return -1;
	*v = in->p[0];
	in->p++;
	in->left--;
	return 0;
}

static inline int
fz_u16(struct fz_in *in, unsigned *v)
{
	if (in->left < 2)
		return -1;
	*v = in->p[0] | (unsigned)in->p[1] << 8;
	in->p += 2;
	in->left -= 2;
	return 0;
}

static inline int
fz_u32(struct fz_in *in, uint32_t *v)
{
	unsigned lo, hi;

	if (in->left < 4)
		return -1;
	(void)fz_u16(in, &lo);
	(void)fz_u16(in, &hi);
	*v = (uint32_t)lo | (uint32_t)hi << 16;
	return 0;
}

/* Up to max bytes (fewer if the input ends); *len is set. */
static inline const uint8_t *
fz_bytes(struct fz_in *in, size_t max, size_t *len)
{
	const uint8_t *p = in->p;

	*len = max < in->left ? max : in->left;
	in->p += *len;
	in->left -= *len;
	return p;
}

#endif
