/*
 * rpc.statd: the NSM host status monitor.
 *
 * The daemon's parts, one file each:
 *   statd.c     options, start-up order, the poll loop, signals
 *   svc.c       RPC transports, rpcbind registration, dispatch, caller checks
 *   monitor.c   the monitor list: entries, hosts, SM_MON/UNMON/... semantics
 *   store.c     the status file: record encoding, replay, compaction
 *   notify.c    outgoing SM_NOTIFY after a reboot, with the retry ladder
 *   callback.c  incoming SM_NOTIFY: matching and calls to lock managers
 *   rpcio.c     non-blocking UDP RPC calls (rpcbind GETPORT and the rest)
 *   resolve.c   name resolution off the loop, in a worker thread
 *   hostname.c  name checks, local names, address helpers
 *   privsep.c   the root parent that replaces the status file
 *   timers.c    a heap of due times for the loop
 */
#ifndef STATD_H
#define STATD_H

#include <sys/socket.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include <stdio.h>
#include <sys/types.h>

#include "sm_inter.h"

#define STATD_DEFAULT_STATUSFILE	"/var/db/statd.status"
#define STATD_DEFAULT_USER		"_hmstatd"
/*
 * The status file is the user's and readable by this group (smsd's user
 * is a member), never by others: it names the hosts monitored.
 */
#define STATD_DEFAULT_STATUS_GROUP	"_hostmon"
#define STATD_STATUS_MODE		0640
#define STATD_DEFAULT_MAX_ENTRIES	1000000
/*
 * -M: the live records' bytes.  The file holds at most about twice that
 * (compaction), and the root parent's copy of it (PRIVSEP_MAX, 1 GiB) is
 * four times the cap.
 */
#define STATD_DEFAULT_MAX_BYTES		(128UL << 20)
#define STATD_MAX_BYTES_CAP		(256UL << 20)
#define STATD_NLM_PROG			100021
#define STATD_MAX_ALLOWED_PROGS		16

/* Whole-program settings, from the command line. */
struct statd_conf {
	const char	*statusfile;
	const char	*bindaddr;	/* -h, NULL for any */
	const char	*myname;	/* -n, or the node name */
	const char	*user;		/* -u */
	const char	*status_group;	/* --status-group, NULL default */
	const char	*bootid_path;	/* -B, for tests */
	const char	*pidfile;	/* -P */
	int		 port;		/* -p, 0 for any */
	int		 outgoing_port;	/* -o: notifications' source, 0 any */
	int		 foreground;	/* -F */
	int		 debug;		/* -d */
	unsigned long	 max_entries;	/* -m */
	unsigned long	 max_bytes;	/* -M; 0 is the default */
	int		 fresh_state;	/* --fresh-state */
	uint32_t	 allowed_progs[STATD_MAX_ALLOWED_PROGS];	/* -a */
	int		 nallowed;
};
extern struct statd_conf conf;

/* htab.c: chained hash tables of structs whose first member is "next". */
struct htab {
	void		**slots;
	size_t		  nslots;	/* a power of two */
	size_t		  count;
	uint32_t	(*hashof)(const void *item);
};
uint32_t hash_bytes(uint32_t h, const void *p, size_t len);
uint32_t hash_name(const char *s);
int	 htab_insert(struct htab *t, void *item, uint32_t hash);
void	 htab_unlink(struct htab *t, void *item, uint32_t hash);
void	*htab_bucket(const struct htab *t, uint32_t hash);
void	 htab_foreach(const struct htab *t, void (*fn)(void *, void *),
	    void *arg);
void	 htab_free(struct htab *t);

/* hostname.c */
int	 sm_name_valid(const char *name, size_t len);
int	 sm_name_is_local(const char *name);
void	 sm_local_names_init(const char *myname);
void	 sm_local_names_free(void);
int	 sm_addr_is_loopback(const struct sockaddr *sa);
int	 sm_addr_equal(const struct sockaddr *a, const struct sockaddr *b);
/* Numeric address literal into ss; 0, or -1 if name is not one. */
int	 sm_parse_numeric(const char *name, struct sockaddr_storage *ss);
const char *sm_addr_str(const struct sockaddr *sa, char *buf, size_t len);
int	 sm_addr_port(const struct sockaddr *sa);	/* -1: not IP */
/*
 * The caller's source port proves root (or CAP_NET_BIND_SERVICE): below
 * 1024, or below the namespace's ip_unprivileged_port_start if lower.
 */
void	 sm_privileged_ports_init(const char *sysctl_path);
int	 sm_port_privileged(const struct sockaddr *sa);
#define STATD_UNPRIV_PORT_SYSCTL "/proc/sys/net/ipv4/ip_unprivileged_port_start"
/* A name escaped for the log, in a rotating static buffer. */
const char *esc(const char *name);

/* A host address in 17 bytes; a v4-mapped IPv6 address is kept as IPv4. */
struct sm_addr {
	uint8_t		 family;	/* AF_INET or AF_INET6 */
	uint8_t		 a[16];
};
/* 0, or -1 for another family. */
int	 sm_addr_pack(const struct sockaddr *sa, struct sm_addr *out);
uint32_t sm_addr_hash(const struct sm_addr *a);

struct sm_entry;

/* An index entry: one name or address that leads to a host. */
struct sm_idx {
	struct sm_idx	*next;		/* hash chain */
	uint32_t	 hash;
	struct sm_host	*host;
};

/*
 * A monitored host: one per distinct mon_name, shared by the entries that
 * name it.  It is found by its exact name (hosts table), by its name in
 * any case, and by each of its addresses (resolved off the loop), so that
 * SM_NOTIFY costs the same with ten hosts as with a million.
 */
struct sm_host {
	struct sm_host	*next;		/* hash chain */
	char		*name;
	uint32_t	 hash;
	unsigned	 nentries;
	struct sm_entry	*entries;	/* its entries, via host_next */
	int		 resolving;
	int		 naddrs;
	struct sm_addr	*addrs;
	struct sm_idx	 name_idx;	/* in the case-folded name index */
	struct sm_idx	*addr_idx;	/* naddrs, in the address index */
	int		 delivered_state;	/* last state called back */
	int		 have_delivered;
	int64_t		 quiet_until;	/* mono_ms(): newer states wait */
	int		 matched;	/* scratch, while matching a notify */
};

/* One SM_MON registration: who watches which host. */
struct sm_entry {
	struct sm_entry	*next;		/* hash chain */
	struct sm_host	*host;
	struct sm_entry	*host_next, *host_prev;
	char		*my_name;
	uint32_t	 my_prog, my_vers, my_proc;
	uint32_t	 hash;
	unsigned char	 priv[SM_PRIV_SIZE];
};

/* monitor.c */
enum mon_result { MON_OK, MON_FULL, MON_STORE_ERR };
void	 mon_init(void);
void	 mon_free(void);
struct sm_entry *mon_find(const char *mon_name, const char *my_name,
	    uint32_t prog, uint32_t vers, uint32_t proc);
/* Adds or updates (priv) without storing; for replay and for SM_MON. */
enum mon_result mon_insert(const char *mon_name, const char *my_name,
	    uint32_t prog, uint32_t vers, uint32_t proc,
	    const unsigned char priv[SM_PRIV_SIZE], int *changed);
int	 mon_remove(const char *mon_name, const char *my_name, uint32_t prog,
	    uint32_t vers, uint32_t proc);
unsigned long mon_remove_all(const char *my_name, uint32_t prog,
	    uint32_t vers, uint32_t proc);
void	 mon_clear(void);
unsigned long mon_count(void);
unsigned long mon_host_count(void);
struct sm_host *mon_host_find(const char *mon_name);
void	 mon_host_set_addrs(const char *mon_name,
	    const struct sockaddr_storage *addrs, int naddrs);
/* Hosts by mon_name in any case, and by one of their addresses. */
void	 mon_hosts_by_name(const char *name, void (*fn)(struct sm_host *,
	    void *), void *arg);
void	 mon_hosts_by_addr(const struct sockaddr *sa,
	    void (*fn)(struct sm_host *, void *), void *arg);
uint32_t mon_entry_hash(const char *mon_name, const char *my_name,
	    uint32_t prog, uint32_t vers, uint32_t proc);
typedef void (*mon_entry_fn)(struct sm_entry *e, void *arg);
typedef void (*mon_host_fn)(struct sm_host *h, void *arg);
void	 mon_foreach_entry(mon_entry_fn fn, void *arg);
void	 mon_foreach_host(mon_host_fn fn, void *arg);

/* The NSM state and the request handlers (monitor.c). */
extern int	 sm_state;
extern char	 sm_boot_id[37];
int	 sm_handle_mon(const mon *m, const struct sockaddr *caller,
	    sm_stat_res *res);
int	 sm_handle_unmon(const mon_id *id, const struct sockaddr *caller,
	    sm_stat *res);
int	 sm_handle_unmon_all(const my_id *id, const struct sockaddr *caller,
	    sm_stat *res);
int	 sm_handle_stat(const sm_name *n, sm_stat_res *res);
/*
 * The same three without the commit: the change is in memory and appended
 * to the status file; mon_commit() makes every change applied since the
 * last durable with one commit (0), or undoes them all (-1).
 */
int	 sm_apply_mon(const mon *m, const struct sockaddr *caller,
	    sm_stat_res *res);
int	 sm_apply_unmon(const mon_id *id, const struct sockaddr *caller,
	    sm_stat *res);
int	 sm_apply_unmon_all(const my_id *id, const struct sockaddr *caller,
	    sm_stat *res);
int	 mon_commit(void);
size_t	 mon_batch_size(void);	/* changes waiting for mon_commit */
int	 sm_handle_simu_crash(const struct sockaddr *caller);
/* A reboot: advance the state, queue notifications, forget monitors. */
int	 sm_crash(const char *why);

/* store.c */
struct store_replay {
	int		have_state;
	int		state;		/* the highest recorded */
	char		boot_id[37];	/* recorded with it */
	int		state_copies;	/* good records holding it */
	int		highest_seen;	/* in any record, or a set-aside copy */
	int		is_new;		/* no state ever recorded: state 1 */
	int		unknown;	/* state lost: only with --fresh-state */
	int		unreadable;	/* a format this program cannot read */
	int		damaged;	/* bytes skipped, cut off, header bad */
};
#define STORE_NO_STATE	(-2)	/* store_check, store_open: refused */
/* Look before opening: 0, STORE_NO_STATE (logged), or -1 with errno. */
int	 store_check(const char *path, struct store_replay *rp);
int	 store_open(const char *path, struct store_replay *rp);
/* The state to start with (sm_boot_id read); -1 if it was not recorded. */
int	 store_recover(const struct store_replay *rp);
/* Odd, and above any state a statd restarted once a minute reached. */
int	 store_clock_floor(void);
int	 store_state(int state, const char *boot_id);
/* The -M bound: 1 if an entry with these names fits. */
int	 store_mon_fits(const char *mon_name, const char *my_name);
unsigned long long store_live_bytes(void);
int	 store_mon(const struct sm_entry *e, int replaces);
int	 store_unmon(const char *mon_name, const char *my_name,
	    uint32_t prog, uint32_t vers, uint32_t proc);
int	 store_unmon_all(const char *my_name, uint32_t prog, uint32_t vers,
	    uint32_t proc);
int	 store_notify_add(const char *mon_name, int state, int64_t since_ms);
int	 store_notify_done(const char *mon_name);
int	 store_commit(void);
/* Commits that wrote, since start; a test's hook, run before each. */
unsigned long long store_commits(void);
void	 store_set_commit_hook(void (*fn)(void *), void *arg);
int	 store_compact(void);
/* sm_crash's compaction: no entries, every host queued for notification. */
int	 store_compact_crash(int64_t since_ms);
void	 store_use_privsep(void);	/* compact through the root parent */
int	 store_give(uid_t uid, gid_t gid);	/* owner, group, mode */
/*
 * The status file's group: name's, or (name NULL) _hostmon's if that group
 * exists, else user_gid.  0, or -1 with errno (ENOENT: no such group).
 */
int	 store_group(const char *name, gid_t user_gid, gid_t *gid);
int	 store_maybe_compact(void);
void	 store_close(void);
/* rpc.statd -l: print a status file; 0, 1 if damaged, -1 unreadable. */
int	 store_list(const char *path, FILE *out, int json);
/* listjson.c: rpc.statd -l -j, from the tables store_list loaded. */
struct reclog_stats;
void	 list_json(FILE *out, const char *path, const struct reclog_stats *st,
	    int state, const char *boot_id, int copies, unsigned long bad,
	    int damaged);

/* notify.c: pending outgoing notifications. */
void	 notify_init(void);
void	 notify_free(void);
/* Queue mon_name; from replay (no store) or a crash (stored by caller). */
int	 notify_queue(const char *mon_name, int state, int64_t since_ms);
void	 notify_start(void);		/* begin sending */
int	 notify_fds(int fds[2]);		/* sockets for the loop */
void	 notify_input(int fd);
void	 notify_done(const char *mon_name);	/* replay of a 'D' record */
unsigned long notify_pending(void);
typedef void (*notify_fn)(const char *name, int state, int64_t since_ms,
	    void *arg);
void	 notify_foreach(notify_fn fn, void *arg);
/*
 * The retry ladder: given how long ago the first attempt was and how many
 * attempts were made, the delay until the next, or -1 to give up.
 */
int64_t	 notify_next_delay(int64_t elapsed_ms, unsigned attempts);

/* callback.c: an SM_NOTIFY arrived. */
void	 callback_init(void);
int	 callback_fd(void);
void	 callback_input(void);
void	 callback_free(void);
void	 callback_notify(const char *mon_name, int state,
	    const struct sockaddr *sender);
unsigned long callback_pending(void);
unsigned long callback_retries(void);

/* resolve.c */
typedef void (*resolve_fn)(const char *name,
	    const struct sockaddr_storage *addrs, int naddrs, int err,
	    void *arg);
int	 resolve_init(void);
int	 resolve_fd(void);
void	 resolve_dispatch(void);
int	 resolve_start(const char *name, resolve_fn fn, void *arg);
void	 resolve_shutdown(void);

/* timers.c: one-shot timers on the monotonic clock, kept in a heap. */
struct timer {
	int64_t		 due;		/* mono_ms() */
	int		 slot;		/* heap index, -1 when not armed */
	void		(*fn)(struct timer *t, void *arg);
	void		*arg;
};
void	 timer_init(struct timer *t, void (*fn)(struct timer *, void *),
	    void *arg);
void	 timer_set(struct timer *t, int64_t delay_ms);
void	 timer_cancel(struct timer *t);
int	 timer_armed(const struct timer *t);
int	 timers_poll_timeout(void);	/* for poll(): ms, or -1 */
void	 timers_run(void);
void	 timers_free(void);

/*
 * rpcio.c: RPC calls over one non-blocking UDP socket.  The reply is
 * decoded into res with xres; done gets 0, or an errno-like code
 * (EPROTO for a rejected or garbled reply).  Time-outs are the caller's:
 * it cancels the xid when its own timer fires.
 */
struct rpcio;
bool_t	 sm_xdr_void(XDR *xdrs, void *p);
typedef void (*rpcio_done_fn)(void *arg, int err);
struct rpcio *rpcio_new(int family, int reserved_port);
int	 rpcio_fd(const struct rpcio *io);
uint32_t rpcio_call(struct rpcio *io, const struct sockaddr *to,
	    uint32_t prog, uint32_t vers, uint32_t proc, xdrproc_t xargs,
	    void *args, xdrproc_t xres, void *res, rpcio_done_fn done,
	    void *arg);
void	 rpcio_cancel(struct rpcio *io, uint32_t xid);
void	 rpcio_input(struct rpcio *io);
void	 rpcio_free(struct rpcio *io);
unsigned long rpcio_inflight(const struct rpcio *io);

/*
 * import.c: nfs-utils' statd folder (-P), read on the first start.  A line
 * of sm/NAME or sm.bak/NAME: four 8-digit hex fields and blanks (36
 * bytes), 32 hex digits of priv, a blank, mon_name, a blank, my_name.
 */
#define NSM_LINE_FIXED	(4 * 9 + 2 * SM_PRIV_SIZE)
#define NSM_LINE_MAX	(NSM_LINE_FIXED + 2 + 2 * SM_MAXSTRLEN)
#define NSM_FILE_MAX	(256 * 1024)	/* bytes of one sm/ file */
struct nsm_rec {
	uint32_t	 addr, prog, vers, proc;
	unsigned char	 priv[SM_PRIV_SIZE];
	char		 mon_name[SM_MAXSTRLEN + 1];
	char		 my_name[SM_MAXSTRLEN + 1];
};
struct nsm_stats {
	unsigned long	 files, bad_files, lines, bad_lines;
};
typedef void (*nsm_rec_fn)(const char *file, const struct nsm_rec *r,
	    void *arg);
/* One line without its newline (one at the end is allowed); 0 or -1. */
int	 nsm_parse_line(const char *line, size_t len, struct nsm_rec *r);
void	 nsm_parse_buf(const char *buf, size_t len, const char *file,
	    nsm_rec_fn fn, void *arg, struct nsm_stats *st);
/* 0, 1 if dir does not exist, -1 if it cannot be read (logged). */
int	 nsm_read_dir(const char *dir, nsm_rec_fn fn, void *arg,
	    struct nsm_stats *st);
/* 0, 1 if there is no such file, -1 if damaged or unreadable (logged). */
int	 nsm_read_state(const char *path, int *state, int64_t *mtime_s);
int	 import_next_state(int old);
/*
 * On a new status file: import dir's monitors, pending notifications and
 * state into memory and the status file.  1 if something was imported
 * (the state is set), 0 if there was nothing, -1 on failure (logged).
 */
int	 import_nfs_utils(const char *dir);

/*
 * callout.c: -H, nfs-utils' high-availability callout.  callout_queue is a
 * no-op without -H; state < 0 is left out of the arguments.
 */
#define CALLOUT_QUEUE_MAX	100000
int	 callout_set(const char *path);	/* 0, or -1 (logged) */
void	 callout_queue(const char *event, const char *a1, const char *a2,
	    int state);
void	 callout_reap(void);		/* on SIGCHLD */
unsigned long callout_pending(void);	/* waiting or running */
void	 callout_free(void);

/* kernel.c: what the kernel's lockd reads from statd. */
#define NSM_KERNEL_STATE	"/proc/sys/fs/nfs/nsm_local_state"
#define NLM_KERNEL_TCPPORT	"/proc/sys/fs/nfs/nlm_tcpport"
#define NLM_KERNEL_UDPPORT	"/proc/sys/fs/nfs/nlm_udpport"
/* Write a number into an existing /proc file; 0, 1 if absent, -1. */
int	 kernel_write_int(const char *path, int value);

/* svc.c: svc_start() binds (as root), svc_announce() after the drop. */
int	 svc_start(void);
/* Serve a bound socket (a listening one for "tcp"/"tcp6"); 0 or -1. */
int	 svc_add_transport(int fd, const char *netid);
/*
 * After poll() found nready of the svc_pollfd copy in pfd ready: read and
 * answer, committing SM_MON, SM_UNMON and SM_UNMON_ALL by batches.
 */
struct pollfd;
void	 svc_serve(struct pollfd *pfd, int nready);
/* Calls whose replies waited for a group commit, and those commits. */
void	 svc_batch_stats(unsigned long long *calls,
	    unsigned long long *batches);
void	 svc_announce(void);
void	 svc_stop(void);

/* privsep.c */
struct pidfh;
int	 privsep_start(const char *statusfile, uid_t uid, gid_t gid,
	    struct pidfh *pfh);
int	 privsep_replace_cb(const char *path, const void *buf, size_t len,
	    void *arg);
/* The root parent's answer to one replace request, and reading it. */
int	 privsep_serve_replace(int sock, uint64_t len, uint64_t max,
	    const char *path, uid_t uid, gid_t gid);
int	 privsep_answer(int sock);
int	 privsep_active(void);
void	 privsep_watch_parent(void);	/* again after a credential change */
void	 privsep_stop(void);

#endif
