/*
 * The site database: what the SMS provider of the simulated site knows
 * (packages, DPs, per-DP status) plus the simulator's own schedule.  It is
 * a text file of TAB-separated records escaped like our wire protocol, so
 * a person can read it and any byte survives; it is written whole and
 * atomically, under a flock() on site.lock that every op holds from start
 * to end, which serialises processes and threads alike (each op opens its
 * own descriptor, and flock locks belong to the open file description).
 */
#include "autoconf.h"
#include "backend/sim/simint.h"
#include "backend/core/nal.h"
#include "backend/core/proto.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#define SIMDB_MAGIC "dpdoctor-sim-site"
#define SIMDB_VERSION 1
#define SIMDB_MAX_BYTES (256u << 20)
#define SIMDB_MAX_FIELDS 24

static const struct enum_name mode_names[] = {
#define X(e, n, d) { e, n },
	SIM_MODE_TABLE(X)
#undef X
};

static const struct enum_name event_names[] = {
#define X(e, n) { e, n },
	SIM_EVENT_TABLE(X)
#undef X
};

static const struct enum_name site_event_names[] = {
#define X(e, n) { e, n },
	SIM_SITE_EVENT_TABLE(X)
#undef X
};

const char *
sim_mode_name(unsigned m)
{
	return enum_name(mode_names, ENUM_NAMES_COUNT(mode_names), (int)m, "?");
}

int
sim_mode_from_name(const char *name)
{
	return enum_lookup(mode_names, ENUM_NAMES_COUNT(mode_names), name, false);
}

static int
event_from_name(const char *name)
{
	return enum_lookup(event_names, ENUM_NAMES_COUNT(event_names), name, false);
}

const char *
sim_site_event_name(unsigned e)
{
	return enum_name(site_event_names, ENUM_NAMES_COUNT(site_event_names), (int)e, "?");
}

int
sim_site_event_from_name(const char *name)
{
	return enum_lookup(site_event_names, ENUM_NAMES_COUNT(site_event_names), name, false);
}

char *
simdb_path(const char *dir)
{
	return xasprintf("%s/site.db", dir);
}

struct sim_site *
simdb_new(const char *dir)
{
	struct sim_site *s = xcalloc(1, sizeof *s);
	s->dir = xstrdup(dir);
	return s;
}

void
simdb_logs_discard(struct sim_site *s)
{
	for (size_t i = 0; i < s->nlogs; i++)
		free(s->logs[i].text);
	s->nlogs = 0;
}

void
simdb_free(struct sim_site *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nsrv; i++) {
		free(s->srv[i].name);
		free(s->srv[i].nal);
	}
	for (size_t i = 0; i < s->npkg; i++) {
		struct sim_pkg *p = &s->pkg[i];
		free(p->name);
		free(p->manufacturer);
		free(p->version);
		free(p->language);
		free(p->source_path);
		free(p->stored_path);
		free(p->share_path);
		free(p->targets);
	}
	simdb_logs_discard(s);
	for (size_t i = 0; i < s->nmsgs; i++) {
		free(s->msgs[i].dp);
		free(s->msgs[i].istr);
	}
	free(s->msgs);
	free(s->logs);
	free(s->srv);
	free(s->pkg);
	free(s->cell);
	free(s->dir);
	free(s->scenario);
	free(s->filesrv);
	free(s);
}

/* ---- locking ---------------------------------------------------------- */

int
simdb_lock(const char *dir, bool exclusive, const struct deadline *dl, char **err)
{
	char *path = xasprintf("%s/site.lock", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		err_set(err, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	int how = exclusive ? LOCK_EX : LOCK_SH;
	bool poll = dl != NULL && (dl->at_ms != 0 || dl->cancel != NULL);
	for (;;) {
		if (flock(fd, how | (poll ? LOCK_NB : 0)) == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			err_set(err, "%s: flock: %s", path, strerror(errno));
			goto fail;
		}
		if (deadline_passed(dl)) {
			err_set(err, "%s: the simulated site is busy (locked by another "
			    "operation) and the deadline passed", dir);
			goto fail;
		}
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	free(path);
	return fd;
fail:
	close(fd);
	free(path);
	return -1;
}

void
simdb_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the flock */
}

/* ---- tables ----------------------------------------------------------- */

void
simdb_add_server(struct sim_site *s, const struct sim_server *v)
{
	s->srv = xreallocarray(s->srv, s->nsrv + 1, sizeof *s->srv);
	struct sim_server *n = &s->srv[s->nsrv++];
	*n = *v;
	n->name = xstrdup(v->name);
	n->nal = nal_format(n->name, NULL, n->site);
}

void
simdb_set_words(struct sim_site *s)
{
	s->words = (s->nsrv + 63) / 64;
	if (s->words == 0)
		s->words = 1;
	/* Each server's distmgr: its own when it is a site server, else its
	 * site's server (the primary for a DP of site 009). */
	for (size_t i = 0; i < s->nsrv; i++) {
		s->srv[i].home = s->primary;
		for (size_t k = 0; k < s->nsrv; k++)
			if (simdb_site_server(s, (uint32_t)k) &&
			    strcmp(s->srv[k].site, s->srv[i].site) == 0) {
				s->srv[i].home = (uint32_t)k;
				break;
			}
	}
}

bool
simdb_site_server(const struct sim_site *s, uint32_t srv)
{
	return (s->srv[srv].role & (SIM_ROLE_PRIMARY | SIM_ROLE_SITESRV)) != 0;
}

bool
simdb_child(const struct sim_site *s, uint32_t srv)
{
	return s->srv[srv].home != s->primary;
}

long
simdb_find_pkg(const struct sim_site *s, const char *id)
{
	size_t lo = 0, hi = s->npkg;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->pkg[mid].id, id);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

long
simdb_find_srv(const struct sim_site *s, const char *name)
{
	for (size_t i = 0; i < s->nsrv; i++)
		if (strcasecmp(s->srv[i].name, name) == 0)
			return (long)i;
	return -1;
}

bool
simdb_target(const struct sim_site *s, uint32_t pkg, uint32_t srv)
{
	return (s->pkg[pkg].targets[srv / 64] >> (srv % 64)) & 1;
}

void
simdb_target_set(struct sim_site *s, uint32_t pkg, uint32_t srv, bool on)
{
	uint64_t bit = UINT64_C(1) << (srv % 64);
	if (on)
		s->pkg[pkg].targets[srv / 64] |= bit;
	else
		s->pkg[pkg].targets[srv / 64] &= ~bit;
}

static int
cell_cmp_key(const struct sim_cell *c, uint32_t pkg, uint32_t srv)
{
	if (c->pkg != pkg)
		return c->pkg < pkg ? -1 : 1;
	if (c->srv != srv)
		return c->srv < srv ? -1 : 1;
	return 0;
}

/* Index of the cell, or of where it would go. */
static size_t
cell_pos(const struct sim_site *s, uint32_t pkg, uint32_t srv, bool *found)
{
	size_t lo = 0, hi = s->ncell;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cell_cmp_key(&s->cell[mid], pkg, srv);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

struct sim_cell *
simdb_cell(struct sim_site *s, uint32_t pkg, uint32_t srv)
{
	bool found;
	size_t i = cell_pos(s, pkg, srv, &found);
	return found ? &s->cell[i] : NULL;
}

struct sim_cell *
simdb_pkg_cells(struct sim_site *s, uint32_t pkg, size_t *n)
{
	bool found;
	size_t i = cell_pos(s, pkg, 0, &found), k = i;
	while (k < s->ncell && s->cell[k].pkg == pkg)
		k++;
	*n = k - i;
	return s->cell + i;
}

dpd_time
simdb_default_copied(const struct sim_site *s, uint32_t pkg, uint32_t srv)
{
	/* The primary copies from its own source within minutes; remote DPs
	 * get the package over the WAN within a couple of hours. */
	uint64_t h = sim_mix(((uint64_t)s->seed << 40) ^ ((uint64_t)pkg << 20) ^ srv);
	dpd_time delay = srv == s->primary ? 60 + (dpd_time)(h % 240) :
	    600 + (dpd_time)(h % 6600);
	return s->pkg[pkg].source_date + delay;
}

bool
simdb_cell_view(const struct sim_site *s, uint32_t pkg, uint32_t srv,
    struct sim_cell *out)
{
	if (!simdb_target(s, pkg, srv))
		return false;
	bool found;
	size_t i = cell_pos(s, pkg, srv, &found);
	if (found) {
		*out = s->cell[i];
		return true;
	}
	dpd_time t = simdb_default_copied(s, pkg, srv);
	*out = (struct sim_cell){
		.pkg = pkg, .srv = srv, .state = 0, .mode = SIM_MODE_NONE,
		.source_version = s->pkg[pkg].source_version,
		.last_copied = t, .summary_date = t,
	};
	return true;
}

struct sim_cell *
simdb_cell_make(struct sim_site *s, uint32_t pkg, uint32_t srv)
{
	bool found;
	size_t i = cell_pos(s, pkg, srv, &found);
	if (found)
		return &s->cell[i];
	struct sim_cell c;
	if (!simdb_cell_view(s, pkg, srv, &c)) {
		simdb_target_set(s, pkg, srv, true);
		dpd_time t = simdb_default_copied(s, pkg, srv);
		c = (struct sim_cell){ .pkg = pkg, .srv = srv,
		    .source_version = s->pkg[pkg].source_version,
		    .last_copied = t, .summary_date = t };
	}
	if (s->ncell == s->cellcap) {
		s->cellcap = s->cellcap ? s->cellcap * 2 : 64;
		s->cell = xreallocarray(s->cell, s->cellcap, sizeof *s->cell);
	}
	memmove(&s->cell[i + 1], &s->cell[i], (s->ncell - i) * sizeof *s->cell);
	s->cell[i] = c;
	s->ncell++;
	s->dirty = true;
	return &s->cell[i];
}

void
simdb_cell_drop(struct sim_site *s, uint32_t pkg, uint32_t srv)
{
	bool found;
	size_t i = cell_pos(s, pkg, srv, &found);
	if (!found)
		return;
	memmove(&s->cell[i], &s->cell[i + 1], (s->ncell - i - 1) * sizeof *s->cell);
	s->ncell--;
	s->dirty = true;
}

/* ---- status messages --------------------------------------------------- */

void
simdb_statmsg_add(struct sim_site *s, uint32_t srv, int64_t ms, unsigned id,
    char sev, const char *const *istr, const struct simlog_attr *attrs)
{
	if (s->nmsgs == s->msgcap) {
		s->msgcap = s->msgcap ? s->msgcap * 2 : 256;
		s->msgs = xreallocarray(s->msgs, s->msgcap, sizeof *s->msgs);
	}
	struct sim_statmsg *m = &s->msgs[s->nmsgs++];
	*m = (struct sim_statmsg){ .recid = ++s->msgseq, .msgid = (uint16_t)id,
	    .sev = sev, .srv = srv, .ms = ms };
	struct buf b;
	buf_init(&b);
	for (int i = 0; i < 10 && istr != NULL && istr[i] != NULL; i++) {
		buf_adds(&b, istr[i]);
		buf_addc(&b, '\x1f');
	}
	m->istr = b.data ? buf_detach(&b) : xstrdup("");
	for (size_t i = 0; attrs != NULL && attrs[i].id != 0; i++) {
		if (attrs[i].id == 400 && pkgid_valid(attrs[i].value))
			memcpy(m->pkg, attrs[i].value, 9);
		else if (attrs[i].id == 404 && m->dp == NULL)
			m->dp = xstrdup(attrs[i].value);
	}
	s->dirty = true;
}

static int
msg_cmp_pkg(const void *a, const void *b)
{
	const struct sim_statmsg *x = a, *y = b;
	int c = strcmp(x->pkg, y->pkg);
	return c != 0 ? c : x->recid < y->recid ? -1 : x->recid > y->recid;
}

static int
msg_cmp_rec(const void *a, const void *b)
{
	const struct sim_statmsg *x = a, *y = b;
	return x->recid < y->recid ? -1 : x->recid > y->recid;
}

void
simdb_statmsg_trim(struct sim_site *s)
{
	array_sort(s->msgs, s->nmsgs, sizeof *s->msgs, msg_cmp_pkg);
	size_t out = 0;
	for (size_t i = 0; i < s->nmsgs; ) {
		size_t j = i;
		while (j < s->nmsgs && strcmp(s->msgs[j].pkg, s->msgs[i].pkg) == 0)
			j++;
		size_t from = j - i > SIM_STATMSG_KEEP ? j - SIM_STATMSG_KEEP : i;
		for (size_t k = i; k < from; k++) {
			free(s->msgs[k].dp);
			free(s->msgs[k].istr);
		}
		for (size_t k = from; k < j; k++)
			s->msgs[out++] = s->msgs[k];
		i = j;
	}
	s->nmsgs = out;
	array_sort(s->msgs, s->nmsgs, sizeof *s->msgs, msg_cmp_rec);
}

/* ---- writing ---------------------------------------------------------- */

static void
put_str(struct buf *b, const char *v)
{
	buf_addc(b, '\t');
	proto_escape(b, v ? v : "");
}

static void
put_num(struct buf *b, int64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof tmp, "\t%" PRId64, v);
	buf_add(b, tmp, (size_t)n);
}

static void
put_targets(struct buf *b, const struct sim_site *s, const struct sim_pkg *p)
{
	static const char hex[] = "0123456789abcdef";
	buf_addc(b, '\t');
	buf_grow(b, s->nsrv / 4 + 1);
	for (size_t i = 0; i < s->nsrv; i += 4) {
		unsigned nib = 0;
		for (size_t k = 0; k < 4 && i + k < s->nsrv; k++)
			nib |= (unsigned)((p->targets[(i + k) / 64] >> ((i + k) % 64)) & 1) << k;
		buf_addc(b, hex[nib]);
	}
}

static void
save_header(struct buf *b, const struct sim_site *s)
{
	buf_printf(b, "%s %d\n", SIMDB_MAGIC, SIMDB_VERSION);
	/* First, where simcache.c reads it without loading the rest. */
	buf_printf(b, "I\tstamp\t%s\n", s->stamp);
	static const char *const keys[] = { "site", "scenario", "filesrv" };
	const char *vals[] = { s->site_code, s->scenario, s->filesrv };
	for (size_t i = 0; i < 3; i++) {
		buf_printf(b, "I\t%s", keys[i]);
		put_str(b, vals[i]);
		buf_addc(b, '\n');
	}
	const struct { const char *k; int64_t v; } nums[] = {
		{ "seed", s->seed }, { "start", s->start }, { "clock", s->clock },
		{ "anchor_sim", s->anchor_sim }, { "anchor_real", s->anchor_real },
		{ "materialise", s->materialise }, { "primary", s->primary },
		{ "servers", (int64_t)s->nsrv }, { "packages", (int64_t)s->npkg },
		{ "msgseq", s->msgseq },
	};
	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		buf_printf(b, "I\t%s", nums[i].k);
		put_num(b, nums[i].v);
		buf_addc(b, '\n');
	}
	/* "next:<event>": an older reader ignores keys it does not know. */
	for (unsigned e = 0; e < SIM_SEV_COUNT; e++) {
		buf_printf(b, "I\tnext:%s", sim_site_event_name(e));
		put_num(b, s->site_next[e]);
		buf_addc(b, '\n');
	}
}

static void
save_server(struct buf *b, const struct sim_server *v)
{
	buf_adds(b, "S");
	put_str(b, v->name);
	put_str(b, v->site);
	put_num(b, v->role);
	put_str(b, simclock_zone(v->zone)->std_name);
	put_num(b, v->flags);
	put_num(b, v->region);
	put_num(b, v->pid);
	for (int t = 0; t < SIM_THREADS; t++)
		put_num(b, v->threads[t]);
	put_num(b, v->cycle);
	put_num(b, v->phase);
	put_num(b, v->next_cycle);
	put_num(b, v->log_ms);
	char d[2][2] = { { v->sms_drive ? v->sms_drive : '-', 0 }, { v->share_drive, 0 } };
	put_str(b, d[0]);
	put_str(b, d[1]);
	buf_addc(b, '\n');
}

static void
save_pkg(struct buf *b, const struct sim_site *s, const struct sim_pkg *p)
{
	buf_adds(b, "P");
	const char *strs[] = { p->id, p->name, p->manufacturer, p->version,
	    p->language, p->source_path, p->stored_path, p->share_path,
	    p->source_site };
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		put_str(b, strs[i]);
	put_num(b, p->source_version);
	put_num(b, p->stored_version);
	put_num(b, p->flags);
	put_num(b, p->source_date);
	put_num(b, (int64_t)p->size);
	put_targets(b, s, p);
	buf_addc(b, '\n');
}

static void
save_cell(struct buf *b, const struct sim_cell *c)
{
	buf_adds(b, "C");
	put_num(b, c->pkg);
	put_num(b, c->srv);
	put_num(b, c->state);
	put_str(b, sim_mode_name(c->mode));
	put_str(b, event_names[c->event < SIM_EV_COUNT ? c->event : 0].name);
	put_num(b, c->flags);
	put_num(b, c->retries);
	put_num(b, c->source_version);
	put_num(b, c->last_copied);
	put_num(b, c->summary_date);
	put_num(b, c->next_event);
	buf_addc(b, '\n');
}

static void
save_msg(struct buf *b, const struct sim_statmsg *m)
{
	char sev[2] = { m->sev, '\0' };
	buf_adds(b, "M");
	put_num(b, m->recid);
	put_num(b, m->msgid);
	put_str(b, sev);
	put_num(b, m->srv);
	put_num(b, m->ms);
	put_str(b, m->pkg);
	put_str(b, m->dp);
	put_str(b, m->istr);
	buf_addc(b, '\n');
}

/* A stamp no earlier save gave: the clock, the process and a count,
 * mixed (a file is known by it, not by its time or inode, which a quick
 * second save can repeat). */
static void
stamp_new(struct sim_site *s)
{
	static _Atomic uint64_t count;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t x = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	x ^= (uint64_t)getpid() << 40 ^ (atomic_fetch_add(&count, 1) + 1) * 0x9E3779B97F4A7C15u;
	x ^= x >> 31;
	x *= 0xBF58476D1CE4E5B9u;
	x ^= x >> 29;
	snprintf(s->stamp, sizeof s->stamp, "%016llx", (unsigned long long)x);
}

int
simdb_save(struct sim_site *s, char **err)
{
	simdb_statmsg_trim(s);
	stamp_new(s);
	struct buf b;
	buf_init(&b);
	buf_grow(&b, 4096 + s->npkg * (200 + s->nsrv / 4) + s->ncell * 80);
	save_header(&b, s);
	for (size_t i = 0; i < s->nsrv; i++)
		save_server(&b, &s->srv[i]);
	for (size_t i = 0; i < s->npkg; i++)
		save_pkg(&b, s, &s->pkg[i]);
	for (size_t i = 0; i < s->ncell; i++)
		save_cell(&b, &s->cell[i]);
	for (size_t i = 0; i < s->nmsgs; i++)
		save_msg(&b, &s->msgs[i]);
	char *path = simdb_path(s->dir);
	int rc = file_write_atomic(path, b.data, b.len, err);
	if (rc != 0)
		s->stamp[0] = '\0'; /* what the file holds is not known */
	free(path);
	buf_free(&b);
	if (rc == 0)
		s->dirty = false;
	return rc;
}

/* ---- reading ---------------------------------------------------------- */

struct loader {
	struct sim_site *s;
	size_t lineno;
	char **f;
	size_t nf;
	char **err;
};

static int
bad(struct loader *L, const char *what)
{
	err_set(L->err, "%s/site.db line %zu: %s", L->s->dir, L->lineno, what);
	return -1;
}

static int
num(struct loader *L, size_t i, int64_t lo, int64_t hi, int64_t *out)
{
	if (i >= L->nf)
		return bad(L, "too few fields");
	const char *v = L->f[i];
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || n < lo || n > hi)
		return bad(L, "a number is missing or out of range");
	*out = n;
	return 0;
}

#define NUM(L, i, lo, hi, dst) do { \
		int64_t v_; \
		if (num(L, i, lo, hi, &v_) != 0) \
			return -1; \
		(dst) = v_; \
	} while (0)

static const char *
str(struct loader *L, size_t i)
{
	return i < L->nf ? L->f[i] : NULL;
}

static int
load_info(struct loader *L)
{
	struct sim_site *s = L->s;
	const char *k = str(L, 1), *v = str(L, 2);
	if (k == NULL || v == NULL)
		return bad(L, "I record needs a key and a value");
	if (strcmp(k, "site") == 0) {
		if (!sitecode_valid(v))
			return bad(L, "bad site code");
		memcpy(s->site_code, v, 4);
	} else if (strcmp(k, "scenario") == 0) {
		free(s->scenario);
		s->scenario = xstrdup(v);
	} else if (strcmp(k, "stamp") == 0) {
		if (strlen(v) > SIMDB_STAMP_LEN)
			return bad(L, "bad stamp");
		snprintf(s->stamp, sizeof s->stamp, "%s", v);
	} else if (strcmp(k, "filesrv") == 0) {
		free(s->filesrv);
		s->filesrv = xstrdup(v);
	} else if (strcmp(k, "seed") == 0) {
		NUM(L, 2, 0, UINT32_MAX, s->seed);
	} else if (strcmp(k, "start") == 0) {
		NUM(L, 2, 0, INT64_MAX, s->start);
	} else if (strcmp(k, "clock") == 0) {
		NUM(L, 2, 0, INT64_MAX, s->clock);
	} else if (strcmp(k, "anchor_sim") == 0) {
		NUM(L, 2, 0, INT64_MAX, s->anchor_sim);
	} else if (strcmp(k, "anchor_real") == 0) {
		NUM(L, 2, 0, INT64_MAX, s->anchor_real);
	} else if (strcmp(k, "materialise") == 0) {
		NUM(L, 2, 0, 1, s->materialise);
	} else if (strcmp(k, "primary") == 0) {
		NUM(L, 2, 0, UINT32_MAX, s->primary);
	} else if (strcmp(k, "msgseq") == 0) {
		NUM(L, 2, 0, UINT32_MAX, s->msgseq);
	} else if (strncmp(k, "next:", 5) == 0) {
		int e = sim_site_event_from_name(k + 5);
		if (e >= 0)
			NUM(L, 2, 0, INT64_MAX, s->site_next[e]);
	}
	return 0; /* unknown keys: a newer writer, ignore */
}

static int
load_server(struct loader *L)
{
	struct sim_server v = {0};
	const char *name = str(L, 1), *site = str(L, 2), *zone = str(L, 4);
	if (name == NULL || !servername_valid(name))
		return bad(L, "bad server name");
	if (site == NULL || !sitecode_valid(site))
		return bad(L, "bad server site code");
	memcpy(v.site, site, 4);
	NUM(L, 3, 0, 255, v.role);
	int z = zone ? simclock_zone_find(zone) : -1;
	if (z < 0)
		return bad(L, "unknown time zone");
	v.zone = (uint8_t)z;
	NUM(L, 5, 0, 255, v.flags);
	NUM(L, 6, 0, 255, v.region);
	NUM(L, 7, 0, UINT32_MAX, v.pid);
	for (int t = 0; t < SIM_THREADS; t++)
		NUM(L, 8 + (size_t)t, 0, UINT32_MAX, v.threads[t]);
	NUM(L, 8 + SIM_THREADS, 60, 86400, v.cycle);
	NUM(L, 9 + SIM_THREADS, 0, 86400, v.phase);
	NUM(L, 10 + SIM_THREADS, 0, INT64_MAX, v.next_cycle);
	NUM(L, 11 + SIM_THREADS, 0, INT64_MAX, v.log_ms);
	const char *sd = str(L, 12 + SIM_THREADS), *hd = str(L, 13 + SIM_THREADS);
	if (sd == NULL || hd == NULL || strlen(sd) != 1 || strlen(hd) != 1 ||
	    !(*sd == '-' || (*sd >= 'C' && *sd <= 'Z')) || *hd < 'C' || *hd > 'Z')
		return bad(L, sd == NULL ? "no server drives (a site made before site kinds "
		    "existed: reset it)" : "bad server drives (SMS drive or '-', share drive)");
	v.sms_drive = *sd == '-' ? 0 : *sd;
	v.share_drive = *hd;
	v.name = (char *)name;
	simdb_add_server(L->s, &v);
	return 0;
}

static int
load_targets(struct loader *L, struct sim_pkg *p, const char *hex)
{
	struct sim_site *s = L->s;
	p->targets = xcalloc(s->words, sizeof *p->targets);
	size_t n = strlen(hex);
	if (n != (s->nsrv + 3) / 4)
		return bad(L, "target bitmap has the wrong length");
	for (size_t i = 0; i < n; i++) {
		char c = hex[i];
		unsigned nib = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
		    c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) : 16;
		if (nib > 15)
			return bad(L, "target bitmap is not hex");
		for (size_t k = 0; k < 4; k++)
			if ((nib >> k) & 1) {
				size_t srv = i * 4 + k;
				if (srv >= s->nsrv)
					return bad(L, "target bitmap names a server that does not exist");
				p->targets[srv / 64] |= UINT64_C(1) << (srv % 64);
			}
	}
	return 0;
}

/* A folder under SMSPKGE$: backslash-separated names of letters, digits,
 * '_', '-' and '.', never "..", so no record can reach outside the site. */
static bool
share_path_valid(const char *v)
{
	if (*v == '\0')
		return true;
	for (const char *seg = v;;) {
		size_t n = strcspn(seg, "\\");
		if (n == 0 || n > 64 || (n == 2 && seg[0] == '.' && seg[1] == '.') ||
		    (n == 1 && seg[0] == '.'))
			return false;
		for (size_t i = 0; i < n; i++)
			if (!isalnum((unsigned char)seg[i]) && !strchr("_-.", seg[i]))
				return false;
		if (seg[n] == '\0')
			return true;
		seg += n + 1;
	}
}

static int
load_pkg(struct loader *L)
{
	struct sim_site *s = L->s;
	if (L->nf < 16)
		return bad(L, "P record has too few fields");
	if (!pkgid_valid(L->f[1]))
		return bad(L, "bad package ID");
	if (s->npkg > 0 && strcmp(s->pkg[s->npkg - 1].id, L->f[1]) >= 0)
		return bad(L, "packages are not in ID order");
	if (!sitecode_valid(L->f[9]))
		return bad(L, "bad source site");
	if (!share_path_valid(L->f[8]))
		return bad(L, "bad share folder");
	s->pkg = xreallocarray(s->pkg, s->npkg + 1, sizeof *s->pkg);
	struct sim_pkg *p = &s->pkg[s->npkg++];
	memset(p, 0, sizeof *p);
	memcpy(p->id, L->f[1], 9);
	p->name = xstrdup(L->f[2]);
	p->manufacturer = xstrdup(L->f[3]);
	p->version = xstrdup(L->f[4]);
	p->language = xstrdup(L->f[5]);
	p->source_path = xstrdup(L->f[6]);
	p->stored_path = xstrdup(L->f[7]);
	p->share_path = xstrdup(L->f[8]);
	memcpy(p->source_site, L->f[9], 4);
	NUM(L, 10, 0, UINT32_MAX, p->source_version);
	NUM(L, 11, 0, UINT32_MAX, p->stored_version);
	NUM(L, 12, 0, 255, p->flags);
	NUM(L, 13, 0, INT64_MAX, p->source_date);
	NUM(L, 14, 0, INT64_MAX, p->size);
	return load_targets(L, p, L->f[15]);
}

static int
load_cell(struct loader *L)
{
	struct sim_site *s = L->s;
	struct sim_cell c = {0};
	NUM(L, 1, 0, (int64_t)s->npkg - 1, c.pkg);
	NUM(L, 2, 0, (int64_t)s->nsrv - 1, c.srv);
	NUM(L, 3, 0, 8, c.state);
	int m = str(L, 4) ? sim_mode_from_name(L->f[4]) : -1;
	int e = str(L, 5) ? event_from_name(L->f[5]) : -1;
	if (m < 0 || e < 0)
		return bad(L, "unknown failure mode or event");
	c.mode = (uint8_t)m;
	c.event = (uint8_t)e;
	NUM(L, 6, 0, 255, c.flags);
	NUM(L, 7, 0, UINT16_MAX, c.retries);
	NUM(L, 8, 0, UINT32_MAX, c.source_version);
	NUM(L, 9, 0, INT64_MAX, c.last_copied);
	NUM(L, 10, 0, INT64_MAX, c.summary_date);
	NUM(L, 11, 0, INT64_MAX, c.next_event);
	if (!simdb_target(s, c.pkg, c.srv))
		return bad(L, "cell for a package that is not on that server");
	if (s->ncell > 0 && cell_cmp_key(&s->cell[s->ncell - 1], c.pkg, c.srv) >= 0)
		return bad(L, "cells are not in (package, server) order");
	if (s->ncell == s->cellcap) {
		s->cellcap = s->cellcap ? s->cellcap * 2 : 64;
		s->cell = xreallocarray(s->cell, s->cellcap, sizeof *s->cell);
	}
	s->cell[s->ncell++] = c;
	return 0;
}

static int
load_msg(struct loader *L)
{
	struct sim_site *s = L->s;
	struct sim_statmsg m = {0};
	const char *sev = str(L, 3), *pkg = str(L, 6), *dp = str(L, 7), *istr = str(L, 8);
	NUM(L, 1, 1, UINT32_MAX, m.recid);
	NUM(L, 2, 0, UINT16_MAX, m.msgid);
	NUM(L, 4, 0, (int64_t)s->nsrv - 1, m.srv);
	NUM(L, 5, 0, INT64_MAX, m.ms);
	if (sev == NULL || strlen(sev) != 1 || strchr("IWE", *sev) == NULL)
		return bad(L, "bad status message severity");
	if (pkg == NULL || (*pkg && !pkgid_valid(pkg)) || dp == NULL || istr == NULL)
		return bad(L, "bad status message");
	if (s->nmsgs > 0 && s->msgs[s->nmsgs - 1].recid >= m.recid)
		return bad(L, "status messages are not in RecordID order");
	m.sev = *sev;
	memcpy(m.pkg, pkg, strlen(pkg) + 1);
	m.dp = *dp ? xstrdup(dp) : NULL;
	m.istr = xstrdup(istr);
	if (s->nmsgs == s->msgcap) {
		s->msgcap = s->msgcap ? s->msgcap * 2 : 256;
		s->msgs = xreallocarray(s->msgs, s->msgcap, sizeof *s->msgs);
	}
	s->msgs[s->nmsgs++] = m;
	return 0;
}

/* Split a line into unescaped TAB-separated fields, in place. */
static int
split_line(struct loader *L, char *line, char **f)
{
	L->nf = 0;
	for (char *p = line;;) {
		if (L->nf == SIMDB_MAX_FIELDS)
			return bad(L, "too many fields");
		f[L->nf++] = p;
		char *tab = strchr(p, '\t');
		if (tab == NULL)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	for (size_t i = 0; i < L->nf; i++)
		if (strchr(f[i], '\\') && proto_unescape(f[i]) != 0)
			return bad(L, "malformed escape");
	L->f = f;
	return 0;
}

static int
load_line(struct loader *L, char *line)
{
	char *f[SIMDB_MAX_FIELDS];
	if (split_line(L, line, f) != 0)
		return -1;
	const char *t = f[0];
	if (strcmp(t, "I") == 0)
		return load_info(L);
	if (strcmp(t, "S") == 0) {
		if (L->s->npkg > 0)
			return bad(L, "server after packages");
		return load_server(L);
	}
	if (strcmp(t, "P") == 0) {
		if (L->s->npkg == 0)
			simdb_set_words(L->s);
		return load_pkg(L);
	}
	if (strcmp(t, "C") == 0)
		return load_cell(L);
	if (strcmp(t, "M") == 0)
		return load_msg(L);
	return bad(L, "unknown record type");
}

static int
load_check(struct loader *L)
{
	struct sim_site *s = L->s;
	if (s->site_code[0] == '\0' || s->scenario == NULL || s->filesrv == NULL)
		return bad(L, "site, scenario or filesrv missing");
	if (s->nsrv == 0 || s->primary >= s->nsrv ||
	    !(s->srv[s->primary].role & SIM_ROLE_PRIMARY))
		return bad(L, "no primary site server");
	return 0;
}

int
simdb_load(const char *dir, struct sim_site **out, char **err)
{
	char *path = simdb_path(dir);
	struct buf b;
	buf_init(&b);
	int rc = file_read_all(path, SIMDB_MAX_BYTES, &b, err);
	free(path);
	if (rc != 0) {
		buf_free(&b);
		return -1;
	}
	struct sim_site *s = simdb_new(dir);
	struct loader L = { .s = s, .err = err };
	rc = 0;
	for (char *line = b.data, *next; line < b.data + b.len; line = next) {
		char *nl = memchr(line, '\n', (size_t)(b.data + b.len - line));
		next = nl ? nl + 1 : b.data + b.len;
		if (nl)
			*nl = '\0';
		L.lineno++;
		if (L.lineno == 1) {
			int v = 0, n = 0;
			if (sscanf(line, SIMDB_MAGIC " %d%n", &v, &n) != 1 ||
			    line[n] != '\0' || v != SIMDB_VERSION) {
				rc = bad(&L, "not a dpdoctor simulated site database "
				    "(or a version this dpdoctor cannot read)");
				break;
			}
			continue;
		}
		if ((rc = load_line(&L, line)) != 0)
			break;
	}
	if (rc == 0 && L.lineno == 0)
		rc = bad(&L, "empty file");
	if (rc == 0)
		rc = load_check(&L);
	buf_free(&b);
	if (rc != 0) {
		simdb_free(s);
		return -1;
	}
	if (s->npkg == 0)
		simdb_set_words(s);
	*out = s;
	return 0;
}
