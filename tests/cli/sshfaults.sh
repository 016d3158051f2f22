#!/usr/bin/env bash
# The SSH engine against a real loopback sshd (tests/fixtures/sshd.sh) and
# against servers that misbehave: many commands on one session, a script
# too long for cmd.exe (the stdin bootstrap), arguments that look like code
# travelling as data, and the errors of a server killed mid-command, one
# that accepts TCP and never speaks, a slow one and a closed port.  Each
# error must name the server and the op, and come within its deadline.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/fixtures/sshd.sh"
PROBE=$top_builddir/tests/fixtures/sshprobe

sshd_require
SILENT_PID=
trap 'sshd_stop; [ -n "$SILENT_PID" ] && kill "$SILENT_PID" 2>/dev/null; cleanup_scratch' EXIT

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

demo=$SCRATCH/demo
chmod 711 "$SCRATCH"
export DPDOCTOR_SIM_TIME=2007-01-04T10:00:00Z
"$DPDOCTOR" status --demo="$demo" >/dev/null; is $? 1 "demo site created"
sshd_start "$demo"; ok $? "sshd starts"
[ -n "${SSHD_PID:-}" ] || { done_testing; exit 1; }
probe() { "$PROBE" --port "$SSHD_PORT" --key "$SSHD_KEY" --known-hosts "$SSHD_KNOWN_HOSTS" "$@"; }

out=$(probe status); ok $? "status over SSH: $out"
want=$("$DPDOCTOR" status --demo="$demo" --all --format csv | tail -n +2 | wc -l)
rows=$(echo "$out" | sed -n 's/.*rows=\([0-9]*\).*/\1/p')
[ "${rows:-0}" -gt "$want" ]; ok $? "  the reply holds every pair and package ($rows rows, $want pairs)"

out=$(probe long); ok $? "a script longer than cmd.exe takes: $out"
echo "$out" | grep -q "bootstrap=yes rows=\|rows=32 bootstrap=yes"; ok $? "  went through the stdin bootstrap, 32 rows back"

out=$(probe inject); ok $? "quotes, ; \$() backticks and non-ASCII in paths: $out"
echo "$out" | grep -q "ok absent=6 present=0"; ok $? "  all six travel as data (missing files, nothing run)"
echo "$out" | grep -q "newline: refused"; ok $? "  a newline is refused before anything is sent"

out=$(probe --parallel 16 parallel); ok $? "16 commands at once: $out"
echo "$out" | grep -q "connects=1 channels=16"; ok $? "  one session, 16 channels"

# A key log-in, with a credential (credential = ask): every script goes
# behind the credential bootstrap; the secret is on stdin only.
secret='S3cret-Xy9~q'
: >"$SSHD_CMD_LOG"
out=$(probe --cred "CORP\\svc-dpd:$secret" op status site=009); ok $? "status with a credential: $(echo "$out" | tail -2 | tr '\n' ' ')"
echo "$out" | grep -q "^END	ok	"; ok $? "  answered"
echo "$out" | grep -qx "key_login 1 has_credential 1"; ok $? "  the transport knows it logged in with a key and holds a credential"
is "$(grep -c '^---- cmdline' "$SSHD_CMD_LOG")" 1 "  one command line sent"
is "$(sed -n 2p "$SSHD_CMD_LOG")" "$("$top_builddir/tests/fixtures/mkop" --cred /dev/null x:y status site=009)" \
	"  the credential bootstrap's line"
b64=$(printf 'CORP\\svc-dpd\n%s' "$secret" | base64 -w0)
! grep -qF -e "$secret" -e "$b64" -e "svc-dpd" "$SSHD_CMD_LOG"; ok $? "  the command line holds neither the password nor the user, plain or base64"
! grep -qF -e "$secret" "$SSHD_OPS_LOG"; ok $? "  nor does the script the host ran"
out=$(probe op status site=009 | tail -1); is "$out" "exit 0" "without one: as before"
is "$(sed -n '$p' "$SSHD_CMD_LOG")" "$("$top_builddir/tests/fixtures/mkop" status site=009)" \
	"  its own -EncodedCommand line"

# A closed port: refused at once, naming the server.
t0=$(date +%s%N)
out=$("$PROBE" --port 1 --key "$SSHD_KEY" --known-hosts "$SSHD_KNOWN_HOSTS" status)
is $? 1 "closed port: fails"
echo "$out" | grep -q "SMS009PRI: cannot connect to 127.0.0.1 port 1: Connection refused (op status)"
ok $? "  says so, naming the server and the op: $out"
[ "$(ms "$t0")" -lt 2000 ]; ok $? "  at once ($(ms "$t0") ms)"

# A server that accepts TCP and never says a word.
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(8); print(s.getsockname()[1], flush=True)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' >"$SCRATCH/silent.port" &
SILENT_PID=$!
for _ in $(seq 50); do [ -s "$SCRATCH/silent.port" ] && break; sleep 0.1; done
t0=$(date +%s%N)
out=$("$PROBE" --port "$(cat "$SCRATCH/silent.port")" --connect-ms 1500 --key "$SSHD_KEY" \
	--known-hosts "$SSHD_KNOWN_HOSTS" status)
is $? 1 "silent server: fails"
echo "$out" | grep -q "SMS009PRI: no answer from 127.0.0.1 port [0-9]* within 1 s (during the SSH handshake) (op status)"
ok $? "  says where it stopped: $out"
t=$(ms "$t0"); [ "$t" -ge 1400 ] && [ "$t" -lt 3500 ]; ok $? "  after the connect timeout ($t ms)"
kill "$SILENT_PID" 2>/dev/null; SILENT_PID=

# A slow host: the command's deadline, not a hang.
sshd_stop
DPDOCTOR_SIMHOST_DELAY_MS=2500 sshd_start "$demo"; ok $? "sshd with a slow host starts"
t0=$(date +%s%N)
out=$(probe --deadline-ms 1000 status); is $? 1 "slow host, 1 s deadline: fails"
echo "$out" | grep -q "SMS009PRI: no answer in time while the command was running (op status)"
ok $? "  says so: $out"
t=$(ms "$t0"); [ "$t" -lt 2400 ]; ok $? "  within the deadline ($t ms)"
out=$(probe --deadline-ms 10000 status); ok $? "slow host, 10 s deadline: $out"

# sshd killed while a command runs: its listener and every session process.
probe --deadline-ms 20000 status >"$SCRATCH/killed.out" &
ppid=$!
# Mid-command: once the session runs the simulated host (2.5 s a command);
# a fixed second was, on a loaded machine, still the log-in.
sshd_wait_session 'dpdoctor-simhost' || echo "# no session ran the host within 15 s"
sshd_kill
t0=$(date +%s%N)
wait "$ppid"; is $? 1 "sshd killed mid-command: fails"
out=$(cat "$SCRATCH/killed.out")
echo "$out" | grep -q "SMS009PRI: connection lost while a command was running.*(op status)"
ok $? "  says the connection was lost, naming server and op: $out"
[ "$(ms "$t0")" -lt 3000 ]; ok $? "  at once, not at the deadline ($(ms "$t0") ms)"
sshd_stop

done_testing
