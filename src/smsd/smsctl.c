/*
 * smsctl: the command-line client of smsd.  Shows the system, hardware
 * tree, software, file systems, health, events and the cluster as tables,
 * follows the event stream, prints raw JSON with -j, and posts events
 * through the local posting socket.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "log.h"
#include "progopt.h"
#include "smsd.h"

#define RESP_MAX	(64 * 1024 * 1024)

static const char *host = "127.0.0.1";
static int port = SMSD_PORT;
static int raw_json;
static int timeout_ms = 10000;

static const char usage_text[] =
    "usage: smsctl [-j] [-f file] [-H host] [-m member] [-p port] "
    "[-t seconds] command\n"
    "commands: system | hardware | software [pattern] | filesystems |"
    " health |\n"
    "          events [-n pattern] [-P priority] [-l limit] |\n"
    "          follow [-n pattern] [-P priority] | metrics | cluster |"
    " server |\n"
    "          history | suite ss|availability|statd |\n"
    "          post [-r count] [-s socket] name priority [message]\n";

static __attribute__((noreturn)) void
usage(void)
{
	fputs(usage_text, stderr);
	exit(1);
}

/* optarg as a whole number from min to max, or a fatal message naming opt. */
static int
number_arg(const char *opt, const char *what, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(optarg, &end, 10);
	if (*optarg == '\0' || *end != '\0' || errno != 0 || v < min ||
	    v > max)
		fatalx("%s %s: %s must be a whole number from %ld to %ld", opt,
		    optarg, what, min, max);
	return (int)v;
}

/* A connection to host and port, or -1 with errno set. */
static int
dial(void)
{
	struct addrinfo hints, *res, *ai;
	char ps[8];
	int fd = -1, rv, err = ECONNREFUSED;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(ps, sizeof(ps), "%d", port);
	if ((rv = getaddrinfo(host, ps, &hints, &res)) != 0)
		fatalx("%s: %s", host, gai_strerror(rv));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    0)) == -1) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		errno = err;
	return fd;
}

static int
dial_or_die(void)
{
	int fd;

	if ((fd = dial()) == -1)
		fatal("cannot reach smsd at %s port %d", host, port);
	return fd;
}

/* read with a time limit; 0 at end of stream */
static ssize_t
tread(int fd, char *buf, size_t len, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	int rv;

	rv = poll(&p, 1, ms);
	if (rv == 0)
		fatalx("no answer from %s within %d s", host, ms / 1000);
	if (rv == -1)
		fatal("poll");
	return read(fd, buf, len);
}

struct resp {
	int	status;
	char	*body;
	size_t	len;
};

/* Chunked transfer coding, decoded in place; -1 if not yet complete. */
static ssize_t
dechunk(char *p, size_t len, size_t *consumed)
{
	size_t in = 0, out = 0, n;
	char *end;

	for (;;) {
		char *crlf = memmem(p + in, len - in, "\r\n", 2);

		if (crlf == NULL)
			return -1;
		n = strtoul(p + in, &end, 16);
		if (end == p + in)
			fatalx("bad chunked answer");
		in = (size_t)(crlf - p) + 2;
		if (n == 0) {
			*consumed = in;
			return (ssize_t)out;
		}
		if (len - in < n + 2)
			return -1;
		memmove(p + out, p + in, n);
		out += n;
		in += n + 2;
	}
}

/* 0 with the answer in *r, or -1 (errno set) if smsd cannot be reached. */
static int
get_try(const char *path, struct resp *r)
{
	char req[1200], *buf, *hdr_end, *cl, *te;
	size_t len = 0, cap = 65536, hlen, consumed;
	ssize_t n;
	int fd, chunked;

	memset(r, 0, sizeof(*r));
	if ((fd = dial()) == -1)
		return -1;
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n"
	    "Connection: close\r\n\r\n", path, host);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		fatal("write");
	if ((buf = malloc(cap + 1)) == NULL)
		fatal("malloc");
	while ((n = tread(fd, buf + len, cap - len, timeout_ms)) > 0) {
		len += (size_t)n;
		if (len == cap) {
			if (cap >= RESP_MAX)
				fatalx("answer too large");
			char *nb;

			cap *= 2;
			if ((nb = realloc(buf, cap + 1)) == NULL)
				fatal("realloc");
			buf = nb;
		}
	}
	close(fd);
	buf[len] = '\0';
	if (sscanf(buf, "HTTP/1.%*d %d", &r->status) != 1 ||
	    (hdr_end = strstr(buf, "\r\n\r\n")) == NULL)
		fatalx("not an HTTP answer from %s", host);
	*hdr_end = '\0';
	hlen = (size_t)(hdr_end - buf) + 4;
	te = strcasestr(buf, "\r\nTransfer-Encoding: chunked");
	cl = strcasestr(buf, "\r\nContent-Length:");
	chunked = te != NULL;
	r->body = buf + hlen;
	r->len = len - hlen;
	if (chunked) {
		n = dechunk(r->body, r->len, &consumed);
		if (n < 0)
			fatalx("answer cut short");
		r->len = (size_t)n;
	} else if (cl != NULL && strtoul(cl + 17, NULL, 10) < r->len)
		r->len = strtoul(cl + 17, NULL, 10);
	memmove(buf, r->body, r->len);
	buf[r->len] = '\0';
	r->body = buf;
	return 0;
}

static struct resp
get(const char *path)
{
	struct resp r;

	if (get_try(path, &r) == -1)
		fatal("cannot reach smsd at %s port %d", host, port);
	return r;
}

static json_t *answer;	/* the last one, freed at exit */

static void
free_answer(void)
{
	if (answer != NULL)
		json_decref(answer);
	answer = NULL;
}

static json_t *
get_json(const char *path)
{
	struct resp r = get(path);
	json_error_t err;
	json_t *o;

	if (raw_json) {
		fwrite(r.body, 1, r.len, stdout);
		putchar('\n');
		free(r.body);
		exit(r.status == 200 ? 0 : 1);
	}
	o = json_loadb(r.body, r.len, 0, &err);
	if (o == NULL)
		fatalx("answer is not JSON: %s", err.text);
	if (r.status != 200) {
		const char *msg = json_string_value(json_object_get(
		    json_object_get(o, "error"), "message"));

		fatalx("%s: %d %s", path, r.status, msg ? msg : "error");
	}
	free(r.body);
	free_answer();
	answer = o;
	return o;
}

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "-";
}

/* A string from the answer, its control characters shown as '?'. */
static const char *
text(json_t *o, const char *key, char *buf, size_t size)
{
	const char *s = str(o, key);
	size_t i;

	snprintf(buf, size, "%s", s);
	for (i = 0; buf[i] != '\0'; i++)
		if ((unsigned char)buf[i] < ' ' || buf[i] == 0x7f)
			buf[i] = '?';
	return buf;
}

static long long
num(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static const char *
bytes(json_int_t v, char *buf, size_t size);

/* /v1/history, a line a sample, oldest first; "-" for what is unknown. */
static void
show_history(json_t *o)
{
	static const char *rates[] = { "disk_read_bytes_per_second",
	    "disk_write_bytes_per_second", "net_rx_bytes_per_second",
	    "net_tx_bytes_per_second" };
	char t[32], b[4][32], mem[32], cpu[16];
	json_t *e, *v;
	size_t i, k;

	printf("step %lld s, %zu of %lld samples\n", num(o, "step_seconds"),
	    json_array_size(json_object_get(o, "samples")),
	    num(o, "capacity"));
	printf("%-19s %6s %5s %10s %10s %10s %10s %10s\n", "TIME", "LOAD",
	    "CPU%", "MEMUSED", "DISKRD/s", "DISKWR/s", "NETRX/s", "NETTX/s");
	json_array_foreach(json_object_get(o, "samples"), i, e) {
		time_t when = (time_t)(num(e, "time_ms") / 1000);
		struct tm tm;

		if (localtime_r(&when, &tm) == NULL ||
		    strftime(t, sizeof(t), "%Y-%m-%d %H:%M:%S", &tm) == 0)
			snprintf(t, sizeof(t), "%lld", (long long)when);
		for (k = 0; k < 4; k++) {
			v = json_object_get(e, rates[k]);
			if (json_is_number(v))
				bytes((json_int_t)json_number_value(v), b[k],
				    sizeof(b[k]));
			else
				snprintf(b[k], sizeof(b[k]), "-");
		}
		v = json_object_get(e, "memory_used_bytes");
		if (json_is_integer(v))
			bytes(json_integer_value(v), mem, sizeof(mem));
		else
			snprintf(mem, sizeof(mem), "-");
		v = json_object_get(e, "cpu_busy_ratio");
		if (json_is_number(v))
			snprintf(cpu, sizeof(cpu), "%.1f",
			    json_number_value(v) * 100);
		else
			snprintf(cpu, sizeof(cpu), "-");
		printf("%-19s %6.2f %5s %10s %10s %10s %10s %10s\n", t,
		    json_number_value(json_object_get(e, "load1")), cpu, mem,
		    b[0], b[1], b[2], b[3]);
	}
}

/* /v1/suite/...: "not available: reason", or the daemon's table. */
static int
show_suite(const char *which, json_t *o)
{
	char b1[300], b2[300];
	json_t *e, *v;
	size_t i;

	if (!json_is_true(json_object_get(o, "available"))) {
		printf("%s: not available: %s\n", which,
		    text(o, "reason", b1, sizeof(b1)));
		return 1;
	}
	if (strcmp(which, "ss") == 0) {
		printf("%-24s %-5s %9s %5s %8s %5s %4s %4s\n", "HOST", "STATE",
		    "UP", "USERS", "IDLE", "LOAD", "USR%", "SYS%");
		json_array_foreach(json_object_get(o, "hosts"), i, e) {
			if (strcmp(str(e, "state"), "up") != 0) {
				printf("%-24s %-5s %9s (down %llds)\n",
				    text(e, "name", b1, sizeof(b1)),
				    text(e, "state", b2, sizeof(b2)), "-",
				    num(e, "down_seconds"));
				continue;
			}
			printf("%-24s %-5s %9lld %5lld %8lld %5.2f %4lld %4lld\n",
			    text(e, "name", b1, sizeof(b1)), "up",
			    num(e, "uptime_seconds"), num(e, "users"),
			    num(e, "idle_seconds"), json_number_value(
			    json_object_get(e, "load1")), num(e, "usr_percent"),
			    num(e, "sys_percent"));
		}
	} else if (strcmp(which, "availability") == 0) {
		v = json_object_get(o, "summary");
		printf("event log %s, node %s, %lld events\n",
		    text(o, "log", b1, sizeof(b1)),
		    text(v, "node", b2, sizeof(b2)), num(v, "event_count"));
		printf("%-8s %-28s %6s %9s %-10s\n", "TYPE", "NAME", "DOWNS",
		    "UP%", "STATE");
		json_array_foreach(json_object_get(v, "objects"), i, e) {
			json_t *up = json_object_get(e, "up_percent");

			snprintf(b2, sizeof(b2), "%.3f", json_number_value(up));
			printf("%-8s %-28s %6lld %9s %-10s\n", str(e, "type"),
			    text(e, "name", b1, sizeof(b1)), num(e, "downs"),
			    json_is_number(up) ? b2 : "-", str(e, "state"));
		}
	} else {
		v = json_object_get(o, "pid");
		printf("rpc.statd %s, state %lld, %zu monitored, %zu pending"
		    "\n", json_is_integer(v) ? (snprintf(b1, sizeof(b1),
		    "running (pid %lld)", (long long)json_integer_value(v)),
		    b1) : "not running", num(o, "state"), json_array_size(
		    json_object_get(o, "monitored")), json_array_size(
		    json_object_get(o, "pending")));
		json_array_foreach(json_object_get(o, "monitored"), i, e) {
			printf("monitor %s by %s prog %lld vers %lld proc "
			    "%lld\n", text(e, "mon_name", b1, sizeof(b1)),
			    text(e, "my_name", b2, sizeof(b2)), num(e, "prog"),
			    num(e, "vers"), num(e, "proc"));
		}
		json_array_foreach(json_object_get(o, "pending"), i, e) {
			printf("notify %s state %lld\n",
			    text(e, "host", b1, sizeof(b1)), num(e, "state"));
		}
	}
	return 0;
}

static const char *
bytes(json_int_t v, char *buf, size_t size)
{
	const char *u = "KMGTP";
	double d = (double)v;
	int i = -1;

	if (v < 1024) {
		snprintf(buf, size, "%lldB", (long long)v);
		return buf;
	}
	while (d >= 1024 && i < 4) {
		d /= 1024;
		i++;
	}
	snprintf(buf, size, "%.1f%c", d, u[i]);
	return buf;
}

static void
show_system(json_t *o)
{
	json_t *mem = json_object_get(o, "memory"), *os = json_object_get(o,
	    "os"), *k = json_object_get(o, "kernel"), *l = json_object_get(o,
	    "load");
	time_t boot = (time_t)json_integer_value(json_object_get(o,
	    "boot_time"));
	char b1[32], b2[32], when[64];
	double up = json_number_value(json_object_get(o, "uptime"));

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&boot));
	printf("%-10s %s\n", "member", str(o, "member"));
	printf("%-10s %s\n", "hostname", str(o, "hostname"));
	printf("%-10s %s\n", "os", str(os, "pretty_name"));
	printf("%-10s %s %s %s\n", "kernel", str(k, "sysname"),
	    str(k, "release"), str(k, "machine"));
	printf("%-10s %s\n", "booted", when);
	printf("%-10s %dd %02d:%02d\n", "uptime", (int)(up / 86400),
	    (int)(up / 3600) % 24, (int)(up / 60) % 60);
	printf("%-10s %.2f %.2f %.2f (%lld CPUs)\n", "load",
	    json_number_value(json_array_get(l, 0)),
	    json_number_value(json_array_get(l, 1)),
	    json_number_value(json_array_get(l, 2)),
	    (long long)json_integer_value(json_object_get(o, "cpus")));
	printf("%-10s %s total, %s available\n", "memory",
	    bytes(json_integer_value(json_object_get(mem, "total")), b1,
	    sizeof(b1)), bytes(json_integer_value(json_object_get(mem,
	    "available")), b2, sizeof(b2)));
	printf("%-10s %s\n", "health", str(o, "health"));
}

static void
tree(json_t *nodes, const char *parent, int depth)
{
	size_t i;
	json_t *n;

	json_array_foreach(nodes, i, n) {
		json_t *p = json_object_get(n, "parent");

		if ((parent == NULL && !json_is_null(p)) || (parent != NULL &&
		    (!json_is_string(p) || strcmp(json_string_value(p),
		    parent) != 0)))
			continue;
		printf("%*s%-*s %-10s %-8s %s\n", depth * 2, "",
		    28 - depth * 2 > 4 ? 28 - depth * 2 : 4, str(n, "id"),
		    str(n, "class"), str(n, "health"), str(n, "name"));
		tree(nodes, str(n, "id"), depth + 1);
	}
}

static void
show_filesystems(json_t *o)
{
	json_t *arr = json_object_get(o, "filesystems"), *e;
	char b1[32], b2[32];
	size_t i;

	printf("%-28s %-10s %9s %9s %5s  %s\n", "MOUNTED ON", "TYPE", "SIZE",
	    "AVAIL", "USE%", "HEALTH");
	json_array_foreach(arr, i, e) {
		printf("%-28s %-10s %9s %9s %4.0f%%  %s\n", str(e, "mountpoint"),
		    str(e, "type"), bytes(json_integer_value(json_object_get(e,
		    "size")), b1, sizeof(b1)), bytes(json_integer_value(
		    json_object_get(e, "available")), b2, sizeof(b2)),
		    json_number_value(json_object_get(e, "use_percent")),
		    str(e, "health"));
	}
}

static void
show_event(json_t *e)
{
	printf("%-24s %-5lld %-9s %-32s %s\n", str(e, "time"),
	    (long long)json_integer_value(json_object_get(e, "priority")),
	    str(e, "priority_name"), str(e, "name"), str(e, "message"));
}

static void
follow(const char *path)
{
	char req[1200], buf[65536], *p, *frame_end, *data;
	size_t len = 0, raw_len = 0, consumed;
	static char raw[1 << 20];
	ssize_t n;
	int fd = dial_or_die(), in_body = 0;

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path,
	    host);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		fatal("write");
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		n = tread(fd, raw + raw_len, sizeof(raw) - raw_len - 1, -1);
		if (n <= 0)
			break;
		raw_len += (size_t)n;
		if (!in_body) {
			raw[raw_len] = '\0';
			if ((p = strstr(raw, "\r\n\r\n")) == NULL)
				continue;
			if (strncmp(raw + 9, "200", 3) != 0)
				fatalx("%.*s", (int)strcspn(raw, "\r"), raw);
			in_body = 1;
			consumed = (size_t)(p + 4 - raw);
			memmove(raw, p + 4, raw_len - consumed);
			raw_len -= consumed;
		}
		/* one chunk at a time into buf */
		for (;;) {
			char *crlf = memmem(raw, raw_len, "\r\n", 2);
			size_t clen;

			if (crlf == NULL)
				break;
			clen = strtoul(raw, NULL, 16);
			if (clen == 0 && crlf == raw + strspn(raw, "0"))
				return;
			if ((size_t)(crlf - raw) + 2 + clen + 2 > raw_len)
				break;
			if (len + clen >= sizeof(buf))
				fatalx("event too large");
			memcpy(buf + len, crlf + 2, clen);
			len += clen;
			consumed = (size_t)(crlf - raw) + 2 + clen + 2;
			memmove(raw, raw + consumed, raw_len - consumed);
			raw_len -= consumed;
		}
		while ((frame_end = memmem(buf, len, "\n\n", 2)) != NULL) {
			*frame_end = '\0';
			data = strstr(buf, "data: ");
			if (data != NULL) {
				if (raw_json)
					printf("%s\n", data + 6);
				else {
					json_error_t err;
					json_t *e = json_loads(data + 6, 0,
					    &err);

					if (e != NULL &&
					    json_object_get(e, "seq") != NULL)
						show_event(e);
					else if (e != NULL)
						printf("-- %s\n", str(e,
						    "message"));
					json_decref(e);
				}
			}
			consumed = (size_t)(frame_end - buf) + 2;
			memmove(buf, buf + consumed, len - consumed);
			len -= consumed;
		}
	}
	close(fd);
}

static int
post(int argc, char **argv)
{
	const char *sock = SMSD_POST_SOCKET;
	struct sockaddr_un sun;
	struct post_msg m;
	char buf[POST_MAX + 1];
	int ch, fd, n, i, repeat = 1;
	size_t off = 0;

	optind = 1;
	while ((ch = getopt(argc, argv, "r:s:")) != -1) {
		if (ch == 's')
			sock = optarg;
		else if (ch == 'r' && (repeat = atoi(optarg)) > 0)
			continue;
		else
			usage();
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		usage();
	memset(&m, 0, sizeof(m));
	if (strlen(argv[0]) > EVENT_NAME_MAX ||
	    !event_name_valid(argv[0], strlen(argv[0])))
		fatalx("%s: not an event name (dotted letters and digits)",
		    argv[0]);
	strcpy(m.name, argv[0]);
	if (priority_parse(argv[1], &m.priority) == -1)
		fatalx("%s: not a priority (0-700 or a name)", argv[1]);
	for (i = 2; i < argc; i++) {
		n = snprintf(m.message + off, sizeof(m.message) - off, "%s%s",
		    i > 2 ? " " : "", argv[i]);
		if (n < 0 || (size_t)n >= sizeof(m.message) - off)
			fatalx("message too long");
		off += (size_t)n;
	}
	if ((n = post_encode(&m, buf, sizeof(buf))) < 0)
		fatalx("message not valid (printable, at most %d bytes)",
		    EVENT_MSG_MAX);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(sock) >= sizeof(sun.sun_path))
		fatalx("%s: path too long", sock);
	strcpy(sun.sun_path, sock);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		fatal("socket");
	/* -r: a burst for tests and benchmarks; a full queue is waited out */
	for (i = 0; i < repeat; i++)
		if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&sun,
		    sizeof(sun)) != n)
			fatal("%s", sock);
	close(fd);
	return 0;
}

/*
 * -m NAME: the member's address and port from the configuration's member
 * lines, else from the member list of the smsd at host and port (the
 * local one unless -H or -p say otherwise), which is corosync's while
 * corosync runs there.
 */
static void
find_member(const char *name, const struct smsd_conf *conf,
    const char *conf_path)
{
	static char addr[sizeof(conf->members[0].host)];
	const char *a;
	json_t *o, *e, *found = NULL;
	json_error_t err;
	json_int_t p;
	struct resp r;
	size_t i;
	int k;

	for (k = 0; k < conf->nmembers; k++)
		if (strcmp(conf->members[k].name, name) == 0) {
			snprintf(addr, sizeof(addr), "%s",
			    conf->members[k].host);
			host = addr;
			port = conf->members[k].port;
			return;
		}
	if (get_try("/v1/cluster", &r) == -1)
		fatal("%s: no such member in %s, and no member list from "
		    "the smsd at %s port %d", name, conf_path, host, port);
	o = json_loadb(r.body, r.len, 0, &err);
	free(r.body);
	if (r.status != 200 || !json_is_object(o))
		fatalx("%s: no such member in %s, and no member list from "
		    "the smsd at %s port %d (HTTP status %d)", name,
		    conf_path, host, port, r.status);
	/* the smsd asked is that member (listed or not): it answers */
	if (strcmp(str(o, "member"), name) == 0) {
		json_decref(o);
		return;
	}
	json_array_foreach(json_object_get(o, "members"), i, e) {
		if (json_is_string(json_object_get(e, "name")) &&
		    strcmp(str(e, "name"), name) == 0)
			found = e;
	}
	if (found == NULL)
		fatalx("%s: no such member in %s or in the member list of the "
		    "smsd at %s port %d", name, conf_path, host, port);
	a = json_string_value(json_object_get(found, "address"));
	p = json_integer_value(json_object_get(found, "port"));
	if (a == NULL || a[0] == '\0' || strlen(a) >= sizeof(addr) ||
	    p < 1 || p > 65535)
		fatalx("%s: the smsd at %s port %d knows no address for it",
		    name, host, port);
	snprintf(addr, sizeof(addr), "%s", a);
	host = addr;
	port = (int)p;
	json_decref(o);
}

static void
query(char *path, size_t size, const char *base, int argc, char **argv)
{
	int ch;
	size_t off;

	off = (size_t)snprintf(path, size, "%s?", base);
	optind = 1;
	while ((ch = getopt(argc, argv, "l:n:P:")) != -1) {
		const char *key = ch == 'l' ? "limit" : ch == 'n' ? "name" :
		    ch == 'P' ? "priority" : NULL;

		if (key == NULL || strlen(optarg) > REQ_PATTERN_MAX ||
		    strspn(optarg, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-*?") !=
		    strlen(optarg))
			usage();
		off += (size_t)snprintf(path + off, size - off, "%s=%s&", key,
		    optarg);
	}
	path[off - 1] = '\0';
}

int
main(int argc, char *argv[])
{
	const char *conf_path = SMSD_CONF, *member = NULL, *cmd;
	int conf_given = 0;
	char path[1100], b1[32];
	struct smsd_conf conf;
	json_t *o, *e;
	size_t i;
	int ch, port_set = 0;

	log_procname("smsctl");
	log_init(1, 0);
	atexit(free_answer);
	while ((ch = progopt_getopt(argc, argv, "+f:H:jm:p:t:", "smsctl",
	    usage_text)) != -1) {
		switch (ch) {
		case 'f': conf_path = optarg; conf_given = 1; break;
		case 'H': host = optarg; break;
		case 'j': raw_json = 1; break;
		case 'm': member = optarg; break;
		case 'p':
			port = number_arg("-p", "a port", 1, 65535);
			port_set = 1;
			break;
		case 't':
			timeout_ms = number_arg("-t", "the timeout in seconds",
			    1, 86400) * 1000;
			break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	cmd = argv[0];
	if (conf_given) {
		/* A file named with -f is used, or smsctl stops. */
		if (conf_load(conf_path, &conf) == -1)
			fatalx("%s: cannot use this configuration", conf_path);
		if (!port_set)
			port = conf.port;
		if (member != NULL)
			find_member(member, &conf, conf_path);
	} else if (member != NULL || !port_set) {
		/*
		 * The default file may be missing (every default applies) or
		 * unreadable to this user (said, and the defaults apply).
		 */
		if (conf_load(conf_path, &conf) != -1 && !port_set)
			port = conf.port;
		if (member != NULL)
			find_member(member, &conf, conf_path);
	}
	if (strcmp(cmd, "post") == 0)
		return post(argc, argv);
	if (strcmp(cmd, "metrics") == 0) {
		struct resp r = get("/v1/metrics");

		fwrite(r.body, 1, r.len, stdout);
		free(r.body);
		return r.status == 200 ? 0 : 1;
	}
	if (strcmp(cmd, "follow") == 0) {
		query(path, sizeof(path), "/v1/events/stream", argc, argv);
		follow(path);
		return 0;
	}
	if (strcmp(cmd, "events") == 0) {
		query(path, sizeof(path), "/v1/events", argc, argv);
		o = get_json(path);
		printf("%-24s %-5s %-9s %-32s %s\n", "TIME", "PRI", "", "NAME",
		    "MESSAGE");
		json_array_foreach(json_object_get(o, "events"), i, e) {
			show_event(e);
		}
		return 0;
	}
	if (strcmp(cmd, "software") == 0) {
		if (argc > 2)
			usage();
		if (argc == 2) {
			if (!pattern_valid(argv[1], strlen(argv[1])))
				fatalx("%s: not a name pattern", argv[1]);
			snprintf(path, sizeof(path), "/v1/software?name=%s",
			    argv[1]);
		} else
			strcpy(path, "/v1/software");
		o = get_json(path);
		printf("%-36s %-32s %-8s %s\n", "PACKAGE", "VERSION", "ARCH",
		    "STATE");
		json_array_foreach(json_object_get(o, "packages"), i, e) {
			printf("%-36s %-32s %-8s %s\n", str(e, "name"),
			    str(e, "version"), str(e, "architecture"),
			    str(e, "state"));
		}
		return 0;
	}
	if (strcmp(cmd, "suite") == 0) {
		if (argc != 2 || (strcmp(argv[1], "ss") != 0 &&
		    strcmp(argv[1], "availability") != 0 &&
		    strcmp(argv[1], "statd") != 0))
			usage();
		snprintf(path, sizeof(path), "/v1/suite/%s", argv[1]);
		return show_suite(argv[1], get_json(path));
	}
	if (argc != 1)
		usage();
	if (strcmp(cmd, "history") == 0)
		show_history(get_json("/v1/history"));
	else if (strcmp(cmd, "system") == 0)
		show_system(get_json("/v1/system"));
	else if (strcmp(cmd, "hardware") == 0) {
		o = get_json("/v1/hardware");
		printf("%-28s %-10s %-8s %s\n", "ID", "CLASS", "HEALTH", "NAME");
		tree(json_object_get(o, "nodes"), NULL, 0);
	} else if (strcmp(cmd, "filesystems") == 0 || strcmp(cmd, "fs") == 0)
		show_filesystems(get_json("/v1/filesystems"));
	else if (strcmp(cmd, "health") == 0) {
		o = get_json("/v1/health");
		printf("%s: %s\n", str(o, "member"), str(o, "state"));
		json_array_foreach(json_object_get(o, "checks"), i, e) {
			printf("  %-10s %-8s %s\n", str(e, "component"),
			    str(e, "state"), str(e, "detail"));
		}
	} else if (strcmp(cmd, "cluster") == 0) {
		o = get_json("/v1/cluster");
		printf("%-16s %-16s %-12s %-8s %-10s %s\n", "MEMBER", "ADDRESS",
		    "STATE", "HEALTH", "MEMORY", "DETAIL");
		json_array_foreach(json_object_get(o, "members"), i, e) {
			json_t *sys = json_object_get(e, "system");

			printf("%-16s %-16s %-12s %-8s %-10s %s\n",
			    str(e, "name"), str(e, "address"), str(e, "state"),
			    str(e, "health"), sys ? bytes(json_integer_value(
			    json_object_get(json_object_get(sys, "memory"),
			    "total")), b1, sizeof(b1)) : "-",
			    sys ? str(json_object_get(sys, "kernel"),
			    "release") : str(e, "error"));
		}
	} else if (strcmp(cmd, "server") == 0) {
		o = get_json("/v1/server");
		printf("member %s version %s pid %lld clients %lld streams "
		    "%lld requests %lld refused %lld\n", str(o, "member"),
		    str(o, "version"),
		    (long long)json_integer_value(json_object_get(o, "pid")),
		    (long long)json_integer_value(json_object_get(o, "clients")),
		    (long long)json_integer_value(json_object_get(o, "streams")),
		    (long long)json_integer_value(json_object_get(o,
		    "requests")), (long long)json_integer_value(
		    json_object_get(o, "refused")));
	} else
		usage();
	return 0;
}
