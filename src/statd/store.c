/*
 * The status file: one binary record log (src/common/reclog.c) holding the
 * NSM state, the monitor list and the pending notifications.
 *
 * Records (integers little-endian; names not NUL-terminated):
 *   'S' u32 state, 36 bytes boot id            the state and the boot it is for
 *   'M' u32 prog, vers, proc, 16 bytes priv,   an entry (or its new priv)
 *       u16 mon_len, u16 my_len, mon_name, my_name
 *   'U' u32 prog, vers, proc, u16 mon_len,     an entry removed
 *       u16 my_len, mon_name, my_name
 *   'A' u32 prog, vers, proc, u16 my_len,      SM_UNMON_ALL
 *       my_name
 *   'N' u32 state, i64 since (ms since 1970),  a notification to send
 *       u16 len, mon_name
 *   'D' u16 len, mon_name                      that notification finished
 * With the reclog's 8 bytes of framing an entry costs 41 bytes plus its
 * two names.  Each change is appended and fdatasync'ed before the reply
 * (O(1) per request); when dead records outweigh live ones the file is
 * rewritten from memory by durable replace.
 *
 * The state is written twice, an 'S' at the start of the file and another
 * after its entries (both in one commit for a new file), so that a damaged
 * record cannot take it: the replay skips a damaged record and goes on,
 * and the highest state of any good 'S' is the state.  A file that should
 * hold a state and holds none is refused, unless the administrator says
 * to start afresh (conf.fresh_state); see store_open and store_recover.
 *
 * The live records (what a compaction writes) are bounded by conf.max_bytes
 * as well as by the number of entries, so that memory, the file and the
 * root parent's copy of it (PRIVSEP_MAX) stay within known sizes.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "reclog.h"
#include "statd.h"
#include "statefile.h"
#include "timeutil.h"

#define REC_MAX		(1 + 12 + SM_PRIV_SIZE + 4 + 2 * SM_MAXSTRLEN)
#define COMPACT_MIN	(1024 * 1024)	/* dead bytes before compacting */
#define FRAMING		8
#define STATE_REC	(FRAMING + 1 + 4 + 36)
#define FILE_HEADER	16

static struct reclog *rl;
static off_t	 dead_bytes;
/*
 * Bytes appended since the last commit (they count within -M before they
 * reach the file), the commits that wrote, and a test's look at each
 * commit before it writes (store_set_commit_hook).
 */
static off_t	 batch_bytes;
static unsigned long long ncommits;
static void	(*commit_hook)(void *);
static void	*commit_hook_arg;
char		 sm_boot_id[37];

struct buf {
	unsigned char	b[REC_MAX];
	size_t		len;
};

static void put8(struct buf *b, unsigned v) { b->b[b->len++] = (unsigned char)v; }
static void
put16(struct buf *b, unsigned v)
{
	put8(b, v & 0xff);
	put8(b, (v >> 8) & 0xff);
}
static void
put32(struct buf *b, uint32_t v)
{
	put16(b, v & 0xffff);
	put16(b, v >> 16);
}
static void
put64(struct buf *b, uint64_t v)
{
	put32(b, (uint32_t)v);
	put32(b, (uint32_t)(v >> 32));
}
static void
putbytes(struct buf *b, const void *p, size_t n)
{
	memcpy(b->b + b->len, p, n);
	b->len += n;
}

/* A reader that fails (returns -1) instead of reading past the record. */
struct rd {
	const unsigned char *p;
	size_t		left;
};

static int
get(struct rd *r, void *out, size_t n)
{
	if (r->left < n)
		return -1;
	memcpy(out, r->p, n);
	r->p += n;
	r->left -= n;
	return 0;
}

static int
get16(struct rd *r, unsigned *v)
{
	unsigned char c[2];

	if (get(r, c, 2) == -1)
		return -1;
	*v = c[0] | (unsigned)c[1] << 8;
	return 0;
}

static int
get32(struct rd *r, uint32_t *v)
{
	unsigned char c[4];

	if (get(r, c, 4) == -1)
		return -1;
	*v = c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 |
	    (uint32_t)c[3] << 24;
	return 0;
}

static int
get64(struct rd *r, uint64_t *v)
{
	uint32_t lo, hi;

	if (get32(r, &lo) == -1 || get32(r, &hi) == -1)
		return -1;
	*v = lo | (uint64_t)hi << 32;
	return 0;
}

/* A name of len bytes into out (NUL-terminated); -1 if invalid. */
static int
getname(struct rd *r, unsigned len, char out[SM_MAXSTRLEN + 1])
{
	if (len == 0 || len > SM_MAXSTRLEN || get(r, out, len) == -1)
		return -1;
	out[len] = '\0';
	return sm_name_valid(out, len) ? 0 : -1;
}

static void
enc_id(struct buf *b, uint32_t prog, uint32_t vers, uint32_t proc)
{
	put32(b, prog);
	put32(b, vers);
	put32(b, proc);
}

static void
enc_mon(struct buf *b, const struct sm_entry *e)
{
	size_t ml = strlen(e->host->name), yl = strlen(e->my_name);

	b->len = 0;
	put8(b, 'M');
	enc_id(b, e->my_prog, e->my_vers, e->my_proc);
	putbytes(b, e->priv, SM_PRIV_SIZE);
	put16(b, (unsigned)ml);
	put16(b, (unsigned)yl);
	putbytes(b, e->host->name, ml);
	putbytes(b, e->my_name, yl);
}

static size_t
mon_rec_size(const char *mon_name, const char *my_name)
{
	return FRAMING + 1 + 12 + SM_PRIV_SIZE + 4 + strlen(mon_name) +
	    strlen(my_name);
}

static void
enc_state(struct buf *b, int state, const char *boot_id)
{
	b->len = 0;
	put8(b, 'S');
	put32(b, (uint32_t)state);
	putbytes(b, boot_id, 36);
}

static void
enc_notify(struct buf *b, const char *name, int state, int64_t since)
{
	size_t l = strlen(name);

	b->len = 0;
	put8(b, 'N');
	put32(b, (uint32_t)state);
	put64(b, (uint64_t)since);
	put16(b, (unsigned)l);
	putbytes(b, name, l);
}

/*
 * Replay handler, also used by the listing: a struct of callbacks so that
 * `rpc.statd -l` prints what the daemon would load.
 */
struct replay_ops {
	void	(*state)(int state, const char *boot_id, void *arg);
	void	(*mon)(const char *mname, const char *my, uint32_t prog,
		    uint32_t vers, uint32_t proc, const unsigned char *priv,
		    void *arg);
	void	(*unmon)(const char *mname, const char *my, uint32_t prog,
		    uint32_t vers, uint32_t proc, void *arg);
	void	(*unmon_all)(const char *my, uint32_t prog, uint32_t vers,
		    uint32_t proc, void *arg);
	void	(*notify)(const char *mname, int state, int64_t since, void *arg);
	void	(*done)(const char *mname, void *arg);
	void	*arg;
	unsigned long bad;
};

static int
decode(const void *rec, size_t len, int flags, uint64_t where, void *arg)
{
	struct replay_ops *ops = arg;
	struct rd r = { rec, len };
	char mname[SM_MAXSTRLEN + 1], my[SM_MAXSTRLEN + 1], boot[37];
	unsigned char type, priv[SM_PRIV_SIZE];
	uint32_t prog, vers, proc, state;
	uint64_t since;
	unsigned ml, yl;

	(void)flags;
	(void)where;
	if (get(&r, &type, 1) == -1)
		goto bad;
	switch (type) {
	case 'S':
		if (get32(&r, &state) == -1 || get(&r, boot, 36) == -1)
			goto bad;
		boot[36] = '\0';
		ops->state((int)state, boot, ops->arg);
		break;
	case 'M':
		if (get32(&r, &prog) == -1 || get32(&r, &vers) == -1 ||
		    get32(&r, &proc) == -1 || get(&r, priv, sizeof(priv)) == -1 ||
		    get16(&r, &ml) == -1 || get16(&r, &yl) == -1 ||
		    getname(&r, ml, mname) == -1 || getname(&r, yl, my) == -1)
			goto bad;
		ops->mon(mname, my, prog, vers, proc, priv, ops->arg);
		break;
	case 'U':
		if (get32(&r, &prog) == -1 || get32(&r, &vers) == -1 ||
		    get32(&r, &proc) == -1 || get16(&r, &ml) == -1 ||
		    get16(&r, &yl) == -1 || getname(&r, ml, mname) == -1 ||
		    getname(&r, yl, my) == -1)
			goto bad;
		ops->unmon(mname, my, prog, vers, proc, ops->arg);
		break;
	case 'A':
		if (get32(&r, &prog) == -1 || get32(&r, &vers) == -1 ||
		    get32(&r, &proc) == -1 || get16(&r, &yl) == -1 ||
		    getname(&r, yl, my) == -1)
			goto bad;
		ops->unmon_all(my, prog, vers, proc, ops->arg);
		break;
	case 'N':
		if (get32(&r, &state) == -1 || get64(&r, &since) == -1 ||
		    get16(&r, &ml) == -1 || getname(&r, ml, mname) == -1)
			goto bad;
		ops->notify(mname, (int)state, (int64_t)since, ops->arg);
		break;
	case 'D':
		if (get16(&r, &ml) == -1 || getname(&r, ml, mname) == -1)
			goto bad;
		ops->done(mname, ops->arg);
		break;
	default:
		goto bad;
	}
	if (r.left != 0)
		goto bad;
	return 0;
bad:
	/*
	 * The checksum was good, so this is a record we do not understand
	 * (a newer version, or a bug): skip it rather than lose the rest.
	 */
	ops->bad++;
	return 0;
}

/* Replay into the daemon's memory. */
static void
load_state(int state, const char *boot_id, void *arg)
{
	struct store_replay *rp = arg;

	/* The highest state recorded is the state; a later copy wins ties. */
	if (!rp->have_state || state > rp->state) {
		rp->state = state;
		rp->state_copies = 0;
	}
	if (state == rp->state) {
		rp->have_state = 1;
		rp->state_copies++;
		memcpy(rp->boot_id, boot_id, 37);
	}
	if (state > rp->highest_seen)
		rp->highest_seen = state;
}

static void
load_mon(const char *mname, const char *my, uint32_t prog, uint32_t vers,
    uint32_t proc, const unsigned char *priv, void *arg)
{
	struct sm_entry *e = mon_find(mname, my, prog, vers, proc);
	int changed;

	(void)arg;
	if (e != NULL)
		dead_bytes += (off_t)mon_rec_size(mname, my);
	if (mon_insert(mname, my, prog, vers, proc, priv, &changed) != MON_OK)
		log_warnx("%s: entry %s dropped: monitor list full (-m)",
		    conf.statusfile, esc(mname));
}

static void
load_unmon(const char *mname, const char *my, uint32_t prog, uint32_t vers,
    uint32_t proc, void *arg)
{
	(void)arg;
	if (mon_remove(mname, my, prog, vers, proc))
		dead_bytes += (off_t)mon_rec_size(mname, my);
	dead_bytes += (off_t)(FRAMING + 17 + strlen(mname) + strlen(my));
}

struct unmon_all_arg {
	const char	*my;
	uint32_t	 prog, vers, proc;
	off_t		 bytes;
};

static void
count_dead(struct sm_entry *e, void *arg)
{
	struct unmon_all_arg *a = arg;

	if (e->my_prog == a->prog && e->my_vers == a->vers &&
	    e->my_proc == a->proc && strcmp(e->my_name, a->my) == 0)
		a->bytes += (off_t)mon_rec_size(e->host->name, e->my_name);
}

static void
load_unmon_all(const char *my, uint32_t prog, uint32_t vers, uint32_t proc,
    void *arg)
{
	struct unmon_all_arg a = { my, prog, vers, proc, 0 };

	(void)arg;
	mon_foreach_entry(count_dead, &a);
	dead_bytes += a.bytes + (off_t)(FRAMING + 15 + strlen(my));
	mon_remove_all(my, prog, vers, proc);
}

static void
load_notify(const char *mname, int state, int64_t since, void *arg)
{
	struct store_replay *rp = arg;

	if (state > rp->highest_seen)
		rp->highest_seen = state;
	notify_queue(mname, state, since);
}

static void
load_done(const char *mname, void *arg)
{
	(void)arg;
	notify_done(mname);
	dead_bytes += (off_t)(2 * FRAMING + 1 + 4 + 8 + 2 + 1 + 2 +
	    2 * strlen(mname));
}

/* The look before an open: states only, nothing loaded. */
static void
seen_notify(const char *mname, int state, int64_t since, void *arg)
{
	struct store_replay *rp = arg;

	(void)mname;
	(void)since;
	if (state > rp->highest_seen)
		rp->highest_seen = state;
}
static void
skip_mon(const char *mname, const char *my, uint32_t prog, uint32_t vers,
    uint32_t proc, const unsigned char *priv, void *arg)
{
	(void)mname; (void)my; (void)prog; (void)vers; (void)proc;
	(void)priv; (void)arg;
}
static void
skip_unmon(const char *mname, const char *my, uint32_t prog, uint32_t vers,
    uint32_t proc, void *arg)
{
	(void)mname; (void)my; (void)prog; (void)vers; (void)proc; (void)arg;
}
static void
skip_unmon_all(const char *my, uint32_t prog, uint32_t vers, uint32_t proc,
    void *arg)
{
	(void)my; (void)prog; (void)vers; (void)proc; (void)arg;
}
static void
skip_done(const char *mname, void *arg)
{
	(void)mname;
	(void)arg;
}

/*
 * Replay path read-only for its states: into rp (have_state, state,
 * highest_seen, damaged) and st.  0, or -1 with errno.
 */
static int
look(const char *path, struct store_replay *rp, struct reclog_stats *st)
{
	struct replay_ops ops = { load_state, skip_mon, skip_unmon,
	    skip_unmon_all, seen_notify, skip_done, rp, 0 };

	if (reclog_replay_file(path, RECLOG_BINARY, REC_MAX, decode, &ops,
	    st) == -1)
		return -1;
	rp->damaged = st->bad_header || st->bytes_skipped > 0 ||
	    st->tail_dropped > 0;
	return 0;
}

/*
 * The highest state in the copies of damaged files set aside next to path
 * (path.bad.*): a file that lost its state may have had it there.
 */
static int
highest_in_copies(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir, *base, *copy;
	struct dirent *de;
	size_t blen;
	DIR *d = NULL;
	int best = 0;

	if (slash == NULL) {
		dir = strdup(".");
		base = strdup(path);
	} else {
		dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
		base = strdup(slash + 1);
	}
	if (dir == NULL || base == NULL || (d = opendir(dir)) == NULL)
		goto out;
	blen = strlen(base);
	while ((de = readdir(d)) != NULL) {
		struct store_replay rp;
		struct reclog_stats st;

		if (strncmp(de->d_name, base, blen) != 0 ||
		    strncmp(de->d_name + blen, ".bad.", 5) != 0)
			continue;
		if (asprintf(&copy, "%s/%s", dir, de->d_name) == -1)
			break;
		memset(&rp, 0, sizeof(rp));
		if (look(copy, &rp, &st) == 0 && rp.highest_seen > best) {
			log_info("%s: state %d recorded there", copy,
			    rp.highest_seen);
			best = rp.highest_seen;
		}
		free(copy);
	}
out:
	if (d != NULL)
		closedir(d);
	free(base);
	free(dir);
	return best;
}

/*
 * Whether path can be opened without losing the state: STORE_NO_STATE if
 * it should hold one and does not (logged, the file untouched).  A file
 * with nothing after its header is one a first start made and a crash
 * stopped before its first state; an empty one is not ours to judge.
 */
int
store_check(const char *path, struct store_replay *rp)
{
	struct reclog_stats st;
	struct stat sb;

	memset(rp, 0, sizeof(*rp));
	if (stat(path, &sb) == -1) {
		if (errno != ENOENT)
			return -1;
		rp->is_new = 1;
		return 0;
	}
	if (look(path, rp, &st) == -1) {
		if (errno != EPROTO)
			return -1;
		/* A newer format, or a version field damaged to look so. */
		rp->unknown = rp->unreadable = 1;
		if (conf.fresh_state)
			return 0;
		log_warnx("%s: this rpc.statd cannot read the status file (a "
		    "newer format, or a damaged header), so it cannot know its "
		    "state and does not start.  Start once with --fresh-state "
		    "to set the file aside and take a new state", path);
		return STORE_NO_STATE;
	}
	if (rp->have_state)
		return 0;
	if (sb.st_size > 0 && !rp->damaged && st.records == 0) {
		rp->is_new = 1;
		return 0;
	}
	rp->unknown = 1;
	if (conf.fresh_state)
		return 0;
	log_warnx("%s: no state number can be read from the status file "
	    "(%s); starting could reuse a state the peers have seen, so "
	    "rpc.statd does not start.  See what is left with rpc.statd -l, "
	    "then start once with --fresh-state to take a state above any "
	    "found and notify the hosts still listed", path,
	    sb.st_size == 0 ? "it is empty" : "damaged");
	return STORE_NO_STATE;
}

int
store_open(const char *path, struct store_replay *rp)
{
	struct replay_ops ops = { load_state, load_mon, load_unmon,
	    load_unmon_all, load_notify, load_done, NULL, 0 };
	struct store_replay seen;
	struct reclog_stats st;
	int r;

	if ((r = store_check(path, &seen)) != 0)
		return r;
	if (seen.unreadable) {
		/* --fresh-state: kept for whoever can read it, not used. */
		char *copy = statefile_set_aside(path);

		if (copy == NULL || unlink(path) == -1) {
			log_warn("%s: cannot set the unreadable file aside",
			    path);
			free(copy);
			return -1;
		}
		log_warnx("%s: set aside as %s; starting a new status file",
		    path, copy);
		free(copy);
	}
	memset(rp, 0, sizeof(*rp));
	ops.arg = rp;
	rp->is_new = seen.is_new;
	rp->unknown = seen.unknown;
	dead_bytes = 0;
	rl = reclog_open(path, RECLOG_BINARY, REC_MAX, STATD_STATUS_MODE,
	    decode, &ops, &st);
	if (rl == NULL)
		return -1;
	rp->damaged = st.bad_header || st.bytes_skipped > 0 ||
	    st.tail_dropped > 0;
	dead_bytes += (off_t)st.bytes_skipped;
	if (rp->unknown) {
		int c = highest_in_copies(path);

		if (c > rp->highest_seen)
			rp->highest_seen = c;
	}
	if (ops.bad > 0)
		log_warnx("%s: %lu records not understood, skipped", path,
		    ops.bad);
	if (rp->damaged)
		log_warnx("%s: damaged; kept %lu entries, %lu pending "
		    "notifications and %d copies of state %d", path,
		    mon_count(), notify_pending(), rp->state_copies,
		    rp->state);
	log_debug("%s: %llu records, %lld bytes, %lu entries, %lu pending "
	    "notifications", path, (unsigned long long)st.records,
	    (long long)st.size, mon_count(), notify_pending());
	return 0;
}

static int
append(const struct buf *b)
{
	if (rl == NULL) {
		errno = EBADF;
		return -1;
	}
	if (reclog_append(rl, b->b, b->len) == -1)
		return -1;
	batch_bytes += (off_t)(b->len + FRAMING);
	return 0;
}

/* Two copies, so that one damaged record cannot take the state. */
int
store_state(int state, const char *boot_id)
{
	struct buf b;

	enc_state(&b, state, boot_id);
	if (append(&b) == -1)
		return -1;
	return append(&b);
}

/*
 * What the live records (those a compaction keeps) take in the file: the
 * file less its dead records, never less than its header and state.
 */
static off_t
live_bytes(void)
{
	off_t live;

	if (rl == NULL)
		return 0;
	live = reclog_size(rl) + batch_bytes - dead_bytes;
	return live < FILE_HEADER + 2 * STATE_REC ?
	    FILE_HEADER + 2 * STATE_REC : live;
}

/* 1 if an entry for these names fits within -M (0: the default). */
int
store_mon_fits(const char *mon_name, const char *my_name)
{
	unsigned long max = conf.max_bytes != 0 ? conf.max_bytes :
	    STATD_DEFAULT_MAX_BYTES;

	return live_bytes() + (off_t)mon_rec_size(mon_name, my_name) <=
	    (off_t)max;
}

unsigned long long
store_live_bytes(void)
{
	return (unsigned long long)live_bytes();
}

int
store_mon(const struct sm_entry *e, int replaces)
{
	struct buf b;

	enc_mon(&b, e);
	if (append(&b) == -1)
		return -1;
	/* A new priv for an entry: its earlier record no longer counts. */
	if (replaces)
		dead_bytes += (off_t)mon_rec_size(e->host->name, e->my_name);
	return 0;
}

int
store_unmon(const char *mon_name, const char *my_name, uint32_t prog,
    uint32_t vers, uint32_t proc)
{
	size_t ml = strlen(mon_name), yl = strlen(my_name);
	struct buf b = { .len = 0 };

	put8(&b, 'U');
	enc_id(&b, prog, vers, proc);
	put16(&b, (unsigned)ml);
	put16(&b, (unsigned)yl);
	putbytes(&b, mon_name, ml);
	putbytes(&b, my_name, yl);
	if (append(&b) == -1)
		return -1;
	dead_bytes += (off_t)(b.len + FRAMING + mon_rec_size(mon_name, my_name));
	return 0;
}

int
store_unmon_all(const char *my_name, uint32_t prog, uint32_t vers,
    uint32_t proc)
{
	struct unmon_all_arg a = { my_name, prog, vers, proc, 0 };
	size_t yl = strlen(my_name);
	struct buf b = { .len = 0 };

	put8(&b, 'A');
	enc_id(&b, prog, vers, proc);
	put16(&b, (unsigned)yl);
	putbytes(&b, my_name, yl);
	if (append(&b) == -1)
		return -1;
	mon_foreach_entry(count_dead, &a);
	dead_bytes += a.bytes + (off_t)(b.len + FRAMING);
	return 0;
}

int
store_notify_add(const char *mon_name, int state, int64_t since_ms)
{
	struct buf b;

	enc_notify(&b, mon_name, state, since_ms);
	return append(&b);
}

int
store_notify_done(const char *mon_name)
{
	size_t l = strlen(mon_name);
	struct buf b = { .len = 0 };

	put8(&b, 'D');
	put16(&b, (unsigned)l);
	putbytes(&b, mon_name, l);
	if (append(&b) == -1)
		return -1;
	dead_bytes += (off_t)(2 * FRAMING + b.len + 1 + 4 + 8 + 2 + l);
	return 0;
}

/*
 * Twice the minutes since 1970, made odd: a state no host that started at 1
 * reaches unless it crashed more than once a minute on average since then.
 */
int
store_clock_floor(void)
{
	int64_t m = real_ms() / 60000;

	if (m < 0)
		m = 0;
	if (m > INT_MAX / 4)
		m = INT_MAX / 4;
	return (int)(2 * m + 1);
}

/*
 * Decide the state to start with from what store_open found and the boot
 * id in sm_boot_id.  -1 if it could not be recorded (logged).
 */
int
store_recover(const struct store_replay *rp)
{
	int floor;

	if (rp->is_new) {
		sm_state = 1;
		if (store_state(sm_state, sm_boot_id) == -1 ||
		    store_commit() == -1) {
			log_warnx("%s: cannot record the first state",
			    conf.statusfile);
			return -1;
		}
		log_info("new status file %s: state %d", conf.statusfile,
		    sm_state);
		return 0;
	}
	if (rp->unknown) {
		/* Only with conf.fresh_state: store_open refuses otherwise. */
		floor = store_clock_floor();
		sm_state = rp->highest_seen > floor ? rp->highest_seen : floor;
		log_warnx("%s: starting afresh (--fresh-state): the highest "
		    "state found is %d; taking a state above %d, as after a "
		    "reboot", conf.statusfile, rp->highest_seen, sm_state);
		return sm_crash("start afresh");
	}
	sm_state = rp->state;
	/* ORDER: the new state is durable before anyone can ask for it. */
	if (strcmp(rp->boot_id, sm_boot_id) != 0)
		return sm_crash("reboot");
	log_info("restarted within the same boot: state %d, %lu entries, %lu "
	    "notifications pending", sm_state, mon_count(), notify_pending());
	/* Rewritten without the damage, with both copies of the state. */
	if ((rp->damaged || rp->state_copies < 2) && store_compact() == 0)
		log_info("%s: rewritten with what was kept", conf.statusfile);
	return 0;
}

int
store_commit(void)
{
	if (rl == NULL) {
		errno = EBADF;
		return -1;
	}
	if (reclog_pending(rl) == 0)
		return 0;
	ncommits++;
	if (commit_hook != NULL)
		commit_hook(commit_hook_arg);
	batch_bytes = 0;	/* in the file now, or dropped with the batch */
	if (reclog_commit(rl) == -1) {
		log_warn("%s: commit", conf.statusfile);
		return -1;
	}
	return 0;
}

unsigned long long
store_commits(void)
{
	return ncommits;
}

void
store_set_commit_hook(void (*fn)(void *), void *arg)
{
	commit_hook = fn;
	commit_hook_arg = arg;
}

/*
 * A record the compaction could not take (out of memory while building the
 * file in memory) must fail the whole compaction: the new file would lack
 * a monitor the caller was told is recorded.
 */
static int	emit_errno;
/* Set by store_compact_crash(): write what memory will hold after it. */
static int	crash_compact;
static int64_t	crash_since;

static void
emit_entry(struct sm_entry *e, void *arg)
{
	struct buf b;

	enc_mon(&b, e);
	if (reclog_append(arg, b.b, b.len) == -1 && emit_errno == 0)
		emit_errno = errno;
}

static void
emit_notify(const char *name, int state, int64_t since, void *arg)
{
	struct buf b;

	enc_notify(&b, name, state, since);
	if (reclog_append(arg, b.b, b.len) == -1 && emit_errno == 0)
		emit_errno = errno;
}

/* After any pending one of the same name, so its first time is kept. */
static void
emit_host_notify(struct sm_host *h, void *arg)
{
	emit_notify(h->name, sm_state, crash_since, arg);
}

static int
emit_all(struct reclog *r, void *arg)
{
	struct buf b;

	(void)arg;
	emit_errno = 0;
	enc_state(&b, sm_state, sm_boot_id);
	if (reclog_append(r, b.b, b.len) == -1)
		return -1;
	if (!crash_compact)
		mon_foreach_entry(emit_entry, r);
	notify_foreach(emit_notify, r);
	if (crash_compact)
		mon_foreach_host(emit_host_notify, r);
	if (emit_errno != 0) {
		errno = emit_errno;
		return -1;
	}
	/* The second copy, away from the first. */
	enc_state(&b, sm_state, sm_boot_id);
	return reclog_append(r, b.b, b.len);
}

int
store_compact(void)
{
	off_t before;

	if (rl == NULL) {
		errno = EBADF;
		return -1;
	}
	before = reclog_size(rl);
	batch_bytes = 0;	/* reclog_compact commits them first */
	if (reclog_compact(rl, emit_all, NULL) == -1) {
		log_warn("%s: compaction", conf.statusfile);
		return -1;
	}
	dead_bytes = 0;
	log_debug("%s: compacted from %lld to %lld bytes", conf.statusfile,
	    (long long)before, (long long)reclog_size(rl));
	return 0;
}

/*
 * The file as a crash leaves it: sm_state, no entries, and a notification
 * (first attempt at since) for every monitored host, written before memory
 * changes, so that a failure leaves both as they were.
 */
int
store_compact_crash(int64_t since)
{
	int r;

	crash_compact = 1;
	crash_since = since;
	r = store_compact();
	crash_compact = 0;
	return r;
}

void
store_use_privsep(void)
{
	if (rl != NULL)
		reclog_set_replace(rl, privsep_replace_cb, NULL);
}

int
store_group(const char *name, gid_t user_gid, gid_t *gid)
{
	struct group gr, *res = NULL;
	char *buf = NULL, *nbuf;
	size_t bufsz = 4096;
	int rc, found;

	/* a group with many members needs more room */
	for (;;) {
		if ((nbuf = realloc(buf, bufsz)) == NULL) {
			free(buf);
			return -1;
		}
		buf = nbuf;
		rc = getgrnam_r(name != NULL ? name :
		    STATD_DEFAULT_STATUS_GROUP, &gr, buf, bufsz, &res);
		if (rc != ERANGE || bufsz >= 1024 * 1024)
			break;
		bufsz *= 4;
	}
	if ((found = rc == 0 && res != NULL))
		*gid = res->gr_gid;
	free(buf);
	if (found)
		return 0;
	if (rc != 0 && rc != ENOENT && rc != ESRCH) {
		errno = rc;
		return -1;
	}
	if (name != NULL) {
		errno = ENOENT;
		return -1;
	}
	*gid = user_gid;
	return 0;
}

/*
 * Through the open descriptor, not the path: the folder may be the user's,
 * and a link put there must not make root give another file away.
 */
int
store_give(uid_t uid, gid_t gid)
{
	int fd;

	if (rl == NULL || (fd = reclog_fileno(rl)) == -1) {
		errno = EBADF;
		return -1;
	}
	if (fchown(fd, uid, gid) == -1 || fchmod(fd, STATD_STATUS_MODE) == -1)
		return -1;
	return 0;
}

int
store_maybe_compact(void)
{
	if (rl == NULL || dead_bytes < COMPACT_MIN ||
	    dead_bytes < reclog_size(rl) - dead_bytes)
		return 0;
	return store_compact();
}

void
store_close(void)
{
	if (rl != NULL)
		reclog_close(rl);
	rl = NULL;
}

/* rpc.statd -l */

static void
print_entry(struct sm_entry *e, void *arg)
{
	FILE *out = arg;
	int i;

	fprintf(out, "monitor %s by %s prog %u vers %u proc %u priv ",
	    esc(e->host->name), esc(e->my_name), e->my_prog, e->my_vers,
	    e->my_proc);
	for (i = 0; i < SM_PRIV_SIZE; i++)
		fprintf(out, "%02x", e->priv[i]);
	fputc('\n', out);
}

static void
print_notify(const char *name, int state, int64_t since, void *arg)
{
	char t[32];

	fprintf(arg, "notify %s state %d since %s\n", esc(name), state,
	    fmt_time((time_t)(since / 1000), t, sizeof(t)));
}

/*
 * Print the file as the daemon would load it.  It is replayed read-only
 * into this process's own (empty) tables, so the result is exactly what a
 * restart would see, without touching the file.  Damage is logged with
 * its offsets by the replay, and summed up here.  1 if the file is
 * damaged or has lost its state.
 */
int
store_list(const char *path, FILE *out, int json)
{
	struct store_replay rp;
	struct replay_ops ops = { load_state, load_mon, load_unmon,
	    load_unmon_all, load_notify, load_done, &rp, 0 };
	struct reclog_stats st;
	struct stat sb;
	int damaged;

	memset(&rp, 0, sizeof(rp));
	if (reclog_replay_file(path, RECLOG_BINARY, REC_MAX, decode, &ops,
	    &st) == -1) {
		log_warn("%s", path);
		return -1;
	}
	damaged = st.bad_header || st.bad_skipped > 0 || st.tail_dropped > 0;
	/* As store_check: only a first start cut short has no state. */
	if (!rp.have_state && (stat(path, &sb) == -1 || sb.st_size == 0 ||
	    st.records > 0))
		damaged = 1;
	if (json) {
		list_json(out, path, &st, rp.have_state ? rp.state : -1,
		    rp.boot_id, rp.state_copies, ops.bad, damaged);
		return damaged;
	}
	fprintf(out, "status file %s: %lld bytes, %llu records\n", path,
	    (long long)st.size, (unsigned long long)st.records);
	if (st.bad_header)
		fprintf(out, "damaged header: bytes 0 to 15\n");
	if (st.bad_skipped > 0)
		fprintf(out, "damaged records: %llu stretches, %llu bytes "
		    "skipped\n", (unsigned long long)st.bad_skipped,
		    (unsigned long long)st.bytes_skipped);
	if (st.tail_dropped > 0)
		fprintf(out, "damaged tail: %llu bytes from offset %lld would "
		    "be dropped\n", (unsigned long long)st.tail_dropped,
		    (long long)st.size);
	if (ops.bad > 0)
		fprintf(out, "records not understood: %lu\n", ops.bad);
	if (rp.have_state)
		fprintf(out, "state %d boot %s copies %d\n", rp.state,
		    rp.boot_id, rp.state_copies);
	else
		fprintf(out, "state none\n");
	fprintf(out, "entries %lu hosts %lu pending %lu\n", mon_count(),
	    mon_host_count(), notify_pending());
	mon_foreach_entry(print_entry, out);
	notify_foreach(print_notify, out);
	return damaged;
}
