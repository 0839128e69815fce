/*
 * libFuzzer target: rpc.statd's status file as found at start-up (store.c's
 * record decoder over the binary record log).  Must hold:
 *  - rpc.statd -l (store_list) reads it, or refuses a newer version;
 *  - an open refuses only a newer version or a file whose state is lost;
 *  - the open that repairs it, a second open, and an open after a
 *    compaction all load the same entries, notifications and state.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "smspost.h"
#include "../../../src/statd/statd.h"
#include "../fuzzutil.h"

struct fz_sf_view {
	unsigned long	entries, hosts, pending;
	int		have_state, state;
};

static void
fz_sf_forget(void)
{
	store_close();
	notify_free();
	mon_free();
	timers_free();
}

/* store_open's result: 0, or below 0 (the file refused). */
static int
fz_sf_open(const char *path, struct fz_sf_view *v)
{
	struct store_replay rp;
	int r;

	if ((r = store_open(path, &rp)) != 0)
		return r;
	v->entries = mon_count();
	v->hosts = mon_host_count();
	v->pending = notify_pending();
	v->have_state = rp.have_state;
	v->state = rp.have_state ? rp.state : 0;
	return 0;
}

static int
fz_sf_same(const struct fz_sf_view *a, const struct fz_sf_view *b)
{
	return a->entries == b->entries && a->hosts == b->hosts &&
	    a->pending == b->pending && a->have_state == b->have_state &&
	    a->state == b->state;
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_sf_view first, again;
	char path[512];
	FILE *out;
	int r, o;

	fz_scratch();
	conf.max_entries = 64;
	sm_local_names_init("nfs1");
	smspost_socket(NULL);
	fz_path(path, sizeof(path), "statd.status");
	conf.statusfile = path;
	fz_write(path, data, size);

	FUZZ_CHECK((out = fopen("/dev/null", "w")) != NULL);
	r = store_list(path, out);
	fclose(out);
	/* Listed (damaged or not), or a newer version refused. */
	FUZZ_CHECK(r >= 0 || errno == EPROTO);
	fz_sf_forget();

	if ((o = fz_sf_open(path, &first)) != 0) {
		/* Refused: a newer version, or a file whose state is lost. */
		FUZZ_CHECK((o == -1 && errno == EPROTO) || o < -1);
		fz_sf_forget();
		sm_local_names_free();
		return 0;
	}
	FUZZ_CHECK(r >= 0);
	fz_sf_forget();
	FUZZ_CHECK(fz_sf_open(path, &again) == 0);
	FUZZ_CHECK(fz_sf_same(&first, &again));
	/* The compaction writes sm_state: give it the one loaded. */
	sm_state = again.state;
	FUZZ_CHECK(store_compact() == 0);
	fz_sf_forget();
	FUZZ_CHECK(fz_sf_open(path, &again) == 0);
	first.have_state = 1;
	first.state = sm_state;
	FUZZ_CHECK(fz_sf_same(&first, &again));
	fz_sf_forget();
	sm_local_names_free();
	return 0;
}
