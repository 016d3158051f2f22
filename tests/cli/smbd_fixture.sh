#!/usr/bin/env bash
# The real-smbd fixture (tests/fixtures/smbd.sh) with the stock clients
# only: one smbd per simulated server, each serving its own drives as X$
# and its dist share SMSPKGx$ wherever it is (and the file server's D:
# shares); DOS attributes that are
# the mode bits both ways; an SMB1-only server beside SMB2/3 ones and each
# refusing the other's clients; the share folder's NT ACL as the simulator
# has it and as smbd_acl sets it; the log-on and share errors; a killed
# and a frozen server; and nothing left running after smbd_stop.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/fixtures/smbd.sh"

smbd_require
trap 'smbd_stop; cleanup_scratch' EXIT
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

demo=$SCRATCH/demo
chmod 711 "$SCRATCH"     # smbd acts as the site's owner below it
"$DPDOCTOR" status --demo="$demo" >/dev/null; is $? 1 "demo site created"

# Servers: a plain DP whose share permissions the simulator has root-only,
# two child site servers (SMS installed: PCKs in SMSPKG) that have them
# inherited (one of them SMB1-only), and the file server.  Which drive
# holds what is the simulator's choice: it is read from the site's folders.
srv_flags() { awk -F'\t' -v t="$1" '$1 == "S" && $4 == t { print $2, $6 }' "$demo/site.db"; }
rootonly=$(srv_flags 2 | awk '$2 % 2 == 1 { print $1; exit }')
read -r inherit nt1 <<<"$(srv_flags 6 | awk '$2 % 2 == 0 { print $1 }' | head -n 2 | tr '\n' ' ')"
[ -n "$rootonly" ] && [ -n "$inherit" ] && [ -n "$nt1" ]
ok $? "DPs: $rootonly (plain, share root-only), $inherit and $nt1 (site servers, inherited)"
# drive_of NAME GLOB: the letter of the drive whose root holds GLOB.
drive_of() {
	local d
	for d in "$demo/servers/$1"/?:/$2; do
		[ -d "$d" ] && { d=${d%/*}; echo "${d: -2:1}"; return 0; }
	done
	return 1
}
rd=$(drive_of "$rootonly" 'SMSPKG?$') rshare=SMSPKG$(drive_of "$rootonly" 'SMSPKG?$')\$
id=$(drive_of "$inherit" SMS) ishare=SMSPKG$(drive_of "$inherit" 'SMSPKG?$')\$
nd=$(drive_of "$nt1" SMS) nshare=SMSPKG$(drive_of "$nt1" 'SMSPKG?$')\$
[ -n "$rd" ] && [ -n "$id" ] && [ -n "$nd" ] && [ ${#rshare} -eq 8 ] && [ ${#ishare} -eq 8 ] && [ ${#nshare} -eq 8 ]
ok $? "  $rootonly: $rshare on $rd:; $inherit: SMS on $id:, $ishare; $nt1: SMS on $nd:, $nshare"

t0=$(date +%s%N)
smbd_start "$demo" "$rootonly" "$inherit" FILESRV01; ok $? "smbd_start: three servers ($(ms "$t0") ms)"
[ -n "$(smbd_port "$inherit" 2>/dev/null)" ] || { done_testing; exit 1; }
base=$SMBD_BASE
case $base in /srv/dpdsmbd.*) true;; *) false;; esac; ok $? "  under $base"
p1=$(smbd_port "$rootonly") p2=$(smbd_port "$inherit")
[ "$p1" != "$p2" ] && [ "$p1" -ge 20000 ] && [ "$p2" -ge 20000 ]; ok $? "  ports of their own: $p1, $p2"
smbd_alive "$(smbd_pid "$inherit")"; ok $? "  smbd_pid names a live smbd"
[ -f "$(smbd_conf "$inherit")" ]; ok $? "  smbd_conf names its smb.conf"
is "$(stat -c %U "$demo")" "$SMBD_USER" "  the site belongs to $SMBD_USER"

cred="$SMBD_DOMAIN/$SMBD_USER%$SMBD_PASSWORD"
smb() { local n=$1 s=$2; shift 2; smbclient -p "$(smbd_port "$n")" "//127.0.0.1/$s" -U "$cred" "$@"; }
nt_status() { grep -o 'NT_STATUS_[A-Z_]*' | head -n 1; }

# Each smbd serves its own server's tree.
for n in "$rootonly" "$inherit"; do
	for f in "$demo/servers/$n"/?:; do
		echo "I am $n" >"$f/whoami.txt"
		chown "$SMBD_USER:" "$f/whoami.txt"
	done
done
is "$(smb "$rootonly" "$rd\$" -c 'get whoami.txt -' 2>/dev/null)" "I am $rootonly" "$rd\$ on port $p1 is $rootonly's drive"
is "$(smb "$inherit" "$id\$" -c 'get whoami.txt -' 2>/dev/null)" "I am $inherit" "$id\$ on port $p2 is $inherit's drive"
e=$demo/servers/$inherit/$id:
want=$(ls "$e/SMSPKG" | grep -c '\.PCK$')
got=$(smb "$inherit" "$id\$" -c 'ls SMSPKG\*.PCK' 2>/dev/null | grep -c '\.PCK ')
is "$got" "$want" "  SMSPKG lists the $want PCKs on disk"
idist=$demo/servers/$inherit/${ishare:6:1}:/$ishare
want=$(ls "$idist" | sort | tr '\n' ' ')
got=$(smb "$inherit" "$ishare" -c 'ls' 2>/dev/null | awk '$2 ~ /^D/ && $1 !~ /^\.\.?$/ { print $1 }' | sort | tr '\n' ' ')
[ -n "$want" ]; ok $? "  $ishare on disk holds package folders"
is "$got" "$want" "  $ishare is ${ishare:6:1}:\\$ishare"
f=$demo/servers/FILESRV01/D:
is "$(smb FILESRV01 Packages -c ls 2>/dev/null | awk '$2 ~ /^D/ && $1 !~ /^\.\.?$/ { print $1 }' | sort | tr '\n' ' ')" \
	"$(ls "$f/Packages" | sort | tr '\n' ' ')" "FILESRV01: its D:\\Packages is the share Packages"
smb FILESRV01 'D$' -c 'ls Packages' >/dev/null 2>&1; ok $? "  and D\$ is its D: drive"

# DOS attributes are the mode bits, both ways.
pck=$(ls "$e/SMSPKG" | grep '\.PCK$' | head -n 1)
before=$(md5sum <"$e/SMSPKG/$pck")
smb "$inherit" "$id\$" -c "setmode SMSPKG\\$pck +r" >/dev/null 2>&1; ok $? "setmode $pck +r over SMB"
is "$(stat -c %A "$e/SMSPKG/$pck" | cut -c3)" - "  the owner-write bit is clear on disk"
is "$(smb "$inherit" "$id\$" -c "allinfo SMSPKG\\$pck" 2>/dev/null | awk '/^attributes:/ { print $2 }')" RA \
	"  allinfo says RA (the simulator writes files with archive set, as Windows does)"
echo overwrite >"$SCRATCH/new.bin"
out=$(smb "$inherit" "$id\$" -c "put $SCRATCH/new.bin SMSPKG\\$pck" 2>&1)
is "$(echo "$out" | nt_status)" NT_STATUS_ACCESS_DENIED "  a write over SMB is refused"
is "$(md5sum <"$e/SMSPKG/$pck")" "$before" "  and the file is unchanged"
setpriv --reuid="$SMBD_USER" --regid="$(id -g "$SMBD_USER")" --clear-groups -- \
	sh -c 'echo x >>"$1"' - "$e/SMSPKG/$pck" 2>/dev/null
[ $? -ne 0 ]; ok $? "  $SMBD_USER (as SFTP would) cannot write it either"
smb "$inherit" "$id\$" -c "setmode SMSPKG\\$pck -r" >/dev/null 2>&1
is "$(stat -c %A "$e/SMSPKG/$pck" | cut -c3)" w "setmode -r gives the owner-write bit back"
# Known difference from Windows: smbd checks a delete against stored DOS
# attributes only (Samba bug 11992), so a read-only file is deleted here
# where Windows says NT_STATUS_CANNOT_DELETE.  Tests must not rely on it.
echo x >"$e/ro.txt"; chown "$SMBD_USER:" "$e/ro.txt"; chmod 444 "$e/ro.txt"
smb "$inherit" "$id\$" -c 'del ro.txt' >/dev/null 2>&1
[ ! -e "$e/ro.txt" ]; ok $? "a read-only file can be deleted over SMB here (unlike Windows)"
echo log >"$e/attr.txt"; chown "$SMBD_USER:" "$e/attr.txt"; chmod 644 "$e/attr.txt"
is "$(smb "$inherit" "$id\$" -c 'allinfo attr.txt' 2>/dev/null | awk '/^attributes:/ { print $NF }')" "(80)" "a 0644 file is NORMAL over SMB"
chmod u+x "$e/attr.txt"
is "$(smb "$inherit" "$id\$" -c 'allinfo attr.txt' 2>/dev/null | awk '/^attributes:/ { print $2 }')" A "  chmod u+x on disk shows as A"
chmod a-w "$e/attr.txt"
is "$(smb "$inherit" "$id\$" -c 'allinfo attr.txt' 2>/dev/null | awk '/^attributes:/ { print $2 }')" RA "  and chmod a-w as R too"

# The simulator's share permissions, as smbd stores them, read back.
admins() { smbd_cacls "$1" "$2" "${3:-\\}" 2>/dev/null | awk -F'[:/]' '$1 == "ACL" && $2 == "S-1-5-32-544" { print $4 }' | sort -u | tr '\n' ' '; }
is "$(admins "$rootonly" "$rshare")" "0x0 " "$rootonly (root-only in the simulator): Administrators' ACE is not inherited"
is "$(admins "$inherit" "$ishare")" "0x3 " "$inherit: Administrators' ACE is OI|CI"
is "$(admins "$inherit" "${ishare:6:1}\$" "$ishare")" "0x3 " "  the same folder through ${ishare:6:1}\$"
smbd_acl "$inherit" "$ishare" root-only; ok $? "smbd_acl $inherit root-only"
is "$(admins "$inherit" "$ishare")" "0x0 " "  reads back without inheritance"
smbd_acl "$rootonly" "$rshare" inherit; ok $? "smbd_acl $rootonly inherit"
is "$(admins "$rootonly" "$rshare")" "0x3 " "  reads back OI|CI"
smb "$inherit" "$ishare" -c ls >/dev/null 2>&1; ok $? "  a root-only share still lists for the account"
smbd_acl "$inherit" "$ishare" sideways 2>/dev/null; is $? 1 "smbd_acl refuses an unknown kind"

# An SMB1-only server (Windows Server 2003) added to the running ones.
t0=$(date +%s%N)
smbd_start --max-protocol NT1 "$demo" "$nt1"; ok $? "smbd_start --max-protocol NT1 $nt1 ($(ms "$t0") ms)"
is "$SMBD_BASE" "$base" "  beside the others"
smbd_start "$demo" NOSUCHDP01 2>"$SCRATCH/err"; rc=$?
[ "$rc" -ne 0 ] && grep -q 'NOSUCHDP01: no such server' "$SCRATCH/err"; ok $? "smbd_start of an unknown server fails, naming it"
# A DP whose SMS shares are not on E: (an own-site DP: only SMSPKGD$ on D:,
# a second drive F:): every drive and every dist share is served.
own=$demo/servers/OWNDP01
mkdir -p "$own/D:/SMSPKGD\$/00900018" "$own/F:/x" && printf 'pkg\n' >"$own/D:/SMSPKGD\$/00900018/a.txt"
chown -R "$(stat -c %U "$demo/servers")": "$own"
smbd_start "$demo" OWNDP01; ok $? "smbd_start of a server with D: and F: only"
for sh in 'D$' 'F$' 'SMSPKGD$'; do
	smb OWNDP01 "$sh" -c ls >/dev/null 2>&1; ok $? "  it serves $sh"
done
is "$(smb OWNDP01 'SMSPKGD$' -c 'get 00900018\a.txt -' 2>/dev/null | head -1)" pkg "  SMSPKGD\$ is D:\\SMSPKGD\$"
smb OWNDP01 'E$' -c ls >/dev/null 2>&1; is $? 1 "  and no E\$ where there is no E:"
is "$(admins OWNDP01 'SMSPKGD$')" "0x3 " "  its dist share's ACL as the simulator has it (inherited)"
nt1opts=(-m NT1 --option='client min protocol=NT1')
is "$(smb "$nt1" "$nd\$" "${nt1opts[@]}" -c 'get whoami.txt -' 2>&1 | nt_status)" \
	NT_STATUS_OBJECT_NAME_NOT_FOUND "$nt1: an NT1 client gets in (a missing file is NT_STATUS_OBJECT_NAME_NOT_FOUND)"
smb "$nt1" "$nd\$" "${nt1opts[@]}" -c 'ls SMSPKG\*' >/dev/null 2>&1; ok $? "  and lists SMSPKG"
out=$(smb "$nt1" "$nd\$" -c ls 2>&1)
is "$(echo "$out" | nt_status)" NT_STATUS_CONNECTION_DISCONNECTED "  a client whose minimum is SMB2 is refused: $(echo "$out" | head -n 1)"
out=$(smb "$inherit" "$id\$" "${nt1opts[@]}" --option='client max protocol=NT1' -c ls 2>&1)
is "$(echo "$out" | nt_status)" NT_STATUS_INVALID_NETWORK_RESPONSE "an SMB2/3 server refuses an NT1-only client: $(echo "$out" | tail -n 1)"
# smbstatus on each server's own files sees the dialect spoken.
(sleep 1.5) | smb "$nt1" "$nd\$" "${nt1opts[@]}" >/dev/null 2>&1 &
(sleep 1.5) | smb "$inherit" "$id\$" >/dev/null 2>&1 &
sleep 0.8
is "$(smbstatus -s "$(smbd_conf "$nt1")" -b 2>/dev/null | grep -c ' NT1 ')" 1 "  smbstatus: the SMB1 server's session speaks NT1"
smbstatus -s "$(smbd_conf "$inherit")" -b 2>/dev/null | grep -q ' SMB3_11 '; ok $? "  and the other's SMB3_11"
wait
is "$(admins "$nt1" "$nshare")" "0x3 " "  smbd_cacls reaches an SMB1 server"

# Log-on and share errors.
is "$(smbclient -p "$p2" "//127.0.0.1/$id\$" -U "$SMBD_DOMAIN/$SMBD_USER%wrong" -c ls 2>&1 | nt_status)" \
	NT_STATUS_LOGON_FAILURE "wrong password: NT_STATUS_LOGON_FAILURE"
is "$(smbclient -p "$p2" "//127.0.0.1/$id\$" -U "$SMBD_DOMAIN/nobody%$SMBD_PASSWORD" -c ls 2>&1 | nt_status)" \
	NT_STATUS_LOGON_FAILURE "unknown user: NT_STATUS_LOGON_FAILURE"
is "$(smb "$inherit" 'C$' -c ls 2>&1 | nt_status)" NT_STATUS_BAD_NETWORK_NAME "missing share: NT_STATUS_BAD_NETWORK_NAME"
smbd_authfile "$SCRATCH/auth"
is "$(stat -c %a "$SCRATCH/auth")" 600 "smbd_authfile writes mode 600"
smbclient -p "$p2" "//127.0.0.1/$id\$" -A "$SCRATCH/auth" -c 'get whoami.txt -' 2>/dev/null | grep -qx "I am $inherit"
ok $? "  smbclient -A logs on with it"
smbd_authfile "$SCRATCH/bad" "$SMBD_USER" nope
is "$(smbclient -p "$p2" "//127.0.0.1/$id\$" -A "$SCRATCH/bad" -c ls 2>&1 | nt_status)" NT_STATUS_LOGON_FAILURE "  one with a wrong password does not"

# A hung server: TCP accepts, nothing answers; the others carry on.
smbd_freeze "$inherit"
(exec 3<>"/dev/tcp/127.0.0.1/$p2") 2>/dev/null; ok $? "frozen $inherit: TCP still accepts"
# smbclient's -t does not cover the negotiation, which waits 20 s: the
# test gives up first.
timeout 2 smbclient -p "$p2" "//127.0.0.1/$id\$" -U "$cred" -c ls >/dev/null 2>&1
is $? 124 "  a client gets no answer (still waiting after 2 s)"
smb "$rootonly" "$rd\$" -c 'get whoami.txt -' 2>/dev/null | grep -qx "I am $rootonly"; ok $? "  $rootonly still answers"
smbd_thaw "$inherit"
smb "$inherit" "$id\$" -c 'get whoami.txt -' 2>/dev/null | grep -qx "I am $inherit"; ok $? "thawed: $inherit answers again"

# A server killed mid-read: a session reading a large file (held back by
# a slow reader) when smbd dies.
head -c $((64 << 20)) /dev/zero >"$e/big.bin"; chown "$SMBD_USER:" "$e/big.bin"
{ smb "$inherit" "$id\$" -c 'get big.bin -' 2>"$SCRATCH/kill.err"; echo $? >"$SCRATCH/kill.rc"; } |
	{ sleep 1; cat >/dev/null; } &
reader=$!
sleep 0.5
pids=$(smbd_pids "$inherit")
smbd_kill "$inherit"
wait "$reader"
# (smbclient exits 1 on the reset, or dies of SIGPIPE when it writes its
# log-off to the reset socket first.)
rc=$(cat "$SCRATCH/kill.rc")
[ "$rc" -ne 0 ]; ok $? "smbd_kill mid-read: the read fails (exit $rc): $(tr '\n' ' ' <"$SCRATCH/kill.err" | cut -c1-100)"
left=0; for p in $pids; do smbd_alive "$p" && left=1; done
is "$left" 0 "  every process of $inherit is gone ($(echo $pids | wc -w) killed)"
is "$(smb "$inherit" "$id\$" -c ls 2>&1 | nt_status)" NT_STATUS_CONNECTION_REFUSED "  its port refuses: NT_STATUS_CONNECTION_REFUSED"
smb "$rootonly" "$rd\$" -c 'get whoami.txt -' 2>/dev/null | grep -qx "I am $rootonly"; ok $? "  $rootonly still answers"

# Nothing left behind.
smbd_freeze "$rootonly"    # smbd_stop ends frozen servers too
pids=$(for d in "$base"/*/; do smbd_pids "$(basename "$d")"; done)
t0=$(date +%s%N)
smbd_stop
t=$(ms "$t0")
left=0; for p in $pids; do smbd_alive "$p" && left=1; done
is "$left" 0 "smbd_stop: none of the $(echo $pids | wc -w) processes is left ($t ms)"
is "$(pgrep -f -- "$base/" | wc -l)" 0 "  no process names $base"
[ ! -e "$base" ]; ok $? "  $base is removed"
[ -z "${SMBD_BASE:-}" ]; ok $? "  SMBD_BASE is unset"
smbd_stop; ok $? "  a second smbd_stop does nothing"

done_testing
