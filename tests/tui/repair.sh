#!/usr/bin/env bash
# The repair wizard on the demo site, at 80x24, with the simulated clock
# running (wait steps need SMS to move on).  (a) Three PCK_MISSING cells in
# different rows are marked with Space, R groups them (one preload-pck
# group of 3), the group is confirmed, every step answered y, and the
# wizard shows each cell's before -> after; the grid then shows them
# installed and the journal holds an ok end for every step and cell; at
# the first step v shows the PowerShell the step sends, and v goes back.
# (b) On a fourth cell, Enter at the first step (the default, no) changes
# nothing: the journal says declined and the status is unchanged.  A
# destructive step whose target changed since the plan was shown asks again.
# (c) --read-only: R says repairs are disabled, help lists them disabled.
. "$(dirname "$0")/lib.sh"
tui_require "$TUI_DPDOCTOR"
tui_demo_init || tui_skip_all "the demo site cannot be created"

JOURNAL="$TUI_TMP/state/dpdoctor/journal.jsonl"
# Distinct packages (rows) among the PCK_MISSING cells.
mapfile -t cells < <(tui_demo_failures PCK_MISSING 2>/dev/null |
	awk '!seen[$1]++ { print $1, $2 }' | head -n 4)
[ "${#cells[@]}" -eq 4 ] || tui_skip_all "fewer than 4 PCK_MISSING packages in the demo"

# The site's clock runs (DPDOCTOR_SIM_TIME empty), from where the frozen
# site stood.
start_running() {
	# shellcheck disable=SC2046
	tui_start 80 24 $(tui_demo_env) DPDOCTOR_SIM_TIME= -- \
		"$TUI_DPDOCTOR" --demo="$TUI_DEMO" "$@"
}

# The journal's end results for PKG DP, one per line.
journal_results() {
	python3 -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    t = e["target"]
    if e["phase"] == "end" and t["package"] == sys.argv[2] and t["dp"] == sys.argv[3]:
        print(e["step"]["number"], e["result"])
' "$JOURNAL" "$1" "$2" 2>/dev/null
}

cell_state() {
	# shellcheck disable=SC2046
	env $(tui_demo_env) DPDOCTOR_SIM_TIME=2007-01-01T00:00:00Z "$TUI_DPDOCTOR" status \
		--demo="$TUI_DEMO" --format csv --all | awk -F, -v p="$1" -v d="$2" \
		'$1 == p && $3 == d { print $4 }'
}

# At the first step: the short line is a summary ("In short"), with the op
# it is sent as; v shows the PowerShell really sent, from its first line,
# and v again goes back to the summary.
script_toggle() {
	check "step page shows the step in short" tui_wait '^  In short ' 3
	check "  and the op it is sent as, and which server runs it" \
		tui_wait '^  Sent as  *op copyfile, run by ' 3
	check "  the prompt offers v: script" tui_wait 'v: script$' 3
	tui_keys v
	check "  v: the script, from its first line" tui_wait '^    # dpdoctor op=copyfile v=1$' 3
	check "  its argument block names the DP's PCK" \
		tui_wait "^    \\\$A\\['dst'\\] = '.*\\\\SMSPKG\\\\[0-9A-F]{8}\\.PCK'\$" 3
	check "  the prompt offers v: summary" tui_wait 'v: summary$' 3
	tui_keys v
	check "  v again: the script is gone" tui_wait_gone '# dpdoctor op=' 3
	check "  and the summary is back" tui_wait '^  In short ' 3
}

t0=$(date +%s)
start_running
check "the grid appears" tui_wait ' of [0-9]+ packages' 10

# (a) a batch of three.
n=0
for c in "${cells[@]:0:3}"; do
	read -r p d <<<"$c"
	n=$((n + 1))
	check "on $p x $d" tui_goto_cell "$p" "$d"
	tui_keys Space
	check "  Space marks it ($n marked)" tui_wait_text "$n marked" 2
done
tui_filter ""
check "marked cells are drawn *X*" tui_wait '\*✗\*' 3
tui_keys R
check "R: the wizard groups the marked cells" tui_wait 'preload-pck +3 cells' 20
for c in "${cells[@]:0:3}"; do
	read -r p d <<<"$c"
	check "  lists $p x $d" tui_wait_text "$p × $d" 3
done
tui_keys Enter
check "Enter: the group is asked once, with count and bytes" \
	tui_wait 'Group 1 of 1: preload-pck' 10
check "  3 cells and the bytes" tui_wait '3 cells, [0-9.]+ [KMG]?B' 3
check "  [Y]es / [n]o, skip" tui_wait '\[Y\]es, start.*\[n\]o, skip this group' 3
tui_keys Enter
k=1
while [ $k -le 10 ]; do
	tui_wait "Step $k of [0-9]+|What changed" 40 || break
	tui_screen | grep -q 'What changed' && break
	tui_wait_text 'Run it? [y]es  [N]o, stop  [s]kip  [a]bort' 2 || break
	[ $k -eq 1 ] && script_toggle
	tui_keys y
	tui_wait_gone "Step $k of [0-9]+" 40
	k=$((k + 1))
done
check "after the last step: what changed" tui_wait_text 'What changed' 40
for c in "${cells[@]:0:3}"; do
	read -r p d <<<"$c"
	check "  $p on $d -> INSTALLED" tui_wait "$p on $d: .*-> INSTALLED" 5
done
check "  3 of 3 cells installed" tui_wait_text '3 of 3 cells installed now' 5
tui_keys Escape
check "Esc closes the wizard" tui_wait ' of [0-9]+ packages' 3
tui_keys a
for c in "${cells[@]:0:3}"; do
	read -r p d <<<"$c"
	tui_goto_cell "$p" "$d"
	check "the grid shows $p x $d installed" tui_wait_line cursor '✓ installed' 3
	journal_results "$p" "$d" | grep -vq ' ok$'; [ $? -ne 0 ] && [ -n "$(journal_results "$p" "$d")" ]
	tap $? "  the journal has only ok ends for it"
done
tui_filter ""
tui_keys a

# (b) Enter at the first step: no.
read -r p d <<<"${cells[3]}"
before=$(cell_state "$p" "$d")
check "on $p x $d" tui_goto_cell "$p" "$d"
tui_keys R
check "R on one cell: the plans, the suggested one preselected" \
	tui_wait '▸ preload-pck .*\(suggested\)' 20
tui_keys Enter
check "Enter: every step of the plan first" tui_wait 'Plan preload-pck' 10
check "  numbered steps" tui_wait '^ +1\. ' 3
tui_keys Enter
check "Enter: step 1" tui_wait_text 'Run it? [y]es  [N]o' 3
tui_keys Enter
check "Enter (no): the plan stops" tui_wait_text 'What changed' 15
check "  the step says declined" tui_wait_text 'declined' 3
journal_results "$p" "$d" | grep -q '^1 declined$'; tap $? "the journal says declined"
after=$(cell_state "$p" "$d")
[ -n "$before" ] && [ "$before" = "$after" ]; tap $? "the cell's status is unchanged ($before)"
tui_keys Escape

# A destructive step whose target changed after the plan was shown asks
# again (the stale distmgr.box PKG grows between the plan and the step).
read -r p d _ < <(tui_demo_failures STALE_PKG_FILE 2>/dev/null | head -n 1)
pkgfile="$TUI_DEMO/servers/$d/E:/SMS/inboxes/distmgr.box/$p.PKG"
if [ -n "$p" ] && [ -f "$pkgfile" ]; then
	tui_wait ' of [0-9]+ packages' 3
	tui_goto_cell "$p" "$d"
	tui_keys R
	check "R on a stale PKG: clear-pkg-then-preload suggested" \
		tui_wait '▸ clear-pkg-then-preload .*\(suggested\)' 20
	tui_keys Enter
	tui_wait 'Plan clear-pkg-then-preload' 10
	tui_keys Enter
	for _ in 1 2 3 4; do
		tui_wait_text 'Run it? [y]es' 10 || break
		tui_wait_stable 5 # the step's page whole, its mark too
		tui_screen | grep -q 'DESTRUCTIVE' && break
		old=$(tui_screen)
		tui_keys y
		tui_wait_change "$old" 10
	done
	check "  a destructive step is marked" tui_wait_text 'DESTRUCTIVE' 5
	printf 'changed by the test\n' >>"$pkgfile"
	tui_keys y
	check "  its target changed: asked again" tui_wait_text 'The target changed' 10
	says_changed() { tui_screen | grep -q "$p.PKG" && tui_screen | grep -q 'changed since the plan'; }
	check "  saying what changed" tui_until 3 says_changed
	tui_keys Enter
	check "  Enter (no): the plan stops" tui_wait_text 'What changed' 10
	[ -f "$pkgfile" ]; tap $? "  and the file is still there"
	tui_keys Escape
fi
tui_keys q
check "q quits" tui_wait "$TUI_EXIT_MARK 0" 5

# (c) read-only.
start_running --read-only
check "read-only: the grid appears" tui_wait ' of [0-9]+ packages' 10
tui_keys R
check "R says repairs are disabled" tui_wait_text 'read-only: repairs are disabled' 3
tui_keys Escape
tui_keys '?'
tui_wait 'dpdoctor help' 2
found=1
for _ in $(seq 1 12); do
	tui_wait_stable 5 # the help page whole
	tui_screen | grep -A1 'R  *repair the marked cells' | tr -d '\n' |
		grep -Eq '\(disabled: +read-only\)' &&
		{ found=0; break; }
	old=$(tui_screen)
	tui_keys PageDown
	tui_wait_change "$old" 2 || break
done
tap $found "help lists R as disabled"
tui_keys Escape
tui_keys q
check "q quits" tui_wait "$TUI_EXIT_MARK 0" 5
echo "# $(($(date +%s) - t0)) s"
tui_done
