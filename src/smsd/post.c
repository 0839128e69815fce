/*
 * post: the posting socket's datagram, "key=value" lines:
 *
 *	name=hostmon.samd.outage
 *	priority=400		(0..700 or a name: error, warning, ...)
 *	message=free text	(optional, printable, at most 1024 bytes)
 *
 * Each key at most once, nothing else; a malformed datagram is refused
 * whole, with the reason logged by the caller.  Names under "hostmon."
 * and "sys." are taken only from the uids smsd.conf trusts (events.c
 * checks the sender's credentials).
 */
#include <stdio.h>
#include <string.h>

#include "smsd.h"

static int
printable(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		/* Bytes above 0x7f pass so UTF-8 text survives; jansson
		   refuses invalid UTF-8 later and the event is dropped. */
		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	return 1;
}

int
post_parse(const void *buf, size_t len, struct post_msg *m, const char **why)
{
	const char *p = buf, *end = p + len, *nl, *eq;
	int have_name = 0, have_pri = 0, have_msg = 0;
	char pri[16];
	size_t klen, vlen;

	memset(m, 0, sizeof(*m));
	if (len == 0 || len > POST_MAX) {
		*why = len == 0 ? "empty message" : "message too long";
		return -1;
	}
	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (nl == p) {
			p++;
			continue;
		}
		if ((eq = memchr(p, '=', (size_t)(nl - p))) == NULL) {
			*why = "line without '='";
			return -1;
		}
		klen = (size_t)(eq - p);
		vlen = (size_t)(nl - eq - 1);
		if (klen == 4 && memcmp(p, "name", 4) == 0) {
			if (have_name++ || !event_name_valid(eq + 1, vlen)) {
				*why = "bad or repeated name";
				return -1;
			}
			memcpy(m->name, eq + 1, vlen);
			m->name[vlen] = '\0';
		} else if (klen == 8 && memcmp(p, "priority", 8) == 0) {
			if (have_pri++ || vlen == 0 || vlen >= sizeof(pri)) {
				*why = "bad or repeated priority";
				return -1;
			}
			memcpy(pri, eq + 1, vlen);
			pri[vlen] = '\0';
			if (priority_parse(pri, &m->priority) == -1) {
				*why = "bad priority";
				return -1;
			}
		} else if (klen == 7 && memcmp(p, "message", 7) == 0) {
			if (have_msg++ || vlen > EVENT_MSG_MAX ||
			    !printable(eq + 1, vlen)) {
				*why = "bad or repeated message";
				return -1;
			}
			memcpy(m->message, eq + 1, vlen);
			m->message[vlen] = '\0';
		} else {
			*why = "unknown key";
			return -1;
		}
		p = nl + 1;
	}
	if (!have_name || !have_pri) {
		*why = "name and priority are required";
		return -1;
	}
	return 0;
}

int
post_name_reserved(const char *name)
{
	static const char *const prefixes[] = { "hostmon.", "sys." };
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

int
post_encode(const struct post_msg *m, char *buf, size_t bufsz)
{
	size_t nlen = strlen(m->name), mlen = strlen(m->message), need;

	if (!event_name_valid(m->name, nlen) || mlen > EVENT_MSG_MAX ||
	    !printable(m->message, mlen) || m->priority < 0 ||
	    m->priority > 700)
		return -1;
	need = 5 + nlen + 1 + 13 + 8 + mlen + 1;
	if (need + 1 > bufsz || need > POST_MAX)
		return -1;
	return snprintf(buf, bufsz, "name=%s\npriority=%d\nmessage=%s\n",
	    m->name, m->priority, m->message);
}
