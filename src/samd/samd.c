/*
 * samd: the System Availability Monitor's daemon.
 *
 * Run in the foreground by its start script (ROOT/samd), which samkeep
 * runs and restarts with PROC_FAIL when it dies.  On start it logs what
 * the evidence says happened while it was away (evidence.c); then every
 * heartbeat it records durably that it lives, checks the clock and its
 * samsigd, and on a clean stop logs a planned down event and leaves the
 * clean-stop marker.
 *
 * Timers run on CLOCK_BOOTTIME, which no clock step moves; a second timer
 * on CLOCK_REALTIME with TFD_TIMER_CANCEL_ON_SET wakes samd the moment the
 * clock is set, and the step is measured as the change of (real - boot).
 */
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chan.h"
#include "clusterev.h"
#include "log.h"
#include "pidfile.h"
#include "progopt.h"
#include "sam.h"
#include "smspost.h"
#include "timeutil.h"

/*
 * samsigd's liveness: a death is seen at once (SIGCHLD); a hang by pings.
 * A ping costs both processes a wakeup, as much CPU as the rest of a beat
 * but the disk flush, so samd pings every PING_EVERY_S seconds (every beat
 * at a heartbeat of that or longer), not every beat, and kills samsigd
 * when PING_MISSES pings in a row go unanswered: a hang is ended within
 * (PING_MISSES + 1) * PING_EVERY_S seconds (90 s at the default 10 s beat).
 */
#define PING_EVERY_S	30
#define PING_MISSES	2	/* pings without a pong */
#define SIGD_FAST_FAIL	5	/* quick deaths before waiting a beat */

struct samd {
	struct sam_paths	 paths;
	enum sam_reason		 reason;
	int			 hb_sec;
	int			 window_sec;
	char			 boot_id[37];
	struct sam_hbfile	*hbf;
	struct sam_hb		 hb;
	struct sam_hb		 prev_hb;	/* as found at start */
	int			 have_prev_hb;
	int64_t			 ref_offset;	/* real - boot, ms */
	int			 hbfd;
	int			 rtfd;
	int			 sigfd;
	int			 chan;		/* -1 without samsigd */
	pid_t			 sigd_pid;
	int64_t			 sigd_started;	/* mono ms */
	int			 sigd_fast;
	int			 sigd_wait;	/* restart at next beat */
	uint32_t		 ping_seq;
	uint32_t		 pong_seq;
	int			 pings_unanswered;
	int			 ping_every;	/* beats between pings */
	int			 beats_to_ping;
	char			 sigd_path[PATH_MAX];
	struct sam_clview	 clview;	/* corosync membership heard */
};

static const char usage_text[] =
    "usage: samd [-d] [-H heartbeat] [-W window] "
    "CLUS_FAIL | NODE_FAIL | PROC_FAIL\n       samd -h\n";

static __attribute__((noreturn)) void
usage(void)
{
	fputs(usage_text, stderr);
	exit(1);
}

static int
number(const char *s, int min, int max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < min || v > max)
		fatalx("%s %s: must be a whole number from %d to %d", what, s,
		    min, max);
	return (int)v;
}

/*
 * The local smsd hears of every event too (smsd.8: hostmon.samd.*); the
 * event log stays the record, so a post that finds no smsd is dropped.
 */
static void
post_event(const struct sam_event *ev, const char *when)
{
	const char *name = "hostmon.samd.change";
	int pri = SMSPOST_WARNING;

	if (ev->type == SAM_TIME)
		name = "hostmon.samd.time";
	else if (ev->state == SAM_DOWN) {
		name = "hostmon.samd.outage";
		pri = ev->plan == SAM_PLANNED ? SMSPOST_NOTICE : SMSPOST_ERROR;
	} else if (ev->type == SAM_NODE && ev->state == SAM_CHANGE &&
	    strchr(ev->name, ':') != NULL) {
		/* A node event signal (signal_event). */
		name = "hostmon.samd.signal";
		pri = strstr(ev->name, SAM_SIG_POWER) != NULL ?
		    SMSPOST_WARNING : SMSPOST_NOTICE;
	} else if (ev->state == SAM_UP) {
		name = "hostmon.samd.up";
		pri = SMSPOST_NOTICE;
	} else if (ev->state == SAM_GONE)
		name = "hostmon.samd.gone";
	if (smspost(name, pri, "%s.%s %s%s%s at %s (event %" PRIu64 "): %s",
	    sam_type_name(ev->type), ev->name, sam_state_name(ev->state),
	    ev->plan != SAM_PLAN_NONE ? " " : "", sam_plan_name(ev->plan),
	    when, ev->evid, ev->msg) == -1)
		log_debug("event %" PRIu64 " not posted to smsd: %s", ev->evid,
		    strerror(errno));
}

static int
log_event(struct samd *sd, struct sam_event *ev)
{
	char t[32];

	if (sam_evlog_write(&sd->paths, ev) == -1) {
		log_warn("cannot log %s.%s %s", sam_type_name(ev->type),
		    ev->name, sam_state_name(ev->state));
		return -1;
	}
	log_info("event %" PRIu64 ": %s.%s %s%s%s at %s: %s", ev->evid,
	    sam_type_name(ev->type), ev->name, sam_state_name(ev->state),
	    ev->plan != SAM_PLAN_NONE ? " " : "", sam_plan_name(ev->plan),
	    sam_fmt_time(ev->time, t, sizeof(t)), ev->msg);
	post_event(ev, t);
	return 0;
}

static void
heartbeat(struct samd *sd)
{
	sd->hb.seq++;
	sd->hb.real_ms = real_ms();
	sd->hb.boot_ms = boot_ms();
	if (sam_hb_write(sd->hbf, &sd->hb) == -1)
		log_warn("%s", sd->paths.heartbeat);
}

/* A timer that fires only when someone sets the clock. */
static void
arm_rtfd(struct samd *sd)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	/* Far ahead, absolute: only the cancel matters. */
	its.it_value.tv_sec = (time_t)(real_ms() / 1000) + 10 * 366 * 86400;
	if (timerfd_settime(sd->rtfd, TFD_TIMER_ABSTIME |
	    TFD_TIMER_CANCEL_ON_SET, &its, NULL) == -1)
		log_warn("timerfd cancel-on-set");
}

/*
 * The offset of the real clock from the boot clock moves only when the
 * clock is set (or slewed, slowly); the heartbeat timer runs on the boot
 * clock, so a step never shortens or stretches a beat.
 */
static void
check_clock(struct samd *sd, const char *how)
{
	struct sam_event ev;
	int64_t off = real_ms() - boot_ms(), delta = off - sd->ref_offset;
	int64_t adelta = delta < 0 ? -delta : delta;
	/* Rounded: the two clocks are read a few microseconds apart. */
	int64_t secs = (delta < 0 ? delta - 500 : delta + 500) / 1000;

	if (adelta < 1000)
		return;
	sd->ref_offset = off;
	if (adelta < (int64_t)sd->window_sec * 1000) {
		log_info("clock changed by %+" PRId64 " s (%s), within the "
		    "%d s window: not logged", secs, how,
		    sd->window_sec);
	} else {
		memset(&ev, 0, sizeof(ev));
		ev.kind = 'E';
		ev.type = SAM_TIME;
		snprintf(ev.name, sizeof(ev.name), SAM_TIME_NAME);
		ev.state = SAM_CHANGE;
		ev.time = real_ms() / 1000;
		snprintf(ev.msg, sizeof(ev.msg), "clock stepped by %+" PRId64
		    " s (window %d s)", secs, sd->window_sec);
		log_event(sd, &ev);
	}
	/* The next down event is dated from this beat, on the new clock. */
	heartbeat(sd);
}

static void
sigd_start(struct samd *sd)
{
	int sv[2];
	char fdarg[16];
	pid_t pid;

	sd->sigd_wait = 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("samsigd: socketpair");
		sd->sigd_wait = 1;
		return;
	}
	switch (pid = fork()) {
	case -1:
		log_warn("samsigd: fork");
		close(sv[0]);
		close(sv[1]);
		sd->sigd_wait = 1;
		return;
	case 0:
		/* The child must not keep samd's signals blocked. */
		{
			sigset_t none;

			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
		}
		if (fcntl(sv[1], F_SETFD, 0) == -1)
			_exit(127);
		snprintf(fdarg, sizeof(fdarg), "%d", sv[1]);
		execl(sd->sigd_path, "samsigd", "-c", fdarg, "-p",
		    sd->paths.samsigd_pid, (char *)NULL);
		dprintf(STDERR_FILENO, "samd: exec %s: %s\n", sd->sigd_path,
		    strerror(errno));
		_exit(127);
	}
	close(sv[1]);
	sd->chan = sv[0];
	sd->sigd_pid = pid;
	sd->sigd_started = mono_ms();
	sd->pings_unanswered = 0;
	sd->beats_to_ping = 1;		/* the first ping at the next beat */
	log_debug("samsigd started, pid %d", (int)pid);
}

static void
sigd_reaped(struct samd *sd, int status)
{
	char how[64];

	if (WIFSIGNALED(status))
		snprintf(how, sizeof(how), "killed by signal %d",
		    WTERMSIG(status));
	else
		snprintf(how, sizeof(how), "exited with status %d",
		    WEXITSTATUS(status));
	if (sd->chan != -1) {
		close(sd->chan);
		sd->chan = -1;
	}
	sd->sigd_pid = 0;
	if (mono_ms() - sd->sigd_started < 1000)
		sd->sigd_fast++;
	else
		sd->sigd_fast = 0;
	if (sd->sigd_fast >= SIGD_FAST_FAIL) {
		log_warnx("samsigd %s; it keeps failing at once, restarting "
		    "it at the next heartbeat", how);
		sd->sigd_wait = 1;
		return;
	}
	log_warnx("samsigd %s; restarting it", how);
	sigd_start(sd);
}

static void
sigd_stop(struct samd *sd)
{
	int status, i;

	if (sd->chan != -1) {
		close(sd->chan);	/* end of file: samsigd leaves */
		sd->chan = -1;
	}
	if (sd->sigd_pid <= 0)
		return;
	kill(sd->sigd_pid, SIGTERM);
	for (i = 0; i < 500; i++) {
		if (waitpid(sd->sigd_pid, &status, WNOHANG) == sd->sigd_pid) {
			sd->sigd_pid = 0;
			return;
		}
		usleep(10000);
	}
	kill(sd->sigd_pid, SIGKILL);
	waitpid(sd->sigd_pid, &status, 0);
	sd->sigd_pid = 0;
}

static void
state_event(struct samd *sd, const struct sam_msg *m)
{
	struct sam_msg_state st;
	struct sam_event ev;
	const char *why;

	if (sam_msg_get_state(m, &st, &why) == -1) {
		log_warnx("samsigd: dropped a state message: %s", why);
		return;
	}
	if (sam_clview_event(&sd->clview, m->type, &st, &ev) == 1 &&
	    log_event(sd, &ev) == 0)
		sam_clview_logged(&ev, st.time_ms, real_ms());
}

/*
 * A node event signal that samsigd caught becomes an event of its own
 * object, NODE "node:event" (SIGUSR1) or NODE "node:powerfail" (SIGPWR):
 * a CHANGE, so it neither starts nor ends an outage of the node, and
 * samrep counts it as it counts clock changes.  A ':' is in no host
 * name, so these objects never meet a cluster member's.
 */
static void
signal_event(struct samd *sd, const struct sam_msg *m)
{
	struct sam_msg_signal s;
	struct sam_event ev;
	struct passwd pw, *pwp = NULL;
	char pwbuf[1024];
	const char *what, *suffix, *sname, *why;
	int nlen;

	if (sam_msg_get_signal(m, &s) == -1) {
		log_warnx("samsigd: dropped a signal message");
		return;
	}
	if (s.signo == SIGPWR) {
		what = "power failure";
		suffix = SAM_SIG_POWER;
		sname = "SIGPWR";
	} else if (s.signo == SIGUSR1) {
		what = "node event";
		suffix = SAM_SIG_EVENT;
		sname = "SIGUSR1";
	} else {
		log_warnx("samsigd: signal %u is no node event signal, ignored",
		    s.signo);
		return;
	}
	memset(&ev, 0, sizeof(ev));
	ev.kind = 'E';
	ev.type = SAM_NODE;
	ev.state = SAM_CHANGE;
	ev.plan = SAM_PLAN_NONE;
	ev.time = real_ms() / 1000;
	/* The node's name shortened, never the suffix, to fit. */
	nlen = (int)(sizeof(ev.name) - 1 - strlen(suffix));
	snprintf(ev.name, sizeof(ev.name), "%.*s%s", nlen, sam_nodename(),
	    suffix);
	/* The sender's user name, or its uid when it has none. */
	if (getpwuid_r((uid_t)s.uid, &pw, pwbuf, sizeof(pwbuf), &pwp) == 0 &&
	    pwp != NULL && sam_field_check(pw.pw_name, strlen(pw.pw_name),
	    SAM_USER_MAX, 0, &why) == 0)
		snprintf(ev.user, sizeof(ev.user), "%s", pw.pw_name);
	else
		snprintf(ev.user, sizeof(ev.user), "%u", s.uid);
	snprintf(ev.msg, sizeof(ev.msg), "%s: %s from pid %u", what, sname,
	    s.pid);
	log_event(sd, &ev);
}

static void
clinfo_event(struct samd *sd, const struct sam_msg *m)
{
	struct sam_msg_clinfo ci;
	const char *why;

	if (sam_msg_get_clinfo(m, &ci, &why) == -1)
		log_warnx("samsigd: dropped a cluster message: %s", why);
	else
		sam_clview_info(&sd->clview, &ci);
}

static void
chan_read(struct samd *sd)
{
	struct sam_msg m;
	struct sam_msg_hello h;
	const char *why;
	int r;

	r = sam_msg_recv(sd->chan, &m, &why);
	if (r == 0 || (r == -1 && errno != EBADMSG && errno != EAGAIN)) {
		/* samsigd is going; SIGCHLD restarts it. */
		close(sd->chan);
		sd->chan = -1;
		if (sd->sigd_pid > 0)
			kill(sd->sigd_pid, SIGKILL);
		return;
	}
	if (r == -1) {
		if (errno == EBADMSG)
			log_warnx("samsigd: dropped a message: %s", why);
		return;
	}
	switch (m.type) {
	case SAM_MSG_HELLO:
		if (sam_msg_get_hello(&m, &h) == 0)
			log_info("samsigd (pid %u) ready, %s mode", h.pid,
			    h.mode);
		break;
	case SAM_MSG_PONG:
		if (m.seq == sd->ping_seq) {
			sd->pong_seq = m.seq;
			sd->pings_unanswered = 0;
		}
		break;
	case SAM_MSG_SIGNAL:
		signal_event(sd, &m);
		break;
	case SAM_MSG_NODE:
	case SAM_MSG_CLUS:
		state_event(sd, &m);
		break;
	case SAM_MSG_CLINFO:
		clinfo_event(sd, &m);
		break;
	default:
		log_debug("samsigd: message type %u ignored", m.type);
		break;
	}
}

static void
sigd_ping(struct samd *sd)
{
	struct sam_msg m;

	if (sd->sigd_pid <= 0) {
		if (sd->sigd_wait)
			sigd_start(sd);
		return;
	}
	if (sd->chan == -1)
		return;
	if (--sd->beats_to_ping > 0)
		return;
	sd->beats_to_ping = sd->ping_every;
	if (sd->pings_unanswered >= PING_MISSES) {
		log_warnx("samsigd (pid %d) has not answered %d pings; "
		    "killing it", (int)sd->sigd_pid, PING_MISSES);
		kill(sd->sigd_pid, SIGKILL);
		sd->pings_unanswered = 0;
		return;
	}
	memset(&m, 0, sizeof(m));
	m.type = SAM_MSG_PING;
	m.seq = ++sd->ping_seq;
	if (sam_msg_send(sd->chan, &m) == -1)
		log_warn("samsigd: ping");
	sd->pings_unanswered++;
}

static void
start_events(struct samd *sd)
{
	struct sam_evidence e;
	struct sam_event evs[SAM_START_EVENTS_MAX];
	int i, n;

	memset(&e, 0, sizeof(e));
	e.reason = sd->reason;
	e.now = real_ms() / 1000;
	memcpy(e.boot_id, sd->boot_id, sizeof(e.boot_id));
	e.node = sam_nodename();
	e.cluster = sam_clustername();
	e.have_hb = sd->have_prev_hb;
	e.hb = sd->prev_hb;
	if (sam_clean_read(sd->paths.clean, &e.clean) == 0)
		e.have_clean = 1;
	else if (errno != ENOENT)
		log_warn("%s: ignored", sd->paths.clean);

	n = sam_decide(&e, evs, SAM_START_EVENTS_MAX);
	for (i = 0; i < n; i++)
		if (log_event(sd, &evs[i]) == -1)
			fatalx("cannot write the event log %s",
			    sd->paths.eventlog);
	/*
	 * ORDER: events, then a heartbeat of this boot, then the marker
	 * goes.  A crash before the marker is removed repeats these events
	 * at the next start; one after it finds this heartbeat.
	 */
	heartbeat(sd);
	if (sam_remove_durably(sd->paths.clean) == -1)
		fatal("%s", sd->paths.clean);
}

static void
clean_stop(struct samd *sd)
{
	struct sam_clean c;
	struct sam_event ev;
	int admin;

	admin = sam_stopped_matches(sd->paths.stopped, sd->boot_id);
	memset(&ev, 0, sizeof(ev));
	ev.kind = 'E';
	ev.type = SAM_APPL;
	snprintf(ev.name, sizeof(ev.name), SAM_APPL_NAME);
	ev.state = SAM_DOWN;
	ev.plan = SAM_PLANNED;
	ev.time = real_ms() / 1000;
	snprintf(ev.msg, sizeof(ev.msg), "%s", admin ?
	    "stopped by samdctl stop" : "stopped by the init script or "
	    "a signal (system shutdown)");
	log_event(sd, &ev);
	heartbeat(sd);
	memcpy(c.boot_id, sd->boot_id, sizeof(c.boot_id));
	c.time = ev.time;
	c.why = admin ? SAM_STOP_ADMIN : SAM_STOP_SHUTDOWN;
	if (sam_clean_write(sd->paths.clean, &c) == -1)
		log_warn("%s", sd->paths.clean);
	sigd_stop(sd);
}

int
main(int argc, char *argv[])
{
	struct samd sd;
	struct signalfd_siginfo si;
	struct itimerspec its;
	struct pollfd pfd[4];
	struct pidfh *pfh;
	sigset_t set;
	const char *lf;
	uint64_t ticks;
	pid_t other, pid;
	int ch, debug = 0, status, quit = 0, nfds;
	ssize_t n;

	memset(&sd, 0, sizeof(sd));
	sd.hb_sec = 10;
	sd.window_sec = 300;
	sd.chan = -1;
	sam_clview_init(&sd.clview);
	log_procname("samd");
	log_init(1, 0);
	while ((ch = progopt_getopt(argc, argv, "dhH:W:", "samd",
	    usage_text)) != -1) {
		switch (ch) {
		case 'd':
			debug = 1;
			break;
		case 'h':
			usage();
		case 'H':
			sd.hb_sec = number(optarg, 1, SAM_HB_MAX,
			    "heartbeat");
			break;
		case 'W':
			sd.window_sec = number(optarg, 1, SAM_WINDOW_MAX,
			    "time change window");
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1 || sam_reason_parse(argv[optind],
	    &sd.reason) == -1)
		usage();
	if (sam_paths_init(&sd.paths, NULL) == -1)
		fatal("SAM_ROOT");
	if (sam_prog_path("samsigd", "SAMSIGD_BIN", sd.sigd_path,
	    sizeof(sd.sigd_path)) == -1)
		fatal("cannot find samsigd");
	log_setverbose(debug);
	if (!debug) {
		lf = getenv("SAM_LOGFILE");
		if (lf != NULL && *lf != '\0') {
			if (log_open_file(lf) == -1)
				fatal("%s", lf);
		} else
			log_init(0, 0);
	}

	if (sam_mkdirs(&sd.paths) == -1)
		fatal("%s", sd.paths.statedir);
	if ((pfh = pidfile_open(sd.paths.samd_pid, 0644, &other)) == NULL) {
		if (errno == EEXIST)
			fatalx("already running, pid %d", (int)other);
		fatal("%s", sd.paths.samd_pid);
	}
	if (read_boot_id(sd.paths.bootid, sd.boot_id) == -1)
		fatal("boot id %s", sd.paths.bootid);
	/* ORDER: read before sam_hb_open creates an empty file. */
	if (sam_hb_read(sd.paths.heartbeat, &sd.prev_hb) == 0)
		sd.have_prev_hb = 1;
	else if (errno != ENOENT)
		log_warn("%s: no usable heartbeat", sd.paths.heartbeat);
	if ((sd.hbf = sam_hb_open(sd.paths.heartbeat)) == NULL)
		fatal("%s", sd.paths.heartbeat);
	/* A restarted samd continues the sequence; slot order needs it. */
	if (sd.have_prev_hb)
		sd.hb = sd.prev_hb;
	memcpy(sd.hb.boot_id, sd.boot_id, sizeof(sd.boot_id));
	sd.hb.interval = (uint32_t)sd.hb_sec;
	sd.hb.pid = (uint32_t)getpid();

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (sd.sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) == -1)
		fatal("signalfd");
	if ((sd.hbfd = timerfd_create(CLOCK_BOOTTIME, TFD_CLOEXEC |
	    TFD_NONBLOCK)) == -1 || (sd.rtfd = timerfd_create(CLOCK_REALTIME,
	    TFD_CLOEXEC | TFD_NONBLOCK)) == -1)
		fatal("timerfd");

	start_events(&sd);
	/* ORDER: after the start events, before samsigd's first report. */
	if (sam_clview_seed(&sd.clview, sd.paths.eventlog,
	    sam_clustername()) == -1)
		log_warn("%s: last NODE and CLUS states not read",
		    sd.paths.eventlog);
	if (pidfile_write(pfh) == -1)
		fatal("%s", sd.paths.samd_pid);
	sd.ref_offset = real_ms() - boot_ms();
	arm_rtfd(&sd);
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = sd.hb_sec;
	its.it_interval.tv_sec = sd.hb_sec;
	if (timerfd_settime(sd.hbfd, 0, &its, NULL) == -1)
		fatal("timerfd_settime");
	sd.ping_every = sd.hb_sec >= PING_EVERY_S ? 1 :
	    PING_EVERY_S / sd.hb_sec;
	sigd_start(&sd);
	log_info("running (pid %d): %s, heartbeat %d s, time change "
	    "window %d s", (int)getpid(), sam_reason_name(sd.reason),
	    sd.hb_sec, sd.window_sec);

	while (!quit) {
		pfd[0].fd = sd.sigfd;
		pfd[1].fd = sd.hbfd;
		pfd[2].fd = sd.rtfd;
		pfd[3].fd = sd.chan;
		pfd[0].events = pfd[1].events = pfd[2].events =
		    pfd[3].events = POLLIN;
		nfds = sd.chan != -1 ? 4 : 3;
		if (poll(pfd, (nfds_t)nfds, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[0].revents & POLLIN) {
			while ((n = read(sd.sigfd, &si, sizeof(si))) ==
			    (ssize_t)sizeof(si)) {
				switch (si.ssi_signo) {
				case SIGTERM:
				case SIGINT:
					quit = 1;
					break;
				case SIGHUP:
					log_reopen();
					break;
				case SIGCHLD:
					while ((pid = waitpid(-1, &status,
					    WNOHANG)) > 0)
						if (pid == sd.sigd_pid)
							sigd_reaped(&sd,
							    status);
					break;
				}
			}
			if (quit)
				break;
		}
		if (pfd[2].revents & POLLIN) {
			/* ECANCELED is the point: the clock was set. */
			if (read(sd.rtfd, &ticks, sizeof(ticks)) == -1 &&
			    errno == ECANCELED)
				check_clock(&sd, "clock set");
			arm_rtfd(&sd);
		}
		if (pfd[1].revents & POLLIN &&
		    read(sd.hbfd, &ticks, sizeof(ticks)) ==
		    (ssize_t)sizeof(ticks)) {
			heartbeat(&sd);
			/* Steps the timer cannot see (a faked clock). */
			check_clock(&sd, "seen at a heartbeat");
			sigd_ping(&sd);
			if (sam_evlog_ensure(&sd.paths) == 1)
				log_warnx("%s was missing: recreated",
				    sd.paths.eventlog);
		}
		if (nfds == 4 && pfd[3].revents != 0)
			chan_read(&sd);
	}

	log_info("stopping cleanly");
	clean_stop(&sd);
	sam_clview_free(&sd.clview);
	sam_hb_close(sd.hbf);
	pidfile_remove(pfh);
	return 0;
}
