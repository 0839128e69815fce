/*
 * libFuzzer target: libhmcluster's membership table (members.c), driven by
 * what corosync reports: node names and addresses from its nodelist,
 * memberships, quorum, and the process group's views and leaves.  The
 * input is a sequence of operations (u8 op, then its arguments).  Must
 * hold after each: the table is sorted by node id without duplicates, its
 * strings are terminated, an applied membership's nodes are exactly the
 * members, and each event names a node of the table.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/cluster/members.h"
#include "../fuzzutil.h"

#define FZ_MEMBERS_IDS		16
#define FZ_MEMBERS_OPS		128

static const struct members *fz_members_table;

static void
fz_members_event(const struct member_event *ev, void *arg)
{
	const struct members *t = fz_members_table;

	(void)arg;
	if (ev->type == MEMBER_EV_QUORUM) {
		FUZZ_CHECK(ev->m == NULL);
		return;
	}
	FUZZ_CHECK(ev->type == MEMBER_EV_UP || ev->type == MEMBER_EV_DOWN);
	FUZZ_CHECK(ev->m != NULL && ev->m >= t->v && ev->m < t->v + t->n);
	FUZZ_CHECK(memchr(ev->m->name, '\0', sizeof(ev->m->name)) != NULL);
}

static void
fz_members_valid(const struct members *t)
{
	size_t i;

	FUZZ_CHECK(t->n <= t->cap);
	for (i = 0; i < t->n; i++) {
		FUZZ_CHECK(i == 0 || t->v[i - 1].nodeid < t->v[i].nodeid);
		FUZZ_CHECK(memchr(t->v[i].name, '\0',
		    sizeof(t->v[i].name)) != NULL);
		FUZZ_CHECK(memchr(t->v[i].addr, '\0',
		    sizeof(t->v[i].addr)) != NULL);
		FUZZ_CHECK(t->v[i].state == CLUSTER_MEMBER ||
		    t->v[i].state == CLUSTER_LEFT ||
		    t->v[i].state == CLUSTER_UNREACHABLE);
	}
}

/* Up to FZ_MEMBERS_IDS node ids, small ones mostly (so they repeat). */
static size_t
fz_members_ids(struct fz_in *in, uint32_t *ids)
{
	unsigned n, v;
	size_t i;

	if (fz_u8(in, &n) == -1)
		return 0;
	n %= FZ_MEMBERS_IDS + 1;
	for (i = 0; i < n && fz_u8(in, &v) == 0; i++)
		ids[i] = v == 255 ? 0xffffffffu : v % 12;
	return i;
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct members t;
	uint32_t ids[FZ_MEMBERS_IDS], id;
	int64_t now = 1700000000000, mono = 1000;
	unsigned op, v, k = 0;
	const uint8_t *s;
	char str[MEMBERS_NAME_MAX + 64];
	size_t n, len, i, j;
	int r;

	members_init(&t);
	fz_members_table = &t;
	while (k++ < FZ_MEMBERS_OPS && fz_u8(&in, &op) == 0) {
		now += 1000;
		mono += 1000;
		id = 0;
		if (op % 9 <= 2 || op % 9 == 7) {
			if (fz_u8(&in, &v) == -1)
				break;
			id = v % 12;
		}
		switch (op % 9) {
		case 0:
			FUZZ_CHECK(members_get(&t, id) != NULL);
			FUZZ_CHECK(members_find(&t, id) != NULL);
			break;
		case 1:
		case 2:
			if (fz_u8(&in, &v) == -1)
				break;
			s = fz_bytes(&in, v, &len);
			len = len < sizeof(str) - 1 ? len : sizeof(str) - 1;
			memcpy(str, s, len);
			str[len] = '\0';
			if (op % 9 == 1)
				r = members_set_name(&t, id, str);
			else
				r = members_set_addr(&t, id, len > 0 ? str :
				    NULL);
			FUZZ_CHECK(r == 0 && members_find(&t, id) != NULL);
			break;
		case 3:
			n = fz_members_ids(&in, ids);
			(void)members_view_complete(&t, ids, n);
			r = members_apply(&t, ids, n, now, mono, 3000,
			    op / 9 % 2 ? CLUSTER_F_GAP : 0, fz_members_event,
			    NULL);
			FUZZ_CHECK(r >= 0);
			/* The members now are exactly the ids applied. */
			for (i = 0; i < t.n; i++) {
				int in_ids = 0;

				for (j = 0; j < n; j++)
					in_ids |= ids[j] == t.v[i].nodeid;
				FUZZ_CHECK(in_ids ==
				    (t.v[i].state == CLUSTER_MEMBER));
			}
			break;
		case 4:
			(void)members_set_quorate(&t, op / 9 % 2, now, 0,
			    fz_members_event, NULL);
			FUZZ_CHECK(t.quorate == (int)(op / 9 % 2));
			break;
		case 5:
			n = fz_members_ids(&in, ids);
			members_cpg_view(&t, ids, n);
			break;
		case 6:
			if (fz_u8(&in, &v) == -1)
				break;
			members_cpg_left(&t, v % 12, (int)(op / 9 % 2), mono);
			break;
		case 7:
			t.local_nodeid = id;
			break;
		case 8:
			members_cpg_reset(&t);
			break;
		}
		fz_members_valid(&t);
	}
	members_free(&t);
	return 0;
}
