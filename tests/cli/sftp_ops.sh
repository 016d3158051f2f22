#!/usr/bin/env bash
# The file ops over SFTP (backend/transport/ssh/transport_ssh.c): with a [server] whose
# sftp_port is the loopback sshd's SFTP port, `dpdoctor diagnose` gathers
# the primary's own files (pathinfo and dirlist of E:\...) over SFTP and
# everything else as PowerShell, and must come to what the in-process demo
# does (same frozen clock): the same state and findings, the same PCK on
# the primary (present, size, time).  SFTP must really have answered: the
# sshd log shows sessions on the SFTP port, and the PCK's version, which
# only the simulator's PowerShell stand-in can read from the file, is
# empty.  With sftp = no the same answers come as PowerShell, and the SFTP
# port is never touched.  Then each op SFTP answers (loggrep, setattr,
# deletefile, renamefile, also on \\SMS009PRI\E$\ paths) against its
# PowerShell reply and the files on disk, the loggrep cache of a growing
# log, read-only mode, and the fall back to PowerShell when the SFTP port
# is closed.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/fixtures/sshd.sh"
. "$top_srcdir/tests/fixtures/sitecfg.sh"

ssh_site_begin
sshd_start "$demo"; ok $? "sshd starts"
if [ -z "${SSHD_SFTP_PORT:-}" ]; then
	sshd_stop
	echo "1..0 # SKIP no SFTP chroot (bind mounts not permitted here)"
	exit 0
fi
primary=$SSHD_SFTP_SERVER
log=$SSHD_BASE/sshd.log

# cfg FILE [KEY=VALUE...]: the site's configuration, with extra [server] keys.
cfg() { local f=$1; shift; site_ini "$f" "$primary" "$@"; }
cfg "$SCRATCH/sftp.ini" sftp_port="$SSHD_SFTP_PORT"
cfg "$SCRATCH/ps.ini" sftp=no

# Sessions sshd accepted on the SFTP port so far.
sftp_sessions() { grep -c "^Connection from .* on 127\.0\.0\.1 port $SSHD_SFTP_PORT\b" "$log"; }
# What the comparison looks at: state, finding ids, and the primary's PCK.
summary() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
p = [e for e in d["evidence"] if e["kind"] == "pck-primary"]
print(d["state"], *[f["id"] for f in d["findings"]])
for e in p: print("pck-primary", e["source"], e["present"], e["size"], e["when"], e["error"])' "$1"
}
pck_version() {
	python3 -c 'import json,sys
print(*[e["version"] for e in json.load(open(sys.argv[1]))["evidence"] if e["kind"] == "pck-primary"])' "$1"
}

# Three pairs of three different packages.
pairs=()
declare -A seen=()
while IFS=, read -r id _ dp _; do
	[ -n "${seen[$id]:-}" ] && continue
	seen[$id]=1
	pairs+=("$id $dp")
	[ ${#pairs[@]} -ge 3 ] && break
done < <(tail -n +2 "$SCRATCH/demo.csv")
is ${#pairs[@]} 3 "three pairs to compare"

for pair in "${pairs[@]}"; do
	read -r id dp <<<"$pair"
	"$DPDOCTOR" diagnose "$id" "$dp" --demo="$demo" --format json >"$SCRATCH/demo-$id.json"
	want=$(summary "$SCRATCH/demo-$id.json")
	before=$(sftp_sessions)
	timeout 60 "$DPDOCTOR" diagnose "$id" "$dp" -c "$SCRATCH/sftp.ini" --format json \
		>"$SCRATCH/sftp-$id.json" 2>"$SCRATCH/sftp-$id.err"
	is $? 1 "diagnose $id $dp with SFTP: exit 1"
	is "$(summary "$SCRATCH/sftp-$id.json" 2>&1)" "$want" "  same state, findings and primary PCK as the demo"
	[ "$(sftp_sessions)" -gt "$before" ]; ok $? "  sshd saw a session on the SFTP port"
	v=$(pck_version "$SCRATCH/sftp-$id.json")
	[ -n "$v" ] && [ -z "$(tr -d ' 0' <<<"$v")" ]
	ok $? "  the primary's PCK came over SFTP (no version: '$v')"

	before=$(sftp_sessions)
	timeout 60 "$DPDOCTOR" diagnose "$id" "$dp" -c "$SCRATCH/ps.ini" --format json \
		>"$SCRATCH/ps-$id.json" 2>"$SCRATCH/ps-$id.err"
	is $? 1 "diagnose $id $dp with sftp = no: exit 1"
	is "$(summary "$SCRATCH/ps-$id.json" 2>&1)" "$want" "  the same answers, as PowerShell"
	is "$(sftp_sessions)" "$before" "  and the SFTP port was not touched"
	is "$(pck_version "$SCRATCH/ps-$id.json")" "$(pck_version "$SCRATCH/demo-$id.json")" \
		"  the PCK's version as the demo reads it"
done

# The ops themselves, through sshprobe: SFTP (--sftp-port) against the
# PowerShell stand-in.  The simulator alone reads PCK versions and package
# IDs (Version, PackageID); every other column must agree.
PROBE=$top_builddir/tests/fixtures/sshprobe
probe() { "$PROBE" --port "$SSHD_PORT" --key "$SSHD_KEY" --known-hosts "$SSHD_KNOWN_HOSTS" "$@"; }
common() { grep -v '^exit ' | cut -f1-7,9,10; }
E=$demo/servers/$primary/E:

before=$(sftp_sessions)
probe --sftp-port "$SSHD_SFTP_PORT" op dirlist 'dir=E:\SMSPKG' 'pattern=*.pck' >"$SCRATCH/dl-sftp"
ok $? "dirlist E:\\SMSPKG over SFTP"
[ "$(sftp_sessions)" -gt "$before" ]; ok $? "  on the SFTP port"
probe op dirlist 'dir=E:\SMSPKG' 'pattern=*.pck' >"$SCRATCH/dl-ps"; ok $? "  and as PowerShell"
is "$(common <"$SCRATCH/dl-sftp")" "$(common <"$SCRATCH/dl-ps")" "  the same rows but for Version and PackageID"
is "$(grep -c '^F' "$SCRATCH/dl-sftp")" "$(ls "$E/SMSPKG" | grep -ic '\.pck$')" "  one row per PCK on disk"
tail -n 2 "$SCRATCH/dl-sftp" | head -n 1 | grep -q "^END	ok	$(ls "$E/SMSPKG" | grep -ic '\.pck$')$"
ok $? "  END ok with the count"

pck=$(cd "$E/SMSPKG" && ls | grep -i '\.pck$' | head -n 1)
src=$(python3 -c 'import json,sys
print([e["source"] for e in json.load(open(sys.argv[1]))["evidence"] if e["kind"] == "source-dir"][0])' \
	"$SCRATCH/demo-${pairs[0]%% *}.json")
paths="E:\\SMSPKG\\$pck|$src|E:\\SMSPKG\\NOSUCH.PCK"
probe --sftp-port "$SSHD_SFTP_PORT" op pathinfo "paths=$paths" >"$SCRATCH/pi-sftp"
ok $? "pathinfo of the primary's PCK, a share on FILESRV01 and a missing file"
probe op pathinfo "paths=$paths" >"$SCRATCH/pi-ps"; ok $? "  and as PowerShell"
is "$(common <"$SCRATCH/pi-sftp")" "$(common <"$SCRATCH/pi-ps")" "  the same rows, in the asked order"
grep "^F	E:.*$pck	" "$SCRATCH/pi-sftp" | cut -f5,6 | grep -qx "$(stat -c %s "$E/SMSPKG/$pck")	$(date -u -d "@$(stat -c %Y "$E/SMSPKG/$pck")" +%Y-%m-%dT%H:%M:%SZ)"
ok $? "  the PCK's size and time are the file's on disk"
grep "^F	E:.*$pck	" "$SCRATCH/pi-sftp" | cut -f8 | grep -qx ''; ok $? "  its Version empty, as PowerShell leaves it"

out=$(probe --sftp-port "$SSHD_SFTP_PORT" op pathinfo 'paths=D:\x.txt|E:\SMSPKG')
echo "$out" | grep -q '^F	D:\\\\x.txt						.*cannot reach D:\\\\'
ok $? "a drive SFTP does not have: the Error column"
echo "$out" | grep -q '^F	E:\\\\SMSPKG	1	1		[0-9T:Z-]*	16	'; ok $? "  a folder: IsDir, no size, attribute 0x10"
out=$(probe --sftp-port "$SSHD_SFTP_PORT" op dirlist 'dir=D:\SMSPKG' 'pattern=*')
echo "$out" | grep -q '^END	error	cannot reach D:' && echo "$out" | grep -qx 'exit 1'
ok $? "  dirlist there: END error, exit 1, as PowerShell's catch"

# ---- loggrep, setattr, deletefile and renamefile over SFTP ----------------
# Each answer over SFTP must be byte for byte PowerShell's (the simulator's
# stand-in), with a session on the SFTP port as the sign SFTP answered, and
# the PowerShell runs must not touch that port.
sprobe() { probe --sftp-port "$SSHD_SFTP_PORT" "$@"; }
# same NAME OP ARGS...: SFTP and PowerShell replies of one op, compared.
same() {
	local name=$1 b; shift
	b=$(sftp_sessions)
	sprobe op "$@" >"$SCRATCH/$name-sftp"
	[ "$(sftp_sessions)" -gt "$b" ]; ok $? "$name: over SFTP (a session on its port)"
	b=$(sftp_sessions)
	probe op "$@" >"$SCRATCH/$name-ps"
	is "$(sftp_sessions)" "$b" "  as PowerShell, the SFTP port untouched"
	is "$(cat "$SCRATCH/$name-sftp")" "$(cat "$SCRATCH/$name-ps")" "  the same reply" ||
		diff "$SCRATCH/$name-sftp" "$SCRATCH/$name-ps" | sed 's/^/# /'
}
LOGS=$E/SMS/Logs
LW='E:\SMS\Logs\distmgr.log'
# A rotated log of 1.3 MB: the reads cross 1 MiB chunk ends.
cat "$LOGS/distmgr.log" "$LOGS/distmgr.log" >"$LOGS/distmgr.lo_"
chown dpdsim: "$LOGS/distmgr.lo_"
# A package the primary's own log names (a child site's problems are in
# its site server's log, so a failing pair's package may not be here).
lgpkg=$(grep -ao '009[0-9A-F]\{5\}' "$LOGS/distmgr.log" | head -1)
same lg1 loggrep "log=$LW" "needle=${lgpkg:-${pairs[0]%% *}}"
grep -q "^L	E:\\\\\\\\SMS\\\\\\\\Logs\\\\\\\\distmgr.lo_	" "$SCRATCH/lg1-sftp" &&
	grep -q "^L	E:\\\\\\\\SMS\\\\\\\\Logs\\\\\\\\distmgr.log	" "$SCRATCH/lg1-sftp"
ok $? "  lines from the .lo_ and the .log"
same lg2 loggrep "log=$LW" needle=statmsg max=7
is "$(grep -c '^L' "$SCRATCH/lg2-sftp")" 7 "  max=7 keeps 7 lines"
same lg3 loggrep 'log=\\SMS009PRI\E$\SMS\Logs\distmgr.log' needle=STATMSG max=3
grep -q '^L	\\\\\\\\SMS009PRI\\\\E\$' "$SCRATCH/lg3-sftp"; ok $? "  \\\\SMS009PRI\\E\$ is the host's own, kept as asked"
same lg4 loggrep "log=$LW" needle=no-such-thing-at-all

# A log that grows between two looks on one transport: the second look
# reads only the new bytes.  Proof: with the append, an old matching line
# is changed in place (same length); the second answer still shows it as
# first read, and the new line at the old end of the file.
printf 'first GROWNEEDLE line\r\n' >>"$LOGS/distmgr.log"
old=$(stat -c %s "$LOGS/distmgr.log")
at=$(grep -abo 'first GROWNEEDLE' "$LOGS/distmgr.log" | cut -d: -f1)
grow="printf FIRST | dd of='$LOGS/distmgr.log' bs=1 seek=$at conv=notrunc 2>/dev/null && printf 'second GROWNEEDLE line\r\n' >>'$LOGS/distmgr.log'"
sprobe op2 "$grow" loggrep "log=$LW" needle=growneedle >"$SCRATCH/grow"
ok $? "loggrep, the log grows, loggrep again"
second=$(sed '1,/^----$/d' "$SCRATCH/grow")
echo "$second" | grep -q "^L	E:.*distmgr.log	$at	first GROWNEEDLE line$"; ok $? "  the old line as first read (not read again)"
echo "$second" | grep -q "^L	E:.*distmgr.log	$old	second GROWNEEDLE line$"; ok $? "  the new line at the old end"
sprobe op loggrep "log=$LW" needle=growneedle | grep -q "	$at	FIRST GROWNEEDLE line$"
ok $? "  (a fresh transport reads the changed line)"
# Shrunk: read again from the start.
sprobe op2 "truncate -s $old '$LOGS/distmgr.log'" loggrep "log=$LW" needle=growneedle >"$SCRATCH/shrink"
probe op loggrep "log=$LW" needle=growneedle >"$SCRATCH/shrink-ps"
is "$(sed '1,/^----$/d' "$SCRATCH/shrink")" "$(cat "$SCRATCH/shrink-ps")" "a log that shrank is read again: PowerShell's answer"
# A last line still being written, then finished.
printf 'partial GROWNEEDLE' >>"$LOGS/distmgr.log"
sprobe op2 "printf ' done\r\n' >>'$LOGS/distmgr.log'" loggrep "log=$LW" needle=growneedle >"$SCRATCH/tail"
probe op loggrep "log=$LW" needle=growneedle >"$SCRATCH/tail-ps"
is "$(sed '1,/^----$/d' "$SCRATCH/tail")" "$(cat "$SCRATCH/tail-ps")" "an unfinished last line, finished later"
sed '/^----$/,$d' "$SCRATCH/tail" | grep -q "	partial GROWNEEDLE$"; ok $? "  was there unfinished the first time"
# ANSI code page: CP1252 bytes come as UTF-8, as PowerShell decodes them.
printf 'caf\xe9 ENCNEEDLE \x80\r\n' >>"$LOGS/distmgr.log"
sprobe op loggrep "log=$LW" needle=encneedle | grep -q "	caf$(printf '\xc3\xa9') ENCNEEDLE $(printf '\xe2\x82\xac')$"
ok $? "a CP1252 line comes as UTF-8 (e acute, euro sign)"

# readfile (the log view's mirror): ranges of the log, its head and size.
same rf1 readfile "path=$LW" offset=0 max=100
same rf2 readfile "path=$LW" offset=5 max=1048576
same rf3 readfile "path=$LW" offset=99999999 max=10
same rf4 readfile "path=\\\\$primary\\E\$\\SMS\\Logs\\distmgr.log" offset=7 max=3
same rf5 readfile 'path=E:\SMS\Logs\nosuch.log' offset=0 max=10
grep -q '^END	error	E:.*nosuch.log does not exist$' "$SCRATCH/rf5-sftp"; ok $? "  a missing log: Need()'s error"
python3 - "$SCRATCH/rf2-sftp" "$LOGS/distmgr.log" <<'PY'
import base64, sys
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1]) if l.startswith('B\t')]
data = open(sys.argv[2], 'rb').read()
off, size, _, head, body = rows[0][1:6]
assert int(size) == len(data), (size, len(data))
assert base64.b64decode(head) == data[:64]
assert base64.b64decode(body) == data[5:5 + 1048576]
PY
ok $? "  the bytes, size and head are the file's on disk"

IN='E:\SMS\inboxes\distmgr.box\INCOMING'
in=$E/SMS/inboxes/distmgr.box/INCOMING
# 744: a file as Windows has just written it, archive set (the owner x bit,
# SIM_MODE_ARCHIVE), which is what SFTP, blind to the bit, reports.
mkfile() { for f in "$@"; do echo "$f" >"$in/$f"; chown dpdsim: "$in/$f"; chmod 744 "$in/$f"; done; }
mkdir -p "$in/sub"; chown dpdsim: "$in/sub"
wbit() { stat -c %A "$in/$1" | cut -c3; }

# setattr; an absent archive leaves the bit alone, as archive=keep does
mkfile a.txt
same sa0 setattr "path=$IN\\a.txt" readonly=set
same sa1 setattr "path=$IN\\a.txt" readonly=set archive=keep
is "$(wbit a.txt)" - "  the owner write bit is gone on disk"
same sa2 setattr "path=$IN\\a.txt" readonly=clear archive=keep
is "$(wbit a.txt)" w "  and back"
same sa3 setattr "path=$IN\\a.txt" readonly=keep archive=keep
same sa4 setattr "path=$IN\\sub" readonly=set archive=keep
grep -q '^END	error	.*sub is a folder, not a file' "$SCRATCH/sa4-sftp"; ok $? "  a folder: the error"
b=$(sftp_sessions)
sprobe op setattr "path=$IN\\a.txt" archive=clear >/dev/null
is "$(sftp_sessions)" "$b" "archive=clear goes as PowerShell (SFTP cannot say it)"
same sa5 setattr "path=$IN\\nosuch.txt" readonly=set
grep -q '^END	error	E:.*nosuch.txt does not exist$' "$SCRATCH/sa5-sftp" && grep -qx 'exit 1' "$SCRATCH/sa5-sftp"
ok $? "a missing file: END error as Need() words it, exit 1"

# deletefile
mkfile d.txt; chmod 444 "$in/d.txt"
sprobe op deletefile "path=$IN\\d.txt" >"$SCRATCH/del-sftp"
[ ! -e "$in/d.txt" ]; ok $? "deletefile over SFTP: a read-only file is gone"
mkfile d.txt; chmod 444 "$in/d.txt"
probe op deletefile "path=$IN\\d.txt" >"$SCRATCH/del-ps"
is "$(cat "$SCRATCH/del-sftp")" "$(cat "$SCRATCH/del-ps")" "  the same reply as PowerShell"
grep -q '	deleted$' "$SCRATCH/del-sftp"; ok $? "  deleted"
same del2 deletefile "path=$IN\\d.txt"
grep -q '	absent$' "$SCRATCH/del2-sftp"; ok $? "  absent the second time"
same del3 deletefile "path=$IN\\sub"
[ -d "$in/sub" ]; ok $? "  a folder is refused and left"

# renamefile
mkfile r1.txt
sprobe op renamefile "path=$IN\\r1.txt" newname=r2.txt >"$SCRATCH/ren-sftp"
[ ! -e "$in/r1.txt" ] && [ "$(cat "$in/r2.txt")" = r1.txt ]; ok $? "renamefile over SFTP: renamed on disk"
rm -f "$in/r2.txt"; mkfile r1.txt
probe op renamefile "path=$IN\\r1.txt" newname=r2.txt >"$SCRATCH/ren-ps"
is "$(cat "$SCRATCH/ren-sftp")" "$(cat "$SCRATCH/ren-ps")" "  the same reply as PowerShell"
mkfile r1.txt
same ren2 renamefile "path=$IN\\r1.txt" newname=r2.txt
grep -q '^END	error	.*r2.txt already exists$' "$SCRATCH/ren2-sftp"; ok $? "  onto an existing file: refused"
[ "$(cat "$in/r2.txt")" = r1.txt ] && [ "$(cat "$in/r1.txt")" = r1.txt ]; ok $? "  both files untouched"
sprobe op renamefile "path=$IN\\r1.txt" newname=R1.txt >"$SCRATCH/ren3-sftp"
[ "$(ls "$in" | grep -ix r1.txt)" = R1.txt ]; ok $? "a case-only rename over SFTP, as the simulator does it"
rm -f "$in/R1.txt"; mkfile r1.txt
probe op renamefile "path=$IN\\r1.txt" newname=R1.txt >"$SCRATCH/ren3-ps"
is "$(cat "$SCRATCH/ren3-sftp")" "$(cat "$SCRATCH/ren3-ps")" "  the same reply as PowerShell"
mkfile u1.txt
sprobe op renamefile 'path=\\SMS009PRI\E$\SMS\inboxes\distmgr.box\INCOMING\u1.txt' newname=u2.txt >"$SCRATCH/unc-sftp"
grep -q '^N	\\\\\\\\SMS009PRI\\\\E\$.*u1.txt	\\\\\\\\SMS009PRI\\\\E\$.*u2.txt$' "$SCRATCH/unc-sftp" && [ -e "$in/u2.txt" ]
ok $? "renamefile of \\\\SMS009PRI\\E\$\\...: renamed, the paths kept as asked"

# Read-only mode: refused before anything is sent; nothing changes.
mkfile k.txt
b=$(sftp_sessions)
for a in "setattr path=$IN\\k.txt readonly=set" "deletefile path=$IN\\k.txt" \
	"renamefile path=$IN\\k.txt newname=k2.txt"; do
	# shellcheck disable=SC2086
	out=$(sprobe --read-only op $a)
	echo "$out" | grep -q "^error: read-only mode: refusing ${a%% *} on SMS009PRI"; ok $? "read-only: ${a%% *} refused"
done
[ -e "$in/k.txt" ] && [ ! -e "$in/k2.txt" ] && [ "$(wbit k.txt)" = w ]; ok $? "  the file untouched"
is "$(sftp_sessions)" "$b" "  and no SFTP session"

# SFTP not there (nothing on its port): the ops go as PowerShell and work.
closed=$(sshd_free_port)
b=$(sftp_sessions)
out=$(probe --sftp-port "$closed" op loggrep "log=$LW" needle=growneedle)
is "$out" "$(probe op loggrep "log=$LW" needle=growneedle)" "SFTP port closed: loggrep as PowerShell"
out=$(probe --sftp-port "$closed" op dirlist "dir=$IN" 'pattern=*')
is "$out" "$(probe op dirlist "dir=$IN" 'pattern=*')" "  dirlist too"
probe --sftp-port "$closed" op deletefile "path=$IN\\k.txt" | grep -q '	deleted$' && [ ! -e "$in/k.txt" ]
ok $? "  deletefile too: deleted"
is "$(sftp_sessions)" "$b" "  no SFTP session anywhere"

done_testing
