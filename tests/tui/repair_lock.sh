#!/usr/bin/env bash
# One repair per pair, in the UI (80x24, demo site): while a `dpdoctor
# repair` of a pair runs on the command line (held in its wait step, clock
# frozen), its open step is not offered at start-up as unfinished (it is
# running: verifying would close a live step), H lists it as "running", and
# the wizard's R on that pair is refused with who holds it.
. "$(dirname "$0")/lib.sh"
tui_require "$TUI_DPDOCTOR"
tui_demo_init || tui_skip_all "the demo site cannot be created"

read -r pkg dp _ < <(tui_demo_failures PCK_MISSING 2>/dev/null | head -n 1)
[ -n "$pkg" ] || tui_skip_all "no PCK_MISSING pair in the demo"

# shellcheck disable=SC2046
env $(tui_demo_env) "$TUI_DPDOCTOR" repair "$pkg" "$dp" --plan preload-pck --yes \
    --demo="$TUI_DEMO" </dev/null >"$TUI_TMP/cli.out" 2>&1 &
cli=$!
in_wait_step() {
	local i
	for ((i = 0; i < 300; i++)); do
		# shellcheck disable=SC2046
		env $(tui_demo_env) "$TUI_DPDOCTOR" history --unfinished --format json \
		    2>/dev/null | grep -q '"name":"wait' && return 0
		sleep 0.1
	done
	return 1
}
check "the command-line repair is in its wait step" in_wait_step

tui_start_demo 80 24
check "the grid appears" tui_wait ' of [0-9]+ packages' 10
# The start-up check runs once the status is in; give it its time, then
# make sure the dialog never came (a bounded wait for it, which must fail).
tui_wait_text 'Unfinished repair steps' 3; [ $? -ne 0 ]
tap $? "the running step is not offered as unfinished"

tui_keys H
check "H opens the journal" tui_wait_text 'Repair journal' 3
check "  the open step is listed as running" tui_wait "running +$pkg +$dp" 3
tui_keys Escape
check "Esc closes it" tui_wait_gone 'Repair journal' 2

check "on $pkg x $dp" tui_goto_cell "$pkg" "$dp"
tui_keys R
check "R: the plans" tui_wait '▸ [a-z-]+ .*\(suggested\)' 20
tui_keys Enter
check "the wizard says who repairs the pair" \
	tui_wait_joined "$pkg on $dp is being repaired by" 10
check "  with the pid and the step" \
	tui_wait_joined "(pid $cli) since" 2
kill -0 "$cli" 2>/dev/null; tap $? "the command-line repair goes on"
kill -9 "$cli"; wait "$cli" 2>/dev/null
tui_keys q
tui_keys Escape q
check "q quits" tui_wait "$TUI_EXIT_MARK 0" 5
tui_done
