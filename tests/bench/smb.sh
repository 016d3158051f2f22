#!/usr/bin/env bash
# The SMB benchmark (make bench-smb; not part of make check), two figures
# against the stock client in the same run, on the same loopback smbd:
#
#   read      one 200 MB file read whole by the SMB engine
#             (tests/fixtures/smbprobe read) against `smbclient -c get`;
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
"$PROBE" --host 127.0.0.1 --port "$port" --server "$one" --authfile "$auth" \
	read 'E:\SMSPKG\BIG.PCK' >/dev/null || exit 1            # warm the page cache
t0=$(now)
"$PROBE" --host 127.0.0.1 --port "$port" --server "$one" --authfile "$auth" \
	read 'E:\SMSPKG\BIG.PCK' >/dev/null || exit 1
t1=$(now)
smbclient -p "$port" "//127.0.0.1/E\$" -A "$auth" -c 'get SMSPKG\BIG.PCK /dev/null' >/dev/null 2>&1 ||
	exit 1
t2=$(now)
ours_read=$(secs "$t0" "$t1")
base_read=$(secs "$t1" "$t2")
rm -f "$big"

# ---- evidence: one package on its DPs ---------------------------------------------
{
	printf '[site 009]\nsite_server = %s\nwmi_host = %s\nsim_dir = %s\nmax_parallel = %s\n' \
		"$primary" "$primary" "$site" "$PAR"
	printf '\n[server %s]\ntransport = sim\n' "$primary"
	for d in $dps; do
		printf '\n[server %s]\ntransport = smb\nhost = 127.0.0.1\nport = %s\nauthfile = %s\n' \
			"$d" "$port" "$auth"
	done
} >"$SCRATCH/site.ini"
"$DPDOCTOR" diagnose "$pkg" -c "$SCRATCH/site.ini" --format json >/dev/null 2>&1  # the site brought to now
t3=$(now)
"$DPDOCTOR" diagnose "$pkg" -c "$SCRATCH/site.ini" --format json >"$SCRATCH/ours.out" 2>"$SCRATCH/ours.err"
t4=$(now)
[ -s "$SCRATCH/ours.err" ] && { echo "bench-smb: dpdoctor said:" >&2; head -5 "$SCRATCH/ours.err" >&2; }
id=$pkg
cmds="allinfo SMSPKG\\$id.PCK; allinfo SMS\\inboxes\\distmgr.box\\$id.PKG; allinfo SMS\\inboxes\\pkginfo.box\\$id.PKG; allinfo SMS\\inboxes\\pkginfo.box\\$id.NAL; ls SMS\\inboxes\\distmgr.box\\INCOMING\\*.PKG; allinfo SMSPKGE\$\\$id"
t5=$(now)
echo "$dps" | xargs -P "$PAR" -I{} smbclient -p "$port" "//127.0.0.1/E\$" -A "$auth" -c "$cmds" \
	>/dev/null 2>&1
t6=$(now)
ours_ev=$(secs "$t3" "$t4")
base_ev=$(secs "$t5" "$t6")

echo "read 200 MB over SMB:"
echo "  smbprobe (the SMB engine):  $ours_read s"
echo "  smbclient get:              $base_read s"
awk -v a="$ours_read" -v b="$base_read" 'BEGIN { printf "  speed ratio: %.2fx smbclient'"'"'s\n", b / a }'
echo "evidence of package $pkg on $ndps DPs over SMB (one smbd):"
echo "  dpdoctor diagnose ($PAR at a time):   $ours_ev s ($(wc -l <"$SCRATCH/ours.out") lines)"
echo "  xargs -P $PAR smbclient, one per DP:  $base_ev s"
awk -v a="$ours_ev" -v b="$base_ev" 'BEGIN { printf "  ratio: %.1fx faster\n", b / a }'
