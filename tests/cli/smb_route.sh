#!/usr/bin/env bash
# Distribution points over SMB (backend/transport/smb), as an SMS 2003
# estate reaches them: the WMI host (the primary) over a real loopback
# sshd, every DP of the demo over a real loopback smbd of its own serving
# its simulated drive (E$, SMSPKGE$).  The findings of every failing cell
# must be the in-process demo's, and no file op on those DPs may reach the
# WMI host (its simulated host logs every script it receives).  The share
# permission finding comes from the share folder's real NT ACL; an
# NT1-only (Server 2003) DP is reached with protocol = NT1 and refused,
# naming both dialects, with protocol = SMB2; a wrong password, an
# unreadable folder, a killed and a frozen smbd each give their own error
# on their DP while the other DPs answer; and a repair with the DP on SMB
# heals the cell and leaves the PCK read-only, archive clear, over SMB and
# on disk.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/fixtures/sshd.sh"
. "$top_srcdir/tests/fixtures/smbd.sh"
. "$top_srcdir/tests/fixtures/sitecfg.sh"

smbd_require
ssh_site_begin
trap 'smbd_stop; sshd_stop; cleanup_scratch' EXIT

dps=$(awk -F'\t' '$1 == "S" { print $2 }' "$demo/site.db" | grep -vx "$primary")
ndps=$(echo "$dps" | wc -l)
[ "$ndps" -ge 10 ]; ok $? "the demo has $ndps DPs besides the primary"
# The demo's own answers first, in process: the simulator must not write
# files as root once the servers (acting as the site's owner) serve them.
tail -n +2 "$SCRATCH/demo.csv" | cut -d, -f1,3 | tr , ' ' >"$SCRATCH/cells"
cut -d' ' -f1 "$SCRATCH/cells" | sort -u >"$SCRATCH/pkgs"
for p in $(cat "$SCRATCH/pkgs"); do
	"$DPDOCTOR" diagnose "$p" --demo="$demo" --format json
done >"$SCRATCH/demo.jsonl" 2>/dev/null
smbd_start "$demo" $dps; ok $? "one smbd per DP"
sshd_start "$demo"; ok $? "sshd starts (the WMI host)"
[ -n "${SSHD_PID:-}" ] && [ -n "${SMBD_BASE:-}" ] || { done_testing; exit 1; }
export SMB_AUTHFILE=$SCRATCH/smb.auth
smbd_authfile "$SMB_AUTHFILE"; ok $? "an authfile, mode 600"

smbargs=()
for d in $dps; do smbargs+=(--smb "$d"); done
site_ini "$SCRATCH/smb.ini" "$primary" "${smbargs[@]}"
is "$(grep -c '^transport = smb' "$SCRATCH/smb.ini")" "$ndps" "smb.ini: every DP on SMB"

# Each DP's state and finding, sorted: what the comparisons look at.
summary() { python3 -c 'import json,sys
for l in open(sys.argv[1]):
	d = json.loads(l); print(d["package"], d["dp"], d["state"], d["finding"], d["error"])' "$1" | sort; }

# ---- every failing cell: the demo's findings, over SMB ---------------------------
: >"$SSHD_OPS_LOG"
t0=$(date +%s)
for p in $(cat "$SCRATCH/pkgs"); do
	timeout 120 "$DPDOCTOR" diagnose "$p" -c "$SCRATCH/smb.ini" --format json
done >"$SCRATCH/smb.jsonl" 2>"$SCRATCH/smb.err"
want=$(summary "$SCRATCH/demo.jsonl")
got=$(summary "$SCRATCH/smb.jsonl")
is "$(echo "$got" | wc -l)" "$(echo "$want" | wc -l)" \
	"every DP of the $(wc -l <"$SCRATCH/pkgs") packages with a failing cell answered ($(( $(date +%s) - t0 )) s)"
is "$got" "$want" "  the same states and findings as the in-process demo"
[ "$got" = "$want" ] || diff <(echo "$want") <(echo "$got") | head -20 | sed 's/^/# /'
n=0
for d in $dps; do
	c=$(grep -ci "\\\\\\\\$d\\\\" "$SSHD_OPS_LOG")
	n=$((n + c))
	[ "$c" -eq 0 ] || echo "# $d: $c UNC paths in scripts the WMI host received"
done
is "$n" 0 "  no file op on an SMB DP went to the WMI host"
grep -q 'op=status\|DPDOCTOR 1 status' "$SSHD_OPS_LOG"; ok $? "  (the WMI host did run the queries)"
[ ! -s "$SCRATCH/smb.err" ]; ok $? "  nothing on stderr"
head -c 2000 "$SCRATCH/smb.err" | sed 's/^/# /'

# ---- the share permission finding, from the real ACL ------------------------------
cell=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
	d = json.loads(l)
	if d["finding"] == "share-perms": print(d["package"], d["dp"]); break' "$SCRATCH/demo.jsonl")
read -r spkg sdp <<<"$cell"
[ -n "$sdp" ]; ok $? "a cell with the share permission finding: ${cell:-none}"
finding() { timeout 60 "$DPDOCTOR" diagnose "$1" "$2" -c "$SCRATCH/smb.ini" --format json 2>/dev/null |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["findings"][0]["id"])' 2>/dev/null; }
smbd_acl "$sdp" 'SMSPKGE$' inherit; ok $? "$sdp: Administrators' ACE now inherited (OI|CI)"
f=$(finding "$spkg" "$sdp")
[ -n "$f" ] && [ "$f" != share-perms ]; ok $? "  the finding is gone ($f)"
smbd_acl "$sdp" 'SMSPKGE$' root-only; ok $? "$sdp: the ACE on the root only again"
is "$(finding "$spkg" "$sdp")" share-perms "  the finding is back"

# ---- dialects: an NT1-only DP --------------------------------------------------------
old=$(echo "$dps" | tail -n 1)
smbd_stop_one() { smbd_kill "$1"; }
smbd_kill "$old"
smbd_start --max-protocol NT1 "$demo" "$old"; ok $? "$old restarted as an NT1-only server (Windows Server 2003)"
site_ini "$SCRATCH/nt1.ini" "$primary" --smb "$old" protocol=NT1
site_ini "$SCRATCH/nt1x.ini" "$primary" --smb "$old"
opkg=$(awk -v d="$old" '$2 == d { print $1; exit }' "$SCRATCH/cells")
[ -n "$opkg" ] || opkg=$(head -n 1 "$SCRATCH/pkgs")
timeout 60 "$DPDOCTOR" diagnose "$opkg" "$old" -c "$SCRATCH/nt1.ini" --format json \
	>"$SCRATCH/nt1.json" 2>"$SCRATCH/nt1.err"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["findings"][0]["id"] == "dp-unreachable")' \
	"$SCRATCH/nt1.json"
ok $? "protocol = NT1 reaches it: a real finding, not dp-unreachable"
timeout 60 "$DPDOCTOR" diagnose "$opkg" "$old" -c "$SCRATCH/nt1x.ini" --format json \
	>"$SCRATCH/nt1x.json" 2>"$SCRATCH/nt1x.err"
grep -q "NT1" "$SCRATCH/nt1x.json" && grep -q "SMB2" "$SCRATCH/nt1x.json"
ok $? "protocol = SMB2 refuses it, naming both dialects: $(grep -o '"caveat": "[^"]*' "$SCRATCH/nt1x.json" | head -c 200)"

# ---- faults: each its own error on its DP, the others answer -----------------------
fpkg=$(python3 -c 'import json,sys
from collections import Counter
c = Counter(json.loads(l)["package"] for l in open(sys.argv[1]))
print(c.most_common(1)[0][0])' "$SCRATCH/demo.jsonl")
fdps=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
	d = json.loads(l)
	if d["package"] == sys.argv[2] and d["dp"] != sys.argv[3] and d["dp"] != sys.argv[4]: print(d["dp"])' \
	"$SCRATCH/demo.jsonl" "$fpkg" "$primary" "$old")
read -r wrongpw denied killed frozen _ <<<"$(echo $fdps)"
[ -n "$frozen" ]; ok $? "package $fpkg: DPs for a wrong password ($wrongpw), access denied ($denied), a killed ($killed) and a frozen smbd ($frozen)"
smbd_authfile "$SCRATCH/wrong.auth" "$SMBD_USER" 'not the password'
fargs=()
for d in $fdps; do
	fargs+=(--smb "$d")
	[ "$d" = "$wrongpw" ] && fargs+=("authfile=$SCRATCH/wrong.auth")
done
site_ini "$SCRATCH/faults.ini" "$primary" "${fargs[@]}"
chmod 000 "$demo/servers/$denied/E:/SMS"
smbd_kill "$killed"
smbd_freeze "$frozen"
t0=$(date +%s)
timeout 120 "$DPDOCTOR" diagnose "$fpkg" -c "$SCRATCH/faults.ini" --format json \
	>"$SCRATCH/faults.jsonl" 2>"$SCRATCH/faults.err"
took=$(( $(date +%s) - t0 ))
smbd_thaw "$frozen"
chmod 755 "$demo/servers/$denied/E:/SMS"
[ "$took" -le 30 ]; ok $? "  diagnose with four broken DPs ends in ${took} s (connect_timeout 5)"
line() { python3 -c 'import json,sys
for l in open(sys.argv[1]):
	d = json.loads(l)
	if d["dp"] == sys.argv[2]: print(d["finding"], "|", d["caveat"], d["error"])' "$SCRATCH/faults.jsonl" "$1"; }
l=$(line "$wrongpw"); case $l in *LOGON_FAILURE*) true;; *) false;; esac
ok $? "  $wrongpw, wrong password: ${l:0:160}"
l=$(line "$denied"); case $l in *ACCESS_DENIED*|*"access denied"*) true;; *) false;; esac
ok $? "  $denied, folder not readable: ${l:0:160}"
l=$(line "$killed"); case $l in *"$killed"*refused*|*"$killed"*CONNECTION*) true;; *) false;; esac
ok $? "  $killed, smbd killed: ${l:0:160}"
l=$(line "$frozen"); case $l in *"$frozen"*) true;; *) false;; esac
ok $? "  $frozen, smbd frozen: ${l:0:160}"
others=$(summary "$SCRATCH/faults.jsonl" | grep -v -e " $wrongpw " -e " $denied " -e " $killed " -e " $frozen ")
is "$others" "$(echo "$want" | grep "^$fpkg " | grep -v -e " $wrongpw " -e " $denied " -e " $killed " -e " $frozen " -e " $primary " -e " $old ")" \
	"  every other DP answers as the demo's"
smbd_start "$demo" "$killed"; ok $? "$killed's smbd back"

# ---- a repair with the DP on SMB ------------------------------------------------------
# The site's clock must run for the DP to report Installed.
sshd_stop
unset DPDOCTOR_SIM_TIME
sshd_start "$demo"; ok $? "sshd starts again, the site's clock running"
site_ini "$SCRATCH/smb.ini" "$primary" "${smbargs[@]}"
rep() { python3 -c 'import json,sys
for l in open(sys.argv[1]):
	d = json.loads(l)
	if d["plan"] == sys.argv[2] and d["dp"] != sys.argv[3]: print(d["package"], d["dp"]); break' \
	"$SCRATCH/demo.jsonl" "$1" "$old"; }
for plan in preload-pck clear-pkg-then-preload; do
	read -r rpkg rdp <<<"$(rep "$plan")"
	[ -n "$rdp" ] || { ok 1 "a cell for $plan"; continue; }
	timeout 180 "$DPDOCTOR" repair "$rpkg" "$rdp" -c "$SCRATCH/smb.ini" --yes \
		>"$SCRATCH/$plan.out" 2>"$SCRATCH/$plan.err"
	rc=$?
	is $rc 0 "repair $rpkg $rdp ($plan) with the DP on SMB: exit 0"
	[ $rc -eq 0 ] || tail -20 "$SCRATCH/$plan.out" "$SCRATCH/$plan.err" | sed 's/^/# /'
	grep -q INSTALLED "$SCRATCH/$plan.out"; ok $? "  the cell ends INSTALLED"
	pck="$demo/servers/$rdp/E:/SMSPKG/$rpkg.PCK"
	is "$(stat -c %A "$pck" | cut -c3,4)" "--" "  on disk: no owner write (R) and no owner x (A clear)"
	attrs=$(smbclient -p "$(smbd_port "$rdp")" "//127.0.0.1/E\$" -A "$SMB_AUTHFILE" \
		-c "allinfo SMSPKG\\$rpkg.PCK" 2>/dev/null | awk '/^attributes:/ { print $2 }')
	is "$attrs" "R" "  over SMB (smbclient allinfo): R set, A clear"
done
grep -q "over smb" "$SCRATCH/preload-pck.out"; ok $? "  the plan said how the PCK travels, and over SMB"

done_testing
