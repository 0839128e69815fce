/*
 * Tests for priv: user lookup, and dropping root in a child process so the
 * test runner keeps its own privileges (also with CK_FORK=no).
 *
 * The dropping tests need root and the "_hmstatd" user that scripts/deps.sh
 * creates; without root only the unprivileged behaviour is tested.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "priv.h"
#include "../check_main.h"

#define DROP_USER	"_hmstatd"

static int report_fd = -1;

/*
 * In the child: the first failed condition is sent up the pipe as text,
 * for the test to show, and ends the child.
 */
#define CHILD_CHECK(cond) do {						\
	if (!(cond)) {							\
		dprintf(report_fd, "line %d: %s (errno %d)",		\
		    __LINE__, #cond, errno);				\
		_exit(1);						\
	}								\
} while (0)

/*
 * Runs fn in a child and fails the test with the child's message if
 * one of its CHILD_CHECKs failed.
 */
static void
run_in_child(void (*fn)(void))
{
	char msg[512];
	size_t len = 0;
	ssize_t n;
	int p[2], status;
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		report_fd = p[1];
		fn();
		_exit(0);
	}
	close(p[1]);
	while (len < sizeof(msg) - 1 &&
	    (n = read(p[0], msg + len, sizeof(msg) - 1 - len)) > 0)
		len += (size_t)n;
	close(p[0]);
	msg[len] = '\0';
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	    len == 0, "child: %s (status 0x%x)", msg, status);
}

static struct passwd *
drop_user(void)
{
	struct passwd *pw = getpwnam(DROP_USER);

	ck_assert_msg(pw != NULL, "user %s is missing (scripts/deps.sh "
	    "creates it)", DROP_USER);
	ck_assert_uint_ne(pw->pw_uid, 0);
	return pw;
}

START_TEST(test_lookup)
{
	struct passwd *pw = drop_user();
	uid_t want_uid = pw->pw_uid, uid = 1;
	gid_t want_gid = pw->pw_gid, gid = 1;
	char num[32];

	ck_assert_int_eq(priv_lookup(DROP_USER, &uid, &gid), 0);
	ck_assert_uint_eq(uid, want_uid);
	ck_assert_uint_eq(gid, want_gid);

	uid = gid = 1;
	snprintf(num, sizeof(num), "%lu", (unsigned long)want_uid);
	ck_assert_int_eq(priv_lookup(num, &uid, &gid), 0);
	ck_assert_uint_eq(uid, want_uid);
	ck_assert_uint_eq(gid, want_gid);

	ck_assert_int_eq(priv_lookup("root", &uid, &gid), 0);
	ck_assert_uint_eq(uid, 0);
	ck_assert_uint_eq(gid, 0);
	ck_assert_int_eq(priv_lookup("0", &uid, &gid), 0);
	ck_assert_uint_eq(uid, 0);
}
END_TEST

static const char *const unknown_users[] = {
	"no-such-user-hostmon",
	"",
	"3999999999",		/* numeric, but nobody has it */
	"106x",
	"-1",
	"99999999999999999999999",
};

START_TEST(test_lookup_unknown)
{
	uid_t uid = 7;
	gid_t gid = 7;

	errno = 0;
	ck_assert_int_eq(priv_lookup(unknown_users[_i], &uid, &gid), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_uint_eq(uid, 7);
	ck_assert_uint_eq(gid, 7);
	errno = 0;
	ck_assert_int_eq(priv_lookup(NULL, &uid, &gid), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

static void
child_drop(const char *user)
{
	struct passwd *pw = getpwnam(DROP_USER);
	uid_t r, e, s;
	gid_t rg, eg, sg, groups[64], listed[64];
	int n, nlisted = 64, i, k;

	CHILD_CHECK(pw != NULL);
	CHILD_CHECK(geteuid() == 0);
	CHILD_CHECK(priv_drop(user) == 0);

	CHILD_CHECK(getresuid(&r, &e, &s) == 0);
	CHILD_CHECK(r == pw->pw_uid && e == pw->pw_uid && s == pw->pw_uid);
	CHILD_CHECK(getresgid(&rg, &eg, &sg) == 0);
	CHILD_CHECK(rg == pw->pw_gid && eg == pw->pw_gid &&
	    sg == pw->pw_gid);
	/* its primary group and the groups it is listed in (_hostmon) */
	CHILD_CHECK(getgrouplist(DROP_USER, pw->pw_gid, listed, &nlisted) > 0);
	n = getgroups(64, groups);
	CHILD_CHECK(n == nlisted);
	for (i = 0; i < n; i++) {
		for (k = 0; k < nlisted && listed[k] != groups[i]; k++)
			;
		CHILD_CHECK(k < nlisted && groups[i] != 0);
	}

	/* No way back. */
	errno = 0;
	CHILD_CHECK(setuid(0) == -1 && errno == EPERM);
	CHILD_CHECK(seteuid(0) == -1);
	CHILD_CHECK(setresuid(0, 0, 0) == -1);
	CHILD_CHECK(setgid(0) == -1);
	CHILD_CHECK(setgroups(0, NULL) == -1);
	CHILD_CHECK(geteuid() == pw->pw_uid);
	/* And root's files are closed to us. */
	errno = 0;
	CHILD_CHECK(open("/etc/shadow", O_RDONLY | O_CLOEXEC) == -1 &&
	    errno == EACCES);

	/* Unprivileged now: the same user again is fine, another is not. */
	CHILD_CHECK(priv_drop(DROP_USER) == 0);
	errno = 0;
	CHILD_CHECK(priv_drop("root") == -1 && errno == EPERM);
	errno = 0;
	CHILD_CHECK(priv_drop("nobody") == -1 && errno == EPERM);
	errno = 0;
	CHILD_CHECK(priv_drop("no-such-user-hostmon") == -1 &&
	    errno == ENOENT);
}

static void
child_drop_by_name(void)
{
	child_drop(DROP_USER);
}

static void
child_drop_by_uid(void)
{
	char num[32];

	snprintf(num, sizeof(num), "%lu",
	    (unsigned long)getpwnam(DROP_USER)->pw_uid);
	child_drop(num);
}

START_TEST(test_drop)
{
	drop_user();
	run_in_child(child_drop_by_name);
	ck_assert_uint_eq(geteuid(), 0);
}
END_TEST

START_TEST(test_drop_numeric)
{
	drop_user();
	run_in_child(child_drop_by_uid);
}
END_TEST

/* Failures change nothing: the child is still fully root afterwards. */
static void
child_drop_fails(void)
{
	uid_t r, e, s;

	errno = 0;
	CHILD_CHECK(priv_drop("no-such-user-hostmon") == -1 &&
	    errno == ENOENT);
	errno = 0;
	CHILD_CHECK(priv_drop(NULL) == -1 && errno == ENOENT);
	/* Dropping "to" root would not drop anything. */
	errno = 0;
	CHILD_CHECK(priv_drop("root") == -1 && errno == EINVAL);
	errno = 0;
	CHILD_CHECK(priv_drop("0") == -1 && errno == EINVAL);
	CHILD_CHECK(getresuid(&r, &e, &s) == 0);
	CHILD_CHECK(r == 0 && e == 0 && s == 0);
	CHILD_CHECK(getegid() == 0);
}

START_TEST(test_drop_fails)
{
	run_in_child(child_drop_fails);
}
END_TEST

/* Without root: only "become who you already are" succeeds. */
static void
child_unprivileged(void)
{
	struct passwd *pw = getpwuid(geteuid());

	CHILD_CHECK(pw != NULL);
	CHILD_CHECK(priv_drop(pw->pw_name) == 0);
	errno = 0;
	CHILD_CHECK(priv_drop("root") == -1 && errno == EPERM);
	errno = 0;
	CHILD_CHECK(priv_drop("no-such-user-hostmon") == -1 &&
	    errno == ENOENT);
}

START_TEST(test_unprivileged)
{
	run_in_child(child_unprivileged);
}
END_TEST

static Suite *
priv_suite(void)
{
	Suite *s = suite_create("priv");
	TCase *tc;

	tc = tcase_create("lookup");
	tcase_add_test(tc, test_lookup);
	tcase_add_loop_test(tc, test_lookup_unknown, 0,
	    (int)(sizeof(unknown_users) / sizeof(unknown_users[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("drop");
	tcase_set_timeout(tc, 10);
	if (geteuid() == 0) {
		tcase_add_test(tc, test_drop);
		tcase_add_test(tc, test_drop_numeric);
		tcase_add_test(tc, test_drop_fails);
	} else {
		fprintf(stderr, "priv: not root, privilege drop not tested\n");
		tcase_add_test(tc, test_unprivileged);
	}
	suite_add_tcase(s, tc);

	return s;
}

CHECK_MAIN(priv_suite)
