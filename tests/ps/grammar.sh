#!/usr/bin/env bash
# Every script dpdoctor sends to Windows parses under a real PowerShell
# grammar (tree-sitter-powershell, which nobody here wrote): every op kind
# rendered with realistic, hostile and limit arguments
# (tests/fixtures/psrender), decoded the way the Windows host decodes the
# exec line and the stdin payload (decode.js), then parsed (parse.js): 0
# ERROR and 0 MISSING nodes per script, the bootstrap included.  Two
# scripts broken by one character prove the check bites.  node and the
# parser are required, not optional: without them this test fails and
# says how to install them (./quickstart check does).
. "$(dirname "$0")/../cli/lib.sh"
PS=$top_srcdir/tests/ps
# The packages: tests/ps/node_modules, or where configure was told
# (DPDOCTOR_PS_MODULES: make distcheck's build from the tarball).
MODULES=${DPDOCTOR_PS_MODULES:-$PS/node_modules}
export NODE_PATH=$MODULES${NODE_PATH:+:$NODE_PATH}
OUT=$SCRATCH/ps
mkdir -p "$OUT"
HOW="run ./quickstart check (it installs them), or: apt-get install nodejs npm;"
HOW="$HOW cd tests/ps && npm ci --no-audit --no-fund"

# Pass a tool's unnumbered TAP lines on, numbered; its exit status must be
# 0, or 1 with a failing line to show for it.
relay() { # relay WHAT COMMAND...
	local what=$1 rc line bad=0; shift
	"$@" >"$OUT/relay.out" 2>"$OUT/relay.err"; rc=$?
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok 0 "${line#ok - }" ;;
		"not ok - "*) ok 1 "${line#not ok - }"; bad=1 ;;
		*) echo "# $line" ;;
		esac
	done <"$OUT/relay.out"
	sed 's/^/# /' "$OUT/relay.err"
	if [ "$rc" -ne 0 ] && { [ "$rc" -ne 1 ] || [ "$bad" -eq 0 ]; }; then
		ok 1 "$what exited with status $rc"
	fi
	return "$rc"
}

# node and the pinned packages, or a failure that says what to do.
command -v node >/dev/null 2>&1
ok $? "node is installed ($(node --version 2>/dev/null || echo "missing: $HOW"))"
pins=$(node -e '
	const want = require(process.argv[1] + "/package.json").dependencies;
	const bad = [];
	for (const [n, v] of Object.entries(want)) {
		let got = "not installed";
		try { got = require(process.argv[2] + "/" + n + "/package.json").version; } catch (e) {}
		if (got !== v) bad.push(n + " " + v + " (" + got + ")");
	}
	console.log(bad.length ? "missing " + bad.join(", ") : Object.entries(want).map(([n, v]) => n + " " + v).join(", "));
	process.exit(bad.length ? 1 : 0);' "$PS" "$MODULES" 2>&1)
ok $? "$MODULES holds the pinned parser: $pins"
if [ "$TAP_FAILED" -ne 0 ]; then
	echo "# $HOW"
	done_testing
	exit 1
fi

relay "psrender" "$top_builddir/tests/fixtures/psrender" "$OUT"
relay "decode.js" node "$PS/decode.js" "$OUT"
direct=$(find "$OUT" -name '*.cmd' | wc -l) stdin=$(find "$OUT" -name '*.stdin' | wc -l)
[ "$stdin" -gt 0 ] && [ "$direct" -gt "$stdin" ]
ok $? "both forms sent: $((direct - stdin)) one-line scripts, $stdin behind the bootstrap"

t0=$(date +%s%N)
relay "parse.js" node "$PS/parse.js" --tap "$OUT"/*.win.ps1
parsed=$(find "$OUT" -name '*.win.ps1' | wc -l)
echo "# $parsed decoded scripts parsed in $(( ($(date +%s%N) - t0) / 1000000 )) ms"

# The check bites: one character taken out of a real decoded script.
# (a) the closing brace of the last catch block;
base=$OUT/renamefile.hostile.win.ps1
[ -f "$base" ] || base=$OUT/renamefile.hostile.stdin.win.ps1
head -c -2 "$base" >"$OUT/broken-brace.ps1"
node "$PS/parse.js" "$OUT/broken-brace.ps1" >"$OUT/brace.out" 2>&1
is $? 1 "a script missing its last closing brace is flagged"
grep -q '^broken-brace.ps1:[0-9]*:[0-9]*: MISSING "}"' "$OUT/brace.out"
ok $? "  as a MISSING \"}\" with its line and column"
sed 's/^/# /' "$OUT/brace.out"
# (b) one quote of a doubled pair in the argument block: the value's
# quote is then the end of the string, and the rest of it is code.
grep -q "O''Brien" "$base"; ok $? "the hostile script has a doubled quote to break"
sed "0,/O''Brien/s//O'Brien/" "$base" >"$OUT/broken-quote.ps1"
node "$PS/parse.js" "$OUT/broken-quote.ps1" >"$OUT/quote.out" 2>&1
is $? 1 "an argument with an undoubled quote is flagged"
grep -q '^broken-quote.ps1:[0-9]*:[0-9]*: ERROR' "$OUT/quote.out"
ok $? "  as an ERROR with its line and column"
sed 's/^/# /' "$OUT/quote.out"
done_testing
