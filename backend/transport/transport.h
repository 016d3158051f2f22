/*
 * One interface for every way dpdoctor reaches a host: the in-process
 * simulator today, SSH and SMB (and a local tree) as they arrive.  A
 * transport says which kinds of op it can carry so the UI offers only what
 * works and can say why the rest does not.  Calls block, so they run on job
 * threads, never on the UI thread; each takes a deadline and a cancel flag.
 */
#ifndef DPD_TRANSPORT_H
#define DPD_TRANSPORT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "backend/core/util.h"

enum transport_cap {
	TCAP_SCRIPT = 1 << 0, /* runs rendered PowerShell (queries, actions) */
	TCAP_FILES = 1 << 1,  /* file ops: list, stat, read, copy, attributes */
};

struct script_result {
	struct buf out;   /* standard output (our protocol) */
	struct buf err;   /* standard error, decoded to text */
	int exit_code;
};
void script_result_init(struct script_result *r);
void script_result_free(struct script_result *r);

struct transport;

struct transport_ops {
	const char *name;
	unsigned caps;
	/* Run a script.  0 when it ran (whatever its exit code); -1 with *err
	 * when it could not be run or finished (connect, deadline, cancel). */
	int (*run_script)(struct transport *t, const char *script,
	    struct script_result *res, const struct deadline *dl, char **err);
	void (*close)(struct transport *t);
};

struct transport {
	const struct transport_ops *ops;
	char *host;         /* the server name it reaches, for messages */
	void *priv;
	bool read_only;     /* refuse every op that changes the site */
};

/* In read-only mode (--read-only, [ui] read_only) the transport refuses
 * every script whose op changes the site, and any script it cannot tell
 * the op of, before sending anything. */
void transport_set_read_only(struct transport *t, bool on);

/* The op a rendered script names in its header ("status"); "" when it
 * names none.  For messages and the read-only check. */
void transport_script_op(const char *script, char name[static 32]);

int transport_run_script(struct transport *t, const char *script,
    struct script_result *res, const struct deadline *dl, char **err);
void transport_close(struct transport *t);
bool transport_can(const struct transport *t, enum transport_cap cap);

#endif
