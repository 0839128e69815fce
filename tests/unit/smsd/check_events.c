/*
 * smsd's events and data files: the ring and its filters, the durable
 * history across a restart, a torn or corrupt history file, a corrupt
 * inventory file set aside, and uevent messages.  Data files and history
 * lines that parse but are not shaped as smsd writes them: set aside and
 * logged, never loaded (health.c used to crash on them at every start); an
 * event dated in the future does not hold the health state; a package
 * whose fields are not UTF-8 is still listed.
 */
#include <sys/stat.h>
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <pthread.h>

#include "../check_main.h"
#include "log.h"
#include "timeutil.h"
#include "../testutil.h"
#include "../../../src/smsd/smsd.h"

void	uevent_handle(struct smsd *, const char *, size_t);

static struct smsd *
daemon_at(const char *dir, int history)
{
	struct smsd *d = calloc(1, sizeof(*d));

	ck_assert_ptr_nonnull(d);
	smsd = d;
	conf_defaults(&d->conf);
	strcpy(d->conf.member_name, "m1");
	d->conf.history = history;
	snprintf(d->member_dir, sizeof(d->member_dir), "%s", dir);
	d->base = event_base_new();
	ck_assert_int_eq(events_init(d), 0);
	return d;
}

static void
daemon_free(struct smsd *d)
{
	events_close(d);
	event_base_free(d->base);
	if (d->health != NULL)
		json_decref(d->health);
	free(d);
	smsd = NULL;
}

static json_t *
history(struct smsd *d, const char *query)
{
	struct evbuffer *b = evbuffer_new();
	struct req r;
	const char *why;
	json_error_t err;
	json_t *o;

	ck_assert_int_eq(req_parse(query, strlen(query), &r, &why), 0);
	events_history_json(d, &r, b);
	o = json_loadb((const char *)evbuffer_pullup(b, -1),
	    evbuffer_get_length(b), 0, &err);
	ck_assert_msg(o != NULL, "history is not JSON: %s", err.text);
	evbuffer_free(b);
	return o;
}

static int
count_matching(const char *dir, const char *prefix)
{
	DIR *dd = opendir(dir);
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(dd);
	while ((de = readdir(dd)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(dd);
	return n;
}

START_TEST(ring_and_filters)
{
	char *dir = tu_tmpdir();
	struct smsd *d = daemon_at(dir, 16);
	json_t *o, *ev;
	int i;

	for (i = 0; i < 20; i++)
		events_post(d, i % 2 ? "sys.unix.odd" : "app.even",
		    i % 2 ? 300 : 100, "test", "m", NULL);
	o = history(d, "/v1/events?limit=1000");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "count")), 16);
	ev = json_array_get(json_object_get(o, "events"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(ev, "seq")), 5);
	json_decref(o);
	o = history(d, "/v1/events?name=sys.*&limit=3");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "count")), 3);
	ev = json_array_get(json_object_get(o, "events"), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(ev, "seq")), 20);
	json_decref(o);
	o = history(d, "/v1/events?priority=warning&since=15");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "count")), 3);
	json_decref(o);
	daemon_free(d);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(history_survives_restart)
{
	char *dir = tu_tmpdir();
	struct smsd *d = daemon_at(dir, 16);
	json_t *o, *ev;
	int i;

	for (i = 0; i < 10; i++)
		events_post(d, "app.x", 200, "test", "before restart", NULL);
	daemon_free(d);		/* commits */
	d = daemon_at(dir, 16);
	ck_assert_uint_eq(d->ring_len, 10);
	ck_assert_uint_eq(d->next_seq, 11);
	events_post(d, "app.y", 200, "test", "after", NULL);
	o = history(d, "/v1/events");
	ev = json_array_get(json_object_get(o, "events"), 10);
	ck_assert_int_eq(json_integer_value(json_object_get(ev, "seq")), 11);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "name")),
	    "app.y");
	json_decref(o);
	daemon_free(d);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(torn_history_set_aside)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "events.log");
	struct smsd *d = daemon_at(dir, 16);
	int fd, i;

	for (i = 0; i < 5; i++)
		events_post(d, "app.x", 200, "test", "kept", NULL);
	daemon_free(d);
	/* a crash in the middle of a write leaves half a line */
	fd = open(path, O_WRONLY | O_APPEND);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "{\"seq\":6,\"na", 12), 12);
	close(fd);
	tu_log_capture_start();
	d = daemon_at(dir, 16);
	ck_assert_uint_eq(d->ring_len, 5);
	ck_assert_uint_eq(d->next_seq, 6);
	ck_assert(tu_log_contains("set aside"));
	tu_log_capture_stop();
	ck_assert_int_eq(count_matching(dir, "events.log.bad."), 1);
	daemon_free(d);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(corrupt_inventory_set_aside)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "software.json");
	struct smsd *d;
	struct source *s;

	tu_write_file(path, "{\"packages\": [", 14);
	d = daemon_at(dir, 16);
	sources_init(d);
	tu_log_capture_start();
	store_load_inventory(d);
	ck_assert(tu_log_contains("is corrupt"));
	ck_assert(tu_log_contains("rebuilding"));
	tu_log_capture_stop();
	ck_assert_int_eq(count_matching(dir, "software.json.bad."), 1);
	ck_assert_int_eq(access(path, F_OK), -1);
	/* the rebuild: wait for the worker, then the file is whole again */
	s = &d->src[SRC_SOFTWARE];
	for (int i = 0; i < 500 && access(path, F_OK) == -1; i++)
		usleep(10000);
	ck_assert_int_eq(access(path, F_OK), 0);
	sources_stop(d);
	{
		size_t len;
		char *text = tu_read_file(path, &len);
		json_error_t err;
		json_t *o = json_loadb(text, len, 0, &err);

		ck_assert_ptr_nonnull(o);
		ck_assert_int_gt(json_integer_value(json_object_get(o,
		    "count")), 0);
		json_decref(o);
		free(text);
	}
	(void)s;
	daemon_free(d);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(uevents)
{
	static const char add[] = "add@/devices/virtual/net/veth9\0ACTION=add"
	    "\0DEVPATH=/devices/virtual/net/veth9\0SUBSYSTEM=net\0"
	    "INTERFACE=veth9\0SEQNUM=1";
	static const char usb[] = "add@/devices/usb1\0ACTION=add\0"
	    "SUBSYSTEM=usb\0";
	static const char junk[] = "libudev\0\xfe\xed";
	char *dir = tu_tmpdir();
	struct smsd *d = daemon_at(dir, 16);
	json_t *o, *ev;

	uevent_handle(d, add, sizeof(add));
	uevent_handle(d, usb, sizeof(usb));
	uevent_handle(d, junk, sizeof(junk));
	uevent_handle(d, add, sizeof(add) - 1);	/* not NUL-terminated */
	o = history(d, "/v1/events?name=sys.unix.hw.*");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "count")), 1);
	ev = json_array_get(json_object_get(o, "events"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "name")),
	    "sys.unix.hw.net.add");
	ck_assert_str_eq(json_string_value(json_object_get(ev, "message")),
	    "net veth9 added");
	ck_assert(d->src[SRC_HARDWARE].dirty);
	json_decref(o);
	daemon_free(d);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* Any poster may send it: a flood of invalid UTF-8 must not flood the log. */
START_TEST(bad_utf8_log_limited)
{
	char *dir = tu_tmpdir();
	struct smsd *d = daemon_at(dir, 16);
	const char *p;
	int i, lines = 0;

	tu_log_capture_start();
	for (i = 0; i < 100; i++)
		events_post(d, "a.b", 100, "post", "\xff\xfe bad", NULL);
	for (p = tu_log_text(); (p = strstr(p, "not valid UTF-8")) != NULL;
	    p++)
		lines++;
	tu_log_capture_stop();
	ck_assert_int_ge(lines, 1);
	ck_assert_int_le(lines, 10);
	ck_assert_uint_eq(d->next_seq, 1);	/* none was kept */
	daemon_free(d);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* A hardware gather that, the first time, waits until it is released. */
static pthread_mutex_t fake_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fake_cv = PTHREAD_COND_INITIALIZER;
static int fake_calls, fake_released;

static void
fake_gather(struct source *s, struct gathered *g)
{
	(void)s;
	pthread_mutex_lock(&fake_mu);
	fake_calls++;
	pthread_cond_broadcast(&fake_cv);
	while (fake_calls == 1 && !fake_released)
		pthread_cond_wait(&fake_cv, &fake_mu);
	pthread_mutex_unlock(&fake_mu);
	g->json = json_pack("{s:[], s:i}", "nodes", "call", fake_calls);
}

/*
 * A uevent that comes while a hardware gather is under way: that gather
 * may have read /sys before the change, so its result is not fresh, and
 * another gather follows by itself.
 */
START_TEST(invalidated_during_gather)
{
	char *dir = tu_tmpdir();
	struct smsd *d = daemon_at(dir, 16);
	struct source *s;
	int i;

	sources_init(d);
	s = &d->src[SRC_HARDWARE];
	s->gather = fake_gather;
	source_kick(d, s);
	pthread_mutex_lock(&fake_mu);
	while (fake_calls == 0)
		pthread_cond_wait(&fake_cv, &fake_mu);
	pthread_mutex_unlock(&fake_mu);
	/* the gather runs; now the hardware changes */
	source_invalidate(d, SRC_HARDWARE);
	pthread_mutex_lock(&fake_mu);
	fake_released = 1;
	pthread_cond_broadcast(&fake_cv);
	pthread_mutex_unlock(&fake_mu);
	for (i = 0; i < 500 && s->gathered_ms == 0; i++)
		event_base_loop(d->base, EVLOOP_ONCE);
	ck_assert_int_ne(s->gathered_ms, 0);
	ck_assert_msg(!source_fresh(s, mono_ms()),
	    "a gather begun before the invalidation counts as fresh");
	/* and a second gather comes without anyone asking */
	for (i = 0; i < 500 && !source_fresh(s, mono_ms()); i++)
		event_base_loop(d->base, EVLOOP_ONCE);
	ck_assert(source_fresh(s, mono_ms()));
	ck_assert_int_eq(json_integer_value(json_object_get(s->data, "call")),
	    2);
	sources_stop(d);
	daemon_free(d);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* A gather that takes 300 ms, and says when it began and ended. */
static int slow_began, slow_ended;

static void
slow_gather(struct source *s, struct gathered *g)
{
	(void)s;
	pthread_mutex_lock(&fake_mu);
	slow_began = 1;
	pthread_cond_broadcast(&fake_cv);
	pthread_mutex_unlock(&fake_mu);
	usleep(300 * 1000);
	g->json = json_pack("{s:[]}", "nodes");
	pthread_mutex_lock(&fake_mu);
	slow_ended = 1;
	pthread_mutex_unlock(&fake_mu);
}

/*
 * Stopping while a gather is under way, but not hung: the stop waits for
 * it, so the worker is joined and everything freed (no leak, no thread
 * left behind), and nothing is said about it.
 */
START_TEST(stop_waits_for_slow_gather)
{
	char *dir = tu_tmpdir();
	struct smsd *d = daemon_at(dir, 16);
	struct source *s;
	int ended;

	sources_init(d);
	s = &d->src[SRC_HARDWARE];
	s->gather = slow_gather;
	source_kick(d, s);
	pthread_mutex_lock(&fake_mu);
	while (!slow_began)
		pthread_cond_wait(&fake_cv, &fake_mu);
	pthread_mutex_unlock(&fake_mu);
	tu_log_capture_start();
	sources_stop(d);
	ck_assert(!tu_log_contains("left to end"));
	tu_log_capture_stop();
	pthread_mutex_lock(&fake_mu);
	ended = slow_ended;
	pthread_mutex_unlock(&fake_mu);
	ck_assert_msg(ended, "the stop returned before the gather ended");
	daemon_free(d);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

static const char *const bad_hardware[] = {
	"{\"nodes\":[{\"health\":\"critical\"}]}",
	"{\"nodes\":[{\"id\":7,\"class\":\"disk\",\"name\":\"x\","
	    "\"parent\":null,\"attributes\":{},\"health\":\"critical\"}]}",
	"{\"nodes\":[{\"id\":\"disk:a\",\"class\":\"disk\",\"name\":\"a\","
	    "\"parent\":null,\"attributes\":{},\"health\":7}]}",
	"{\"nodes\":[{\"id\":\"disk:a\",\"class\":\"disk\",\"name\":\"a\","
	    "\"parent\":3,\"attributes\":{},\"health\":\"good\"}]}",
	"{\"nodes\":[{\"id\":\"disk:a\",\"class\":\"disk\",\"name\":\"a\","
	    "\"parent\":null,\"attributes\":[],\"health\":\"good\"}]}",
	"{\"nodes\":[{\"id\":\"\",\"class\":\"disk\",\"name\":\"a\","
	    "\"parent\":null,\"attributes\":{},\"health\":\"good\"}]}",
	"{\"nodes\":[null]}",
	"{\"nodes\":[\"system\"]}",
	"{\"nodes\":{}}",
	"{\"nodes\":null}",
	"{}",
	"[]",
	"7",
};

static const char *const bad_software[] = {
	"{\"database\":\"d\",\"count\":1,\"packages\":[{\"name\":5,"
	    "\"state\":\"installed\"}]}",
	"{\"database\":\"d\",\"count\":1,\"packages\":[{\"state\":"
	    "\"installed\"}]}",
	"{\"database\":\"d\",\"count\":1,\"packages\":[{\"name\":\"a\"}]}",
	"{\"database\":\"d\",\"count\":1,\"packages\":[{\"name\":\"a\","
	    "\"state\":\"installed\",\"version\":[]}]}",
	"{\"database\":\"d\",\"count\":1,\"packages\":[{\"name\":\"a\","
	    "\"state\":\"installed\",\"installed_size_kib\":\"big\"}]}",
	"{\"database\":\"d\",\"count\":1,\"packages\":[[]]}",
	"{\"database\":\"d\",\"count\":2,\"packages\":[{\"name\":\"a\","
	    "\"state\":\"installed\"}]}",
	"{\"count\":0,\"packages\":[]}",
	"{\"database\":\"d\",\"count\":0,\"packages\":{}}",
	"{\"database\":\"d\",\"count\":0}",
};

static void
refused_all(enum source_id id, const char *const *texts, size_t n)
{
	json_error_t err;
	char why[160];
	json_t *o;
	size_t i;

	for (i = 0; i < n; i++) {
		o = json_loads(texts[i], JSON_DECODE_ANY, &err);
		ck_assert_ptr_nonnull(o);
		why[0] = '\0';
		ck_assert_msg(!inventory_shape_ok(id, o, why, sizeof(why)),
		    "%s taken", texts[i]);
		ck_assert_msg(why[0] != '\0', "no reason for %s", texts[i]);
		json_decref(o);
	}
}

START_TEST(shapes_refused)
{
	refused_all(SRC_HARDWARE, bad_hardware,
	    sizeof(bad_hardware) / sizeof(bad_hardware[0]));
	refused_all(SRC_SOFTWARE, bad_software,
	    sizeof(bad_software) / sizeof(bad_software[0]));
}
END_TEST

/* What the gathers make passes, or every start would rebuild it. */
START_TEST(gathered_shapes_taken)
{
	struct source s;
	struct gathered g;
	char why[160] = "";

	memset(&s, 0, sizeof(s));
	memset(&g, 0, sizeof(g));
	gather_hardware(&s, &g);
	ck_assert_ptr_nonnull(g.json);
	ck_assert_msg(inventory_shape_ok(SRC_HARDWARE, g.json, why,
	    sizeof(why)), "this machine's hardware refused: %s", why);
	json_decref(g.json);
	memset(&g, 0, sizeof(g));
	gather_software(&s, &g);
	ck_assert_ptr_nonnull(g.json);
	ck_assert_msg(inventory_shape_ok(SRC_SOFTWARE, g.json, why,
	    sizeof(why)), "this machine's packages refused: %s", why);
	json_decref(g.json);
	gather_software_free(&s);
}
END_TEST

/*
 * Each wrong shape as the cached file at start: set aside, logged, not
 * loaded, and the health computed afterwards does not crash.
 */
static void
load_bad(const char *file, const char *text)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, file), prefix[64];
	struct smsd *d;

	tu_write_file(path, text, strlen(text));
	d = daemon_at(dir, 64);
	sources_init(d);
	tu_log_capture_start();
	store_load_inventory(d);
	ck_assert_msg(tu_log_contains("is corrupt") &&
	    tu_log_contains("set aside"), "%s %s: not logged: %s", file, text,
	    tu_log_text());
	tu_log_capture_stop();
	snprintf(prefix, sizeof(prefix), "%s.bad.", file);
	ck_assert_int_eq(count_matching(dir, prefix), 1);
	health_update(d);
	ck_assert_ptr_nonnull(d->health);
	sources_stop(d);
	daemon_free(d);
	tu_rmtree(dir);
	free(path);
	free(dir);
}

START_TEST(cached_hardware_wrong_shape)
{
	load_bad("hardware.json", bad_hardware[_i]);
}
END_TEST

START_TEST(cached_software_wrong_shape)
{
	load_bad("software.json", bad_software[_i]);
}
END_TEST

/* A cached file of the right shape is loaded as it is. */
START_TEST(cached_inventory_taken)
{
	static const char hw[] = "{\"nodes\":[{\"id\":\"system\",\"class\":"
	    "\"system\",\"name\":\"h\",\"parent\":null,\"attributes\":{},"
	    "\"health\":\"good\"},{\"id\":\"disk:a\",\"class\":\"disk\","
	    "\"name\":\"a\",\"parent\":\"system\",\"attributes\":{},"
	    "\"health\":\"critical\"}]}";
	char *dir = tu_tmpdir(), *path = tu_path(dir, "hardware.json");
	struct smsd *d;

	tu_write_file(path, hw, strlen(hw));
	d = daemon_at(dir, 64);
	sources_init(d);
	store_load_inventory(d);
	ck_assert_int_eq(count_matching(dir, "hardware.json.bad."), 0);
	ck_assert_ptr_nonnull(d->src[SRC_HARDWARE].data);
	health_update(d);
	ck_assert_int_eq(d->health_state, HEALTH_CRITICAL);
	sources_stop(d);
	daemon_free(d);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

/* A history line as events_post writes it, at time t. */
static int
event_line(char *buf, size_t size, int seq, long long t, int pri,
    const char *name)
{
	return snprintf(buf, size, "{\"seq\":%d,\"time_ms\":%lld,\"time\":"
	    "\"x\",\"name\":\"%s\",\"priority\":%d,\"priority_name\":\"x\","
	    "\"source\":\"test\",\"member\":\"m1\",\"message\":\"m\"}\n", seq,
	    t, name, pri);
}

START_TEST(history_lines_wrong_shape)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "events.log");
	char text[4096], line[512];
	long long now = (long long)real_ms();
	struct smsd *d;
	size_t len = 0;

	event_line(line, sizeof(line), 1, now, 200, "app.good");
	len += (size_t)snprintf(text + len, sizeof(text) - len, "%s", line);
	len += (size_t)snprintf(text + len, sizeof(text) - len,
	    "{\"seq\":2,\"name\":\n"			/* not JSON */
	    "[1,2,3]\n"					/* not an object */
	    "{\"seq\":\"3\",\"time_ms\":1,\"priority\":1,\"name\":\"a.b\"}\n"
	    "{\"seq\":4,\"time_ms\":1,\"priority\":900,\"name\":\"a.b\","
	    "\"time\":\"x\",\"priority_name\":\"x\",\"source\":\"s\","
	    "\"member\":\"m\"}\n"
	    "{\"seq\":5,\"time_ms\":1,\"priority\":100,\"name\":\"../x\","
	    "\"time\":\"x\",\"priority_name\":\"x\",\"source\":\"s\","
	    "\"member\":\"m\"}\n"
	    "{\"seq\":6,\"time_ms\":1,\"priority\":100,\"name\":\"a.b\"}\n");
	event_line(line, sizeof(line), 7, now, 200, "app.good");
	len += (size_t)snprintf(text + len, sizeof(text) - len, "%s", line);
	tu_write_file(path, text, len);
	tu_log_capture_start();
	d = daemon_at(dir, 64);
	ck_assert_uint_eq(d->ring_len, 2);
	ck_assert_uint_eq(d->next_seq, 8);
	ck_assert_msg(tu_log_contains("line 2: not JSON; dropped"), "%s",
	    tu_log_text());
	ck_assert_msg(tu_log_contains("6 lines that are not events dropped; "
	    "copy set aside as"), "%s", tu_log_text());
	tu_log_capture_stop();
	ck_assert_int_eq(count_matching(dir, "events.log.bad."), 1);
	daemon_free(d);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

/*
 * A serious event dated a year ahead (a clock that was wrong when it was
 * written) is kept, logged, and does not make the health critical.
 */
START_TEST(history_future_event)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "events.log");
	char line[512];
	long long now = (long long)real_ms();
	struct smsd *d;
	int n;

	n = event_line(line, sizeof(line), 1, now + 365LL * 86400 * 1000, 700,
	    "hostmon.statd.reboot");
	tu_write_file(path, line, (size_t)n);
	tu_log_capture_start();
	d = daemon_at(dir, 64);
	ck_assert_uint_eq(d->ring_len, 1);
	ck_assert_msg(tu_log_contains("ahead of the clock"), "%s",
	    tu_log_text());
	tu_log_capture_stop();
	health_update(d);
	ck_assert_str_eq(health_state_name(d->health_state), "good");
	/* a serious event of now still counts */
	events_post(d, "app.bad", 600, "test", "now", NULL);
	ck_assert_str_eq(health_state_name(d->health_state), "critical");
	daemon_free(d);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(dpkg_not_utf8)
{
	static const char text[] =
	    "Package: caf\xe9\nStatus: install ok installed\nVersion: 1\xff\n"
	    "Description: na\xefve\n\n"
	    "Package: plain\nStatus: install ok installed\nVersion: 2\n";
	json_t *a = dpkg_parse_status(text, sizeof(text) - 1), *p;

	ck_assert_uint_eq(json_array_size(a), 2);
	p = json_array_get(a, 0);
	ck_assert_str_eq(json_string_value(json_object_get(p, "name")),
	    "caf\xef\xbf\xbd");
	ck_assert_str_eq(json_string_value(json_object_get(p, "version")),
	    "1\xef\xbf\xbd");
	ck_assert_str_eq(json_string_value(json_object_get(p,
	    "description")), "na\xef\xbf\xbdve");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(a,
	    1), "name")), "plain");
	json_decref(a);
}
END_TEST

static Suite *
events_suite(void)
{
	Suite *s = suite_create("smsd_events");
	TCase *tc = tcase_create("events");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, ring_and_filters);
	tcase_add_test(tc, history_survives_restart);
	tcase_add_test(tc, torn_history_set_aside);
	tcase_add_test(tc, corrupt_inventory_set_aside);
	tcase_add_test(tc, uevents);
	tcase_add_test(tc, invalidated_during_gather);
	tcase_add_test(tc, stop_waits_for_slow_gather);
	tcase_add_test(tc, bad_utf8_log_limited);
	suite_add_tcase(s, tc);
	tc = tcase_create("datafiles");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, shapes_refused);
	tcase_add_test(tc, gathered_shapes_taken);
	tcase_add_loop_test(tc, cached_hardware_wrong_shape, 0,
	    (int)(sizeof(bad_hardware) / sizeof(bad_hardware[0])));
	tcase_add_loop_test(tc, cached_software_wrong_shape, 0,
	    (int)(sizeof(bad_software) / sizeof(bad_software[0])));
	tcase_add_test(tc, cached_inventory_taken);
	tcase_add_test(tc, history_lines_wrong_shape);
	tcase_add_test(tc, history_future_event);
	tcase_add_test(tc, dpkg_not_utf8);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(events_suite)
