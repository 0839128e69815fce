/*
 * smspost: tell the local smsd of an event through its posting socket, a
 * datagram of "key=value" lines (name, priority, message; see smsd(8)).
 *
 * Best effort, and it never blocks: with no smsd running, or its queue
 * full, the event is dropped; the caller's own log keeps the record.
 */
#ifndef HM_SMSPOST_H
#define HM_SMSPOST_H

#include <stddef.h>

#include "log.h"

#define SMSPOST_SOCKET		"/run/smsd/post.sock"
#define SMSPOST_NAME_MAX	128	/* as smsd takes them */
#define SMSPOST_MSG_MAX		1024

/* Priorities, EVM style. */
#define SMSPOST_ERROR		400
#define SMSPOST_WARNING		300
#define SMSPOST_NOTICE		200
#define SMSPOST_INFO		100

/* An event name: dotted words of letters, digits, '_' and '-'; 1 if so. */
int	smspost_name_valid(const char *s, size_t len);

/* Post to path instead of SMSPOST_SOCKET from now on; NULL posts nothing. */
void	smspost_socket(const char *path);

/*
 * Post one event: name is dotted words of letters, digits, '_' and '-';
 * the message is cut to SMSPOST_MSG_MAX bytes, and control characters
 * and bytes that are not well-formed UTF-8 become '?'.  0 if smsd's socket took it; -1 with errno if not (EINVAL
 * for a bad name or priority, ENOENT or ECONNREFUSED when no smsd runs,
 * EAGAIN when its queue is full).
 */
int	smspost(const char *name, int priority, const char *fmt, ...)
	    HM_PRINTF(3, 4);

#endif
