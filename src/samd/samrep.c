/*
 * samrep: availability reports from SAM's event log.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "log.h"
#include "report.h"
#include "samreport.h"
#include "progopt.h"
#include "sam.h"
#include "timeutil.h"
#include "utf8.h"

enum mode { M_SUMMARY, M_FAILURES, M_EVENTS, M_Q_EVENTS, M_Q_OBJECTS,
    M_CONVERT };

struct opts {
	enum mode	 mode;
	int		 modes_given;
	const char	*beg;
	const char	*end;
	const char	*file;
	int		 planned_up;
	int		 k_given;	/* -k, which -c refuses */
	int		 type;		/* -1 */
	const char	*name;
	const char	*conv;
	int		 json;		/* -j */
};

static const char usage_text[] =
    "usage: samrep [-j] [-r SUMMARY] [-b beg_time] [-e end_time|LAST] "
    "[-f file]\n"
    "              [-k PLANNED|UNPLANNED]\n"
    "       samrep [-j] -r FAILURES|EVENTS -t objtype -n objname "
    "[-b beg]\n"
    "              [-e end|LAST] [-f file] [-k kind]\n"
    "       samrep -q EVENTS|OBJECTS [-t objtype] [-n objname] "
    "[-b beg] [-e end|LAST] [-f file] [-k kind]\n"
    "       samrep -c time\n"
    "       samrep -h\n";

static __attribute__((noreturn)) void
usage(int rc)
{
	fputs(usage_text, rc ? stderr : stdout);
	exit(rc);
}

static void
mode(struct opts *o, enum mode m)
{
	if (o->modes_given++)
		fatalx("-r, -q and -c are exclusive, and each is given once");
	o->mode = m;
}

static const char *
tstr(int64_t t, char *buf, size_t bufsz)
{
	if (t < 0)
		return "-";
	return sam_fmt_time(t, buf, bufsz);
}

static int
convert(const char *s)
{
	struct tm tm;
	time_t tt;
	int64_t t;
	char buf[64];

	if (sam_parse_time(s, &t) == -1)
		fatalx("%s: not a time (seconds since the epoch, @seconds, "
		    "YYYYMMDDhhmmss, YYYY-MM-DD [hh:mm[:ss]] or now)", s);
	tt = (time_t)t;
	printf("seconds=%" PRId64 "\n", t);
	printf("local=%s\n", sam_fmt_time(t, buf, sizeof(buf)));
	if (localtime_r(&tt, &tm) != NULL &&
	    strftime(buf, sizeof(buf), "%Y%m%d%H%M%S", &tm) > 0)
		printf("compact=%s\n", buf);
	if (gmtime_r(&tt, &tm) != NULL &&
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
		printf("utc=%s\n", buf);
	return 0;
}

/* An object SUMMARY and -q OBJECTS show: seen, of -t's type, -n's name. */
static int
obj_listed(const struct opts *o, const struct rep_obj *ob)
{
	if (!ob->seen)
		return 0;
	if (o->type >= 0 && (int)ob->type != o->type)
		return 0;
	return o->name == NULL || strcmp(o->name, ob->name) == 0;
}

static void
header(const struct opts *o, const struct rep *r, const char *path,
    int64_t now, int64_t beg, int64_t end)
{
	char b1[32], b2[32], el[24];
	const struct rep_ev *first = NULL, *last = NULL;

	rep_first_last(r, &first, &last);
	printf("SAM availability report, node %s\n", sam_nodename());
	if (o->type >= 0)
		printf("Object:       %s.%s\n", sam_type_name(o->type),
		    o->name != NULL ? o->name : "*");
	else
		printf("Object:       all objects\n");
	printf("Now:          %s\n", tstr(now, b1, sizeof(b1)));
	printf("Period:       %s, from %s to %s\n",
	    fmt_elapsed(end - beg, el, sizeof(el)), tstr(beg, b1, sizeof(b1)),
	    tstr(end, b2, sizeof(b2)));
	printf("Event log:    %s, format version %u, %zu events\n", path,
	    r->version, r->nev);
	if (first != NULL) {
		printf("First event:  %" PRIu64 " at %s\n", first->evid,
		    tstr(first->time, b1, sizeof(b1)));
		printf("Last event:   %" PRIu64 " at %s\n", last->evid,
		    tstr(last->time, b1, sizeof(b1)));
	} else
		printf("First event:  -\nLast event:   -\n");
	if (o->planned_up)
		printf("Planned down time counts as up time.\n");
	printf("\n");
}

/* The objects that are never down (samreport.h); exits out of memory. */
static uint8_t *
changes_only(const struct rep *r)
{
	uint8_t *c = rep_changes_only(r);

	if (c == NULL)
		fatal("calloc");
	return c;
}

/*
 * -j: JSON through jansson (smsd's library), one value at a time, so a
 * long report never becomes one tree in memory.  jansson takes only
 * well-formed UTF-8: utf8_repair makes each stray byte U+FFFD first.
 */
static json_t *
jstr(const char *s)
{
	size_t len;
	char *ok;
	json_t *j;

	if (s == NULL)
		s = "";
	if ((ok = utf8_repair(s, strlen(s), &len)) == NULL)
		fatal("malloc");
	j = json_stringn(ok, len);
	free(ok);
	if (j == NULL)
		fatalx("out of memory");
	return j;
}

static json_t *
jint(int64_t v)
{
	json_t *j = json_integer((json_int_t)v);

	if (j == NULL)
		fatalx("out of memory");
	return j;
}

static void
jkey(const char *key, int *first)
{
	json_t *k = jstr(key);

	if (!*first)
		putchar(',');
	*first = 0;
	json_dumpf(k, stdout, JSON_ENCODE_ANY);
	putchar(':');
	json_decref(k);
}

static void
jfield(const char *key, json_t *v, int *first)
{
	if (v == NULL)
		fatalx("out of memory");
	jkey(key, first);
	json_dumpf(v, stdout, JSON_ENCODE_ANY | JSON_COMPACT);
	json_decref(v);
}

/* The header's facts (samreport), as members of the report's object. */
static void
jheader(const struct opts *o, const struct rep *r, const char *path,
    int64_t now, int64_t beg, int64_t end, int *first)
{
	struct rep_view v = { o->type, o->name, o->planned_up, path, now,
	    beg, end };
	json_t *h = rep_json_header(r, &v), *val;
	const char *key;

	if (h == NULL)
		fatalx("out of memory");
	json_object_foreach(h, key, val) {
		jfield(key, json_incref(val), first);
	}
	json_decref(h);
}

static void
summary(const struct opts *o, struct rep *r)
{
	struct rep_obj *ob;
	char full[SAM_NAME_MAX + 8], t[32], u[24], p[24], pct[16];
	uint8_t *chg = changes_only(r);
	double up;
	uint32_t i;

	printf("%-24s %6s  %-19s  %9s  %9s  %8s  %s\n", "OBJECT", "DOWNS",
	    "LAST DOWN", "UNPLANNED", "PLANNED", "UP%", "STATE");
	for (i = 0; i < r->nobjs; i++) {
		ob = &r->objs[i];
		if (!obj_listed(o, ob))
			continue;
		snprintf(full, sizeof(full), "%s.%s", sam_type_name(ob->type),
		    ob->name);
		up = rep_uptime(ob, o->planned_up);
		if (up < 0 || chg[i])
			snprintf(pct, sizeof(pct), "-");
		else
			snprintf(pct, sizeof(pct), "%.3f", up);
		printf("%-24s %6" PRIu64 "  %-19s  %9s  %9s  %8s  %s\n", full,
		    ob->downs, tstr(ob->last_down, t, sizeof(t)),
		    fmt_elapsed(ob->unplanned, u, sizeof(u)),
		    fmt_elapsed(ob->planned, p, sizeof(p)), pct,
		    chg[i] ? "-" : sam_state_name(ob->last));
	}
	free(chg);
}

static int
listed(const struct opts *o, const struct rep *r, const struct rep_ev *e)
{
	const struct rep_obj *ob = &r->objs[e->obj];

	if (o->type >= 0 && (int)ob->type != o->type)
		return 0;
	return o->name == NULL || strcmp(o->name, ob->name) == 0;
}

/* Seconds until the event after e ends its down time, or -1 if none. */
static int64_t
down_for(const struct rep *r, size_t i)
{
	size_t j;

	for (j = i + 1; j < r->nev; j++) {
		if (r->evs[j].obj != r->evs[i].obj)
			continue;
		if (r->evs[j].state == SAM_UP || r->evs[j].state == SAM_GONE)
			return r->evs[j].time - r->evs[i].time;
	}
	return -1;
}

/*
 * The failures FAILURES lists, one per call: the DOWN events that start an
 * outage (not a DOWN while down) inside [beg, end], planned ones left out
 * under -k PLANNED.  *i is where to go on (0 first), *down the state so far
 * (0 first); returns an index into r->evs, or -1 after the last.
 */
static ssize_t
next_failure(const struct opts *o, const struct rep *r, int64_t beg,
    int64_t end, size_t *i, int *down)
{
	const struct rep_ev *e;

	for (; *i < r->nev; (*i)++) {
		e = &r->evs[*i];
		if (!listed(o, r, e))
			continue;
		if (e->state == SAM_UP || e->state == SAM_GONE)
			*down = 0;
		if (e->state != SAM_DOWN || *down)
			continue;
		*down = 1;
		if (e->time < beg || e->time > end)
			continue;
		if (o->planned_up && e->plan == SAM_PLANNED)
			continue;
		return (ssize_t)(*i)++;
	}
	return -1;
}

static void
failures(const struct opts *o, struct rep *r, int64_t beg, int64_t end)
{
	const struct rep_ev *e;
	const struct rep_obj *ob;
	char t[32], d[24], full[SAM_NAME_MAX + 8];
	int64_t len;
	size_t i, next = 0;
	ssize_t k;
	int down = 0;

	printf("%8s  %-24s  %-19s  %9s  %-9s  %s\n", "ID", "OBJECT",
	    "DOWN AT", "DOWN FOR", "KIND", "MESSAGE");
	while ((k = next_failure(o, r, beg, end, &next, &down)) >= 0) {
		i = (size_t)k;
		e = &r->evs[i];
		ob = &r->objs[e->obj];
		snprintf(full, sizeof(full), "%s.%s", sam_type_name(ob->type),
		    ob->name);
		len = down_for(r, i);
		printf("%8" PRIu64 "  %-24s  %-19s  %9s  %-9s  %s\n", e->evid,
		    full, tstr(e->time, t, sizeof(t)), len < 0 ? "still" :
		    fmt_elapsed(len, d, sizeof(d)), sam_plan_name(e->plan),
		    e->msg != NULL ? e->msg : "");
	}
}

static void
events(const struct opts *o, struct rep *r, int64_t beg, int64_t end)
{
	const struct rep_ev *e;
	const struct rep_obj *ob;
	char t[32], full[SAM_NAME_MAX + 8];
	size_t i;

	printf("%8s  %-24s  %-19s  %-6s  %-9s  %-12s  %s\n", "ID", "OBJECT",
	    "TIME", "STATE", "KIND", "USER", "MESSAGE");
	for (i = 0; i < r->nev; i++) {
		e = &r->evs[i];
		if (!listed(o, r, e) || e->time < beg || e->time > end)
			continue;
		ob = &r->objs[e->obj];
		snprintf(full, sizeof(full), "%s.%s", sam_type_name(ob->type),
		    ob->name);
		printf("%8" PRIu64 "  %-24s  %-19s  %-6s  %-9s  %-12s  %s\n",
		    e->evid, full, tstr(e->time, t, sizeof(t)),
		    sam_state_name(e->state), e->plan == SAM_PLAN_NONE ? "-" :
		    sam_plan_name(e->plan), e->user != NULL && *e->user ?
		    e->user : "-", e->msg != NULL ? e->msg : "");
	}
}

/* keyword=value lines, a blank line after each record. */
static void
q_events(const struct opts *o, struct rep *r, int64_t beg, int64_t end)
{
	const struct rep_ev *e;
	const struct rep_obj *ob;
	size_t i;

	for (i = 0; i < r->nev; i++) {
		e = &r->evs[i];
		if (!listed(o, r, e) || e->time < beg || e->time > end)
			continue;
		ob = &r->objs[e->obj];
		printf("evid=%" PRIu64 "\ntime=%" PRId64 "\nlogtime=%" PRId64
		    "\ntype=%s\nname=%s\nstate=%s\nplanned=%s\nuser=%s\n"
		    "msg=%s\n\n", e->evid, e->time, e->logtime,
		    sam_type_name(ob->type), ob->name,
		    sam_state_name(e->state), sam_plan_name(e->plan),
		    e->user != NULL ? e->user : "", e->msg != NULL ? e->msg :
		    "");
	}
}

static void
q_objects(const struct opts *o, struct rep *r)
{
	const struct rep_obj *ob;
	uint8_t *chg = changes_only(r);
	double up;
	uint32_t i;

	for (i = 0; i < r->nobjs; i++) {
		ob = &r->objs[i];
		if (!obj_listed(o, ob))
			continue;
		up = rep_uptime(ob, o->planned_up);
		printf("type=%s\nname=%s\ndowns=%" PRIu64 "\n",
		    sam_type_name(ob->type), ob->name, ob->downs);
		/* Never down: empty, as SUMMARY's "-". */
		if (ob->last_down < 0)
			printf("last_down=\n");
		else
			printf("last_down=%" PRId64 "\n", ob->last_down);
		printf("unplanned=%" PRId64 "\nplanned=%" PRId64
		    "\nperiod=%" PRId64 "\n", ob->unplanned, ob->planned,
		    ob->observed);
		if (up < 0 || chg[i])
			printf("uptime=\n");
		else
			printf("uptime=%.3f\n", up);
		printf("state=%s\n\n", chg[i] ? "" :
		    sam_state_name(ob->last));
	}
	free(chg);
}

static void
jsummary(const struct opts *o, struct rep *r, int64_t now, int64_t beg,
    int64_t end)
{
	const struct rep_obj *ob;
	uint8_t *chg = changes_only(r);
	int first = 1, f;
	uint32_t i;
	json_t *j;

	putchar('{');
	jheader(o, r, o->file, now, beg, end, &first);
	jkey("objects", &first);
	putchar('[');
	for (f = 1, i = 0; i < r->nobjs; i++) {
		ob = &r->objs[i];
		if (!obj_listed(o, ob))
			continue;
		if (!f)
			putchar(',');
		f = 0;
		/* one object at a time, as samreport makes it */
		if ((j = rep_json_object(r, i, chg, o->planned_up)) == NULL)
			fatalx("out of memory");
		json_dumpf(j, stdout, JSON_COMPACT);
		json_decref(j);
	}
	fputs("]}\n", stdout);
	free(chg);
}

static void
jfailures(const struct opts *o, struct rep *r, int64_t now, int64_t beg,
    int64_t end)
{
	const struct rep_ev *e;
	int64_t len;
	size_t i, next = 0;
	ssize_t k;
	int first = 1, f = 1, down = 0;

	putchar('{');
	jheader(o, r, o->file, now, beg, end, &first);
	jkey("failures", &first);
	putchar('[');
	while ((k = next_failure(o, r, beg, end, &next, &down)) >= 0) {
		i = (size_t)k;
		e = &r->evs[i];
		if (!f)
			putchar(',');
		f = 0;
		first = 1;
		len = down_for(r, i);
		putchar('{');
		jfield("id", json_integer((json_int_t)e->evid), &first);
		jfield("time", jint(e->time), &first);
		/* null: still down. */
		jfield("down_seconds", len < 0 ? json_null() : jint(len),
		    &first);
		jfield("planned", jstr(sam_plan_name(e->plan)), &first);
		jfield("message", jstr(e->msg), &first);
		putchar('}');
	}
	fputs("]}\n", stdout);
}

static void
jevents(const struct opts *o, struct rep *r, int64_t now, int64_t beg,
    int64_t end)
{
	const struct rep_ev *e;
	size_t i;
	int first = 1, f = 1;

	putchar('{');
	jheader(o, r, o->file, now, beg, end, &first);
	jkey("events", &first);
	putchar('[');
	for (i = 0; i < r->nev; i++) {
		e = &r->evs[i];
		if (!listed(o, r, e) || e->time < beg || e->time > end)
			continue;
		if (!f)
			putchar(',');
		f = 0;
		first = 1;
		putchar('{');
		jfield("id", json_integer((json_int_t)e->evid), &first);
		jfield("time", jint(e->time), &first);
		jfield("logtime", jint(e->logtime), &first);
		jfield("state", jstr(sam_state_name(e->state)), &first);
		jfield("planned", e->plan == SAM_PLAN_NONE ? json_null() :
		    jstr(sam_plan_name(e->plan)), &first);
		jfield("user", e->user != NULL && *e->user ? jstr(e->user) :
		    json_null(), &first);
		jfield("message", jstr(e->msg), &first);
		putchar('}');
	}
	fputs("]}\n", stdout);
}

int
main(int argc, char *argv[])
{
	struct sam_paths paths;
	struct reclog_stats st;
	struct opts o;
	struct rep r;
	enum sam_type t;
	int64_t now, beg, end, user_beg = 0, user_end = 0;
	size_t i;
	int ch;

	log_procname("samrep");
	log_init(1, 0);
	memset(&o, 0, sizeof(o));
	o.type = -1;
	while ((ch = progopt_getopt(argc, argv, "b:c:e:f:hjk:n:q:r:t:", "samrep",
	    usage_text)) != -1) {
		switch (ch) {
		case 'b':
			o.beg = optarg;
			break;
		case 'c':
			mode(&o, M_CONVERT);
			o.conv = optarg;
			break;
		case 'e':
			o.end = optarg;
			break;
		case 'f':
			o.file = optarg;
			break;
		case 'h':
			usage(0);
		case 'j':
			o.json = 1;
			break;
		case 'k':
			o.k_given = 1;
			if (strcmp(optarg, "PLANNED") == 0)
				o.planned_up = 1;
			else if (strcmp(optarg, "UNPLANNED") == 0)
				o.planned_up = 0;
			else
				fatalx("-k %s: PLANNED or UNPLANNED", optarg);
			break;
		case 'n':
			o.name = optarg;
			break;
		case 'q':
			if (strcmp(optarg, "EVENTS") == 0)
				mode(&o, M_Q_EVENTS);
			else if (strcmp(optarg, "OBJECTS") == 0)
				mode(&o, M_Q_OBJECTS);
			else
				fatalx("-q %s: EVENTS or OBJECTS", optarg);
			break;
		case 'r':
			if (strcmp(optarg, "SUMMARY") == 0)
				mode(&o, M_SUMMARY);
			else if (strcmp(optarg, "FAILURES") == 0)
				mode(&o, M_FAILURES);
			else if (strcmp(optarg, "EVENTS") == 0)
				mode(&o, M_EVENTS);
			else
				fatalx("-r %s: SUMMARY, FAILURES or EVENTS",
				    optarg);
			break;
		case 't':
			if (sam_type_parse(optarg, strlen(optarg), &t) == -1)
				fatalx("-t %s: CLUS, NODE, TIME or APPL",
				    optarg);
			o.type = (int)t;
			break;
		default:
			usage(1);
		}
	}
	if (optind != argc)
		usage(1);
	if (o.json && o.mode != M_SUMMARY && o.mode != M_FAILURES &&
	    o.mode != M_EVENTS)
		fatalx("-j goes with -r SUMMARY, FAILURES or EVENTS");
	if (o.mode == M_CONVERT) {
		if (o.beg || o.end || o.file || o.type >= 0 || o.name ||
		    o.k_given)
			fatalx("-c takes no other option");
		return convert(o.conv);
	}
	/* Bad times are told before the log is read (LAST needs the log). */
	if (o.end != NULL && strcmp(o.end, "LAST") != 0 &&
	    sam_parse_time(o.end, &user_end) == -1)
		fatalx("-e %s: not a time", o.end);
	if (o.beg != NULL && sam_parse_time(o.beg, &user_beg) == -1)
		fatalx("-b %s: not a time", o.beg);
	if ((o.mode == M_FAILURES || o.mode == M_EVENTS) &&
	    (o.type < 0 || o.name == NULL))
		fatalx("-r FAILURES and -r EVENTS need -t objtype and "
		    "-n objname");
	if (o.name != NULL && o.type < 0)
		fatalx("-n needs -t");

	if (o.file == NULL) {
		if (sam_paths_init(&paths, NULL) == -1)
			fatal("SAM_ROOT");
		o.file = paths.eventlog;
	}
	rep_init(&r);
	r.keep_all = o.mode == M_Q_EVENTS && o.type < 0;
	r.sel_type = o.mode == M_SUMMARY || o.mode == M_Q_OBJECTS ? -1 :
	    o.type;
	r.sel_name = o.name;
	memset(&st, 0, sizeof(st));
	if (rep_load(&r, o.file, &st) == -1) {
		if (r.failed)
			fatalx("out of memory");
		fatal("%s", o.file);
	}
	if (st.tail_dropped > 0)
		log_warnx("%s: the last %llu bytes are a torn line, ignored "
		    "(the next writer cuts them off)", o.file,
		    (unsigned long long)st.tail_dropped);
	if (r.version == 0 || !r.version_first)
		log_warnx("%s: does not begin with a format version line",
		    o.file);
	else if (r.version > SAM_LOG_VERSION)
		log_warnx("%s: format version %u, this samrep reads %d; "
		    "the report may be wrong", o.file, r.version,
		    SAM_LOG_VERSION);
	rep_finish(&r);
	/* Counted as the changes are applied, so only after rep_finish. */
	if (r.mods_unmatched > 0)
		log_warnx("%s: %llu changes name no event, ignored", o.file,
		    (unsigned long long)r.mods_unmatched);
	if (r.mods_ambiguous > 0)
		log_warnx("%s: %llu changes name an id several events carry, "
		    "ignored", o.file, (unsigned long long)r.mods_ambiguous);

	now = real_ms() / 1000;
	beg = r.nev > 0 ? r.evs[0].time : now;
	end = now;
	if (o.end != NULL)
		end = strcmp(o.end, "LAST") != 0 ? user_end :
		    r.nev > 0 ? r.evs[r.nev - 1].time : now;
	if (o.beg != NULL)
		beg = user_beg;
	/* Only a -b the user gave can be wrong; the first event is not. */
	if (end < beg && o.beg == NULL)
		beg = end;
	if (end < beg)
		fatalx("the period ends before it begins");
	rep_compute(&r, beg, end, o.planned_up);

	switch (o.mode) {
	case M_SUMMARY:
		if (o.json) {
			jsummary(&o, &r, now, beg, end);
			break;
		}
		header(&o, &r, o.file, now, beg, end);
		summary(&o, &r);
		break;
	case M_FAILURES:
		if (o.json) {
			jfailures(&o, &r, now, beg, end);
			break;
		}
		header(&o, &r, o.file, now, beg, end);
		failures(&o, &r, beg, end);
		break;
	case M_EVENTS:
		if (o.json) {
			jevents(&o, &r, now, beg, end);
			break;
		}
		header(&o, &r, o.file, now, beg, end);
		events(&o, &r, beg, end);
		break;
	case M_Q_EVENTS:
		printf("version=%u\nnow=%" PRId64 "\nbegin=%" PRId64 "\nend=%"
		    PRId64 "\n\n", r.version, now, beg, end);
		q_events(&o, &r, beg, end);
		break;
	case M_Q_OBJECTS:
		printf("version=%u\nnow=%" PRId64 "\nbegin=%" PRId64 "\nend=%"
		    PRId64 "\n\n", r.version, now, beg, end);
		q_objects(&o, &r);
		break;
	case M_CONVERT:
		break;
	}
	(void)i;
	rep_free(&r);
	if (fflush(stdout) == EOF || ferror(stdout))
		fatal("stdout");
	return 0;
}
