#!/usr/bin/env bash
# Log parsing speed: a generated 1 GiB SMS 2003 distmgr.log (size in MiB
# from $LOG_MB), `dpdoctor log --package` against `grep -F` on the same
# file in the same run (ratio reported), and full parsing to JSON Lines on
# /dev/null in MB/s.  Targets: ratio <= 1, >= 400 MB/s.  Best of 3 runs,
# warm page cache.  Not part of the pass/fail suite.
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
DPDOCTOR=${DPDOCTOR:-$top_builddir/dpdoctor}
GEN=${GEN:-$top_builddir/tests/bench/gen_log}
LOG_MB=${LOG_MB:-1024}
PKG=${PKG:-009000B7}
dir=$(mktemp -d "${TMPDIR:-/tmp}/dpdbench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
f=$dir/distmgr.log
"$GEN" "$f" "$LOG_MB" 1000 || exit 2
bytes=$(stat -c %s "$f")
cat "$f" >/dev/null

best() { # best CMD...: the fastest of three wall-clock times, in seconds
	local b="" t s e
	for _ in 1 2 3; do
		s=$(date +%s.%N)
		"$@"
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc -l)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
	done
	echo "$b"
}
# Output goes to files: GNU grep stops at the first match when its output
# is /dev/null, which would make the comparison meaningless.
run_grep() { LC_ALL=C grep -F "$PKG" "$f" >"$dir/grep.out"; }
run_count() { LC_ALL=C grep -c "$PKG" "$f" >"$dir/count.out"; }
run_pkg() { "$DPDOCTOR" log --file "$f" --package "$PKG" >"$dir/pkg.out"; }
run_json() { "$DPDOCTOR" log --file "$f" --format json >/dev/null; }
tg=$(best run_grep)
tc=$(best run_count)
tp=$(best run_pkg)
tj=$(best run_json)
mb=$(echo "$bytes / 1000000" | bc -l)
printf 'file: %.0f MB, %s lines matching %s (grep), %s entries (dpdoctor)\n' "$mb" \
	"$(wc -l <"$dir/grep.out")" "$PKG" "$(wc -l <"$dir/pkg.out")"
printf 'grep -F:                  %.3f s  (%.0f MB/s)\n' "$tg" "$(echo "$mb / $tg" | bc -l)"
printf 'grep -c:                  %.3f s  (%.0f MB/s)\n' "$tc" "$(echo "$mb / $tc" | bc -l)"
printf 'dpdoctor log --package:   %.3f s  (%.0f MB/s)  ratio dpdoctor/grep = %.2f (target <= 1)\n' \
	"$tp" "$(echo "$mb / $tp" | bc -l)" "$(echo "$tp / $tg" | bc -l)"
printf 'dpdoctor log --format json (all entries): %.3f s  %.0f MB/s (target >= 400)\n' \
	"$tj" "$(echo "$mb / $tj" | bc -l)"
