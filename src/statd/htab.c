/*
 * Chained hash tables for the monitor list, its hosts and the pending
 * notifications.  Items are linked through their first member, so one
 * table serves every struct that starts with a "next" pointer.
 */
#include <stdlib.h>
#include <string.h>

#include "statd.h"

uint32_t
hash_bytes(uint32_t h, const void *p, size_t len)
{
	const unsigned char *c = p;

	while (len-- > 0) {
		h ^= *c++;
		h *= 16777619u;		/* FNV-1a */
	}
	return h;
}

uint32_t
hash_name(const char *s)
{
	return hash_bytes(2166136261u, s, strlen(s));
}

struct link { struct link *next; };

/* Doubles the table; on failure keeps it (longer chains, still correct). */
static void
htab_grow(struct htab *t)
{
	size_t n = t->nslots ? t->nslots * 2 : 1024, i;
	void **s = calloc(n, sizeof(*s));

	if (s == NULL)
		return;
	for (i = 0; i < t->nslots; i++) {
		struct link *l = t->slots[i], *next;

		for (; l != NULL; l = next) {
			size_t b = t->hashof(l) & (n - 1);

			next = l->next;
			l->next = s[b];
			s[b] = l;
		}
	}
	free(t->slots);
	t->slots = s;
	t->nslots = n;
}

int
htab_insert(struct htab *t, void *item, uint32_t hash)
{
	struct link *l = item;
	size_t b;

	if (t->count >= t->nslots)
		htab_grow(t);
	if (t->nslots == 0)
		return -1;
	b = hash & (t->nslots - 1);
	l->next = t->slots[b];
	t->slots[b] = l;
	t->count++;
	return 0;
}

void
htab_unlink(struct htab *t, void *item, uint32_t hash)
{
	struct link **pp, *l = item;

	if (t->nslots == 0)
		return;
	for (pp = (struct link **)&t->slots[hash & (t->nslots - 1)];
	    *pp != NULL; pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			t->count--;
			return;
		}
}

void *
htab_bucket(const struct htab *t, uint32_t hash)
{
	return t->nslots ? t->slots[hash & (t->nslots - 1)] : NULL;
}

/* Calls fn for every item; fn may unlink (and free) the item it gets. */
void
htab_foreach(const struct htab *t, void (*fn)(void *item, void *arg),
    void *arg)
{
	size_t i;

	for (i = 0; i < t->nslots; i++) {
		struct link *l = t->slots[i], *next;

		for (; l != NULL; l = next) {
			next = l->next;
			fn(l, arg);
		}
	}
}

void
htab_free(struct htab *t)
{
	free(t->slots);
	t->slots = NULL;
	t->nslots = t->count = 0;
}
