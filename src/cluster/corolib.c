/*
 * corolib: corosync's client libraries, loaded at run time (see corolib.h).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "corolib.h"

enum { LIB_COMMON, LIB_CMAP, LIB_QUORUM, LIB_CPG, LIB_N };

struct lib {
	const char	*soname;
	void		*h;		/* open; never closed */
	int		 ok;		/* h, and every function found */
	char		 err[256];	/* why not, when !ok */
};

static struct lib libs[LIB_N] = {
	[LIB_COMMON] = { .soname = COROLIB_COMMON },
	[LIB_CMAP] = { .soname = COROLIB_CMAP },
	[LIB_QUORUM] = { .soname = COROLIB_QUORUM },
	[LIB_CPG] = { .soname = COROLIB_CPG },
};
static struct corolib api;

static void
lib_error(struct lib *l, const char *what)
{
	const char *e = dlerror();

	if (e != NULL)
		snprintf(l->err, sizeof(l->err), "%s", e);
	else
		snprintf(l->err, sizeof(l->err), "%s: %s", l->soname, what);
}

/* A function of L, or NULL (and L's error says which). */
static void *
lib_sym(struct lib *l, const char *name)
{
	void *p;

	(void)dlerror();
	if ((p = dlsym(l->h, name)) == NULL)
		lib_error(l, "a function is missing");
	return p;
}

#define SYM(l, f)							\
	do {								\
		if ((api.f = (__typeof__(api.f))lib_sym(l, #f)) == NULL)	\
			return -1;					\
	} while (0)

static int
lib_resolve(int i)
{
	struct lib *l = &libs[i];

	switch (i) {
	case LIB_COMMON:
		SYM(l, cs_strerror);
		break;
	case LIB_CMAP:
		SYM(l, cmap_initialize);
		SYM(l, cmap_finalize);
		SYM(l, cmap_get_uint32);
		SYM(l, cmap_get_string);
		break;
	case LIB_QUORUM:
		SYM(l, quorum_model_initialize);
		SYM(l, quorum_finalize);
		SYM(l, quorum_fd_get);
		SYM(l, quorum_dispatch);
		SYM(l, quorum_trackstart);
		SYM(l, quorum_context_get);
		break;
	case LIB_CPG:
		SYM(l, cpg_model_initialize);
		SYM(l, cpg_finalize);
		SYM(l, cpg_fd_get);
		SYM(l, cpg_dispatch);
		SYM(l, cpg_join);
		SYM(l, cpg_context_get);
		SYM(l, cpg_local_get);
		break;
	}
	return 0;
}

/*
 * Open library I unless done already.  A library found without one of
 * our functions is not tried again: it will not grow one.
 */
static void
lib_load(int i)
{
	struct lib *l = &libs[i];

	if (l->ok || l->h != NULL)
		return;
	(void)dlerror();
	if ((l->h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		lib_error(l, "cannot be loaded");
		return;
	}
	l->ok = lib_resolve(i) == 0;
}

/*
 * The failures, each message once (a missing libcorosync_common fails
 * every other library with its own message): "A, B: why" when they all
 * failed for the same reason, else "A: why; B: other".
 */
static const char *
describe(void)
{
	static char buf[1024];
	const char *msg[LIB_N] = { NULL }, *why = NULL, *colon;
	size_t len;
	int i, j, n = 0, same = 1;

	for (i = 0; i < LIB_N; i++) {
		if (libs[i].ok)
			continue;
		for (j = 0; j < n; j++)
			if (strcmp(msg[j], libs[i].err) == 0)
				break;
		if (j < n)
			continue;
		msg[n++] = libs[i].err;
		if ((colon = strstr(libs[i].err, ": ")) == NULL)
			same = 0;
		else if (why == NULL)
			why = colon;
		else if (strcmp(why, colon) != 0)
			same = 0;
	}
	buf[0] = '\0';
	for (j = 0; j < n; j++) {
		len = strlen(buf);
		if (same) {
			colon = strstr(msg[j], ": ");
			snprintf(buf + len, sizeof(buf) - len, "%s%.*s",
			    j > 0 ? ", " : "", (int)(colon - msg[j]), msg[j]);
		} else
			snprintf(buf + len, sizeof(buf) - len, "%s%s",
			    j > 0 ? "; " : "", msg[j]);
	}
	if (same && why != NULL) {
		len = strlen(buf);
		snprintf(buf + len, sizeof(buf) - len, "%s", why);
	}
	return buf;
}

const struct corolib *
corolib_load(const char **why)
{
	int i;

	for (i = 0; i < LIB_N; i++)
		lib_load(i);
	api.cpg_error = libs[LIB_CPG].ok ? NULL : libs[LIB_CPG].err;
	if (libs[LIB_COMMON].ok && libs[LIB_CMAP].ok && libs[LIB_QUORUM].ok)
		return &api;
	*why = describe();
	return NULL;
}
