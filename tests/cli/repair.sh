#!/usr/bin/env bash
# `dpdoctor repair`: every failure mode the demo's diagnosis names is
# repaired end to end with --yes (site clock running, one site copy per
# pair, in parallel); --dry-run, --read-only and a declined step leave the
# site tree byte for byte as it was (clock frozen, since a running clock
# appends to the simulated logs on every read); a run killed with -9
# leaves an unfinished journal entry that history and the next repair
# report; bad arguments exit 2; and each step's short line is a summary
# ("in short"), with --show-script printing the PowerShell really sent.
. "$(dirname "$0")/lib.sh"

base=$SCRATCH/base
"$DPDOCTOR" status --demo="$base" --format csv >"$SCRATCH/bad.csv"
is $? 1 "demo site created, with problems"

# A fresh copy of the untouched site, and its own journal folder.
fresh() { rm -rf "$SCRATCH/$1"; cp -a "$base" "$SCRATCH/$1"; mkdir -p "$SCRATCH/st-$1"; }
tree_hash() {
	(cd "$1" && find . -type f ! -name site.lock -print0 | sort -z | xargs -0 sha256sum) | sha256sum
}
# The state of one pair, from `status --all`.
state_of() { # DIR PKG DP
	"$DPDOCTOR" status --demo="$1" --all --format csv |
	    awk -F, -v p="$2" -v d="$3" '$1 == p && $3 == d {print $4}'
}

# One failing pair per simulator failure mode (P/S/C lines of site.db).
awk -F'\t' '$1 == "P" {p[np++] = $2} $1 == "S" {s[ns++] = $2}
	$1 == "C" && $4 != 0 && !seen[$5]++ {print $5, p[$2], s[$3]}' "$base/site.db" >"$SCRATCH/cells"
declare -A want=(
	[PCK_MISSING]=pck-not-arrived [STALE_PKG_FILE]=pkg-file-stale [NOT_IN_DB]=not-in-db
	[SOURCE_MISSING]=source-missing [SHARE_PERMS]=share-perms [PCK_NO_REGEN]=pck-stale
)
declare -A pair
while read -r mode pkg dp; do
	[ -n "${want[$mode]:-}" ] && pair[$mode]="$pkg $dp"
done <"$SCRATCH/cells"

# (a) Each mode: the diagnosis names it, then `repair --yes` (its suggested
# plan) ends with the pair installed.  Runs in parallel, clock running.
start=$SECONDS
declare -A pid
for mode in "${!want[@]}"; do
	set -- ${pair[$mode]}
	"$DPDOCTOR" diagnose "$1" "$2" --demo="$base" --format json >"$SCRATCH/diag-$mode.json"
	got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["findings"][0]["id"])' \
	    "$SCRATCH/diag-$mode.json" 2>/dev/null)
	is "$got" "${want[$mode]}" "$mode pair $1 on $2 is diagnosed as ${want[$mode]}"
	(fresh "a-$mode"; unset DPDOCTOR_SIM_TIME; XDG_STATE_HOME=$SCRATCH/st-a-$mode \
	    timeout 90 "$DPDOCTOR" repair "$1" "$2" --yes --demo="$SCRATCH/a-$mode" \
	    </dev/null >"$SCRATCH/a-$mode.out" 2>"$SCRATCH/a-$mode.err") &
	pid[$mode]=$!
done
set -- ${pair[PCK_MISSING]}
pkg=$1 dp=$2

# (b) --dry-run changes nothing, and says what it would change (in the
# background, beside (a): copying the site takes a few seconds).
(fresh b; tree_hash "$SCRATCH/b" >"$SCRATCH/b.hash0"; XDG_STATE_HOME=$SCRATCH/st-b timeout 90 "$DPDOCTOR" repair "$pkg" "$dp" --dry-run --yes \
    --demo="$SCRATCH/b" </dev/null >"$SCRATCH/b.out" 2>"$SCRATCH/b.err") &
pid_b=$!

# Copies are slow (thousands of files): make the rest at once.
fresh c & p1=$!; fresh d & p2=$!; fresh e & p3=$!
wait $p1 $p2 $p3

# (c) --read-only (and [ui] read_only) refuse every changing step.
h0=$(tree_hash "$SCRATCH/c")
XDG_STATE_HOME=$SCRATCH/st-c "$DPDOCTOR" repair "$pkg" "$dp" --read-only --yes \
    --demo="$SCRATCH/c" </dev/null >"$SCRATCH/c.out" 2>"$SCRATCH/c.err"
is $? 2 "--read-only: exit 2 (refused)"
grep -q "REFUSED: read-only" "$SCRATCH/c.out"; ok $? "  says the step was refused"
grep -q "refused" "$SCRATCH/c.err"; ok $? "  and says so on stderr"
is "$(tree_hash "$SCRATCH/c")" "$h0" "  the site tree is unchanged"
primary=$(awk -F'\t' '$1 == "S" {print $2; exit}' "$base/site.db")
cat >"$SCRATCH/ro.ini" <<INI
[site 009]
provider = $primary
sim_dir = $SCRATCH/c

[server $primary]
transport = sim

[ui]
read_only = true
INI
XDG_STATE_HOME=$SCRATCH/st-c "$DPDOCTOR" repair "$pkg" "$dp" --yes -c "$SCRATCH/ro.ini" \
    </dev/null >"$SCRATCH/c2.out" 2>"$SCRATCH/c2.err"
is $? 2 "[ui] read_only = true: exit 2 (refused)"
is "$(tree_hash "$SCRATCH/c")" "$h0" "  the site tree is unchanged"

# The demo carries out hand steps by writing the site directly: read-only
# must not, so the check after the hand step fails instead (exit 1).
set -- ${pair[SHARE_PERMS]}
XDG_STATE_HOME=$SCRATCH/st-c "$DPDOCTOR" repair "$1" "$2" --read-only --yes \
    --demo="$SCRATCH/c" </dev/null >"$SCRATCH/c3.out" 2>"$SCRATCH/c3.err"
is $? 1 "--read-only on a hand-step plan (fix-share-perms): exit 1"
is "$(tree_hash "$SCRATCH/c")" "$h0" "  the site tree is unchanged"

# A DP's preload_exe reaches the preload step, which names the program.
set -- ${pair[PCK_MISSING]}
printf '[site 009]\nprovider = %s\nsim_dir = %s\n[server %s]\ntransport = sim\n[server %s]\ntransport = sim\npreload_exe = D:\\Tools\\PreloadPkgOnSite.exe\n' \
    "$primary" "$SCRATCH/c" "$primary" "$2" >"$SCRATCH/pre.ini"
XDG_STATE_HOME=$SCRATCH/st-c "$DPDOCTOR" repair "$1" "$2" --dry-run --yes -c "$SCRATCH/pre.ini" \
    </dev/null >"$SCRATCH/c4.out" 2>"$SCRATCH/c4.err"
grep -Fq "on $2 (from preload_exe = D:\Tools\PreloadPkgOnSite.exe)" "$SCRATCH/c4.out"
ok $? "[server $2] preload_exe: the preload step names that program"

# (d) "n" at the first changing step: nothing changes, "declined" is journalled.
h0=$(tree_hash "$SCRATCH/d")
first=$(awk '/^  Step [0-9]+ of .*\[changes the site\]/ {print $2; exit}' "$SCRATCH/c.out")
answers=$(for ((i = 1; i < ${first:-1}; i++)); do echo y; done; echo n)
XDG_STATE_HOME=$SCRATCH/st-d "$DPDOCTOR" repair "$pkg" "$dp" --demo="$SCRATCH/d" \
    <<<"$answers" >"$SCRATCH/d.out" 2>"$SCRATCH/d.err"
is $? 1 "declining step $first: exit 1 (not installed)"
grep -q "Run step $first? \[y\]es/\[N\]o/\[s\]kip/\[a\]bort:" "$SCRATCH/d.err"; ok $? "  the prompt asks"
is "$(tree_hash "$SCRATCH/d")" "$h0" "  the site tree is unchanged"
XDG_STATE_HOME=$SCRATCH/st-d "$DPDOCTOR" history >"$SCRATCH/d.hist"
grep -q " declined" "$SCRATCH/d.hist"; ok $? "  history shows the step declined"
XDG_STATE_HOME=$SCRATCH/st-d "$DPDOCTOR" repair "$pkg" "$dp" --demo="$SCRATCH/d" \
    </dev/null >"$SCRATCH/d2.out" 2>"$SCRATCH/d2.err"
is $? 1 "end of input counts as no: exit 1"
is "$(tree_hash "$SCRATCH/d")" "$h0" "  the site tree is unchanged"

# A destructive step's target changes between the plan and the answer: the
# run says what changed and asks again; "n" then declines.
set -- ${pair[STALE_PKG_FILE]}
mkfifo "$SCRATCH/answers"
XDG_STATE_HOME=$SCRATCH/st-g timeout 60 "$DPDOCTOR" repair "$1" "$2" --demo="$SCRATCH/d" \
    <"$SCRATCH/answers" >"$SCRATCH/g.out" 2>"$SCRATCH/g.err" &
victim=$!
exec 3>"$SCRATCH/answers"
wait_for() { # PATTERN FILE
	for ((i = 0; i < 200; i++)); do grep -q "$1" "$2" && return 0; sleep 0.05; done
	return 1
}
# The delete is a branch: it is offered only after PreloadPkgOnSite answered
# "already set in the database" (steps 1-3 yes), on the site server's own
# drive (the PKG is where SMS is, not on an assumed E:).
for n in 1 2 3; do wait_for "Run step $n?" "$SCRATCH/g.err"; echo y >&3; done
wait_for "Run step 4?" "$SCRATCH/g.err"; ok $? "the delete is offered after preload's answer"
grep -q "only if PreloadPkgOnSite answers 'already set in the database'" "$SCRATCH/g.out"
ok $? "  its page says it is a branch on that answer"
pkgfile=$(ls "$SCRATCH/d/servers/$2/"?:/SMS/inboxes/distmgr.box/$1.PKG 2>/dev/null | head -1)
echo "a later deployment" >>"${pkgfile:-/dev/null}"
echo y >&3
wait_for "anyway" "$SCRATCH/g.err"; ok $? "changed target: asks again"
echo n >&3
exec 3>&-
wait "$victim"; is $? 1 "  \"n\": exit 1"
grep -q "^  CHANGED: .*changed" "$SCRATCH/g.out"; ok $? "  says what changed"
[ -n "$pkgfile" ] && [ -s "$pkgfile" ]; ok $? "  the file is still there"

# (e) kill -9 in the middle of a wait step: the journal keeps the begin entry.
set -- ${pair[NOT_IN_DB]}
(unset DPDOCTOR_SIM_TIME; XDG_STATE_HOME=$SCRATCH/st-e exec "$DPDOCTOR" repair "$1" "$2" \
    --plan repush-wait-preload --yes --demo="$SCRATCH/e" </dev/null >"$SCRATCH/e.out" 2>&1) &
victim=$!
for ((i = 0; i < 300; i++)); do
	XDG_STATE_HOME=$SCRATCH/st-e "$DPDOCTOR" history --unfinished --format json \
	    2>/dev/null | grep -q '"name":"wait' && break
	sleep 0.1
done
kill -9 "$victim"; wait "$victim" 2>/dev/null
XDG_STATE_HOME=$SCRATCH/st-e "$DPDOCTOR" history --unfinished >"$SCRATCH/e.hist"
is $? 1 "killed during a wait step: history --unfinished exits 1"
grep -q "step [0-9]* wait.* $1  $2  UNFINISHED" "$SCRATCH/e.hist"; ok $? "  and names the step"
sed 's/^/#   /' "$SCRATCH/e.hist"
XDG_STATE_HOME=$SCRATCH/st-e "$DPDOCTOR" repair "$1" "$2" --demo="$SCRATCH/e" \
    </dev/null >/dev/null 2>"$SCRATCH/e2.err"
grep -q "began and never finished" "$SCRATCH/e2.err"; ok $? "the next repair warns about it"
grep -q "plan repush-wait-preload  step [0-9]* wait.*package $1 on $2" "$SCRATCH/e2.err"
ok $? "  naming the step, package and DP"
grep -q "dpdoctor history --unfinished" "$SCRATCH/e2.err"; ok $? "  and pointing at history --unfinished"

# Ctrl-C (SIGINT) during the wait: the step ends, is journalled, the run
# stops, exit 128+SIGINT (tests/cli/repair_signals.sh: the other signals).
(unset DPDOCTOR_SIM_TIME; XDG_STATE_HOME=$SCRATCH/st-i exec "$DPDOCTOR" repair "$pkg" "$dp" \
    --yes --demo="$SCRATCH/d" </dev/null >"$SCRATCH/i.out" 2>&1) &
victim=$!
wait_for "waiting for Installed" "$SCRATCH/i.out"
kill -INT "$victim"; wait "$victim"
is $? 130 "SIGINT during the wait step: exit 130"
grep -q "^Interrupted: no further step runs" "$SCRATCH/i.out"; ok $? "  says so"
XDG_STATE_HOME=$SCRATCH/st-i "$DPDOCTOR" history --unfinished >/dev/null 2>&1
is $? 0 "  and leaves no unfinished step in the journal"

# (f) Bad arguments exit 2 with a reason.
bad() { # WANT-IN-STDERR DESCRIPTION ARGS...
	local want=$1 what=$2; shift 2
	XDG_STATE_HOME=$SCRATCH/st-f "$DPDOCTOR" repair "$@" </dev/null >/dev/null 2>"$SCRATCH/f.err"
	is $? 2 "$what: exit 2"
	grep -q "$want" "$SCRATCH/f.err"; ok $? "  says \"$want\""
}
bad "no such plan" "unknown plan" "$pkg" "$dp" --plan fix-everything --demo="$base"
bad "not a package ID" "malformed package ID" 9999 "$dp" --demo="$base"
bad "009FFFFF" "unknown package" 009FFFFF "$dp" --demo="$base" --plan preload-pck
bad "009FFFFF" "unknown package, diagnosed" 009FFFFF "$dp" --demo="$base"
bad "not a server name" "malformed DP" "$pkg" 'DP;calc' --demo="$base"
bad "NOSUCHDP01" "unknown DP" "$pkg" NOSUCHDP01 --demo="$base" --plan preload-pck
bad "usage" "missing DP" "$pkg" --demo="$base"

touch "$SCRATCH/st-file"
XDG_STATE_HOME=$SCRATCH/st-file "$DPDOCTOR" repair "$pkg" "$dp" --yes --demo="$base" \
    </dev/null >/dev/null 2>"$SCRATCH/f.err"
is $? 2 "journal folder unusable: exit 2"
grep -q "journal.jsonl" "$SCRATCH/f.err"; ok $? "  names the journal"

# (g) --show-script: under each step's summary, the PowerShell it sends;
# end of input declines step 1, so nothing changes.
XDG_STATE_HOME=$SCRATCH/st-f "$DPDOCTOR" repair "$pkg" "$dp" --plan preload-pck --show-script \
    --demo="$base" </dev/null >"$SCRATCH/s.out" 2>"$SCRATCH/s.err"
is $? 1 "--show-script, end of input: exit 1"
grep -q "^    in short: *copy .*$pkg" "$SCRATCH/s.out"; ok $? "  the short line says \"in short\""
grep -q "^    sent as: *op preload, run by " "$SCRATCH/s.out"
ok $? "  and which op it is sent as, run by which server"
grep -q "^      # dpdoctor op=preload v=1\$" "$SCRATCH/s.out"; ok $? "  the preload step's script"
grep -q "^      \$A\['package'\] = '$pkg'\$" "$SCRATCH/s.out"
ok $? "  names package $pkg in its argument block"
is "$(grep -c '^      # dpdoctor op=' "$SCRATCH/s.out")" 6 \
    "  6 scripts: copy, attributes, preload, delete and preload again (the branch), re-push"
grep -q "^    script: *none: .*while it waits" "$SCRATCH/s.out"; ok $? "  the wait step says it sends none"
awk '/^      # dpdoctor op=/ {n++} /^== Step 1:/ {exit !(n == 6)}' "$SCRATCH/s.out"
ok $? "  all printed with the plan, before step 1 is asked"

# Site kinds (S lines: name, site code, ..., SMS drive or "-", share drive).
# A DP of the package's own site 009 has no PCK: the preload plans are
# refused, exit 2, with the plans that fit.
kinds() { # KIND: own | childdp -- "PKG DP" of a failing pair of that kind
	awk -F'\t' -v k="$1" '$1 == "P" {p[np++] = $2}
	    $1 == "S" {n[ns] = $2; site[ns] = $3; sms[ns] = $(NF - 1); ns++}
	    $1 == "C" && $4 != 0 {
		own = site[$3] == "009" && sms[$3] == "-"
		cdp = site[$3] != "009" && sms[$3] == "-"
		if ((k == "own" && own) || (k == "childdp" && cdp)) { print p[$2], n[$3]; exit }
	    }' "$base/site.db"
}
own=$(kinds own)
if [ -n "$own" ]; then
	XDG_STATE_HOME=$SCRATCH/st-f "$DPDOCTOR" repair $own --plan preload-pck --demo="$base" \
	    </dev/null >/dev/null 2>"$SCRATCH/k.err"
	is $? 2 "own-site DP ($own): preload-pck refused, exit 2"
	grep -q "no PCK to preload there. Try repush, fix-source-path or fix-share-perms" \
	    "$SCRATCH/k.err"; ok $? "  says why and which plans fit"
else
	ok 1 "no failing own-site DP in the demo # SKIP"
fi
childdp=$(kinds childdp)
if [ -n "$childdp" ]; then
	XDG_STATE_HOME=$SCRATCH/st-f "$DPDOCTOR" repair $childdp --plan preload-pck --dry-run \
	    --yes --demo="$base" </dev/null >"$SCRATCH/k.out" 2>&1
	grep -q "site server .* (it holds the PCK for its DPs" "$SCRATCH/k.out"
	ok $? "child-site DP ($childdp): copy and preload act on its site server"
	grep -q "started on .* with WMI (Win32_Process.Create) from " "$SCRATCH/k.out"
	ok $? "  preload started there with WMI, said on the page"
else
	ok 1 "no failing plain DP of a child site in the demo # SKIP"
fi

# An installed pair: nothing to do.
healthy=$(awk -F, '$4 == "INSTALLED" {print $1, $3; exit}' <("$DPDOCTOR" status --demo="$base" --all --format csv))
XDG_STATE_HOME=$SCRATCH/st-f "$DPDOCTOR" repair $healthy --demo="$base" </dev/null >"$SCRATCH/h.out"
is $? 0 "installed pair: exit 0"
grep -q "already installed, nothing to do" "$SCRATCH/h.out"; ok $? "  says so"
for mode in "${!want[@]}"; do
	set -- ${pair[$mode]}
	wait "${pid[$mode]}"; rc=$?
	plan=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["findings"][0]["plan"])' \
	    "$SCRATCH/diag-$mode.json" 2>/dev/null)
	is "$rc" 0 "$mode: repair --yes exits 0 (plan $plan)"
	[ "$rc" -eq 0 ] || sed 's/^/#   /' "$SCRATCH/a-$mode.err" "$SCRATCH/a-$mode.out" | tail -25
	grep -q "^Plan $plan:" "$SCRATCH/a-$mode.out"; ok $? "  uses the suggested plan $plan"
	is "$(unset DPDOCTOR_SIM_TIME; state_of "$SCRATCH/a-$mode" "$1" "$2")" INSTALLED \
	    "  status shows $1 on $2 installed"
done
echo "# (a) took $((SECONDS - start)) s"
awk '/^  Step [0-9]+ of /{plan++} /^== Step 1:/{exit !(plan >= 2)}' "$SCRATCH/a-PCK_MISSING.out"
ok $? "the plan's steps are all printed before the first runs"
for f in where: 'in short:' 'sent as:' changes: scope: verify:; do
	grep -q "^    $f" "$SCRATCH/a-PCK_MISSING.out"; ok $? "  each step shows $f"
done
is "$(grep -c '# dpdoctor op=' "$SCRATCH/a-PCK_MISSING.out")" 0 "  and no script without --show-script"
grep -q "^Summary" "$SCRATCH/a-PCK_MISSING.out"; ok $? "  and a summary at the end"

wait "$pid_b"
is $? 1 "--dry-run: exit 1 (the pair is still not installed)"
is "$(tree_hash "$SCRATCH/b")" "$(cat "$SCRATCH/b.hash0")" "  the site tree is unchanged"
is "$(head -1 "$SCRATCH/b.out" | grep -c 'dry run: nothing will be changed')" 1 "  says so at the top"
is "$(grep -c '^  dry run: nothing will be changed; the step would change: ' "$SCRATCH/b.out")" \
    "$(grep -c '^== Step' "$SCRATCH/b.out")" "  and in every step, with what would change"
grep -q "dry run: would run: copy" "$SCRATCH/b.out"; ok $? "  steps say what they would do"
XDG_STATE_HOME=$SCRATCH/st-b "$DPDOCTOR" history >"$SCRATCH/b.hist"
grep -q " dry-run" "$SCRATCH/b.hist"; ok $? "  and are journalled as dry-run"

done_testing
