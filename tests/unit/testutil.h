/*
 * Helpers shared by the Check suites.
 */
#ifndef HM_TESTUTIL_H
#define HM_TESTUTIL_H

#include <stddef.h>

/* A fresh empty folder under $TMPDIR (or /tmp); aborts the test on error. */
char	*tu_tmpdir(void);
/* rm -rf of a folder made by tu_tmpdir. */
void	 tu_rmtree(const char *dir);
/* path joined to name, malloc'ed. */
char	*tu_path(const char *dir, const char *name);
/* Write or read a whole small file; abort the test on error. */
void	 tu_write_file(const char *path, const void *buf, size_t len);
char	*tu_read_file(const char *path, size_t *lenp);

/* Captures log lines through log_set_hook. */
void	 tu_log_capture_start(void);
void	 tu_log_capture_stop(void);
/* 1 if a captured line contains needle. */
int	 tu_log_contains(const char *needle);
const char *tu_log_text(void);	/* all captured lines, '\n'-separated */

#endif
