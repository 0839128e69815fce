/*
 * ssout: ss's lines, its JSON, and its orders.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"
#include "ssd.h"

#define NAME_WIDTH	12

static const char *
elapsed(long secs, char *buf, size_t bufsz)
{
	if (secs == 0)
		return "0";
	return fmt_elapsed(secs, buf, bufsz);
}

/* Appends, each keeping buf NUL-terminated; ss prints 10,000 lines fast. */
struct line {
	char	*buf;
	size_t	 len, size;
};

static void
put_str(struct line *l, const char *s, int width)
{
	size_t n = strlen(s);
	int pad = width < 0 ? -width : width;

	if (width > 0)
		for (; pad > (int)n; pad--)
			put_str(l, " ", 0);
	for (; *s != '\0'; s++)
		if (l->len + 1 < l->size)
			l->buf[l->len++] = *s;
	if (width < 0)
		for (; pad > (int)n; pad--)
			put_str(l, " ", 0);
	if (l->size > 0)
		l->buf[l->len < l->size ? l->len : l->size - 1] = '\0';
}

static void
put_int(struct line *l, long v, int width, int zero)
{
	char tmp[24], *p = tmp + sizeof(tmp) - 1;
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
	int digits = 0;

	*p = '\0';
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
		digits++;
	} while (u != 0 || (zero && digits < width));
	if (v < 0)
		*--p = '-';
	put_str(l, p, width);
}

int
ss_line(const struct ss_host *h, char *buf, size_t bufsz)
{
	struct line l = { buf, 0, bufsz };
	char t[24], i[24];
	const Csstat_t *st = &h->st;

	if (bufsz > 0)
		buf[0] = '\0';
	put_str(&l, h->name, -NAME_WIDTH);
	switch (h->state) {
	case SS_NOSTATUS:
		put_str(&l, "  *no status*", 0);
		break;
	case SS_UNKNOWN:
		put_str(&l, "  *unknown host*", 0);
		break;
	case SS_DOWN:
		put_str(&l, "down ", 0);
		put_str(&l, elapsed(-st->up, t, sizeof(t)), 6);
		put_str(&l, ",  0 users, idle      0, load  0.00, %usr  0, "
		    "%sys  0", 0);
		break;
	case SS_UP:
	default:
		put_str(&l, "  up ", 0);
		put_str(&l, elapsed(st->up, t, sizeof(t)), 6);
		put_str(&l, ", ", 0);
		put_int(&l, st->users, 2, 0);
		put_str(&l, " users, idle ", 0);
		put_str(&l, elapsed(st->idle, i, sizeof(i)), 6);
		put_str(&l, ", load ", 0);
		put_int(&l, st->load / 100, 2, 0);
		put_str(&l, ".", 0);
		put_int(&l, st->load % 100, 2, 1);
		put_str(&l, ", %usr ", 0);
		put_int(&l, st->pctusr, 2, 0);
		put_str(&l, ", %sys ", 0);
		put_int(&l, st->pctsys, 2, 0);
		break;
	}
	return (int)l.len;
}

int
ss_json(const struct ss_host *h, char *buf, size_t bufsz)
{
	static const char *state[] = { "up", "down", "no status",
	    "unknown host" };
	const Csstat_t *st = &h->st;

	/* Names passed csstat_name_ok or were refused: nothing to escape. */
	if (h->state == SS_NOSTATUS || h->state == SS_UNKNOWN)
		return snprintf(buf, bufsz, "{\"host\":\"%s\",\"state\":\"%s\"}",
		    h->name, state[h->state]);
	return snprintf(buf, bufsz, "{\"host\":\"%s\",\"state\":\"%s\","
	    "\"up\":%ld,\"down\":%ld,\"users\":%d,\"idle\":%ld,"
	    "\"load\":%d.%02d,\"pctusr\":%d,\"pctsys\":%d}", h->name,
	    state[h->state], st->up > 0 ? st->up : 0,
	    st->up > 0 ? 0 : -st->up, st->users, st->idle, st->load / 100,
	    st->load % 100, st->pctusr, st->pctsys);
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
	qsort(p, n, sizeof(*p), cmp_ptr);
	for (i = 0; i < n; i++)
		copy[i] = *p[i];
	memcpy(h, copy, n * sizeof(*h));
	free(p);
	free(copy);
}
