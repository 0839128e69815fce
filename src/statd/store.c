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
 */
#include <sys/types.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "reclog.h"
#include "statd.h"
#include "timeutil.h"

#define REC_MAX		(1 + 12 + SM_PRIV_SIZE + 4 + 2 * SM_MAXSTRLEN)
#define COMPACT_MIN	(1024 * 1024)	/* dead bytes before compacting */
#define FRAMING		8

static struct reclog *rl;
static off_t	 dead_bytes;
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

	rp->have_state = 1;
	rp->state = state;
	memcpy(rp->boot_id, boot_id, 37);
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
	(void)arg;
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

int
store_open(const char *path, struct store_replay *rp)
{
	struct replay_ops ops = { load_state, load_mon, load_unmon,
	    load_unmon_all, load_notify, load_done, rp, 0 };
	struct reclog_stats st;

	memset(rp, 0, sizeof(*rp));
	dead_bytes = 0;
	rl = reclog_open(path, RECLOG_BINARY, REC_MAX, 0600, decode, &ops, &st);
	if (rl == NULL)
		return -1;
	if (ops.bad > 0)
		log_warnx("%s: %lu records not understood, skipped", path,
		    ops.bad);
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
	return reclog_append(rl, b->b, b->len);
}

int
store_state(int state, const char *boot_id)
{
	struct buf b;

	enc_state(&b, state, boot_id);
	return append(&b);
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

int
store_commit(void)
{
	if (rl == NULL) {
		errno = EBADF;
		return -1;
	}
	if (reclog_pending(rl) == 0)
		return 0;
	if (reclog_commit(rl) == -1) {
		log_warn("%s: commit", conf.statusfile);
		return -1;
	}
	return 0;
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
	return 0;
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
 * restart would see, without touching the file.
 */
int
store_list(const char *path, FILE *out)
{
	struct store_replay rp = { 0, 0, "" };
	struct replay_ops ops = { load_state, load_mon, load_unmon,
	    load_unmon_all, load_notify, load_done, &rp, 0 };
	struct reclog_stats st;

	memset(&rp, 0, sizeof(rp));
	if (reclog_replay_file(path, RECLOG_BINARY, REC_MAX, decode, &ops,
	    &st) == -1) {
		log_warn("%s", path);
		return -1;
	}
	fprintf(out, "status file %s: %lld bytes, %llu records\n", path,
	    (long long)st.size, (unsigned long long)st.records);
	if (st.tail_dropped > 0)
		fprintf(out, "damaged tail: %llu bytes would be dropped\n",
		    (unsigned long long)st.tail_dropped);
	if (ops.bad > 0)
		fprintf(out, "records not understood: %lu\n", ops.bad);
	if (rp.have_state)
		fprintf(out, "state %d boot %s\n", rp.state, rp.boot_id);
	else
		fprintf(out, "state none\n");
	fprintf(out, "entries %lu hosts %lu pending %lu\n", mon_count(),
	    mon_host_count(), notify_pending());
	mon_foreach_entry(print_entry, out);
	notify_foreach(print_notify, out);
	return 0;
}
