/*
 * ssout: ss's lines, its JSON, and its orders.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ssd.h"

#define NAME_WIDTH	12

/*
 * Appends, each keeping buf NUL-terminated (truncating when full).  ss
 * prints 10,000 lines at a time, so this is memcpy work, not printf's.
 */
struct line {
	char	*buf;
	size_t	 len, size;
};

static void
put_mem(struct line *l, const char *s, size_t n)
{
	if (l->size == 0)
		return;
	if (n > l->size - 1 - l->len)
		n = l->size - 1 - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
}

#define put_lit(l, s)	put_mem((l), (s), sizeof(s) - 1)

static void
put_blanks(struct line *l, size_t n)
{
	static const char blanks[] = "                                ";

	while (n > 0) {
		size_t k = n < sizeof(blanks) - 1 ? n : sizeof(blanks) - 1;

		put_mem(l, blanks, k);
		n -= k;
	}
}

/* s in a field of |width| (0: none), right-aligned if width > 0. */
static void
put_field(struct line *l, const char *s, size_t n, int width)
{
	size_t pad = (size_t)(width < 0 ? -width : width);

	pad = pad > n ? pad - n : 0;
	if (width > 0)
		put_blanks(l, pad);
	put_mem(l, s, n);
	if (width < 0)
		put_blanks(l, pad);
}

/* Decimal digits of u, at least min of them (leading zeros), at the end of tmp. */
static char *
digits(uint64_t u, int min, char *end)
{
	char *p = end;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
		min--;
	} while (u != 0 || min > 0);
	return p;
}

static void
put_int(struct line *l, long v, int width, int zero)
{
	char tmp[24], *end = tmp + sizeof(tmp), *p;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	p = digits(u, zero ? width : 1, end);
	if (v < 0)
		*--p = '-';
	put_field(l, p, (size_t)(end - p), width);
}

int
ss_elapsed(int64_t seconds, char *buf, size_t bufsz)
{
	/* Units and their sub-units, as fmt_elapsed (timeutil.c) writes them. */
	static const struct {
		uint64_t	 limit, unit, sub;
		char		 u, su;
	} fmt[] = {
		{ 3600, 60, 1, 'm', 's' },
		{ 86400, 3600, 60, 'h', 'm' },
		{ 604800, 86400, 3600, 'd', 'h' },
		{ UINT64_MAX, 604800, 86400, 'w', 'd' },
	};
	char tmp[32], *end = tmp + sizeof(tmp), *p = end;
	uint64_t s = seconds < 0 ? -(uint64_t)seconds : (uint64_t)seconds;
	size_t i, n;

	if (s == 0) {
		*--p = '0';
	} else if (s < 60) {
		memcpy(p -= 4, ".00s", 4);
		p = digits(s, 1, p);
	} else {
		for (i = 0; s >= fmt[i].limit; i++)
			;
		*--p = fmt[i].su;
		p = digits(s % fmt[i].unit / fmt[i].sub, 2, p);
		*--p = fmt[i].u;
		p = digits(s / fmt[i].unit, 1, p);
	}
	n = (size_t)(end - p);
	if (bufsz > 0) {
		memcpy(buf, p, n < bufsz ? n : bufsz - 1);
		buf[n < bufsz ? n : bufsz - 1] = '\0';
	}
	return (int)n;
}

/*
 * A value right-aligned in a field of width columns after a word (AST's
 * "%7s" after "up", "idle", "load"...): a value as wide as its field or
 * wider gets a blank first, so that no two fields ever touch.
 */
static void
put_value(struct line *l, const char *s, size_t n, int width)
{
	if (n >= (size_t)width)
		put_lit(l, " ");
	put_field(l, s, n, width);
}

static void
put_elapsed(struct line *l, long secs, int width)
{
	char t[32];
	int n = ss_elapsed(secs, t, sizeof(t));

	put_value(l, t, (size_t)n, width);
}

static void
put_num(struct line *l, long v, int width)
{
	char tmp[24], *end = tmp + sizeof(tmp), *p;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	p = digits(u, 1, end);
	if (v < 0)
		*--p = '-';
	put_value(l, p, (size_t)(end - p), width);
}

/*
 * The name in 12 columns, then the state right-aligned in 4 (AST's
 * "%-12s%4s"); a name of 12 characters or more still gets one blank
 * before the state.
 */
static void
put_name_state(struct line *l, const char *name, const char *state)
{
	size_t n = strlen(name), k = strlen(state);
	size_t pad = (n < NAME_WIDTH ? NAME_WIDTH - n : 0) + (k < 4 ? 4 - k : 0);

	put_mem(l, name, n);
	put_blanks(l, pad > 0 ? pad : 1);
	put_mem(l, state, k);
}

/*
 * AST's line: "%-12s%4s%7s,%3d user%s idle%7s, load%3d.%02d, %%usr%3d,
 * %%sys%3d", where user%s is "user, " for one user and "users," otherwise,
 * and the idle time is "%" when it is longer than the up time (AST's
 * csstat makes it so when nobody is logged in).  A down host shows zeros.
 */
int
ss_line(const struct ss_host *h, char *buf, size_t bufsz)
{
	struct line l = { buf, 0, bufsz };
	const Csstat_t *st = &h->st;
	int up = h->state != SS_DOWN;

	if (bufsz > 0)
		buf[0] = '\0';
	switch (h->state) {
	case SS_NOSTATUS:
		put_field(&l, h->name, strlen(h->name), -NAME_WIDTH);
		put_lit(&l, "  *no status*");
		break;
	case SS_UNKNOWN:
		put_field(&l, h->name, strlen(h->name), -NAME_WIDTH);
		put_lit(&l, "  *unknown host*");
		break;
	case SS_DOWN:
	case SS_UP:
	default:
		put_name_state(&l, h->name, up ? "up" : "down");
		put_elapsed(&l, up ? st->up : -st->up, 7);
		put_lit(&l, ",");
		put_num(&l, up ? st->users : 0, 3);
		if (up && st->users == 1)
			put_lit(&l, " user,  idle");
		else
			put_lit(&l, " users, idle");
		if (!up)
			put_value(&l, "0", 1, 7);
		else if (st->users == 0 || st->idle > st->up)
			put_value(&l, "%", 1, 7);
		else
			put_elapsed(&l, st->idle, 7);
		put_lit(&l, ", load");
		put_num(&l, up ? st->load / 100 : 0, 3);
		put_lit(&l, ".");
		put_int(&l, up ? st->load % 100 : 0, 2, 1);
		put_lit(&l, ", %usr");
		put_num(&l, up ? st->pctusr : 0, 3);
		put_lit(&l, ", %sys");
		put_num(&l, up ? st->pctsys : 0, 3);
		break;
	}
	return (int)l.len;
}

/* A JSON string's contents for s, cut (never inside an escape) to fit. */
#define JSON_NAME_MAX	(CSSTAT_NAME_MAX + 8)
static void
json_name(const char *s, char *out, size_t outsz)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, k;
	char esc[7];

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			k = 2;
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			k = 6;
		} else {
			esc[0] = (char)c;
			k = 1;
		}
		if (o + k >= outsz)
			break;
		memcpy(out + o, esc, k);
		o += k;
	}
	out[o] = '\0';
}

int
ss_json(const struct ss_host *h, char *buf, size_t bufsz)
{
	static const char *state[] = { "up", "down", "no status",
	    "unknown host" };
	const Csstat_t *st = &h->st;
	char name[JSON_NAME_MAX + 1];
	int n;

	/*
	 * An unknown host is any operand, unchecked: escape it, and keep it
	 * short enough for the line buffer of ss (OUT_LINE_MAX).
	 */
	json_name(h->name, name, sizeof(name));
	if (h->state == SS_NOSTATUS || h->state == SS_UNKNOWN)
		n = snprintf(buf, bufsz, "{\"host\":\"%s\",\"state\":\"%s\"}",
		    name, state[h->state]);
	else
		n = snprintf(buf, bufsz, "{\"host\":\"%s\",\"state\":\"%s\","
		    "\"up\":%ld,\"down\":%ld,\"users\":%d,\"idle\":%ld,"
		    "\"load\":%d.%02d,\"pctusr\":%d,\"pctsys\":%d}", name,
		    state[h->state], st->up > 0 ? st->up : 0,
		    st->up > 0 ? 0 : -st->up, st->users, st->idle,
		    st->load / 100, st->load % 100, st->pctusr, st->pctsys);
	/* What was written, never more: the caller adds it to its length. */
	if (n < 0 || bufsz == 0)
		return 0;
	return (size_t)n < bufsz ? n : (int)(bufsz - 1);
}

static const char	*sort_keys;
static int		 sort_sign;

/* Hosts without status sort after every host with one, reversed or not. */
static int
cmp_known(const struct ss_host *a, const struct ss_host *b)
{
	int ka = a->state == SS_UP || a->state == SS_DOWN;
	int kb = b->state == SS_UP || b->state == SS_DOWN;

	return kb - ka;
}

#define CMP_DESC(x, y)	((x) < (y) ? 1 : (x) > (y) ? -1 : 0)

static int
cmp_host(const void *pa, const void *pb)
{
	const struct ss_host *a = pa, *b = pb;
	const char *k;
	int c;

	if ((c = cmp_known(a, b)) != 0)
		return c;
	for (k = sort_keys; *k != '\0'; k++) {
		switch (*k) {
		case 'c':
			c = CMP_DESC(a->st.pctusr + a->st.pctsys,
			    b->st.pctusr + b->st.pctsys);
			break;
		case 'i':
			c = CMP_DESC(a->st.idle, b->st.idle);
			break;
		case 'l':
			c = CMP_DESC(a->st.load, b->st.load);
			break;
		case 't':
			/* Longest up first; down hosts last, freshest first. */
			c = CMP_DESC(a->st.up, b->st.up);
			break;
		case 'u':
			c = CMP_DESC(a->st.users, b->st.users);
			break;
		default:
			c = 0;
		}
		if (c != 0)
			return c * sort_sign;
	}
	return strcmp(a->name, b->name) * sort_sign;
}

/* Pointers are sorted, not the structs: ss sorts 10,000 of them. */
static int
cmp_ptr(const void *pa, const void *pb)
{
	return cmp_host(*(const struct ss_host *const *)pa,
	    *(const struct ss_host *const *)pb);
}

/* The default order (no keys), which ss uses most: cmp_host without the keys. */
static int
cmp_ptr_name(const void *pa, const void *pb)
{
	const struct ss_host *a = *(const struct ss_host *const *)pa;
	const struct ss_host *b = *(const struct ss_host *const *)pb;
	int c;

	if ((c = cmp_known(a, b)) != 0)
		return c;
	return strcmp(a->name, b->name) * sort_sign;
}

void
ss_sort(struct ss_host *h, size_t n, const char *keys, int reverse)
{
	struct ss_host **p, *copy;
	size_t i;

	sort_keys = keys;
	sort_sign = reverse ? -1 : 1;
	p = reallocarray(NULL, n, sizeof(*p));
	copy = reallocarray(NULL, n, sizeof(*copy));
	if (p == NULL || copy == NULL) {
		free(p);
		free(copy);
		qsort(h, n, sizeof(*h), cmp_host);
		return;
	}
	for (i = 0; i < n; i++)
		p[i] = &h[i];
	qsort(p, n, sizeof(*p), *keys == '\0' ? cmp_ptr_name : cmp_ptr);
	for (i = 0; i < n; i++)
		copy[i] = *p[i];
	memcpy(h, copy, n * sizeof(*h));
	free(p);
	free(copy);
}
