#!/usr/bin/env bash
# Live refresh: the spinner while a refresh runs, the cursor staying on the
# same package and DP when a new snapshot reorders the rows, p pausing and
# resuming, and a failed refresh keeping the old grid, marked stale, with
# where and why on the status line.
. "$(dirname "$0")/lib.sh"
tui_require "$TUI_DRIVER"
tui_require "$TUI_DPDOCTOR"

ids() { tui_screen | grep -Eo '^009[0-9A-F]{5}' | tr '\n' ' '; }

tui_start 80 24 DPD_FAKE_SHUFFLE=1 DPD_FAKE_DELAY_MS=400 -- "$TUI_DRIVER"
check "first refresh: a spinner while waiting" tui_wait 'refreshing' 2
check "the grid appears" tui_wait 'of 40 packages' 5
old=$(tui_screen)
tui_keys Down Down Down Right Right
tui_wait_change "$old" 2
tui_wait_stable 5 # all five keys drawn, not the first of them
cell=$(tui_cursor_line | grep -Eo '009[0-9A-F]{5} × [^ ]+')
order=$(ids)
tui_keys r
check "r: refreshing shows in the header" tui_wait 'refreshing' 2
check "  and ends" tui_wait_gone 'refreshing' 5
reordered() { [ "$(ids)" != "$order" ]; }
check "the new snapshot reorders the rows" tui_until 3 reordered
check "the cursor stays on $cell" tui_wait_line cursor "$cell" 3

tui_keys p
check "p: header says paused" tui_wait '^dpdoctor .*paused' 2
no_countdown() { ! tui_screen | head -1 | grep -q 'next in'; }
check "  and shows no countdown" tui_until 2 no_countdown
tui_keys p
check "p again: resumed, countdown back" tui_wait '^dpdoctor .*next in' 2
tui_keys q
check "q quits while idle" tui_wait "$TUI_EXIT_MARK 0" 3

tui_start 80 24 DPD_FAKE_FAIL_FROM=2 -- "$TUI_DRIVER" --refresh 1
check "the grid appears" tui_wait 'of 40 packages'
check "a failed refresh marks the grid STALE" tui_wait '^dpdoctor .*STALE' 4
bottom_says() { tui_screen | tail -2 | tr '\n' ' ' | grep -q "$1"; }
check "the status line says where and why, whole (two lines at 80 columns)" \
	tui_until 3 bottom_says 'status of site 009 from FAKEHOST: connect to FAKEHOST port 22: connection refused (r retries)'
check "the old grid stays on screen" tui_wait 'of 40 packages' 3
screen=$(tui_screen)
tui_keys Down
check "keys still work on a stale grid" tui_wait_change "$screen" 2
tui_keys q
check "q quits" tui_wait "$TUI_EXIT_MARK 0" 3

tui_start 80 24 DPD_FAKE_FAIL_FROM=1 -- "$TUI_DRIVER"
check "no status at all: says so" tui_wait 'No status yet' 3
check "  with the reason" tui_wait_joined 'port 22: connection refused' 3
check "  and how to retry" tui_wait_text 'r tries again' 3
tui_keys q
check "q quits" tui_wait "$TUI_EXIT_MARK 0" 3

# The demo site: r refreshes, a site that goes away marks the grid stale
# with the simulator's own error, and coming back clears it.
if tui_demo_init; then
	tui_start_demo 80 24
	check "demo: the grid appears" tui_wait ' of [0-9]+ packages' 10
	old=$(tui_screen)
	tui_keys j j Right
	tui_wait_change "$old" 2
	tui_wait_stable 5 # all three keys drawn
	cell=$(tui_cursor_line | grep -Eo '009[0-9A-F]{5} × [^ ]+')
	tui_keys r
	check "demo: r refreshes" tui_wait 'updated 0s ago' 3
	check "demo: the cursor stays on $cell" tui_wait_line cursor "$cell" 3
	mv "$TUI_DEMO" "$TUI_DEMO.away"
	tui_keys r
	check "demo: the site gone: STALE" tui_wait '^dpdoctor .*STALE' 5
	check "demo: the status line names the site and host" \
		tui_until 3 bottom_says 'status of site 009 from SMS009PRI: '
	check "demo: the old grid stays" tui_wait ' of [0-9]+ packages' 3
	mv "$TUI_DEMO.away" "$TUI_DEMO"
	tui_keys r
	check "demo: back: no longer stale" tui_wait_gone 'STALE' 5
	tui_keys q
	check "demo: q quits" tui_wait "$TUI_EXIT_MARK 0" 3
fi
tui_done
