/*
 * health: one aggregate a person reads at a glance, with the checks that
 * made it.  Recomputed when a source or a serious event changes things.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"
#include "smsd.h"

#define RECENT_MS	(15 * 60 * 1000)

static const char *names[] = { "good", "warning", "critical", "inactive" };

int
health_filesystem(const json_t *fs, char *detail, size_t size)
{
	const char *mp = json_string_value(json_object_get(fs, "mountpoint"));
	const char *err = json_string_value(json_object_get(fs, "error"));
	double use = json_number_value(json_object_get(fs, "use_percent"));

	if (mp == NULL)
		mp = "?";
	if (json_is_false(json_object_get(fs, "responding"))) {
		snprintf(detail, size, "%s not responding", mp);
		return HEALTH_CRITICAL;
	}
	if (err != NULL) {
		/* not watched (smsd may not search the path), as before */
		snprintf(detail, size, "%s cannot be read: %s", mp, err);
		return HEALTH_INACTIVE;
	}
	if (use >= 90 && json_integer_value(json_object_get(fs, "size")) > 0 &&
	    !json_is_true(json_object_get(fs, "readonly"))) {
		snprintf(detail, size, "%s %.0f%% full", mp, use);
		return use >= 97 ? HEALTH_CRITICAL : HEALTH_WARNING;
	}
	snprintf(detail, size, "%s", mp);
	return HEALTH_GOOD;
}

const char *
health_state_name(int s)
{
	return s >= 0 && s <= 3 ? names[s] : "unknown";
}

int
health_state_parse(const char *s)
{
	int i;

	for (i = 0; s != NULL && i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

static void
check(json_t *checks, int *worst, const char *component, int state,
    const char *detail)
{
	json_array_append_new(checks, json_pack("{s:s, s:s, s:s}",
	    "component", component, "state", health_state_name(state),
	    "detail", detail));
	if (state != HEALTH_INACTIVE && state > *worst)
		*worst = state;
}

void
health_update(struct smsd *d)
{
	json_t *checks = json_array(), *sys, *fs, *hw, *e, *o;
	int worst = HEALTH_GOOD, st, i, nbad;
	char detail[512];
	size_t k;
	int64_t now = real_ms();

	if ((sys = d->src[SRC_SYSTEM].data) != NULL) {
		json_t *mem = json_object_get(sys, "memory");
		json_int_t total = json_integer_value(json_object_get(mem,
		    "total"));
		json_int_t avail = json_integer_value(json_object_get(mem,
		    "available"));
		double load = json_real_value(json_array_get(json_object_get(
		    sys, "load"), 1));
		json_int_t cpus = json_integer_value(json_object_get(sys,
		    "cpus"));
		double pct = total > 0 ? 100.0 * (double)avail /
		    (double)total : 100;

		st = pct < 2 ? HEALTH_CRITICAL : pct < 10 ? HEALTH_WARNING :
		    HEALTH_GOOD;
		snprintf(detail, sizeof(detail), "%.0f%% available", pct);
		check(checks, &worst, "memory", st, detail);
		st = cpus > 0 && load > 4.0 * (double)cpus ? HEALTH_CRITICAL :
		    cpus > 0 && load > 2.0 * (double)cpus ? HEALTH_WARNING :
		    HEALTH_GOOD;
		snprintf(detail, sizeof(detail), "load %.2f on %lld CPUs", load,
		    (long long)cpus);
		check(checks, &worst, "load", st, detail);
	}
	fs = json_object_get(d->src[SRC_FILESYSTEMS].data, "filesystems");
	json_array_foreach(fs, k, e) {
		const char *mp = json_string_value(json_object_get(e,
		    "mountpoint"));
		int hs;

		if (mp == NULL)
			continue;
		hs = health_filesystem(e, detail, sizeof(detail));
		if (hs == HEALTH_WARNING || hs == HEALTH_CRITICAL)
			check(checks, &worst, "filesystem", hs, detail);
	}
	hw = json_object_get(d->src[SRC_HARDWARE].data, "nodes");
	nbad = 0;
	json_array_foreach(hw, k, e) {
		int hs = health_state_parse(json_string_value(json_object_get(e,
		    "health")));
		const char *id = json_string_value(json_object_get(e, "id"));

		if ((hs == HEALTH_WARNING || hs == HEALTH_CRITICAL) &&
		    id != NULL && strcmp(id, "system") != 0) {
			snprintf(detail, sizeof(detail), "%s is %s", id,
			    health_state_name(hs));
			check(checks, &worst, "hardware", hs, detail);
			nbad++;
		}
	}
	if (hw != NULL && nbad == 0)
		check(checks, &worst, "hardware", HEALTH_GOOD,
		    "every component good");
	for (i = 0; i < SRC_COUNT; i++) {
		struct source *s = &d->src[i];

		if (s->timed_out || s->error != NULL) {
			snprintf(detail, sizeof(detail), "source %s %s", s->name,
			    s->timed_out ? "not responding" : s->error);
			check(checks, &worst, "smsd", HEALTH_WARNING, detail);
		}
	}
	/*
	 * Serious events of the last minutes.  One dated further ahead than
	 * a clock step explains (a history line from a wrong clock) is not
	 * recent: it would otherwise hold the state until that date.
	 */
	nbad = 0;
	st = HEALTH_GOOD;
	for (k = 0; k < d->ring_len; k++) {
		struct event_rec *ev = &d->ring[(d->ring_head + k) %
		    d->ring_cap];

		if (now - ev->time_ms > RECENT_MS ||
		    ev->time_ms - now > EVENT_FUTURE_MS || ev->priority < 400)
			continue;
		nbad++;
		if (ev->priority >= 500)
			st = HEALTH_CRITICAL;
		else if (st < HEALTH_WARNING)
			st = HEALTH_WARNING;
	}
	if (nbad > 0) {
		snprintf(detail, sizeof(detail), "%d events of priority error "
		    "or worse in the last 15 minutes", nbad);
		check(checks, &worst, "events", st, detail);
	}
	snprintf(detail, sizeof(detail), "%s: %s", d->conf.member_name,
	    health_state_name(worst));
	o = json_pack("{s:s, s:s, s:s, s:o}", "member", d->conf.member_name,
	    "state", health_state_name(worst), "summary", detail,
	    "checks", checks);
	if (d->health == NULL || !json_equal(d->health, o)) {
		if (d->health != NULL)
			json_decref(d->health);
		d->health = o;
		d->health_gen++;
	} else
		json_decref(o);
	d->health_state = worst;
}
