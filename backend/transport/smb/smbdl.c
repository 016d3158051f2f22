/*
 * The libsmbclient table of smbdl.h: the library opened by its soname (as
 * the build found it, SMBCLIENT_SONAME) with its symbols global, because
 * the engine also reaches functions of the Samba libraries it brings
 * (smblib.c: the thread functions, tevent and gensec warm-up) by name.
 * Called from the engine's one-time start (smblib_init), which already runs
 * once; a failure is kept and told again to every later caller.
 */
#include "autoconf.h"
#define SMBDL_TABLE_ONLY
#include "backend/transport/smb/smbdl.h"
#include "backend/core/util.h"

#include <dlfcn.h>
#include <string.h>

#ifndef SMBCLIENT_SONAME
#define SMBCLIENT_SONAME "libsmbclient.so.0"
#endif

struct smbdl_table smbdl;
static char *smbdl_error;
static bool smbdl_done;

/* Every function of the table, or the name of the first one missing. */
static const char *
smbdl_resolve(void *lib)
{
#define SMBDL_LOOK(f) \
	{ \
		void *sym = dlsym(lib, #f); \
		if (sym == NULL) \
			return #f; \
		memcpy(&smbdl.f, &sym, sizeof smbdl.f); \
	}
	SMBDL_FUNCTIONS(SMBDL_LOOK)
#undef SMBDL_LOOK
	return NULL;
}

int
smbdl_load(char **err)
{
	if (!smbdl_done) {
		smbdl_done = true;
		void *lib = dlopen(SMBCLIENT_SONAME, RTLD_NOW | RTLD_GLOBAL);
		const char *missing = lib != NULL ? smbdl_resolve(lib) : NULL;
		if (lib == NULL)
			smbdl_error = xasprintf("smb: cannot load %s, which the SMB transport needs "
			    "(Debian: apt-get install libsmbclient): %s", SMBCLIENT_SONAME, dlerror());
		else if (missing != NULL)
			smbdl_error = xasprintf("smb: %s has no %s: a libsmbclient older than this "
			    "dpdoctor was built for", SMBCLIENT_SONAME, missing);
	}
	if (smbdl_error != NULL) {
		err_set(err, "%s", smbdl_error);
		return -1;
	}
	return 0;
}
