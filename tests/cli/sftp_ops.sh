#!/usr/bin/env bash
# The file ops over SFTP (backend/transport_ssh.c): with a [server] whose
# sftp_port is the loopback sshd's SFTP port, `dpdoctor diagnose` gathers
# the primary's own files (pathinfo and dirlist of E:\...) over SFTP and
# everything else as PowerShell, and must come to what the in-process demo
# does (same frozen clock): the same state and findings, the same PCK on
# the primary (present, size, time).  SFTP must really have answered: the
# sshd log shows sessions on the SFTP port, and the PCK's version, which
# only the simulator's PowerShell stand-in can read from the file, is
# empty.  With sftp = no the same answers come as PowerShell, and the SFTP
# port is never touched.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/fixtures/sshd.sh"

sshd_require
trap 'sshd_stop; cleanup_scratch' EXIT
unset SSH_AUTH_SOCK SSH_AGENT_PID
export DPDOCTOR_ASKPASS=/bin/false

demo=$SCRATCH/demo
chmod 711 "$SCRATCH"     # dpdsim must reach the site below it
"$DPDOCTOR" status --demo="$demo" --format csv >"$SCRATCH/demo.csv"; is $? 1 "demo site created"
sshd_start "$demo"; ok $? "sshd starts"
if [ -z "${SSHD_SFTP_PORT:-}" ]; then
	sshd_stop
	echo "1..0 # SKIP no SFTP chroot (bind mounts not permitted here)"
	exit 0
fi
primary=$SSHD_SFTP_SERVER
log=$SSHD_BASE/sshd.log

# cfg FILE [KEY=VALUE...]: the site's configuration, with extra [server] keys.
cfg() {
	local f=$1 kv; shift
	{
		printf '[site 009]\nsite_server = %s\nwmi_host = %s\n\n' "$primary" "$primary"
		printf '[server %s]\ntransport = ssh\nhost = 127.0.0.1\nport = %s\nuser = %s\n' \
			"$primary" "$SSHD_PORT" "$SSHD_USER"
		printf 'identity = %s\nknown_hosts = %s\nconnect_timeout = 5\n' "$SSHD_KEY" "$SSHD_KNOWN_HOSTS"
		for kv in "$@"; do printf '%s = %s\n' "${kv%%=*}" "${kv#*=}"; done
	} >"$f"
}
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

done_testing
