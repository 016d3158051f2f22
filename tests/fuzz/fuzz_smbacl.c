/*
 * libFuzzer target: the text libsmbclient gives for a folder's security
 * descriptor ("system.nt_sec_desc.*") comes from the server, and
 * backend/transport/smb/smbacl.c parses it into a DACL.  Whatever the
 * text, the parser must not crash, leak or read out of bounds; what it
 * accepts must hold only numeric SIDs and flags and types that fit a
 * byte.  Built and run for a bounded time by tests/fuzz/run.sh.
 */
#include "autoconf.h"
#include "backend/transport/smb/smbconn_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct files_acl a;
	char *err = NULL;
	if (smbacl_parse(s, &a, &err) == 0) {
		for (size_t i = 0; i < a.n; i++)
			if (strncmp(a.v[i].sid, "S-1-", 4) != 0 || a.v[i].flags > 255 ||
			    (a.v[i].type != FILES_ACE_ALLOW && a.v[i].type != FILES_ACE_DENY &&
			    a.v[i].type != FILES_ACE_OTHER))
				abort();
		files_acl_free(&a);
	} else if (err == NULL || a.n != 0 || a.v != NULL) {
		abort();
	}
	free(err);
	free(s);
	return 0;
}
