#!/usr/bin/env bash
# The grid on the demo site at 80x24 and 200x50: header with the site and
# counts per state, frozen headers, the cursor moving (the cursor line names
# a different cell), problems-only vs all, sort, and q restoring the terminal.
. "$(dirname "$0")/lib.sh"
tui_require "$TUI_DPDOCTOR"
tui_demo_init || tui_skip_all "the demo site cannot be created"

failed=$(tui_json all 'sum(x["State"] == "INSTALL_FAILED" for x in p)')
installed=$(tui_json all 'sum(x["State"] == "INSTALLED" for x in p)')
bad_pkgs=$(tui_json bad 'len({x["PackageID"] for x in p})')
bad_dps=$(tui_json bad 'len({x["DP"] for x in p})')
all_dps=$(tui_json all 'len({x["DP"] for x in p})')

tui_start_demo 80 24
check "80x24: the grid appears" tui_wait ' of [0-9]+ packages' 10
check "80x24: header names the site, generation and source" tui_wait_row 1 '^dpdoctor  site 009 · sms2003 · demo ' 3
check "80x24: header shows refresh age and countdown" tui_wait_row 1 'updated [0-9]+s ago · next in [0-9]+s$' 3
check "80x24: failed count ($failed) with glyph and label" tui_wait_row 2 "✗ $failed failed" 3
check "80x24: installed count ($installed)" tui_wait_row 2 "✓ $installed" 3
check "80x24: problems only: $bad_pkgs packages" tui_wait "^$bad_pkgs of [0-9]+ packages" 3
check "80x24: problems only: $bad_dps of $all_dps DPs" tui_wait "^$bad_dps of $all_dps DPs" 3
check "80x24: the corner says problems only" tui_wait '^problems only  *│' 3
check "80x24: key hint on the status line" tui_wait_line status '\? help  q quit$' 3
check "80x24: row header, separator, cursor cell" tui_wait '^009[0-9A-F]{5} .{23}│\[.\]' 3
check "80x24: failed cells drawn" tui_wait '^009[0-9A-F]{5} .*│.*✗' 3

first=$(tui_cursor_line)
pkg0=$(echo "$first" | grep -Eo '009[0-9A-F]{5}' | head -1)
dp0=$(echo "$first" | sed -n 's/.* × \([^ ]*\) .*/\1/p')
tui_keys Down
check "Down: the cursor line changes" tui_wait_gone "$pkg0 × " 2
tui_wait_stable 5
pkg1=$(tui_cursor_line | grep -Eo '009[0-9A-F]{5}' | head -1)
[ -n "$pkg1" ] && [ "$pkg0" != "$pkg1" ]; tap $? "Down moves to the next package ($pkg0 -> $pkg1)"
tui_keys Right
check "Right: another DP" tui_wait_gone " × $dp0 " 2
tui_keys h k
check "h, k: back on the first cell" tui_wait "$pkg0 × $dp0 " 2
tui_keys G
check "G: last package" tui_wait_gone "$pkg0 × " 2
tui_keys g
check "g: first package" tui_wait "$pkg0 × " 2
tui_keys '$'
check "\$: last DP" tui_wait_gone " × $dp0 " 2
tui_keys 0
check "0: first DP" tui_wait " × $dp0 " 2

tui_keys a
check "a: all packages and DPs" tui_wait "^$all_dps of $all_dps DPs" 2
check "  the corner says all packages" tui_wait '^all packages  *│' 2
check "  the cursor stays on the same cell" tui_wait_line cursor "$pkg0 × $dp0 " 2
tui_keys a
check "a again: problems only" tui_wait "^$bad_dps of $all_dps DPs" 2
tui_keys s
check "s: sort by package ID" tui_wait 'sorted by package ID' 2
tui_wait_stable 5
ids=$(tui_screen | grep -Eo '^009[0-9A-F]{5}' | tr '\n' ' ')
[ "$ids" = "$(echo "$ids" | tr ' ' '\n' | grep . | sort | tr '\n' ' ')" ]; tap $? "rows in package ID order"
check "sorting keeps the cursor on the same cell" tui_wait_line cursor "$pkg0 × $dp0 " 2
tui_keys s
check "s: sort by name" tui_wait 'sorted by name' 2
tui_keys s
check "s: back to problems first" tui_wait 'sorted by problems' 2

tui_keys q
check "q quits with 0" tui_wait "$TUI_EXIT_MARK 0" 3
tui_screen | grep -q 'packages'; tap $((! $?)) "q: the terminal is restored (the grid is gone)"

tui_start_demo 200 50
check "200x50: the grid appears" tui_wait ' of [0-9]+ packages' 10
check "200x50: every count has its label" tui_wait_row 2 "✗ $failed failed .*↻ [0-9]+ retrying .*✓ $installed installed" 3
tui_wait_stable 5
screen=$(tui_screen)
echo "$screen" | sed -n 3,20p | grep -q '…'; tap $((! $?)) "200x50: DP names shown whole"
rows=$(echo "$screen" | grep -Ec '^009[0-9A-F]{5} ')
[ "$rows" -eq "$bad_pkgs" ] || [ "$rows" -gt 30 ]; tap $? "200x50: more rows visible ($rows)"
tui_keys q
check "200x50: q quits" tui_wait "$TUI_EXIT_MARK 0" 3
tui_done
