/*
 * For the replay suites (tests/unit/PART/check_fuzzcorpus.c): run a fuzz
 * target's entry point over its committed corpus and crash inputs, and
 * over cut-off copies of each, deterministically, with the normal build.
 * A suite includes the target's .c file with LLVMFuzzerTestOneInput
 * renamed, then calls fz_replay.  The folders are tests/fuzz/PART/corpus/
 * NAME and tests/fuzz/PART/regress/NAME under the top of the tree, or
 * under $HM_FUZZ_DIR when set (for a run from elsewhere).
 *
 * Each input is handed over as libFuzzer hands it: exactly its bytes, with
 * nothing after them.  Here an unreadable page follows the last byte, so a
 * parser that reads past the length it was given faults even without
 * AddressSanitizer.
 */
#ifndef HM_FUZZ_REPLAY_H
#define HM_FUZZ_REPLAY_H

#include <sys/mman.h>
#include <check.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../unit/testutil.h"

typedef int (*fz_entry_fn)(const uint8_t *, size_t);

/* Every prefix of a small input, some of a large one. */
#define FZ_REPLAY_CUTS	64

/* fn over the len bytes at buf, placed just before an unreadable page. */
static void
fz_replay_guarded(fz_entry_fn fn, const char *buf, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t span = (len + page - 1) / page * page;
	unsigned char *m;

	m = mmap(NULL, span + page, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_msg(m != MAP_FAILED, "mmap");
	ck_assert_int_eq(mprotect(m + span, page, PROT_NONE), 0);
	memcpy(m + span - len, buf, len);
	fn(m + span - len, len);
	munmap(m, span + page);
}

static int
fz_replay_dir(const char *dir, fz_entry_fn fn, int cuts)
{
	struct dirent *de;
	char *path, *buf;
	size_t len, i, step;
	DIR *d;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		path = tu_path(dir, de->d_name);
		buf = tu_read_file(path, &len);
		fz_replay_guarded(fn, buf, len);
		if (cuts) {
			step = len / FZ_REPLAY_CUTS + 1;
			for (i = 0; i < len; i += step)
				fz_replay_guarded(fn, buf, i);
		}
		free(buf);
		free(path);
		n++;
	}
	closedir(d);
	return n;
}

/*
 * Replays part/name's seeds (with cut-off copies when cuts) and crash
 * inputs; the number of seeds replayed.
 */
static int
fz_replay(const char *part, const char *name, fz_entry_fn fn, int cuts)
{
	const char *root = getenv("HM_FUZZ_DIR");
	char dir[512];
	int n;

	snprintf(dir, sizeof(dir), "%s/%s/corpus/%s", root ? root :
	    "tests/fuzz", part, name);
	n = fz_replay_dir(dir, fn, cuts);
	ck_assert_msg(n > 0, "no corpus at %s", dir);
	snprintf(dir, sizeof(dir), "%s/%s/regress/%s", root ? root :
	    "tests/fuzz", part, name);
	(void)fz_replay_dir(dir, fn, 0);
	return n;
}

#endif
