#!/usr/bin/env bash
# The grid holds still (issue 15): across three timed refreshes that change
# the states, the column order, the row order and the cursor cell's place
# on the screen stay the same, at 80x24 and at 200x50 (the fake site that
# reshuffles its problem counts on every call, and the live demo site whose
# clock runs); r sorts again.  Also: "problems" ranks failed above retrying
# above pending; at 200 columns the DP names stand whole and the grid uses
# the width; the detail pane keeps the header more than a letter tall; the
# / prompt opens empty with the filter in force beside it and filters as
# you type; l moves right and L opens the log; F5 refreshes and F10 quits;
# help says q closes it; R in read-only mode says so at once.
. "$(dirname "$0")/lib.sh"
tui_require "$TUI_DRIVER"
tui_require "$TUI_DPDOCTOR"

ids() { tui_screen | grep -Eo '^009[0-9A-F]{5}' | tr '\n' ' '; }
# The column header: the lines between the two bars and the first row.
header() { tui_screen | sed -n '3,/^009[0-9A-F]\{5\}/p' | sed '$d' | sed 's/^[^│]*│//'; }
# Where the cursor cell's "[" is: line and column.
cursor_at() {
	tui_screen | awk '/^009[0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F]/ { c = index($0, "│"); i = index(substr($0, c), "[");
		if (c && i) { print NR, c + i; exit } }'
}
# Wait for one refresh: its spinner, or (the demo answers faster than a
# look) the state counts on line 2 changing, which only a new snapshot does.
refreshed() { tui_screen | grep -q 'refreshing' || [ "$(tui_screen | sed -n 2p)" != "$1" ]; }
one_refresh() {
	local counts
	counts=$(tui_screen | sed -n 2p)
	tui_until 8 refreshed "$counts" && tui_wait_gone 'refreshing' 6
}

# hold_still WHAT: three refreshes; order and cursor place never change.
hold_still() {
	local what=$1 rows cols at n ok=0 why=''
	tui_wait_stable 5
	rows=$(ids) cols=$(header) at=$(cursor_at)
	[ -n "$rows" ] && [ -n "$at" ] || { tap 1 "$what: a grid with a cursor"; return; }
	for n in 1 2 3; do
		one_refresh || { ok=1 why="refresh $n did not come"; break; }
		tui_wait_stable 5
		[ "$(ids)" = "$rows" ] || { ok=1 why="rows moved at refresh $n"; break; }
		[ "$(header)" = "$cols" ] || { ok=1 why="columns moved at refresh $n"; break; }
		[ "$(cursor_at)" = "$at" ] || { ok=1 why="the cursor cell moved at refresh $n"; break; }
	done
	tap $ok "$what: rows, columns and the cursor cell stay put across three refreshes $why"
}

for size in "80 24" "200 50"; do
	# shellcheck disable=SC2086
	tui_start $size DPD_FAKE_SHUFFLE=1 DPD_FAKE_DELAY_MS=300 -- "$TUI_DRIVER" --refresh 1
	check "fake site at ${size/ /x}: the grid appears" tui_wait 'of 40 packages' 5
	tui_keys a Down Down Right Right
	tui_wait 'all packages' 2
	hold_still "fake site at ${size/ /x}, all packages"
	order=$(ids)
	tui_keys r
	one_refresh
	reordered() { [ "$(ids)" != "$order" ]; }
	check "  r sorts again" tui_until 3 reordered
	tui_keys q
	tui_wait "$TUI_EXIT_MARK 0" 3
done

# F5 refreshes as r does, F10 quits.
tui_start 80 24 DPD_FAKE_DELAY_MS=400 -- "$TUI_DRIVER"
check "the grid appears" tui_wait 'of 40 packages' 5
tui_wait_gone 'refreshing' 5
tui_keys F5
check "F5 refreshes" tui_wait 'refreshing' 2
tui_wait_gone 'refreshing' 5
tui_keys F10
check "F10 quits" tui_wait "$TUI_EXIT_MARK 0" 3

tui_demo_init || tui_skip_all "the demo site cannot be created"

# "problems": failed cells first, then retrying, then pending.
want=$(tui_json bad '" ".join(i for _, i in sorted((tuple(-sum(1 for x in p if x["PackageID"] == i and x["State"].endswith(k)) for k in ("FAILED", "RETRYING", "PENDING")), i) for i in {x["PackageID"] for x in p})[:12])')
tui_start_demo 80 24
check "the grid appears" tui_wait 'of [0-9]+ packages' 10
tui_wait_stable 5
got=$(ids | cut -d' ' -f1-12)
[ "$got" = "$want" ]; tap $? "problems: failed above retrying above pending"
[ "$got" = "$want" ] || echo "# got  $got"$'\n'"# want $want"

# The detail pane never squeezes the header to one letter.
tui_keys Enter
tui_wait '^┌' 3
first=$(tui_screen | grep -nE '^009[0-9A-F]{5}' | head -1 | cut -d: -f1)
[ -n "$first" ] && [ $((first - 3)) -ge 4 ]; tap $? "the detail pane leaves the header ${first:+$((first - 3))} lines tall (>= 4)"
tui_keys Escape
tui_wait_gone '^┌' 3

# / opens empty, the filter in force beside it, and filters as you type.
pkg=$(tui_json bad 'sorted(x["PackageID"] for x in p)[0]')
other=$(tui_json bad 'sorted(x["PackageID"] for x in p)[-1]')
tui_filter "$pkg"
check "a filter: one package" tui_wait "^1 of [0-9]+ packages" 3
tui_keys /
check "/ opens empty with the filter in force beside it" \
	tui_wait "^Filter [^:]*: +now: \"$pkg\"" 2
tui_keys -l "$other"
check "  typing filters at once (no Enter)" tui_wait "^$other " 2
check "  while the prompt is open" tui_wait '^Filter' 1
tui_keys Escape
check "  Esc puts the old filter back" tui_wait "^$pkg " 2
tui_filter ''
check "  and an empty filter clears" tui_wait_gone '^1 of [0-9]+ packages' 3

# l moves right (as h moves left); L opens the log.
tui_keys 0
tui_wait_stable 5
dp0=$(tui_cursor_line | grep -Eo '× [^ ]+')
tui_keys l
moved() { [ "$(tui_cursor_line | grep -Eo '× [^ ]+')" != "$dp0" ]; }
check "l moves to the next DP" tui_until 2 moved
check "  and opens no log" tui_absent 'f filter  m merge'
tui_keys h
check "h moves back" tui_wait_line cursor "$dp0 " 2
tui_keys L
check "L opens the DP's log" tui_wait 'f filter' 5
tui_keys Escape

# Help says q closes it, and q does.
tui_keys '?'
check "help says q closes it" tui_wait 'q or Esc closes' 3
tui_keys q
check "  q closes help (dpdoctor runs on)" tui_wait 'of [0-9]+ packages' 2
check "  and did not quit" tui_absent "$TUI_EXIT_MARK"
tui_keys q
tui_wait "$TUI_EXIT_MARK 0" 3

# At 200 columns: whole DP names across, and the grid uses the width.
tui_start_demo 200 50
check "200x50: the grid appears" tui_wait 'of [0-9]+ packages' 10
tui_wait_stable 5
missing=''
for d in $(tui_json bad 'sorted({x["DP"].split(".")[0] for x in p})'); do
	tui_screen | grep -Eq "(^| )$d( |$)" || missing="$missing $d"
done
[ -z "$missing" ]; tap $? "200x50: every DP name whole on one line${missing:+ (not:$missing)}"
right=$(tui_screen | grep -E '^009[0-9A-F]{5}' | head -1 | sed 's/ *$//' | LC_ALL=C.UTF-8 wc -m)
[ "${right:-0}" -ge 150 ]; tap $? "200x50: the grid uses the width (a row ends at column ${right:-?})"
tui_keys q
tui_wait "$TUI_EXIT_MARK 0" 3

# Read-only: R says so at once, the grid stays.
tui_start_demo 80 24 -- --read-only
check "read-only: the grid appears" tui_wait 'of [0-9]+ packages' 10
tui_keys R
check "R says read-only: repairs are disabled" tui_wait_row '$' 'read-only: repairs are disabled' 2
check "  and the grid stays" tui_wait 'of [0-9]+ packages' 1
tui_keys q
tui_wait "$TUI_EXIT_MARK 0" 3

# The live demo site (its clock runs, so states change between refreshes;
# last: it changes the site the checks above read).
for size in "80 24" "200 50"; do
	# shellcheck disable=SC2086
	tui_start_demo $size DPDOCTOR_SIM_TIME= -- --refresh 1
	check "live demo at ${size/ /x}: the grid appears" tui_wait 'of [0-9]+ packages' 10
	tui_keys a Down Right
	tui_wait 'all packages' 2
	hold_still "live demo at ${size/ /x}, all packages"
	tui_keys q
	tui_wait "$TUI_EXIT_MARK 0" 3
done

tui_done
