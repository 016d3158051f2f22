#!/usr/bin/env bash
# dpdoctor status --format nagios and --format prometheus against the
# simulated site: the plugin line, its perfdata and exit code for each
# threshold case (Monitoring Plugins guidelines), UNKNOWN for a bad command
# line and an unreachable site; the exposition format checked line by line.
. "$(dirname "$0")/lib.sh"

demo=$SCRATCH/demo
st() { "$DPDOCTOR" status --demo="$demo" "$@"; }

out=$(st --format nagios); rc=$?
is "$rc" 1 "nagios, no thresholds: failed pairs warn (exit 1)"
echo "$out" | grep -Eq '^DPDOCTOR WARNING: [0-9]+ failed, [0-9]+ retrying, [0-9]+ pending, [0-9]+ installed pairs on site 009 \| '
ok $? "  one status line: DPDOCTOR WARNING: N failed, N retrying, N pending, N installed pairs on site 009 |"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ]; ok $? "  exactly one line"
failed=$(echo "$out" | sed -n 's/.* \([0-9]*\) failed,.*/\1/p')
[ "${failed:-0}" -gt 10 ]; ok $? "  the demo's failed pairs are counted ($failed)"

# perfdata: 'label'=value[UOM];[warn];[crit];[min];[max], space separated,
# in the plugin guidelines' syntax; the labels the issue names, in order.
python3 - "$out" <<'PY'
import re, sys
line = sys.argv[1]
text, perf = line.split(" | ", 1)
rng = r"@?(~|-?[0-9.]+)?:?(-?[0-9.]+)?"
item = re.compile(r"^('[^'=]+'|[^' =]+)=(-?[0-9.]+)([a-zA-Z%%]*);(%s)?;(%s)?;(-?[0-9.]+)?;(-?[0-9.]+)?$" % (rng, rng))
labels = []
for p in perf.split(" "):
    m = item.match(p)
    assert m, "bad perfdata item %r" % p
    labels.append(m.group(1))
assert labels == ["failed", "retrying", "pending", "installed"], labels
nums = dict((b, a) for a, b in re.findall(r"(\d+) (failed|retrying|pending|installed)", text))
for p in perf.split(" "):
    k, v = p.split(";")[0].split("=")
    assert nums[k] == v, (k, v, nums)
PY
ok $? "  perfdata: failed, retrying, pending, installed in the guidelines' syntax, values as in the text"

# Thresholds are ranges over the failed count (guidelines: "N" alerts
# outside 0..N, "N:" below N, "~:N" above N, "@A:B" inside A..B).
lo=$((failed - 1)) hi=$((failed + 1))
check() { # WANT-RC WANT-WORD ARGS... : one threshold case
	local want=$1 word=$2; shift 2
	local o r
	o=$(st --format nagios "$@"); r=$?
	[ "$r" = "$want" ] && [[ $o == "DPDOCTOR $word: "* ]]
	ok $? "nagios $*: $word, exit $want"
	[ "$r" = "$want" ] || echo "#   got exit $r: $o"
}
check 0 OK --warning "$hi" --critical "$((hi + 5))"
check 0 OK --warning "$failed"
check 1 WARNING --warning "$lo" --critical "$hi"
check 2 CRITICAL --warning "$lo" --critical "$lo"
check 2 CRITICAL --critical "$lo"
check 0 OK --critical "$lo:"
check 2 CRITICAL --critical "$hi:"
check 1 WARNING --warning "~:$lo"
check 1 WARNING --warning "@$lo:$hi"
check 0 OK --warning "@0:$lo"
out=$(st --format nagios --warning "$lo" --critical "@$failed:$hi")
echo "$out" | grep -q " | failed=$failed;$lo;@$failed:$hi;0;"; ok $? "  the thresholds are repeated in the failed perfdata"

o=$(st --format nagios --warning ten 2>"$SCRATCH/err"); rc=$?
is "$rc" 3 "nagios, bad --warning: UNKNOWN, exit 3"
[[ $o == "DPDOCTOR UNKNOWN: "* ]]; ok $? "  with an UNKNOWN line on stdout"
grep -q -- "--warning ten" "$SCRATCH/err"; ok $? "  and the reason on stderr"
st --format nagios --bogus >/dev/null 2>&1; is $? 3 "nagios, unknown option: exit 3"
st --format=nagios extra >/dev/null 2>&1; is $? 3 "nagios, stray argument: exit 3"
st --warning 5 >/dev/null 2>"$SCRATCH/err"; is $? 2 "--warning without --format nagios: exit 2"
grep -q "go with --format nagios" "$SCRATCH/err"; ok $? "  saying so"

# An unreachable site: ssh to a port where nothing listens.
primary=$("$DPDOCTOR" status --demo="$demo" --format json |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["source"].split(":")[1])')
cat >"$SCRATCH/site.ini" <<INI
[site 009]
provider = $primary

[server $primary]
transport = ssh
host = 127.0.0.1
port = 1
connect_timeout = 5
INI
o=$(DPDOCTOR_ASKPASS=false timeout 30 "$DPDOCTOR" status -c "$SCRATCH/site.ini" --format nagios 2>/dev/null); rc=$?
is "$rc" 3 "nagios, site unreachable: exit 3"
[[ $o == "DPDOCTOR UNKNOWN: "*"$primary"* ]]; ok $? "  UNKNOWN line naming the server ($o)"

# Prometheus: the text exposition format, checked by its rules.
st --format prometheus >"$SCRATCH/prom"; rc=$?
is "$rc" 1 "prometheus: exit 1 (problems exist), as the other formats"
python3 - "$SCRATCH/prom" "$failed" <<'PY'
import re, sys
name = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
lname = r"[a-zA-Z_][a-zA-Z0-9_]*"
lval = r'"(?:[^"\\\n]|\\\\|\\"|\\n)*"'
sample = re.compile(r"^(?P<m>%s)(\{(?P<l>%s=%s(,%s=%s)*,?)?\})? (?P<v>\S+)( -?\d+)?$" % (name, lname, lval, lname, lval))
data = open(sys.argv[1], encoding="utf-8").read()
assert data.endswith("\n"), "last line not ended"
typed, helped, seen, done, series = {}, set(), [], set(), set()
values = {}
current = None
for n, line in enumerate(data.split("\n")[:-1], 1):
    assert line.strip(), "line %d: empty" % n
    if line.startswith("#"):
        m = re.match(r"^# (HELP|TYPE) (%s) (.*)$" % name, line)
        if not m:
            continue
        kind, metric, rest = m.groups()
        if kind == "TYPE":
            assert metric not in typed, "line %d: second TYPE for %s" % (n, metric)
            assert metric not in seen, "line %d: TYPE after samples of %s" % (n, metric)
            assert rest in ("counter", "gauge", "histogram", "summary", "untyped"), rest
            typed[metric] = rest
        else:
            assert metric not in helped, "line %d: second HELP for %s" % (n, metric)
            assert not re.search(r"\\[^\\n]", rest), "line %d: bad escape in HELP" % n
            helped.add(metric)
        continue
    m = sample.match(line)
    assert m, "line %d: not a sample: %r" % (n, line)
    metric, labels, value = m.group("m"), m.group("l") or "", m.group("v")
    float(value)
    assert metric in typed and typed[metric] == "gauge", "line %d: %s has no TYPE gauge" % (n, metric)
    assert metric in helped, "line %d: %s has no HELP" % (n, metric)
    if metric != current:
        assert metric not in done, "line %d: %s's samples are not together" % (n, metric)
        if current:
            done.add(current)
        current = metric
    seen.append(metric)
    pairs = tuple(sorted(re.findall(r"(%s)=(%s)" % (lname, lval), labels)))
    names = [p[0] for p in pairs]
    assert len(set(names)) == len(names), "line %d: a label twice" % n
    assert (metric, pairs) not in series, "line %d: duplicate series" % n
    series.add((metric, pairs))
    values[(metric, pairs)] = float(value)
# one gauge per state for the site, one per DP and state, and they agree
site = {dict(k[1])['state']: v for k, v in values.items() if k[0] == "dpdoctor_pairs"}
perdp = {}
for k, v in values.items():
    if k[0] == "dpdoctor_dp_pairs":
        d = dict(k[1])
        perdp[d['state']] = perdp.get(d['state'], 0) + v
        assert set(d) == {"site", "dp", "state"}, d
assert '"INSTALL_FAILED"' in site and '"INSTALLED"' in site, site
assert site == perdp, (site, perdp)
f = site['"INSTALL_FAILED"'] + site['"REMOVAL_FAILED"']
assert f == int(sys.argv[2]), (f, sys.argv[2])
assert "dpdoctor_status_taken_timestamp_seconds" in typed
PY
ok $? "prometheus: HELP/TYPE before samples, valid names, escaped labels, one gauge per state and per DP and state, sums agree with nagios"
grep -c '^dpdoctor_dp_pairs{' "$SCRATCH/prom" >"$SCRATCH/n"
[ "$(cat "$SCRATCH/n")" -ge 100 ]; ok $? "  every DP x state present ($(cat "$SCRATCH/n") series)"

done_testing
