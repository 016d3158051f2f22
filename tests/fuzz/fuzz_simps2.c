/*
 * libFuzzer target: the PowerShell 2.0 floor check of the simulated hosts
 * (backend/sim/simps2.c) reads every script a host is sent, which comes
 * over sshd from whoever connects.  Its small lexer (comments, strings,
 * here-strings, typographic quotes and dashes) must not crash, leak or
 * read past the script's end, whatever it is given.  Built and run for a
 * bounded time by tests/fuzz/run.sh.
 */
#include "autoconf.h"
#include "backend/core/util.h"
#include "backend/sim/simint.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* As a string: what follows a NUL byte is not seen, as by a host. */
	char *s = xstrndup((const char *)data, size);
	char *why = NULL;
	(void)simps2_check(s, &why);
	free(why);
	free(s);
	return 0;
}
