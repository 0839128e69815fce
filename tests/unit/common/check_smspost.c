/*
 * smspost: the datagram smsd gets, refused names, control characters and
 * long messages, and that a missing or full smsd never blocks the poster.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check_main.h"
#include "../testutil.h"
#include "smspost.h"

static char *dir, *path;
static int rfd = -1;

static void
setup(void)
{
	struct sockaddr_un sun;

	dir = tu_tmpdir();
	path = tu_path(dir, "post.sock");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(path), sizeof(sun.sun_path));
	strcpy(sun.sun_path, path);
	rfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(rfd, 0);
	ck_assert_int_eq(bind(rfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	smspost_socket(path);
}

static void
teardown(void)
{
	close(rfd);
	tu_rmtree(dir);
	free(path);
	free(dir);
}

/* The next datagram, as a string. */
static char *
next(void)
{
	static char buf[4096];
	ssize_t n = recv(rfd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	return buf;
}

START_TEST(test_wire)
{
	ck_assert_int_eq(smspost("hostmon.samd.outage", SMSPOST_ERROR,
	    "NODE.%s DOWN", "h3"), 0);
	ck_assert_str_eq(next(),
	    "name=hostmon.samd.outage\npriority=400\nmessage=NODE.h3 DOWN\n");
}
END_TEST

START_TEST(test_bad_names)
{
	static const char *bad[] = { "", ".a", "a.", "a..b", "a b",
	    "a=b", "a\nb", "\xc3\xa9" };
	char longname[SMSPOST_NAME_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		ck_assert_int_eq(smspost(bad[i], 200, "x"), -1);
		ck_assert_int_eq(errno, EINVAL);
	}
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ck_assert_int_eq(smspost(longname, 200, "x"), -1);
	longname[SMSPOST_NAME_MAX] = '\0';
	ck_assert_int_eq(smspost(longname, 200, "x"), 0);
	ck_assert_int_eq(smspost("a", -1, "x"), -1);
	ck_assert_int_eq(smspost("a", 701, "x"), -1);
	ck_assert_int_eq(smspost("a", 700, "x"), 0);
	(void)next();
	(void)next();
	/* Nothing else was sent. */
	ck_assert_int_eq(recv(rfd, longname, 1, MSG_DONTWAIT), -1);
}
END_TEST

START_TEST(test_message_cleaned_and_cut)
{
	char big[SMSPOST_MSG_MAX + 100], *got;

	ck_assert_int_eq(smspost("a.b", 100, "one\ntwo\tthree\x7f"), 0);
	ck_assert_str_eq(next(), "name=a.b\npriority=100\n"
	    "message=one?two?three?\n");
	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(smspost("a.b", 100, "%s", big), 0);
	got = next();
	ck_assert_uint_eq(strlen(got),
	    strlen("name=a.b\npriority=100\nmessage=\n") + SMSPOST_MSG_MAX);
}
END_TEST

/* smsd drops an event whose text is not UTF-8: such bytes become '?'. */
START_TEST(test_utf8)
{
	ck_assert_int_eq(smspost("a.b", 100, "%s",
	    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 latin1 \xe9 "
	    "overlong \xc0\xaf surrogate \xed\xa0\x80 big \xf4\x90\x80\x80 "
	    "cut \xe2\x82"), 0);
	ck_assert_str_eq(next(), "name=a.b\npriority=100\nmessage="
	    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 latin1 ? "
	    "overlong ?? surrogate ??? big ???? cut ??\n");
}
END_TEST

START_TEST(test_no_smsd)
{
	ck_assert_int_eq(unlink(path), 0);
	errno = 0;
	ck_assert_int_eq(smspost("a.b", 200, "x"), -1);
	ck_assert(errno == ENOENT || errno == ECONNREFUSED);
	smspost_socket(NULL);
	ck_assert_int_eq(smspost("a.b", 200, "x"), -1);
}
END_TEST

/* Nobody reads: the queue fills and posts fail at once, not wait. */
START_TEST(test_full_queue)
{
	int i, rc = 0;

	for (i = 0; i < 100000 && rc == 0; i++)
		rc = smspost("a.b", 200, "%d", i);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_gt(i, 1);
	ck_assert_str_eq(next(), "name=a.b\npriority=200\nmessage=0\n");
}
END_TEST

static Suite *
smspost_suite(void)
{
	Suite *s = suite_create("smspost");
	TCase *tc = tcase_create("smspost");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_wire);
	tcase_add_test(tc, test_bad_names);
	tcase_add_test(tc, test_message_cleaned_and_cut);
	tcase_add_test(tc, test_utf8);
	tcase_add_test(tc, test_no_smsd);
	tcase_add_test(tc, test_full_queue);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(smspost_suite)
