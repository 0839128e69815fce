/*
 * samdump: what SAM's readers find in its files, for the crash-torture
 * test (tests/integration/t_torture.sh).
 *
 *	samdump eventlog FILE	every record a reader accepts, one a line:
 *				  E ID TIME TYPE NAME STATE PLAN MSG
 *				(PLAN "-" for none)
 *				  M ID TIME - - STATE PLAN MSG
 *				a line it refuses as "unreadable LINE REASON",
 *				and last "stats records N damaged N tail N"
 *				(lines replayed, damaged lines skipped, bytes a
 *				writer would cut off the end)
 *	samdump heartbeat FILE	"hb SEQ REAL_MS BOOT_MS PID BOOT_ID" of the
 *				newest valid slot, or "hb none"
 *
 * Exit 0, or 1 if the file cannot be read.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "reclog.h"
#include "sam.h"

/* "-" for none, so that the fields stay apart. */
static const char *
plan(enum sam_plan p)
{
	const char *s = sam_plan_name(p);

	return *s != '\0' ? s : "-";
}

static int
dump_rec(const void *rec, size_t len, int flags, uint64_t where, void *arg)
{
	struct sam_rec r;
	struct sam_event ev;
	const char *why;

	(void)flags;
	(void)arg;
	if (sam_rec_parse(rec, len, &r, &why) == -1) {
		printf("unreadable %" PRIu64 " %s\n", where, why);
		return 0;
	}
	if (r.kind == 'V')
		return 0;
	if (sam_rec_to_event(&r, &ev) == -1) {
		printf("unreadable %" PRIu64 " event fields\n", where);
		return 0;
	}
	if (r.kind == 'E')
		printf("E %" PRIu64 " %" PRId64 " %s %s %s %s %s\n", ev.evid,
		    ev.time, sam_type_name(ev.type), ev.name,
		    sam_state_name(ev.state), plan(ev.plan), ev.msg);
	else
		printf("M %" PRIu64 " %" PRId64 " - - %s %s %s\n", ev.evid,
		    ev.time, sam_state_name(ev.state), plan(ev.plan), ev.msg);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct reclog_stats st;
	struct sam_hb hb;

	log_procname("samdump");
	log_init(1, 0);
	if (argc != 3) {
		fprintf(stderr, "usage: samdump eventlog | heartbeat FILE\n");
		return 1;
	}
	if (strcmp(argv[1], "eventlog") == 0) {
		memset(&st, 0, sizeof(st));
		if (reclog_replay_file(argv[2], RECLOG_TEXT, SAM_REC_MAX,
		    dump_rec, NULL, &st) == -1) {
			perror(argv[2]);
			return 1;
		}
		printf("stats records %" PRIu64 " damaged %" PRIu64 " tail %"
		    PRIu64 "\n", st.records, st.bad_skipped, st.tail_dropped);
		return 0;
	}
	if (strcmp(argv[1], "heartbeat") == 0) {
		if (sam_hb_read(argv[2], &hb) == -1) {
			if (errno != ENOENT && errno != ENODATA) {
				perror(argv[2]);
				return 1;
			}
			printf("hb none\n");
			return 0;
		}
		printf("hb %" PRIu64 " %" PRId64 " %" PRId64 " %" PRIu32 " %s\n",
		    hb.seq, hb.real_ms, hb.boot_ms, hb.pid, hb.boot_id);
		return 0;
	}
	fprintf(stderr, "usage: samdump eventlog | heartbeat FILE\n");
	return 1;
}
