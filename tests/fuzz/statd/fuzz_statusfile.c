/*
 * libFuzzer target: rpc.statd's status file as found at start-up (store.c's
 * record decoder over the binary record log).  The input is the file; or,
 * when it begins with 'R', the records to frame into one (u16 length,
 * payload; each gets a good checksum), so that the decoder behind the
 * checksums is reached as often as the framing.  Must hold:
 *  - rpc.statd -l (store_list) reads it, or refuses a newer version;
 *  - an open refuses only a newer version or a file whose state is lost;
 *  - the open that repairs it, a second open, and an open after a
 *    compaction all load the same entries, notifications and state.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reclog.h"
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

/* The records of in framed into a status file at path. */
static void
fz_sf_frame(const char *path, const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	unsigned char *file, le[8];
	const uint8_t *rec;
	size_t len, off = 0;
	unsigned n;
	uint32_t sum;

	/* Header, then 8 bytes of framing per 2 bytes of input at most. */
	FUZZ_CHECK((file = malloc(16 + size * 5)) != NULL);
	memcpy(file, "HMRECLOG\1\0\0\0\0\0\0\0", 16);
	off = 16;
	while (fz_u16(&in, &n) == 0) {
		rec = fz_bytes(&in, n % 2048, &len);
		le[0] = (unsigned char)len;
		le[1] = (unsigned char)(len >> 8);
		le[2] = le[3] = 0;
		sum = crc32c(crc32c(0, le, 4), rec, len);
		le[4] = (unsigned char)sum;
		le[5] = (unsigned char)(sum >> 8);
		le[6] = (unsigned char)(sum >> 16);
		le[7] = (unsigned char)(sum >> 24);
		memcpy(file + off, le, 8);
		memcpy(file + off + 8, rec, len);
		off += 8 + len;
	}
	fz_write(path, file, off);
	free(file);
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
	if (size > 0 && data[0] == 'R')
		fz_sf_frame(path, data + 1, size - 1);
	else
		fz_write(path, data, size);

	FUZZ_CHECK((out = fopen("/dev/null", "w")) != NULL);
	r = store_list(path, out, 0);
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
