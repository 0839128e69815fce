/*
 * smspost: events for the local smsd, one datagram each, never waited for.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "smspost.h"
#include "utf8.h"

static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)] =
    SMSPOST_SOCKET;
static int sock_off;
static int post_fd = -1;

void
smspost_socket(const char *path)
{
	sock_off = path == NULL || strlen(path) >= sizeof(sock_path);
	if (!sock_off)
		strcpy(sock_path, path);
}

int
smspost_name_valid(const char *s, size_t len)
{
	size_t i, word = 0;

	if (len == 0 || len > SMSPOST_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (word == 0)
				return 0;
			word = 0;
		} else if (isalnum(c) || c == '_' || c == '-')
			word++;
		else
			return 0;
	}
	return word > 0;
}

int
smspost(const char *name, int priority, const char *fmt, ...)
{
	char msg[SMSPOST_MSG_MAX + 1];
	char buf[SMSPOST_NAME_MAX + SMSPOST_MSG_MAX + 64];
	struct sockaddr_un sun;
	va_list ap;
	size_t i, len, mlen;
	int n, saved_errno = errno, rc = 0;

	if (!smspost_name_valid(name, strnlen(name, SMSPOST_NAME_MAX + 1)) ||
	    priority < 0 || priority > 700) {
		errno = EINVAL;
		return -1;
	}
	if (sock_off) {
		errno = ENOENT;
		return -1;
	}
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		msg[0] = '\0';
	/* smsd keeps text: control bytes and broken UTF-8 become '?'. */
	mlen = strlen(msg);
	for (i = 0; i < mlen; i += len) {
		len = utf8_seq_len((const unsigned char *)msg + i, mlen - i);
		if (len == 0 || (unsigned char)msg[i] < 0x20 || msg[i] == 0x7f) {
			msg[i] = '?';
			len = 1;
		}
	}
	n = snprintf(buf, sizeof(buf), "name=%s\npriority=%d\nmessage=%s\n",
	    name, priority, msg);

	if (post_fd == -1 && (post_fd = socket(AF_UNIX, SOCK_DGRAM |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, sock_path);
	if (sendto(post_fd, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, sizeof(sun)) != n) {
		saved_errno = errno;
		rc = -1;
	}
	errno = saved_errno;
	return rc;
}
