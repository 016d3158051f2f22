/*
 * Reaching a site over ssh: one engine (backend/transport/ssh/sshloop.h) for the whole
 * process, and a transport to the WMI host, the server whose PowerShell
 * runs every query; distribution points without a transport of their own
 * are reached from there by UNC path, which the ops already use.
 *
 * The engine asks for secrets and reports warnings on its own threads
 * through the app's prompter (app_prompt.h), which the SMB engine asks
 * through too.
 *
 * The transport is wrapped once more for the command line: a transport
 * error carries only text, and when it failed because the host key is
 * unknown the engine's message says so but not what to do about it from
 * here.  The wrapper asks the engine which keys are waiting for a
 * decision and, if the failed server's is among them (other servers' may
 * be waiting too), adds its key type, fingerprint and how to accept it.  A changed key is never waiting (the engine refuses it
 * outright), so nothing is ever added that suggests going on.
 *
 * credential = ask (config.h): a key log-in on Windows OpenSSH carries no
 * network credentials, so the scripts the server runs get one through the
 * credential bootstrap (backend/ops/winenc.h).  The password is asked the
 * first time a script needs it, through the same prompter (masked in the
 * screen's dialog, askpass on the command line), kept in memory only for
 * this run and wiped when the site is closed.
 */
#include "autoconf.h"
#include "tui/cli/app_ssh.h"
#include "tui/cli/app_prompt.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the hint wrapper ------------------------------------------------------ */

struct hint_transport {
	struct transport_ops ops;  /* the inner transport's, with ours in place */
	struct transport *inner;
	struct app_prompt *p;
	struct sshloop *l;         /* whose waiting host keys to look at */
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
hint_add(const struct hint_transport *h, const char *server, char **err)
{
	if (err == NULL || *err == NULL || !app_prompt_cli_hint(h->p))
		return;
	struct sshloop_hostkey *v = NULL;
	size_t n = 0;
	if (sshloop_pending_host_keys(h->l, &v, &n) != 0)
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
	/* The route asks the wrapper how the session logged in. */
	atomic_store(&t->key_login, atomic_load(&h->inner->key_login));
	atomic_store(&t->has_credential, atomic_load(&h->inner->has_credential));
	/* Only a failure to carry the op can be the host key's; a failed
	 * reply came from the host. */
	if (rc == TRANSPORT_EFAIL)
		hint_add(h, t->host, err);
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
hint_wrap(struct transport *inner, struct app_prompt *p, struct sshloop *l)
{
	struct hint_transport *h = xcalloc(1, sizeof *h);
	h->ops = *inner->ops;
	h->ops.call = hint_call;
	h->ops.close = hint_close;
	h->inner = inner;
	h->p = p;
	h->l = l;
	return transport_new(&h->ops, inner->host, inner->answers, h);
}

/* ---- credential = ask -------------------------------------------------------- */

/* One server's credential: asked once, on the first script that needs it
 * (engine or job thread), then handed out as copies, which the transport
 * wipes once the script is sent.  This one is kept for the session by
 * design (every script that reaches another server carries it, and asking
 * at each would be a prompt per op); it is wiped when the site closes. */
struct app_ssh_cred {
	struct app_ssh_cred *next;
	pthread_mutex_t lock;      /* one question at a time; guards the rest */
	struct app_prompt *p;
	char *server;
	char *user;                /* as the section's user = writes it */
	char *password;            /* NULL until answered */
};

static void
cred_wipe(char **secret)
{
	if (*secret != NULL)
		explicit_bzero(*secret, strlen(*secret));
	free(*secret);
	*secret = NULL;
}

/* The account the credential is for: the section's user, else the login
 * name the ssh log-in used. */
static char *
cred_user(const struct config_server *srv)
{
	if (srv->user != NULL)
		return xstrdup(srv->user);
	const char *u = getenv("USER");
	return u != NULL && *u != '\0' ? xstrdup(u) : NULL;
}

/* ssh_cred_fn: copies of user and password, asking the first time.  A
 * refused question is not remembered, so the next script asks again. */
static int
cred_get(void *ctx, const char *server, char **user, char **password, char **err)
{
	struct app_ssh_cred *c = ctx;
	(void)server;
	*user = *password = NULL;
	if (pthread_mutex_lock(&c->lock) != 0) {
		*err = xasprintf("%s: credential = ask: cannot take the lock", c->server);
		return -1;
	}
	if (c->password == NULL) {
		char *prompt = xasprintf("Password of %s, for the calls %s makes to other servers "
		    "(credential = ask: its key log-in carries no network credentials): ", c->user,
		    c->server);
		if (app_prompt_ask(c->p, c->server, prompt, false, &c->password) != 0)
			c->password = NULL;
		free(prompt);
	}
	int rc = 0;
	if (c->password == NULL) {
		*err = xasprintf("%s: credential = ask, but no password was given for %s; its key "
		    "log-in cannot reach other servers without one", c->server, c->user);
		rc = -1;
	} else {
		*user = xstrdup(c->user);
		*password = xstrdup(c->password);
	}
	(void)pthread_mutex_unlock(&c->lock);
	return rc;
}

int
app_ssh_credential(struct app *a, const char *path, const struct config_server *srv,
    struct transport *t)
{
	if (srv->credential != CONFIG_CREDENTIAL_ASK)
		return 0;
	char *user = cred_user(srv);
	if (user == NULL) {
		app_err("%s:%d: %s: credential = ask needs the account to ask the "
		    "password of: set user = DOMAIN\\name in [server %s]\n", path,
		    srv->credential_line, srv->name, srv->name);
		return 2;
	}
	struct app_ssh_cred *c = xcalloc(1, sizeof *c);
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		app_err("%s: server %s: cannot set up credential = ask\n", path,
		    srv->name);
		free(user);
		free(c);
		return 2;
	}
	c->p = a->prompt;
	c->server = xstrdup(srv->name);
	c->user = user;
	c->next = a->creds;
	a->creds = c;
	/* The ssh transport's credential hook (backend/transport/ssh/). */
	transport_ssh_set_credential(t, cred_get, c);
	return 0;
}

/* After the transports that ask through them are closed. */
static void
app_ssh_creds_free(struct app *a)
{
	while (a->creds != NULL) {
		struct app_ssh_cred *c = a->creds;
		a->creds = c->next;
		cred_wipe(&c->password);
		free(c->user);
		free(c->server);
		pthread_mutex_destroy(&c->lock);
		free(c);
	}
}

/* ---- opening and closing ------------------------------------------------ */

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

/* The process's one engine, started for the first ssh server the
 * configuration names, asking through the app's prompter.  0, or 2 with a
 * message. */
static int
app_ssh_engine(struct app *a, const struct app_args *args, const char *path)
{
	if (a->ssh != NULL)
		return 0;
	if (app_ssh_global_init() != 0) {
		app_err("the ssh library (libssh2) failed to initialise\n");
		return 2;
	}
	struct app_prompt *p = app_prompt_get(a);
	if (p == NULL)
		return 2;
	struct sshloop_config lc = {
		.max_parallel = a->cfg.max_parallel,
		.accept_new_host_keys = args->accept_new_host_keys,
		.ask = app_prompt_ask,
		.ask_ctx = p,
		.warn = app_prompt_warn,
		.warn_ctx = p,
	};
	char *err = NULL;
	if ((a->ssh = sshloop_new(&lc, &err)) == NULL) {
		app_err("%s: cannot start the ssh engine: %s\n", path,
		    err ? err : "unknown error");
		free(err);
		return 2;
	}
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
		.no_compression = !srv->compression,
	};
	/* File queries on the host's own drives go over SFTP unless the
	 * section says sftp = no (config.h). */
	const struct ssh_files f = { .sftp = srv->sftp, .sftp_port = srv->sftp_port };
	struct transport *inner = transport_ssh_new(a->ssh, &h, &f);
	if (inner == NULL) {
		app_err("%s: server %s (line %d): cannot set up the ssh transport\n",
		    path, srv->name, srv->line);
		return 2;
	}
	if ((rc = app_ssh_credential(a, path, srv, inner)) != 0) {
		transport_close(inner);
		return rc;
	}
	*out = hint_wrap(inner, a->prompt, a->ssh);
	return 0;
}

void
app_ssh_close(struct app *a)
{
	if (a->ssh != NULL)
		sshloop_free(a->ssh);
	a->ssh = NULL;
	app_ssh_creds_free(a);
}
