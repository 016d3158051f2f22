/*
 * libFuzzer target: a status reply from a remote host is untrusted input.
 * It goes through the line protocol, NAL path parsing and number/time
 * checks; none of them may crash, leak or read out of bounds, whatever the
 * bytes.  Built and run for a bounded time by tests/fuzz/run.sh.
 */
#include "autoconf.h"
#include "backend/sms/status.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *err = NULL;
	struct snapshot *s = status_parse((const char *)data, size, &err);
	if (s != NULL) {
		for (size_t p = 0; p < s->npkgs; p++)
			for (size_t d = 0; d < s->ndps; d++)
				(void)snapshot_cell(s, p, d);
		snapshot_free(s);
	}
	free(err);
	return 0;
}
