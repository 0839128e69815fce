/*
 * headcheck: an HTTP/1.x request head judged before evhttp sees it (see
 * headcheck.h).
 *
 * Where evhttp 2.1 would refuse a head with its own HTML page, this says
 * why first: a request line that is not "method SP target SP version", a
 * version other than HTTP/1.x, a method evhttp does not know (its 501), a
 * target its URI parser refuses, a header line that is not "name: value",
 * a head past the size limit (measured as evhttp measures it), and the
 * body evhttp would refuse (a Content-Length it cannot read or past the
 * limit, a chunked body, an expectation other than 100-continue).  Stricter
 * than evhttp, as RFC 9112 asks: single spaces in the request line,
 * methods and field names made of token characters, no bare CR, no NUL or
 * other control byte, no line folding, one Content-Length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>

#include "headcheck.h"

struct method {
	const char	*name;
	int		may_have_body;	/* evhttp reads a body for it */
};

/* evhttp 2.1's methods, matched as it does (case counts). */
static const struct method methods[] = {
	{ "GET", 1 }, { "POST", 1 }, { "HEAD", 0 }, { "PUT", 1 },
	{ "DELETE", 1 }, { "OPTIONS", 1 }, { "TRACE", 0 }, { "CONNECT", 1 },
	{ "PATCH", 1 }
};

/* RFC 9110's tchar */
static int
is_tchar(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') ||
	    (ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

/* a field value's byte: visible, obs-text, space or tab */
static int
is_value_byte(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || (ch > 0x20 && ch != 0x7f);
}

static enum head_verdict
bad(struct head_check *hc, int code, const char *what)
{
	hc->code = code;
	hc->what = what;
	return HEAD_BAD;
}

struct head_state {
	const struct method *method;
	int		minor;
	int		has_length;
	uint64_t	length;		/* capped at UINT64_MAX */
	int		chunked;	/* any Transfer-Encoding */
	int		expect_other;	/* an Expect but 100-continue */
};

static enum head_verdict
request_line(const char *line, size_t n, struct head_check *hc,
    struct head_state *st)
{
	const char *sp1, *sp2, *v;
	char *target;
	struct evhttp_uri *uri;
	size_t i, mlen, tlen;

	for (mlen = 0; mlen < n && is_tchar((unsigned char)line[mlen]); mlen++)
		;
	if (mlen == 0 || mlen == n || line[mlen] != ' ')
		return bad(hc, 400, "malformed request line");
	sp1 = line + mlen;
	for (i = mlen + 1; i < n && (unsigned char)line[i] > 0x20 &&
	    line[i] != 0x7f; i++)
		;
	if (i == mlen + 1 || i == n || line[i] != ' ')
		return bad(hc, 400, "malformed request line");
	sp2 = line + i;
	v = sp2 + 1;
	if ((size_t)(line + n - v) != 8 || memcmp(v, "HTTP/", 5) != 0 ||
	    v[5] < '0' || v[5] > '9' || v[6] != '.' || v[7] < '0' ||
	    v[7] > '9') {
		if (memchr(v, ' ', (size_t)(line + n - v)) != NULL)
			return bad(hc, 400, "malformed request line");
		return bad(hc, 400, "malformed HTTP version");
	}
	if (v[5] != '1')
		return bad(hc, 505, "HTTP version not supported");
	st->minor = v[7] - '0';
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i].name) == mlen &&
		    memcmp(methods[i].name, line, mlen) == 0)
			st->method = &methods[i];
	if (st->method == NULL)
		return bad(hc, 501, "method not implemented");
	hc->is_head = strcmp(st->method->name, "HEAD") == 0;
	/* what evhttp's URI parser refuses, it answers itself */
	tlen = (size_t)(sp2 - sp1 - 1);
	if ((target = malloc(tlen + 1)) == NULL)
		return bad(hc, 503, "out of memory");
	memcpy(target, sp1 + 1, tlen);
	target[tlen] = '\0';
	uri = evhttp_uri_parse_with_flags(target, EVHTTP_URI_NONCONFORMANT);
	free(target);
	if (uri == NULL)
		return bad(hc, 400, "malformed request target");
	evhttp_uri_free(uri);
	return HEAD_MORE;
}

/* value: the field's value, spaces around it trimmed */
static enum head_verdict
special_field(const char *name, size_t nlen, const char *value, size_t vlen,
    struct head_check *hc, struct head_state *st)
{
	uint64_t v = 0;
	size_t i;

	if (nlen == 14 && strncasecmp(name, "Content-Length", 14) == 0) {
		if (vlen == 0)
			return bad(hc, 400, "malformed Content-Length");
		for (i = 0; i < vlen; i++) {
			if (value[i] < '0' || value[i] > '9')
				return bad(hc, 400, "malformed Content-Length");
			if (v > (UINT64_MAX - 9) / 10)
				v = UINT64_MAX;
			else
				v = v * 10 + (uint64_t)(value[i] - '0');
		}
		if (st->has_length && st->length != v)
			return bad(hc, 400, "conflicting Content-Length");
		st->has_length = 1;
		st->length = v;
	} else if (nlen == 17 &&
	    strncasecmp(name, "Transfer-Encoding", 17) == 0) {
		st->chunked = 1;
	} else if (nlen == 6 && strncasecmp(name, "Expect", 6) == 0) {
		if (vlen != 12 || strncasecmp(value, "100-continue", 12) != 0)
			st->expect_other = 1;
	}
	return HEAD_MORE;
}

static enum head_verdict
field_line(const char *line, size_t n, struct head_check *hc,
    struct head_state *st)
{
	size_t nlen, i, b, e;

	if (line[0] == ' ' || line[0] == '\t')
		return bad(hc, 400, "folded header line");
	for (nlen = 0; nlen < n && is_tchar((unsigned char)line[nlen]); nlen++)
		;
	if (nlen == 0 || nlen == n || line[nlen] != ':')
		return bad(hc, 400, "malformed header line");
	for (i = nlen + 1; i < n; i++)
		if (!is_value_byte((unsigned char)line[i]))
			return bad(hc, 400, "malformed header line");
	for (b = nlen + 1; b < n && (line[b] == ' ' || line[b] == '\t'); b++)
		;
	for (e = n; e > b && (line[e - 1] == ' ' || line[e - 1] == '\t'); e--)
		;
	return special_field(line, nlen, line + b, e - b, hc, st);
}

/* The head is whole: would evhttp take the body that follows? */
static enum head_verdict
body(size_t max, struct head_check *hc, const struct head_state *st)
{
	if (st->chunked)
		return bad(hc, 501, "Transfer-Encoding not supported");
	if (!st->method->may_have_body || st->length == 0)
		return HEAD_OK;
	if (st->length > max)
		return bad(hc, 413, "request body too large");
	if (st->expect_other)
		return bad(hc, 417, "expectation not supported");
	return HEAD_OK;
}

enum head_verdict
head_check(const char *buf, size_t len, size_t max, struct head_check *hc)
{
	struct head_state st;
	enum head_verdict v;
	const char *line, *nl;
	size_t pos = 0, n, size = 0;
	int first = 1;

	memset(hc, 0, sizeof(*hc));
	memset(&st, 0, sizeof(st));
	while (pos < len) {
		line = buf + pos;
		if ((nl = memchr(line, '\n', len - pos)) == NULL)
			break;
		/* a line ends in LF or CRLF, as evhttp reads it */
		n = (size_t)(nl - line);
		if (n > 0 && line[n - 1] == '\r')
			n--;
		/* sizes first, so that a line is judged as its prefix was */
		size += n;
		if (first && n > max)
			return bad(hc, 414, "request line too long");
		if (!first && size > max)
			return bad(hc, 431, "request header fields too large");
		if (memchr(line, '\0', n) != NULL ||
		    memchr(line, '\r', n) != NULL)
			return bad(hc, 400, first ? "malformed request line" :
			    "malformed header line");
		if (first) {
			if ((v = request_line(line, n, hc, &st)) != HEAD_MORE)
				return v;
			first = 0;
		} else {
			if (n == 0) {
				hc->len = (size_t)(nl - buf) + 1;
				return body(max, hc, &st);
			}
			if ((v = field_line(line, n, hc, &st)) != HEAD_MORE)
				return v;
		}
		pos = (size_t)(nl - buf) + 1;
	}
	/* evhttp's measure of a line not yet whole */
	if (first && len - pos > max)
		return bad(hc, 414, "request line too long");
	if (!first && size + (len - pos) > max)
		return bad(hc, 431, "request header fields too large");
	return HEAD_MORE;
}
