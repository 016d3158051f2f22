/*
 * The last site an op left, kept in memory for the next op on the same
 * site in this process.  Every op locks, loads and brings the site up to
 * the present; loading is parsing site.db whole (milliseconds on a large
 * site), which made even a status query answering no row cost what a
 * provider never charges for a small query, and so a delta refresh cost
 * more than the rows it moved.  A kept site is used only when site.db
 * still carries the stamp it had when the site was loaded or last saved
 * (simdb_save writes a new one each time, so another process's write, or
 * this one's, is always seen), and only while the op holds the site's
 * lock: what it hands out is what loading the file would give.
 */
#include "autoconf.h"
#include "backend/sim/simint.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sim_site *cache_site;

/* The stamp at the head of dir's site.db, or "" (an older file has none). */
static void
cache_peek(const char *dir, char out[SIMDB_STAMP_LEN + 1])
{
	out[0] = '\0';
	char *path = simdb_path(dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return;
	char head[512];
	ssize_t n = read(fd, head, sizeof head - 1);
	close(fd);
	if (n <= 0)
		return;
	head[n] = '\0';
	const char *k = strstr(head, "\nI\tstamp\t");
	if (k == NULL)
		return;
	k += 9;
	size_t len = strcspn(k, "\r\n");
	if (len == 0 || len > SIMDB_STAMP_LEN || k[len] == '\0')
		return;
	memcpy(out, k, len);
	out[len] = '\0';
}

struct sim_site *
simcache_take(const char *dir)
{
	char stamp[SIMDB_STAMP_LEN + 1];
	cache_peek(dir, stamp);
	if (stamp[0] == '\0')
		return NULL;
	struct sim_site *s = NULL;
	pthread_mutex_lock(&cache_lock);
	if (cache_site != NULL && strcmp(cache_site->dir, dir) == 0 &&
	    strcmp(cache_site->stamp, stamp) == 0) {
		s = cache_site;
		cache_site = NULL;
	}
	pthread_mutex_unlock(&cache_lock);
	return s;
}

void
simcache_put(struct sim_site *s)
{
	/* Only a site equal to its file: nothing unsaved, no log lines
	 * waiting, a stamp to know it by. */
	if (s == NULL || s->dirty || s->nlogs != 0 || s->stamp[0] == '\0') {
		simdb_free(s);
		return;
	}
	pthread_mutex_lock(&cache_lock);
	struct sim_site *old = cache_site;
	cache_site = s;
	pthread_mutex_unlock(&cache_lock);
	simdb_free(old);
}
