/*
 * smsd: options, configuration, the order of start-up, signals, the loop.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/http.h>

#include "daemon.h"
#include "log.h"
#include "pidfile.h"
#include "priv.h"
#include "progopt.h"
#include "timeutil.h"
#include "smsd.h"
#include "trend.h"


static struct smsd the_smsd;
static struct event *stop_check_ev;
static int64_t stop_started;

static const char usage_text[] =
    "usage: smsd [-dnv] [-f file] [-p port]\n";

static __attribute__((noreturn)) void
usage(void)
{
	fputs(usage_text, stderr);
	exit(1);
}

static void
reload(struct smsd *d)
{
	struct smsd_conf nc;

	if (log_reopen() == -1)
		log_warn("reopening the log file");
	if (conf_load(d->conf_path, &nc) == -1) {
		log_warnx("%s: errors, configuration kept", d->conf_path);
		return;
	}
	/* Listening sockets, paths and the ring are fixed at start. */
	if (nc.port != d->conf.port || nc.nlisten != d->conf.nlisten ||
	    strcmp(nc.member_name, d->conf.member_name) != 0 ||
	    strcmp(nc.data_dir, d->conf.data_dir) != 0 ||
	    nc.history != d->conf.history ||
	    nc.history_step != d->conf.history_step ||
	    strcmp(nc.post_group, d->conf.post_group) != 0)
		log_warnx("listen addresses, port, member-name, data-dir, "
		    "event-history, history-step and post-group take effect "
		    "at the next start");
	d->conf.acl = nc.acl;
	memcpy(d->conf.members, nc.members, sizeof(nc.members));
	d->conf.nmembers = nc.nmembers;
	d->conf.max_clients = nc.max_clients;
	d->conf.max_request = nc.max_request;
	d->conf.max_output = nc.max_output;
	d->conf.idle_timeout = nc.idle_timeout;
	d->conf.header_timeout = nc.header_timeout;
	d->conf.source_timeout_ms = nc.source_timeout_ms;
	d->conf.cluster_timeout_ms = nc.cluster_timeout_ms;
	/* the suite's paths and the station's folder are read per request */
	memcpy(d->conf.station_dir, nc.station_dir, sizeof(nc.station_dir));
	memcpy(d->conf.ss_dir, nc.ss_dir, sizeof(nc.ss_dir));
	memcpy(d->conf.avail_log, nc.avail_log, sizeof(nc.avail_log));
	memcpy(d->conf.statd_file, nc.statd_file, sizeof(nc.statd_file));
	memcpy(d->conf.statd_pidfile, nc.statd_pidfile,
	    sizeof(nc.statd_pidfile));
	memcpy(d->conf.trusted, nc.trusted, sizeof(nc.trusted));
	d->conf.ntrusted = nc.ntrusted;
	control_apply_limits(d);
	source_invalidate(d, SRC_HARDWARE);
	source_invalidate(d, SRC_SOFTWARE);
	log_info("configuration reloaded from %s: %d access list entries, "
	    "%d members", d->conf_path, d->conf.acl.n, d->conf.nmembers);
}

static void
stop_check(evutil_socket_t fd, short what, void *arg)
{
	struct smsd *d = arg;

	(void)fd;
	(void)what;
	/* streams close as their last bytes leave; do not wait for ever */
	if (d->nstreams == 0 || mono_ms() - stop_started > 2000)
		event_base_loopexit(d->base, NULL);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct smsd *d = arg;
	struct timeval tv = { 0, 20000 };

	(void)what;
	switch (sig) {
	case SIGHUP:
		reload(d);
		break;
	case SIGTERM:
	case SIGINT:
		if (d->stopping)
			break;
		log_info("stopping on signal %d with %d clients, %d streams",
		    (int)sig, d->nclients, d->nstreams);
		control_shutdown(d);
		stop_started = mono_ms();
		stop_check_ev = event_new(d->base, -1, EV_PERSIST, stop_check,
		    d);
		event_add(stop_check_ev, &tv);
		break;
	}
}

static void
raise_nofile(int want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur < (rlim_t)want) {
		rl.rlim_cur = rl.rlim_max < (rlim_t)want ? rl.rlim_max :
		    (rlim_t)want;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
main(int argc, char *argv[])
{
	struct smsd *d = &the_smsd;
	struct event *sigev[4];
	struct pidfh *pfh = NULL;
	const int sigs[4] = { SIGHUP, SIGTERM, SIGINT, 0 };
	int ch, foreground = 1, check_only = 0, verbose = 0, port = 0, i;
	int conf_missing;
	uid_t uid = 0;
	gid_t gid = 0;
	char log_fdpath[32];
	int log_rootfd = -1;
	pid_t other;
	char *end;
	long v;

	smsd = d;
	d->conf_path = SMSD_CONF;
	log_procname("smsd");
	log_init(1, LOG_DAEMON);
	while ((ch = progopt_getopt(argc, argv, "df:np:v", "smsd",
	    usage_text)) != -1) {
		switch (ch) {
		case 'd':
			foreground = 0;
			break;
		case 'f':
			d->conf_path = optarg;
			break;
		case 'n':
			check_only = 1;
			break;
		case 'p':
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 1 ||
			    v > 65535)
				fatalx("-p %s: not a port", optarg);
			port = (int)v;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_setverbose(verbose);
	if ((conf_missing = conf_load(d->conf_path, &d->conf)) == -1)
		fatalx("%s: configuration has errors", d->conf_path);
	if (port != 0)
		d->conf.port = port;
	if (check_only) {
		fprintf(stderr, "%s: %s (member %s, port %d, listening on",
		    d->conf_path, conf_missing ? "no such file, every default "
		    "applies" : "configuration OK", d->conf.member_name,
		    d->conf.port);
		for (i = 0; i < d->conf.nlisten; i++)
			fprintf(stderr, " %s", d->conf.listen[i]);
		fprintf(stderr, ", %d members)\n", d->conf.nmembers);
		return 0;
	}
	if (conf_missing)
		log_info("%s: no such file, every default applies",
		    d->conf_path);
	d->running_as_root = geteuid() == 0;
	if (d->running_as_root && priv_lookup(d->conf.user, &uid, &gid) == -1)
		fatalx("user %s: unknown", d->conf.user);
	memcpy(gather_dpkg_dir, d->conf.dpkg_dir, sizeof(gather_dpkg_dir));
	signal(SIGPIPE, SIG_IGN);
	raise_nofile(d->conf.max_clients + 256);

	if (!foreground) {
		char dir[sizeof(d->conf.log_file)], *slash;

		strcpy(dir, d->conf.log_file);
		if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
			*slash = '\0';
			if (mkdir(dir, 0750) == -1 && errno != EEXIST)
				fatal("mkdir %s", dir);
			if (d->running_as_root && chown(dir, uid, gid) == -1)
				fatal("chown %s", dir);
		}
		/*
		 * The log's folder belongs to the unprivileged user, who may
		 * have left a link there: root opens the file without
		 * following one, and chowns what it opened, not a name.
		 * SIGHUP reopens the log by name after the drop.
		 */
		if (d->running_as_root) {
			struct stat lst;

			log_rootfd = open(d->conf.log_file, O_WRONLY |
			    O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
			    O_NOCTTY | O_CLOEXEC, 0640);
			if (log_rootfd == -1)
				fatal("%s", d->conf.log_file);
			if (fstat(log_rootfd, &lst) == -1 ||
			    !S_ISREG(lst.st_mode) || lst.st_nlink != 1)
				fatalx("%s: not a regular file of its own",
				    d->conf.log_file);
			if (fchown(log_rootfd, uid, gid) == -1)
				fatal("chown %s", d->conf.log_file);
			snprintf(log_fdpath, sizeof(log_fdpath),
			    "/proc/self/fd/%d", log_rootfd);
		}
		if (log_open_file(log_rootfd != -1 ? log_fdpath :
		    d->conf.log_file) == -1)
			fatal("%s", d->conf.log_file);
		pfh = pidfile_open(d->conf.pidfile, 0644, &other);
		if (pfh == NULL) {
			if (errno == EEXIST)
				fatalx("already running, pid %d", (int)other);
			fatal("%s", d->conf.pidfile);
		}
		if (daemon_detach() == -1)
			fatal("daemon_detach");
	}

	if ((d->base = event_base_new()) == NULL)
		fatalx("event_base_new");
	/* ORDER: bind port 596 and open privileged sources as root, prepare
	   the data folder for the user, then drop, then open data files. */
	if (control_listen(d) == -1)
		fatalx("cannot listen on port %d", d->conf.port);
	if (events_open_sources(d) == -1)
		fatalx("cannot open the posting socket");
	if (store_prepare(d, uid, gid) == -1)
		fatalx("cannot prepare %s", d->member_dir);
	/* corosync's IPC takes root (or a uidgid.d entry): see corosync.c */
	corosync_open(d);
	if (d->running_as_root) {
		if (priv_drop(d->conf.user) == -1)
			fatal("dropping privileges to %s", d->conf.user);
		log_info("privileges dropped to %s", d->conf.user);
		/* By name from now on, so that SIGHUP follows a rotation. */
		if (log_rootfd != -1) {
			if (log_open_file(d->conf.log_file) == -1)
				log_warn("%s", d->conf.log_file);
			close(log_rootfd);
			log_rootfd = -1;
		}
	}
	if (events_init(d) == -1)
		fatalx("cannot set up events");
	sources_init(d);
	store_load_inventory(d);
	if ((d->trend = trend_new(TREND_CAPACITY, d->conf.history_step)) ==
	    NULL || trend_start(d->trend, d->base) == -1)
		fatalx("cannot start the history ring");
	events_start(d);
	for (i = 0; sigs[i] != 0; i++) {
		sigev[i] = evsignal_new(d->base, sigs[i], signal_cb, d);
		if (sigev[i] == NULL || event_add(sigev[i], NULL) == -1)
			fatalx("cannot watch signal %d", sigs[i]);
	}
	/* first gathers now, so the first requests find data */
	for (i = 0; i < SRC_COUNT; i++)
		source_kick(d, &d->src[i]);

	if (pfh != NULL && pidfile_write(pfh) == -1)
		log_warn("%s", d->conf.pidfile);
	events_post(d, "sys.unix.smsd.start", 200, "smsd", "smsd started",
	    NULL);
	log_info("serving as member %s on port %d", d->conf.member_name,
	    d->conf.port);
	daemon_ready();

	event_base_dispatch(d->base);

	events_post(d, "sys.unix.smsd.stop", 200, "smsd", "smsd stopped",
	    NULL);
	events_close(d);
	sources_stop(d);
	cluster_free(d);
	trend_free(d->trend);
	corosync_close(d);
	if (d->health != NULL)
		json_decref(d->health);
	free(d->system_body);
	free(d->metrics_body);
	if (pfh != NULL)
		pidfile_remove(pfh);
	log_info("stopped");
	return 0;
}
