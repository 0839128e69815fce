/*
 * evrec: one event log record to text and back.
 *
 * The parser works in place and copies nothing, because samrep reads
 * millions of records; every field is checked as a writer would check it,
 * so a hand-edited line cannot smuggle in what samlog refuses.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sam.h"

#define REC_FIELDS	10
#define REC_FIELDS_M	11

int
sam_version_format(char *buf, size_t bufsz)
{
	int n = snprintf(buf, bufsz, SAM_VERSION_TAG SAM_SEP "%d",
	    SAM_LOG_VERSION);

	return n < 0 || (size_t)n >= bufsz ? -1 : n;
}

static void
mask_letters(unsigned mask, char *out)
{
	if (mask & SAM_MOD_TIME)
		*out++ = 't';
	if (mask & SAM_MOD_STATE)
		*out++ = 's';
	if (mask & SAM_MOD_PLAN)
		*out++ = 'p';
	if (mask & SAM_MOD_USER)
		*out++ = 'u';
	if (mask & SAM_MOD_MSG)
		*out++ = 'm';
	*out = '\0';
}

/* The record's text, or -1 with EINVAL if a field would not read back. */
int
sam_rec_format(const struct sam_event *ev, char *buf, size_t bufsz)
{
	const char *why;
	char mask[8];
	int n;

	/* What the parser takes back: ids and times in range. */
	if ((ev->kind != 'E' && ev->kind != 'M') || ev->evid == 0 ||
	    ev->evid > SAM_EVID_MAX || ev->time < 0 ||
	    ev->time > SAM_TIME_MAX || ev->logtime < 0 ||
	    ev->logtime > SAM_TIME_MAX ||
	    sam_field_check(ev->user, strlen(ev->user), SAM_USER_MAX, 1,
	    &why) == -1 ||
	    sam_field_check(ev->msg, strlen(ev->msg), SAM_MSG_MAX, 1,
	    &why) == -1)
		goto bad;
	if (ev->kind == 'E') {
		if (sam_field_check(ev->name, strlen(ev->name), SAM_NAME_MAX,
		    0, &why) == -1 || strchr(ev->name, ' ') != NULL ||
		    (unsigned)ev->type >= SAM_NTYPES ||
		    (unsigned)ev->state >= SAM_NSTATES)
			goto bad;
		n = snprintf(buf, bufsz, "E" SAM_SEP "%" PRIu64 SAM_SEP "%"
		    PRId64 SAM_SEP "%s" SAM_SEP "%s" SAM_SEP "%s" SAM_SEP "%s"
		    SAM_SEP "%" PRId64 SAM_SEP "%s" SAM_SEP "%s", ev->evid,
		    ev->time, sam_type_name(ev->type), ev->name,
		    sam_state_name(ev->state), sam_plan_name(ev->plan),
		    ev->logtime, ev->user, ev->msg);
	} else {
		if (ev->mask == 0 || (ev->mask & ~0x1fU) != 0 ||
		    (unsigned)ev->state >= SAM_NSTATES)
			goto bad;
		mask_letters(ev->mask, mask);
		n = snprintf(buf, bufsz, "M" SAM_SEP "%" PRIu64 SAM_SEP "%"
		    PRId64 SAM_SEP SAM_SEP SAM_SEP "%s" SAM_SEP "%s" SAM_SEP
		    "%" PRId64 SAM_SEP "%s" SAM_SEP "%s" SAM_SEP "%s",
		    ev->evid, ev->time, sam_state_name(ev->state),
		    sam_plan_name(ev->plan), ev->logtime, ev->user, ev->msg,
		    mask);
	}
	if (n < 0 || (size_t)n >= bufsz || n > SAM_REC_MAX)
		goto bad;
	return n;
bad:
	errno = EINVAL;
	return -1;
}

static int
parse_u64(const struct sam_field *f, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	/* 19 digits: SAM_EVID_MAX, and no overflow. */
	if (f->len == 0 || f->len > 19)
		return -1;
	for (i = 0; i < f->len; i++) {
		if (f->p[i] < '0' || f->p[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(f->p[i] - '0');
	}
	*v = x;
	return 0;
}

static int
parse_time(const struct sam_field *f, int64_t *v)
{
	uint64_t x;

	/* Up to the year 9999: enough, and far from overflow. */
	if (parse_u64(f, &x) == -1 || x > (uint64_t)SAM_TIME_MAX)
		return -1;
	*v = (int64_t)x;
	return 0;
}

static int
parse_mask(const struct sam_field *f, unsigned *mask)
{
	size_t i;
	unsigned m = 0, bit;

	for (i = 0; i < f->len; i++) {
		switch (f->p[i]) {
		case 't': bit = SAM_MOD_TIME; break;
		case 's': bit = SAM_MOD_STATE; break;
		case 'p': bit = SAM_MOD_PLAN; break;
		case 'u': bit = SAM_MOD_USER; break;
		case 'm': bit = SAM_MOD_MSG; break;
		default: return -1;
		}
		if (m & bit)
			return -1;
		m |= bit;
	}
	if (m == 0)
		return -1;
	*mask = m;
	return 0;
}

int
sam_rec_parse(const char *line, size_t len, struct sam_rec *r,
    const char **why)
{
	struct sam_field f[REC_FIELDS_M];
	const char *p = line, *end = line + len, *sep, *fwhy;
	int nf = 0;

	memset(r, 0, sizeof(*r));
	for (;;) {
		if (nf == REC_FIELDS_M) {
			*why = "too many fields";
			return -1;
		}
		sep = (size_t)(end - p) >= SAM_SEP_LEN ?
		    memmem(p, (size_t)(end - p), SAM_SEP, SAM_SEP_LEN) : NULL;
		f[nf].p = p;
		f[nf].len = sep != NULL ? (size_t)(sep - p) : (size_t)(end - p);
		nf++;
		if (sep == NULL)
			break;
		p = sep + SAM_SEP_LEN;
	}
	if (nf == 2 && f[0].len == strlen(SAM_VERSION_TAG) &&
	    memcmp(f[0].p, SAM_VERSION_TAG, f[0].len) == 0) {
		uint64_t v;

		if (parse_u64(&f[1], &v) == -1 || v == 0 || v > 1000) {
			*why = "bad format version";
			return -1;
		}
		r->kind = 'V';
		r->version = (unsigned)v;
		return 0;
	}
	if (f[0].len != 1 || (f[0].p[0] != 'E' && f[0].p[0] != 'M')) {
		*why = "unknown record kind";
		return -1;
	}
	r->kind = f[0].p[0];
	if (nf != (r->kind == 'E' ? REC_FIELDS : REC_FIELDS_M)) {
		*why = "wrong number of fields";
		return -1;
	}
	if (parse_u64(&f[1], &r->evid) == -1 || r->evid == 0) {
		*why = "bad event id";
		return -1;
	}
	if (parse_time(&f[2], &r->time) == -1 ||
	    parse_time(&f[7], &r->logtime) == -1) {
		*why = "bad time";
		return -1;
	}
	if (r->kind == 'E') {
		if (sam_type_parse(f[3].p, f[3].len, &r->type) == -1) {
			*why = "bad object type";
			return -1;
		}
		if (sam_field_check(f[4].p, f[4].len, SAM_NAME_MAX, 0,
		    &fwhy) == -1 || memchr(f[4].p, ' ', f[4].len) != NULL) {
			*why = "bad object name";
			return -1;
		}
	} else {
		if (f[3].len != 0 || f[4].len != 0) {
			*why = "a change names an object";
			return -1;
		}
		if (parse_mask(&f[10], &r->mask) == -1) {
			*why = "bad change mask";
			return -1;
		}
	}
	if (sam_state_parse(f[5].p, f[5].len, &r->state) == -1) {
		*why = "bad state";
		return -1;
	}
	if (sam_plan_parse(f[6].p, f[6].len, &r->plan) == -1) {
		*why = "bad planned field";
		return -1;
	}
	if (sam_field_check(f[8].p, f[8].len, SAM_USER_MAX, 1, &fwhy) == -1 ||
	    sam_field_check(f[9].p, f[9].len, SAM_MSG_MAX, 1, &fwhy) == -1) {
		*why = "bad user or message field";
		return -1;
	}
	r->name = f[4];
	r->user = f[8];
	r->msg = f[9];
	return 0;
}

int
sam_rec_to_event(const struct sam_rec *r, struct sam_event *ev)
{
	if (r->kind != 'E' && r->kind != 'M') {
		errno = EINVAL;
		return -1;
	}
	memset(ev, 0, sizeof(*ev));
	ev->kind = r->kind;
	ev->evid = r->evid;
	ev->time = r->time;
	ev->logtime = r->logtime;
	ev->type = r->type;
	ev->state = r->state;
	ev->plan = r->plan;
	ev->mask = r->mask;
	/* The parser bounded every length. */
	memcpy(ev->name, r->name.p, r->name.len);
	memcpy(ev->user, r->user.p, r->user.len);
	memcpy(ev->msg, r->msg.p, r->msg.len);
	return 0;
}
