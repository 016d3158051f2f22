/*
 * distmgr.log as an SMS 2003 server writes it: the raw "SMS Trace" line
 *   <text>  $$<SMS_DISTRIBUTION_MANAGER><Thu Jan 04 09:12:03.417 2007 GMT
 *   Standard Time><thread=2136 (0x858)>
 * ending in CRLF, stamped in the server's own Windows time zone (with its
 * daylight-saving name and offset in summer), rolled over to distmgr.lo_ at
 * 1 MB.  Lines are collected during an op and appended at its end sorted by
 * time, so threads that ran side by side interleave the way they do in a
 * real log while the file stays in time order.
 */
#include "autoconf.h"
#include "backend/sim/simint.h"
#include "backend/core/winzone.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const wdays[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* Day of month of the n-th (1-based) Sunday, or the last one for n = 0. */
/* Whether daylight-saving time is in force at UTC second t. */
static bool
zone_dst(const struct sim_zone *z, int64_t t)
{
	int64_t lo, hi;
	return winzone_dst_span(z->rule, z->offset_min, t, &lo, &hi);
}

static void
stamp(struct buf *b, int64_t ms, const char *zone)
{
	int64_t t = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	struct sim_tm tm;
	simclock_split(t, &tm);
	buf_printf(b, "%s %s %02d %02d:%02d:%02d.%03d %04d", wdays[tm.wday],
	    months[tm.mon - 1], tm.mday, tm.hour, tm.min, tm.sec,
	    (int)(ms - t * 1000), tm.year);
	if (zone != NULL) {
		buf_addc(b, ' ');
		buf_adds(b, zone);
	}
}

void
simlog_stamp(struct buf *b, int64_t ms, unsigned zone)
{
	const struct sim_zone *z = simclock_zone(zone);
	bool dst = zone_dst(z, ms / 1000);
	int64_t local = ms + (int64_t)(z->offset_min + (dst ? 60 : 0)) * 60000;
	stamp(b, local, dst ? z->dst_name : z->std_name);
}

void
simlog_gmtdate(struct buf *b, int64_t ms)
{
	stamp(b, ms, NULL);
}

void
simlog_job_start(struct simlog_job *j, struct sim_site *s, uint32_t srv,
    dpd_time t, unsigned slot, uint64_t salt)
{
	j->site = s;
	j->srv = srv;
	j->rng = rng_for(s->seed, (uint64_t)t ^ ((uint64_t)srv << 40), salt);
	j->thread = s->srv[srv].threads[slot == 0 ? 0 : 1 + (slot - 1) % (SIM_THREADS - 1)];
	j->ms = (int64_t)t * 1000 + rng_range(&j->rng, 3, 400);
}

static void
job_emit(struct simlog_job *j, char *text)
{
	struct sim_site *s = j->site;
	if (s->nlogs == s->logcap) {
		s->logcap = s->logcap ? s->logcap * 2 : 256;
		s->logs = xreallocarray(s->logs, s->logcap, sizeof *s->logs);
	}
	s->logs[s->nlogs++] = (struct simlog_line){ j->ms, s->logseq++, j->srv,
	    j->thread, text };
	j->ms += rng_range(&j->rng, 2, 160);
}

void
simlog_line(struct simlog_job *j, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = xvasprintf(fmt, ap);
	va_end(ap);
	job_emit(j, text);
}

void
simlog_statmsg(struct simlog_job *j, unsigned id, char sev, char lev,
    const char *const *istr, const struct simlog_attr *attrs)
{
	const struct sim_server *v = &j->site->srv[j->srv];
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "STATMSG: ID=%u SEV=%c LEV=%c SOURCE=\"SMS Server\" "
	    "COMP=\"SMS_DISTRIBUTION_MANAGER\" SYS=%s SITE=%s PID=%u TID=%u GMTDATE=",
	    id, sev, lev, v->name, v->site, v->pid, j->thread);
	simlog_gmtdate(&b, j->ms);
	bool more = true;
	for (int i = 0; i < 10; i++) {
		more = more && istr != NULL && istr[i] != NULL;
		buf_printf(&b, " ISTR%d=\"%s\"", i, more ? istr[i] : "");
	}
	size_t n = 0;
	while (attrs != NULL && attrs[n].id != 0)
		n++;
	buf_printf(&b, " NUMATTRS=%zu", n);
	simdb_statmsg_add(j->site, j->srv, j->ms, id, sev, istr, attrs);
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, " AID%zu=%u AVAL%zu=\"%s\"", i, attrs[i].id, i, attrs[i].value);
	job_emit(j, buf_detach(&b));
}

static int
line_cmp(const void *a, const void *b)
{
	const struct simlog_line *x = a, *y = b;
	if (x->srv != y->srv)
		return x->srv < y->srv ? -1 : 1;
	if (x->ms != y->ms)
		return x->ms < y->ms ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
append(const char *path, const struct buf *chunk, char **err)
{
	if (chunk->len == 0)
		return 0;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0744);
	if (fd < 0) {
		err_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fd_write_all(fd, chunk->data, chunk->len) != 0) {
		err_set(err, "%s: write: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) != 0) {
		err_set(err, "%s: close: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Append one server's lines [from, to), rolling over as SMS does: the full
 * .log becomes .lo_ (replacing the previous one) and a new .log starts. */
static int
flush_server(struct sim_site *s, size_t from, size_t to, char **err)
{
	uint32_t srv = s->logs[from].srv;
	char *dir = simfs_path(s, srv, "SMS/Logs");
	char *log = xasprintf("%s/distmgr.log", dir);
	char *old = xasprintf("%s/distmgr.lo_", dir);
	int rc = simfs_server_ready(s, srv, err);
	struct stat st;
	size_t size = rc == 0 && stat(log, &st) == 0 ? (size_t)st.st_size : 0;
	struct sim_server *v = &s->srv[srv];
	struct buf chunk, line;
	buf_init(&chunk);
	buf_init(&line);
	for (size_t i = from; i < to && rc == 0; i++) {
		/* A job from the previous op may have run past this op's first
		 * event; the file must stay in time order all the same. */
		int64_t ms = s->logs[i].ms > v->log_ms ? s->logs[i].ms : v->log_ms;
		v->log_ms = ms;
		buf_reset(&line);
		buf_adds(&line, s->logs[i].text);
		buf_adds(&line, "  $$<SMS_DISTRIBUTION_MANAGER><");
		simlog_stamp(&line, ms, v->zone);
		buf_printf(&line, "><thread=%u (0x%X)>\r\n", s->logs[i].thread,
		    s->logs[i].thread);
		if (size + line.len > SIMLOG_MAX_BYTES && size > 0) {
			rc = append(log, &chunk, err);
			if (rc == 0 && rename(log, old) != 0) {
				err_set(err, "%s: rename to distmgr.lo_: %s", log, strerror(errno));
				rc = -1;
			}
			buf_reset(&chunk);
			size = 0;
		}
		buf_add(&chunk, line.data, line.len);
		size += line.len;
	}
	buf_free(&line);
	if (rc == 0)
		rc = append(log, &chunk, err);
	buf_free(&chunk);
	free(dir);
	free(log);
	free(old);
	return rc;
}

int
simlog_flush(struct sim_site *s, char **err)
{
	array_sort(s->logs, s->nlogs, sizeof *s->logs, line_cmp);
	if (s->nlogs > 0)
		s->dirty = true; /* the servers' log_ms moved */
	int rc = 0;
	for (size_t i = 0; i < s->nlogs && rc == 0; ) {
		size_t j = i;
		while (j < s->nlogs && s->logs[j].srv == s->logs[i].srv)
			j++;
		rc = flush_server(s, i, j, err);
		i = j;
	}
	simdb_logs_discard(s);
	return rc;
}
