#!/usr/bin/env bash
# `dpdoctor history`: the journal written by real repair runs (a dry run and
# a declined run, clock frozen) read back -- text and JSON lines, begin and
# end paired, filters, --unfinished with a begin that never ended, warnings
# for bad lines and exit 2 for a journal that cannot be read.
. "$(dirname "$0")/lib.sh"

demo=$SCRATCH/demo
journal=$XDG_STATE_HOME/dpdoctor/journal.jsonl
"$DPDOCTOR" history >"$SCRATCH/empty.out" 2>"$SCRATCH/empty.err"
is $? 0 "no journal yet: exit 0"
is "$(wc -c <"$SCRATCH/empty.out")" 0 "  prints nothing on stdout"
"$DPDOCTOR" history --unfinished >/dev/null 2>&1
is $? 0 "  --unfinished: exit 0 when none"

"$DPDOCTOR" status --demo="$demo" >/dev/null
set -- $(sim_pairs "$demo" PCK_MISSING | head -2 | tr '\n' ' ')
pkg=$1 dp=$2 pkg2=$3 dp2=$4
printf "y\ny\ny\ny\ns\n" | "$DPDOCTOR" repair "$pkg" "$dp" --dry-run --demo="$demo" >/dev/null 2>&1
is $? 1 "a dry run of $pkg on $dp"
"$DPDOCTOR" repair "$pkg2" "$dp2" --demo="$demo" <<<n >/dev/null 2>&1
is $? 1 "a declined run of $pkg2 on $dp2"
begins=$(grep -c '"phase":"begin"' "$journal")
ends=$(grep -c '"phase":"end"' "$journal")

"$DPDOCTOR" history --format json >"$SCRATCH/h.json" 2>"$SCRATCH/h.err"
is $? 0 "history --format json: exit 0"
python3 - "$SCRATCH/h.json" "$begins" "$ends" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == int(sys.argv[2]), (len(rows), sys.argv[2])
assert sum(r["finished"] for r in rows) == int(sys.argv[3])
for r in rows:
    for k in ("begin", "end", "user", "host", "site", "plan", "step", "name",
              "package", "dp", "result", "params", "step_id"):
        assert k in r, k
    assert r["begin"] and r["end"] and r["begin"] <= r["end"], r
    assert r["result"] in ("dry-run", "declined", "ok", "skipped", "failed"), r["result"]
PY
ok $? "  every line parses, one per step, begin and end paired ($begins begins, $ends ends)"
python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert any(r["result"] == "dry-run" and r["package"] == sys.argv[2] for r in rows)
assert any(r["result"] == "declined" and r["package"] == sys.argv[3] for r in rows)
' "$SCRATCH/h.json" "$pkg" "$pkg2"
ok $? "  the dry run and the declined step are there"

"$DPDOCTOR" history >"$SCRATCH/h.txt"
is $? 0 "history (text): exit 0"
is "$(wc -l <"$SCRATCH/h.txt")" "$begins" "  one line per step"
grep -Eq "^[0-9-]{10}T[0-9:]{8}Z  run [0-9]{6}-[0-9]+-R[0-9]+  [^ ]+@[^ ]+  site 009  preload-pck  step 1 [a-z-]+  $pkg2  $dp2  declined" "$SCRATCH/h.txt"
ok $? "  lines show time, run, user, site, plan, step, package, DP and result"

"$DPDOCTOR" history --package "$pkg2" >"$SCRATCH/p.txt"
grep -qv "$pkg2" "$SCRATCH/p.txt"; is $? 1 "--package shows only that package"
"$DPDOCTOR" history --dp "$(echo "$dp" | tr A-Z a-z)" --format json >"$SCRATCH/d.json"
python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows and all(r["dp"] == sys.argv[2] for r in rows)' "$SCRATCH/d.json" "$dp"
ok $? "--dp shows only that DP (any case)"

# A run whose first steps act on the primary (rename its PCK, touch the
# source: their "dp" is the primary), aborted at the second (the touch; the
# waits after it do not ask): the DP's history shows the whole run, every
# step under one run id, the abort as aborted.
set -- $(awk -F'\t' '$1 == "P" {p[np++] = $2} $1 == "S" {s[ns++] = $2}
	$1 == "C" && $5 == "PCK_NO_REGEN" {print p[$2], s[$3]}' "$demo/site.db" | head -1)
rpkg=$1 rdp=$2
printf "y\na\n" | "$DPDOCTOR" repair "$rpkg" "$rdp" --plan rename-pck-touch-source \
	--demo="$demo" >"$SCRATCH/run.out" 2>&1
is $? 1 "rename-pck-touch-source on $rpkg $rdp, aborted at step 2"
"$DPDOCTOR" history --package "$rpkg" --dp "$rdp" --format json >"$SCRATCH/run.json"
python3 - "$SCRATCH/run.json" "$rdp" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
dp = sys.argv[2]
names = [r["name"] for r in rows]
assert names[:2] == ["rename-primary-pck", "touch-source-path"], names
assert all(r["dp"] != dp and r["for"] == [dp] for r in rows[:2]), rows[:2]
runs = {r["run"] for r in rows}
assert len(runs) == 1 and None not in runs, runs
assert [r["result"] for r in rows] == ["ok", "aborted"], [r["result"] for r in rows]
PY
ok $? "  history --package --dp: rename and touch on the primary too, one run id (JSON run, for)"
"$DPDOCTOR" history --package "$rpkg" --dp "$rdp" >"$SCRATCH/run.txt"
is "$(grep -o '  run [0-9][^ ]*  ' "$SCRATCH/run.txt" | sort -u | wc -l) $(grep -c '  run [0-9]' "$SCRATCH/run.txt")" \
	"1 2" "  text: both lines show the same run"
grep -q "rename-primary-pck  $rpkg  [A-Z0-9]* (for $rdp)  ok" "$SCRATCH/run.txt"
ok $? "  text: the rename on the primary says which DP it was for"
tail -n 1 "$SCRATCH/run.txt" | grep -q " aborted"; ok $? "  the abort is journalled aborted"
tail -n 1 "$SCRATCH/run.txt" | grep -q " aborted" || sed 's/^/#   /' "$SCRATCH/run.txt"

# A begin that never ended (as a kill -9 leaves it), then garbage and a torn line.
python3 - "$journal" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
b = json.loads(next(l for l in lines if '"phase":"begin"' in l))
b["step_id"] = "20070104T100000Z-1-99"
with open(sys.argv[1], "a") as f:
    f.write(json.dumps(b, separators=(",", ":")) + "\n")
    f.write("this is not json\n")
    f.write('{"time":"2007-01-04T10:00:00Z","step_id"')
PY
"$DPDOCTOR" history --unfinished >"$SCRATCH/u.txt" 2>"$SCRATCH/u.err"
is $? 1 "--unfinished: exit 1 when a step began and never ended"
is "$(wc -l <"$SCRATCH/u.txt")" 1 "  lists just that step"
grep -q "UNFINISHED" "$SCRATCH/u.txt"; ok $? "  marked UNFINISHED"
n=$(wc -l <"$journal")
grep -q "$journal:$n: .*skipped" "$SCRATCH/u.err"; ok $? "  warns about the garbage line, with path and line"
grep -q "$journal:$((n + 1)): .*skipped" "$SCRATCH/u.err"; ok $? "  and the torn last line"
"$DPDOCTOR" history --unfinished --format json >"$SCRATCH/u.json" 2>/dev/null
python3 -c '
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert len(r) == 1 and r[0]["end"] is None and r[0]["result"] is None and not r[0]["finished"]
' "$SCRATCH/u.json"
ok $? "  JSON: end and result null"
"$DPDOCTOR" history >/dev/null 2>&1
is $? 0 "history without --unfinished still exits 0"

# Bounded reading: a 2 MB line is skipped with a warning and the lines after
# it are still read; a journal that is not a regular file is refused at once.
# (the torn line above ends here: close it, so the long line starts its own)
printf '\n' >>"$journal"
rows=$("$DPDOCTOR" history 2>/dev/null | wc -l)
python3 -c 'import sys; sys.stdout.write("x" * 2000000 + "\n")' >>"$journal"
n=$(wc -l <"$journal")
python3 - "$journal" <<'PY'
import json, sys
b = json.loads(next(l for l in open(sys.argv[1]) if '"phase":"begin"' in l))
b["step_id"] = "20070104T100000Z-1-98"
open(sys.argv[1], "a").write(json.dumps(b, separators=(",", ":")) + "\n")
PY
timeout 20 "$DPDOCTOR" history >"$SCRATCH/long.txt" 2>"$SCRATCH/long.err"
is $? 0 "a 2 MB line in the journal: history still exits 0"
grep -q "$journal:$n: line too long.*skipped" "$SCRATCH/long.err"
ok $? "  warns FILE:LINE: line too long, skipped"
is "$(wc -l <"$SCRATCH/long.txt")" "$((rows + 1))" "  and reads on past it (the step after it is there)"
mv "$journal" "$journal.real"
for dev in /dev/zero /dev/full; do
	ln -sf "$dev" "$journal"
	timeout 10 "$DPDOCTOR" history >/dev/null 2>"$SCRATCH/dev.err"
	is $? 2 "journal symlinked to $dev: refused (exit 2, not a reader without end)"
	grep -q "$journal: is a device" "$SCRATCH/dev.err"; ok $? "  names the path and says why"
	rm -f "$journal"
done
mkfifo "$journal"
timeout 10 "$DPDOCTOR" history >/dev/null 2>"$SCRATCH/fifo.err"
is $? 2 "a FIFO as the journal: refused without waiting for a writer"
grep -q "$journal: is a FIFO" "$SCRATCH/fifo.err"; ok $? "  names the path and says why"
rm -f "$journal"
mv "$journal.real" "$journal"

# Fields holding what would drive a terminal: ESC [2J, a C1 CSI (U+009B),
# a raw 0x9b byte and bytes that are not UTF-8.  Text shows them as \xNN;
# JSON keeps them (json-c escapes them).
cp "$journal" "$journal.keep"
python3 - "$journal" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8", errors="surrogateescape").read().splitlines()
b = json.loads(next(l for l in lines if '"phase":"begin"' in l))
b["step_id"] = "20070104T100000Z-1-77"
b["user"] = "ev\x1b[2Jil"
b["step"]["name"] = "csi\x9b31mred"
b.setdefault("params", {})["note"] = "bell\x07\x1b]0;title"
raw = json.dumps(b, separators=(",", ":")).encode()
raw = raw.replace(b'"site":"', b'"site":"\xff\x9b', 1)
with open(sys.argv[1], "wb") as f:
    f.write(raw + b"\n")
PY
"$DPDOCTOR" history >"$SCRATCH/c.txt" 2>"$SCRATCH/c.err"
is $? 0 "a journal line with control characters in its fields: exit 0"
! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f\x80-\x9f]' "$SCRATCH/c.txt" "$SCRATCH/c.err"
ok $? "  no control byte, C1 or raw 0x80-0x9f byte reaches the terminal"
grep -qF 'ev\x1b[2Jil@' "$SCRATCH/c.txt"; ok $? "  ESC [2J shown as \\x1b[2J"
grep -qF 'csi\x9b31mred' "$SCRATCH/c.txt"; ok $? "  a C1 CSI shown as \\x9b"
grep -qF 'site \xff\x9b' "$SCRATCH/c.txt"; ok $? "  bytes that are not UTF-8 shown as \\xff\\x9b"
grep -qF 'note=bell\x07\x1b]0;title' "$SCRATCH/c.txt"; ok $? "  and in a parameter"
"$DPDOCTOR" history --format json >"$SCRATCH/c.json" 2>/dev/null
python3 -c '
import json, sys
r = json.loads(open(sys.argv[1], "rb").read().decode("utf-8", "surrogateescape"))
assert r["user"] == "ev\x1b[2Jil", r["user"]
assert r["name"] == "csi\x9b31mred", r["name"]
' "$SCRATCH/c.json"
ok $? "  JSON keeps the fields as they are"
mv "$journal.keep" "$journal"

"$DPDOCTOR" history --format xml >/dev/null 2>&1; is $? 2 "bad --format: exit 2"
"$DPDOCTOR" history --package nope >/dev/null 2>&1; is $? 2 "bad --package: exit 2"
"$DPDOCTOR" history extra >/dev/null 2>&1; is $? 2 "stray argument: exit 2"
mv "$journal" "$journal.bak" && mkdir "$journal"
"$DPDOCTOR" history >/dev/null 2>"$SCRATCH/r.err"
is $? 2 "unreadable journal: exit 2"
grep -q "$journal" "$SCRATCH/r.err"; ok $? "  names the path"
done_testing
