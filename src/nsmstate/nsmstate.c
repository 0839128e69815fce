/*
 * nsmstate: a read-only replay of rpc.statd's status file (nsmstate.h).
 * The state is kept in jansson objects keyed by entry, so a list of many
 * thousands of hosts replays in linear time:
 *   mon:     "prog vers proc my_name mon_name" -> the entry
 *   pending: mon_name -> the notification
 * Names are checked as statd checks them (no byte at or below a space,
 * none at or above 0x7f, no '/', not starting with '.'), so a key's
 * spaces cannot be part of a name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsmstate.h"
#include "reclog.h"

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

/* A name of len bytes, checked as statd checks it; -1 if invalid. */
static int
getname(struct rd *r, unsigned len, char out[NSMSTATE_MAXSTRLEN + 1])
{
	unsigned i;

	if (len == 0 || len > NSMSTATE_MAXSTRLEN || get(r, out, len) == -1)
		return -1;
	out[len] = '\0';
	if (out[0] == '.')
		return -1;
	for (i = 0; i < len; i++)
		if ((unsigned char)out[i] <= ' ' ||
		    (unsigned char)out[i] >= 0x7f || out[i] == '/')
			return -1;
	return 0;
}

json_t *
nsmstate_new(void)
{
	return json_pack("{s:n, s:{}, s:{}, s:I, s:I}", "state", "mon",
	    "pending", "records", (json_int_t)0, "not_understood",
	    (json_int_t)0);
}

static void
count(json_t *st, const char *key)
{
	json_t *v = json_object_get(st, key);

	json_integer_set(v, json_integer_value(v) + 1);
}

static char *
mon_key(uint32_t prog, uint32_t vers, uint32_t proc, const char *my,
    const char *mon)
{
	char *k;

	if (asprintf(&k, "%u %u %u %s %s", prog, vers, proc, my, mon) == -1)
		return NULL;
	return k;
}

/* 'A': every entry of (my, prog, vers, proc) goes. */
static void
unmon_all(json_t *mon, uint32_t prog, uint32_t vers, uint32_t proc,
    const char *my)
{
	char *prefix;
	const char *key;
	json_t *v, *tmp;
	size_t n;

	if (asprintf(&prefix, "%u %u %u %s ", prog, vers, proc, my) == -1)
		return;
	n = strlen(prefix);
	json_object_foreach_safe(mon, tmp, key, v) {
		if (strncmp(key, prefix, n) == 0)
			json_object_del(mon, key);
	}
	free(prefix);
}

int
nsmstate_apply(json_t *st, const void *rec, size_t len)
{
	struct rd r = { rec, len };
	char mname[NSMSTATE_MAXSTRLEN + 1], my[NSMSTATE_MAXSTRLEN + 1];
	unsigned char type, priv[NSMSTATE_PRIV_SIZE], boot[36];
	uint32_t prog, vers, proc, state, lo, hi;
	unsigned ml, yl;
	json_t *cur, *e;
	char *k;
	int rv = 0;

	count(st, "records");
	if (get(&r, &type, 1) == -1)
		goto bad;
	switch (type) {
	case 'S':
		if (get32(&r, &state) == -1 || get(&r, boot, sizeof(boot)) ==
		    -1)
			goto bad;
		/* the highest state recorded is the state, as statd says */
		cur = json_object_get(st, "state");
		if (!json_is_integer(cur) || (json_int_t)state >
		    json_integer_value(cur))
			json_object_set_new(st, "state",
			    json_integer((json_int_t)state));
		break;
	case 'M':
	case 'U':
		if (get32(&r, &prog) == -1 || get32(&r, &vers) == -1 ||
		    get32(&r, &proc) == -1 || (type == 'M' &&
		    get(&r, priv, sizeof(priv)) == -1) ||
		    get16(&r, &ml) == -1 || get16(&r, &yl) == -1 ||
		    getname(&r, ml, mname) == -1 ||
		    getname(&r, yl, my) == -1)
			goto bad;
		if ((k = mon_key(prog, vers, proc, my, mname)) == NULL)
			return -1;
		if (type == 'U')
			json_object_del(json_object_get(st, "mon"), k);
		else {
			e = json_pack("{s:s, s:s, s:I, s:I, s:I}", "mon_name",
			    mname, "my_name", my, "prog", (json_int_t)prog,
			    "vers", (json_int_t)vers, "proc", (json_int_t)proc);
			if (e == NULL || json_object_set_new(json_object_get(st,
			    "mon"), k, e) == -1)
				rv = -1;
		}
		free(k);
		break;
	case 'A':
		if (get32(&r, &prog) == -1 || get32(&r, &vers) == -1 ||
		    get32(&r, &proc) == -1 || get16(&r, &yl) == -1 ||
		    getname(&r, yl, my) == -1)
			goto bad;
		unmon_all(json_object_get(st, "mon"), prog, vers, proc, my);
		break;
	case 'N':
		if (get32(&r, &state) == -1 || get32(&r, &lo) == -1 ||
		    get32(&r, &hi) == -1 || get16(&r, &ml) == -1 ||
		    getname(&r, ml, mname) == -1)
			goto bad;
		e = json_pack("{s:s, s:I, s:I}", "host", mname, "state",
		    (json_int_t)state, "since_ms",
		    (json_int_t)(int64_t)((uint64_t)hi << 32 | lo));
		if (e == NULL || json_object_set_new(json_object_get(st,
		    "pending"), mname, e) == -1)
			rv = -1;
		break;
	case 'D':
		if (get16(&r, &ml) == -1 || getname(&r, ml, mname) == -1)
			goto bad;
		json_object_del(json_object_get(st, "pending"), mname);
		break;
	default:
		goto bad;
	}
	/* bytes past a record's end: applied, and counted, as statd does */
	if (r.left != 0)
		count(st, "not_understood");
	return rv;
bad:
	/* a good checksum, a record not understood: skipped, as statd does */
	count(st, "not_understood");
	return 0;
}

static json_t *
values(json_t *o)
{
	json_t *arr = json_array(), *v;
	const char *key;

	json_object_foreach(o, key, v) {
		json_array_append(arr, v);
	}
	return arr;
}

json_t *
nsmstate_view(json_t *st)
{
	return json_pack("{s:O, s:o, s:o, s:O, s:O}",
	    "state", json_object_get(st, "state"),
	    "monitored", values(json_object_get(st, "mon")),
	    "pending", values(json_object_get(st, "pending")),
	    "records", json_object_get(st, "records"),
	    "records_not_understood", json_object_get(st, "not_understood"));
}

static int
replay_one(const void *rec, size_t len, int flags, uint64_t where, void *arg)
{
	(void)flags;
	(void)where;
	if (nsmstate_apply(arg, rec, len) == -1) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

json_t *
nsmstate_read(const char *path)
{
	struct reclog_stats rs;
	json_t *st, *view;
	int saved;

	if ((st = nsmstate_new()) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	memset(&rs, 0, sizeof(rs));
	if (reclog_replay_file(path, RECLOG_BINARY, NSMSTATE_REC_MAX,
	    replay_one, st, &rs) == -1) {
		saved = errno;
		json_decref(st);
		errno = saved;
		return NULL;
	}
	view = nsmstate_view(st);
	json_decref(st);
	if (view == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	json_object_set_new(view, "damaged", json_integer((json_int_t)
	    (rs.bad_skipped + (rs.tail_dropped > 0))));
	return view;
}
