/*
 * suite: the suite's other daemons seen from smsd, read-only.
 *
 * ss: every host of the shared status directory through libcsstat
 * (csstat_at, the reader ss uses), with ss's states: up, or down (a
 * host whose demon marked it down or stopped updating its file).
 *
 * Each reads files in the loop: small ones (a status directory's inodes,
 * statd's status file); samd's event log is summarized again only when it
 * changed, or every SUITE_AVAIL_MAX_AGE_MS.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "csstat.h"
#include "nsmstate.h"
#include "samreport.h"
#include "timeutil.h"
#include "smsd.h"
#include "suite.h"

/* {"available":false,"reason":"WHAT PATH[: strerror(err)]"} */
static json_t *
unavailable(const char *what, const char *path, int err)
{
	char reason[600];

	snprintf(reason, sizeof(reason), "%s %s%s%s", what, path,
	    err != 0 ? ": " : "", err != 0 ? strerror(err) : "");
	return json_pack("{s:b, s:s}", "available", 0, "reason", reason);
}

json_t *
suite_ss(const char *dir)
{
	const char *d = dir[0] != '\0' ? dir : csstat_dir();
	json_t *hosts, *h;
	struct dirent *de;
	Csstat_t st;
	time_t now = time(NULL), ctime;
	DIR *dp;
	int fd;

	fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return unavailable("ss status directory", d, errno);
	if ((dp = fdopendir(fd)) == NULL) {
		close(fd);
		return unavailable("ss status directory", d, errno);
	}
	hosts = json_array();
	while ((de = readdir(dp)) != NULL &&
	    json_array_size(hosts) < SUITE_SS_MAX_HOSTS) {
		/* .log, temporary files and junk are no hosts */
		if (!csstat_name_ok(de->d_name))
			continue;
		if (csstat_at(fd, de->d_name, now, &st, &ctime) == -1)
			continue;	/* vanished, or not a regular file */
		if (st.up > 0)
			h = json_pack("{s:s, s:s, s:I, s:i, s:I, s:f, s:i, "
			    "s:i, s:I}", "name", de->d_name, "state", "up",
			    "uptime_seconds", (json_int_t)st.up,
			    "users", st.users, "idle_seconds",
			    (json_int_t)st.idle, "load1", st.load / 100.0,
			    "usr_percent", st.pctusr, "sys_percent", st.pctsys,
			    "age_seconds", (json_int_t)(now - ctime));
		else
			h = json_pack("{s:s, s:s, s:I, s:I}", "name",
			    de->d_name, "state", "down", "down_seconds",
			    (json_int_t)-st.up, "age_seconds",
			    (json_int_t)(now - ctime));
		json_array_append_new(hosts, h);
	}
	closedir(dp);
	return json_pack("{s:b, s:s, s:o}", "available", 1, "directory", d,
	    "hosts", hosts);
}

/*
 * availability: samrep's SUMMARY of samd's event log, made by the same
 * code (libsamreport).  The log is read again only when it changed or
 * the summary is older than SUITE_AVAIL_MAX_AGE (its "now" and the up
 * time of an object still down move with the clock).
 */
static struct {
	char		 path[256];
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtime;
	int64_t		 made_ms;
	json_t		*summary;
} avail;

json_t *
suite_availability(const char *log)
{
	struct stat st;
	json_t *sum;
	int64_t now = mono_ms();

	if (stat(log, &st) == -1)
		return unavailable(errno == ENOENT ? "samd is not installed or "
		    "has logged nothing: no event log" : "SAM event log", log,
		    errno);
	if (!S_ISREG(st.st_mode))
		return unavailable("SAM event log", log, EINVAL);
	if (avail.summary == NULL || strcmp(avail.path, log) != 0 ||
	    avail.dev != st.st_dev || avail.ino != st.st_ino ||
	    avail.size != st.st_size ||
	    avail.mtime.tv_sec != st.st_mtim.tv_sec ||
	    avail.mtime.tv_nsec != st.st_mtim.tv_nsec ||
	    now - avail.made_ms > SUITE_AVAIL_MAX_AGE_MS) {
		if (rep_summary_file(log, real_ms() / 1000, &sum) == -1)
			return unavailable("SAM event log", log, errno);
		if (sum == NULL)
			return unavailable("SAM event log", log, ENOMEM);
		json_decref(avail.summary);
		avail.summary = sum;
		snprintf(avail.path, sizeof(avail.path), "%s", log);
		avail.dev = st.st_dev;
		avail.ino = st.st_ino;
		avail.size = st.st_size;
		avail.mtime = st.st_mtim;
		avail.made_ms = now;
	}
	return json_pack("{s:b, s:s, s:O}", "available", 1, "log", log,
	    "summary", avail.summary);
}

/* rpc.statd's pid if its pidfile names a live rpc.statd, else 0. */
static long
statd_pid(const char *pidfile)
{
	char buf[64], path[64], *end;
	long pid;

	if (read_small(pidfile, buf, sizeof(buf)) <= 0)
		return 0;
	pid = strtol(buf, &end, 10);
	if (pid <= 0 || end == buf || (*end != '\n' && *end != '\0'))
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return 0;
	buf[strcspn(buf, "\n")] = '\0';
	return strcmp(buf, "rpc.statd") == 0 ? pid : 0;
}

/*
 * statd: its status file replayed read-only (libnsmstate), and whether
 * the rpc.statd its pidfile names is running.  smsd never writes statd's
 * files: the replay takes a shared lock and cuts nothing.
 */
json_t *
suite_statd(const char *file, const char *pidfile)
{
	long pid = statd_pid(pidfile);
	json_t *o;

	if ((o = nsmstate_read(file)) == NULL) {
		o = unavailable(errno == ENOENT ? "rpc.statd is not installed "
		    "or has never run: no status file" : "rpc.statd's status "
		    "file", file, errno);
		json_object_set_new(o, "running", json_boolean(pid != 0));
		return o;
	}
	json_object_set_new(o, "available", json_true());
	json_object_set_new(o, "running", json_boolean(pid != 0));
	json_object_set_new(o, "pid", pid != 0 ? json_integer(pid) :
	    json_null());
	json_object_set_new(o, "status_file", json_string(file));
	return o;
}
