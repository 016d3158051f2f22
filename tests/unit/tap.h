/*
 * A tiny TAP producer for the unit tests: each check prints "ok N - what"
 * or "not ok N - what" and the totals line comes from automake's TAP
 * driver.  Header-only so every test program stays a single file.
 */
#ifndef DPD_TAP_H
#define DPD_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3), unused)) static int
ok(int cond, const char *fmt, ...)
{
	va_list ap;
	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

#define is_int(got, want, ...) \
	(ok((long long)(got) == (long long)(want), __VA_ARGS__) ? 1 : \
	 (printf("#   got %lld, want %lld\n", (long long)(got), (long long)(want)), 0))

#define is_str(got, want, ...) \
	(ok((got) != NULL && (want) != NULL && strcmp((got), (want)) == 0, __VA_ARGS__) ? 1 : \
	 (printf("#   got \"%s\", want \"%s\"\n", (got) ? (got) : "(null)", (want) ? (want) : "(null)"), 0))

#define contains(hay, needle, ...) \
	(ok((hay) != NULL && strstr((hay), (needle)) != NULL, __VA_ARGS__) ? 1 : \
	 (printf("#   \"%s\" does not contain \"%s\"\n", (hay) ? (hay) : "(null)", (needle)), 0))

__attribute__((unused)) static int
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
