/*
 * conf: smsd.conf, one "keyword value..." per line, '#' comments.  Every
 * error is reported with file and line, so -n tells the whole story at once.
 */
#include <sys/types.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "statefile.h"
#include "smsd.h"
#include "trend.h"

#ifndef SMSD_STATION_DIR	/* PREFIX/share/hostmon/station, from make */
#define SMSD_STATION_DIR	"/usr/local/share/hostmon/station"
#endif

#define CONF_MAX_SIZE	(256 * 1024)
#define CONF_MAX_WORDS	4

/* A user name or a numeric uid: 0, or -1 if there is no such user. */
static int
uid_of(const char *name, uid_t *uid)
{
	struct passwd *pw;
	char *end;
	long v;

	errno = 0;
	v = strtol(name, &end, 10);
	if (*name != '\0' && *end == '\0' && errno == 0 && v >= 0 &&
	    v < (long)UINT32_MAX) {
		*uid = (uid_t)v;
		return 0;
	}
	if ((pw = getpwnam(name)) == NULL)
		return -1;
	*uid = pw->pw_uid;
	return 0;
}

int
conf_trusts(const struct smsd_conf *c, uid_t uid)
{
	int i;

	for (i = 0; i < c->ntrusted; i++)
		if (c->trusted[i] == uid)
			return 1;
	return 0;
}

void
conf_defaults(struct smsd_conf *c)
{
	static const char *const trusted[] = SMSD_POST_TRUSTED;
	char host[256], *dot;
	size_t i;

	memset(c, 0, sizeof(*c));
	c->port = SMSD_PORT;
	acl_loopback(&c->acl);
	c->max_clients = 1024;
	c->max_request = 8192;
	c->max_output = 256 * 1024;
	c->idle_timeout = 60;
	c->header_timeout = 10;
	c->source_timeout_ms = 2000;
	c->cluster_timeout_ms = 2000;
	c->history = 4096;
	c->history_step = TREND_STEP_DEFAULT;
	strcpy(c->station_dir, SMSD_STATION_DIR);
	strcpy(c->avail_log, SMSD_AVAIL_LOG);
	strcpy(c->statd_file, SMSD_STATD_FILE);
	strcpy(c->statd_pidfile, SMSD_STATD_PIDFILE);
	strcpy(c->log_file, SMSD_LOG_FILE);
	strcpy(c->data_dir, SMSD_DATA_DIR);
	strcpy(c->post_socket, SMSD_POST_SOCKET);
	strcpy(c->pidfile, SMSD_PIDFILE);
	strcpy(c->user, SMSD_USER);
	strcpy(c->dpkg_dir, SMSD_DPKG_DIR);
	strcpy(c->post_group, SMSD_POST_GROUP);
	/* a default user this system lacks is left out, not an error */
	for (i = 0; i < sizeof(trusted) / sizeof(trusted[0]); i++)
		if (uid_of(trusted[i], &c->trusted[c->ntrusted]) == 0)
			c->ntrusted++;
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		if ((dot = strchr(host, '.')) != NULL)
			*dot = '\0';
		if (valid_member_name(host))
			strcpy(c->member_name, host);
	}
	if (c->member_name[0] == '\0')
		strcpy(c->member_name, "localhost");
}

/* A host label: it names a folder under the data directory. */
int
valid_member_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > SMSD_NAME_MAX || s[0] == '-' || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_' && s[i] != '.')
			return 0;
	return strstr(s, "..") == NULL;
}

static int
number(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
copy_path(char *dst, size_t dstsz, const char *v)
{
	if (v[0] != '/' || strlen(v) >= dstsz || strstr(v, "/../") != NULL)
		return -1;
	strcpy(dst, v);
	return 0;
}

static int
conf_line(struct smsd_conf *c, char **w, int nw)
{
	long v;

	if (strcmp(w[0], "listen") == 0 && nw == 2) {
		if (c->nlisten >= SMSD_MAX_LISTEN || strlen(w[1]) >= 64)
			return -1;
		strcpy(c->listen[c->nlisten++], w[1]);
	} else if (strcmp(w[0], "port") == 0 && nw == 2) {
		if (number(w[1], 1, 65535, &v) == -1)
			return -1;
		c->port = (int)v;
	} else if (strcmp(w[0], "allow") == 0 && nw == 2) {
		if (!c->acl_set) {
			c->acl.n = 0;
			c->acl_set = 1;
		}
		return acl_add(&c->acl, w[1]);
	} else if (strcmp(w[0], "member-name") == 0 && nw == 2) {
		if (!valid_member_name(w[1]))
			return -1;
		strcpy(c->member_name, w[1]);
	} else if (strcmp(w[0], "member") == 0 && (nw == 3 || nw == 4)) {
		struct member *m;
		int i;

		if (c->nmembers >= SMSD_MAX_MEMBERS ||
		    !valid_member_name(w[1]) || strlen(w[2]) >= 64)
			return -1;
		for (i = 0; i < c->nmembers; i++)
			if (strcmp(c->members[i].name, w[1]) == 0)
				return -1;
		m = &c->members[c->nmembers];
		strcpy(m->name, w[1]);
		strcpy(m->host, w[2]);
		m->port = 0;	/* smsd's own port, once the file is read */
		if (nw == 4) {
			if (number(w[3], 1, 65535, &v) == -1)
				return -1;
			m->port = (int)v;
		}
		c->nmembers++;
	} else if (strcmp(w[0], "max-clients") == 0 && nw == 2) {
		if (number(w[1], 1, 1000000, &v) == -1)
			return -1;
		c->max_clients = (int)v;
	} else if (strcmp(w[0], "max-request-size") == 0 && nw == 2) {
		if (number(w[1], 256, 1024 * 1024, &v) == -1)
			return -1;
		c->max_request = (size_t)v;
	} else if (strcmp(w[0], "max-output") == 0 && nw == 2) {
		if (number(w[1], 4096, 256L * 1024 * 1024, &v) == -1)
			return -1;
		c->max_output = (size_t)v;
	} else if (strcmp(w[0], "idle-timeout") == 0 && nw == 2) {
		if (number(w[1], 1, 86400, &v) == -1)
			return -1;
		c->idle_timeout = (int)v;
	} else if (strcmp(w[0], "header-timeout") == 0 && nw == 2) {
		if (number(w[1], 1, 3600, &v) == -1)
			return -1;
		c->header_timeout = (int)v;
	} else if (strcmp(w[0], "source-timeout") == 0 && nw == 2) {
		if (number(w[1], 10, 600000, &v) == -1)
			return -1;
		c->source_timeout_ms = (int)v;
	} else if (strcmp(w[0], "cluster-timeout") == 0 && nw == 2) {
		if (number(w[1], 10, 600000, &v) == -1)
			return -1;
		c->cluster_timeout_ms = (int)v;
	} else if (strcmp(w[0], "event-history") == 0 && nw == 2) {
		if (number(w[1], 16, 1000000, &v) == -1)
			return -1;
		c->history = (int)v;
	} else if (strcmp(w[0], "history-step") == 0 && nw == 2) {
		if (number(w[1], 1, 3600, &v) == -1)
			return -1;
		c->history_step = (int)v;
	} else if (strcmp(w[0], "station-dir") == 0 && nw == 2) {
		return copy_path(c->station_dir, sizeof(c->station_dir), w[1]);
	} else if (strcmp(w[0], "ss-dir") == 0 && nw == 2) {
		return copy_path(c->ss_dir, sizeof(c->ss_dir), w[1]);
	} else if (strcmp(w[0], "availability-log") == 0 && nw == 2) {
		return copy_path(c->avail_log, sizeof(c->avail_log), w[1]);
	} else if (strcmp(w[0], "statd-status-file") == 0 && nw == 2) {
		return copy_path(c->statd_file, sizeof(c->statd_file), w[1]);
	} else if (strcmp(w[0], "statd-pid-file") == 0 && nw == 2) {
		return copy_path(c->statd_pidfile, sizeof(c->statd_pidfile),
		    w[1]);
	} else if (strcmp(w[0], "log-file") == 0 && nw == 2) {
		return copy_path(c->log_file, sizeof(c->log_file), w[1]);
	} else if (strcmp(w[0], "data-dir") == 0 && nw == 2) {
		return copy_path(c->data_dir, sizeof(c->data_dir), w[1]);
	} else if (strcmp(w[0], "post-socket") == 0 && nw == 2) {
		return copy_path(c->post_socket, sizeof(c->post_socket), w[1]);
	} else if (strcmp(w[0], "pid-file") == 0 && nw == 2) {
		return copy_path(c->pidfile, sizeof(c->pidfile), w[1]);
	} else if (strcmp(w[0], "dpkg-dir") == 0 && nw == 2) {
		return copy_path(c->dpkg_dir, sizeof(c->dpkg_dir), w[1]);
	} else if (strcmp(w[0], "post-group") == 0 && nw == 2) {
		if (strlen(w[1]) >= sizeof(c->post_group))
			return -1;
		strcpy(c->post_group, w[1]);
	} else if (strcmp(w[0], "post-trusted") == 0 && nw >= 2) {
		int i;

		/* the lines in the file replace the default list */
		if (!c->trusted_set) {
			c->ntrusted = 0;
			c->trusted_set = 1;
		}
		for (i = 1; i < nw; i++) {
			if (c->ntrusted == SMSD_MAX_TRUSTED ||
			    uid_of(w[i], &c->trusted[c->ntrusted]) == -1)
				return -1;
			c->ntrusted++;
		}
	} else if (strcmp(w[0], "user") == 0 && nw == 2) {
		if (strlen(w[1]) >= sizeof(c->user))
			return -1;
		strcpy(c->user, w[1]);
	} else
		return -1;
	return 0;
}

int
conf_parse(const char *text, const char *path, struct smsd_conf *c)
{
	char *copy, *line, *next, *w[CONF_MAX_WORDS + 1], *p;
	int lineno = 0, errors = 0, nw, i;
	char esc[LOG_ESCAPE_MAX];

	if ((copy = strdup(text)) == NULL)
		return -1;
	for (line = copy; line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		nw = 0;
		for (p = strtok(line, " \t\r"); p != NULL;
		    p = strtok(NULL, " \t\r")) {
			if (nw == CONF_MAX_WORDS) {
				nw++;
				break;
			}
			w[nw++] = p;
		}
		if (nw == 0)
			continue;
		if (nw > CONF_MAX_WORDS || conf_line(c, w, nw) == -1) {
			log_warnx("%s:%d: invalid line: %s", path, lineno,
			    log_escape(w[0], strlen(w[0]), esc, sizeof(esc)));
			errors++;
		}
	}
	free(copy);
	/* After the whole file: a "port" line below a member counts too. */
	for (i = 0; i < c->nmembers; i++)
		if (c->members[i].port == 0)
			c->members[i].port = c->port;
	if (c->nlisten == 0) {
		strcpy(c->listen[0], "127.0.0.1");
		strcpy(c->listen[1], "::1");
		c->nlisten = 2;
	}
	return errors ? -1 : 0;
}

int
conf_load(const char *path, struct smsd_conf *c)
{
	char *text;
	size_t len;
	int rv;

	conf_defaults(c);
	if ((text = statefile_read(path, CONF_MAX_SIZE, &len)) == NULL) {
		if (errno == ENOENT && strcmp(path, SMSD_CONF) == 0) {
			/* No file at the default place: every default. */
			return conf_parse("", path, c) == -1 ? -1 : 1;
		}
		log_warn("%s", path);
		return -1;
	}
	if (memchr(text, '\0', len) != NULL) {
		log_warnx("%s: contains a NUL byte", path);
		free(text);
		return -1;
	}
	rv = conf_parse(text, path, c);
	free(text);
	return rv;
}
