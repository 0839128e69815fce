/*
 * libFuzzer target: smsd's judge of request heads (headcheck.c), with a
 * small size limit so that the limits are reached.  Whatever the bytes, a
 * verdict is one of three; a whole head ends in a line feed within the
 * input; a refusal has a status smsd answers and a message; and the
 * verdict on the first half of the input agrees with the one on the whole:
 * a whole head stays the same head, and a refusal for what a line holds
 * stays that refusal.  (One for size need not: evhttp counts the bytes of
 * a line not yet whole, its CR among them, but not a whole line's CRLF.)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../../src/smsd/headcheck.h"

#define FUZZ_HEAD_MAX	512

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static enum head_verdict
judged(const uint8_t *data, size_t size, struct head_check *hc)
{
	enum head_verdict v = head_check((const char *)data, size,
	    FUZZ_HEAD_MAX, hc);

	switch (v) {
	case HEAD_MORE:
		break;
	case HEAD_OK:
		if (hc->len == 0 || hc->len > size || data[hc->len - 1] != '\n')
			abort();
		break;
	case HEAD_BAD:
		if (hc->what == NULL)
			abort();
		switch (hc->code) {
		case 400: case 413: case 414: case 417: case 431: case 501:
		case 503: case 505:
			break;
		default:
			abort();
		}
		break;
	default:
		abort();
	}
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct head_check whole, half;
	enum head_verdict v, hv;

	v = judged(data, size, &whole);
	hv = judged(data, size / 2, &half);
	if (hv == HEAD_BAD && half.code != 503 && half.code != 414 &&
	    half.code != 431 && (v != HEAD_BAD || whole.code != half.code))
		abort();
	if (hv == HEAD_OK && (v != HEAD_OK || whole.len != half.len))
		abort();
	return 0;
}
