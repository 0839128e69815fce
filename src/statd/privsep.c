/*
 * Privilege separation for the status file.
 *
 * The serving process drops root after binding, but compacting the status
 * file means creating a file in its folder (/var/db by default), which the
 * unprivileged user may not write.  So a root parent stays behind that can
 * do exactly one thing: replace the status file with bytes the child sends,
 * durably, give it to the child's user and the status file's group (mode
 * 0640, before the rename), and pass back a descriptor to it.
 * It also unregisters the program from rpcbind and removes the pid file
 * when the child is gone (the pid file's folder is root's).  It holds no
 * other descriptor and parses nothing but a length.
 *
 * The child must not outlive it: PR_SET_PDEATHSIG turns the parent's death
 * into a SIGTERM for the child, which then stops as on any SIGTERM.  The
 * kernel clears that setting when the child's credentials change, so it is
 * armed after the privilege drop (privsep_watch_parent), not at the fork.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rpc/rpc.h>
#include <rpc/rpcb_clnt.h>

#include "daemon.h"
#include "fdio.h"
#include "log.h"
#include "pidfile.h"
#include "statd.h"
#include "statefile.h"

#define PRIVSEP_MAX	(1UL << 30)	/* largest status file it writes */
#define PRIVSEP_BYE	UINT64_MAX	/* "I am stopping": unregister now */

static int	ps_fd = -1;		/* the child's end */
static struct pidfh *ps_pidfile;
static pid_t	ps_child;
static pid_t	ps_parent;		/* in the child */

/* The answer: an errno (0 for success) and, on success, the descriptor. */
static void
send_answer(int sock, int err, int fd)
{
	struct msghdr msg;
	struct iovec iov;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cm;
	int32_t e = err;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = &e;
	iov.iov_len = sizeof(e);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd != -1) {
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = sizeof(cm.buf);
		cm.hdr.cmsg_level = SOL_SOCKET;
		cm.hdr.cmsg_type = SCM_RIGHTS;
		cm.hdr.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&cm.hdr), &fd, sizeof(int));
	}
	while (sendmsg(sock, &msg, 0) == -1 && errno == EINTR)
		;
}

/*
 * The new file goes to the child through the descriptor it was written
 * with, never by opening the path again: a child that can write the folder
 * could otherwise put a link to any file there between the rename and the
 * open, and have root open it for writing and give it away.
 */
static int
replace_for_child(const char *path, const void *buf, size_t len, uid_t uid,
    gid_t gid)
{
	struct statefile_writer *w;
	int fd, saved;

	if ((w = statefile_begin(path, STATD_STATUS_MODE)) == NULL)
		return -1;
	if (statefile_write(w, buf, len) == -1 ||
	    (fd = fcntl(statefile_fileno(w), F_DUPFD_CLOEXEC, 0)) == -1) {
		statefile_abort(w);
		return -1;
	}
	if (fchown(fd, uid, gid) == -1) {
		saved = errno;
		close(fd);
		statefile_abort(w);
		errno = saved;
		return -1;
	}
	if (statefile_commit(w) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static void
forward_signal(int sig)
{
	if (ps_child > 0)
		kill(ps_child, sig);
}

/* What the serving process may no longer do itself; done once. */
static void
cleanup(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	rpcb_unset(SM_PROG, SM_VERS, NULL);
	if (ps_pidfile != NULL)
		pidfile_remove(ps_pidfile);
}

/*
 * One request: replace the status file with the len bytes that follow on
 * sock.  One it cannot take (over max, or no memory for it) is read off
 * the socket and answered with an error; the child keeps its old file and
 * goes on, and so does this loop, which must outlive the child to
 * unregister it.  -1 only when the socket fails: the child is gone.
 */
int
privsep_serve_replace(int sock, uint64_t len, uint64_t max, const char *path,
    uid_t uid, gid_t gid)
{
	char drain[64 * 1024];
	char *buf = NULL;
	uint64_t left;
	size_t n;
	int fd, err = 0;

	if (len > max)
		err = EFBIG;
	else if ((buf = malloc(len ? len : 1)) == NULL)
		err = ENOMEM;
	if (err != 0) {
		log_warnx("privsep: refused a %llu-byte status file: %s",
		    (unsigned long long)len, strerror(err));
		for (left = len; left > 0; left -= n) {
			n = left < sizeof(drain) ? (size_t)left : sizeof(drain);
			if (read_full(sock, drain, n) == -1)
				return -1;
		}
		send_answer(sock, err, -1);
		return 0;
	}
	if (read_full(sock, buf, len) == -1) {
		free(buf);
		return -1;
	}
	errno = 0;
	if ((fd = replace_for_child(path, buf, len, uid, gid)) == -1)
		err = errno ? errno : EIO;
	free(buf);
	send_answer(sock, err, err ? -1 : fd);
	if (fd != -1)
		close(fd);
	return 0;
}

static __attribute__((noreturn)) void
parent_loop(int sock, const char *path, uid_t uid, gid_t gid)
{
	struct sigaction sa;
	int status = 0;

	/*
	 * The signals an administrator sends to the pid that -F or a service
	 * manager knows, which is this one: passed on, never fatal here.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	/* An answer to a child that just died is not worth dying for. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	log_procname("rpc.statd [priv]");

	for (;;) {
		uint64_t len;

		if (read_full(sock, &len, sizeof(len)) == -1)
			break;		/* the child is gone */
		if (len == PRIVSEP_BYE) {
			cleanup();
			send_answer(sock, 0, -1);
			continue;
		}
		if (privsep_serve_replace(sock, len, PRIVSEP_MAX, path, uid,
		    gid) == -1)
			break;		/* the child is gone */
	}
	close(sock);
	cleanup();
	while (waitpid(ps_child, &status, 0) == -1 && errno == EINTR)
		;
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

/*
 * Fork the root parent.  Call before any other descriptor worth guarding
 * is opened; returns in the child, which goes on to serve.
 */
int
privsep_start(const char *statusfile, uid_t uid, gid_t gid,
    struct pidfh *pfh)
{
	int sv[2];
	pid_t pid, parent = getpid();

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid > 0) {
		ps_child = pid;
		ps_pidfile = pfh;
		close(sv[1]);
		/* Only the serving child tells the starter it is ready. */
		daemon_release();
		parent_loop(sv[0], statusfile, uid, gid);
	}
	close(sv[0]);
	ps_fd = sv[1];
	ps_parent = parent;
	ps_pidfile = pfh;
	privsep_watch_parent();
	return 0;
}

/*
 * Have the kernel send SIGTERM when the root parent dies.  Call at the fork
 * and again after every change of credentials (setresuid clears it).
 */
void
privsep_watch_parent(void)
{
	if (ps_fd == -1)
		return;
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		fatal("PR_SET_PDEATHSIG");
	/* ORDER: armed first, then checked: a death in between is seen. */
	if (getppid() != ps_parent)
		fatalx("the privileged parent is gone");
}

/*
 * Before the serving process exits: have the parent unregister and remove
 * the pid file now, so that whoever waits for this process to end finds
 * it completely gone.  With the parent gone (killed: this process is
 * stopping on its PR_SET_PDEATHSIG), the pid file cannot be removed from
 * its root-owned folder; it is emptied instead, so that no stale pid is
 * left in it, and the next start takes it over.
 */
void
privsep_stop(void)
{
	uint64_t bye = PRIVSEP_BYE;
	int32_t err;

	if (ps_fd == -1)
		return;
	if (write_full(ps_fd, &bye, sizeof(bye)) == 0 &&
	    read_full(ps_fd, &err, sizeof(err)) == 0)
		return;
	log_warnx("the privileged parent is gone; the pid file is emptied, "
	    "not removed");
	if (ps_pidfile != NULL &&
	    ftruncate(pidfile_fileno(ps_pidfile), 0) == -1)
		log_warn("pid file");
}

int
privsep_active(void)
{
	return ps_fd != -1;
}

/*
 * The root parent's answer on sock: a descriptor on the new file, or -1
 * with errno (the parent's error, or EPIPE if it is gone).
 */
int
privsep_answer(int sock)
{
	struct msghdr msg;
	struct iovec iov;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct cmsghdr *c;
	int32_t err;
	int fd = -1;
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = &err;
	iov.iov_len = sizeof(err);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cm.buf;
	msg.msg_controllen = sizeof(cm.buf);
	while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) == -1 &&
	    errno == EINTR)
		;
	if (n != (ssize_t)sizeof(err)) {
		errno = EPIPE;
		return -1;
	}
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (err != 0) {
		if (fd != -1)
			close(fd);
		errno = err;
		return -1;
	}
	if (fd == -1)
		errno = EPROTO;
	return fd;
}

/* reclog's replace hook: returns a descriptor on the new file. */
int
privsep_replace_cb(const char *path, const void *buf, size_t len, void *arg)
{
	uint64_t l = len;

	(void)path;
	(void)arg;
	/* The parent would refuse it anyway, after reading it all. */
	if (len > PRIVSEP_MAX) {
		errno = EFBIG;
		return -1;
	}
	if (write_full(ps_fd, &l, sizeof(l)) == -1 ||
	    write_full(ps_fd, buf, len) == -1)
		return -1;
	return privsep_answer(ps_fd);
}
