#!/usr/bin/env bash
# The wire benchmark (run by make bench; not part of make check): the full
# status reply of the `large` site (5,000 packages x 500 DPs) over the
# loopback sshd, bytes counted at the socket by a relay between dpdoctor
# and sshd (tests/bench/wire_relay.py: every byte the server sends), with
# compression = no and = yes.  The baseline, "today's bytes", is the same
# reply in the old one-row-per-pair form (protocol 1: package ID, NAL path
# and SiteCode on every row, no \= ), computed here from the very reply
# the host wrote in this run (the simulated host run directly on the
# command line dpdoctor sent), so both figures describe one snapshot.
# Needs root (sshd) like the SSH tests.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/fixtures/sshd.sh"
. "$top_srcdir/tests/fixtures/sitecfg.sh"
DPDOCTOR=$top_builddir/dpdoctor

[ "$(id -u)" -eq 0 ] || { echo "wire: needs root (it runs sshd)" >&2; exit 1; }
SCRATCH=$(mktemp -d /tmp/dpdwire.XXXXXX)
chmod 711 "$SCRATCH"
RELAY=
trap '[ -n "$RELAY" ] && kill "$RELAY" 2>/dev/null; sshd_stop; rm -rf "$SCRATCH"' EXIT
export DPDOCTOR_SIM_TIME=2007-01-04T10:00:00Z
site=$SCRATCH/large
"$DPDOCTOR" status --demo="$site" --demo-scenario=large --format nagios >/dev/null
sshd_start "$site" || exit 1

# The relay listens on a port of its own; the host keys are the sshd's.
python3 "$top_srcdir/tests/bench/wire_relay.py" "$SSHD_PORT" "$SCRATCH/relay" &
RELAY=$!
for _ in $(seq 100); do [ -s "$SCRATCH/relay.port" ] && break; sleep 0.05; done
rport=$(cat "$SCRATCH/relay.port")
for k in host_ed25519 host_ecdsa; do
	printf '[127.0.0.1]:%s %s\n' "$rport" "$(cut -d' ' -f1,2 "$SSHD_BASE/$k.pub")"
done >>"$SSHD_KNOWN_HOSTS"

# bytes COMPRESSION: what sshd sent for one `status --all`, at the socket.
bytes() {
	site_ini "$SCRATCH/$1.ini" SMS009PRI sftp=no compression="$1" port="$rport"
	: >"$SCRATCH/relay.count"
	"$DPDOCTOR" status --all -c "$SCRATCH/$1.ini" --format csv >"$SCRATCH/$1.csv"
	for _ in $(seq 100); do [ -s "$SCRATCH/relay.count" ] && break; sleep 0.05; done
	cat "$SCRATCH/relay.count"
}
: >"$SSHD_CMD_LOG"
plain=$(bytes no)
zlib=$(bytes yes)
cmp -s "$SCRATCH/no.csv" "$SCRATCH/yes.csv" || echo "wire: warning: the two answers differ" >&2

# The reply itself, as the host wrote it for the status command line.
cmd=$(awk '/^---- cmdline$/ {getline; print; exit}' "$SSHD_CMD_LOG")
DPDOCTOR_SIM_DIR=$site DPDOCTOR_SIM_HOST=SMS009PRI "$top_builddir/dpdoctor-simhost" -c "$cmd" \
	>"$SCRATCH/reply" 2>/dev/null
python3 - "$SCRATCH/reply" "$plain" "$zlib" <<'PY'
import sys
text = open(sys.argv[1], 'rb').read()
new = len(text)
# The protocol-1 form of the same rows: \= expanded, D rows gone, each
# C row naming its package, NAL path and SiteCode.
out, cols, prev, dps = 0, {}, {}, {}
for line in text.split(b'\r\n'):
    if not line:
        continue
    f = line.split(b'\t')
    if f[0] == b'COLS':
        cols[f[1]] = f[2:]
        prev[f[1]] = []
        if f[1] == b'C':
            out += len(b'COLS\tC\tPackageID\tServerNALPath\tSiteCode\tState\tSourceVersion\tLastCopied\tSummaryDate\r\n')
        elif f[1] != b'D':
            out += len(line) + 2
        continue
    t = f[0]
    if t in cols:
        v = [prev[t][i] if x == b'\\=' else x for i, x in enumerate(f[1:])]
        prev[t] = v
        if t == b'D':
            dps[v[0]] = v[1:]
            continue
        if t == b'C':
            pkg, dp, rest = v[0], v[1], v[2:]
            nal, sc = dps[dp]
            out += len(b'\t'.join([b'C', pkg, nal, sc] + rest)) + 2
            continue
        out += len(b'\t'.join([t] + v)) + 2
        continue
    out += len(line) + 2
plain, zlib = int(sys.argv[2]), int(sys.argv[3])
print("status reply, large (%d rows): today's form %.1f MB, compact %.1f MB (%.0f%%)"
      % (text.count(b'\n'), out / 1e6, new / 1e6, 100.0 * new / out))
print("over ssh, bytes sshd sent at the socket: compression = no %.1f MB (%.0f%% of today's), "
      "= yes %.1f MB (%.1f%% of today's; target <= 20%%)"
      % (plain / 1e6, 100.0 * plain / out, zlib / 1e6, 100.0 * zlib / out))
print("RESULT wire_baseline_bytes=%d wire_plain_bytes=%d wire_zlib_bytes=%d" % (out, plain, zlib))
PY
