/*
 * NAL path parsing.  The grammar (from the SMS SDK's PackNALPath) is
 *   [ ["Display=<path>"] ] TYPE: [ ["QUALIFIER=<v>"]... ] <network path>
 * where the network path is \\server or \\server\share.  Real data also has
 * FQDNs, a trailing backslash, package folders after the share and the
 * location form without the Display part.  We read it left to right and
 * say where it went wrong rather than guessing.
 */
#include "autoconf.h"
#include "backend/core/nal.h"
#include "backend/core/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void
nal_free(struct nal *n)
{
	free(n->type);
	free(n->server);
	free(n->share);
	free(n->path);
	free(n->display);
	memset(n, 0, sizeof *n);
}

/* Read one ["KEY=VALUE"] qualifier at *p.  Values may contain backslashes
 * and '"' only as the closing "]. */
static int
nal_qualifier(const char **p, char **key, char **value)
{
	const char *s = *p;
	if (s[0] != '[' || s[1] != '"')
		return -1;
	s += 2;
	const char *end = strstr(s, "\"]");
	if (end == NULL)
		return -1;
	/* A qualifier may be a bare flag such as ["Preferred"]. */
	const char *eq = memchr(s, '=', (size_t)(end - s));
	if (eq == NULL)
		eq = end;
	*key = xstrndup(s, (size_t)(eq - s));
	*value = eq < end ? xstrndup(eq + 1, (size_t)(end - eq - 1)) : xstrdup("");
	*p = end + 2;
	return 0;
}

/* A run of ["..."] qualifiers; keeps Display= and SMS_SITE= wherever they
 * stand (before or after the type). */
static int
nal_qualifiers(const char **p, struct nal *out, const char *text, char **err)
{
	while (**p == '[') {
		char *k, *v;
		if (nal_qualifier(p, &k, &v) != 0) {
			err_set(err, "NAL path \"%s\": unterminated [\"...\"] at character %zu",
			    text, (size_t)(*p - text) + 1);
			return -1;
		}
		if (strcasecmp(k, "Display") == 0 && out->display == NULL) {
			out->display = v;
			v = NULL;
		} else if (strcasecmp(k, "SMS_SITE") == 0 && strlen(v) == 3) {
			memcpy(out->site, v, 4);
		}
		free(k);
		free(v);
	}
	return 0;
}

static int
nal_network_path(const char *s, struct nal *out, char **err, const char *text)
{
	if (s[0] != '\\' || s[1] != '\\') {
		err_set(err, "NAL path \"%s\": expected \\\\server at character %zu",
		    text, (size_t)(s - text) + 1);
		return -1;
	}
	s += 2;
	size_t n = strcspn(s, "\\");
	out->server = xstrndup(s, n);
	if (!servername_valid(out->server)) {
		err_set(err, "NAL path \"%s\": \"%s\" is not a valid server name",
		    text, out->server);
		return -1;
	}
	s += n;
	if (*s == '\\')
		s++;
	if (*s == '\0')
		return 0;
	n = strcspn(s, "\\");
	out->share = xstrndup(s, n);
	s += n;
	if (*s == '\\')
		s++;
	if (*s != '\0') {
		size_t len = strlen(s);
		while (len > 0 && s[len - 1] == '\\')
			len--;
		if (len > 0)
			out->path = xstrndup(s, len);
	}
	return 0;
}

int
nal_parse(const char *text, struct nal *out, char **err)
{
	memset(out, 0, sizeof *out);
	const char *s = text;
	while (isspace((unsigned char)*s))
		s++;
	if (s[0] == '\\') {
		if (nal_network_path(s, out, err, text) != 0)
			goto fail;
		return 0;
	}
	if (nal_qualifiers(&s, out, text, err) != 0)
		goto fail;
	size_t n = strcspn(s, ":[\\");
	if (n == 0 || s[n] != ':') {
		err_set(err, "NAL path \"%s\": expected a type such as MSWNET: at character %zu",
		    text, (size_t)(s - text) + 1);
		goto fail;
	}
	out->type = xstrndup(s, n);
	s += n + 1;
	if (nal_qualifiers(&s, out, text, err) != 0)
		goto fail;
	if (nal_network_path(s, out, err, text) != 0)
		goto fail;
	return 0;
fail:
	nal_free(out);
	return -1;
}

char *
nal_format(const char *server, const char *share, const char *site)
{
	if (share != NULL && *share != '\0')
		return xasprintf("[\"Display=\\\\%s\\%s\\\"]MSWNET:[\"SMS_SITE=%s\"]\\\\%s\\%s\\",
		    server, share, site, server, share);
	return xasprintf("[\"Display=\\\\%s\\\"]MSWNET:[\"SMS_SITE=%s\"]\\\\%s\\",
	    server, site, server);
}

bool
sitecode_valid(const char *s)
{
	if (s == NULL || strlen(s) != 3)
		return false;
	for (int i = 0; i < 3; i++)
		if (!isupper((unsigned char)s[i]) && !isdigit((unsigned char)s[i]))
			return false;
	return true;
}

bool
pkgid_valid(const char *s)
{
	if (s == NULL || strlen(s) != 8)
		return false;
	char site[4] = { s[0], s[1], s[2], '\0' };
	if (!sitecode_valid(site))
		return false;
	for (int i = 3; i < 8; i++)
		if (!isxdigit((unsigned char)s[i]) || islower((unsigned char)s[i]))
			return false;
	return true;
}

bool
servername_valid(const char *s)
{
	size_t len = s ? strlen(s) : 0;
	if (len == 0 || len > 253)
		return false;
	size_t label = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum(c) && c != '-' && c != '_')
			return false;
		if (c == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	return s[len - 1] != '.' && s[len - 1] != '-';
}
