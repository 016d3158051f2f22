/*
 * For the SSH sweep benchmark's baseline: the exact command lines the
 * evidence for one package on each DP needs, as an administrator's script
 * would send them one `ssh host ...` at a time.  It gathers the evidence
 * through the in-process simulator with a transport that writes down every
 * script before the simulated host runs it, and prints one line per command:
 *   DP <TAB> direct|bootstrap <TAB> COMMAND-LINE [<TAB> STDIN-PAYLOAD]
 * The first line (DP "-") is the status query, sent once.
 *
 *   sweep_cmds SIMDIR PKGID
 */
#include "autoconf.h"
#include "backend/sms/evidence.h"
#include "backend/sms/layout.h"
#include "backend/sim/sim.h"
#include "backend/sms/status.h"
#include "backend/ops/winenc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *sim_dir;
static const char *current_dp = "-";

static int
record_run(struct transport *t, const struct op *op, const char *script,
    struct script_result *res, const struct deadline *dl, char **err)
{
	(void)op;
	(void)dl;
	char *cmd = winenc_command(script, err);
	if (cmd == NULL)
		return -1;
	if (winenc_fits(cmd)) {
		printf("%s\tdirect\t%s\n", current_dp, cmd);
	} else {
		char *boot = winenc_command(winenc_bootstrap_script(), err);
		char *payload = winenc_stdin_payload(script);
		payload[strcspn(payload, "\r\n")] = '\0';
		printf("%s\tbootstrap\t%s\t%s\n", current_dp, boot, payload);
		free(boot);
		free(payload);
	}
	free(cmd);
	return sim_run_script(sim_dir, t->host, script, res, err);
}

static int
record_call(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	return script_call(t, record_run, op, fn, arg, dl, err);
}

static const struct transport_ops record_ops = { .name = "record", .call = record_call, .close = NULL };

int
main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	struct sim_info info;
	char *err = NULL;
	if (sim_info(argv[1], &info, &err) != 0) {
		fprintf(stderr, "sweep_cmds: %s\n", err);
		return 2;
	}
	sim_dir = argv[1];
	struct transport rec = { .ops = &record_ops, .host = info.primary,
		.answers = TRANSPORT_ALL_OPS };
	struct snapshot *snap = status_fetch_package(&rec, info.site_code, NULL, argv[2], NULL,
	    &err);
	long p = snap ? snapshot_find_pkg(snap, argv[2]) : -1;
	if (p < 0) {
		fprintf(stderr, "sweep_cmds: %s\n", err ? err : "no such package");
		return 2;
	}
	for (size_t d = 0; d < snap->ndps; d++) {
		if (snapshot_cell(snap, (size_t)p, d) == NULL)
			continue;
		current_dp = snap->dps[d].name;
		struct evidence e;
		struct site_env env = { .t = &rec, .primary = info.primary };
		(void)evidence_gather(&env, snap, argv[2], current_dp, &e, NULL, NULL, NULL, &err);
		evidence_free(&e);
	}
	snapshot_free(snap);
	sim_info_free(&info);
	free(err);
	return fflush(stdout) == 0 ? 0 : 2;
}
