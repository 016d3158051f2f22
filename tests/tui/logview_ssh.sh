#!/usr/bin/env bash
# The log view over SSH: the demo site behind the loopback sshd
# (tests/fixtures/sshd.sh), the real ./dpdoctor with -c CONFIG at 80x24 in
# tmux.  `l` on a failing cell fetches the DP's distmgr.log through the
# WMI host (readfile by its admin share, backend/sms/logmirror.c) into the
# cache and shows its lines naming the package; a line appended to the
# simulated log arrives with the next fetch (--refresh 2) while following;
# a DP whose log cannot be read is named in the view's error line.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/fixtures/sshd.sh"
. "$top_srcdir/tests/fixtures/sitecfg.sh"
tui_ssh_begin
tui_demo_logged_pair
# The newest line naming the package, as the view shows it (its message).
want=$(grep "$pkg" "$log" | tail -1 | sed 's/  \$\$<.*//; s/\r$//' | cut -c1-40)

DPDOCTOR_SIM_TIME=$TUI_SIM_TIME sshd_start "$TUI_DEMO" >"$TUI_TMP/sshd.err" 2>&1
tap $? "sshd starts (port ${SSHD_PORT:-?})"
[ -n "${SSHD_PID:-}" ] || { sed 's/^/#   /' "$TUI_TMP/sshd.err"; tui_done; exit 1; }
site_ini "$TUI_TMP/site.ini" "$primary" connect_timeout=10
home=$TUI_TMP/home
mkdir -p "$home"
# shellcheck disable=SC2046
tui_start 80 24 $(tui_demo_env) HOME="$home" -- "$TUI_DPDOCTOR" -c "$TUI_TMP/site.ini" --refresh 2
check "the grid appears over ssh" tui_wait ' of [0-9]+ packages' 15
check "on $pkg x $dp" tui_goto_cell "$pkg" "$dp"
tui_keys L
check "l opens $dp's distmgr.log" tui_wait "^distmgr.log $dp " 3
check "  its lines arrive over ssh, naming $pkg" tui_wait "^[0-9]{2}-[0-9]{2} [0-9:]{8} . .*$pkg" 20
check "  the newest of them at the bottom: ${want:0:30}" tui_wait_text "${want:0:30}" 3
mirror=$home/.cache/dpdoctor/logs/$dp-distmgr.log
cmp -s "$log" "$mirror"; tap $? "  a copy of the log is in the cache"
check "  the title names the copy in the cache" tui_wait "^distmgr.log $dp .*/.cache/dpdoctor/logs/" 3

tui_log_append "$log" "~Package $pkg dpdoctor-remote-marker"
check "an appended line arrives with the next fetch" tui_wait 'dpdoctor-remote-marker' 15
check "  still following" tui_wait_line status "^following" 3

tui_keys Escape
check "Esc closes the view" tui_wait ' of [0-9]+ packages' 3
# A DP whose log is gone: the error line names it.
mv "$log" "$log.away"
tui_keys L
check "a missing log: the error names $dp" tui_wait_text "the distmgr.log of $dp" 20
check "  and why" tui_wait_joined "does not exist" 20
mv "$log.away" "$log"
tui_keys Escape q
check "q quits" tui_wait "$TUI_EXIT_MARK 0" 5
tui_done
