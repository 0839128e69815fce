/*
 * sigcluster: samsigd's corosync source (see sigcluster.h).
 *
 * A failed send on the channel is fatal, as for samsigd's other messages:
 * samd restarts samsigd, whose fresh connection reports the membership
 * again, and samd logs what changed meanwhile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chan.h"
#include "cluster.h"
#include "log.h"
#include "sam.h"
#include "sigcluster.h"
#include "timeutil.h"

struct sigcluster {
	struct cluster	*c;
	int		 chan;
	uint32_t	 seq;
	int		 ready;		/* HELLO sent: CLINFO may follow */
	struct sam_msg_clinfo info;	/* the last connection state */
};

static void
send_msg(struct sigcluster *sc, struct sam_msg *m)
{
	m->seq = ++sc->seq;
	if (sam_msg_send(sc->chan, m) == -1)
		fatal("channel");
}

static void
send_info(struct sigcluster *sc)
{
	struct sam_msg m;

	if (!sc->ready)
		return;		/* sigcluster_hello() sends it */
	memset(&m, 0, sizeof(m));
	sam_msg_put_clinfo(&m, &sc->info);
	send_msg(sc, &m);
}

static void
send_state(struct sigcluster *sc, uint8_t type, const char *name,
    enum sam_state state, enum sam_plan plan, int64_t when_ms,
    const char *msg, unsigned flags)
{
	struct sam_msg_state st;
	struct sam_msg m;
	const char *why;
	size_t i;

	memset(&st, 0, sizeof(st));
	st.time_ms = when_ms;
	st.state = (uint8_t)state;
	st.plan = (uint8_t)plan;
	snprintf(st.name, sizeof(st.name), "%s", name);
	/* Event log names hold no blanks or separators. */
	for (i = 0; st.name[i] != '\0'; i++)
		if (st.name[i] == ' ' || (unsigned char)st.name[i] < 0x20)
			st.name[i] = '_';
	snprintf(st.msg, sizeof(st.msg), "%s%s", msg,
	    flags & CLUSTER_F_GAP ? SAM_FOUND_GAP :
	    flags & CLUSTER_F_INITIAL ? SAM_FOUND_CONNECTED : "");
	if (sam_field_check(st.name, strlen(st.name), SAM_NAME_MAX, 0,
	    &why) == -1) {
		log_warnx("cluster: node name \"%s\" cannot be logged: %s",
		    name, why);
		return;
	}
	memset(&m, 0, sizeof(m));
	sam_msg_put_state(&m, type, &st);
	send_msg(sc, &m);
}

static void
on_node_up(void *arg, const char *name, uint32_t nodeid, int64_t when_ms,
    unsigned flags)
{
	(void)nodeid;
	send_state(arg, SAM_MSG_NODE, name, SAM_UP, SAM_PLAN_NONE, when_ms,
	    "corosync: member of the cluster", flags);
}

static void
on_node_down(void *arg, const char *name, uint32_t nodeid, int64_t when_ms,
    unsigned flags)
{
	struct sigcluster *sc = arg;
	char msg[128];

	(void)nodeid;
	if (flags & CLUSTER_F_PLANNED)
		snprintf(msg, sizeof(msg), "corosync: left the cluster "
		    "cleanly");
	else
		snprintf(msg, sizeof(msg), "corosync: failed or cut off, "
		    "detected within %d ms", cluster_detection_ms(sc->c));
	send_state(sc, SAM_MSG_NODE, name, SAM_DOWN, flags & CLUSTER_F_PLANNED ?
	    SAM_PLANNED : SAM_UNPLANNED, when_ms, msg, flags);
}

static void
on_quorum(void *arg, int quorate, int64_t when_ms, unsigned flags)
{
	send_state(arg, SAM_MSG_CLUS, sam_clustername(),
	    quorate ? SAM_UP : SAM_DOWN, quorate ? SAM_PLAN_NONE :
	    SAM_UNPLANNED, when_ms, quorate ? "corosync: quorate" :
	    "corosync: quorum lost", flags);
}

static void
on_connected(void *arg, int64_t when_ms, int64_t gap_start_ms)
{
	struct sigcluster *sc = arg;

	/* During cluster_open() sc->c is not set yet. */
	memset(&sc->info, 0, sizeof(sc->info));
	sc->info.mode = SAM_CL_CONNECTED;
	sc->info.time_ms = when_ms;
	sc->info.gap_start_ms = gap_start_ms;
	if (sc->c != NULL) {
		sc->info.nodeid = cluster_local_nodeid(sc->c);
		sc->info.detection_ms = (uint32_t)cluster_detection_ms(sc->c);
		snprintf(sc->info.cluster, sizeof(sc->info.cluster), "%s",
		    cluster_name(sc->c));
	}
	send_info(sc);
}

static void
on_disconnected(void *arg, int64_t when_ms)
{
	struct sigcluster *sc = arg;

	sc->info.mode = SAM_CL_DISCONNECTED;
	sc->info.time_ms = when_ms;
	sc->info.gap_start_ms = 0;
	send_info(sc);
}

struct sigcluster *
sigcluster_open(int chan)
{
	static const struct cluster_ops ops = {
		.node_up = on_node_up,
		.node_down = on_node_down,
		.quorum = on_quorum,
		.connected = on_connected,
		.disconnected = on_disconnected,
	};
	struct sigcluster *sc;

	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		return NULL;
	sc->chan = chan;
	sc->info.mode = SAM_CL_SINGLE;
	sc->info.time_ms = real_ms();
	if ((sc->c = cluster_open(&ops, sc)) == NULL) {
		free(sc);
		return NULL;
	}
	if (sc->info.mode == SAM_CL_CONNECTED) {
		/* connected() ran inside cluster_open(): complete it. */
		sc->info.nodeid = cluster_local_nodeid(sc->c);
		sc->info.detection_ms = (uint32_t)cluster_detection_ms(sc->c);
		snprintf(sc->info.cluster, sizeof(sc->info.cluster), "%s",
		    cluster_name(sc->c));
	}
	return sc;
}

void
sigcluster_close(struct sigcluster *sc)
{
	if (sc == NULL)
		return;
	cluster_close(sc->c);
	free(sc);
}

const char *
sigcluster_mode(const struct sigcluster *sc)
{
	return cluster_connected(sc->c) ? "corosync" : "single-node";
}

void
sigcluster_hello(struct sigcluster *sc)
{
	sc->ready = 1;
	send_info(sc);
}

int
sigcluster_fd(const struct sigcluster *sc)
{
	return cluster_fd(sc->c);
}

int
sigcluster_timeout_ms(const struct sigcluster *sc)
{
	return cluster_timeout_ms(sc->c);
}

void
sigcluster_dispatch(struct sigcluster *sc)
{
	cluster_dispatch(sc->c);
}
