/*
 * store: the station's data files under DATA_DIR/MEMBER: the cached
 * inventory (hardware.json, software.json), written by durable replace,
 * and the event history (events.c).  A file that does not parse, or parses
 * but is not shaped as smsd writes it (a hand edit, another version, a bad
 * disk), is set aside for the administrator and rebuilt, with a log line;
 * nobody has to delete anything by hand, and nothing the rest of smsd reads
 * from the cache can be missing or of another type.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "statefile.h"
#include "smsd.h"

#define INVENTORY_MAX	(64 * 1024 * 1024)

static int
mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX], *p;

	if (strlen(path) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, path);
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, mode) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

static int	shape_bad(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* The fault found, for the log line; always 0 (not the right shape). */
static int
shape_bad(char *why, size_t whysz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
	return 0;
}

static int
string_or_absent(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return v == NULL || json_is_string(v);
}

/* A node as hardware.c makes it: every field health.c and clients read. */
static int
hardware_shape_ok(const json_t *o, char *why, size_t whysz)
{
	const json_t *nodes = json_object_get(o, "nodes"), *n, *parent;
	size_t i;

	if (!json_is_array(nodes))
		return shape_bad(why, whysz, "no \"nodes\" array");
	json_array_foreach(nodes, i, n) {
		parent = json_object_get(n, "parent");
		if (!json_is_object(n))
			return shape_bad(why, whysz, "node %zu is not an object",
			    i);
		if (!json_is_string(json_object_get(n, "id")) ||
		    json_string_length(json_object_get(n, "id")) == 0)
			return shape_bad(why, whysz, "node %zu has no id", i);
		if (!json_is_string(json_object_get(n, "class")) ||
		    !json_is_string(json_object_get(n, "name")))
			return shape_bad(why, whysz, "node %zu has no class or "
			    "name", i);
		if (!json_is_string(parent) && !json_is_null(parent))
			return shape_bad(why, whysz, "node %zu has no parent",
			    i);
		if (health_state_parse(json_string_value(json_object_get(n,
		    "health"))) == -1)
			return shape_bad(why, whysz, "node %zu has no health "
			    "state", i);
		if (!json_is_object(json_object_get(n, "attributes")))
			return shape_bad(why, whysz, "node %zu has no "
			    "attributes", i);
	}
	return 1;
}

/* A package as software.c makes it. */
static int
software_shape_ok(const json_t *o, char *why, size_t whysz)
{
	static const char *const strings[] = { "version", "architecture",
	    "section", "description" };
	const json_t *pkgs = json_object_get(o, "packages"), *p, *size;
	size_t i, k;

	if (!json_is_array(pkgs))
		return shape_bad(why, whysz, "no \"packages\" array");
	if (!json_is_string(json_object_get(o, "database")) ||
	    !json_is_integer(json_object_get(o, "count")) ||
	    json_integer_value(json_object_get(o, "count")) !=
	    (json_int_t)json_array_size(pkgs))
		return shape_bad(why, whysz, "no database or a wrong count");
	json_array_foreach(pkgs, i, p) {
		if (!json_is_object(p))
			return shape_bad(why, whysz, "package %zu is not an "
			    "object", i);
		if (!json_is_string(json_object_get(p, "name")) ||
		    !json_is_string(json_object_get(p, "state")))
			return shape_bad(why, whysz, "package %zu has no name "
			    "or state", i);
		for (k = 0; k < sizeof(strings) / sizeof(strings[0]); k++)
			if (!string_or_absent(p, strings[k]))
				return shape_bad(why, whysz, "package %zu has a "
				    "field of the wrong type", i);
		size = json_object_get(p, "installed_size_kib");
		if (size != NULL && !json_is_integer(size))
			return shape_bad(why, whysz, "package %zu has a field "
			    "of the wrong type", i);
	}
	return 1;
}

int
inventory_shape_ok(enum source_id id, const json_t *o, char *why,
    size_t whysz)
{
	if (!json_is_object(o))
		return shape_bad(why, whysz, "not an object");
	switch (id) {
	case SRC_HARDWARE:
		return hardware_shape_ok(o, why, whysz);
	case SRC_SOFTWARE:
		return software_shape_ok(o, why, whysz);
	default:
		return shape_bad(why, whysz, "not an inventory");
	}
}

static void
inventory_path(const char *dir, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s.json", dir, name);
}

/*
 * A data file left by an earlier smsd running as another user (before
 * smsd had a user of its own, it ran as statd) becomes this user's.  The
 * folder is the user's, so a name there may be a link planted to make
 * root chown something else: the file is opened without following one,
 * and only a regular file of its own is changed, through its descriptor.
 */
static void
adopt(const char *dir, const char *name, const char *user, uid_t uid,
    gid_t gid)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC)) == -1) {
		if (errno != ENOENT)
			log_warn("%s", path);
		return;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1 &&
	    (st.st_uid != uid || st.st_gid != gid)) {
		if (fchown(fd, uid, gid) == -1)
			log_warn("chown %s", path);
		else
			log_info("%s: owner changed from uid %d to %s's", path,
			    (int)st.st_uid, user);
	}
	close(fd);
}

/* ORDER: as root, before dropping: the folder becomes the user's. */
int
store_prepare(struct smsd *d, uid_t uid, gid_t gid)
{
	static const char *const files[] = { "hardware.json",
	    "software.json", "events.log" };
	char path[PATH_MAX];
	size_t i;

	if ((size_t)snprintf(d->member_dir, sizeof(d->member_dir), "%s/%s",
	    d->conf.data_dir, d->conf.member_name) >= sizeof(d->member_dir)) {
		log_warnx("data-dir too long");
		return -1;
	}
	if (mkdir_p(d->member_dir, 0755) == -1) {
		log_warn("%s", d->member_dir);
		return -1;
	}
	if (d->running_as_root && chown(d->member_dir, uid, gid) == -1) {
		log_warn("chown %s", d->member_dir);
		return -1;
	}
	for (i = 0; d->running_as_root && i < sizeof(files) / sizeof(files[0]);
	    i++)
		adopt(d->member_dir, files[i], d->conf.user, uid, gid);
	inventory_path(d->member_dir, "hardware", path, sizeof(path));
	(void)statefile_clean_temps(path);
	inventory_path(d->member_dir, "software", path, sizeof(path));
	(void)statefile_clean_temps(path);
	return 0;
}

static void
load_one(struct smsd *d, struct source *s)
{
	char path[PATH_MAX], *text, *aside, why[sizeof(((json_error_t *)0)->text)];
	json_error_t err;
	json_t *o;
	size_t len;

	inventory_path(d->member_dir, s->name, path, sizeof(path));
	if ((text = statefile_read(path, INVENTORY_MAX, &len)) == NULL) {
		if (errno != ENOENT)
			log_warn("%s", path);
		return;
	}
	o = json_loadb(text, len, 0, &err);
	free(text);
	if (o == NULL)
		snprintf(why, sizeof(why), "%s", err.text);
	if (o == NULL || !inventory_shape_ok(s->id, o, why, sizeof(why))) {
		aside = statefile_set_aside(path);
		log_warnx("data file %s is corrupt (%s), set aside as %s; "
		    "rebuilding it", path, why,
		    aside != NULL ? aside : "(copy failed)");
		free(aside);
		if (o != NULL)
			json_decref(o);
		if (unlink(path) == -1)
			log_warn("unlink %s", path);
		source_kick(d, s);
		return;
	}
	source_load_cached(d, s, o);
	log_info("%s: cached %s inventory loaded", path, s->name);
}

void
store_load_inventory(struct smsd *d)
{
	load_one(d, &d->src[SRC_HARDWARE]);
	load_one(d, &d->src[SRC_SOFTWARE]);
}

/* In the source's worker thread. */
void
store_save_source(struct source *s, json_t *data)
{
	char path[PATH_MAX], *text;

	if (s->saved == data || (s->saved != NULL && json_equal(s->saved,
	    data)))
		return;
	if ((text = json_dumps(data, SMSD_JSON)) == NULL)
		return;
	inventory_path(smsd->member_dir, s->name, path, sizeof(path));
	if (statefile_replace(path, text, strlen(text), 0640) == -1)
		log_warn("%s", path);
	else {
		if (s->saved != NULL)
			json_decref(s->saved);
		s->saved = json_incref(data);
	}
	free(text);
}
