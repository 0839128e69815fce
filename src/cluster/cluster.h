/*
 * cluster: corosync membership for hostmon daemons (libhmcluster).
 *
 * Tracks the members of the corosync cluster this host belongs to through
 * corosync's client libraries (libquorum for the membership and quorum,
 * libcpg for how a member went away, libcmap for names and timeouts), in
 * the caller's own poll loop:
 *
 *	c = cluster_open(&ops, arg);		never blocks for long, never fails
 *	for (;;) {				  but on ENOMEM (NULL)
 *		pfd.fd = cluster_fd(c);		-1 while disconnected: re-read it
 *		pfd.events = POLLIN;		  on every turn
 *		n = poll(&pfd, pfd.fd >= 0, cluster_timeout_ms(c));
 *		if (n == 0 || (n > 0 && pfd.revents))
 *			cluster_dispatch(c);
 *	}
 *
 * The client libraries are loaded at run time (dlopen, see corolib.h), not
 * linked in, so a program using this library starts on a host without
 * them.  Without corosync (not installed: its libraries missing; not
 * configured; not running) the handle is in single-node mode, which the
 * log says once, with the reason (the missing libraries, or corosync's
 * answer); it then tries again about once a second, quietly.  When corosync stops or restarts, the
 * handle reports the disconnection, reconnects by itself, reports the gap,
 * and compares the membership it finds with the one it knew, reporting each
 * difference as an event flagged CLUSTER_F_GAP.
 *
 * A fresh connection (the first, or after a gap) holds its reports until
 * corosync's view holds every member known before (the first time: every
 * node in the nodelist), or for token + consensus at most: a corosync that
 * has just started shows itself alone for about a second before it merges
 * with the others, and that is not a cluster failure.  Likewise a held
 * "not quorate" waits for a quorate report (such a corosync sends it a
 * moment after its full view) or for that deadline.
 *
 * Times are CLOCK_REALTIME milliseconds (real_ms()) taken when corosync's
 * callback ran, that is when corosync reported the change.  corosync itself
 * notices a failed member only after token + consensus timeouts:
 * cluster_detection_ms() is that delay, so a report can state its accuracy.
 *
 * Planned or failed: corosync's membership says only that a node left.  The
 * library joins corosync's process group (CPG) "hostmon"; a corosync that
 * shuts down cleanly (SIGTERM, corosync-cfgtool -H) first closes its
 * clients, which the others see as CPG_REASON_PROCDOWN just before the node
 * leaves, while a crash or a cut shows CPG_REASON_NODEDOWN.  So a leave is
 * CLUSTER_F_PLANNED only when a hostmon process using this library ran on
 * that node; otherwise, and for changes found after a gap, it counts as
 * failed.
 *
 * corosync accepts IPC clients running as root or as a user or group given
 * in uidgid.d; others get single-node mode (the log says why).
 */
#ifndef HM_CLUSTER_H
#define HM_CLUSTER_H

#include <stdint.h>

struct cluster;

/* Event flags. */
#define CLUSTER_F_PLANNED 0x01	/* node_down: the member left cleanly */
#define CLUSTER_F_GAP	  0x02	/* the change happened while disconnected,
				   after the gap start given to connected();
				   when is the time it was found */
#define CLUSTER_F_INITIAL 0x04	/* the state found at the first connection,
				   not a change */

/*
 * Every callback may be NULL.  name is the member's name from corosync's
 * nodelist (name, else ring0_addr, else "node<ID>"); valid during the call.
 * The local node never gets node_up/node_down: its corosync going away is
 * disconnected().
 */
struct cluster_ops {
	void	(*node_up)(void *arg, const char *name, uint32_t nodeid,
		    int64_t when_ms, unsigned flags);
	void	(*node_down)(void *arg, const char *name, uint32_t nodeid,
		    int64_t when_ms, unsigned flags);
	void	(*quorum)(void *arg, int quorate, int64_t when_ms,
		    unsigned flags);
	/* gap_start_ms: when the connection was lost, 0 at the first one. */
	void	(*connected)(void *arg, int64_t when_ms, int64_t gap_start_ms);
	void	(*disconnected)(void *arg, int64_t when_ms);
};

enum cluster_node_state {
	CLUSTER_MEMBER,		/* in the current membership */
	CLUSTER_LEFT,		/* went away cleanly */
	CLUSTER_UNREACHABLE	/* failed, cut off, or never seen */
};

struct cluster_member {
	const char	*name;
	uint32_t	 nodeid;
	enum cluster_node_state state;
	int64_t		 changed_ms;	/* real time of the last change; 0 if
					   never seen since cluster_open */
	int		 local;		/* this host */
	const char	*addr;		/* the nodelist's ring0_addr as written
					   (an address or a name), "" if none */
};

/*
 * ops is copied.  Returns NULL only when out of memory (or out of
 * descriptors for its epoll instance).  The first connection attempt is
 * made at once: a local IPC connect, which fails at once when corosync does
 * not run, and takes a few milliseconds when it does.  Callbacks may run
 * during the call (connected(), with arg) but never node events, which wait
 * for the settle time and cluster_dispatch().
 */
struct cluster *cluster_open(const struct cluster_ops *ops, void *arg);
void	cluster_close(struct cluster *c);

/* The descriptor to poll for POLLIN, or -1 while disconnected. */
int	cluster_fd(const struct cluster *c);
/* Milliseconds until cluster_dispatch() is due anyway, -1 if never. */
int	cluster_timeout_ms(const struct cluster *c);
/* Handle what is readable and any timer that expired; never blocks. */
void	cluster_dispatch(struct cluster *c);

int	cluster_connected(const struct cluster *c);
/* 1 quorate, 0 not, -1 unknown (single-node mode or disconnected). */
int	cluster_quorate(const struct cluster *c);
/* corosync's failure detection delay (token + consensus) in ms, as last
   read from cmap; 0 if never connected. */
int	cluster_detection_ms(const struct cluster *c);
/* corosync's cluster name, "" if unknown. */
const char *cluster_name(const struct cluster *c);
uint32_t cluster_local_nodeid(const struct cluster *c);

/*
 * Calls fn for every member known (configured in the nodelist or seen),
 * ordered by node id; stops early when fn returns non-zero and returns that
 * value, else 0.  The member is valid during the call only.
 */
typedef int (*cluster_member_fn)(const struct cluster_member *m, void *arg);
int	cluster_members(const struct cluster *c, cluster_member_fn fn,
	    void *arg);

const char *cluster_state_name(enum cluster_node_state state);

#endif
