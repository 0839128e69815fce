/*
 * priv: drop root for an unprivileged user.
 */
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "priv.h"

/* Returns 1 and sets *uid if s is a plain decimal uid. */
static int
parse_uid(const char *s, uid_t *uid)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v >= (unsigned long)(uid_t)-1)
		return 0;
	*uid = (uid_t)v;
	return 1;
}

int
priv_lookup(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd pw, *res = NULL;
	char *buf = NULL, *nbuf;
	size_t bufsz = 1024;
	uid_t nuid = 0;
	int rc, numeric;

	if (user == NULL || *user == '\0') {
		errno = ENOENT;
		return -1;
	}
	numeric = parse_uid(user, &nuid);
	/* A name is tried first, as chown(1) does: "0day" may be a user. */
	for (;;) {
		if ((nbuf = realloc(buf, bufsz)) == NULL) {
			free(buf);
			return -1;
		}
		buf = nbuf;
		rc = getpwnam_r(user, &pw, buf, bufsz, &res);
		if (rc == 0 && res == NULL && numeric)
			rc = getpwuid_r(nuid, &pw, buf, bufsz, &res);
		if (rc != ERANGE || bufsz >= 1024 * 1024)
			break;
		bufsz *= 4;
	}
	if (rc == 0 && res != NULL) {
		*uid = res->pw_uid;
		*gid = res->pw_gid;
	}
	free(buf);
	if (res == NULL) {
		/* glibc reports "no such user" as 0 or as one of these. */
		if (rc == 0 || rc == ENOENT || rc == ESRCH || rc == EBADF ||
		    rc == EPERM)
			rc = ENOENT;
		errno = rc;
		return -1;
	}
	return 0;
}

/* 1 if none of our ids is root and root cannot be regained. */
static int
priv_verify(uid_t uid, gid_t gid, const gid_t *want, int nwant)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid, groups[PRIV_GROUPS_MAX + 1];
	int n, i, k;

	if (setuid(0) != -1 || setgid(0) != -1)
		return 0;
	if (getresuid(&ruid, &euid, &suid) == -1 ||
	    getresgid(&rgid, &egid, &sgid) == -1)
		return 0;
	if (ruid != uid || euid != uid || suid != uid ||
	    rgid != gid || egid != gid || sgid != gid)
		return 0;
	/* the kernel keeps the list sorted: compare as sets */
	if ((n = getgroups(PRIV_GROUPS_MAX + 1, groups)) != nwant)
		return 0;
	for (i = 0; i < n; i++) {
		if (groups[i] == 0)
			return 0;
		for (k = 0; k < nwant && want[k] != groups[i]; k++)
			;
		if (k == nwant)
			return 0;
	}
	return 1;
}

/*
 * The user's groups as the group database lists them, its primary group
 * first; the root group is left out (it would keep root's files open).
 */
static int
priv_groups(uid_t uid, gid_t gid, gid_t *out, int max)
{
	gid_t all[PRIV_GROUPS_MAX];
	struct passwd pw, *res = NULL;
	char buf[4096];
	int n = PRIV_GROUPS_MAX, i, k = 0;

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || res == NULL ||
	    getgrouplist(pw.pw_name, gid, all, &n) == -1)
		return -1;
	out[k++] = gid;
	for (i = 0; i < n && k < max; i++)
		if (all[i] != 0 && all[i] != gid)
			out[k++] = all[i];
	return k;
}

int
priv_drop(const char *user)
{
	uid_t uid, ruid, euid, suid;
	gid_t gid, groups[PRIV_GROUPS_MAX];
	int ngroups;

	if (priv_lookup(user, &uid, &gid) == -1)
		return -1;

	if (geteuid() != 0) {
		if (getresuid(&ruid, &euid, &suid) == -1)
			return -1;
		if (ruid == uid && euid == uid && suid == uid)
			return 0;
		errno = EPERM;
		return -1;
	}
	/* Dropping "to" root, or to the root group, would keep root. */
	if (uid == 0 || gid == 0) {
		errno = EINVAL;
		return -1;
	}

	/* e.g. group _hostmon, whose members may post to smsd */
	if ((ngroups = priv_groups(uid, gid, groups, PRIV_GROUPS_MAX)) == -1) {
		errno = E2BIG;
		return -1;
	}
	/*
	 * ORDER: groups and gid while we still may change them, the uid
	 * last; once the uid is gone nothing else can be changed.
	 */
	if (setgroups((size_t)ngroups, groups) == -1)
		return -1;
	if (setresgid(gid, gid, gid) == -1)
		return -1;
	if (setresuid(uid, uid, uid) == -1)
		return -1;

	if (!priv_verify(uid, gid, groups, ngroups)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}
