#!/usr/bin/env bash
# The SSH sweep benchmark (make bench-ssh; not part of make check): status
# and evidence for one package on every DP of the `wide` simulated site
# (up to 100 DPs) behind a real loopback sshd, two ways in the same run:
#
#   dpdoctor  `dpdoctor diagnose PKGID -c site.ini`: one session to the WMI
#             host, evidence for 16 DPs at a time on parallel channels;
#   routed    the same, with a [server] section for every DP (all names for
#             the one sshd): each DP's file checks over a session of its
#             own, at most 16 hosts open at once;
#   baseline  what an administrator scripts today: the status query once,
#             then `xargs -P 16` over the DPs, each DP's checks one
#             `ssh host powershell ...` after another.  The command lines
#             are exactly the ones dpdoctor sends (tests/bench/sweep_cmds),
#             so both do the same remote work.
#
# Prints both times and the ratio.  Needs root (sshd) like the SSH tests.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/fixtures/sshd.sh"
. "$top_srcdir/tests/fixtures/sitecfg.sh"
DPDOCTOR=$top_builddir/dpdoctor
CMDS=$top_builddir/tests/bench/sweep_cmds
PAR=16

[ "$(id -u)" -eq 0 ] || { echo "bench-ssh: needs root (it runs sshd)" >&2; exit 1; }
SCRATCH=$(mktemp -d /tmp/dpdbench.XXXXXX)
chmod 711 "$SCRATCH"
trap 'sshd_stop; rm -rf "$SCRATCH"' EXIT
export DPDOCTOR_SIM_TIME=2007-01-04T10:00:00Z
site=$SCRATCH/site
"$DPDOCTOR" status --demo="$site" --demo-scenario=wide --all --format csv >"$SCRATCH/all.csv" ||
	[ $? -eq 1 ] || exit 1
pkg=$(tail -n +2 "$SCRATCH/all.csv" | cut -d, -f1 | sort | uniq -c | sort -rn | awk 'NR == 1 { print $2 }')
ndps=$(tail -n +2 "$SCRATCH/all.csv" | awk -F, -v p="$pkg" '$1 == p' | wc -l)
"$CMDS" "$site" "$pkg" >"$SCRATCH/cmds.tsv" || exit 1
sshd_start "$site" || exit 1
site_ini "$SCRATCH/site.ini" SMS009PRI
sed -i "s/^wmi_host = .*/&\nmax_parallel = $PAR/" "$SCRATCH/site.ini"
cp "$SCRATCH/site.ini" "$SCRATCH/route.ini"
for dp in $(tail -n +2 "$SCRATCH/all.csv" | awk -F, -v p="$pkg" '$1 == p && $3 != "SMS009PRI" { print $3 }'); do
	site_ini_server "$dp"
	echo "sftp = no"
done >>"$SCRATCH/route.ini"
now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }

t0=$(now)
"$DPDOCTOR" diagnose "$pkg" -c "$SCRATCH/site.ini" --format json >"$SCRATCH/ours.out"
t1=$(now)
ours_lines=$(wc -l <"$SCRATCH/ours.out")
"$DPDOCTOR" diagnose "$pkg" -c "$SCRATCH/route.ini" --format json >"$SCRATCH/routed.out"
t1r=$(now)
findings() { python3 -c 'import json,sys
for l in open(sys.argv[1]): d = json.loads(l); print(d["dp"], d["state"], d["finding"])' "$1" | sort; }
[ "$(findings "$SCRATCH/ours.out")" = "$(findings "$SCRATCH/routed.out")" ] ||
	echo "bench-ssh: warning: the routed sweep's findings differ from the one-session sweep's" >&2

# The baseline: one script per DP, run 16 at a time.
SSH="ssh -F /dev/null -p $SSHD_PORT -i $SSHD_KEY -o UserKnownHostsFile=$SSHD_KNOWN_HOSTS -o BatchMode=yes -o LogLevel=ERROR $SSHD_USER@127.0.0.1"
mkdir -p "$SCRATCH/dp"
while IFS=$'\t' read -r dp form cmd payload; do
	f=$SCRATCH/dp/$dp.sh
	if [ "$form" = direct ]; then
		printf '%s %q >/dev/null\n' "$SSH" "$cmd" >>"$f"
	else
		printf 'printf %%s %q | %s %q >/dev/null\n' "$payload" "$SSH" "$cmd" >>"$f"
	fi
done <"$SCRATCH/cmds.tsv"
t2=$(now)
sh "$SCRATCH/dp/-.sh"
ls "$SCRATCH/dp" | grep -v '^-.sh$' | xargs -P "$PAR" -I{} sh "$SCRATCH/dp/{}"
t3=$(now)
nssh=$(wc -l <"$SCRATCH/cmds.tsv")

ours=$(secs "$t0" "$t1")
routed=$(secs "$t1" "$t1r")
base=$(secs "$t2" "$t3")
echo "package $pkg on $ndps DPs ($ours_lines lines), $nssh commands each way"
echo "dpdoctor diagnose (1 session, $PAR channels):   $ours s"
echo "dpdoctor diagnose (a session per DP, $PAR open):  $routed s"
echo "xargs -P $PAR ssh, one command per check:        $base s"
awk -v a="$ours" -v r="$routed" -v b="$base" \
	'BEGIN { printf "ratio: %.1fx faster (a session per DP: %.1fx)\n", b / a, b / r }'
