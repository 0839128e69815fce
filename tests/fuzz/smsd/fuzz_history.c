/*
 * libFuzzer target: smsd's event history file (a text record log of JSON
 * lines) as found at start-up: events_init replays it into the ring, the
 * events resource serves it.  Must hold: every event in the ring has a
 * valid name and a sequence number, /v1/events answers with JSON, and the
 * next event posted gets a sequence number above every one replayed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "../../../src/smsd/smsd.h"
#include "../fuzzutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smsd *d;
	struct evbuffer *b;
	struct req r;
	const char *why;
	json_error_t err;
	json_t *o;
	uint64_t maxseq = 0;
	size_t i;
	char path[512];

	fz_scratch();
	fz_write(fz_path(path, sizeof(path), "events.log"), data, size);
	FUZZ_CHECK((d = calloc(1, sizeof(*d))) != NULL);
	smsd = d;
	conf_defaults(&d->conf);
	strcpy(d->conf.member_name, "m1");
	d->conf.history = 16;
	snprintf(d->member_dir, sizeof(d->member_dir), "%s", fz_dir);
	FUZZ_CHECK((d->base = event_base_new()) != NULL);
	FUZZ_CHECK(events_init(d) == 0);

	FUZZ_CHECK(d->ring_len <= d->ring_cap);
	for (i = 0; i < d->ring_len; i++) {
		struct event_rec *e = &d->ring[(d->ring_head + i) % d->ring_cap];

		FUZZ_CHECK(e->seq > 0 && e->name != NULL &&
		    event_name_valid(e->name, strlen(e->name)));
		if (e->seq > maxseq)
			maxseq = e->seq;
	}
	FUZZ_CHECK(d->next_seq > maxseq);
	FUZZ_CHECK(req_parse("/v1/events", 10, &r, &why) == 0);
	FUZZ_CHECK((b = evbuffer_new()) != NULL);
	events_history_json(d, &r, b);
	o = json_loadb((const char *)evbuffer_pullup(b, -1),
	    evbuffer_get_length(b), 0, &err);
	FUZZ_CHECK(o != NULL);
	json_decref(o);
	evbuffer_free(b);

	events_close(d);
	event_base_free(d->base);
	if (d->health != NULL)
		json_decref(d->health);
	free(d);
	smsd = NULL;
	return 0;
}
