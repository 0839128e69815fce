/*
 * samgen: write a synthetic SAM event log, for the benchmark.
 *
 *	samgen FILE EVENTS [OBJECTS]
 *
 * OBJECTS nodes (default 100) go down and up in turn, one event a minute
 * from 2020-01-01, every tenth outage planned; the records are exactly
 * what samlog writes (same formatter, same reclog framing).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "reclog.h"
#include "sam.h"

int
main(int argc, char *argv[])
{
	struct reclog *rl;
	struct sam_event ev;
	char buf[SAM_REC_MAX + 1];
	unsigned long long n, i, objs = 100;
	int len;

	log_procname("samgen");
	log_init(1, 0);
	if (argc < 3 || argc > 4)
		fatalx("usage: samgen FILE EVENTS [OBJECTS]");
	n = strtoull(argv[2], NULL, 10);
	if (argc == 4)
		objs = strtoull(argv[3], NULL, 10);
	if (n == 0 || objs == 0 || objs > 100000)
		fatalx("bad counts");
	if (unlink(argv[1]) == -1 && errno != ENOENT)
		fatal("%s", argv[1]);
	if ((rl = reclog_open(argv[1], RECLOG_TEXT, SAM_REC_MAX, 0644, NULL,
	    NULL, NULL)) == NULL)
		fatal("%s", argv[1]);
	len = sam_version_format(buf, sizeof(buf));
	reclog_append(rl, buf, (size_t)len);
	for (i = 0; i < n; i++) {
		unsigned long long o = i % objs, round = i / objs;

		memset(&ev, 0, sizeof(ev));
		ev.kind = 'E';
		ev.evid = i + 1;
		ev.time = 1577836800LL + (long long)i * 60;
		ev.logtime = ev.time;
		ev.type = SAM_NODE;
		snprintf(ev.name, sizeof(ev.name), "node%llu", o);
		ev.state = round % 2 == 0 ? SAM_DOWN : SAM_UP;
		if (ev.state == SAM_DOWN)
			ev.plan = round % 20 == 0 ? SAM_PLANNED :
			    SAM_UNPLANNED;
		snprintf(ev.msg, sizeof(ev.msg), "generated event %llu", i + 1);
		if ((len = sam_rec_format(&ev, buf, sizeof(buf))) == -1)
			fatal("format");
		if (reclog_append(rl, buf, (size_t)len) == -1)
			fatal("append");
		if (reclog_pending(rl) >= 10000 && reclog_commit(rl) == -1)
			fatal("commit");
	}
	if (reclog_commit(rl) == -1)
		fatal("commit");
	reclog_close(rl);
	return 0;
}
