/*
 * headcheck: the head of an HTTP/1.x request (its request line and header
 * fields, through the empty line), judged before evhttp parses it.
 *
 * evhttp (libevent 2.1) answers a request it cannot parse with an HTML
 * page of its own and tells the server nothing; smsd answers every error
 * in JSON and logs it.  So control.c shows each head to head_check()
 * first, and answers a malformed one itself.  A head that passes here
 * passes evhttp's parser too: the rules are evhttp's, made as strict as
 * RFC 9112 where evhttp is lenient.
 */
#ifndef SMSD_HEADCHECK_H
#define SMSD_HEADCHECK_H

#include <stddef.h>

enum head_verdict {
	HEAD_MORE,		/* not whole yet, and not too long so far */
	HEAD_OK,		/* whole; evhttp may parse it */
	HEAD_BAD		/* malformed: answer code, close */
};

struct head_check {
	size_t		len;		/* HEAD_OK: bytes through the empty line */
	int		code;		/* HEAD_BAD: the status to answer */
	const char	*what;		/* HEAD_BAD: what is wrong, in words */
	int		is_head;	/* the method is HEAD: answer no body */
};

/*
 * Judge the first len bytes of a connection's input, where a request
 * begins.  max is evhttp's limit on a head: the lengths of its lines,
 * without their line ends, added up (evhttp_set_max_headers_size); it is
 * also the limit on a body (evhttp_set_max_body_size).
 */
enum head_verdict head_check(const char *buf, size_t len, size_t max,
	    struct head_check *hc);

#endif
