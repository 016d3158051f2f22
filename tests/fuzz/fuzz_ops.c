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
	for (int k = 0; k < OP_COUNT; k++) {
		size_t n = 0;
		err = NULL;
		(void)proto_parse((const char *)data, size, op_name((enum op_kind)k), count, &n, &err);
		free(err);
	}
	struct buf b;
	buf_init(&b);
	(void)ops_b64_decode((const char *)data, size, &b);
	buf_free(&b);
	free(s);
	return 0;
}
