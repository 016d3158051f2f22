/*
 * Ops as PowerShell: the script a Windows host runs for an op, and reading
 * one back.  Arguments travel as data in a fixed block at the top of the
 * script ($A['key'] = '<value>'), never spliced into commands.  Simulated
 * hosts read the same block back with ops_parse(), so the demo and the
 * tests exercise exactly the text a real host gets.  Only the transports
 * that run scripts (backend/transport/script.h) and the simulator's host
 * side use this.
 */
#ifndef DPD_OPS_PS_H
#define DPD_OPS_PS_H

#include "backend/ops/ops.h"

/* Render the PowerShell script for an op: NULL with *err when ops_check
 * refuses it. */
char *ops_render(const struct op *op, char **err);

/* Read an op back from a rendered script (for simulated hosts).  The
 * returned op's strings point into *storage, which the caller frees. */
int ops_parse(const char *script, struct op *op, char **storage, char **err);

#endif
