/*
 * libFuzzer target: smsd's cached inventory files, hardware.json and
 * software.json under DATA_DIR/MEMBER, as read back at start-up (store.c)
 * and then served and judged (source_body, health_update).  The input is
 *	u16 n, n bytes of hardware.json, the rest software.json
 * Must hold: nothing crashes on a file that parses as some other JSON; a
 * file the daemon keeps is served as JSON; one it does not keep is set
 * aside and gone from its place.
 */
#include <sys/stat.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/smsd/smsd.h"
#include "../fuzzutil.h"

static void
fz_inventory_served(struct source *s)
{
	json_error_t err;
	const char *body;
	json_t *o;
	size_t len;

	if (s->data == NULL)
		return;
	FUZZ_CHECK((body = source_body(s, &len)) != NULL);
	FUZZ_CHECK((o = json_loadb(body, len, 0, &err)) != NULL);
	FUZZ_CHECK(json_equal(o, s->data));
	json_decref(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct smsd *d;
	struct stat sb;
	const uint8_t *hw, *sw;
	size_t hwlen, swlen;
	unsigned n;
	char path[512];
	int i;

	if (fz_u16(&in, &n) == -1)
		return 0;
	hw = fz_bytes(&in, n, &hwlen);
	sw = fz_bytes(&in, in.left, &swlen);
	fz_scratch();
	FUZZ_CHECK((d = calloc(1, sizeof(*d))) != NULL);
	smsd = d;
	strcpy(d->conf.member_name, "m1");
	snprintf(d->member_dir, sizeof(d->member_dir), "%s", fz_dir);
	for (i = 0; i < SRC_COUNT; i++) {
		d->src[i].id = (enum source_id)i;
		d->src[i].max_age_ms = 1000;
	}
	d->src[SRC_SYSTEM].name = "system";
	d->src[SRC_HARDWARE].name = "hardware";
	d->src[SRC_SOFTWARE].name = "software";
	d->src[SRC_FILESYSTEMS].name = "filesystems";
	d->src[SRC_METRICS].name = "metrics";
	fz_write(fz_path(path, sizeof(path), "hardware.json"), hw, hwlen);
	fz_write(fz_path(path, sizeof(path), "software.json"), sw, swlen);

	store_load_inventory(d);
	for (i = 0; i < SRC_COUNT; i++) {
		fz_inventory_served(&d->src[i]);
		/* Not kept: set aside, so the next start does not trip. */
		if ((i == SRC_HARDWARE || i == SRC_SOFTWARE) &&
		    d->src[i].data == NULL)
			FUZZ_CHECK(stat(fz_path(path, sizeof(path),
			    i == SRC_HARDWARE ? "hardware.json" :
			    "software.json"), &sb) == -1);
	}
	health_update(d);
	FUZZ_CHECK(d->health != NULL && json_is_object(d->health));

	for (i = 0; i < SRC_COUNT; i++) {
		if (d->src[i].data != NULL)
			json_decref(d->src[i].data);
		free(d->src[i].body);
	}
	if (d->health != NULL)
		json_decref(d->health);
	free(d);
	smsd = NULL;
	return 0;
}
