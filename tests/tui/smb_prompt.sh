#!/usr/bin/env bash
# The SMB engine's password in the full-screen UI: asked in the same masked
# dialog as ssh's (tui/sshui.c, through tui/cli/app_prompt.c), never on the
# terminal under curses, even when no server is reached by ssh.  The demo
# site is the WMI host (transport = sim) and one failing DP has transport =
# smb without an authfile; Enter on its cell gathers evidence from it.
# The engine asks before it connects; nothing listens on the DP's port 1,
# so once answered the cell reads as unreachable, naming the refusal.
. "$(dirname "$0")/lib.sh"
tui_require "$TUI_DPDOCTOR"
tui_demo_init || tui_skip_all "the demo site cannot be created"

read -r pkg dp _ < <(tui_demo_failures PCK_MISSING)
[ -n "$pkg" ] || tui_skip_all "no PCK_MISSING pair in the demo"
primary=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["source"].split(":")[1])' \
	"$TUI_TMP/bad.json")
secret=Pa55-w0rd
cat >"$TUI_TMP/smb.ini" <<INI
[site 009]
provider = $primary
sim_dir = $TUI_DEMO

[server $primary]
transport = sim

[server $dp]
transport = smb
host = 127.0.0.1
port = 1
user = CORP\\dpdoctor
INI
mkdir -p "$TUI_TMP/home"
# An askpass that would answer is there to be ignored: the UI must ask.
printf '#!/bin/sh\necho wrong\n' >"$TUI_TMP/askpass"
chmod 755 "$TUI_TMP/askpass"
# shellcheck disable=SC2046
tui_start 80 24 $(tui_demo_env) HOME="$TUI_TMP/home" DPDOCTOR_ASKPASS="$TUI_TMP/askpass" -- \
	"$TUI_DPDOCTOR" -c "$TUI_TMP/smb.ini"
check "the grid appears (the WMI host over sim)" tui_wait ' of [0-9]+ packages' 10
check "on $pkg x $dp (its DP over smb)" tui_goto_cell "$pkg" "$dp"
tui_keys Enter
check "Enter: a dialog asks for $dp's password" tui_wait "$dp asks" 10
check "  for CORP\\dpdoctor" tui_wait "Password for CORP.dpdoctor" 3
check "  not labelled ssh" tui_absent "\(ssh\)"
tui_keys -l "$secret"
check "  the typing shows as masks" tui_wait '> \*{9}( |$)' 2
check "  and never as text" tui_absent_text "$secret"
tui_keys Enter
check "Enter: the answer goes to $dp" tui_wait "answer sent to $dp" 5
title=$(tui_finding_title FIND_DP_UNREACHABLE)
check "  then the DP's failure (nothing on port 1): ${title:0:40}" tui_wait_text "└─ ${title:0:40}" 10
check "  the password is nowhere on screen" tui_absent_text "$secret"
tui_keys Escape q
check "q quits" tui_wait "$TUI_EXIT_MARK 0" 5
tui_done
