/*
 * Name checks and address helpers.  Nothing here resolves a name: the loop
 * must never wait for a resolver, so "is this name local" is answered from
 * names and addresses gathered at start-up.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "statd.h"

/*
 * A name a lock manager may give: 1..SM_MAXSTRLEN printable bytes, no '/'
 * (it must never become a path), not starting with '.' (no "." or "..").
 * len is the XDR length, so an embedded NUL fails too.
 */
int
sm_name_valid(const char *name, size_t len)
{
	size_t i;

	if (name == NULL || len == 0 || len > SM_MAXSTRLEN)
		return 0;
	if (strlen(name) != len || name[0] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= ' ' || c >= 0x7f || c == '/')
			return 0;
	}
	return 1;
}

static char	**local_names;
static size_t	  nlocal_names;
static struct sockaddr_storage *local_addrs;
static size_t	  nlocal_addrs;

static void
add_local_name(const char *name)
{
	char **p;

	if (name == NULL || *name == '\0')
		return;
	p = reallocarray(local_names, nlocal_names + 1, sizeof(*p));
	if (p == NULL)
		fatal("local names");
	local_names = p;
	if ((local_names[nlocal_names] = strdup(name)) == NULL)
		fatal("local names");
	nlocal_names++;
}

/*
 * Gather the names and addresses that mean "this host": localhost, the
 * node name (and its first label), -n, and every interface address.
 */
void
sm_local_names_init(const char *myname)
{
	struct utsname u;
	struct ifaddrs *ifa, *i;
	char *dot;

	sm_local_names_free();
	add_local_name("localhost");
	add_local_name("localhost.localdomain");
	add_local_name(myname);
	if (uname(&u) == 0) {
		add_local_name(u.nodename);
		if ((dot = strchr(u.nodename, '.')) != NULL) {
			*dot = '\0';
			add_local_name(u.nodename);
		}
	}
	if (getifaddrs(&ifa) == -1) {
		log_warn("getifaddrs");
		return;
	}
	for (i = ifa; i != NULL; i = i->ifa_next) {
		struct sockaddr_storage *p;

		if (i->ifa_addr == NULL || (i->ifa_addr->sa_family != AF_INET &&
		    i->ifa_addr->sa_family != AF_INET6))
			continue;
		p = reallocarray(local_addrs, nlocal_addrs + 1, sizeof(*p));
		if (p == NULL)
			fatal("local addresses");
		local_addrs = p;
		memset(&local_addrs[nlocal_addrs], 0, sizeof(*p));
		memcpy(&local_addrs[nlocal_addrs], i->ifa_addr,
		    i->ifa_addr->sa_family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
		nlocal_addrs++;
	}
	freeifaddrs(ifa);
}

void
sm_local_names_free(void)
{
	size_t i;

	for (i = 0; i < nlocal_names; i++)
		free(local_names[i]);
	free(local_names);
	free(local_addrs);
	local_names = NULL;
	local_addrs = NULL;
	nlocal_names = nlocal_addrs = 0;
}

/*
 * my_name in SM_MON must name this host: statd calls back only locally and
 * refuses to be told otherwise, so it cannot be used to relay calls.
 */
int
sm_name_is_local(const char *name)
{
	struct sockaddr_storage ss;
	size_t i;

	for (i = 0; i < nlocal_names; i++)
		if (strcasecmp(name, local_names[i]) == 0)
			return 1;
	if (sm_parse_numeric(name, &ss) == -1)
		return 0;
	if (sm_addr_is_loopback((struct sockaddr *)&ss))
		return 1;
	for (i = 0; i < nlocal_addrs; i++)
		if (sm_addr_equal((struct sockaddr *)&ss,
		    (struct sockaddr *)&local_addrs[i]))
			return 1;
	return 0;
}

int
sm_addr_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
			return 1;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			return s6->sin6_addr.s6_addr[12] == 127;
	}
	return 0;
}

/* Same host address, ignoring ports; a v4-mapped v6 equals its v4. */
int
sm_addr_equal(const struct sockaddr *a, const struct sockaddr *b)
{
	struct in_addr a4 = { 0 }, b4 = { 0 };
	int av4 = 0, bv4 = 0;

	if (a->sa_family == AF_INET6 && b->sa_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a;
		const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)b;

		return memcmp(&x->sin6_addr, &y->sin6_addr,
		    sizeof(x->sin6_addr)) == 0;
	}
	if (a->sa_family == AF_INET) {
		a4 = ((const struct sockaddr_in *)a)->sin_addr;
		av4 = 1;
	} else if (a->sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(
	    &((const struct sockaddr_in6 *)a)->sin6_addr)) {
		memcpy(&a4, &((const struct sockaddr_in6 *)a)->sin6_addr.s6_addr[12], 4);
		av4 = 1;
	}
	if (b->sa_family == AF_INET) {
		b4 = ((const struct sockaddr_in *)b)->sin_addr;
		bv4 = 1;
	} else if (b->sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(
	    &((const struct sockaddr_in6 *)b)->sin6_addr)) {
		memcpy(&b4, &((const struct sockaddr_in6 *)b)->sin6_addr.s6_addr[12], 4);
		bv4 = 1;
	}
	return av4 && bv4 && a4.s_addr == b4.s_addr;
}

int
sm_addr_pack(const struct sockaddr *sa, struct sm_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (sa->sa_family == AF_INET) {
		out->family = AF_INET;
		memcpy(out->a, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a6 =
		    &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			out->family = AF_INET;
			memcpy(out->a, &a6->s6_addr[12], 4);
		} else {
			out->family = AF_INET6;
			memcpy(out->a, a6, 16);
		}
		return 0;
	}
	return -1;
}

uint32_t
sm_addr_hash(const struct sm_addr *a)
{
	return hash_bytes(2166136261u, a, sizeof(*a));
}

int
sm_parse_numeric(const char *name, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, name, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, name, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		return 0;
	}
	return -1;
}

const char *
sm_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	const void *a;

	if (sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
	else {
		snprintf(buf, len, "(family %d)", sa->sa_family);
		return buf;
	}
	if (inet_ntop(sa->sa_family, a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "(bad address)");
	return buf;
}

/*
 * Names come from the network; log them only escaped.  Four rotating
 * buffers let one log line show a few names.
 */
const char *
esc(const char *name)
{
	static char bufs[4][LOG_ESCAPE_MAX];
	static int next;
	char *b = bufs[next];

	next = (next + 1) % 4;
	if (name == NULL)
		return "(null)";
	return log_escape(name, strlen(name), b, sizeof(bufs[0]));
}

/*
 * Below this port a socket can be bound only by root (or a holder of
 * CAP_NET_BIND_SERVICE).  Linux lets the administrator lower the bound per
 * network namespace; the lower value counts, and 0 leaves no port that
 * proves anything.
 */
static int	privileged_below = IPPORT_RESERVED;

void
sm_privileged_ports_init(const char *sysctl_path)
{
	char buf[32];
	FILE *f;
	long v;
	char *end;

	privileged_below = IPPORT_RESERVED;
	if ((f = fopen(sysctl_path, "re")) == NULL)
		return;			/* an older kernel: 1024 */
	if (fgets(buf, sizeof(buf), f) != NULL) {
		v = strtol(buf, &end, 10);
		if (end != buf && (*end == '\n' || *end == '\0') && v >= 0 &&
		    v < IPPORT_RESERVED)
			privileged_below = (int)v;
	}
	fclose(f);
	if (privileged_below < IPPORT_RESERVED)
		log_warnx("%s is %d: local-only procedures are accepted only "
		    "from ports below %d%s", sysctl_path, privileged_below,
		    privileged_below, privileged_below == 0 ? ", that is, "
		    "from no one" : "");
}

int
sm_port_privileged(const struct sockaddr *sa)
{
	int port = sm_addr_port(sa);

	return port >= 0 && port < privileged_below;
}

int
sm_addr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return -1;
}
