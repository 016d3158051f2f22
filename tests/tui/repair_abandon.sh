#!/usr/bin/env bash
# Ctrl-C in the repair wizard, on the demo site at 80x24: a preload-pck run
# on one PCK_MISSING cell, step 1 answered y, then Ctrl-C at step 2.
# dpdoctor exits 130 and the journal tells the plan was abandoned there:
# step 2 ended "aborted" (not declined, not left unfinished) with the
# reason "wizard closed by Ctrl-C", under the same run id as step 1, and no
# step is left without its end.  The next start's H view lists the two
# steps under one line naming the run.  And a typed at a step aborts the
# run: the journal says aborted, not declined.
. "$(dirname "$0")/lib.sh"
tui_require "$TUI_DPDOCTOR"
tui_demo_init || tui_skip_all "the demo site cannot be created"

JOURNAL="$TUI_TMP/state/dpdoctor/journal.jsonl"
read -r pkg dp _ < <(tui_demo_failures PCK_MISSING 2>/dev/null | head -n 1)
[ -n "$pkg" ] || tui_skip_all "no PCK_MISSING pair in the demo"

t0=$(date +%s)
tui_start_demo 80 24
check "the grid appears" tui_wait ' of [0-9]+ packages' 10
check "on $pkg x $dp" tui_goto_cell "$pkg" "$dp"
tui_keys R
check "R: the plans, preload-pck suggested" tui_wait '▸ preload-pck .*\(suggested\)' 20
tui_keys Enter
check "Enter: the plan" tui_wait 'Plan preload-pck' 10
tui_keys Enter
check "Enter: step 1" tui_wait_text 'Run it? [y]es  [N]o' 5
tui_keys y
check "y: step 2 is offered" tui_wait 'Step 2 of [0-9]+' 30
check "  and asked" tui_wait_text 'Run it? [y]es  [N]o' 10
tui_keys C-c
check "Ctrl-C: dpdoctor exits 130" tui_wait "$TUI_EXIT_MARK 130" 10

# The journal: step 1 ok, step 2 aborted with the reason, one run, all ended.
python3 - "$JOURNAL" "$pkg" "$dp" >"$TUI_TMP/j.out" 2>&1 <<'PY'
import json, sys
es = [json.loads(l) for l in open(sys.argv[1])]
es = [e for e in es if e["target"]["package"] == sys.argv[2]]
ends = {e["step_id"]: e for e in es if e["phase"] == "end"}
begins = [e for e in es if e["phase"] == "begin"]
assert begins and all(b["step_id"] in ends for b in begins), "a begin without its end"
res = [(ends[b["step_id"]]["step"]["number"], ends[b["step_id"]]["result"]) for b in begins]
assert res == [(1, "ok"), (2, "aborted")], res
last = ends[begins[-1]["step_id"]]
assert last["params"].get("abandoned") == "wizard closed by Ctrl-C", last["params"]
runs = {e.get("run") for e in es}
assert len(runs) == 1 and None not in runs, runs
print(runs.pop())
PY
rc=$?
tap $rc "the journal: step 1 ok, step 2 aborted \"wizard closed by Ctrl-C\", one run id"
[ $rc -eq 0 ] || sed 's/^/#   /' "$TUI_TMP/j.out"
run=$(tail -n 1 "$TUI_TMP/j.out")
short=$(echo "$run" | sed -E 's/^[0-9]{8}T([0-9]{6})Z-/\1-/')

tui_start_demo 80 24
check "the next start: the grid" tui_wait ' of [0-9]+ packages' 10
tui_keys H
check "H: the journal" tui_wait_text 'Repair journal' 5
check "  a line names the run ($short)" tui_wait_text "run $short  by " 5
check "  the abandoned step under it: aborted" tui_wait "aborted +$pkg +$dp" 3
tui_keys Escape

# a at a step: the run is aborted, and journalled so (not declined).
read -r pkg2 dp2 _ < <(tui_demo_failures PCK_MISSING 2>/dev/null |
	awk -v p="$pkg" '$1 != p' | head -n 1)
check "on $pkg2 x $dp2" tui_goto_cell "$pkg2" "$dp2"
tui_keys R
check "R: the plans" tui_wait '▸ preload-pck .*\(suggested\)' 20
tui_keys Enter
check "Enter: the plan" tui_wait 'Plan preload-pck' 10
tui_keys Enter
check "Enter: step 1" tui_wait_text 'Run it? [y]es  [N]o' 5
tui_keys a
check "a: the run stops" tui_wait_text 'What changed' 15
python3 - "$JOURNAL" "$pkg2" >"$TUI_TMP/a.out" 2>&1 <<'PY'
import json, sys
es = [json.loads(l) for l in open(sys.argv[1])]
ends = [e for e in es if e["phase"] == "end" and e["target"]["package"] == sys.argv[2]]
assert [(e["step"]["number"], e["result"]) for e in ends] == [(1, "aborted")], ends
PY
rc=$?
tap $rc "  the journal: step 1 aborted, not declined"
[ $rc -eq 0 ] || sed 's/^/#   /' "$TUI_TMP/a.out"
tui_keys Escape q
check "q quits" tui_wait "$TUI_EXIT_MARK 0" 5
echo "# $(($(date +%s) - t0)) s"
tui_done
