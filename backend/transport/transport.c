/*
 * The transport-independent half of the interface: capability checks,
 * deadline tests and the result type, so each transport only implements the
 * carrying itself.
 */
#include "config.h"
#include "backend/transport/transport.h"
#include "backend/ops/ops.h"

#include <stdio.h>
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

bool
transport_can(const struct transport *t, enum transport_cap cap)
{
	return t != NULL && (t->ops->caps & cap) != 0;
}

void
transport_set_read_only(struct transport *t, bool on)
{
	if (t != NULL)
		t->read_only = on;
}

void
transport_script_op(const char *script, char name[static 32])
{
	name[0] = '\0';
	if (script == NULL || sscanf(script, "# dpdoctor op=%31s", name) != 1)
		name[0] = '\0';
}

int
transport_run_script(struct transport *t, const char *script,
    struct script_result *res, const struct deadline *dl, char **err)
{
	if (t != NULL && t->read_only) {
		char name[32];
		transport_script_op(script, name);
		int k = name[0] ? op_from_name(name) : -1;
		if (k < 0 || op_changes_site((enum op_kind)k)) {
			err_set(err, "read-only mode: refusing %s on %s",
			    name[0] ? name : "an unidentified script", t->host);
			return -1;
		}
	}
	if (!transport_can(t, TCAP_SCRIPT)) {
		err_set(err, "%s: the %s transport cannot run scripts",
		    t ? t->host : "?", t ? t->ops->name : "?");
		return -1;
	}
	if (deadline_passed(dl)) {
		err_set(err, "%s: cancelled or out of time before starting", t->host);
		return -1;
	}
	return t->ops->run_script(t, script, res, dl, err);
}

void
transport_close(struct transport *t)
{
	if (t == NULL)
		return;
	if (t->ops->close)
		t->ops->close(t);
	free(t->host);
	free(t);
}
