/*
 * libFuzzer target: log files are untrusted input.  Every byte string goes
 * through smslog_parse_buffer twice -- without and with a package filter
 * (the fast path that searches before parsing and walks back for
 * multi-line CMTrace entries) -- and each entry's slices are read in full
 * so ASan sees any slice that points outside the input.  Built and run for
 * a bounded time by tests/fuzz/run.sh.
 */
#include "autoconf.h"
#include "backend/sms/smslog.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The harness's own loops are not what is fuzzed: left uninstrumented for
 * coverage, so reading every slice byte by byte adds no comparison
 * callbacks (a few per cent of the time in a profile) and no features.
 * ASan still checks every byte read. */
#define HARNESS __attribute__((no_sanitize("coverage")))

HARNESS static unsigned
touch(struct smslog_str s)
{
	unsigned h = 0;
	for (size_t i = 0; i < s.n; i++)
		h = h * 31 + (unsigned char)s.p[i];
	return h;
}

HARNESS static int
check(const struct smslog_entry *e, void *arg)
{
	unsigned *h = arg;
	*h += touch(e->text) + touch(e->component) + touch(e->local) + touch(e->zone);
	if (e->statmsg != NULL) {
		const struct smslog_statmsg *m = e->statmsg;
		*h += touch(m->comp) + touch(m->sys) + touch(m->site) + touch(m->source);
		for (int i = 0; i < m->nistr && i < SMSLOG_MAX_ISTR; i++)
			*h += touch(m->istr[i]);
		for (int i = 0; i < m->nattr && i < SMSLOG_MAX_ATTR; i++)
			*h += touch(m->attr[i].value);
	}
	if (e->ms < 0 || e->ms > 999 || (unsigned)e->severity > SMSLOG_SEV_ERROR)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes: ASan catches any read past the end. */
	char *buf = malloc(size ? size : 1);
	memcpy(buf, data, size);
	unsigned h = 0;
	smslog_parse_buffer(buf, size, "fuzz.log", NULL, check, &h);
	smslog_parse_buffer(buf, size, "fuzz.log", "009000B7", check, &h);
	smslog_parse_buffer(buf, size, NULL, "A", check, &h);
	free(buf);
	return (int)(h & 0);
}
