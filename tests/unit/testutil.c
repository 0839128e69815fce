#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "testutil.h"

char *
tu_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	ck_assert_int_ge(asprintf(&dir, "%s/hmtest.XXXXXX", base), 0);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

void
tu_rmtree(const char *dir)
{
	if (dir != NULL)
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *
tu_path(const char *dir, const char *name)
{
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
	return p;
}

void
tu_write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
}

char *
tu_read_file(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "re");
	char *buf;
	long n;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (lenp != NULL)
		*lenp = (size_t)n;
	return buf;
}

static char *captured;
static size_t captured_len;

static void
capture_hook(int pri, const char *msg, void *arg)
{
	size_t n = strlen(msg);
	char *p;

	(void)pri; (void)arg;
	p = realloc(captured, captured_len + n + 2);
	if (p == NULL)
		return;
	captured = p;
	memcpy(captured + captured_len, msg, n);
	captured_len += n;
	captured[captured_len++] = '\n';
	captured[captured_len] = '\0';
}

void
tu_log_capture_start(void)
{
	free(captured);
	captured = NULL;
	captured_len = 0;
	log_set_hook(capture_hook, NULL);
}

void
tu_log_capture_stop(void)
{
	log_set_hook(NULL, NULL);
}

int
tu_log_contains(const char *needle)
{
	return captured != NULL && strstr(captured, needle) != NULL;
}

const char *
tu_log_text(void)
{
	return captured != NULL ? captured : "";
}
