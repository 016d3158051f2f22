#!/usr/bin/env bash
# The / filter: the prompt, Enter narrowing the rows (by package name and
# by DP), Esc cancelling, an empty filter clearing, and the active filter
# shown on the status line.
. "$(dirname "$0")/lib.sh"
tui_require "$TUI_DRIVER"

rows() { tui_screen | grep -Ec '^009[0-9A-F]{5} '; }

tui_start 80 24 -- "$TUI_DRIVER"
check "the grid appears" tui_wait 'of 40 packages'
total=$(tui_screen | sed -n 's/.*\([0-9][0-9]*\) of 40 packages.*/\1/p')

tui_keys /
check "/ opens the filter prompt" tui_wait '^Filter .*: *$' 2
tui_keys -l 'visio'
check "typed text shows in the prompt" tui_wait '^Filter .*: visio' 2
tui_keys Enter
check "Enter applies: status line names the filter" tui_wait 'filter "visio"' 2
n=$(rows)
[ "$n" -ge 1 ] && tui_screen | grep -E '^009[0-9A-F]{5} ' | grep -vq 'Visio'
tap $((! $?)) "only Visio packages remain ($n rows)"
tui_wait_gone 'filter "visio":' 7
check "the summary keeps showing the active filter" tui_wait 'filter: visio' 2

tui_keys /
tui_wait '^Filter .*: visio' 2
tui_keys C-u
tui_keys -l 'zzznomatch'
tui_keys Escape
check "Esc cancels: the old filter stays" tui_wait_gone '^Filter' 2
tui_screen | grep -q 'Visio'; tap $? "  and the rows are unchanged"

tui_keys /
tui_wait '^Filter' 2
tui_keys C-u; tui_keys -l 'zzznomatch'
tui_keys Enter
check "a filter matching nothing says so" tui_wait 'Nothing matches "zzznomatch"' 2

tui_keys /
tui_wait '^Filter' 2
tui_keys C-u; tui_keys -l 'dp07'
tui_keys Enter
check "a DP name filters columns (case-insensitive)" tui_wait '1 of 12 DPs' 2
tui_cursor_line | grep -q '× DP07 '; tap $? "  the cursor is on DP07"

tui_keys /
tui_wait '^Filter' 2
tui_keys C-u Enter
check "an empty filter clears it" tui_wait 'filter cleared' 2
check "  all problem rows are back" tui_wait "$total of 40 packages" 2
tui_keys q
check "q quits" tui_wait "$TUI_EXIT_MARK 0" 3
tui_done
