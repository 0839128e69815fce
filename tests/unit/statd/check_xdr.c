/*
 * The NSM protocol's XDR (rpc/sm_inter.x through rpcgen), type by type.
 *
 * A round trip through the generated code alone would pass whatever the .x
 * said, since encoder and decoder come from the same text.  So each type's
 * bytes are also built here by hand, from the layout of X/Open C218: the
 * encoder must produce exactly them, and the decoder must give back every
 * field from them.  Every strictly shorter buffer, and a name one byte over
 * SM_MAXSTRLEN, must be refused both ways.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rpc/rpc.h>

#include "sm_inter.h"
#include "../check_main.h"

/* The longest object here: two names of SM_MAXSTRLEN + 1 and the rest. */
#define WIRE_MAX	(2 * (4 + SM_MAXSTRLEN + 4) + 64)

/* XDR bytes written by hand: big-endian words, data padded to 4. */
struct wire {
	unsigned char	b[WIRE_MAX];
	size_t		n;
};

static void
put32(struct wire *w, uint32_t v)
{
	ck_assert_uint_le(w->n + 4, sizeof(w->b));
	w->b[w->n++] = (unsigned char)(v >> 24);
	w->b[w->n++] = (unsigned char)(v >> 16);
	w->b[w->n++] = (unsigned char)(v >> 8);
	w->b[w->n++] = (unsigned char)v;
}

/* Fixed-length opaque: the bytes, then zeros to a multiple of four. */
static void
put_fixed(struct wire *w, const void *p, size_t len)
{
	ck_assert_uint_le(w->n + len + 3, sizeof(w->b));
	memcpy(w->b + w->n, p, len);
	w->n += len;
	while (w->n % 4 != 0)
		w->b[w->n++] = 0;
}

/* A string: its length, then its bytes padded.  No limit is applied. */
static void
put_string(struct wire *w, const char *s)
{
	put32(w, (uint32_t)strlen(s));
	put_fixed(w, s, strlen(s));
}

/*
 * One protocol type: its generated routine, its size, its layout written
 * out from the specification, and a comparison of every field.
 */
typedef bool_t codec_fn(XDR *, void *);
struct xtype {
	const char	*name;
	codec_fn	*codec;
	size_t		 size;
	void		(*layout)(struct wire *, const void *);
	void		(*same)(const void *, const void *);
};

/* Typed wrappers: no call through a mismatched function pointer type. */
static bool_t c_sm_name(XDR *x, void *p) { return xdr_sm_name(x, p); }
static bool_t c_sm_res(XDR *x, void *p) { return xdr_sm_res(x, p); }
static bool_t c_sm_stat_res(XDR *x, void *p) { return xdr_sm_stat_res(x, p); }
static bool_t c_sm_stat(XDR *x, void *p) { return xdr_sm_stat(x, p); }
static bool_t c_my_id(XDR *x, void *p) { return xdr_my_id(x, p); }
static bool_t c_mon_id(XDR *x, void *p) { return xdr_mon_id(x, p); }
static bool_t c_mon(XDR *x, void *p) { return xdr_mon(x, p); }
static bool_t c_stat_chge(XDR *x, void *p) { return xdr_stat_chge(x, p); }
static bool_t c_sm_status(XDR *x, void *p) { return xdr_sm_status(x, p); }

/* Layouts, field by field in the specification's order. */

static void
l_sm_name(struct wire *w, const void *p)
{
	put_string(w, ((const sm_name *)p)->mon_name);
}

static void
l_sm_res(struct wire *w, const void *p)
{
	put32(w, (uint32_t)*(const sm_res *)p);
}

static void
l_sm_stat_res(struct wire *w, const void *p)
{
	const sm_stat_res *o = p;

	put32(w, (uint32_t)o->res_stat);
	put32(w, (uint32_t)o->state);
}

static void
l_sm_stat(struct wire *w, const void *p)
{
	put32(w, (uint32_t)((const sm_stat *)p)->state);
}

static void
l_my_id(struct wire *w, const void *p)
{
	const my_id *o = p;

	put_string(w, o->my_name);
	put32(w, (uint32_t)o->my_prog);
	put32(w, (uint32_t)o->my_vers);
	put32(w, (uint32_t)o->my_proc);
}

static void
l_mon_id(struct wire *w, const void *p)
{
	const mon_id *o = p;

	put_string(w, o->mon_name);
	l_my_id(w, &o->my_id);
}

static void
l_mon(struct wire *w, const void *p)
{
	const mon *o = p;

	l_mon_id(w, &o->mon_id);
	put_fixed(w, o->priv, SM_PRIV_SIZE);	/* fixed: no length word */
}

static void
l_stat_chge(struct wire *w, const void *p)
{
	const stat_chge *o = p;

	put_string(w, o->mon_name);
	put32(w, (uint32_t)o->state);
}

static void
l_sm_status(struct wire *w, const void *p)
{
	const sm_status *o = p;

	put_string(w, o->mon_name);
	put32(w, (uint32_t)o->state);
	put_fixed(w, o->priv, SM_PRIV_SIZE);
}

/* Every field compared. */

static void
s_sm_name(const void *a, const void *b)
{
	ck_assert_str_eq(((const sm_name *)a)->mon_name,
	    ((const sm_name *)b)->mon_name);
}

static void
s_sm_res(const void *a, const void *b)
{
	ck_assert_int_eq(*(const sm_res *)a, *(const sm_res *)b);
}

static void
s_sm_stat_res(const void *a, const void *b)
{
	const sm_stat_res *x = a, *y = b;

	ck_assert_int_eq(x->res_stat, y->res_stat);
	ck_assert_int_eq(x->state, y->state);
}

static void
s_sm_stat(const void *a, const void *b)
{
	ck_assert_int_eq(((const sm_stat *)a)->state,
	    ((const sm_stat *)b)->state);
}

static void
s_my_id(const void *a, const void *b)
{
	const my_id *x = a, *y = b;

	ck_assert_str_eq(x->my_name, y->my_name);
	ck_assert_int_eq(x->my_prog, y->my_prog);
	ck_assert_int_eq(x->my_vers, y->my_vers);
	ck_assert_int_eq(x->my_proc, y->my_proc);
}

static void
s_mon_id(const void *a, const void *b)
{
	const mon_id *x = a, *y = b;

	ck_assert_str_eq(x->mon_name, y->mon_name);
	s_my_id(&x->my_id, &y->my_id);
}

static void
s_mon(const void *a, const void *b)
{
	const mon *x = a, *y = b;

	s_mon_id(&x->mon_id, &y->mon_id);
	ck_assert_mem_eq(x->priv, y->priv, SM_PRIV_SIZE);
}

static void
s_stat_chge(const void *a, const void *b)
{
	const stat_chge *x = a, *y = b;

	ck_assert_str_eq(x->mon_name, y->mon_name);
	ck_assert_int_eq(x->state, y->state);
}

static void
s_sm_status(const void *a, const void *b)
{
	const sm_status *x = a, *y = b;

	ck_assert_str_eq(x->mon_name, y->mon_name);
	ck_assert_int_eq(x->state, y->state);
	ck_assert_mem_eq(x->priv, y->priv, SM_PRIV_SIZE);
}

#define XTYPE(t)	{ #t, c_##t, sizeof(t), l_##t, s_##t }
static const struct xtype T_SM_NAME = XTYPE(sm_name);
static const struct xtype T_SM_RES = XTYPE(sm_res);
static const struct xtype T_SM_STAT_RES = XTYPE(sm_stat_res);
static const struct xtype T_SM_STAT = XTYPE(sm_stat);
static const struct xtype T_MY_ID = XTYPE(my_id);
static const struct xtype T_MON_ID = XTYPE(mon_id);
static const struct xtype T_MON = XTYPE(mon);
static const struct xtype T_STAT_CHGE = XTYPE(stat_chge);
static const struct xtype T_SM_STATUS = XTYPE(sm_status);

/* What xdr_free does, through the typed routine. */
static void
free_decoded(const struct xtype *t, void *obj)
{
	XDR x;

	memset(&x, 0, sizeof(x));
	x.x_op = XDR_FREE;
	t->codec(&x, obj);
	memset(obj, 0, t->size);
}

static int
encode_into(const struct xtype *t, const void *in, unsigned char *buf,
    size_t len, size_t *used)
{
	XDR x;
	int ok;

	xdrmem_create(&x, (char *)buf, (u_int)len, XDR_ENCODE);
	/* The encoder does not write to its object; the API is not const. */
	ok = t->codec(&x, (void *)(uintptr_t)in);
	*used = xdr_getpos(&x);
	xdr_destroy(&x);
	return ok;
}

static int
decode_from(const struct xtype *t, const unsigned char *bytes, size_t len,
    void *out, size_t *used)
{
	unsigned char copy[WIRE_MAX];
	XDR x;
	int ok;

	ck_assert_uint_le(len, sizeof(copy));
	memcpy(copy, bytes, len);
	memset(out, 0, t->size);
	xdrmem_create(&x, (char *)copy, (u_int)len, XDR_DECODE);
	ok = t->codec(&x, out);
	*used = xdr_getpos(&x);
	xdr_destroy(&x);
	return ok;
}

/*
 * in encodes to exactly the specification's bytes, decodes back field for
 * field, and neither direction works with one byte fewer, or any fewer.
 */
static void
round_trip(const struct xtype *t, const void *in)
{
	unsigned char buf[WIRE_MAX];
	struct wire w;
	size_t used, cut;
	void *out;

	memset(&w, 0, sizeof(w));
	t->layout(&w, in);
	ck_assert_msg(encode_into(t, in, buf, sizeof(buf), &used),
	    "%s: encoding failed", t->name);
	ck_assert_msg(used == w.n, "%s: %zu bytes encoded, the specification "
	    "says %zu", t->name, used, w.n);
	ck_assert_msg(memcmp(buf, w.b, w.n) == 0,
	    "%s: the encoding differs from the specification's", t->name);

	out = calloc(1, t->size);
	ck_assert_ptr_nonnull(out);
	ck_assert_msg(decode_from(t, w.b, w.n, out, &used),
	    "%s: decoding failed", t->name);
	ck_assert_msg(used == w.n, "%s: %zu of %zu bytes decoded", t->name,
	    used, w.n);
	t->same(in, out);
	free_decoded(t, out);

	for (cut = 0; cut < w.n; cut++) {
		ck_assert_msg(!encode_into(t, in, buf, cut, &used),
		    "%s: encoded into %zu of %zu bytes", t->name, cut, w.n);
		ck_assert_msg(!decode_from(t, w.b, cut, out, &used),
		    "%s: decoded from %zu of %zu bytes", t->name, cut, w.n);
		free_decoded(t, out);
	}
	free(out);
}

/* A name over SM_MAXSTRLEN: the encoder refuses it, so does the decoder. */
static void
refused(const struct xtype *t, const void *in)
{
	unsigned char buf[WIRE_MAX];
	struct wire w;
	size_t used;
	void *out;

	memset(&w, 0, sizeof(w));
	t->layout(&w, in);
	ck_assert_msg(!encode_into(t, in, buf, sizeof(buf), &used),
	    "%s: an over-long name was encoded", t->name);
	out = calloc(1, t->size);
	ck_assert_ptr_nonnull(out);
	ck_assert_msg(!decode_from(t, w.b, w.n, out, &used),
	    "%s: an over-long name was decoded", t->name);
	free_decoded(t, out);
	free(out);
}

/*
 * Names of 1 to 5 bytes put every amount of padding on the wire; numbers
 * differ field from field, so a swap shows, and some are negative.
 */
static const unsigned char PRIV_A[SM_PRIV_SIZE] = {
	0x00, 0xff, 0x80, 0x7f, 0x01, 0xfe, 0x10, 0xef,
	0x5a, 0xa5, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef
};
static const unsigned char PRIV_B[SM_PRIV_SIZE] = "0123456789abcdef";

START_TEST(test_sm_name)
{
	static const char *names[] = { "a", "ab", "abc", "abcd", "h1.ex",
	    "198.18.0.1", "" };
	sm_name o;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		o.mon_name = (char *)(uintptr_t)names[i];
		round_trip(&T_SM_NAME, &o);
	}
}
END_TEST

START_TEST(test_sm_res)
{
	sm_res r;

	ck_assert_int_eq(stat_succ, 0);
	ck_assert_int_eq(stat_fail, 1);
	r = stat_succ;
	round_trip(&T_SM_RES, &r);
	r = stat_fail;
	round_trip(&T_SM_RES, &r);
}
END_TEST

START_TEST(test_sm_stat_res)
{
	sm_stat_res o;

	o.res_stat = stat_fail;
	o.state = 7;
	round_trip(&T_SM_STAT_RES, &o);
	o.res_stat = stat_succ;
	o.state = 0x7ffffffd;
	round_trip(&T_SM_STAT_RES, &o);
	o.state = -2;
	round_trip(&T_SM_STAT_RES, &o);
}
END_TEST

START_TEST(test_sm_stat)
{
	sm_stat o;

	o.state = 3;
	round_trip(&T_SM_STAT, &o);
	o.state = -1;
	round_trip(&T_SM_STAT, &o);
}
END_TEST

START_TEST(test_my_id)
{
	my_id o;

	o.my_name = (char *)(uintptr_t)"localhost";
	o.my_prog = 100021;
	o.my_vers = 4;
	o.my_proc = 16;
	round_trip(&T_MY_ID, &o);
	o.my_name = (char *)(uintptr_t)"nfs";
	o.my_prog = -100021;
	o.my_vers = 0x01020304;
	o.my_proc = -16;
	round_trip(&T_MY_ID, &o);
}
END_TEST

START_TEST(test_mon_id)
{
	mon_id o;

	o.mon_name = (char *)(uintptr_t)"client.example";
	o.my_id.my_name = (char *)(uintptr_t)"127.0.0.1";
	o.my_id.my_prog = 100021;
	o.my_id.my_vers = 4;
	o.my_id.my_proc = 16;
	round_trip(&T_MON_ID, &o);
	o.mon_name = (char *)(uintptr_t)"c";
	o.my_id.my_name = (char *)(uintptr_t)"ab";
	o.my_id.my_vers = 1;
	round_trip(&T_MON_ID, &o);
}
END_TEST

START_TEST(test_mon)
{
	mon o;

	o.mon_id.mon_name = (char *)(uintptr_t)"client.example";
	o.mon_id.my_id.my_name = (char *)(uintptr_t)"localhost";
	o.mon_id.my_id.my_prog = 100021;
	o.mon_id.my_id.my_vers = 4;
	o.mon_id.my_id.my_proc = 16;
	memcpy(o.priv, PRIV_A, SM_PRIV_SIZE);
	round_trip(&T_MON, &o);
	o.mon_id.mon_name = (char *)(uintptr_t)"198.18.0.9";
	memcpy(o.priv, PRIV_B, SM_PRIV_SIZE);
	round_trip(&T_MON, &o);
}
END_TEST

START_TEST(test_stat_chge)
{
	stat_chge o;

	o.mon_name = (char *)(uintptr_t)"rebooted.example";
	o.state = 5;
	round_trip(&T_STAT_CHGE, &o);
	o.mon_name = (char *)(uintptr_t)"x";
	o.state = -7;
	round_trip(&T_STAT_CHGE, &o);
}
END_TEST

START_TEST(test_sm_status)
{
	sm_status o;

	o.mon_name = (char *)(uintptr_t)"client.example";
	o.state = 9;
	memcpy(o.priv, PRIV_A, SM_PRIV_SIZE);
	round_trip(&T_SM_STATUS, &o);
	o.mon_name = (char *)(uintptr_t)"abcd";
	o.state = -3;
	memcpy(o.priv, PRIV_B, SM_PRIV_SIZE);
	round_trip(&T_SM_STATUS, &o);
}
END_TEST

/*
 * Every name in every type: SM_MAXSTRLEN bytes go through, one more is
 * refused.  _i selects the length.
 */
START_TEST(test_name_limits)
{
	char okname[SM_MAXSTRLEN + 1], longname[SM_MAXSTRLEN + 2], *name;
	sm_name n;
	my_id me;
	mon_id mi;
	mon m;
	stat_chge sc;
	sm_status st;
	void (*check)(const struct xtype *, const void *);

	memset(okname, 'n', SM_MAXSTRLEN);
	okname[SM_MAXSTRLEN] = '\0';
	memset(longname, 'l', SM_MAXSTRLEN + 1);
	longname[SM_MAXSTRLEN + 1] = '\0';
	name = _i == 0 ? okname : longname;
	check = _i == 0 ? round_trip : refused;

	n.mon_name = name;
	check(&T_SM_NAME, &n);

	me.my_name = name;
	me.my_prog = 100021;
	me.my_vers = 4;
	me.my_proc = 16;
	check(&T_MY_ID, &me);

	mi.mon_name = name;
	mi.my_id = me;
	mi.my_id.my_name = (char *)(uintptr_t)"localhost";
	check(&T_MON_ID, &mi);
	mi.mon_name = (char *)(uintptr_t)"client";
	mi.my_id.my_name = name;
	check(&T_MON_ID, &mi);

	m.mon_id = mi;			/* the long my_name */
	memcpy(m.priv, PRIV_A, SM_PRIV_SIZE);
	check(&T_MON, &m);
	m.mon_id.mon_name = name;
	m.mon_id.my_id.my_name = (char *)(uintptr_t)"localhost";
	check(&T_MON, &m);

	sc.mon_name = name;
	sc.state = 11;
	check(&T_STAT_CHGE, &sc);

	st.mon_name = name;
	st.state = 11;
	memcpy(st.priv, PRIV_B, SM_PRIV_SIZE);
	check(&T_SM_STATUS, &st);
}
END_TEST

/* The program, version and procedure numbers of the specification. */
START_TEST(test_numbers)
{
	ck_assert_int_eq(SM_PROG, 100024);
	ck_assert_int_eq(SM_VERS, 1);
	ck_assert_int_eq(SM_STAT, 1);
	ck_assert_int_eq(SM_MON, 2);
	ck_assert_int_eq(SM_UNMON, 3);
	ck_assert_int_eq(SM_UNMON_ALL, 4);
	ck_assert_int_eq(SM_SIMU_CRASH, 5);
	ck_assert_int_eq(SM_NOTIFY, 6);
	ck_assert_int_eq(SM_MAXSTRLEN, 1024);
	ck_assert_int_eq(SM_PRIV_SIZE, 16);
}
END_TEST

static Suite *
xdr_suite(void)
{
	Suite *s = suite_create("sm_inter xdr");
	TCase *tc;

	tc = tcase_create("types");
	tcase_add_test(tc, test_sm_name);
	tcase_add_test(tc, test_sm_res);
	tcase_add_test(tc, test_sm_stat_res);
	tcase_add_test(tc, test_sm_stat);
	tcase_add_test(tc, test_my_id);
	tcase_add_test(tc, test_mon_id);
	tcase_add_test(tc, test_mon);
	tcase_add_test(tc, test_stat_chge);
	tcase_add_test(tc, test_sm_status);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_loop_test(tc, test_name_limits, 0, 2);
	tcase_add_test(tc, test_numbers);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(xdr_suite)
