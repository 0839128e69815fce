/*
 * report: samrep's model of the event log, and the availability sums.
 *
 * Loading keeps a compact row per event (strings only for the events a
 * report lists), applies the changes of M records, and sorts by time; the
 * sums then come from one sweep.  Kept apart from samrep.c's printing so
 * the arithmetic is tested on hand-computed logs.
 */
#ifndef SAM_REPORT_H
#define SAM_REPORT_H

#include <stdint.h>

#include "reclog.h"
#include "sam.h"

struct rep_obj {
	enum sam_type	 type;
	char		*name;
	/* results of rep_compute */
	uint64_t	 downs;		/* DOWN (or TIME CHANGE) events */
	int64_t		 last_down;	/* -1: never */
	int64_t		 unplanned;	/* seconds down, in the period */
	int64_t		 planned;
	int64_t		 observed;	/* seconds of the period it existed */
	int64_t		 first;		/* its first event */
	enum sam_state	 last;
	/* sweep state */
	int		 seen;
	enum sam_state	 state;
	int64_t		 since;
	enum sam_plan	 plan;
};

struct rep_ev {
	int64_t		 time;
	int64_t		 logtime;
	uint64_t	 evid;
	uint32_t	 obj;
	uint8_t		 state;
	uint8_t		 plan;
	char		*user;		/* only for listed events */
	char		*msg;
};

struct rep_mod {
	uint64_t	 evid;
	uint64_t	 line;		/* in the log, for messages; 0 unknown */
	unsigned	 mask;
	int64_t		 time;
	uint8_t		 state;
	uint8_t		 plan;
	char		*user;
	char		*msg;
};

struct rep {
	struct rep_obj	*objs;
	uint32_t	 nobjs;
	uint32_t	 capobjs;
	uint32_t	*hash;		/* object index + 1, 0 free */
	uint32_t	 hashcap;
	struct rep_ev	*evs;
	size_t		 nev;
	size_t		 capev;
	struct rep_mod	*mods;
	size_t		 nmods;
	size_t		 capmods;
	unsigned	 version;	/* 0: no version line */
	int		 version_first;
	uint64_t	 records;
	uint64_t	 unparsable;
	uint64_t	 mods_unmatched;
	uint64_t	 mods_ambiguous;	/* of an id events share */
	uint64_t	 dup_ids;	/* ids carried by more than one event */
	/* which events keep their strings */
	int		 keep_all;
	int		 sel_type;	/* -1: any */
	const char	*sel_name;	/* NULL: any */
	int		 failed;	/* out of memory */
	const char	*path;		/* the log read, for messages */
};

void	rep_init(struct rep *);
void	rep_free(struct rep *);
/* One parsed record; -1 with errno on allocation failure. */
int	rep_add(struct rep *, const struct sam_rec *);
/* Read path (reclog_replay_file); warns about unparsable records. */
int	rep_load(struct rep *, const char *path, struct reclog_stats *);
/*
 * Apply changes, sort by time (then id).  A change that names no event is
 * counted in mods_unmatched, one of an id that several events carry (a
 * writer never gives one twice) in mods_ambiguous, and neither is applied;
 * the first few are logged with their line, as are shared ids (dup_ids).
 * -1 on allocation failure.
 */
int	rep_finish(struct rep *);
/* Sums over [beg, end]; planned_up counts planned down time as up. */
void	rep_compute(struct rep *, int64_t beg, int64_t end, int planned_up);
/* An object's index, or -1. */
int	rep_find(const struct rep *, enum sam_type, const char *);
/* Up time percentage of an object after rep_compute; -1 if unknown. */
double	rep_uptime(const struct rep_obj *, int planned_up);

#endif
