/*
 * fdio: whole transfers through a pipe much smaller than the data, end of
 * file in the middle of a read, a reader that went away.
 */
#include <sys/wait.h>
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check_main.h"
#include "fdio.h"

#define BIG	(1024 * 1024 + 17)

START_TEST(test_big_transfer)
{
	unsigned char *out = malloc(BIG), *in = malloc(BIG);
	int p[2], status;
	size_t i;
	pid_t pid;

	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(in);
	for (i = 0; i < BIG; i++)
		out[i] = (unsigned char)(i * 7 + i / 251);
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		_exit(write_full(p[1], out, BIG) == 0 ? 0 : 1);
	}
	close(p[1]);
	ck_assert_int_eq(read_full(p[0], in, BIG), 0);
	ck_assert_int_eq(memcmp(in, out, BIG), 0);
	/* Nothing more: the next read meets end of file. */
	errno = 0;
	ck_assert_int_eq(read_full(p[0], in, 1), -1);
	ck_assert_int_eq(errno, EPIPE);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(p[0]);
	free(in);
	free(out);
}
END_TEST

START_TEST(test_short_then_eof)
{
	char buf[16];
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write_full(p[1], "abc", 3), 0);
	close(p[1]);
	errno = 0;
	ck_assert_int_eq(read_full(p[0], buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EPIPE);
	close(p[0]);
}
END_TEST

START_TEST(test_reader_gone)
{
	int p[2];

	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(pipe(p), 0);
	close(p[0]);
	errno = 0;
	ck_assert_int_eq(write_full(p[1], "x", 1), -1);
	ck_assert_int_eq(errno, EPIPE);
	close(p[1]);
	errno = 0;
	ck_assert_int_eq(write_full(-1, "x", 1), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

static Suite *
fdio_suite(void)
{
	Suite *s = suite_create("fdio");
	TCase *tc = tcase_create("fdio");

	tcase_add_test(tc, test_big_transfer);
	tcase_add_test(tc, test_short_then_eof);
	tcase_add_test(tc, test_reader_gone);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(fdio_suite)
