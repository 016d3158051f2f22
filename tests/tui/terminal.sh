#!/usr/bin/env bash
# Terminals: resize, the too-small screen and its recovery, NO_COLOR,
# a C locale (ASCII only), TERM=vt100, SIGTERM and a lost terminal (the
# terminal is restored or the process is gone), and no terminal at all.
. "$(dirname "$0")/lib.sh"
tui_require "$TUI_DPDOCTOR"
tui_demo_init || tui_skip_all "the demo site cannot be created"

# The program's pid: the child of the pane's shell.
tui_pid() {
	local sh
	sh=$(tui_tmux list-panes -F '#{pane_pid}' | head -1)
	pgrep -P "$sh" | head -1
}

tui_start_demo 80 24
check "80x24: the grid appears" tui_wait ' of [0-9]+ packages' 10
tui_tmux resize-window -x 120 -y 40
check "resize to 120x40: redrawn at the new size" tui_wait '^ *problems only · sort: problems .{40,}q quit$' 3
at_40() { [ "$(tui_screen | wc -l)" -eq 40 ] && tui_screen | tail -1 | grep -q 'q quit'; }
check "  status line on the last of 40 lines" tui_until 3 at_40
tui_tmux resize-window -x 50 -y 12
check "50x12: too small, says so politely" tui_wait 'terminal too small \(50x12\), need at least 60x15' 3
tui_keys j
tui_tmux resize-window -x 80 -y 24
check "back to 80x24: the grid returns" tui_wait ' of [0-9]+ packages' 3
tui_tmux resize-window -x 50 -y 12
tui_wait 'terminal too small' 3
tui_keys q
check "q quits from the too-small screen" tui_wait "$TUI_EXIT_MARK 0" 3

tui_start_demo 80 24 NO_COLOR=1
check "NO_COLOR: the grid appears" tui_wait ' of [0-9]+ packages'
tui_wait_stable 5 # every cell drawn, the cursor's too
esc=$(tui_screen -e)
echo "$esc" | grep -Eq $'\033\\[([0-9;]*;)?(3[0-7]|4[0-7]|38;5;[0-9]+|48;5;[0-9]+)m'
tap $((! $?)) "NO_COLOR: no colour at all"
echo "$esc" | grep -Eq $'\033\\[([0-9;]*;)?7m'; tap $? "NO_COLOR: reverse video marks the cursor"
echo "$esc" | grep -Eq $'\033\\[([0-9;]*;)?1m'; tap $? "NO_COLOR: bold marks problems"
tui_keys q
tui_wait "$TUI_EXIT_MARK 0" 3

tui_start_demo 80 24 LANG=C LC_ALL=C
check "C locale: the grid appears" tui_wait ' of [0-9]+ packages'
check "C locale: ASCII glyphs in the counts" tui_wait '^X [0-9]+ failed' 3
check "C locale: ASCII line drawing and cursor" tui_wait '^009[0-9A-F]{5} .*\|\[.\]' 3
tui_wait_stable 5
tui_screen | LC_ALL=C grep -q $'[\x80-\xff]'; tap $((! $?)) "C locale: ASCII only on screen"
tui_keys Enter
check "C locale: the pane has an ASCII frame" tui_wait '^\+- 009[0-9A-F]{5} x ' 2
tui_wait_stable 5
tui_screen | LC_ALL=C grep -q $'[\x80-\xff]'; tap $((! $?)) "C locale: the pane is ASCII too"
tui_keys q
tui_wait "$TUI_EXIT_MARK 0" 3

tui_start_demo 80 24 TERM=vt100
check "TERM=vt100: the grid appears" tui_wait ' of [0-9]+ packages'
tui_keys Down Enter
check "TERM=vt100: keys work" tui_wait 'Package   009' 2
tui_keys q
check "TERM=vt100: q quits" tui_wait "$TUI_EXIT_MARK 0" 3
tui_screen | grep -Eq ' of [0-9]+ packages'; tap $((! $?)) "TERM=vt100: the screen is restored"

tui_start_demo 80 24
tui_wait ' of [0-9]+ packages'
pid=$(tui_pid)
[ -n "$pid" ] && kill -TERM "$pid"
check "SIGTERM: leaves cleanly (exit 143)" tui_wait "$TUI_EXIT_MARK 143" 3
tui_screen | grep -Eq ' of [0-9]+ packages'; tap $((! $?)) "SIGTERM: the screen is restored"

tui_start_demo 80 24
tui_wait ' of [0-9]+ packages'
pid=$(tui_pid)
tui_tmux kill-server
gone=1
for _ in $(seq 1 40); do
	kill -0 "$pid" 2>/dev/null || { gone=0; break; }
	sleep 0.05
done
tap $gone "a lost terminal ends the program"

# shellcheck disable=SC2046
tui_start 80 24 $(tui_demo_env) TERM=dumb -- "$TUI_DPDOCTOR" --demo="$TUI_DEMO"
check "TERM=dumb: refused with exit 2" tui_wait "$TUI_EXIT_MARK 2" 3
tui_screen | grep -q 'cannot move the cursor'; tap $? "TERM=dumb: says why"
# shellcheck disable=SC2046
tui_start 80 24 $(tui_demo_env) TERM=no-such-terminal -- "$TUI_DPDOCTOR" --demo="$TUI_DEMO"
check "unknown TERM: refused with exit 2" tui_wait "$TUI_EXIT_MARK 2" 3
tui_screen | grep -q 'not in the terminfo database'; tap $? "unknown TERM: says why"

# shellcheck disable=SC2046
out=$(env $(tui_demo_env) "$TUI_DPDOCTOR" --demo="$TUI_DEMO" </dev/null 2>&1 >/dev/null); rc=$?
[ "$rc" -eq 2 ]; tap $? "no terminal: exit 2"
echo "$out" | grep -q 'needs a terminal'; tap $? "no terminal: says why ($out)"
tui_done
