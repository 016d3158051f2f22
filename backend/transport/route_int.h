/*
 * Inside the route: the copy streamed through this machine (route_copy.c),
 * which route.c falls back on when the WMI host cannot reach a copy's
 * target.
 */
#ifndef DPD_ROUTE_INT_H
#define DPD_ROUTE_INT_H

#include "backend/transport/transport.h"

/* Answer a copyfile by reading the source from `from` (readfile) and
 * writing it with `to` (writefile, deletefile, renamefile), as
 * copyfile_ps answers: the X record, or TRANSPORT_EREPLY with *err
 * "remote error: ..." saying which stage failed. */
int route_stream_copy(struct transport *from, struct transport *to, const struct op *op,
    proto_record_fn fn, void *arg, const struct deadline *dl, char **err);

#endif
