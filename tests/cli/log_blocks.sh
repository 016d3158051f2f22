#!/usr/bin/env bash
# `dpdoctor log` parses a whole file in blocks on worker threads: its
# output must be byte for byte what a read in order prints
# (DPDOCTOR_LOG_BLOCK=0), wherever the blocks are cut -- inside a
# multi-line CMTrace entry, exactly at an entry's start, in a line longer
# than a block or than an entry may be, a file smaller than a block, line
# numbers across blocks, the .lo_ before the .log, a day-first viewer copy
# whose order is learned late -- and a write error is told, exit 2.
. "$(dirname "$0")/lib.sh"

f=$SCRATCH/distmgr.log
python3 - "$f" "$SCRATCH/distmgr.lo_" "$SCRATCH/long.log" "$SCRATCH/late.txt" <<'PY'
import random, sys
r = random.Random(16)
def sms(i):
    return ("~Processing package 0090%04X on \\\\DP%d  $$<SMS_DISTRIBUTION_MANAGER>"
            "<Thu Jan 04 9:%02d:03.417 2007 GMT Standard Time><thread=%d (0x%x)>" % (i % 65536, i % 7, i % 60, i, i))
def statmsg(i):
    return ('STATMSG: ID=2330 SEV=I LEV=M SOURCE="SMS Server" COMP="SMS_DISTRIBUTION_MANAGER" SYS=SMS009PRI '
            'SITE=009 PID=1 TID=2 GMTDATE=Thu Jan 04 09:12:03.500 2007 ISTR0="0090%04X" ISTR1="%s" NUMATTRS=1 '
            'AID0=400 AVAL0="009000B7"  $$<SMS_DISTRIBUTION_MANAGER><Thu Jan 04 9:12:03.500 2007 GMT Standard Time>'
            '<thread=2 (0x2)>' % (i, "x" * r.randint(0, 600)))
def cmtrace(i, n):
    body = "\n".join("line %d of entry %d \"q\" \t tab" % (k, i) for k in range(n))
    return ('<![LOG[%s]LOG]!><time="10:00:%02d.000+000" date="01-04-2007" component="CcmExec" context="" '
            'type="%d" thread="7" file="">' % (body, i % 60, 1 + i % 3))
def viewer(i, d):
    return "a viewer copy %d\tSMS_DISTRIBUTION_MANAGER\t%s 9:12:03 AM\t5764 (0x1684)" % (i, d)
out = ["\ufeff" + sms(0)]
for i in range(1, 3000):
    k = r.randrange(10)
    if k < 4: out.append(sms(i))
    elif k < 7: out.append(statmsg(i))
    elif k < 8: out.append(cmtrace(i, r.randint(1, 40)))
    elif k < 9: out.append("plain line %d \xe9 caf\u00e9 \x01 control" % i)
    else: out.append("")
    if i == 1500: out.append("x" * 70000 + " a line longer than many blocks")
    if i == 2000: out.append('<![LOG[an entry that never closes')
text = "\r\n".join(out) + "\n" + "the last line without its end"
open(sys.argv[1], "w", encoding="utf-8", newline="").write(text)
# the .lo_: ambiguous viewer dates first, a day-first proof much later
lo = [viewer(i, "03-04-2010") for i in range(400)] + [viewer(400, "29-01-2010")] + \
     [viewer(i, "05-06-2010") for i in range(401, 800)]
open(sys.argv[2], "w", newline="").write("\n".join(lo) + "\n")
# entries longer than SMSLOG_ENTRY_MAX, cut, between ordinary lines
lg = [sms(1), "y" * (1200 * 1024), sms(2), cmtrace(3, 2), "<![LOG[" + "z\n" * 300000 + "]LOG]!><x>", sms(4)]
open(sys.argv[3], "w", newline="").write("\n".join(lg) + "\n")
# ambiguous viewer dates only after many blocks, their order shown later still
late = [sms(i) for i in range(2000)] + [viewer(i, "03-04-2010") for i in range(100)] + \
       [viewer(100, "29-01-2010")] + [sms(i) for i in range(100)]
open(sys.argv[4], "w", newline="").write("\n".join(late) + "\n")
PY

for fmt in json text; do
	DPDOCTOR_LOG_BLOCK=0 "$DPDOCTOR" log --file "$f" --format $fmt >"$SCRATCH/want.$fmt" 2>"$SCRATCH/want.err"
	is $? 0 "$fmt: a read in order, exit 0"
	for bs in 64 100 333 4096 65536 1048576 ""; do
		DPDOCTOR_LOG_BLOCK=$bs "$DPDOCTOR" log --file "$f" --format $fmt >"$SCRATCH/got" 2>"$SCRATCH/got.err"
		is $? 0 "$fmt, blocks of ${bs:-the default size}: exit 0"
		cmp -s "$SCRATCH/want.$fmt" "$SCRATCH/got"; ok $? "$fmt, blocks of ${bs:-the default size}: the same output"
	done
done
is "$(wc -l <"$SCRATCH/want.json")" "$(($(wc -l <"$SCRATCH/want.text")))" "json and text: one line per entry"
grep -q '"line":' "$SCRATCH/want.json"; ok $? "json carries line numbers"

for bs in 0 4096 65536 1048576; do
	DPDOCTOR_LOG_BLOCK=$bs "$DPDOCTOR" log --file "$SCRATCH/long.log" --format json >"$SCRATCH/long.$bs" 2>/dev/null
	is $? 0 "entries longer than the most kept, blocks of $bs: exit 0"
done
for bs in 4096 65536 1048576; do
	cmp -s "$SCRATCH/long.0" "$SCRATCH/long.$bs"; ok $? "entries longer than the most kept, blocks of $bs: the same output"
done
DPDOCTOR_LOG_BLOCK=0 "$DPDOCTOR" log --file "$SCRATCH/long.log" >/dev/null 2>"$SCRATCH/long.err0"
DPDOCTOR_LOG_BLOCK=65536 "$DPDOCTOR" log --file "$SCRATCH/long.log" >/dev/null 2>"$SCRATCH/long.err"
cmp -s "$SCRATCH/long.err0" "$SCRATCH/long.err"; ok $? "text: the cut is said on stderr as a read in order says it"
# a cut line in a block read again in order (its date order was guessed): said once
{ printf 'copy\tC\t03-04-2010 9:12:03 AM\t5764 (0x1684)\n'; head -c 1300000 /dev/zero | tr '\0' y; printf '\ncopy\tC\t29-01-2010 9:12:03 AM\t5764 (0x1684)\n'; } >"$SCRATCH/again.log"
DPDOCTOR_LOG_BLOCK=0 "$DPDOCTOR" log --file "$SCRATCH/again.log" >"$SCRATCH/again.out0" 2>"$SCRATCH/again.err0"
"$DPDOCTOR" log --file "$SCRATCH/again.log" >"$SCRATCH/again.out" 2>"$SCRATCH/again.err"
cmp -s "$SCRATCH/again.out0" "$SCRATCH/again.out"; ok $? "a block read again in order: the same output"
is "$(cat "$SCRATCH/again.err")" "$(cat "$SCRATCH/again.err0")" "a block read again in order: its cut said once"
grep -c "\"cut\":true" "$SCRATCH/long.0" | grep -qx 1; ok $? "the line longer than an entry may be is cut"

DPDOCTOR_LOG_BLOCK=0 "$DPDOCTOR" log --file "$SCRATCH/late.txt" --format json >"$SCRATCH/late.want"
for bs in 4096 65536; do
	DPDOCTOR_LOG_BLOCK=$bs "$DPDOCTOR" log --file "$SCRATCH/late.txt" --format json >"$SCRATCH/late.got"
	cmp -s "$SCRATCH/late.want" "$SCRATCH/late.got"; ok $? "a date order learned after many blocks, blocks of $bs"
done
grep -q '"time":"2010-04-03T09:12:03.000"' "$SCRATCH/late.want"; ok $? "the late proof makes them day-first"

small=$SCRATCH/small.log
head -c 300 "$f" >"$small"
DPDOCTOR_LOG_BLOCK=0 "$DPDOCTOR" log --file "$small" --format json >"$SCRATCH/small.want"
"$DPDOCTOR" log --file "$small" --format json >"$SCRATCH/small.got"
cmp -s "$SCRATCH/small.want" "$SCRATCH/small.got"; ok $? "a file smaller than a block"
: >"$SCRATCH/empty.log"
"$DPDOCTOR" log --file "$SCRATCH/empty.log" --format json >"$SCRATCH/empty.out"; rc=$?
is $rc 1 "an empty file: exit 1, nothing printed"

if [ -w /dev/full ]; then
	DPDOCTOR_LOG_BLOCK=4096 "$DPDOCTOR" log --file "$f" --format json >/dev/full 2>"$SCRATCH/full.err"; rc=$?
	is $rc 2 "a write error: exit 2"
	grep -q 'writing output: No space left on device' "$SCRATCH/full.err"; ok $? "a write error is told"
	[ "$(wc -l <"$SCRATCH/full.err")" -eq 1 ] || { echo "# stderr:"; sed 's/^/# /' "$SCRATCH/full.err"; }
fi
done_testing
