#!/usr/bin/env bash
# The repair wizard's batch pages at 80x24, on the demo site with its clock
# running: Space will not mark an installed cell and says why, and R on it
# says "nothing to repair" at once; q with marked cells asks first.  Two
# PCK_MISSING cells in one preload-pck group: the group dialog says what n
# does (stops the group there) in the words of the step prompt; a step's
# scope is the group's total with a line per cell; the page says "more"
# when it goes on below; the previous step's result stays above the fold;
# the wait step asks nothing and counts down in one line from 30:00; q while
# it runs asks first; the summary counts the cells that needed repair and
# lists the steps.  On one cell, the plan list shows whole plan titles, and
# a hand step asks "Done? [y]es/[N]o".
. "$(dirname "$0")/lib.sh"
tui_require "$TUI_DPDOCTOR"
tui_demo_init || tui_skip_all "the demo site cannot be created"

mapfile -t cells < <(tui_demo_failures PCK_MISSING 2>/dev/null |
	awk '!seen[$1]++ { print $1, $2 }' | head -n 2)
[ "${#cells[@]}" -eq 2 ] || tui_skip_all "fewer than 2 PCK_MISSING packages in the demo"
# An installed cell in a row the problems-only grid shows.
read -r ip id < <(tui_json all '[x["PackageID"] + " " + x["DP"] for x in p
    if x["StateValue"] == 0 and x["DP"].endswith("DP01") and any(y["PackageID"] == x["PackageID"] and
    y["StateValue"] != 0 for y in p)][:1]')
[ -n "$ip" ] || tui_skip_all "no installed cell beside a failing one"

# shellcheck disable=SC2046
tui_start 80 24 $(tui_demo_env) DPDOCTOR_SIM_TIME= -- "$TUI_DPDOCTOR" --demo="$TUI_DEMO"
check "the grid appears" tui_wait ' of [0-9]+ packages' 10

# Installed DPs show with `a` (all packages and DPs).
tui_keys a
check "a: all packages and DPs" tui_wait_text 'showing all packages and DPs' 3
check "on the installed $ip x $id" tui_goto_cell "$ip" "$id"
tui_keys Space
check "Space on an installed cell: not marked, and says why" \
	tui_wait_text "$ip on $id not marked: installed: nothing to repair" 3
tui_keys R
check "R on it: nothing to repair, at once" \
	tui_wait_text "$ip on $id: installed: nothing to repair" 3
check "  and no wizard opens" tui_wait ' of [0-9]+ packages' 2
tui_keys a
check "a: problems only again" tui_wait_text 'showing problems only' 3

n=0
for c in "${cells[@]}"; do
	read -r p d <<<"$c"
	n=$((n + 1))
	check "on $p x $d" tui_goto_cell "$p" "$d"
	tui_keys Space
	check "  Space marks it ($n marked)" tui_wait_text "$n marked" 2
done
tui_filter ""
tui_keys q
check "q with marked cells asks first" tui_wait_text 'Quit dpdoctor?' 3
check "  saying how many are marked" tui_wait_text '2 cells are marked for repair' 2
tui_keys Enter
check "  Enter (no): still running, marks kept" tui_wait_gone 'Quit dpdoctor\?' 3

tui_keys R
check "R: one preload-pck group of 2" tui_wait 'preload-pck +2 cells' 20
tui_keys Enter
check "the group dialog" tui_wait 'Group 1 of 1: preload-pck' 10
# (The box's border stands between its lines: each line on its own.)
says_n() { tui_screen | tr -d '│' | tr -s ' \n' ' ' | grep -Fq 'y runs it, s skips it, n stops the group there'; }
check "  says n stops the group, as the step prompt does" tui_until 3 says_n
tui_keys Enter
check "step 1, with the prompt's words" tui_wait_text 'Run it? [y]es  [N]o, stop  [s]kip  [a]bort' 20
check "  the scope is the group's total" tui_wait_joined 'all 2 cells of the group: ' 3
check "  the page goes on below: more" tui_wait 'more (↓|v) \(PgDn\)' 3
old=$(tui_screen)
for _ in 1 2 3 4 5 6; do
	tui_keys PageDown
	tui_wait_change "$old" 2 || break
	old=$(tui_screen)
	tui_screen | grep -q 'more (↓|v)' || break
done
for c in "${cells[@]}"; do
	read -r p d <<<"$c"
	check "  a line for $p on $d, with its bytes" \
		tui_wait_joined "$p on $d: on " 3
done
tui_keys y
check "step 2" tui_wait 'Step 2 of [0-9]+' 30
check "  step 1's result above the fold, on the same screen" tui_wait 'Step 1 result' 2

# The other steps (the branch's two included) until the wait.
for k in 2 3 4 5 6; do
	tui_wait "Step $k of [0-9]+" 40 || break
	tui_wait_text 'Run it? [y]es' 5 || break
	tui_keys y
	tui_wait_gone "Step $k of [0-9]+" 40
done
check "the wait runs without asking" tui_wait 'waiting for Installed: .*left' 30
! tui_screen | grep -Fq 'Run it?'; tap $? "  no question on its page"
check "  it counts down from its bound" tui_wait 'waiting for Installed: .* (30|29):[0-9]{2} left' 5
check "  still counting" tui_wait 'waiting for Installed: .* 2[0-9]:[0-9]{2} left' 20
is_one() { [ "$(tui_screen | grep -c 'waiting for Installed')" -eq 1 ]; }
check "  in one line, updated in place" tui_until 3 is_one
tui_keys q
check "q while the step runs asks first" tui_wait_text 'A step is running' 3
tui_keys Enter
check "  Enter (no): it goes on" tui_wait_gone 'A step is running' 3
check "what changed, at the end" tui_wait_text 'What changed' 60
check "  the cells that needed repair" tui_wait_text '2 cells needed repair' 5
check "  every step with its outcome" tui_wait 'step 1 copy-pck: ok' 3
tui_keys Escape
check "Esc closes the wizard" tui_wait ' of [0-9]+ packages' 3

# One cell: the plan list at 80 columns shows whole titles.
read -r p d < <(tui_demo_failures PCK_MISSING 2>/dev/null | awk '!seen[$1]++ { print $1, $2 }' |
	sed -n 3p)
if [ -n "$p" ]; then
	tui_goto_cell "$p" "$d"
	tui_keys R
	check "R on one cell: the plans" tui_wait '▸ preload-pck' 20
	check "  a long plan title is whole, not cut at the edge" \
		tui_wait_joined "Rename the primary's PCK, then touch the source path (all DPs)" 3
	tui_keys Escape
fi
# A step done by hand asks whether it was done, not whether to run it.
read -r p d _ < <(tui_demo_failures SHARE_PERMS 2>/dev/null | head -n 1)
if [ -n "$p" ]; then
	tui_wait ' of [0-9]+ packages' 3
	tui_goto_cell "$p" "$d"
	tui_keys R
	check "R on a share-permissions cell: fix-share-perms suggested" \
		tui_wait '▸ fix-share-perms .*\(suggested\)' 20
	tui_keys Enter
	tui_wait 'Plan fix-share-perms' 10
	tui_keys Enter
	check "  its hand step asks: Done? [y]es/[N]o" tui_wait_text 'Done? [y]es/[N]o' 5
	tui_keys Escape
	tui_wait ' of [0-9]+ packages' 3
fi
tui_keys q
check "q quits (no marks left)" tui_wait "$TUI_EXIT_MARK 0" 5
tui_done
