/*
 * samlog: add an event to SAM's event log, or change one.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "progopt.h"
#include "sam.h"
#include "timeutil.h"

static const char usage_text[] =
    "usage: samlog -t objtype -n objname [-s state] "
    "[-p PLANNED|UNPLANNED] [-w time]\n"
    "              [-u user_field|NULL] [--] [msg|NULL]\n"
    "       samlog -i evid [-s state] [-p PLANNED|UNPLANNED] [-w time]"
    "\n              [-u user_field|NULL] [--] [msg|NULL]\n"
    "       samlog -h\n"
    "objtype: CLUS NODE TIME APPL; state: UP DOWN GONE CHANGE\n";

static __attribute__((noreturn)) void
usage(int rc)
{
	fputs(usage_text, rc ? stderr : stdout);
	exit(rc);
}

/* NULL stands for an empty field. */
static void
text_field(const char *what, const char *s, size_t max, char *out)
{
	const char *why;
	size_t len;

	if (strcmp(s, "NULL") == 0)
		s = "";
	len = strlen(s);
	if (sam_field_check(s, len, max, 1, &why) == -1)
		fatalx("%s %s", what, why);
	memcpy(out, s, len + 1);
}

int
main(int argc, char *argv[])
{
	struct sam_paths paths;
	struct sam_event ev;
	const char *why, *type = NULL, *name = NULL;
	char t[32], *end;
	int ch;

	log_procname("samlog");
	log_init(1, 0);
	memset(&ev, 0, sizeof(ev));
	ev.kind = 'E';
	ev.state = SAM_NSTATES;
	ev.time = -1;
	while ((ch = progopt_getopt(argc, argv, "hi:n:p:s:t:u:w:", "samlog",
	    usage_text)) != -1) {
		switch (ch) {
		case 'h':
			usage(0);
		case 'i':
			errno = 0;
			ev.evid = strtoull(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || ev.evid == 0 ||
			    optarg[0] == '-')
				fatalx("event id %s: not a positive number",
				    optarg);
			ev.kind = 'M';
			break;
		case 'n':
			name = optarg;
			break;
		case 'p':
			if (sam_plan_parse(optarg, strlen(optarg), &ev.plan) ==
			    -1 || ev.plan == SAM_PLAN_NONE)
				fatalx("-p %s: PLANNED or UNPLANNED", optarg);
			ev.mask |= SAM_MOD_PLAN;
			break;
		case 's':
			if (sam_state_parse(optarg, strlen(optarg), &ev.state)
			    == -1)
				fatalx("-s %s: UP, DOWN, GONE or CHANGE",
				    optarg);
			ev.mask |= SAM_MOD_STATE;
			break;
		case 't':
			type = optarg;
			break;
		case 'u':
			text_field("user field", optarg, SAM_USER_MAX,
			    ev.user);
			ev.mask |= SAM_MOD_USER;
			break;
		case 'w':
			if (sam_parse_time(optarg, &ev.time) == -1)
				fatalx("-w %s: not a time (seconds since the "
				    "epoch, YYYYMMDDhhmmss, YYYY-MM-DD "
				    "[hh:mm[:ss]] or now)", optarg);
			ev.mask |= SAM_MOD_TIME;
			break;
		default:
			usage(1);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1)
		usage(1);
	if (argc == 1) {
		text_field("message", argv[0], SAM_MSG_MAX, ev.msg);
		ev.mask |= SAM_MOD_MSG;
	}

	if (ev.kind == 'M') {
		if (type != NULL || name != NULL)
			fatalx("-i changes an event; its object cannot change");
		if (ev.mask == 0)
			fatalx("-i: nothing to change");
		/* Fields outside the mask are written but not applied. */
		if (ev.state == SAM_NSTATES)
			ev.state = SAM_UP;
		if (ev.time == -1)
			ev.time = 0;
	} else {
		if (type == NULL || name == NULL)
			usage(1);
		if (sam_type_parse(type, strlen(type), &ev.type) == -1)
			fatalx("-t %s: CLUS, NODE, TIME or APPL", type);
		if (sam_field_check(name, strlen(name), SAM_NAME_MAX, 0,
		    &why) == -1)
			fatalx("object name %s", why);
		if (strchr(name, ' ') != NULL)
			fatalx("object name holds a space");
		memcpy(ev.name, name, strlen(name) + 1);
		if (ev.state == SAM_NSTATES)
			ev.state = ev.type == SAM_TIME ? SAM_CHANGE : SAM_UP;
		if (ev.plan != SAM_PLAN_NONE && ev.state != SAM_DOWN)
			fatalx("-p applies to DOWN events only");
		if (ev.state == SAM_DOWN && ev.plan == SAM_PLAN_NONE)
			ev.plan = SAM_UNPLANNED;
		if (ev.time == -1)
			ev.time = real_ms() / 1000;
	}
	if (sam_paths_init(&paths, NULL) == -1)
		fatal("SAM_ROOT");
	if (sam_evlog_write(&paths, &ev) == -1) {
		if (errno == ENOENT && ev.kind == 'M')
			fatalx("no event %" PRIu64 " in %s", ev.evid,
			    paths.eventlog);
		fatal("%s", paths.eventlog);
	}
	if (ev.kind == 'E')
		printf("%" PRIu64 "\n", ev.evid);
	else
		log_debug("changed event %" PRIu64 " at %s", ev.evid,
		    sam_fmt_time(ev.logtime, t, sizeof(t)));
	return 0;
}
