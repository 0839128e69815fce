/*
 * The switch from nfs-utils' rpc.statd: on the first start (a new status
 * file) its state folder (-P, /var/lib/nfs by default) is read, never
 * written:
 *   sm/NAME      one file per monitored host, a line per registration:
 *                "AAAAAAAA PPPPPPPP VVVVVVVV RRRRRRRR <32 hex> MON MY\n"
 *                (the lock manager's IPv4 address, prog, vers, proc in
 *                hex, the 16-byte priv, mon_name, my_name)
 *   sm.bak/NAME  the same lines, for hosts still owed an SM_NOTIFY
 *   state        the NSM state, a 4-byte int in host order
 * Every field is checked here before use: the files are written by
 * another program and could be damaged or planted, so a name is checked
 * as an SM_MON name is, a file is opened without following links and
 * read up to a bound, and a bad line or file is skipped and counted.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "statd.h"
#include "timeutil.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* n hex digits (n <= 8) at p into *out; -1 if one is not a digit. */
static int
hexfield(const char *p, int n, uint32_t *out)
{
	uint32_t v = 0;
	int i, d;

	for (i = 0; i < n; i++) {
		if ((d = hexval(p[i])) < 0)
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

/*
 * One name field: non-blank characters up to a blank or the end, no
 * longer than SM_MAXSTRLEN, and valid as an SM_MON name.  Returns the
 * length, or -1.
 */
static int
namefield(const char *p, size_t left, char out[SM_MAXSTRLEN + 1])
{
	size_t n = 0;

	while (n < left && p[n] != ' ')
		n++;
	if (n == 0 || n > SM_MAXSTRLEN)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	if (!sm_name_valid(out, n))
		return -1;
	return (int)n;
}

int
nsm_parse_line(const char *line, size_t len, struct nsm_rec *r)
{
	size_t at = 0;
	uint32_t v[4], b;
	int i, n;

	memset(r, 0, sizeof(*r));
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len < NSM_LINE_FIXED + 4 || len > NSM_LINE_MAX)
		return -1;
	for (i = 0; i < 4; i++, at += 9) {
		if (hexfield(line + at, 8, &v[i]) == -1 || line[at + 8] != ' ')
			return -1;
	}
	for (i = 0; i < SM_PRIV_SIZE; i++, at += 2) {
		if (hexfield(line + at, 2, &b) == -1)
			return -1;
		r->priv[i] = (unsigned char)b;
	}
	if (line[at++] != ' ')
		return -1;
	if ((n = namefield(line + at, len - at, r->mon_name)) == -1)
		return -1;
	at += (size_t)n;
	if (at >= len || line[at++] != ' ')
		return -1;
	if ((n = namefield(line + at, len - at, r->my_name)) == -1)
		return -1;
	if (at + (size_t)n != len)
		return -1;	/* a third name, or trailing blanks */
	r->addr = v[0];
	r->prog = v[1];
	r->vers = v[2];
	r->proc = v[3];
	return 0;
}

/*
 * Parse a whole file's bytes, line by line.  A line without its newline
 * is taken only at the very end (nfs-utils writes whole lines; a cut one
 * fails its own checks).
 */
void
nsm_parse_buf(const char *buf, size_t len, const char *file, nsm_rec_fn fn,
    void *arg, struct nsm_stats *st)
{
	struct nsm_rec r;
	size_t at = 0;
	unsigned long lineno = 0;

	while (at < len) {
		const char *nl = memchr(buf + at, '\n', len - at);
		size_t n = nl != NULL ? (size_t)(nl - (buf + at)) : len - at;

		lineno++;
		if (memchr(buf + at, '\0', n) != NULL ||
		    nsm_parse_line(buf + at, n, &r) == -1) {
			st->bad_lines++;
			log_warnx("%s: line %lu not understood, skipped",
			    esc(file), lineno);
		} else {
			st->lines++;
			fn(file, &r, arg);
		}
		at += n + 1;
	}
}

/* The file's bytes, or NULL (logged); *len set. */
static char *
slurp(int dirfd, const char *dir, const char *name, size_t *len)
{
	struct stat sb;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		log_warn("%s/%s", dir, esc(name));
		return NULL;
	}
	if (fstat(fd, &sb) == -1) {
		log_warn("%s/%s", dir, esc(name));
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		log_warnx("%s/%s: not a regular file, skipped", dir, esc(name));
		goto fail;
	}
	if (sb.st_size > NSM_FILE_MAX) {
		log_warnx("%s/%s: %lld bytes, more than %d, skipped", dir,
		    esc(name), (long long)sb.st_size, NSM_FILE_MAX);
		goto fail;
	}
	/* One more than the bound, to see a file that grew meanwhile. */
	if ((buf = malloc(NSM_FILE_MAX + 1)) == NULL) {
		log_warn("%s/%s", dir, esc(name));
		goto fail;
	}
	while (got <= NSM_FILE_MAX) {
		n = read(fd, buf + got, NSM_FILE_MAX + 1 - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_warn("%s/%s", dir, esc(name));
			goto fail;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > NSM_FILE_MAX) {
		log_warnx("%s/%s: more than %d bytes, skipped", dir, esc(name),
		    NSM_FILE_MAX);
		goto fail;
	}
	close(fd);
	*len = got;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

int
nsm_read_dir(const char *dir, nsm_rec_fn fn, void *arg, struct nsm_stats *st)
{
	struct dirent *de;
	DIR *d;
	int dfd;

	memset(st, 0, sizeof(*st));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd == -1) {
		if (errno == ENOENT)
			return 1;
		log_warn("%s", dir);
		return -1;
	}
	if ((d = fdopendir(dfd)) == NULL) {
		log_warn("%s", dir);
		close(dfd);
		return -1;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		size_t len;
		char *buf;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		/* nfs-utils' own temporary files, and hidden ones. */
		if (de->d_name[0] == '.' ||
		    !sm_name_valid(de->d_name, strlen(de->d_name))) {
			st->bad_files++;
			log_warnx("%s: file %s is not named after a host, "
			    "skipped", dir, esc(de->d_name));
			continue;
		}
		if ((buf = slurp(dfd, dir, de->d_name, &len)) == NULL) {
			st->bad_files++;
			continue;
		}
		st->files++;
		nsm_parse_buf(buf, len, de->d_name, fn, arg, st);
		free(buf);
	}
	if (errno != 0) {
		log_warn("%s", dir);
		closedir(d);
		return -1;
	}
	closedir(d);
	return 0;
}

int
nsm_read_state(const char *path, int *state, int64_t *mtime_s)
{
	struct stat sb;
	unsigned char b[5];
	ssize_t n;
	int fd, v;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOENT)
			return 1;
		log_warn("%s", path);
		return -1;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		log_warnx("%s: not a readable regular file", path);
		close(fd);
		return -1;
	}
	do
		n = read(fd, b, sizeof(b));
	while (n == -1 && errno == EINTR);
	close(fd);
	if (n != (ssize_t)sizeof(v)) {
		log_warnx("%s: %zd bytes where nfs-utils writes 4; no state "
		    "read from it", path, n);
		return -1;
	}
	memcpy(&v, b, sizeof(v));
	if (v <= 0 || v > INT_MAX - 4) {
		log_warnx("%s: state %d is out of range; not used", path, v);
		return -1;
	}
	*state = v;
	*mtime_s = (int64_t)sb.st_mtime;
	return 0;
}

/*
 * Boot time in seconds since 1970, from /proc/stat's btime line; -1 if
 * unknown.
 */
static int64_t
boot_time(void)
{
	char line[256];
	long long v;
	FILE *f;
	int64_t t = -1;

	if ((f = fopen("/proc/stat", "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "btime %lld", &v) == 1 && v > 0) {
			t = (int64_t)v;
			break;
		}
	fclose(f);
	return t;
}

struct import_ctx {
	unsigned long	 monitors, notifies, refused;
	char		**owed;		/* sm.bak's names, queued at the end */
	size_t		 nowed, cap;
};

static int
prog_allowed(uint32_t prog)
{
	int i;

	for (i = 0; i < conf.nallowed; i++)
		if (conf.allowed_progs[i] == prog)
			return 1;
	return 0;
}

static void
take_monitor(const char *file, const struct nsm_rec *r, void *arg)
{
	struct import_ctx *c = arg;
	int changed;

	if (!prog_allowed(r->prog)) {
		log_warnx("sm/%s: %s by %s: program %u is not one rpc.statd "
		    "calls back (-a), skipped", esc(file), esc(r->mon_name),
		    esc(r->my_name), r->prog);
		c->refused++;
		return;
	}
	if (!store_mon_fits(r->mon_name, r->my_name) ||
	    mon_insert(r->mon_name, r->my_name, r->prog, r->vers, r->proc,
	    r->priv, &changed) != MON_OK) {
		log_warnx("sm/%s: %s by %s: over the -m or -M bound, skipped",
		    esc(file), esc(r->mon_name), esc(r->my_name));
		c->refused++;
		return;
	}
	log_debug("imported monitor %s by %s prog %u vers %u proc %u",
	    esc(r->mon_name), esc(r->my_name), r->prog, r->vers, r->proc);
	c->monitors++;
}

static void
take_notify(const char *file, const struct nsm_rec *r, void *arg)
{
	struct import_ctx *c = arg;
	char **p;

	(void)file;
	if (c->nowed == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;

		if ((p = reallocarray(c->owed, cap, sizeof(*p))) == NULL) {
			log_warn("sm.bak: %s", esc(r->mon_name));
			c->refused++;
			return;
		}
		c->owed = p;
		c->cap = cap;
	}
	if ((c->owed[c->nowed] = strdup(r->mon_name)) == NULL) {
		log_warn("sm.bak: %s", esc(r->mon_name));
		c->refused++;
		return;
	}
	c->nowed++;
}

/* sm.bak's hosts, each once, owed an SM_NOTIFY with the new state. */
static void
queue_owed(struct import_ctx *c)
{
	int64_t now = real_ms();
	size_t i;

	for (i = 0; i < c->nowed; i++) {
		if (notify_queue(c->owed[i], sm_state, now) == -1) {
			log_warn("sm.bak: %s", esc(c->owed[i]));
			c->refused++;
		} else
			log_debug("imported pending notification of %s",
			    esc(c->owed[i]));
		free(c->owed[i]);
	}
	free(c->owed);
	c->owed = NULL;
}

/* The state above any nfs-utils' statd may have sent: odd and greater. */
int
import_next_state(int old)
{
	return old + ((old & 1) ? 2 : 1);
}

int
import_nfs_utils(const char *dir)
{
	struct import_ctx c;
	struct nsm_stats ms, ns;
	char path[PATH_MAX];
	int64_t mtime = 0, bt;
	int state = 0, rs, rm, rn, rebooted = 0;

	memset(&c, 0, sizeof(c));
	if (snprintf(path, sizeof(path), "%s/state", dir) >=
	    (int)sizeof(path)) {
		log_warnx("-P %s: name too long", dir);
		return -1;
	}
	rs = nsm_read_state(path, &state, &mtime);
	(void)snprintf(path, sizeof(path), "%s/sm", dir);
	rm = nsm_read_dir(path, take_monitor, &c, &ms);
	(void)snprintf(path, sizeof(path), "%s/sm.bak", dir);
	rn = nsm_read_dir(path, take_notify, &c, &ns);
	if (rm == -1 || rn == -1) {
		for (size_t i = 0; i < c.nowed; i++)
			free(c.owed[i]);
		free(c.owed);
		log_warnx("%s: nfs-utils' statd folder cannot be read; not "
		    "starting without its monitors", dir);
		return -1;
	}
	/*
	 * Empty sm/ and sm.bak/ without a state file: what nfs-common's
	 * package leaves before its statd ever ran.  Nothing to continue.
	 */
	if (rs == 1 && c.monitors == 0 && c.nowed == 0 && c.refused == 0 &&
	    (rm == 1 || ms.files + ms.bad_files == 0) &&
	    (rn == 1 || ns.files + ns.bad_files == 0)) {
		log_debug("%s: no nfs-utils statd state to import", dir);
		return 0;
	}
	if (rs == 0)
		sm_state = import_next_state(state);
	else {
		/*
		 * A statd ran here and its state is lost: take a state no
		 * restart-counting statd reaches (as --fresh-state does).
		 */
		sm_state = store_clock_floor();
		log_warnx("%s/state: no state read; taking state %d", dir,
		    sm_state);
	}
	queue_owed(&c);
	c.notifies = notify_pending();
	/*
	 * nfs-utils' sm-notify rewrites the state at every boot: a state
	 * written before this boot means the host rebooted since its statd
	 * last ran, and the monitors of sm/ belong to a lock manager that
	 * is gone: its hosts are owed an SM_NOTIFY, as sm-notify would.
	 */
	bt = boot_time();
	if (rs == 0 && bt > 0 && mtime < bt)
		rebooted = 1;
	log_info("imported from nfs-utils' %s (read only): state %d, now %d; "
	    "%lu monitors from %lu files of sm; %lu pending notifications "
	    "from %lu files of sm.bak; skipped %lu lines, %lu files, %lu "
	    "entries", dir, state, sm_state, c.monitors, ms.files, c.notifies,
	    ns.files, ms.bad_lines + ns.bad_lines, ms.bad_files + ns.bad_files,
	    c.refused);
	if (store_compact() == -1) {
		log_warnx("%s: cannot record what was imported",
		    conf.statusfile);
		return -1;
	}
	if (rebooted && sm_crash("rebooted since nfs-utils' statd last "
	    "wrote its state") == -1)
		return -1;
	return 1;
}
