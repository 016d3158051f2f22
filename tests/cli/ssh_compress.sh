#!/usr/bin/env bash
# SSH compression (compression = yes|no in a [server] section): with yes,
# zlib is negotiated where sshd offers it (OpenSSH's default), as sshd's
# debug log names the method of each direction; with no, none is; a
# server that offers no compression still answers a client that asks for
# it.  Every answer equals the in-process demo's.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/fixtures/sshd.sh"
. "$top_srcdir/tests/fixtures/sitecfg.sh"

sshd_require
export SSHD_LOGLEVEL=DEBUG1   # sshd names the compression method it agreed
trap 'sshd_stop; cleanup_scratch' EXIT
unset SSH_AUTH_SOCK SSH_AGENT_PID
export DPDOCTOR_SIM_TIME=2007-01-04T10:00:00Z

demo=$SCRATCH/demo
chmod 711 "$SCRATCH"
"$DPDOCTOR" status --demo="$demo" --format csv >"$SCRATCH/demo.csv"; is $? 1 "demo site created"
primary=$("$DPDOCTOR" status --demo="$demo" --format json |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["source"].split(":")[1])')

# run NAME COMPRESSION: status over ssh; NAME.csv, NAME.err, $rc, and in
# $comp the methods sshd agreed for the session ("client->server
# server->client", e.g. "zlib@openssh.com zlib@openssh.com").
run() {
	site_ini "$SCRATCH/$1.ini" "$primary" sftp=no compression="$2"
	local mark
	mark=$(wc -l <"$SSHD_BASE/sshd.log")
	timeout 60 "$DPDOCTOR" status -c "$SCRATCH/$1.ini" --format csv \
		>"$SCRATCH/$1.csv" 2>"$SCRATCH/$1.err"; rc=$?
	comp=$(tail -n +"$((mark + 1))" "$SSHD_BASE/sshd.log" |
		sed -n 's/.*kex: \(client->server\|server->client\) .* compression: \([^ ]*\).*/\2/p' |
		head -2 | tr '\n' ' ')
}

sshd_start "$demo"; ok $? "sshd starts (OpenSSH's Compression default)"
[ -n "${SSHD_PID:-}" ] || { done_testing; exit 1; }
run yes yes; is "$rc" 1 "compression = yes: status answers (exit 1: problems found)"
cmp -s "$SCRATCH/demo.csv" "$SCRATCH/yes.csv"; ok $? "  the demo's pairs"
is "$comp" "zlib@openssh.com zlib@openssh.com " "  zlib is agreed both ways"
run no no; is "$rc" 1 "compression = no: status answers"
cmp -s "$SCRATCH/demo.csv" "$SCRATCH/no.csv"; ok $? "  the demo's pairs"
is "$comp" "none none " "  no compression is agreed"
sshd_stop

SSHD_COMPRESSION=no sshd_start "$demo"; ok $? "sshd starts with Compression no"
run none yes; is "$rc" 1 "compression = yes against a server offering none: status answers"
cmp -s "$SCRATCH/demo.csv" "$SCRATCH/none.csv"; ok $? "  the demo's pairs"
is "$comp" "none none " "  uncompressed"
[ "$TAP_FAILED" -gt 0 ] && sed 's/^/#   /' "$SCRATCH"/*.err
done_testing
