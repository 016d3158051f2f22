/*
 * The command line's secret asker (see askpass.h).  Two sources, tried in
 * order: the program in $DPDOCTOR_ASKPASS, spawned with posix_spawn (the
 * caller is one of the SSH engine's threads in a threaded process, where
 * fork() followed by anything but exec is unsafe), and /dev/tty with echo
 * off.
 * While echo is off, SIGINT, SIGTERM, SIGHUP and SIGQUIT first restore the
 * terminal and then take their usual course, so an interrupted prompt
 * never leaves the administrator's shell without echo; the suspend key is
 * disabled for the prompt's duration for the same reason.  Answers are
 * collected in a buffer that is wiped whenever it moves and on every
 * error path.
 */
#include "autoconf.h"
#include "tui/cli/askpass.h"

#include "backend/core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

extern char **environ;

#define SECRET_MAX (64 * 1024)      /* longer than any passphrase; stops a runaway program */

/* One prompt at a time: the terminal and the signal state below are global. */
static pthread_mutex_t askpass_lock = PTHREAD_MUTEX_INITIALIZER;

/* For the signal handler: what to put back, and the actions it replaced. */
static const int askpass_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define NSIGNALS (sizeof askpass_signals / sizeof askpass_signals[0])
static struct sigaction askpass_old[NSIGNALS];
static struct termios askpass_saved;
static volatile sig_atomic_t askpass_tty_fd = -1;
static volatile sig_atomic_t askpass_signalled;

/* ---- a growable buffer that leaves no copies behind ------------------- */

struct secret {
	char *p;
	size_t len, cap;
};

static void
secret_wipe(struct secret *s)
{
	if (s->p != NULL)
		explicit_bzero(s->p, s->cap);
	free(s->p);
	*s = (struct secret){0};
}

/* Append one byte (keeping room for the NUL); -1 when it grows too long.
 * realloc could leave the old copy behind in freed memory, so move it by
 * hand and wipe the old block. */
static int
secret_addc(struct secret *s, char c)
{
	if (s->len + 1 >= s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 128;
		if (cap > SECRET_MAX)
			return -1;
		char *p = xmalloc(cap);
		if (s->p != NULL) {
			memcpy(p, s->p, s->len);
			explicit_bzero(s->p, s->cap);
			free(s->p);
		}
		s->p = p;
		s->cap = cap;
	}
	s->p[s->len++] = c;
	s->p[s->len] = '\0';
	return 0;
}

/* Hand the text over without its line ending. */
static char *
secret_take(struct secret *s)
{
	if (s->p == NULL && secret_addc(s, '\0') == 0)
		s->len = 0;
	while (s->len > 0 && (s->p[s->len - 1] == '\n' || s->p[s->len - 1] == '\r'))
		s->p[--s->len] = '\0';
	char *p = s->p;
	*s = (struct secret){0};
	return p;
}

/* ---- $DPDOCTOR_ASKPASS ------------------------------------------------ */

/* Read all of fd into s.  0, or -1 (read error or too long). */
static int
askpass_read_all(int fd, struct secret *s)
{
	char c[256];
	for (;;) {
		ssize_t n = read(fd, c, sizeof c);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			explicit_bzero(c, sizeof c);
			return n == 0 ? 0 : -1;
		}
		for (ssize_t i = 0; i < n; i++) {
			if (secret_addc(s, c[i]) != 0) {
				explicit_bzero(c, sizeof c);
				return -1;
			}
		}
	}
}

static int
askpass_wait(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

/* Run prog with text as its argument; its standard output is the answer.
 * Any exit status but 0 means the person cancelled. */
static int
askpass_program(const char *prog, const char *text, char **answer)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0) {
		fprintf(stderr, "dpdoctor: $DPDOCTOR_ASKPASS: pipe: %s\n", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)prog, (char *)text, NULL };
	pid_t pid;
	int rc = posix_spawn_file_actions_init(&fa);
	if (rc == 0) {
		rc = posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
		if (rc == 0)
			rc = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
		posix_spawn_file_actions_destroy(&fa);
	}
	close(fds[1]);
	if (rc != 0) {
		fprintf(stderr, "dpdoctor: $DPDOCTOR_ASKPASS %s: %s\n", prog, strerror(rc));
		close(fds[0]);
		return -1;
	}
	struct secret s = {0};
	int status = 0;
	int rd = askpass_read_all(fds[0], &s);
	close(fds[0]);
	if (askpass_wait(pid, &status) != 0 || rd != 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		if (rd != 0)
			fprintf(stderr, "dpdoctor: $DPDOCTOR_ASKPASS %s: answer unreadable or too long\n", prog);
		secret_wipe(&s);
		return -1;
	}
	*answer = secret_take(&s);
	return 0;
}

/* ---- /dev/tty ---------------------------------------------------------- */

/* Put the terminal back, then let the signal do what it did before we
 * came: the default (usually: end the process) or the program's handler.
 * Only async-signal-safe calls here. */
static void
askpass_on_signal(int sig)
{
	int fd = askpass_tty_fd;
	if (fd >= 0)
		(void)tcsetattr(fd, TCSAFLUSH, &askpass_saved);
	askpass_signalled = 1;
	for (size_t i = 0; i < NSIGNALS; i++)
		if (askpass_signals[i] == sig)
			(void)sigaction(sig, &askpass_old[i], NULL);
	(void)raise(sig);   /* blocked until we return, then delivered */
}

static void
askpass_signals_catch(bool on)
{
	struct sigaction sa = { .sa_handler = askpass_on_signal };
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NSIGNALS; i++) {
		if (on && sigaction(askpass_signals[i], &sa, &askpass_old[i]) != 0)
			askpass_old[i] = (struct sigaction){ .sa_handler = SIG_DFL };
		else if (!on)
			(void)sigaction(askpass_signals[i], &askpass_old[i], NULL);
	}
}

/* Echo off (and the suspend key off: a stopped prompt would leave the
 * shell without echo).  0, or -1 when fd is no terminal we can control:
 * then we do not ask, rather than show the secret as it is typed. */
static int
askpass_echo_off(int fd)
{
	struct termios t;
	if (tcgetattr(fd, &askpass_saved) != 0)
		return -1;
	t = askpass_saved;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
	t.c_cc[VSUSP] = _POSIX_VDISABLE;
	askpass_signalled = 0;
	askpass_tty_fd = fd;
	askpass_signals_catch(true);
	if (tcsetattr(fd, TCSAFLUSH, &t) != 0) {
		askpass_signals_catch(false);
		askpass_tty_fd = -1;
		return -1;
	}
	return 0;
}

static void
askpass_echo_restore(int fd)
{
	(void)tcsetattr(fd, TCSAFLUSH, &askpass_saved);
	askpass_tty_fd = -1;
	askpass_signals_catch(false);
	explicit_bzero(&askpass_saved, sizeof askpass_saved);
}

/* One line from the terminal.  0, or -1 on end of input (Ctrl-D), error
 * or a signal that came while we read. */
static int
askpass_read_line(int fd, struct secret *s)
{
	for (;;) {
		char c;
		ssize_t n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR && !askpass_signalled)
			continue;
		if (n <= 0 || askpass_signalled)
			return -1;
		if (c == '\n')
			return 0;
		int rc = secret_addc(s, c);
		explicit_bzero(&c, sizeof c);
		if (rc != 0)
			return -1;
	}
}

/* -2: no terminal (try nothing else), -1: cancelled, 0: answered. */
static int
askpass_tty(const char *text, bool echo, char **answer)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -2;
	struct secret s = {0};
	int rc = -2;
	if (fd_write_all(fd, text, strlen(text)) != 0 || (!echo && askpass_echo_off(fd) != 0))
		goto out;
	rc = askpass_read_line(fd, &s);
	if (!echo) {
		askpass_echo_restore(fd);
		(void)fd_write_all(fd, "\n", 1);   /* the Enter that was not echoed */
	}
	if (rc == 0)
		*answer = secret_take(&s);
out:
	secret_wipe(&s);
	close(fd);
	return rc;
}

/* ---- public ------------------------------------------------------------ */

int
askpass_ask(void *ctx, const char *server, const char *prompt, bool echo, char **answer)
{
	(void)ctx;
	*answer = NULL;
	/* The server comes first: the engine may ask for several at once. */
	char *text = xasprintf("%s: %s%s", server ? server : "ssh", prompt ? prompt : "Password:",
	    prompt && prompt[0] && prompt[strlen(prompt) - 1] == ' ' ? "" : " ");
	int rc;
	if (pthread_mutex_lock(&askpass_lock) != 0) {
		free(text);
		return -1;
	}
	const char *prog = getenv("DPDOCTOR_ASKPASS");
	if (prog != NULL && *prog != '\0')
		rc = askpass_program(prog, text, answer);
	else
		rc = askpass_tty(text, echo, answer) == 0 ? 0 : -1;
	(void)pthread_mutex_unlock(&askpass_lock);
	free(text);
	return rc;
}
