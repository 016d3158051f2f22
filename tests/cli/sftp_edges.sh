#!/usr/bin/env bash
# Whole-file and range reads over SFTP (backend/transport/ssh/sshsftp.c)
# at the edges of the engine's pipelined reads: libssh2 1.10 asks in
# 30000-byte requests and keeps up to 8 MB of them in flight, the engine
# sizes its reads from the size the open file reports, so a 0-byte file,
# sizes just off a request or a read call, a file larger than the
# read-ahead, and files that grow or shrink while they are read must all
# come back byte-exact (a changing file: exactly what the file held at
# some point, its growth included or not) or fail with a message naming
# the file.  Against the loopback sshd's internal-sftp (tests/fixtures/sshd.sh).
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/fixtures/sshd.sh"
PROBE=$top_builddir/tests/fixtures/sshprobe

sshd_require
trap 'kill_writer; sshd_stop; cleanup_scratch' EXIT
writer=
kill_writer() { [ -z "$writer" ] || { kill "$writer" 2>/dev/null; wait "$writer" 2>/dev/null; writer=; }; }

demo=$SCRATCH/demo
chmod 711 "$SCRATCH"
"$DPDOCTOR" status --demo="$demo" >/dev/null; is $? 1 "demo site created"
sshd_start "$demo"; ok $? "sshd starts"
if [ -z "${SSHD_SFTP_PORT:-}" ]; then
	sshd_stop
	echo "1..0 # SKIP no SFTP chroot (bind mounts not permitted here)"
	exit 0
fi
probe() { "$PROBE" --port "$SSHD_SFTP_PORT" --key "$SSHD_KEY" --known-hosts "$SSHD_KNOWN_HOSTS" "$@"; }
E=$demo/servers/SMS009PRI/E:
mk() { head -c "$2" /dev/urandom >"$E/$1" && chown "$SSHD_USER": "$E/$1"; }

# Sizes around a request (30000), a read call (2 MiB) and the read-ahead
# (8 MiB), and nothing at all.
for size in 0 1 29999 30000 30001 $((2 << 20)) $(((2 << 20) + 7)) $(((8 << 20) + 30001)); do
	mk "f$size.bin" "$size"
	out=$(probe sftp-read "E:\\f$size.bin" 0 - "$SCRATCH/got")
	is "${out%% ms=*}" "ok bytes=$size" "a $size-byte file, whole: $out"
	cmp -s "$E/f$size.bin" "$SCRATCH/got"; ok $? "  byte-exact"
done
# A range that starts inside one request and ends inside another, and
# one running past the end of the file.
f=$E/f$(((8 << 20) + 30001)).bin
out=$(probe sftp-read "E:\\${f##*/}" 12345 5000007 "$SCRATCH/got")
is "${out%% ms=*}" "ok bytes=5000007" "a range across requests: $out"
dd if="$f" bs=1M iflag=skip_bytes,count_bytes skip=12345 count=5000007 2>/dev/null |
	cmp -s - "$SCRATCH/got"; ok $? "  the same bytes as dd"
out=$(probe sftp-read "E:\\${f##*/}" $(((8 << 20) - 3)) $((1 << 20)) "$SCRATCH/got")
is "${out%% ms=*}" "ok bytes=30004" "a range past the end stops at it: $out"
tail -c 30004 "$f" | cmp -s - "$SCRATCH/got"; ok $? "  the file's last bytes"

# A file over the engine's 1 GB limit is refused before its bytes cross
# (a sparse file: no disk used; reading up to the limit took 5 s or more).
truncate -s 1100M "$E/huge.bin"
t0=$(date +%s%N)
out=$(probe sftp-read 'E:\huge.bin' 0 -)
t=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "$out" | grep -q '^error: SMS009PRI: sftp read E:\\huge.bin: 1100 MB, more than 1024 MB; refused'
ok $? "a 1100 MB file is refused: $out"
[ "$t" -lt 3000 ]; ok $? "  at once ($t ms), not after a gigabyte"
rm -f "$E/huge.bin"

# A file that grows while it is read (appended in bursts from another
# process): every byte that comes back is the file's, from its start,
# and at least what it held when the read began; or a clear error.
mk grow.bin $((30 << 20))
( while :; do head -c 70000 /dev/urandom >>"$E/grow.bin"; sleep 0.002; done ) &
writer=$!
out=$(probe sftp-read 'E:\grow.bin' 0 - "$SCRATCH/got")
kill_writer
if [ "${out#ok bytes=}" != "$out" ]; then
	n=$(stat -c %s "$SCRATCH/got")
	[ "$n" -ge $((30 << 20)) ]; ok $? "a growing file: at least its size at the start ($out)"
	head -c "$n" "$E/grow.bin" | cmp -s - "$SCRATCH/got"; ok $? "  and exactly the file's bytes"
else
	echo "$out" | grep -q '^error: SMS009PRI: sftp read E:\\grow.bin: the file changed while it was read'
	ok $? "a growing file: a clear error naming it ($out)"
	ok 0 "  (no bytes to compare)"
fi

# A file cut short while it is read, behind the reader: the server's
# session is stopped once it has read 16 MB of the file (its offset in
# /proc), the file is cut to 1 MB, the session goes on.  The 16 MB already
# read are no longer the file's: exactly what it holds now, or a clear
# error; never bytes it no longer has.
mk shrink.bin $((100 << 20))
"$PROBE" --port "$SSHD_SFTP_PORT" --key "$SSHD_KEY" --known-hosts "$SSHD_KNOWN_HOSTS" \
	sftp-read 'E:\shrink.bin' 0 - "$SCRATCH/got" >"$SCRATCH/shrink.out" &
reader=$!
# server_pos: the offset of the session process that has shrink.bin open.
server_pos() {
	local p fd
	for p in $(sshd_descendants "$SSHD_PID"); do
		for fd in /proc/"$p"/fd/*; do
			case $(readlink "$fd" 2>/dev/null) in
			*/shrink.bin) awk '/^pos:/ { print $2 }' /proc/"$p"/fdinfo/"${fd##*/}"
				echo "$p" >"$SCRATCH/shrink.pid"; return 0 ;;
			esac
		done
	done
	return 1
}
for i in $(seq 3000); do
	pos=$(server_pos) && [ "$pos" -ge $((16 << 20)) ] && break
	sleep 0.005
done
spid=$(cat "$SCRATCH/shrink.pid" 2>/dev/null)
[ -z "$spid" ] || kill -STOP "$spid"
truncate -s $((1 << 20)) "$E/shrink.bin"
[ -z "$spid" ] || kill -CONT "$spid"
[ "${pos:-0}" -ge $((16 << 20)) ]; ok $? "the server stopped mid-read (at $pos of 100 MB)"
wait "$reader"
out=$(cat "$SCRATCH/shrink.out")
if [ "${out#ok bytes=}" != "$out" ]; then
	cmp -s "$E/shrink.bin" "$SCRATCH/got"
	ok $? "a file cut short behind the reader: what it holds now ($out)"
else
	echo "$out" | grep -q '^error: SMS009PRI: sftp read E:\\shrink.bin: the file became shorter while it was read'
	ok $? "a file cut short behind the reader: a clear error naming it ($out)"
fi

sshd_stop
done_testing
