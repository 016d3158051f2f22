#!/usr/bin/env bash
# Log parsing speed on two generated SMS 2003 distmgr.logs: today's
# (1 GiB, size in MiB from $LOG_MB) and one heavy in long STATMSG lines (a
# third of the lines; 256 MiB from $HEAVY_MB).  For each, in the same run:
# `dpdoctor log --package` against `grep -F` (ratio reported, target
# <= 0.6), and the full parse to JSON Lines written to a file in MB/s
# (target >= 600 on the STATMSG-heavy log) beside `cat log > file` and
# `wc -l`.  Every output goes to a file, removed before each run (GNU grep
# stops at the first match when its output is /dev/null, which would make
# the comparison meaningless).  Best of 3 runs, warm page cache.  Not part
# of the pass/fail suite.  With BASE_DPDOCTOR (an older build), its
# --package and JSON times are measured in the same run too, for the
# speed-up.
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
DPDOCTOR=${DPDOCTOR:-$top_builddir/dpdoctor}
GEN=${GEN:-$top_builddir/tests/bench/gen_log}
LOG_MB=${LOG_MB:-1024}
HEAVY_MB=${HEAVY_MB:-256}
PKG=${PKG:-009000B7}
dir=$(mktemp -d "${TMPDIR:-/tmp}/dpdbench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

best() { # best CMD...: the fastest of three wall-clock times, in seconds
	local b="" t s e
	for _ in 1 2 3; do
		rm -f "$dir"/*.out
		s=$(date +%s.%N)
		"$@"
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc -l)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
	done
	echo "$b"
}
run_grep() { LC_ALL=C grep -F "$PKG" "$f" >"$dir/grep.out"; }
run_count() { LC_ALL=C grep -c "$PKG" "$f" >"$dir/count.out"; }
run_cat() { cat "$f" >"$dir/cat.out"; }
run_wc() { wc -l "$f" >"$dir/wc.out"; }
run_pkg() { "$DPDOCTOR" log --file "$f" --package "$PKG" >"$dir/pkg.out"; }
run_json() { "$DPDOCTOR" log --file "$f" --format json >"$dir/json.out"; }
run_null() { "$DPDOCTOR" log --file "$f" --format json >/dev/null; }
run_base_pkg() { "$BASE_DPDOCTOR" log --file "$f" --package "$PKG" >"$dir/pkg.out"; }
run_base_json() { "$BASE_DPDOCTOR" log --file "$f" --format json >"$dir/json.out"; }

# measure NAME: every figure for the log $f
measure() {
	local bytes mb tg tc tcat twc tp tj tn grep_lines pkg_lines json_mb
	bytes=$(stat -c %s "$f")
	cat "$f" >/dev/null
	tg=$(best run_grep); grep_lines=$(wc -l <"$dir/grep.out")
	tc=$(best run_count)
	tcat=$(best run_cat)
	twc=$(best run_wc)
	tp=$(best run_pkg); pkg_lines=$(wc -l <"$dir/pkg.out")
	tj=$(best run_json); json_mb=$(echo "$(stat -c %s "$dir/json.out") / 1000000" | bc -l)
	tn=$(best run_null)
	mb=$(echo "$bytes / 1000000" | bc -l)
	rate() { echo "$mb / $1" | bc -l; }
	printf '\n%s: %.0f MB, %s lines matching %s (grep), %s entries (dpdoctor)\n' "$1" "$mb" \
		"$grep_lines" "$PKG" "$pkg_lines"
	printf '  cat log > file:           %.3f s  (%.0f MB/s)\n' "$tcat" "$(rate "$tcat")"
	printf '  wc -l:                    %.3f s  (%.0f MB/s)\n' "$twc" "$(rate "$twc")"
	printf '  grep -F > file:           %.3f s  (%.0f MB/s)\n' "$tg" "$(rate "$tg")"
	printf '  grep -c:                  %.3f s  (%.0f MB/s)\n' "$tc" "$(rate "$tc")"
	printf '  dpdoctor log --package:   %.3f s  (%.0f MB/s)  ratio dpdoctor/grep -F = %.2f (target <= 0.6)\n' \
		"$tp" "$(rate "$tp")" "$(echo "$tp / $tg" | bc -l)"
	printf '  dpdoctor log --format json > file (%.0f MB written): %.3f s  %.0f MB/s of log (target >= 600)  %.1fx cat'"'"'s time, %.1fx wc -l'"'"'s\n' \
		"$json_mb" "$tj" "$(rate "$tj")" "$(echo "$tj / $tcat" | bc -l)" "$(echo "$tj / $twc" | bc -l)"
	printf '  dpdoctor log --format json > /dev/null: %.3f s  %.0f MB/s\n' "$tn" "$(rate "$tn")"
	if [ -n "${BASE_DPDOCTOR:-}" ]; then
		local bp bj
		bp=$(best run_base_pkg)
		bj=$(best run_base_json)
		printf '  baseline %s: --package %.3f s (%.2fx grep -F), json > file %.3f s (%.0f MB/s); speed-up %.2fx, %.2fx\n' \
			"$BASE_DPDOCTOR" "$bp" "$(echo "$bp / $tg" | bc -l)" "$bj" "$(rate "$bj")" \
			"$(echo "$bp / $tp" | bc -l)" "$(echo "$bj / $tj" | bc -l)"
	fi
}

f=$dir/distmgr.log
"$GEN" "$f" "$LOG_MB" 1000 || exit 2
measure "today's distmgr.log"
rm -f "$f"
f=$dir/distmgr-statmsg.log
"$GEN" "$f" "$HEAVY_MB" 1000 statmsg || exit 2
measure "STATMSG-heavy distmgr.log (a third of the lines long STATMSGs)"
