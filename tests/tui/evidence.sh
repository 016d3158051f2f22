#!/usr/bin/env bash
# Evidence and diagnosis in the detail pane, on the demo site: Enter on a
# failing cell shows "gathering…" (the transport is slowed down) and then
# the finding's title, on the pane's bottom border and in the pane above
# its evidence, grouped, cited items marked; the pane scrolls; every kind
# of failure the simulator made gets its own finding.  Which cells fail how
# comes from the simulator's site.db; the titles from backend/sms/diagnose.h.
. "$(dirname "$0")/lib.sh"
tui_require "$TUI_DRIVER"
tui_demo_init || tui_skip_all "the demo site cannot be created"

# Failure mode -> finding (backend/sms/diagnose.h FINDING_TABLE).
modes="PCK_MISSING:FIND_PCK_NOT_ARRIVED STALE_PKG_FILE:FIND_PKG_FILE_STALE
NOT_IN_DB:FIND_NOT_IN_DB SOURCE_MISSING:FIND_SOURCE_MISSING
SHARE_PERMS:FIND_SHARE_PERMS PCK_NO_REGEN:FIND_PCK_STALE"

read -r pkg dp _ < <(tui_demo_failures PCK_MISSING)
title=$(tui_finding_title FIND_PCK_NOT_ARRIVED)
[ -n "$pkg" ] && [ -n "$title" ] || tui_skip_all "no PCK_MISSING pair in the demo"

# A slowed-down transport (the test driver) so "gathering…" can be seen.
TUI_EVIDENCE_BIN=driver tui_start_evidence 80 24 DPD_FAKE_DELAY_MS=150
check "the grid appears" tui_wait ' of [0-9]+ packages' 10
check "on $pkg x $dp (PCK_MISSING)" tui_goto_cell "$pkg" "$dp"
tui_keys Enter
check "Enter: the pane says gathering…" tui_wait '└─ . gathering… ─' 3
check "  over the facts (the pane is open at once)" tui_wait_text "─ $pkg × $dp ─" 2
check "then the finding on the pane's border" tui_wait_text "└─ ${title:0:40}" 5
tui_keys PageDown
check "PgDn scrolls the pane to the finding" tui_wait_text "│ Finding   $title" 2
check "  the border says there is more above and below" tui_wait_text '↑ more ↓' 2
tui_wait_stable 5
screen=$(tui_screen)
# Page to the end, keeping every screen.  The bound only stops a pane
# that never ends: a child site server's distmgr.log gives a couple of
# hundred items (every INCOMING file's lines), some 130 pages at 80x24.
all=$screen
for i in $(seq 1 400); do
	old=$(tui_screen)
	echo "$old" | grep -q ' ↑ ─┘' && break
	tui_keys PageDown
	tui_wait_change "$old" 1 || break
	tui_wait_stable 5 # the whole page, not the first lines of it
	all=$all$'\n'$(tui_screen)
done
check "the pane scrolls to its end" tui_wait_text ' ↑ ─┘' 2
# Under the finding's explanation (which the Kind and Layout lines may push
# past the page PgDn showed), its suggested repair: only the first finding
# has that line.
echo "$all" | grep -Eq '^│ {11}suggested repair: preload-pck +│$'
tap $? "  the finding comes with the suggested repair"
for g in Package Primary 'Distribution point' distmgr.log; do
	echo "$all" | grep -q "^│ $g  "; tap $? "evidence group: $g"
done
echo "$all" | grep -Eq '^│ ▸ [a-z-]+ '; tap $? "cited items are marked ▸"
echo "$all" | grep -Eq "· ($dp|SMS009PRI|FILESRV01) [A-Za-z\\\\]"; tap $? "items say where they were read"
tui_keys Escape
check "Esc closes the pane" tui_wait_gone "─ $pkg × $dp ─" 2

# Every failure mode the simulator made: its finding, wide enough for the
# whole title on the border.
tui_keys q
tui_wait "$TUI_EXIT_MARK 0" 3
tui_start_evidence 120 40
check "120x40: the grid appears" tui_wait ' of [0-9]+ packages' 10
for m in $modes; do
	mode=${m%%:*}
	want=$(tui_finding_title "${m#*:}")
	read -r p d _ < <(tui_demo_failures "$mode")
	if [ -z "$p" ]; then
		tap 0 "# SKIP no $mode pair in the demo"
		continue
	fi
	tui_goto_cell "$p" "$d"
	tui_keys Enter
	tui_wait "─ $p × $d ─" 2
	check "$mode ($p x $d): $want" tui_wait_text "└─ $want ─" 5
	check "  and as the pane's finding" tui_wait_text "│ Finding   $want" 5
	tui_keys Escape
	tui_wait_gone "─ $p × $d ─" 2
done

tui_keys q
check "q quits" tui_wait "$TUI_EXIT_MARK 0" 3
tui_done
