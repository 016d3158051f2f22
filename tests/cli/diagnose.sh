#!/usr/bin/env bash
# `dpdoctor diagnose` on every failing cell of the demo site: the finding
# must be the one the simulator's failure mode implies, with cited evidence;
# plus the healthy case, JSON shape and argument errors.
. "$(dirname "$0")/lib.sh"

demo=$SCRATCH/demo
"$DPDOCTOR" status --demo="$demo" --format json >"$SCRATCH/bad.json"
is $? 1 "demo site created, with problems"

# Failing cells and their modes from the simulator's database: P lines are
# packages and S lines servers in index order; C lines are cells.
awk -F'\t' '$1 == "P" {p[np++] = $2} $1 == "S" {s[ns++] = $2}
	$1 == "C" && $4 != 0 {print p[$2], s[$3], $5}' "$demo/site.db" >"$SCRATCH/cells"
declare -A want=(
	[PCK_MISSING]=pck-not-arrived [STALE_PKG_FILE]=pkg-file-stale [NOT_IN_DB]=not-in-db
	[SOURCE_MISSING]=source-missing [SHARE_PERMS]=share-perms [PCK_NO_REGEN]=pck-stale
)
declare -A right wrong
while read -r pkg dp mode; do
	[ -n "${want[$mode]:-}" ] || continue
	"$DPDOCTOR" diagnose "$pkg" "$dp" --demo="$demo" --format json >"$SCRATCH/d.json" 2>"$SCRATCH/err"
	rc=$?
	got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); f=d["findings"][0]; print(f["id"] if f["cites"] or f["id"] in ("unknown",) else "no-cites")' "$SCRATCH/d.json" 2>/dev/null)
	if [ "$rc" -eq 1 ] && [ "$got" = "${want[$mode]}" ]; then
		right[$mode]=$((${right[$mode]:-0} + 1))
	else
		wrong[$mode]="${wrong[$mode]:-} $pkg/$dp:rc=$rc:${got:-$(head -c 200 "$SCRATCH/err")}"
	fi
done <"$SCRATCH/cells"
for mode in "${!want[@]}"; do
	n=${right[$mode]:-0}
	[ "$n" -ge 3 ] && [ -z "${wrong[$mode]:-}" ]
	ok $? "$mode cells diagnosed as ${want[$mode]} ($n right${wrong[$mode]:+; wrong:${wrong[$mode]}})"
done

# Site kinds (issue 13): walk every failing cell as `status --format csv`
# lists it; each finding must fit what the DP is to the package.  Nothing
# compressed (PCK, INCOMING or distmgr.box PKG, preload) belongs to a DP of
# the package's own site: its files come uncompressed from the source.  The
# inbox failures belong where the inboxes are: a child site's server.
"$DPDOCTOR" status --demo="$demo" --format csv >"$SCRATCH/bad.csv"
tail -n +2 "$SCRATCH/bad.csv" | python3 -c '
import csv, sys
for r in csv.reader(sys.stdin):
    print(r[0], r[2])' >"$SCRATCH/failing"
: >"$SCRATCH/kinds"
while read -r pkg dp; do
	"$DPDOCTOR" diagnose "$pkg" "$dp" --demo="$demo" --format json >"$SCRATCH/k.json" 2>/dev/null
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sys.argv[2], d.get("kind"), d.get("sms_server"), d["findings"][0]["id"])' \
	    "$SCRATCH/k.json" "$pkg/$dp" >>"$SCRATCH/kinds" 2>/dev/null ||
		echo "$pkg/$dp none none error" >>"$SCRATCH/kinds"
done <"$SCRATCH/failing"
n=$(wc -l <"$SCRATCH/failing")
[ "$n" -gt 0 ] && [ "$(wc -l <"$SCRATCH/kinds")" -eq "$n" ]
ok $? "every failing cell diagnosed ($n)"
bad=$(awk '$2 == "own-site" && $4 ~ /^(pck-|pkg-file-stale|not-in-db)/' "$SCRATCH/kinds")
[ -z "$bad" ]
ok $? "no PCK, PKG-file or database finding on a DP of the package's own site${bad:+: $bad}"
# A plain DP of a child site shares its site server's inboxes, so it fails
# with its server: the finding is then about that other server, never
# about the DP itself.
bad=$(awk '$4 ~ /^(pck-not-arrived|pkg-file-stale|not-in-db)$/ {
	split($1, pd, "/")
	if (!($2 == "child-site-server" && $3 == pd[2]) && !($2 == "child-site-dp" && $3 != pd[2])) print
}' "$SCRATCH/kinds")
[ -z "$bad" ]
ok $? "inbox findings only at child site servers (for their plain DPs too)${bad:+: $bad}"
bad=$(awk '$2 == "unknown" || $3 == "None" || $4 == "error" || $4 == "dp-unreachable"' "$SCRATCH/kinds")
[ -z "$bad" ]
ok $? "every failing cell has a known kind, an SMS server and a reachable DP${bad:+: $bad}"
# Each seed failure mode at least once, in its true place.
for place in "pck-not-arrived child-site-server" "pkg-file-stale child-site-server" \
    "not-in-db child-site-server" "source-missing any" "share-perms own-site" \
    "share-perms child-site-dp" "pck-stale any"; do
	set -- $place
	awk -v f="$1" -v k="$2" '$4 == f && (k == "any" || $2 == k) {found = 1} END {exit !found}' \
	    "$SCRATCH/kinds"
	ok $? "$1 appears on a DP of kind $2"
done
# An own-site DP is served by the primary; the text says so, with the
# layouts line.
own=$(awk '$2 == "own-site" {print $1; exit}' "$SCRATCH/kinds" | tr / ' ')
if [ -n "$own" ]; then
	"$DPDOCTOR" diagnose $own --demo="$demo" >"$SCRATCH/own.txt"
	grep -q "^Kind: .*a DP of the package's own site 009, served by " "$SCRATCH/own.txt"
	ok $? "text: the kind in words"
	grep -q "^SMS server: " "$SCRATCH/own.txt" && grep -q "^Layouts: " "$SCRATCH/own.txt"
	ok $? "text: the SMS server and the layouts line"
else
	ok 1 "an own-site failing cell exists"
fi

# A healthy cell: exit 0 and the healthy finding.
healthy=$("$DPDOCTOR" status --demo="$demo" --all --format csv | awk -F, '$4 == "INSTALLED" {print $1, $3; exit}')
"$DPDOCTOR" diagnose $healthy --demo="$demo" >"$SCRATCH/h.txt"
is $? 0 "installed cell: exit 0"
grep -q "Installed: nothing to fix" "$SCRATCH/h.txt"; ok $? "  says so"

# Text output names the finding, the repair and the evidence groups.
set -- $(awk '$3 == "PCK_MISSING" {print $1, $2; exit}' "$SCRATCH/cells")
"$DPDOCTOR" diagnose "$1" "$2" --demo="$demo" >"$SCRATCH/t.txt"
grep -q "^Finding: The compressed package (PCK) never arrived" "$SCRATCH/t.txt"; ok $? "text: finding title"
grep -q "Suggested repair: preload-pck" "$SCRATCH/t.txt"; ok $? "text: suggested repair"
grep -q "^  > .*INCOMING" "$SCRATCH/t.txt"; ok $? "text: the INCOMING file is cited"
grep -q "haven't arrived yet" "$SCRATCH/t.txt"; ok $? "text: the distmgr.log skip line is shown"

"$DPDOCTOR" diagnose 009000G7 DP01 --demo="$demo" >/dev/null 2>"$SCRATCH/err"; is $? 2 "bad package ID: exit 2"
grep -q "not a package ID" "$SCRATCH/err"; ok $? "  says why"
"$DPDOCTOR" diagnose '009000B7' 'DP;calc' --demo="$demo" >/dev/null 2>&1; is $? 2 "bad server name: exit 2"
# Without a DP: the package on every DP it is sent to, each line the same
# finding as diagnosing that pair alone.
pkg=$(awk '{print $1; exit}' "$SCRATCH/cells")
"$DPDOCTOR" diagnose "$pkg" --demo="$demo" --format json >"$SCRATCH/sweep.json"
is $? 1 "diagnose $pkg on every DP: exit 1 (a problem)"
want=$("$DPDOCTOR" status --demo="$demo" --all --format csv | awk -F, -v p="$pkg" '$1 == p' | wc -l)
is "$(wc -l <"$SCRATCH/sweep.json")" "$want" "  one line per DP of the package"
same=0
while read -r dp finding; do
	one=$("$DPDOCTOR" diagnose "$pkg" "$dp" --demo="$demo" --format json |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["findings"][0]["id"])')
	[ "$one" = "$finding" ] && same=$((same + 1))
done < <(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l); print(r["dp"], r["finding"])' "$SCRATCH/sweep.json")
is "$same" "$want" "  each DP's finding equals diagnosing that pair alone"
"$DPDOCTOR" diagnose 009FFFFF --demo="$demo" >/dev/null 2>"$SCRATCH/err"; is $? 2 "an unknown package: exit 2"
grep -q "^dpdoctor diagnose: 009FFFFF: no such package on site 009" "$SCRATCH/err"; ok $? "  says there is no such package"
done_testing
