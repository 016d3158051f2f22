#!/usr/bin/env bash
# Build the libFuzzer targets with clang (ASan + UBSan) and run each for a
# bounded time on its kept corpus.  Prints TAP; a crash fails the test and
# leaves the crashing input in the scratch directory named in the output.
. "$(dirname "$0")/../cli/lib.sh"
FUZZ_SECONDS=${FUZZ_SECONDS:-12}
src=$top_srcdir
if ! command -v clang >/dev/null; then
	echo "not ok 1 - clang is not installed (quickstart installs it)"; echo "1..1"; exit 1
fi
# Every backend module outside the simulator, compiled once for all targets
# (a new file needs no edit here), and of the simulator its PowerShell 2.0
# check, which reads the scripts a host is sent over sshd.
objs=()
for c in $(find "$src/backend" -name '*.c' -not -path '*/sim/*' | sort) "$src/backend/sim/simps2.c"; do
	o=$SCRATCH/$(basename "$c" .c).o
	clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
		-fno-sanitize-recover=undefined -I"$src" -I"$top_builddir" $(pkg-config --cflags smbclient) -c "$c" -o "$o" \
		2>>"$SCRATCH/cc.log" || { echo "not ok 1 - $c does not build with clang"; sed 's/^/# /' "$SCRATCH/cc.log"; echo "1..1"; exit 1; }
	objs+=("$o")
done
for target in status smslog winenc ops sshkh simps2 smbacl; do
	bin=$SCRATCH/fuzz_$target
	clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -I"$src" -I"$top_builddir" \
		$(pkg-config --cflags smbclient) "$src/tests/fuzz/fuzz_$target.c" "${objs[@]}" -o "$bin" -lpthread -lm \
		$(pkg-config --libs json-c libcrypto libssh2 smbclient) 2>"$SCRATCH/cc.log"
	rc=$?
	ok $rc "fuzz_$target builds with clang"
	# (ok reports; it does not fail, so what went wrong is printed here.)
	[ "$rc" -eq 0 ] || { sed 's/^/# /' "$SCRATCH/cc.log"; continue; }
	corpus=$SCRATCH/corpus_$target
	mkdir -p "$corpus"
	cp "$src/tests/fuzz/corpus/$target"/* "$corpus"/ 2>/dev/null
	(cd "$SCRATCH" && "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=5 -rss_limit_mb=1024 \
		-print_final_stats=1 "$corpus" >"$SCRATCH/fuzz_$target.log" 2>&1)
	rc=$?
	runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$SCRATCH/fuzz_$target.log")
	ok $rc "fuzz_$target: no crash in ${FUZZ_SECONDS}s (${runs:-0} inputs)"
	[ "$rc" -eq 0 ] ||
		{ tail -40 "$SCRATCH/fuzz_$target.log" | sed 's/^/# /'; cp "$SCRATCH"/crash-* "$top_builddir"/ 2>/dev/null; }
done
done_testing
