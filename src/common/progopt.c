/*
 * progopt: --help and --version for every program, and hm_version.
 */
#include <stdio.h>
#include <stdlib.h>

#include "progopt.h"

#ifndef HM_VERSION
/* cppcheck-suppress preprocessorErrorDirective ; make lint does not set it */
#error "HM_VERSION is set by src/common/module.mk"
#endif

const char hm_version[] = HM_VERSION;

void
progopt_help(const char *usage)
{
	if (fputs(usage, stdout) == EOF || fflush(stdout) == EOF)
		exit(1);
	exit(0);
}

void
progopt_version(const char *name)
{
	if (printf("%s (hostmon) %s\n", name, hm_version) < 0 ||
	    fflush(stdout) == EOF)
		exit(1);
	exit(0);
}

int
progopt_getopt(int argc, char *const argv[], const char *optstring,
    const char *name, const char *usage)
{
	static const struct option std[] = {
		PROGOPT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	ch = getopt_long(argc, argv, optstring, std, NULL);
	if (ch == PROGOPT_HELP)
		progopt_help(usage);
	if (ch == PROGOPT_VERSION)
		progopt_version(name);
	return ch;
}
