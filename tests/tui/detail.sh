#!/usr/bin/env bash
# The detail pane on the demo site: Enter opens it on the cursor cell with
# the package, the DP, the state and its meaning, versions and dates; arrows
# move the cell under it; Esc and Enter close it; a pair SMS has no row for
# says "not targeted".
. "$(dirname "$0")/lib.sh"
tui_require "$TUI_DPDOCTOR"
tui_demo_init || tui_skip_all "the demo site cannot be created"

# The first failed pair that was copied at some point.
sel='[x for x in p if x["State"] == "INSTALL_FAILED" and x["LastCopied"]][0]'
pkg=$(tui_json bad "${sel}[\"PackageID\"]")
name=$(tui_json bad "${sel}[\"PackageName\"]")
dp=$(tui_json bad "${sel}[\"DP\"]")
# The DP's own site, from its NAL path: a DP of a child site is not of 009.
dpsite=$(tui_json bad "${sel}[\"ServerNALPath\"].split(\"SMS_SITE=\")[1].split(\"\\\"\")[0]")
ver=$(tui_json bad "${sel}[\"SourceVersion\"]")
copied=$(tui_json bad "${sel}[\"LastCopied\"][:16].replace(\"T\", \" \") + \" UTC\"")
# A package and a DP with no status row between them.
read -r npkg ndp < <(tui_json all '[a + " " + b for a in sorted({x["PackageID"] for x in p}) for b in sorted({x["DP"] for x in p}) if (a, b) not in {(x["PackageID"], x["DP"]) for x in p}][0]')

tui_start_demo 80 24
check "the grid appears" tui_wait ' of [0-9]+ packages' 10
tui_filter "$pkg"
check "on $pkg x $dp" tui_goto_dp "$dp"

tui_keys Enter
check "Enter opens the pane titled with the cell" tui_wait "─ $pkg × $dp ─" 2
# Each line of the pane, waited for (the pane is drawn as the facts come).
check "pane: state name and value" tui_wait_text '✗ INSTALL_FAILED (3)' 5
check "pane: what the state means" tui_wait_text 'Distribution Manager gave up installing' 5
check "pane: package ID and name" tui_wait_text "Package   $pkg ${name:0:40}" 5
check "pane: manufacturer, version, language" tui_wait '^│ +[^ ].* · .* · ' 5
check "pane: source path" tui_wait '^│ Source    \\\\' 5
check "pane: package versions and site" tui_wait 'SourceVersion [0-9]+ · StoredPkgVersion [0-9]+ · source site 009' 5
check "pane: DP and its site" tui_wait_text "DP        $dp site $dpsite" 5
check "pane: NAL path" tui_wait_text "NAL path  [\"Display=\\\\$dp\\\"]MSWNET:" 5
check "pane: SourceVersion on the DP ($ver) against the package's" tui_wait "On DP     SourceVersion $ver, (behind the package's|current|ahead)" 5
check "pane: LastCopied ($copied)" tui_wait_text "LastCopied $copied" 5
check "pane: SummaryDate" tui_wait 'SummaryDate [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC' 5
check "pane: the grid stays visible above it" tui_wait ' of [0-9]+ packages' 5

# Issue 13: below the cell's facts, what the DP is to the package and the
# layouts its evidence was read with; r forgets the layouts, which are
# then learned again (the line changes from the cached one).
tui_keys NPage
check "pane: the DP's kind in words" tui_wait "Kind +$dp: (a DP of|the site server of)" 5
# The layouts come after the finding: page down to them once it is in.
layout_re="Layout +[A-Z0-9_-]+ \\(learned (via [^ ]+, )?(just now|[0-9]+ (min|h) ago)\\)"
page_to_layout() {
	local n
	for n in 1 2 3 4 5 6; do
		tui_wait "$layout_re" 2 && return 0
		tui_keys NPage
	done
	tui_wait "$layout_re" 2
}
tui_wait_gone ' gathering' 15
check "pane: a layout line after the finding, once the evidence is in" page_to_layout
sleep 2
tui_keys r
check "r: the layout is learned again" tui_wait "Layout +(being learned|.*[^0-9]0 (s|sec|min) ago|.*just now)" 10
tui_keys PPage PPage PPage PPage PPage PPage

tui_filter ""
check "the filter works under the pane; the cell stays" tui_wait "─ $pkg × $dp ─" 2
tui_keys Down
check "Down moves the cell under the pane" tui_wait_gone "─ $pkg × $dp ─" 2
check "  the pane follows it" tui_wait "─ 009[0-9A-F]{5} × $dp ─" 2
tui_keys Escape
check "Esc closes the pane" tui_wait_gone "─ 009[0-9A-F]{5} × $dp ─" 2
tui_keys Enter
tui_wait "─ 009[0-9A-F]{5} × $dp ─" 2
tui_keys Enter
check "Enter closes it too" tui_wait_gone "─ 009[0-9A-F]{5} × $dp ─" 2

tui_keys a
tui_filter "$npkg"
check "all + $npkg: every DP in its row" tui_goto_dp "$ndp"
check "the cursor line says not targeted" tui_wait_line cursor '· not targeted' 2
tui_keys Enter
check "the pane says not targeted" tui_wait '│ · not targeted' 2
check "  and explains it" tui_wait 'no status row' 2
tui_keys q
check "q quits from the pane" tui_wait "$TUI_EXIT_MARK 0" 3

# Issue 15: while the pane has the focus its own keys scroll it (Home,
# End, g, G; the grid's cursor stays), its border says "more ↓" while it
# goes on, and a share's ACL shows one rule a line.  (Paths wrapping at
# their separators: tests/tui/test_tui_logic.c, test_wrap.)
read -r apkg adp _ < <(tui_demo_failures SHARE_PERMS)
tui_start_evidence 80 24
tui_wait ' of [0-9]+ packages' 10
check "on $apkg x $adp (SHARE_PERMS)" tui_goto_cell "$apkg" "$adp"
tui_keys Enter
check "the pane's border says it goes on: more ↓" tui_wait "─ more ↓ ─┘" 5
check "  and not that it goes up" tui_absent "↑ more ↓ ─┘"
tui_wait_gone ' gathering' 15
tui_keys End
check "End: the pane's last line (the border points up only)" tui_wait ' ↑ ─┘' 3
check "  the cell under the pane is the same" tui_wait_text "─ $apkg × $adp ─" 2
tui_keys Home
check "Home: the pane's first line" tui_wait '^│ ✗ INSTALL_FAILED' 3
check "  more ↓ again" tui_wait "[^↑] more ↓ ─┘" 2
tui_keys G
check "G: the pane's end" tui_wait ' ↑ ─┘' 3
tui_keys g
check "g: the pane's top" tui_wait '^│ ✗ INSTALL_FAILED' 3
check "  the cell is still $apkg x $adp" tui_wait_text "─ $apkg × $adp ─" 2
# The screens from the one with the share-acl item to the next page (its
# rules may begin there), as $acl.
acl=''
acl_page() {
	local i old
	for i in $(seq 1 60); do
		tui_wait_stable 3
		old=$(tui_screen)
		if echo "$old" | grep -q '│ ▸ share-acl '; then
			tui_keys NPage
			tui_wait_change "$old" 2
			tui_wait_stable 3
			acl=$old$'\n'$(tui_screen)
			return 0
		fi
		tui_keys NPage
		tui_wait_change "$old" 2 || return 1
	done
	return 1
}
check "the share-acl item" acl_page
echo "$acl" | grep -Eq '^│ {18}BUILTIN\\Administrators:Allow:FullControl'
tap $? "  one rule a line: Administrators"
echo "$acl" | grep -Eq '^│ {18}NT AUTHORITY\\SYSTEM:Allow'
tap $? "  one rule a line: SYSTEM"
! echo "$acl" | grep -Fq ':None?'; tap $? "  no ? where the rules were joined"
tui_keys q
check "q quits" tui_wait "$TUI_EXIT_MARK 0" 3

# A thousand files in a child site server's INCOMING (a real inbox can
# hold that many): the evidence counts each kind, and the thousand are one
# line until Enter lists them.
tui_demo_logged_pair
inbox=$TUI_DEMO/servers/$dp/E:/SMS/inboxes/distmgr.box/INCOMING
one=$(find "$inbox" -name '*.PKG' | head -n 1)
for i in $(seq 1000 1999); do cp -p "$one" "$inbox/X000$i.PKG"; done
tui_start_evidence 80 24
tui_wait ' of [0-9]+ packages' 10
check "on $pkg x $dp, a thousand files in its INCOMING" tui_goto_cell "$pkg" "$dp"
tui_keys Enter
check "the pane opens" tui_wait_text "─ $pkg × $dp ─" 3
tui_wait_gone ' gathering' 20
# page_until PATTERN: PgDn until the pane shows it.
page_until() {
	local i old
	for i in $(seq 1 40); do
		tui_wait_stable 3
		tui_screen | grep -Eq -- "$1" && return 0
		old=$(tui_screen)
		tui_keys NPage
		tui_wait_change "$old" 2 || return 1
	done
	return 1
}
check "the evidence counts each kind: incoming 100x first" page_until '^│ {11}incoming 100[0-9], '
check "the thousand are one line until opened" page_until '^│ . incoming +100[0-9] items · [0-9]+ cited shown above; Enter lists them all'
[ "$(tui_screen | grep -Ec '^│ . incoming +(names|none)')" -le 1 ]; tap $? "  not a line per file"
tui_keys Enter
check "Enter lists them: the count line goes" tui_wait_gone 'incoming +100[0-9] items' 3
check "  the pane stays open" tui_wait_text "─ $pkg × $dp ─" 2
check "  a file of the thousand is listed" page_until 'INCOMING.X000[0-9]{4}\.PKG'
tui_keys Escape
check "Esc closes the pane" tui_wait_gone "─ $pkg × $dp ─" 2
tui_keys q
check "q quits" tui_wait "$TUI_EXIT_MARK 0" 3
tui_done
