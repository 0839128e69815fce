/*
 * hardware: the component tree from /sys and /proc, as a flat list of
 * nodes with parent ids: system > processors, memory, buses >
 * controllers > disks and network interfaces.  Each node has a health
 * state (good, warning, critical, inactive).
 */
#include <sys/types.h>
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smsd.h"

ssize_t	read_small(const char *path, char *buf, size_t size);

/* First line of a sysfs attribute, or NULL. */
static const char *
attr(const char *dir, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return NULL;
	if ((n = read_small(path, buf, size)) <= 0)
		return NULL;
	buf[strcspn(buf, "\n")] = '\0';
	for (n = (ssize_t)strlen(buf); n > 0 &&
	    isspace((unsigned char)buf[n - 1]); n--)
		buf[n - 1] = '\0';
	return buf[0] != '\0' ? buf : NULL;
}

static void
set_str(json_t *o, const char *key, const char *v)
{
	json_t *s;

	if (v != NULL && (s = json_string(v)) != NULL)
		json_object_set_new(o, key, s);
}

static json_t *
node(json_t *nodes, const char *id, const char *class, const char *name,
    const char *parent, const char *health)
{
	json_t *n;

	n = json_pack("{s:s, s:s, s:s, s:o, s:{}, s:s}", "id", id, "class",
	    class, "name", name != NULL ? name : id, "parent",
	    parent != NULL ? json_string(parent) : json_null(), "attributes",
	    "health", health);
	if (n == NULL)
		return NULL;
	json_array_append_new(nodes, n);
	return json_object_get(n, "attributes");
}

static int
has_node(json_t *nodes, const char *id)
{
	size_t i;
	json_t *n;

	json_array_foreach(nodes, i, n)
		if (strcmp(json_string_value(json_object_get(n, "id")), id)
		    == 0)
			return 1;
	return 0;
}

static const char *
pci_class_name(unsigned long cls)
{
	switch (cls >> 8) {
	case 0x0100: return "SCSI controller";
	case 0x0101: return "IDE controller";
	case 0x0104: return "RAID controller";
	case 0x0106: return "SATA controller";
	case 0x0107: return "SAS controller";
	case 0x0108: return "NVMe controller";
	case 0x0200: return "Ethernet controller";
	case 0x0280: return "Network controller";
	case 0x0c03: return "USB controller";
	default: break;
	}
	switch (cls >> 16) {
	case 0x01: return "storage controller";
	case 0x02: return "network controller";
	case 0x03: return "display controller";
	case 0x06: return "bridge";
	default: return "controller";
	}
}

static int
is_pci_addr(const char *s)
{
	unsigned a, b, c, f;
	char tail;

	return strlen(s) == 12 && sscanf(s, "%4x:%2x:%2x.%1x%c", &a, &b, &c,
	    &f, &tail) == 4;
}

/*
 * The controller a device hangs off: the last PCI address in its sysfs
 * path.  Adds the bus and controller nodes on first sight and returns the
 * controller's id in out, or the virtual bus.
 */
static const char *
controller_of(json_t *nodes, const char *sysdev, char *out, size_t outsz)
{
	char real[PATH_MAX], copy[PATH_MAX], *p, *save = NULL, *last = NULL;
	char dir[128], buf[256], b2[256], id[64];
	json_t *a;

	if (realpath(sysdev, real) == NULL) {
		snprintf(out, outsz, "bus:virtual");
		goto virtual;
	}
	strcpy(copy, real);
	for (p = strtok_r(copy, "/", &save); p != NULL;
	    p = strtok_r(NULL, "/", &save))
		if (is_pci_addr(p))
			last = p;
	if (last == NULL || strstr(real, "/virtual/") != NULL) {
		snprintf(out, outsz, "bus:virtual");
		goto virtual;
	}
	snprintf(id, sizeof(id), "pci:%s", last);
	snprintf(out, outsz, "%s", id);
	if (!has_node(nodes, "bus:pci"))
		node(nodes, "bus:pci", "bus", "PCI bus", "system", "good");
	if (has_node(nodes, id))
		return out;
	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%.16s", last);
	a = node(nodes, id, "controller", pci_class_name(strtoul(
	    attr(dir, "class", buf, sizeof(buf)) ? buf : "0", NULL, 16)),
	    "bus:pci", "good");
	if (a == NULL)
		return out;
	set_str(a, "pci_address", last);
	set_str(a, "vendor_id", attr(dir, "vendor", buf, sizeof(buf)));
	set_str(a, "device_id", attr(dir, "device", buf, sizeof(buf)));
	snprintf(b2, sizeof(b2), "%s/driver", dir);
	if (realpath(b2, real) != NULL && (p = strrchr(real, '/')) != NULL)
		set_str(a, "driver", p + 1);
	return out;
virtual:
	if (!has_node(nodes, "bus:virtual"))
		node(nodes, "bus:virtual", "bus", "virtual devices", "system",
		    "good");
	return out;
}

static void
processors(json_t *nodes)
{
	char model[256] = "", buf[65536], *p, path[PATH_MAX], id[32];
	DIR *d;
	struct dirent *de;
	json_t *a;
	int online;

	if (read_small("/proc/cpuinfo", buf, sizeof(buf)) > 0 &&
	    (p = strstr(buf, "model name")) != NULL &&
	    (p = strchr(p, ':')) != NULL) {
		p += 2;
		snprintf(model, sizeof(model), "%.*s", (int)strcspn(p, "\n"),
		    p);
	}
	if ((d = opendir("/sys/devices/system/cpu")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "cpu", 3) != 0 ||
		    !isdigit((unsigned char)de->d_name[3]) ||
		    strlen(de->d_name) > 12)
			continue;
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/%s",
		    de->d_name);
		/* cpu0 often has no "online" file: it cannot go offline. */
		online = attr(path, "online", buf, sizeof(buf)) == NULL ||
		    buf[0] == '1';
		snprintf(id, sizeof(id), "%s", de->d_name);
		a = node(nodes, id, "processor", model[0] ? model : id,
		    "system", online ? "good" : "inactive");
		if (a == NULL)
			continue;
		json_object_set_new(a, "online", json_boolean(online));
		if (attr(path, "cpufreq/scaling_cur_freq", buf, sizeof(buf)))
			json_object_set_new(a, "khz", json_integer(
			    strtoll(buf, NULL, 10)));
	}
	closedir(d);
}

static void
memory(json_t *nodes)
{
	char buf[8192], *p;
	long long total = 0, avail = -1;
	const char *health = "good";
	json_t *a;

	if (read_small("/proc/meminfo", buf, sizeof(buf)) <= 0)
		return;
	if ((p = strstr(buf, "MemTotal:")) != NULL)
		total = strtoll(p + 9, NULL, 10) * 1024;
	if ((p = strstr(buf, "MemAvailable:")) != NULL)
		avail = strtoll(p + 13, NULL, 10) * 1024;
	if (total > 0 && avail >= 0) {
		if (avail < total / 50)
			health = "critical";
		else if (avail < total / 10)
			health = "warning";
	}
	if ((a = node(nodes, "memory", "memory", "main memory", "system",
	    health)) == NULL)
		return;
	json_object_set_new(a, "size", json_integer(total));
	if (avail >= 0)
		json_object_set_new(a, "available", json_integer(avail));
}

static void
disks(json_t *nodes)
{
	DIR *d;
	struct dirent *de;
	char dir[128], dev[160], buf[256], parent[96], id[96];
	const char *health, *st;
	long long sectors;
	json_t *a;

	if ((d = opendir("/sys/block")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strlen(de->d_name) > 64 ||
		    strncmp(de->d_name, "ram", 3) == 0)
			continue;
		snprintf(dir, sizeof(dir), "/sys/block/%.64s", de->d_name);
		sectors = attr(dir, "size", buf, sizeof(buf)) ?
		    strtoll(buf, NULL, 10) : 0;
		/* unattached loop devices are not disks anyone has */
		if (strncmp(de->d_name, "loop", 4) == 0 && sectors == 0)
			continue;
		snprintf(dev, sizeof(dev), "%s/device", dir);
		if (access(dev, F_OK) == 0)
			controller_of(nodes, dev, parent, sizeof(parent));
		else
			controller_of(nodes, dir, parent, sizeof(parent));
		health = sectors > 0 ? "good" : "inactive";
		st = attr(dir, "device/state", buf, sizeof(buf));
		if (st != NULL && strcmp(st, "running") != 0)
			health = "critical";
		snprintf(id, sizeof(id), "disk:%s", de->d_name);
		if ((a = node(nodes, id, "disk", de->d_name, parent,
		    health)) == NULL)
			continue;
		json_object_set_new(a, "size", json_integer(sectors * 512));
		if (st != NULL)
			set_str(a, "state", st);
		set_str(a, "model", attr(dir, "device/model", buf,
		    sizeof(buf)));
		set_str(a, "vendor", attr(dir, "device/vendor", buf,
		    sizeof(buf)));
		if (attr(dir, "queue/rotational", buf, sizeof(buf)))
			json_object_set_new(a, "rotational",
			    json_boolean(buf[0] == '1'));
		if (attr(dir, "removable", buf, sizeof(buf)))
			json_object_set_new(a, "removable",
			    json_boolean(buf[0] == '1'));
		if (attr(dir, "ro", buf, sizeof(buf)))
			json_object_set_new(a, "readonly",
			    json_boolean(buf[0] == '1'));
	}
	closedir(d);
}

static void
interfaces(json_t *nodes)
{
	DIR *d;
	struct dirent *de;
	char dir[128], dev[160], buf[256], parent[96], id[96];
	const char *health, *oper;
	json_t *a;

	if ((d = opendir("/sys/class/net")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strlen(de->d_name) > 32)
			continue;
		snprintf(dir, sizeof(dir), "/sys/class/net/%.32s", de->d_name);
		snprintf(dev, sizeof(dev), "%s/device", dir);
		if (access(dev, F_OK) == 0)
			controller_of(nodes, dev, parent, sizeof(parent));
		else
			controller_of(nodes, dir, parent, sizeof(parent));
		oper = attr(dir, "operstate", buf, sizeof(buf));
		if (oper == NULL || strcmp(oper, "up") == 0 ||
		    strcmp(oper, "unknown") == 0)
			health = "good";
		else if (strcmp(oper, "down") == 0 ||
		    strcmp(oper, "notpresent") == 0)
			health = "inactive";
		else
			health = "warning";
		snprintf(id, sizeof(id), "net:%s", de->d_name);
		if ((a = node(nodes, id, "network", de->d_name, parent,
		    health)) == NULL)
			continue;
		set_str(a, "operstate", oper);
		set_str(a, "address", attr(dir, "address", buf, sizeof(buf)));
		if (attr(dir, "mtu", buf, sizeof(buf)))
			json_object_set_new(a, "mtu", json_integer(
			    strtoll(buf, NULL, 10)));
		if (attr(dir, "speed", buf, sizeof(buf)) &&
		    strtoll(buf, NULL, 10) > 0)
			json_object_set_new(a, "speed_mbps", json_integer(
			    strtoll(buf, NULL, 10)));
	}
	closedir(d);
}

void
gather_hardware(struct source *s, struct gathered *g)
{
	static const char *dmi[] = { "sys_vendor", "product_name",
	    "product_version", "board_vendor", "board_name", "bios_vendor",
	    "bios_version", "bios_date", "chassis_type" };
	char buf[256], host[256];
	json_t *nodes = json_array(), *a;
	const char *worst = "good";
	size_t i;
	json_t *n;

	(void)s;
	if (gethostname(host, sizeof(host)) == -1)
		strcpy(host, "system");
	host[sizeof(host) - 1] = '\0';
	a = node(nodes, "system", "system", host, NULL, "good");
	if (a != NULL)
		for (i = 0; i < sizeof(dmi) / sizeof(dmi[0]); i++)
			set_str(a, dmi[i], attr("/sys/class/dmi/id", dmi[i],
			    buf, sizeof(buf)));
	processors(nodes);
	memory(nodes);
	disks(nodes);
	interfaces(nodes);
	/* The system node carries the worst state below it. */
	json_array_foreach(nodes, i, n) {
		const char *h = json_string_value(json_object_get(n, "health"));

		if (strcmp(h, "critical") == 0)
			worst = "critical";
		else if (strcmp(h, "warning") == 0 &&
		    strcmp(worst, "critical") != 0)
			worst = "warning";
	}
	json_object_set_new(json_array_get(nodes, 0), "health",
	    json_string(worst));
	g->json = json_pack("{s:o}", "nodes", nodes);
}
