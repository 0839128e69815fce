/*
 * hbfile: samd's heartbeat and its markers.
 *
 * A heartbeat is written every few seconds for as long as samd lives, so
 * it must be cheap: one pwrite and one fdatasync, not a durable replace
 * (three fsyncs and a rename).  Two checksummed slots are written in turn;
 * a write torn by a crash spoils only the slot being written, and the
 * reader takes the valid slot with the higher sequence number.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reclog.h"
#include "sam.h"
#include "statefile.h"

#define HB_MAGIC	0x5341484bU	/* "SAHK" */
#define HB_VERSION	1
#define HB_SLOT		128

struct sam_hbfile {
	int	fd;
};

/* Little-endian, fixed offsets: the file outlives the binary. */
static void
put64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void
encode(const struct sam_hb *hb, unsigned char *s)
{
	memset(s, 0, HB_SLOT);
	put64(s, HB_MAGIC | (uint64_t)HB_VERSION << 32);
	put64(s + 8, hb->seq);
	put64(s + 16, (uint64_t)hb->real_ms);
	put64(s + 24, (uint64_t)hb->boot_ms);
	put64(s + 32, (uint64_t)hb->interval | (uint64_t)hb->pid << 32);
	memcpy(s + 40, hb->boot_id, 36);
	put64(s + HB_SLOT - 8, crc32c(0, s, HB_SLOT - 8));
}

static int
decode(const unsigned char *s, struct sam_hb *hb)
{
	uint64_t v;

	if (get64(s) != (HB_MAGIC | (uint64_t)HB_VERSION << 32) ||
	    get64(s + HB_SLOT - 8) != crc32c(0, s, HB_SLOT - 8))
		return -1;
	hb->seq = get64(s + 8);
	hb->real_ms = (int64_t)get64(s + 16);
	hb->boot_ms = (int64_t)get64(s + 24);
	v = get64(s + 32);
	hb->interval = (uint32_t)v;
	hb->pid = (uint32_t)(v >> 32);
	memcpy(hb->boot_id, s + 40, 36);
	hb->boot_id[36] = '\0';
	/*
	 * The checksum says the slot is whole, not that its writer was
	 * sane: a time no event can carry would become one (samd dates its
	 * start events by it), so such a slot is no heartbeat.
	 */
	if (hb->real_ms < 0 || hb->real_ms / 1000 > SAM_TIME_MAX ||
	    hb->boot_ms < 0)
		return -1;
	return 0;
}

/*
 * open(2) for the heartbeat: no link followed, no FIFO waited on, and
 * only a regular file kept (EINVAL otherwise).
 */
static int
open_regular(const char *path, int flags, mode_t mode)
{
	struct stat st;
	int fd;

	if ((fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC, mode)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

int
sam_hb_read(const char *path, struct sam_hb *out)
{
	unsigned char buf[2 * HB_SLOT];
	struct sam_hb hb[2];
	ssize_t n;
	int fd, ok0, ok1;

	if ((fd = open_regular(path, O_RDONLY, 0)) == -1)
		return -1;
	n = pread(fd, buf, sizeof(buf), 0);
	close(fd);
	if (n < 0)
		return -1;
	ok0 = n >= HB_SLOT && decode(buf, &hb[0]) == 0;
	ok1 = n >= 2 * HB_SLOT && decode(buf + HB_SLOT, &hb[1]) == 0;
	if (!ok0 && !ok1) {
		errno = ENODATA;
		return -1;
	}
	if (ok0 && (!ok1 || hb[0].seq > hb[1].seq))
		*out = hb[0];
	else
		*out = hb[1];
	return 0;
}

struct sam_hbfile *
sam_hb_open(const char *path)
{
	struct sam_hbfile *h;
	struct stat st;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	if ((h->fd = open_regular(path, O_RDWR | O_CREAT, 0600)) == -1 ||
	    fstat(h->fd, &st) == -1) {
		int saved = errno;

		if (h->fd != -1)
			close(h->fd);
		free(h);
		errno = saved;
		return NULL;
	}
	/* A new file's name must be durable before a slot is trusted. */
	if (st.st_size == 0)
		fsync_parent(path);
	return h;
}

int
sam_hb_write(struct sam_hbfile *h, struct sam_hb *hb)
{
	unsigned char s[HB_SLOT];
	ssize_t n;

	encode(hb, s);
	do {
		n = pwrite(h->fd, s, sizeof(s), (off_t)(hb->seq % 2) * HB_SLOT);
	} while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof(s)) {
		if (n >= 0)
			errno = EIO;
		return -1;
	}
	return fdatasync(h->fd);
}

void
sam_hb_close(struct sam_hbfile *h)
{
	if (h == NULL)
		return;
	close(h->fd);
	free(h);
}

int
sam_clean_write(const char *path, const struct sam_clean *c)
{
	char buf[128];
	int n;

	n = snprintf(buf, sizeof(buf), "%s %" PRId64 " %s\n", c->boot_id,
	    c->time, c->why == SAM_STOP_ADMIN ? "admin" : "shutdown");
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		errno = EINVAL;
		return -1;
	}
	return statefile_replace(path, buf, (size_t)n, 0600);
}

int
sam_clean_read(const char *path, struct sam_clean *c)
{
	char *buf, *end, id[37], num[24], why[16];
	long long t = -1;
	int r = -1;

	if ((buf = statefile_read(path, 256, NULL)) == NULL)
		return -1;
	/* The number by strtoll: sscanf's %lld has no defined overflow. */
	if (sscanf(buf, "%36s %23s %15s", id, num, why) == 3 &&
	    num[0] >= '0' && num[0] <= '9') {
		errno = 0;
		t = strtoll(num, &end, 10);
		if (errno != 0 || *end != '\0')
			t = -1;
	}
	if (t >= 0 && t <= SAM_TIME_MAX && strlen(id) == 36 &&
	    (strcmp(why, "admin") == 0 || strcmp(why, "shutdown") == 0)) {
		memcpy(c->boot_id, id, 37);
		c->time = t;
		c->why = why[0] == 'a' ? SAM_STOP_ADMIN : SAM_STOP_SHUTDOWN;
		r = 0;
	} else
		errno = EINVAL;
	free(buf);
	return r;
}

int
sam_stopped_write(const char *path, const char *boot_id)
{
	char buf[40];
	int n = snprintf(buf, sizeof(buf), "%.36s\n", boot_id);

	return statefile_replace(path, buf, (size_t)n, 0600);
}

int
sam_stopped_matches(const char *path, const char *boot_id)
{
	char *buf;
	int r;

	if ((buf = statefile_read(path, 64, NULL)) == NULL)
		return 0;
	r = strncmp(buf, boot_id, 36) == 0 && strlen(boot_id) == 36;
	free(buf);
	return r;
}

int
sam_remove_durably(const char *path)
{
	if (unlink(path) == -1)
		return errno == ENOENT ? 0 : -1;
	return fsync_parent(path);
}
