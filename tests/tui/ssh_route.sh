#!/usr/bin/env bash
# DPs with connections of their own, in the full-screen UI: the demo site
# behind the loopback sshd, failing DPs given their own [server] sections
# whose SFTP ports show host keys known_hosts does not hold.
#  - Opening one cell's details reaches its DP over its own connection; the
#    key is offered with that server, address and port, and the
#    fingerprint ssh-keygen prints; y writes one line and the details come
#    again, now with the DP's files read over its own SFTP.
#  - Marking cells on two more such DPs and pressing R diagnoses both: the
#    two keys wait at once and are offered "1 of 2"; A lists them, and A
#    again writes both; the wizard then diagnoses the cells again.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/fixtures/sshd.sh"
. "$top_srcdir/tests/fixtures/sitecfg.sh"
tui_ssh_begin
# Three failing pairs on three different DPs.
declare -A seen=()
pairs=()
while read -r p d _; do
	[ -n "${seen[$d]:-}" ] && continue
	seen[$d]=1
	pairs+=("$p $d")
	[ ${#pairs[@]} -eq 3 ] && break
done < <(tui_demo_failures)
[ ${#pairs[@]} -eq 3 ] || tui_skip_all "fewer than three DPs fail in the demo"
read -r pkg dp <<<"${pairs[0]}"
read -r pkg2 dp2 <<<"${pairs[1]}"
read -r pkg3 dp3 <<<"${pairs[2]}"

export SSHD_SFTP_DPS="$dp $dp2 $dp3"
DPDOCTOR_SIM_TIME=$TUI_SIM_TIME sshd_start "$TUI_DEMO" >"$TUI_TMP/sshd.err" 2>&1
tap $? "sshd starts (port ${SSHD_PORT:-?})"
[ -n "${SSHD_PID:-}" ] || { sed 's/^/#   /' "$TUI_TMP/sshd.err"; tui_done; exit 1; }
dport=$(sshd_sftp_port "$dp")
# A test already ran, so a whole-file skip ("1..0") would break the TAP
# plan: the rest is one skipped test, then the plan.
if [ -z "$dport" ]; then
	tap 0 "the DPs' own SFTP # SKIP no SFTP chroot here (bind mounts not permitted)"
	tui_done
	exit $?
fi
dport2=$(sshd_sftp_port "$dp2") dport3=$(sshd_sftp_port "$dp3")
# Every key the fixture knows but the DPs' ports'.
kh=$TUI_TMP/known_hosts
grep -v "^\[127\.0\.0\.1\]:\($dport\|$dport2\|$dport3\) " "$SSHD_KNOWN_HOSTS" >"$kh"
site_ini "$TUI_TMP/site.ini" "$primary" connect_timeout=10 known_hosts="$kh" \
	--dp "$dp" sftp=yes sftp_port="$dport" known_hosts="$kh" \
	--dp "$dp2" sftp=yes sftp_port="$dport2" known_hosts="$kh" \
	--dp "$dp3" sftp=yes sftp_port="$dport3" known_hosts="$kh"
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
tui_keys Escape

# Two cells on the two other DPs, marked, and R: both keys wait at once.
tui_goto_cell "$pkg2" "$dp2" && tui_keys Space
check "$pkg2 x $dp2 marked" tui_wait_text "1 marked" 3
tui_goto_cell "$pkg3" "$dp3" && tui_keys Space
check "$pkg3 x $dp3 marked" tui_wait_text "2 marked" 3
tui_keys R
check "R: the keys are offered, 1 of 2" tui_wait_text "Unknown host key (1 of 2)" 30
check "  A is offered" tui_wait_text "A: list all 2 keys waiting" 3
tui_keys A
check "A: one list of both" tui_wait_text "Accept all 2 host keys?" 3
# on_list DP PORT: its line, and its key's on the next.
on_list() { tui_screen | grep -A1 -F "$1 (127.0.0.1 port $2)" | grep -Eq "(ssh-ed25519|ecdsa-[a-z0-9-]+) SHA256:"; }
check "  $dp2, its address and port, its key on a line of its own" tui_until 3 on_list "$dp2" "$dport2"
check "  $dp3, its address and port, its key on a line of its own" tui_until 3 on_list "$dp3" "$dport3"
tui_wait_stable 5
[ "$(tui_screen | grep -c "SHA256:")" -eq 2 ]; tap $? "  two fingerprints, one a line"
tui_keys A
check "A again: both recorded" tui_wait_text "2 host keys added" 10
both() { [ "$(grep -c "^\[127\.0\.0\.1\]:\($dport2\|$dport3\) " "$kh")" -eq 2 ]; }
check "  one line each in known_hosts" wait_until both 5
# Diagnosed again (the groups are back) and nothing left unread.
unread() {
	local scr
	scr=$(tui_screen)
	grep -q "Groups (by suggested plan)" <<<"$scr" && ! grep -q "could not be$\|could not be read" <<<"$scr"
}
check "  the wizard diagnoses both cells again, now read" wait_until unread 30
tui_keys Escape
check "Esc leaves the wizard" tui_wait_gone "Repair 2 marked cells" 5
tui_keys q
check "q asks first: two cells are still marked" tui_wait_text 'Quit dpdoctor?' 5
tui_keys y
check "y quits" tui_wait "$TUI_EXIT_MARK 0" 5
tui_done
