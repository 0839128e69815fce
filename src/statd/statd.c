/*
 * rpc.statd: options, the order of start-up, and the loop.
 */
#include <sys/types.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <rpc/rpc.h>

#include "daemon.h"
#include "log.h"
#include "pidfile.h"
#include "priv.h"
#include "progopt.h"
#include "smnotify.h"
#include "statd.h"
#include "timeutil.h"

#define STATD_DEFAULT_PIDFILE	"/run/rpc.statd.pid"
#define STATD_EXIT_DAMAGED	2	/* status file damaged (-l), or its
					   state lost: refused */

#define STATD_DEFAULT_NFS_DIR	"/var/lib/nfs"

enum { OPT_FRESH_STATE = 256, OPT_PIDFILE, OPT_STATUS_GROUP };
/*
 * nfs-utils 2.6's long options with their meaning there, and ours where
 * it has none.  -h stays the bind address (FreeBSD's): nfs-utils' -h only
 * prints its usage, which no configuration passes; --help does that here.
 */
static const struct option longopts[] = {
	{ "fresh-state", no_argument, NULL, OPT_FRESH_STATE },
	{ "pid-file", required_argument, NULL, OPT_PIDFILE },
	{ "status-group", required_argument, NULL, OPT_STATUS_GROUP },
	{ "foreground", no_argument, NULL, 'F' },
	{ "no-syslog", no_argument, NULL, 'd' },
	{ "outgoing-port", required_argument, NULL, 'o' },
	{ "port", required_argument, NULL, 'p' },
	{ "name", required_argument, NULL, 'n' },
	{ "state-directory-path", required_argument, NULL, 'P' },
	{ "notify-mode", no_argument, NULL, 'N' },
	{ "ha-callout", required_argument, NULL, 'H' },
	{ "no-notify", no_argument, NULL, 'L' },
	{ "nlm-port", required_argument, NULL, 'T' },
	{ "nlm-udp-port", required_argument, NULL, 'U' },
	PROGOPT_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static int	quit;

static const char usage_text[] =
    "usage: rpc.statd [-dFLV] [-a prog[,prog...]] "
    "[-f statusfile] [-H prog]\n"
    "                 [-h bindaddr] [-M maxbytes] [-m maxentries] "
    "[-n myname] [-o port]\n"
    "                 [-P nfs-utils-dir] [-p port] [-T port] [-U port] "
    "[-u user]\n"
    "                 [--fresh-state] [--pid-file file] "
    "[--status-group group]\n"
    "       rpc.statd -l [-j] [-f statusfile]\n"
    "       rpc.statd -N [-d] [-n myname] [-o port] [-P nfs-utils-dir]\n"
    "       sm-notify [-dfn] [-m minutes] [-P nfs-utils-dir] [-p port] "
    "[-v name|address]\n";

static __attribute__((noreturn)) void
usage(void)
{
	fputs(usage_text, stderr);
	exit(1);
}

static unsigned long
number(const char *s, unsigned long min, unsigned long max, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || *s == '-' ||
	    v < min || v > max)
		fatalx("%s %s: must be a number from %lu to %lu", what, s, min,
		    max);
	return v;
}

static void
parse_progs(char *list)
{
	char *p, *save = NULL;

	conf.nallowed = 0;
	for (p = strtok_r(list, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		if (conf.nallowed == STATD_MAX_ALLOWED_PROGS)
			fatalx("-a: at most %d programs",
			    STATD_MAX_ALLOWED_PROGS);
		conf.allowed_progs[conf.nallowed++] =
		    (uint32_t)number(p, 1, UINT32_MAX, "-a");
	}
	if (conf.nallowed == 0)
		fatalx("-a: no program given");
}

static int
make_signalfd(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGCHLD);	/* -H's programs */
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		fatal("sigprocmask");
	if ((fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatal("signalfd");
	signal(SIGPIPE, SIG_IGN);
	return fd;
}

static void
on_signal(int fd)
{
	struct signalfd_siginfo si;
	unsigned long long calls, batches;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			quit = 1;
			break;
		case SIGCHLD:
			callout_reap();
			break;
		case SIGHUP:
			if (log_reopen() == -1)
				log_warn("log reopen");
			break;
		case SIGUSR1:
			log_info("state %d, %lu entries for %lu hosts, %lu "
			    "notifications and %lu callbacks pending; %lu "
			    "callback attempts unanswered", sm_state, mon_count(),
			    mon_host_count(), notify_pending(),
			    callback_pending(), callback_retries());
			svc_batch_stats(&calls, &batches);
			log_info("status file: %llu commits; %llu calls "
			    "answered by %llu group commits", store_commits(),
			    calls, batches);
			break;
		}
	}
}

/*
 * Decide, from the stored state and the kernel's boot id, whether this
 * host rebooted since the status file was last written (store_recover).
 */
static void
recover(const struct store_replay *rp, const char *nfs_dir)
{
	if (read_boot_id(conf.bootid_path, sm_boot_id) == -1)
		fatal("cannot read the boot id from %s", conf.bootid_path);
	/* The first start after nfs-utils' statd: take over its state. */
	if (rp->is_new && nfs_dir != NULL) {
		switch (import_nfs_utils(nfs_dir)) {
		case 1:
			return;
		case 0:
			break;
		default:
			fatalx("%s: the import from %s failed; fix it, or "
			    "start with -P \"\" to take nothing from it",
			    conf.statusfile, nfs_dir);
		}
	}
	if (store_recover(rp) == -1)
		fatalx("%s: cannot record the state to start with",
		    conf.statusfile);
}

static void
loop(int sigfd)
{
	struct pollfd *pfd = NULL;
	int npfd = 0;
	int nfds[2];

	notify_fds(nfds);
	while (!quit) {
		int nsvc = svc_max_pollfd, n, i, extra = 5, svc_ready;

		if (nsvc + extra > npfd) {
			struct pollfd *p = reallocarray(pfd,
			    (size_t)(nsvc + extra), sizeof(*p));

			if (p == NULL)
				fatal("poll set");
			pfd = p;
			npfd = nsvc + extra;
		}
		memcpy(pfd, svc_pollfd, (size_t)nsvc * sizeof(*pfd));
		pfd[nsvc].fd = sigfd;
		pfd[nsvc + 1].fd = resolve_fd();
		pfd[nsvc + 2].fd = nfds[0];
		pfd[nsvc + 3].fd = nfds[1];
		pfd[nsvc + 4].fd = callback_fd();
		for (i = nsvc; i < nsvc + extra; i++) {
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		n = poll(pfd, (nfds_t)(nsvc + extra), timers_poll_timeout());
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		svc_ready = 0;
		for (i = 0; i < nsvc; i++)
			if (pfd[i].revents != 0)
				svc_ready++;
		if (svc_ready > 0)
			svc_serve(pfd, svc_ready);
		if (pfd[nsvc].revents & POLLIN)
			on_signal(sigfd);
		if (pfd[nsvc + 1].revents & POLLIN)
			resolve_dispatch();
		if (pfd[nsvc + 2].revents & POLLIN)
			notify_input(nfds[0]);
		if (pfd[nsvc + 3].revents & POLLIN)
			notify_input(nfds[1]);
		if (pfd[nsvc + 4].revents & POLLIN)
			callback_input();
		timers_run();
	}
	free(pfd);
}

int
main(int argc, char *argv[])
{
	struct store_replay rp;
	struct pidfh *pfh = NULL;
	struct utsname u;
	const char *pidfile = geteuid() == 0 ? STATD_DEFAULT_PIDFILE : NULL;
	const char *nfs_dir = STATD_DEFAULT_NFS_DIR;
	char progs[64] = "";
	uid_t uid = 0;
	gid_t gid = 0, file_gid = 0;
	pid_t other;
	struct stat sb;
	int ch, list = 0, json = 0, sigfd, is_root = geteuid() == 0;
	int nlm_tcp = 0, nlm_udp = 0, notify_mode = 0, nfs_dir_given = 0;
	const char *base;

	/* Installed as sm-notify too (a link): nfs-utils' command. */
	base = strrchr(argv[0], '/');
	if (strcmp(base != NULL ? base + 1 : argv[0], "sm-notify") == 0)
		return smnotify_main(argc, argv);
	log_procname("rpc.statd");
	log_init(1, LOG_DAEMON);
	conf.statusfile = STATD_DEFAULT_STATUSFILE;
	conf.user = STATD_DEFAULT_USER;
	conf.bootid_path = BOOT_ID_PATH;
	conf.max_entries = STATD_DEFAULT_MAX_ENTRIES;
	conf.max_bytes = STATD_DEFAULT_MAX_BYTES;
	conf.allowed_progs[0] = STATD_NLM_PROG;
	conf.nallowed = 1;

	while ((ch = getopt_long(argc, argv,
	    "a:B:dFf:H:h:jLlM:m:Nn:o:P:p:T:U:u:Vv", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_FRESH_STATE:
			conf.fresh_state = 1;
			break;
		case OPT_PIDFILE:
			pidfile = *optarg ? optarg : NULL;
			break;
		case OPT_STATUS_GROUP:
			conf.status_group = optarg;
			break;
		case PROGOPT_HELP:
			progopt_help(usage_text);
		case PROGOPT_VERSION:
		case 'V':
		case 'v':
			progopt_version("rpc.statd");
		case 'H':
			if (callout_set(optarg) == -1)
				exit(1);
			break;
		case 'j':
			json = 1;
			break;
		case 'L':
			/* nfs-utils: do not run sm-notify; see rpc.statd.8. */
			break;
		case 'N':
			/* nfs-utils: run sm-notify, then exit. */
			notify_mode = 1;
			break;
		case 'o':
			conf.outgoing_port = (int)number(optarg, 1, 65535,
			    "-o");
			break;
		case 'T':
			nlm_tcp = (int)number(optarg, 1, 65535, "-T");
			break;
		case 'U':
			nlm_udp = (int)number(optarg, 1, 65535, "-U");
			break;
		case 'M':
			conf.max_bytes = number(optarg, 4096,
			    STATD_MAX_BYTES_CAP, "-M");
			break;
		case 'a':
			if (strlen(optarg) >= sizeof(progs))
				fatalx("-a: list too long");
			strcpy(progs, optarg);
			parse_progs(progs);
			break;
		case 'B':
			conf.bootid_path = optarg;
			break;
		case 'd':
			conf.debug = 1;
			break;
		case 'F':
			conf.foreground = 1;
			break;
		case 'f':
			conf.statusfile = optarg;
			break;
		case 'h':
			conf.bindaddr = optarg;
			break;
		case 'l':
			list = 1;
			break;
		case 'm':
			conf.max_entries = number(optarg, 1, 100000000, "-m");
			break;
		case 'n':
			if (!sm_name_valid(optarg, strlen(optarg)))
				fatalx("-n: invalid host name");
			conf.myname = optarg;
			break;
		case 'P':
			/* nfs-utils' state folder, imported from; "" none. */
			if (*optarg != '\0' && (stat(optarg, &sb) == -1 ||
			    !S_ISDIR(sb.st_mode)))
				fatalx("-P %s: not a folder.  -P names nfs-utils' "
				    "state folder (/var/lib/nfs), as in nfs-utils; "
				    "the pid file is --pid-file", esc(optarg));
			nfs_dir = *optarg ? optarg : NULL;
			nfs_dir_given = 1;
			break;
		case 'p':
			conf.port = (int)number(optarg, 1, 65535, "-p");
			break;
		case 'u':
			conf.user = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || (json && !list))
		usage();
	if (conf.port != 0 && conf.port == conf.outgoing_port)
		fatalx("-p and -o: the port served and the port notifications "
		    "leave from must differ");
	if (nlm_tcp != 0 && nlm_udp == 0)
		nlm_udp = nlm_tcp;	/* as nfs-utils' -T */
	log_setverbose(conf.debug);

	if (notify_mode) {
		struct smn_conf sc;

		/* As nfs-utils' statd runs sm-notify: -n, -o, -P passed on. */
		smn_defaults(&sc);
		sc.dir = nfs_dir_given ? nfs_dir : NULL;
		sc.srcname = conf.myname;
		sc.port = conf.outgoing_port;
		sc.debug = conf.debug;
		log_procname("sm-notify");
		return smn_run(&sc);
	}
	if (list) {
		mon_init();
		switch (store_list(conf.statusfile, stdout, json)) {
		case 0:
			return 0;
		case 1:
			return STATD_EXIT_DAMAGED;
		default:
			return 1;
		}
	}
	/*
	 * A status file that lost its state is refused here, before any
	 * fork, so that the exit status says so (store_open checks again).
	 */
	switch (store_check(conf.statusfile, &rp)) {
	case 0:
		break;
	case STORE_NO_STATE:
		exit(STATD_EXIT_DAMAGED);
	default:
		fatal("%s", conf.statusfile);
	}

	if (conf.myname == NULL) {
		if (uname(&u) == -1)
			fatal("uname");
		conf.myname = u.nodename;
	}
	if (is_root && priv_lookup(conf.user, &uid, &gid) == -1) {
		if (errno == ENOENT)
			fatalx("user %s does not exist: create it, or name "
			    "another with -u", esc(conf.user));
		fatal("-u %s", esc(conf.user));
	}
	if (is_root && store_group(conf.status_group, gid, &file_gid) == -1) {
		if (errno == ENOENT)
			fatalx("group %s does not exist: create it, or name "
			    "another with --status-group",
			    esc(conf.status_group));
		fatal("status file group %s", esc(conf.status_group != NULL ?
		    conf.status_group : STATD_DEFAULT_STATUS_GROUP));
	}

	if (pidfile != NULL &&
	    (pfh = pidfile_open(pidfile, 0644, &other)) == NULL) {
		if (errno == EEXIST)
			fatalx("already running, pid %d", (int)other);
		fatal("%s", pidfile);
	}
	if (!conf.foreground) {
		if (daemon_detach() == -1)
			fatal("detach");
		log_init(0, LOG_DAEMON);
	}
	/* ORDER: the root parent first, holding nothing but its socket. */
	if (is_root && privsep_start(conf.statusfile, uid, file_gid, pfh) == -1)
		fatal("privilege separation");

	sigfd = make_signalfd();
	sm_local_names_init(conf.myname);
	mon_init();
	if (resolve_init() == -1)
		fatal("resolver threads");
	notify_init();
	callback_init();
	switch (store_open(conf.statusfile, &rp)) {
	case 0:
		break;
	case STORE_NO_STATE:
		fatalx("%s: the state was lost since start-up",
		    conf.statusfile);
	default:
		fatal("%s", conf.statusfile);
	}
	recover(&rp, nfs_dir);
	/* ORDER: as root, before the drop (/proc/sys checks each write). */
	if (is_root) {
		(void)kernel_write_int(NSM_KERNEL_STATE, sm_state);
		if (nlm_tcp != 0)
			(void)kernel_write_int(NLM_KERNEL_TCPPORT, nlm_tcp);
		if (nlm_udp != 0)
			(void)kernel_write_int(NLM_KERNEL_UDPPORT, nlm_udp);
	}

	/*
	 * ORDER: bind while root, drop root for good, then re-arm the
	 * parent-death signal (the drop cleared it) and register with
	 * rpcbind as the serving user, who can then unregister alone.
	 */
	svc_start();
	if (is_root) {
		if (store_give(uid, file_gid) == -1)
			fatal("chown %s", conf.statusfile);
		if (priv_drop(conf.user) == -1)
			fatal("cannot drop privileges to %s", esc(conf.user));
		privsep_watch_parent();
		store_use_privsep();
	}
	svc_announce();
	if (pfh != NULL && pidfile_write(pfh) == -1)
		log_warn("%s", pidfile);
	log_info("ready: state %d, host name %s, %lu entries, %lu "
	    "notifications pending", sm_state, esc(conf.myname), mon_count(),
	    notify_pending());
	daemon_ready();
	notify_start();

	loop(sigfd);

	log_info("stopping: state %d, %lu entries, %lu notifications "
	    "pending", sm_state, mon_count(), notify_pending());
	svc_stop();
	privsep_stop();
	store_close();
	callback_free();
	callout_free();
	notify_free();
	resolve_shutdown();
	mon_free();
	timers_free();
	sm_local_names_free();
	/* After the drop the root parent removes it (it may not, here). */
	if (pfh != NULL && !privsep_active())
		pidfile_remove(pfh);
	close(sigfd);
	return 0;
}
