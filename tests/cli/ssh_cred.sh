#!/usr/bin/env bash
# A key log-in's missing network credentials (issue 13): the loopback sshd's
# host runs with DPDOCTOR_SIM_NO_UNC=1, as a Windows OpenSSH session opened
# with a key would (Win32-OpenSSH #543): its UNC reads and remote WMI calls
# to other servers fail.  diagnose of a child-site DP must name
# no-network-credentials -- never dp-unreachable -- with the WMI host and
# the ways out; with credential = ask (askpass answering the simulated
# password) the same diagnose reads the DP; a wrong password says logon
# failure; and the secret is never in a script or command line the host
# was sent.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/fixtures/sshd.sh"
. "$top_srcdir/tests/fixtures/sitecfg.sh"

ssh_site_begin

# A failing cell on a child site's DP (plain DP first, else a site server).
pick() { # pick KIND: "PKG DP" of a failing cell whose DP is of that kind
	tail -n +2 "$SCRATCH/demo.csv" | python3 -c '
import csv, sys
for r in csv.reader(sys.stdin): print(r[0], r[2])' | while read -r p d; do
		k=$("$DPDOCTOR" diagnose "$p" "$d" --demo="$demo" --format json 2>/dev/null |
			python3 -c 'import json,sys; print(json.load(sys.stdin).get("kind"))' 2>/dev/null)
		[ "$k" = "$1" ] && { echo "$p $d"; break; }
	done
}
cell=$(pick child-site-dp)
[ -n "$cell" ] || cell=$(pick child-site-server)
[ -n "$cell" ]; ok $? "a failing cell on a child site's DP: ${cell:-none}"
[ -n "$cell" ] || { done_testing; exit 1; }

export DPDOCTOR_SIM_NO_UNC=1
export DPDOCTOR_SIM_PASSWORD='Cr3d-S3cret!x'
sshd_start "$demo"; ok $? "sshd starts (a key log-in's host: no UNC)"
[ -n "${SSHD_PID:-}" ] || { done_testing; exit 1; }

# 1. No credential: the finding says why, names the WMI host and the ways out.
site_ini "$SCRATCH/key.ini" "$primary"
timeout 120 "$DPDOCTOR" diagnose $cell -c "$SCRATCH/key.ini" --format json \
	>"$SCRATCH/key.json" 2>"$SCRATCH/key.err"
is $? 1 "key log-in: diagnose $cell exits 1"
ids=$(python3 -c 'import json,sys; print(" ".join(f["id"] for f in json.load(open(sys.argv[1]))["findings"]))' \
	"$SCRATCH/key.json" 2>/dev/null)
case " $ids " in *" no-network-credentials "*) true;; *) false;; esac
ok $? "  finding no-network-credentials (got: ${ids:-none; $(head -c 300 "$SCRATCH/key.err")})"
case " $ids " in *" dp-unreachable "*) false;; *) true;; esac
ok $? "  never dp-unreachable"
expl=$(python3 -c 'import json,sys
for f in json.load(open(sys.argv[1]))["findings"]:
	if f["id"] == "no-network-credentials": print(f["explanation"])' "$SCRATCH/key.json" 2>/dev/null)
echo "$expl" | grep -q "$primary"; ok $? "  the explanation names the WMI host $primary"
echo "$expl" | grep -qi "password" && echo "$expl" | grep -q "credential = ask" &&
	echo "$expl" | grep -qi "smb"
ok $? "  and the ways out: a password log-in, credential = ask, SMB from here"
timeout 120 "$DPDOCTOR" diagnose $cell -c "$SCRATCH/key.ini" >"$SCRATCH/key.txt" 2>&1
grep -q "no-network-credentials" "$SCRATCH/key.txt" && grep -q "credential = ask" "$SCRATCH/key.txt"
ok $? "  text output: the finding with its whole explanation"

# 2. credential = ask, askpass answering the simulated password.
site_ini "$SCRATCH/cred.ini" "$primary" credential=ask
printf '#!/bin/sh\necho "%s"\n' "$DPDOCTOR_SIM_PASSWORD" >"$SCRATCH/askpass"
chmod 700 "$SCRATCH/askpass"
DPDOCTOR_ASKPASS=$SCRATCH/askpass timeout 120 "$DPDOCTOR" diagnose $cell -c "$SCRATCH/cred.ini" \
	--format json >"$SCRATCH/cred.json" 2>"$SCRATCH/cred.err"
rc=$?
[ "$rc" -le 1 ]; ok $? "credential = ask: diagnose runs (exit $rc)"
ids=$(python3 -c 'import json,sys; print(" ".join(f["id"] for f in json.load(open(sys.argv[1]))["findings"]))' \
	"$SCRATCH/cred.json" 2>/dev/null)
case " $ids " in *" no-network-credentials "*|*" dp-unreachable "*|"  ") false;; *) true;; esac
ok $? "  the DP is read: no credential finding (got: ${ids:-none; $(head -c 300 "$SCRATCH/cred.err")})"
unreadable=$(python3 -c 'import json,sys
print(sum(1 for e in json.load(open(sys.argv[1]))["evidence"] if e["error"]))' "$SCRATCH/cred.json" 2>/dev/null)
is "${unreadable:-x}" 0 "  every evidence source read"

# 3. A wrong password: logon failure, in words.
printf '#!/bin/sh\necho wrong-password\n' >"$SCRATCH/askpass.bad"
chmod 700 "$SCRATCH/askpass.bad"
DPDOCTOR_ASKPASS=$SCRATCH/askpass.bad timeout 120 "$DPDOCTOR" diagnose $cell -c "$SCRATCH/cred.ini" \
	>"$SCRATCH/bad.txt" 2>&1
grep -qi "logon failure" "$SCRATCH/bad.txt"
ok $? "wrong password: says logon failure"

# 4. The secret never went on a command line or into a logged script.
! grep -qF -- "$DPDOCTOR_SIM_PASSWORD" "$SSHD_OPS_LOG" "$SSHD_BASE/sshd.log"
ok $? "the password is in no script or command line the host received"
[ -s "$SSHD_OPS_LOG" ]; ok $? "  (the host did log what it received)"

done_testing
