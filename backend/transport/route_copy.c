/*
 * A copy between two servers streamed through this machine (route_int.h):
 * the last resort of the route's copyfile, when the WMI host cannot reach
 * the destination (a Windows OpenSSH session logged in with a key has no
 * network credentials) but the destination has a transport of its own
 * that writes.  The source is read in readfile chunks from whoever answers
 * its path and each chunk, still base64, is written with writefile to a
 * part file beside the target; only a complete part replaces the target,
 * so an interrupted copy never leaves a short PCK where distmgr or
 * PreloadPkgOnSite would take it for the package.  The answer is the X
 * record copyfile_ps gives, judged by size and time as for any copy that
 * is not read back over the network.
 */
#include "autoconf.h"
#include "backend/transport/route_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PART_SUFFIX ".dpdoctor-part"

/* What one record of a reply says: the first record of its type. */
struct rec {
	const char *type;
	char *v[6];
	const char *cols[6];
	bool seen;
};

static int
rec_take(const struct proto_record *r, void *arg, char **err)
{
	struct rec *x = arg;
	(void)err;
	if (x->seen || strcmp(r->type, x->type) != 0)
		return 0;
	x->seen = true;
	for (size_t i = 0; i < 6 && x->cols[i] != NULL; i++) {
		const char *v = proto_get(r, x->cols[i]);
		x->v[i] = xstrdup(v != NULL ? v : "");
	}
	return 0;
}

static void
rec_free(struct rec *x)
{
	for (size_t i = 0; i < 6; i++)
		free(x->v[i]);
}

/* Ask t and keep the first record of x->type: 0, or -1 with *err saying
 * what failed, in stage's words. */
static int
ask(struct transport *t, const struct op *op, struct rec *x, const struct deadline *dl,
    const char *stage, char **err)
{
	char *e = NULL;
	int rc = transport_pass(t, op, rec_take, x, dl, &e);
	if (rc == 0 && !x->seen) {
		rc = -1;
		e = xasprintf("%s answered no %s record", t->host, x->type);
	}
	if (rc != 0) {
		/* The reply's words without transport_pass's prefix: the whole
		 * message gets one. */
		const char *w = e != NULL ? e : "failed";
		if (strncmp(w, "remote error: ", 14) == 0)
			w += 14;
		err_set(err, "%s: %s", stage, w);
		free(e);
		return -1;
	}
	free(e);
	return 0;
}

/* A file as pathinfo tells it. */
struct finfo {
	bool exists, dir;
	uint64_t size;
	char *mtime;
};

static int
file_info(struct transport *t, const char *path, struct finfo *fi, const struct deadline *dl,
    const char *stage, char **err)
{
	struct op op = { .kind = OP_PATHINFO };
	op_set(&op, "paths", path);
	struct rec x = { "F", { NULL }, { "Exists", "IsDir", "Size", "MTime", "Error" }, false };
	int rc = ask(t, &op, &x, dl, stage, err);
	if (rc == 0 && *x.v[4] != '\0') {
		err_set(err, "%s: %s", stage, x.v[4]);
		rc = -1;
	}
	if (rc == 0) {
		fi->exists = strcmp(x.v[0], "1") == 0;
		fi->dir = strcmp(x.v[1], "1") == 0;
		fi->size = strtoull(x.v[2], NULL, 10);
		fi->mtime = xstrdup(x.v[3]);
	}
	rec_free(&x);
	return rc;
}

/* The bytes base64 text stands for. */
static uint64_t
b64_bytes(const char *s)
{
	size_t n = strlen(s);
	return n / 4 * 3 - (n >= 1 && s[n - 1] == '=') - (n >= 2 && s[n - 2] == '=');
}

struct stream {
	struct transport *from, *to;
	const char *src, *dst;
	char *part;
	const struct finfo *s;
	const struct deadline *dl;
};

/* One chunk from the source at off to the part: *got its bytes. */
static int
chunk(struct stream *c, uint64_t off, char **head, uint64_t *got, char **err)
{
	char offs[24], max[24];
	snprintf(offs, sizeof offs, "%llu", (unsigned long long)off);
	snprintf(max, sizeof max, "%zu", OPS_READ_MAX);
	struct op rd = { .kind = OP_READFILE };
	op_set(&rd, "path", c->src);
	op_set(&rd, "offset", offs);
	op_set(&rd, "max", max);
	struct rec b = { "B", { NULL }, { "Size", "Head", "Data" }, false };
	int rc = ask(c->from, &rd, &b, c->dl, "reading the source", err);
	if (rc == 0 && (strtoull(b.v[0], NULL, 10) != c->s->size ||
	    (*head != NULL && strcmp(*head, b.v[1]) != 0))) {
		err_set(err, "%s changed while it was being copied", c->src);
		rc = -1;
	}
	*got = rc == 0 ? b64_bytes(b.v[2]) : 0;
	if (rc == 0 && *got == 0 && off < c->s->size) {
		err_set(err, "reading the source: no bytes at offset %s of %llu", offs,
		    (unsigned long long)c->s->size);
		rc = -1;
	}
	if (rc == 0) {
		struct op wr = { .kind = OP_WRITEFILE };
		op_set(&wr, "path", c->part);
		op_set(&wr, "offset", offs);
		op_set(&wr, "data", b.v[2]);
		if (off + *got >= c->s->size && *c->s->mtime != '\0')
			op_set(&wr, "mtime", c->s->mtime);
		struct rec w = { "W", { NULL }, { "Size" }, false };
		rc = ask(c->to, &wr, &w, c->dl, "writing the copy", err);
		rec_free(&w);
	}
	if (rc == 0 && *head == NULL)
		*head = xstrdup(b.v[1]);
	rec_free(&b);
	return rc;
}

/* The part in place of the target: the target (read-only or not) goes,
 * the part takes its name. */
static int
replace(struct stream *c, bool target_exists, char **err)
{
	struct rec d = { "D", { NULL }, { "Result" }, false };
	struct op del = { .kind = OP_DELETEFILE };
	op_set(&del, "path", c->dst);
	int rc = target_exists ? ask(c->to, &del, &d, c->dl, "removing the old copy", err) : 0;
	rec_free(&d);
	if (rc == 0) {
		struct op ren = { .kind = OP_RENAMEFILE };
		op_set(&ren, "path", c->part);
		op_set(&ren, "newname", strrchr(c->dst, '\\') + 1);
		struct rec n = { "N", { NULL }, { "NewPath" }, false };
		rc = ask(c->to, &ren, &n, c->dl, "putting the copy in place", err);
		rec_free(&n);
	}
	return rc;
}

/* Remove a part file left behind, best effort (a failure already has its
 * own message). */
static void
part_remove(struct stream *c)
{
	struct op del = { .kind = OP_DELETEFILE };
	op_set(&del, "path", c->part);
	char *e = NULL;
	transport_pass(c->to, &del, NULL, NULL, c->dl, &e);
	free(e);
}

static int
stream(struct stream *c, bool target_exists, char **err)
{
	part_remove(c);                  /* an earlier attempt's */
	char *head = NULL;
	uint64_t off = 0, got = 0;
	int rc = 0;
	do {
		rc = chunk(c, off, &head, &got, err);
		off += got;
	} while (rc == 0 && off < c->s->size);
	free(head);
	if (rc == 0)
		rc = replace(c, target_exists, err);
	if (rc != 0)
		part_remove(c);
	return rc;
}

static int
answer(const char *src, const char *dst, const char *result, uint64_t ssize, uint64_t dsize,
    proto_record_fn fn, void *arg, char **err)
{
	static const char *const cols[] = { "Source", "Dest", "Result", "SrcSize", "DstSize",
		"Compared" };
	char a[24], b[24];
	snprintf(a, sizeof a, "%llu", (unsigned long long)ssize);
	snprintf(b, sizeof b, "%llu", (unsigned long long)dsize);
	const char *v[] = { src, dst, result, a, b, "size-time" };
	struct proto_emit e;
	proto_emit_begin(&e, fn, arg);
	proto_emit_cols(&e, "X", cols, 6);
	return proto_emit_row(&e, v, 6, err) == 0 ? 0 : TRANSPORT_EREPLY;
}

int
route_stream_copy(struct transport *from, struct transport *to, const struct op *op,
    proto_record_fn fn, void *arg, const struct deadline *dl, char **err)
{
	const char *src = op_arg(op, "src"), *dst = op_arg(op, "dst");
	struct finfo s = { 0 }, d = { 0 };
	char *why = NULL;
	int rc = file_info(from, src, &s, dl, "the source", &why);
	if (rc == 0 && (!s.exists || s.dir))
		err_set(&why, s.dir ? "%s is a folder, not a file" :
		    "Cannot find path '%s' because it does not exist.", src);
	if (why == NULL)
		rc = file_info(to, dst, &d, dl, "the target", &why);
	if (why == NULL && d.exists && d.dir)
		err_set(&why, "%s is a folder, not a file", dst);
	bool same = why == NULL && d.exists && d.size == s.size && strcmp(d.mtime, s.mtime) == 0;
	if (why == NULL && !same) {
		struct stream c = { from, to, src, dst, xasprintf("%s%s", dst, PART_SUFFIX), &s, dl };
		rc = stream(&c, d.exists, &why);
		free(c.part);
		free(d.mtime);
		d = (struct finfo){ 0 };
		if (rc == 0)
			rc = file_info(to, dst, &d, dl, "the copy", &why);
	}
	if (why == NULL)
		rc = answer(src, dst, same ? "identical" : "copied", s.size, d.size, fn, arg, err);
	else {
		err_set(err, "remote error: streaming %s to %s through this machine: %s", src, dst,
		    why);
		rc = TRANSPORT_EREPLY;
	}
	free(why);
	free(s.mtime);
	free(d.mtime);
	return rc;
}
