/*
 * daemon: detach from the terminal with a readiness pipe.
 *
 * daemon_detach() forks.  The parent waits on a pipe: when the child calls
 * daemon_ready() the parent exits 0; when the child dies or calls fatal()
 * first, the parent prints the child's message to stderr and exits 1, so an
 * init script's exit status tells the truth.  The child becomes a session
 * leader, changes to "/", points stdin/stdout/stderr at /dev/null only at
 * daemon_ready() (so early fatal messages still reach the pipe), and
 * switches logging to syslog unless a log file was opened.
 */
#ifndef HM_DAEMON_H
#define HM_DAEMON_H

/*
 * Returns in the child only.  -1 with errno if fork or pipe failed (in the
 * original process, nothing detached).
 */
int	daemon_detach(void);

/* In the child: tell the waiting parent we serve.  Harmless if not detached. */
void	daemon_ready(void);

/* 1 in a child of daemon_detach() that has not yet said ready. */
int	daemon_waiting(void);

/*
 * In a detached process that forked the one that will say ready (a
 * privileged parent after privsep): let go of the pipe without saying
 * ready, and point stdin/stdout/stderr at /dev/null.  The starter then
 * waits for the other process alone.  Harmless if not detached.
 */
void	daemon_release(void);

#endif
