#!/usr/bin/env bash
# SFTP read throughput: the engine (sshprobe sftp-read, libssh2) against
# OpenSSH's sftp client, the same 200 MB file, the same loopback sshd, user
# and chroot (tests/fixtures/sshd.sh), in the same run.  Each client runs
# RUNS times (default 3), alternating, so both see the same load; the
# median wall-clock time of each counts, connect and authentication
# included for both.  OpenSSH writes to /dev/null; the engine's read
# lands in memory (sshloop_sftp_read's buffer), as the engine uses it.
# Both pairs are timed: without compression (the engine's `compression =
# no`, sftp's default), and with zlib on both (`compression = yes`, the
# engine's default, against sftp -C): the file is random, like a PCK,
# so zlib only costs there, as much for one client as for the other.
# Not part of make check: make bench-sftp (as root).
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/fixtures/sshd.sh"
PROBE=$top_builddir/tests/fixtures/sshprobe
MB=${BENCH_SFTP_MB:-200}
RUNS=${BENCH_SFTP_RUNS:-3}

if [ "$(id -u)" -ne 0 ] || [ ! -x /usr/sbin/sshd ] || ! command -v sftp >/dev/null; then
	echo "bench-sftp: needs root, openssh-server and openssh-client" >&2
	exit 77
fi
trap 'sshd_stop; cleanup_scratch' EXIT
chmod 711 "$SCRATCH"
"$DPDOCTOR" status --demo="$SCRATCH/demo" >/dev/null
sshd_start "$SCRATCH/demo" || exit 1
[ -n "${SSHD_SFTP_PORT:-}" ] || { echo "bench-sftp: no SFTP chroot (bind mounts not permitted)" >&2; exit 1; }
file=$SCRATCH/demo/servers/$SSHD_SFTP_SERVER/E:/bench.bin
head -c $((MB << 20)) /dev/urandom >"$file" && chown "$SSHD_USER": "$file" || exit 1
bytes=$(stat -c %s "$file")

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
engine() { # MODE: plain or zlib
	local t0 out z=--no-compression
	[ "$1" = zlib ] && z=
	t0=$(now_ms)
	out=$("$PROBE" $z --port "$SSHD_SFTP_PORT" --key "$SSHD_KEY" --known-hosts "$SSHD_KNOWN_HOSTS" \
		--deadline-ms 600000 sftp-read 'E:\bench.bin' 0 -) || { echo "engine: $out" >&2; return 1; }
	[ "$out" = "${out#ok bytes=$bytes }" ] && { echo "engine: short read: $out" >&2; return 1; }
	echo "$(( $(now_ms) - t0 )) ${out##*ms=}"
}
openssh() { # MODE: plain or zlib
	local t0 z=no
	[ "$1" = zlib ] && z=yes
	t0=$(now_ms)
	echo 'get /E:/bench.bin /dev/null' | sftp -F /dev/null -q -o Compression=$z -P "$SSHD_SFTP_PORT" -i "$SSHD_KEY" \
		-o UserKnownHostsFile="$SSHD_KNOWN_HOSTS" -o StrictHostKeyChecking=yes -o BatchMode=yes \
		-b - "$SSHD_USER@127.0.0.1" >/dev/null || { echo "openssh: sftp failed" >&2; return 1; }
	echo "$(( $(now_ms) - t0 ))"
}
mbs() { awk -v b="$bytes" -v ms="$1" 'BEGIN { printf "%.1f", b / 1048576 / (ms / 1000) }'; }

# median of the numbers given, one per argument
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
bps() { awk -v b="$bytes" -v ms="$1" 'BEGIN { printf "%.0f", b / (ms / 1000) }'; }

# pair MODE: RUNS alternated runs of each client; prints the figures.
pair() {
	local mode=$1 i e ein o es=() eins=() os=() me mein mo
	for i in $(seq "$RUNS"); do
		read -r e ein < <(engine "$mode") || return 1
		o=$(openssh "$mode") || return 1
		echo "run $i ($mode): engine ${e} ms (${ein} ms after connecting), openssh sftp ${o} ms"
		es+=("$e") eins+=("$ein") os+=("$o")
	done
	me=$(median "${es[@]}") mein=$(median "${eins[@]}") mo=$(median "${os[@]}")
	echo "$mode: engine (libssh2 $(pkg-config --modversion libssh2 2>/dev/null)): $(bps "$me") bytes/s ($(mbs "$me") MB/s) wall, $(mbs "$mein") MB/s of the read itself"
	echo "$mode: OpenSSH sftp ($(ssh -V 2>&1 | cut -d, -f1)): $(bps "$mo") bytes/s ($(mbs "$mo") MB/s) wall"
	awk -v e="$me" -v o="$mo" -v m="$mode" 'BEGIN { printf "%s: ratio engine/openssh: %.2f (goal >= 0.60)\n", m, o / e }'
}
echo "file: $MB MB ($bytes bytes, random, as a PCK is), loopback, median of $RUNS runs each, alternated"
pair plain || exit 1
pair zlib || exit 1
