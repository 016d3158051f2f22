/*
 * Key-to-screen latency: the time from the poll() wake-up that brought
 * keys to the doupdate() that shows what they did.  The grid must answer
 * a key in under 50 ms even on the large site; with DPDOCTOR_TUI_STATS=FILE
 * the UI writes a summary there on exit, so tests can check it without
 * the noise of timing through a terminal.
 */
#ifndef DPD_TUI_STATS_H
#define DPD_TUI_STATS_H

#include <stddef.h>
#include <stdint.h>

struct stats {
	int64_t *us;      /* one sample per key batch, microseconds */
	size_t n, cap;
	int64_t pending;  /* when unanswered keys arrived; 0: none */
};

int64_t stats_now_us(void);
/* Keys arrived at `when` (kept if an earlier batch is still unanswered). */
void stats_keys(struct stats *s, int64_t when);
/* A frame went out: that answers the pending keys. */
void stats_frame(struct stats *s);
/* Write "keys N median_us M max_us X" to path; 0 or -1 with *err. */
int stats_write(const struct stats *s, const char *path, char **err);
void stats_free(struct stats *s);

#endif
