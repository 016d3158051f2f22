#!/usr/bin/env bash
# Delta refresh on the demo site with its clock running (60 times the wall
# clock: the primary updates a package every 10-20 simulated minutes and
# its DPs go pending, then installed, within minutes): the header says a
# refresh read only what changed (Δ and the rows it carried), and the grid
# updates from such refreshes, not only from full reads (the demo reads
# everything every 20th refresh: a change of the counts is taken only when
# the same screen's header shows a delta that carried rows).
. "$(dirname "$0")/lib.sh"
tui_require "$TUI_DPDOCTOR"

if ! tui_demo_init; then
	tui_skip_all "the demo site could not be made"
fi
counts() { tui_screen | head -2 | tail -1; }
# DPDOCTOR_SIM_TIME empty: the site's clock runs from where it stood.
tui_start_demo 80 24 DPDOCTOR_SIM_TIME= -- --refresh 1
check "the grid appears" tui_wait ' of [0-9]+ packages' 10
check "a refresh that read only what changed says so in the header" \
	tui_wait '^dpdoctor .*updated [0-9]+s ago \(Δ[0-9]+\)' 6
prev=$(counts)
first=$prev
moved() {
	local s c r
	s=$(tui_screen)
	c=$(printf '%s\n' "$s" | sed -n 2p)
	[ "$c" != "$prev" ] && printf '%s\n' "$s" | head -1 | grep -q '(Δ[1-9][0-9]*)'
	r=$?
	prev=$c
	return $r
}
check "the counts move with a delta refresh (were: $first)" tui_until 90 moved
tui_keys q
check "q quits" tui_wait "$TUI_EXIT_MARK 0" 3
tui_done
