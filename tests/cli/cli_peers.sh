#!/usr/bin/env bash
# The command line behaves like its peers (git, ssh, kubectl), issue 15:
# global options before the subcommand; a missing $DPDOCTOR_CONFIG is an
# error, not a fall back; diagnose and repair check the package and the DP
# before gathering evidence, package IDs in any case; a bad option is one
# line, the usage line and a --help hint, every message prefixed
# "dpdoctor CMD:"; `log FILE`; --dry-run walks every step without asking;
# the table fits the width ($COLUMNS, the terminal, or whole in a pipe).
. "$(dirname "$0")/lib.sh"

demo=$SCRATCH/demo
"$DPDOCTOR" status --demo="$demo" --format csv >"$SCRATCH/after.csv"
is $? 1 "status --demo=DIR (subcommand first) works: exit 1"

# --- global options before the subcommand ---
"$DPDOCTOR" --demo="$demo" status --format csv >"$SCRATCH/before.csv" 2>"$SCRATCH/err"
is $? 1 "dpdoctor --demo=DIR status: exit 1"
cmp -s "$SCRATCH/before.csv" "$SCRATCH/after.csv"; ok $? "  the same pairs as status --demo=DIR"

"$DPDOCTOR" status --demo="$demo" --format json >"$SCRATCH/s.json"
primary=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["source"].split(":")[1])' "$SCRATCH/s.json")
cat >"$SCRATCH/site.ini" <<INI
[site 009]
provider = $primary
sim_dir = $demo

[server $primary]
transport = sim
INI
"$DPDOCTOR" -c "$SCRATCH/site.ini" status --format csv >"$SCRATCH/c.csv" 2>"$SCRATCH/err"
is $? 1 "dpdoctor -c FILE status: exit 1"
"$DPDOCTOR" --config="$SCRATCH/site.ini" status --format csv >/dev/null 2>&1
is $? 1 "dpdoctor --config=FILE status: exit 1"

pkg=0090000B dp=PARISDP01
"$DPDOCTOR" --demo="$demo" diagnose $pkg $dp --format json >/dev/null 2>"$SCRATCH/err"
is $? 1 "dpdoctor --demo=DIR diagnose P DP: exit 1 (a problem)"
cp -r "$demo" "$SCRATCH/ro"
XDG_STATE_HOME=$SCRATCH/st-ro "$DPDOCTOR" --read-only --demo="$SCRATCH/ro" repair $pkg $dp --yes \
	>"$SCRATCH/ro.out" 2>"$SCRATCH/ro.err"
is $? 2 "dpdoctor --read-only repair --yes: exit 2 (refused)"
grep -q '^\*\*\* read-only' "$SCRATCH/ro.out"; ok $? "  and says read-only first"
"$DPDOCTOR" --help status >"$SCRATCH/h" 2>&1
head -1 "$SCRATCH/h" | grep -q '^usage: dpdoctor status'; ok $? "dpdoctor --help status: status's help"

# --- $DPDOCTOR_CONFIG naming a missing file: an error, never a fall back ---
mkdir -p "$XDG_CONFIG_HOME/dpdoctor"
cp "$SCRATCH/site.ini" "$XDG_CONFIG_HOME/dpdoctor/dpdoctor.ini"
"$DPDOCTOR" status --format csv >/dev/null 2>&1
is $? 1 "the default configuration works when nothing else is named"
DPDOCTOR_CONFIG=$SCRATCH/nowhere.ini "$DPDOCTOR" status >/dev/null 2>"$SCRATCH/err"
is $? 2 "\$DPDOCTOR_CONFIG names a missing file: exit 2, no fall back"
head -1 "$SCRATCH/err" | grep -q "^dpdoctor status: \$DPDOCTOR_CONFIG=$SCRATCH/nowhere.ini: "
ok $? "  first line: dpdoctor status: \$DPDOCTOR_CONFIG=FILE: ..."
[ $? -eq 0 ] || sed 's/^/# /' "$SCRATCH/err"
"$DPDOCTOR" status -c "$SCRATCH/nowhere.ini" >/dev/null 2>"$SCRATCH/err"
is $? 2 "-c FILE missing: exit 2"
head -1 "$SCRATCH/err" | grep -q "^dpdoctor status: $SCRATCH/nowhere.ini: "
ok $? "  first line: dpdoctor status: FILE: ..."
rm "$XDG_CONFIG_HOME/dpdoctor/dpdoctor.ini"

# --- the package and the DP are checked first; IDs in any case ---
check() { # check WANT-FIRST-LINE DESCRIPTION -- COMMAND...
	local want=$1 what=$2; shift 3
	"$@" >"$SCRATCH/out" 2>"$SCRATCH/err"
	is $? 2 "$what: exit 2"
	is "$(head -1 "$SCRATCH/err")" "$want" "  first line"
	[ -s "$SCRATCH/out" ] && sed 's/^/# stdout: /' "$SCRATCH/out" | head -3
	[ ! -s "$SCRATCH/out" ]; ok $? "  nothing on stdout (no evidence gathered)"
}
check "dpdoctor diagnose: 00909999: no such package on site 009" "diagnose, unknown package" -- \
	"$DPDOCTOR" diagnose 00909999 $dp --demo="$demo"
check "dpdoctor diagnose: 00909999: no such package on site 009" "diagnose (every DP), unknown package" -- \
	"$DPDOCTOR" diagnose 00909999 --demo="$demo"
"$DPDOCTOR" diagnose $pkg NOSUCHDP --demo="$demo" >"$SCRATCH/out" 2>"$SCRATCH/err"
is $? 2 "diagnose, a DP that is not the package's: exit 2"
head -1 "$SCRATCH/err" | grep -q "^dpdoctor diagnose: NOSUCHDP is not a DP of $pkg: its DPs are [A-Z]"
ok $? "  first line names the package's DPs"
grep -q "$dp" "$SCRATCH/err"; ok $? "  among them $dp"
check "dpdoctor repair: 00909999: no such package on site 009" "repair, unknown package" -- \
	"$DPDOCTOR" repair 00909999 $dp --yes --demo="$SCRATCH/ro"
check "dpdoctor repair: 00909999: no such package on site 009" "repair --plan, unknown package" -- \
	"$DPDOCTOR" repair 00909999 $dp --plan repush --yes --demo="$SCRATCH/ro"
"$DPDOCTOR" repair $pkg NOSUCHDP --yes --demo="$SCRATCH/ro" >/dev/null 2>"$SCRATCH/err"
is $? 2 "repair, a DP that is not the package's: exit 2"
head -1 "$SCRATCH/err" | grep -q "^dpdoctor repair: NOSUCHDP is not a DP of $pkg: its DPs are "
ok $? "  first line names the package's DPs"
"$DPDOCTOR" diagnose 0090000b parisdp01 --demo="$demo" --format json >"$SCRATCH/lc.json"
is $? 1 "diagnose with a lower-case package ID and DP: exit 1"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["package"]=="0090000B", d["package"]' \
	"$SCRATCH/lc.json"
ok $? "  reported as 0090000B"

# --- a bad option: one line, the usage line, a --help hint ---
for cmd in status log diagnose repair history; do
	"$DPDOCTOR" $cmd --bogus >/dev/null 2>"$SCRATCH/err"
	is $? 2 "$cmd --bogus: exit 2"
	is "$(sed -n 1p "$SCRATCH/err")" "dpdoctor $cmd: unknown option '--bogus'" "  line 1"
	sed -n 2p "$SCRATCH/err" | grep -q "^usage: dpdoctor $cmd"; ok $? "  line 2: the usage line"
	is "$(sed -n 3p "$SCRATCH/err")" "try 'dpdoctor $cmd --help'" "  line 3: the hint"
	is "$(wc -l <"$SCRATCH/err")" 3 "  and nothing more"
done
"$DPDOCTOR" status --format >/dev/null 2>"$SCRATCH/err"
is "$(head -1 "$SCRATCH/err")" "dpdoctor status: option '--format' needs a value" "status --format (no value)"
"$DPDOCTOR" status --all=yes >/dev/null 2>"$SCRATCH/err"
is "$(head -1 "$SCRATCH/err")" "dpdoctor status: option '--all' takes no value" "status --all=yes"
"$DPDOCTOR" status -x >/dev/null 2>"$SCRATCH/err"
is "$(head -1 "$SCRATCH/err")" "dpdoctor status: unknown option '-x'" "status -x"
"$DPDOCTOR" --bogus >/dev/null 2>"$SCRATCH/err"
is $? 2 "dpdoctor --bogus: exit 2"
is "$(head -1 "$SCRATCH/err")" "dpdoctor: unknown option '--bogus'" "  line 1"
is "$(wc -l <"$SCRATCH/err")" 3 "  three lines"
"$DPDOCTOR" diagnose >/dev/null 2>"$SCRATCH/err"
is $? 2 "diagnose without PKGID: exit 2"
is "$(head -1 "$SCRATCH/err")" "dpdoctor diagnose: give PKGID, and a DP or none" "  says what is missing"
is "$(wc -l <"$SCRATCH/err")" 3 "  three lines"
"$DPDOCTOR" repair $pkg >/dev/null 2>"$SCRATCH/err"
is $? 2 "repair without DP: exit 2"
is "$(head -1 "$SCRATCH/err")" "dpdoctor repair: give PKGID and DP" "  says what is missing"
"$DPDOCTOR" status --demo="$demo" --demo-scenario=nosuch >/dev/null 2>"$SCRATCH/err"
is $? 2 "a site that cannot be opened: exit 2"
head -1 "$SCRATCH/err" | grep -q '^dpdoctor status: '; ok $? "  message starts dpdoctor status:"

# --- log FILE is log --file FILE ---
printf '%s\r\n' '~Processing incoming file 0090000B.PKG.  $$<SMS_DISTRIBUTION_MANAGER><Thu Jan 04 9:12:03.417 2007 GMT Standard Time><thread=2136 (0x858)>' \
	>"$SCRATCH/distmgr.log"
"$DPDOCTOR" log --file "$SCRATCH/distmgr.log" >"$SCRATCH/l1"; rc1=$?
"$DPDOCTOR" log "$SCRATCH/distmgr.log" >"$SCRATCH/l2" 2>"$SCRATCH/err"; rc2=$?
is "$rc2" "$rc1" "log FILE: the exit code of log --file FILE ($rc1)"
cmp -s "$SCRATCH/l1" "$SCRATCH/l2"; ok $? "  the same entries"
"$DPDOCTOR" log "$SCRATCH/distmgr.log" --file "$SCRATCH/distmgr.log" >/dev/null 2>"$SCRATCH/err"
is $? 2 "log FILE --file FILE: exit 2"
head -1 "$SCRATCH/err" | grep -q '^dpdoctor log: '; ok $? "  message starts dpdoctor log:"

# --- --dry-run walks every step, without asking ---
XDG_STATE_HOME=$SCRATCH/st-dry timeout 60 "$DPDOCTOR" repair $pkg $dp --dry-run --demo="$SCRATCH/ro" \
	</dev/null >"$SCRATCH/dry.out" 2>"$SCRATCH/dry.err"
rc=$?
steps=$(grep -c '^  Step [0-9]* of' "$SCRATCH/dry.out")
walked=$(grep -c '^== Step' "$SCRATCH/dry.out")
[ "$steps" -ge 2 ] && [ "$walked" = "$steps" ]; ok $? "--dry-run: every step walked ($walked of $steps), rc $rc"
grep -q '\[y\]es' "$SCRATCH/dry.out"; is $? 1 "  no question asked"
is "$(grep -c '^  dry run: nothing will be changed; the step would change: ' "$SCRATCH/dry.out")" "$steps" \
	"  each step says what it would change"
grep -q 'would run: ' "$SCRATCH/dry.out"; ok $? "  and what it would send"

# --- the table fits the width ---
COLUMNS=80 "$DPDOCTOR" status --demo="$demo" >"$SCRATCH/t60"
maxw=$(python3 -c 'import sys; print(max(len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")))' "$SCRATCH/t60")
[ "$maxw" -le 80 ]; ok $? "COLUMNS=80: every line fits ($maxw)"
grep -q '…' "$SCRATCH/t60"; ok $? "  names cut with …"
grep -q '^0090000B  Ad' "$SCRATCH/t60"; ok $? "  a cut name keeps its start"
unset COLUMNS
"$DPDOCTOR" status --demo="$demo" --all >"$SCRATCH/tpipe"
grep -q '…' "$SCRATCH/tpipe"; is $? 1 "into a pipe without \$COLUMNS: whole names"
long=$(awk -F, 'NR > 1 && length($2) > m {m = length($2); n = $2} END {print n}' "$SCRATCH/after.csv")
grep -qF "$long" "$SCRATCH/tpipe"; ok $? "  the longest name whole ($long)"
widest() { python3 -c 'import sys; print(max([len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")] + [0]))' "$1"; }
XDG_STATE_HOME=$SCRATCH/st-dry COLUMNS=80 "$DPDOCTOR" history >"$SCRATCH/h80"
is $? 0 "history: exit 0"
w=$(widest "$SCRATCH/h80")
[ "$w" -le 80 ] && [ "$(wc -l <"$SCRATCH/h80")" -ge 2 ]; ok $? "history, COLUMNS=80: each step one line that fits ($w)"
grep -q '…$' "$SCRATCH/h80"; ok $? "  a long one ends in …"
XDG_STATE_HOME=$SCRATCH/st-dry "$DPDOCTOR" history >"$SCRATCH/hpipe"
w=$(widest "$SCRATCH/hpipe")
[ "$w" -gt 80 ]; ok $? "history into a pipe: whole lines ($w)"
COLUMNS=60 "$DPDOCTOR" diagnose $pkg --demo="$demo" >"$SCRATCH/sw60"
w=$(widest "$SCRATCH/sw60")
[ "$w" -le 60 ] && [ "$(wc -l <"$SCRATCH/sw60")" -ge 2 ]; ok $? "diagnose PKGID, COLUMNS=60: a line per DP that fits ($w)"
# Prose wraps at spaces: a line over the width is one word that is longer.
fits_or_one_word() { python3 - "$1" "$2" <<'PY'
import sys
# Headings ("title  [tag]") are one line by design; prose is checked.
bad = [l for l in open(sys.argv[1], encoding="utf-8").read().split("\n")
       if len(l) > int(sys.argv[2]) and " " in l.strip() and not l.endswith("]")]
for l in bad[:3]:
    print("# too wide:", l)
sys.exit(1 if bad else 0)
PY
}
COLUMNS=80 "$DPDOCTOR" diagnose $pkg $dp --demo="$demo" | sed '/^Evidence (/,$d' >"$SCRATCH/d80"
fits_or_one_word "$SCRATCH/d80" 80; ok $? "diagnose P DP, COLUMNS=80: the finding's words wrap, none cut"
grep -q "^  [A-Za-z]" "$SCRATCH/d80"; ok $? "  (the explanation is there)"
XDG_STATE_HOME=$SCRATCH/st-dry COLUMNS=80 "$DPDOCTOR" repair $pkg $dp --dry-run --demo="$SCRATCH/ro" \
	</dev/null >"$SCRATCH/r80" 2>/dev/null
sed -n '1,/^== Step 1/p' "$SCRATCH/r80" >"$SCRATCH/plan80"
fits_or_one_word "$SCRATCH/plan80" 80; ok $? "repair's plan, COLUMNS=80: its fields wrap at spaces"
COLUMNS=60 "$DPDOCTOR" status --demo="$demo" --format csv >"$SCRATCH/c60"
cmp -s "$SCRATCH/c60" "$SCRATCH/after.csv"; ok $? "CSV is never cut"

# A run that never speaks SMB never loads Samba (libsmbclient and its
# eighty-odd libraries cost every start tens of milliseconds).
LD_DEBUG=files "$DPDOCTOR" status --demo="$demo" --format csv 2>"$SCRATCH/ld" >/dev/null
grep -q "file=libsmbclient" "$SCRATCH/ld"; is $? 1 "status on the demo does not load libsmbclient"

done_testing
