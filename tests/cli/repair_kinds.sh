#!/usr/bin/env bash
# Every failing cell of the demo hierarchy, by what its DP is: the failing
# packages are swept with `diagnose` (JSON Lines: each DP's kind, the
# server whose SMS spoke for it, the finding and its plan), and one pair per
# (kind, finding) is repaired with --yes, each on its own copy of the site
# with its clock running, and must end INSTALLED.  So a DP of the package's
# own site is repaired without a PCK, a child site's server with
# PreloadPkgOnSite started on it over WMI (Win32_Process.Create: the step
# says "via wmi"), a plain DP of a child site through its site server.
. "$(dirname "$0")/lib.sh"

base=$SCRATCH/base
"$DPDOCTOR" status --demo="$base" --format csv >"$SCRATCH/bad.csv"
is $? 1 "demo site created, with problems"

# Every failing pair's diagnosis, one JSON line each.
for p in $(tail -n +2 "$SCRATCH/bad.csv" | cut -d, -f1 | sort -u); do
	"$DPDOCTOR" diagnose "$p" --demo="$base" --format json </dev/null
done >"$SCRATCH/sweep.jsonl"
# One pair per (kind, finding) with a plan, installs only (a removal ends
# with the cell gone, tests/cli/repair.sh covers it), findings only: an
# "unknown" cell (a pending one SMS has not got to) is offered a re-push
# as the safe first step, which need not install it within the wait.
python3 -c 'import json,sys
seen = set()
for l in open(sys.argv[1]):
	d = json.loads(l)
	if d["state"] not in ("INSTALL_PENDING", "INSTALL_RETRYING", "INSTALL_FAILED"):
		continue
	if not d.get("plan") or d["finding"] == "unknown" or (d["kind"], d["finding"]) in seen:
		continue
	seen.add((d["kind"], d["finding"]))
	print(d["kind"], d["finding"], d["plan"], d["package"], d["dp"], d["sms_server"])' \
	"$SCRATCH/sweep.jsonl" | sort >"$SCRATCH/pairs"
kinds=$(cut -d' ' -f1 "$SCRATCH/pairs" | sort -u | tr '\n' ' ')
is "$kinds" "child-site-dp child-site-server own-site " "failing pairs of every kind: $(wc -l <"$SCRATCH/pairs") (kind, finding) pairs"
# The sweep's findings fit the kinds: no PCK finding on an own-site DP.
grep -E '^own-site (pck-not-arrived|pkg-file-stale|not-in-db|pck-stale) ' "$SCRATCH/pairs"
[ $? -ne 0 ]; ok $? "no PCK or preload finding on a DP of the package's own site"

state_of() { # DIR PKG DP
	"$DPDOCTOR" status --demo="$1" --all --format csv |
	    awk -F, -v p="$2" -v d="$3" '$1 == p && $3 == d {print $4}'
}

# Repairs in parallel, two at a time beside the copies (2 cores).
n=0
declare -A pid
while read -r kind finding plan pkg dp sms; do
	n=$((n + 1))
	(rm -rf "$SCRATCH/r$n"; cp -a "$base" "$SCRATCH/r$n"; mkdir -p "$SCRATCH/st$n"
	 unset DPDOCTOR_SIM_TIME
	 XDG_STATE_HOME=$SCRATCH/st$n timeout 120 "$DPDOCTOR" repair "$pkg" "$dp" --yes \
	     --demo="$SCRATCH/r$n" </dev/null >"$SCRATCH/r$n.out" 2>"$SCRATCH/r$n.err") &
	pid[$n]=$!
	[ $((n % 2)) -eq 0 ] && wait "${pid[$((n - 1))]}" "${pid[$n]}"
done <"$SCRATCH/pairs"

n=0
while read -r kind finding plan pkg dp sms; do
	n=$((n + 1))
	wait "${pid[$n]}" 2>/dev/null
	st=$(unset DPDOCTOR_SIM_TIME; state_of "$SCRATCH/r$n" "$pkg" "$dp")
	is "$st" INSTALLED "$kind $dp ($finding, plan $plan): $pkg repaired, INSTALLED"
	[ "$st" = INSTALLED ] || cat "$SCRATCH/r$n.out" "$SCRATCH/r$n.err" | tail -20 | cut -c1-240 | sed 's/^/#   /'
	case $plan in preload-pck|clear-pkg-then-preload|repush-wait-preload)
		# The tool runs on the server whose SMS holds the PCK, started
		# from the WMI host over WMI (the demo has no ssh sessions).
		grep -q "Run PreloadPkgOnSite.exe on the site server" "$SCRATCH/r$n.out" &&
			grep -q "via wmi" "$SCRATCH/r$n.out"
		ok $? "  PreloadPkgOnSite ran on $sms, started over WMI"
		if [ "$kind" = child-site-dp ]; then
			grep -q "0090[0-9A-F]* on $dp: ok: copied to $sms" "$SCRATCH/r$n.out"
			ok $? "  the PCK went to $sms, the site server that serves $dp"
		fi;;
	esac
done <"$SCRATCH/pairs"

done_testing
