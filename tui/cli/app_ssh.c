/*
 * Reaching a site over ssh: one engine (backend/transport/ssh/sshloop.h) for the whole
 * process, and a transport to the WMI host, the server whose PowerShell
 * runs every query; distribution points without a transport of their own
 * are reached from there by UNC path, which the ops already use.
 *
 * The engine asks for secrets and reports warnings on its own threads, so
 * it is given fixed trampolines into a small prompter whose functions can
 * be swapped under a lock: the command line answers from askpass and
 * stderr, and the full-screen UI swaps in its own once the screen is up.
 *
 * The transport is wrapped once more for the command line: a transport
 * error carries only text, and when it failed because the host key is
 * unknown the engine's message says so but not what to do about it from
 * here.  The wrapper asks the engine which keys are waiting for a
 * decision and, if the failed server's is among them (other servers' may
 * be waiting too), adds its key type, fingerprint and how to accept it.  A changed key is never waiting (the engine refuses it
 * outright), so nothing is ever added that suggests going on.
 */
#include "autoconf.h"
#include "tui/cli/app_ssh.h"
#include "tui/cli/askpass.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct app_prompt {
	pthread_mutex_t lock;      /* ask/warn may be swapped while the engine runs */
	ssh_ask_fn ask;
	void *ask_ctx;
	sshkh_warn_fn warn;
	void *warn_ctx;
	bool cli_hint;             /* explain --accept-new-host-key in errors */
	struct sshloop *l;
};

/* ---- the prompter -------------------------------------------------------- */

static void
prompt_warn_stderr(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "dpdoctor: warning: %s\n", msg);
}

static int
prompt_ask(void *ctx, const char *server, const char *prompt, bool echo, char **answer)
{
	struct app_prompt *p = ctx;
	if (pthread_mutex_lock(&p->lock) != 0)
		return -1;
	ssh_ask_fn fn = p->ask;
	void *fn_ctx = p->ask_ctx;
	(void)pthread_mutex_unlock(&p->lock);
	/* Called unlocked: the person may take minutes to answer. */
	return fn(fn_ctx, server, prompt, echo, answer);
}

static void
prompt_warn(void *ctx, const char *msg)
{
	struct app_prompt *p = ctx;
	if (pthread_mutex_lock(&p->lock) != 0) {
		prompt_warn_stderr(NULL, msg);
		return;
	}
	sshkh_warn_fn fn = p->warn;
	void *fn_ctx = p->warn_ctx;
	(void)pthread_mutex_unlock(&p->lock);
	fn(fn_ctx, msg);
}

void
app_set_prompter(struct app *a, ssh_ask_fn ask, void *ask_ctx, sshkh_warn_fn warn,
    void *warn_ctx)
{
	struct app_prompt *p = a->prompt;
	if (p == NULL || pthread_mutex_lock(&p->lock) != 0)
		return;
	p->ask = ask ? ask : askpass_ask;
	p->ask_ctx = ask ? ask_ctx : NULL;
	p->warn = warn ? warn : prompt_warn_stderr;
	p->warn_ctx = warn ? warn_ctx : NULL;
	/* A UI that asks does not need to be told to restart with an option. */
	p->cli_hint = ask == NULL;
	(void)pthread_mutex_unlock(&p->lock);
}

/* ---- the hint wrapper ------------------------------------------------------ */

struct hint_transport {
	struct transport_ops ops;  /* the inner transport's, with ours in place */
	struct transport *inner;
	struct app_prompt *p;
};

/* The host key file a Windows OpenSSH server keeps for that key type. */
static const char *
hint_key_file(const char *type)
{
	if (type != NULL && strncmp(type, "ecdsa-", 6) == 0)
		return "ssh_host_ecdsa_key.pub";
	if (type != NULL && strcmp(type, "ssh-rsa") == 0)
		return "ssh_host_rsa_key.pub";
	return "ssh_host_ed25519_key.pub";
}

/* Of the keys waiting, the one this error is about: the one whose
 * fingerprint the message shows, else the first of the server's. */
static const struct sshloop_hostkey *
hint_pick(const struct sshloop_hostkey *v, size_t n, const char *server, const char *err)
{
	const struct sshloop_hostkey *first = NULL;
	for (size_t i = 0; i < n; i++) {
		if (server != NULL && strcasecmp(v[i].server, server) != 0)
			continue;
		if (strstr(err, v[i].fingerprint) != NULL)
			return &v[i];
		if (first == NULL)
			first = &v[i];
	}
	return first;
}

static void
hint_add(struct app_prompt *p, const char *server, char **err)
{
	if (err == NULL || *err == NULL || pthread_mutex_lock(&p->lock) != 0)
		return;
	bool hint = p->cli_hint;
	(void)pthread_mutex_unlock(&p->lock);
	struct sshloop_hostkey *v = NULL;
	size_t n = 0;
	if (!hint || sshloop_pending_host_keys(p->l, &v, &n) != 0)
		return;
	const struct sshloop_hostkey *k = hint_pick(v, n, server, *err);
	if (k == NULL) {
		sshloop_hostkeys_free(v, n);
		return;
	}
	/* The engine's message normally shows the key already. */
	char *key = strstr(*err, k->fingerprint) != NULL ? xstrdup("") :
	    xasprintf("\n  %s shows the host key %s %s.", k->server, k->type, k->fingerprint);
	char *msg = xasprintf("%s%s\n"
	    "  Compare that fingerprint with the server's own (on the server:\n"
	    "  ssh-keygen -lf %%ProgramData%%\\ssh\\%s).  If they match, run again with\n"
	    "  --accept-new-host-key to add the key to %s,\n"
	    "  or add it there yourself.",
	    *err, key, hint_key_file(k->type), k->known_hosts);
	free(key);
	free(*err);
	*err = msg;
	sshloop_hostkeys_free(v, n);
}

static int
hint_call(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	struct hint_transport *h = t->priv;
	int rc = transport_pass(h->inner, op, fn, arg, dl, err);
	/* Only a failure to carry the op can be the host key's; a failed
	 * reply came from the host. */
	if (rc == TRANSPORT_EFAIL)
		hint_add(h->p, t->host, err);
	return rc;
}

static void
hint_close(struct transport *t)
{
	struct hint_transport *h = t->priv;
	transport_close(h->inner);
	free(h);
}

/* Read-only mode is checked by transport_call on the wrapper, before
 * anything reaches the inner transport. */
static struct transport *
hint_wrap(struct transport *inner, struct app_prompt *p)
{
	struct hint_transport *h = xcalloc(1, sizeof *h);
	h->ops = *inner->ops;
	h->ops.call = hint_call;
	h->ops.close = hint_close;
	h->inner = inner;
	h->p = p;
	return transport_new(&h->ops, inner->host, inner->answers, h);
}

/* ---- opening and closing ------------------------------------------------ */

static struct app_prompt *
prompt_new(void)
{
	struct app_prompt *p = xcalloc(1, sizeof *p);
	if (pthread_mutex_init(&p->lock, NULL) != 0) {
		free(p);
		return NULL;
	}
	p->ask = askpass_ask;
	p->warn = prompt_warn_stderr;
	p->cli_hint = true;
	return p;
}

/* libssh2_init before any thread exists: app_open runs in main() before
 * the UI or any job starts one. */
static int
app_ssh_global_init(void)
{
	static bool done;
	if (done)
		return 0;
	if (sshloop_global_init() != 0)
		return -1;
	done = true;
	return 0;
}

/* The process's one engine and its prompter, started for the first ssh
 * server the configuration names.  0, or 2 with a message. */
static int
app_ssh_engine(struct app *a, const struct app_args *args, const char *path)
{
	if (a->ssh != NULL)
		return 0;
	if (app_ssh_global_init() != 0) {
		fprintf(stderr, "dpdoctor: the ssh library (libssh2) failed to initialise\n");
		return 2;
	}
	if ((a->prompt = prompt_new()) == NULL) {
		fprintf(stderr, "dpdoctor: cannot create a lock for the ssh engine\n");
		return 2;
	}
	struct sshloop_config lc = {
		.max_parallel = a->cfg.max_parallel,
		.accept_new_host_keys = args->accept_new_host_keys,
		.ask = prompt_ask,
		.ask_ctx = a->prompt,
		.warn = prompt_warn,
		.warn_ctx = a->prompt,
	};
	char *err = NULL;
	if ((a->ssh = sshloop_new(&lc, &err)) == NULL) {
		fprintf(stderr, "dpdoctor: %s: cannot start the ssh engine: %s\n", path,
		    err ? err : "unknown error");
		free(err);
		return 2;
	}
	a->prompt->l = a->ssh;
	return 0;
}

int
app_ssh_transport(struct app *a, const struct app_args *args, const char *path,
    const struct config_server *srv, struct transport **out)
{
	int rc = app_ssh_engine(a, args, path);
	if (rc != 0)
		return rc;
	const struct ssh_host h = {
		.name = srv->name,
		.address = srv->host ? srv->host : srv->name,
		.port = srv->port,
		.user = srv->user,
		.identity = srv->identity,
		.known_hosts = srv->known_hosts,
		.connect_timeout_ms = srv->connect_timeout * 1000,
	};
	/* File queries on the host's own drives go over SFTP unless the
	 * section says sftp = no (config.h). */
	const struct ssh_files f = { .sftp = srv->sftp, .sftp_port = srv->sftp_port };
	struct transport *inner = transport_ssh_new(a->ssh, &h, &f);
	if (inner == NULL) {
		fprintf(stderr, "dpdoctor: %s: server %s (line %d): cannot set up the ssh transport\n",
		    path, srv->name, srv->line);
		return 2;
	}
	*out = hint_wrap(inner, a->prompt);
	return 0;
}

void
app_ssh_close(struct app *a)
{
	if (a->ssh != NULL)
		sshloop_free(a->ssh);
	a->ssh = NULL;
	if (a->prompt != NULL) {
		(void)pthread_mutex_destroy(&a->prompt->lock);
		free(a->prompt);
		a->prompt = NULL;
	}
}
