/*
 * smsd's judge of request heads (src/smsd/headcheck.c): what evhttp would
 * answer with its own HTML page is found first, with the status smsd
 * answers; a well-formed head passes, whole, with its length.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check_main.h"
#include "../../../src/smsd/headcheck.h"

#define MAX	8192

static enum head_verdict
judge(const char *s, struct head_check *hc)
{
	return head_check(s, strlen(s), MAX, hc);
}

START_TEST(well_formed)
{
	static const char *ok[] = {
		"GET /v1/system HTTP/1.1\r\nHost: h1\r\n\r\n",
		"GET /v1/system HTTP/1.0\r\n\r\n",
		"HEAD /v1/server HTTP/1.1\r\nHost: h1\r\nAccept: */*\r\n\r\n",
		"GET /v1/system HTTP/1.1\nHost: h1\n\n",
		"GET /v1/system HTTP/1.1\r\nX-Empty:\r\nX-Tab:\tv \r\n\r\n",
		"GET /v1/system HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
		"GET /v1/events?name=sys.*&limit=5 HTTP/1.1\r\n\r\n",
		"GET /v1/system HTTP/1.1\r\nUser-Agent: caf\xc3\xa9\r\n\r\n",
		"DELETE /v1/system HTTP/1.1\r\n\r\n",
		"POST /v1/system HTTP/1.1\r\nExpect: 100-continue\r\n"
		    "Content-Length: 3\r\n\r\n",
		"HEAD /v1/system HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n",
	};
	struct head_check hc;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_msg(judge(ok[i], &hc) == HEAD_OK, "refused: %s (%s)",
		    ok[i], hc.what != NULL ? hc.what : "?");
		ck_assert_uint_eq(hc.len, strlen(ok[i]));
	}
	ck_assert_int_eq(judge(ok[2], &hc), HEAD_OK);
	ck_assert_int_eq(hc.is_head, 1);
	ck_assert_int_eq(judge(ok[0], &hc), HEAD_OK);
	ck_assert_int_eq(hc.is_head, 0);
}
END_TEST

/* The head ends at its empty line: a body or the next request is not its. */
START_TEST(length_of_head)
{
	const char *s = "GET /v1/system HTTP/1.1\r\nContent-Length: 2\r\n\r\n"
	    "abGARBAGE\r\n\r\n";
	struct head_check hc;

	ck_assert_int_eq(judge(s, &hc), HEAD_OK);
	ck_assert_uint_eq(hc.len, strlen(s) - strlen("abGARBAGE\r\n\r\n"));
}
END_TEST

START_TEST(not_yet_whole)
{
	static const char *more[] = {
		"",
		"GET",
		"GET /v1/system HTTP/1.1",
		"GET /v1/system HTTP/1.1\r",
		"GET /v1/system HTTP/1.1\r\n",
		"GET /v1/system HTTP/1.1\r\nHost: h1\r\n",
		"GET /v1/system HTTP/1.1\r\nHost: h1\r\n\r",
		"GARBAGE",		/* a line is judged when it ends */
	};
	struct head_check hc;
	size_t i;

	for (i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		ck_assert_msg(judge(more[i], &hc) == HEAD_MORE, "not MORE: %s",
		    more[i]);
}
END_TEST

static const struct {
	const char	*head;
	int		code;
	const char	*what;
} malformed[] = {
	{ "GARBAGE\r\n\r\n", 400, "malformed request line" },
	{ "\r\nGET / HTTP/1.1\r\n\r\n", 400, "malformed request line" },
	{ "GET /v1/system\r\n\r\n", 400, "malformed request line" },
	{ "GET  /v1/system HTTP/1.1\r\n\r\n", 400, "malformed request line" },
	{ "GET /a b HTTP/1.1\r\n\r\n", 400, "malformed request line" },
	{ "GET /v1/system HTTP/1.1 \r\n\r\n", 400, "malformed request line" },
	{ "GET /v1/\x01 HTTP/1.1\r\n\r\n", 400, "malformed request line" },
	{ "GET /v1/system HTTP/1.1\rX\r\n\r\n", 400,
	    "malformed request line" },
	{ "\x00\xff garbage\r\n\r\n", 400, "malformed request line" },
	{ "GET /v1/system HTTP/x.y\r\n\r\n", 400, "malformed HTTP version" },
	{ "GET /v1/system HTTP/1\r\n\r\n", 400, "malformed HTTP version" },
	{ "GET /v1/system HTTP/1.10\r\n\r\n", 400, "malformed HTTP version" },
	{ "GET /v1/system http/1.1\r\n\r\n", 400, "malformed HTTP version" },
	{ "GET /v1/system HTTP/2.0\r\n\r\n", 505,
	    "HTTP version not supported" },
	{ "GET /v1/system HTTP/0.9\r\n\r\n", 505,
	    "HTTP version not supported" },
	{ "FOO /v1/system HTTP/1.1\r\n\r\n", 501, "method not implemented" },
	{ "get /v1/system HTTP/1.1\r\n\r\n", 501, "method not implemented" },
	{ "GET http://[::1/ HTTP/1.1\r\n\r\n", 400,
	    "malformed request target" },
	{ "GET /v1/system HTTP/1.1\r\nNoColon\r\n\r\n", 400,
	    "malformed header line" },
	{ "GET /v1/system HTTP/1.1\r\nBad Name: x\r\n\r\n", 400,
	    "malformed header line" },
	{ "GET /v1/system HTTP/1.1\r\n: x\r\n\r\n", 400,
	    "malformed header line" },
	{ "GET /v1/system HTTP/1.1\r\nX: a\rb\r\n\r\n", 400,
	    "malformed header line" },
	{ "GET /v1/system HTTP/1.1\r\nX: a\x01" "b\r\n\r\n", 400,
	    "malformed header line" },
	{ "GET /v1/system HTTP/1.1\r\nX: a\r\n b\r\n\r\n", 400,
	    "folded header line" },
	{ "GET /v1/system HTTP/1.1\r\n folded\r\n\r\n", 400,
	    "folded header line" },
	{ "GET /v1/system HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400,
	    "malformed Content-Length" },
	{ "GET /v1/system HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400,
	    "malformed Content-Length" },
	{ "GET /v1/system HTTP/1.1\r\nContent-Length: +1\r\n\r\n", 400,
	    "malformed Content-Length" },
	{ "GET /v1/system HTTP/1.1\r\nContent-Length:\r\n\r\n", 400,
	    "malformed Content-Length" },
	{ "GET /v1/system HTTP/1.1\r\ncontent-length: 1\r\n"
	    "Content-Length: 2\r\n\r\n", 400, "conflicting Content-Length" },
	{ "POST /v1/system HTTP/1.1\r\nContent-Length: 8193\r\n\r\n", 413,
	    "request body too large" },
	{ "GET /v1/system HTTP/1.1\r\nContent-Length: "
	    "99999999999999999999999\r\n\r\n", 413, "request body too large" },
	{ "POST /v1/system HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
	    501, "Transfer-Encoding not supported" },
	{ "POST /v1/system HTTP/1.1\r\nContent-Length: 3\r\nExpect: foo\r\n"
	    "\r\nabc", 417, "expectation not supported" },
};

START_TEST(refused)
{
	struct head_check hc;
	size_t len;
	int i = _i;

	/* the NUL of the garbage case counts */
	len = malformed[i].head[0] == '\0' ? 14 : strlen(malformed[i].head);
	ck_assert_msg(head_check(malformed[i].head, len, MAX, &hc) ==
	    HEAD_BAD, "passed: %s", malformed[i].head);
	ck_assert_int_eq(hc.code, malformed[i].code);
	ck_assert_str_eq(hc.what, malformed[i].what);
}
END_TEST

/* A head too large is found before it is whole, as evhttp measures it. */
START_TEST(too_large)
{
	struct head_check hc;
	char *b = malloc(3 * MAX);
	size_t n;

	ck_assert_ptr_nonnull(b);
	/* a request line of MAX bytes passes; one more does not */
	memcpy(b, "GET /", 5);
	memset(b + 5, 'a', MAX - 5 - 9);
	memcpy(b + MAX - 9, " HTTP/1.1\r\n\r\n", 13);
	ck_assert_int_eq(head_check(b, MAX + 4, MAX, &hc), HEAD_OK);
	ck_assert_int_eq(head_check(b, MAX, MAX, &hc), HEAD_MORE);
	memset(b + 5, 'a', MAX);
	ck_assert_int_eq(head_check(b, MAX, MAX, &hc), HEAD_MORE);
	ck_assert_int_eq(head_check(b, MAX + 1, MAX, &hc), HEAD_BAD);
	ck_assert_int_eq(hc.code, 414);
	/* lines without their ends add up to the limit: passes; one more */
	n = (size_t)sprintf(b, "GET / HTTP/1.1\r\nX: ");
	memset(b + n, 'b', MAX - 14 - 3);
	n += MAX - 14 - 3;
	memcpy(b + n, "\r\n\r\n", 4);
	ck_assert_int_eq(head_check(b, n + 4, MAX, &hc), HEAD_OK);
	b[n] = 'b';
	memcpy(b + n + 1, "\r\n\r\n", 4);
	ck_assert_int_eq(head_check(b, n + 5, MAX, &hc), HEAD_BAD);
	ck_assert_int_eq(hc.code, 431);
	/* and before the line ends */
	ck_assert_int_eq(head_check(b, n + 1, MAX, &hc), HEAD_BAD);
	ck_assert_int_eq(hc.code, 431);
	ck_assert_int_eq(head_check(b, n, MAX, &hc), HEAD_MORE);
	free(b);
}
END_TEST

static Suite *
headcheck_suite(void)
{
	Suite *s = suite_create("smsd_headcheck");
	TCase *tc = tcase_create("headcheck");

	tcase_add_test(tc, well_formed);
	tcase_add_test(tc, length_of_head);
	tcase_add_test(tc, not_yet_whole);
	tcase_add_loop_test(tc, refused, 0,
	    (int)(sizeof(malformed) / sizeof(malformed[0])));
	tcase_add_test(tc, too_large);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(headcheck_suite)
