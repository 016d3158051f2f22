/*
 * tui/cli/outpipe: what is handed over is written whole and in order
 * whatever the lengths (so `dpdoctor log` output written beside the
 * parsing is the output written in line), a zero-length hand-over writes
 * nothing, and a failed write (/dev/full) is reported by the next
 * hand-over, by outpipe_sync and by outpipe_close.
 */
#include "autoconf.h"
#include "tui/cli/outpipe.h"
#include "backend/core/util.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#define SIZE 4096

/* Hand over n bytes in pieces of varying length, byte i being i % 251. */
static int
write_pattern(struct outpipe *p, size_t n)
{
	char *b = outpipe_buf(p);
	size_t len = 0, piece = 1, err_seen = 0;
	for (size_t i = 0; i < n; i++) {
		b[len++] = (char)(i % 251);
		if (len == piece || len == SIZE) {
			int e;
			b = outpipe_swap(p, len, &e);
			err_seen |= e != 0;
			len = 0;
			piece = piece * 7 % SIZE + 1;
		}
	}
	int e;
	(void)outpipe_swap(p, len, &e);
	return (int)(err_seen | (e != 0));
}

int
main(void)
{
	char path[] = "/tmp/dpd-outpipe.XXXXXX";
	int fd = mkstemp(path);
	ok(fd >= 0, "a scratch file");
	if (fd < 0)
		return done_testing();
	struct outpipe *p = outpipe_open(fd, SIZE);
	size_t n = 3 * 1000 * 1000 + 17;
	ok(write_pattern(p, n) == 0, "no error handing over %zu bytes", n);
	int e;
	char *b = outpipe_swap(p, 0, &e);
	ok(b != NULL && e == 0, "a zero-length hand-over: a buffer, no error");
	is_int(outpipe_close(p), 0, "close: every write succeeded");
	struct buf got = {0};
	ok(file_read_all(path, 64 << 20, &got, NULL) == 0, "read back");
	const char *data = got.data;
	size_t len = got.len;
	is_int((long long)len, (long long)n, "every byte written, none twice");
	size_t bad = n;
	for (size_t i = 0; i < len && i < n; i++) {
		if (data[i] != (char)(i % 251)) {
			bad = i;
			break;
		}
	}
	ok(bad == n, "in order (first difference at %zu)", bad);
	buf_free(&got);
	close(fd);
	unlink(path);

	int full = open("/dev/full", O_WRONLY);
	if (full >= 0) {
		p = outpipe_open(full, SIZE);
		(void)write_pattern(p, 10 * SIZE);
		is_int(outpipe_sync(p), ENOSPC, "a failed write: its errno from sync");
		b = outpipe_swap(p, 10, &e);
		is_int(e, ENOSPC, "  and from the next hand-over");
		is_int(outpipe_close(p), ENOSPC, "  and from close");
		close(full);
	} else {
		ok(1, "# SKIP no /dev/full");
		ok(1, "# SKIP no /dev/full");
		ok(1, "# SKIP no /dev/full");
	}
	return done_testing();
}
