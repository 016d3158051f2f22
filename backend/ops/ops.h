/*
 * The remote operation vocabulary.  Every change or query dpdoctor makes on
 * a site is an op: a kind and its arguments, checked against the kind's
 * table before any transport carries it (ops_check).  How an op is said to
 * a Windows host, as PowerShell, is ops_ps.h; which transport carries it,
 * backend/transport.
 */
#ifndef DPD_OPS_H
#define DPD_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/core/util.h"

/* X(ENUM, wire name, changes the site?) */
#define OP_TABLE(X) \
	X(OP_STATUS, "status", false) \
	X(OP_PATHINFO, "pathinfo", false) \
	X(OP_DIRLIST, "dirlist", false) \
	X(OP_LOGGREP, "loggrep", false) \
	X(OP_STATMSGS, "statmsgs", false) \
	X(OP_SHAREACL, "shareacl", false) \
	X(OP_READFILE, "readfile", false) \
	X(OP_COPYFILE, "copyfile", true) \
	X(OP_SETATTR, "setattr", true) \
	X(OP_DELETEFILE, "deletefile", true) \
	X(OP_RENAMEFILE, "renamefile", true) \
	X(OP_PRELOAD, "preload", true) \
	X(OP_REFRESHNOW, "refreshnow", true) \
	X(OP_SETSOURCEPATH, "setsourcepath", true) \
	X(OP_WRITEFILE, "writefile", true) \
	X(OP_SITES, "sites", false) \
	X(OP_LAYOUT, "layout", false)

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

/* The i-th argument op kind k takes (in the order a script lists them);
 * NULL past the last. */
const char *op_arg_key(enum op_kind k, size_t i);

/* Check an op: a known kind, only its own arguments, every required one
 * there, each valid for its kind (package IDs, site codes, server names,
 * paths; any value with a control byte or a typographic quote is
 * refused).  0, or -1 with *err saying which argument is wrong. */
int ops_check(const struct op *op, char **err);

/* Argument checks shared with simulated hosts (which check again, as a
 * host must: the text may not come from us).
 *
 * A Windows path: "E:\dir\file" or "\\SERVER\share\dir", at most
 * OPS_PATH_MAX bytes of well-formed UTF-8, no control characters, none of
 * | < > " * ? (illegal in Windows names), no ':' but the drive's, no '/',
 * no empty, "." or ".." components.  Characters Windows allows in names
 * (' ; $ ( ) `) are accepted: they travel as data, never as code. */
#define OPS_PATH_MAX 1024
bool ops_path_valid(const char *v);
/* Several paths separated by '|' (at most OPS_MAX_PATHS), each valid. */
#define OPS_MAX_PATHS 32
bool ops_paths_valid(const char *v);
/* A file-name wildcard for one folder: [A-Za-z0-9_.$~-] plus * and ?. */
bool ops_pattern_valid(const char *v);
/* What loggrep looks for: 1-64 of [A-Za-z0-9_.-]. */
bool ops_needle_valid(const char *v);
/* A positive decimal count up to 100000. */
bool ops_count_valid(const char *v);
/* A share name: 1-80 of [A-Za-z0-9_.-], optionally ending in '$'. */
bool ops_share_valid(const char *v);
/* A log file path: a valid path ending in ".log" (case-insensitive). */
bool ops_logpath_valid(const char *v);
/* One file name (a path component): what renamefile renames to. */
bool ops_filename_valid(const char *v);
/* writefile's bytes: base64 of at most OPS_READ_MAX bytes (may be empty). */
bool ops_b64_valid(const char *v);
/* A time as ISO UTC, YYYY-MM-DDTHH:MM:SSZ. */
bool ops_isotime_valid(const char *v);
/* What setattr does to one attribute: "set", "clear" or "keep". */
bool ops_attrop_valid(const char *v);
/* How preload starts PreloadPkgOnSite.exe: "local" or "wmi". */
bool ops_via_valid(const char *v);
/* A byte offset: decimal, no sign or leading zero, at most 2^53 (the
 * largest integer a double holds exactly, as PowerShell may keep it). */
#define OPS_OFFSET_MAX ((uint64_t)1 << 53)
bool ops_offset_valid(const char *v);
/* How many bytes readfile reads at most: decimal 1..OPS_READ_MAX. */
#define OPS_READ_MAX ((size_t)1 << 20)
bool ops_size_valid(const char *v);

/* readfile answers one record, B: Offset (as asked) Size (the file's length
 * now) MTime (ISO UTC) Head (base64 of the first min(64, Size) bytes, so a
 * caller can tell the file was replaced) Data (base64 of the bytes from
 * Offset, at most max of them; empty at or past the end).  Base64 both
 * ways (libcrypto underneath): encode appends to out; decode appends the
 * bytes and returns -1 when the text is not base64. */
#define OPS_HEAD_BYTES 64
void ops_b64_encode(const void *p, size_t n, struct buf *out);
int ops_b64_decode(const char *s, size_t n, struct buf *out);

/* The changing ops reply with these records (COLS first, as always):
 *   copyfile       X: Source Dest Result(copied|identical) SrcSize DstSize
 *                     Compared: how identity was judged: sha256 (same size and
 *                     time, both paths local to the host, same SHA-256),
 *                     size-time (size and last write time only: they differ,
 *                     or a path is remote and is not read back over the WAN)
 *                     or size-time-fips (local, but the host enforces FIPS and
 *                     its managed SHA-256 refuses to run)
 *   setattr        A: Path Attrs (after; FILE_ATTRIBUTE_* bits & 0x37)
 *   deletefile     D: Path Result(deleted|absent)
 *   renamefile     N: Path NewPath
 *   preload        args server, package, exe?, via, smsdir?, wait?.
 *                  via "local": the host that runs the script IS server (the
 *                  route sent it to server's own ssh transport) and runs the
 *                  tool itself.  via "wmi": the host starts it on server with
 *                  Win32_Process.Create over DCOM (no WinRM on Server 2003):
 *                  `cmd /v:on /c ""EXE" ID > OUT 2>&1 & echo !errorlevel! > RC"`
 *                  with OUT and RC files in smsdir (server's SMS folder as
 *                  server names it, required), waits for the process id to
 *                  leave Win32_Process (at most wait seconds, default 600),
 *                  reads both files back over the admin share, removes them.
 *                  Replies H: Via Detail (how it ran: "local" or "wmi",
 *                  detail e.g. "Win32_Process.Create on LEEDSDP01 from
 *                  SMS009PRI, pid 1234"), then O: Line (console output, one
 *                  per line), then X: ExitCode; without exe,
 *                  PreloadPkgOnSite.exe is looked for in <smsdir or the
 *                  registry's SMS folder>\bin\i386, %ProgramFiles%\SMS 2003
 *                  Toolkit 2 and %ProgramFiles%\ConfigMgr 2007 Toolkit
 *                  V2\ServerTools (server's own ProgramFilesDir, from its
 *                  registry when remote), and the error names each place
 *                  when none has it
 *   sites          args site, provider?: every SMS_Site row:
 *                  T: SiteCode SiteName ServerName ReportingSiteCode Type
 *                  InstallDir (Type 1 secondary, 2 primary)
 *   layout         args server: where SMS lives on server, one row per thing
 *                  learned or source tried,
 *                  Y: Source Name Value Error
 *                  Source "registry": Name "Installation Directory", Value
 *                  the folder (HKLM\SOFTWARE\Microsoft\SMS\Identification,
 *                  read with StdRegProv on server: remote registry over WMI);
 *                  Source "share": Name a share (Win32_Share on server, or
 *                  the share list over SMB), Value its folder ("" when the
 *                  source cannot tell, as an SMB share list cannot).  A row
 *                  with Name "" and Error set: that source could not be
 *                  read (why); an absent registry value is Value "" and
 *                  Error "" (a server without SMS, e.g. a plain DP).
 *   refreshnow     R: PackageID ServerNALPath
 *   setsourcepath  S: PackageID OldPath NewPath
 *   writefile      W: Path Size (the file's length after).  Offset 0 creates
 *                  or empties the file; any other offset must be its end (a
 *                  copy streamed through this machine writes in order, and
 *                  a chunk sent twice must not land twice).  With mtime, that
 *                  becomes its last write time, as a copy keeps the source's. */

#endif
