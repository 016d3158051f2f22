/*
 * NAL paths and the names that travel inside them.  SMS identifies a
 * distribution point by a Network Abstraction Layer path such as
 *   ["Display=\\DP01\"]MSWNET:["SMS_SITE=009"]\\DP01\
 * and a share-type DP by \\server\share$\ at the end.  This module takes
 * those apart, and validates package IDs, server names and site codes
 * before they go anywhere near a remote command.
 */
#ifndef DPD_NAL_H
#define DPD_NAL_H

#include <stdbool.h>
#include <stddef.h>

struct nal {
	char *type;      /* MSWNET, GENERIC, LOCAL ... */
	char *server;    /* DP01 or DP01.CONTOSO.COM */
	char *share;     /* smssoftware$ for share-type DPs, else NULL */
	char *path;      /* anything after the share (e.g. a package folder), else NULL */
	char *display;   /* the Display= value, else NULL */
	char site[4];    /* SMS_SITE= value, "" when absent */
};

/* Parse a NAL path.  Accepts the full form, the location form without
 * Display (MSWNET:["SMS_SITE=X"]\\S\SHARE\PKG\) and a bare \\server\share.
 * Returns 0, or -1 with *err saying what is wrong and at which character. */
int nal_parse(const char *text, struct nal *out, char **err);
void nal_free(struct nal *n);
/* Build the canonical DP NAL path for a server and site. */
char *nal_format(const char *server, const char *share, const char *site);

/* SMS package ID: 3-char site code (A-Z0-9) + 5 hex digits, e.g. 009000B7. */
bool pkgid_valid(const char *s);
/* Site code: exactly 3 of A-Z, 0-9. */
bool sitecode_valid(const char *s);
/* NetBIOS or DNS host name: letters, digits, '-', '_' (NetBIOS names use
 * it), '.' between labels; 1-253 chars, labels 1-63, no leading '-'.
 * No quotes, spaces, '$', ';', backslashes or non-ASCII. */
bool servername_valid(const char *s);

#endif
