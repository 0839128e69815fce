/*
 * The monitor list and the semantics of SM_STAT, SM_MON, SM_UNMON,
 * SM_UNMON_ALL and SM_SIMU_CRASH.
 *
 * Entries live in a hash table keyed by (mon_name, my_name, prog, vers,
 * proc); the hosts they name live in another, keyed by mon_name exactly as
 * the lock manager spelled it, because the callback must carry that
 * spelling.  Every change a caller is told about is in the status file
 * before the reply.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "smspost.h"
#include "statd.h"
#include "timeutil.h"

struct statd_conf conf;
int	sm_state = 1;

static uint32_t host_hashof(const void *p) { return ((const struct sm_host *)p)->hash; }
static uint32_t entry_hashof(const void *p) { return ((const struct sm_entry *)p)->hash; }

static struct htab hosts = { .hashof = host_hashof };
static struct htab entries = { .hashof = entry_hashof };

static struct log_ratelimit refusal_rl = LOG_RATELIMIT_INIT(60, 10);

/*
 * The batch: changes applied to memory and appended to the status file
 * but not yet committed (sm_apply_*), each with what undoes it, so that a
 * failed commit leaves memory as the file is (mon_commit).
 */
enum undo_kind { UNDO_ADDED, UNDO_PRIV, UNDO_REMOVED };
struct undo {
	enum undo_kind	 kind;
	char		*mon_name, *my_name;
	uint32_t	 prog, vers, proc;
	unsigned char	 priv[SM_PRIV_SIZE];	/* the one to restore */
};
static struct undo *undo_log;
static size_t	 nundo, undo_cap;
static void	 undo_drop(size_t n);

static uint32_t
hash_entry(uint32_t hosthash, const char *my_name, uint32_t prog,
    uint32_t vers, uint32_t proc)
{
	uint32_t h = hash_bytes(hosthash, my_name, strlen(my_name) + 1);

	h = hash_bytes(h, &prog, sizeof(prog));
	h = hash_bytes(h, &vers, sizeof(vers));
	return hash_bytes(h, &proc, sizeof(proc));
}

void
mon_init(void)
{
}

struct sm_host *
mon_host_find(const char *mon_name)
{
	uint32_t h = hash_name(mon_name);
	struct sm_host *p;

	for (p = htab_bucket(&hosts, h); p != NULL; p = p->next)
		if (p->hash == h && strcmp(p->name, mon_name) == 0)
			return p;
	return NULL;
}

/* Case-folded FNV-1a: the name index finds "Client1" for "client1". */
static uint32_t
hash_name_folded(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)tolower((unsigned char)*s);
		h *= 16777619u;
	}
	return h;
}

static uint32_t idx_hashof(const void *p) { return ((const struct sm_idx *)p)->hash; }
static struct htab name_index = { .hashof = idx_hashof };
static struct htab addr_index = { .hashof = idx_hashof };

static void
drop_addrs(struct sm_host *h)
{
	int i;

	for (i = 0; i < h->naddrs; i++)
		htab_unlink(&addr_index, &h->addr_idx[i], h->addr_idx[i].hash);
	free(h->addr_idx);
	free(h->addrs);
	h->addr_idx = NULL;
	h->addrs = NULL;
	h->naddrs = 0;
}

static void
host_free(struct sm_host *h)
{
	drop_addrs(h);
	htab_unlink(&name_index, &h->name_idx, h->name_idx.hash);
	free(h->name);
	free(h);
}

static void
host_release(struct sm_host *h)
{
	if (--h->nentries > 0)
		return;
	htab_unlink(&hosts, h, h->hash);
	host_free(h);
}

static void
resolved(const char *name, const struct sockaddr_storage *addrs, int naddrs,
    int err, void *arg)
{
	struct sm_host *h;

	(void)arg;
	if ((h = mon_host_find(name)) == NULL)
		return;		/* unmonitored meanwhile */
	h->resolving = 0;
	if (err != 0) {
		log_debug("cannot resolve %s: %s; matched by name only",
		    esc(name), gai_strerror(err));
		return;
	}
	mon_host_set_addrs(name, addrs, naddrs);
}

static struct sm_host *
host_get(const char *mon_name)
{
	struct sm_host *h;
	struct sockaddr_storage ss;

	if ((h = mon_host_find(mon_name)) != NULL)
		return h;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	if ((h->name = strdup(mon_name)) == NULL) {
		free(h);
		return NULL;
	}
	h->hash = hash_name(mon_name);
	h->name_idx.host = h;
	h->name_idx.hash = hash_name_folded(mon_name);
	if (htab_insert(&hosts, h, h->hash) == -1) {
		free(h->name);
		free(h);
		return NULL;
	}
	if (htab_insert(&name_index, &h->name_idx, h->name_idx.hash) == -1) {
		htab_unlink(&hosts, h, h->hash);
		free(h->name);
		free(h);
		return NULL;
	}
	/* An address literal needs no resolver; a name waits for one. */
	if (sm_parse_numeric(mon_name, &ss) == 0)
		mon_host_set_addrs(mon_name, &ss, 1);
	else if (resolve_start(mon_name, resolved, NULL) == 0)
		h->resolving = 1;
	return h;
}

void
mon_host_set_addrs(const char *mon_name, const struct sockaddr_storage *addrs,
    int naddrs)
{
	struct sm_host *h = mon_host_find(mon_name);
	struct sm_addr *a;
	struct sm_idx *ix;
	int i, n = 0;

	if (h == NULL || naddrs <= 0)
		return;
	a = calloc((size_t)naddrs, sizeof(*a));
	ix = calloc((size_t)naddrs, sizeof(*ix));
	if (a == NULL || ix == NULL) {
		free(a);
		free(ix);
		return;
	}
	for (i = 0; i < naddrs; i++) {
		int j, dup = 0;

		if (sm_addr_pack((const struct sockaddr *)&addrs[i], &a[n]) == -1)
			continue;
		for (j = 0; j < n; j++)	/* getaddrinfo repeats itself */
			if (memcmp(&a[j], &a[n], sizeof(a[n])) == 0)
				dup = 1;
		if (!dup)
			n++;
	}
	drop_addrs(h);
	h->addrs = a;
	h->addr_idx = ix;
	for (i = 0; i < n; i++) {
		ix[i].host = h;
		ix[i].hash = sm_addr_hash(&a[i]);
		if (htab_insert(&addr_index, &ix[i], ix[i].hash) == -1)
			break;
	}
	h->naddrs = i;
}

void
mon_hosts_by_name(const char *name, void (*fn)(struct sm_host *, void *),
    void *arg)
{
	uint32_t hash = hash_name_folded(name);
	struct sm_idx *ix, *next;

	for (ix = htab_bucket(&name_index, hash); ix != NULL; ix = next) {
		next = ix->next;
		if (ix->hash == hash && strcasecmp(ix->host->name, name) == 0)
			fn(ix->host, arg);
	}
}

void
mon_hosts_by_addr(const struct sockaddr *sa,
    void (*fn)(struct sm_host *, void *), void *arg)
{
	struct sm_addr key;
	struct sm_idx *ix, *next;
	uint32_t hash;

	if (sm_addr_pack(sa, &key) == -1)
		return;
	hash = sm_addr_hash(&key);
	for (ix = htab_bucket(&addr_index, hash); ix != NULL; ix = next) {
		struct sm_host *h = ix->host;
		int i = (int)(ix - h->addr_idx);

		next = ix->next;
		if (ix->hash == hash &&
		    memcmp(&h->addrs[i], &key, sizeof(key)) == 0)
			fn(h, arg);
	}
}

uint32_t
mon_entry_hash(const char *mon_name, const char *my_name, uint32_t prog,
    uint32_t vers, uint32_t proc)
{
	return hash_entry(hash_name(mon_name), my_name, prog, vers, proc);
}

struct sm_entry *
mon_find(const char *mon_name, const char *my_name, uint32_t prog,
    uint32_t vers, uint32_t proc)
{
	uint32_t h = hash_entry(hash_name(mon_name), my_name, prog, vers, proc);
	struct sm_entry *e;

	for (e = htab_bucket(&entries, h); e != NULL; e = e->next)
		if (e->hash == h && e->my_prog == prog && e->my_vers == vers &&
		    e->my_proc == proc && strcmp(e->host->name, mon_name) == 0 &&
		    strcmp(e->my_name, my_name) == 0)
			return e;
	return NULL;
}

enum mon_result
mon_insert(const char *mon_name, const char *my_name, uint32_t prog,
    uint32_t vers, uint32_t proc, const unsigned char priv[SM_PRIV_SIZE],
    int *changed)
{
	struct sm_entry *e;
	struct sm_host *h;

	*changed = 0;
	if ((e = mon_find(mon_name, my_name, prog, vers, proc)) != NULL) {
		if (memcmp(e->priv, priv, SM_PRIV_SIZE) != 0) {
			memcpy(e->priv, priv, SM_PRIV_SIZE);
			*changed = 1;
		}
		return MON_OK;
	}
	if (entries.count >= conf.max_entries)
		return MON_FULL;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return MON_FULL;
	if ((e->my_name = strdup(my_name)) == NULL ||
	    (h = host_get(mon_name)) == NULL) {
		free(e->my_name);
		free(e);
		return MON_FULL;
	}
	e->host = h;
	h->nentries++;
	e->host_next = h->entries;
	if (h->entries != NULL)
		h->entries->host_prev = e;
	h->entries = e;
	e->my_prog = prog;
	e->my_vers = vers;
	e->my_proc = proc;
	memcpy(e->priv, priv, SM_PRIV_SIZE);
	e->hash = hash_entry(h->hash, my_name, prog, vers, proc);
	if (htab_insert(&entries, e, e->hash) == -1) {
		h->entries = e->host_next;
		if (h->entries != NULL)
			h->entries->host_prev = NULL;
		host_release(h);
		free(e->my_name);
		free(e);
		return MON_FULL;
	}
	*changed = 1;
	return MON_OK;
}

static void
entry_free(struct sm_entry *e)
{
	htab_unlink(&entries, e, e->hash);
	if (e->host_prev != NULL)
		e->host_prev->host_next = e->host_next;
	else
		e->host->entries = e->host_next;
	if (e->host_next != NULL)
		e->host_next->host_prev = e->host_prev;
	host_release(e->host);
	free(e->my_name);
	free(e);
}

int
mon_remove(const char *mon_name, const char *my_name, uint32_t prog,
    uint32_t vers, uint32_t proc)
{
	struct sm_entry *e = mon_find(mon_name, my_name, prog, vers, proc);

	if (e == NULL)
		return 0;
	entry_free(e);
	return 1;
}

struct remove_all_arg {
	const char	*my_name;
	uint32_t	 prog, vers, proc;
	unsigned long	 n;
};

static void
remove_if_mine(void *item, void *arg)
{
	struct sm_entry *e = item;
	struct remove_all_arg *a = arg;

	if (e->my_prog == a->prog && e->my_vers == a->vers &&
	    e->my_proc == a->proc && strcmp(e->my_name, a->my_name) == 0) {
		entry_free(e);
		a->n++;
	}
}

unsigned long
mon_remove_all(const char *my_name, uint32_t prog, uint32_t vers,
    uint32_t proc)
{
	struct remove_all_arg a = { my_name, prog, vers, proc, 0 };

	htab_foreach(&entries, remove_if_mine, &a);
	return a.n;
}

static void
free_entry_cb(void *item, void *arg)
{
	(void)arg;
	entry_free(item);
}

void
mon_clear(void)
{
	htab_foreach(&entries, free_entry_cb, NULL);
}

void
mon_free(void)
{
	undo_drop(nundo);
	free(undo_log);
	undo_log = NULL;
	undo_cap = 0;
	mon_clear();
	htab_free(&entries);
	htab_free(&hosts);
	htab_free(&name_index);
	htab_free(&addr_index);
}

unsigned long mon_count(void) { return entries.count; }
unsigned long mon_host_count(void) { return hosts.count; }

struct each {
	mon_entry_fn	 entry_fn;
	mon_host_fn	 host_fn;
	void		*arg;
};

static void
each_entry(void *item, void *arg)
{
	struct each *e = arg;

	e->entry_fn(item, e->arg);
}

static void
each_host(void *item, void *arg)
{
	struct each *e = arg;

	e->host_fn(item, e->arg);
}

void
mon_foreach_entry(mon_entry_fn fn, void *arg)
{
	struct each e = { fn, NULL, arg };

	htab_foreach(&entries, each_entry, &e);
}

void
mon_foreach_host(mon_host_fn fn, void *arg)
{
	struct each e = { NULL, fn, arg };

	htab_foreach(&hosts, each_host, &e);
}

/* Refusals can be provoked from outside: log them, but not without end. */
static void
refuse(const char *what, const struct sockaddr *caller, const char *why)
{
	unsigned long suppressed;
	char a[INET6_ADDRSTRLEN + 16];

	if (!log_ratelimit(&refusal_rl, &suppressed))
		return;
	log_warnx("refused %s from %s: %s%s", what,
	    caller != NULL ? sm_addr_str(caller, a, sizeof(a)) : "?", why,
	    suppressed ? " (and more refusals not logged)" : "");
}

static int
prog_allowed(uint32_t prog)
{
	int i;

	for (i = 0; i < conf.nallowed; i++)
		if (conf.allowed_progs[i] == prog)
			return 1;
	return 0;
}

/*
 * Who may change the monitor list: a process on this host (a loopback
 * address) that is root.  Its source port says so: only root (or a holder
 * of CAP_NET_BIND_SERVICE) binds a reserved port, and the lock managers
 * (the kernel's lockd, NFS-Ganesha, libtirpc clients run as root) call from
 * one.  The address alone would let any local user drop the monitors.
 */
static int
local_caller(const char *what, const struct sockaddr *caller)
{
	char why[64];

	if (caller == NULL || !sm_addr_is_loopback(caller)) {
		refuse(what, caller, "not a local caller");
		return 0;
	}
	if (!sm_port_privileged(caller)) {
		snprintf(why, sizeof(why), "unprivileged source port %d "
		    "(not root)", sm_addr_port(caller));
		refuse(what, caller, why);
		return 0;
	}
	return 1;
}

static int
my_id_acceptable(const char *what, const my_id *id,
    const struct sockaddr *caller)
{
	if (!sm_name_valid(id->my_name, strlen(id->my_name))) {
		refuse(what, caller, "invalid my_name");
		return 0;
	}
	if (!sm_name_is_local(id->my_name)) {
		log_warnx("refused %s: my_name %s is not this host; statd "
		    "calls back only local programs", what, esc(id->my_name));
		return 0;
	}
	if (!prog_allowed((uint32_t)id->my_prog)) {
		log_warnx("refused %s: program %u is not on the callback "
		    "allow-list (-a)", what, (unsigned)id->my_prog);
		return 0;
	}
	return 1;
}

/* Note how to undo a change to e; 0, or -1 (ENOMEM) with nothing noted. */
static int
undo_push(enum undo_kind kind, const struct sm_entry *e,
    const unsigned char priv[SM_PRIV_SIZE])
{
	struct undo *u;

	if (nundo == undo_cap) {
		size_t ncap = undo_cap > 0 ? 2 * undo_cap : 64;

		if ((u = reallocarray(undo_log, ncap, sizeof(*u))) == NULL)
			return -1;
		undo_log = u;
		undo_cap = ncap;
	}
	u = &undo_log[nundo];
	u->kind = kind;
	u->mon_name = strdup(e->host->name);
	u->my_name = strdup(e->my_name);
	if (u->mon_name == NULL || u->my_name == NULL) {
		free(u->mon_name);
		free(u->my_name);
		return -1;
	}
	u->prog = e->my_prog;
	u->vers = e->my_vers;
	u->proc = e->my_proc;
	memcpy(u->priv, priv, SM_PRIV_SIZE);
	nundo++;
	return 0;
}

/* Forget the last n notes (their change was not made). */
static void
undo_drop(size_t n)
{
	while (n-- > 0 && nundo > 0) {
		nundo--;
		free(undo_log[nundo].mon_name);
		free(undo_log[nundo].my_name);
	}
}

/* A failed commit: memory back as the file is, newest change first. */
static void
undo_all(void)
{
	struct sm_entry *e;
	struct undo *u;
	int changed;

	while (nundo > 0) {
		u = &undo_log[nundo - 1];
		switch (u->kind) {
		case UNDO_ADDED:
			(void)mon_remove(u->mon_name, u->my_name, u->prog,
			    u->vers, u->proc);
			break;
		case UNDO_PRIV:
			if ((e = mon_find(u->mon_name, u->my_name, u->prog,
			    u->vers, u->proc)) != NULL)
				memcpy(e->priv, u->priv, SM_PRIV_SIZE);
			break;
		case UNDO_REMOVED:
			if (mon_insert(u->mon_name, u->my_name, u->prog,
			    u->vers, u->proc, u->priv, &changed) != MON_OK)
				log_warnx("cannot restore the entry for %s in "
				    "memory; it stays in the status file",
				    esc(u->mon_name));
			break;
		}
		undo_drop(1);
	}
}

size_t
mon_batch_size(void)
{
	return nundo;
}

/*
 * Make the batch durable: one commit for every change applied since the
 * last.  On failure the batch is undone in memory (the file dropped it)
 * and every call in it must be told it failed.  0 or -1.
 */
int
mon_commit(void)
{
	if (nundo == 0)
		return 0;	/* nothing changed since the last */
	if (store_commit() == -1) {
		log_warnx("%zu changes to the monitor list not recorded: "
		    "status file write failed", nundo);
		undo_all();
		return -1;
	}
	/* -H: what the batch added and removed, now that it is durable. */
	for (size_t i = 0; i < nundo; i++)
		if (undo_log[i].kind != UNDO_PRIV)
			callout_queue(undo_log[i].kind == UNDO_ADDED ?
			    "add-client" : "del-client", undo_log[i].mon_name,
			    undo_log[i].my_name, -1);
	undo_drop(nundo);
	store_maybe_compact();
	return 0;
}

/*
 * SM_MON applied to memory and appended to the status file, not yet
 * committed: the caller commits (mon_commit) before it replies.
 */
int
sm_apply_mon(const mon *m, const struct sockaddr *caller, sm_stat_res *res)
{
	const char *mon_name = m->mon_id.mon_name;
	const my_id *id = &m->mon_id.my_id;
	unsigned char oldpriv[SM_PRIV_SIZE];
	struct sm_entry *e;
	int changed, existed;

	res->res_stat = stat_fail;
	res->state = sm_state;
	if (!local_caller("SM_MON", caller))
		return 0;
	if (mon_name == NULL || !sm_name_valid(mon_name, strlen(mon_name))) {
		refuse("SM_MON", caller, "invalid mon_name");
		return 0;
	}
	if (!my_id_acceptable("SM_MON", id, caller))
		return 0;

	e = mon_find(mon_name, id->my_name, (uint32_t)id->my_prog,
	    (uint32_t)id->my_vers, (uint32_t)id->my_proc);
	existed = e != NULL;
	if (existed)
		memcpy(oldpriv, e->priv, sizeof(oldpriv));
	else if (!store_mon_fits(mon_name, id->my_name)) {
		log_warnx("SM_MON %s: monitor list full (%llu bytes of %lu "
		    "in the status file, -M)", esc(mon_name),
		    store_live_bytes(), conf.max_bytes);
		return 0;
	}
	switch (mon_insert(mon_name, id->my_name, (uint32_t)id->my_prog,
	    (uint32_t)id->my_vers, (uint32_t)id->my_proc,
	    (const unsigned char *)m->priv, &changed)) {
	case MON_OK:
		break;
	case MON_FULL:
	default:
		log_warnx("SM_MON %s: monitor list full (%lu entries, -m)",
		    esc(mon_name), mon_count());
		return 0;
	}
	if (changed) {
		e = mon_find(mon_name, id->my_name, (uint32_t)id->my_prog,
		    (uint32_t)id->my_vers, (uint32_t)id->my_proc);
		/* ORDER: noted, then appended; committed before the reply. */
		if (undo_push(existed ? UNDO_PRIV : UNDO_ADDED, e,
		    existed ? oldpriv : e->priv) == -1) {
			log_warnx("SM_MON %s not recorded: out of memory",
			    esc(mon_name));
			goto revert;
		}
		if (store_mon(e, existed) == -1) {
			log_warnx("SM_MON %s not recorded: status file "
			    "write failed", esc(mon_name));
			undo_drop(1);
			goto revert;
		}
	}
	log_debug("SM_MON %s for %s prog %u vers %u proc %u", esc(mon_name),
	    esc(id->my_name), (unsigned)id->my_prog, (unsigned)id->my_vers,
	    (unsigned)id->my_proc);
	res->res_stat = stat_succ;
	return 0;
revert:
	if (existed)
		memcpy(e->priv, oldpriv, sizeof(oldpriv));
	else
		entry_free(e);
	return 0;
}

/* SM_MON, committed: for callers that do not batch. */
int
sm_handle_mon(const mon *m, const struct sockaddr *caller, sm_stat_res *res)
{
	int r = sm_apply_mon(m, caller, res);

	if (mon_commit() == -1)
		res->res_stat = stat_fail;
	return r;
}

/* SM_UNMON applied and appended, not committed (see sm_apply_mon). */
int
sm_apply_unmon(const mon_id *mid, const struct sockaddr *caller,
    sm_stat *res)
{
	const my_id *id = &mid->my_id;
	struct sm_entry *e;

	res->state = sm_state;
	if (!local_caller("SM_UNMON", caller))
		return 0;
	if (mid->mon_name == NULL || id->my_name == NULL)
		return 0;
	e = mon_find(mid->mon_name, id->my_name, (uint32_t)id->my_prog,
	    (uint32_t)id->my_vers, (uint32_t)id->my_proc);
	if (e == NULL) {
		log_debug("SM_UNMON %s: not monitored", esc(mid->mon_name));
		return 0;
	}
	if (undo_push(UNDO_REMOVED, e, e->priv) == -1)
		return -1;
	if (store_unmon(mid->mon_name, id->my_name, (uint32_t)id->my_prog,
	    (uint32_t)id->my_vers, (uint32_t)id->my_proc) == -1) {
		/* The entry stays, in memory as on disk; the caller retries. */
		log_warnx("SM_UNMON %s not recorded: status file write failed",
		    esc(mid->mon_name));
		undo_drop(1);
		return -1;
	}
	entry_free(e);
	log_debug("SM_UNMON %s for %s", esc(mid->mon_name), esc(id->my_name));
	return 0;
}

int
sm_handle_unmon(const mon_id *mid, const struct sockaddr *caller,
    sm_stat *res)
{
	int r = sm_apply_unmon(mid, caller, res);

	if (mon_commit() == -1)
		return -1;
	return r;
}

struct unmon_all_undo {
	const my_id	*id;
	size_t		 pushed;
	int		 failed;
};

static void
note_if_mine(struct sm_entry *e, void *arg)
{
	struct unmon_all_undo *a = arg;

	if (a->failed || e->my_prog != (uint32_t)a->id->my_prog ||
	    e->my_vers != (uint32_t)a->id->my_vers ||
	    e->my_proc != (uint32_t)a->id->my_proc ||
	    strcmp(e->my_name, a->id->my_name) != 0)
		return;
	if (undo_push(UNDO_REMOVED, e, e->priv) == -1)
		a->failed = 1;
	else
		a->pushed++;
}

/* SM_UNMON_ALL applied and appended, not committed (see sm_apply_mon). */
int
sm_apply_unmon_all(const my_id *id, const struct sockaddr *caller,
    sm_stat *res)
{
	struct unmon_all_undo a = { id, 0, 0 };
	unsigned long n;

	res->state = sm_state;
	if (!local_caller("SM_UNMON_ALL", caller))
		return 0;
	/* No SM_MON stores an invalid name, nor could its record replay. */
	if (id->my_name == NULL ||
	    !sm_name_valid(id->my_name, strlen(id->my_name)))
		return 0;
	mon_foreach_entry(note_if_mine, &a);
	if (a.failed) {
		undo_drop(a.pushed);
		log_warnx("SM_UNMON_ALL for %s not recorded: out of memory",
		    esc(id->my_name));
		return -1;
	}
	if (store_unmon_all(id->my_name, (uint32_t)id->my_prog,
	    (uint32_t)id->my_vers, (uint32_t)id->my_proc) == -1) {
		undo_drop(a.pushed);
		log_warnx("SM_UNMON_ALL for %s not recorded: status file "
		    "write failed", esc(id->my_name));
		return -1;
	}
	n = mon_remove_all(id->my_name, (uint32_t)id->my_prog,
	    (uint32_t)id->my_vers, (uint32_t)id->my_proc);
	log_debug("SM_UNMON_ALL for %s prog %u: %lu entries", esc(id->my_name),
	    (unsigned)id->my_prog, n);
	return 0;
}

int
sm_handle_unmon_all(const my_id *id, const struct sockaddr *caller,
    sm_stat *res)
{
	int r = sm_apply_unmon_all(id, caller, res);

	if (mon_commit() == -1)
		return -1;
	return r;
}

int
sm_handle_stat(const sm_name *n, sm_stat_res *res)
{
	res->state = sm_state;
	res->res_stat = stat_fail;
	if (n->mon_name == NULL || !sm_name_valid(n->mon_name,
	    strlen(n->mon_name)))
		return 0;
	/* stat_succ promises we would monitor it: not when full. */
	if (mon_count() < conf.max_entries &&
	    store_mon_fits(n->mon_name, "localhost"))
		res->res_stat = stat_succ;
	return 0;
}

int
sm_handle_simu_crash(const struct sockaddr *caller)
{
	if (!local_caller("SM_SIMU_CRASH", caller))
		return 0;
	return sm_crash("SM_SIMU_CRASH");
}

static void
queue_host(struct sm_host *h, void *arg)
{
	int64_t now = *(int64_t *)arg;

	if (notify_queue(h->name, sm_state, now) == -1)
		log_warn("cannot queue a notification for %s", esc(h->name));
}

/*
 * This host "rebooted": advance the state past any number a peer has seen,
 * notify every monitored host, forget the monitors (the lock managers'
 * state is gone with the crash).  One durable replace makes all of it
 * atomic.
 */
int
sm_crash(const char *why)
{
	int64_t now = real_ms();
	unsigned long hosts_before;
	int old_state = sm_state;

	/* A batch's changes are committed (or undone) before the crash. */
	if (nundo > 0)
		(void)mon_commit();
	hosts_before = mon_host_count();

	sm_state += (sm_state & 1) ? 2 : 1;
	/*
	 * ORDER: the file first, memory after.  Had memory changed first, a
	 * failed rewrite would leave replies carrying a state that is not on
	 * disk, and the monitors forgotten here would come back at restart.
	 */
	if (store_compact_crash(now) == -1) {
		sm_state = old_state;
		log_warnx("%s: status file not rewritten; state stays %d", why,
		    sm_state);
		return -1;
	}
	mon_foreach_host(queue_host, &now);
	mon_clear();
	log_info("%s: state now %d, notifying %lu hosts", why, sm_state,
	    hosts_before);
	(void)smspost("hostmon.statd.reboot", SMSPOST_WARNING,
	    "%s: NSM state now %d, notifying %lu hosts", why, sm_state,
	    hosts_before);
	notify_start();
	return 0;
}
