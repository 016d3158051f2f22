#!/usr/bin/env bash
# dpdoctor's SSH transport end to end: the demo site served by
# dpdoctor-simhost behind a real loopback sshd (tests/fixtures/sshd.sh),
# reached through a configuration file written like a real site's.  The
# answers must equal the in-process demo's (same frozen clock); host keys
# are checked strictly (unknown: exit 2 with the fingerprint and how to
# accept it; --accept-new-host-key adds one line; changed: refused); every
# log-in method works (key, key with passphrase, password, agent) and each
# failure exits 2 naming the server.  Prompts are answered through
# $DPDOCTOR_ASKPASS; by default it cancels and records that it was asked,
# so no run can hang on the terminal.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/fixtures/sshd.sh"
. "$top_srcdir/tests/fixtures/sitecfg.sh"

sshd_require
AGENT_PID=
agent_stop() { [ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null; AGENT_PID=; }
trap 'agent_stop; sshd_stop; cleanup_scratch' EXIT
unset SSH_AUTH_SOCK SSH_AGENT_PID

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# Askpass programs: each records its argument (the prompt) in $SCRATCH/asked.
askpass() { # askpass NAME ANSWER|--cancel
	local f=$SCRATCH/askpass-$1
	if [ "$2" = --cancel ]; then
		printf '#!/bin/sh\necho "$1" >>%q\nexit 1\n' "$SCRATCH/asked" >"$f"
	else
		printf '#!/bin/sh\necho "$1" >>%q\nprintf "%%s\\n" %q\n' "$SCRATCH/asked" "$2" >"$f"
	fi
	chmod +x "$f"
	echo "$f"
}
export DPDOCTOR_ASKPASS
DPDOCTOR_ASKPASS=$(askpass cancel --cancel)
PASSPHRASE_OK=$(askpass pass "$SSHD_PASSPHRASE")
PASSWORD_OK=$(askpass pw "$SSHD_PASSWORD")
WRONG=$(askpass wrong 'not it')

demo=$SCRATCH/demo
chmod 711 "$SCRATCH"     # dpdsim must reach the site below it
"$DPDOCTOR" status --demo="$demo" --format json >"$SCRATCH/demo.json"; is $? 1 "demo site created"
primary=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["source"].split(":")[1])' \
	"$SCRATCH/demo.json")

sshd_start "$demo"; ok $? "sshd starts (port ${SSHD_PORT:-?})"
[ -n "${SSHD_PID:-}" ] || { done_testing; exit 1; }
hostkey_fp=$(ssh-keygen -lf "$SSHD_BASE/host_ed25519.pub" | awk '{print $2}')

# cfg FILE [KEY=VALUE...]: the site's configuration; each test names its
# own key file and known_hosts (or none).
cfg() { local f=$1; shift; site_ini "$f" "$primary" identity= known_hosts= "$@"; }
# run NAME ARGS...: dpdoctor with a time limit; NAME.out, NAME.err, $rc.
run() {
	local name=$1; shift
	rm -f "$SCRATCH/asked"
	timeout 60 "$DPDOCTOR" "$@" >"$SCRATCH/$name.out" 2>"$SCRATCH/$name.err"; rc=$?
}
asked() { [ -s "$SCRATCH/asked" ] && cat "$SCRATCH/asked"; }
# why NAME: when the check just made failed, show NAME.err as TAP comments.
failed_before=0
why() {
	[ "$TAP_FAILED" -gt "$failed_before" ] && sed 's/^/#   /' "$SCRATCH/$1.err"
	failed_before=$TAP_FAILED
}

# (a) key log-in: the same pairs as the in-process demo, the same finding.
cfg "$SCRATCH/key.ini" identity="$SSHD_KEY" known_hosts="$SSHD_KNOWN_HOSTS"
"$DPDOCTOR" status --demo="$demo" --format csv >"$SCRATCH/demo.csv"
t0=$(date +%s%N)
run key status -c "$SCRATCH/key.ini" --format csv
is $rc 1 "key: status over ssh exits 1 (problems; $(ms "$t0") ms)"; why key
cmp -s "$SCRATCH/demo.csv" "$SCRATCH/key.out"; ok $? "  same cells as the in-process demo"
[ "$(wc -l <"$SCRATCH/key.out")" -gt 1 ]; ok $? "  and there are some ($(($(wc -l <"$SCRATCH/key.out") - 1)) pairs)"
is "$(asked)" "" "  nobody was asked anything"

IFS=, read -r pkg _ dp _ < <(sed -n 2p "$SCRATCH/demo.csv")
findings() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["state"], *[f["id"] for f in d["findings"]])' "$1"; }
"$DPDOCTOR" diagnose "$pkg" "$dp" --demo="$demo" --format json >"$SCRATCH/diag-demo.json"
run diag diagnose "$pkg" "$dp" -c "$SCRATCH/key.ini" --format json
is $rc 1 "diagnose $pkg $dp over ssh exits 1"; why diag
is "$(findings "$SCRATCH/diag.out" 2>&1)" "$(findings "$SCRATCH/diag-demo.json" 2>&1)" \
	"  the same state and finding as the demo"

# (b) an unknown host key: refused, with the fingerprint and the way out.
: >"$SCRATCH/kh-empty"
cfg "$SCRATCH/unknown.ini" identity="$SSHD_KEY" known_hosts="$SCRATCH/kh-empty"
run unknown status -c "$SCRATCH/unknown.ini"
is $rc 2 "unknown host key: exit 2"
grep -qF "$hostkey_fp" "$SCRATCH/unknown.err"; ok $? "  shows the fingerprint ssh-keygen -lf shows ($hostkey_fp)"; why unknown
grep -q "ssh-ed25519" "$SCRATCH/unknown.err"; ok $? "  and the key type"
grep -q "$primary" "$SCRATCH/unknown.err"; ok $? "  and the server"
grep -q -- "--accept-new-host-key" "$SCRATCH/unknown.err"; ok $? "  and says --accept-new-host-key"
is "$(wc -c <"$SCRATCH/unknown.out")" 0 "  nothing on stdout"
is "$(wc -c <"$SCRATCH/kh-empty")" 0 "  known_hosts untouched"

run accept status -c "$SCRATCH/unknown.ini" --accept-new-host-key --format csv
is $rc 1 "--accept-new-host-key: exit 1"; why accept
cmp -s "$SCRATCH/demo.csv" "$SCRATCH/accept.out"; ok $? "  same cells"
is "$(wc -l <"$SCRATCH/kh-empty")" 1 "  known_hosts gained exactly one line"
grep -q "^\[127.0.0.1\]:$SSHD_PORT ssh-ed25519 " "$SCRATCH/kh-empty"; ok $? "  for [127.0.0.1]:$SSHD_PORT"
run again status -c "$SCRATCH/unknown.ini"
is $rc 1 "  the next run trusts it without the option"; why again
is "$(wc -l <"$SCRATCH/kh-empty")" 1 "  and adds nothing"

# (c) a changed host key: refused, and nothing suggests going on.
ssh-keygen -q -t ed25519 -N '' -C other -f "$SCRATCH/other" || exit 1
printf '[127.0.0.1]:%s %s\n' "$SSHD_PORT" "$(cut -d' ' -f1,2 "$SCRATCH/other.pub")" >"$SCRATCH/kh-changed"
cp "$SCRATCH/kh-changed" "$SCRATCH/kh-changed.orig"
cfg "$SCRATCH/changed.ini" identity="$SSHD_KEY" known_hosts="$SCRATCH/kh-changed"
run changed status -c "$SCRATCH/changed.ini"
is $rc 2 "changed host key: exit 2"
grep -qiE "chang|refus|mismatch" "$SCRATCH/changed.err"; ok $? "  says the key changed / is refused"; why changed
! grep -q -- "--accept-new-host-key" "$SCRATCH/changed.err"; ok $? "  and does not offer to accept it"
run changed2 status -c "$SCRATCH/changed.ini" --accept-new-host-key
is $rc 2 "  --accept-new-host-key does not accept a changed key"
cmp -s "$SCRATCH/kh-changed" "$SCRATCH/kh-changed.orig"; ok $? "  known_hosts untouched"

# (d) a key with a passphrase, answered through $DPDOCTOR_ASKPASS.
cfg "$SCRATCH/pass.ini" identity="$SSHD_KEY_PASS" known_hosts="$SSHD_KNOWN_HOSTS"
DPDOCTOR_ASKPASS=$PASSPHRASE_OK run pass status -c "$SCRATCH/pass.ini" --format csv
is $rc 1 "passphrase key: exit 1"; why pass
cmp -s "$SCRATCH/demo.csv" "$SCRATCH/pass.out"; ok $? "  same cells"
asked | grep -q "^$primary: .*[Pp]assphrase"; ok $? "  the prompt named the server and asked for the passphrase"
! grep -qF "$SSHD_PASSPHRASE" "$SCRATCH/pass.out" "$SCRATCH/pass.err"; ok $? "  the passphrase is not printed"
DPDOCTOR_ASKPASS=$WRONG run passbad status -c "$SCRATCH/pass.ini"
is $rc 2 "wrong passphrase: exit 2"
grep -q "$primary" "$SCRATCH/passbad.err" && grep -qi "passphrase" "$SCRATCH/passbad.err"
ok $? "  the error names the server and the passphrase"; why passbad
run passnone status -c "$SCRATCH/pass.ini"
is $rc 2 "passphrase prompt cancelled: exit 2"

# The same key answered on the terminal (no $DPDOCTOR_ASKPASS): a pty is
# the controlling terminal; echo must be off while the secret is typed and
# back on afterwards, also when Ctrl-C ends the prompt.
cat >"$SCRATCH/pty.py" <<'PY'
import fcntl, os, select, subprocess, sys, termios, time
answer = sys.argv[1].encode().decode("unicode_escape").encode()
m, s = os.openpty()
env = dict(os.environ)
env.pop("DPDOCTOR_ASKPASS", None)
p = subprocess.Popen(sys.argv[2:], stdin=s, stdout=s, stderr=s, env=env, start_new_session=True,
    preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
out, end = b"", time.time() + 30
def drain(t):
    global out
    while select.select([m], [], [], t)[0]:
        try:
            out += os.read(m, 65536)
        except OSError:
            break
        t = 0.1
# Answer every prompt (a cancelled passphrase is followed by the password's).
prompts, echo_during = 0, False
while p.poll() is None and time.time() < end:
    drain(0.2)
    n = out.count(b"Passphrase for key") + out.count(b"'s password: ")
    if n > prompts:
        prompts = n
        time.sleep(0.2)
        echo_during |= bool(termios.tcgetattr(s)[3] & termios.ECHO)
        os.write(m, answer)
drain(0.2)
rc = p.wait(timeout=5)
echo_after = bool(termios.tcgetattr(s)[3] & termios.ECHO)
secret = answer.strip()
print(rc, "echo-off" if not echo_during else "ECHO-ON", "echo-on" if echo_after else "ECHO-OFF",
    "SECRET-SHOWN" if secret and secret in out else "hidden")
PY
got=$(timeout 60 python3 "$SCRATCH/pty.py" "$SSHD_PASSPHRASE\n" "$DPDOCTOR" status -c "$SCRATCH/pass.ini" 2>&1)
is "$got" "1 echo-off echo-on hidden" "terminal: passphrase typed with echo off, echo back on, exit 1"
got=$(timeout 60 python3 "$SCRATCH/pty.py" '\x03' "$DPDOCTOR" status -c "$SCRATCH/pass.ini" 2>&1)
is "$got" "-2 echo-off echo-on hidden" "terminal: Ctrl-C at the prompt ends dpdoctor with echo back on"
got=$(timeout 60 python3 "$SCRATCH/pty.py" '\x04' "$DPDOCTOR" status -c "$SCRATCH/pass.ini" 2>&1)
is "$got" "2 echo-off echo-on hidden" "terminal: Ctrl-D at the prompts cancels them: exit 2"
got=$(DPDOCTOR_ASKPASS= setsid -w timeout 60 "$DPDOCTOR" status -c "$SCRATCH/pass.ini" </dev/null 2>&1)
is "$?" 2 "no terminal and no askpass: exit 2"
grep -q "nobody could be asked" <<<"$got"; ok $? "  saying nobody could be asked"

# (e) password: no key, no agent, an empty $HOME.
cfg "$SCRATCH/pw.ini" known_hosts="$SSHD_KNOWN_HOSTS"
DPDOCTOR_ASKPASS=$PASSWORD_OK run pw status -c "$SCRATCH/pw.ini" --format csv
is $rc 1 "password: exit 1"; why pw
cmp -s "$SCRATCH/demo.csv" "$SCRATCH/pw.out"; ok $? "  same cells"
! grep -qF "$SSHD_PASSWORD" "$SCRATCH/pw.out" "$SCRATCH/pw.err"; ok $? "  the password is not printed"
# sshd answers a wrong password only after PAM's delay: on a loaded machine
# that nears the 5 s connect_timeout, and this check is about the words.
cfg "$SCRATCH/pwbad.ini" known_hosts="$SSHD_KNOWN_HOSTS" connect_timeout=20
t0=$(date +%s%N)
DPDOCTOR_ASKPASS=$WRONG run pwbad status -c "$SCRATCH/pwbad.ini"
is $rc 2 "wrong password: exit 2 ($(ms "$t0") ms)"
grep -qiE "authentication( as [^ ]+)? failed" "$SCRATCH/pwbad.err" && grep -q "$primary" "$SCRATCH/pwbad.err"
ok $? "  \"authentication ... failed\" naming the server"; why pwbad

# (f) ssh-agent holding the key; nobody is asked.
if eval "$(ssh-agent -s)" >/dev/null && AGENT_PID=$SSH_AGENT_PID && ssh-add -q "$SSHD_KEY" 2>/dev/null; then
	run agent status -c "$SCRATCH/pw.ini" --format csv
	is $rc 1 "agent: exit 1"; why agent
	cmp -s "$SCRATCH/demo.csv" "$SCRATCH/agent.out"; ok $? "  same cells"
	is "$(asked)" "" "  nobody was asked anything"
else
	ok 1 "ssh-agent and ssh-add work"
fi
agent_stop
unset SSH_AUTH_SOCK SSH_AGENT_PID

# (g) nothing listens: exit 2 naming the server, within connect_timeout (5 s).
closed=$(sshd_free_port)
cfg "$SCRATCH/closed.ini" identity="$SSHD_KEY" known_hosts="$SSHD_KNOWN_HOSTS"
sed -i "s/^port = .*/port = $closed/" "$SCRATCH/closed.ini"
t0=$(date +%s%N)
run closed status -c "$SCRATCH/closed.ini"
took=$(ms "$t0")
is $rc 2 "connection refused: exit 2"
grep -q "$primary" "$SCRATCH/closed.err"; ok $? "  naming the server"; why closed
[ "$took" -lt 7000 ]; ok $? "  within the connect timeout ($took ms)"

done_testing
