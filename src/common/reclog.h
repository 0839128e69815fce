/*
 * reclog: an append-only file of framed records, replayed on open.
 *
 * Two framings share one API:
 *
 *  RECLOG_BINARY  a 16-byte file header ("HMRECLOG", version, flags), then
 *                 records of  u32 length | u32 crc32c(length, payload) |
 *                 payload,  both integers little-endian.  A damaged record
 *                 (checksum, length, cut short) is skipped: the replay
 *                 resynchronises on the next offset where a whole record
 *                 with a good checksum begins, and logs the bytes it passed
 *                 over with their offsets.  Damage that no good record
 *                 follows is a torn tail.  A header that is not ours is
 *                 damage when good records follow it (it is rewritten).
 *  RECLOG_TEXT    lines "payload\tCCCCCCCC\n" where C is the crc32c of the
 *                 payload in lowercase hex; the payload holds no '\n' (a
 *                 '\t' is harmless: the checksum is read from the end).  A
 *                 damaged line in the middle is reported with its line number
 *                 and skipped (the next '\n' resynchronises); only a cut-off
 *                 last line is a torn tail.  Lines that do not carry a
 *                 checksum at all are passed to the replay function as they
 *                 are, with RECLOG_UNCHECKED (so a log edited by hand still
 *                 reads).
 *
 * Appends are buffered until reclog_commit(), which writes them with one
 * write() and fdatasync()s: a record is durable once commit returns 0.  A
 * text log is opened O_APPEND, so several processes may append (each commit
 * is one write).  A binary log has a single writer process, which writes
 * at its logical end into zeros it filled in ahead (so fdatasync has no
 * file size to update) and does not look at the file between commits:
 * nobody else may write, cut or replace it while it is open.  Zeros where
 * a record header should be mark the end, and a clean reclog_close() gives
 * the unused space back.  Replay and compaction are for the single owner.
 *
 * On open, a torn or corrupt tail is cut off (and said in the log); if any
 * bytes are dropped or skipped, a copy of the file as found is set aside
 * first (statefile_set_aside) for the administrator.  Damage skipped in the
 * middle of a binary log stays in the file until its owner compacts it.  A
 * binary file with no good record and a header that is not ours (or is cut
 * short) is set aside and started afresh; one with a newer version is
 * refused (EPROTO), never cut.  In text, empty lines are ignored.  Only the
 * first few damaged lines or stretches are logged one by one.
 *
 * A crash in the middle of a binary commit may leave a later record of that
 * batch whole after a torn one; the replay keeps it, though no commit of it
 * returned: a record is durable after its commit, and may be there before.
 *
 * Every process takes flock(LOCK_EX) on the file to replay, commit or
 * compact, and a commit that finds the path renamed over (a compaction by
 * another process) reopens it, so concurrent appenders lose nothing.
 * Compaction writes only what emit() gives, so records other processes
 * appended are dropped by it; compact only what the caller owns entirely.
 * reclog_open removes leftover temporary files of a killed compaction.
 */
#ifndef HM_RECLOG_H
#define HM_RECLOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum reclog_framing { RECLOG_BINARY, RECLOG_TEXT };

#define RECLOG_UNCHECKED	0x1	/* text line without a checksum */

/*
 * Called for each good record during replay; rec is valid only during the
 * call (it points into the read buffer).  where says where the record is,
 * for messages about its content: its line number (from 1) in a text log,
 * its byte offset in a binary one.  Return 0 to go on, -1 to stop the open
 * with an error (errno set by the callee).  fn may be NULL.
 */
typedef int (*reclog_replay_fn)(const void *rec, size_t len, int flags,
    uint64_t where, void *arg);

struct reclog_stats {
	uint64_t	records;	/* replayed */
	uint64_t	bad_skipped;	/* damaged lines (text), or damaged
					   stretches between good records
					   (binary), skipped */
	uint64_t	bytes_skipped;	/* binary: bytes in those stretches */
	uint64_t	tail_dropped;	/* bytes cut off the end */
	int		bad_header;	/* binary: the file header was damaged
					   and good records followed it */
	off_t		size;		/* bytes after open */
	char		*set_aside;	/* copy of the bad file, or NULL (owned
					   by the reclog, freed on close) */
};

struct reclog;

/*
 * Open (creating if absent, with mode) and replay path.  max_reclen bounds a
 * record's payload (at most 1 GiB): a larger length is corruption.  stats
 * may be NULL.  NULL with errno on failure.
 */
struct reclog *reclog_open(const char *path, enum reclog_framing framing,
    size_t max_reclen, mode_t mode, reclog_replay_fn fn, void *arg,
    struct reclog_stats *stats);

/* Buffer one record.  -1 with EINVAL if too long (or, in text, has '\n'). */
int	reclog_append(struct reclog *rl, const void *rec, size_t len);
/* Write and fdatasync what was appended.  -1 with errno; then the buffered
   records are dropped and the file is cut back to its last durable size. */
int	reclog_commit(struct reclog *rl);
/* Records buffered but not committed. */
size_t	reclog_pending(const struct reclog *rl);

/*
 * Rewrite the log with only the live records, by durable replace.  emit is
 * called once and must call reclog_append() on the same reclog for each
 * live record; the new file then replaces the old one.  Pending records are
 * committed first.  On failure the old file stays in use.
 */
typedef int (*reclog_emit_fn)(struct reclog *rl, void *arg);
int	reclog_compact(struct reclog *rl, reclog_emit_fn emit, void *arg);

/*
 * For a process that cannot create files in the log's folder (a daemon
 * after dropping privileges): compaction then builds the new file in
 * memory and calls replace(path, buf, len, arg), which must replace path
 * durably with those bytes and return a descriptor open O_RDWR on the new
 * file (O_APPEND is cleared for binary logs, which write at their own
 * end), or -1 with errno (the old file then stays in use).
 */
typedef int (*reclog_replace_fn)(const char *path, const void *buf,
    size_t len, void *arg);
void	reclog_set_replace(struct reclog *rl, reclog_replace_fn fn, void *arg);

/*
 * Replay path without changing it (no cut, no header written, no copy set
 * aside), under a shared lock, for tools that only look.  stats->
 * tail_dropped says what an open would cut; skipped damage is logged and
 * counted as by an open.  0, or -1 with errno.
 */
int	reclog_replay_file(const char *path, enum reclog_framing framing,
    size_t max_reclen, reclog_replay_fn fn, void *arg,
    struct reclog_stats *stats);

off_t	reclog_size(const struct reclog *rl);	/* committed bytes */
/* The open file, for fchown/fchmod; it changes when compaction replaces it. */
int	reclog_fileno(const struct reclog *rl);
const char *reclog_path(const struct reclog *rl);
const struct reclog_stats *reclog_stats(const struct reclog *rl);
/* Records appended but not committed are dropped. */
void	reclog_close(struct reclog *rl);

/* CRC-32C (Castagnoli), as used in the framing; exposed for tests. */
uint32_t crc32c(uint32_t crc, const void *buf, size_t len);

#endif
