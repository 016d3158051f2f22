#!/usr/bin/env bash
# dpdoctor-simhost behind a real OpenSSH sshd on 127.0.0.1 (see
# tests/fixtures/sshd.sh), driven by the stock ssh client the way the SSH
# transport will drive a Windows host: the encoded status op directly and
# through the stdin bootstrap (same reply, with CRLF, as the in-process
# simulator gives with the clock frozen), the credential bootstrap
# (accepted; a missing or garbled credential refused in PowerShell's
# words, a wrong line in cmd.exe's), cmd.exe's refusals, password,
# keyboard-interactive and passphrase-key logins, and a clean stop.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/fixtures/sshd.sh"
MKOP=$top_builddir/tests/fixtures/mkop

sshd_require
trap 'sshd_stop; cleanup_scratch' EXIT

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

demo=$SCRATCH/demo
chmod 711 "$SCRATCH"     # dpdsim must reach the site below it
"$DPDOCTOR" status --demo="$demo" >/dev/null; is $? 1 "demo site created"

t0=$(date +%s%N)
# The password the simulated host's remote calls accept (sshd.sh SetEnv).
export DPDOCTOR_SIM_PASSWORD='Pa55w0rd!x'
sshd_start "$demo"; ok $? "sshd starts (port ${SSHD_PORT:-?}, $(ms "$t0") ms)"
[ -n "${SSHD_PID:-}" ] || { done_testing; exit 1; }
grep -q '^SetEnv .*DPDOCTOR_SIM_PASSWORD=Pa55w0rd!x' "$SSHD_BASE/sshd_config"
ok $? "  DPDOCTOR_SIM_PASSWORD reaches the host (SetEnv)"

SSH=(ssh -F /dev/null -p "$SSHD_PORT" -o UserKnownHostsFile="$SSHD_KNOWN_HOSTS"
	-o StrictHostKeyChecking=yes -o LogLevel=ERROR)
KEY=("${SSH[@]}" -i "$SSHD_KEY" -o BatchMode=yes "$SSHD_USER@127.0.0.1")
crlf_only() { ! tr -d '\r' <"$1" | cmp -s - "$1" && [ "$(grep -vc $'\r$' "$1")" -eq 0 ]; }

# (a) the status op as one -EncodedCommand line.
line=$("$MKOP" status site=009); ok $? "mkop renders the status command line"
t0=$(date +%s%N)
"${KEY[@]}" "$line" >"$SCRATCH/direct.out" 2>"$SCRATCH/direct.err"; rc=$?
is $rc 0 "direct: exit 0 ($(ms "$t0") ms round trip, ${#line}-character line)"
is "$(head -c 19 "$SCRATCH/direct.out" | od -An -c | tr -s ' ')" \
	"$(printf 'DPDOCTOR 2 status\r\n' | od -An -c | tr -s ' ')" "  starts with DPDOCTOR 2 status CRLF"
tail -1 "$SCRATCH/direct.out" | grep -q $'^END\tok\t[0-9]*\r$'; ok $? "  ends with END ok"
crlf_only "$SCRATCH/direct.out"; ok $? "  every line ends in CRLF"
is "$(cat "$SCRATCH/direct.err")" "" "  nothing on stderr"

# (b) the bootstrap with the script on stdin.
boot=$("$MKOP" --bootstrap "$SCRATCH/payload" status site=009)
[ ${#boot} -lt ${#line} ]; ok $? "bootstrap line is short (${#boot} characters)"
"${KEY[@]}" "$boot" <"$SCRATCH/payload" >"$SCRATCH/boot.out" 2>"$SCRATCH/boot.err"
is $? 0 "bootstrap: exit 0"
cmp -s "$SCRATCH/direct.out" "$SCRATCH/boot.out"; ok $? "  same reply as the direct form"

# (b2) the credential bootstrap: the script and a credential on stdin.
cboot=$("$MKOP" --cred "$SCRATCH/cpayload" 'CORP\svc-dpd:Pa55w0rd!x' status site=009)
ok $? "mkop renders the credential bootstrap"
case $cboot in *Pa55*|*svc-dpd*) ok 1 "  the command line holds the credential" ;;
*) ok 0 "  the command line holds neither user nor password (${#cboot} characters)" ;; esac
[ "$cboot" != "$boot" ]; ok $? "  and is not the plain bootstrap"
"${KEY[@]}" "$cboot" <"$SCRATCH/cpayload" >"$SCRATCH/cboot.out" 2>"$SCRATCH/cboot.err"
is $? 0 "credential bootstrap: exit 0 ($(head -c 200 "$SCRATCH/cboot.err"))"
cmp -s "$SCRATCH/direct.out" "$SCRATCH/cboot.out"; ok $? "  same reply as the direct form"
# Only the script's line: the credential's is missing.
"${KEY[@]}" "$cboot" <"$SCRATCH/payload" >"$SCRATCH/cmiss.out" 2>"$SCRATCH/cmiss.err"
is $? 1 "credential bootstrap without the credential line: exit 1"
grep -q "two lines on standard input" "$SCRATCH/cmiss.err"; ok $? "  saying so: $(head -c 120 "$SCRATCH/cmiss.err" | tr -d '\r')"
is "$(wc -c <"$SCRATCH/cmiss.out")" 0 "  nothing on stdout"
# Garbage as the credential line.
{ head -1 "$SCRATCH/cpayload"; printf 'not*base64\r\n'; } >"$SCRATCH/cbad"
"${KEY[@]}" "$cboot" <"$SCRATCH/cbad" >"$SCRATCH/cbad.out" 2>"$SCRATCH/cbad.err"
is $? 1 "a credential line that is not base64: exit 1"
grep -q 'Exception calling "FromBase64String"' "$SCRATCH/cbad.err"
ok $? "  in PowerShell's words: $(head -c 80 "$SCRATCH/cbad.err" | tr -d '\r')"
# A command line that only looks like it: cmd.exe's words.
"${KEY[@]}" "powershel.exe ${cboot#powershell.exe }" >"$SCRATCH/cnot.out" 2>"$SCRATCH/cnot.err"
is $? 1 "a misspelt credential bootstrap line: exit 1"
grep -q "is not recognized as an internal or external command" "$SCRATCH/cnot.err"
ok $? "  in cmd.exe's words"

# The in-process simulator on the same site, same frozen clock (SetEnv).
DPDOCTOR_SIM_HOST= "$MKOP" --run "$demo" status site=009 >"$SCRATCH/local.out"; is $? 0 "in-process run"
tr -d "\r" <"$SCRATCH/direct.out" | cmp -s - <(tr -d "\r" <"$SCRATCH/local.out")
ok $? "  the SSH reply without CRs equals the in-process one"

# (c) cmd.exe's length limit.
long="powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand "
long+=$(head -c $((9000 - ${#long})) /dev/zero | tr '\0' A)
"${KEY[@]}" "$long" >"$SCRATCH/long.out" 2>"$SCRATCH/long.err"; is $? 1 "9000 characters: exit 1"
is "$(od -An -c <"$SCRATCH/long.err" | tr -s ' ')" \
	"$(printf 'The command line is too long.\r\n' | od -An -c | tr -s ' ')" "  The command line is too long."
is "$(wc -c <"$SCRATCH/long.out")" 0 "  nothing on stdout"

# (d) anything else is not a command cmd.exe knows.
"${KEY[@]}" dir >"$SCRATCH/dir.out" 2>"$SCRATCH/dir.err"; is $? 1 "dir: exit 1"
is "$(od -An -c <"$SCRATCH/dir.err" | tr -s ' ')" "$(printf "'dir' is not recognized as an %s\r\n%s\r\n" \
	"internal or external command," "operable program or batch file." | od -An -c | tr -s ' ')" \
	"  cmd's two-line message"
"${KEY[@]}" "powershell.exe -Command Get-Date" >/dev/null 2>"$SCRATCH/ps.err"; is $? 1 "other powershell switches: exit 1"
grep -q -- '-NoProfile' "$SCRATCH/ps.err"; ok $? "  saying which form is accepted"
"${SSH[@]}" -T -i "$SSHD_KEY" -o BatchMode=yes "$SSHD_USER@127.0.0.1" </dev/null >/dev/null 2>"$SCRATCH/shell.err"
is $? 1 "interactive login: exit 1"
grep -q 'interactive logins are not supported' "$SCRATCH/shell.err"; ok $? "  with a notice"

# (e) password, keyboard-interactive, and the passphrase-protected key.
if command -v sshpass >/dev/null; then
	for m in password keyboard-interactive; do
		SSHPASS=$SSHD_PASSWORD sshpass -e "${SSH[@]}" -o PreferredAuthentications=$m \
			-o PubkeyAuthentication=no "$SSHD_USER@127.0.0.1" "$line" >"$SCRATCH/pw.out" 2>&1
		is $? 0 "$m login runs the op"
		cmp -s "$SCRATCH/direct.out" "$SCRATCH/pw.out"; ok $? "  same reply"
	done
	SSHPASS=wrong sshpass -e "${SSH[@]}" -o PreferredAuthentications=password \
		-o PubkeyAuthentication=no -o NumberOfPasswordPrompts=1 "$SSHD_USER@127.0.0.1" dir >/dev/null 2>&1
	ok $(($? == 0)) "a wrong password is refused"
	sshpass -P passphrase -p "$SSHD_PASSPHRASE" "${SSH[@]}" -i "$SSHD_KEY_PASS" \
		-o PreferredAuthentications=publickey -o IdentitiesOnly=yes "$SSHD_USER@127.0.0.1" dir \
		>/dev/null 2>"$SCRATCH/pp.err"
	is $? 1 "passphrase key logs in (dir: exit 1 from the host)"
	grep -q "'dir' is not recognized" "$SCRATCH/pp.err"; ok $? "  and the host answered"
else
	ok 0 "# SKIP sshpass not installed: password logins not tried"
fi

# (f) a clean stop.
pid=$SSHD_PID base=$SSHD_BASE
t0=$(date +%s%N)
sshd_stop
! sshd_alive "$pid"; ok $? "sshd_stop: pid $pid is gone ($(ms "$t0") ms)"
[ ! -e "$base" ]; ok $? "  and $base removed"

done_testing
