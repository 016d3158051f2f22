/* Unit tests: time text (ISO and WMI's CIM_DATETIME), the byte buffer, atomic file writes, the UTF-8
 * decoder, enum names and writing all of a buffer. */
#include "autoconf.h"
#include "backend/core/util.h"
#include "backend/core/wmitime.h"
#include "tests/unit/tap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* WMI datetimes: each form SMS or WMI writes, the offset honoured. */
static void
test_wmi_time(void)
{
	static const struct {
		const char *s;
		dpd_time want;
		const char *what;
	} good[] = {
		{ "20070104100000.000000+000", 1167904800, "+000 is UTC" },
		{ "20070104113000.000000+090", 1167904800, "+090: 11:30 at UTC+1:30 is 10:00 UTC" },
		{ "20070104050000.000000-300", 1167904800, "-300: 05:00 at UTC-5 is 10:00 UTC" },
		{ "20070104100000.000000+***", 1167904800, "+*** (SMS's own dates) is read as UTC" },
		{ "20070104100000.999999+000", 1167904800, "microseconds are cut, not rounded" },
		{ "20070104100000.******+000", 1167904800, "starred microseconds are ignored" },
		{ "20070105003000.000000+060", 1167953400, "00:30 on the 5th at UTC+1 is 23:30 on the 4th" },
		{ "20070104230000.000000-120", 1167958800, "23:00 at UTC-2 is 01:00 the next day" },
		{ "20080101003000.000000+060", 1199143800, "across the new year" },
		{ "20080229235959.000000+000", 1204329599, "leap day" },
		{ "20080301005959.000000+120", 1204325999, "back into the leap day" },
		{ "19980416******.000000+***", 0, "a starred time is a pattern: unknown" },
		{ "****0416100000.000000+000", 0, "a starred year is a pattern: unknown" },
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		dpd_time t = -1;
		ok(wmi_time_parse(good[i].s, &t) == 0 && t == good[i].want, "%s (%s)",
		    good[i].what, good[i].s);
	}
	static const char *const bad[] = {
		"", "20070104100000.000000+00", "20070104100000.000000+0000",
		"20070104100000+000", "2007-01-04T10:00:00Z", "20070104100000.000000 000",
		"20070104100000.000000:000",      /* an interval, not a timestamp */
		"2007010410000a.000000+000", "20070104100000,000000+000",
		"199*0416100000.000000+000",      /* a field partly starred */
		"20070104100000.000000+0*0", "20070104100000.00000*+000",
		"20071304100000.000000+000", "20070001100000.000000+000",
		"20070229100000.000000+000", "20070431100000.000000+000",
		"20070104240000.000000+000", "20070104106000.000000+000",
		"20070104100060.000000+000", "20070104100000.000000+-00",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		dpd_time t;
		ok(wmi_time_parse(bad[i], &t) == -1, "refuses \"%s\"", bad[i]);
	}
	dpd_time t = -1;
	ok(wmi_time_parse_column("", &t) == 0 && t == 0, "column: empty is unknown");
	t = -1;
	ok(wmi_time_parse_column(NULL, &t) == 0 && t == 0, "column: null is unknown");
	ok(wmi_time_parse_column("2007-01-04T10:00:00Z", &t) == 0 && t == 1167904800,
	    "column: ISO still read (older replies)");
	ok(wmi_time_parse_column("20070104113000.000000+090", &t) == 0 && t == 1167904800,
	    "column: CIM_DATETIME read with its offset");
	ok(wmi_time_parse_column("2007-01-04 10:00", &t) == -1, "column: neither is refused");
	ok(wmi_time_parse_column("2007010411300.000000+090 ", &t) == -1,
	    "column: a 25-character non-datetime is refused");
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

static void
test_utf8(void)
{
	static const struct {
		const char *s;
		size_t len;
		uint32_t cp;
	} good[] = {
		{ "A", 1, 'A' }, { "\xc3\xa9", 2, 0xe9 }, { "\xe2\x9c\x93", 3, 0x2713 },
		{ "\xf0\x9f\x98\x80", 4, 0x1f600 }, { "\xf4\x8f\xbf\xbf", 4, 0x10ffff },
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		uint32_t cp = 0;
		size_t n = utf8_decode(good[i].s, strlen(good[i].s), &cp);
		ok(n == good[i].len && cp == good[i].cp, "decodes U+%04X in %zu bytes",
		    (unsigned)good[i].cp, good[i].len);
	}
	static const char *const bad[] = {
		"\x80", "\xbf", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xed\xa0\x80",
		"\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "\xff", "\xc3", "\xe2\x9c", "\xc3" "A",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ok(utf8_decode(bad[i], strlen(bad[i]), NULL) == 0, "refuses bad sequence %zu", i);
	ok(utf8_decode("A", 0, NULL) == 0, "nothing to decode in 0 bytes");
	ok(utf8_valid("caf\xc3\xa9 \xe2\x9c\x93", 9), "valid text");
	ok(!utf8_valid("caf\xc3", 4), "text cut inside a character");
	/* ASCII runs are passed over 32 and 8 bytes at a time: a bad byte or a
	 * character at every offset around those blocks, and text cut there. */
	char t[80];
	int wrong = 0;
	for (size_t at = 0; at + 3 <= sizeof t; at++) {
		memset(t, 'a', sizeof t);
		t[at] = '\xff';
		wrong += utf8_valid(t, sizeof t);
		memcpy(t + at, "\xe2\x9c\x93", 3);
		wrong += !utf8_valid(t, sizeof t);
		wrong += at + 2 < sizeof t && utf8_valid(t, at + 2);
		wrong += !utf8_valid(t, at);
	}
	ok(wrong == 0, "bad bytes and characters at every offset of an ASCII run (%d wrong)", wrong);
}

static void
test_enum_names(void)
{
	enum { RED, GREEN, BLUE };
	static const struct enum_name in_order[] = { { RED, "red" }, { GREEN, "green" },
		{ BLUE, "blue" } };
	static const struct enum_name shuffled[] = { { BLUE, "blue" }, { RED, "red" } };
	size_t n = ENUM_NAMES_COUNT(in_order), m = ENUM_NAMES_COUNT(shuffled);
	is_str(enum_name(in_order, n, GREEN, "?"), "green", "name of a value");
	is_str(enum_name(shuffled, m, RED, "?"), "red", "name from a table out of order");
	is_str(enum_name(shuffled, m, GREEN, "?"), "?", "a value without a name");
	is_str(enum_name(in_order, n, -1, "none"), "none", "a negative value");
	ok(enum_lookup(in_order, n, "blue", false) == BLUE, "value of a name");
	ok(enum_lookup(in_order, n, "Blue", false) == -1, "case counts unless asked");
	ok(enum_lookup(in_order, n, "Blue", true) == BLUE, "  and is ignored when asked");
	ok(enum_lookup(shuffled, m, "green", false) == -1, "an unknown name");
}

static void
test_write_all(void)
{
	int fds[2];
	ok(pipe(fds) == 0, "pipe");
	/* More than a pipe holds at once, read by a child: short writes. */
	size_t len = 1 << 20;
	char *data = xcalloc(1, len);
	for (size_t i = 0; i < len; i++)
		data[i] = (char)('a' + i % 26);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[1]);
		size_t got = 0, bad = 0;
		char chunk[4096];
		ssize_t r;
		while ((r = read(fds[0], chunk, sizeof chunk)) > 0) {
			for (ssize_t i = 0; i < r; i++)
				bad += chunk[i] != (char)('a' + (got + (size_t)i) % 26);
			got += (size_t)r;
		}
		_exit(got == len && bad == 0 ? 0 : 1);
	}
	close(fds[0]);
	ok(fd_write_all(fds[1], data, len) == 0, "a megabyte through a pipe");
	close(fds[1]);
	int status = 0;
	ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "  arrives whole and in order");
	ok(fd_write_all(fds[1], "x", 1) == -1 && errno == EBADF, "a closed descriptor fails");
	free(data);
}

/* Log text in the ANSI code page: CP1252 read as Windows reads it; text
 * that is already UTF-8 kept. */
static void
test_cp1252(void)
{
	static const struct { const char *in; size_t n; const char *want, *what; } t[] = {
		{ "Caf\xe9 \x80 \x93ok\x94 \x81", 13,
		  "Caf\xc3\xa9 \xe2\x82\xac \xe2\x80\x9cok\xe2\x80\x9d \xc2\x81",
		  "CP1252: e-acute, the euro sign, curly quotes, an undefined byte as U+0081" },
		{ "Caf\xc3\xa9", 5, "Caf\xc3\xa9", "well-formed UTF-8 is kept as it is" },
		{ "plain", 5, "plain", "ASCII is ASCII" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct buf b;
		buf_init(&b);
		text_utf8(t[i].in, t[i].n, &b);
		buf_addc(&b, '\0');
		is_str(b.data, t[i].want, "%s", t[i].what);
		buf_free(&b);
	}
	struct buf b;
	buf_init(&b);
	text_utf8("a\0\xe9", 3, &b);
	ok(b.len == 4 && memcmp(b.data, "a\0\xc3\xa9", 4) == 0, "a NUL byte is kept");
	buf_free(&b);
}

/* Windows wildcards, as dirlist patterns are matched over SFTP and SMB. */
static void
test_wildcards(void)
{
	ok(wildcard_match("*.PKG", "ab12.pkg") && wildcard_match("A?C*", "abcdef") &&
	    wildcard_match("*", "") && wildcard_match("**x", "x"), "matches: any case, ? and *");
	ok(!wildcard_match("*.PKG", "a.PCK") && !wildcard_match("A?C", "AC") &&
	    !wildcard_match("x", ""), "and refuses what does not match");
}

/* Text from a file or a server as a terminal is given it: C0, DEL, C1 (as
 * UTF-8) and bytes that are not UTF-8 made visible, the rest untouched. */
static void
test_visible(void)
{
	static const struct {
		const char *in;
		size_t n;
		const char *out;
		const char *what;
	} cases[] = {
		{ "plain C:\\SMS\\x.log", 0, "plain C:\\SMS\\x.log", "printable ASCII and backslashes kept" },
		{ "\x1b[2Jgone", 0, "\\x1b[2Jgone", "ESC shown as \\x1b" },
		{ "a\xc2\x9b" "31mb", 0, "a\\x9b31mb", "a C1 CSI in UTF-8 shown as \\x9b" },
		{ "a\x9b" "b", 0, "a\\x9bb", "a raw 0x9b byte shown as \\x9b" },
		{ "a\xff\xfe", 0, "a\\xff\\xfe", "bytes that are not UTF-8 shown one by one" },
		{ "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80", 0,
		  "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80", "well-formed UTF-8 kept" },
		{ "\xc3", 0, "\\xc3", "UTF-8 cut short shown" },
		{ "\xc0\xaf", 0, "\\xc0\\xaf", "an overlong shown" },
		{ "a\tb\nc\rd", 0, "a b\\nc\\rd", "tab a space, newline and CR escaped" },
		{ "\x7f\x01\x07", 0, "\\x7f\\x01\\x07", "DEL, SOH and BEL shown" },
		{ "a\0b", 3, "a\\x00b", "a NUL inside the bytes shown" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = cases[i].n ? cases[i].n : strlen(cases[i].in);
		struct buf b;
		buf_init(&b);
		buf_adds(&b, "");
		buf_add_visible(&b, cases[i].in, n);
		is_str(b.data, cases[i].out, "visible: %s", cases[i].what);
		buf_free(&b);
	}
	char *v = text_visible("\x1b]0;title\x07");
	ok(strcmp(v, "\\x1b]0;title\\x07") == 0, "text_visible: an OSC title shown");
	free(v);
	v = text_visible(NULL);
	ok(strcmp(v, "") == 0, "text_visible(NULL) is empty");
	free(v);
	ok(text_plain_len("ab\xc3\xa9\x1b", 5) == 4, "text_plain_len stops at the first control");
}

static int
int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* An empty array is often NULL: qsort, memcpy and memcmp may not be handed
 * NULL even with a zero length (UBSan stops an --enable-asan build on it),
 * so the helpers take that case themselves. */
static void
test_empty_arrays(void)
{
	array_sort(NULL, 0, sizeof(int), int_cmp);
	ok(1, "array_sort of NULL, 0: nothing to do");
	int v[] = { 3, 1, 2 };
	array_sort(v, 3, sizeof *v, int_cmp);
	ok(v[0] == 1 && v[1] == 2 && v[2] == 3, "array_sort sorts");
	struct buf b;
	buf_init(&b);
	buf_add(&b, NULL, 0);
	ok(b.len == 0 && b.data != NULL && b.data[0] == '\0', "buf_add of NULL, 0: empty");
	buf_free(&b);
}

int
main(void)
{
	test_empty_arrays();
	test_time();
	test_wmi_time();
	test_buf();
	test_files();
	test_utf8();
	test_cp1252();
	test_wildcards();
	test_enum_names();
	test_write_all();
	test_visible();
	return done_testing();
}
