/*
 * libFuzzer target: a file of nfs-utils' statd folder (sm/NAME, sm.bak/
 * NAME), as rpc.statd reads it on its first start (import.c).  Must hold:
 *  - every record taken has two names sm_name_valid accepts, of at most
 *    SM_MAXSTRLEN bytes;
 *  - a record taken, written back in nfs-utils' format, parses to the same
 *    record;
 *  - the lines taken and skipped add up to the lines of the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "../../../src/statd/statd.h"
#include "../fuzzutil.h"

static unsigned long fz_nsm_taken;

static void
fz_nsm_check(const char *file, const struct nsm_rec *r, void *arg)
{
	char line[NSM_LINE_MAX + 2];
	struct nsm_rec again;
	int n, i;

	(void)file;
	(void)arg;
	fz_nsm_taken++;
	FUZZ_CHECK(strlen(r->mon_name) <= SM_MAXSTRLEN);
	FUZZ_CHECK(strlen(r->my_name) <= SM_MAXSTRLEN);
	FUZZ_CHECK(sm_name_valid(r->mon_name, strlen(r->mon_name)));
	FUZZ_CHECK(sm_name_valid(r->my_name, strlen(r->my_name)));
	n = snprintf(line, sizeof(line), "%08x %08x %08x %08x ", r->addr,
	    r->prog, r->vers, r->proc);
	for (i = 0; i < SM_PRIV_SIZE; i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%02x",
		    r->priv[i]);
	n += snprintf(line + n, sizeof(line) - (size_t)n, " %s %s\n",
	    r->mon_name, r->my_name);
	FUZZ_CHECK(n > 0 && (size_t)n < sizeof(line));
	FUZZ_CHECK(nsm_parse_line(line, (size_t)n, &again) == 0);
	FUZZ_CHECK(memcmp(r, &again, sizeof(again)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nsm_stats st;
	unsigned long lines = 0;
	size_t i;

	static int quiet;

	if (!quiet) {
		/* Lines the parser logs go to /dev/null. */
		(void)log_open_file("/dev/null");
		quiet = 1;
	}
	memset(&st, 0, sizeof(st));
	fz_nsm_taken = 0;
	nsm_parse_buf((const char *)data, size, "fuzz", fz_nsm_check, NULL,
	    &st);
	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			lines++;
	if (size > 0 && data[size - 1] != '\n')
		lines++;
	FUZZ_CHECK(st.lines == fz_nsm_taken);
	FUZZ_CHECK(st.lines + st.bad_lines == lines);
	return 0;
}
