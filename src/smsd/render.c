/*
 * render: bodies made from more than one source.  Each is built once per
 * change of what it is made of (a key of the inputs' generations), not
 * once per request.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progopt.h"
#include "smsd.h"

json_t *
system_view(struct smsd *d)
{
	json_t *o;

	if (d->src[SRC_SYSTEM].data == NULL)
		return NULL;
	o = json_deep_copy(d->src[SRC_SYSTEM].data);
	json_object_set_new(o, "member", json_string(d->conf.member_name));
	json_object_set_new(o, "health",
	    json_string(health_state_name(d->health_state)));
	return o;
}

const char *
render_system(struct smsd *d, size_t *len)
{
	uint64_t key = d->src[SRC_SYSTEM].generation * 8 +
	    (uint64_t)d->health_state;
	json_t *o;

	if (d->system_body == NULL || d->system_key != key) {
		if ((o = system_view(d)) == NULL)
			return NULL;
		free(d->system_body);
		d->system_body = json_dumps(o, SMSD_JSON);
		d->system_bodylen = d->system_body ?
		    strlen(d->system_body) : 0;
		d->system_key = key;
		json_decref(o);
	}
	*len = d->system_bodylen;
	return d->system_body;
}

/* printf into a buffer that grows as needed; out of memory aborts. */
void
textbuf_printf(struct textbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->cap + (size_t)n + 1) * 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			abort();
	}
}

/* A label value: escape backslash, quote and newline as the format asks. */
static const char *
label(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	for (; *s != '\0' && o + 3 < size; s++) {
		if (*s == '\\' || *s == '"') {
			buf[o++] = '\\';
			buf[o++] = *s;
		} else if (*s == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else
			buf[o++] = *s;
	}
	buf[o] = '\0';
	return buf;
}

/*
 * Entry i is mounted over by a later one on the same mount point: a reader
 * of that path sees only the last (/proc/self/mountinfo lists mounts in
 * the order they were made), so only the last gives series.
 */
static int
hidden_mount(json_t *arr, size_t i)
{
	const char *mp = json_string_value(json_object_get(
	    json_array_get(arr, i), "mountpoint"));
	size_t k;

	for (k = i + 1; mp != NULL && k < json_array_size(arr); k++)
		if (strcmp(mp, json_string_value(json_object_get(
		    json_array_get(arr, k), "mountpoint")) ?: "") == 0)
			return 1;
	return 0;
}

const char *
render_metrics(struct smsd *d, size_t *len)
{
	static const struct {
		const char	*field, *name, *help;
	} fsnum[] = {
		{ "size", "sms_filesystem_size_bytes", "File system size." },
		{ "used", "sms_filesystem_used_bytes", "Bytes in use." },
		{ "available", "sms_filesystem_available_bytes",
		    "Bytes available to unprivileged users." },
		{ "inodes", "sms_filesystem_inodes", "Inodes, in all." },
		{ "inodes_free", "sms_filesystem_inodes_free", "Inodes free." },
	};
	struct source *m = &d->src[SRC_METRICS], *fs = &d->src[SRC_FILESYSTEMS];
	uint64_t key = m->generation * 1000003 + fs->generation;
	struct textbuf b = { NULL, 0, 0 };
	json_t *arr, *e;
	size_t i, k;
	int j;
	char l1[512], l2[512];

	if (d->metrics_body != NULL && d->metrics_key == key) {
		*len = d->metrics_bodylen;
		return d->metrics_body;
	}
	b.cap = m->textlen + 16384;
	if ((b.p = malloc(b.cap)) == NULL)
		return NULL;
	if (m->text != NULL) {
		memcpy(b.p, m->text, m->textlen);
		b.len = m->textlen;
	}
	arr = json_object_get(fs->data, "filesystems");
	for (k = 0; k < sizeof(fsnum) / sizeof(fsnum[0]); k++) {
		textbuf_printf(&b, "# HELP %s %s\n# TYPE %s gauge\n",
		    fsnum[k].name, fsnum[k].help, fsnum[k].name);
		json_array_foreach(arr, i, e) {
			json_t *v = json_object_get(e, fsnum[k].field);

			if (!json_is_integer(v) || hidden_mount(arr, i))
				continue;
			textbuf_printf(&b, "%s{mountpoint=\"%s\",fstype=\"%s\"}"
			    " %lld\n", fsnum[k].name,
			    label(json_string_value(json_object_get(e,
			    "mountpoint")), l1, sizeof(l1)),
			    label(json_string_value(json_object_get(e,
			    "type")), l2, sizeof(l2)),
			    (long long)json_integer_value(v));
		}
	}
	textbuf_printf(&b, "# HELP sms_filesystem_responding 1 if statvfs "
	    "answered in time.\n# TYPE sms_filesystem_responding gauge\n");
	json_array_foreach(arr, i, e) {
		if (hidden_mount(arr, i))
			continue;
		textbuf_printf(&b, "sms_filesystem_responding{mountpoint=\"%s\"} "
		    "%d\n", label(json_string_value(json_object_get(e,
		    "mountpoint")), l1, sizeof(l1)),
		    !json_is_false(json_object_get(e, "responding")));
	}
	textbuf_printf(&b, "# HELP sms_build_info The smsd version, as a "
	    "label.\n# TYPE sms_build_info gauge\n"
	    "sms_build_info{version=\"%s\"} 1\n", hm_version);
	textbuf_printf(&b, "# HELP sms_health_state Health: 0 good, 1 warning, "
	    "2 critical.\n# TYPE sms_health_state gauge\n"
	    "sms_health_state %d\n", d->health_state);
	textbuf_printf(&b, "# HELP sms_events_total Events by priority class.\n"
	    "# TYPE sms_events_total counter\n");
	for (j = 0; j < 8; j++)
		textbuf_printf(&b, "sms_events_total{priority=\"%d\"} %llu\n",
		    j * 100, (unsigned long long)d->events_by_pri[j]);
	textbuf_printf(&b, "# HELP sms_clients Connected clients.\n"
	    "# TYPE sms_clients gauge\nsms_clients %d\n"
	    "# HELP sms_stream_clients Event stream subscribers.\n"
	    "# TYPE sms_stream_clients gauge\nsms_stream_clients %d\n"
	    "# HELP sms_requests_total Requests served.\n"
	    "# TYPE sms_requests_total counter\nsms_requests_total %llu\n"
	    "# HELP sms_refused_total Clients refused.\n"
	    "# TYPE sms_refused_total counter\nsms_refused_total %llu\n",
	    d->nclients, d->nstreams, (unsigned long long)d->requests,
	    (unsigned long long)d->refused);
	textbuf_printf(&b, "# HELP sms_source_gather_seconds Duration of the last "
	    "gather.\n# TYPE sms_source_gather_seconds gauge\n");
	for (j = 0; j < SRC_COUNT; j++)
		textbuf_printf(&b, "sms_source_gather_seconds{source=\"%s\"} "
		    "%.3f\n", d->src[j].name,
		    (double)d->src[j].gather_ms_last / 1000.0);
	textbuf_printf(&b, "# HELP sms_source_timeouts_total Gathers that overran "
	    "the time limit.\n# TYPE sms_source_timeouts_total counter\n");
	for (j = 0; j < SRC_COUNT; j++)
		textbuf_printf(&b, "sms_source_timeouts_total{source=\"%s\"} %llu\n",
		    d->src[j].name, (unsigned long long)d->src[j].timeouts);
	free(d->metrics_body);
	d->metrics_body = b.p;
	d->metrics_bodylen = b.len;
	d->metrics_key = key;
	*len = b.len;
	return b.p;
}
