#!/usr/bin/env bash
# The SMB engine (backend/transport/smb) against real loopback smbds
# (tests/fixtures/smbd.sh), one per simulated server of the demo site:
# every file system call (stat, list, read, write, setattr, unlink, rename,
# copy, acl), a layout through the transport (the share list), the DOS attributes as mode bits on disk, names that need
# escaping in a URL, the dialect refused naming both sides, the log-on
# and share failures, a password asked and asked again, and the faults:
# a server killed mid-read, a frozen one (a second server answers
# meanwhile), a deadline that abandons a call, a closed port; then
# several servers' workers at once, with different dialects and fewer
# connection slots than servers.  Each error must name the server and
# say what failed, in time.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/fixtures/smbd.sh"
PROBE=$top_builddir/tests/fixtures/smbprobe

smbd_require
trap 'smbd_stop; cleanup_scratch' EXIT

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

demo=$SCRATCH/demo
chmod 711 "$SCRATCH"
"$DPDOCTOR" status --demo="$demo" >/dev/null; is $? 1 "demo site created"
chmod 711 "$demo"
# The servers, by the simulator's layout (never assumed to be on E:):
# three child site servers with SMS on one drive X (the main one, S, and
# two more, MS and TS, the last an NT1-only one; stress and "both" ask
# the same paths of several servers), and a plain DP, PS, with its dist
# share only.  site.db's S rows: name, site, type (6 a child site's
# server, 2 a DP).
drive_of() {
	local d
	for d in "$demo/servers/$1"/?:/$2; do
		[ -d "$d" ] && { d=${d%/*}; echo "${d: -2:1}"; return 0; }
	done
	return 1
}
servers() { awk -F'\t' -v t="$1" '$1 == "S" && $4 == t { print $2 }' "$demo/site.db"; }
X=$(for n in $(servers 6); do drive_of "$n" SMS; done | sort | uniq -c | sort -k1,1nr -k2 | awk '$1 >= 3 { print $2; exit }')
read -r S MS TS <<<"$(for n in $(servers 6); do [ "$(drive_of "$n" SMS)" = "$X" ] && echo "$n"; done | head -n 3 | tr '\n' ' ')"
PS=$(servers 2 | head -n 1)
Y=$(drive_of "$S" 'SMSPKG?$') PD=$(drive_of "$PS" 'SMSPKG?$')
[ -n "$X" ] && [ -n "$TS" ] && [ -n "$Y" ] && [ -n "$PD" ]
ok $? "SMS on $X: at $S, $MS and $TS ($S's dist share SMSPKG$Y\$); $PS a plain DP, SMSPKG$PD\$ only"
# w TEXT: TEXT with @S@ the main server's name, @X@ its SMS drive, @Y@
# its dist share's drive: the paths and messages below, for this layout.
w() {
	local t=${1//@S@/$S}
	t=${t//@s@/${S,,}}; t=${t//@M@/$MS}; t=${t//@T@/$TS}; t=${t//@P@/$PS}
	t=${t//@X@/$X}; t=${t//@x@/${X,,}}; t=${t//@D@/$PD}; printf '%s' "${t//@Y@/$Y}"
}
smbd_start "$demo" "$S" "$PS" "$MS"; ok $? "smbd for three DPs starts"
smbd_start --max-protocol NT1 "$demo" "$TS"; ok $? "an NT1-only smbd starts"
[ -n "${SMBD_BASE:-}" ] || { done_testing; exit 1; }
L=$(smbd_port "$S") P=$(smbd_port "$PS") M=$(smbd_port "$MS") T=$(smbd_port "$TS")
E=$demo/servers/$S/$X:
cred=(--user "$SMBD_USER" --domain "$SMBD_DOMAIN" --password "$SMBD_PASSWORD")
# Every argument of a probe goes through w.
wargs() { local a; WARGS=(); for a; do WARGS+=("$(w "$a")"); done; }
probe() { wargs "$@"; "$PROBE" --server "$S=$L" "${cred[@]}" "${WARGS[@]}"; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" | head -1; }

# ---- paths and stat ----------------------------------------------------------------
is "$(probe own "$(w '@x@:\SMS\x')")" "$(w 'own @X@:\SMS\x root @X@:\')" "a drive path is the server's own (admin share ${X}\$)"
is "$(probe own "$(w '\\@s@\SMSPKG@Y@$\x')")" "$(w 'own \\@S@\SMSPKG@Y@$\x root \\@S@\SMSPKG@Y@$\')" \
	"so is one of its shares, its name in any case"
is "$(probe own "$(w '\\@P@\@D@$\x')")" "not own" "another server's path is not"
out=$(probe stat "$(w '@X@:\SMS\Logs\distmgr.log')"); ok $? "stat a file: $out"
is "$(echo "$out" | field size)" "$(stat -c %s "$E/SMS/Logs/distmgr.log")" "  its size"
is "$(echo "$out" | field mtime)" "$(stat -c %Y "$E/SMS/Logs/distmgr.log")" "  its last write time"
is "$(probe stat "$(w '@X@:\SMS\Logs\none.log')" | field exists)" 0 "a missing file is no error: exists=0"
is "$(probe stat "$(w '@X@:\nodir\none.log')" | field exists)" 0 "  nor is a missing folder"
is "$(probe stat "$(w '\\@S@\@X@$')" | field dir)" 1 "the share's root is a folder"

# ---- layout over SMB (the transport): the share list, no registry --------------------
out=$(probe layout "$S"); ok $? "layout of ${S} over SMB answers"
echo "$out" | grep -qxF 'registry|||the registry cannot be read over SMB'
ok $? "  a registry row saying SMB cannot read it"
for sh in "$(w '@X@$')" "$(w 'SMSPKG@Y@$')"; do
	echo "$out" | grep -qxF "share|$sh||"; ok $? "  share $sh, its folder unknown"
done
echo "$out" | grep -qi '^share|IPC\$'; is $? 1 "  no IPC\$"
is "$(echo "$out" | grep -c '^share|')" "$(ls -d "$demo/servers/${S}"/?: "$demo/servers/${S}"/?:/SMSPKG?\$ | wc -l)" \
	"  one row per drive and dist share the fixture serves"
out=$(probe layout "$PS"); is $? 1 "layout of another server over ${S}'s SMB: refused"
echo "$out" | grep -q "SMB reaches only ${S}'s own shares"; ok $? "  saying why: $out"

# ---- list and read -------------------------------------------------------------------
box="$(w '@X@:\SMS\inboxes\colleval.box')"
want=$(ls "$E/SMS/inboxes/colleval.box" | grep -ci '\.clf$')
is "$(probe list "$box" '*.clf' | field n)" "$want" "list with a wildcard in another case ($want entries)"
is "$(probe list "$box" '0090004?.CLF' | tail -1)" "ok n=$(ls "$E/SMS/inboxes/colleval.box" | grep -c '^0090004.\.CLF$')" "  ? matches one character"
out=$(probe read "$(w '@X@:\SMS\Logs\distmgr.log')" 100 50 "$SCRATCH/part"); ok $? "read a range: $out"
cmp -s "$SCRATCH/part" <(tail -c +101 "$E/SMS/Logs/distmgr.log" | head -c 50); ok $? "  the very bytes"
probe read "$(w '@X@:\SMS\Logs\distmgr.log')" 0 - "$SCRATCH/whole" >/dev/null
cmp -s "$SCRATCH/whole" "$E/SMS/Logs/distmgr.log"; ok $? "read a whole file"
odd="a b\$%#é.txt"
printf 'odd name\n' >"$E/SMS/$odd"; chown "$SMBD_USER:" "$E/SMS/$odd"
out=$(probe read "${X}:\\SMS\\$odd" 0 - "$SCRATCH/odd"); ok $? "a name with a space, \$, %, # and é travels escaped: $out"
is "$(cat "$SCRATCH/odd")" "odd name" "  its contents"
probe list "$(w '@X@:\SMS')" 'a b*' | grep -qxF "$odd ro=0 arch=0 size=9"; ok $? "  and it lists under its own name"

# ---- write, attributes -----------------------------------------------------------------
head -c 300000 /dev/urandom >"$SCRATCH/up"
out=$(probe write "$(w '@X@:\SMS\up.bin')" "$SCRATCH/up"); ok $? "write a file: $out"
cmp -s "$SCRATCH/up" "$E/SMS/up.bin"; ok $? "  the bytes on the server's disk"
probe setattr "$(w '@X@:\SMS\up.bin')" set clear >/dev/null
is "$(probe stat "$(w '@X@:\SMS\up.bin')" | sed 's/.*\(ro=[01] arch=[01]\).*/\1/')" "ro=1 arch=0" \
	"set read-only, clear archive: read back over SMB"
m=$(stat -c %a "$E/SMS/up.bin")
[ $((8#$m & 8#300)) -eq 0 ]; ok $? "  and on disk: owner write and x bits clear ($m)"
probe setattr "$(w '@X@:\SMS\up.bin')" keep set >/dev/null
is "$(probe stat "$(w '@X@:\SMS\up.bin')" | sed 's/.*\(ro=[01] arch=[01]\).*/\1/')" "ro=1 arch=1" \
	"set archive, keep read-only"
m=$(stat -c %a "$E/SMS/up.bin")
[ $((8#$m & 8#300)) -eq $((8#100)) ]; ok $? "  on disk: owner x bit set, write bit still clear ($m)"

# ---- unlink, rename ----------------------------------------------------------------------
# Windows (and smbd keeping DOS attributes in an xattr) refuses to delete
# a read-only file with NT_STATUS_CANNOT_DELETE, which libsmbclient gives
# as EINVAL; smbd mapping read-only to the mode bits deletes it.
out=$(probe unlink "$(w '@X@:\SMS\up.bin')")
if [ -e "$E/SMS/up.bin" ]; then
	is "$out" "$(w 'error: @S@: refused deleting \\@S@\@X@$\SMS\up.bin: the file is read-only (NT_STATUS_CANNOT_DELETE) (refused)')" \
		"deleting a read-only file is refused, saying why"
	probe setattr "$(w '@X@:\SMS\up.bin')" clear keep >/dev/null
	out=$(probe unlink "$(w '@X@:\SMS\up.bin')"); ok $? "with read-only cleared it goes: $out"
else
	is "$out" ok "this smbd deletes a read-only file (read-only as a mode bit): reported as done"
	echo "# (the NT_STATUS_CANNOT_DELETE wording is not reached with this smbd)"
fi
[ ! -e "$E/SMS/up.bin" ]; ok $? "  gone from disk"
out=$(probe unlink "$(w '@X@:\SMS\up.bin')")
is "$out" "$(w 'error: @S@: not found deleting \\@S@\@X@$\SMS\up.bin (NT_STATUS_OBJECT_NAME_NOT_FOUND) (refused)')" \
	"deleting it again: not found"
printf one >"$E/SMS/r1.txt"; printf two >"$E/SMS/r2.txt"; chown "$SMBD_USER:" "$E/SMS/r1.txt" "$E/SMS/r2.txt"
out=$(probe rename "$(w '@X@:\SMS\r1.txt')" "$(w '@X@:\SMS\R2.TXT')")
is "$out" "$(w 'error: @S@: already exists renaming \\@S@\@X@$\SMS\r1.txt to \\@S@\@X@$\SMS\R2.TXT (NT_STATUS_OBJECT_NAME_COLLISION) (refused)')" \
	"rename onto an existing file is refused (libsmbclient would replace it)"
is "$(cat "$E/SMS/r1.txt")/$(cat "$E/SMS/r2.txt")" "one/two" "  both files untouched"
out=$(probe rename "$(w '@X@:\SMS\r1.txt')" "$(w '@X@:\SMS\r3.txt')"); ok $? "rename to a new name: $out"
[ -e "$E/SMS/r3.txt" ] && [ ! -e "$E/SMS/r1.txt" ]; ok $? "  on disk"
out=$(probe rename "$(w '@X@:\SMS\r3.txt')" "$(w '@X@:\SMS\R3.txt')"); ok $? "a rename changing only the case: $out"
[ -e "$E/SMS/R3.txt" ]; ok $? "  on disk"

# ---- copy --------------------------------------------------------------------------------
head -c 20000000 /dev/urandom >"$E/SMSPKG/big.pck"; chown "$SMBD_USER:" "$E/SMSPKG/big.pck"
touch -d '2006-12-01 10:00:00' "$E/SMSPKG/big.pck"
out=$(probe copy "$(w '@X@:\SMSPKG\big.pck')" "$(w '@X@:\SMSPKG\copy.pck')"); ok $? "copy on one share: $out"
cmp -s "$E/SMSPKG/big.pck" "$E/SMSPKG/copy.pck"; ok $? "  the same bytes"
through=$(echo "$out" | field through)
[ "${through:-99999999}" -lt 2000000 ]; ok $? "  server-side: $through bytes read from this machine's sockets for 20 MB"
is "$(stat -c %Y "$E/SMSPKG/copy.pck")" "$(stat -c %Y "$E/SMSPKG/big.pck")" "  the last write time kept"
out=$(probe copy "$(w '@X@:\SMSPKG\big.pck')" "$(w '\\@S@\SMSPKG@Y@$\big.pck')"); ok $? "copy to another share of the server: $out"
cmp -s "$E/SMSPKG/big.pck" "$demo/servers/$S/$Y:/SMSPKG$Y\$/big.pck"; ok $? "  the same bytes"
out=$(DPDOCTOR_SMB_NO_SPLICE=1 probe copy "$(w '@X@:\SMSPKG\big.pck')" "$(w '@X@:\SMSPKG\loop.pck')"); ok $? "the copy loop (no splice): $out"
cmp -s "$E/SMSPKG/big.pck" "$E/SMSPKG/loop.pck"; ok $? "  the same bytes"
through=$(echo "$out" | field through)
[ "${through:-0}" -ge 20000000 ]; ok $? "  through this machine ($through bytes read from its sockets)"
out=$(probe copy "$(w '@X@:\SMSPKG\big.pck')" "$(w '@X@:\SMSPKG\BIG.pck')")
is "$out" "$(w 'error: @S@: refused copying \\@S@\@X@$\SMSPKG\big.pck onto itself (refused)')" \
	"a copy onto itself is refused (it would empty the file)"

# ---- the share's permissions ----------------------------------------------------------------
smbd_acl "$S" "$(w 'SMSPKG@Y@$')" root-only; ok $? "fixture: Administrators' ACE on the root only"
out=$(probe acl "$(w '\\@S@\SMSPKG@Y@$')"); ok $? "read the share root's DACL"
echo "$out" | grep -q '^ace S-1-5-32-544 allow flags=0x0 mask=0x001f01ff$'; ok $? "  Administrators by SID, allowed, no OI|CI"
smbd_acl "$S" "$(w 'SMSPKG@Y@$')" inherit; ok $? "fixture: and inherited"
out=$(probe acl "$(w '\\@S@\SMSPKG@Y@$')")
echo "$out" | grep -q '^ace S-1-5-32-544 allow flags=0x3 OI CI mask=0x001f01ff$'; ok $? "  now with OI|CI"

# ---- dialects -------------------------------------------------------------------------------
tprobe() { "$PROBE" --server "${TS}=$T" "${cred[@]}" "$@"; }
out=$(tprobe --protocol NT1 stat "$(w '@X@:\SMS')"); ok $? "an NT1-only server with protocol = NT1: $out"
out=$(tprobe --protocol SMB2 stat "$(w '@X@:\SMS')")
echo "$out" | grep -qF "$(w 'error: @T@: the server offers only NT1 (SMB1), below protocol = SMB2 (failed)')"
ok $? "  with protocol = SMB2 refused, naming both: $out"
out=$(probe --protocol SMB3 stat "$(w '@X@:\SMS')"); ok $? "SMB3 as the lowest dialect on an SMB3 server: $out"

# ---- log-on and share failures -----------------------------------------------------------------
out=$("$PROBE" --server "${S}=$L" --user "$SMBD_USER" --password wrong stat "$(w '@X@:\SMS')")
echo "$out" | grep -qF "error: ${S}: logon failure as $SMBD_USER: unknown user name or bad password (NT_STATUS_LOGON_FAILURE) (failed)"
ok $? "wrong password: $out"
out=$("$PROBE" --server "${S}=$L" --user nosuchuser --password x stat "$(w '@X@:\SMS')")
echo "$out" | grep -qF "logon failure as nosuchuser: unknown user name or bad password (NT_STATUS_LOGON_FAILURE)"
ok $? "unknown user: $out"
out=$(probe stat "$(w '\\@S@\NOSUCH$\x')")
echo "$out" | grep -qF "$(w 'error: @S@: no share NOSUCH$ (NT_STATUS_BAD_NETWORK_NAME) (failed)')"
ok $? "missing share: $out"
cp "$E/SMS/Logs/distmgr.log" "$E/SMS/Logs/secret.log"; chmod 000 "$E/SMS/Logs/secret.log"
out=$(probe read "$(w '@X@:\SMS\Logs\secret.log')" 0 -)
echo "$out" | grep -qF "$(w 'error: @S@: access denied reading \\@S@\@X@$\SMS\Logs\secret.log (NT_STATUS_ACCESS_DENIED) (refused)')"
ok $? "access denied: $out"
out=$("$PROBE" --server "${S}=$L" --user "$SMBD_USER" --domain "$SMBD_DOMAIN" stat "$(w '@X@:\SMS')")
echo "$out" | grep -qF "no password to log on as $SMBD_DOMAIN\\$SMBD_USER"
ok $? "no password and nobody to ask: $out"

# A typed password: a wrong one is forgotten; the calls during the back-off
# fail at once without asking (the rest of one look at the DP), the first
# after it asks again.
mkdir -p "$SCRATCH/ask"
"$PROBE" --server "${S}=$L" --user "$SMBD_USER" --domain "$SMBD_DOMAIN" \
	--ask "wrong,$SMBD_PASSWORD" seq "$SCRATCH/ask" stat "$(w '@X@:\SMS')" >"$SCRATCH/ask.out" 2>"$SCRATCH/ask.err" &
apid=$!
touch "$SCRATCH/ask/go1"
for _ in $(seq 200); do [ -e "$SCRATCH/ask/2" ] && break; sleep 0.05; done
sleep 1.2                    # past the 1 s back-off
touch "$SCRATCH/ask/go2"
wait "$apid"
out=$(cat "$SCRATCH/ask.out")
is "$(echo "$out" | head -1 | grep -c 'logon failure as')" 1 "a wrong typed password fails the call"
echo "$out" | sed -n 2p | grep -q 'logon failure as.*(next attempt in 1 s)'
ok $? "  a call during the back-off fails at once, not asking: $(echo "$out" | sed -n 2p | cut -c1-120)"
is "$(echo "$out" | sed -n 3p | cut -c1-8)" "ok exist" "  the next call after it asks again, and works"
is "$(echo "$out" | tail -1)" "asked=2" "  two questions in all"
grep -qF "Password for $SMBD_DOMAIN\\$SMBD_USER@${S} (SMB):" "$SCRATCH/ask.err"; ok $? "  the prompt names the account and the server"

# ---- faults ----------------------------------------------------------------------------------
t0=$(date +%s%N)
out=$("$PROBE" --server "CLOSED=1" "${cred[@]}" stat "$(w '@X@:\SMS')")
echo "$out" | grep -qF "CLOSED: cannot connect to 127.0.0.1 port 1 (share ${X}\$): connection refused (NT_STATUS_CONNECTION_REFUSED)"
ok $? "nothing on the port: $out"
[ "$(ms "$t0")" -lt 2000 ]; ok $? "  at once ($(ms "$t0") ms)"

# A failed connection backs off (1 s, doubling): a call meanwhile fails
# at once with the last error, whatever its deadline; the first call after
# the back-off tries again.
mkdir -p "$SCRATCH/back"
"$PROBE" --server "CLOSED=1" "${cred[@]}" --deadline-ms 20000,20000,20000 seq "$SCRATCH/back" stat "$(w '@X@:\SMS')" \
	>"$SCRATCH/back.out" &
bpid=$!
touch "$SCRATCH/back/go1"
for _ in $(seq 200); do [ -e "$SCRATCH/back/2" ] && break; sleep 0.05; done
sleep 1.2                    # past the 1 s back-off, counted from before the second call
touch "$SCRATCH/back/go2"
wait "$bpid"
out=$(sed -n 2p "$SCRATCH/back.out")
echo "$out" | grep -q '^ms=[0-9]\{1,2\} error: CLOSED: cannot connect .*connection refused.* (next attempt in 1 s) (failed)$'
ok $? "backing off: a call meanwhile fails at once, though its deadline is 20 s away: $out"
echo "$(sed -n 3p "$SCRATCH/back.out")" | grep -q '^ms=[0-9]* error: CLOSED: cannot connect .*connection refused (NT_STATUS_CONNECTION_REFUSED) (failed)$'
ok $? "  the first call after the back-off tries again: $(sed -n 3p "$SCRATCH/back.out")"

# Killed in the middle of a read: the read is sent while smbd is frozen
# (the connection was checked already, so it goes straight to the read),
# then every smbd process is killed.
printf 'x%.0s' $(seq 4096) >"$demo/servers/${PS}/${PD}:/huge.bin"; chown "$SMBD_USER:" "$demo/servers/${PS}/${PD}:/huge.bin"
mkdir -p "$SCRATCH/kill"
"$PROBE" --server "${PS}=$P" "${cred[@]}" seq "$SCRATCH/kill" --warm read "$PD:\huge.bin" 0 4096 >"$SCRATCH/kill.out" &
kpid=$!
for _ in $(seq 200); do [ -e "$SCRATCH/kill/1" ] && break; sleep 0.05; done
smbd_freeze "$PS"
touch "$SCRATCH/kill/go1"
sleep 1
t0=$(date +%s%N)
smbd_kill "$PS"
for _ in $(seq 200); do [ -e "$SCRATCH/kill/2" ] && break; sleep 0.05; done
t=$(ms "$t0")
touch "$SCRATCH/kill/go2"
wait "$kpid"
out=$(sed -n 2p "$SCRATCH/kill.out")
echo "$out" | grep -qF "$(w 'error: @P@: connection lost reading \\@P@\@D@$\huge.bin (NT_STATUS_')"
ok $? "smbd killed mid-read: $out"
[ "$t" -lt 3000 ]; ok $? "  the error comes at once ($t ms after the kill)"

# Frozen: a clear error within connect_timeout, the other server answers meanwhile.
smbd_freeze "$S"
t0=$(date +%s%N)
out=$("$PROBE" --server "${S}=$L" --server "${MS}=$M" "${cred[@]}" --connect-ms 3000 both "$(w '@X@:\SMS')")
t=$(ms "$t0")
echo "$out" | head -1 | grep -qF "error: ${S}: no answer from 127.0.0.1 port $L within 3 s (NT_STATUS_IO_TIMEOUT) (failed)"
ok $? "a frozen server: $(echo "$out" | head -1)"
[ "$t" -ge 2800 ] && [ "$t" -lt 6000 ]; ok $? "  within its connect timeout ($t ms)"
second=$(echo "$out" | tail -1)
[ "$(echo "$second" | field fails)" = 0 ] && [ "$(echo "$second" | field n)" -ge 10 ] &&
	[ "$(echo "$second" | field max_ms)" -lt 1000 ]
ok $? "  the other server answered meanwhile: $second"

# A deadline shorter than the connection's timeout: the call is
# abandoned at the deadline, and the next one connects afresh once the
# server is back.
mkdir -p "$SCRATCH/dl"
"$PROBE" --server "${MS}=$M" "${cred[@]}" --connect-ms 10000 --deadline-ms 20000,2000,20000 \
	seq "$SCRATCH/dl" stat "$(w '@X@:\SMS')" >"$SCRATCH/dl.out" &
dpid=$!
for _ in $(seq 200); do [ -e "$SCRATCH/dl/1" ] && break; sleep 0.05; done
smbd_freeze "$MS"
touch "$SCRATCH/dl/go1"
for _ in $(seq 200); do [ -e "$SCRATCH/dl/2" ] && break; sleep 0.05; done
smbd_thaw "$MS"
touch "$SCRATCH/dl/go2"
wait "$dpid"
out=$(sed -n 2p "$SCRATCH/dl.out")
echo "$out" | grep -qF "$(w 'error: @M@: no answer in time looking at \\@M@\@X@$\SMS (gave up after 2 s; the connection is made afresh) (failed)')"
ok $? "deadline passed on a frozen server: $out"
t=$(echo "$out" | sed -n 's/^ms=\([0-9]*\).*/\1/p')
[ "${t:-0}" -ge 1900 ] && [ "${t:-99999}" -lt 2600 ]; ok $? "  at the deadline ($t ms)"
is "$(sed -n 3p "$SCRATCH/dl.out" | cut -c1-8)" "ok exist" "  thawed, the next call works"
smbd_thaw "$S"

# ---- several workers at once ------------------------------------------------------------------
paths=("$(w '@X@:\SMS\Logs\distmgr.log')" "$(w '@X@:\SMS\inboxes\colleval.box')")
stress() { "$PROBE" "$@" "${cred[@]}" stress 20 "${paths[@]}"; }
out=$(stress --server "${S}=$L" --server "${MS}=$M" --server "${TS}=$T:NT1")
ok $? "three servers' workers at once, NT1 beside SMB2: $out"
is "$(echo "$out" | field parallel)" 1 "  libsmbclient called from several threads (thread functions installed)"
# A connection made with less than connect_timeout is not kept: with a
# deadline under it every call connects again, so three dialects take
# turns at the gate all the time (with the gate open, 3 runs in 5 had an
# NT1-only server negotiate with another server's SMB2 setting and fail).
out=$("$PROBE" --server "${S}=$L:SMB3" --server "${MS}=$M" --server "${TS}=$T:NT1" \
	"${cred[@]}" --connect-ms 10000 --deadline-ms 5000 stress 10 "${paths[@]}")
ok $? "every call a new connection, SMB3, SMB2 and NT1 at once: $out"
[ "$(echo "$out" | field connects)" = "$(echo "$out" | field calls)" ]; ok $? "  one connection per call"
out=$(stress --server "${S}=$L:SMB3" --server "${MS}=$M" --server "${TS}=$T:NT1" --max-parallel 1)
ok $? "max_parallel 1 with three servers: $out"
is "$(echo "$out" | field max_open)" 1 "  never more than one connected"
out=$(DPDOCTOR_SMB_SERIAL=1 stress --server "${S}=$L" --server "${MS}=$M")
ok $? "DPDOCTOR_SMB_SERIAL=1: one libsmbclient call at a time: $out"
is "$(echo "$out" | field parallel)" 0 "  says so"

done_testing
