#!/usr/bin/env bash
# Secrets are wiped as soon as libssh2 has used them, not at disconnect:
# a process that logged in with a key passphrase (or a password) and is
# still running (`log --follow`, its session open) holds no copy of it
# anywhere in its memory.  The memory is read through /proc/PID/maps and
# /proc/PID/mem (every readable mapping: heap, thread stacks, libraries'
# data).  The passphrase is one of this test's own (a key added to the
# fixture user's authorized_keys), distinctive enough that any hit is a
# copy of it; the password is the fixture's.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/fixtures/sshd.sh"
. "$top_srcdir/tests/fixtures/sitecfg.sh"

ssh_site_begin
FOLLOW_PID=
follow_stop() { [ -n "$FOLLOW_PID" ] && kill "$FOLLOW_PID" 2>/dev/null; wait "$FOLLOW_PID" 2>/dev/null; FOLLOW_PID=; }
trap 'follow_stop; sshd_stop; cleanup_scratch' EXIT
sshd_start "$demo"; ok $? "sshd starts"
[ -n "${SSHD_PID:-}" ] || { done_testing; exit 1; }

# A key of our own with a passphrase nothing else in the process holds.
PHRASE="wipe-me-$$-Qx7Zv3Lk9Tj"
ssh-keygen -q -t ed25519 -N "$PHRASE" -C dpdsim-wipe -f "$SCRATCH/id_wipe" || exit 1
cat "$SCRATCH/id_wipe.pub" >>"$SSHD_BASE/keys/$SSHD_USER" || exit 1

# An askpass program answering with a secret; records that it was asked.
askpass() { # askpass NAME ANSWER
	local f=$SCRATCH/askpass-$1
	printf '#!/bin/sh\necho "$1" >>%q\nprintf "%%s\\n" %q\n' "$SCRATCH/asked" "$2" >"$f"
	chmod +x "$f"
	echo "$f"
}

# memfind PID NEEDLE: how many copies of NEEDLE the process's readable
# memory holds (-1 when it could not be read).
memfind() {
	python3 - "$1" "$2" <<'EOF'
import re, sys
pid, needle = sys.argv[1], sys.argv[2].encode()
hits = 0
try:
    maps = open(f"/proc/{pid}/maps").read().splitlines()
    mem = open(f"/proc/{pid}/mem", "rb", 0)
except OSError:
    print(-1); sys.exit(0)
for line in maps:
    f = line.split()
    if "r" not in f[1] or (len(f) > 5 and f[5] in ("[vvar]", "[vsyscall]")):
        continue
    lo, hi = (int(x, 16) for x in f[0].split("-"))
    # An --enable-asan build maps terabytes of shadow memory read-write;
    # it holds only shadow bytes, never data, and cannot be read whole.
    if hi - lo > 64 << 30:
        continue
    # In 64 MiB pieces, overlapping by the needle's length, so that a big
    # heap mapping never costs its size at once.
    step, at, tail = 64 << 20, lo, b""
    while at < hi:
        try:
            mem.seek(at)
            data = tail + mem.read(min(step, hi - at))
        except (OSError, OverflowError, ValueError):
            break
        hits += data.count(needle)
        tail = data[-(len(needle) - 1):] if len(needle) > 1 else b""
        at += step
print(hits)
EOF
}

# follow NAME ASKPASS INI: `log --follow` over ssh in the background; waits
# (60 s at most) until its first entries are printed, i.e. it logged in.
follow() {
	local name=$1
	rm -f "$SCRATCH/asked"
	DPDOCTOR_ASKPASS=$2 "$DPDOCTOR" log --server "$primary" --follow -c "$3" \
		>"$SCRATCH/$name.out" 2>"$SCRATCH/$name.err" &
	FOLLOW_PID=$!
	for _ in $(seq 600); do
		[ "$(wc -l <"$SCRATCH/$name.out")" -gt 10 ] && return 0
		kill -0 "$FOLLOW_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# (a) the key passphrase.
site_ini "$SCRATCH/pass.ini" "$primary" identity="$SCRATCH/id_wipe" sftp=no
follow pass "$(askpass pass "$PHRASE")" "$SCRATCH/pass.ini"
ok $? "passphrase log-in: log --follow prints entries"
grep -q Passphrase "$SCRATCH/asked" 2>/dev/null; ok $? "  the passphrase was asked"
sleep 1    # the session settles: whatever would be wiped is wiped by now
kill -0 "$FOLLOW_PID" 2>/dev/null; ok $? "  and it is still running, logged in"
is "$(memfind "$FOLLOW_PID" "$PHRASE")" 0 "  no copy of the passphrase in its memory"
# The check can see: the same process does hold the server's name.
[ "$(memfind "$FOLLOW_PID" "$primary")" -gt 0 ]; ok $? "  (the search finds what is there: $primary)"
follow_stop

# (b) the password.
site_ini "$SCRATCH/pw.ini" "$primary" identity=/nonexistent sftp=no
follow pw "$(askpass pw "$SSHD_PASSWORD")" "$SCRATCH/pw.ini"
ok $? "password log-in: log --follow prints entries"
grep -q password "$SCRATCH/asked" 2>/dev/null; ok $? "  the password was asked"
sleep 1
kill -0 "$FOLLOW_PID" 2>/dev/null; ok $? "  and it is still running, logged in"
is "$(memfind "$FOLLOW_PID" "$SSHD_PASSWORD")" 0 "  no copy of the password in its memory"
follow_stop
done_testing
