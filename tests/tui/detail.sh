#!/usr/bin/env bash
# The detail pane: Enter opens it on the cursor cell with the package, the
# DP, the state's meaning, versions and dates; arrows move the cell under
# it; Esc and Enter close it; a cell with no status row says "not targeted".
. "$(dirname "$0")/lib.sh"
tui_require "$TUI_DRIVER"

filter() {
	tui_keys /
	tui_wait '^Filter' 2
	tui_keys C-u
	tui_keys -l "$1"
	tui_keys Enter
	tui_wait "filter \"$1\"" 2
}

tui_start 80 24 -- "$TUI_DRIVER"
check "the grid appears" tui_wait 'of 40 packages'
tui_keys s
tui_wait 'sorted by package ID' 2
filter DP01
tui_keys g 0
check "cursor on 00900010 x DP01" tui_wait '00900010 × DP01 ' 2

tui_keys Enter
check "Enter opens the pane titled with the cell" tui_wait '─ 00900010 × DP01 ─' 2
screen=$(tui_screen)
echo "$screen" | grep -q '✗ INSTALL_FAILED (3)'; tap $? "pane: state name and number"
echo "$screen" | grep -q 'Distribution Manager gave up installing'; tap $? "pane: what the state means"
echo "$screen" | grep -q 'Package   00900010 Office 2003 Professional'; tap $? "pane: package ID and name"
echo "$screen" | grep -q 'Microsoft · 1.0 · English'; tap $? "pane: manufacturer, version, language"
echo "$screen" | grep -q 'Source    \\\\SMS009PRI\\Sources\\pkg0'; tap $? "pane: source path"
echo "$screen" | grep -q 'SourceVersion 2 · StoredPkgVersion 2'; tap $? "pane: package versions"
echo "$screen" | grep -q 'NAL path  \["Display=\\\\DP01\\"\]MSWNET'; tap $? "pane: NAL path"
echo "$screen" | grep -q "SourceVersion 1, behind the package's 2"; tap $? "pane: the DP is behind"
echo "$screen" | grep -q 'LastCopied 2007-01-03 22:15 UTC'; tap $? "pane: LastCopied"
echo "$screen" | grep -q 'SummaryDate 2007-01-04 09:12 UTC'; tap $? "pane: SummaryDate"
echo "$screen" | grep -q 'of 40 packages'; tap $? "pane: the grid stays visible above it"

tui_keys Down
check "Down moves the cell under the pane" tui_wait_gone '─ 00900010 × DP01 ─' 2
tui_screen | grep -Eq '─ 009[0-9A-F]{5} × DP01 ─'; tap $? "  the pane follows it"
tui_keys Escape
check "Esc closes the pane" tui_wait_gone '─ 009[0-9A-F]{5} × DP01 ─' 2
tui_keys Enter
tui_wait '─ 009[0-9A-F]{5} × DP01 ─' 2
tui_keys Enter
check "Enter closes it too" tui_wait_gone '─ 009[0-9A-F]{5} × DP01 ─' 2

# A package across every DP, not-targeted cells included.
tui_keys a
filter 0090001A
check "all + package filter: one row, every DP" tui_wait '12 of 12 DPs' 2
tui_keys 0
found=1
for i in $(seq 1 12); do
	if tui_cursor_line | grep -q 'not targeted'; then found=0; break; fi
	old=$(tui_screen)
	tui_keys Right
	tui_wait_change "$old" 2
done
tap $found "a not-targeted cell is found"
tui_keys Enter
check "its pane says not targeted" tui_wait '· not targeted' 2
tui_screen | grep -q 'no status row'; tap $? "  and explains it"
tui_keys q
check "q quits from the pane" tui_wait "$TUI_EXIT_MARK 0" 3
tui_done
