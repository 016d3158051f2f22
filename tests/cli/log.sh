#!/usr/bin/env bash
# `dpdoctor log`: --file on fixtures written here (every shape, rollover,
# package filter, text and JSON Lines checked with python3), --server on
# the demo site's primary, --follow picking up appended lines, and the
# error paths with their exit codes.
. "$(dirname "$0")/lib.sh"

f=$SCRATCH/distmgr.log
printf '%s\r\n' \
	'~Processing incoming file E:\SMS\inboxes\distmgr.box\INCOMING\009000B7.PKG.  $$<SMS_DISTRIBUTION_MANAGER><Thu Jan 04 9:12:03.417 2007 GMT Standard Time><thread=2136 (0x858)>' \
	'Package 009000B7 requires a newer version (3) of source files and the new compressed files haven'"'"'t arrived yet, current version is 1, skip E:\SMS\inboxes\distmgr.box\INCOMING\009000B7.PKG  $$<SMS_DISTRIBUTION_MANAGER><Thu Jul 05 10:00:00.000 2007 Pacific Daylight Time><thread=2136 (0x858)>' \
	'~Cannot update the package server for package 009000C1, error = 3 $$<SMS_DISTRIBUTION_MANAGER><01-04-2007 09:12:03.417-60><thread=9112 (0x2398)>' \
	'STATMSG: ID=2330 SEV=I LEV=M SOURCE="SMS Server" COMP="SMS_DISTRIBUTION_MANAGER" SYS=SMS009PRI SITE=009 PID=1 TID=2 GMTDATE=Thu Jan 04 09:12:03.500 2007 ISTR0="009000B7" ISTR1="["Display=\\DP1\"]MSWNET:["SMS_SITE=009"]\\DP1\" NUMATTRS=1 AID0=400 AVAL0="009000B7"  $$<SMS_DISTRIBUTION_MANAGER><Thu Jan 04 9:12:03.500 2007 Atlantis Standard Time><thread=2 (0x2)>' \
	'<![LOG[two line' \
	'message]LOG]!><time="10:00:00.000+000" date="01-04-2007" component="CcmExec" context="" type="3" thread="7" file="">' \
	'a viewer copy	SMS_DISTRIBUTION_MANAGER	1/4/2007 9:12:03 AM	5764 (0x1684)' >"$f"
printf 'bad bytes \xff\xfe and a NUL \0 here\n' >>"$f"
printf 'older line 009000B7  $$<SMS_DISTRIBUTION_MANAGER><Wed Jan 03 9:00:00.000 2007 GMT Standard Time><thread=1 (0x1)>\r\n' >"$SCRATCH/distmgr.lo_"

"$DPDOCTOR" log --file "$f" >"$SCRATCH/text"; rc=$?
is $rc 0 "--file: exit 0 when entries are printed"
is "$(wc -l <"$SCRATCH/text")" 8 "--file: one line per entry, .lo_ included"
is "$(head -1 "$SCRATCH/text")" "2007-01-03 09:00:00.000Z  INFO   SMS_DISTRIBUTION_MANAGER  older line 009000B7" "--file: .lo_ first, text shape"
is "$(sed -n 2p "$SCRATCH/text")" '2007-01-04 09:12:03.417Z  INFO   SMS_DISTRIBUTION_MANAGER  ~Processing incoming file E:\SMS\inboxes\distmgr.box\INCOMING\009000B7.PKG.' "--file: SMS 2003 line"
sed -n 3p "$SCRATCH/text" | grep -q '^2007-07-05 17:00:00.000Z  WARN '; ok $? "--file: Pacific Daylight Time, warning"
sed -n 4p "$SCRATCH/text" | grep -q '^2007-01-04 08:12:03.417Z  ERROR  SMS_DISTRIBUTION_MANAGER  ~Cannot'; ok $? "--file: CM2007 bias -60, error"
sed -n 7p "$SCRATCH/text" | grep -q '^2007-01-04 09:12:03.000 (local)  INFO   SMS_DISTRIBUTION_MANAGER  a viewer copy$'; ok $? "--file: viewer copy in local time"

"$DPDOCTOR" log --file "$f" --format json >"$SCRATCH/json"; is $? 0 "--format json: exit 0"
python3 - "$SCRATCH/json" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(rows) == 8, len(rows)
keys = {"time", "local", "zone", "component", "thread", "severity", "message", "format", "file", "offset"}
for r in rows:
    assert keys <= set(r), r
assert rows[0]["file"].endswith("distmgr.lo_") and rows[1]["file"].endswith("distmgr.log")
assert rows[1]["time"] == "2007-01-04T09:12:03.417Z" and rows[1]["format"] == "sms2003", rows[1]
assert rows[1]["zone"] == "GMT Standard Time" and rows[1]["thread"] == 2136
assert rows[3]["format"] == "cm2007" and rows[3]["severity"] == "error"
s = rows[4]["statmsg"]
assert s["id"] == 2330 and s["sev"] == "I" and s["sys"] == "SMS009PRI" and s["site"] == "009", s
assert s["istr"][1] == '["Display=\\\\DP1\\"]MSWNET:["SMS_SITE=009"]\\\\DP1\\', s["istr"]
assert s["attrs"] == {"400": "009000B7"}, s
assert rows[4]["time"] == "2007-01-04T09:12:03.500Z", rows[4]
assert rows[5]["format"] == "cmtrace" and rows[5]["message"] == "two line\r\nmessage" and rows[5]["severity"] == "error"
assert rows[6]["format"] == "viewer" and rows[6]["time"] == "2007-01-04T09:12:03.000", rows[6]
assert "\u00ff\u00fe" in rows[7]["message"] and "\u0000" in rows[7]["message"], rows[7]
assert rows[1]["offset"] == 0 and rows[2]["offset"] > 0
PY
ok $? "--format json: JSON Lines with every key, STATMSG, multi-line, CP1252 bytes as UTF-8, a NUL escaped"

# A line whose $$<...> trailer was cut short (a copy, a rollover) keeps its
# text and component, and the JSON says the trailer was cut.
printf '%s\r\n' '~Package 009000B7 skip  $$<SMS_DISTRIBUTION_MANAGER><Thu Jan 04 9:1' >"$SCRATCH/cut.log"
"$DPDOCTOR" log --file "$SCRATCH/cut.log" --format json >"$SCRATCH/cut.json"
python3 - "$SCRATCH/cut.json" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(rows) == 1, rows
r = rows[0]
assert r.get("trailer_cut") is True and r["message"] == "~Package 009000B7 skip", r
assert r["component"] == "SMS_DISTRIBUTION_MANAGER", r
PY
ok $? "--format json: a cut \$\$<...> trailer keeps text and component, trailer_cut true"

"$DPDOCTOR" log --file "$f" --package 009000B7 >"$SCRATCH/pkg"; is $? 0 "--package: exit 0"
is "$(wc -l <"$SCRATCH/pkg")" 4 "--package: the four entries naming 009000B7"
"$DPDOCTOR" log --file "$f" --package 009FFFFF >"$SCRATCH/none"; is $? 1 "--package matching nothing: exit 1"
is "$(wc -c <"$SCRATCH/none")" 0 "  and prints nothing"
"$DPDOCTOR" log --file "$f" --package 'x;rm' >/dev/null 2>"$SCRATCH/err"; is $? 2 "bad --package: exit 2"
grep -q 'package ID' "$SCRATCH/err"; ok $? "  and says what a package ID is"
"$DPDOCTOR" log --file "$SCRATCH/missing.log" >/dev/null 2>"$SCRATCH/err"; is $? 2 "missing file: exit 2"
grep -q "$SCRATCH/missing.log: No such file" "$SCRATCH/err"; ok $? "  and names the file and why"
# Bounded: a 2 MiB line is cut at 1 MiB and that is said (JSON "cut", a
# FILE:LINE warning in text); the line after it is read as usual.  A log
# that is not a regular file is refused at once (run under timeout: before,
# /dev/zero was read for ever and a FIFO waited for a writer).
python3 -c 'import sys; sys.stdout.write("A" * (2 << 20) + "\r\nnext line\r\n")' >"$SCRATCH/big.log"
timeout 60 "$DPDOCTOR" log --file "$SCRATCH/big.log" --format json >"$SCRATCH/big.json"
is $? 0 "a 2 MiB line: exit 0"
python3 - "$SCRATCH/big.json" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(rows) == 2, len(rows)
assert rows[0].get("cut") is True and len(rows[0]["message"]) == 1 << 20, (rows[0].get("cut"), len(rows[0]["message"]))
assert "cut" not in rows[1] and rows[1]["message"] == "next line" and rows[1]["line"] == 2, rows[1]
PY
ok $? "  JSON: cut at 1 MiB with \"cut\":true, the next line whole"
timeout 60 "$DPDOCTOR" log --file "$SCRATCH/big.log" >"$SCRATCH/big.txt" 2>"$SCRATCH/big.err"
is "$(wc -l <"$SCRATCH/big.txt")" 2 "  text: both entries printed"
grep -q "^dpdoctor log: $SCRATCH/big.log:1: entry longer than 1 MiB, cut there$" "$SCRATCH/big.err"
ok $? "  text: the cut is said on stderr with FILE:LINE"
timeout 10 "$DPDOCTOR" log --file /dev/zero >/dev/null 2>"$SCRATCH/err"; is $? 2 "/dev/zero: refused, exit 2"
grep -q "/dev/zero: is a device" "$SCRATCH/err"; ok $? "  names it and says why"
mkfifo "$SCRATCH/fifo.log"
timeout 10 "$DPDOCTOR" log --file "$SCRATCH/fifo.log" >/dev/null 2>"$SCRATCH/err"; is $? 2 "a FIFO: refused, exit 2"
grep -q "$SCRATCH/fifo.log: is a FIFO" "$SCRATCH/err"; ok $? "  names it and says why"
timeout 10 "$DPDOCTOR" log --file "$SCRATCH/fifo.log" --follow >/dev/null 2>"$SCRATCH/err"; is $? 2 "  --follow too"
rm -f "$SCRATCH/fifo.log"

"$DPDOCTOR" log >/dev/null 2>&1; is $? 2 "neither --file nor --server: exit 2"
"$DPDOCTOR" log --file "$f" --server X >/dev/null 2>&1; is $? 2 "both --file and --server: exit 2"
"$DPDOCTOR" log --file "$f" --format xml >/dev/null 2>&1; is $? 2 "bad --format: exit 2"
: >"$SCRATCH/empty.log"
"$DPDOCTOR" log --file "$SCRATCH/empty.log" >/dev/null; is $? 1 "empty file: exit 1"

# Log text that would drive a terminal: ESC [2J and a C1 CSI in a UTF-8
# line, ESC and a byte CP1252 leaves undefined (read as U+0081) in an ANSI
# one.  Text shows them as \xNN; JSON escapes them as before.
c=$SCRATCH/ctrl.log
printf 'clear \033[2J and CSI \302\2333m here  $$<SMS_DISTRIBUTION_MANAGER><Thu Jan 04 9:12:03.417 2007 GMT Standard Time><thread=1 (0x1)>\r\n' >"$c"
printf 'ansi \033]0;t\007 and \x81 there  $$<SMS_DISTRIBUTION_MANAGER><Thu Jan 04 9:12:04.417 2007 GMT Standard Time><thread=1 (0x1)>\r\n' >>"$c"
"$DPDOCTOR" log --file "$c" >"$SCRATCH/ctrl.txt"; is $? 0 "log lines with control characters: exit 0"
! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f\x80-\x9f]' "$SCRATCH/ctrl.txt"
ok $? "  no control byte or C1 reaches the terminal"
grep -qF 'clear \x1b[2J and CSI \x9b3m here' "$SCRATCH/ctrl.txt"; ok $? "  ESC and a C1 CSI shown as \\x1b and \\x9b"
grep -qF 'ansi \x1b]0;t\x07 and \x81 there' "$SCRATCH/ctrl.txt"; ok $? "  in an ANSI line too, CP1252's undefined 0x81 as \\x81"
"$DPDOCTOR" log --file "$c" --format json | python3 -c '
import json, sys
m = [json.loads(l)["message"] for l in sys.stdin]
assert m[0] == "clear \x1b[2J and CSI \x9b3m here", m
assert m[1] == "ansi \x1b]0;t\x07 and \x81 there", m'
ok $? "  JSON keeps the text as it is"

demo=$SCRATCH/demo
primary=$("$DPDOCTOR" status --demo="$demo" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["source"].split(":",1)[1])')
[ -n "$primary" ]; ok $? "demo primary is $primary"
"$DPDOCTOR" log --demo="$demo" --server "$primary" --format json >"$SCRATCH/srv.json"; is $? 0 "--server on the demo primary: exit 0"
python3 - "$SCRATCH/srv.json" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(rows) > 50, len(rows)
assert all(r["format"] == "sms2003" and r["component"] == "SMS_DISTRIBUTION_MANAGER" for r in rows)
assert all(r["time"].endswith("Z") for r in rows), "every demo zone is known"
assert any("statmsg" in r for r in rows)
assert any(r["severity"] == "warning" and "haven't arrived yet" in r["message"] for r in rows) or \
       any(r["severity"] == "error" for r in rows)
PY
ok $? "--server: the simulator's distmgr.log parses completely (UTC, STATMSG, severities)"
pkg=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if "statmsg" in r and "400" in r["statmsg"]["attrs"]: print(r["statmsg"]["attrs"]["400"]); break' "$SCRATCH/srv.json")
"$DPDOCTOR" log --demo="$demo" --server "$primary" --package "$pkg" >"$SCRATCH/srvpkg"; is $? 0 "--server --package $pkg: exit 0"
bad=$(grep -vc "$pkg" "$SCRATCH/srvpkg"); is "$bad" 0 "  every entry names $pkg"
lc=$(echo "$primary" | tr 'A-Z' 'a-z')
"$DPDOCTOR" log --demo="$demo" --server "$lc" >/dev/null; is $? 0 "--server name in lower case"
"$DPDOCTOR" log --demo="$demo" --server NOSUCHDP >/dev/null 2>"$SCRATCH/err"; is $? 2 "unknown server: exit 2"
grep -q 'NOSUCHDP' "$SCRATCH/err"; ok $? "  and names it"
"$DPDOCTOR" log --demo="$demo" --server '../x' >/dev/null 2>&1; is $? 2 "server name with a path: exit 2"

# Output larger than the writer's buffers (written by a thread beside the
# parsing) comes out whole and in order; a message longer than the
# escaper's stretch (32 KiB), a UTF-8 character across that boundary and
# dense quotes and backslashes, escaped as one string.
big=$SCRATCH/many.log
python3 - "$big" <<'PY'
import sys
with open(sys.argv[1], "wb") as f:
    for i in range(3000):
        f.write(('STATMSG: ID=2330 SEV=I LEV=M SOURCE="SMS Server" COMP="SMS_DISTRIBUTION_MANAGER" SYS=SMS009PRI SITE=009 PID=1 TID=2 GMTDATE=Thu Jan 04 09:12:03.500 2007 ISTR0="0090%04X" ISTR1="["Display=\\\\DP%d\\"]MSWNET:["SMS_SITE=009"]\\\\DP%d\\" NUMATTRS=1 AID0=400 AVAL0="0090%04X"  $$<SMS_DISTRIBUTION_MANAGER><Thu Jan 04 9:12:03.500 2007 GMT Standard Time><thread=2 (0x2)>\r\n' % (i, i, i, i)).encode())
    f.write(b"x" * 32767 + "\u00e9".encode() + b'"\\' * 5000 + b"\x01 end\n")
PY
"$DPDOCTOR" log --file "$big" --format json >"$SCRATCH/many.json"; is $? 0 "a 3,001-entry log to JSON: exit 0"
python3 - "$big" "$SCRATCH/many.json" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
assert len(rows) == 3001, len(rows)
assert [r["line"] for r in rows] == list(range(1, 3002))
for i, r in enumerate(rows[:3000]):
    assert r["statmsg"]["istr"][0] == "0090%04X" % i, r
    assert r["statmsg"]["istr"][1] == '["Display=\\\\DP%d\\"]MSWNET:["SMS_SITE=009"]\\\\DP%d\\' % (i, i), r
want = "x" * 32767 + "\u00e9" + '"\\' * 5000 + "\x01 end"
assert rows[3000]["message"] == want, rows[3000]["message"][32760:32780]
PY
ok $? "  every entry, in order, STATMSG values whole; a 42 KB message with a UTF-8 character across 32 KiB escaped right"

# --follow: picks up appended lines, stops on SIGTERM.
g=$SCRATCH/follow.log
printf 'first 009000B7\n' >"$g"
"$DPDOCTOR" log --file "$g" --follow >"$SCRATCH/follow.out" &
pid=$!
# Each state waited for (10 s each): the existing line printed (so it runs,
# its SIGTERM handler set, and the append is news to it), then the new one.
upto() { for _ in $(seq 200); do grep -q "$1" "$SCRATCH/follow.out" && return 0; sleep 0.05; done; return 1; }
upto first || echo "# --follow printed no first line in 10 s"
printf 'second 009000B7\n' >>"$g"
upto second || echo "# --follow printed no appended line in 10 s"
kill -TERM $pid; wait $pid; rc=$?
is $rc 0 "--follow: SIGTERM ends it with exit 0"
is "$(cut -c27- "$SCRATCH/follow.out" | tr '\n' '|')" "INFO   -  first 009000B7|INFO   -  second 009000B7|" "--follow: existing then appended lines"
done_testing
