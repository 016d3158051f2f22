/*
 * Ops carried as scripts (script.h): the rendered text goes to the
 * transport's run function, and its standard output is parsed as our
 * protocol while it arrives (a proto_stream as the result's sink), so no
 * transport holds a whole reply; standard error is still gathered, for
 * the message when the reply is bad.
 */
#include "autoconf.h"
#include "backend/transport/script.h"
#include "backend/ops/ops_ps.h"

#include <stdlib.h>

void
script_result_init(struct script_result *r)
{
	buf_init(&r->out);
	buf_init(&r->err);
	r->exit_code = -1;
	r->sink = NULL;
	r->sink_arg = NULL;
	r->out_bytes = 0;
}

void
script_result_out(struct script_result *r, const char *data, size_t len)
{
	r->out_bytes += len;
	if (r->sink != NULL)
		(void)r->sink(r->sink_arg, data, len); /* a bad reply says so at the end */
	else
		buf_add(&r->out, data, len);
}

static int
stream_sink(void *arg, const char *data, size_t len)
{
	return proto_stream_feed(arg, data, len);
}

void
script_result_free(struct script_result *r)
{
	buf_free(&r->out);
	buf_free(&r->err);
}

int
script_call(struct transport *t, script_run_fn run, const struct op *op,
    proto_record_fn fn, void *arg, const struct deadline *dl, char **err)
{
	char *script = ops_render(op, err);
	if (script == NULL)
		return TRANSPORT_EFAIL;
	struct script_result res;
	script_result_init(&res);
	struct proto_stream *ps = proto_stream_new(op_name(op->kind), fn, arg);
	res.sink = stream_sink;
	res.sink_arg = ps;
	int rc = run(t, op, script, &res, dl, err) == 0 ? 0 : TRANSPORT_EFAIL;
	/* A run function that filled out itself (not through
	 * script_result_out) is read here, whole. */
	if (rc == 0 && res.out.len > 0)
		(void)proto_stream_feed(ps, res.out.data, res.out.len);
	char *perr = NULL;
	if (rc == 0 && proto_stream_finish(ps, &perr) != 0) {
		err_set(err, "%s%s%s", perr, res.err.len ? "; stderr: " : "",
		    res.err.len ? res.err.data : "");
		rc = TRANSPORT_EREPLY;
	}
	free(perr);
	proto_stream_free(ps);
	free(script);
	script_result_free(&res);
	return rc;
}
