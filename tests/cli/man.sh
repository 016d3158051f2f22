#!/usr/bin/env bash
# The manual pages and the words around them: dpdoctor.1 and dpdoctor.ini.5
# format without a warning (groff -ww, man --warnings); every subcommand and
# option --help names is in dpdoctor.1 and every one dpdoctor.1 names is in
# some --help; the README's command forms are --help's; the configuration
# keys of dpdoctor.ini.example are in dpdoctor.ini.5; and every configuration
# snippet shown (README, the no-configuration message) is cut from
# dpdoctor.ini.example, the one sample.
. "$(dirname "$0")/lib.sh"

doc=$top_srcdir/doc
export LC_ALL=C.UTF-8 MANWIDTH=80
for page in dpdoctor.1 dpdoctor.ini.5; do
	groff -man -ww -z "$doc/$page" >"$SCRATCH/groff.err" 2>&1
	[ $? -eq 0 ] && [ ! -s "$SCRATCH/groff.err" ]; ok $? "$page: groff -man -ww -z is silent"
	[ -s "$SCRATCH/groff.err" ] && sed 's/^/#   /' "$SCRATCH/groff.err"
	man --warnings -l "$doc/$page" >"$SCRATCH/page.txt" 2>"$SCRATCH/man.err"
	[ $? -eq 0 ] && [ ! -s "$SCRATCH/man.err" ] && [ -s "$SCRATCH/page.txt" ]
	ok $? "$page: man --warnings -l renders it without a warning"
	[ -s "$SCRATCH/man.err" ] && sed 's/^/#   /' "$SCRATCH/man.err"
done
ver=$("$DPDOCTOR" --version)
for page in dpdoctor.1 dpdoctor.ini.5; do
	grep -q "^\.TH .* \"$ver\" " "$doc/$page"; ok $? "$page names the version --version prints ($ver)"
done
# Only the macros of man(7): no mdoc, no groff-only extensions.
bad=$(grep -hoE '^\.[A-Za-z]+' "$doc/dpdoctor.1" "$doc/dpdoctor.ini.5" | sort -u |
	grep -vxE '\.(TH|SH|SS|PP|LP|P|TP|IP|HP|RS|RE|B|I|BI|BR|IB|IR|RB|RI|SM|SB|nf|fi|br|sp|PD|nh|ad|na)')
[ -z "$bad" ]; ok $? "plain man(7) macros only${bad:+ (not: $bad)}"

# --help of the command and of each subcommand, and the page as plain text
# (the source with its escapes undone, so no line breaking gets in the way).
"$DPDOCTOR" --help >"$SCRATCH/help"
subs=$(awk '/^Subcommands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on = 0}' "$SCRATCH/help")
[ -n "$subs" ]; ok $? "--help lists subcommands ($(echo $subs))"
for s in $subs; do "$DPDOCTOR" "$s" --help >>"$SCRATCH/help"; done
sed -e '/^\.\\"/d' -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\e/\\/g' "$doc/dpdoctor.1" >"$SCRATCH/page1"
opts() { grep -oE -- '(^|[^a-zA-Z-])(--[a-z][a-z-]*|-[a-zA-Z])\b' "$1" | grep -oE -- '-+[a-zA-Z][a-z-]*' | sort -u; }
opts "$SCRATCH/help" >"$SCRATCH/help.opts"
opts "$SCRATCH/page1" >"$SCRATCH/page.opts"
missing=$(comm -23 "$SCRATCH/help.opts" "$SCRATCH/page.opts" | tr '\n' ' ')
[ -z "$missing" ]; ok $? "every option --help names is in dpdoctor.1 ($(wc -l <"$SCRATCH/help.opts") options)${missing:+; missing: $missing}"
extra=$(comm -13 "$SCRATCH/help.opts" "$SCRATCH/page.opts" | tr '\n' ' ')
[ -z "$extra" ]; ok $? "every option dpdoctor.1 names is in some --help${extra:+; not in --help: $extra}"
pagesubs=$(awk '/^\.SH COMMANDS/ {on = 1; next} /^\.SH/ {on = 0} on && /^\.SS / {print $2}' "$SCRATCH/page1" | sort)
is "$pagesubs" "$(echo "$subs" | tr ' ' '\n' | sort)" "dpdoctor.1's COMMANDS are --help's subcommands"

# The README's command forms are the usage lines of --help.
python3 - "$top_srcdir/README.md" <("$DPDOCTOR" --help) <<'PY'
import re, sys
readme, help_ = open(sys.argv[1]).read(), open(sys.argv[2]).read()
def forms(lines):
    out = []
    for l in lines:
        cmd = re.split(r"\s{3,}", l.strip())[0] if l.strip() else ""
        if cmd.startswith("dpdoctor"):
            out.append(cmd)
        elif cmd[:1] in "[(-" and cmd and out:
            out[-1] += " " + cmd
    return [" ".join(f.split()) for f in out]
block = readme.split("## Command line\n\n```\n", 1)[1].split("```", 1)[0]
usage = help_.split("\n\n", 1)[0].replace("usage: ", "       ", 1)
r, h = forms(block.splitlines()), forms(usage.splitlines())
if r != h:
    for a, b in zip(r + [""] * len(h), h + [""] * len(r)):
        if a != b:
            print("#   README: %s\n#   --help: %s" % (a, b))
    sys.exit(1)
PY
ok $? "README's command line block has the forms --help prints"
for w in wide large huge small default; do
	grep -q -- "--demo-scenario.*$w\|^ *(.*$w" "$SCRATCH/help" && grep -q "\`$w\`" "$top_srcdir/README.md"
	ok $? "scenario $w: in --help and the README"
done

# dpdoctor.ini.5 has every key of the sample, and the snippets are the sample's.
example=$top_srcdir/config/dpdoctor.ini.example
keys=$(sed -n 's/^;\{0,1\}\([a-z_]*\) = .*/\1/p' "$example" | sort -u)
nokey=$(for k in $keys; do grep -q "^\.B $k\$" "$doc/dpdoctor.ini.5" || echo "$k"; done | tr '\n' ' ')
[ -z "$nokey" ]; ok $? "dpdoctor.ini.5 describes every key of dpdoctor.ini.example ($(echo $keys | wc -w))${nokey:+; missing: $nokey}"
snippet_in_example() { # FILE-OF-LINES WHAT
	local l bad=
	while IFS= read -r l; do
		l=$(printf '%s' "$l" | sed -e 's/[[:space:]]\{1,\};.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')
		[ -z "$l" ] && continue
		grep -qxF -- "$l" "$example" || grep -qxF -- ";$l" "$example" || bad="$bad [$l]"
	done <"$1"
	[ -z "$bad" ]; ok $? "$2: every line is in dpdoctor.ini.example${bad:+; not:$bad}"
}
awk '/^```ini$/ {on = 1; next} /^```$/ {on = 0} on' "$top_srcdir/README.md" >"$SCRATCH/readme.ini"
[ -s "$SCRATCH/readme.ini" ]; ok $? "the README shows configuration snippets"
snippet_in_example "$SCRATCH/readme.ini" "README's ini snippets"
sed -e 's/\\e/\\/g' "$doc/dpdoctor.ini.5" | awk '/^\.SH EXAMPLE/ {on = 1; next} /^\.(SH|fi)/ {on = 0} on && !/^\./' >"$SCRATCH/man.ini"
snippet_in_example "$SCRATCH/man.ini" "dpdoctor.ini.5's example"
"$DPDOCTOR" </dev/null 2>&1 | sed -n 's/^  \([[a-z]\)/\1/p' >"$SCRATCH/noconf.ini"
[ -s "$SCRATCH/noconf.ini" ]; ok $? "the no-configuration message shows a sample"
snippet_in_example "$SCRATCH/noconf.ini" "the no-configuration message's sample"

done_testing
