#!/usr/bin/env bash
# The log view on the demo site: `l` on a failing cell shows the DP's
# distmgr.log lines that name the package, newest at the bottom, following;
# `f` shows all lines and back; `m` merges the primary's log (a column says
# which server); lines appended to the file show up while following;
# scrolling up pauses ("+N new"), End follows again; `/` searches with n/N;
# Esc closes; a transport without log access says so.
. "$(dirname "$0")/lib.sh"
tui_require "$TUI_DRIVER"
tui_demo_init || tui_skip_all "the demo site cannot be created"

tui_demo_logged_pair
append() { tui_log_append "$log" "$1"; }

tui_start_evidence 80 24
check "the grid appears" tui_wait ' of [0-9]+ packages' 10
check "on $pkg x $dp" tui_goto_cell "$pkg" "$dp"
tui_keys L
check "l opens $dp's distmgr.log" tui_wait "^distmgr.log $dp " 3
check "  its lines name $pkg" tui_wait "^[0-9]{2}-[0-9]{2} [0-9:]{8} . .*$pkg" 3
check "  following, filtered to the package" tui_wait_line status "^following · [0-9]* lines naming $pkg" 3
tui_wait_stable 5
tui_screen | grep -E '^[0-9]{2}-[0-9]{2} ' | grep -vq "$pkg"; [ $? -ne 0 ]; tap $? "  every line names the package"

tui_keys f
check "f: all lines" tui_wait_gone "lines naming $pkg" 2
check "  the key hints stay on the status line" tui_wait_line status 'f filter +m merge' 1
other_lines() { tui_screen | grep -E '^[0-9]{2}-[0-9]{2} ' | grep -vq "$pkg"; }
check "  lines of other packages show" tui_until 3 other_lines
tui_keys f
check "f again: only the package" tui_wait "lines naming $pkg" 2

tui_keys f m
check "f, m: the primary's lines show (all lines)" tui_wait '^[0-9]{2}-[0-9]{2} [0-9:]{8} . SMS009PRI ' 3
check "  the status line says merged" tui_wait_line status 'merged' 3
check "  so does the title" tui_wait "^distmgr.log $dp \+ SMS009PRI " 3
check "  the key hints stay after m" tui_wait_line status 'f filter +m merge' 1
tui_keys m f
check "m, f again: the primary's lines go" tui_wait_gone ' SMS009PRI ' 2
check "  and only the package's lines are left" tui_wait "lines naming $pkg" 2

append "~Package $pkg dpdoctor-test-marker one"
check "following: an appended line shows at the bottom" tui_wait 'dpdoctor-test-marker one' 3
# All lines: the package's own collapse into a few (×N), fewer than a screen.
tui_keys f
tui_wait_gone "lines naming $pkg" 2
tui_keys Up
check "Up pauses following" tui_wait '^paused — End to follow' 2
append "~Package $pkg dpdoctor-test-marker two"
check "  paused: the status counts new lines" tui_wait '^paused — End to follow \(\+1 new\)' 3
check "  and the view stays where it was" tui_absent 'dpdoctor-test-marker two'
tui_keys End
check "End follows again" tui_wait '^following' 2
check "  and shows the new line" tui_wait 'dpdoctor-test-marker two' 2
tui_keys f
tui_wait "lines naming $pkg" 2
tui_keys PageUp
check "PgUp pauses too" tui_wait '^paused' 2
tui_keys F
check "F follows again" tui_wait '^following' 2

# Identical consecutive lines (a retry loop's) show once, with ×N.
for i in 1 2 3; do append "~Package $pkg dpdoctor-test-repeat"; done
check "three identical lines collapse into one with ×3" tui_wait '×3 .*dpdoctor-test-repeat' 3
[ "$(tui_screen | grep -c dpdoctor-test-repeat)" -eq 1 ]; tap $? "  shown once"

# A line longer than the screen: → scrolls the text, ← back; w wraps it;
# Enter opens the whole entry.
long="~Package $pkg dpdoctor-test-long$(printf ' filler%.0s' $(seq 1 6)) dpdoctor-far-end"
append "$long"
check "a long line shows its start" tui_wait 'dpdoctor-test-long filler' 3
check "  not its end, past the edge" tui_absent 'dpdoctor-far-end'
tui_keys Right
check "→ scrolls the text left: its end shows" tui_wait 'dpdoctor-far-end' 2
check "  the status says from which column" tui_wait_line status 'from column [0-9]+' 2
tui_keys Left
check "← scrolls it back" tui_wait_gone 'dpdoctor-far-end' 2
tui_keys w
check "w wraps long lines: the end shows" tui_wait 'dpdoctor-far-end' 2
check "  on the row under the start" tui_wait 'dpdoctor-test-long filler' 1
check "  the status says wrapped" tui_wait_line status 'wrapped' 2
tui_keys w
check "w again cuts them" tui_wait_gone 'dpdoctor-far-end' 2
tui_keys Enter
check "Enter opens the whole (newest) entry" tui_wait 'distmgr.log entry' 2
check "  its text wrapped, to the end" tui_wait 'dpdoctor-far-end' 2
tui_keys Escape
check "  Esc closes the entry, not the log" tui_wait_gone 'distmgr.log entry' 2
check "  the log stays" tui_wait "^distmgr.log $dp " 2

tui_keys /
check "/ opens the search prompt" tui_wait '^Search:' 2
tui_keys -l dpdoctor-test-marker
tui_keys Enter
check "  the search pauses at the newest match" tui_wait '^paused' 2
highlighted() { tui_screen -e | grep -Eq $'\e\\[[0-9;]*7[0-9;]*mdpdoctor-test-marker'; }
check "  the match is highlighted (reverse)" tui_until 2 highlighted
tui_keys N
check "N: the match above (marker one)" tui_wait_line status '^paused' 2
tui_keys N
check "N past the oldest match: search wrapped to the bottom" tui_wait 'search wrapped to the bottom' 2
tui_keys n
check "n past the newest match: search wrapped to the top" tui_wait 'search wrapped to the top' 3

tui_keys Escape
check "Esc closes the log" tui_wait_gone "^distmgr.log $dp " 2
check "  back on the grid" tui_wait ' of [0-9]+ packages' 2
tui_keys L
check "l again, then q closes it (not the program)" tui_wait "^distmgr.log $dp " 3
tui_keys q
check "  q closed the log" tui_wait_gone "^distmgr.log $dp " 2
tui_keys q
check "q quits from the grid" tui_wait "$TUI_EXIT_MARK 0" 3

# A plain DP of a child site has no SMS and no log of its own: `l` opens
# the log of the site server that serves it, and says so.
plain='' server=''
while read -r p d _; do
	# shellcheck disable=SC2046
	read -r kind server < <(env $(tui_demo_env) "$TUI_DPDOCTOR" diagnose "$p" "$d" --demo="$TUI_DEMO" --format json 2>/dev/null </dev/null |
		python3 -c 'import json,sys; j = json.load(sys.stdin); print(j.get("kind"), j.get("sms_server"))')
	[ "$kind" = child-site-dp ] && { plain=$d ppkg=$p; break; }
done < <(tui_demo_failures)
if [ -n "$plain" ]; then
	tui_start_evidence 80 24
	tui_wait ' of [0-9]+ packages' 10
	tui_goto_cell "$ppkg" "$plain"
	tui_keys L
	check "l on $plain (a DP of a child site): its site server $server's log" tui_wait "^distmgr.log $server " 3
	tui_keys Escape q
	check "  and closes" tui_wait "$TUI_EXIT_MARK 0" 3
else
	tap 1 "the demo has a failing DP of a child site"
fi

# The test driver can stand for a transport without log access.
TUI_EVIDENCE_BIN=driver tui_start_evidence 80 24 DPD_FAKE_NO_LOGS=1
tui_wait ' of [0-9]+ packages' 10
tui_goto_cell "$pkg" "$dp"
tui_keys L
check "without log access: the view says so" tui_wait "^the distmgr.log of $dp cannot be reached with this transport yet" 3
tui_keys Escape q
check "and closes" tui_wait "$TUI_EXIT_MARK 0" 3
tui_done
