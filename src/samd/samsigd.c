/*
 * samsigd: catches node event signals and passes them to samd.
 *
 * samd starts it with one end of a SOCK_SEQPACKET socketpair (-c fd) and
 * restarts it when it fails.  It dies with samd: the parent-death signal
 * covers a samd killed outright, and end of file on the channel covers
 * everything else.  Its loop polls the channel, a signalfd and, when
 * corosync runs, libhmcluster's descriptor (sigcluster.c): node and quorum
 * changes go to samd as NODE and CLUS messages.
 *
 * Node event signals: SIGUSR1 (a node event for this node, sent by an
 * administrator's or a cluster agent's script) and SIGPWR (power failure,
 * as init(8) receives it).
 */
#include <sys/prctl.h>
#include <sys/signalfd.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chan.h"
#include "log.h"
#include "pidfile.h"
#include "progopt.h"
#include "sam.h"
#include "sigcluster.h"

static const char usage_text[] =
    "usage: samsigd [-d] -c fd [-p pidfile]\n";

static __attribute__((noreturn)) void
usage(void)
{
	fputs(usage_text, stderr);
	exit(1);
}

int
main(int argc, char *argv[])
{
	struct signalfd_siginfo si;
	struct pollfd pfd[3];
	struct sigcluster *sc;
	struct pidfh *pfh = NULL;
	struct sam_msg m, out;
	struct sam_msg_hello hello;
	struct sam_msg_signal sig;
	const char *pidpath = NULL, *why, *lf;
	sigset_t set;
	pid_t other;
	char *end;
	long v;
	int ch, debug = 0, chan = -1, sfd, r, nfds;
	ssize_t n;

	log_procname("samsigd");
	while ((ch = progopt_getopt(argc, argv, "c:dp:", "samsigd",
	    usage_text)) != -1) {
		switch (ch) {
		case 'c':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v < 3 || v > 65535)
				usage();
			chan = (int)v;
			break;
		case 'd':
			debug = 1;
			break;
		case 'p':
			pidpath = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc != optind || chan == -1)
		usage();
	log_init(debug, 0);
	log_setverbose(debug);
	if (!debug && (lf = getenv("SAM_LOGFILE")) != NULL && *lf != '\0' &&
	    log_open_file(lf) == -1)
		log_warn("%s", lf);

	/* ORDER: ask for the signal, then check that samd still lives. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		fatal("prctl");
	if (getppid() == 1)
		fatalx("samd is gone");
	if (fcntl(chan, F_SETFD, FD_CLOEXEC) == -1)
		fatal("channel fd %d", chan);

	/*
	 * ORDER: the signals are caught before the pidfile names this
	 * process, so a node event signal sent to that pid never kills it.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGPWR);
	sigaddset(&set, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (sfd = signalfd(-1, &set, SFD_CLOEXEC)) == -1)
		fatal("signalfd");

	if (pidpath != NULL) {
		if ((pfh = pidfile_open(pidpath, 0644, &other)) == NULL) {
			if (errno == EEXIST)
				fatalx("already running, pid %d", (int)other);
			fatal("%s", pidpath);
		}
		pidfile_write(pfh);
	}

	memset(&out, 0, sizeof(out));
	/* ORDER: corosync first (a local connect, never long), so HELLO
	   tells the mode; what it finds follows HELLO. */
	if ((sc = sigcluster_open(chan)) == NULL)
		fatal("cluster");
	memset(&hello, 0, sizeof(hello));
	hello.pid = (uint32_t)getpid();
	snprintf(hello.mode, sizeof(hello.mode), "%s", sigcluster_mode(sc));
	sam_msg_put_hello(&out, &hello);
	if (sam_msg_send(chan, &out) == -1)
		fatal("channel");
	log_info("started (pid %d), %s mode", (int)getpid(), hello.mode);
	sigcluster_hello(sc);

	pfd[0].fd = chan;
	pfd[0].events = POLLIN;
	pfd[1].fd = sfd;
	pfd[1].events = POLLIN;
	pfd[2].events = POLLIN;
	for (;;) {
		/* -1 while corosync is away: the timeout retries then. */
		pfd[2].fd = sigcluster_fd(sc);
		pfd[2].revents = 0;
		nfds = pfd[2].fd != -1 ? 3 : 2;
		r = poll(pfd, (nfds_t)nfds, sigcluster_timeout_ms(sc));
		if (r == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (r == 0 || pfd[2].revents != 0)
			sigcluster_dispatch(sc);
		if (pfd[0].revents != 0) {
			r = sam_msg_recv(chan, &m, &why);
			if (r == 0)
				break;	/* samd is gone */
			if (r == -1 && errno == EBADMSG)
				log_warnx("dropped a message from samd: %s",
				    why);
			else if (r == -1)
				fatal("channel");
			else if (m.type == SAM_MSG_PING) {
				out.type = SAM_MSG_PONG;
				out.seq = m.seq;
				out.len = 0;
				if (sam_msg_send(chan, &out) == -1)
					fatal("channel");
			}
		}
		if (pfd[1].revents == 0)
			continue;
		n = read(sfd, &si, sizeof(si));
		if (n != (ssize_t)sizeof(si))
			continue;
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			goto done;
		case SIGHUP:
			log_reopen();
			break;
		case SIGUSR1:
		case SIGPWR:
			sig.signo = si.ssi_signo;
			sig.pid = si.ssi_pid;
			sig.uid = si.ssi_uid;
			sam_msg_put_signal(&out, &sig);
			out.seq++;
			if (sam_msg_send(chan, &out) == -1)
				fatal("channel");
			break;
		default:
			break;
		}
	}
done:
	sigcluster_close(sc);
	if (pfh != NULL)
		pidfile_remove(pfh);
	return 0;
}
