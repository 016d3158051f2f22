/*
 * libFuzzer target: what comes back from a Windows host (standard error
 * as CLIXML) and what a simulated host is handed (a command line, a stdin
 * payload) are untrusted bytes.  None of the decoders may crash, leak or
 * read out of bounds, whatever they are given.  Built and run for a
 * bounded time by tests/fuzz/run.sh.
 */
#include "autoconf.h"
#include "backend/core/util.h"
#include "backend/ops/winenc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* As a string: what follows a NUL byte is not seen, as by a reader. */
	char *s = xstrndup((const char *)data, size);
	free(winenc_clixml_errors(s));
	char *script = NULL, *err = NULL;
	(void)winenc_parse_command(s, &script, &err);
	free(script);
	free(err);
	script = err = NULL;
	(void)winenc_decode_payload((const char *)data, size, &script, &err);
	free(script);
	free(err);
	free(s);
	return 0;
}
