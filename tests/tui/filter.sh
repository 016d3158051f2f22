#!/usr/bin/env bash
# The / filter on the demo site: the prompt, Enter narrowing the rows (by
# package ID, by name, by DP), Esc cancelling, a filter that matches nothing,
# an empty filter clearing, and the active filter on the status line.
. "$(dirname "$0")/lib.sh"
tui_require "$TUI_DPDOCTOR"
tui_demo_init || tui_skip_all "the demo site cannot be created"

bad_pkgs=$(tui_json bad 'len({x["PackageID"] for x in p})')
pkg=$(tui_json bad 'sorted(x["PackageID"] for x in p)[0]')
dp=$(tui_json bad 'sorted(x["DP"] for x in p)[0]')
dp_pkgs=$(tui_json bad "len({x['PackageID'] for x in p if x['DP'] == '$dp'})")
# A word from a problem package's name, in lower case.
word=$(tui_json bad 'sorted(w for x in p for w in x["PackageName"].split() if len(w) >= 5 and w.isalpha())[0].lower()')

tui_start_demo 80 24
check "the grid appears" tui_wait "^$bad_pkgs of [0-9]+ packages" 10

tui_keys /
check "/ opens the filter prompt" tui_wait '^Filter .*: *$' 2
tui_keys -l "$word"
check "typed text shows in the prompt" tui_wait "^Filter .*: $word\$" 2
tui_keys Enter
check "Enter applies and says what matched" tui_wait "filter \"$word\": [0-9]+ packages" 2
tui_wait_stable 5
n=$(tui_screen | sed -n 's/^\([0-9]*\) of [0-9]* packages.*/\1/p')
[ -n "$n" ] && [ "$n" -ge 1 ] && [ "$n" -lt "$bad_pkgs" ]; tap $? "\"$word\" narrows the rows ($n of $bad_pkgs)"
check "  the cursor is on a matching package" tui_wait_line cursor "$(printf %s "$word" | sed 's/[A-Za-z]/[\u&\l&]/g')" 2
tui_keys j
check "the next key shows the summary with the filter" tui_wait "filter: $word" 2

tui_keys /
check "/ opens empty, the filter in force beside it" tui_wait "^Filter [^:]*: +now: \"$word\"" 2
tui_keys C-u
tui_keys -l 'zzznomatch'
tui_keys Escape
check "Esc cancels the prompt" tui_wait_gone '^Filter' 2
check "  and the filter is unchanged" tui_wait "^$n of [0-9]* packages" 2

tui_filter zzznomatch
check "a filter matching nothing says so" tui_wait 'Nothing matches "zzznomatch" among the problems' 2
check "  and suggests a way out" tui_wait 'a to show all' 2

tui_filter "$pkg"
check "a package ID: one row" tui_wait "^1 of [0-9]+ packages" 2
check "  the cursor is on $pkg" tui_wait_line cursor "$pkg × " 2

tui_filter "$(echo "$dp" | tr 'A-Z' 'a-z')"
check "a DP name (any case): its column only" tui_wait "^1 of [0-9]+ DPs" 2
check "  and its $dp_pkgs problem packages" tui_wait "^$dp_pkgs of [0-9]* packages" 2
check "  the cursor is on $dp" tui_wait_line cursor " × $dp " 2

tui_filter ""
check "an empty filter clears it" tui_wait 'filter cleared' 2
check "  every problem row is back" tui_wait "^$bad_pkgs of [0-9]* packages" 2
tui_keys q
check "q quits" tui_wait "$TUI_EXIT_MARK 0" 3
tui_done
