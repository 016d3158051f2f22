/* Unit tests: time text, the byte buffer and atomic file writes. */
#include "autoconf.h"
#include "backend/core/util.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void
test_time(void)
{
	dpd_time t;
	ok(time_parse_iso("2007-01-04T10:00:00Z", &t) == 0 && t == 1167904800, "parses UTC");
	char s[21];
	time_format_iso(t, s);
	is_str(s, "2007-01-04T10:00:00Z", "formats back");
	time_format_iso(0, s);
	is_str(s, "", "0 is unknown, printed empty");
	static const char *const bad[] = {
		"2007-02-31T00:00:00Z", "2007-13-01T00:00:00Z", "2007-01-04T24:00:00Z",
		"2007-01-04T10:00:00", "2007-01-04 10:00:00Z", "2007-01-04T10:00:00Z ",
		"07-01-04T10:00:00Z", "", "yesterday",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ok(time_parse_iso(bad[i], &t) == -1, "refuses \"%s\"", bad[i]);
	ok(time_parse_iso("2008-02-29T23:59:59Z", &t) == 0, "leap day accepted");
}

static void
test_buf(void)
{
	struct buf b;
	buf_init(&b);
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	ok(b.len == strlen(b.data), "always NUL-terminated");
	ok(strncmp(b.data, "0,1,2,", 6) == 0 && strstr(b.data, "999,") != NULL, "content kept while growing");
	char *d = buf_detach(&b);
	ok(b.data == NULL && b.len == 0, "detach empties the buffer");
	free(d);
}

static void
test_files(void)
{
	char dir[] = "/tmp/dpdutil.XXXXXX";
	ok(mkdtemp(dir) != NULL, "scratch dir");
	char *path = xasprintf("%s/a/b/c", dir);
	char *err = NULL;
	ok(dir_make_all(path, true, &err) == 0, "mkdir -p");
	struct stat st;
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0700, "private leaf is 0700");
	char *file = xasprintf("%s/f", path);
	ok(file_write_atomic(file, "hello", 5, &err) == 0, "atomic write");
	struct buf b;
	buf_init(&b);
	ok(file_read_all(file, 100, &b, &err) == 0 && strcmp(b.data, "hello") == 0, "read back");
	buf_reset(&b);
	ok(file_read_all(file, 3, &b, &err) == -1, "size limit enforced");
	contains(err, "larger than 3 bytes", "  with a reason");
	free(err);
	err = NULL;
	char *missing = xasprintf("%s/nope", dir);
	ok(file_read_all(missing, 100, &b, &err) == -1, "missing file");
	contains(err, "No such file", "  says why");
	free(err);
	buf_free(&b);
	char *cmd = xasprintf("rm -rf %s", dir);
	ok(system(cmd) == 0, "clean up");
	free(cmd);
	free(missing);
	free(file);
	free(path);
}

int
main(void)
{
	test_time();
	test_buf();
	test_files();
	return done_testing();
}
