/*
 * smsd: the system management station daemon.
 *
 * One libevent loop serves HTTP/1.1 (evhttp) with JSON bodies.  Sources
 * (system, hardware, software, filesystems, metrics) are gathered by one
 * worker thread each, bounded by a time limit, and cached: a request is
 * answered from the cache while the data is young enough, otherwise it
 * waits (in the loop, never blocking it) for a fresh gather or the time
 * limit.  Events come from /dev/kmsg, kernel uevents and a local posting
 * socket; they are kept in a ring, in a durable history file (written by
 * a thread of its own, history.c) and fanned out to stream subscribers.
 */
#ifndef SMSD_H
#define SMSD_H

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#ifndef TAILQ_FOREACH_SAFE	/* glibc's sys/queue.h lacks it */
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

#define SMSD_PORT		596
#define SMSD_CONF		"/etc/sms/smsd.conf"
#define SMSD_DATA_DIR		"/var/cluster/sms"
#define SMSD_LOG_FILE		"/var/log/smsd/smsd.log"
#define SMSD_POST_SOCKET	"/run/smsd/post.sock"
#define SMSD_PIDFILE		"/run/smsd.pid"
#define SMSD_USER		"_hmsmsd"	/* its own: statd's files are not its */
#define SMSD_POST_GROUP		"_hostmon"	/* the suite's daemons' group */
/* Who may post names under the suite's prefixes, by default. */
#define SMSD_POST_TRUSTED	{ "root", "_hmstatd" }	/* rpc.statd's -u */
#define SMSD_DPKG_DIR		"/var/lib/dpkg"
/* The suite's files smsd reads (only reads): samd's event log, statd's. */
#define SMSD_AVAIL_LOG		"/var/avail/sam/eventlog"
#define SMSD_STATD_FILE		"/var/db/statd.status"
#define SMSD_STATD_PIDFILE	"/run/rpc.statd.pid"

#define SMSD_MAX_LISTEN		8
#define SMSD_MAX_ACL		64
#define SMSD_MAX_MEMBERS	64
#define SMSD_MAX_TRUSTED	16
#define SMSD_NAME_MAX		63	/* member names: a host label */
#define SMSD_URI_MAX		1024
/* compact, and 0.1 stays 0.1 rather than 0.10000000000000001 */
#define SMSD_JSON		(JSON_COMPACT | JSON_REAL_PRECISION(12))

/* ---- access list (acl.c) ---- */
struct acl_entry {
	int		family;		/* AF_INET or AF_INET6 */
	uint8_t		addr[16];
	int		prefix;
};
struct acl {
	struct acl_entry e[SMSD_MAX_ACL];
	int		n;
};
int	acl_add(struct acl *, const char *spec);	/* "addr[/len]" */
int	acl_permits(const struct acl *, const struct sockaddr *);
void	acl_loopback(struct acl *);

/* ---- configuration (conf.c) ---- */
struct member {
	char		name[SMSD_NAME_MAX + 1];
	char		host[64];	/* numeric address or name */
	int		port;
	/* From corosync (corosync.c); membership "" in smsd.conf's list. */
	char		membership[16];	/* member, left, unreachable */
	int64_t		changed_ms;	/* real time of its last change, 0 */
	int		local;		/* this host */
};

struct smsd_conf {
	char		listen[SMSD_MAX_LISTEN][64];
	int		nlisten;
	int		port;
	struct acl	acl;
	int		acl_set;
	struct member	members[SMSD_MAX_MEMBERS];
	int		nmembers;
	char		member_name[SMSD_NAME_MAX + 1];
	int		max_clients;
	size_t		max_request;
	size_t		max_output;
	int		idle_timeout;		/* seconds */
	int		header_timeout;		/* seconds, first request */
	int		source_timeout_ms;
	int		cluster_timeout_ms;
	int		history;		/* events kept */
	int		history_step;		/* trend ring, seconds */
	char		station_dir[256];
	char		ss_dir[256];		/* "" : libcsstat's own */
	char		avail_log[256];		/* samd's event log */
	char		statd_file[256];	/* rpc.statd's status file */
	char		statd_pidfile[256];
	char		log_file[256];
	char		data_dir[256];
	char		post_socket[108];
	char		pidfile[256];
	char		user[64];
	char		dpkg_dir[256];
	char		post_group[64];
	uid_t		trusted[SMSD_MAX_TRUSTED];	/* post-trusted */
	int		ntrusted;
	int		trusted_set;
};

void	conf_defaults(struct smsd_conf *);
/* 0, or -1 after logging each error with file and line. */
/*
 * 0 when path was read, 1 when there is no file at the default place
 * (SMSD_CONF) and every default applies, -1 on errors (logged).
 */
int	conf_load(const char *path, struct smsd_conf *);
int	conf_parse(const char *text, const char *path, struct smsd_conf *);
int	valid_member_name(const char *);
/* 1 if uid may post names under the suite's prefixes (post-trusted). */
int	conf_trusts(const struct smsd_conf *, uid_t);

/* ---- requests (request.c): URL parsing, no I/O ---- */
enum resource {
	RES_NONE,
	RES_SYSTEM,
	RES_HARDWARE,
	RES_SOFTWARE,
	RES_FILESYSTEMS,
	RES_EVENTS,
	RES_EVENTS_STREAM,
	RES_HEALTH,
	RES_METRICS,
	RES_CLUSTER,
	RES_SERVER,
	RES_INDEX,
	RES_STATION,		/* /station/NAME: a file of the station */
	RES_HISTORY,		/* /v1/history: the trend ring (trend.c) */
	RES_MEMBER,		/* /v1/members/NAME/...: proxied (proxy.c) */
	RES_SUITE_SS,		/* /v1/suite/...: suite.c */
	RES_SUITE_AVAILABILITY,
	RES_SUITE_STATD
};

#define REQ_PATTERN_MAX		128
#define STATION_NAME_MAX	64
struct req {
	enum resource	res;
	char		pattern[REQ_PATTERN_MAX + 1];	/* name=, "" for all */
	int		min_priority;			/* priority= */
	int		limit;				/* limit=, 0: default */
	uint64_t	since;				/* since= (seq) */
	int		pretty;
	int		offset;				/* offset= */
	int		limit_set;			/* limit= given */
	int		frames_message;			/* frames=message */
	/* RES_STATION: the file's name, checked by station_name_ok() */
	char		file[STATION_NAME_MAX + 1];
	/* RES_MEMBER: the member, and the target it is asked for
	   ("/v1/system?..."), itself parsed and found to be one of the
	   resources a member answers */
	char		member[SMSD_NAME_MAX + 1];
	char		target[SMSD_URI_MAX + 1];
	enum resource	target_res;
};

/*
 * Parse an origin-form request target ("/v1/events?name=sys.*").  0, or an
 * HTTP status (400, 404, 414) with a static message in *why.
 */
int	req_parse(const char *uri, size_t len, struct req *, const char **why);
int	event_name_valid(const char *, size_t);
int	pattern_valid(const char *, size_t);
int	priority_parse(const char *, int *);
const char *priority_name(int);

/* 1 if name may name a station file: see station.c. */
int	station_name_ok(const char *, size_t);

/* ---- posted events (post.c) ---- */
#define POST_MAX		2048
#define EVENT_NAME_MAX		128
#define EVENT_MSG_MAX		1024
struct post_msg {
	char		name[EVENT_NAME_MAX + 1];
	int		priority;
	char		message[EVENT_MSG_MAX + 1];
};
/* 0, or -1 with a static reason in *why. */
int	post_parse(const void *buf, size_t len, struct post_msg *,
	    const char **why);
/*
 * 1 if name is under a prefix only the suite's daemons may post
 * ("hostmon.", and smsd's own "sys."): the health state counts them.
 */
int	post_name_reserved(const char *name);
/* Encode for the socket; length or -1 if it does not fit / is invalid. */
int	post_encode(const struct post_msg *, char *buf, size_t bufsz);

/* ---- events (events.c) ---- */
/* An event dated further ahead than this is from a wrong clock. */
#define EVENT_FUTURE_MS		(60 * 1000)
struct event_rec {
	uint64_t	seq;
	int64_t		time_ms;
	int		priority;
	char		*name;
	char		*json;		/* serialized once */
	size_t		jsonlen;
};

/* ---- sources (source.c) ---- */
enum source_id {
	SRC_SYSTEM,
	SRC_HARDWARE,
	SRC_SOFTWARE,
	SRC_FILESYSTEMS,
	SRC_METRICS,
	SRC_COUNT
};
#define SRC_BIT(s)	(1u << (s))

struct gathered {
	json_t		*json;
	char		*text;		/* metrics: exposition text */
	size_t		textlen;
	char		*error;		/* gather failed */
};

struct source {
	enum source_id	id;
	const char	*name;
	int		max_age_ms;
	void		(*gather)(struct source *, struct gathered *);
	/* worker hand-over, under mu */
	pthread_t	thread;
	pthread_mutex_t	mu;
	pthread_cond_t	cv;
	int		requested;
	int		busy;
	int		done;
	int		stop;
	struct gathered	out;
	/* loop side only */
	int64_t		started_ms;
	int64_t		gathered_ms;	/* when the cached data was gathered */
	int64_t		gather_ms_last;	/* duration of the last gather */
	uint64_t	generation;	/* bumps on each change */
	uint64_t	timeouts;
	int		timed_out;	/* the current gather overran */
	int		dirty;		/* invalidated (uevent, reload) */
	int		redirty;	/* invalidated during a gather */
	json_t		*data;
	char		*text;
	size_t		textlen;
	char		*error;
	char		*body;		/* data serialized, once per change */
	size_t		bodylen;
	uint64_t	body_gen;
	void		*priv;		/* worker's own state */
	json_t		*saved;		/* worker: last written to disk */
};

/* " (N more not logged)" after a rate-limited line, or "". */
const char *more(unsigned long, char *buf);

/* ---- the daemon ---- */
struct evhttp_request;
struct evhttp_connection;
struct reclog;
struct history;
struct cluster_state;
struct client;
struct pending;
struct stream;
struct trend;
struct proxy;

struct smsd {
	struct smsd_conf conf;
	const char	*conf_path;
	struct event_base *base;
	struct evhttp	*http;
	struct source	src[SRC_COUNT];
	int		notify_fd;	/* eventfd: a worker finished */
	struct event	*notify_ev;
	char		member_dir[512];
	int		running_as_root;
	int		stopping;
	/* clients */
	struct client	**ctab;
	size_t		ctab_size;
	int		nclients;
	int		nstreams;
	uint64_t	requests;
	uint64_t	refused;
	uint64_t	dropped_slow;
	uint64_t	bad_requests;
	/* TAILQ_HEAD spelled out: cppcheck cannot see <sys/queue.h> */
	struct { struct pending *tqh_first, **tqh_last; } pending;
	struct { struct stream *tqh_first, **tqh_last; } streams;
	/* events */
	struct event_rec *ring;
	size_t		ring_cap;
	size_t		ring_len;
	size_t		ring_head;	/* index of the oldest */
	uint64_t	next_seq;
	uint64_t	events_by_pri[8];
	struct history	*history;	/* its writer thread (history.c) */
	struct trend	*trend;		/* the /v1/history ring (trend.c) */
	/* derived */
	json_t		*health;
	int		health_state;
	uint64_t	health_gen;
	char		*system_body;
	size_t		system_bodylen;
	uint64_t	system_key;
	char		*metrics_body;
	size_t		metrics_bodylen;
	uint64_t	metrics_key;
	/* cluster */
	struct cluster_state *cluster;
	struct smsd_corosync *corosync;
};

extern struct smsd *smsd;

/* source.c */
void	sources_init(struct smsd *);
void	sources_stop(struct smsd *);
/* Start a gather of s if its data is older than max_age (or dirty). */
int	source_fresh(const struct source *, int64_t now);
void	source_kick(struct smsd *, struct source *);
void	source_invalidate(struct smsd *, enum source_id);
const char *source_body(struct source *, size_t *len);
void	source_load_cached(struct smsd *, struct source *, json_t *);

/* gather_*.c: run in worker threads */
void	gather_system(struct source *, struct gathered *);
void	gather_hardware(struct source *, struct gathered *);
void	gather_software(struct source *, struct gathered *);
void	gather_filesystems(struct source *, struct gathered *);
void	gather_metrics(struct source *, struct gathered *);
void	gather_software_free(struct source *);
/* For tests: parse a dpkg status file's text. */
json_t	*dpkg_parse_status(const char *text, size_t len);
extern char gather_dpkg_dir[256];
/* /proc/meminfo's value of key in bytes, or -1. */
long long meminfo_get(const char *text, const char *key);
/* Read a small /proc or /sys file whole; -1 on error, else its length. */
ssize_t	read_small(const char *path, char *buf, size_t size);
extern int gather_probe_timeout_ms;

/* control.c: the HTTP front end */
int	control_listen(struct smsd *);
void	control_apply_limits(struct smsd *);
void	control_shutdown(struct smsd *);
void	pending_wake(struct smsd *);
struct evhttp_connection;
void	control_bind_stream(struct evhttp_connection *, struct stream *);

/* events.c */
int	events_init(struct smsd *);
int	events_open_sources(struct smsd *);	/* as root, before dropping */
void	events_start(struct smsd *);
void	events_post(struct smsd *, const char *name, int priority,
	    const char *source, const char *message, json_t *extra);
void	events_close(struct smsd *);
struct evbuffer;
void	events_history_json(struct smsd *, const struct req *,
	    struct evbuffer *);
int	events_pattern_match(const char *pattern, const char *name);
void	stream_open(struct smsd *, struct evhttp_request *, const struct req *,
	    uint64_t last_id);
void	streams_close_all(struct smsd *, const char *why);
void	stream_connection_closed(struct smsd *, struct stream *);

/*
 * history.c: the event history file's writer thread.  The loop queues
 * serialized lines (never waiting for the disk); the writer appends and
 * commits them in batches (one fdatasync each) and compacts the file.
 */
#define HISTQ_MAX_LINES		8192	/* lines queued, at most */
#define HISTQ_MAX_BYTES		(8u << 20)	/* and their bytes */
struct histq_item {
	char		*line;
	size_t		len;
};
struct histq_stats {
	size_t		queued;		/* waiting */
	size_t		inflight;	/* being written */
	uint64_t	refused;	/* found the queue full: not saved */
	uint64_t	failed;		/* their commit failed: not saved */
};
struct histq;
struct histq *histq_new(size_t max_lines, size_t max_bytes);
void	histq_free(struct histq *);
/* Queue a copy of line: 0, or -1 (counted as refused) when full. */
int	histq_push(struct histq *, const char *line, size_t len);
/*
 * The writer's side: wait for a line (or stop), then until not_before
 * (mono_ms) unless `early` lines wait or stop is set, and move every
 * queued line into batch (max_lines long), oldest first; the caller owns
 * them.  Their count; 0 once stopped and empty.
 */
size_t	histq_take(struct histq *, struct histq_item *batch,
	    int64_t not_before, size_t early);
/* The batch taken is written; `failed` of its lines were not saved. */
void	histq_written(struct histq *, size_t failed);
void	histq_stats(struct histq *, struct histq_stats *);
/* No more lines are taken in; the writer drains what is queued. */
void	histq_stop(struct histq *);

/* Takes rl (replayed, with `records` records); keeps `keep` for compaction. */
struct history *history_new(struct reclog *rl, uint64_t records, size_t keep);
void	history_seed(struct history *, const char *line, size_t len);
int	history_start(struct history *);
void	history_discard(struct history *);	/* never started */
int	history_push(struct history *, const char *line, size_t len);
void	history_stats(struct history *, struct histq_stats *);
const char *history_path(const struct history *);
/* Drain and end the writer, waiting at most timeout_ms: 0, or -1 (logged)
   if it is stuck (it is then left to end with the process). */
int	history_stop(struct history *, int timeout_ms);

/* health.c */
void	health_update(struct smsd *);
const char *health_state_name(int);
enum { HEALTH_GOOD, HEALTH_WARNING, HEALTH_CRITICAL, HEALTH_INACTIVE };
int	health_state_parse(const char *);
/*
 * One file system's health (a /v1/filesystems entry: responding, error,
 * use_percent, size, readonly), with what made it in detail.
 */
int	health_filesystem(const json_t *, char *detail, size_t);

/* render.c: bodies built once per change */
const char *render_system(struct smsd *, size_t *len);
const char *render_metrics(struct smsd *, size_t *len);
json_t	*system_view(struct smsd *);

/* store.c: data files under data_dir/MEMBER */
int	store_prepare(struct smsd *, uid_t, gid_t);
void	store_load_inventory(struct smsd *);
void	store_save_source(struct source *, json_t *);	/* worker */
/*
 * 1 if o is shaped as the gather of source id makes it (every field the
 * daemon reads is there with its type); else 0 with the first fault in why.
 */
int	inventory_shape_ok(enum source_id, const json_t *o, char *why,
	    size_t whysz);

/* cluster.c */
/*
 * The one place the cluster's member list comes from: corosync's node
 * list while corosync answers, else smsd.conf.  *n is set to the count.
 */
const struct member *cluster_member_list(struct smsd *, int *n);
/* Forget the cached view (the membership changed). */
void	cluster_invalidate(struct smsd *);
#define CLUSTER_BIT	SRC_BIT(SRC_COUNT)	/* a "source" in pending */
int	cluster_fresh(struct smsd *);
void	cluster_kick(struct smsd *);
const char *cluster_body(struct smsd *, size_t *len);
void	cluster_free(struct smsd *);

/* corosync.c: corosync's membership in the loop (libhmcluster) */
struct smsd_corosync;
/* As root, before privileges are dropped; never blocks for long. */
void	corosync_open(struct smsd *);
void	corosync_close(struct smsd *);
/* corosync's members into out (at most max): their count, or -1 when
   corosync does not answer. */
int	corosync_member_list(const struct smsd *, struct member *out, int max);
/* {"membership_source", "cluster_name", "detection_ms", "quorate"}. */
json_t	*corosync_view(const struct smsd *);

/* render.c: a growing text buffer, shared with gather.c's metrics. */
struct textbuf {
	char	*p;
	size_t	 len, cap;
};
void	textbuf_printf(struct textbuf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * gather.c: the counters of one read of /proc/diskstats or /proc/net/dev,
 * one entry per device (in the file's order), from which each of the
 * file's metric families is rendered.  The parsers split text in place;
 * -1 when out of memory.  See devstat_parse_disks/_network for what v holds.
 */
#define DEVSTAT_NAME_MAX	64
struct devstat {
	char			name[DEVSTAT_NAME_MAX];	/* label-safe */
	unsigned long long	v[8];
};
struct devstat_table {
	struct devstat	*dev;
	size_t		 n;
};
int	devstat_parse_disks(char *text, struct devstat_table *);
int	devstat_parse_network(char *text, struct devstat_table *);
void	devstat_render_disks(struct textbuf *, const struct devstat_table *);
void	devstat_render_network(struct textbuf *,
	    const struct devstat_table *);
void	devstat_free(struct devstat_table *);

#endif
