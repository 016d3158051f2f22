/*
 * The "sim" transport: carries scripts to the simulated site in this
 * process.  It runs the very text a Windows host would get and honours
 * deadlines and cancellation like the network transports, so code above
 * cannot tell the demo from a real site by its timing rules.  File ops
 * arrive in a later issue.
 */
#include "config.h"
#include "backend/sim/simint.h"

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
sim_transport_run(struct transport *t, const char *script,
    struct script_result *res, const struct deadline *dl, char **err)
{
	struct sim_priv *p = t->priv;
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
	.caps = TCAP_SCRIPT,
	.run_script = sim_transport_run,
	.close = sim_transport_close,
};

struct transport *
transport_sim_new(const char *dir, const char *host)
{
	struct transport *t = xcalloc(1, sizeof *t);
	struct sim_priv *p = xcalloc(1, sizeof *p);
	p->dir = xstrdup(dir);
	t->ops = &sim_ops;
	t->host = xstrdup(host);
	t->priv = p;
	return t;
}
