/*
 * evlog: writing the event log.
 *
 * ORDER: take evlock, open (and so repair) the log, choose the id, append
 * and commit, record the id in evseq, let go of evlock.  The reclog's own
 * flock only covers one commit; evlock covers choosing the id too, which
 * is what keeps two writers from giving the same id.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "reclog.h"
#include "sam.h"
#include "statefile.h"
#include "timeutil.h"

struct scan {
	uint64_t	 records;
	uint64_t	 maxid;
	int		 first_is_version;
	unsigned	 version;
	uint64_t	 want;		/* an id that must exist, or 0 */
	int		 found;
	uint64_t	 unparsable;
	uint64_t	 first_bad;	/* its line */
	const char	*first_why;
};

static int
scan_one(const void *rec, size_t len, int flags, uint64_t where,
    void *arg)
{
	struct scan *s = arg;
	struct sam_rec r;
	const char *why;

	(void)flags;
	s->records++;
	if (sam_rec_parse(rec, len, &r, &why) == -1) {
		/* Skipped, and said once per open (see open_log). */
		if (s->unparsable++ == 0) {
			s->first_bad = where;
			s->first_why = why;
		}
		return 0;
	}
	if (r.kind == 'V') {
		if (s->records == 1)
			s->first_is_version = 1;
		if (r.version > s->version)
			s->version = r.version;
		return 0;
	}
	if (r.evid > s->maxid)
		s->maxid = r.evid;
	if (r.kind == 'E' && s->want != 0 && r.evid == s->want)
		s->found = 1;
	return 0;
}

static int
lock_ids(const struct sam_paths *p)
{
	int fd;

	if (sam_mkdirs(p) == -1)
		return -1;
	if ((fd = open(p->evlock, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		return -1;
	while (flock(fd, LOCK_EX) == -1) {
		if (errno != EINTR) {
			int saved = errno;

			close(fd);
			errno = saved;
			return -1;
		}
	}
	return fd;
}

/*
 * The highest id given, or 0.  Only digits up to SAM_EVID_MAX: sscanf
 * would take "-1" as 2^64 - 1, and one damaged file would then refuse
 * every later event for want of an id.
 */
static uint64_t
read_seq(const char *path)
{
	char *buf, *p;
	uint64_t v = 0;
	size_t n;

	if ((buf = statefile_read(path, 64, NULL)) == NULL) {
		if (errno != ENOENT)
			log_warn("%s", path);
		return 0;
	}
	n = strspn(buf, "0123456789");
	p = buf + n;
	if (n == 0 || n > 19 || (*p != '\0' && strcmp(p, "\n") != 0))
		n = 0;
	else {
		v = strtoull(buf, NULL, 10);
		if (v > SAM_EVID_MAX)
			n = 0;
	}
	if (n == 0) {
		log_warnx("%s: not an event id, ignored", path);
		v = 0;
	}
	free(buf);
	return v;
}

static int
write_seq(const char *path, uint64_t v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", v);

	return statefile_replace(path, buf, (size_t)n, 0600);
}

/* Called with evlock held. */
static struct reclog *
open_log(const struct sam_paths *p, struct scan *s)
{
	struct reclog_stats st;
	struct reclog *rl;
	char vline[32];
	int n;

	rl = reclog_open(p->eventlog, RECLOG_TEXT, SAM_REC_MAX, 0644,
	    scan_one, s, &st);
	if (rl == NULL)
		return NULL;
	if (s->unparsable > 0)
		log_warnx("%s: %" PRIu64 " line%s not parse and %s skipped "
		    "(first: line %" PRIu64 ", %s)", p->eventlog,
		    s->unparsable, s->unparsable == 1 ? " does" : "s do",
		    s->unparsable == 1 ? "was" : "were", s->first_bad,
		    s->first_why);
	if (s->version > SAM_LOG_VERSION) {
		log_warnx("%s: format version %u, this program writes %d",
		    p->eventlog, s->version, SAM_LOG_VERSION);
		reclog_close(rl);
		errno = EPROTO;
		return NULL;
	}
	if (st.size == 0) {
		n = sam_version_format(vline, sizeof(vline));
		if (reclog_append(rl, vline, (size_t)n) == -1) {
			reclog_close(rl);
			return NULL;
		}
	} else if (!s->first_is_version)
		log_warnx("%s: does not begin with a format version line",
		    p->eventlog);
	return rl;
}

int
sam_evlog_write(const struct sam_paths *p, struct sam_event *ev)
{
	struct scan s;
	struct reclog *rl = NULL;
	char buf[SAM_REC_MAX + 1];
	uint64_t seq;
	int lfd, n, r = -1, saved;

	memset(&s, 0, sizeof(s));
	if (ev->kind == 'M')
		s.want = ev->evid;
	if ((lfd = lock_ids(p)) == -1)
		return -1;
	if ((rl = open_log(p, &s)) == NULL)
		goto out;
	if (ev->kind == 'M' && !s.found) {
		errno = ENOENT;
		goto out;
	}
	seq = read_seq(p->evseq);
	if (ev->kind == 'E') {
		if (seq > s.maxid)
			s.maxid = seq;
		/* A higher id would be written and never read back. */
		if (s.maxid >= SAM_EVID_MAX) {
			log_warnx("%s: event id %" PRIu64 " is the highest a "
			    "reader accepts; no id is left", p->eventlog,
			    s.maxid);
			errno = EOVERFLOW;
			goto out;
		}
		ev->evid = s.maxid + 1;
	}
	ev->logtime = real_ms() / 1000;
	if ((n = sam_rec_format(ev, buf, sizeof(buf))) == -1)
		goto out;
	if (reclog_append(rl, buf, (size_t)n) == -1 ||
	    reclog_commit(rl) == -1)
		goto out;
	/* After the commit: a crash in between is caught by maxid. */
	if (ev->kind == 'E' && write_seq(p->evseq, ev->evid) == -1)
		log_warn("%s", p->evseq);
	r = 0;
out:
	saved = errno;
	if (rl != NULL)
		reclog_close(rl);
	close(lfd);
	errno = saved;
	return r;
}

int
sam_evlog_ensure(const struct sam_paths *p)
{
	struct scan s;
	struct reclog *rl;
	struct stat st;
	int lfd, r = 0, saved;

	if (stat(p->eventlog, &st) == 0 && st.st_size > 0)
		return 0;
	if ((lfd = lock_ids(p)) == -1)
		return -1;
	memset(&s, 0, sizeof(s));
	if (stat(p->eventlog, &st) == 0 && st.st_size > 0)
		goto out;
	if ((rl = open_log(p, &s)) == NULL) {
		r = -1;
		goto out;
	}
	if (reclog_commit(rl) == -1)
		r = -1;
	else
		r = 1;
	reclog_close(rl);
out:
	saved = errno;
	close(lfd);
	errno = saved;
	return r;
}
