/*
 * report: load the event log and sum availability.
 *
 * Rules of the sums, over the period [beg, end]:
 *  - an object exists from its first event; time before that, and after
 *    it is GONE, is not part of its period;
 *  - DOWN starts a down interval (a DOWN while down only keeps the first);
 *    UP or GONE ends it; the interval counts as planned or unplanned by
 *    the DOWN event that started it, and only its part inside the period;
 *  - an object still down at end is down until end;
 *  - TIME objects never go down: their CHANGE events are counted instead.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "report.h"

void
rep_init(struct rep *r)
{
	memset(r, 0, sizeof(*r));
	r->sel_type = -1;
}

void
rep_free(struct rep *r)
{
	size_t i;

	for (i = 0; i < r->nobjs; i++)
		free(r->objs[i].name);
	for (i = 0; i < r->nev; i++) {
		free(r->evs[i].user);
		free(r->evs[i].msg);
	}
	for (i = 0; i < r->nmods; i++) {
		free(r->mods[i].user);
		free(r->mods[i].msg);
	}
	free(r->objs);
	free(r->hash);
	free(r->evs);
	free(r->mods);
	memset(r, 0, sizeof(*r));
}

static uint32_t
obj_hash(enum sam_type t, const char *name, size_t len)
{
	uint32_t h = 2166136261U ^ (uint32_t)t;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619U;
	return h;
}

static int
grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 64;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	if ((np = reallocarray(*p, ncap, size)) == NULL)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

static int
rehash(struct rep *r, uint32_t cap)
{
	uint32_t *h, i, j;

	if ((h = calloc(cap, sizeof(*h))) == NULL)
		return -1;
	for (i = 0; i < r->nobjs; i++) {
		j = obj_hash(r->objs[i].type, r->objs[i].name,
		    strlen(r->objs[i].name)) & (cap - 1);
		while (h[j] != 0)
			j = (j + 1) & (cap - 1);
		h[j] = i + 1;
	}
	free(r->hash);
	r->hash = h;
	r->hashcap = cap;
	return 0;
}

/* The object's index, added if new; -1 on allocation failure. */
static int64_t
intern(struct rep *r, enum sam_type t, const char *name, size_t len)
{
	struct rep_obj *o;
	size_t cap;
	uint32_t j;

	if (r->hashcap == 0 && rehash(r, 64) == -1)
		return -1;
	j = obj_hash(t, name, len) & (r->hashcap - 1);
	while (r->hash[j] != 0) {
		o = &r->objs[r->hash[j] - 1];
		if (o->type == t && strlen(o->name) == len &&
		    memcmp(o->name, name, len) == 0)
			return r->hash[j] - 1;
		j = (j + 1) & (r->hashcap - 1);
	}
	cap = r->capobjs;
	if (grow((void **)&r->objs, &cap, (size_t)r->nobjs + 1,
	    sizeof(*r->objs)) == -1)
		return -1;
	r->capobjs = (uint32_t)cap;
	o = &r->objs[r->nobjs];
	memset(o, 0, sizeof(*o));
	o->type = t;
	if ((o->name = strndup(name, len)) == NULL)
		return -1;
	r->hash[j] = ++r->nobjs;
	if (r->nobjs * 2 > r->hashcap && rehash(r, r->hashcap * 2) == -1)
		return -1;
	return r->nobjs - 1;
}

static int
selected(const struct rep *r, enum sam_type t, const struct sam_field *n)
{
	if (r->keep_all)
		return 1;
	if (r->sel_type < 0 || (int)t != r->sel_type)
		return 0;
	return r->sel_name == NULL || (strlen(r->sel_name) == n->len &&
	    memcmp(r->sel_name, n->p, n->len) == 0);
}

int
rep_add(struct rep *r, const struct sam_rec *rec)
{
	struct rep_ev *e;
	struct rep_mod *m;
	int64_t oi;

	r->records++;
	if (rec->kind == 'V') {
		if (r->records == 1)
			r->version_first = 1;
		if (rec->version > r->version)
			r->version = rec->version;
		return 0;
	}
	if (rec->kind == 'M') {
		if (grow((void **)&r->mods, &r->capmods, r->nmods + 1,
		    sizeof(*r->mods)) == -1)
			return -1;
		m = &r->mods[r->nmods++];
		memset(m, 0, sizeof(*m));
		m->evid = rec->evid;
		m->mask = rec->mask;
		m->time = rec->time;
		m->state = (uint8_t)rec->state;
		m->plan = (uint8_t)rec->plan;
		if (((m->mask & SAM_MOD_USER) && (m->user =
		    strndup(rec->user.p, rec->user.len)) == NULL) ||
		    ((m->mask & SAM_MOD_MSG) && (m->msg =
		    strndup(rec->msg.p, rec->msg.len)) == NULL))
			return -1;
		return 0;
	}
	if ((oi = intern(r, rec->type, rec->name.p, rec->name.len)) == -1)
		return -1;
	if (grow((void **)&r->evs, &r->capev, r->nev + 1, sizeof(*r->evs)) ==
	    -1)
		return -1;
	e = &r->evs[r->nev++];
	e->time = rec->time;
	e->logtime = rec->logtime;
	e->evid = rec->evid;
	e->obj = (uint32_t)oi;
	e->state = (uint8_t)rec->state;
	e->plan = (uint8_t)rec->plan;
	e->user = e->msg = NULL;
	if (selected(r, rec->type, &rec->name) &&
	    ((e->user = strndup(rec->user.p, rec->user.len)) == NULL ||
	    (e->msg = strndup(rec->msg.p, rec->msg.len)) == NULL))
		return -1;
	return 0;
}

static int
load_one(const void *line, size_t len, int flags, uint64_t lineno,
    void *arg)
{
	struct rep *r = arg;
	struct sam_rec rec;
	const char *why;

	(void)flags;
	if (sam_rec_parse(line, len, &rec, &why) == -1) {
		r->unparsable++;
		r->records++;
		if (r->unparsable <= 10)
			log_warnx("%s: line %llu: %s, skipped",
			    r->path != NULL ? r->path : "event log",
			    (unsigned long long)lineno, why);
		return 0;
	}
	if (rep_add(r, &rec) == -1) {
		r->failed = 1;
		return -1;
	}
	if (rec.kind == 'M')
		r->mods[r->nmods - 1].line = lineno;
	return 0;
}

int
rep_load(struct rep *r, const char *path, struct reclog_stats *st)
{
	r->path = path;
	return reclog_replay_file(path, RECLOG_TEXT, SAM_REC_MAX, load_one, r,
	    st);
}

static int
cmp_evid(const void *a, const void *b)
{
	const struct rep_ev *x = a, *y = b;

	return x->evid < y->evid ? -1 : x->evid > y->evid;
}

static int
cmp_time(const void *a, const void *b)
{
	const struct rep_ev *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->evid < y->evid ? -1 : x->evid > y->evid;
}

/* The events that carry evid, in evs sorted by id: the first, and *n. */
static struct rep_ev *
by_evid(struct rep *r, uint64_t evid, size_t *n)
{
	struct rep_ev key, *e, *end;

	*n = 0;
	/* A log of changes alone has no table: bsearch must not see NULL. */
	if (r->nev == 0)
		return NULL;
	memset(&key, 0, sizeof(key));
	key.evid = evid;
	if ((e = bsearch(&key, r->evs, r->nev, sizeof(*r->evs),
	    cmp_evid)) == NULL)
		return NULL;
	while (e > r->evs && e[-1].evid == evid)
		e--;
	for (end = e; end < r->evs + r->nev && end->evid == evid; end++)
		(*n)++;
	return e;
}

/* Ids that several events carry, in evs sorted by id: said, not dropped. */
static void
find_dup_ids(struct rep *r)
{
	size_t i, j;

	for (i = 0; i < r->nev; i = j) {
		for (j = i + 1; j < r->nev && r->evs[j].evid == r->evs[i].evid;
		    j++)
			;
		if (j - i > 1 && ++r->dup_ids <= 10)
			log_warnx("%s: event id %llu is carried by %zu events "
			    "(a writer never gives one twice); all are kept",
			    r->path != NULL ? r->path : "event log",
			    (unsigned long long)r->evs[i].evid, j - i);
	}
}

static int
sorted(const struct rep *r, int (*cmp)(const void *, const void *))
{
	size_t i;

	for (i = 1; i < r->nev; i++)
		if (cmp(&r->evs[i - 1], &r->evs[i]) > 0)
			return 0;
	return 1;
}

/* A change that names no event (n 0), or several: counted and said. */
static void
mod_set_aside(struct rep *r, const struct rep_mod *m, size_t n)
{
	uint64_t *count = n == 0 ? &r->mods_unmatched : &r->mods_ambiguous;
	char which[48];

	if (++*count > 10)
		return;
	if (n == 0)
		snprintf(which, sizeof(which), "which is not in the log");
	else
		snprintf(which, sizeof(which), "which %zu events carry", n);
	log_warnx("%s: line %llu: a change of event %llu, %s, ignored",
	    r->path != NULL ? r->path : "event log",
	    (unsigned long long)m->line, (unsigned long long)m->evid, which);
}

int
rep_finish(struct rep *r)
{
	struct rep_ev *e;
	struct rep_mod *m;
	size_t i, n;

	/* Written in id order, so usually both sorts are skipped. */
	if (!sorted(r, cmp_evid))
		qsort(r->evs, r->nev, sizeof(*r->evs), cmp_evid);
	find_dup_ids(r);
	if (r->nmods > 0) {
		for (i = 0; i < r->nmods; i++) {
			m = &r->mods[i];
			if ((e = by_evid(r, m->evid, &n)) == NULL || n > 1) {
				mod_set_aside(r, m, n);
				continue;
			}
			if (m->mask & SAM_MOD_TIME)
				e->time = m->time;
			if (m->mask & SAM_MOD_STATE)
				e->state = m->state;
			if (m->mask & SAM_MOD_PLAN)
				e->plan = m->plan;
			if ((m->mask & SAM_MOD_USER) && e->user != NULL) {
				free(e->user);
				e->user = m->user;
				m->user = NULL;
			}
			if ((m->mask & SAM_MOD_MSG) && e->msg != NULL) {
				free(e->msg);
				e->msg = m->msg;
				m->msg = NULL;
			}
		}
	}
	if (!sorted(r, cmp_time))
		qsort(r->evs, r->nev, sizeof(*r->evs), cmp_time);
	return 0;
}

int
rep_find(const struct rep *r, enum sam_type t, const char *name)
{
	uint32_t j;
	size_t len = strlen(name);
	const struct rep_obj *o;

	if (r->hashcap == 0)
		return -1;
	j = obj_hash(t, name, len) & (r->hashcap - 1);
	while (r->hash[j] != 0) {
		o = &r->objs[r->hash[j] - 1];
		if (o->type == t && strcmp(o->name, name) == 0)
			return (int)(r->hash[j] - 1);
		j = (j + 1) & (r->hashcap - 1);
	}
	return -1;
}

/* The part of [a, b] inside [beg, end]. */
static int64_t
overlap(int64_t a, int64_t b, int64_t beg, int64_t end)
{
	if (a < beg)
		a = beg;
	if (b > end)
		b = end;
	return b > a ? b - a : 0;
}

static void
close_down(struct rep_obj *o, int64_t t, int64_t beg, int64_t end)
{
	int64_t d = overlap(o->since, t, beg, end);

	if (o->plan == SAM_PLANNED)
		o->planned += d;
	else
		o->unplanned += d;
}

void
rep_compute(struct rep *r, int64_t beg, int64_t end, int planned_up)
{
	struct rep_obj *o;
	struct rep_ev *e;
	int64_t from, until;
	size_t i;

	(void)planned_up;
	for (i = 0; i < r->nobjs; i++) {
		o = &r->objs[i];
		o->downs = 0;
		o->last_down = -1;
		o->unplanned = o->planned = o->observed = 0;
		o->seen = 0;
		o->state = SAM_UP;
		o->last = SAM_UP;
		o->since = 0;
	}
	for (i = 0; i < r->nev; i++) {
		e = &r->evs[i];
		if (e->time > end)
			break;
		o = &r->objs[e->obj];
		if (!o->seen) {
			o->seen = 1;
			o->first = e->time;
			o->since = e->time;	/* begin of existence */
		}
		if (o->state == SAM_GONE && e->state != SAM_GONE) {
			/* Back after GONE: exists again from here. */
			o->state = SAM_UP;
			o->since = e->time;
		}
		switch (e->state) {
		case SAM_DOWN:
			if (o->state == SAM_DOWN)
				break;
			o->state = SAM_DOWN;
			o->since = e->time;
			o->plan = e->plan == SAM_PLANNED ? SAM_PLANNED :
			    SAM_UNPLANNED;
			o->last_down = e->time;
			if (e->time >= beg)
				o->downs++;
			break;
		case SAM_UP:
			if (o->state == SAM_DOWN)
				close_down(o, e->time, beg, end);
			o->state = SAM_UP;
			break;
		case SAM_GONE:
			if (o->state == SAM_DOWN)
				close_down(o, e->time, beg, end);
			o->state = SAM_GONE;
			o->since = e->time;
			break;
		case SAM_CHANGE:
			o->last_down = e->time;
			if (e->time >= beg)
				o->downs++;
			break;
		}
		o->last = o->state;
	}
	/* Periods: from the first event (or beg) to end, or to GONE. */
	for (i = 0; i < r->nobjs; i++) {
		o = &r->objs[i];
		if (!o->seen)
			continue;
		if (o->state == SAM_DOWN)
			close_down(o, end, beg, end);
		from = o->first > beg ? o->first : beg;
		until = o->state == SAM_GONE ? o->since : end;
		o->observed = until > from ? until - from : 0;
	}
	/*
	 * A GONE object that came back has a gap the simple span above
	 * counts as existing; such histories are rare and the gap is
	 * counted as up.  Documented in samrep(1M).
	 */
}

double
rep_uptime(const struct rep_obj *o, int planned_up)
{
	int64_t down = o->unplanned + (planned_up ? 0 : o->planned);

	if (!o->seen || o->observed <= 0)
		return -1;
	if (down > o->observed)
		down = o->observed;
	return 100.0 * (double)(o->observed - down) / (double)o->observed;
}
