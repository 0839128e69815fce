/*
 * rpc.statd -l -j: the status file as one JSON object, for scripts (jq).
 * The tables hold what store_list replayed; names are printable ASCII
 * without blanks (sm_name_valid), escaped here all the same.
 */
#include <inttypes.h>
#include <stdio.h>

#include "reclog.h"
#include "statd.h"

static void
jstr(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static int	first;

static void
json_entry(struct sm_entry *e, void *arg)
{
	FILE *out = arg;
	int i;

	fputs(first ? "\n    {\"mon_name\": " : ",\n    {\"mon_name\": ", out);
	first = 0;
	jstr(out, e->host->name);
	fputs(", \"my_name\": ", out);
	jstr(out, e->my_name);
	fprintf(out, ", \"prog\": %" PRIu32 ", \"vers\": %" PRIu32
	    ", \"proc\": %" PRIu32 ", \"priv\": \"", e->my_prog, e->my_vers,
	    e->my_proc);
	for (i = 0; i < SM_PRIV_SIZE; i++)
		fprintf(out, "%02x", e->priv[i]);
	fputs("\"}", out);
}

static void
json_notify(const char *name, int state, int64_t since, void *arg)
{
	FILE *out = arg;

	fputs(first ? "\n    {\"mon_name\": " : ",\n    {\"mon_name\": ", out);
	first = 0;
	jstr(out, name);
	fprintf(out, ", \"state\": %d, \"since_ms\": %" PRId64 "}", state,
	    since);
}

void
list_json(FILE *out, const char *path, const struct reclog_stats *st,
    int state, const char *boot_id, int copies, unsigned long bad,
    int damaged)
{
	fputs("{\n  \"status_file\": ", out);
	jstr(out, path);
	fprintf(out, ",\n  \"bytes\": %lld,\n  \"records\": %" PRIu64 ",\n"
	    "  \"damaged\": %s,\n  \"damage\": {\"header\": %s, "
	    "\"stretches_skipped\": %" PRIu64 ", \"bytes_skipped\": %" PRIu64
	    ", \"tail_dropped\": %" PRIu64 ", \"records_not_understood\": "
	    "%lu},\n", (long long)st->size, st->records,
	    damaged ? "true" : "false", st->bad_header ? "true" : "false",
	    st->bad_skipped, st->bytes_skipped, st->tail_dropped, bad);
	if (state >= 0) {
		fprintf(out, "  \"state\": %d,\n  \"boot_id\": ", state);
		jstr(out, boot_id);
		fprintf(out, ",\n  \"state_copies\": %d,\n", copies);
	} else
		fputs("  \"state\": null,\n  \"boot_id\": null,\n"
		    "  \"state_copies\": 0,\n", out);
	fprintf(out, "  \"entries\": %lu,\n  \"hosts\": %lu,\n  \"pending\": "
	    "%lu,\n  \"monitors\": [", mon_count(), mon_host_count(),
	    notify_pending());
	first = 1;
	mon_foreach_entry(json_entry, out);
	fputs(first ? "],\n  \"notifications\": [" :
	    "\n  ],\n  \"notifications\": [", out);
	first = 1;
	notify_foreach(json_notify, out);
	fputs(first ? "]\n}\n" : "\n  ]\n}\n", out);
}
