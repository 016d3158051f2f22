/*
 * Host keys in the full-screen UI.  When a refresh or evidence gathering
 * fails and the SSH engine holds unknown host keys waiting for a decision,
 * the UI shows each one's server, address, type and fingerprint in turn
 * ("1 of N", with A to see them all on one list and accept them together)
 * and asks whether to write it to known_hosts; accepted keys are written
 * and UI_EVENT_HOSTKEYS_ACCEPTED goes to whoever listens (the refresh, the
 * detail pane, the wizard), declined ones leave the error and the stale
 * grid as they are.  A changed key is only ever reported, with
 * the engine's own warning and a single OK.
 */
#ifndef DPD_TUI_SSHKEY_H
#define DPD_TUI_SSHKEY_H

struct ui;

/* A refresh or gathering failed, or could not read a server: look for a
 * host key question (shown now, or once no other dialog or prompt is
 * open). */
void sshkey_failed(struct ui *u);
/* On every loop turn: show a question that had to wait. */
void sshkey_tick(struct ui *u);
/* The user asked for a refresh: ask again about keys declined before. */
void sshkey_forget(struct ui *u);
/* At exit, after jobs_free(). */
void sshkey_free(struct ui *u);

#endif
