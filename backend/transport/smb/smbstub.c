/*
 * TEMPORARY: a stand-in for the SMB engine (smbconn.c, smbfs.c) and the
 * SMB transport (transport_smb.c) so that the configuration and the app's
 * wiring can be built and tested before they land.  Dropped at the merge.
 * It connects to nothing: every file op fails with a message that says so.
 * A server without a password and without kerberos is asked for one once
 * (through the engine's ask function, as the real engine would), so the
 * way a password travels from the asker can be tested; the answer is wiped
 * at once.
 */
#include "autoconf.h"
#include "backend/transport/smb/smbconn.h"
#include "backend/transport/smb/transport_smb.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct smbeng {
	struct smbeng_config cfg;
	pthread_mutex_t lock;
	struct smbsrv **srv;        /* the engine owns its servers */
	size_t nsrv;
};

struct smbsrv {
	struct smbeng *e;
	char *name, *user, *domain, *password;
	bool kerberos;
	bool asked;
};

struct smbeng *
smbeng_new(const struct smbeng_config *c, char **err)
{
	(void)err;
	struct smbeng *e = xcalloc(1, sizeof *e);
	e->cfg = *c;
	if (pthread_mutex_init(&e->lock, NULL) != 0) {
		free(e);
		if (err != NULL)
			*err = xstrdup("cannot create a lock");
		return NULL;
	}
	return e;
}

static void
stub_srv_free(struct smbsrv *s)
{
	if (s->password != NULL)
		explicit_bzero(s->password, strlen(s->password));
	free(s->password);
	free(s->name);
	free(s->user);
	free(s->domain);
	free(s);
}

void
smbeng_free(struct smbeng *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->nsrv; i++)
		stub_srv_free(e->srv[i]);
	free(e->srv);
	(void)pthread_mutex_destroy(&e->lock);
	free(e);
}

struct smbsrv *
smbeng_add(struct smbeng *e, const struct smb_server *s, char **err)
{
	(void)err;
	struct smbsrv *v = xcalloc(1, sizeof *v);
	v->e = e;
	v->name = xstrdup(s->name);
	v->user = s->user ? xstrdup(s->user) : NULL;
	v->domain = s->domain ? xstrdup(s->domain) : NULL;
	v->password = s->password ? xstrdup(s->password) : NULL;
	v->kerberos = s->kerberos;
	e->srv = xreallocarray(e->srv, e->nsrv + 1, sizeof *e->srv);
	e->srv[e->nsrv++] = v;
	return v;
}

const char *
smbsrv_name(const struct smbsrv *s)
{
	return s->name;
}

/* Ask once for a server that has no password, as the engine would. */
static void
stub_ask(struct smbsrv *s)
{
	struct smbeng *e = s->e;
	if (pthread_mutex_lock(&e->lock) != 0)
		return;
	bool ask = !s->asked && s->password == NULL && !s->kerberos && e->cfg.ask != NULL;
	s->asked = true;
	(void)pthread_mutex_unlock(&e->lock);
	if (!ask)
		return;
	char *prompt = xasprintf("Password for %s%s%s on \\\\%s (smb): ", s->domain ? s->domain : "",
	    s->domain ? "\\" : "", s->user ? s->user : "(you)", s->name);
	char *answer = NULL;
	if (e->cfg.ask(e->cfg.ask_ctx, s->name, prompt, false, &answer) == 0 && answer != NULL) {
		explicit_bzero(answer, strlen(answer));
		free(answer);
	}
	free(prompt);
}

static int
stub_call(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	(void)fn;
	(void)arg;
	(void)dl;
	struct smbsrv *s = t->priv;
	stub_ask(s);
	if (err != NULL)
		*err = xasprintf("%s: %s: this build has only a stub of the SMB engine "
		    "(backend/transport/smb/smbstub.c); nothing was connected", s->name,
		    op_name(op->kind));
	return TRANSPORT_EFAIL;
}

/* The server is the engine's: nothing to free here. */
static const struct transport_ops stub_ops = {
	.name = "smb (stub)", .call = stub_call,
};

struct transport *
transport_smb_new(struct smbeng *e, struct smbsrv *s)
{
	(void)e;
	uint32_t answers = TRANSPORT_OP(OP_PATHINFO) | TRANSPORT_OP(OP_DIRLIST) |
	    TRANSPORT_OP(OP_LOGGREP) | TRANSPORT_OP(OP_READFILE) | TRANSPORT_OP(OP_SETATTR) |
	    TRANSPORT_OP(OP_DELETEFILE) | TRANSPORT_OP(OP_RENAMEFILE) | TRANSPORT_OP(OP_COPYFILE) |
	    TRANSPORT_OP(OP_SHAREACL);
	return transport_new(&stub_ops, s->name, answers, s);
}
