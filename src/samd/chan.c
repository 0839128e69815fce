/*
 * chan: framing and checking of samsigd's messages to samd.
 *
 * Header, little-endian: magic u16 | version u8 | type u8 | body length
 * u16 | reserved u16 | sequence u32 | crc32c u32 (over the header with
 * this field zero, and the body).  Bodies are fixed layouts, decoded field
 * by field so neither side trusts the other's struct padding.
 */
#include <sys/socket.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "chan.h"
#include "reclog.h"
#include "sam.h"

static void
put16(unsigned char *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void
put32(unsigned char *p, uint32_t v)
{
	put16(p, (uint16_t)(v & 0xffff));
	put16(p + 2, (uint16_t)(v >> 16));
}

static uint16_t
get16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16;
}

int
sam_msg_encode(const struct sam_msg *m, unsigned char *buf, size_t bufsz)
{
	size_t total = SAM_MSG_HDR + m->len;

	if (m->len > sizeof(m->body) || bufsz < total) {
		errno = EMSGSIZE;
		return -1;
	}
	put16(buf, SAM_MSG_MAGIC);
	buf[2] = SAM_MSG_VERSION;
	buf[3] = m->type;
	put16(buf + 4, m->len);
	put16(buf + 6, 0);
	put32(buf + 8, m->seq);
	put32(buf + 12, 0);
	memcpy(buf + SAM_MSG_HDR, m->body, m->len);
	put32(buf + 12, crc32c(0, buf, total));
	return (int)total;
}

int
sam_msg_decode(const unsigned char *buf, size_t n, struct sam_msg *m,
    const char **why)
{
	unsigned char copy[SAM_MSG_MAX];
	uint16_t len;

	if (n < SAM_MSG_HDR || n > SAM_MSG_MAX) {
		*why = "bad length";
		return -1;
	}
	if (get16(buf) != SAM_MSG_MAGIC || buf[2] != SAM_MSG_VERSION) {
		*why = "bad magic or version";
		return -1;
	}
	len = get16(buf + 4);
	if ((size_t)len + SAM_MSG_HDR != n) {
		*why = "length does not match the datagram";
		return -1;
	}
	memcpy(copy, buf, n);
	put32(copy + 12, 0);
	if (crc32c(0, copy, n) != get32(buf + 12)) {
		*why = "checksum mismatch";
		return -1;
	}
	m->type = buf[3];
	m->len = len;
	m->seq = get32(buf + 8);
	memcpy(m->body, buf + SAM_MSG_HDR, len);
	return 0;
}

/* Text into a zeroed fixed-size field, always NUL-terminated. */
static void
put_text(unsigned char *p, size_t field, const char *s)
{
	size_t len = strnlen(s, field - 1);

	memset(p, 0, field);
	memcpy(p, s, len);
}

/* A NUL-terminated text of at most max bytes, from a fixed-size field. */
static int
get_text(const unsigned char *p, size_t field, char *out)
{
	const unsigned char *nul = memchr(p, '\0', field);

	if (nul == NULL)
		return -1;
	memcpy(out, p, (size_t)(nul - p) + 1);
	return 0;
}

int
sam_msg_put_hello(struct sam_msg *m, const struct sam_msg_hello *h)
{
	m->type = SAM_MSG_HELLO;
	m->len = 4 + sizeof(h->mode);
	put32(m->body, h->pid);
	put_text(m->body + 4, sizeof(h->mode), h->mode);
	return 0;
}

int
sam_msg_get_hello(const struct sam_msg *m, struct sam_msg_hello *h)
{
	if (m->type != SAM_MSG_HELLO || m->len != 4 + sizeof(h->mode))
		return -1;
	h->pid = get32(m->body);
	return get_text(m->body + 4, sizeof(h->mode), h->mode);
}

int
sam_msg_put_signal(struct sam_msg *m, const struct sam_msg_signal *s)
{
	m->type = SAM_MSG_SIGNAL;
	m->len = 12;
	put32(m->body, s->signo);
	put32(m->body + 4, s->pid);
	put32(m->body + 8, s->uid);
	return 0;
}

int
sam_msg_get_signal(const struct sam_msg *m, struct sam_msg_signal *s)
{
	if (m->type != SAM_MSG_SIGNAL || m->len != 12)
		return -1;
	s->signo = get32(m->body);
	s->pid = get32(m->body + 4);
	s->uid = get32(m->body + 8);
	return 0;
}

static void
put64(unsigned char *p, int64_t v)
{
	put32(p, (uint32_t)((uint64_t)v & 0xffffffffU));
	put32(p + 4, (uint32_t)((uint64_t)v >> 32));
}

static int64_t
get64(const unsigned char *p)
{
	return (int64_t)((uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32);
}

#define CLINFO_LEN	(1 + 4 + 4 + 8 + 8 + 65)

int
sam_msg_put_clinfo(struct sam_msg *m, const struct sam_msg_clinfo *c)
{
	m->type = SAM_MSG_CLINFO;
	m->len = CLINFO_LEN;
	m->body[0] = c->mode;
	put32(m->body + 1, c->nodeid);
	put32(m->body + 5, c->detection_ms);
	put64(m->body + 9, c->time_ms);
	put64(m->body + 17, c->gap_start_ms);
	put_text(m->body + 25, 65, c->cluster);
	return 0;
}

int
sam_msg_get_clinfo(const struct sam_msg *m, struct sam_msg_clinfo *c,
    const char **why)
{
	const char *fwhy;

	if (m->type != SAM_MSG_CLINFO || m->len != CLINFO_LEN) {
		*why = "bad cluster message length";
		return -1;
	}
	c->mode = m->body[0];
	c->nodeid = get32(m->body + 1);
	c->detection_ms = get32(m->body + 5);
	c->time_ms = get64(m->body + 9);
	c->gap_start_ms = get64(m->body + 17);
	if (get_text(m->body + 25, 65, c->cluster) == -1) {
		*why = "unterminated text";
		return -1;
	}
	if (c->mode > SAM_CL_DISCONNECTED || c->time_ms < 0 ||
	    c->gap_start_ms < 0 || c->detection_ms > 3600 * 1000 ||
	    sam_field_check(c->cluster, strlen(c->cluster), 64, 1,
	    &fwhy) == -1) {
		*why = "bad mode, time or cluster name";
		return -1;
	}
	return 0;
}

#define STATE_LEN	(8 + 2 + 65 + 129)

int
sam_msg_put_state(struct sam_msg *m, uint8_t type,
    const struct sam_msg_state *s)
{
	if (type != SAM_MSG_NODE && type != SAM_MSG_CLUS) {
		errno = EINVAL;
		return -1;
	}
	m->type = type;
	m->len = STATE_LEN;
	put64(m->body, s->time_ms);
	m->body[8] = s->state;
	m->body[9] = s->plan;
	put_text(m->body + 10, 65, s->name);
	put_text(m->body + 75, 129, s->msg);
	return 0;
}

int
sam_msg_get_state(const struct sam_msg *m, struct sam_msg_state *s,
    const char **why)
{
	const char *fwhy;

	if ((m->type != SAM_MSG_NODE && m->type != SAM_MSG_CLUS) ||
	    m->len != STATE_LEN) {
		*why = "bad state message length";
		return -1;
	}
	s->time_ms = get64(m->body);
	s->state = m->body[8];
	s->plan = m->body[9];
	if (get_text(m->body + 10, 65, s->name) == -1 ||
	    get_text(m->body + 75, 129, s->msg) == -1) {
		*why = "unterminated text";
		return -1;
	}
	/* Times as the event log reads them back: up to the year 9999. */
	if (s->time_ms < 0 || s->time_ms / 1000 > SAM_TIME_MAX ||
	    s->state > SAM_GONE || s->plan > SAM_UNPLANNED) {
		*why = "bad time, state or planned field";
		return -1;
	}
	if (sam_field_check(s->name, strlen(s->name), SAM_NAME_MAX, 0,
	    &fwhy) == -1 || strchr(s->name, ' ') != NULL ||
	    sam_field_check(s->msg, strlen(s->msg), 128, 1, &fwhy) == -1) {
		*why = "bad name or message";
		return -1;
	}
	return 0;
}

int
sam_msg_send(int fd, const struct sam_msg *m)
{
	unsigned char buf[SAM_MSG_MAX];
	ssize_t n;
	int len;

	if ((len = sam_msg_encode(m, buf, sizeof(buf))) == -1)
		return -1;
	do {
		n = send(fd, buf, (size_t)len, MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	if (n != len) {
		if (n >= 0)
			errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

int
sam_msg_recv(int fd, struct sam_msg *m, const char **why)
{
	unsigned char buf[SAM_MSG_MAX + 1];
	ssize_t n;

	do {
		n = recv(fd, buf, sizeof(buf), MSG_TRUNC);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if (n == 0)
		return 0;
	if ((size_t)n > SAM_MSG_MAX) {
		*why = "datagram too long";
		errno = EBADMSG;
		return -1;
	}
	if (sam_msg_decode(buf, (size_t)n, m, why) == -1) {
		errno = EBADMSG;
		return -1;
	}
	return 1;
}
