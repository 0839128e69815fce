/*
 * gather: system, file systems and metrics, read from /proc.  These run in
 * worker threads: no libevent, no shared state but their own source.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "timeutil.h"
#include "smsd.h"
#include "statefile.h"

int gather_probe_timeout_ms = 500;

/* Read a small /proc or /sys file whole; -1 on error, else its length. */
ssize_t
read_small(const char *path, char *buf, size_t size)
{
	ssize_t n, off = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return -1;
	while ((size_t)off < size - 1) {
		n = read(fd, buf + off, size - 1 - (size_t)off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		off += n;
	}
	close(fd);
	buf[off] = '\0';
	return off;
}

/* meminfo value in bytes, or -1. */
long long
meminfo_get(const char *text, const char *key)
{
	const char *p = text;
	size_t klen = strlen(key);

	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':')
			return strtoll(p + klen + 1, NULL, 10) * 1024;
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return -1;
}

static long long
stat_get(const char *text, const char *key)
{
	const char *p = text;
	size_t klen = strlen(key);

	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, klen) == 0 && p[klen] == ' ')
			return strtoll(p + klen + 1, NULL, 10);
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return -1;
}

static json_t *
os_release(void)
{
	static const char *keys[] = { "ID", "NAME", "VERSION_ID",
	    "VERSION_CODENAME", "PRETTY_NAME" };
	char buf[8192], *line, *save = NULL, *v, lower[32];
	json_t *o = json_object();
	size_t i, k, n;

	if (read_small("/etc/os-release", buf, sizeof(buf)) < 0 &&
	    read_small("/usr/lib/os-release", buf, sizeof(buf)) < 0)
		return o;
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((v = strchr(line, '=')) == NULL)
			continue;
		*v++ = '\0';
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			if (strcmp(line, keys[i]) != 0)
				continue;
			n = strlen(v);
			if (n >= 2 && (v[0] == '"' || v[0] == '\'') &&
			    v[n - 1] == v[0]) {
				v[n - 1] = '\0';
				v++;
			}
			/* the keys in lower case, like every other name */
			for (k = 0; keys[i][k] != '\0' && k < sizeof(lower) - 1;
			    k++)
				lower[k] = (char)tolower((unsigned char)
				    keys[i][k]);
			lower[k] = '\0';
			json_object_set_new(o, lower, json_string(v));
		}
	}
	return o;
}

/*
 * /proc/stat whole: on a machine with many CPUs or interrupts its intr line
 * alone passes 64 KB, and btime and the process counts come after it.
 */
#define PROC_STAT_MAX	(4 * 1024 * 1024)
static char *
read_proc_stat(void)
{
	return statefile_read("/proc/stat", PROC_STAT_MAX, NULL);
}

/* The processes there are now (each a number in /proc), or -1. */
static long long
count_processes(void)
{
	struct dirent *e;
	long long n = 0;
	DIR *dir;

	if ((dir = opendir("/proc")) == NULL)
		return -1;
	while ((e = readdir(dir)) != NULL)
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' &&
		    strspn(e->d_name, "0123456789") == strlen(e->d_name))
			n++;
	closedir(dir);
	return n;
}

void
gather_system(struct source *s, struct gathered *g)
{
	char mem[8192], buf[256], *st;
	struct utsname u;
	double up = 0, l1 = 0, l5 = 0, l15 = 0;
	json_t *o;

	(void)s;
	if (read_small("/proc/meminfo", mem, sizeof(mem)) < 0 ||
	    (st = read_proc_stat()) == NULL) {
		g->error = strdup("cannot read /proc");
		return;
	}
	if (uname(&u) == -1) {
		free(st);
		g->error = strdup("cannot read the system's names");
		return;
	}
	if (read_small("/proc/uptime", buf, sizeof(buf)) > 0)
		up = strtod(buf, NULL);
	if (read_small("/proc/loadavg", buf, sizeof(buf)) > 0)
		(void)sscanf(buf, "%lf %lf %lf", &l1, &l5, &l15);
	o = json_pack("{s:s, s:o, s:{s:s, s:s, s:s, s:s}, s:I, s:f, "
	    "s:[f,f,f], s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:i, s:I, "
	    "s:I}",
	    "hostname", u.nodename,
	    "os", os_release(),
	    "kernel", "sysname", u.sysname, "release", u.release,
	    "version", u.version, "machine", u.machine,
	    "boot_time", (json_int_t)stat_get(st, "btime"),
	    "uptime", up,
	    "load", l1, l5, l15,
	    "memory",
	    "total", (json_int_t)meminfo_get(mem, "MemTotal"),
	    "free", (json_int_t)meminfo_get(mem, "MemFree"),
	    "available", (json_int_t)meminfo_get(mem, "MemAvailable"),
	    "buffers", (json_int_t)meminfo_get(mem, "Buffers"),
	    "cached", (json_int_t)meminfo_get(mem, "Cached"),
	    "swap_total", (json_int_t)meminfo_get(mem, "SwapTotal"),
	    "swap_free", (json_int_t)meminfo_get(mem, "SwapFree"),
	    "cpus", (int)sysconf(_SC_NPROCESSORS_ONLN),
	    "forks_since_boot", (json_int_t)stat_get(st, "processes"),
	    "process_count", (json_int_t)count_processes());
	free(st);
	if (o == NULL)
		g->error = strdup("cannot build system data");
	g->json = o;
}

/* ---- file systems ---- */

static const char *pseudo_fs[] = {
	"proc", "sysfs", "cgroup", "cgroup2", "devpts", "mqueue", "debugfs",
	"tracefs", "securityfs", "pstore", "bpf", "configfs", "fusectl",
	"hugetlbfs", "autofs", "binfmt_misc", "rpc_pipefs", "nsfs",
	"efivarfs", "nfsd", "selinuxfs", "ramfs",
};

/* A probe outlives a gather that gave up on it; the last one frees it. */
struct probe {
	char		path[4096];
	pthread_mutex_t	mu;
	pthread_cond_t	cv;
	int		done;
	int		refs;
	int		err;
	struct statvfs	st;
	struct probe	*next_hung;
};

static pthread_mutex_t hung_mu = PTHREAD_MUTEX_INITIALIZER;
static struct probe *hung_list;

static void
probe_unref(struct probe *p)
{
	int last;

	pthread_mutex_lock(&p->mu);
	last = --p->refs == 0;
	pthread_mutex_unlock(&p->mu);
	if (last) {
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
		free(p);
	}
}

static void *
probe_run(void *arg)
{
	struct probe *p = arg, **pp;
	struct statvfs st;
	int err = 0;

	memset(&st, 0, sizeof(st));
	if (statvfs(p->path, &st) == -1)
		err = errno;
	/* ORDER: p->mu before hung_mu, as in probe_statvfs. */
	pthread_mutex_lock(&p->mu);
	p->st = st;
	p->err = err;
	p->done = 1;
	pthread_mutex_lock(&hung_mu);
	for (pp = &hung_list; *pp != NULL; pp = &(*pp)->next_hung)
		if (*pp == p) {
			*pp = p->next_hung;
			break;
		}
	pthread_mutex_unlock(&hung_mu);
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	probe_unref(p);
	return NULL;
}

static int
is_hung(const char *path)
{
	struct probe *p;
	int hung = 0;

	pthread_mutex_lock(&hung_mu);
	for (p = hung_list; p != NULL; p = p->next_hung)
		if (strcmp(p->path, path) == 0)
			hung = 1;
	pthread_mutex_unlock(&hung_mu);
	return hung;
}

/*
 * statvfs in its own thread with a time limit: 0, -1 with errno, or
 * -2 when the file system does not answer.
 */
static int
probe_statvfs(const char *path, struct statvfs *out)
{
	struct probe *p;
	struct timespec ts;
	pthread_t t;
	pthread_attr_t attr;
	int rv;

	if (is_hung(path))
		return -2;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -1;
	snprintf(p->path, sizeof(p->path), "%s", path);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->refs = 2;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	if (pthread_create(&t, &attr, probe_run, p) != 0) {
		pthread_attr_destroy(&attr);
		free(p);
		errno = EAGAIN;
		return -1;
	}
	pthread_attr_destroy(&attr);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (long)(gather_probe_timeout_ms % 1000) * 1000000L;
	ts.tv_sec += gather_probe_timeout_ms / 1000 + ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&p->mu);
	while (!p->done)
		if (pthread_cond_timedwait(&p->cv, &p->mu, &ts) == ETIMEDOUT)
			break;
	if (p->done) {
		*out = p->st;
		rv = p->err ? -1 : 0;
		errno = p->err;
	} else {
		rv = -2;
		pthread_mutex_lock(&hung_mu);
		p->next_hung = hung_list;
		hung_list = p;
		pthread_mutex_unlock(&hung_mu);
	}
	pthread_mutex_unlock(&p->mu);
	probe_unref(p);
	return rv;
}

/* mountinfo escapes space, tab, newline and backslash as octal. */
static void
unescape_octal(char *s)
{
	char *o = s;

	while (*s != '\0') {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
			    (s[3] - '0'));
			s += 4;
		} else
			*o++ = *s++;
	}
	*o = '\0';
}

void
gather_filesystems(struct source *s, struct gathered *g)
{
	FILE *f;
	char *line = NULL, *field[12], *p, *save;
	size_t cap = 0, i;
	json_t *arr = json_array();
	int nf, rv, pseudo;
	struct statvfs st;
	char detail[300];

	(void)s;
	if ((f = fopen("/proc/self/mountinfo", "re")) == NULL) {
		g->error = strdup("cannot read /proc/self/mountinfo");
		json_decref(arr);
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		char *fstype = NULL, *source = NULL, *opts, *dash;
		json_t *m;

		line[strcspn(line, "\n")] = '\0';
		if ((dash = strstr(line, " - ")) == NULL)
			continue;
		*dash = '\0';
		nf = 0;
		for (p = strtok_r(line, " ", &save); p != NULL && nf < 12;
		    p = strtok_r(NULL, " ", &save))
			field[nf++] = p;
		if (nf < 6)
			continue;
		fstype = strtok_r(dash + 3, " ", &save);
		source = strtok_r(NULL, " ", &save);
		if (fstype == NULL || source == NULL)
			continue;
		pseudo = 0;
		for (i = 0; i < sizeof(pseudo_fs) / sizeof(pseudo_fs[0]); i++)
			if (strcmp(fstype, pseudo_fs[i]) == 0)
				pseudo = 1;
		if (pseudo)
			continue;
		unescape_octal(field[4]);
		unescape_octal(source);
		opts = field[5];
		m = json_pack("{s:s, s:s, s:s, s:b}", "mountpoint", field[4],
		    "device", source, "type", fstype, "readonly",
		    strncmp(opts, "ro", 2) == 0 &&
		    (opts[2] == ',' || opts[2] == '\0'));
		if (m == NULL)
			continue;	/* not UTF-8: cannot be shown */
		rv = probe_statvfs(field[4], &st);
		if (rv == 0) {
			unsigned long long bs = st.f_frsize ? st.f_frsize :
			    st.f_bsize;
			unsigned long long size = st.f_blocks * bs;
			unsigned long long avail = st.f_bavail * bs;
			unsigned long long used = (st.f_blocks - st.f_bfree) * bs;
			double pct = 0;

			if (used + avail > 0)
				pct = 100.0 * (double)used /
				    (double)(used + avail);
			json_object_set_new(m, "responding", json_true());
			json_object_set_new(m, "size", json_integer(
			    (json_int_t)size));
			json_object_set_new(m, "used", json_integer(
			    (json_int_t)used));
			json_object_set_new(m, "available", json_integer(
			    (json_int_t)avail));
			json_object_set_new(m, "use_percent",
			    json_real((double)(long long)(pct * 10 + 0.5) /
			    10));
			json_object_set_new(m, "inodes", json_integer(
			    (json_int_t)st.f_files));
			json_object_set_new(m, "inodes_free", json_integer(
			    (json_int_t)st.f_ffree));
		} else if (rv == -2) {
			json_object_set_new(m, "responding", json_false());
		} else {
			json_object_set_new(m, "responding", json_true());
			json_object_set_new(m, "error",
			    json_string(strerror(errno)));
		}
		json_object_set_new(m, "health", json_string(
		    health_state_name(health_filesystem(m, detail,
		    sizeof(detail)))));
		json_array_append_new(arr, m);
	}
	free(line);
	fclose(f);
	g->json = json_pack("{s:o}", "filesystems", arr);
}

/* ---- metrics: the /proc part; the loop appends its own counters ---- */


static void
help(struct textbuf *b, const char *name, const char *type, const char *text)
{
	textbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, text, name,
	    type);
}

/* Device names are kernel names; anything odd is left out of labels. */
static int
label_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("-_.:@", *s) == NULL)
			return 0;
	return 1;
}

static void
metrics_cpu(struct textbuf *b, char *st)
{
	static const char *modes[] = { "user", "nice", "system", "idle",
	    "iowait", "irq", "softirq", "steal" };
	char *line, *save = NULL;
	double hz = (double)sysconf(_SC_CLK_TCK);
	unsigned long long v[8];
	char cpu[32];
	size_t i;

	help(b, "sms_cpu_seconds_total", "counter",
	    "Seconds the CPUs spent in each mode.");
	for (line = strtok_r(st, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "cpu", 3) != 0 || !isdigit((unsigned char)
		    line[3]))
			continue;
		if (sscanf(line, "%31s %llu %llu %llu %llu %llu %llu %llu %llu",
		    cpu, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
		    &v[7]) != 9)
			continue;
		for (i = 0; i < 8; i++)
			textbuf_printf(b, "sms_cpu_seconds_total{cpu=\"%s\","
			    "mode=\"%s\"} %.2f\n", cpu + 3, modes[i],
			    (double)v[i] / hz);
	}
}

/*
 * /proc/diskstats and /proc/net/dev are each read and parsed once per
 * gather into a table of per-device counters; every metric family of the
 * file is then rendered from that table.
 */

/* Room for every line of text (its newlines, plus a last unended one). */
static int
devstat_alloc(const char *text, struct devstat_table *t)
{
	size_t lines = 1;
	const char *p;

	for (p = text; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	t->n = 0;
	if ((t->dev = calloc(lines, sizeof(*t->dev))) == NULL)
		return -1;
	return 0;
}

void
devstat_free(struct devstat_table *t)
{
	free(t->dev);
	t->dev = NULL;
	t->n = 0;
}

/*
 * /proc/diskstats: v[0] reads completed, v[1] sectors read, v[2] writes
 * completed, v[3] sectors written, v[4] milliseconds doing I/O.  Loop and
 * RAM disks, short lines and names unfit for a label are left out.
 */
int
devstat_parse_disks(char *text, struct devstat_table *t)
{
	char *line, *save = NULL;
	unsigned maj, mnr;
	struct devstat *d;

	if (devstat_alloc(text, t) == -1)
		return -1;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		d = &t->dev[t->n];
		/* %63s: DEVSTAT_NAME_MAX - 1 */
		if (sscanf(line, "%u %u %63s %llu %*u %llu %*u %llu %*u %llu "
		    "%*u %*u %llu", &maj, &mnr, d->name, &d->v[0], &d->v[1],
		    &d->v[2], &d->v[3], &d->v[4]) != 8 ||
		    !label_safe(d->name) ||
		    strncmp(d->name, "loop", 4) == 0 ||
		    strncmp(d->name, "ram", 3) == 0)
			continue;
		t->n++;
	}
	return 0;
}

/*
 * /proc/net/dev: v[0..3] received bytes, packets, errors, drops; v[4..7]
 * the same transmitted.  The two header lines have no colon.
 */
int
devstat_parse_network(char *text, struct devstat_table *t)
{
	char *line, *save = NULL, *colon;
	struct devstat *d;

	if (devstat_alloc(text, t) == -1)
		return -1;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		while (*line == ' ')
			line++;
		d = &t->dev[t->n];
		if (strlen(line) >= sizeof(d->name) || !label_safe(line))
			continue;
		if (sscanf(colon + 1, "%llu %llu %llu %llu %*u %*u %*u %*u "
		    "%llu %llu %llu %llu", &d->v[0], &d->v[1], &d->v[2],
		    &d->v[3], &d->v[4], &d->v[5], &d->v[6], &d->v[7]) != 8)
			continue;
		memcpy(d->name, line, strlen(line) + 1);
		t->n++;
	}
	return 0;
}

/*
 * One metric name per unit, in base units (sectors are 512 bytes whatever
 * the device's own sector size; times in seconds).
 */
void
devstat_render_disks(struct textbuf *b, const struct devstat_table *t)
{
	static const struct {
		const char	*name;
		const char	*help;
	} m[] = {
		{ "sms_disk_reads_completed_total", "Reads completed." },
		{ "sms_disk_read_bytes_total", "Bytes read." },
		{ "sms_disk_writes_completed_total", "Writes completed." },
		{ "sms_disk_written_bytes_total", "Bytes written." },
		{ "sms_disk_io_time_seconds_total", "Seconds spent doing I/O." },
	};
	const struct devstat *d;
	size_t i, k;

	for (k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
		help(b, m[k].name, "counter", m[k].help);
		for (i = 0; i < t->n; i++) {
			d = &t->dev[i];
			if (k == 1 || k == 3)
				textbuf_printf(b, "%s{device=\"%s\"} %llu\n",
				    m[k].name, d->name, d->v[k] * 512);
			else if (k == 4)
				textbuf_printf(b, "%s{device=\"%s\"} %.3f\n",
				    m[k].name, d->name,
				    (double)d->v[k] / 1000.0);
			else
				textbuf_printf(b, "%s{device=\"%s\"} %llu\n",
				    m[k].name, d->name, d->v[k]);
		}
	}
}

/* One metric name per /proc/net/dev counter. */
void
devstat_render_network(struct textbuf *b, const struct devstat_table *t)
{
	static const char *const m[] = { "receive_bytes", "receive_packets",
	    "receive_errors", "receive_drops", "transmit_bytes",
	    "transmit_packets", "transmit_errors", "transmit_drops" };
	char metric[64];
	size_t i, k;

	for (k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
		snprintf(metric, sizeof(metric), "sms_network_%s_total", m[k]);
		help(b, metric, "counter", "Network interface counter, from "
		    "/proc/net/dev.");
		for (i = 0; i < t->n; i++)
			textbuf_printf(b, "%s{device=\"%s\"} %llu\n", metric,
			    t->dev[i].name, t->dev[i].v[k]);
	}
}

/*
 * Read path once into buf, parse it into a table and render its families;
 * nothing when it cannot be read or is empty.  -1 when out of memory.
 */
static int
metrics_devices(struct textbuf *b, const char *path, char *buf, size_t size,
    int (*parse)(char *, struct devstat_table *),
    void (*render)(struct textbuf *, const struct devstat_table *))
{
	struct devstat_table t = { NULL, 0 };

	if (read_small(path, buf, size) <= 0)
		return 0;
	if (parse(buf, &t) == -1)
		return -1;
	render(b, &t);
	devstat_free(&t);
	return 0;
}

void
gather_metrics(struct source *s, struct gathered *g)
{
	static const char *memkeys[] = { "MemTotal", "MemFree",
	    "MemAvailable", "Buffers", "Cached", "SwapTotal", "SwapFree",
	    "Dirty", "Writeback", "Shmem", "Slab", "Active", "Inactive",
	    "Mapped", "AnonPages", "Committed_AS" };
	static char mem[8192], buf[65536];
	char *st;
	struct textbuf b = { NULL, 0, 0 };
	double l1 = 0, l5 = 0, l15 = 0, up = 0;
	size_t i;
	long long v;

	(void)s;
	/* static buffers: one metrics worker thread only */
	if (read_small("/proc/meminfo", mem, sizeof(mem)) < 0 ||
	    (st = read_proc_stat()) == NULL) {
		g->error = strdup("cannot read /proc");
		return;
	}
	b.cap = 32768;
	if ((b.p = malloc(b.cap)) == NULL) {
		free(st);
		g->error = strdup("out of memory");
		return;
	}
	if (read_small("/proc/loadavg", buf, sizeof(buf)) > 0)
		(void)sscanf(buf, "%lf %lf %lf", &l1, &l5, &l15);
	if (read_small("/proc/uptime", buf, sizeof(buf)) > 0)
		up = strtod(buf, NULL);
	help(&b, "sms_load", "gauge", "Load average.");
	textbuf_printf(&b, "sms_load{period=\"1m\"} %.2f\n"
	    "sms_load{period=\"5m\"} %.2f\nsms_load{period=\"15m\"} %.2f\n",
	    l1, l5, l15);
	help(&b, "sms_boot_time_seconds", "gauge", "Boot time, Unix seconds.");
	textbuf_printf(&b, "sms_boot_time_seconds %lld\n",
	    stat_get(st, "btime"));
	help(&b, "sms_uptime_seconds", "gauge", "Seconds since boot.");
	textbuf_printf(&b, "sms_uptime_seconds %.2f\n", up);
	help(&b, "sms_memory_bytes", "gauge", "Memory, from /proc/meminfo.");
	for (i = 0; i < sizeof(memkeys) / sizeof(memkeys[0]); i++)
		if ((v = meminfo_get(mem, memkeys[i])) >= 0)
			textbuf_printf(&b,
			    "sms_memory_bytes{kind=\"%s\"} %lld\n",
			    memkeys[i], v);
	help(&b, "sms_context_switches_total", "counter", "Context switches.");
	textbuf_printf(&b, "sms_context_switches_total %lld\n",
	    stat_get(st, "ctxt"));
	help(&b, "sms_forks_total", "counter", "Processes created.");
	textbuf_printf(&b, "sms_forks_total %lld\n", stat_get(st, "processes"));
	help(&b, "sms_procs_running", "gauge", "Runnable processes.");
	textbuf_printf(&b, "sms_procs_running %lld\n",
	    stat_get(st, "procs_running"));
	help(&b, "sms_procs_blocked", "gauge", "Processes blocked on I/O.");
	textbuf_printf(&b, "sms_procs_blocked %lld\n",
	    stat_get(st, "procs_blocked"));
	metrics_cpu(&b, st);
	free(st);

	if (metrics_devices(&b, "/proc/diskstats", buf, sizeof(buf),
	    devstat_parse_disks, devstat_render_disks) == -1 ||
	    metrics_devices(&b, "/proc/net/dev", buf, sizeof(buf),
	    devstat_parse_network, devstat_render_network) == -1) {
		free(b.p);
		g->error = strdup("out of memory");
		return;
	}
	g->text = b.p;
	g->textlen = b.len;
}
