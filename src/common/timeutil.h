/*
 * timeutil: clocks and time formatting shared by the daemons.
 */
#ifndef HM_TIMEUTIL_H
#define HM_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Milliseconds on CLOCK_MONOTONIC, CLOCK_BOOTTIME and CLOCK_REALTIME. */
int64_t	mono_ms(void);
int64_t	boot_ms(void);
int64_t	real_ms(void);

/*
 * Elapsed time as ss(1) and samrep print it, at most 6 characters wide
 * below 100 weeks (the weeks grow as needed beyond): "45.00s", "5m03s",
 * "3h07m", "2d05h", "2w03d".  Negative values are formatted as their
 * absolute value.  Cut to fit bufsz; 24 bytes always suffice.  Returns buf.
 */
const char *fmt_elapsed(int64_t seconds, char *buf, size_t bufsz);

/*
 * The kernel's boot id (36 characters and NUL) from path, normally
 * /proc/sys/kernel/random/boot_id (tests pass another path).  0, or -1
 * with errno (EINVAL if the content is not one 8-4-4-4-12 hex uuid and an
 * optional newline).
 */
#define BOOT_ID_PATH	"/proc/sys/kernel/random/boot_id"
int	read_boot_id(const char *path, char out[37]);

/* ISO 8601 local time "2026-11-21 05:45:39" into buf. */
const char *fmt_time(time_t t, char *buf, size_t bufsz);

#endif
