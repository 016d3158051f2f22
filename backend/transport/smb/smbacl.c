/*
 * A folder's DACL from the text libsmbclient gives for the extended
 * attribute "system.nt_sec_desc.*" (source3/libsmb/libsmb_xattr.c,
 * cacl_get).  Without a trailing '+' the SIDs are numeric, which is what
 * the share-permission check wants (Administrators is S-1-5-32-544 in
 * every language); "system.nt_sec_desc.*+" would name them through LSA,
 * names that may hold commas.  The text, one comma-separated list:
 *
 *   REVISION:1,OWNER:S-1-5-32-544,GROUP:S-1-5-18,ACL:S-1-5-32-544:0/3/0x001f01ff,...
 *
 * where each ACL entry is SID:TYPE/FLAGS/MASK, TYPE and FLAGS decimal
 * (TYPE 0 allowed, 1 denied; FLAGS the ACE flags, OI 1, CI 2, NP 4, IO
 * 8, ID 0x10) and MASK the access mask as 0x and eight hex digits; OWNER
 * and GROUP are left out when the descriptor has none.  Keys other than
 * these are skipped (a later libsmbclient may add some); a malformed
 * entry is an error saying where.  tests/fuzz/fuzz_smbacl.c feeds it
 * anything.
 */
#include "autoconf.h"
#include "backend/transport/smb/smbconn_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ACL_MAX_ACES 10000     /* a 64 KiB DACL holds fewer */

/* An unsigned number of base 10 or 16 at p (no sign, no spaces), at most
 * max, ending at *end.  -1 when there is none or it is too large. */
static int
number(const char *p, int base, uint64_t max, uint64_t *out, const char **end)
{
	if (!(base == 16 ? isxdigit((unsigned char)*p) : isdigit((unsigned char)*p)))
		return -1;
	errno = 0;
	char *e;
	unsigned long long v = strtoull(p, &e, base);
	if (errno != 0 || v > max)
		return -1;
	*out = v;
	*end = e;
	return 0;
}

/* S-1-IDAUTH(-SUBAUTH){0,15}, as sid_to_fstring writes it (the authority
 * in hex, 0x..., when it does not fit 32 bits). */
static bool
sid_valid(const char *s, size_t n)
{
	char *copy = xstrndup(s, n);
	const char *p = copy, *e = copy;
	uint64_t v;
	bool ok = strncmp(p, "S-1-", 4) == 0;
	p += 4;
	if (ok && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		ok = number(p + 2, 16, 0xffffffffffffULL, &v, &e) == 0;
	else if (ok)
		ok = number(p, 10, 0xffffffffULL, &v, &e) == 0;
	for (int sub = 0; ok && *e != '\0'; sub++) {
		ok = *e == '-' && sub < 15 && number(e + 1, 10, 0xffffffffULL, &v, &e) == 0;
	}
	free(copy);
	return ok;
}

/* One ACL entry's value, SID:TYPE/FLAGS/0xMASK (n bytes at p). */
static int
ace_parse(const char *p, size_t n, struct files_ace *a, const char **why)
{
	char *v = xstrndup(p, n);
	char *colon = strrchr(v, ':');
	const char *e;
	uint64_t type, flags, mask;
	int rc = -1;
	if (colon == NULL || !sid_valid(v, (size_t)(colon - v)))
		*why = "the entry does not start with a numeric SID (S-1-...)";
	else if (number(colon + 1, 10, 255, &type, &e) != 0 || *e != '/')
		*why = "the ACE type is not a number from 0 to 255 followed by '/'";
	else if (number(e + 1, 10, 255, &flags, &e) != 0 || *e != '/')
		*why = "the ACE flags are not a number from 0 to 255 followed by '/'";
	else if (strncasecmp(e + 1, "0x", 2) != 0 ||
	    number(e + 3, 16, 0xffffffffULL, &mask, &e) != 0 || *e != '\0')
		*why = "the access mask is not 0x and up to eight hex digits";
	else
		rc = 0;
	if (rc == 0) {
		a->sid = xstrndup(v, (size_t)(colon - v));
		a->type = type == 0 ? FILES_ACE_ALLOW : type == 1 ? FILES_ACE_DENY : FILES_ACE_OTHER;
		a->flags = (unsigned)flags;
		a->mask = (uint32_t)mask;
	}
	free(v);
	return rc;
}


int
smbacl_parse(const char *text, struct files_acl *out, char **err)
{
	*out = (struct files_acl){ NULL, 0 };
	if (text == NULL || strncasecmp(text, "REVISION:", 9) != 0) {
		err_set(err, "the server gave no security descriptor (no REVISION: at the start)");
		return -1;
	}
	size_t cap = 0;
	for (const char *p = text; *p != '\0';) {
		size_t n = strcspn(p, ",");
		if (n >= 4 && strncasecmp(p, "ACL:", 4) == 0) {
			const char *why = NULL;
			if (out->n == ACL_MAX_ACES) {
				why = "more than 10000 entries";
			} else {
				if (out->n == cap) {
					cap = cap ? cap * 2 : 8;
					out->v = xreallocarray(out->v, cap, sizeof *out->v);
				}
				if (ace_parse(p + 4, n - 4, &out->v[out->n], &why) == 0)
					out->n++;
			}
			if (why != NULL) {
				err_set(err, "security descriptor at character %zu: %s",
				    (size_t)(p - text) + 1, why);
				files_acl_free(out);
				return -1;
			}
		}
		p += n + (p[n] == ',');
	}
	return 0;
}
