/*
 * suite.c: the other daemons of the suite, read-only, as /v1/suite/...
 * Each answer is {"available":true,...} or {"available":false,
 * "reason":"..."}: a daemon not installed or not running says so plainly.
 */
#ifndef SMSD_SUITE_H
#define SMSD_SUITE_H

#include <jansson.h>

#define SUITE_SS_MAX_HOSTS	10000	/* hosts listed, at most */
#define SUITE_AVAIL_MAX_AGE_MS	10000	/* a summary is made again after */

/* ss's host table through libcsstat; dir "" for csstat_dir()'s. */
json_t	*suite_ss(const char *dir);
/* samrep's SUMMARY of samd's event log, through the report library. */
json_t	*suite_availability(const char *log);
/* rpc.statd's monitored hosts and pending notifications. */
json_t	*suite_statd(const char *statusfile, const char *pidfile);

#endif
