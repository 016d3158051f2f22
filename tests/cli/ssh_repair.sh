#!/usr/bin/env bash
# A repair over SSH, end to end: `dpdoctor repair --yes` diagnoses a pair
# whose PCK never arrived (evidence gathered over SSH), runs preload-pck
# through a real loopback sshd in front of the simulated site (its clock
# running, 60 SMS seconds a second) and the pair ends installed.  Then sshd
# is killed while a second repair waits for its cell: the repair must stop
# soon, say which server it lost, and leave no step without its journal end.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/fixtures/sshd.sh"
. "$top_srcdir/tests/fixtures/sitecfg.sh"

unset DPDOCTOR_SIM_TIME        # the site's clock runs: the DP must get to Installed
export XDG_STATE_HOME=$SCRATCH/state
ssh_site_begin
sshd_start "$demo"; ok $? "sshd starts"
[ -n "${SSHD_PID:-}" ] || { done_testing; exit 1; }
site_ini "$SCRATCH/site.ini" "$primary"
D=("$DPDOCTOR")
C=(-c "$SCRATCH/site.ini")

# Two pairs whose PCK never arrived.
pairs=()
while IFS=, read -r id _ dp state _; do
	[ "$state" = INSTALL_RETRYING ] || [ "$state" = INSTALL_FAILED ] || continue
	f=$("$DPDOCTOR" diagnose "$id" "$dp" --demo="$demo" --format json 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["findings"][0]["id"])' 2>/dev/null)
	[ "$f" = pck-not-arrived ] && pairs+=("$id $dp")
	[ ${#pairs[@]} -ge 2 ] && break
done < <(tail -n +2 "$SCRATCH/demo.csv")
is ${#pairs[@]} 2 "two pairs whose PCK never arrived"
read -r id1 dp1 <<<"${pairs[0]}"
read -r id2 dp2 <<<"${pairs[1]}"

t0=$(date +%s)
timeout 120 "${D[@]}" repair "$id1" "$dp1" --yes "${C[@]}" >"$SCRATCH/r1.out" 2>"$SCRATCH/r1.err"
rc=$?
is $rc 0 "repair $id1 on $dp1 over SSH: exit 0 ($(( $(date +%s) - t0 )) s)"
[ $rc -eq 0 ] || sed 's/^/#   /' "$SCRATCH/r1.err" "$SCRATCH/r1.out" | tail -30
grep -q "plan preload-pck\|preload-pck" "$SCRATCH/r1.out"; ok $? "  the diagnosis over SSH picked preload-pck"
grep -q "Successfully set the Compressed Package Path" "$SCRATCH/r1.out"
ok $? "  PreloadPkgOnSite's success line came back over SSH"
state=$("${D[@]}" status --all --format csv "${C[@]}" | awk -F, -v i="$id1" -v d="$dp1" '$1 == i && $3 == d { print $4 }')
is "$state" INSTALLED "  status over SSH shows it installed"

# The second repair: kill sshd (listener and sessions) during its wait step.
"${D[@]}" repair "$id2" "$dp2" --yes "${C[@]}" >"$SCRATCH/r2.out" 2>"$SCRATCH/r2.err" &
rpid=$!
for _ in $(seq 600); do
	grep -q "waiting for Installed" "$SCRATCH/r2.out" 2>/dev/null && break
	kill -0 "$rpid" 2>/dev/null || break
	sleep 0.1
done
grep -q "waiting for Installed" "$SCRATCH/r2.out"; ok $? "the second repair reached its wait step"
sshd_kill
t0=$(date +%s)
for _ in $(seq 900); do kill -0 "$rpid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$rpid" 2>/dev/null && { kill "$rpid"; ok 1 "  the repair stops soon after sshd dies"; } ||
	ok 0 "  the repair stops soon after sshd dies ($(( $(date +%s) - t0 )) s)"
wait "$rpid"; rc=$?
[ $rc -ne 0 ]; ok $? "  and does not claim success (exit $rc)"
grep -q "$primary" "$SCRATCH/r2.out" "$SCRATCH/r2.err"; ok $? "  the output names the server it lost"
grep -q "cannot read the status any more" "$SCRATCH/r2.out"; ok $? "  the wait step says why it ended"
"$DPDOCTOR" history --unfinished >"$SCRATCH/unf.out"; is $? 0 "  no step is left without its journal end"
"$DPDOCTOR" history --format json --package "$id2" --dp "$dp2" >"$SCRATCH/h.json"
python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
w = [r for r in rows if r.get("name") == "wait-installed"]
sys.exit(0 if w and all(r.get("result") == "failed" for r in w) else 1)
' "$SCRATCH/h.json"
ok $? "  the journal records the wait step as failed"
sshd_stop

done_testing
