/*
 * libFuzzer target: smsd.conf (conf.c), with its member lines.  Whatever
 * the text, the settings kept must be ones the daemon can use: counts
 * within their arrays, every string terminated, member names that are
 * host labels (they name folders), ports and sizes in range, absolute
 * paths that do not climb.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/smsd/smsd.h"
#include "../fuzzutil.h"

#define FZ_TERMINATED(a)	(memchr((a), '\0', sizeof(a)) != NULL)

static void
fz_conf_path_ok(const char *p, size_t size)
{
	FUZZ_CHECK(memchr(p, '\0', size) != NULL);
	FUZZ_CHECK(p[0] == '/' && strstr(p, "/../") == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct smsd_conf defaults;
	static int have_defaults;
	struct smsd_conf *c;
	char *text;
	int i;

	if (!have_defaults) {
		fz_scratch();		/* for the quiet log */
		conf_defaults(&defaults);
		have_defaults = 1;
	}
	if ((text = malloc(size + 1)) == NULL ||
	    (c = malloc(sizeof(*c))) == NULL) {
		free(text);
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	*c = defaults;
	(void)conf_parse(text, "fuzz.conf", c);

	FUZZ_CHECK(c->nlisten >= 0 && c->nlisten <= SMSD_MAX_LISTEN);
	for (i = 0; i < c->nlisten; i++)
		FUZZ_CHECK(FZ_TERMINATED(c->listen[i]));
	FUZZ_CHECK(c->port >= 1 && c->port <= 65535);
	FUZZ_CHECK(c->acl.n >= 0 && c->acl.n <= SMSD_MAX_ACL);
	for (i = 0; i < c->acl.n; i++) {
		FUZZ_CHECK(c->acl.e[i].family == AF_INET ||
		    c->acl.e[i].family == AF_INET6);
		FUZZ_CHECK(c->acl.e[i].prefix >= 0 && c->acl.e[i].prefix <=
		    (c->acl.e[i].family == AF_INET ? 32 : 128));
	}
	FUZZ_CHECK(c->nmembers >= 0 && c->nmembers <= SMSD_MAX_MEMBERS);
	for (i = 0; i < c->nmembers; i++) {
		FUZZ_CHECK(FZ_TERMINATED(c->members[i].name) &&
		    FZ_TERMINATED(c->members[i].host));
		FUZZ_CHECK(valid_member_name(c->members[i].name));
		FUZZ_CHECK(c->members[i].port >= 0 &&
		    c->members[i].port <= 65535);
	}
	FUZZ_CHECK(FZ_TERMINATED(c->member_name) &&
	    valid_member_name(c->member_name));
	FUZZ_CHECK(strchr(c->member_name, '/') == NULL &&
	    strcmp(c->member_name, "..") != 0);
	FUZZ_CHECK(c->max_clients >= 1 && c->max_request >= 256 &&
	    c->max_output >= 4096 && c->idle_timeout >= 1 &&
	    c->source_timeout_ms >= 10 && c->cluster_timeout_ms >= 10 &&
	    c->history >= 16);
	FUZZ_CHECK(c->ntrusted >= 0 && c->ntrusted <= SMSD_MAX_TRUSTED);
	fz_conf_path_ok(c->log_file, sizeof(c->log_file));
	fz_conf_path_ok(c->data_dir, sizeof(c->data_dir));
	fz_conf_path_ok(c->post_socket, sizeof(c->post_socket));
	fz_conf_path_ok(c->pidfile, sizeof(c->pidfile));
	fz_conf_path_ok(c->dpkg_dir, sizeof(c->dpkg_dir));
	FUZZ_CHECK(FZ_TERMINATED(c->user) && FZ_TERMINATED(c->post_group));
	free(text);
	free(c);
	return 0;
}
