#!/usr/bin/env bash
# The first paint: the frame (title, "reading site" with a spinner) is on
# screen before any site work, here while the large demo site is still
# being generated (its site.db not yet written); the spinner turns while
# it is, and the grid follows.
# A set-up that fails leaves the frame and its message stays readable on
# the normal screen.
. "$(dirname "$0")/lib.sh"
tui_require "$TUI_DPDOCTOR"

TUI_DEMO=$TUI_TMP/large
tui_start_demo 80 24 -- --demo-scenario=large
# One look at the screen, then at the disk: the frame must come first.
painted_early() {
	tui_screen | grep -q 'reading site' || return 1
	[ ! -e "$TUI_DEMO/site.db" ] || { late=1; return 1; }
}
late=0
tui_until 10 painted_early; rc=$?
[ "$late" -eq 0 ] || echo "# the frame came after the site was made"
tap "$rc" "'reading site' shows while the site is still being made"
check "  under the title" tui_wait_row 1 '^dpdoctor' 2
spin=$(tui_screen | grep 'reading site')
turned() { s=$(tui_screen | grep 'reading site') && [ "$s" != "$spin" ]; }
check "  and its spinner turns" tui_until 5 turned
check "the grid follows" tui_wait ' of 5000 packages' 60

TUI_DEMO=$TUI_TMP/bad
tui_start_demo 80 24 -- --demo-scenario=nosuch
check "a failed set-up: its message on the normal screen" \
	tui_wait_text 'unknown demo scenario "nosuch"' 10
tui_absent_text 'reading site'; tap $? "  and the frame is gone"
tui_done
