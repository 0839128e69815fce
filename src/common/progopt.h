/*
 * progopt: the options every program answers the same way, --help and
 * --version, and the project's one version.
 *
 * A program keeps its usage text in one string: its usage() prints it to
 * stderr and exits 1 (a mistake), --help prints it to stdout and exits 0
 * (a question).  Short options keep each program's own meaning (-h stays
 * samd's usage and rpc.statd's bind address).
 */
#ifndef HM_PROGOPT_H
#define HM_PROGOPT_H

#include <getopt.h>

/* The hostmon version, set once in src/common/module.mk (HM_VERSION). */
extern const char hm_version[];

/*
 * getopt(3) with --help and --version added: on either it prints and exits
 * 0 (usage to stdout, or "name (hostmon) VERSION"); any other long option
 * is reported as getopt_long(3) reports it and returned as '?'.
 */
int	progopt_getopt(int argc, char *const argv[], const char *optstring,
	    const char *name, const char *usage);

/*
 * For a program with long options of its own: values for its struct option
 * table (PROGOPT_LONGOPTS), and what to call when getopt_long returns them.
 */
#define PROGOPT_HELP	0x10001
#define PROGOPT_VERSION	0x10002
#define PROGOPT_LONGOPTS \
	{ "help", no_argument, NULL, PROGOPT_HELP }, \
	{ "version", no_argument, NULL, PROGOPT_VERSION }
__attribute__((noreturn)) void	progopt_help(const char *usage);
__attribute__((noreturn)) void	progopt_version(const char *name);

#endif
