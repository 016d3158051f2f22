/*
 * The remote operation vocabulary.  Every change or query dpdoctor makes on
 * a site is an op with validated parameters.  Script ops are rendered as the
 * PowerShell a Windows host runs; parameters travel as data in a fixed
 * block at the top of the script ($A['key'] = '<value>'), never spliced
 * into commands.  Simulated hosts read the same block back with ops_parse(),
 * so the demo and the tests exercise exactly the text a real host gets.
 */
#ifndef DPD_OPS_H
#define DPD_OPS_H

#include <stdbool.h>
#include <stddef.h>

#include "backend/util.h"

/* X(ENUM, wire name, changes the site?) */
#define OP_TABLE(X) \
	X(OP_STATUS, "status", false)

enum op_kind {
#define X(e, n, w) e,
	OP_TABLE(X)
#undef X
	OP_COUNT,
};

#define OP_MAX_ARGS 16

struct op_arg {
	const char *key;
	const char *value;
};

struct op {
	enum op_kind kind;
	size_t nargs;
	struct op_arg args[OP_MAX_ARGS];
};

const char *op_name(enum op_kind k);
int op_from_name(const char *name);      /* -1 when unknown */
bool op_changes_site(enum op_kind k);
const char *op_arg(const struct op *op, const char *key);
/* Set an argument (pointers are borrowed; they must outlive the op). */
void op_set(struct op *op, const char *key, const char *value);

/* Render the PowerShell script for an op.  Validates every argument first
 * (package IDs, site codes, server names; any value with a control byte is
 * refused) and returns NULL with *err when one is wrong. */
char *ops_render(const struct op *op, char **err);

/* Read an op back from a rendered script (for simulated hosts).  The
 * returned op's strings point into *storage, which the caller frees. */
int ops_parse(const char *script, struct op *op, char **storage, char **err);

#endif
