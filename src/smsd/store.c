/*
 * store: the station's data files under DATA_DIR/MEMBER: the cached
 * inventory (hardware.json, software.json), written by durable replace,
 * and the event history (events.c).  A file that does not parse is set
 * aside for the administrator and rebuilt, with a log line; nobody has to
 * delete anything by hand.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <limits.h>
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

static void
inventory_path(const char *dir, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s.json", dir, name);
}

/* ORDER: as root, before dropping: the folder becomes the user's. */
int
store_prepare(struct smsd *d, uid_t uid, gid_t gid)
{
	char path[PATH_MAX];

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
	inventory_path(d->member_dir, "hardware", path, sizeof(path));
	(void)statefile_clean_temps(path);
	inventory_path(d->member_dir, "software", path, sizeof(path));
	(void)statefile_clean_temps(path);
	return 0;
}

static void
load_one(struct smsd *d, struct source *s)
{
	char path[PATH_MAX], *text, *aside;
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
	if (o == NULL || !json_is_object(o)) {
		aside = statefile_set_aside(path);
		log_warnx("data file %s is corrupt (%s), set aside as %s; "
		    "rebuilding it", path, o == NULL ? err.text : "not an object",
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
