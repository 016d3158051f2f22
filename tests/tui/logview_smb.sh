#!/usr/bin/env bash
# The log view over SMB: the demo site's primary behind the loopback sshd
# (the WMI host) and a failing DP with a [server] on SMB, served by a real
# loopback smbd (tests/fixtures/smbd.sh); the real ./dpdoctor at 80x24 in
# tmux.  `l` on
# its cell reads the DP's distmgr.log over SMB (readfile ranges into the
# cache, backend/sms/logmirror.c) and shows its lines naming the package,
# a CP1252 line turned into UTF-8; an appended line and then SMS's
# rollover (distmgr.log renamed to .lo_, a new log begun) arrive while
# following.  With the DP's smbd frozen the screen still answers keys, and
# the view names the DP and why once its connect timeout is out.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/fixtures/sshd.sh"
. "$top_srcdir/tests/fixtures/smbd.sh"
. "$top_srcdir/tests/fixtures/sitecfg.sh"
tui_ssh_begin
command -v smbd >/dev/null || tui_skip_all "needs samba (./quickstart installs it)"
trap 'smbd_stop; sshd_stop; tui_cleanup' EXIT
tui_demo_logged_pair
# A line in the servers' ANSI code page: é is 0xE9 in CP1252.
printf 'Caf\xe9 ~Package %s dpdoctor-cp1252-marker  $$<SMS_DISTRIBUTION_MANAGER><Thu Jan 04 09:59:58.000 2007 GMT Standard Time><thread=2136 (0x858)>\r\n' \
	"$pkg" >>"$log"
smbd_start "$TUI_DEMO" "$dp" >"$TUI_TMP/smbd.err" 2>&1
tap $? "smbd starts for $dp"
[ -n "${SMBD_BASE:-}" ] || { sed 's/^/#   /' "$TUI_TMP/smbd.err"; tui_done; exit 1; }
DPDOCTOR_SIM_TIME=$TUI_SIM_TIME sshd_start "$TUI_DEMO" >"$TUI_TMP/sshd.err" 2>&1
tap $? "sshd starts (the WMI host)"
[ -n "${SSHD_PID:-}" ] || { sed 's/^/#   /' "$TUI_TMP/sshd.err"; tui_done; exit 1; }
export SMB_AUTHFILE=$TUI_TMP/smb.auth
smbd_authfile "$SMB_AUTHFILE"
site_ini "$TUI_TMP/smb.ini" "$primary" connect_timeout=10 --smb "$dp" connect_timeout=3
home=$TUI_TMP/home
mkdir -p "$home"
# shellcheck disable=SC2046
tui_start 80 24 $(tui_demo_env) HOME="$home" -- "$TUI_DPDOCTOR" -c "$TUI_TMP/smb.ini" --refresh 2
check "the grid appears" tui_wait ' of [0-9]+ packages' 15
check "on $pkg x $dp (its DP over smb)" tui_goto_cell "$pkg" "$dp"
tui_keys L
check "l opens $dp's distmgr.log" tui_wait "^distmgr.log $dp " 3
check "  read into the cache, not in place" tui_wait "^distmgr.log $dp .*/.cache/dpdoctor/logs/" 3
check "  its lines arrive over SMB, the CP1252 one in UTF-8" tui_wait_text "Café ~Package $pkg dpdoctor-cp1252" 20
mirror=$home/.cache/dpdoctor/logs/$dp-distmgr.log
cmp -s "$log" "$mirror"; tap $? "  a copy of the log is in the cache"

tui_log_append "$log" "~Package $pkg dpdoctor-smb-marker"
check "an appended line arrives with the next fetch" tui_wait 'dpdoctor-smb-marker' 15
check "  still following" tui_wait_line status "^following" 3
mv "$log" "${log%.log}.lo_"
tui_log_append "${log%.log}.lo_" "~Package $pkg dpdoctor-rollover-marker"
tail -1 "${log%.log}.lo_" >"$log"
check "SMS's rollover: the new log's line arrives" tui_wait 'dpdoctor-rollover-marker' 15
cmp -s "${log%.log}.lo_" "${mirror%.log}.lo_"; tap $? "  the .lo_ came along into the cache"

# A hung server: keys still answered; the view says what happened.
smbd_freeze "$dp"
tui_log_append "$log" "~Package $pkg dpdoctor-frozen-marker"
tui_keys '?'
check "with $dp's smbd frozen, ? still opens the help at once" tui_wait "dpdoctor help" 2
tui_keys Escape
check "  Esc goes back to the log" tui_wait "^distmgr.log $dp " 2
check "  the view names $dp and why" tui_wait_joined "$dp: no answer from 127.0.0.1" 20
smbd_thaw "$dp"
check "thawed, the frozen-time line arrives" tui_wait 'dpdoctor-frozen-marker' 20
tui_keys Escape q
check "q quits" tui_wait "$TUI_EXIT_MARK 0" 5
tui_done
