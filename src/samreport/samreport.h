/*
 * samreport: samrep's SUMMARY as JSON values, for samrep -j and for smsd's
 * /v1/suite/availability, so both say the same thing from the same code.
 * Built on the report model of src/samd (report.h: load, finish, compute).
 */
#ifndef SAMREPORT_H
#define SAMREPORT_H

#include <stdint.h>

#include <jansson.h>

#include "report.h"

/* What a report covers, as its header says. */
struct rep_view {
	int		 type;		/* -1: every type */
	const char	*name;		/* NULL: every name */
	int		 planned_up;	/* planned down time counts as up */
	const char	*path;		/* the event log */
	int64_t		 now, beg, end;
};

/* The first and last event in the order they were logged (NULL: none). */
void	rep_first_last(const struct rep *, const struct rep_ev **first,
	    const struct rep_ev **last);
/*
 * Per object, 1 if all its events are CHANGE events (it is never down:
 * its changes are counted, and it has no up time or state).  Allocated;
 * NULL when out of memory.
 */
uint8_t	*rep_changes_only(const struct rep *);
/* The report's header facts, as the members of an object; NULL: ENOMEM. */
json_t	*rep_json_header(const struct rep *, const struct rep_view *);
/* Object i of the SUMMARY (after rep_compute); NULL when out of memory. */
json_t	*rep_json_object(const struct rep *, uint32_t i, const uint8_t *chg,
	    int planned_up);
/*
 * The whole SUMMARY of every object seen, as samrep -j prints it with no
 * -t or -n: the header's members and "objects".  NULL when out of memory.
 */
json_t	*rep_json_summary(const struct rep *, const struct rep_view *);
/*
 * samrep's default SUMMARY of path (from its first event to now, planned
 * down time as down): -1 with errno when the log cannot be read, else 0
 * with *out set (NULL if out of memory).
 */
int	rep_summary_file(const char *path, int64_t now, json_t **out);

#endif
