#!/usr/bin/env bash
# `?` help on the demo site: generated from the key bindings, with the state legend drawn in
# the grid's own glyphs and colours; scrolling (End and Home too, whatever TERM
# names them); Esc (and q) close it.
. "$(dirname "$0")/lib.sh"
tui_require "$TUI_DPDOCTOR"
tui_demo_init || tui_skip_all "the demo site cannot be created"

tui_start_demo 80 24
check "the grid appears" tui_wait ' of [0-9]+ packages' 10
tui_keys '?'
check "? opens help" tui_wait 'dpdoctor help' 2
check "help lists q (and F10) from the keymap" tui_wait '^ +q F10 +quit dpdoctor' 2
check "keys bound to one action share a line" tui_wait '^ +↑ k +previous package' 2
check "bindings grouped by context" tui_wait_text 'Anywhere' 2

# The whole help, page by page (at 80x24 it is longer than the screen).
body() { tui_screen | tail -n +3; } # without the ticking header
all_help() {
	local prev="" cur
	for _ in $(seq 1 10); do
		tui_wait_stable 5 # the page drawn whole
		cur=$(body)
		[ "$cur" = "$prev" ] && break
		echo "$cur"
		echo "$cur" >"$TUI_TMP/help.last"
		tui_screen -e >>"$TUI_TMP/help.esc"
		prev=$cur
		tui_keys PageDown
		# Until the page changes (2 s: at the last page it never does;
		# half a second was too short for a loaded machine to redraw).
		for _ in $(seq 1 40); do
			[ "$(body)" != "$cur" ] && break
			sleep 0.05
		done
	done
}
screen=$(all_help)
for s in INSTALLED INSTALL_PENDING INSTALL_RETRYING INSTALL_FAILED REMOVAL_PENDING \
	REMOVAL_RETRYING REMOVAL_FAILED CONTENT_UPDATING CONTENT_MONITORING; do
	echo "$screen" | grep -q "$s" || { echo "# missing $s"; false; } || break
done
tap $? "the legend lists every state"
echo "$screen" | grep -Eq '✗ failed +INSTALL_FAILED'; tap $? "legend: glyph and label"
echo "$screen" | grep -q '· -  *not targeted'; tap $? "legend: not targeted"
grep -q $'\033\[1m\033\[31m✗ failed' "$TUI_TMP/help.esc"; tap $? "legend: failed drawn in bold red, as in the grid"
grep -q $'\033\[32m✓ installed' "$TUI_TMP/help.esc"; tap $? "legend: installed drawn in green"
grep -q 'States 1-6 are problems' "$TUI_TMP/help.last"; tap $? "PgDn reaches the end"
# Every description in the key binding table is on the help screen.
missing=0
while IFS= read -r d; do
	echo "$screen" | grep -Fq -- "$d" || { echo "# not in help: $d"; missing=1; }
done < <(sed -n 's/.*KEYMAP_CTX_[A-Z]*, "\([^"]*\)" },$/\1/p' "$top_srcdir/tui/keymap.c")
[ "$(sed -n 's/.*KEYMAP_CTX_[A-Z]*, "\([^"]*\)" },$/\1/p' "$top_srcdir/tui/keymap.c" | wc -l)" -gt 20 ] && [ $missing -eq 0 ]
tap $? "help shows every binding in tui/keymap.c"
tui_keys g
check "g scrolls back to the top" tui_wait 'dpdoctor help' 2
tui_keys G
check "G scrolls to the end" tui_wait 'States 1-6 are problems' 2

tui_keys Escape
check "Esc closes help" tui_wait ' of [0-9]+ packages' 2
tui_keys '?'
tui_wait 'dpdoctor help' 2
tui_keys q
check "q closes help (it does not quit)" tui_wait ' of [0-9]+ packages' 2
tui_keys q
check "q then quits" tui_wait "$TUI_EXIT_MARK 0" 3

# Home and End as tmux sends them (ESC [ 1 ~, ESC [ 4 ~) to a program that
# was told TERM=xterm-256color, whose terminfo names other sequences: they
# still scroll the help, rather than reading as Esc (which closes it).
tui_start_demo 80 24 TERM=xterm-256color
tui_wait ' of [0-9]+ packages' 10
tui_keys '?'
tui_wait 'dpdoctor help' 2
tui_keys End
check "End scrolls the help to its end (TERM=xterm-256color)" \
	tui_wait 'States 1-6 are problems' 2
tui_keys Home
check "Home scrolls it back to the top" tui_wait 'dpdoctor help' 2
tui_keys q
tui_wait "$TUI_EXIT_MARK 0" 3
tui_done
