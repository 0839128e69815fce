/*
 * ssd: the system status demon.  Keeps share/lib/ss/HOST's timestamps
 * telling this host's status, or (ssd host) runs one on another host
 * through a remote shell.
 */
#include <sys/types.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <utmpx.h>

#include "daemon.h"
#include "log.h"
#include "pidfile.h"
#include "priv.h"
#include "progopt.h"
#include "timeutil.h"
#include "ssd.h"

#define SSD_USER	"_hmssd"	/* who root becomes: its own user */
#define IDLE_CHECK_MS	10000		/* looks for a user coming back */

struct ssd {
	char		 host[CSSTAT_NAME_MAX + 1];
	const char	*dir;
	int		 dirfd;
	int		 interval;	/* seconds; updates every 1 to 1.5 x */
	int		 watch_stdin;
	char		*hook;		/* ssd.idle, or NULL */
	struct statusfile sf;
	struct cpu_ticks cpu;
	long		 idle;		/* last published */
	int64_t		 idle_at;	/* mono_ms() when published */
	int		 ready;
};

static const char usage_text[] =
    "usage: ssd [-dfvw] [-D dir] [-H name] [-i seconds] "
    "[-p pidfile]\n           [-r rsh] [-u user] [host]\n";

static __attribute__((noreturn)) void
usage(void)
{
	fputs(usage_text, stderr);
	exit(1);
}

static int
parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* The built-in idle time: terminals, else input devices, else uptime. */
static long
default_idle(time_t now, long up, int *users)
{
	long idle;

	if (sample_users(_PATH_UTMPX, "/dev", now, users, &idle) == -1) {
		log_warn("%s", _PATH_UTMPX);
		*users = 0;
		idle = -1;
	}
	if (idle < 0)
		idle = sample_input_idle("/dev", now);
	if (idle < 0)
		idle = up;
	return idle;
}

static void
sample(struct ssd *s, Csstat_t *st)
{
	struct cpu_ticks now_cpu;
	time_t now = time(NULL);
	enum idle_verdict v = IDLE_DEFAULT;
	long secs = 0, idle;
	int users;

	memset(st, 0, sizeof(*st));
	if (sample_uptime("/proc/uptime", &st->up) == -1)
		fatal("/proc/uptime");
	if (st->up < 1)
		st->up = 1;
	if (sample_load("/proc/loadavg", &st->load) == -1)
		log_warn("/proc/loadavg");
	if (sample_cpu("/proc/stat", &now_cpu) == 0) {
		cpu_percent(&s->cpu, &now_cpu, &st->pctusr, &st->pctsys);
		s->cpu = now_cpu;
	} else
		log_warn("/proc/stat");

	idle = default_idle(now, st->up, &users);
	st->users = users;
	if (s->hook != NULL) {
		int limit = s->interval * 1000;

		if (limit > SSD_HOOK_MAX_MS)
			limit = SSD_HOOK_MAX_MS;
		v = idlehook_run(s->hook, s->host, limit, &secs);
	}
	switch (v) {
	case IDLE_SET:
		idle = secs;
		break;
	case IDLE_ADD:
		idle = s->idle + (long)((mono_ms() - s->idle_at) / 1000);
		break;
	case IDLE_DEFAULT:
		break;
	}
	st->idle = idle;
}

/* Mark down and leave, if the file is still ours. */
static __attribute__((noreturn)) void
leave(struct ssd *s, int code, const char *why)
{
	Csstat_t down;
	uint32_t a, m;

	log_info("%s: exiting", why);
	if (code == 0 && s->sf.written) {
		memset(&down, 0, sizeof(down));
		csstat_encode(&down, &a, &m);
		if (statusfile_write(&s->sf, a, m) != SF_OK)
			log_info("not marked down: the file is no longer ours");
	}
	exit(code);
}

static void
update(struct ssd *s)
{
	Csstat_t st;
	uint32_t a, m;

	sample(s, &st);
	csstat_encode(&st, &a, &m);
	switch (statusfile_write(&s->sf, a, m)) {
	case SF_OK:
		break;
	case SF_GONE:
		/* The documented way to stop a host's demon. */
		if (!s->ready)
			fatalx("%s/%s vanished at start", s->dir, s->host);
		log_info("status file %s removed: exiting", s->host);
		exit(SSD_EXIT_REMOVED);
	case SF_TAKEN:
		if (!s->ready)
			fatalx("%s/%s changed under us at start", s->dir,
			    s->host);
		log_info("another ssd writes %s: exiting", s->host);
		exit(SSD_EXIT_TAKEN);
	case SF_ERROR:
		log_warn("update %s", s->host);
		return;
	}
	s->idle = st.idle;
	s->idle_at = mono_ms();
	log_debug("up %ld idle %ld load %d usr %d sys %d users %d",
	    st.up, st.idle, st.load, st.pctusr, st.pctsys, st.users);
	if (!s->ready) {
		s->ready = 1;
		daemon_ready();
	}
}

/* A user came back after a while: readers should know at once. */
static int
user_returned(struct ssd *s)
{
	long up, now_idle, published;
	int users;

	if (s->hook != NULL || sample_uptime("/proc/uptime", &up) == -1)
		return 0;
	published = s->idle + (long)((mono_ms() - s->idle_at) / 1000);
	if (published < SSD_IDLE_RETURN)
		return 0;
	now_idle = default_idle(time(NULL), up, &users);
	return now_idle + 2 < published;
}

static int64_t
next_interval(const struct ssd *s)
{
	/* Random in [interval, 1.5 interval], so hosts do not write in step. */
	int64_t base = (int64_t)s->interval * 1000;

	return base + (int64_t)(random() % (base / 2 + 1));
}

static __attribute__((noreturn)) void
serve(struct ssd *s, int sigfd)
{
	struct signalfd_siginfo si;
	struct pollfd pfd[2];
	int64_t now, next_update, next_check;
	int nfds, timeout;
	char buf[512];
	ssize_t n;

	next_update = mono_ms();
	next_check = next_update + IDLE_CHECK_MS;
	for (;;) {
		now = mono_ms();
		if (now >= next_update) {
			update(s);
			now = mono_ms();
			next_update = now + next_interval(s);
			next_check = now + IDLE_CHECK_MS;
		} else if (now >= next_check) {
			if (user_returned(s)) {
				log_debug("user came back: update now");
				next_update = now;
				continue;
			}
			next_check = now + IDLE_CHECK_MS;
		}
		timeout = (int)((next_update < next_check ? next_update :
		    next_check) - now);
		if (timeout < 0)
			timeout = 0;
		pfd[0].fd = sigfd;
		pfd[0].events = POLLIN;
		nfds = 1;
		if (s->watch_stdin) {
			pfd[1].fd = STDIN_FILENO;
			pfd[1].events = POLLIN;
			nfds = 2;
		}
		if (poll(pfd, (nfds_t)nfds, timeout) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[0].revents & POLLIN) {
			if (read(sigfd, &si, sizeof(si)) != sizeof(si))
				continue;
			switch (si.ssi_signo) {
			case SIGHUP:
				if (log_reopen() == -1)
					log_warn("reopen log");
				break;
			default:
				leave(s, 0, "signal");
			}
		}
		if (nfds == 2 && pfd[1].revents != 0) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n == 0 || (n == -1 && errno != EINTR &&
			    errno != EAGAIN))
				leave(s, 0, "remote shell closed");
		}
	}
}

int
main(int argc, char *argv[])
{
	struct remote_opts ro;
	struct ssd s;
	struct pidfh *pfh = NULL;
	const char *pidpath = NULL, *user = NULL, *rsh = NULL, *self = NULL;
	char local[CSSTAT_NAME_MAX + 1], esc[LOG_ESCAPE_MAX];
	int ch, foreground = 0, logfile_fg = 0, verbose = 0, sigfd;
	sigset_t mask;
	pid_t other;

	memset(&s, 0, sizeof(s));
	s.interval = SSD_INTERVAL;
	s.dir = csstat_dir();
	log_procname("ssd");
	log_init(1, LOG_DAEMON);

	while ((ch = progopt_getopt(argc, argv, "dD:fH:i:p:r:u:vw", "ssd",
	    usage_text)) != -1) {
		switch (ch) {
		case 'd':
			foreground = 1;
			break;
		case 'D':
			s.dir = optarg;
			break;
		case 'f':
			foreground = logfile_fg = 1;
			break;
		case 'H':
			self = optarg;
			break;
		case 'i':
			if (parse_int(optarg, 1, 3600, &s.interval) == -1)
				fatalx("bad interval %s", optarg);
			break;
		case 'p':
			pidpath = optarg;
			break;
		case 'r':
			rsh = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'w':
			s.watch_stdin = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1)
		usage();
	log_setverbose(verbose);

	if (csstat_local_name(local, sizeof(local)) == -1)
		fatal("this host's name");
	if (self != NULL && argc == 1)
		usage();
	if (self == NULL)
		self = argc == 1 ? argv[0] : local;
	if (!csstat_name_ok(self))
		fatalx("bad host name \"%s\": letters, digits, '.', '-', '_', "
		    "not starting with '.' or '-'",
		    log_escape(self, strlen(self), esc, sizeof(esc)));
	snprintf(s.host, sizeof(s.host), "%s", self);

	if ((s.dirfd = open(s.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		fatal("%s", s.dir);

	if (argc == 1 && strcmp(argv[0], local) != 0) {
		memset(&ro, 0, sizeof(ro));
		ro.dir = s.dir;
		ro.host = s.host;
		ro.rsh = rsh != NULL ? rsh : getenv("CSSTAT_RSH");
		if (ro.rsh == NULL || *ro.rsh == '\0')
			ro.rsh = "ssh";
		ro.user = user != NULL ? user : SSD_USER;
		ro.interval = s.interval;
		ro.foreground = foreground;
		ro.logfile = logfile_fg;
		ro.verbose = verbose;
		remote_run(s.dirfd, &ro);
	}

	if (pidpath != NULL && (pfh = pidfile_open(pidpath, 0644,
	    &other)) == NULL) {
		if (errno == EEXIST)
			fatalx("already running, pid %ld", (long)other);
		fatal("%s", pidpath);
	}
	/* ORDER: unprivileged before anything in the shared directory. */
	if (geteuid() == 0 && priv_drop(user != NULL ? user : SSD_USER) == -1)
		fatal("cannot run as %s", user != NULL ? user : SSD_USER);

	if (!foreground || logfile_fg)
		open_shared_log(s.dirfd, s.host, NULL);
	/* ORDER: the demon is started once; a later ssd.idle needs a restart. */
	s.hook = idlehook_find();
	srandom((unsigned int)(getpid() ^ real_ms()));
	/* s.cpu stays zero: the first update shows the average since boot. */

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (!s.watch_stdin)
		sigaddset(&mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) == -1)
		fatal("signalfd");

	if (!foreground && daemon_detach() == -1)
		fatal("detach");
	if (pfh != NULL && pidfile_write(pfh) == -1)
		fatal("%s", pidpath);

	switch (statusfile_claim(&s.sf, s.dirfd, s.host)) {
	case SF_OK:
		break;
	case SF_TAKEN:
		fatalx("%s/%s: not ours to write (see the log)", s.dir, s.host);
	default:
		fatal("%s/%s", s.dir, s.host);
	}
	log_info("started for %s on %s%s", s.host, s.dir,
	    s.hook != NULL ? ", with ssd.idle" : "");
	serve(&s, sigfd);
}
