#!/usr/bin/env bash
# A DP with a connection of its own, in the full-screen UI: the demo site
# behind the loopback sshd, a failing DP given its own [server] section
# whose SFTP port shows a host key known_hosts does not hold.  Opening the
# cell's details reaches the DP over its own connection; the key is
# offered with that server, address and port, and the fingerprint
# ssh-keygen prints; y writes one line and the details come again, now
# with the DP's files read over its own SFTP (no "unreachable").
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/fixtures/sshd.sh"
. "$top_srcdir/tests/fixtures/sitecfg.sh"
tui_require "$TUI_DPDOCTOR"
if [ "$(id -u)" -ne 0 ] || [ ! -x /usr/sbin/sshd ]; then
	tui_skip_all "needs root and openssh-server (./quickstart installs it)"
fi
tui_demo_init || tui_skip_all "the demo site cannot be created"
trap 'sshd_stop; tui_cleanup' EXIT
unset SSH_AUTH_SOCK SSH_AGENT_PID DPDOCTOR_ASKPASS
chmod 711 "$TUI_TMP"    # dpdsim must reach the site below it

primary=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["source"].split(":")[1])' \
	"$TUI_TMP/bad.json")
read -r pkg dp _ < <(tui_demo_failures PCK_MISSING)
[ -n "$dp" ] || tui_skip_all "no failing pair in the demo"

export SSHD_SFTP_DPS=$dp
DPDOCTOR_SIM_TIME=$TUI_SIM_TIME sshd_start "$TUI_DEMO" >"$TUI_TMP/sshd.err" 2>&1
tap $? "sshd starts (port ${SSHD_PORT:-?})"
[ -n "${SSHD_PID:-}" ] || { sed 's/^/#   /' "$TUI_TMP/sshd.err"; tui_done; exit 1; }
dport=$(sshd_sftp_port "$dp")
[ -n "$dport" ] || tui_skip_all "no SFTP chroot here (bind mounts not permitted)"
# Every key the fixture knows but the DP's port's.
kh=$TUI_TMP/known_hosts
grep -v "^\[127\.0\.0\.1\]:$dport " "$SSHD_KNOWN_HOSTS" >"$kh"
site_ini "$TUI_TMP/site.ini" "$primary" connect_timeout=10 known_hosts="$kh" \
	--dp "$dp" sftp=yes sftp_port="$dport" known_hosts="$kh"
fp=$(ssh-keygen -lf "$SSHD_BASE/host_ed25519.pub" | awk '{print $2}')
lines=$(wc -l <"$kh")

# wait_until FUNCTION SECONDS: until it succeeds.
wait_until() {
	local i
	for i in $(seq $(($2 * 20))); do "$1" && return 0; sleep 0.05; done
	return 1
}
home=$TUI_TMP/home
mkdir -p "$home"
# shellcheck disable=SC2046
tui_start 80 24 $(tui_demo_env) HOME="$home" -- "$TUI_DPDOCTOR" -c "$TUI_TMP/site.ini"
check "the grid appears over ssh" tui_wait ' of [0-9]+ packages' 15
check "on $pkg x $dp" tui_goto_cell "$pkg" "$dp"
tui_keys Enter
check "Enter: $dp's own connection shows an unknown key" \
	tui_wait_text "Unknown host key for $dp (127.0.0.1 port $dport)" 20
check "  with the fingerprint ssh-keygen prints" tui_wait_text "$fp" 2
[ "$(wc -l <"$kh")" -eq "$lines" ]; tap $? "  known_hosts untouched while asking"
tui_keys y
check "y: the dialog closes" tui_wait_gone "Unknown host key for" 5
check "  the key is recorded" tui_wait_text "host key of $dp added" 10
is_line() { [ "$(grep -c "^\[127\.0\.0\.1\]:$dport " "$kh")" -eq 1 ]; }
check "  one line for [127.0.0.1]:$dport in known_hosts" wait_until is_line 5
is_gone() { ! tui_screen | grep -q 'nreachable\|Could not read'; }
check "  the details come again, nothing unreachable" wait_until is_gone 20
tui_keys Escape q
check "q quits" tui_wait "$TUI_EXIT_MARK 0" 5
tui_done
