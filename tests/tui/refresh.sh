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
tui_keys Down Down Down Right Right
tui_wait_change "$(tui_screen)" 2
sleep 0.2
cell=$(tui_cursor_line | grep -Eo '009[0-9A-F]{5} × [^ ]+')
order=$(ids)
tui_keys r
check "r: refreshing shows in the header" tui_wait 'refreshing' 2
check "  and ends" tui_wait_gone 'refreshing' 5
[ "$(ids)" != "$order" ]; tap $? "the new snapshot reorders the rows"
tui_cursor_line | grep -q "$cell"; tap $? "the cursor stays on $cell"

tui_keys p
check "p: header says paused" tui_wait '^dpdoctor .*paused' 2
tui_screen | head -1 | grep -q 'next in'; tap $((! $?)) "  and shows no countdown"
tui_keys p
check "p again: resumed, countdown back" tui_wait '^dpdoctor .*next in' 2
tui_keys q
check "q quits while idle" tui_wait "$TUI_EXIT_MARK 0" 3

tui_start 80 24 DPD_FAKE_FAIL_FROM=2 -- "$TUI_DRIVER" --refresh 1
check "the grid appears" tui_wait 'of 40 packages'
check "a failed refresh marks the grid STALE" tui_wait '^dpdoctor .*STALE' 4
screen=$(tui_screen)
echo "$screen" | tail -2 | tr '\n' ' ' | grep -q 'status of site 009 from FAKEHOST: connect to FAKEHOST port 22: connection refused (r retries)'
tap $? "the status line says where and why, whole (two lines at 80 columns)"
echo "$screen" | grep -q 'of 40 packages'; tap $? "the old grid stays on screen"
tui_keys Down
check "keys still work on a stale grid" tui_wait_change "$screen" 2
tui_keys q
check "q quits" tui_wait "$TUI_EXIT_MARK 0" 3

tui_start 80 24 DPD_FAKE_FAIL_FROM=1 -- "$TUI_DRIVER"
check "no status at all: says so" tui_wait 'No status yet' 3
tui_screen | tr '\n' ' ' | grep -q 'port *22: connection refused'; tap $? "  with the reason"
tui_screen | grep -q 'r tries again'; tap $? "  and how to retry"
tui_keys q
check "q quits" tui_wait "$TUI_EXIT_MARK 0" 3

# The demo site: r refreshes, a site that goes away marks the grid stale
# with the simulator's own error, and coming back clears it.
if tui_demo_init; then
	tui_start_demo 80 24
	check "demo: the grid appears" tui_wait ' of [0-9]+ packages' 10
	tui_keys j j Right
	sleep 0.2
	cell=$(tui_cursor_line | grep -Eo '009[0-9A-F]{5} × [^ ]+')
	tui_keys r
	check "demo: r refreshes" tui_wait 'updated 0s ago' 3
	tui_cursor_line | grep -q "$cell"; tap $? "demo: the cursor stays on $cell"
	mv "$TUI_DEMO" "$TUI_DEMO.away"
	tui_keys r
	check "demo: the site gone: STALE" tui_wait '^dpdoctor .*STALE' 5
	tui_screen | tail -2 | tr '\n' ' ' | grep -q 'status of site 009 from SMS009PRI: '
	tap $? "demo: the status line names the site and host"
	tui_screen | grep -Eq ' of [0-9]+ packages'; tap $? "demo: the old grid stays"
	mv "$TUI_DEMO.away" "$TUI_DEMO"
	tui_keys r
	check "demo: back: no longer stale" tui_wait_gone 'STALE' 5
	tui_keys q
	check "demo: q quits" tui_wait "$TUI_EXIT_MARK 0" 3
fi
tui_done
