/*
 * chan: the checked channel from samsigd to samd.
 *
 * One message per SOCK_SEQPACKET datagram (socketpair; the kernel keeps
 * the boundaries, and a peer that dies is seen as end of file).  Each
 * message has a header with a magic number, a version, a type, the body's
 * length, a sequence number and a CRC-32C over header and body; samd drops
 * (and logs) any message whose length, checksum or body does not check,
 * and ignores a type it does not know, so a newer samsigd can add event
 * sources (corosync membership: SAM_MSG_NODE, SAM_MSG_CLUS, SAM_MSG_CLINFO)
 * without breaking an older samd.
 */
#ifndef SAM_CHAN_H
#define SAM_CHAN_H

#include <stddef.h>
#include <stdint.h>

#define SAM_MSG_MAGIC	0x534d	/* "SM" */
#define SAM_MSG_VERSION	1
#define SAM_MSG_HDR	16
#define SAM_MSG_MAX	512	/* header and body */

enum sam_msg_type {
	SAM_MSG_HELLO = 1,	/* samsigd started: pid, mode text */
	SAM_MSG_PING = 2,	/* samd -> samsigd, body empty */
	SAM_MSG_PONG = 3,	/* answer, same sequence number */
	SAM_MSG_SIGNAL = 4,	/* a node event signal arrived */
	SAM_MSG_NODE = 5,	/* a node changed state */
	SAM_MSG_CLUS = 6,	/* the cluster changed state */
	SAM_MSG_CLINFO = 7	/* samsigd's membership source changed */
};

struct sam_msg {
	uint8_t		type;
	uint32_t	seq;
	uint16_t	len;		/* of body */
	unsigned char	body[SAM_MSG_MAX - SAM_MSG_HDR];
};

/* HELLO */
struct sam_msg_hello {
	uint32_t	pid;
	char		mode[64];	/* "single-node", later "corosync" */
};

/* SIGNAL */
struct sam_msg_signal {
	uint32_t	signo;
	uint32_t	pid;		/* sender */
	uint32_t	uid;
};

/* NODE and CLUS: an object's new state, as its source dated it. */
struct sam_msg_state {
	int64_t		time_ms;
	uint8_t		state;		/* enum sam_state */
	uint8_t		plan;		/* enum sam_plan */
	char		name[65];	/* SAM_NAME_MAX + 1 */
	char		msg[129];
};

/*
 * Endings of a state message's text for a state corosync reported while
 * samsigd's connection settled (held until the view was complete): found
 * at the first connection, or after a gap.  samd's log says such an
 * event's delay is the settling's, not the channel's.
 */
#define SAM_FOUND_CONNECTED	" (state found when samsigd connected)"
#define SAM_FOUND_GAP		" (found after a gap in the connection to corosync)"

/* CLINFO: samsigd connected to corosync, lost it, or has none. */
enum sam_clinfo_mode {
	SAM_CL_SINGLE,		/* no corosync: single-node mode */
	SAM_CL_CONNECTED,	/* following corosync's membership */
	SAM_CL_DISCONNECTED	/* lost corosync; trying again */
};
struct sam_msg_clinfo {
	uint8_t		mode;		/* enum sam_clinfo_mode */
	uint32_t	nodeid;		/* this node in corosync, 0 unknown */
	uint32_t	detection_ms;	/* token + consensus */
	int64_t		time_ms;	/* of the change, real */
	int64_t		gap_start_ms;	/* CONNECTED after a gap, else 0 */
	char		cluster[65];	/* corosync's cluster name */
};

/* Whole message into buf (at least SAM_MSG_MAX).  Its length, or -1. */
int	sam_msg_encode(const struct sam_msg *, unsigned char *, size_t);
/* -1 with a reason when the datagram does not check. */
int	sam_msg_decode(const unsigned char *, size_t, struct sam_msg *,
	    const char **why);

int	sam_msg_put_hello(struct sam_msg *, const struct sam_msg_hello *);
int	sam_msg_get_hello(const struct sam_msg *, struct sam_msg_hello *);
int	sam_msg_put_signal(struct sam_msg *, const struct sam_msg_signal *);
int	sam_msg_get_signal(const struct sam_msg *, struct sam_msg_signal *);
int	sam_msg_put_clinfo(struct sam_msg *, const struct sam_msg_clinfo *);
int	sam_msg_get_clinfo(const struct sam_msg *, struct sam_msg_clinfo *,
	    const char **why);
int	sam_msg_put_state(struct sam_msg *, uint8_t type,
	    const struct sam_msg_state *);
int	sam_msg_get_state(const struct sam_msg *, struct sam_msg_state *,
	    const char **why);

/* Send one message on a SEQPACKET socket; -1 with errno. */
int	sam_msg_send(int fd, const struct sam_msg *);
/* Receive one: 1 with *m, 0 at end of file, -1 with errno (EBADMSG and
   *why for a message that does not check). */
int	sam_msg_recv(int fd, struct sam_msg *, const char **why);

#endif
