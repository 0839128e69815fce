/*
 * sigcluster: samsigd's corosync membership source (issue 7), libhmcluster
 * in samsigd's own poll loop.  Node and quorum changes go to samd as NODE
 * and CLUS state messages dated when corosync reported them; connection
 * changes as CLINFO messages.  Without corosync it is single-node mode,
 * said once in samsigd's log; a lost corosync is tried again every second.
 */
#ifndef SAM_SIGCLUSTER_H
#define SAM_SIGCLUSTER_H

struct sigcluster;

/* Never blocks for long; NULL only when out of memory. */
struct sigcluster *sigcluster_open(int chan);
void	sigcluster_close(struct sigcluster *);
/* "corosync" or "single-node", for the HELLO message. */
const char *sigcluster_mode(const struct sigcluster *);
/* Tell samd the connection state (after HELLO). */
void	sigcluster_hello(struct sigcluster *);
/* For poll(): the descriptor (-1 while disconnected: ask every turn) and
   the timeout in ms (-1 none). */
int	sigcluster_fd(const struct sigcluster *);
int	sigcluster_timeout_ms(const struct sigcluster *);
void	sigcluster_dispatch(struct sigcluster *);

#endif
