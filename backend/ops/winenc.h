/*
 * How a script travels to a Windows host over SSH, and back again for the
 * simulated host.  Windows OpenSSH hands an exec request to cmd.exe, which
 * mangles quotes and stops at 8191 characters, so a script goes as a
 * quote-free `powershell.exe ... -EncodedCommand <base64(UTF-16LE)>` line;
 * a script too long for that goes on standard input (base64 of its UTF-8)
 * behind a small fixed bootstrap sent the same way.  PowerShell reports
 * errors on a redirected stderr as CLIXML, which winenc_clixml_errors()
 * turns back into text.
 */
#ifndef DPD_WINENC_H
#define DPD_WINENC_H

#include <stdbool.h>
#include <stddef.h>

/* cmd.exe's longest command line, in characters. */
#define WINENC_CMD_MAX 8191

/* The switches, in the one order we send them (and accept them). */
#define WINENC_PREFIX \
	"powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand "

/* The command line that runs script: WINENC_PREFIX followed by base64 of
 * the script in UTF-16LE, no line breaks.  NULL with *err when the script
 * is not well-formed UTF-8.  Whether it fits is winenc_fits()'s question. */
char *winenc_command(const char *script, char **err);

/* True when cmd.exe takes cmdline (at most WINENC_CMD_MAX characters). */
bool winenc_fits(const char *cmdline);

/* The fixed PowerShell sent (via winenc_command()) when a script does not
 * fit: it reads all of stdin, decodes it as base64 of UTF-8, runs it as a
 * script block and exits with its exit code. */
const char *winenc_bootstrap_script(void);

/* What goes on stdin after the bootstrap: base64 of the script's UTF-8
 * bytes, then CRLF.  The caller checks the script is UTF-8 (winenc_command
 * of the bootstrap never fails, so check with utf8_valid() from util.h). */
char *winenc_stdin_payload(const char *script);

/*
 * A credential for the remote calls a script makes (`credential = ask`,
 * issue 13): a key log-in on Windows OpenSSH carries no network
 * credentials, so the script must present one to reach other servers.
 * The secret never goes on a command line: the script goes on stdin
 * behind a second fixed bootstrap, which reads two lines -- the script's
 * payload (as winenc_stdin_payload) and the credential's (base64 of the
 * UTF-8 "USER\nPASSWORD") -- and runs the script with $DpdCred set to a
 * PSCredential (ConvertTo-SecureString; the plain copies cleared).
 * Scripts use it where it is set (Get-WmiObject -Credential, and a
 * WNetAddConnection2 to \\SERVER\IPC$ before a UNC path on SERVER).
 */
const char *winenc_bootstrap_cred_script(void);
/* stdin for it: the script's payload line, then the credential's line.
 * The caller wipes and frees the result (it holds the secret). */
char *winenc_stdin_payload_cred(const char *script, const char *user,
    const char *password);
/* Read that stdin back (the simulated host): -1 with *err when either
 * line is not what the bootstrap would accept. */
int winenc_decode_payload_cred(const char *text, size_t len, char **script,
    char **user, char **password, char **err);

/* What winenc_parse_command() found. */
enum winenc_form {
	WINENC_DIRECT = 0,      /* *script is the script to run */
	WINENC_BOOTSTRAP = 1,   /* *script is the bootstrap: the script is on stdin */
	WINENC_BOOTSTRAP_CRED = 2, /* the credential bootstrap: script and
	                         * credential on stdin */
};

/* Read a command line as a Windows host with cmd.exe as its shell gets
 * it.  Only the exact form winenc_command() makes is accepted; anything
 * else gives -1 and *err holds what cmd.exe or powershell.exe would print
 * (one or more CRLF-free lines joined by "\n", no final newline).  On
 * success returns a winenc_form and *script holds the decoded script. */
int winenc_parse_command(const char *cmdline, char **script, char **err);

/* Decode a stdin payload (base64 of UTF-8; whitespace and line breaks are
 * ignored, as [Convert]::FromBase64String does).  -1 with *err when it is
 * not base64 or not UTF-8 or holds a NUL. */
int winenc_decode_payload(const char *text, size_t len, char **script, char **err);

/* Readable text from a PowerShell stderr: when it starts with "#< CLIXML",
 * the <S S="Error"> strings with _xHHHH_ escapes and XML entities decoded
 * and CRLF made LF; otherwise (or if the CLIXML is malformed) a copy. */
char *winenc_clixml_errors(const char *stderr_text);

#endif
