#!/usr/bin/env bash
# dpdoctor's command line: --help/--version, the no-config guidance, and
# `dpdoctor status` in every format, checked against the simulated site.
. "$(dirname "$0")/lib.sh"

out=$("$DPDOCTOR" --version); ok $? "--version exits 0"
is "$out" "dpdoctor 0.1.0" "--version prints the version"
"$DPDOCTOR" --help | grep -q -- "--demo"; ok $? "--help mentions --demo"
"$DPDOCTOR" --bogus >/dev/null 2>&1; is $? 2 "unknown option exits 2"
"$DPDOCTOR" frobnicate >/dev/null 2>&1; is $? 2 "unknown command exits 2"

err=$("$DPDOCTOR" 2>&1 </dev/null); rc=$?
is $rc 2 "without a configuration: exit 2"
echo "$err" | grep -q "dpdoctor --demo"; ok $? "  and says how to try --demo"
echo "$err" | grep -q "$XDG_CONFIG_HOME/dpdoctor/dpdoctor.ini"; ok $? "  and lists where it looked"

demo=$SCRATCH/demo
"$DPDOCTOR" status --demo="$demo" --format csv >"$SCRATCH/bad.csv"; rc=$?
is $rc 1 "status on the demo site: exit 1 (problems exist)"
head -1 "$SCRATCH/bad.csv" | tr -d '\r' >"$SCRATCH/head"
is "$(cat "$SCRATCH/head")" "PackageID,PackageName,DP,State,SourceVersion,LastCopied" "CSV header"
rows=$(($(wc -l <"$SCRATCH/bad.csv") - 1))
[ "$rows" -ge 40 ] && [ "$rows" -le 60 ]; ok $? "about 50 failing pairs ($rows)"
grep -q ',INSTALLED,' "$SCRATCH/bad.csv"; is $? 1 "no installed pair listed without --all"

"$DPDOCTOR" status --demo="$demo" --format csv --all >"$SCRATCH/all.csv"
all=$(($(wc -l <"$SCRATCH/all.csv") - 1))
[ "$all" -gt 500 ]; ok $? "--all lists every pair ($all)"
bad_in_all=$(grep -vc ',INSTALLED,' "$SCRATCH/all.csv")
is "$((bad_in_all - 1))" "$rows" "--all contains the same problems"

# Against the simulator's own database: P lines are packages and S lines
# servers in index order; C lines are cells (package, server, state ...).
awk -F'\t' '$1 == "P" {p[np++] = $2} $1 == "S" {s[ns++] = $2}
	$1 == "C" && $4 != 0 {print p[$2] "," s[$3]}' "$demo/site.db" | sort >"$SCRATCH/db.pairs"
awk -F, 'NR > 1 {print $1 "," $3}' "$SCRATCH/bad.csv" | sort >"$SCRATCH/csv.pairs"
cmp -s "$SCRATCH/db.pairs" "$SCRATCH/csv.pairs"; ok $? "the failing pairs are exactly the simulator's ($(wc -l <"$SCRATCH/db.pairs"))"

"$DPDOCTOR" status --demo="$demo" --format csv >"$SCRATCH/again.csv"
cmp -s "$SCRATCH/bad.csv" "$SCRATCH/again.csv"; ok $? "frozen clock: same answer twice"

"$DPDOCTOR" status --demo="$demo" --format json >"$SCRATCH/bad.json"
python3 - "$SCRATCH/bad.json" "$rows" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
pairs = d["pairs"]
assert d["site"] == "009", d["site"]
assert len(pairs) == int(sys.argv[2]), len(pairs)
for p in pairs:
    assert set(p) >= {"PackageID", "PackageName", "DP", "State", "SourceVersion", "LastCopied", "StateValue", "ServerNALPath"}, p
    assert p["StateValue"] != 0 and isinstance(p["SourceVersion"], int)
PY
ok $? "JSON has site, and one object per pair with all keys"

"$DPDOCTOR" status --demo="$demo" >"$SCRATCH/table"
head -1 "$SCRATCH/table" | grep -q '^PACKAGE  *NAME  *DP  *STATE  *SRCVER  *LAST COPIED$'
ok $? "table header"
is "$(($(wc -l <"$SCRATCH/table") - 1))" "$rows" "table has the same rows"

"$DPDOCTOR" status --demo="$demo" --format xml >/dev/null 2>"$SCRATCH/err"; is $? 2 "bad --format exits 2"
grep -q "use table, csv, json, nagios or prometheus" "$SCRATCH/err"; ok $? "  and says what is allowed"

# A configuration file pointing at the same simulated site gives the same answer.
primary=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["source"].split(":")[1])' "$SCRATCH/bad.json")
cat >"$SCRATCH/site.ini" <<INI
[site 009]
provider = $primary
sim_dir = $demo

[server $primary]
transport = sim
INI
"$DPDOCTOR" status -c "$SCRATCH/site.ini" --format csv >"$SCRATCH/cfg.csv" 2>"$SCRATCH/err"; rc=$?
if [ $rc -eq 1 ]; then
	cmp -s "$SCRATCH/bad.csv" "$SCRATCH/cfg.csv"; ok $? "config with transport = sim: same pairs as --demo"
else
	ok 1 "config with transport = sim: exit $rc: $(cat "$SCRATCH/err")"
fi

sed -i 's/transport = sim/transport = smb/' "$SCRATCH/site.ini"
"$DPDOCTOR" status -c "$SCRATCH/site.ini" >/dev/null 2>"$SCRATCH/err"; is $? 2 "smb transport cannot run the query: exit 2"
grep -q "$primary" "$SCRATCH/err"; ok $? "  naming the server"
grep -q "site.ini:6: $primary: transport = smb cannot be the WMI host.*SMB carries files and runs no queries" "$SCRATCH/err"
ok $? "  on its line, saying why (tests/cli/smb_config.sh has the whole message)"
sed -i 's/transport = smb/transport = local/' "$SCRATCH/site.ini"
"$DPDOCTOR" status -c "$SCRATCH/site.ini" >/dev/null 2>"$SCRATCH/err"; is $? 2 "local transport cannot run the query yet: exit 2"
grep -q "only transport = ssh and sim work so far" "$SCRATCH/err"; ok $? "  saying which transports can"

# ssh to a port where nothing listens (tests/cli/ssh.sh has a real sshd).
sed -i 's/transport = local/transport = ssh/' "$SCRATCH/site.ini"
printf 'host = 127.0.0.1\nport = 1\nconnect_timeout = 5\n' >>"$SCRATCH/site.ini"
DPDOCTOR_ASKPASS=false timeout 30 "$DPDOCTOR" status -c "$SCRATCH/site.ini" >/dev/null 2>"$SCRATCH/err"
is $? 2 "ssh, connection refused: exit 2"
grep -q "$primary" "$SCRATCH/err"; ok $? "  naming the server"

echo "[site 009" >"$SCRATCH/broken.ini"
"$DPDOCTOR" status -c "$SCRATCH/broken.ini" >/dev/null 2>"$SCRATCH/err"; is $? 2 "broken config: exit 2"
grep -q "broken.ini:1:" "$SCRATCH/err"; ok $? "  error names file and line"

done_testing
