/*
 * nsmstate: rpc.statd's status file read by another program, without
 * writing it: the NSM state, the monitor list and the pending
 * notifications, as statd would load them.  The file is a binary reclog
 * (src/common/reclog.h) whose records src/statd/store.c describes; it is
 * replayed with reclog_replay_file, under a shared lock, with checksums:
 * a record statd is writing is either whole and good or skipped.
 */
#ifndef NSMSTATE_H
#define NSMSTATE_H

#include <stdint.h>

#include <jansson.h>

#define NSMSTATE_MAXSTRLEN	1024	/* SM_MAXSTRLEN (rpc/sm_inter.x) */
#define NSMSTATE_PRIV_SIZE	16	/* SM_PRIV_SIZE */
/* A record's payload, at most: the largest statd writes (an 'M'). */
#define NSMSTATE_REC_MAX	(1 + 12 + NSMSTATE_PRIV_SIZE + 4 + \
	2 * NSMSTATE_MAXSTRLEN)

/*
 * The file at path as {"state":N|null,"monitored":[{"mon_name","my_name",
 * "prog","vers","proc"}],"pending":[{"host","state","since_ms"}],
 * "records":N,"records_not_understood":N,"damaged":N}; the callers' cookies
 * (priv) are left out.  NULL with errno when it cannot be read (ENOMEM
 * when out of memory).
 */
json_t	*nsmstate_read(const char *path);
/* Decode one record into the state being built (exposed for tests). */
int	nsmstate_apply(json_t *state, const void *rec, size_t len);
json_t	*nsmstate_new(void);
/* The state built by nsmstate_apply, in nsmstate_read's shape. */
json_t	*nsmstate_view(json_t *state);

#endif
