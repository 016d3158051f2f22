/*
 * libFuzzer target: a rendered op script is read back by the simulated
 * host and by the transports that answer ops themselves (SFTP, the
 * route), and a reply of any op comes from a remote host.  Reading back,
 * checking the arguments read (rendering them again) and parsing may fail
 * but never crash.  Built and run for a bounded time by tests/fuzz/run.sh.
 */
#include "autoconf.h"
#include "backend/core/util.h"
#include "backend/ops/ops_ps.h"
#include "backend/core/proto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
count(const struct proto_record *r, void *arg, char **err)
{
	(void)r;
	(void)err;
	(*(size_t *)arg)++;
	return 0;
}

/* The op whose name ends the reply's first line, or the first op. */
static enum op_kind
reply_op(const char *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t l = nl ? (size_t)(nl - data) : size;
	if (l > 0 && data[l - 1] == '\r')
		l--;
	for (int k = 0; k < OP_COUNT; k++) {
		size_t n = strlen(op_name((enum op_kind)k));
		if (n < l && data[l - n - 1] == ' ' && memcmp(data + l - n, op_name((enum op_kind)k), n) == 0)
			return (enum op_kind)k;
	}
	return (enum op_kind)0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* As a string: what follows a NUL byte is not seen, as by a reader. */
	char *s = xstrndup((const char *)data, size);
	struct op op;
	char *storage = NULL, *err = NULL;
	if (ops_parse(s, &op, &storage, &err) == 0)
		free(ops_render(&op, &err));
	free(storage);
	free(err);
	/* The op a reply is parsed for matters only to its first line: parsed
	 * for the op it names it goes through, for any other it stops there.
	 * Both, rather than all OP_COUNT ops, which cost 17 parses an input
	 * for the same two paths. */
	enum op_kind k = reply_op((const char *)data, size);
	enum op_kind other = (enum op_kind)((k + 1) % OP_COUNT);
	for (int i = 0; i < 2; i++) {
		size_t n = 0;
		err = NULL;
		(void)proto_parse((const char *)data, size, op_name(i ? other : k), count, &n, &err);
		free(err);
	}
	struct buf b;
	buf_init(&b);
	(void)ops_b64_decode((const char *)data, size, &b);
	buf_free(&b);
	free(s);
	return 0;
}
