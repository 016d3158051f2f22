/*
 * The route transport (route.h): one transport in front of the WMI host's
 * and the servers' own.  It looks at each op's arguments only to choose
 * where it goes, and passes the op on untouched, except a pathinfo over
 * several servers, which is asked in parts.  Which argument decides is a
 * table, per op; a server's own transport is chosen only for the op kinds
 * it answers.
 */
#include "autoconf.h"
#include "backend/transport/route.h"
#include "backend/transport/route_int.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct route_entry {
	char *server;
	struct transport *t;
	/* Until then the WMI host is known not to reach this server's
	 * shares (a copy found it so): copies to it are streamed. */
	_Atomic int64_t blind_until;
};

static const struct transport_ops route_ops;

/* How long a WMI host that could not reach a server is not asked again:
 * its credentials do not change while dpdoctor runs, but an administrator
 * may fix the share. */
#define BLIND_MS (30 * 60 * 1000)

struct route {
	struct transport *wmi;
	struct route_entry *v;
	size_t n;
};

/* Which arguments name the server an op touches.  Every one listed must
 * agree for the op to leave the WMI host; an op not listed never does. */
enum route_by { RB_PATH, RB_SERVER };
static const struct {
	enum op_kind kind;
	enum route_by by;
	const char *args[2];
} route_rules[] = {
	{ OP_DIRLIST, RB_PATH, { "dir", NULL } },
	{ OP_LOGGREP, RB_PATH, { "log", NULL } },
	{ OP_READFILE, RB_PATH, { "path", NULL } },
	{ OP_SETATTR, RB_PATH, { "path", NULL } },
	{ OP_DELETEFILE, RB_PATH, { "path", NULL } },
	{ OP_RENAMEFILE, RB_PATH, { "path", NULL } },
	{ OP_COPYFILE, RB_PATH, { "src", "dst" } },
	{ OP_SHAREACL, RB_SERVER, { "server", NULL } },
	/* A server's layout and a preload on it: its own transport when it
	 * answers them (ssh runs both there; smb lists its shares), else the
	 * WMI host asks it over WMI. */
	{ OP_LAYOUT, RB_SERVER, { "server", NULL } },
	{ OP_PRELOAD, RB_SERVER, { "server", NULL } },
};

/* The server of \\SERVER\share\..., or NULL (a drive path, or no path). */
static char *
unc_server(const char *path)
{
	if (path == NULL || path[0] != '\\' || path[1] != '\\')
		return NULL;
	size_t n = strcspn(path + 2, "\\");
	return n > 0 ? xstrndup(path + 2, n) : NULL;
}

/* The entry of a server's own transport, k + 1 for entry k; 0 when it
 * has none. */
static size_t
entry_index(const struct route *r, const char *server)
{
	for (size_t k = 0; server != NULL && k < r->n; k++)
		if (strcasecmp(r->v[k].server, server) == 0)
			return k + 1;
	return 0;
}

/* Who answers an op of this kind on server: its own transport when it
 * answers the kind (k + 1), else the WMI host (0). */
static size_t
route_index(const struct route *r, const char *server, enum op_kind kind)
{
	size_t k = entry_index(r, server);
	return k > 0 && transport_answers(r->v[k - 1].t, kind) ? k : 0;
}

static size_t
path_index(const struct route *r, const char *path, enum op_kind kind)
{
	char *server = unc_server(path);
	size_t k = route_index(r, server, kind);
	free(server);
	return k;
}

static struct transport *
by_index(const struct route *r, size_t k)
{
	return k == 0 ? r->wmi : r->v[k - 1].t;
}

/* Where an op other than pathinfo goes. */
static size_t
op_index(const struct route *r, const struct op *op)
{
	for (size_t i = 0; i < sizeof route_rules / sizeof route_rules[0]; i++) {
		if (route_rules[i].kind != op->kind)
			continue;
		size_t k = 0;
		for (size_t a = 0; a < 2 && route_rules[i].args[a] != NULL; a++) {
			const char *v = op_arg(op, route_rules[i].args[a]);
			size_t here = route_rules[i].by == RB_SERVER ? route_index(r, v, op->kind) :
			    path_index(r, v, op->kind);
			if (here == 0 || (a > 0 && here != k))
				return 0;
			k = here;
		}
		return k;
	}
	return 0;
}

/* ---- a pathinfo over several servers ------------------------------------------ */

#define ROW_COLS 8
static const char *const file_cols[ROW_COLS] = { "Path", "Exists", "IsDir", "Size",
	"MTime", "Attrs", "Version", "Error" };

struct part {
	char *paths[OPS_MAX_PATHS];
	size_t group[OPS_MAX_PATHS];       /* who answers each path */
	char *rows[OPS_MAX_PATHS][ROW_COLS];
	size_t n;
};

/* Collects one part's F rows into the slots of its paths, in order. */
struct collect {
	struct part *p;
	size_t group;
	size_t next;                       /* the next path index to look at */
};

static int
collect_row(const struct proto_record *rec, void *arg, char **err)
{
	struct collect *c = arg;
	if (strcmp(rec->type, "F") != 0)
		return 0;
	while (c->next < c->p->n && c->p->group[c->next] != c->group)
		c->next++;
	if (c->next == c->p->n) {
		err_set(err, "more rows than paths");
		return -1;
	}
	for (size_t i = 0; i < ROW_COLS; i++) {
		const char *v = proto_get(rec, file_cols[i]);
		c->p->rows[c->next][i] = xstrdup(v != NULL ? v : "");
	}
	c->next++;
	return 0;
}

/* A part that could not be asked: each of its paths says why, as a share
 * that cannot be reached does. */
static void
part_fail(struct part *p, size_t group, const char *why)
{
	for (size_t i = 0; i < p->n; i++) {
		if (p->group[i] != group)
			continue;
		for (size_t c = 0; c < ROW_COLS; c++) {
			free(p->rows[i][c]);
			p->rows[i][c] = xstrdup(c == 0 ? p->paths[i] : c == 7 ? why : "");
		}
	}
}

static void
part_ask(const struct route *r, struct part *p, size_t group, const struct deadline *dl)
{
	struct buf list;
	buf_init(&list);
	for (size_t i = 0; i < p->n; i++)
		if (p->group[i] == group)
			buf_printf(&list, "%s%s", list.len > 0 ? "|" : "", p->paths[i]);
	struct op op = { .kind = OP_PATHINFO };
	op_set(&op, "paths", list.data);
	char *e = NULL;
	struct collect c = { p, group, 0 };
	if (transport_pass(by_index(r, group), &op, collect_row, &c, dl, &e) != 0)
		part_fail(p, group, e != NULL ? e : "no answer");
	else
		for (size_t i = 0; i < p->n; i++)
			if (p->group[i] == group && p->rows[i][0] == NULL)
				part_fail(p, group, "fewer rows than paths");
	free(e);
	buf_free(&list);
}

static void
part_free(struct part *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->paths[i]);
		for (size_t c = 0; c < ROW_COLS; c++)
			free(p->rows[i][c]);
	}
}

/* Whether a path before i has i's answerer (it was counted or asked). */
static bool
part_seen(const struct part *p, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (p->group[j] == p->group[i])
			return true;
	return false;
}

/* Split the paths by who answers.  Returns how many answerers there are;
 * *only is the one when there is one. */
static size_t
part_split(const struct route *r, const char *paths, struct part *p, size_t *only)
{
	size_t groups = 0;
	for (const char *s = paths; p->n < OPS_MAX_PATHS;) {
		size_t len = strcspn(s, "|");
		p->paths[p->n] = xstrndup(s, len);
		p->group[p->n] = path_index(r, p->paths[p->n], OP_PATHINFO);
		if (!part_seen(p, p->n)) {
			groups++;
			*only = p->group[p->n];
		}
		p->n++;
		if (s[len] == '\0')
			break;
		s += len + 1;
	}
	return groups;
}

/* Ask each answerer for its paths and give the rows to fn in the asked
 * order: 0, or TRANSPORT_EREPLY when fn refused one. */
static int
part_merge(const struct route *r, struct part *p, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	for (size_t i = 0; i < p->n; i++)
		if (!part_seen(p, i))
			part_ask(r, p, p->group[i], dl);
	struct proto_emit e;
	proto_emit_begin(&e, fn, arg);
	proto_emit_cols(&e, "F", file_cols, ROW_COLS);
	for (size_t i = 0; i < p->n; i++)
		if (proto_emit_row(&e, (const char *const *)p->rows[i], ROW_COLS, err) != 0)
			return TRANSPORT_EREPLY;
	return 0;
}

/* Where an op goes: the entry (k + 1) or the WMI host (0).  A pathinfo over
 * several servers is split (*p filled, *split set; the WMI host stands for
 * it); one on a single answerer goes there whole. */
static size_t
route_choose(const struct route *r, const struct op *op, struct part *p, bool *split)
{
	*split = false;
	if ((unsigned)op->kind >= OP_COUNT || r->n == 0)
		return 0;
	if (op->kind != OP_PATHINFO)
		return op_index(r, op);
	if (!ops_paths_valid(op_arg(op, "paths")))
		return 0;
	size_t only = 0;
	*split = part_split(r, op_arg(op, "paths"), p, &only) > 1;
	return *split ? 0 : only;
}

/* ---- a key log-in without network credentials ---------------------------------- */

static struct transport *
route_wmi_of(struct transport *t)
{
	return ((struct route *)t->priv)->wmi;
}

/* The other server an op names (its server, provider or dp argument, or
 * the server of a UNC path in it), for transport_netcred_why; NULL when none. */
static char *
op_other_server(const struct op *op, const char *self)
{
	static const char *const by_name[] = { "server", "provider", "dp" };
	static const char *const by_path[] = { "dir", "log", "path", "src", "dst", "paths" };
	for (size_t i = 0; i < sizeof by_name / sizeof by_name[0]; i++) {
		const char *v = op_arg(op, by_name[i]);
		if (v != NULL && *v != '\0' && strcasecmp(v, self) != 0)
			return xstrdup(v);
	}
	for (size_t i = 0; i < sizeof by_path / sizeof by_path[0]; i++) {
		char *v = unc_server(op_arg(op, by_path[i]));
		if (v != NULL && strcasecmp(v, self) != 0)
			return v;
		free(v);
	}
	return NULL;
}

/* An op the WMI host ran that failed as a key log-in fails: the caller
 * gets the explanation instead (the reply's own words inside it). */
static void
netcred_explain(const struct route *r, const struct op *op, char **err)
{
	if (err == NULL || *err == NULL)
		return;
	char *server = op_other_server(op, r->wmi->host);
	char *why = transport_netcred_why(r->wmi, server, *err);
	if (why != NULL) {
		free(*err);
		*err = why;
	}
	free(server);
}


/* preload's via follows where the route sends it: "local" to the
 * server's own transport (it runs the tool itself), "wmi" to the WMI
 * host (it starts it there).  Other ops pass untouched. */
static int
pass_to(struct route *r, size_t k, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	struct op o = *op;
	if (o.kind == OP_PRELOAD)
		op_set(&o, "via", k == 0 ? "wmi" : "local");
	int rc = transport_pass(by_index(r, k), &o, fn, arg, dl, err);
	if (rc != 0 && k == 0)
		netcred_explain(r, &o, err);
	return rc;
}

/* ---- a copy between servers ------------------------------------------------------ */

/* The entry of a copy's target server when its own transport writes (k + 1),
 * else 0: only then can a copy be streamed to it. */
static size_t
copy_target(const struct route *r, const struct op *op)
{
	char *server = unc_server(op_arg(op, "dst"));
	size_t k = entry_index(r, server);
	free(server);
	return k > 0 && transport_answers(r->v[k - 1].t, OP_WRITEFILE) ? k : 0;
}

/* Whether a failed copy on the WMI host failed because it cannot reach
 * the target's share (Reach() of ops_ps.c: "cannot reach \\DP\share\ ..."). */
static bool
unreachable(const char *why, const char *server)
{
	char *needle = xasprintf("cannot reach \\\\%s\\", server);
	bool hit = why != NULL && strcasestr(why, needle) != NULL;
	free(needle);
	return hit;
}

/* How a copyfile goes (route_copy_way), and the target's entry when it
 * may be streamed to (*e, else NULL).  One decision for the call and for
 * the plan that says it before asking. */
static enum route_copy
copy_way(struct route *r, const struct op *op, struct route_entry **e)
{
	*e = NULL;
	size_t kd = copy_target(r, op);
	if (op_index(r, op) != 0)
		return ROUTE_COPY_SERVER;
	if (kd == 0)
		return ROUTE_COPY_HOST;
	*e = &r->v[kd - 1];
	return clock_mono_ms() < atomic_load(&(*e)->blind_until) ? ROUTE_COPY_STREAM :
	    ROUTE_COPY_HOST_OR_STREAM;
}

/* copyfile: one server's own transport when it copies both ends itself;
 * else the WMI host, server to server; and when the WMI host cannot reach
 * the target but the target's transport writes, streamed through this
 * machine (route_copy.c), which is then remembered for a while. */
static int
copy_call(struct route *r, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	struct route_entry *e;
	enum route_copy way = copy_way(r, op, &e);
	if (e == NULL)
		return pass_to(r, op_index(r, op), op, fn, arg, dl, err);
	struct transport *from = by_index(r, path_index(r, op_arg(op, "src"), OP_READFILE));
	if (way == ROUTE_COPY_HOST_OR_STREAM) {
		int rc = transport_pass(r->wmi, op, fn, arg, dl, err);
		if (rc != TRANSPORT_EREPLY || err == NULL || !unreachable(*err, e->server)) {
			if (rc != 0)
				netcred_explain(r, op, err);
			return rc;
		}
		atomic_store(&e->blind_until, clock_mono_ms() + BLIND_MS);
		free(*err);
		*err = NULL;
	}
	return route_stream_copy(from, e->t, op, fn, arg, dl, err);
}

enum route_copy
route_copy_way(struct transport *t, const struct op *op, const char **via)
{
	*via = NULL;
	if (t == NULL || t->ops != &route_ops || op->kind != OP_COPYFILE)
		return ROUTE_COPY_HOST;
	struct route_entry *e;
	enum route_copy way = copy_way(t->priv, op, &e);
	if (e != NULL)
		*via = e->t->ops->name;
	return way;
}

/* ---- the transport ---------------------------------------------------------------- */

static int
route_call(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	struct route *r = t->priv;
	if (op->kind == OP_COPYFILE)
		return copy_call(r, op, fn, arg, dl, err);
	struct part *p = xcalloc(1, sizeof *p);
	bool split;
	size_t k = route_choose(r, op, p, &split);
	int rc = split ? part_merge(r, p, fn, arg, dl, err) : pass_to(r, k, op, fn, arg, dl, err);
	part_free(p);
	free(p);
	return rc;
}

static void
route_close(struct transport *t)
{
	struct route *r = t->priv;
	transport_close(r->wmi);
	for (size_t k = 0; k < r->n; k++) {
		free(r->v[k].server);
		transport_close(r->v[k].t);
	}
	free(r->v);
	free(r);
}

static const struct transport_ops route_ops = {
	.name = "route", .call = route_call, .close = route_close, .script_host = route_wmi_of,
};

struct transport *
route_new(struct transport *wmi)
{
	struct route *r = xcalloc(1, sizeof *r);
	r->wmi = wmi;
	return transport_new(&route_ops, wmi->host, wmi->answers, r);
}

int
route_add(struct transport *route, const char *server, struct transport *t, char **err)
{
	struct route *r = route->priv;
	if (strcasecmp(server, r->wmi->host) == 0 || entry_index(r, server) != 0) {
		err_set(err, "server %s already has a transport", server);
		return -1;
	}
	r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
	r->v[r->n] = (struct route_entry){ xstrdup(server), t, 0 };
	atomic_init(&r->v[r->n].blind_until, 0);
	r->n++;
	/* The route answers what any of its transports answers, for the
	 * servers that one reaches. */
	route->answers |= t->answers;
	return 0;
}

struct transport *
route_pick(struct transport *t, const struct op *op)
{
	if (t == NULL || t->ops != &route_ops)
		return t;
	const struct route *r = t->priv;
	struct part *p = xcalloc(1, sizeof *p);
	bool split;
	size_t k = route_choose(r, op, p, &split);
	part_free(p);
	free(p);
	return by_index(r, k);
}
