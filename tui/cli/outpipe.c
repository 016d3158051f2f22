/*
 * A double-buffered writer thread for the log command's output (see
 * outpipe.h).  One mutex and one condition variable: the caller waits only
 * when it has filled a buffer before the writer finished the other, the
 * writer only when there is nothing to write.
 */
#include "autoconf.h"
#include "tui/cli/outpipe.h"
#include "backend/core/util.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct outpipe {
	int fd;
	char *buf[2];
	int fill;               /* the buffer the caller fills */
	size_t pending;         /* bytes of buf[1 - fill] to write; 0: none */
	bool stop;              /* the writer ends once pending is 0 */
	bool threaded;
	int err;                /* errno of the first failed write */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
};

/* Writes the buffer not being filled whenever one is handed over. */
static void *
outpipe_writer(void *arg)
{
	struct outpipe *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->pending == 0 && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->pending == 0)
			break;
		const char *b = p->buf[1 - p->fill];
		size_t n = p->pending;
		bool skip = p->err != 0;
		pthread_mutex_unlock(&p->mu);
		int e = skip || fd_write_all(p->fd, b, n) == 0 ? 0 : (errno ? errno : EIO);
		pthread_mutex_lock(&p->mu);
		if (e != 0 && p->err == 0)
			p->err = e;
		p->pending = 0;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct outpipe *
outpipe_open(int fd, size_t size)
{
	struct outpipe *p = xcalloc(1, sizeof *p);
	p->fd = fd;
	p->buf[0] = xmalloc(size);
	p->buf[1] = xmalloc(size);
	if (pthread_mutex_init(&p->mu, NULL) != 0)
		return p;
	if (pthread_cond_init(&p->cv, NULL) != 0) {
		pthread_mutex_destroy(&p->mu);
		return p;
	}
	if (pthread_create(&p->th, NULL, outpipe_writer, p) != 0) {
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->mu);
		return p;
	}
	p->threaded = true;
	return p;
}

char *
outpipe_buf(struct outpipe *p)
{
	return p->buf[p->fill];
}

char *
outpipe_swap(struct outpipe *p, size_t len, int *err)
{
	if (!p->threaded) {
		if (len > 0 && p->err == 0 && fd_write_all(p->fd, p->buf[p->fill], len) != 0)
			p->err = errno ? errno : EIO;
		*err = p->err;
		return p->buf[p->fill];
	}
	pthread_mutex_lock(&p->mu);
	while (p->pending != 0)
		pthread_cond_wait(&p->cv, &p->mu);
	if (len > 0) {
		p->fill = 1 - p->fill;
		p->pending = len;
		pthread_cond_broadcast(&p->cv);
	}
	char *b = p->buf[p->fill];
	*err = p->err;
	pthread_mutex_unlock(&p->mu);
	return b;
}

int
outpipe_sync(struct outpipe *p)
{
	if (!p->threaded)
		return p->err;
	pthread_mutex_lock(&p->mu);
	while (p->pending != 0)
		pthread_cond_wait(&p->cv, &p->mu);
	int e = p->err;
	pthread_mutex_unlock(&p->mu);
	return e;
}

int
outpipe_close(struct outpipe *p)
{
	int e = outpipe_sync(p);
	if (p->threaded) {
		pthread_mutex_lock(&p->mu);
		p->stop = true;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->th, NULL);
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->mu);
	}
	free(p->buf[0]);
	free(p->buf[1]);
	free(p);
	return e;
}
