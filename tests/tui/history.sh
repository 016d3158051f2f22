#!/usr/bin/env bash
# The repair journal in the UI, on the demo site at 80x24.  (d) A step begun
# and never finished (a begin entry without its end, as a kill -9 during a
# repair leaves it) is offered at start-up once the status is in: [l]ater
# leaves it for the next start, [v]erify re-reads the cell, shows it in the
# detail pane and closes the step in the journal as interrupted, so the
# start after that offers nothing.  (e) H lists the journal newest first,
# each step with its result, and Esc closes it.
. "$(dirname "$0")/lib.sh"
tui_require "$TUI_DPDOCTOR"
tui_demo_init || tui_skip_all "the demo site cannot be created"

JOURNAL="$TUI_TMP/state/dpdoctor/journal.jsonl"
read -r pkg dp _ < <(tui_demo_failures PCK_MISSING 2>/dev/null | head -n 1)
read -r pkg2 dp2 _ < <(tui_demo_failures PCK_MISSING 2>/dev/null |
	awk -v p="$pkg" '$1 != p' | head -n 1)
[ -n "$pkg" ] && [ -n "$pkg2" ] || tui_skip_all "no PCK_MISSING pairs in the demo"

# journal_add ID PHASE PKG DP NUMBER NAME [RESULT]: one entry, in the
# journal's own format (backend/repair/journal.c).
journal_add() {
	mkdir -p "$(dirname "$JOURNAL")"
	python3 -c '
import json, sys
id, phase, pkg, dp, num, name = sys.argv[2:8]
e = {"time": "2026-11-25T12:0%s:00Z" % num, "step_id": id, "phase": phase,
     "user": "test", "host": "test", "site": "009", "plan": "preload-pck",
     "step": {"number": int(num), "name": name}, "target": {"package": pkg, "dp": dp},
     "params": {}}
if phase == "end":
    e["result"] = sys.argv[8]
    e["output_digest"] = "0" * 64
open(sys.argv[1], "a").write(json.dumps(e) + "\n")
' "$JOURNAL" "$@"
}
# A step whose name holds ESC [2J and a C1 CSI (U+009B): the view shows
# them as \x1b and \x9b, as `dpdoctor history` prints them.
journal_add T-0 begin "$pkg2" "$dp2" 0 $'esc\e[2J\xc2\x9bname'
journal_add T-0 end "$pkg2" "$dp2" 0 $'esc\e[2J\xc2\x9bname' ok
journal_add T-1 begin "$pkg2" "$dp2" 1 copy-pck
journal_add T-1 end "$pkg2" "$dp2" 1 copy-pck ok
journal_add T-2 begin "$pkg" "$dp" 2 set-pck-attrs
journal_add T-2 end "$pkg" "$dp" 2 set-pck-attrs ok
journal_add T-3 begin "$pkg" "$dp" 5 wait-installed

t0=$(date +%s)
tui_start_demo 80 24
check "the grid appears" tui_wait ' of [0-9]+ packages' 10
check "the unfinished step is offered" tui_wait_text 'Unfinished repair steps' 5
check "  naming the cell ($pkg x $dp)" tui_wait_text "$pkg × $dp" 3
check "  the plan and the step" tui_wait_text 'preload-pck #5 wait-installed' 3
check "  [v]erify now / [l]ater" tui_wait '\[v\]erify now.*\[l\]ater' 3
tui_keys L
check "l: later" tui_wait_gone 'Unfinished repair steps' 2
tui_keys q
check "q quits" tui_wait "$TUI_EXIT_MARK 0" 3

tui_start_demo 80 24
check "next start: offered again" tui_wait_text 'Unfinished repair steps' 10
tui_keys v
check "v: the detail pane opens on the cell" tui_wait "─ $pkg × $dp ─" 10
check "  and the step is closed in the journal" \
	tui_wait_text 'verified: closed in the journal' 5
python3 -c '
import json, sys
ends = [json.loads(l) for l in open(sys.argv[1])]
ok = any(e["phase"] == "end" and e["step_id"] == "T-3" and e["result"] == "interrupted"
         for e in ends)
sys.exit(0 if ok else 1)
' "$JOURNAL"
tap $? "the journal has an interrupted end for it"
tui_keys Escape

# (e) the journal view.
tui_keys H
check "H opens the journal" tui_wait_text 'Repair journal' 3
check "  with its steps" tui_wait_text "$pkg2" 3
tui_wait_stable 5
screen=$(tui_screen)
first=$(echo "$screen" | grep -n -F "$pkg " | head -n 1 | cut -d: -f1)
second=$(echo "$screen" | grep -n -F "$pkg2 " | head -n 1 | cut -d: -f1)
[ -n "$first" ] && [ -n "$second" ] && [ "$first" -lt "$second" ]
tap $? "  newest first"
# A row, and the plan and step after it or on the line under it.
row() { echo "$screen" | grep -E -A1 "$1" | tr -s ' \n' ' ' | grep -Fq "$2"; }
row "interrupted +$pkg +$dp" "preload-pck #5 wait-installed"
tap $? "  the verified step: interrupted"
row "ok +$pkg2 +$dp2" "preload-pck #1 copy-pck"; tap $? "  a finished step: ok"
check "  control characters in a step's name shown as \\x1b and \\x9b" \
	tui_wait_text 'esc\x1b[2J\x9bname' 3
tui_keys Escape
check "Esc closes it" tui_wait_gone 'Repair journal' 2
tui_keys q
check "q quits" tui_wait "$TUI_EXIT_MARK 0" 3

tui_start_demo 80 24
check "the start after: the grid" tui_wait ' of [0-9]+ packages' 10
# The offer comes with the first grid, if at all: once the screen is still.
check "  nothing offered any more" tui_absent 'Unfinished repair steps'
tui_keys q
check "q quits" tui_wait "$TUI_EXIT_MARK 0" 3
echo "# $(($(date +%s) - t0)) s"
tui_done
