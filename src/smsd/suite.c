/*
 * suite: the suite's other daemons seen from smsd, read-only.
 *
 * ss: every host of the shared status directory through libcsstat
 * (csstat_at, the reader ss uses), with ss's states: up, or down (a
 * host whose demon marked it down or stopped updating its file).
 */
#include <sys/types.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "csstat.h"
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

json_t *
suite_availability(const char *log)
{
	return unavailable("not read by this smsd yet:", log, 0);
}

json_t *
suite_statd(const char *file, const char *pidfile)
{
	(void)pidfile;
	return unavailable("not read by this smsd yet:", file, 0);
}
