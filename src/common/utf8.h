/*
 * utf8: well-formed UTF-8 (RFC 3629), for text that goes into JSON, which
 * takes nothing else: smspost cleans what it sends to smsd, smsd what it
 * reads from files it does not own (dpkg's database).
 */
#ifndef HM_UTF8_H
#define HM_UTF8_H

#include <stddef.h>

/*
 * The length of the well-formed sequence at s, which has avail bytes
 * (no overlong forms, no surrogates, nothing above U+10FFFF), or 0.
 */
size_t	utf8_seq_len(const unsigned char *s, size_t avail);

/*
 * A copy of s (len bytes) with every byte that does not begin a
 * well-formed sequence replaced by U+FFFD, NUL-terminated, its length in
 * *outlen; malloc'ed, NULL when out of memory.
 */
char	*utf8_repair(const char *s, size_t len, size_t *outlen);

#endif
