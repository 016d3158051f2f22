#!/usr/bin/env bash
# transport = smb in the configuration, as far as dpdoctor takes it before
# anything connects: the demo site as the WMI host (transport = sim) and one
# of its DPs with a [server] section of its own, transport = smb.
# (a) smb can never be the WMI host: refused with the reason, the line, exit 2.
# (b) an authfile its group or others can read, or a missing, malformed or
#     disagreeing one: refused with the reason before anything connects (a
#     listener on the DP's port counts connections; the askpass is never run).
# (c) a key of ssh only in an smb section: FILE:LINE, exit 2.
# (d) a valid section: the DP gets its own SMB transport (no more "reached by
#     UNC" warning) and every other DP answers as the demo's.
# (d) runs against a real smbd (tests/fixtures/smbd.sh) when it can.
. "$(dirname "$0")/lib.sh"

demo=$SCRATCH/demo
"$DPDOCTOR" status --demo="$demo" --format csv >"$SCRATCH/demo.csv"
is $? 1 "demo site created"
primary=$("$DPDOCTOR" status --demo="$demo" --format json | python3 -c \
	'import json,sys; print(json.load(sys.stdin)["source"].split(":")[1])')
# The package sent to most DPs, and one of its DPs that is not installed
# (so diagnosing it reads the DP's files).
pkg=$(tail -n +2 "$SCRATCH/demo.csv" | cut -d, -f1 | sort | uniq -c | sort -rn | awk 'NR == 1 { print $2 }')
"$DPDOCTOR" diagnose "$pkg" --demo="$demo" --format json >"$SCRATCH/want.jsonl"
dp=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
	d = json.loads(l)
	if d["dp"] != sys.argv[2] and d["state"] != "INSTALLED" and d["finding"] != "not-in-db":
		print(d["dp"]); break' "$SCRATCH/want.jsonl" "$primary")
[ -n "$dp" ]; ok $? "package $pkg goes to $dp, where it is not installed"
summary() { python3 -c 'import json,sys
for l in open(sys.argv[1]):
	d = json.loads(l); print(d["dp"], d["state"], d["finding"], d["error"])' "$1" | sort; }

# A listener on the DP's port: it counts who connects (nothing should).
python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1])
while True:
    c, _ = s.accept(); open(sys.argv[2], "a").write("connection\n"); c.close()
' "$SCRATCH/port" "$SCRATCH/connections" &
listener=$!
trap 'kill "$listener" 2>/dev/null; wait "$listener" 2>/dev/null; cleanup_scratch' EXIT
for _ in $(seq 50); do [ -s "$SCRATCH/port" ] && break; sleep 0.1; done
lport=$(cat "$SCRATCH/port")
[ -n "$lport" ]; ok $? "a listener on 127.0.0.1:$lport stands in for the DP"
: >"$SCRATCH/connections"

# Every question goes to this askpass, which notes the prompt.
cat >"$SCRATCH/askpass" <<'SH'
#!/bin/sh
printf '%s\n' "$1" >>"$ASKPASS_LOG"
echo "typed-Pa55"
SH
chmod 755 "$SCRATCH/askpass"
export DPDOCTOR_ASKPASS=$SCRATCH/askpass ASKPASS_LOG=$SCRATCH/asked
: >"$ASKPASS_LOG"

# ini FILE [KEY=VALUE...]: the demo's primary over sim, $dp over smb.
ini() {
	local f=$1 kv
	shift
	{
		printf '[site 009]\nprovider = %s\nsim_dir = %s\n\n' "$primary" "$demo"
		printf '[server %s]\ntransport = sim\n\n' "$primary"
		printf '[server %s]\ntransport = smb\nhost = 127.0.0.1\nport = %s\n' "$dp" "$lport"
		printf 'connect_timeout = 5\n'
		for kv in "$@"; do printf '%s = %s\n' "${kv%%=*}" "${kv#*=}"; done
	} >"$f"
}
# The line of KEY = in FILE (the last one).
line_of() { grep -n "^$2 = " "$1" | tail -1 | cut -d: -f1; }

# (a) the WMI host over smb.
printf '[site 009]\nprovider = %s\nsim_dir = %s\n\n[server %s]\nhost = 127.0.0.1\ntransport = smb\n' \
	"$primary" "$demo" "$primary" >"$SCRATCH/wmi.ini"
timeout 30 "$DPDOCTOR" status -c "$SCRATCH/wmi.ini" >"$SCRATCH/out" 2>"$SCRATCH/err"
is $? 2 "(a) the WMI host (provider) with transport = smb: exit 2"
is "$(cat "$SCRATCH/err")" "dpdoctor status: $SCRATCH/wmi.ini:7: $primary: transport = smb cannot be the WMI host, the server that runs the site's queries (wmi_host, else provider, else site_server): SMB carries files and runs no queries (WMI, PreloadPkgOnSite); reach $primary over ssh" \
	"  says why, on the transport's line"
[ ! -s "$SCRATCH/out" ]; ok $? "  and prints nothing else"
ini "$SCRATCH/wmi2.ini"
printf 'wmi_host = %s\n' "$dp" | sed -i "2r /dev/stdin" "$SCRATCH/wmi2.ini"
timeout 30 "$DPDOCTOR" diagnose "$pkg" -c "$SCRATCH/wmi2.ini" >/dev/null 2>"$SCRATCH/err"
is $? 2 "  wmi_host naming an smb DP: exit 2"
grep -qF "wmi2.ini:$(line_of "$SCRATCH/wmi2.ini" transport):" "$SCRATCH/err" &&
	grep -qF "$dp: transport = smb cannot be the WMI host" "$SCRATCH/err"
ok $? "  naming the DP and its transport's line: $(head -c 150 "$SCRATCH/err")"

# (b) the authfile, refused before anything connects.
printf 'username = CORP\\dpdoctor\npassword = Pa55w0rd\n' >"$SCRATCH/corp.auth"
chmod 644 "$SCRATCH/corp.auth"
ini "$SCRATCH/open.ini" authfile="$SCRATCH/corp.auth"
timeout 30 "$DPDOCTOR" diagnose "$pkg" -c "$SCRATCH/open.ini" --format json >"$SCRATCH/out" 2>"$SCRATCH/err"
is $? 2 "(b) an authfile others can read: exit 2"
is "$(cat "$SCRATCH/err")" "dpdoctor diagnose: $SCRATCH/open.ini:$(line_of "$SCRATCH/open.ini" authfile): [server $dp] authfile: $SCRATCH/corp.auth: permissions 0644 are too open: others can read the password; chmod 600 $SCRATCH/corp.auth" \
	"  says why and how to fix it, on the authfile's line"
[ ! -s "$SCRATCH/out" ]; ok $? "  nothing diagnosed"
[ ! -s "$SCRATCH/connections" ]; ok $? "  nothing connected to the DP's port"
[ ! -s "$ASKPASS_LOG" ]; ok $? "  nobody was asked for a password"
chmod 640 "$SCRATCH/corp.auth"
timeout 30 "$DPDOCTOR" status -c "$SCRATCH/open.ini" >/dev/null 2>"$SCRATCH/err"
is $? 2 "  group-readable (0640): exit 2"
grep -qF "permissions 0640 are too open: its group can read the password; chmod 600" "$SCRATCH/err"
ok $? "  saying the group can read it"
grep -q "Pa55w0rd" "$SCRATCH/err"; ok $((! $?)) "  the password is in no message"

chmod 600 "$SCRATCH/corp.auth"
ini "$SCRATCH/missing.ini" authfile="$SCRATCH/nope.auth"
timeout 30 "$DPDOCTOR" status -c "$SCRATCH/missing.ini" >/dev/null 2>"$SCRATCH/err"
is $? 2 "  a missing authfile: exit 2"
grep -qF "missing.ini:$(line_of "$SCRATCH/missing.ini" authfile): [server $dp] authfile: $SCRATCH/nope.auth: No such file or directory" "$SCRATCH/err"
ok $? "  FILE:LINE, the authfile and why"
printf 'username = dpdoctor\nPa55w0rd\n' >"$SCRATCH/bad.auth"
chmod 600 "$SCRATCH/bad.auth"
ini "$SCRATCH/bad.ini" authfile="$SCRATCH/bad.auth"
timeout 30 "$DPDOCTOR" status -c "$SCRATCH/bad.ini" >/dev/null 2>"$SCRATCH/err"
is $? 2 "  a malformed authfile: exit 2"
grep -qF "[server $dp] authfile: $SCRATCH/bad.auth:2: expected 'key = value'" "$SCRATCH/err"
ok $? "  with the authfile's line"
grep -q "Pa55w0rd" "$SCRATCH/err"; ok $((! $?)) "  and not the line itself"
ini "$SCRATCH/two.ini" user='OTHER\admin' authfile="$SCRATCH/corp.auth"
timeout 30 "$DPDOCTOR" status -c "$SCRATCH/two.ini" >/dev/null 2>"$SCRATCH/err"
is $? 2 "  an authfile naming another account than the section: exit 2"
grep -qF "$SCRATCH/corp.auth:1: username dpdoctor is not the section's user admin" "$SCRATCH/err"
ok $? "  naming both"
[ ! -s "$SCRATCH/connections" ] && [ ! -s "$ASKPASS_LOG" ]
ok $? "  none of these connected or asked"

# (c) a key of ssh only.
ini "$SCRATCH/identity.ini" 'identity=~/.ssh/id_ed25519'
timeout 30 "$DPDOCTOR" status -c "$SCRATCH/identity.ini" >/dev/null 2>"$SCRATCH/err"
is $? 2 "(c) identity in an smb section: exit 2"
grep -qF "identity.ini:$(line_of "$SCRATCH/identity.ini" identity): 'identity' is a key of transport = ssh only, but [server $dp] has transport = smb" "$SCRATCH/err"
ok $? "  FILE:LINE and why"

# (d) a valid section, against a real smbd serving the DP's drive: the
# DP's files come over its own SMB transport (no more "reached by UNC"
# warning) and every other DP answers as the demo's.
if [ "$(id -u)" -ne 0 ] || ! command -v smbd >/dev/null; then
	ok 0 "# SKIP (d) needs root and samba (./quickstart installs it)"
	done_testing
	exit
fi
. "$top_srcdir/tests/fixtures/smbd.sh"
trap 'kill "$listener" 2>/dev/null; wait "$listener" 2>/dev/null; smbd_stop; cleanup_scratch' EXIT
chmod 711 "$SCRATCH"        # smbd acts as the site owner, below it
smbd_start "$demo" "$dp"; ok $? "(d) an smbd serving $dp's drive"
lport=$(smbd_port "$dp")
smbd_authfile "$SCRATCH/real.auth" "$SMBD_USER" "$SMBD_PASSWORD" "$SMBD_DOMAIN"
# The DP's own answer: its PCK as SMB sees it (no version: only the
# simulator's stand-in reads one) and no unreachable item.
dp_view() { python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
pck = [e for e in d["evidence"] if e["kind"] == "pck-dp"]
bad = [e["error"] for e in d["evidence"] if e["kind"] == "unreachable"]
print(d["findings"][0]["id"], "pck-dp:", len(pck), "version:", pck[0]["version"] if pck else "-", "unreachable:", len(bad), *bad)' "$1"; }
ini "$SCRATCH/good.ini" user="$SMBD_DOMAIN\\$SMBD_USER" authfile="$SCRATCH/real.auth"
timeout 60 "$DPDOCTOR" diagnose "$pkg" -c "$SCRATCH/good.ini" --format json \
	>"$SCRATCH/good.jsonl" 2>"$SCRATCH/err"
is $? 1 "(d) a valid smb section: diagnose runs (exit 1)"
grep -q "reached by UNC\|cannot carry its transport" "$SCRATCH/err"
ok $((! $?)) "  no warning that the DP is reached by UNC"
is "$(summary "$SCRATCH/good.jsonl" | grep -v "^$dp ")" "$(summary "$SCRATCH/want.jsonl" | grep -v "^$dp ")" \
	"  every other DP answers as the demo's"
timeout 60 "$DPDOCTOR" diagnose "$pkg" "$dp" -c "$SCRATCH/good.ini" --format json \
	>"$SCRATCH/good.json" 2>"$SCRATCH/err"
v=$(dp_view "$SCRATCH/good.json")
case $v in *"pck-dp: 1 version: 0 unreachable: 0"*) true;; *) false;; esac
ok $? "  $dp's files came over SMB: $v"
[ ! -s "$ASKPASS_LOG" ]; ok $? "  the password came from the authfile: nobody was asked"

# Without authfile or kerberos the engine asks, once, through askpass.
cat >"$SCRATCH/askpass" <<SH
#!/bin/sh
printf '%s\n' "\$1" >>"\$ASKPASS_LOG"
echo "$SMBD_PASSWORD"
SH
ini "$SCRATCH/ask.ini" user="$SMBD_DOMAIN\\$SMBD_USER"
timeout 60 "$DPDOCTOR" diagnose "$pkg" "$dp" -c "$SCRATCH/ask.ini" --format json \
	>"$SCRATCH/ask.json" 2>"$SCRATCH/err"
is $? 1 "no authfile: diagnose runs (exit 1)"
is "$(wc -l <"$ASKPASS_LOG")" 1 "  \$DPDOCTOR_ASKPASS was asked once"
grep -q "$dp" "$ASKPASS_LOG"; ok $? "  for $dp: $(head -1 "$ASKPASS_LOG")"
v=$(dp_view "$SCRATCH/ask.json")
case $v in *"unreachable: 0"*) true;; *) false;; esac
ok $? "  and the typed password logged on: $v"
: >"$ASKPASS_LOG"
printf '#!/bin/sh\nprintf "%%s\\n" "$1" >>"$ASKPASS_LOG"\necho typed-wrong\n' >"$SCRATCH/askpass"
timeout 60 "$DPDOCTOR" diagnose "$pkg" "$dp" -c "$SCRATCH/ask.ini" --format json \
	>"$SCRATCH/wrong.json" 2>"$SCRATCH/err"
v=$(dp_view "$SCRATCH/wrong.json")
case $v in *LOGON_FAILURE*) true;; *) false;; esac
ok $? "  a wrongly typed password: the logon failure says so: ${v:0:160}"
is "$(wc -l <"$ASKPASS_LOG")" 1 "  asked once, not again and again"
: >"$ASKPASS_LOG"
ini "$SCRATCH/krb.ini" user="$SMBD_DOMAIN\\$SMBD_USER" kerberos=yes
timeout 60 "$DPDOCTOR" diagnose "$pkg" "$dp" -c "$SCRATCH/krb.ini" >/dev/null 2>"$SCRATCH/err"
is $? 1 "kerberos = yes: diagnose runs (exit 1)"
[ ! -s "$ASKPASS_LOG" ]; ok $? "  nobody was asked (there is no ticket here, so the DP cannot be read)"

done_testing
