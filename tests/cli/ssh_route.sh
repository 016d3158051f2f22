#!/usr/bin/env bash
# Distribution points with a transport of their own (backend/transport/route.c): the
# demo site behind a real loopback sshd, and a configuration where every DP
# of one package has its own [server] section — a dozen names for the same
# sshd, as a many-DP site is tested.  The DPs' file ops then go over their
# own sessions instead of by UNC through the WMI host, and the answers must
# not change: the same state and finding per DP as the in-process demo and
# as the UNC-only configuration.  sshd's log counts the sessions.  A DP
# whose sshd is down is named in its own line and the others still answer;
# a repair on a routed DP ends installed.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/fixtures/sshd.sh"
. "$top_srcdir/tests/fixtures/sitecfg.sh"

ssh_site_begin

# The package sent to most DPs that has, among its DPs, a child site server
# whose PCK never arrived (the pair repaired at the end) and another child
# site server failing for a reason of its own files (the DP taken down: a
# finding the primary's files alone decide, such as pck-stale, would not
# change when it is down).  The primary is the WMI host.
pick() { python3 -c 'import json,sys
rows = [json.loads(l) for l in open(sys.argv[1])]
own = ("pck-not-arrived", "pkg-file-stale", "not-in-db", "share-perms")
srv = [d for d in rows if d["dp"] != sys.argv[2] and d.get("kind") == "child-site-server"]
pair = [d["dp"] for d in srv if d["finding"] == "pck-not-arrived"]
down = [d["dp"] for d in srv if d["finding"] in own and (not pair or d["dp"] != pair[0])]
if pair and down: print(pair[0], down[0])' "$1" "$primary"; }
pkg= pair= down=
for cand in $(tail -n +2 "$SCRATCH/demo.csv" | cut -d, -f1 | sort | uniq -c | sort -rn | awk '{ print $2 }' | head -12); do
	"$DPDOCTOR" diagnose "$cand" --demo="$demo" --format json >"$SCRATCH/demo.jsonl"
	read -r pair down <<<"$(pick "$SCRATCH/demo.jsonl")"
	if [ -n "$pair" ]; then pkg=$cand; break; fi
done
dps=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
	d = json.loads(l)["dp"]
	if d != sys.argv[2]: print(d)' "$SCRATCH/demo.jsonl" "$primary")
ndps=$(echo "$dps" | wc -l)
[ -n "$pkg" ] && [ "$ndps" -ge 3 ]; ok $? "package $pkg goes to $ndps DPs besides the primary, $pair and $down among them"

# Two DPs get an SFTP of their own, chrooted onto their drives.
sftpdps=$(echo "$dps" | tail -n 2 | tr '\n' ' ')
export SSHD_SFTP_DPS=$sftpdps
sshd_start "$demo"; ok $? "sshd starts"
[ -n "${SSHD_PID:-}" ] || { done_testing; exit 1; }
log=$SSHD_BASE/sshd.log

dpargs=()
for d in $dps; do dpargs+=(--dp "$d"); done
site_ini "$SCRATCH/unc.ini" "$primary"
site_ini "$SCRATCH/route.ini" "$primary" "${dpargs[@]}"
grep -c '^\[server ' "$SCRATCH/route.ini" | grep -qx $((ndps + 1))
ok $? "route.ini: a [server] section per DP, all on port $SSHD_PORT"

# What the comparison looks at: each DP's state and finding.
summary() { python3 -c 'import json,sys
for l in open(sys.argv[1]):
	d = json.loads(l); print(d["dp"], d["state"], d["finding"], d["error"])' "$1" | sort; }
# Sessions logged in on sshd's command port (the primary's SFTP has its own).
# A connection that never logs in (sshd_start's readiness probe, whose line a
# loaded machine may write late) is not a session.
logins() {
	awk -v P="${1:-$SSHD_PORT}" '
	/^Connection from .* on .* port [0-9]+ / { if ($9 == P) conn[$5] = 1 }
	/^Accepted [a-z-]+ for / {
		for (i = 1; i < NF; i++)
			if ($i == "port" && ($(i + 1) in conn)) { n++; delete conn[$(i + 1)] }
	}
	END { print n + 0 }' "$log"
}

want=$(summary "$SCRATCH/demo.jsonl")
before=$(logins)
timeout 120 "$DPDOCTOR" diagnose "$pkg" -c "$SCRATCH/unc.ini" --format json \
	>"$SCRATCH/unc.jsonl" 2>"$SCRATCH/unc.err"
is $? 1 "diagnose $pkg, DPs by UNC: exit 1 (problems found)"
is "$(summary "$SCRATCH/unc.jsonl")" "$want" "  the same states and findings as the demo"
is $(( $(logins) - before )) 1 "  one session: the WMI host's"

before=$(logins)
timeout 120 "$DPDOCTOR" diagnose "$pkg" -c "$SCRATCH/route.ini" --format json \
	>"$SCRATCH/route.jsonl" 2>"$SCRATCH/route.err"
is $? 1 "diagnose $pkg, every DP over its own session: exit 1"
is "$(summary "$SCRATCH/route.jsonl")" "$want" "  the same states and findings as the demo"
sessions=$(( $(logins) - before ))
is "$sessions" $((ndps + 1)) "  $((ndps + 1)) sessions: the WMI host's and one per DP"
[ ! -s "$SCRATCH/route.err" ]; ok $? "  nothing on stderr"

# The two DPs with SFTP: their own files (\\DP\E$\...) come over their SFTP.
if [ -n "${SSHD_SFTP_PORT:-}" ] && [ -n "$(sshd_sftp_port ${sftpdps%% *})" ]; then
	sargs=()
	for d in $dps; do
		sargs+=(--dp "$d")
		p=$(sshd_sftp_port "$d")
		[ -n "$p" ] && sargs+=(sftp=yes "sftp_port=$p")
	done
	site_ini "$SCRATCH/sftp.ini" "$primary" "${sargs[@]}"
	on_port() { grep -c "^Connection from .* on 127\.0\.0\.1 port $1\b" "$log"; }
	declare -A b4=()
	for d in $sftpdps; do b4[$d]=$(on_port "$(sshd_sftp_port "$d")"); done
	timeout 120 "$DPDOCTOR" diagnose "$pkg" -c "$SCRATCH/sftp.ini" --format json \
		>"$SCRATCH/sftp.jsonl" 2>"$SCRATCH/sftp.err"
	is $? 1 "diagnose $pkg, $sftpdps with SFTP of their own: exit 1"
	is "$(summary "$SCRATCH/sftp.jsonl")" "$want" "  the same states and findings as the demo"
	for d in $sftpdps; do
		[ "$(on_port "$(sshd_sftp_port "$d")")" -gt "${b4[$d]}" ]
		ok $? "  $d: sessions on its own SFTP port"
		"$DPDOCTOR" diagnose "$pkg" "$d" -c "$SCRATCH/sftp.ini" --format json 2>/dev/null |
			python3 -c 'import json,sys
v = [e["version"] for e in json.load(sys.stdin)["evidence"] if e["kind"] == "pck-dp"]
print(v)' >"$SCRATCH/v-$d"
		is "$(cat "$SCRATCH/v-$d")" "[0]" "  $d's PCK came over SFTP (no version, which only the PowerShell stand-in reads)"
	done
else
	ok 0 "# SKIP no SFTP chroot here (bind mounts not permitted)"
fi

[ -n "$down" ] && [ -n "$pair" ]; ok $? "a DP to take down ($down) and one to repair ($pair)"

# One DP's server down: its line says so, naming it; the others answer.
closed=$(sshd_free_port)
downargs=()
for d in $dps; do
	downargs+=(--dp "$d")
	[ "$d" = "$down" ] && downargs+=("port=$closed")
done
site_ini "$SCRATCH/down.ini" "$primary" "${downargs[@]}"
grep -A4 "^\[server $down\]" "$SCRATCH/down.ini" | grep -qx "port = $closed"; ok $? "down.ini: $down on closed port $closed"
timeout 120 "$DPDOCTOR" diagnose "$pkg" -c "$SCRATCH/down.ini" --format json \
	>"$SCRATCH/down.jsonl" 2>"$SCRATCH/down.err"
rc=$?
[ "$rc" -ne 0 ]; ok $? "  diagnose with $down down: not exit 0 ($rc)"
line=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
	d = json.loads(l)
	if d["dp"] == sys.argv[2]: print(d["finding"], "|", d["caveat"])' "$SCRATCH/down.jsonl" "$down")
case $line in "dp-unreachable | "*"on $down ($down: "*refused*) true;; *) false;; esac
ok $? "  $down: dp-unreachable, naming it and why: ${line:0:150}"
# The DPs of its child site read their PCK, inboxes and log on it: they
# cannot be diagnosed either, and say so naming it.
served=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
	d = json.loads(l)
	if d.get("sms_server") == sys.argv[2] and d["dp"] != sys.argv[2]: print(d["dp"])' \
	"$SCRATCH/demo.jsonl" "$down" | tr '\n' ' ')
for d in $served; do
	f=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
	d = json.loads(l)
	if d["dp"] == sys.argv[2]: print(d["finding"], "|", d["caveat"])' "$SCRATCH/down.jsonl" "$d")
	case $f in "healthy | "*|"dp-unreachable | "*"on $down ($down: "*) true;; *) false;; esac
	ok $? "  $d, served by $down: installed, or dp-unreachable naming $down: ${f:0:120}"
done
skip="^($down${served:+|${served% }})"
skip=${skip// /|}
others=$(summary "$SCRATCH/down.jsonl" | grep -Ev "$skip ")
is "$others" "$(echo "$want" | grep -Ev "$skip ")" "  every other DP answers as before"

# A DP whose transport is not carried yet (local) is still reached by UNC
# from the WMI host, with a warning that names it and its line.  (smb DPs
# have their own transport: tests/cli/smb_config.sh.)
printf '\n[server %s]\ntransport = local\n' "$down" | cat "$SCRATCH/unc.ini" - >"$SCRATCH/smb.ini"
timeout 120 "$DPDOCTOR" diagnose "$pkg" -c "$SCRATCH/smb.ini" --format json \
	>"$SCRATCH/smb.jsonl" 2>"$SCRATCH/smb.err"
is $? 1 "a [server $down] with transport = local: diagnose runs (exit 1)"
grep -q "server $down (line [0-9]*): this version cannot carry its transport yet; it is reached by UNC path from $primary" "$SCRATCH/smb.err"
ok $? "  a warning names the server, its line and how it is reached instead"
is "$(summary "$SCRATCH/smb.jsonl")" "$want" "  and every DP answers as the demo's"
[ "$(summary "$SCRATCH/smb.jsonl")" = "$want" ] ||
	{ grep -E "$down|dp-unreachable" "$SCRATCH/smb.jsonl"; cat "$SCRATCH/smb.err"; } | cut -c1-2000 | sed "s/^/# /"

# A repair on a routed DP, the PCK that never arrived preloaded.  The site's
# clock must run for the DP to report Installed: a second sshd without the
# frozen clock of the comparisons above.
# PreloadPkgOnSite runs on the pair's own session (via=local), so that
# session must be the pair's host: a port of its own that plays it.
sshd_stop
unset DPDOCTOR_SIM_TIME
SSHD_HOST_DPS=$pair sshd_start "$demo"; ok $? "sshd starts again, the site's clock running"
rargs=()
for d in $dps; do
	rargs+=(--dp "$d")
	[ "$d" = "$pair" ] && rargs+=("port=$(sshd_host_port "$pair")")
done
site_ini "$SCRATCH/route.ini" "$primary" "${rargs[@]}"
log=$SSHD_BASE/sshd.log
before=$(logins)
timeout 120 "$DPDOCTOR" repair "$pkg" "$pair" -c "$SCRATCH/route.ini" --yes \
	>"$SCRATCH/repair.out" 2>"$SCRATCH/repair.err"
is $? 0 "repair $pkg $pair over its own session: exit 0 (installed)"
grep -q 'INSTALLED' "$SCRATCH/repair.out"; ok $? "  the cell ends INSTALLED"
grep -q "via local" "$SCRATCH/repair.out"; ok $? "  PreloadPkgOnSite ran on $pair's own session (via local)"
grep -q 'INSTALLED' "$SCRATCH/repair.out" ||
	cat "$SCRATCH/repair.out" "$SCRATCH/repair.err" | tail -25 | cut -c1-300 | sed 's/^/# /'
[ $(( $(logins) - before )) -ge 1 ] && [ "$(logins "$(sshd_host_port "$pair")")" -ge 1 ]
ok $? "  the primary's session and $pair's own"

done_testing
