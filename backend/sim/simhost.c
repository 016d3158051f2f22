/*
 * dpdoctor-simhost: a simulated Windows OpenSSH host, to be the login shell
 * of a test user on a real (loopback) sshd.  sshd runs it as
 * `dpdoctor-simhost -c COMMAND`; it then behaves as cmd.exe (Windows
 * OpenSSH's default shell) starting powershell.exe would: only our
 * `powershell.exe ... -EncodedCommand <base64>` line is understood (see
 * backend/ops/winenc.h), directly or as the stdin bootstrap, and the script runs
 * against the simulated site named by DPDOCTOR_SIM_DIR, as the server
 * DPDOCTOR_SIM_HOST (default: the site's primary).  Output lines end in CRLF
 * and refusals use cmd's and PowerShell's words, so the SSH transport's
 * tests meet what a Windows host would send.  It never reads stdin unless
 * the bootstrap asks for it, as the real bootstrap only reads it then.
 * With DPDOCTOR_SIMHOST_LOG set, every script received is appended to that
 * file, so a test can tell which ops reached this host at all.  A script
 * behind the credential bootstrap runs with its credential
 * (sim_run_script_as: the simulated host presents it on its remote calls);
 * the credential never reaches the log.  With DPDOCTOR_SIMHOST_CMDLOG set,
 * every command line is appended to that file, so a test can tell what
 * never went on one.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/sim/sim.h"
#include "backend/core/util.h"
#include "backend/ops/winenc.h"

/* A script on stdin larger than this is refused (the biggest op script is
 * a few KiB; this only bounds memory against a runaway client). */
#define SIMHOST_STDIN_MAX (64u << 20)

/* Write text with every line ending made CRLF (a bare LF gets its CR, a
 * CRLF stays as it is), as a Windows program's output arrives. */
static int
simhost_emit(int fd, const char *text, size_t len)
{
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
			buf_addc(&b, '\r');
		buf_addc(&b, text[i]);
	}
	int rc = b.len ? fd_write_all(fd, b.data, b.len) : 0;
	buf_free(&b);
	return rc;
}

/* A message on stderr as one or more CRLF lines; returns exit status 1. */
static int
simhost_fail(const char *msg)
{
	(void)simhost_emit(STDERR_FILENO, msg, strlen(msg));
	(void)simhost_emit(STDERR_FILENO, "\n", 1);
	return 1;
}

static int
simhost_read_stdin(struct buf *in, char **err)
{
	char chunk[65536];
	for (;;) {
		ssize_t r = read(STDIN_FILENO, chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err_set(err, "reading standard input: %s", strerror(errno));
			return -1;
		}
		if (r == 0)
			return 0;
		if (in->len + (size_t)r > SIMHOST_STDIN_MAX) {
			err_set(err, "the script on standard input is larger than %u bytes",
			    SIMHOST_STDIN_MAX);
			return -1;
		}
		buf_add(in, chunk, (size_t)r);
	}
}

/* A credential that came on stdin (the credential bootstrap); wiped when
 * the script has run. */
struct simhost_cred {
	char *user, *password;
};

static void
simhost_cred_free(struct simhost_cred *c)
{
	if (c->password != NULL)
		explicit_bzero(c->password, strlen(c->password));
	free(c->password);
	free(c->user);
	c->user = c->password = NULL;
}

/* The script the command line asks for: decoded from it, or read from
 * stdin behind the bootstrap (with the credential, behind the credential
 * bootstrap).  NULL with *err (the text to print). */
static char *
simhost_script(const char *cmdline, struct simhost_cred *cred, char **err)
{
	char *script = NULL;
	int form = winenc_parse_command(cmdline, &script, err);
	if (form < 0)
		return NULL;
	if (form == WINENC_DIRECT)
		return script;
	free(script);
	script = NULL;
	struct buf in;
	buf_init(&in);
	if (simhost_read_stdin(&in, err) != 0) {
		buf_free(&in);
		return NULL;
	}
	int rc = form == WINENC_BOOTSTRAP_CRED ?
	    winenc_decode_payload_cred(in.data ? in.data : "", in.len, &script, &cred->user,
	    &cred->password, err) :
	    winenc_decode_payload(in.data ? in.data : "", in.len, &script, err);
	if (in.data != NULL)
		explicit_bzero(in.data, in.cap);
	buf_free(&in);
	return rc == 0 ? script : NULL;
}

/* Append text to the file $var names, under "---- what", in one write (several
 * sessions append at once); a log that cannot be written is the test's
 * problem, not the host's answer. */
static void
simhost_log(const char *var, const char *what, const char *text)
{
	const char *log = getenv(var);
	if (log == NULL || *log == '\0')
		return;
	int fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	char *entry = xasprintf("---- %s\n%s\n", what, text);
	(void)fd_write_all(fd, entry, strlen(entry));
	free(entry);
	(void)close(fd);
}

/* A chunk of the reply to standard output; *gone once the client left. */
static int
simhost_sink(void *arg, const char *data, size_t len)
{
	bool *gone = arg;
	if (!*gone && simhost_emit(STDOUT_FILENO, data, len) != 0)
		*gone = true;
	return *gone ? -1 : 0;
}

/* Run script on the site and print the reply; returns the exit status. */
static int
simhost_run(const char *script, const struct simhost_cred *cred)
{
	const char *dir = getenv("DPDOCTOR_SIM_DIR");
	if (dir == NULL || *dir == '\0')
		return simhost_fail("dpdoctor-simhost: DPDOCTOR_SIM_DIR is not set "
		    "(give it with SetEnv in sshd_config)");
	const char *host = getenv("DPDOCTOR_SIM_HOST");
	struct sim_info info = { 0 };
	char *err = NULL;
	if (host == NULL || *host == '\0') {
		if (sim_info(dir, &info, &err) != 0) {
			char *msg = xasprintf("dpdoctor-simhost: no usable site in %s: %s", dir, err);
			int rc = simhost_fail(msg);
			free(msg);
			free(err);
			return rc;
		}
		host = info.primary;
	}
	/* A slow host, for the fault tests: answer only after this long. */
	const char *delay = getenv("DPDOCTOR_SIMHOST_DELAY_MS");
	if (delay != NULL && *delay) {
		long ms = strtol(delay, NULL, 10);
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
		if (ms > 0)
			(void)nanosleep(&ts, NULL);
	}
	struct script_result res;
	script_result_init(&res);
	/* Standard output goes out as the reply is written, as a Windows
	 * host's does, not once it is whole. */
	bool gone = false;
	res.sink = simhost_sink;
	res.sink_arg = &gone;
	int rc;
	if (sim_run_script_as(dir, host, script, cred->user, cred->password, &res, &err) != 0) {
		char *msg = xasprintf("dpdoctor-simhost: %s: %s", dir, err);
		rc = simhost_fail(msg);
		free(msg);
	} else {
		rc = res.exit_code;
		if (gone || simhost_emit(STDERR_FILENO, res.err.data, res.err.len) != 0)
			rc = 1; /* the client went away; nobody is left to tell */
	}
	script_result_free(&res);
	sim_info_free(&info);
	free(err);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc != 3 || strcmp(argv[1], "-c") != 0)
		return simhost_fail("dpdoctor-simhost: this simulated Windows host only runs "
		    "commands (ssh HOST COMMAND); interactive logins are not supported.");
	const char *cmdline = argv[2];
	simhost_log("DPDOCTOR_SIMHOST_CMDLOG", "cmdline", cmdline);
	char *err = NULL;
	struct simhost_cred cred = { NULL, NULL };
	char *script = simhost_script(cmdline, &cred, &err);
	if (script == NULL) {
		simhost_cred_free(&cred);
		int rc = simhost_fail(err ? err : "dpdoctor-simhost: cannot read the command");
		free(err);
		return rc;
	}
	simhost_log("DPDOCTOR_SIMHOST_LOG", "script", script);
	int rc = simhost_run(script, &cred);
	simhost_cred_free(&cred);
	free(script);
	return rc;
}
