/*
 * For the transports that carry an op as a PowerShell script (ssh to a
 * Windows host, and the simulator, which gets the very text a Windows host
 * would): render the op, run the text, read the reply's records.  The
 * running is the transport's (a run function); the rest is here.
 */
#ifndef DPD_SCRIPT_H
#define DPD_SCRIPT_H

#include "backend/transport/transport.h"

struct script_result {
	struct buf out;   /* standard output (our protocol), when there is no sink */
	struct buf err;   /* standard error, decoded to text */
	int exit_code;
	/* When set, standard output goes to sink as it arrives, in chunks
	 * (line ends as the host wrote them), and never into out: a reply
	 * of tens of MB is parsed while it comes, not held. */
	int (*sink)(void *arg, const char *data, size_t len);
	void *sink_arg;
	size_t out_bytes; /* standard output so far, sunk or kept */
};
void script_result_init(struct script_result *r);
void script_result_free(struct script_result *r);
/* Standard output as it arrives: to the sink, or into out. */
void script_result_out(struct script_result *r, const char *data, size_t len);

/* Run a rendered script (the rendering of op, which is there for
 * messages).  0 when it ran (whatever its exit code); -1 with *err when it
 * could not be run or finished (connect, deadline, cancel). */
typedef int (*script_run_fn)(struct transport *t, const struct op *op, const char *script,
    struct script_result *res, const struct deadline *dl, char **err);

/* A transport's call as a script: render op (ops_render), run it, and give
 * the reply's records to fn.  Returns as a transport's call does
 * (transport.h): a failed reply is TRANSPORT_EREPLY, with the host's
 * standard error added to what was wrong. */
int script_call(struct transport *t, script_run_fn run, const struct op *op,
    proto_record_fn fn, void *arg, const struct deadline *dl, char **err);

#endif
