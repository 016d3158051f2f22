#!/usr/bin/env bash
# `dpdoctor repair` when the journal's disk is full.  (1) Full before the
# step: the begin entry cannot reserve room for the end entry, so the step is
# refused, saying where and why, and nothing reaches the site (a small tmpfs
# filled to the last block; needs root to mount, skipped otherwise).  (2) The
# end entry fails after the step acted (an LD_PRELOAD shim makes that write
# fail with ENOSPC): the error says the step ran and succeeded, its outcome
# and the summary are printed, exit 2, and the step stays unfinished for
# `history --unfinished` and the next start's warning.  (1b) Where the file
# system cannot reserve (the shim's fallocate fails), a free-space floor.
. "$(dirname "$0")/lib.sh"

pkg=0090000E dp=MADRIDDP01   # the demo's PCK_MISSING pair: step 1 copies the PCK
base=$SCRATCH/base
"$DPDOCTOR" status --demo="$base" --format csv >/dev/null
is $? 1 "demo site created"
tree_hash() {
	(cd "$1" && find . -type f ! -name site.lock -print0 | sort -z | xargs -0 sha256sum) | sha256sum
}

# The ENOSPC shim (tests/fixtures/enospc_shim.c); (1b) and (2) need it.
shim=$SCRATCH/enospc_shim.so
have_shim=0
${CC:-cc} -shared -fPIC -o "$shim" "$top_srcdir/tests/fixtures/enospc_shim.c" -ldl \
    2>"$SCRATCH/cc.err" && have_shim=1
skip() { # skip COUNT WHY
	for _ in $(seq "$1"); do
		TAP_N=$((TAP_N + 1))
		echo "ok $TAP_N # SKIP $2"
	done
}
# A non-ASan shim beside an ASan build: the order check would stop the run.
shim_env() {
	env LD_PRELOAD="$shim" ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 "$@"
}

# --- (1) the disk is full before the step ---------------------------------
mnt=$SCRATCH/full
mkdir -p "$mnt"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=1m dpdtest-full "$mnt" 2>/dev/null; then
	trap 'umount "$mnt" 2>/dev/null; cleanup_scratch' EXIT
	cp -a "$base" "$SCRATCH/s1"
	# A dry run first makes the journal and the pair's lock file, so the
	# full disk meets the journal, not the lock.
	XDG_STATE_HOME=$mnt "$DPDOCTOR" repair $pkg $dp --yes --dry-run --demo="$SCRATCH/s1" \
	    </dev/null >/dev/null 2>&1
	journal=$mnt/dpdoctor/journal.jsonl
	# The dry run's steps left room reserved past the journal's end (the
	# blocks stay the file's); a copy has none, so the next step must ask.
	cp -p "$journal" "$journal.new" && mv "$journal.new" "$journal"
	lines0=$(wc -l <"$journal")
	dd if=/dev/zero of="$mnt/filler" bs=4k status=none 2>/dev/null
	free=$(df -k --output=avail "$mnt" | tail -1 | tr -d ' ')
	is "$free" 0 "(1) the tmpfs holding the journal is full"
	hash0=$(tree_hash "$SCRATCH/s1")
	XDG_STATE_HOME=$mnt timeout 90 "$DPDOCTOR" repair $pkg $dp --yes --demo="$SCRATCH/s1" \
	    </dev/null >"$SCRATCH/1.out" 2>"$SCRATCH/1.err"
	is $? 2 "(1) a full disk before the step: exit 2"
	grep -qF "$journal: the disk holding the journal is full" "$SCRATCH/1.err"
	ok $? "(1) the error names the journal and says its disk is full"
	grep -qF "so the step was not run" "$SCRATCH/1.err"
	ok $? "(1) the error says the step was not run"
	is "$(tree_hash "$SCRATCH/s1")" "$hash0" "(1) nothing reached the site (its files unchanged)"
	is "$(wc -l <"$journal")" "$lines0" "(1) no entry was added to the journal"
	grep -q "disk holding the journal is full" "$SCRATCH/1.err" ||
	    sed 's/^/#   /' "$SCRATCH/1.err" "$SCRATCH/1.out" | tail -20
	# (1b) A file system that cannot reserve (the shim's fallocate says
	# EOPNOTSUPP): under 1 MiB free, the step is refused all the same.
	if [ $have_shim = 1 ]; then
		ENOSPC_SHIM_NO_FALLOCATE=1 XDG_STATE_HOME=$mnt shim_env timeout 90 "$DPDOCTOR" \
		    repair $pkg $dp --yes --demo="$SCRATCH/s1" </dev/null >"$SCRATCH/1b.out" 2>"$SCRATCH/1b.err"
		is $? 2 "(1b) no fallocate, under the free-space floor: exit 2"
		grep -qF "$journal: the disk holding the journal is full (0 KiB free, under the 1024 KiB" \
		    "$SCRATCH/1b.err"
		ok $? "(1b) the error names the journal, the free space and the floor"
		is "$(tree_hash "$SCRATCH/s1")" "$hash0" "(1b) nothing reached the site"
		grep -q "KiB free" "$SCRATCH/1b.err" || sed 's/^/#   /' "$SCRATCH/1b.err" | tail
	else
		skip 3 "(1b) cannot build the ENOSPC shim: $(head -1 "$SCRATCH/cc.err")"
	fi
	rm -f "$mnt/filler"
else
	skip 9 "(1) needs root to mount a small tmpfs"
fi

# --- (2) the end entry fails after the step acted --------------------------
if [ $have_shim = 0 ]; then
	skip 11 "(2) cannot build the ENOSPC shim: $(head -1 "$SCRATCH/cc.err")"
	done_testing
	exit
fi
cp -a "$base" "$SCRATCH/s2"
mkdir -p "$XDG_STATE_HOME/dpdoctor"
journal=$(realpath "$XDG_STATE_HOME/dpdoctor")/journal.jsonl
hash0=$(tree_hash "$SCRATCH/s2")
# Step 1's end entry, and every write to the journal after it, fail.
ENOSPC_SHIM_PATH=$journal ENOSPC_SHIM_MATCH='"phase":"end";"number":1,' shim_env \
    timeout 90 "$DPDOCTOR" repair $pkg $dp --yes --demo="$SCRATCH/s2" \
    </dev/null >"$SCRATCH/2.out" 2>"$SCRATCH/2.err"
is $? 2 "(2) the end entry lost: exit 2, as for a run that could not finish"
grep -qF "step 1 (copy-pck) ran and succeeded (copied to $dp), but its end entry could not be written: $journal: write: No space left on device" "$SCRATCH/2.err"
ok $? "(2) the error says the step ran and succeeded, and why its end entry is missing"
grep -qF "the journal shows it unfinished" "$SCRATCH/2.err"
ok $? "(2) the error says the journal shows the step unfinished"
grep -qF "short write" "$SCRATCH/2.err"
ok $((!$?)) "(2) not a bare 'short write'"
grep -qF "  $pkg on $dp: ok: copied to $dp" "$SCRATCH/2.out"
ok $? "(2) the step's outcome is printed like any step's"
grep -qF "$pkg on $dp: INSTALL_RETRYING (2) -> " "$SCRATCH/2.out"
ok $? "(2) the summary is printed"
grep -q "^== Step 2" "$SCRATCH/2.out"
ok $((!$?)) "(2) the run stops after the step whose end was lost"
[ "$(tree_hash "$SCRATCH/s2")" != "$hash0" ]
ok $? "(2) the step really changed the site (the PCK was copied)"
grep -q "ran and succeeded" "$SCRATCH/2.err" ||
    sed 's/^/#   /' "$SCRATCH/2.err" "$SCRATCH/2.out" | tail -20
"$DPDOCTOR" history --unfinished >"$SCRATCH/h.out" 2>&1
is $? 1 "(2) history --unfinished: exit 1 (an unfinished step)"
grep -q "copy-pck" "$SCRATCH/h.out"
ok $? "(2) history --unfinished lists step 1 (copy-pck)"
grep -q "copy-pck" "$SCRATCH/h.out" || sed 's/^/#   /' "$SCRATCH/h.out"
"$DPDOCTOR" repair $pkg $dp --yes --dry-run --demo="$SCRATCH/s2" </dev/null \
    >"$SCRATCH/3.out" 2>"$SCRATCH/3.err"
grep -q "copy-pck" "$SCRATCH/3.err"
ok $? "(2) the next start warns about the unfinished step"
grep -q "copy-pck" "$SCRATCH/3.err" || sed 's/^/#   /' "$SCRATCH/3.err" | head

done_testing
