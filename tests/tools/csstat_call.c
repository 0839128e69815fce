/*
 * csstat_call: one call of csstat(3), for the scenario tests.
 *
 *	csstat_call [host]	without an operand: csstat(NULL)
 *
 * Prints "up=N idle=N load=N pctusr=N pctsys=N users=N" and exits 0, or
 * "error=ENAME" (ENOENT, EINVAL ...) and exits 1.  The environment
 * (CSSTAT_DIR, CSSTAT_SSD, CSSTAT_DOWN_AFTER) is csstat's to read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csstat.h"

int
main(int argc, char *argv[])
{
	const char *name;
	Csstat_t st;

	if (argc > 2) {
		fprintf(stderr, "usage: csstat_call [host]\n");
		return 2;
	}
	if (csstat(argc == 2 ? argv[1] : NULL, &st) == -1) {
		name = strerrorname_np(errno);
		if (name != NULL)
			printf("error=%s\n", name);
		else
			printf("error=%d\n", errno);
		return 1;
	}
	printf("up=%ld idle=%ld load=%d pctusr=%d pctsys=%d users=%d\n",
	    st.up, st.idle, st.load, st.pctusr, st.pctsys, st.users);
	return 0;
}
