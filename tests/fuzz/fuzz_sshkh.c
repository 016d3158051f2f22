/*
 * libFuzzer target: a known_hosts file is edited by hand and by other
 * tools, so dpdoctor reads it line by line itself (backend/transport/ssh/sshkh.c): a bad
 * line must be skipped with a warning, never crash, leak, or take the rest
 * of the file with it.  Each input is written to a scratch file, loaded,
 * and asked about a few hosts and one ed25519 key.  The scratch file is a
 * memfd, a regular file in memory read through /proc/self/fd: a file on
 * disk truncated and rewritten for every input made the kernel write it
 * back each time, and the fuzzer ran at a few hundred inputs a second.
 * Built and run for a bounded time by tests/fuzz/run.sh.
 */
#include "autoconf.h"
#include "backend/transport/ssh/sshkh.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static LIBSSH2_SESSION *session;
static char path[64];
static int fd = -1;

static void
quiet(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

/* The raw blob of an ed25519 public key: string "ssh-ed25519", string key. */
static size_t
ed25519_blob(unsigned char out[51])
{
	static const unsigned char head[] = { 0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2',
		'5', '5', '1', '9', 0, 0, 0, 32 };
	memcpy(out, head, sizeof head);
	for (size_t i = 0; i < 32; i++)
		out[sizeof head + i] = (unsigned char)(i * 7 + 1);
	return sizeof head + 32;
}

static void run(const uint8_t *data, size_t size);

/* Lines that make libcrypto set up what it keeps for good (HMAC for the
 * hashed entries, the key types), so that is not taken for a leak. */
static const char warm[] =
	"|1|c2FsdHNhbHRzYWx0c2FsdHNhbHQ=|aGFzaGhhc2hoYXNoaGFzaGhhc2g= ssh-ed25519 "
	"AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
	"[127.0.0.1]:2222 ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBP\n";

/* Before any input: libssh2 and libcrypto set up global state once, which
 * the per-input leak check would otherwise count. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* The memfd goes with the process: nothing is left in /tmp. */
	if (libssh2_init(0) != 0 || (session = libssh2_session_init()) == NULL ||
	    (fd = memfd_create("dpd-fuzz-kh", MFD_CLOEXEC)) < 0 ||
	    snprintf(path, sizeof path, "/proc/self/fd/%d", fd) >= (int)sizeof path)
		abort();
	run((const uint8_t *)warm, sizeof warm - 1);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run(data, size);
	return 0;
}

static void
run(const uint8_t *data, size_t size)
{
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	const char *paths[] = { path };
	char *err = NULL;
	struct sshkh *kh = sshkh_load(session, paths, 1, quiet, NULL, &err);
	free(err);
	if (kh == NULL)
		return;
	unsigned char key[51];
	size_t n = ed25519_blob(key);
	static const struct { const char *host; int port; } ask[] = {
		{ "sms009pri", 22 }, { "127.0.0.1", 2222 }, { "DP01", 22 }, { "", 22 },
	};
	for (size_t i = 0; i < sizeof ask / sizeof ask[0]; i++) {
		(void)sshkh_prefs(kh, ask[i].host, ask[i].port);
		(void)sshkh_check(kh, ask[i].host, ask[i].port, (const char *)key, n,
		    LIBSSH2_HOSTKEY_TYPE_ED25519);
	}
	sshkh_free(kh);
}
