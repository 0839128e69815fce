/*
 * clusterev: samd's side of corosync membership (issue 7).
 *
 * samsigd passes node and cluster (quorum) state changes as NODE and CLUS
 * state messages, dated when corosync reported them, and changes of its
 * connection to corosync as CLINFO messages.  samd keeps the last state it
 * heard of every member and of the cluster, so a samsigd that restarts (and
 * reports the whole membership again) logs only what changed meanwhile.
 */
#ifndef SAM_CLUSTEREV_H
#define SAM_CLUSTEREV_H

#include <stddef.h>
#include <stdint.h>

#include "chan.h"
#include "sam.h"

struct sam_clview_node {
	char		name[SAM_NAME_MAX + 1];
	enum sam_state	state;
};

struct sam_clview {
	struct sam_clview_node *nodes;
	size_t		 n, cap;
	int		 clus_state;	/* enum sam_state, -1 never heard */
	uint32_t	 detection_ms;	/* as last said in the log, 0 never */
	int		 mode;		/* last CLINFO mode, -1 none */
};

void	sam_clview_init(struct sam_clview *);
void	sam_clview_free(struct sam_clview *);
/*
 * At start, before samsigd's first report: the last state the event log
 * holds for every NODE object and for the CLUS object named cluster.  A
 * member that was logged down and came back while samd was away is then
 * logged up when samsigd first reports it, and a state already logged is
 * not logged again.  0 (also when there is no log yet), or -1 with errno.
 */
int	sam_clview_seed(struct sam_clview *, const char *eventlog,
	    const char *cluster);

/*
 * A NODE or CLUS state message (type SAM_MSG_NODE or SAM_MSG_CLUS): 1 and
 * the event to log in *ev when the state changed from the one known; 0
 * when there is nothing to log (the state was known, or an up state heard
 * for the first time: samd has no outage to close).  A down state heard
 * for the first time is logged: the outage starts when it was found.
 */
int	sam_clview_event(struct sam_clview *, uint8_t type,
	    const struct sam_msg_state *, struct sam_event *ev);
/* samd's log: how long after corosync's report the event was durable. */
void	sam_clview_logged(const struct sam_event *, int64_t reported_ms,
	    int64_t durable_ms);
/* A CLINFO message: the connection, the gap, the detection time, in
   samd's log (the detection time once, and again when it changes). */
void	sam_clview_info(struct sam_clview *, const struct sam_msg_clinfo *);

#endif
