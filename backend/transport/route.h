/*
 * A site's transports as one.  The WMI host (the site server or a Windows
 * management host) runs every query and reaches the other servers by UNC
 * path, \\DP\E$\SMS\...; a server that has a transport of its own in the
 * configuration (a DP reached over its own ssh) gets the ops that touch
 * only its files instead, when its transport answers that kind of op, with
 * the op unchanged: its transport knows its own admin-share paths
 * (answering them over SFTP where it can), and a Windows host reads
 * \\ITSELF\E$ through its own admin share anyway.
 *
 * What goes where is decided per op from its arguments, so nothing above
 * can tell: a path op by the server its path names; shareacl by its server;
 * a pathinfo naming several servers is split, each part asked where it
 * belongs, and the rows put back in the asked order (a part that cannot be
 * asked reads as an Error row of its paths, as an unreachable share does);
 * layout and preload by their server (its ssh transport runs both there, an
 * smb one answers layout from its share list; preload's via is set to
 * "local" or "wmi" to match where it goes, whatever the caller gave);
 * queries, RefreshNow and the source path stay on the WMI host, as
 * does copyfile between two servers (the server copies it, not our link),
 * unless the WMI host cannot reach the target and the target's own
 * transport writes: then the copy is streamed through this machine.
 */
#ifndef DPD_ROUTE_H
#define DPD_ROUTE_H

#include "backend/transport/transport.h"

/* The WMI host's transport becomes the route's default; the route owns it
 * and closes it.  Its host name is the route's. */
struct transport *route_new(struct transport *wmi);

/* Give the ops that touch only `server`'s files to t (owned from here;
 * closed with the route).  Names compare in any case.  -1 with *err when
 * the server already has one or names the WMI host itself. */
int route_add(struct transport *route, const char *server, struct transport *t, char **err);

/* How a copyfile given to t will go, for the plan to say before asking:
 * the WMI host (or t itself, not a route) copies it (HOST); the target
 * server's own transport copies it on the server (SERVER); the WMI host
 * copies it server to server, and if it cannot reach the target, the copy
 * is streamed through this machine (HOST_OR_STREAM); or it is streamed,
 * the WMI host having been found not to reach the target (STREAM).  *via
 * names the target's transport ("smb") for the last two. */
enum route_copy {
	ROUTE_COPY_HOST, ROUTE_COPY_SERVER, ROUTE_COPY_HOST_OR_STREAM, ROUTE_COPY_STREAM,
};
enum route_copy route_copy_way(struct transport *t, const struct op *op, const char **via);

/* The transport that carries an op given to t: the route's choice when t
 * is a route, else t itself.  For tests and for saying which server will
 * answer.  A pathinfo over several servers is the WMI host's here (it
 * stands for the parts). */
struct transport *route_pick(struct transport *t, const struct op *op);

#endif
