/*
 * request: the request target of an HTTP request, parsed into a resource
 * and its few parameters.  Nothing here touches the network or the file
 * system, so the fuzz target and the unit tests drive it directly.  No
 * parameter ever names a file: patterns are matched against event names
 * only, so there is no path to traverse.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "smsd.h"
#include "smspost.h"

static const struct {
	const char	*path;
	enum resource	 res;
} routes[] = {
	{ "/", RES_INDEX },
	{ "/v1", RES_INDEX },
	{ "/v1/", RES_INDEX },
	{ "/v1/system", RES_SYSTEM },
	{ "/v1/hardware", RES_HARDWARE },
	{ "/v1/software", RES_SOFTWARE },
	{ "/v1/filesystems", RES_FILESYSTEMS },
	{ "/v1/events", RES_EVENTS },
	{ "/v1/events/stream", RES_EVENTS_STREAM },
	{ "/v1/health", RES_HEALTH },
	{ "/v1/metrics", RES_METRICS },
	{ "/metrics", RES_METRICS },
	{ "/v1/cluster", RES_CLUSTER },
	{ "/v1/server", RES_SERVER },
	{ "/v1/history", RES_HISTORY },
	{ "/v1/suite/ss", RES_SUITE_SS },
	{ "/v1/suite/availability", RES_SUITE_AVAILABILITY },
	{ "/v1/suite/statd", RES_SUITE_STATD },
	{ "/station", RES_STATION },
	{ "/station/", RES_STATION },
};

/* What /v1/members/NAME/ may ask a member for. */
static const struct {
	const char	*path;
	enum resource	 res;
} member_routes[] = {
	{ "system", RES_SYSTEM },
	{ "hardware", RES_HARDWARE },
	{ "software", RES_SOFTWARE },
	{ "filesystems", RES_FILESYSTEMS },
	{ "events", RES_EVENTS },
	{ "history", RES_HISTORY },
	{ "health", RES_HEALTH },
	{ "suite/ss", RES_SUITE_SS },
	{ "suite/availability", RES_SUITE_AVAILABILITY },
	{ "suite/statd", RES_SUITE_STATD },
};

#define STATION_PREFIX	"/station/"
#define MEMBERS_PREFIX	"/v1/members/"

/*
 * A station file's name: one path component of letters, digits, '.', '_'
 * and '-', at most STATION_NAME_MAX long, not starting with '.' (no "..",
 * no hidden file) and without "..".  No '/', so no subfolder and nothing
 * to traverse; no '%', so nothing decodes into one.
 */
int
station_name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > STATION_NAME_MAX || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			return 0;
		if (c == '.' && i + 1 < len && s[i + 1] == '.')
			return 0;
	}
	return 1;
}

static const struct {
	const char	*name;
	int		 value;
} priorities[] = {
	{ "emergency", 700 }, { "alert", 600 }, { "critical", 500 },
	{ "error", 400 }, { "warning", 300 }, { "notice", 200 },
	{ "info", 100 }, { "debug", 0 },
};

const char *
priority_name(int p)
{
	size_t i;

	for (i = 0; i < sizeof(priorities) / sizeof(priorities[0]); i++)
		if (p >= priorities[i].value)
			return priorities[i].name;
	return "debug";
}

/* A number 0..700 or one of the names above. */
int
priority_parse(const char *s, int *out)
{
	size_t i;
	char *end;
	long v;

	for (i = 0; i < sizeof(priorities) / sizeof(priorities[0]); i++)
		if (strcmp(s, priorities[i].name) == 0) {
			*out = priorities[i].value;
			return 0;
		}
	if (*s == '\0' || !isdigit((unsigned char)*s) || strlen(s) > 3)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0' || errno != 0 || v < 0 || v > 700)
		return -1;
	*out = (int)v;
	return 0;
}

/* EVM style: dotted components of letters, digits, '_' and '-'. */
int
event_name_valid(const char *s, size_t len)
{
	/* One rule for smsd and for the daemons that post to it. */
	return len <= EVENT_NAME_MAX && smspost_name_valid(s, len);
}

/* An event name that may hold '*' and '?' wildcards. */
int
pattern_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > REQ_PATTERN_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '_' && c != '-' && c != '.' &&
		    c != '*' && c != '?')
			return 0;
	}
	return 1;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decode src[0..len) into dst (size dstsz); -1 if bad or long. */
static int
decode(const char *src, size_t len, char *dst, size_t dstsz)
{
	size_t i, o = 0;
	int h, l;

	for (i = 0; i < len; i++) {
		char c = src[i];

		if (c == '%') {
			if (i + 2 >= len)
				return -1;
			if ((h = hexval((unsigned char)src[i + 1])) < 0 ||
			    (l = hexval((unsigned char)src[i + 2])) < 0)
				return -1;
			c = (char)(h * 16 + l);
			i += 2;
		} else if (c == '+')
			c = ' ';
		if (c == '\0' || o + 1 >= dstsz)
			return -1;
		dst[o++] = c;
	}
	dst[o] = '\0';
	return (int)o;
}

static int
param(struct req *r, const char *key, size_t klen, const char *val,
    size_t vlen, const char **why)
{
	char v[REQ_PATTERN_MAX + 1], *end;
	unsigned long long u;
	int n;

	if ((n = decode(val, vlen, v, sizeof(v))) < 0) {
		*why = "bad parameter value";
		return 400;
	}
	if (klen == 4 && memcmp(key, "name", 4) == 0) {
		if (!pattern_valid(v, (size_t)n)) {
			*why = "bad name pattern";
			return 400;
		}
		memcpy(r->pattern, v, (size_t)n + 1);
	} else if (klen == 8 && memcmp(key, "priority", 8) == 0) {
		if (priority_parse(v, &r->min_priority) == -1) {
			*why = "bad priority";
			return 400;
		}
	} else if (klen == 5 && memcmp(key, "limit", 5) == 0) {
		if (n == 0 || n > 7 || !isdigit((unsigned char)v[0])) {
			*why = "bad limit";
			return 400;
		}
		u = strtoull(v, &end, 10);
		if (*end != '\0' || u == 0 || u > 1000000) {
			*why = "bad limit";
			return 400;
		}
		r->limit = (int)u;
		r->limit_set = 1;
	} else if (klen == 6 && memcmp(key, "offset", 6) == 0) {
		if (n == 0 || n > 7 || !isdigit((unsigned char)v[0])) {
			*why = "bad offset";
			return 400;
		}
		u = strtoull(v, &end, 10);
		if (*end != '\0' || u > 1000000) {
			*why = "bad offset";
			return 400;
		}
		r->offset = (int)u;
	} else if (klen == 5 && memcmp(key, "since", 5) == 0) {
		if (n == 0 || n > 19 || !isdigit((unsigned char)v[0])) {
			*why = "bad since";
			return 400;
		}
		errno = 0;
		u = strtoull(v, &end, 10);
		if (*end != '\0' || errno != 0) {
			*why = "bad since";
			return 400;
		}
		r->since = u;
	} else if (klen == 6 && memcmp(key, "frames", 6) == 0) {
		/* the stream's frames: named after their event, or all
		   unnamed "message" events (what an EventSource hears) */
		if (strcmp(v, "named") == 0)
			r->frames_message = 0;
		else if (strcmp(v, "message") == 0)
			r->frames_message = 1;
		else {
			*why = "bad frames (named or message)";
			return 400;
		}
	} else if (klen == 6 && memcmp(key, "pretty", 6) == 0) {
		r->pretty = 1;
	} else {
		*why = "unknown parameter";
		return 400;
	}
	return 0;
}

/*
 * /v1/members/NAME/RESOURCE[?query]: NAME a member name, RESOURCE one of
 * member_routes; the target "/v1/RESOURCE[?query]" is parsed here too, so
 * only a request this smsd would itself accept is sent on.
 */
static int
member_target(const char *uri, size_t len, size_t plen, struct req *r,
    const char **why)
{
	const char *name = uri + strlen(MEMBERS_PREFIX), *slash, *rest;
	struct req sub;
	size_t nlen, rlen, i;
	int rv;

	slash = memchr(name, '/', plen - strlen(MEMBERS_PREFIX));
	if (slash == NULL) {
		*why = "no resource after the member name";
		return 404;
	}
	nlen = (size_t)(slash - name);
	if (nlen == 0 || nlen > SMSD_NAME_MAX) {
		*why = "bad member name";
		return 400;
	}
	memcpy(r->member, name, nlen);
	r->member[nlen] = '\0';
	if (!valid_member_name(r->member)) {
		*why = "bad member name";
		return 400;
	}
	rest = slash + 1;
	rlen = (size_t)(uri + plen - rest);
	for (i = 0; i < sizeof(member_routes) / sizeof(member_routes[0]); i++)
		if (strlen(member_routes[i].path) == rlen &&
		    memcmp(member_routes[i].path, rest, rlen) == 0)
			break;
	if (i == sizeof(member_routes) / sizeof(member_routes[0])) {
		*why = "no such member resource";
		return 404;
	}
	/* "/v1/" + the rest of the target, query included */
	if (4 + (size_t)(uri + len - rest) > SMSD_URI_MAX) {
		*why = "request target too long";
		return 414;
	}
	memcpy(r->target, "/v1/", 4);
	memcpy(r->target + 4, rest, (size_t)(uri + len - rest));
	r->target[4 + (uri + len - rest)] = '\0';
	if ((rv = req_parse(r->target, strlen(r->target), &sub, why)) != 0)
		return rv;
	if (sub.res != member_routes[i].res) {
		*why = "no such member resource";
		return 404;
	}
	r->target_res = sub.res;
	r->res = RES_MEMBER;
	return 0;
}

int
req_parse(const char *uri, size_t len, struct req *r, const char **why)
{
	const char *q, *p, *end, *amp, *eq;
	size_t plen, i;
	int rv;

	memset(r, 0, sizeof(*r));
	*why = "bad request";
	if (len > SMSD_URI_MAX) {
		*why = "request target too long";
		return 414;
	}
	if (len == 0 || uri[0] != '/') {
		*why = "request target must be an absolute path";
		return 400;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)uri[i] <= ' ' ||
		    (unsigned char)uri[i] >= 0x7f) {
			*why = "bad character in request target";
			return 400;
		}
	end = uri + len;
	q = memchr(uri, '?', len);
	plen = (size_t)((q != NULL ? q : end) - uri);
	if (memchr(uri, '#', len) != NULL) {
		*why = "fragment in request target";
		return 400;
	}
	r->res = RES_NONE;
	if (plen > strlen(STATION_PREFIX) &&
	    memcmp(uri, STATION_PREFIX, strlen(STATION_PREFIX)) == 0) {
		p = uri + strlen(STATION_PREFIX);
		if (!station_name_ok(p, (size_t)(uri + plen - p))) {
			*why = "bad station file name";
			return 400;
		}
		memcpy(r->file, p, (size_t)(uri + plen - p));
		r->file[uri + plen - p] = '\0';
		r->res = RES_STATION;
		if (q != NULL) {
			*why = "a station file takes no parameters";
			return 400;
		}
		return 0;
	}
	if (plen > strlen(MEMBERS_PREFIX) &&
	    memcmp(uri, MEMBERS_PREFIX, strlen(MEMBERS_PREFIX)) == 0)
		return member_target(uri, len, plen, r, why);
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strlen(routes[i].path) == plen &&
		    memcmp(routes[i].path, uri, plen) == 0) {
			r->res = routes[i].res;
			break;
		}
	if (r->res == RES_NONE) {
		*why = "no such resource";
		return 404;
	}
	if (q == NULL)
		return 0;
	for (p = q + 1; p < end; p = amp + 1) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp == p)
			continue;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			eq = amp;
		rv = param(r, p, (size_t)(eq - p), eq < amp ? eq + 1 : amp,
		    eq < amp ? (size_t)(amp - eq - 1) : 0, why);
		if (rv != 0)
			return rv;
		if (amp == end)
			break;
	}
	return 0;
}
