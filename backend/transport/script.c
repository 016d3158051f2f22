/*
 * Ops carried as scripts (script.h): the rendered text goes to the
 * transport's run function, and its standard output is parsed as our
 * protocol.
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
	int rc = run(t, op, script, &res, dl, err) == 0 ? 0 : TRANSPORT_EFAIL;
	char *perr = NULL;
	if (rc == 0 && proto_parse(res.out.data ? res.out.data : "", res.out.len,
	    op_name(op->kind), fn, arg, &perr) != 0) {
		err_set(err, "%s%s%s", perr, res.err.len ? "; stderr: " : "",
		    res.err.len ? res.err.data : "");
		rc = TRANSPORT_EREPLY;
	}
	free(perr);
	free(script);
	script_result_free(&res);
	return rc;
}
