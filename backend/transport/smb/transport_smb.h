/*
 * The SMB transport: one server's files over SMB (smbconn.h), answering
 * the file ops through backend/transport/files, and a layout of its own
 * server from its share list (no registry over SMB).  It carries no scripts:
 * queries, PreloadPkgOnSite and anything else that must run on a Windows
 * host stay with the WMI host's transport, and the route never sends such
 * an op here (the transport does not answer those kinds).
 */
#ifndef DPD_TRANSPORT_SMB_H
#define DPD_TRANSPORT_SMB_H

#include "backend/transport/smb/smbconn.h"
#include "backend/transport/transport.h"

/* The transport over a server of the engine (borrowed: the engine, which
 * owns it, outlives the transport). */
struct transport *transport_smb_new(struct smbsrv *s);

#endif
