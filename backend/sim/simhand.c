/*
 * Fixes an administrator makes by hand on Windows, outside dpdoctor and
 * outside SMS: restoring a package's source folder on the file server, and
 * making the Administrators' rights on a DP's SMSPKGE$ share inherit to
 * nested folders.  dpdoctor only tells the user to make them; the demo
 * needs them made so its failing pairs can heal.  SMS is not told (and
 * logs nothing): it notices at its next retry, or sooner after a re-push.
 */
#include "autoconf.h"
#include "backend/sim/simint.h"
#include "backend/core/nal.h"

#include <stdlib.h>
#include <string.h>

/* The package's source folder, as the scenario makes a healthy one.  One
 * that is there already is left as it is (a restore would not touch it). */
static int
hand_source_dir(struct sim_site *s, const char *pkgid, char **err)
{
	long pkg = pkgid != NULL && pkgid_valid(pkgid) ? simdb_find_pkg(s, pkgid) : -1;
	if (pkg < 0) {
		err_set(err, "no package %s on the simulated site", pkgid ? pkgid : "(none)");
		return -1;
	}
	char *dir = simfs_source_dir(s, &s->pkg[pkg]);
	if (dir == NULL) {
		err_set(err, "package %s: source path %s is not on a simulated server",
		    s->pkg[pkg].id, s->pkg[pkg].source_path);
		return -1;
	}
	bool there = simfs_exists(dir);
	free(dir);
	if (there)
		return 0;
	s->dirty = true;
	return simfs_write_source(s, (uint32_t)pkg, err);
}

/* Administrators' rights on SMSPKGE$ now inherit to nested folders. */
static int
hand_share_acl(struct sim_site *s, const char *server, char **err)
{
	long srv = server != NULL && servername_valid(server) ? simdb_find_srv(s, server) : -1;
	if (srv < 0) {
		err_set(err, "no server %s on the simulated site", server ? server : "(none)");
		return -1;
	}
	if (s->srv[srv].flags & SIM_SRV_SHARE_ROOT_ONLY) {
		s->srv[srv].flags &= (uint8_t)~SIM_SRV_SHARE_ROOT_ONLY;
		s->dirty = true;
	}
	return 0;
}

static int
fix_source(struct sim_site *s, const char *pkgid, const char *server, char **err)
{
	(void)server;
	return hand_source_dir(s, pkgid, err);
}

static int
fix_share(struct sim_site *s, const char *pkgid, const char *server, char **err)
{
	(void)pkgid;
	return hand_share_acl(s, server, err);
}

static const struct {
	const char *what;
	int (*fix)(struct sim_site *s, const char *pkgid, const char *server, char **err);
} hand_fixes[] = {
	{ "source-dir", fix_source },
	{ "share-acl", fix_share },
};

int
sim_hand_fix(const char *dir, const char *what, const char *pkgid,
    const char *server, char **err)
{
	size_t k = 0, n = sizeof hand_fixes / sizeof hand_fixes[0];
	while (k < n && (what == NULL || strcmp(hand_fixes[k].what, what) != 0))
		k++;
	if (k == n) {
		err_set(err, "unknown fix by hand \"%s\" (known: source-dir, share-acl)",
		    what ? what : "");
		return -1;
	}
	/* Locked, loaded and brought to now as for any op, so the fix lands
	 * after everything that happened before it. */
	struct sim_site *s;
	int fd;
	if (simsite_open(dir, true, NULL, &s, &fd, err) != 0)
		return -1;
	int rc = hand_fixes[k].fix(s, pkgid, server, err);
	if (rc == 0 && s->dirty)
		rc = simdb_save(s, err);
	simdb_free(s);
	simdb_unlock(fd);
	return rc;
}
