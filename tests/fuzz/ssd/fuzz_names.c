/*
 * libFuzzer target: the names and words ssd and ss take from outside: host
 * names (csstat_name_ok), the directory and program quoted into the
 * remote shell's command line (shell_quote, remote_command), and ss's
 * sort keys.  The first byte picks the case.  Must hold: a host name
 * accepted cannot leave the directory or hide; a quoted word reads back,
 * under the shell's rules, as the word itself; sorting by any keys keeps
 * every host.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/ssd/ssd.h"
#include "../fuzzutil.h"

/* The shell's reading of a word made of '...' and \' only. */
static int
fz_unquote(const char *q, char *out, size_t outsz)
{
	size_t o = 0;

	while (*q != '\0') {
		if (*q == '\'') {
			for (q++; *q != '\'' && *q != '\0'; q++) {
				if (o + 1 >= outsz)
					return -1;
				out[o++] = *q;
			}
			if (*q++ != '\'')
				return -1;
		} else if (q[0] == '\\' && q[1] == '\'') {
			if (o + 1 >= outsz)
				return -1;
			out[o++] = '\'';
			q += 2;
		} else
			return -1;	/* anything else is unquoted */
	}
	out[o] = '\0';
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct remote_opts ro;
	struct ss_host h[5];
	char *s, *q, *back, *cmd;
	size_t len, qsz, need, i;
	unsigned seen;

	if (size == 0 || (s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	len = strlen(s);
	switch (data[0] % 4) {
	case 0:
		if (csstat_name_ok(s))
			FUZZ_CHECK(len > 0 && len <= CSSTAT_NAME_MAX &&
			    strchr(s, '/') == NULL && s[0] != '.' &&
			    s[0] != '-' && strpbrk(s, " \t\n'\"$`\\;&|*?") == NULL);
		break;
	case 1:
		/* Buffer sizes around the quoted length, to hit the edge. */
		for (i = 0, need = 3; i < len; i++)
			need += s[i] == '\'' ? 4 : 1;
		qsz = need - 1 + (data[0] >> 2) % 3;
		q = malloc(qsz);
		back = malloc(len + 1);
		FUZZ_CHECK(q != NULL && back != NULL);
		/* It fits exactly when there is room for it. */
		FUZZ_CHECK((shell_quote(s, q, qsz) == 0) == (qsz >= need));
		if (qsz >= need) {
			FUZZ_CHECK(strlen(q) < qsz);
			FUZZ_CHECK(fz_unquote(q, back, len + 1) == 0);
			FUZZ_CHECK(strcmp(back, s) == 0);
		}
		free(q);
		free(back);
		break;
	case 2:
		memset(&ro, 0, sizeof(ro));
		ro.dir = s;
		ro.host = "host1";
		ro.interval = 40;
		if ((cmd = remote_command(s, &ro)) != NULL) {
			/* The program, quoted, comes first. */
			FUZZ_CHECK(cmd[0] == '\'');
			free(cmd);
		} else
			FUZZ_CHECK(len >= PATH_MAX);
		break;
	case 3:
		memset(h, 0, sizeof(h));
		for (i = 0; i < 5; i++) {
			h[i].name = (char *)(uintptr_t)(i % 2 ? "b" : "a");
			h[i].state = (enum ss_state)(i % 4);
			h[i].st.up = (long)i * 37 - 60;
			h[i].st.load = (int)(i * 8);
			h[i].st.users = (int)(5 - i);
			h[i].st.idle = (long)(i * i);
			h[i].st.pctusr = (int)i;
		}
		/* ss takes at most SS_KEYS_MAX distinct keys. */
		if (len > SS_KEYS_MAX)
			s[SS_KEYS_MAX] = '\0';
		ss_sort(h, 5, s, data[0] & 4);
		seen = 0;
		for (i = 0; i < 5; i++)
			seen |= 1u << (unsigned)h[i].st.users;
		FUZZ_CHECK(seen == 0x3e);
		break;
	}
	free(s);
	return 0;
}
