/*
 * libFuzzer target: a binary record log (the status file's framing) as
 * found on disk; see fuzz_reclog.h for what must hold.
 */
#include "fuzz_reclog.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_reclog_one(RECLOG_BINARY, data, size);
	return 0;
}
