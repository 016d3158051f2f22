/* Unit tests: a copy between servers (route.c, route_copy.c).  The WMI
 * host copies server to server while it can reach the target; when it
 * cannot (a key-based Windows OpenSSH log-in has no network credentials),
 * and the target's own transport writes, the copy is streamed through
 * this machine in readfile/writefile chunks to a part file that replaces
 * the target only when complete; the plan can say which before asking. */
#include "autoconf.h"
#include "backend/transport/route.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A host with files in memory, by the path as asked. */
struct mfile {
	char *path;
	struct buf data;
	char mtime[21];
	bool ro;
};

struct host {
	struct mfile v[8];
	size_t n;
	bool blind;                 /* copyfile cannot reach other servers */
	bool fail_write;            /* writefile fails (a full disk) */
	struct buf seen;            /* "op;" per call */
};

static struct mfile *
hfind(struct host *h, const char *p)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcasecmp(h->v[i].path, p) == 0)
			return &h->v[i];
	return NULL;
}

static struct mfile *
hput(struct host *h, const char *p)
{
	struct mfile *f = hfind(h, p);
	if (f == NULL) {
		f = &h->v[h->n++];
		*f = (struct mfile){ .path = xstrdup(p) };
		buf_init(&f->data);
	}
	return f;
}

static void
hdel(struct host *h, struct mfile *f)
{
	free(f->path);
	buf_free(&f->data);
	*f = h->v[--h->n];
}

static int
row(struct proto_emit *e, const char *type, const char *const *cols, const char *const *v,
    size_t n, char **err)
{
	proto_emit_cols(e, type, cols, n);
	return proto_emit_row(e, v, n, err) == 0 ? 0 : TRANSPORT_EREPLY;
}

static int
fail(char **err, char *why)
{
	err_set(err, "remote error: %s", why);
	free(why);
	return TRANSPORT_EREPLY;
}

static int
h_pathinfo(struct host *h, const struct op *op, struct proto_emit *e, char **err)
{
	static const char *const cols[] = { "Path", "Exists", "IsDir", "Size", "MTime", "Attrs",
		"Version", "Error" };
	const char *p = op_arg(op, "paths");
	struct mfile *f = hfind(h, p);
	char size[24] = "";
	if (f != NULL)
		snprintf(size, sizeof size, "%zu", f->data.len);
	const char *v[] = { p, f ? "1" : "0", "0", size, f ? f->mtime : "", f ? "32" : "", "",
		"" };
	return row(e, "F", cols, v, 8, err);
}

static int
h_readfile(struct host *h, const struct op *op, struct proto_emit *e, char **err)
{
	static const char *const cols[] = { "Offset", "Size", "MTime", "Head", "Data" };
	struct mfile *f = hfind(h, op_arg(op, "path"));
	if (f == NULL)
		return fail(err, xstrdup("no such file"));
	size_t off = strtoul(op_arg(op, "offset"), NULL, 10), max = strtoul(op_arg(op, "max"),
	    NULL, 10);
	struct buf head, data;
	buf_init(&head);
	buf_init(&data);
	ops_b64_encode(f->data.data, f->data.len < 64 ? f->data.len : 64, &head);
	size_t n = off >= f->data.len ? 0 : f->data.len - off < max ? f->data.len - off : max;
	ops_b64_encode(f->data.data + off, n, &data);
	char size[24];
	snprintf(size, sizeof size, "%zu", f->data.len);
	const char *v[] = { op_arg(op, "offset"), size, f->mtime, head.data ? head.data : "",
		data.data ? data.data : "" };
	int rc = row(e, "B", cols, v, 5, err);
	buf_free(&head);
	buf_free(&data);
	return rc;
}

static int
h_writefile(struct host *h, const struct op *op, struct proto_emit *e, char **err)
{
	static const char *const cols[] = { "Path", "Size" };
	if (h->fail_write)
		return fail(err, xstrdup("There is not enough space on the disk."));
	const char *p = op_arg(op, "path"), *d = op_arg(op, "data"), *mt = op_arg(op, "mtime");
	size_t off = strtoul(op_arg(op, "offset"), NULL, 10);
	struct mfile *f = hput(h, p);
	if (f->data.len != off)
		return fail(err, xasprintf("offset %zu is not the end of %s", off, p));
	if (d != NULL && ops_b64_decode(d, strlen(d), &f->data) != 0)
		return fail(err, xstrdup("bad base64"));
	if (mt != NULL)
		snprintf(f->mtime, sizeof f->mtime, "%s", mt);
	char size[24];
	snprintf(size, sizeof size, "%zu", f->data.len);
	const char *v[] = { p, size };
	return row(e, "W", cols, v, 2, err);
}

static int
h_deletefile(struct host *h, const struct op *op, struct proto_emit *e, char **err)
{
	static const char *const cols[] = { "Path", "Result" };
	struct mfile *f = hfind(h, op_arg(op, "path"));
	if (f != NULL)
		hdel(h, f);
	const char *v[] = { op_arg(op, "path"), f ? "deleted" : "absent" };
	return row(e, "D", cols, v, 2, err);
}

static int
h_renamefile(struct host *h, const struct op *op, struct proto_emit *e, char **err)
{
	static const char *const cols[] = { "Path", "NewPath" };
	const char *p = op_arg(op, "path");
	struct mfile *f = hfind(h, p);
	if (f == NULL)
		return fail(err, xasprintf("%s does not exist", p));
	char *to = xasprintf("%.*s\\%s", (int)(strrchr(p, '\\') - p), p, op_arg(op, "newname"));
	free(f->path);
	f->path = to;
	const char *v[] = { p, to };
	return row(e, "N", cols, v, 2, err);
}

static int
h_copyfile(struct host *h, const struct op *op, struct proto_emit *e, char **err)
{
	(void)e;
	(void)op;
	if (h->blind)
		return fail(err, xstrdup("cannot reach \\\\DP01\\E$\\ (the network path was not "
		    "found or access is denied)"));
	return 0;
}

static int
host_call(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	struct host *h = t->priv;
	(void)dl;
	buf_printf(&h->seen, "%s;", op_name(op->kind));
	struct proto_emit e;
	proto_emit_begin(&e, fn, arg);
	static int (*const by[OP_COUNT])(struct host *, const struct op *, struct proto_emit *,
	    char **) = {
		[OP_PATHINFO] = h_pathinfo, [OP_READFILE] = h_readfile,
		[OP_WRITEFILE] = h_writefile, [OP_DELETEFILE] = h_deletefile,
		[OP_RENAMEFILE] = h_renamefile, [OP_COPYFILE] = h_copyfile,
	};
	return by[op->kind] != NULL ? by[op->kind](h, op, &e, err) : 0;
}

static void
host_close(struct transport *t)
{
	struct host *h = t->priv;
	while (h->n > 0)
		hdel(h, &h->v[0]);
	buf_free(&h->seen);
	free(h);
}

static const struct transport_ops host_ops = { .name = "mem", .call = host_call, .close = host_close };

static struct transport *
host_new(const char *name, uint32_t answers, struct host **out)
{
	*out = xcalloc(1, sizeof **out);
	buf_init(&(*out)->seen);
	return transport_new(&host_ops, name, answers, *out);
}

#define PCK "E:\\SMSPKG\\AAA00001.PCK"
#define DPPCK "\\\\DP01\\E$\\SMSPKG\\AAA00001.PCK"

static int
copy(struct transport *r, char **out)
{
	struct op op = { .kind = OP_COPYFILE };
	op_set(&op, "src", PCK);
	op_set(&op, "dst", DPPCK);
	struct buf b;
	buf_init(&b);
	char *err = NULL;
	int rc = transport_call(r, &op, NULL, NULL, NULL, &err);
	free(*out);
	*out = err;
	buf_free(&b);
	return rc;
}

static size_t
count(const struct buf *b, const char *what)
{
	size_t n = 0;
	for (const char *p = b->data; p != NULL && (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

int
main(void)
{
	struct host *pri, *dp;
	struct transport *r = route_new(host_new("PRI", TRANSPORT_ALL_OPS, &pri));
	uint32_t files = TRANSPORT_OP(OP_PATHINFO) | TRANSPORT_OP(OP_READFILE) |
	    TRANSPORT_OP(OP_WRITEFILE) | TRANSPORT_OP(OP_DELETEFILE) | TRANSPORT_OP(OP_RENAMEFILE);
	char *err = NULL, *out = NULL;
	ok(route_add(r, "DP01", host_new("DP01", files, &dp), &err) == 0, "DP01 has a "
	    "transport of its own that writes");
	struct mfile *src = hput(pri, PCK);
	for (size_t i = 0; i < 2500000; i++)
		buf_addc(&src->data, (char)('A' + i % 23));
	snprintf(src->mtime, sizeof src->mtime, "2007-01-04T08:40:00Z");
	struct mfile *old = hput(dp, DPPCK);
	buf_adds(&old->data, "an older PCK");
	old->ro = true;

	struct op op = { .kind = OP_COPYFILE };
	op_set(&op, "src", PCK);
	op_set(&op, "dst", DPPCK);
	const char *via = NULL;
	is_int(route_copy_way(r, &op, &via), ROUTE_COPY_HOST_OR_STREAM, "the plan can say: the "
	    "WMI host copies, or it is streamed if the WMI host cannot reach DP01");
	is_str(via, "mem", "  naming the target's transport");

	is_int(copy(r, &out), 0, "while the WMI host reaches DP01, it copies server to server");
	is_int(count(&pri->seen, "copyfile;"), 1, "  one copyfile on the WMI host");
	is_int(count(&dp->seen, "writefile;"), 0, "  nothing streamed");

	pri->blind = true;
	is_int(copy(r, &out), 0, "a WMI host that cannot reach DP01: the copy is streamed");
	is_int(count(&pri->seen, "readfile;"), 3, "  2.5 MB read from the primary in 3 chunks");
	is_int(count(&dp->seen, "writefile;"), 3, "  and written to DP01 in 3");
	struct mfile *got = hfind(dp, DPPCK);
	ok(got != NULL && got->data.len == src->data.len &&
	    memcmp(got->data.data, src->data.data, src->data.len) == 0,
	    "  the target has the source's bytes, replacing the older read-only copy");
	is_str(got ? got->mtime : NULL, "2007-01-04T08:40:00Z", "  and its last write time");
	ok(hfind(dp, DPPCK ".dpdoctor-part") == NULL, "  no part file is left");
	is_int(route_copy_way(r, &op, &via), ROUTE_COPY_STREAM, "the plan now says: streamed");

	size_t before = count(&pri->seen, "copyfile;");
	is_int(copy(r, &out), 0, "copied again: identical, nothing streamed");
	is_int(count(&pri->seen, "copyfile;"), before, "  the WMI host is not asked again");
	is_int(count(&dp->seen, "writefile;"), 3, "  no chunk written");

	/* A write that fails mid-way: the target is untouched, the part gone. */
	snprintf(src->mtime, sizeof src->mtime, "2007-01-05T08:40:00Z");
	dp->fail_write = true;
	ok(copy(r, &out) != 0 && out != NULL && strstr(out, "writing the copy") &&
	    strstr(out, "not enough space") && strstr(out, "through this machine"),
	    "a failed write: the error says which stage and why");
	printf("#   %s\n", out ? out : "");
	ok(hfind(dp, DPPCK) != NULL && hfind(dp, DPPCK ".dpdoctor-part") == NULL,
	    "  the old target stays and no part file is left");

	/* A server without its own transport: always the WMI host. */
	op_set(&op, "dst", "\\\\DP02\\E$\\SMSPKG\\AAA00001.PCK");
	is_int(route_copy_way(r, &op, &via), ROUTE_COPY_HOST, "a DP reached by UNC: the WMI host");
	free(out);
	free(err);
	transport_close(r);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
