/*
 * rpc.statd's sm-notify mode: nfs-utils' sm-notify command for fail-over.
 *
 * Run as "sm-notify" (a link to rpc.statd) or as "rpc.statd -N".  With
 * -P DIR (a folder of nfs-utils' layout: sm/, sm.bak/, state) it does what
 * nfs-utils' sm-notify does there: the hosts of sm/ move to sm.bak/, the
 * state advances to the next odd number (not with -n), and each host of
 * sm.bak/ gets SM_NOTIFY (mon_name: -v, else the my_name recorded for it)
 * until it answers, when its sm.bak/ file goes, or -m minutes pass.
 * Without -P it writes and sends nothing: this host's own notifications
 * are rpc.statd's, sent from its status file when it starts (rpc.statd.8).
 *
 * The "already ran since boot" mark is a pid file in /run (a tmpfs, empty
 * after a boot), created exclusively as nfs-utils does; -f runs anyway.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <rpc/rpc.h>
#include <rpc/pmap_prot.h>

#include "daemon.h"
#include "log.h"
#include "smnotify.h"
#include "statd.h"
#include "statefile.h"
#include "timeutil.h"

#define SMN_REPLY_MS		1000	/* an exchange's answer time */
#define SMN_MAX_DELAY_MS	60000	/* between attempts, at most */
#define SMN_MAX_HOSTS		1000000

static const char smn_usage_text[] =
    "usage: sm-notify [-dfn] [-m minutes] [-P folder] [-p port] "
    "[-v name|address]\n"
    "                 [--pid-file file]\n";

enum { SMN_OPT_PIDFILE = 256, SMN_OPT_HELP };
static const struct option smn_longopts[] = {
	{ "pid-file", required_argument, NULL, SMN_OPT_PIDFILE },
	{ "help", no_argument, NULL, SMN_OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

static int
smn_number(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || *s == '-' ||
	    *s == '+' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

void
smn_defaults(struct smn_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->minutes = SMN_DEFAULT_MINUTES;
	c->pidfile = SMN_DEFAULT_PIDFILE;
}

int
smn_parse(int argc, char *argv[], struct smn_conf *c, char *err,
    size_t errlen)
{
	long v;
	int ch;

	smn_defaults(c);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":dfm:nP:p:v:", smn_longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'd':
			c->debug = 1;
			break;
		case 'f':
			c->force = 1;
			break;
		case 'n':
			c->no_update = 1;
			break;
		case 'm':
			if (smn_number(optarg, 0, SMN_MAX_MINUTES, &v) == -1) {
				snprintf(err, errlen, "-m %s: minutes to retry "
				    "must be a number from 0 (for ever) to %d",
				    esc(optarg), SMN_MAX_MINUTES);
				return -1;
			}
			c->minutes = (int)v;
			break;
		case 'P':
			if (*optarg == '\0' || strlen(optarg) >= PATH_MAX - 64) {
				snprintf(err, errlen, "-P: a folder name is "
				    "needed, shorter than %d bytes",
				    PATH_MAX - 64);
				return -1;
			}
			c->dir = optarg;
			break;
		case 'p':
			if (smn_number(optarg, 1, 65535, &v) == -1) {
				snprintf(err, errlen, "-p %s: the source port "
				    "must be a number from 1 to 65535",
				    esc(optarg));
				return -1;
			}
			c->port = (int)v;
			break;
		case 'v':
			if (!sm_name_valid(optarg, strlen(optarg))) {
				snprintf(err, errlen, "-v %s: not a host name or "
				    "address (1 to %d printable characters, no "
				    "blank or '/', not starting with '.')",
				    esc(optarg), SM_MAXSTRLEN);
				return -1;
			}
			c->srcname = optarg;
			break;
		case SMN_OPT_PIDFILE:
			c->pidfile = *optarg != '\0' ? optarg : NULL;
			break;
		case SMN_OPT_HELP:
			return 1;
		case ':':
			snprintf(err, errlen, "option %s needs an argument",
			    argv[optind - 1]);
			return -1;
		default:
			if (optopt != 0)
				snprintf(err, errlen, "unknown option -%c",
				    optopt);
			else
				snprintf(err, errlen, "unknown option %s",
				    esc(argv[optind - 1]));
			return -1;
		}
	}
	if (optind != argc) {
		snprintf(err, errlen, "unexpected argument %s",
		    esc(argv[optind]));
		return -1;
	}
	return 0;
}

/* One host of sm.bak/. */
struct smn_host {
	char		*file;		/* its name in sm.bak/ */
	char		 mon_name[SM_MAXSTRLEN + 1];
	char		 my_name[SM_MAXSTRLEN + 1];
	int		 have;		/* a record was read */
	int		 done;
	int		 naddrs, addr;
	struct sockaddr_storage addrs[4];
	int64_t		 due;		/* mono_ms() of the next step */
	unsigned	 attempts;
	int		 phase;		/* 0 idle, 1 GETPORT, 2 NOTIFY */
	struct rpcio	*io;
	uint32_t	 xid;
	u_long		 port;
};

struct smn_run {
	const struct smn_conf *c;
	struct smn_host	*hosts;
	size_t		 nhosts, cap, left;
	int		 state;
	int		 sm_dfd, bak_dfd;
	struct rpcio	*io4, *io6;
	struct sockaddr_storage src;	/* -v as an address */
	int		 have_src;
};

static struct smn_host *
host_for(struct smn_run *r, const char *file)
{
	struct smn_host *h;

	/* nsm_read_dir gives a file's lines together, each file once. */
	if (r->nhosts > 0 && strcmp(r->hosts[r->nhosts - 1].file, file) == 0)
		return &r->hosts[r->nhosts - 1];
	if (r->nhosts == SMN_MAX_HOSTS)
		return NULL;
	if (r->nhosts == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;

		if ((h = reallocarray(r->hosts, cap, sizeof(*h))) == NULL)
			return NULL;
		r->hosts = h;
		r->cap = cap;
	}
	h = &r->hosts[r->nhosts];
	memset(h, 0, sizeof(*h));
	if ((h->file = strdup(file)) == NULL)
		return NULL;
	r->nhosts++;
	return h;
}

static void
take_host(const char *file, const struct nsm_rec *rec, void *arg)
{
	struct smn_run *r = arg;
	struct smn_host *h;

	if ((h = host_for(r, file)) == NULL) {
		log_warn("sm.bak/%s", esc(file));
		return;
	}
	if (h->have)
		return;		/* the first line names the host */
	h->have = 1;
	memcpy(h->mon_name, rec->mon_name, sizeof(h->mon_name));
	memcpy(h->my_name, rec->my_name, sizeof(h->my_name));
}

/*
 * sm/'s files move to sm.bak/ (an existing one there is replaced: the
 * newer registration), as nfs-utils' sm-notify does.  Files not named
 * after a host, and what is not a regular file, are left alone.
 */
static int
retire_monitored(struct smn_run *r, const char *dir)
{
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int fd, moved = 0;

	if ((fd = dup(r->sm_dfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		log_warn("%s/sm", dir);
		if (fd != -1)
			close(fd);
		return -1;
	}
	rewinddir(d);
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    !sm_name_valid(de->d_name, strlen(de->d_name)))
			continue;
		if (fstatat(r->sm_dfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW)
		    == -1 || !S_ISREG(sb.st_mode)) {
			log_warnx("%s/sm/%s: not a regular file, left alone",
			    dir, esc(de->d_name));
			continue;
		}
		if (renameat(r->sm_dfd, de->d_name, r->bak_dfd, de->d_name)
		    == -1) {
			log_warn("%s/sm/%s: cannot move it to sm.bak", dir,
			    esc(de->d_name));
			closedir(d);
			return -1;
		}
		moved++;
	}
	closedir(d);
	log_debug("%s: %d hosts moved from sm to sm.bak", dir, moved);
	if (moved > 0 && (fsync(r->bak_dfd) == -1 || fsync(r->sm_dfd) == -1)) {
		log_warn("%s: sync", dir);
		return -1;
	}
	return moved;
}

/*
 * What is made in the folder belongs to the folder's owner (nfs-utils'
 * statd runs as that user and must go on writing there).  That owner may
 * put a symbolic link in the name's place meanwhile: the link itself is
 * given, never what it points to.
 */
static void
give(const char *path, const struct stat *dirsb)
{
	if (geteuid() == 0 && fchownat(AT_FDCWD, path, dirsb->st_uid,
	    dirsb->st_gid, AT_SYMLINK_NOFOLLOW) == -1)
		log_warn("chown %s", path);
}

/* The state file, as nfs-utils writes it: 4 bytes in host order. */
static int
write_state(const char *dir, int state, const struct stat *dirsb)
{
	char path[PATH_MAX];

	(void)snprintf(path, sizeof(path), "%s/state", dir);
	if (statefile_replace(path, &state, sizeof(state), 0644) == -1) {
		log_warn("%s", path);
		return -1;
	}
	give(path, dirsb);
	return 0;
}

/* "Already ran since boot": the mark exists; else it is made now. */
static int
mark_run(const struct smn_conf *c)
{
	char buf[32];
	int fd, n;

	if (c->pidfile == NULL)
		return 0;
	fd = open(c->pidfile, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
	    (c->force ? O_TRUNC : O_EXCL), 0644);
	if (fd == -1 && errno == EEXIST)
		return 1;
	if (fd == -1) {
		log_warn("%s", c->pidfile);
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		log_warn("%s", c->pidfile);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int
open_sub(const char *dir, const char *sub, const struct stat *dirsb)
{
	char path[PATH_MAX];
	int fd, create = dirsb != NULL;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (create) {
		if (mkdir(path, 0700) == 0)
			give(path, dirsb);
		else if (errno != EEXIST) {
			log_warn("%s", path);
			return -1;
		}
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && !(errno == ENOENT && !create))
		log_warn("%s", path);
	return fd;
}

static struct rpcio *
new_io(struct smn_run *r, int family)
{
	struct sockaddr_storage ss;
	struct rpcio *io;
	socklen_t len;

	if (r->have_src && r->src.ss_family != family)
		return NULL;	/* -v's family only */
	if ((io = rpcio_new(family, 0)) == NULL)
		return NULL;
	if (!r->have_src && r->c->port == 0)
		return io;
	memset(&ss, 0, sizeof(ss));
	if (r->have_src)
		memcpy(&ss, &r->src, sizeof(ss));
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET) {
		((struct sockaddr_in *)&ss)->sin_port =
		    htons((uint16_t)r->c->port);
		len = sizeof(struct sockaddr_in);
	} else {
		((struct sockaddr_in6 *)&ss)->sin6_port =
		    htons((uint16_t)r->c->port);
		len = sizeof(struct sockaddr_in6);
	}
	if (bind(rpcio_fd(io), (struct sockaddr *)&ss, len) == -1) {
		char a[64];

		log_warn("cannot send from %s port %d",
		    r->have_src ? sm_addr_str((struct sockaddr *)&r->src, a,
		    sizeof(a)) : "any address", r->c->port);
		rpcio_free(io);
		return NULL;
	}
	return io;
}

static void
resolve_host(struct smn_run *r, struct smn_host *h)
{
	struct addrinfo hints, *res, *ai;
	struct sockaddr_storage ss;
	int err;

	h->naddrs = 0;
	h->addr = 0;
	if (sm_parse_numeric(h->mon_name, &ss) == 0) {
		h->addrs[h->naddrs++] = ss;
		return;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = r->have_src ? r->src.ss_family : AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	if ((err = getaddrinfo(h->mon_name, NULL, &hints, &res)) != 0) {
		log_debug("%s: cannot resolve: %s", esc(h->mon_name),
		    gai_strerror(err));
		return;
	}
	for (ai = res; ai != NULL && h->naddrs < 4; ai = ai->ai_next)
		if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
		    ai->ai_addrlen <= sizeof(ss)) {
			memset(&h->addrs[h->naddrs], 0, sizeof(ss));
			memcpy(&h->addrs[h->naddrs++], ai->ai_addr,
			    ai->ai_addrlen);
		}
	freeaddrinfo(res);
}

static void
set_port(struct sockaddr_storage *ss, unsigned port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
}

static struct smn_run *cur;	/* for the callbacks */

static void
retry_later(struct smn_host *h)
{
	int64_t d = 1000LL << (h->attempts < 7 ? h->attempts - 1 : 6);

	if (h->xid != 0 && h->io != NULL)
		rpcio_cancel(h->io, h->xid);
	h->xid = 0;
	h->phase = 0;
	if (d > SMN_MAX_DELAY_MS)
		d = SMN_MAX_DELAY_MS;
	if (h->naddrs > 1)
		h->addr = (h->addr + 1) % h->naddrs;
	h->due = mono_ms() + d;
}

static void
notified(void *arg, int err)
{
	struct smn_host *h = arg;
	char a[64];

	h->xid = 0;
	if (err != 0) {
		log_debug("SM_NOTIFY to %s: rejected", esc(h->mon_name));
		retry_later(h);
		return;
	}
	h->done = 1;
	h->phase = 0;
	cur->left--;
	log_info("notified %s (%s) of state %d", esc(h->mon_name),
	    sm_addr_str((struct sockaddr *)&h->addrs[h->addr], a, sizeof(a)),
	    cur->state);
	if (unlinkat(cur->bak_dfd, h->file, 0) == -1 && errno != ENOENT)
		log_warn("sm.bak/%s", esc(h->file));
}

static void
got_port(void *arg, int err)
{
	struct smn_host *h = arg;
	struct sockaddr_storage to;
	stat_chge args;

	h->xid = 0;
	if (err != 0 || h->port == 0 || h->port > 65535) {
		log_debug("GETPORT at %s: %s", esc(h->mon_name),
		    err ? "rejected" : "statd not registered");
		retry_later(h);
		return;
	}
	to = h->addrs[h->addr];
	set_port(&to, (unsigned)h->port);
	args.mon_name = (char *)(uintptr_t)(cur->c->srcname != NULL ?
	    cur->c->srcname : h->my_name);
	args.state = cur->state;
	h->phase = 2;
	h->due = mono_ms() + SMN_REPLY_MS;
	h->xid = rpcio_call(h->io, (struct sockaddr *)&to, SM_PROG, SM_VERS,
	    SM_NOTIFY, (xdrproc_t)xdr_stat_chge, &args,
	    (xdrproc_t)sm_xdr_void, NULL, notified, h);
}

static void
attempt(struct smn_run *r, struct smn_host *h)
{
	struct sockaddr_storage to;
	struct pmap pm;

	h->attempts++;
	if (h->naddrs == 0 || h->attempts % 8 == 0)
		resolve_host(r, h);
	if (h->naddrs == 0) {
		retry_later(h);
		return;
	}
	to = h->addrs[h->addr];
	h->io = to.ss_family == AF_INET6 ? r->io6 : r->io4;
	if (h->io == NULL) {
		retry_later(h);
		return;
	}
	set_port(&to, PMAPPORT);
	pm.pm_prog = SM_PROG;
	pm.pm_vers = SM_VERS;
	pm.pm_prot = IPPROTO_UDP;
	pm.pm_port = 0;
	h->port = 0;
	h->phase = 1;
	h->due = mono_ms() + SMN_REPLY_MS;
	log_debug("notifying %s, attempt %u", esc(h->mon_name), h->attempts);
	h->xid = rpcio_call(h->io, (struct sockaddr *)&to, PMAPPROG, PMAPVERS,
	    PMAPPROC_GETPORT, (xdrproc_t)xdr_pmap, &pm, (xdrproc_t)xdr_u_long,
	    &h->port, got_port, h);
}

/* Until every host answered or the deadline; 0, or 3 if some did not. */
static int
send_all(struct smn_run *r)
{
	int64_t start = mono_ms(), deadline, now, next;
	int detached = r->c->debug, first_round = 1;
	size_t i;

	deadline = r->c->minutes == 0 ? INT64_MAX :
	    start + (int64_t)r->c->minutes * 60000;
	for (i = 0; i < r->nhosts; i++)
		r->hosts[i].due = start;
	while (r->left > 0) {
		struct pollfd pfd[2];
		int n;

		now = mono_ms();
		if (now >= deadline)
			break;
		next = deadline;
		for (i = 0; i < r->nhosts; i++) {
			struct smn_host *h = &r->hosts[i];

			if (h->done)
				continue;
			if (h->due <= now) {
				if (h->phase != 0) {
					log_debug("%s: no answer (attempt %u)",
					    esc(h->mon_name), h->attempts);
					retry_later(h);
				} else
					attempt(r, h);
			}
			if (!h->done && h->due < next)
				next = h->due;
		}
		/*
		 * Without -d, once every host had its first try, the rest
		 * goes on in the background (as nfs-utils' sm-notify), so
		 * that a boot does not wait for hosts that are down.
		 */
		if (first_round) {
			int busy = 0;

			for (i = 0; i < r->nhosts; i++)
				if (!r->hosts[i].done && r->hosts[i].phase != 0)
					busy = 1;
			if (!busy)
				first_round = 0;
		}
		if (!first_round && !detached && r->left > 0) {
			log_info("%zu hosts not answering yet; retrying in "
			    "the background", r->left);
			if (daemon_detach() == -1)
				fatal("detach");
			log_init(0, LOG_DAEMON);
			daemon_ready();
			detached = 1;
		}
		pfd[0].fd = r->io4 != NULL ? rpcio_fd(r->io4) : -1;
		pfd[1].fd = r->io6 != NULL ? rpcio_fd(r->io6) : -1;
		pfd[0].events = pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		now = mono_ms();
		n = poll(pfd, 2, next > now ? (int)(next - now > 60000 ? 60000 :
		    next - now) : 0);
		if (n == -1 && errno != EINTR)
			fatal("poll");
		if (n > 0 && (pfd[0].revents & POLLIN))
			rpcio_input(r->io4);
		if (n > 0 && (pfd[1].revents & POLLIN))
			rpcio_input(r->io6);
	}
	if (r->left == 0)
		return 0;
	for (i = 0; i < r->nhosts; i++)
		if (!r->hosts[i].done)
			log_warnx("gave up notifying %s after %u attempts in %d "
			    "minutes; it stays in sm.bak",
			    esc(r->hosts[i].mon_name), r->hosts[i].attempts,
			    r->c->minutes);
	return SMN_EXIT_UNREACHED;
}

int
smn_run(const struct smn_conf *c)
{
	struct smn_run r;
	struct nsm_stats st;
	char path[PATH_MAX];
	int64_t mtime;
	int old = 0, rs, rc = 1;
	struct stat sb;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.c = c;
	r.sm_dfd = r.bak_dfd = -1;
	cur = &r;
	if (c->dir == NULL) {
		log_info("no -P folder: nothing to do.  This host's own "
		    "notifications are rpc.statd's, sent from its status "
		    "file when it starts; -P names an nfs-utils state folder "
		    "to notify for (fail-over)");
		return 0;
	}
	if (stat(c->dir, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		log_warnx("-P %s: not a folder", esc(c->dir));
		return 1;
	}
	if (c->srcname != NULL && sm_parse_numeric(c->srcname, &r.src) == 0)
		r.have_src = 1;
	switch (mark_run(c)) {
	case 1:
		log_info("already ran since boot (%s exists); nothing done "
		    "(-f runs again)", c->pidfile);
		return 0;
	case -1:
		return 1;
	}
	if ((r.sm_dfd = open_sub(c->dir, "sm", NULL)) == -1 && errno != ENOENT)
		goto out;
	if ((r.bak_dfd = open_sub(c->dir, "sm.bak", &sb)) == -1)
		goto out;
	if (r.sm_dfd != -1 && retire_monitored(&r, c->dir) == -1)
		goto out;
	(void)snprintf(path, sizeof(path), "%s/sm.bak", c->dir);
	if (nsm_read_dir(path, take_host, &r, &st) == -1)
		goto out;
	for (i = 0; i < r.nhosts; i++)
		if (r.hosts[i].have)
			r.left++;
	if (r.left == 0) {
		log_info("%s: no hosts to notify", esc(c->dir));
		rc = 0;
		goto out;
	}
	(void)snprintf(path, sizeof(path), "%s/state", c->dir);
	rs = nsm_read_state(path, &old, &mtime);
	if (rs == -1 && !c->no_update) {
		log_warnx("%s: damaged; taking a state above any a statd "
		    "restarted once a minute reaches", path);
		old = store_clock_floor() - 1;
	}
	if (c->no_update) {
		if (rs != 0) {
			log_warnx("-n: %s holds no state to send", path);
			goto out;
		}
		r.state = old;
	} else {
		r.state = rs == 1 ? 1 : import_next_state(old);
		if (write_state(c->dir, r.state, &sb) == -1)
			goto out;
		/* Only this host's own state is the kernel's lockd's. */
		if (c->srcname == NULL && geteuid() == 0)
			(void)kernel_write_int(NSM_KERNEL_STATE, r.state);
	}
	r.io4 = new_io(&r, AF_INET);
	r.io6 = new_io(&r, AF_INET6);
	if (r.io4 == NULL && r.io6 == NULL) {
		log_warnx("no socket to send notifications from");
		goto out;
	}
	log_info("%s: notifying %zu hosts of state %d%s%s", esc(c->dir),
	    r.left, r.state, c->srcname ? " as " : "",
	    c->srcname ? esc(c->srcname) : "");
	rc = send_all(&r);
out:
	for (i = 0; i < r.nhosts; i++) {
		if (r.hosts[i].xid != 0 && r.hosts[i].io != NULL)
			rpcio_cancel(r.hosts[i].io, r.hosts[i].xid);
		free(r.hosts[i].file);
	}
	free(r.hosts);
	rpcio_free(r.io4);
	rpcio_free(r.io6);
	if (r.sm_dfd != -1)
		close(r.sm_dfd);
	if (r.bak_dfd != -1)
		close(r.bak_dfd);
	cur = NULL;
	return rc;
}

int
smnotify_main(int argc, char *argv[])
{
	struct smn_conf c;
	char err[256];

	log_procname("sm-notify");
	log_init(1, LOG_DAEMON);
	switch (smn_parse(argc, argv, &c, err, sizeof(err))) {
	case 1:
		fputs(smn_usage_text, stdout);
		return 0;
	case -1:
		log_warnx("%s", err);
		fputs(smn_usage_text, stderr);
		return 1;
	}
	log_setverbose(c.debug);
	return smn_run(&c);
}
