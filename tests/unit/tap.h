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

__attribute__((format(printf, 2, 0))) static int
tap_vok(int cond, const char *fmt, va_list ap)
{
	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	vprintf(fmt, ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

__attribute__((format(printf, 2, 3), unused)) static int
ok(int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = tap_vok(cond, fmt, ap);
	va_end(ap);
	return r;
}

__attribute__((format(printf, 3, 4), unused)) static int
is_int(long long got, long long want, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = tap_vok(got == want, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#   got %lld, want %lld\n", got, want);
	return r;
}

__attribute__((format(printf, 3, 4), unused)) static int
is_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = tap_vok(got != NULL && want != NULL && strcmp(got, want) == 0, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#   got \"%s\", want \"%s\"\n", got ? got : "(null)", want ? want : "(null)");
	return r;
}

__attribute__((format(printf, 3, 4), unused)) static int
contains(const char *hay, const char *needle, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = tap_vok(hay != NULL && strstr(hay, needle) != NULL, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#   \"%s\" does not contain \"%s\"\n", hay ? hay : "(null)", needle);
	return r;
}

__attribute__((unused)) static int
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
