/*
 * Label shortening.  Works on ASCII names (DP names are validated server
 * names); a label with other bytes is only ever cut at its end, at a
 * character boundary, and never has anything stripped.
 */
#include "autoconf.h"
#include "tui/label.h"
#include "tui/draw.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define LABEL_MIN_COMMON 2

static bool
label_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

void
label_common(const char *const *labels, size_t n, size_t *head, size_t *tail)
{
	*head = *tail = 0;
	if (n < 2)
		return;
	size_t shortest = strlen(labels[0]);
	for (size_t i = 0; i < n; i++) {
		if (!label_ascii(labels[i]))
			return;
		if (strlen(labels[i]) < shortest)
			shortest = strlen(labels[i]);
	}
	size_t h = 0, t = 0;
	while (h < shortest) {
		size_t i = 1;
		while (i < n && toupper((unsigned char)labels[i][h]) ==
		    toupper((unsigned char)labels[0][h]))
			i++;
		if (i < n)
			break;
		h++;
	}
	size_t len0 = strlen(labels[0]);
	while (t < shortest) {
		size_t i = 1;
		for (; i < n; i++) {
			size_t len = strlen(labels[i]);
			if (toupper((unsigned char)labels[i][len - 1 - t]) !=
			    toupper((unsigned char)labels[0][len0 - 1 - t]))
				break;
		}
		if (i < n)
			break;
		t++;
	}
	/* Leave at least two characters of the shortest label. */
	if (h + 2 > shortest)
		h = shortest > 2 ? shortest - 2 : 0;
	if (h + t + 2 > shortest)
		t = shortest > h + 2 ? shortest - h - 2 : 0;
	*head = h >= LABEL_MIN_COMMON ? h : 0;
	*tail = t >= LABEL_MIN_COMMON ? t : 0;
}

/* The trailing digits of s: where they start. */
static const char *
label_digits(const char *s)
{
	const char *e = s + strlen(s);
	while (e > s && isdigit((unsigned char)e[-1]))
		e--;
	return e;
}

bool
label_digits_differ(const char *const *labels, size_t n)
{
	const char *first = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *d = label_digits(labels[i]);
		if (*d == '\0')
			continue;
		if (first == NULL)
			first = d;
		else if (strcmp(first, d) != 0)
			return true;
	}
	return false;
}

const char *
label_fit(const char *label, size_t head, size_t tail, int h, bool keep_digits,
    const char *ellipsis, char *out, size_t size)
{
	size_t len = strlen(label);
	if (!label_ascii(label) || head + tail >= len) {
		head = tail = 0;
	}
	const char *s = label + head;
	len -= head + tail;
	if (h < 1)
		h = 1;
	if (!label_ascii(label)) {
		if (draw_width(label) <= h)
			snprintf(out, size, "%s", label);
		else
			snprintf(out, size, "%.*s%s", (int)draw_prefix(label, h - 1), label, ellipsis);
		return out;
	}
	if ((int)len <= h) {
		snprintf(out, size, "%.*s", (int)len, s);
		return out;
	}
	size_t digits = 0;
	while (keep_digits && digits < len && isdigit((unsigned char)s[len - 1 - digits]))
		digits++;
	size_t keep_tail = digits < (size_t)h / 2 ? digits : (size_t)h / 2;
	size_t keep_head = (size_t)h - 1 - keep_tail;
	snprintf(out, size, "%.*s%s%.*s", (int)keep_head, s, ellipsis, (int)keep_tail,
	    s + len - keep_tail);
	return out;
}
