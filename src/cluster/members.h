/*
 * members: the membership table of libhmcluster, without corosync.
 *
 * Pure bookkeeping, so the unit tests drive it directly: the table holds
 * every node configured or seen, with its name, state and last change.
 * A new membership (the full list of node ids corosync reports) is applied
 * by comparing it with the table; each difference becomes an event.  How a
 * member went away comes from libcpg: when our own group's process on that
 * node left cleanly (LEAVE, or PROCDOWN because its corosync shut down and
 * closed its clients) just before the node left the membership, the leave
 * was planned; a member whose processes were still in the group when the
 * node vanished (NODEDOWN) failed.
 */
#ifndef HM_CLUSTER_MEMBERS_H
#define HM_CLUSTER_MEMBERS_H

#include <stddef.h>
#include <stdint.h>

#include "cluster.h"

#define MEMBERS_NAME_MAX 256

struct member {
	uint32_t	nodeid;
	char		name[MEMBERS_NAME_MAX];
	int		named;		/* name came from the nodelist */
	char		addr[64];	/* nodelist ring0_addr, "" if none */
	int		configured;	/* listed in the nodelist */
	enum cluster_node_state state;
	int64_t		changed_ms;	/* real time; 0 never seen */
	/* libcpg: our group's processes on that node, and when the last one
	   left cleanly (monotonic ms, 0 none since it was last counted). */
	int		procs;
	int64_t		clean_leave_mono;
};

struct members {
	struct member	*v;		/* sorted by nodeid */
	size_t		 n, cap;
	uint32_t	 local_nodeid;
	int		 quorate;	/* last known, -1 never known */
	int		 synced;	/* a membership was applied once */
};

enum member_event_type {
	MEMBER_EV_UP,
	MEMBER_EV_DOWN,
	MEMBER_EV_QUORUM
};

struct member_event {
	enum member_event_type type;
	const struct member *m;		/* NULL for MEMBER_EV_QUORUM */
	int		quorate;
	int64_t		when_ms;
	unsigned	flags;		/* CLUSTER_F_* */
};

typedef void (*member_event_fn)(const struct member_event *ev, void *arg);

void	members_init(struct members *t);
void	members_free(struct members *t);

/* The entry for nodeid, NULL if none; members_get adds one (NULL on
   ENOMEM), named "node<ID>" until members_set_name. */
struct member *members_find(const struct members *t, uint32_t nodeid);
struct member *members_get(struct members *t, uint32_t nodeid);
/* Name from the nodelist; marks the node configured.  -1 on ENOMEM. */
int	members_set_name(struct members *t, uint32_t nodeid, const char *name);
/* ring0_addr from the nodelist, as written there (a name or an address);
   NULL clears it.  -1 on ENOMEM. */
int	members_set_addr(struct members *t, uint32_t nodeid, const char *addr);

/*
 * Apply the full membership ids[0..n-1] seen at real time now_ms.  Every
 * node that joins or leaves becomes an event passed to fn (in node id
 * order, downs before ups); the local node is kept in the table but never
 * reported.  flags are added to every event; CLUSTER_F_INITIAL is added
 * by itself to the first membership ever applied, and then also reports
 * configured nodes that are not members (as down).  A node that leaves is
 * CLUSTER_LEFT with CLUSTER_F_PLANNED if members_cpg_left() saw its last
 * process leave cleanly within window_ms before now_mono, otherwise
 * CLUSTER_UNREACHABLE.  Returns the number of events, -1 on ENOMEM
 * (the table is then unchanged).
 */
int	members_apply(struct members *t, const uint32_t *ids, size_t n,
	    int64_t now_ms, int64_t now_mono, int64_t window_ms,
	    unsigned flags, member_event_fn fn, void *arg);

/*
 * 1 if the membership ids[0..n-1] holds every node known to be a member
 * (before the first membership is applied: every configured node).  A
 * corosync that has just started reports itself alone before it merges
 * with the others; until a view is complete the caller waits a while
 * rather than report members that are only not merged yet.
 */
int	members_view_complete(const struct members *t, const uint32_t *ids,
	    size_t n);

/* Quorum as reported; an event only if it differs from the last known
   one (kept across disconnections), with CLUSTER_F_INITIAL at the first
   report.  Returns 1 if there was an event, else 0. */
int	members_set_quorate(struct members *t, int quorate, int64_t now_ms,
	    unsigned flags, member_event_fn fn, void *arg);

/*
 * libcpg: members_cpg_view sets the group's processes per node from a
 * confchg's member list (one node id per process); then members_cpg_left
 * notes each process that left, clean being 1 for CPG_REASON_LEAVE and
 * CPG_REASON_PROCDOWN, 0 for NODEDOWN; a clean leave counts only when no
 * process of ours is left on that node.  members_cpg_reset forgets the
 * group (disconnected; it is rebuilt after the reconnect).
 */
void	members_cpg_view(struct members *t, const uint32_t *nodeids, size_t n);
void	members_cpg_left(struct members *t, uint32_t nodeid, int clean,
	    int64_t now_mono);
void	members_cpg_reset(struct members *t);

#endif
