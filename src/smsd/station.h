/*
 * station.c: the SysMan Station's files, and what decides that "/" gets
 * the station page rather than the JSON index.  Nothing here sends: the
 * HTTP layer (control.c) asks and answers.
 */
#ifndef SMSD_STATION_H
#define SMSD_STATION_H

#define STATION_FILE_MAX	(4 * 1024 * 1024)
#define STATION_INDEX		"index.html"
/* Every answer's security headers (see smsd.8, SECURITY). */
#define STATION_CSP	"default-src 'self'; script-src 'self'; " \
	"style-src 'self'; img-src 'self' data:; connect-src 'self'; " \
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; " \
	"form-action 'none'"

struct evbuffer;
struct station_file {
	const char	*type;		/* Content-Type */
	char		 etag[80];	/* strong, quoted */
	struct evbuffer	*body;		/* 200 only; the caller frees it */
	const char	*why;		/* other statuses */
};

/* The type served for a name, by its extension; NULL: not served. */
const char *station_type(const char *name);
int	station_wants_html(const char *accept);
int	station_etag_matches(const char *if_none_match, const char *etag);
/*
 * The file name (station_name_ok) of folder dir: 200 with f->body, 304
 * when if_none_match holds its ETag, else 400, 404, 500 or 503 with a
 * static reason in f->why.
 */
int	station_read(const char *dir, const char *name,
	    const char *if_none_match, struct station_file *f);

#endif
