/*
 * sam: the System Availability Monitor's shared pieces.
 *
 * Everything SAM keeps lives under one root, /var/avail/sam unless the
 * environment variable SAM_ROOT names another (tests and the demo use a
 * private one):
 *
 *	ROOT/samd		the start script (HEARTBEAT_SEC_DEF, ...)
 *	ROOT/eventlog		the event log, read by samrep
 *	ROOT/.state/		samd's heartbeat, markers, pidfiles and locks
 *
 * The event log is a reclog text file: each line is "payload\tCRC32C\n"
 * and each payload one record whose fields are separated by ".:.":
 *
 *	SAMLOG.:.1						version, first line
 *	E.:.id.:.time.:.type.:.name.:.state.:.planned.:.logtime.:.user.:.msg
 *	M.:.id.:.time.:..:..:.state.:.planned.:.logtime.:.user.:.msg.:.mask
 *
 * An E record is an event; an M record changes event id, and mask (letters
 * of "tspum": time, state, planned, user, msg) says which of its fields
 * apply.  Times are seconds since the epoch.  No field holds ".:." or a
 * control character; an empty field is NULL.
 */
#ifndef SAM_H
#define SAM_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SAM_ROOT_DEFAULT	"/var/avail/sam"
#define SAM_SEP			".:."
#define SAM_SEP_LEN		3
#define SAM_LOG_VERSION		1
#define SAM_VERSION_TAG		"SAMLOG"
#define SAM_NAME_MAX		64
#define SAM_USER_MAX		128
#define SAM_MSG_MAX		512
#define SAM_REC_MAX		1024	/* a record's payload, all fields */
#define SAM_HB_MAX		30	/* HEARTBEAT_SEC_DEF's upper bound */
#define SAM_EVID_MAX		9999999999999999999ULL	/* 19 digits, as read */
#define SAM_TIME_MAX		253402300799LL	/* 9999-12-31 23:59:59 UTC */
#define SAM_WINDOW_MAX		(366 * 86400)
#define SAM_APPL_NAME		"samd"
#define SAM_TIME_NAME		"clock"
#define SAM_CLUS_DEFAULT	"cluster"
/* The objects of node event signals (samsigd): NODE "node:event", ... */
#define SAM_SIG_EVENT		":event"	/* SIGUSR1 */
#define SAM_SIG_POWER		":powerfail"	/* SIGPWR */

enum sam_type { SAM_CLUS, SAM_NODE, SAM_TIME, SAM_APPL, SAM_NTYPES };
enum sam_state { SAM_UP, SAM_DOWN, SAM_GONE, SAM_CHANGE, SAM_NSTATES };
enum sam_plan { SAM_PLAN_NONE, SAM_PLANNED, SAM_UNPLANNED };
enum sam_reason { SAM_CLUS_FAIL, SAM_NODE_FAIL, SAM_PROC_FAIL };

#define SAM_MOD_TIME	0x01
#define SAM_MOD_STATE	0x02
#define SAM_MOD_PLAN	0x04
#define SAM_MOD_USER	0x08
#define SAM_MOD_MSG	0x10

struct sam_paths {
	char	root[PATH_MAX];
	char	statedir[PATH_MAX];
	char	eventlog[PATH_MAX];
	char	evlock[PATH_MAX];	/* serialises id assignment */
	char	evseq[PATH_MAX];	/* highest id ever given */
	char	heartbeat[PATH_MAX];
	char	clean[PATH_MAX];	/* clean-stop marker */
	char	stopped[PATH_MAX];	/* samdctl stop, until next boot */
	char	samd_pid[PATH_MAX];	/* samd's lock */
	char	samsigd_pid[PATH_MAX];
	char	samkeep_pid[PATH_MAX];
	char	script[PATH_MAX];
	char	bootid[PATH_MAX];	/* SAM_BOOT_ID_FILE or the kernel's */
};

/* An event as written and read; strings are NUL-terminated. */
struct sam_event {
	char		kind;		/* 'E' or 'M' */
	uint64_t	evid;
	int64_t		time;
	int64_t		logtime;
	enum sam_type	type;
	enum sam_state	state;
	enum sam_plan	plan;
	unsigned	mask;		/* M: SAM_MOD_* */
	char		name[SAM_NAME_MAX + 1];
	char		user[SAM_USER_MAX + 1];
	char		msg[SAM_MSG_MAX + 1];
};

/* A field of a parsed record, pointing into the line. */
struct sam_field {
	const char	*p;
	size_t		 len;
};

/* A record parsed in place, for readers of large logs. */
struct sam_rec {
	char		kind;		/* 'V', 'E' or 'M' */
	unsigned	version;	/* 'V' */
	uint64_t	evid;
	int64_t		time;
	int64_t		logtime;
	enum sam_type	type;
	enum sam_state	state;
	enum sam_plan	plan;
	unsigned	mask;
	struct sam_field name, user, msg;
};

/* samconf.c */
int	sam_paths_init(struct sam_paths *, const char *root);
const char *sam_type_name(enum sam_type);
const char *sam_state_name(enum sam_state);
const char *sam_plan_name(enum sam_plan);
const char *sam_reason_name(enum sam_reason);
int	sam_type_parse(const char *, size_t, enum sam_type *);
int	sam_state_parse(const char *, size_t, enum sam_state *);
int	sam_plan_parse(const char *, size_t, enum sam_plan *);
int	sam_reason_parse(const char *, enum sam_reason *);
/* 0 if s may be a field of at most max bytes; -1 with a reason in *why. */
int	sam_field_check(const char *s, size_t len, size_t max, int empty_ok,
	    const char **why);
int	sam_parse_time(const char *, int64_t *);
const char *sam_fmt_time(int64_t, char *, size_t);
int	sam_mkdirs(const struct sam_paths *);
const char *sam_nodename(void);
const char *sam_clustername(void);
/* The folder of the running program, for finding its companions. */
int	sam_prog_path(const char *name, const char *envvar, char *, size_t);

/* evrec.c */
int	sam_rec_format(const struct sam_event *, char *, size_t);
int	sam_rec_parse(const char *, size_t, struct sam_rec *, const char **why);
int	sam_rec_to_event(const struct sam_rec *, struct sam_event *);
int	sam_version_format(char *, size_t);

/* evlog.c */
/*
 * Append one event (ev->evid and ev->logtime are set here) or one change
 * (ev->kind 'M', ev->evid the event to change).  Writers hold evlock while
 * they choose the id and append, so samd and samlog never give one id
 * twice; the highest id is kept in evseq as well, so ids are not reused
 * after the log is deleted or cut.  0, or -1 with errno (ENOENT: no such
 * event to change; EPROTO: a log of a newer format).
 */
int	sam_evlog_write(const struct sam_paths *, struct sam_event *);
/* Recreate a deleted log with its version line.  1 if it did, 0, -1. */
int	sam_evlog_ensure(const struct sam_paths *);

/* hbfile.c: the heartbeat, two checksummed slots written in turn. */
struct sam_hb {
	uint64_t	seq;
	int64_t		real_ms;
	int64_t		boot_ms;
	uint32_t	interval;	/* seconds */
	uint32_t	pid;
	char		boot_id[37];
};
struct sam_hbfile;
struct sam_hbfile *sam_hb_open(const char *path);
int	sam_hb_write(struct sam_hbfile *, struct sam_hb *);
void	sam_hb_close(struct sam_hbfile *);
/* 0 and the newest valid slot; -1 with errno (ENOENT, or ENODATA). */
int	sam_hb_read(const char *path, struct sam_hb *);

enum sam_stop_why { SAM_STOP_ADMIN, SAM_STOP_SHUTDOWN };
struct sam_clean {
	char		boot_id[37];
	int64_t		time;
	enum sam_stop_why why;
};
int	sam_clean_write(const char *path, const struct sam_clean *);
int	sam_clean_read(const char *path, struct sam_clean *);
/* samdctl stop's marker holds the boot id it applies to. */
int	sam_stopped_write(const char *path, const char *boot_id);
int	sam_stopped_matches(const char *path, const char *boot_id);
int	sam_remove_durably(const char *path);

/* evidence.c: what samd writes when it starts. */
struct sam_evidence {
	enum sam_reason	reason;
	int64_t		now;
	char		boot_id[37];
	int		have_hb;
	struct sam_hb	hb;
	int		have_clean;
	struct sam_clean clean;
	const char	*node;
	const char	*cluster;
};
#define SAM_START_EVENTS_MAX	4
int	sam_decide(const struct sam_evidence *, struct sam_event *, int max);

/* evidence.c, too: the supervisor's "10 failures within 300 s". */
#define SAM_KEEP_FAILS	10
#define SAM_KEEP_WINDOW	300
struct sam_failcount {
	int64_t		when[SAM_KEEP_FAILS];	/* monotonic ms, a ring */
	int		n;
	int		next;
	int		max;
	int64_t		window_ms;
};
void	sam_failcount_init(struct sam_failcount *, int max, int window_s);
/* Count a failure at now_ms; 1 if max failures fall within the window. */
int	sam_failcount_add(struct sam_failcount *, int64_t now_ms);

#endif
