#!/usr/bin/env bash
# The full-screen UI over the SSH transport: the demo site served by
# dpdoctor-simhost behind a real loopback sshd (tests/fixtures/sshd.sh),
# the real ./dpdoctor with -c CONFIG, at 80x24 in tmux.  (a) A key and a
# correct known_hosts: the grid counts what the in-process demo counts.
# (b) An empty known_hosts: a dialog shows the fingerprint ssh-keygen -l
# prints; n leaves the error, r asks again, y writes one line and loads the
# grid, and the next start asks nothing.
# (c) A changed key: the engine's refusal in a dialog with only OK.
# (d) No key, no agent: the password is asked in a dialog naming the
# server, typed as masks only; a wrong one ends on the status line.
# (e) A slow host: keys answer and a spinner turns while the refresh runs.
# (f) sshd killed: the refresh fails naming the server, the grid stays,
# marked STALE, and q quits at once.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/fixtures/sshd.sh"
. "$top_srcdir/tests/fixtures/sitecfg.sh"
tui_ssh_begin    # nothing may answer for the person at the screen
T0=$(date +%s%N)
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
note() { echo "# $*"; }

bad_pkgs=$(tui_json bad 'len({x["PackageID"] for x in p})')

# The reference: the grid's counts line on the in-process demo.
tui_start_demo 80 24
check "demo: the grid appears" tui_wait ' of [0-9]+ packages' 10
tui_wait_stable 5 # the counts line drawn whole
demo_counts=$(tui_screen | sed -n 2p)
tui_keys q

DPDOCTOR_SIM_TIME=$TUI_SIM_TIME sshd_start "$TUI_DEMO" >"$TUI_TMP/sshd.err" 2>&1
tap $? "sshd starts (port ${SSHD_PORT:-?})"
[ -n "${SSHD_PID:-}" ] || { sed 's/^/#   /' "$TUI_TMP/sshd.err"; tui_done; exit 1; }
hostkey_fp=$(ssh-keygen -lf "$SSHD_BASE/host_ed25519.pub" | awk '{print $2}')

# cfg FILE [KEY=VALUE...]: the site's configuration; each test names its
# own key file and known_hosts (or none).
cfg() {
	local f=$1; shift
	site_ini "$f" "$primary" identity= known_hosts= connect_timeout=10 "$@"
}
mkdir -p "$TUI_TMP/home"
# start CONFIG: the real dpdoctor on it, with an empty home (no keys there).
start() {
	# shellcheck disable=SC2046
	tui_start 80 24 $(tui_demo_env) HOME="$TUI_TMP/home" -- "$TUI_DPDOCTOR" -c "$1"
}
grid=' of [0-9]+ packages'

# (a) key log-in, known host.
cfg "$TUI_TMP/key.ini" identity="$SSHD_KEY" known_hosts="$SSHD_KNOWN_HOSTS"
t=$(date +%s%N)
start "$TUI_TMP/key.ini"
check "key: the grid appears over ssh" tui_wait "$grid" 15
note "  first grid after $(ms "$t") ms"
is_same() { [ "$(tui_screen | sed -n 2p)" = "$demo_counts" ]; }
check "  the same counts as the demo ($demo_counts)" tui_until 3 is_same
check "  problems only: $bad_pkgs packages" tui_wait "^$bad_pkgs of [0-9]+ packages" 3
check "  nothing was asked" tui_absent "$primary asks|Unknown host key"
tui_keys q
check "  q quits" tui_wait "$TUI_EXIT_MARK 0" 3

# (b) unknown host key: asked in the UI, accepted, remembered.
: >"$TUI_TMP/kh-empty"
cfg "$TUI_TMP/unknown.ini" identity="$SSHD_KEY" known_hosts="$TUI_TMP/kh-empty"
start "$TUI_TMP/unknown.ini"
check "unknown key: a dialog asks" tui_wait_text "Unknown host key for $primary (127.0.0.1 port $SSHD_PORT)" 15
check "  with the type and the fingerprint ssh-keygen -lf prints ($hostkey_fp)" \
	tui_wait_text "ssh-ed25519 $hostkey_fp" 3
# shellcheck disable=SC2317 # called by tui_until
says_boxed() { tui_screen | tr -s ' \n│' ' ' | grep -qF "$1"; }
check "  and the known_hosts file it would go to" \
	tui_until 3 says_boxed "Accept and remember it in $TUI_TMP/kh-empty? [y/N]"
tui_wait_stable 5
screen=$(tui_screen)
echo "$screen" | grep -q -- "--accept-new-host-key"; tap $((! $?)) "  and nothing about --accept-new-host-key"
echo "$screen" | grep -qE "1 of [0-9]|\[A\]ll"; tap $((! $?)) "  one key waiting: not numbered, no accept-all"
is_empty() { [ ! -s "$TUI_TMP/kh-empty" ]; }
check "  known_hosts untouched while asking" is_empty
tui_keys n
check "n: the dialog closes" tui_wait_gone 'Unknown host key for' 2
bottom_says() { tui_screen | tail -2 | tr '\n' ' ' | grep -q "$1"; }
check "  the error stays on the status line" tui_until 3 bottom_says "$primary: unknown host key"
check "  known_hosts untouched" is_empty
tui_keys r
check "r: asked again" tui_wait_text "Unknown host key for $primary" 5
tui_keys y
check "y: the grid loads" tui_wait "$grid" 15
kh_lines() { [ "$(wc -l <"$TUI_TMP/kh-empty")" -eq 1 ]; }
check "  known_hosts gained one line" kh_lines
grep -q "^\[127.0.0.1\]:$SSHD_PORT ssh-ed25519 " "$TUI_TMP/kh-empty"; tap $? "  for [127.0.0.1]:$SSHD_PORT"
tui_keys q
check "  q quits" tui_wait "$TUI_EXIT_MARK 0" 3
start "$TUI_TMP/unknown.ini"
check "second start: the grid loads" tui_wait "$grid" 15
check "  without asking" tui_absent "Unknown host key"
check "  known_hosts still one line" kh_lines
tui_keys q
tui_wait "$TUI_EXIT_MARK 0" 3

# (c) a changed key: refused, and nothing offers to go on.
ssh-keygen -q -t ed25519 -N '' -C other -f "$TUI_TMP/other" || exit 1
printf '[127.0.0.1]:%s %s\n' "$SSHD_PORT" "$(cut -d' ' -f1,2 "$TUI_TMP/other.pub")" >"$TUI_TMP/kh-changed"
cp "$TUI_TMP/kh-changed" "$TUI_TMP/kh-changed.orig"
cfg "$TUI_TMP/changed.ini" identity="$SSHD_KEY" known_hosts="$TUI_TMP/kh-changed"
start "$TUI_TMP/changed.ini"
check "changed key: the refusal is shown" tui_wait 'Host key changed' 15
check "  in the engine's words, naming the server" \
	tui_until 3 says_boxed "$primary: THE HOST KEY HAS CHANGED"
check "  with only OK" tui_wait '\[OK\]' 3
tui_wait_stable 5
screen=$(tui_screen)
echo "$screen" | grep -Eqi '\[y\]|accept'; tap $((! $?)) "  and no accept"
tui_keys y
sleep 0.3
cmp -s "$TUI_TMP/kh-changed" "$TUI_TMP/kh-changed.orig"; tap $? "  y does nothing: known_hosts untouched"
tui_keys Enter
check "  Enter closes it" tui_wait_gone 'Host key changed' 2
check "  the error stays on the status line" tui_until 3 bottom_says "$primary: THE HOST KEY HAS CHANGED"
tui_keys q
check "  q quits" tui_wait "$TUI_EXIT_MARK 0" 3

# (d) password: no key anywhere, no agent, no askpass.
cfg "$TUI_TMP/pw.ini" known_hosts="$SSHD_KNOWN_HOSTS"
start "$TUI_TMP/pw.ini"
check "password: a dialog asks" tui_wait "$primary asks" 15
check "  for $SSHD_USER@$primary's password" tui_wait_text "$SSHD_USER@$primary's password" 3
tui_keys -l "$SSHD_PASSWORD"
check "  the typing shows as masks" tui_wait '> \*{9}( |$)' 2
check "  and never as text" tui_absent_text "$SSHD_PASSWORD"
tui_keys Enter
check "Enter: the grid loads" tui_wait "$grid" 15
check "  the password is nowhere on screen" tui_absent_text "$SSHD_PASSWORD"
tui_keys q
check "  q quits" tui_wait "$TUI_EXIT_MARK 0" 3
start "$TUI_TMP/pw.ini"
check "wrong password: asked" tui_wait "$primary asks" 15
tui_keys -l 'not it'
tui_keys Enter
check "  the auth error on the status line" tui_wait 'authentication( as [^ ]+)? failed' 15
check "  naming the server" tui_until 3 bottom_says "$primary: authentication"
tui_keys q
check "  q quits" tui_wait "$TUI_EXIT_MARK 0" 3
# Leaving while the engine waits for the answer releases it at once.
start "$TUI_TMP/pw.ini"
check "asked again" tui_wait "$primary asks" 15
t=$(date +%s%N)
tui_keys C-c
check "  Ctrl-C leaves with the question open" tui_wait "$TUI_EXIT_MARK 130" 3
[ "$(ms "$t")" -lt 1000 ]; tap $? "  promptly ($(ms "$t") ms)"
sshd_stop

# (e) a slow host: every command takes 4 s.
DPDOCTOR_SIM_TIME=$TUI_SIM_TIME DPDOCTOR_SIMHOST_DELAY_MS=4000 sshd_start "$TUI_DEMO" >"$TUI_TMP/sshd.err" 2>&1
tap $? "slow sshd starts"
cfg "$TUI_TMP/slow.ini" identity="$SSHD_KEY" known_hosts="$SSHD_KNOWN_HOSTS"
start "$TUI_TMP/slow.ini"
check "slow host: the refresh runs" tui_wait 'refreshing' 5
# react KEY... : ms until the screen changes after the keys (or 9999).
react() {
	local before t
	before=$(tui_screen)
	t=$(date +%s%N)
	tui_keys "$@"
	for _ in $(seq 200); do
		[ "$(tui_screen)" != "$before" ] && { ms "$t"; return; }
		sleep 0.01
	done
	echo 9999
}
spins() {
	local a b
	a=$(tui_screen | head -1 | grep -o '. refreshing')
	sleep 0.2
	b=$(tui_screen | head -1 | grep -o '. refreshing')
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ]
}
check "  a spinner turns in the header" spins
# The bound is generous: the whole suite runs two tests at a time on two
# cores; a UI that waited on the slow host would take its 4 s instead.
REACT_MS=1000
took=$(react '?')
check "  ? opens the help while it runs" tui_wait 'dpdoctor help' 3
[ "$took" -lt $REACT_MS ]; tap $? "  within $REACT_MS ms ($took ms)"
took=$(react Escape)
[ "$took" -lt $REACT_MS ]; tap $? "  Esc closes it within $REACT_MS ms ($took ms)"
check "the grid arrives" tui_wait "$grid" 15
tui_keys r
check "r: refreshing again" tui_wait 'refreshing' 2
took=$(react Down)
[ "$took" -lt $REACT_MS ]; tap $? "  Down moves the cursor within $REACT_MS ms ($took ms)"
check "  and the refresh ends" tui_wait_gone 'refreshing' 15

sshd_kill
tui_keys r
check "sshd gone: the refresh fails, the grid is STALE" tui_wait '^dpdoctor .*STALE' 15
check "  the error names $primary and the op" tui_until 3 bottom_says "$primary: .*(op status)"
note "  status line: $(tui_screen | tail -2 | tr '\n' ' ')"
check "  the grid stays" tui_wait "$grid" 3
t=$(date +%s%N)
tui_keys q
check "  q quits" tui_wait "$TUI_EXIT_MARK 0" 3
[ "$(ms "$t")" -lt 1000 ]; tap $? "  promptly ($(ms "$t") ms)"
note "total $(ms "$T0") ms"
tui_done
