/*
 * libFuzzer target: a status file in ss's directory, as csstat(3) and ss
 * read it: the host's status is in the file's access and modification
 * times, its age in the change time.  The input is
 *	u32 atime, u32 mtime, u32 age (signed), u32 down-after, host name
 * A file of that name is made with those times when the name is one
 * csstat accepts; any other name must be refused.  Must hold: the status
 * read through the file is the one decoded from the times; every field is
 * in the range the format can hold; what decodes as up encodes back to the
 * same times; ss's line and JSON for it fit their buffers; a demon that
 * takes the file over keeps its times.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../../src/ssd/ssd.h"
#include "../fuzzutil.h"

static void
fz_status_range(const Csstat_t *st)
{
	FUZZ_CHECK(st->idle >= 0 && st->load >= 0 && st->load <= 255 * 8 &&
	    st->load % 8 == 0);
	FUZZ_CHECK(st->pctusr >= 0 && st->pctusr <= 255 && st->pctsys >= 0 &&
	    st->pctsys <= 255 && st->users >= 0 && st->users <= 255);
}

static void
fz_status_print(const char *name, const Csstat_t *st, size_t small)
{
	struct ss_host h;
	char buf[1024];
	int n;

	h.name = (char *)(uintptr_t)name;
	h.st = *st;
	h.state = st->up > 0 ? SS_UP : SS_DOWN;
	n = ss_line(&h, buf, sizeof(buf));
	FUZZ_CHECK(n >= 0 && (size_t)n < sizeof(buf) && strlen(buf) == (size_t)n);
	n = ss_json(&h, buf, sizeof(buf));
	FUZZ_CHECK(n >= 0 && (size_t)n < sizeof(buf) && strlen(buf) == (size_t)n);
	/* Cut short: never past the buffer, always terminated. */
	n = ss_line(&h, buf, small);
	FUZZ_CHECK(n >= 0 && (small == 0 || (size_t)n < small));
	n = ss_json(&h, buf, small);
	FUZZ_CHECK(n >= 0 && (small == 0 || (size_t)n < small));
	n = ss_elapsed(st->up, buf, small);
	FUZZ_CHECK(n >= 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct timespec ts[2];
	struct statusfile sf;
	struct stat sb;
	Csstat_t st, file_st, st2;
	uint32_t atime, mtime, age32, down32, a2, m2;
	int64_t age, down_after;
	const uint8_t *nb;
	size_t nlen;
	char name[CSSTAT_NAME_MAX + 2];
	time_t ctime;
	int dirfd, fd;

	if (fz_u32(&in, &atime) == -1 || fz_u32(&in, &mtime) == -1 ||
	    fz_u32(&in, &age32) == -1 || fz_u32(&in, &down32) == -1)
		return 0;
	age = (int32_t)age32;
	down_after = down32 % 86400 + 1;
	nb = fz_bytes(&in, sizeof(name) - 1, &nlen);
	memcpy(name, nb, nlen);
	name[nlen] = '\0';

	csstat_decode(atime, mtime, age, down_after, &st);
	fz_status_range(&st);
	if (st.up > 0) {
		FUZZ_CHECK((atime >> 16) != 0 && age <= down_after);
		/* Up: the times say it all, and say it the same way again. */
		csstat_encode(&st, &a2, &m2);
		csstat_decode(a2, m2, 0, down_after, &st2);
		FUZZ_CHECK(memcmp(&st, &st2, sizeof(st)) == 0);
	} else {
		csstat_encode(&st, &a2, &m2);
		csstat_decode(a2, m2, 0, down_after, &st2);
		FUZZ_CHECK(st2.up <= 0 && st2.up >= st.up);
	}
	fz_status_print(name, &st, nlen % 48);

	fz_scratch();
	FUZZ_CHECK((dirfd = open(fz_dir, O_RDONLY | O_DIRECTORY)) != -1);
	if (!csstat_name_ok(name)) {
		FUZZ_CHECK(csstat_at(dirfd, name, time(NULL), &file_st, NULL) ==
		    -1 && errno == EINVAL);
		close(dirfd);
		return 0;
	}
	/* A name csstat takes is a plain file name in that folder. */
	FUZZ_CHECK(strchr(name, '/') == NULL && name[0] != '.' &&
	    strlen(name) <= CSSTAT_NAME_MAX);
	FUZZ_CHECK((fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL,
	    0644)) != -1);
	close(fd);
	ts[0].tv_sec = atime;
	ts[0].tv_nsec = 0;
	ts[1].tv_sec = mtime;
	ts[1].tv_nsec = 0;
	FUZZ_CHECK(utimensat(dirfd, name, ts, 0) == 0);
	FUZZ_CHECK(fstatat(dirfd, name, &sb, 0) == 0);
	FUZZ_CHECK(csstat_stat_at(dirfd, name, sb.st_ctime + age, down_after,
	    &file_st, &ctime) == 0);
	FUZZ_CHECK(ctime == sb.st_ctime);
	FUZZ_CHECK(memcmp(&st, &file_st, sizeof(st)) == 0);
	/*
	 * A demon taking the file over (statusfile.c) starts from the times
	 * it found: a reader never sees a status nobody wrote.
	 */
	FUZZ_CHECK(statusfile_claim(&sf, dirfd, name) == SF_OK);
	FUZZ_CHECK(fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0);
	FUZZ_CHECK((uint32_t)sb.st_atime == atime &&
	    (uint32_t)sb.st_mtime == mtime);
	close(dirfd);
	return 0;
}
