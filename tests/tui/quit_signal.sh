#!/usr/bin/env bash
# Ctrl-\ (SIGQUIT) in the full-screen UI: it ends the program like the
# other quit signals (exit 131) and leaves the terminal as it found it --
# tmux reports the alternate screen off and the cursor shown for the pane.
. "$(dirname "$0")/lib.sh"
tui_require "$TUI_DPDOCTOR"
tui_demo_init || tui_skip_all "the demo site cannot be created"

# pane_is FORMAT WANT [SECONDS]: wait until tmux reports WANT for FORMAT.
pane_is() {
	local fmt=$1 want=$2 i
	for ((i = 0; i < ${3:-5} * 20; i++)); do
		[ "$(tui_tmux display-message -p "$fmt" 2>/dev/null)" = "$want" ] && return 0
		sleep 0.05
	done
	echo "# $fmt is $(tui_tmux display-message -p "$fmt" 2>/dev/null), want $want"
	return 1
}

tui_start_demo 80 24
check "the grid appears" tui_wait ' of [0-9]+ packages' 10
check "  the UI is on the alternate screen" pane_is '#{alternate_on}' 1
tui_keys 'C-\'
check "Ctrl-\\: the program leaves (exit 131)" tui_wait "$TUI_EXIT_MARK 131" 5
check "  the alternate screen is off" pane_is '#{alternate_on}' 0
check "  the cursor is shown" pane_is '#{cursor_flag}' 1
tui_done
