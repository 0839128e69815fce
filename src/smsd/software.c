/*
 * software: installed packages, read straight from dpkg's status file.
 * The file is parsed again only when its size, inode or mtime changed.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "utf8.h"
#include "smsd.h"

#define DPKG_STATUS_MAX	(256 * 1024 * 1024)

char gather_dpkg_dir[256] = SMSD_DPKG_DIR;

struct software_priv {
	struct stat	st;
	json_t		*last;
};

/*
 * dpkg does not promise UTF-8 (a package built with a Latin-1 description,
 * a damaged database); JSON takes nothing else, so such bytes are shown as
 * U+FFFD rather than the field, or the whole package, going missing.
 */
static void
field(json_t *pkg, const char *key, const char *v, size_t len)
{
	json_t *s;
	char *fixed;
	size_t flen;

	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	if ((s = json_stringn(v, len)) == NULL &&
	    (fixed = utf8_repair(v, len, &flen)) != NULL) {
		s = json_stringn(fixed, flen);
		free(fixed);
	}
	if (s != NULL)
		json_object_set_new(pkg, key, s);
}

/*
 * A number that ends with its line: the text is not NUL-terminated, and
 * strtoll on it would read on past the line (and past the end).
 */
static long long
field_int(const char *v, size_t len)
{
	char num[32];

	if (len >= sizeof(num))
		len = sizeof(num) - 1;
	memcpy(num, v, len);
	num[len] = '\0';
	return strtoll(num, NULL, 10);
}

static void
finish(json_t *arr, json_t *pkg)
{
	const char *status;
	const char *sp;

	if (json_object_get(pkg, "name") == NULL ||
	    (status = json_string_value(json_object_get(pkg, "status")))
	    == NULL) {
		json_decref(pkg);
		return;
	}
	/* "want flag state": keep the state word; the rest is not asked */
	sp = strrchr(status, ' ');
	sp = sp != NULL ? sp + 1 : status;
	if (strcmp(sp, "not-installed") == 0 ||
	    strcmp(sp, "config-files") == 0) {
		json_decref(pkg);
		return;
	}
	json_object_set_new(pkg, "state", json_string(sp));
	json_object_del(pkg, "status");
	json_array_append_new(arr, pkg);
}

/* Stanzas of "Field: value" lines; continuation lines begin with space. */
json_t *
dpkg_parse_status(const char *text, size_t len)
{
	static const struct { const char *field, *key; } keep[] = {
		{ "Package", "name" }, { "Status", "status" },
		{ "Version", "version" }, { "Architecture", "architecture" },
		{ "Section", "section" }, { "Description", "description" },
		{ "Installed-Size", "installed_size_kib" },
	};
	const char *p = text, *end = text + len, *nl, *colon, *v;
	json_t *arr = json_array(), *pkg = NULL;
	size_t i, flen;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (nl == p || (nl == p + 1 && *p == '\r')) {
			if (pkg != NULL)
				finish(arr, pkg);
			pkg = NULL;
		} else if (*p != ' ' && *p != '\t' &&
		    (colon = memchr(p, ':', (size_t)(nl - p))) != NULL) {
			flen = (size_t)(colon - p);
			v = colon + 1;
			while (v < nl && (*v == ' ' || *v == '\t'))
				v++;
			for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
				if (strlen(keep[i].field) != flen ||
				    strncasecmp(p, keep[i].field, flen) != 0)
					continue;
				if (pkg == NULL)
					pkg = json_object();
				if (i == 6)
					json_object_set_new(pkg, keep[i].key,
					    json_integer(field_int(v,
					    (size_t)(nl - v))));
				else
					field(pkg, keep[i].key, v,
					    (size_t)(nl - v));
			}
		}
		p = nl + 1;
	}
	if (pkg != NULL)
		finish(arr, pkg);
	return arr;
}

static char *
read_all(const char *path, size_t *lenp, struct stat *st)
{
	char *buf;
	size_t cap, len = 0;
	ssize_t n;
	int fd;

	/* May block for ever on a hung file system: we are a worker. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, st) == -1 || st->st_size > DPKG_STATUS_MAX) {
		close(fd);
		errno = EFBIG;
		return NULL;
	}
	cap = (size_t)st->st_size + 4096;
	if ((buf = malloc(cap + 1)) == NULL) {
		close(fd);
		return NULL;
	}
	for (;;) {
		if (len == cap) {
			char *nb;

			if (cap >= DPKG_STATUS_MAX ||
			    (nb = realloc(buf, cap * 2 + 1)) == NULL) {
				free(buf);
				close(fd);
				errno = EFBIG;
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

void
gather_software(struct source *s, struct gathered *g)
{
	struct software_priv *sp = s->priv;
	char path[300], *text, msg[400];
	struct stat st;
	size_t len;
	json_t *arr;

	if (sp == NULL) {
		if ((sp = calloc(1, sizeof(*sp))) == NULL) {
			g->error = strdup("out of memory");
			return;
		}
		s->priv = sp;
	}
	snprintf(path, sizeof(path), "%s/status", gather_dpkg_dir);
	if (sp->last != NULL && stat(path, &st) == 0 &&
	    st.st_ino == sp->st.st_ino && st.st_size == sp->st.st_size &&
	    st.st_mtim.tv_sec == sp->st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == sp->st.st_mtim.tv_nsec) {
		g->json = json_incref(sp->last);
		return;
	}
	if ((text = read_all(path, &len, &st)) == NULL) {
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
		g->error = strdup(msg);
		return;
	}
	arr = dpkg_parse_status(text, len);
	free(text);
	if (sp->last != NULL)
		json_decref(sp->last);
	sp->last = json_pack("{s:s, s:I, s:o}", "database", path,
	    "count", (json_int_t)json_array_size(arr), "packages", arr);
	sp->st = st;
	g->json = json_incref(sp->last);
}

void
gather_software_free(struct source *s)
{
	struct software_priv *sp = s->priv;

	if (sp == NULL)
		return;
	if (sp->last != NULL)
		json_decref(sp->last);
	free(sp);
	s->priv = NULL;
}
