/*
 * libFuzzer target: a text record log (samd's event log, smsd's history)
 * as found on disk; see fuzz_reclog.h for what must hold.
 */
#include "fuzz_reclog.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_reclog_one(RECLOG_TEXT, data, size);
	return 0;
}
