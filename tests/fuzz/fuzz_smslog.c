/*
 * libFuzzer target: log files are untrusted input.  Every byte string goes
 * through smslog_parse_buffer twice -- without and with a package filter
 * (the fast path that searches before parsing and walks back for
 * multi-line CMTrace entries) -- and each entry's slices are read in full
 * so ASan sees any slice that points outside the input.  The input is
 * also cut into blocks as the parallel reader cuts a file and each block
 * parsed on its own: the entries (text, offset, line) must be those of the
 * whole parse unless a date was read on a guess.  Built and run for
 * a bounded time by tests/fuzz/run.sh.
 */
#include "autoconf.h"
#include "backend/sms/smslog.h"

#include <stdbool.h>
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

/* Entry identity, for comparing the whole parse with the block parse. */
HARNESS static int
ident(const struct smslog_entry *e, void *arg)
{
	unsigned *h = arg;
	*h = *h * 1000003u + touch(e->text) + (unsigned)e->offset * 7u + (unsigned)e->lineno * 13u +
	    (unsigned)e->truncated + (unsigned)e->utc;
	return 0;
}

/* The input in blocks of about `step` bytes, cut where smslog_block_cut
 * says, lines counted between: its identity hash, and whether a date
 * was guessed. */
HARNESS static unsigned
by_blocks(const char *buf, size_t size, size_t step, bool *guessed)
{
	unsigned h = 0;
	uint64_t open_at = UINT64_MAX;
	size_t at = 0, lineno = 1, end = 0;
	int order = 0;
	*guessed = false;
	while (at < size) {
		size_t cut = 0;
		for (end = at + step; cut == 0 && end < size; end += step)
			cut = smslog_block_cut(buf + at, end - at, at, &open_at);
		if (cut == 0)
			cut = size - at;
		bool g = false;
		smslog_parse_block(buf + at, cut, at, lineno, "fuzz.log", &order, &g, ident, &h);
		*guessed |= g;
		for (size_t i = at; i < at + cut; i++)
			lineno += buf[i] == '\n';
		at += cut;
	}
	return h;
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
	unsigned whole = 0;
	smslog_parse_buffer(buf, size, "fuzz.log", NULL, ident, &whole);
	bool guessed;
	unsigned blocks = by_blocks(buf, size, 1 + (size > 0 ? (unsigned char)buf[0] % 97 : 0), &guessed);
	if (!guessed && blocks != whole)
		abort();
	free(buf);
	return (int)(h & 0);
}
