/*
 * samconf: SAM's paths, names and time formats, shared by every SAM tool.
 */
#include <sys/stat.h>
#include <sys/utsname.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sam.h"
#include "timeutil.h"

static const char *const type_names[SAM_NTYPES] = {
	"CLUS", "NODE", "TIME", "APPL"
};
static const char *const state_names[SAM_NSTATES] = {
	"UP", "DOWN", "GONE", "CHANGE"
};
static const char *const reason_names[] = {
	"CLUS_FAIL", "NODE_FAIL", "PROC_FAIL"
};

static int
join(char *dst, const char *dir, const char *name)
{
	int n = snprintf(dst, PATH_MAX, "%s/%s", dir, name);

	if (n < 0 || n >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int
sam_paths_init(struct sam_paths *p, const char *root)
{
	const char *bid;
	size_t len;

	memset(p, 0, sizeof(*p));
	if (root == NULL || *root == '\0')
		root = getenv("SAM_ROOT");
	if (root == NULL || *root == '\0')
		root = SAM_ROOT_DEFAULT;
	/* Relative roots would follow the daemon's chdir; refuse them. */
	if (root[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	len = strlen(root);
	while (len > 1 && root[len - 1] == '/')
		len--;
	if (len >= PATH_MAX - 32) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(p->root, root, len);
	p->root[len] = '\0';
	bid = getenv("SAM_BOOT_ID_FILE");
	if (bid == NULL || *bid == '\0')
		bid = BOOT_ID_PATH;
	if (strlen(bid) >= sizeof(p->bootid)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(p->bootid, bid);
	if (join(p->statedir, p->root, ".state") == -1 ||
	    join(p->eventlog, p->root, "eventlog") == -1 ||
	    join(p->script, p->root, "samd") == -1 ||
	    join(p->evlock, p->statedir, "eventlog.lock") == -1 ||
	    join(p->evseq, p->statedir, "evseq") == -1 ||
	    join(p->heartbeat, p->statedir, "heartbeat") == -1 ||
	    join(p->clean, p->statedir, "clean") == -1 ||
	    join(p->stopped, p->statedir, "stopped") == -1 ||
	    join(p->samd_pid, p->statedir, "samd.pid") == -1 ||
	    join(p->samsigd_pid, p->statedir, "samsigd.pid") == -1 ||
	    join(p->samkeep_pid, p->statedir, "samkeep.pid") == -1)
		return -1;
	return 0;
}

int
sam_mkdirs(const struct sam_paths *p)
{
	if (mkdir(p->root, 0755) == -1 && errno != EEXIST)
		return -1;
	if (mkdir(p->statedir, 0700) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

const char *
sam_type_name(enum sam_type t)
{
	return (unsigned)t < SAM_NTYPES ? type_names[t] : "?";
}

const char *
sam_state_name(enum sam_state s)
{
	return (unsigned)s < SAM_NSTATES ? state_names[s] : "?";
}

const char *
sam_plan_name(enum sam_plan p)
{
	switch (p) {
	case SAM_PLANNED:
		return "PLANNED";
	case SAM_UNPLANNED:
		return "UNPLANNED";
	default:
		return "";
	}
}

const char *
sam_reason_name(enum sam_reason r)
{
	return (unsigned)r <= SAM_PROC_FAIL ? reason_names[r] : "?";
}

static int
lookup(const char *const *names, int n, const char *s, size_t len)
{
	int i;

	for (i = 0; i < n; i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return i;
	return -1;
}

int
sam_type_parse(const char *s, size_t len, enum sam_type *t)
{
	int i = lookup(type_names, SAM_NTYPES, s, len);

	if (i < 0)
		return -1;
	*t = (enum sam_type)i;
	return 0;
}

int
sam_state_parse(const char *s, size_t len, enum sam_state *st)
{
	int i = lookup(state_names, SAM_NSTATES, s, len);

	if (i < 0)
		return -1;
	*st = (enum sam_state)i;
	return 0;
}

int
sam_plan_parse(const char *s, size_t len, enum sam_plan *p)
{
	if (len == 0)
		*p = SAM_PLAN_NONE;
	else if (len == 7 && memcmp(s, "PLANNED", 7) == 0)
		*p = SAM_PLANNED;
	else if (len == 9 && memcmp(s, "UNPLANNED", 9) == 0)
		*p = SAM_UNPLANNED;
	else
		return -1;
	return 0;
}

int
sam_reason_parse(const char *s, enum sam_reason *r)
{
	int i = lookup(reason_names, 3, s, strlen(s));

	if (i < 0)
		return -1;
	*r = (enum sam_reason)i;
	return 0;
}

int
sam_field_check(const char *s, size_t len, size_t max, int empty_ok,
    const char **why)
{
	size_t i;

	if (len == 0 && !empty_ok) {
		*why = "is empty";
		return -1;
	}
	if (len > max) {
		*why = "is too long";
		return -1;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		/* Control bytes would break lines and terminals. */
		if (c < 0x20 || c == 0x7f) {
			*why = "holds a control character";
			return -1;
		}
	}
	if (len >= SAM_SEP_LEN && memmem(s, len, SAM_SEP, SAM_SEP_LEN) != NULL) {
		*why = "holds the field separator \".:.\"";
		return -1;
	}
	/*
	 * Readers split at the first separator from the left, so only a
	 * field ending in ".:" would merge with the separator after it.
	 */
	if (len >= 2 && s[len - 2] == '.' && s[len - 1] == ':') {
		*why = "ends with \".:\", part of the separator";
		return -1;
	}
	return 0;
}

static int
digits(const char *s, int n, int *v)
{
	int i, x = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 0;
}

/*
 * SAM's time formats: seconds since the epoch ("1700000000" or
 * "@1700000000"), "YYYYMMDDhhmmss" and "YYYY-MM-DD[ hh:mm[:ss]]" (also with
 * 'T') in local time, and "now".
 */
int
sam_parse_time(const char *s, int64_t *out)
{
	struct tm tm;
	size_t len = strlen(s), i;
	long long v;
	char *end;
	int y, mo, d, h = 0, mi = 0, se = 0;
	time_t t;

	if (strcmp(s, "now") == 0) {
		*out = real_ms() / 1000;
		return 0;
	}
	if (s[0] == '@' || (len > 0 && len != 14 && strspn(s, "0123456789") ==
	    len)) {
		const char *n = s[0] == '@' ? s + 1 : s;

		if (*n < '0' || *n > '9')
			return -1;
		errno = 0;
		v = strtoll(n, &end, 10);
		if (errno != 0 || *end != '\0' || v < 0 ||
		    v > SAM_TIME_MAX)
			return -1;
		*out = v;
		return 0;
	}
	if (len == 14) {
		if (digits(s, 4, &y) || digits(s + 4, 2, &mo) ||
		    digits(s + 6, 2, &d) || digits(s + 8, 2, &h) ||
		    digits(s + 10, 2, &mi) || digits(s + 12, 2, &se))
			return -1;
	} else {
		if (len < 10 || digits(s, 4, &y) || s[4] != '-' ||
		    digits(s + 5, 2, &mo) || s[7] != '-' ||
		    digits(s + 8, 2, &d))
			return -1;
		i = 10;
		if (len > 10) {
			if ((s[10] != ' ' && s[10] != 'T') || len < 16 ||
			    digits(s + 11, 2, &h) || s[13] != ':' ||
			    digits(s + 14, 2, &mi))
				return -1;
			i = 16;
			if (len > 16) {
				if (len != 19 || s[16] != ':' ||
				    digits(s + 17, 2, &se))
					return -1;
				i = 19;
			}
		}
		if (i != len)
			return -1;
	}
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || se > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1)
		return -1;
	/* mktime folds 31 February into March; such a date is a typo. */
	if (tm.tm_mday != d || tm.tm_mon != mo - 1)
		return -1;
	/* The time zone can carry the first or last day out of range. */
	if (t < 0 || (int64_t)t > SAM_TIME_MAX)
		return -1;
	*out = (int64_t)t;
	return 0;
}

const char *
sam_fmt_time(int64_t t, char *buf, size_t bufsz)
{
	return fmt_time((time_t)t, buf, bufsz);
}

const char *
sam_nodename(void)
{
	static struct utsname u;

	if (u.nodename[0] == '\0' && uname(&u) == -1)
		strcpy(u.nodename, "localhost");
	return u.nodename;
}

const char *
sam_clustername(void)
{
	const char *c = getenv("SAM_CLUSTER");
	const char *why;

	if (c == NULL || sam_field_check(c, strlen(c), SAM_NAME_MAX, 0,
	    &why) == -1 || strchr(c, ' ') != NULL)
		return SAM_CLUS_DEFAULT;
	return c;
}

int
sam_prog_path(const char *name, const char *envvar, char *buf, size_t bufsz)
{
	const char *e = envvar != NULL ? getenv(envvar) : NULL;
	char self[PATH_MAX], *slash;
	ssize_t n;
	int r;

	if (e != NULL && *e != '\0')
		r = snprintf(buf, bufsz, "%s", e);
	else {
		/* Companions are installed in the same folder. */
		if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) ==
		    -1)
			return -1;
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) == NULL) {
			errno = ENOENT;
			return -1;
		}
		*slash = '\0';
		r = snprintf(buf, bufsz, "%s/%s", self, name);
	}
	if (r < 0 || (size_t)r >= bufsz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}
