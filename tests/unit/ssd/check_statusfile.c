/*
 * Tests for statusfile: taking the file, writing only timestamps, and
 * noticing removal, another writer and planted links.
 */
#include <sys/stat.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "priv.h"
#include "ssd.h"
#include "../check_main.h"
#include "../testutil.h"

static char *dir;
static int dirfd_;

static void
setup(void)
{
	dir = tu_tmpdir();
	dirfd_ = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(dirfd_, 0);
}

static void
teardown(void)
{
	close(dirfd_);
	tu_rmtree(dir);
	free(dir);
}

static struct stat
stat_of(const char *name)
{
	struct stat sb;

	ck_assert_int_eq(fstatat(dirfd_, name, &sb, AT_SYMLINK_NOFOLLOW), 0);
	return sb;
}

START_TEST(test_claim_and_write)
{
	struct statusfile sf;
	struct stat sb;

	ck_assert_int_eq(statusfile_claim(&sf, dirfd_, "alpha"), SF_OK);
	ck_assert_int_eq(statusfile_write(&sf, 0x12345678, 0x06010302), SF_OK);
	sb = stat_of("alpha");
	ck_assert(S_ISREG(sb.st_mode));
	ck_assert_int_eq(sb.st_size, 0);
	ck_assert_uint_eq((uint32_t)sb.st_atime, 0x12345678);
	ck_assert_uint_eq((uint32_t)sb.st_mtime, 0x06010302);
	/* Again: the ctime we saw is ours. */
	ck_assert_int_eq(statusfile_write(&sf, 0x22345678, 0), SF_OK);
	ck_assert_int_eq(stat_of("alpha").st_size, 0);
}
END_TEST

START_TEST(test_removed)
{
	struct statusfile sf;

	ck_assert_int_eq(statusfile_claim(&sf, dirfd_, "alpha"), SF_OK);
	ck_assert_int_eq(statusfile_write(&sf, 1 << 16, 0), SF_OK);
	ck_assert_int_eq(unlinkat(dirfd_, "alpha", 0), 0);
	ck_assert_int_eq(statusfile_write(&sf, 1 << 16, 0), SF_GONE);
	/* Never made again by a write. */
	ck_assert_int_eq(faccessat(dirfd_, "alpha", F_OK, AT_SYMLINK_NOFOLLOW),
	    -1);
}
END_TEST

START_TEST(test_other_writer)
{
	struct timespec ts[2] = { { 7, 0 }, { 7, 0 } };
	struct statusfile sf;
	struct stat before;
	int tries = 0;

	ck_assert_int_eq(statusfile_claim(&sf, dirfd_, "alpha"), SF_OK);
	ck_assert_int_eq(statusfile_write(&sf, 1 << 16, 0), SF_OK);
	before = stat_of("alpha");
	/* The ctime clock may be coarse: write until the ctime moves. */
	do {
		ck_assert_int_eq(utimensat(dirfd_, "alpha", ts, 0), 0);
		ck_assert_int_lt(++tries, 1000000);
	} while (stat_of("alpha").st_ctim.tv_nsec == before.st_ctim.tv_nsec &&
	    stat_of("alpha").st_ctim.tv_sec == before.st_ctim.tv_sec);
	ck_assert_int_eq(statusfile_write(&sf, 1 << 16, 0), SF_TAKEN);
	/* The other writer's times are left alone. */
	ck_assert_int_eq(stat_of("alpha").st_atime, 7);
}
END_TEST

/* A second demon's claim makes the first one's next write SF_TAKEN. */
START_TEST(test_second_claim)
{
	struct statusfile first, second;
	struct stat before, after;

	ck_assert_int_eq(statusfile_claim(&first, dirfd_, "alpha"), SF_OK);
	ck_assert_int_eq(statusfile_write(&first, 0x12345678, 0x06010302),
	    SF_OK);
	before = stat_of("alpha");
	ck_assert_int_eq(statusfile_claim(&second, dirfd_, "alpha"), SF_OK);
	after = stat_of("alpha");
	/* A new inode, still with the times the first one wrote. */
	ck_assert(after.st_ino != before.st_ino);
	ck_assert_uint_eq((uint32_t)after.st_atime, 0x12345678);
	ck_assert_uint_eq((uint32_t)after.st_mtime, 0x06010302);
	ck_assert_int_eq(after.st_size, 0);
	ck_assert_int_eq(statusfile_write(&first, 1 << 16, 0), SF_TAKEN);
	ck_assert_int_eq(statusfile_write(&second, 3 << 16, 0), SF_OK);
	ck_assert_int_eq(stat_of("alpha").st_atime, 3 << 16);
	ck_assert_int_eq(statusfile_write(&first, 1 << 16, 0), SF_TAKEN);
}
END_TEST

/* The replaced demon's next write leaves the new demon's file alone. */
START_TEST(test_replaced_demon_writes_nothing)
{
	struct statusfile first, second;

	ck_assert_int_eq(statusfile_claim(&first, dirfd_, "alpha"), SF_OK);
	ck_assert_int_eq(statusfile_write(&first, 1 << 16, 0), SF_OK);
	ck_assert_int_eq(statusfile_claim(&second, dirfd_, "alpha"), SF_OK);
	ck_assert_int_eq(statusfile_write(&second, 5 << 16, 5), SF_OK);
	ck_assert_int_eq(statusfile_write(&first, 9 << 16, 9), SF_TAKEN);
	ck_assert_int_eq(stat_of("alpha").st_atime, 5 << 16);
	ck_assert_int_eq(stat_of("alpha").st_mtime, 5);
	ck_assert_int_eq(statusfile_write(&second, 6 << 16, 6), SF_OK);
}
END_TEST

/*
 * A file left under the claim's temporary name (here a hard link to
 * another host's file) is removed, not written through.
 */
START_TEST(test_claim_leftover_temp)
{
	struct timespec ts[2] = { { 1234, 0 }, { 5678, 0 } };
	struct statusfile sf;
	char tmp[64];
	struct stat beta, alpha;

	ck_assert_int_eq(mknodat(dirfd_, "beta", S_IFREG | 0644, 0), 0);
	ck_assert_int_eq(utimensat(dirfd_, "beta", ts, 0), 0);
	snprintf(tmp, sizeof(tmp), ".ssd.%ld.alpha", (long)getpid());
	ck_assert_int_eq(linkat(dirfd_, "beta", dirfd_, tmp, 0), 0);
	ck_assert_int_eq(statusfile_claim(&sf, dirfd_, "alpha"), SF_OK);
	beta = stat_of("beta");
	alpha = stat_of("alpha");
	ck_assert_int_eq(beta.st_atime, 1234);
	ck_assert_int_eq(beta.st_mtime, 5678);
	ck_assert_int_eq(beta.st_nlink, 1);
	ck_assert(alpha.st_ino != beta.st_ino);
	ck_assert_int_eq(faccessat(dirfd_, tmp, F_OK, AT_SYMLINK_NOFOLLOW), -1);
}
END_TEST

/* A new file starts marked down, and the claim leaves nothing else. */
START_TEST(test_claim_new_is_down)
{
	struct statusfile sf;
	struct dirent *de;
	Csstat_t st;
	struct stat sb;
	DIR *d;
	int n = 0;

	ck_assert_int_eq(statusfile_claim(&sf, dirfd_, "alpha"), SF_OK);
	sb = stat_of("alpha");
	ck_assert_int_eq(csstat_at(dirfd_, "alpha", sb.st_ctime + 5, &st,
	    NULL), 0);
	ck_assert_int_le(st.up, 0);
	ck_assert_ptr_nonnull(d = opendir(dir));
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			ck_assert_str_eq(de->d_name, "alpha");
			n++;
		}
	closedir(d);
	ck_assert_int_eq(n, 1);
}
END_TEST

/* The longest name a reader accepts can be claimed too. */
START_TEST(test_claim_long_name)
{
	char name[CSSTAT_NAME_MAX + 1];
	struct statusfile sf;

	memset(name, 'h', CSSTAT_NAME_MAX);
	name[CSSTAT_NAME_MAX] = '\0';
	ck_assert(csstat_name_ok(name));
	ck_assert_int_eq(statusfile_claim(&sf, dirfd_, name), SF_OK);
	ck_assert_int_eq(statusfile_write(&sf, 1 << 16, 0), SF_OK);
}
END_TEST

START_TEST(test_replaced)
{
	struct statusfile sf;
	char *p = tu_path(dir, "other");

	ck_assert_int_eq(statusfile_claim(&sf, dirfd_, "alpha"), SF_OK);
	tu_write_file(p, "", 0);
	ck_assert_int_eq(renameat(dirfd_, "other", dirfd_, "alpha"), 0);
	ck_assert_int_eq(statusfile_write(&sf, 1 << 16, 0), SF_TAKEN);
	free(p);
}
END_TEST

START_TEST(test_symlink_planted)
{
	char *target = tu_path(dir, "precious");
	struct statusfile sf;
	struct stat sb;

	tu_write_file(target, "data", 4);
	ck_assert_int_eq(stat(target, &sb), 0);
	ck_assert_int_eq(symlinkat(target, dirfd_, "alpha"), 0);
	ck_assert_int_eq(statusfile_claim(&sf, dirfd_, "alpha"), SF_TAKEN);
	ck_assert_int_eq(statusfile_mark_down(dirfd_, "alpha"), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* The link's target is untouched. */
	ck_assert_int_eq(stat_of("precious").st_mtime, sb.st_mtime);

	/* Planted after the claim: the write sees it and stops. */
	ck_assert_int_eq(unlinkat(dirfd_, "alpha", 0), 0);
	ck_assert_int_eq(statusfile_claim(&sf, dirfd_, "alpha"), SF_OK);
	ck_assert_int_eq(unlinkat(dirfd_, "alpha", 0), 0);
	ck_assert_int_eq(symlinkat(target, dirfd_, "alpha"), 0);
	ck_assert_int_eq(statusfile_write(&sf, 1 << 16, 0), SF_TAKEN);
	ck_assert_int_eq(stat_of("precious").st_mtime, sb.st_mtime);
	free(target);
}
END_TEST

START_TEST(test_fifo_planted)
{
	struct statusfile sf;

	ck_assert_int_eq(mkfifoat(dirfd_, "alpha", 0644), 0);
	/* Must return, not block on the FIFO. */
	ck_assert_int_eq(statusfile_claim(&sf, dirfd_, "alpha"), SF_TAKEN);
}
END_TEST

/* A FIFO planted as .log, with a reader: refused, nothing written. */
START_TEST(test_log_fifo_planted)
{
	char buf[64];
	int rfd;

	ck_assert_int_eq(mkfifoat(dirfd_, ".log", 0666), 0);
	rfd = openat(dirfd_, ".log", O_RDONLY | O_NONBLOCK);
	ck_assert_int_ge(rfd, 0);
	ck_assert_int_eq(open_shared_log(dirfd_, "alpha", NULL), -1);
	ck_assert_int_ne(log_destination(), LOG_TO_FILE);
	log_warnx("where does this go");
	/* No writer ever came, and nothing was written: end of file. */
	ck_assert_int_eq(read(rfd, buf, sizeof(buf)), 0);
	close(rfd);
	ck_assert(S_ISFIFO(stat_of(".log").st_mode));
}
END_TEST

START_TEST(test_log_symlink_planted)
{
	char *target = tu_path(dir, "precious");

	ck_assert_int_eq(mknodat(dirfd_, "precious", S_IFREG | 0644, 0), 0);
	ck_assert_int_eq(symlinkat(target, dirfd_, ".log"), 0);
	ck_assert_int_eq(open_shared_log(dirfd_, "alpha", NULL), -1);
	log_warnx("where does this go");
	ck_assert_int_eq(stat_of("precious").st_size, 0);
	free(target);
}
END_TEST

/*
 * Root opening the log for a user (ssd host's starter) makes it as that
 * user, and is root again afterwards.
 */
START_TEST(test_log_as_user)
{
	struct stat sb;
	uid_t uid;
	gid_t gid, before[64], after[64];
	int fd, nb, na;

	ck_assert_int_eq(priv_lookup("daemon", &uid, &gid), 0);
	ck_assert_int_eq(fchmod(dirfd_, 0777), 0);
	nb = getgroups(64, before);
	fd = open_shared_log(dirfd_, "alpha", "daemon");
	ck_assert_int_gt(fd, STDERR_FILENO);
	ck_assert_int_eq(fstat(fd, &sb), 0);
	ck_assert(S_ISREG(sb.st_mode));
	if (geteuid() == 0) {
		ck_assert_uint_eq(sb.st_uid, uid);
		ck_assert_uint_eq(sb.st_gid, gid);
		ck_assert_int_eq(getegid(), 0);
		na = getgroups(64, after);
		ck_assert_int_eq(na, nb);
		ck_assert_int_eq(memcmp(before, after, (size_t)na *
		    sizeof(gid_t)), 0);
	} else
		ck_assert_uint_eq(sb.st_uid, geteuid());
	log_warnx("written as %s", "daemon");
	ck_assert_int_ge(stat_of(".log").st_size, 1);
	log_init(1, 0);
	close(fd);
}
END_TEST

START_TEST(test_mark_down)
{
	Csstat_t st;
	struct stat sb;

	ck_assert_int_eq(statusfile_mark_down(dirfd_, "alpha"), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(faccessat(dirfd_, "alpha", F_OK, AT_SYMLINK_NOFOLLOW),
	    -1);
	ck_assert_int_eq(mknodat(dirfd_, "alpha", S_IFREG | 0644, 0), 0);
	ck_assert_int_eq(statusfile_mark_down(dirfd_, "alpha"), 0);
	sb = stat_of("alpha");
	ck_assert_int_eq(csstat_at(dirfd_, "alpha", sb.st_ctime + 42, &st,
	    NULL), 0);
	ck_assert_int_eq(st.up, -42);
}
END_TEST

static Suite *
statusfile_suite(void)
{
	Suite *s = suite_create("statusfile");
	TCase *tc;

	tc = tcase_create("statusfile");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_claim_and_write);
	tcase_add_test(tc, test_removed);
	tcase_add_test(tc, test_other_writer);
	tcase_add_test(tc, test_second_claim);
	tcase_add_test(tc, test_claim_new_is_down);
	tcase_add_test(tc, test_replaced_demon_writes_nothing);
	tcase_add_test(tc, test_claim_leftover_temp);
	tcase_add_test(tc, test_claim_long_name);
	tcase_add_test(tc, test_replaced);
	tcase_add_test(tc, test_symlink_planted);
	tcase_add_test(tc, test_fifo_planted);
	tcase_add_test(tc, test_mark_down);
	tcase_add_test(tc, test_log_fifo_planted);
	tcase_add_test(tc, test_log_symlink_planted);
	tcase_add_test(tc, test_log_as_user);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(statusfile_suite)
