#!/usr/bin/env bash
# Files over SFTP through the SSH engine (backend/transport/ssh/sshsftp.c) against the
# loopback sshd's internal-sftp, which shows the primary's simulated drive
# as /E:/... (tests/fixtures/sshd.sh): stat, range reads, listings, writes,
# renames onto an existing file and case-only renames, the read-only bit,
# and the errors for a missing file, a path that is not E:\... and a
# deadline.  Every answer is checked against the files on disk.  Then the
# engine under trouble: a connection killed mid-read, a call timed out
# while the session's sshd is stopped (the next call must work), and a
# command and an SFTP call sharing one session on the main port.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/fixtures/sshd.sh"
PROBE=$top_builddir/tests/fixtures/sshprobe

sshd_require
trap 'sshd_stop; cleanup_scratch' EXIT

demo=$SCRATCH/demo
chmod 711 "$SCRATCH"
"$DPDOCTOR" status --demo="$demo" >/dev/null; is $? 1 "demo site created"
sshd_start "$demo"; ok $? "sshd starts"
if [ -z "${SSHD_SFTP_PORT:-}" ]; then
	sshd_stop
	echo "1..0 # SKIP no SFTP chroot (bind mounts not permitted here)"
	exit 0
fi
is "$SSHD_SFTP_SERVER" SMS009PRI "SFTP serves the primary's drive"
probe() { "$PROBE" --port "$SSHD_SFTP_PORT" --key "$SSHD_KEY" --known-hosts "$SSHD_KNOWN_HOSTS" "$@"; }
E=$demo/servers/SMS009PRI/E:
IN='E:\SMS\inboxes\distmgr.box\INCOMING'
in=$E/SMS/inboxes/distmgr.box/INCOMING

# stat
pck=$(cd "$E/SMSPKG" && ls | head -n 1)
out=$(probe sftp-stat "E:\\SMSPKG\\$pck"); ok $? "stat of $pck: $out"
is "$out" "ok exists=1 dir=0 ro=0 size=$(stat -c %s "$E/SMSPKG/$pck") mtime=$(stat -c %Y "$E/SMSPKG/$pck")" \
	"  size and mtime are the file's on disk"
out=$(probe sftp-stat 'E:\SMSPKG'); echo "$out" | grep -q "ok exists=1 dir=1"; ok $? "  a directory is one: $out"
out=$(probe sftp-stat 'E:\SMSPKG\NOSUCH.PCK'); is "$out" "ok exists=0 dir=0 ro=0 size=0 mtime=0" \
	"  a missing file does not exist (not an error)"

# range reads
log=$E/SMS/Logs/distmgr.log
out=$(probe sftp-read 'E:\SMS\Logs\distmgr.log' 1000 500 "$SCRATCH/range"); ok $? "read [1000,1500) of distmgr.log: $out"
dd if="$log" bs=1 skip=1000 count=500 2>/dev/null | cmp -s - "$SCRATCH/range"; ok $? "  the same bytes as dd"
size=$(stat -c %s "$log")
out=$(probe sftp-read 'E:\SMS\Logs\distmgr.log' $((size - 100)) 1000 "$SCRATCH/tail")
is "$out" "$(echo "$out" | grep -o '^ok bytes=100 ')ms=${out##*ms=}" "a range past the end stops at it: $out"
tail -c 100 "$log" | cmp -s - "$SCRATCH/tail"; ok $? "  the last 100 bytes"
out=$(probe sftp-read 'E:\SMS\Logs\distmgr.log' 0 -  "$SCRATCH/whole"); ok $? "the whole log: $out"
cmp -s "$log" "$SCRATCH/whole"; ok $? "  equals the file"

# listing
for f in 00900001.PKG 00900002.PKG Ab.SNI 'with space.PKG'; do
	echo "$f" >"$in/$f"
done
mkdir "$in/sub"
chown -R dpdsim: "$in"
out=$(probe sftp-list "$IN"); ok $? "list of INCOMING"
got=$(echo "$out" | grep -v '^ok n=' | sed 's/\\$//' | LC_ALL=C sort)
is "$got" "$(ls "$in" | LC_ALL=C sort)" "  the same names as ls"
echo "$out" | grep -qx 'sub\\'; ok $? "  directories marked"
out=$(probe sftp-list "$IN" '*.pkg'); got=$(echo "$out" | grep -v '^ok n=' | LC_ALL=C sort)
is "$got" "$(printf '00900001.PKG\n00900002.PKG\nwith space.PKG')" "  a pattern, any case"

# write
head -c 300000 /dev/urandom >"$SCRATCH/blob"
out=$(probe sftp-copy-in "$SCRATCH/blob" "$IN\\blob.bin"); is "$out" ok "copy a 300 kB file in"
cmp -s "$SCRATCH/blob" "$in/blob.bin"; ok $? "  same bytes on the server"

# rename onto an existing file
out=$(probe sftp-rename "$IN\\00900001.PKG" "$IN\\00900002.PKG"); is "$out" ok "rename onto an existing file"
[ ! -e "$in/00900001.PKG" ] && [ "$(cat "$in/00900002.PKG")" = 00900001.PKG ]
ok $? "  the target is replaced, the source gone"
out=$(probe sftp-rename "$IN\\Ab.SNI" "$IN\\AB.sni"); is "$out" ok "case-only rename"
[ "$(ls "$in" | grep -ix ab.sni)" = AB.sni ] && [ "$(cat "$in/AB.sni")" = Ab.SNI ]
ok $? "  the new spelling, the same file"
[ -z "$(ls "$in" | grep dpdoctor)" ]; ok $? "  no temporary name left"
out=$(probe sftp-rename "$IN\\AB.sni" "$IN\\AB.sni"); is "$out" ok "rename onto itself: nothing to do"
[ -e "$in/AB.sni" ]; ok $? "  and the file is still there"
out=$(probe sftp-rename "$IN\\AB.sni" "$IN\\sub"); echo "$out" | grep -q "the target is a directory"
ok $? "  a directory as the target is refused: $out"

# read-only
out=$(probe sftp-setro "$IN\\AB.sni" 1); is "$out" ok "set read-only"
[ ! -w "$in/AB.sni" ] || [ "$(stat -c %A "$in/AB.sni" | cut -c3)" = - ]; ok $? "  the owner write bit is gone on disk"
out=$(probe sftp-stat "$IN\\AB.sni"); echo "$out" | grep -q " ro=1 "; ok $? "  stat says read-only: $out"
out=$(probe sftp-setro "$IN\\AB.sni" 0); is "$out" ok "clear read-only"
out=$(probe sftp-stat "$IN\\AB.sni"); echo "$out" | grep -q " ro=0 "; ok $? "  stat says writable: $out"
[ "$(stat -c %A "$in/AB.sni" | cut -c3)" = w ]; ok $? "  so does the disk"

# delete
out=$(probe sftp-unlink "$IN\\AB.sni"); is "$out" ok "delete"
[ ! -e "$in/AB.sni" ]; ok $? "  gone"

# errors
out=$(probe sftp-read 'E:\SMS\Logs\nosuch.log' 0 10); is $? 1 "a missing file: fails"
is "$out" 'error: SMS009PRI: sftp read E:\SMS\Logs\nosuch.log: no such file' "  names the server, op and path"
out=$(probe sftp-rename "$IN\\nosuch" "$IN\\00900002.PKG")
echo "$out" | grep -q 'no such file'; ok $? "rename of a missing file fails: $out"
[ -e "$in/00900002.PKG" ]; ok $? "  and the target is untouched"
# A closed port: the refusal comes before any connection is tried.
for p in '\\FILESRV01\share\x.txt' 'SMS\x.txt' 'E:\SMS\..\x' 'E:/SMS/x'; do
	out=$("$PROBE" --port 1 --key "$SSHD_KEY" --known-hosts "$SSHD_KNOWN_HOSTS" sftp-stat "$p")
	echo "$out" | grep -q "^error: SMS009PRI: sftp stat .*: \(not a drive path\|empty\)"
	ok $? "$p is refused before sending: $out"
done

# A deadline in the middle of a read (a sparse file: no disk used).
truncate -s 900M "$E/big.bin"
t0=$(date +%s%N)
out=$(probe --deadline-ms 1000 sftp-read 'E:\big.bin' 0 -); is $? 1 "a 1 s deadline on a 900 MB read: fails"
echo "$out" | grep -q "SMS009PRI: no answer in time during sftp read E:\\\\big.bin"; ok $? "  says so: $out"
# Reading it all would take 9 s or more at loopback speed: well under 5 s
# is the deadline at work (a sanitizer build or a loaded machine adds seconds).
t=$(( ($(date +%s%N) - t0) / 1000000 )); [ "$t" -lt 5000 ]; ok $? "  soon after the deadline ($t ms)"

# A connection dropped in the middle of a read: the session's sshd
# processes (this probe's only) are killed by pid once it is reading.
"$PROBE" --port "$SSHD_SFTP_PORT" --key "$SSHD_KEY" --known-hosts "$SSHD_KNOWN_HOSTS" \
	--deadline-ms 60000 sftp-read 'E:\big.bin' 0 - >"$SCRATCH/drop.out" &
ppid=$!
# Mid-read: once the session is logged in ("sshd: USER@..."; the read, 9 s
# or more, follows at once).  A fixed second was, on a loaded machine,
# sometimes still the log-in.
sshd_wait_session '^sshd: [^ ]*@' || echo "# the session did not log in within 15 s"
sleep 0.3
kids=$(sshd_descendants "$SSHD_PID")
[ -n "$kids" ]; ok $? "the reading session has sshd processes ($(echo $kids))"
t0=$(date +%s%N)
kill -9 $kids 2>/dev/null
wait "$ppid"; is $? 1 "a read whose connection is killed fails"
t=$(( ($(date +%s%N) - t0) / 1000000 ))
out=$(cat "$SCRATCH/drop.out")
echo "$out" | grep -q '^error: SMS009PRI: .*E:\\big.bin'; ok $? "  naming the server and file: $out"
[ "$t" -lt 5000 ]; ok $? "  soon after the kill ($t ms), not at the 60 s deadline"
rm -f "$E/big.bin"

# A call that times out (the session's sshd stopped) leaves the engine
# able to answer the next one on the same session once sshd goes on.
seq=$SCRATCH/seq; mkdir "$seq"
probe --deadline-ms 1500 sftp-seq 'E:\SMSPKG' "$seq" >"$SCRATCH/seq.out" &
ppid=$!
for i in $(seq 100); do [ -e "$seq/1" ] && break; sleep 0.1; done
kids=$(sshd_descendants "$SSHD_PID")
kill -STOP $kids; touch "$seq/go1"
for i in $(seq 100); do [ -e "$seq/2" ] && break; sleep 0.1; done
kill -CONT $kids; touch "$seq/go2"
wait "$ppid"; is $? 0 "stat, a stat timed out, stat again on one engine"
sed -n 1p "$SCRATCH/seq.out" | grep -q '^ok exists=1 dir=1'; ok $? "  the first answers"
sed -n 2p "$SCRATCH/seq.out" | grep -q '^error: SMS009PRI: no answer in time'
ok $? "  the second times out: $(sed -n 2p "$SCRATCH/seq.out")"
sed -n 3p "$SCRATCH/seq.out" | grep -q '^ok exists=1 dir=1'
ok $? "  the third answers again: $(sed -n 3p "$SCRATCH/seq.out")"

# A command and SFTP on the same session: the main port serves both
# (internal-sftp, not chrooted: Q:\ is not there).
out=$("$PROBE" --port "$SSHD_PORT" --key "$SSHD_KEY" --known-hosts "$SSHD_KNOWN_HOSTS" \
	exec-stat 'Q:\nothing')
echo "$out" | grep -q '^ok rows=[1-9][0-9]* exists=0 connects=1 channels=[1-9]'
ok $? "a status command and an SFTP stat on one connection: $out"

base=$SSHD_BASE
sshd_stop
! grep -q " $base/" /proc/mounts; ok $? "the drive's bind mount is gone after sshd_stop"
[ -e "$log" ]; ok $? "  and the site is intact"

done_testing
