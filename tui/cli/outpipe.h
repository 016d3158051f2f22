/*
 * Output written by a thread of its own: two buffers, one filled by the
 * caller while the other is written, so the write(2) calls of a large
 * output (`dpdoctor log --format json` writes twice the log's size) run
 * beside the parsing instead of after it.  Without a thread (pthread_create
 * failed) the buffers are written in place.
 */
#ifndef DPD_OUTPIPE_H
#define DPD_OUTPIPE_H

#include <stddef.h>

struct outpipe;

/* A pipe to fd with two buffers of size bytes; never NULL. */
struct outpipe *outpipe_open(int fd, size_t size);
/* The buffer to fill first. */
char *outpipe_buf(struct outpipe *p);
/* Hand the first len bytes of the buffer being filled to the writer; the
 * other buffer, to fill next, once it is written.  *err: 0, or the errno
 * of a write that failed (the caller stops producing). */
char *outpipe_swap(struct outpipe *p, size_t len, int *err);
/* Wait until everything handed over is written: 0, or the errno of the
 * first write that failed (later output is dropped). */
int outpipe_sync(struct outpipe *p);
/* outpipe_sync, then end the thread and free p. */
int outpipe_close(struct outpipe *p);

#endif
