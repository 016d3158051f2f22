/*
 * One interface for every way dpdoctor reaches a host: the in-process
 * simulator, SSH, SMB (and a local tree when it arrives).  A transport is
 * given the op itself (its kind and checked arguments) and hands back the
 * reply's records; how it carries the op is its own business (PowerShell
 * over ssh, SFTP, SMB, a simulated host).  Each says which op kinds it answers,
 * so the route can send an op to one that does.  Calls block, so they run
 * on job threads, never on the UI thread; each takes a deadline and a
 * cancel flag.
 */
#ifndef DPD_TRANSPORT_H
#define DPD_TRANSPORT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "backend/core/proto.h"
#include "backend/core/util.h"
#include "backend/ops/ops.h"

struct transport;

/* The op kinds a transport answers, one bit per kind. */
#define TRANSPORT_OP(k) ((uint32_t)1 << (k))
#define TRANSPORT_ALL_OPS (TRANSPORT_OP(OP_COUNT) - 1)
_Static_assert(OP_COUNT < 32, "one bit per op kind");

/* What a call returns besides 0 (the reply ended with END ok, each record
 * given to fn in order): */
enum {
	/* The op was not carried or not finished (refused, connect, deadline,
	 * cancel): *err says so whole, naming the host. */
	TRANSPORT_EFAIL = -1,
	/* It was carried but the reply failed: the remote's END error, a
	 * malformed reply, or fn refusing a record.  *err is in the reply's own
	 * words ("remote error: ...", with the host's standard error when there
	 * was any); transport_call puts the op and its host in front. */
	TRANSPORT_EREPLY = -2,
};

/* Carry an op (already checked: transport_call and transport_pass do). */
typedef int (*transport_call_fn)(struct transport *t, const struct op *op, proto_record_fn fn,
    void *arg, const struct deadline *dl, char **err);

struct transport_ops {
	const char *name;
	transport_call_fn call;
	void (*close)(struct transport *t);   /* frees priv; may be NULL */
	/* The transport that runs the PowerShell for t (a route: its WMI
	 * host); NULL: t itself. */
	struct transport *(*script_host)(struct transport *t);
};

struct transport {
	const struct transport_ops *ops;
	char *host;         /* the server name it reaches, for messages */
	void *priv;
	uint32_t answers;   /* TRANSPORT_OP(kind) of each kind it carries */
	bool read_only;     /* refuse every op that changes the site */
	/* Set by a transport that logs in to a Windows host with a key (or an
	 * agent's key) once it has: that session carries no network
	 * credentials (Win32-OpenSSH #543), so its UNC paths and remote WMI
	 * calls to other servers fail -- unless `credential = ask` gave it
	 * one (has_credential).  Written by an engine thread. */
	atomic_bool key_login;
	atomic_bool has_credential;
};

/* A transport on the heap (host copied, priv owned by ops->close). */
struct transport *transport_new(const struct transport_ops *ops, const char *host,
    uint32_t answers, void *priv);

/* In read-only mode (--read-only, [ui] read_only) the transport refuses
 * every op that changes the site before anything is checked or sent. */
void transport_set_read_only(struct transport *t, bool on);
bool transport_answers(const struct transport *t, enum op_kind k);

/* Carry an op and give each record of the reply to fn (may be NULL).  In
 * order: a read-only transport refuses an op that changes the site; the
 * op is checked (ops_check); one of a kind the transport does not answer
 * is refused; a passed deadline is refused; then the transport carries
 * it.  0 when the reply ended with END ok; otherwise -1 with *err saying
 * what failed (the transport, or "OP on HOST: " and the remote's END
 * error message with its standard error, or what was wrong with the
 * reply). */
int transport_call(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err);

/* The same for a transport in front of others (the route, a wrapper)
 * handing an op on: the same checks, but a failed reply comes back as
 * TRANSPORT_EREPLY in the reply's own words, for the outermost
 * transport_call to word with its own host, as the op was asked of it. */
int transport_pass(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err);

/* When err (an op run on t's WMI host that touched `server`, another
 * machine) failed as a session without network credentials fails --
 * access denied, network path not found, RPC server unavailable, logon
 * failure -- and the WMI host was logged in to with a key and holds no
 * credential: the explanation to show instead, naming the WMI host, the
 * server, the key log-in and the ways out (a password log-in,
 * `credential = ask` in the WMI host's section, or reaching `server`
 * from here with a [server] section of its own).  NULL otherwise.
 * Malloc'd.  t may be a route or a single transport. */
char *transport_netcred_why(struct transport *t, const char *server, const char *err);

void transport_close(struct transport *t);

#endif
