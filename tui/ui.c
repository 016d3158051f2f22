/*
 * The functions every part of the UI may use on its shared state (see
 * ui.h): the status line's message, the view on top, and the listeners'
 * registry.  Nothing here calls up into the screens: a listener is a
 * function pointer a screen or service handed in.
 */
#include "autoconf.h"
#include "tui/ui.h"
#include "backend/core/util.h"

#include <stdarg.h>
#include <stdlib.h>

void
ui_message(struct ui *u, enum ui_role role, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(u->msg);
	u->msg = xvasprintf(fmt, ap);
	va_end(ap);
	u->msg_role = role;
	u->msg_until = clock_mono_ms() + UI_MESSAGE_MS;
	u->dirty |= UI_DIRTY_FOOTER;
}

enum ui_view
ui_top(const struct ui *u)
{
	return u->depth > 0 ? u->stack[u->depth - 1] : UI_VIEW_GRID;
}

void
ui_listen(struct ui *u, enum ui_event ev, ui_listener_fn fn, void *arg)
{
	u->listeners = xreallocarray(u->listeners, u->nlisteners + 1, sizeof *u->listeners);
	u->listeners[u->nlisteners++] = (struct ui_listener){ ev, fn, arg };
}

/* Drop the entries removed while events were being sent. */
static void
ui_listeners_compact(struct ui *u)
{
	size_t m = 0;
	for (size_t i = 0; i < u->nlisteners; i++)
		if (u->listeners[i].fn != NULL)
			u->listeners[m++] = u->listeners[i];
	u->nlisteners = m;
}

void
ui_unlisten(struct ui *u, ui_listener_fn fn, void *arg)
{
	for (size_t i = 0; i < u->nlisteners; i++)
		if (u->listeners[i].fn == fn && u->listeners[i].arg == arg)
			u->listeners[i].fn = NULL;
	if (u->notifying == 0)
		ui_listeners_compact(u);
}

void
ui_notify(struct ui *u, enum ui_event ev)
{
	/* By index, up to the count at the start: a listener may add one
	 * (called next time) or remove one (skipped from then on). */
	size_t n = u->nlisteners;
	u->notifying++;
	for (size_t i = 0; i < n; i++) {
		const struct ui_listener *l = &u->listeners[i];
		if (l->fn != NULL && l->ev == ev)
			l->fn(u, ev, l->arg);
	}
	if (--u->notifying == 0)
		ui_listeners_compact(u);
}

void
ui_listeners_free(struct ui *u)
{
	free(u->listeners);
	u->listeners = NULL;
	u->nlisteners = 0;
}
