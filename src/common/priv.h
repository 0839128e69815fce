/*
 * priv: drop root for an unprivileged user after binding privileged ports.
 */
#ifndef HM_PRIV_H
#define HM_PRIV_H

#include <sys/types.h>

#define PRIV_GROUPS_MAX	64	/* supplementary groups kept, at most */

/*
 * Look up user (name or numeric uid) and switch to it and its groups:
 * setgroups to its primary group and the groups the group database lists
 * it in (never the root group; so smsd's and statd's users keep _hostmon,
 * which may post to smsd), setresgid to the primary group, setresuid;
 * then verify that root cannot be regained (setuid(0) must fail) and fail
 * if it can.
 * 0, or -1 with errno (ENOENT for an unknown user, EINVAL for a user
 * with uid or primary gid 0) and nothing half done that would leave root
 * privileges.  A numeric user is tried as a name first.  Not root: 0 if
 * already that user, otherwise -1 with EPERM.
 */
int	priv_drop(const char *user);

/* Resolve user to uid/gid without changing anything.  0 or -1 (ENOENT). */
int	priv_lookup(const char *user, uid_t *uid, gid_t *gid);

#endif
