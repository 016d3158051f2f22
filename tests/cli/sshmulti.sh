#!/usr/bin/env bash
# The SSH engine with several hosts at once, driven by
# tests/fixtures/sshmulti against two loopback sshds (tests/fixtures/sshd.sh),
# each with its own port and host keys:
#  - a host waiting for a password from a slow askpass (3 s) does not hold
#    up the other, whose command completes while the question is open;
#  - two unknown host keys met at once are both listed, with the
#    fingerprints ssh-keygen -lf prints, and accepting one writes exactly
#    that one line to known_hosts.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/fixtures/sshd.sh"

sshd_require
MULTI=$top_builddir/tests/fixtures/sshmulti
A_PID= A_BASE= B_PID= B_BASE=
# Each sshd stopped by its own recorded pid.
stop_all() {
	SSHD_PID=$A_PID SSHD_BASE=$A_BASE sshd_stop
	SSHD_PID=$B_PID SSHD_BASE=$B_BASE sshd_stop
}
trap 'stop_all; cleanup_scratch' EXIT
unset SSH_AUTH_SOCK SSH_AGENT_PID

demo=$SCRATCH/demo
chmod 711 "$SCRATCH"     # dpdsim must reach the site below it
"$DPDOCTOR" status --demo="$demo" --format json >/dev/null; is $? 1 "demo site created"

sshd_start "$demo"; ok $? "first sshd starts (port ${SSHD_PORT:-?})"
A_PID=$SSHD_PID A_BASE=$SSHD_BASE A_PORT=$SSHD_PORT A_KEY=$SSHD_KEY A_KH=$SSHD_KNOWN_HOSTS
sshd_start "$demo"; ok $? "second sshd starts (port ${SSHD_PORT:-?})"
B_PID=$SSHD_PID B_BASE=$SSHD_BASE B_PORT=$SSHD_PORT B_KEY=$SSHD_KEY B_KH=$SSHD_KNOWN_HOSTS
[ -n "$A_PID" ] && [ -n "$B_PID" ] || { done_testing; exit 1; }
cat "$A_KH" "$B_KH" >"$SCRATCH/kh-both"

# No key files and no agent for the host that logs in with a password.
mkdir -p "$SCRATCH/home"
export HOME=$SCRATCH/home

# field NAME WORD OUT: the number after "WORD NAME" in the driver's output.
at() { awk -v w="$1" -v n="$2" '$1 == w && $2 == n { print $3; exit }' "$3"; }

# (a) A slow password does not stall the other host.
printf '#!/bin/sh\nsleep 3\nprintf "%%s\\n" %q\n' "$SSHD_PASSWORD" >"$SCRATCH/slow-askpass"
chmod +x "$SCRATCH/slow-askpass"
DPDOCTOR_ASKPASS=$SCRATCH/slow-askpass timeout 60 "$MULTI" --known-hosts "$SCRATCH/kh-both" \
	--host "slow:$A_PORT" --host "fast:$B_PORT:$B_KEY" timing >"$SCRATCH/timing.out" 2>"$SCRATCH/timing.err"
is $? 0 "both hosts complete"
sed 's/^/#   /' "$SCRATCH/timing.out"
asked=$(at asked slow "$SCRATCH/timing.out")
answered=$(at answered slow "$SCRATCH/timing.out")
fast=$(at done fast "$SCRATCH/timing.out")
slow=$(at done slow "$SCRATCH/timing.out")
[ -n "$asked" ] && [ -n "$answered" ]; ok $? "  the password host was asked (at ${asked:-?} ms, answered at ${answered:-?} ms)"
grep -q "^done fast .* ok rows=" "$SCRATCH/timing.out"; ok $? "  the key host's status op succeeded"
grep -q "^done slow .* ok rows=" "$SCRATCH/timing.out"; ok $? "  the password host's too, after the answer"
[ -n "$fast" ] && [ "$fast" -lt 2000 ]; ok $? "  the key host finished in under 2 s (${fast:-?} ms)"
[ -n "$fast" ] && [ -n "$asked" ] && [ -n "$answered" ] && [ "$asked" -lt "$fast" ] &&
	[ "$fast" -lt "$answered" ]
ok $? "  while the password question was open (${asked:-?} < ${fast:-?} < ${answered:-?} ms)"
[ -n "$slow" ] && [ -n "$answered" ] && [ "$slow" -ge "$answered" ]; ok $? "  the password host finished after its answer (${slow:-?} ms)"
! grep -qF "$SSHD_PASSWORD" "$SCRATCH/timing.out" "$SCRATCH/timing.err"; ok $? "  the password is not printed"

# (a2) Given up while waiting: both hosts need a password, their commands
# time out after 1 s.  The question being asked is answered into the void
# (wiped) and the one still queued behind it is never asked; the engine
# closes cleanly (a sanitizer build would report a leak or a freed block).
t0=$(date +%s%N)
DPDOCTOR_ASKPASS=$SCRATCH/slow-askpass timeout 60 "$MULTI" --known-hosts "$SCRATCH/kh-both" \
	--deadline-ms 1000 --host "one:$A_PORT" --host "two:$B_PORT" timing \
	>"$SCRATCH/gaveup.out" 2>"$SCRATCH/gaveup.err"
rc=$? took=$(( ($(date +%s%N) - t0) / 1000000 ))
sed 's/^/#   /' "$SCRATCH/gaveup.out" "$SCRATCH/gaveup.err"
is $rc 1 "deadline while asking: both commands fail (exit 1, $took ms)"
is "$(grep -c '^done .* error: .*no answer in time' "$SCRATCH/gaveup.out")" 2 "  both with \"no answer in time\""
is "$(grep -c '^asked ' "$SCRATCH/gaveup.out")" 1 "  one question at a time: the second was never asked"
! grep -q "Sanitizer" "$SCRATCH/gaveup.err"; ok $? "  no sanitizer report"

# (b) Two unknown host keys at once: both listed, one accepted.
: >"$SCRATCH/kh-empty"
timeout 60 "$MULTI" --known-hosts "$SCRATCH/kh-empty" \
	--host "alpha:$A_PORT:$A_KEY" --host "beta:$B_PORT:$B_KEY" hostkeys alpha \
	>"$SCRATCH/keys.out" 2>"$SCRATCH/keys.err"
is $? 0 "hostkeys: accepting one of two works"
sed 's/^/#   /' "$SCRATCH/keys.out"
grep -q "^done alpha .* error: .*unknown host key" "$SCRATCH/keys.out"; ok $? "  alpha failed on its unknown key"
grep -q "^done beta .* error: .*unknown host key" "$SCRATCH/keys.out"; ok $? "  so did beta"
is "$(grep -c '^key ' "$SCRATCH/keys.out")" 2 "  both keys are pending at once"
# keycheck NAME BASE PORT: the listed key is that sshd's, as ssh-keygen -lf shows it.
keycheck() {
	local line type fp file
	line=$(awk -v n="$1" '$1 == "key" && $2 == n' "$SCRATCH/keys.out")
	read -r _ _ addr port type fp kh <<<"$line"
	case $type in ssh-ed25519) file=$2/host_ed25519.pub;; ecdsa-*) file=$2/host_ecdsa.pub;; *) file=;; esac
	[ "$addr $port" = "127.0.0.1 $3" ]; ok $? "  $1: 127.0.0.1 port $3 (${addr:-?} ${port:-?})"
	[ -n "$file" ] && [ "$fp" = "$(ssh-keygen -lf "$file" | awk '{print $2}')" ]
	ok $? "  $1: $type ${fp:-?} is what ssh-keygen -lf prints for its host key"
	is "$kh" "$SCRATCH/kh-empty" "  $1: would go to the configured known_hosts"
}
keycheck alpha "$A_BASE" "$A_PORT"
keycheck beta "$B_BASE" "$B_PORT"
grep -q "^accepted alpha$" "$SCRATCH/keys.out"; ok $? "  alpha accepted"
is "$(wc -l <"$SCRATCH/kh-empty")" 1 "  known_hosts gained exactly one line"
grep -q "^\[127.0.0.1\]:$A_PORT " "$SCRATCH/kh-empty"; ok $? "  for [127.0.0.1]:$A_PORT"
read -r _ ktype kdata <"$SCRATCH/kh-empty"
case $ktype in ssh-ed25519) kfile=$A_BASE/host_ed25519.pub;; *) kfile=$A_BASE/host_ecdsa.pub;; esac
is "$kdata" "$(cut -d' ' -f2 "$kfile")" "  holding the first sshd's own $ktype key"

timeout 60 "$MULTI" --known-hosts "$SCRATCH/kh-empty" \
	--host "alpha:$A_PORT:$A_KEY" --host "beta:$B_PORT:$B_KEY" hostkeys \
	>"$SCRATCH/keys2.out" 2>"$SCRATCH/keys2.err"
sed 's/^/#   /' "$SCRATCH/keys2.out"
grep -q "^done alpha .* ok rows=" "$SCRATCH/keys2.out"; ok $? "  next run: alpha is trusted"
is "$(grep '^key ' "$SCRATCH/keys2.out" | cut -d' ' -f2 | tr '\n' ' ')" "beta " "  and only beta's key waits"

done_testing
