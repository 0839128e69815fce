/*
 * smsd's parsers: request targets, posted messages, the access list, the
 * configuration, and dpkg's status file.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <check.h>
#include <pwd.h>
#include <string.h>

#include "../check_main.h"
#include "log.h"
#include "../testutil.h"
#include "../../../src/smsd/smsd.h"

START_TEST(req_routes)
{
	struct req r;
	const char *why;

	ck_assert_int_eq(req_parse("/v1/system", 10, &r, &why), 0);
	ck_assert_int_eq(r.res, RES_SYSTEM);
	ck_assert_int_eq(req_parse("/metrics", 8, &r, &why), 0);
	ck_assert_int_eq(r.res, RES_METRICS);
	ck_assert_int_eq(req_parse("/v1/systemx", 11, &r, &why), 404);
	ck_assert_int_eq(req_parse("/v1/system/", 11, &r, &why), 404);
	ck_assert_int_eq(req_parse("v1/system", 9, &r, &why), 400);
	ck_assert_int_eq(req_parse("", 0, &r, &why), 400);
}
END_TEST

START_TEST(req_params)
{
	struct req r;
	const char *why;
	const char *u = "/v1/events?name=sys.unix.*&priority=error&limit=5"
	    "&since=42";

	ck_assert_int_eq(req_parse(u, strlen(u), &r, &why), 0);
	ck_assert_int_eq(r.res, RES_EVENTS);
	ck_assert_str_eq(r.pattern, "sys.unix.*");
	ck_assert_int_eq(r.min_priority, 400);
	ck_assert_int_eq(r.limit, 5);
	ck_assert_uint_eq(r.since, 42);
	ck_assert_int_eq(r.frames_message, 0);
	u = "/v1/events/stream?frames=message&since=7";
	ck_assert_int_eq(req_parse(u, strlen(u), &r, &why), 0);
	ck_assert_int_eq(r.res, RES_EVENTS_STREAM);
	ck_assert_int_eq(r.frames_message, 1);
	u = "/v1/events/stream?frames=message&frames=named";
	ck_assert_int_eq(req_parse(u, strlen(u), &r, &why), 0);
	ck_assert_int_eq(r.frames_message, 0);
	u = "/v1/events?name=sys%2Eunix";
	ck_assert_int_eq(req_parse(u, strlen(u), &r, &why), 0);
	ck_assert_str_eq(r.pattern, "sys.unix");
}
END_TEST

START_TEST(req_refused)
{
	static const char *bad[] = {
		"/v1/events?name=../../etc/passwd",
		"/v1/events?name=%2e%2e%2fetc",
		"/v1/events?name=a%00b",
		"/v1/events?name=a%",
		"/v1/events?name=a%4",
		"/v1/events?priority=701",
		"/v1/events?priority=-1",
		"/v1/events?limit=0",
		"/v1/events?limit=99999999",
		"/v1/events?since=99999999999999999999",
		"/v1/events?bogus=1",
		"/v1/events/stream?frames=",
		"/v1/events/stream?frames=Message",
		"/v1/events/stream?frames=messages",
		"/v1/system#x",
		"/v1/sys tem",
		"/v1/system\x01",
	};
	struct req r;
	const char *why;
	char longuri[SMSD_URI_MAX + 10];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(req_parse(bad[i], strlen(bad[i]), &r, &why) ==
		    400, "accepted %s", bad[i]);
	memset(longuri, 'a', sizeof(longuri));
	longuri[0] = '/';
	ck_assert_int_eq(req_parse(longuri, sizeof(longuri), &r, &why), 414);
}
END_TEST

START_TEST(names_and_priorities)
{
	int p;

	ck_assert(event_name_valid("sys.unix.hw.disk.add", 20));
	ck_assert(!event_name_valid("sys..unix", 9));
	ck_assert(!event_name_valid(".sys", 4));
	ck_assert(!event_name_valid("sys.", 4));
	ck_assert(!event_name_valid("sys/unix", 8));
	ck_assert(!event_name_valid("", 0));
	ck_assert_int_eq(priority_parse("critical", &p), 0);
	ck_assert_int_eq(p, 500);
	ck_assert_int_eq(priority_parse("700", &p), 0);
	ck_assert_int_eq(p, 700);
	ck_assert_int_eq(priority_parse("0700", &p), -1);
	ck_assert_int_eq(priority_parse("7000", &p), -1);
	ck_assert_int_eq(priority_parse("", &p), -1);
	ck_assert_str_eq(priority_name(650), "alert");
	ck_assert_str_eq(priority_name(100), "info");
	ck_assert(events_pattern_match("sys.unix.*", "sys.unix.hw.net.add"));
	ck_assert(!events_pattern_match("sys.unix.*", "hostmon.samd"));
	ck_assert(events_pattern_match("", "anything"));
}
END_TEST

START_TEST(post_messages)
{
	struct post_msg m, m2;
	const char *why;
	char buf[POST_MAX + 1], big[POST_MAX + 10];
	const char *ok = "name=hostmon.samd.outage\npriority=400\n"
	    "message=node b down\n";
	int n;

	ck_assert_int_eq(post_parse(ok, strlen(ok), &m, &why), 0);
	ck_assert_str_eq(m.name, "hostmon.samd.outage");
	ck_assert_int_eq(m.priority, 400);
	ck_assert_str_eq(m.message, "node b down");
	n = post_encode(&m, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(post_parse(buf, (size_t)n, &m2, &why), 0);
	ck_assert_mem_eq(&m, &m2, sizeof(m));

	ck_assert_int_eq(post_parse("priority=1\n", 11, &m, &why), -1);
	ck_assert_int_eq(post_parse("name=a\n", 7, &m, &why), -1);
	ck_assert_int_eq(post_parse("name=a\nname=b\npriority=1", 24, &m,
	    &why), -1);
	ck_assert_int_eq(post_parse("name=a\npriority=1\nx=1", 21, &m, &why),
	    -1);
	ck_assert_int_eq(post_parse("name=a\npriority=1\nmessage=\x1b[2J",
	    31, &m, &why), -1);
	ck_assert_int_eq(post_parse("name=a\0b\npriority=1", 19, &m, &why),
	    -1);
	ck_assert_int_eq(post_parse("", 0, &m, &why), -1);
	memset(big, 'a', sizeof(big));
	ck_assert_int_eq(post_parse(big, sizeof(big), &m, &why), -1);
	ck_assert_str_eq(why, "message too long");
}
END_TEST

static int
permits(const struct acl *a, const char *addr)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (inet_pton(AF_INET, addr, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		return acl_permits(a, (struct sockaddr *)&sin);
	}
	ck_assert(inet_pton(AF_INET6, addr, &sin6.sin6_addr) == 1);
	sin6.sin6_family = AF_INET6;
	return acl_permits(a, (struct sockaddr *)&sin6);
}

START_TEST(access_list)
{
	struct acl a;

	acl_loopback(&a);
	ck_assert(permits(&a, "127.0.0.1"));
	ck_assert(permits(&a, "127.9.9.9"));
	ck_assert(permits(&a, "::1"));
	ck_assert(permits(&a, "::ffff:127.0.0.1"));
	ck_assert(!permits(&a, "198.18.0.1"));
	ck_assert(!permits(&a, "::ffff:198.18.0.1"));
	ck_assert(!permits(&a, "::2"));
	a.n = 0;
	ck_assert_int_eq(acl_add(&a, "198.18.4.0/22"), 0);
	ck_assert(permits(&a, "198.18.7.255"));
	ck_assert(!permits(&a, "198.18.8.0"));
	ck_assert_int_eq(acl_add(&a, "10.0.0.0/33"), -1);
	/* Found by fuzz_smsd_conf: a prefix past int wrapped, to /0 here
	 * (everyone allowed) or to a negative length. */
	ck_assert_int_eq(acl_add(&a, "10.0.0.0/4294967296"), -1);
	ck_assert_int_eq(acl_add(&a, "10.0.0.0/1111111111111115"), -1);
	ck_assert_int_eq(acl_add(&a, "::/18446744073709551616"), -1);
	ck_assert_int_eq(acl_add(&a, "10.0.0.0/"), -1);
	ck_assert_int_eq(acl_add(&a, "bogus"), -1);
	ck_assert_int_eq(acl_add(&a, "fe80::/10"), 0);
	ck_assert(permits(&a, "fe80::1"));
}
END_TEST

START_TEST(config)
{
	struct smsd_conf c;
	const char *good = "# test\nport 1596\nlisten 0.0.0.0\n"
	    "allow 198.18.0.0/15\nmember h1 198.18.1.1\nmember h2 198.18.1.2 "
	    "597\nmember-name h1\nmax-clients 10\nevent-history 100\n"
	    "data-dir /tmp/x\n";

	conf_defaults(&c);
	ck_assert_int_eq(conf_parse(good, "t", &c), 0);
	ck_assert_int_eq(c.port, 1596);
	ck_assert_int_eq(c.nmembers, 2);
	ck_assert_int_eq(c.members[0].port, 1596);
	ck_assert_int_eq(c.members[1].port, 597);
	ck_assert_int_eq(c.acl.n, 1);	/* allow replaces the default */
	ck_assert_str_eq(c.member_name, "h1");
	ck_assert_str_eq(c.data_dir, "/tmp/x");

	tu_log_capture_start();
	conf_defaults(&c);
	ck_assert_int_eq(conf_parse("port 0\nmember ../x 1.2.3.4\n"
	    "data-dir relative\ndata-dir /a/../b\nfrobnicate 1\n"
	    "member-name a/b\nmember h 1.1.1.1\nmember h 1.1.1.2\n", "t.conf",
	    &c), -1);
	ck_assert(tu_log_contains("t.conf:1:"));
	ck_assert(tu_log_contains("t.conf:2:"));
	ck_assert(tu_log_contains("t.conf:3:"));
	ck_assert(tu_log_contains("t.conf:4:"));
	ck_assert(tu_log_contains("t.conf:5:"));
	ck_assert(tu_log_contains("t.conf:6:"));
	ck_assert(!tu_log_contains("t.conf:7:"));
	ck_assert(tu_log_contains("t.conf:8:"));	/* duplicate member */
	tu_log_capture_stop();
	ck_assert(!valid_member_name(".."));
	ck_assert(!valid_member_name("a..b"));
	ck_assert(valid_member_name("node-1.example"));
}
END_TEST

/*
 * Who may post the suite's names: root and _hmstatd by default; post-trusted
 * lines replace that list (users or uids, several lines add up); an
 * unknown user is an error.  The reserved prefixes are hostmon. and sys.
 */
START_TEST(post_trust)
{
	struct smsd_conf c;
	struct passwd *pw;
	uid_t statd_uid, nobody_uid;

	/* getpwnam's answer is overwritten by the next look-up */
	ck_assert_ptr_nonnull(pw = getpwnam("_hmstatd"));
	statd_uid = pw->pw_uid;
	ck_assert_ptr_nonnull(pw = getpwnam("nobody"));
	nobody_uid = pw->pw_uid;
	conf_defaults(&c);
	ck_assert_str_eq(c.post_group, "_hostmon");
	ck_assert(conf_trusts(&c, 0));
	ck_assert(conf_trusts(&c, statd_uid));
	ck_assert(!conf_trusts(&c, nobody_uid));
	ck_assert(!conf_trusts(&c, (uid_t)-1));	/* no credentials */

	conf_defaults(&c);
	ck_assert_int_eq(conf_parse("post-trusted nobody 4242\n"
	    "post-trusted root\npost-group wheel\n", "t", &c), 0);
	ck_assert(conf_trusts(&c, nobody_uid));
	ck_assert(conf_trusts(&c, 4242));
	ck_assert(conf_trusts(&c, 0));
	ck_assert(!conf_trusts(&c, statd_uid));
	ck_assert_str_eq(c.post_group, "wheel");

	tu_log_capture_start();
	conf_defaults(&c);
	ck_assert_int_eq(conf_parse("post-trusted no-such-user-here\n"
	    "post-trusted\n", "t.conf", &c), -1);
	ck_assert(tu_log_contains("t.conf:1:"));
	ck_assert(tu_log_contains("t.conf:2:"));
	tu_log_capture_stop();

	ck_assert(post_name_reserved("hostmon.statd.reboot"));
	ck_assert(post_name_reserved("sys.unix.kernel"));
	ck_assert(!post_name_reserved("hostmonx.a"));
	ck_assert(!post_name_reserved("app.hostmon.a"));
	ck_assert(!post_name_reserved("system.a"));
}
END_TEST

/* A member's port defaults to the file's port, wherever that line is. */
START_TEST(config_member_port)
{
	static const struct {
		const char	*text;
		int		 port_a, port_b;
	} cases[] = {
		{ "member a 10.0.0.1\nmember b 10.0.0.2 597\n", 596, 597 },
		{ "port 1596\nmember a 10.0.0.1\nmember b 10.0.0.2 597\n",
		    1596, 597 },
		{ "member a 10.0.0.1\nmember b 10.0.0.2 597\nport 1596\n",
		    1596, 597 },
		{ "member a 10.0.0.1\nport 1596\nmember b 10.0.0.2\n",
		    1596, 1596 },
		/* the last port line wins, for members above it too */
		{ "port 1000\nmember a 10.0.0.1\nport 1596\n"
		    "member b 10.0.0.2 596\n", 1596, 596 },
	};
	struct smsd_conf c;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		conf_defaults(&c);
		ck_assert_int_eq(conf_parse(cases[i].text, "t", &c), 0);
		ck_assert_int_eq(c.nmembers, 2);
		ck_assert_msg(c.members[0].port == cases[i].port_a &&
		    c.members[1].port == cases[i].port_b,
		    "case %zu: ports %d %d, expected %d %d", i,
		    c.members[0].port, c.members[1].port, cases[i].port_a,
		    cases[i].port_b);
	}
}
END_TEST

START_TEST(dpkg_status)
{
	const char *text =
	    "Package: foo\nStatus: install ok installed\nVersion: 1.0-1\n"
	    "Architecture: amd64\nInstalled-Size: 42\nDescription: a foo\n"
	    " long text: with colon\n\n"
	    "Package: gone\nStatus: deinstall ok config-files\nVersion: 2\n\n"
	    "Package: bar\nStatus: install ok half-configured\nVersion: 3\n";
	json_t *a = dpkg_parse_status(text, strlen(text));

	ck_assert_int_eq(json_array_size(a), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(a,
	    0), "name")), "foo");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(a,
	    0), "description")), "a foo");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(a,
	    0), "installed_size_kib")), 42);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(a,
	    1), "state")), "half-configured");
	json_decref(a);
}
END_TEST

static Suite *
parse_suite(void)
{
	Suite *s = suite_create("smsd_parse");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, req_routes);
	tcase_add_test(tc, req_params);
	tcase_add_test(tc, req_refused);
	tcase_add_test(tc, names_and_priorities);
	tcase_add_test(tc, post_messages);
	tcase_add_test(tc, access_list);
	tcase_add_test(tc, config);
	tcase_add_test(tc, config_member_port);
	tcase_add_test(tc, post_trust);
	tcase_add_test(tc, dpkg_status);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(parse_suite)
