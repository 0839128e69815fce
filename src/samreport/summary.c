/*
 * samreport: the SUMMARY's JSON values (see samreport.h).  Strings go
 * through utf8_repair: jansson takes only well-formed UTF-8, and a name in
 * the event log may hold any byte.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sam.h"
#include "samreport.h"
#include "utf8.h"

void
rep_first_last(const struct rep *r, const struct rep_ev **first,
    const struct rep_ev **last)
{
	size_t i;

	*first = *last = NULL;
	for (i = 0; i < r->nev; i++) {
		if (*first == NULL || r->evs[i].evid < (*first)->evid)
			*first = &r->evs[i];
		if (*last == NULL || r->evs[i].evid > (*last)->evid)
			*last = &r->evs[i];
	}
}

uint8_t *
rep_changes_only(const struct rep *r)
{
	uint8_t *c;
	size_t i;

	if ((c = calloc(r->nobjs + 1, 1)) == NULL)
		return NULL;
	for (i = 0; i < r->nobjs; i++)
		c[i] = 1;
	for (i = 0; i < r->nev; i++)
		if (r->evs[i].state != SAM_CHANGE)
			c[r->evs[i].obj] = 0;
	for (i = 0; i < r->nobjs; i++)
		if (r->objs[i].type == SAM_TIME)
			c[i] = 1;
	return c;
}

static json_t *
str(const char *s)
{
	size_t len;
	char *ok;
	json_t *j;

	if (s == NULL)
		s = "";
	if ((ok = utf8_repair(s, strlen(s), &len)) == NULL)
		return NULL;
	j = json_stringn(ok, len);
	free(ok);
	return j;
}

static json_t *
num(int64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *
when(int64_t t)
{
	return t < 0 ? json_null() : num(t);
}

/* Set key to v, which it takes; a NULL v (out of memory) fails it all. */
static int
put(json_t *o, const char *key, json_t *v)
{
	return v != NULL && json_object_set_new(o, key, v) == 0 ? 0 : -1;
}

json_t *
rep_json_header(const struct rep *r, const struct rep_view *v)
{
	const struct rep_ev *fe = NULL, *le = NULL;
	json_t *o = json_object();
	int bad = o == NULL;

	rep_first_last(r, &fe, &le);
	bad |= put(o, "node", str(sam_nodename()));
	if (v->type >= 0) {
		bad |= put(o, "type", str(sam_type_name(v->type)));
		bad |= put(o, "name", v->name != NULL ? str(v->name) :
		    json_null());
	}
	bad |= put(o, "now", num(v->now));
	bad |= put(o, "begin", num(v->beg));
	bad |= put(o, "end", num(v->end));
	bad |= put(o, "period_seconds", num(v->end - v->beg));
	bad |= put(o, "event_log", str(v->path));
	bad |= put(o, "format_version", num(r->version));
	bad |= put(o, "event_count", num((int64_t)r->nev));
	bad |= put(o, "first_event", fe != NULL ? json_pack("{sIsI}", "id",
	    (json_int_t)fe->evid, "time", (json_int_t)fe->time) : json_null());
	bad |= put(o, "last_event", le != NULL ? json_pack("{sIsI}", "id",
	    (json_int_t)le->evid, "time", (json_int_t)le->time) : json_null());
	bad |= put(o, "planned_counts_as_up", json_boolean(v->planned_up));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
rep_json_object(const struct rep *r, uint32_t i, const uint8_t *chg,
    int planned_up)
{
	const struct rep_obj *ob = &r->objs[i];
	int none = chg[i], bad;
	double up = rep_uptime(ob, planned_up);
	json_t *o = json_object();

	bad = o == NULL;
	bad |= put(o, "type", str(sam_type_name(ob->type)));
	bad |= put(o, "name", str(ob->name));
	bad |= put(o, "downs", num(none ? 0 : (int64_t)ob->downs));
	bad |= put(o, "last_down", none ? json_null() : when(ob->last_down));
	bad |= put(o, "changes", num(none ? (int64_t)ob->downs : 0));
	bad |= put(o, "last_change", none ? when(ob->last_down) :
	    json_null());
	bad |= put(o, "unplanned_down_seconds", num(ob->unplanned));
	bad |= put(o, "planned_down_seconds", num(ob->planned));
	bad |= put(o, "period_seconds", num(ob->observed));
	bad |= put(o, "up_percent", up < 0 || none ? json_null() :
	    json_real(up));
	bad |= put(o, "state", none ? json_null() :
	    str(sam_state_name(ob->last)));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
rep_json_summary(const struct rep *r, const struct rep_view *v)
{
	json_t *o, *arr, *e;
	uint8_t *chg;
	uint32_t i;

	if ((chg = rep_changes_only(r)) == NULL)
		return NULL;
	o = rep_json_header(r, v);
	arr = json_array();
	for (i = 0; o != NULL && arr != NULL && i < r->nobjs; i++) {
		const struct rep_obj *ob = &r->objs[i];

		if (!ob->seen || (v->type >= 0 && (int)ob->type != v->type) ||
		    (v->name != NULL && strcmp(v->name, ob->name) != 0))
			continue;
		if ((e = rep_json_object(r, i, chg, v->planned_up)) == NULL ||
		    json_array_append_new(arr, e) == -1) {
			json_decref(arr);
			arr = NULL;
		}
	}
	free(chg);
	if (o == NULL || arr == NULL || put(o, "objects", arr) == -1) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int
rep_summary_file(const char *path, int64_t now, json_t **out)
{
	struct rep r;
	struct reclog_stats st;
	struct rep_view v;
	int saved;

	*out = NULL;
	rep_init(&r);
	memset(&st, 0, sizeof(st));
	if (rep_load(&r, path, &st) == -1) {
		saved = r.failed ? ENOMEM : errno;
		rep_free(&r);
		errno = saved;
		return -1;
	}
	if (rep_finish(&r) == -1) {
		rep_free(&r);
		errno = ENOMEM;
		return -1;
	}
	memset(&v, 0, sizeof(v));
	v.type = -1;
	v.path = path;
	v.now = now;
	v.end = now;
	v.beg = r.nev > 0 ? r.evs[0].time : now;
	if (v.end < v.beg)
		v.beg = v.end;
	rep_compute(&r, v.beg, v.end, 0);
	*out = rep_json_summary(&r, &v);
	rep_free(&r);
	return 0;
}
