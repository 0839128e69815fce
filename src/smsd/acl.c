/*
 * acl: the access list, addresses with prefix lengths.  IPv4-mapped IPv6
 * peers are matched as IPv4, so a dual-stack listener needs no second list.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smsd.h"

int
acl_add(struct acl *acl, const char *spec)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	struct acl_entry e;
	long prefix = -1;

	if (acl->n >= SMSD_MAX_ACL || strlen(spec) >= sizeof(buf)) {
		errno = acl->n >= SMSD_MAX_ACL ? ENOSPC : EINVAL;
		return -1;
	}
	strcpy(buf, spec);
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash++ = '\0';
		errno = 0;
		prefix = strtol(slash, &end, 10);
		/* Bounded before any cast: /4294967296 must not wrap to /0. */
		if (*slash == '\0' || *end != '\0' || prefix < 0 ||
		    prefix > 128 || errno) {
			errno = EINVAL;
			return -1;
		}
	}
	memset(&e, 0, sizeof(e));
	if (inet_pton(AF_INET, buf, e.addr) == 1) {
		e.family = AF_INET;
		e.prefix = prefix < 0 ? 32 : (int)prefix;
		if (e.prefix > 32) {
			errno = EINVAL;
			return -1;
		}
	} else if (inet_pton(AF_INET6, buf, e.addr) == 1) {
		e.family = AF_INET6;
		e.prefix = prefix < 0 ? 128 : (int)prefix;
		if (e.prefix > 128) {
			errno = EINVAL;
			return -1;
		}
	} else {
		errno = EINVAL;
		return -1;
	}
	acl->e[acl->n++] = e;
	return 0;
}

void
acl_loopback(struct acl *acl)
{
	acl->n = 0;
	(void)acl_add(acl, "127.0.0.0/8");
	(void)acl_add(acl, "::1");
}

static int
prefix_match(const uint8_t *a, const uint8_t *b, int bits)
{
	int full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a[full] ^ b[full]) & (0xff << (8 - rest))) == 0;
}

int
acl_permits(const struct acl *acl, const struct sockaddr *sa)
{
	const uint8_t *addr;
	int family, i;
	static const uint8_t mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };

	if (sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		family = AF_INET;
		addr = (const uint8_t *)&((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		addr = ((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_addr.s6_addr;
		family = AF_INET6;
		if (memcmp(addr, mapped, sizeof(mapped)) == 0) {
			family = AF_INET;
			addr += 12;
		}
	} else
		return 0;
	for (i = 0; i < acl->n; i++)
		if (acl->e[i].family == family &&
		    prefix_match(acl->e[i].addr, addr, acl->e[i].prefix))
			return 1;
	return 0;
}

/* Here because every object that logs a refusal links acl.o. */
const char *
more(unsigned long n, char *buf)
{
	if (n == 0)
		return "";
	snprintf(buf, 48, " (%lu more not logged)", n);
	return buf;
}
