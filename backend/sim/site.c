/*
 * A simulated site's life: created from a scenario on first use, opened
 * (locked, loaded, brought up to the present) by every op, recreated on
 * request.  Recreating deletes only what the simulator made, and a folder
 * that holds anything else without being a site is never touched: the
 * demo directory is a path a user typed, and a typo must not cost them a
 * folder of their own files.
 */
#include "autoconf.h"
#include "backend/sim/scenspec.h"
#include "backend/sim/simint.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Top-level names a site directory may hold. */
static bool
ours(const char *name)
{
	return strcmp(name, "site.db") == 0 || strcmp(name, "site.lock") == 0 ||
	    strcmp(name, "servers") == 0 || strncmp(name, "site.db.tmp.", 12) == 0;
}

/* Whether dir has a site.db, and whether it has anything not ours. */
static int
survey(const char *dir, bool *has_db, bool *foreign, char **err)
{
	*has_db = *foreign = false;
	DIR *d = opendir(dir);
	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		err_set(err, "%s: %s", dir, strerror(errno));
		return -1;
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (strcmp(de->d_name, "site.db") == 0)
			*has_db = true;
		else if (!ours(de->d_name))
			*foreign = true;
	}
	closedir(d);
	return 0;
}

static int
wipe(const char *dir, char **err)
{
	char *servers = xasprintf("%s/servers", dir);
	int rc = simfs_remove_tree(servers, err);
	free(servers);
	DIR *d = opendir(dir);
	if (d == NULL) {
		err_set(err, "%s: %s", dir, strerror(errno));
		return -1;
	}
	struct dirent *de;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, "site.db") != 0 &&
		    strncmp(de->d_name, "site.db.tmp.", 12) != 0)
			continue;
		char *p = xasprintf("%s/%s", dir, de->d_name);
		if (unlink(p) != 0 && errno != ENOENT) {
			err_set(err, "%s: %s", p, strerror(errno));
			rc = -1;
		}
		free(p);
	}
	closedir(d);
	return rc;
}

/* A site.db.tmp.PID.N outlives its writer only when the writer was killed
 * between writing it and renaming it over site.db.  The caller holds the
 * site lock exclusively, so no writer is at work now; still, a file whose
 * PID is alive is kept unless it is older than any save can take (the PID
 * may have been reused since), so a process writing without the lock is
 * never robbed of its file. */
#define TMP_STALE_SECONDS (60 * 60)

static bool
tmp_is_stale(const char *path, const char *name)
{
	const char *p = name + strlen("site.db.tmp.");
	char *end;
	errno = 0;
	long pid = strtol(p, &end, 10);
	if (errno != 0 || end == p || *end != '.' || pid <= 0)
		return false;   /* not a name our atomic writer makes: not ours to judge */
	if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
		return true;
	struct stat st;
	return lstat(path, &st) == 0 && time(NULL) - st.st_mtime > TMP_STALE_SECONDS;
}

/* Remove the stale leftovers of killed writers (see tmp_is_stale). */
static int
sweep_tmp(const char *dir, char **err)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		err_set(err, "%s: %s", dir, strerror(errno));
		return -1;
	}
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "site.db.tmp.", 12) != 0)
			continue;
		char *p = xasprintf("%s/%s", dir, de->d_name);
		if (tmp_is_stale(p, de->d_name) && unlink(p) != 0 && errno != ENOENT) {
			err_set(err, "%s: %s", p, strerror(errno));
			rc = -1;
		}
		free(p);
	}
	closedir(d);
	return rc;
}

static int
create(const char *dir, const char *scenario, uint32_t seed, char **err)
{
	dpd_time t;
	int frozen = simclock_env(&t, err);
	if (frozen < 0)
		return -1;
	struct sim_site *s;
	if (scenario_build(dir, scenario, seed, frozen ? t : scenario_start,
	    !frozen, &s, err) != 0)
		return -1;
	int rc = simdb_save(s, err);
	simdb_free(s);
	return rc;
}

int
sim_ensure(const char *dir, const char *scenario, uint32_t seed, bool reset, char **err)
{
	if (scenario == NULL)
		scenario = "default";
	if (!scenspec_known(scenario)) {
		err_set(err, "unknown demo scenario \"%s\" (known: default, small, large, huge, wide)",
		    scenario);
		return -1;
	}
	bool has_db, foreign;
	if (survey(dir, &has_db, &foreign, err) != 0)
		return -1;
	if (!has_db && foreign) {
		err_set(err, "%s is not a dpdoctor demo site, refusing to %s it (it holds "
		    "other files and no site.db)", dir, reset ? "delete" : "use");
		return -1;
	}
	if (dir_make_all(dir, true, err) != 0)
		return -1;
	int fd = simdb_lock(dir, true, NULL, err);
	if (fd < 0)
		return -1;
	/* Another process may have created the site while we waited. */
	int rc = survey(dir, &has_db, &foreign, err);
	if (rc == 0 && !reset)
		rc = sweep_tmp(dir, err);
	if (rc == 0 && (reset || !has_db)) {
		rc = wipe(dir, err);
		if (rc == 0)
			rc = create(dir, scenario, seed, err);
	}
	simdb_unlock(fd);
	return rc;
}

int
simsite_open(const char *dir, bool exclusive, const struct deadline *dl,
    struct sim_site **out, int *lockfd, char **err)
{
	char *db = simdb_path(dir);
	bool exists = access(db, F_OK) == 0;
	free(db);
	if (!exists) {
		err_set(err, "%s is not a simulated site (no site.db); create it with "
		    "--demo first", dir);
		return -1;
	}
	int fd = simdb_lock(dir, exclusive, dl, err);
	if (fd < 0)
		return -1;
	struct sim_site *s = simcache_take(dir);
	dpd_time now;
	if (s == NULL && simdb_load(dir, &s, err) != 0) {
		simdb_unlock(fd);
		return -1;
	}
	/* A file from before stamps is written once with one, so that the
	 * next op can keep it (simcache.c). */
	if (exclusive && s->stamp[0] == '\0')
		s->dirty = true;
	if (simclock_now(s, &now, err) != 0 ||
	    (exclusive && simev_advance(s, now, err) != 0)) {
		simdb_free(s);
		simdb_unlock(fd);
		return -1;
	}
	*out = s;
	*lockfd = fd;
	return 0;
}

int
sim_info(const char *dir, struct sim_info *out, char **err)
{
	memset(out, 0, sizeof *out);
	struct sim_site *s;
	int fd;
	if (simsite_open(dir, false, NULL, &s, &fd, err) != 0)
		return -1;
	dpd_time now;
	int rc = simclock_now(s, &now, err);
	if (rc == 0) {
		memcpy(out->site_code, s->site_code, 4);
		out->primary = xstrdup(s->srv[s->primary].name);
		out->scenario = xstrdup(s->scenario);
		out->seed = s->seed;
		out->now = now;
	}
	simdb_free(s);
	simdb_unlock(fd);
	return rc;
}

void
sim_info_free(struct sim_info *i)
{
	if (i == NULL)
		return;
	free(i->primary);
	free(i->scenario);
	memset(i, 0, sizeof *i);
}
