/*
 * The "sim" transport: carries every op to the simulated site in this
 * process as the rendered script a Windows host would get (script.h), so
 * the demo and the tests exercise the renderer too, and honours deadlines
 * and cancellation like the network transports, so code above cannot tell
 * the demo from a real site by its timing rules.
 */
#include "autoconf.h"
#include "backend/sim/simint.h"
#include "backend/transport/script.h"

#include <stdlib.h>

struct sim_priv {
	char *dir;
};

static const char *
why_stopped(const struct deadline *dl)
{
	return dl != NULL && dl->cancel != NULL && atomic_load(dl->cancel) ?
	    "cancelled" : "out of time";
}

static int
sim_transport_run(struct transport *t, const struct op *op, const char *script,
    struct script_result *res, const struct deadline *dl, char **err)
{
	struct sim_priv *p = t->priv;
	(void)op;   /* the simulated host reads the script, as a Windows host does */
	if (deadline_passed(dl)) {
		err_set(err, "%s (simulated): %s before the script started", t->host,
		    why_stopped(dl));
		return -1;
	}
	int64_t t0 = clock_mono_ms();
	if (simops_run(p->dir, t->host, script, res, dl, err) != 0)
		return -1;
	if (deadline_passed(dl)) {
		err_set(err, "%s (simulated): %s; the script took %lld ms", t->host,
		    why_stopped(dl), (long long)(clock_mono_ms() - t0));
		return -1;
	}
	return 0;
}

static int
sim_transport_call(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	return script_call(t, sim_transport_run, op, fn, arg, dl, err);
}

static void
sim_transport_close(struct transport *t)
{
	struct sim_priv *p = t->priv;
	if (p != NULL)
		free(p->dir);
	free(p);
}

static const struct transport_ops sim_ops = {
	.name = "sim",
	.call = sim_transport_call,
	.close = sim_transport_close,
};

struct transport *
transport_sim_new(const char *dir, const char *host)
{
	struct sim_priv *p = xcalloc(1, sizeof *p);
	p->dir = xstrdup(dir);
	return transport_new(&sim_ops, host, TRANSPORT_ALL_OPS, p);
}
