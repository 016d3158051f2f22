#!/usr/bin/env bash
# The SMB benchmark (make bench-smb; not part of make check), two figures
# against the stock client in the same run, on the same loopback smbd:
#
#   read      one 200 MB file read by the SMB engine and written to a local
#             file (tests/fixtures/smbprobe read ... OUTFILE) against
#             `smbclient -c 'get FILE OUTFILE'`;
#             the ratio is our speed over smbclient's (>= 0.8 wanted);
#   evidence  `dpdoctor diagnose PKGID` for the package with the most DPs
#             of the `wide` simulated site, every DP a [server] on SMB (all
#             names of the one smbd, serving one DP's drive) and the WMI
#             host the simulator in process, against what an administrator
#             scripts today: `xargs -P 16 smbclient -c 'allinfo ...; ls ...'`,
#             one smbclient per DP reading the same files (the DP's PCK,
#             its distmgr.box and pkginfo.box files, its INCOMING listing,
#             the package's share folder; the share ACL is left out, which
#             only helps the baseline).  The ratio is its time over ours
#             (>= 5 wanted).
#
# Needs root (smbd), like the SMB tests.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/fixtures/smbd.sh"
DPDOCTOR=$top_builddir/dpdoctor
PROBE=$top_builddir/tests/fixtures/smbprobe
PAR=16

[ "$(id -u)" -eq 0 ] || { echo "bench-smb: needs root (it runs smbd)" >&2; exit 1; }
SCRATCH=$(mktemp -d /tmp/dpdbench.XXXXXX)
chmod 711 "$SCRATCH"
trap 'smbd_stop; rm -rf "$SCRATCH"' EXIT
export DPDOCTOR_SIM_TIME=2007-01-04T10:00:00Z
site=$SCRATCH/site
"$DPDOCTOR" status --demo="$site" --demo-scenario=wide --all --format csv >"$SCRATCH/all.csv" ||
	[ $? -eq 1 ] || exit 1
pkg=$(tail -n +2 "$SCRATCH/all.csv" | cut -d, -f1 | sort | uniq -c | sort -rn | awk 'NR == 1 { print $2 }')
primary=$(awk -F'\t' '$1 == "I" && $2 == "primary" { p = $3 } $1 == "S" { s[n++] = $2 } END { print s[p] }' "$site/site.db")
dps=$(tail -n +2 "$SCRATCH/all.csv" | awk -F, -v p="$pkg" -v pri="$primary" '$1 == p && $3 != pri { print $3 }')
ndps=$(echo "$dps" | wc -l)
one=$(echo "$dps" | head -n 1)
smbd_start "$site" "$one" || exit 1
port=$(smbd_port "$one")
auth=$SCRATCH/smb.auth
smbd_authfile "$auth" || exit 1
now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }

# ---- read: 200 MB -------------------------------------------------------------
big="$site/servers/$one/E:/SMSPKG/BIG.PCK"
head -c 200000000 /dev/urandom >"$big" && chown --reference="$site/servers/$one/E:/SMSPKG" "$big"
# Both write the file here, as an administrator's copy would: the engine's
# read (its ranges pipelined by libsmbclient) and the file written out.
probe() { "$PROBE" --server "$one=$port" --user "$SMBD_USER" --domain "$SMBD_DOMAIN" \
	--password "$SMBD_PASSWORD" read 'E:\SMSPKG\BIG.PCK' 0 - "$SCRATCH/ours.bin" >/dev/null; }
probe || exit 1            # warm the page cache
t0=$(now)
probe || exit 1
t1=$(now)
smbclient -p "$port" "//127.0.0.1/E\$" -A "$auth" -c "get SMSPKG\\BIG.PCK $SCRATCH/theirs.bin" >/dev/null 2>&1 ||
	exit 1
t2=$(now)
ours_read=$(secs "$t0" "$t1")
base_read=$(secs "$t1" "$t2")
cmp -s "$big" "$SCRATCH/ours.bin" && cmp -s "$big" "$SCRATCH/theirs.bin" ||
	echo "bench-smb: warning: a copy of the 200 MB file differs" >&2
rm -f "$big" "$SCRATCH/ours.bin" "$SCRATCH/theirs.bin"

# ---- evidence: one package on its DPs ---------------------------------------------
{
	printf '[site 009]\nsite_server = %s\nwmi_host = %s\nsim_dir = %s\nmax_parallel = %s\n' \
		"$primary" "$primary" "$site" "$PAR"
	printf '\n[server %s]\ntransport = sim\n' "$primary"
} >"$SCRATCH/sim.ini"
cp "$SCRATCH/sim.ini" "$SCRATCH/site.ini"
for d in $dps; do
	printf '\n[server %s]\ntransport = smb\nhost = 127.0.0.1\nport = %s\nauthfile = %s\n' \
		"$d" "$port" "$auth"
done >>"$SCRATCH/site.ini"
"$DPDOCTOR" diagnose "$pkg" -c "$SCRATCH/sim.ini" --format json >/dev/null 2>&1  # the site brought to now
# CPU seconds: this shell's children (user + system) and the smbd's
# (its connection processes, counted when they end).
# `times` runs in this shell (a $(...) would ask a subshell with no children).
kids() {
	times >"$SCRATCH/times"
	KIDS=$(awk 'NR == 2 { gsub(/[ms]/, " "); print $1 * 60 + $2 + $3 * 60 + $4 }' "$SCRATCH/times")
}
smbpid=$(smbd_pid "$one")
srv() { sleep 0.5; awk '{ printf "%.2f", ($14 + $15 + $16 + $17) / 100 }' "/proc/$smbpid/stat"; }
run() {      # run NAME COMMAND...: wall, client CPU, server CPU into NAME_*
	local k0 s0 t0
	kids; k0=$KIDS; s0=$(srv); t0=$(now)
	"${@:2}"
	printf -v "$1_wall" '%s' "$(secs "$t0" "$(now)")"
	kids
	printf -v "$1_cpu" '%.2f' "$(awk -v a="$k0" -v b="$KIDS" 'BEGIN { print b - a }')"
	printf -v "$1_srv" '%.2f' "$(awk -v a="$s0" -v b="$(srv)" 'BEGIN { print b - a }')"
}
run sim "$DPDOCTOR" diagnose "$pkg" -c "$SCRATCH/sim.ini" --format json >/dev/null
run ours "$DPDOCTOR" diagnose "$pkg" -c "$SCRATCH/site.ini" --format json >"$SCRATCH/ours.out" 2>"$SCRATCH/ours.err"
[ -s "$SCRATCH/ours.err" ] && { echo "bench-smb: dpdoctor said:" >&2; head -5 "$SCRATCH/ours.err" >&2; }
id=$pkg
cmds="allinfo SMSPKG\\$id.PCK; allinfo SMS\\inboxes\\distmgr.box\\$id.PKG; allinfo SMS\\inboxes\\pkginfo.box\\$id.PKG; allinfo SMS\\inboxes\\pkginfo.box\\$id.NAL; ls SMS\\inboxes\\distmgr.box\\INCOMING\\*.PKG; allinfo SMSPKGE\$\\$id"
baseline() { echo "$dps" | xargs -P "$PAR" -I{} smbclient -p "$port" "//127.0.0.1/E\$" -A "$auth" \
	-c "$cmds" >/dev/null 2>&1; }
run base baseline
d() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
smb_wall=$(d "$ours_wall" "$sim_wall") smb_cpu=$(d "$ours_cpu" "$sim_cpu")

echo "read 200 MB over SMB, written to a local file:"
echo "  the SMB engine (smbprobe read):  $ours_read s"
echo "  smbclient get:                   $base_read s"
awk -v a="$ours_read" -v b="$base_read" 'BEGIN { printf "  speed ratio: %.2fx smbclient'"'"'s\n", b / a }'
echo "evidence of package $pkg on $ndps DPs over SMB (one smbd; wall / client CPU / smbd CPU, s):"
echo "  dpdoctor diagnose ($PAR at a time):     $ours_wall / $ours_cpu / $ours_srv"
echo "    of which the simulated WMI host:    $sim_wall / $sim_cpu / $sim_srv"
echo "    so the DPs over SMB:               $smb_wall / $smb_cpu"
echo "  xargs -P $PAR smbclient, one per DP:    $base_wall / $base_cpu / $base_srv"
awk -v a="$ours_wall" -v s="$smb_wall" -v b="$base_wall" -v c="$smb_cpu" -v bc="$base_cpu" \
	'BEGIN { printf "  ratio: %.1fx faster in all, %.1fx for the DPs alone; %.1fx less client CPU\n", b / a, b / s, bc / c }'
