#!/usr/bin/env bash
# Build the libFuzzer targets with clang (ASan + UBSan) and run them; one
# build, two ways of running:
#   run.sh            the suite's short check: each target in turn for
#                     FUZZ_SECONDS (12) on a scratch copy of its seed corpus;
#                     prints TAP, a crash fails it and its input is copied to
#                     the build tree.
#   run.sh --measure  `make fuzz`: every target for FUZZ_SECONDS at once,
#                     FUZZ_JOBS (the number of cores) at a time, on a corpus
#                     kept in the build tree (fuzz-out/corpus/TARGET, grown
#                     from run to run; the checked-in seeds stay small and are
#                     only read), and a table of executions, execs/s,
#                     coverage and crashes.  Crashing inputs are kept as
#                     fuzz-out/crashes/TARGET/crash-SHA1 (leak-, timeout-,
#                     oom- likewise).  Not part of the pass/fail suite.
. "$(dirname "$0")/../cli/lib.sh"
FUZZ_SECONDS=${FUZZ_SECONDS:-12}
mode=check
[ "${1:-}" = --measure ] && mode=measure
src=$top_srcdir
if ! command -v clang >/dev/null; then
	echo "not ok 1 - clang is not installed (quickstart installs it)"; echo "1..1"; exit 1
fi

# The targets, each with what it is run with: a dictionary of its format's
# keywords (in tests/fuzz, "-" for none) and a cap on an input's length
# ("-" for libFuzzer's own, 4096).  The log parser's cap is 1024: at 4096
# its speed halves (its inputs grow to 4 KB and every one is parsed three
# times), while a 1 KB input still holds several log lines, the multi-line
# entries and the longest STATMSG line the parser sees in practice.
TARGETS="
status  status.dict  -
smslog  smslog.dict  1024
winenc  winenc.dict  -
ops     ops.dict     -
sshkh   -            -
simps2  -            -
smbacl  -            -
"

# Where the binaries go: the scratch directory for the check, the build
# tree for a measurement (so a kept crash can be run again).
if [ "$mode" = measure ]; then
	out=$top_builddir/fuzz-out
	bindir=$out/bin
	mkdir -p "$bindir" || exit 1
else
	bindir=$SCRATCH
fi
cflags=(-std=c11 -D_GNU_SOURCE -g -O1 -fno-sanitize-recover=undefined -I"$src" -I"$top_builddir"
	$(pkg-config --cflags smbclient))

# Every backend module outside the simulator, compiled once for all targets
# (a new file needs no edit here), and of the simulator its PowerShell 2.0
# check, which reads the scripts a host is sent over sshd.
objs=()
for c in $(find "$src/backend" -name '*.c' -not -path '*/sim/*' | sort) "$src/backend/sim/simps2.c"; do
	o=$bindir/$(basename "$c" .c).o
	clang "${cflags[@]}" -fsanitize=fuzzer-no-link,address,undefined -c "$c" -o "$o" \
		2>>"$SCRATCH/cc.log" || { echo "not ok 1 - $c does not build with clang"; sed 's/^/# /' "$SCRATCH/cc.log"; echo "1..1"; exit 1; }
	objs+=("$o")
done

# fuzz_build TARGET: links $bindir/fuzz_TARGET; the compiler's words in $SCRATCH/cc.log.
fuzz_build() {
	clang "${cflags[@]}" -fsanitize=fuzzer,address,undefined "$src/tests/fuzz/fuzz_$1.c" "${objs[@]}" \
		-o "$bindir/fuzz_$1" -lpthread -lm $(pkg-config --libs json-c libcrypto libssh2 smbclient) \
		2>"$SCRATCH/cc.log"
}

# fuzz_options TARGET: the libFuzzer options of TARGET's line in TARGETS.
fuzz_options() {
	local t dict maxlen
	while read -r t dict maxlen; do
		[ "$t" = "$1" ] || continue
		[ "$dict" = - ] || echo "-dict=$src/tests/fuzz/$dict"
		[ "$maxlen" = - ] || echo "-max_len=$maxlen"
	done <<<"$TARGETS"
}

# fuzz_run TARGET LOG ARTIFACT-PREFIX CORPUS...: runs the built target for
# FUZZ_SECONDS; exits as libFuzzer does (0: no crash).
fuzz_run() {
	local t=$1 log=$2 prefix=$3; shift 3
	local opts
	mapfile -t opts < <(fuzz_options "$t")
	(cd "$SCRATCH" && "$bindir/fuzz_$t" -max_total_time="$FUZZ_SECONDS" -timeout=5 -rss_limit_mb=1024 \
		-print_final_stats=1 -artifact_prefix="$prefix" "${opts[@]}" "$@" >"$log" 2>&1)
}

targets=$(awk 'NF {print $1}' <<<"$TARGETS")

check_all() {
	local t rc runs corpus
	for t in $targets; do
		fuzz_build "$t"
		rc=$?
		ok $rc "fuzz_$t builds with clang"
		# (ok reports; it does not fail, so what went wrong is printed here.)
		[ "$rc" -eq 0 ] || { sed 's/^/# /' "$SCRATCH/cc.log"; continue; }
		corpus=$SCRATCH/corpus_$t
		mkdir -p "$corpus"
		cp "$src/tests/fuzz/corpus/$t"/* "$corpus"/ 2>/dev/null
		fuzz_run "$t" "$SCRATCH/fuzz_$t.log" "$SCRATCH/" "$corpus"
		rc=$?
		runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$SCRATCH/fuzz_$t.log")
		ok $rc "fuzz_$t: no crash in ${FUZZ_SECONDS}s (${runs:-0} inputs)"
		[ "$rc" -eq 0 ] ||
			{ tail -40 "$SCRATCH/fuzz_$t.log" | sed 's/^/# /'; cp "$SCRATCH"/crash-* "$top_builddir"/ 2>/dev/null; }
	done
	done_testing
}

# measure_row TARGET: one line of the table from TARGET's log and crash folder.
measure_row() {
	local log=$out/log/$1.log
	local runs rate cov ft crashes
	runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
	rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$log")
	# The last status line libFuzzer printed carries the final cov/ft.
	read -r cov ft < <(awk '/ cov: / {for (i = 1; i < NF; i++) {if ($i == "cov:") c = $(i+1); if ($i == "ft:") f = $(i+1)}} END {print c, f}' "$log")
	crashes=$(find "$out/crashes/$1" -type f -newer "$out/log/.start" | wc -l)
	printf '%-8s %7s %12s %9s %7s %7s %7s\n' "$1" "$FUZZ_SECONDS" "${runs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$crashes"
}

measure_all() {
	local t jobs=${FUZZ_JOBS:-$(nproc)} failed=0
	mkdir -p "$out/log" && : >"$out/log/.start" || exit 1
	for t in $targets; do
		fuzz_build "$t" || { echo "fuzz_$t does not build with clang:"; cat "$SCRATCH/cc.log"; exit 1; }
		mkdir -p "$out/corpus/$t" "$out/crashes/$t" || exit 1
	done
	echo "fuzzing $(wc -w <<<"$targets") targets for ${FUZZ_SECONDS}s each, $jobs at a time (load: $(cut -d' ' -f1-3 /proc/loadavg))"
	for t in $targets; do
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
		# New inputs go to the first folder; the seeds are only read.
		fuzz_run "$t" "$out/log/$t.log" "$out/crashes/$t/" "$out/corpus/$t" "$src/tests/fuzz/corpus/$t" &
	done
	wait
	printf '%-8s %7s %12s %9s %7s %7s %7s\n' fuzzer seconds executions execs/s cov ft crashes
	for t in $targets; do
		measure_row "$t"
		[ -z "$(find "$out/crashes/$t" -type f -newer "$out/log/.start")" ] || failed=1
	done
	echo "logs: $out/log; crashing inputs: $out/crashes"
	return $failed
}

if [ "$mode" = measure ]; then measure_all; else check_all; fi
