#!/usr/bin/env bash
# One repair per pair: while one `dpdoctor repair` of a pair runs (held in
# its wait step), a second one of the same pair, sharing the state folder,
# is refused before it does anything -- exit 2, naming who holds the pair
# (user@host, pid, since when, which step) -- and `history --unfinished`
# shows the first run's open step as RUNNING, not as cut off (exit 0: a
# running step is no reason to look), and `history --verify` leaves it
# open.  After kill -9 of the first, the lock is gone with it: the step is
# UNFINISHED, a new repair of the pair proceeds and warns about it, and
# `repair --verify P D` closes it (interrupted, with the cell's state), after
# which no repair warns again.
. "$(dirname "$0")/lib.sh"

site=$SCRATCH/site
"$DPDOCTOR" status --demo="$site" --format csv >/dev/null
is $? 1 "demo site created, with problems"
# A pair whose PCK never arrived: preload-pck ends waiting for Installed, which
# a frozen clock never brings (30 s in the demo).
set -- $(sim_pairs "$site" PCK_MISSING | head -1)
pkg=$1 dp=$2
[ -n "$pkg" ] && [ -n "$dp" ]; ok $? "a pair to repair: $pkg on $dp"


# The first run: the clock is frozen, so its wait step waits on.
(exec "$DPDOCTOR" repair "$pkg" "$dp" --plan preload-pck --yes --demo="$site" \
    </dev/null >"$SCRATCH/first.out" 2>"$SCRATCH/first.err") &
first=$!
wait_until "the first run's wait step" in_wait_step; ok $? "the first run is in its wait step"
step=$("$DPDOCTOR" history --unfinished --format json | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o["name"].startswith("wait"): print(o["step"], o["name"])')
set -- $step
nstep=$1 sname=$2

"$DPDOCTOR" history --unfinished >"$SCRATCH/h1" 2>&1
is $? 0 "history --unfinished: exit 0 while the open step is only running"
grep -q "step $nstep $sname  $pkg  $dp  RUNNING" "$SCRATCH/h1"
ok $? "  the open step is RUNNING"
grep -q "UNFINISHED" "$SCRATCH/h1"; ok $((!$?)) "  nothing is called unfinished"
sed 's/^/#   /' "$SCRATCH/h1"
"$DPDOCTOR" history --unfinished --format json | grep -q '"running":true'
ok $? "  and JSON says \"running\": true"

lines0=$(wc -l <"$XDG_STATE_HOME/dpdoctor/journal.jsonl")
"$DPDOCTOR" history --verify --demo="$site" >"$SCRATCH/v1" 2>&1
is $? 0 "history --verify while it runs: exit 0"
grep -q "step $nstep $sname  $pkg on $dp: running .*left open" "$SCRATCH/v1"
ok $? "  the running step is left open"
sed 's/^/#   /' "$SCRATCH/v1"
is "$(wc -l <"$XDG_STATE_HOME/dpdoctor/journal.jsonl")" "$lines0" "  and nothing is journalled"
"$DPDOCTOR" repair "$pkg" "$dp" --plan preload-pck --yes --demo="$site" \
    </dev/null >"$SCRATCH/second.out" 2>"$SCRATCH/second.err"
is $? 2 "a second repair of the pair: exit 2"
want="$pkg on $dp is being repaired by $(id -un)@$(hostname) (pid $first) since 20[0-9-]*T[0-9:]*Z, at step $nstep ($sname)"
grep -q "$want" "$SCRATCH/second.err"; ok $? "  naming who, pid, since when and which step"
sed 's/^/#   /' "$SCRATCH/second.err"
grep -q "began and never finished" "$SCRATCH/second.err"
ok $((!$?)) "  the first run's open step is not called interrupted"
grep -q "running now" "$SCRATCH/second.err"; ok $? "  but running"
grep -q "^== Step" "$SCRATCH/second.out"; ok $((!$?)) "  no step ran"
is "$(wc -l <"$XDG_STATE_HOME/dpdoctor/journal.jsonl")" "$lines0" "  nothing was journalled"
kill -0 "$first" 2>/dev/null; ok $? "  and the first run goes on"

# kill -9: the kernel drops the lock with the process.
kill -9 "$first"; wait "$first" 2>/dev/null
"$DPDOCTOR" history --unfinished >"$SCRATCH/h2" 2>&1
is $? 1 "after kill -9: history --unfinished exits 1"
grep -q "step $nstep $sname  $pkg  $dp  UNFINISHED" "$SCRATCH/h2"
ok $? "  and the step is UNFINISHED now"
[ -e "$XDG_STATE_HOME/dpdoctor/locks" ] && ls "$XDG_STATE_HOME/dpdoctor/locks" | grep -q .
ok $? "  the lock file is still there"
is "$(stat -c %a "$XDG_STATE_HOME/dpdoctor/locks")" 700 "  in a 0700 folder"
timeout 60 "$DPDOCTOR" repair "$pkg" "$dp" --plan preload-pck --dry-run --yes \
    --demo="$site" </dev/null >"$SCRATCH/third.out" 2>"$SCRATCH/third.err"
rc=$?
[ "$rc" -ne 2 ] && grep -q "^Summary" "$SCRATCH/third.out"
ok $? "a new repair proceeds (exit $rc)"
grep -q "being repaired" "$SCRATCH/third.err"; ok $((!$?)) "  unhindered by the stale file"
grep -q "began and never finished" "$SCRATCH/third.err"
ok $? "  and warns about the killed run's step"

"$DPDOCTOR" repair --verify "$pkg" "$dp" --demo="$site" >"$SCRATCH/v2" 2>&1
is $? 0 "repair --verify P D: exit 0"
grep -q "step $nstep $sname  $pkg on $dp: now [a-z ]*; closed as interrupted" "$SCRATCH/v2"
ok $? "  it read the cell and closed the step"
sed 's/^/#   /' "$SCRATCH/v2"
"$DPDOCTOR" history --package "$pkg" --dp "$dp" >"$SCRATCH/h3" 2>&1
grep -q "step $nstep $sname  $pkg  $dp  interrupted" "$SCRATCH/h3"
ok $? "  history shows the step interrupted"
python3 -c '
import json, sys
ends = [o for o in map(json.loads, open(sys.argv[1])) if o["phase"] == "end"]
v = ends[-1]["params"].get("verified", "") if ends else ""
print("#   verified: " + v)
sys.exit(0 if ends and ends[-1]["result"] == "interrupted" and
    v.startswith("interrupted; verified by repair --verify: %s on %s is " % (sys.argv[2], sys.argv[3])) else 1)
' "$XDG_STATE_HOME/dpdoctor/journal.jsonl" "$pkg" "$dp"
ok $? "  its end entry names the state seen"
"$DPDOCTOR" history --unfinished >/dev/null 2>&1
is $? 0 "  history --unfinished: nothing left (exit 0)"
timeout 60 "$DPDOCTOR" repair "$pkg" "$dp" --plan preload-pck --dry-run --yes \
    --demo="$site" </dev/null >/dev/null 2>"$SCRATCH/fourth.err"
grep -q "began and never finished" "$SCRATCH/fourth.err"
ok $((!$?)) "  and the next repair no longer warns"
done_testing
