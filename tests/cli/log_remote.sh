#!/usr/bin/env bash
# `dpdoctor log --server NAME` over SSH: the demo site behind the loopback
# sshd (tests/fixtures/sshd.sh), its primary's distmgr.log mirrored into
# the cache with readfile range reads (backend/sms/logmirror.c).  The entries
# must be those `--demo` prints from the file in place (same frozen clock);
# lines appended to the simulated log then show up on the next run, which
# appends to the same local copy (its inode kept: only the new bytes were
# asked; a restart writes a new file) and asks sshd for them alone.  A
# rollover (distmgr.log renamed to .lo_, a new log begun) restarts the
# copy and brings the .lo_ along.  A server whose SMS folder cannot be
# learned (it cannot be reached) is named with where dpdoctor looked and why.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/fixtures/sshd.sh"
. "$top_srcdir/tests/fixtures/sitecfg.sh"

ssh_site_begin
sshd_start "$demo"; ok $? "sshd starts"
[ -n "${SSHD_PID:-}" ] || { done_testing; exit 1; }
site_ini "$SCRATCH/site.ini" "$primary"
remote_log=$demo/servers/$primary/E:/SMS/Logs/distmgr.log
mirror=$HOME/.cache/dpdoctor/logs/$primary-distmgr.log

"$DPDOCTOR" log --server "$primary" --demo="$demo" >"$SCRATCH/demo.out"; is $? 0 "--demo: exit 0"
timeout 120 "$DPDOCTOR" log --server "$primary" -c "$SCRATCH/site.ini" >"$SCRATCH/ssh.out" \
	2>"$SCRATCH/ssh.err"
is $? 0 "over ssh: exit 0"
[ ! -s "$SCRATCH/ssh.err" ]; ok $? "  nothing on stderr"
[ "$(wc -l <"$SCRATCH/ssh.out")" -gt 50 ]; ok $? "  $(wc -l <"$SCRATCH/ssh.out") entries"
cmp -s "$SCRATCH/demo.out" "$SCRATCH/ssh.out"; ok $? "  the same entries as --demo prints"
cmp -s "$remote_log" "$mirror"; ok $? "  the cache holds a copy of the log"
is "$(stat -c %a "$(dirname "$mirror")")" 700 "  in a private folder"
ino=$(stat -c %i "$mirror")
size=$(stat -c %s "$mirror")

# New lines on the server: the next run shows them, asking only for them.
for i in 1 2 3; do
	printf 'Appended line %d for 009FFFF%d  $$<SMS_DISTRIBUTION_MANAGER><Thu Jan 04 10:00:0%d.000 2007 GMT Standard Time><thread=2136 (0x858)>\r\n' "$i" "$i" "$i"
done >>"$remote_log"
timeout 120 "$DPDOCTOR" log --server "$primary" -c "$SCRATCH/site.ini" >"$SCRATCH/ssh2.out" \
	2>"$SCRATCH/ssh2.err"
is $? 0 "after an append: exit 0"
is "$(tail -3 "$SCRATCH/ssh2.out" | sed 's/.*  //' | tr '\n' '|')" \
	"Appended line 1 for 009FFFF1|Appended line 2 for 009FFFF2|Appended line 3 for 009FFFF3|" \
	"  the three new lines are the last entries"
is "$(( $(wc -l <"$SCRATCH/ssh2.out") - $(wc -l <"$SCRATCH/ssh.out") ))" 3 "  and the only new ones"
is "$(stat -c %i "$mirror")" "$ino" "  the cache's copy was appended to, not rewritten"
cmp -s "$remote_log" "$mirror"; ok $? "  and is the log again"
[ "$(stat -c %s "$mirror")" -gt "$size" ]; ok $? "  grown from $size bytes"
"$DPDOCTOR" log --server "$primary" -c "$SCRATCH/site.ini" --package 009FFFF2 >"$SCRATCH/pkg.out"
is $? 0 "--package over ssh: exit 0"
is "$(wc -l <"$SCRATCH/pkg.out")" 1 "  the one entry naming it"

# SMS's rollover: the log renamed to .lo_, a new one begun.
mv "$remote_log" "${remote_log%.log}.lo_"
printf 'New log begins 009FFFF9  $$<SMS_DISTRIBUTION_MANAGER><Thu Jan 04 10:00:09.000 2007 GMT Standard Time><thread=2136 (0x858)>\r\n' >"$remote_log"
timeout 120 "$DPDOCTOR" log --server "$primary" -c "$SCRATCH/site.ini" >"$SCRATCH/ssh3.out" \
	2>"$SCRATCH/ssh3.err"
is $? 0 "after a rollover: exit 0"
cmp -s "$remote_log" "$mirror"; ok $? "  the copy is the new log"
cmp -s "${remote_log%.log}.lo_" "${mirror%.log}.lo_"; ok $? "  the .lo_ came along"
[ "$(stat -c %i "$mirror")" != "$ino" ]; ok $? "  in a new local file"
is "$(( $(wc -l <"$SCRATCH/ssh3.out") - $(wc -l <"$SCRATCH/ssh2.out") ))" 1 \
	"  every entry of both files, once"
tail -1 "$SCRATCH/ssh3.out" | grep -q 'New log begins 009FFFF9$'; ok $? "  the new log's line last"

# A server without a [server] section is read by its admin share from the
# WMI host, on the drive its layout gives (learned from the WMI host: no
# drive is assumed).  One that is not there has no layout to learn: it is
# named, with the sources asked, why each failed, and the setting that
# would tell it.
timeout 60 "$DPDOCTOR" log --server NOSUCHDP -c "$SCRATCH/site.ini" >/dev/null 2>"$SCRATCH/err"
is $? 2 "an unknown server: exit 2"
grep -q 'distmgr.log of NOSUCHDP.*sms_path.*registry: The RPC server is unavailable' "$SCRATCH/err"
ok $? "  names it, where it looked and why: $(head -c 300 "$SCRATCH/err")"
done_testing
