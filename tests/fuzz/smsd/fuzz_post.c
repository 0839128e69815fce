/*
 * libFuzzer target: the posting socket's message parser.  A message it
 * accepts must carry a valid name and priority, and encode back to a
 * message that parses to the same thing.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/smsd/smsd.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct post_msg m, m2;
	const char *why;
	char buf[POST_MAX + 1];
	int n;

	if (post_parse(data, size, &m, &why) == -1)
		return 0;
	if (!event_name_valid(m.name, strlen(m.name)) || m.priority < 0 ||
	    m.priority > 700 || strlen(m.message) > EVENT_MSG_MAX)
		abort();
	if ((n = post_encode(&m, buf, sizeof(buf))) < 0)
		abort();
	if (post_parse(buf, (size_t)n, &m2, &why) == -1 ||
	    memcmp(&m, &m2, sizeof(m)) != 0)
		abort();
	return 0;
}
