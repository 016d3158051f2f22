#!/usr/bin/env bash
# What `dpdoctor repair` says at the end and while it waits: the summary
# lists every step with what became of it (not only the state before and
# after), names the other DPs a touched source path re-sent the package
# to, and a wait counts down from the bound its step names ("up to 30
# minutes" starts at 30:00, also in the demo, whose minutes are seconds).
. "$(dirname "$0")/lib.sh"

site=$SCRATCH/site
"$DPDOCTOR" status --demo="$site" --format csv >/dev/null
# The clock runs during the repairs (the demo's minutes pass in seconds), as
# in repair.sh; lib.sh freezes it for everything else.
# A pair whose package the child site never got (simulator mode PCK_MISSING).
read -r pkg dp < <(awk -F'\t' '$1 == "P" {p[np++] = $2} $1 == "S" {s[ns++] = $2}
	$1 == "C" && $5 == "PCK_MISSING" && ($4 == 2 || $4 == 3) {print p[$2], s[$3]}' \
	"$site/site.db" | sed -n 2p)
ok $([ -n "$pkg" ]; echo $?) "a PCK_MISSING pair: $pkg on $dp"

(unset DPDOCTOR_SIM_TIME; XDG_STATE_HOME=$SCRATCH/st timeout 120 "$DPDOCTOR" repair "$pkg" "$dp" --yes \
    --demo="$site" </dev/null >"$SCRATCH/a.out" 2>"$SCRATCH/a.err")
is $? 0 "repair --yes heals it"
sed -n '/^Summary/,$p' "$SCRATCH/a.out" >"$SCRATCH/a.sum"
grep -q "^    step 1 copy-pck: ok" "$SCRATCH/a.sum"; ok $? "the summary lists step 1 with its outcome"
grep -q "^    step 4 delete-distmgr-pkg: not needed" "$SCRATCH/a.sum"
ok $? "  and the branch that was not taken"
grep -q "^    step 7 wait-installed: ok" "$SCRATCH/a.sum"; ok $? "  and the last step"
grep -q "waiting for Installed: 1 of 1 cell to go, 30:00 left" "$SCRATCH/a.out"
ok $? "the wait counts down from its bound, 30:00"
first=$(grep -m1 -o "waiting for Installed: .* left" "$SCRATCH/a.out")
is "$first" "waiting for Installed: 1 of 1 cell to go, 30:00 left" \
    "  its first line starts there, not at the demo's 0:30"

# touch-source re-sends the package to every DP of it: the summary says which.
read -r pkg2 dp2 < <(awk -F'\t' '$1 == "P" {p[np++] = $2} $1 == "S" {s[ns++] = $2}
	$1 == "C" && $5 == "PCK_MISSING" && ($4 == 2 || $4 == 3) {print p[$2], s[$3]}' \
	"$site/site.db" | sed -n 4p)
(unset DPDOCTOR_SIM_TIME; XDG_STATE_HOME=$SCRATCH/st timeout 120 "$DPDOCTOR" repair "$pkg2" "$dp2" --plan touch-source \
    --yes --demo="$site" </dev/null >"$SCRATCH/b.out" 2>"$SCRATCH/b.err")
is $? 0 "touch-source heals $pkg2 on $dp2"
grep -q "also affected: $pkg2 is sent again to every DP of $pkg2: " "$SCRATCH/b.out"
ok $? "  the summary names the other DPs it re-sent to"
[ -s "$SCRATCH/b.err" ] && sed 's/^/#   /' "$SCRATCH/b.err" | tail -5

# A hand step asks whether it is done; a wait step asks nothing (the
# administrator's "n" to the hand step is the only answer read).
read -r pkg3 dp3 < <(awk -F'\t' '$1 == "P" {p[np++] = $2} $1 == "S" {s[ns++] = $2}
	$1 == "C" && $5 == "SHARE_PERMS" {print p[$2], s[$3]}' "$site/site.db" | head -1)
printf 'n\n' | (XDG_STATE_HOME=$SCRATCH/st timeout 60 "$DPDOCTOR" repair "$pkg3" "$dp3" \
    --demo="$site" >"$SCRATCH/c.out" 2>"$SCRATCH/c.err")
grep -q "Done? \[y\]es/\[N\]o: " "$SCRATCH/c.err"; ok $? "a hand step asks \"Done? [y]es/[N]o\" ($pkg3 on $dp3)"
grep -q "\[s\]kip" "$SCRATCH/c.err"; ok $((!$?)) "  and offers no skip or abort"
read -r pkg4 dp4 < <(awk -F'\t' '$1 == "P" {p[np++] = $2} $1 == "S" {s[ns++] = $2}
	$1 == "C" && $5 == "PCK_NO_REGEN" {print p[$2], s[$3]}' "$site/site.db" | head -1)
printf 'y\ny\na\n' | (unset DPDOCTOR_SIM_TIME; XDG_STATE_HOME=$SCRATCH/st2 timeout 120 "$DPDOCTOR" repair "$pkg4" "$dp4" --plan rename-pck-touch-source \
    --demo="$site" >"$SCRATCH/d.out" 2>"$SCRATCH/d.err")
is "$(grep -c 'Run step' "$SCRATCH/d.err")" 2 "the two wait steps of rename-pck-touch-source ask nothing"
grep -q "a wait: it runs without asking" "$SCRATCH/d.out"; ok $? "  they say so"

done_testing
