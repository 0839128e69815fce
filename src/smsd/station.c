/*
 * station: the files of the SysMan Station (share/station in the source
 * tree, PREFIX/share/hostmon/station installed, smsd.conf's station-dir),
 * read for an answer and handed to the HTTP layer with their type and a
 * strong ETag.  A name reaches here only after station_name_ok (one path
 * component, no "..", request.c); the file is opened without following a
 * symbolic link and must be a regular one (no FIFO to hang the loop).
 * Each answer reads the file afresh: the station is a few small files,
 * asked for once per page load and revalidated with If-None-Match.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "fdio.h"
#include "smsd.h"
#include "station.h"

static const struct {
	const char	*ext;
	const char	*type;
} types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".json", "application/json" },
	{ ".txt", "text/plain; charset=utf-8" },
};

const char *
station_type(const char *name)
{
	size_t i, n = strlen(name), e;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		e = strlen(types[i].ext);
		if (n > e && strcmp(name + n - e, types[i].ext) == 0)
			return types[i].type;
	}
	return NULL;
}

/* The q of one media range's parameters ("; q=0.5"), 1000ths. */
static int
qvalue(const char *p, const char *end)
{
	int q = 1000, scale = 100;

	while (p < end) {
		while (p < end && (*p == ' ' || *p == ';' || *p == '\t'))
			p++;
		if (end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') &&
		    p[1] == '=') {
			p += 2;
			if (p < end && *p == '1')
				return 1000;
			if (p >= end || *p != '0')
				return 0;
			q = 0;
			for (p++, p += (p < end && *p == '.'); p < end &&
			    *p >= '0' && *p <= '9' && scale > 0; p++) {
				q += (*p - '0') * scale;
				scale /= 10;
			}
			return q;
		}
		while (p < end && *p != ';')
			p++;
	}
	return q;
}

/*
 * 1 if an Accept header prefers text/html to application/json: the
 * highest q of a range naming text/html (or text/ANY) beats the highest
 * of one naming application/json (or application/ANY, or ANY/ANY, ANY
 * being the star).  A client that says nothing, or accepts anything
 * alike, gets JSON, as before.
 */
int
station_wants_html(const char *accept)
{
	const char *p, *end, *semi;
	int html = 0, json = 0, q;
	size_t n;

	if (accept == NULL)
		return 0;
	for (p = accept; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if ((semi = memchr(p, ';', (size_t)(end - p))) == NULL)
			semi = end;
		n = (size_t)(semi - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		q = qvalue(semi, end);
		if ((n == 9 && strncasecmp(p, "text/html", 9) == 0) ||
		    (n == 6 && strncasecmp(p, "text/*", 6) == 0)) {
			if (q > html)
				html = q;
		} else if ((n == 16 && strncasecmp(p, "application/json",
		    16) == 0) || (n == 13 && strncasecmp(p, "application/*",
		    13) == 0) || (n == 3 && strncmp(p, "*/*", 3) == 0)) {
			if (q > json)
				json = q;
		}
	}
	return html > json;
}

/* 1 if an If-None-Match list holds etag (or is "*"). */
int
station_etag_matches(const char *inm, const char *etag)
{
	const char *p, *end;
	size_t elen = strlen(etag), n;

	if (inm == NULL)
		return 0;
	for (p = inm; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		n = (size_t)(end - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if ((n == 1 && *p == '*') || (n == elen &&
		    memcmp(p, etag, n) == 0))
			return 1;
	}
	return 0;
}

int
station_read(const char *dir, const char *name, const char *inm,
    struct station_file *f)
{
	char path[512];
	struct stat st;
	ssize_t n;
	off_t off = 0;
	int fd;

	memset(f, 0, sizeof(*f));
	if (!station_name_ok(name, strlen(name))) {
		f->why = "bad station file name";
		return 400;
	}
	if ((f->type = station_type(name)) == NULL) {
		f->why = "no such station file";
		return 404;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path)) {
		f->why = "station folder name too long";
		return 500;
	}
	/* O_NOFOLLOW: a link in the folder leads nowhere else */
	fd = open_regular(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd == -1) {
		f->why = errno == ENOENT ? "no such station file" :
		    "station file cannot be read";
		return errno == ENOENT || errno == ELOOP || errno == EINVAL ?
		    404 : 500;
	}
	if (fstat(fd, &st) == -1 || st.st_size > STATION_FILE_MAX) {
		close(fd);
		f->why = "station file too large";
		return 500;
	}
	snprintf(f->etag, sizeof(f->etag), "\"%llx-%llx-%llx.%09ld\"",
	    (unsigned long long)st.st_ino, (unsigned long long)st.st_size,
	    (unsigned long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	if (station_etag_matches(inm, f->etag)) {
		close(fd);
		return 304;
	}
	if ((f->body = evbuffer_new()) == NULL) {
		close(fd);
		f->why = "out of memory";
		return 503;
	}
	while (off < st.st_size) {
		char buf[16384];

		n = read(fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		evbuffer_add(f->body, buf, (size_t)n);
		off += n;
	}
	close(fd);
	if (off != st.st_size) {
		evbuffer_free(f->body);
		f->body = NULL;
		f->why = "station file changed while read";
		return 503;
	}
	return 200;
}
