#!/usr/bin/env bash
# dpdoctor status --all --format csv streams: on the large demo site
# (476,000 pairs) its peak memory stays within 10% of --format nagios,
# which holds the same snapshot and prints one line.  A row of strings per
# cell (what the table builds) would put it half again higher.  The CSV is
# still sorted by package ID, then DP, with every pair once.
. "$(dirname "$0")/lib.sh"
command -v /usr/bin/time >/dev/null 2>&1 || { echo "1..0 # SKIP /usr/bin/time is not installed"; exit 0; }

demo=$SCRATCH/large
peak() { # peak FORMAT: peak RSS (KB) of status --all --format FORMAT
	/usr/bin/time -f '%M' -o "$SCRATCH/rss" "$DPDOCTOR" status --demo="$demo" \
		--demo-scenario=large --all --format "$1" >"$SCRATCH/out.$1" 2>"$SCRATCH/err"
	cat "$SCRATCH/rss" | tail -1
}
peak nagios >/dev/null   # creates the site
base=$(peak nagios)
csv=$(peak csv)
[ "$csv" -le $((base * 11 / 10)) ]; ok $? "csv --all peak RSS ${csv} KB within 10% of nagios' ${base} KB"
[ "$csv" -le $((base * 11 / 10)) ] || echo "# csv ${csv} KB, nagios ${base} KB"
rows=$(($(wc -l <"$SCRATCH/out.csv") - 1))
[ "$rows" -gt 400000 ]; ok $? "  every pair printed ($rows rows)"
tail -n +2 "$SCRATCH/out.csv" | cut -d, -f1 | LC_ALL=C sort -c 2>/dev/null; ok $? "  sorted by package ID"
[ "$(tail -n +2 "$SCRATCH/out.csv" | cut -d, -f1,3 | sort -u | wc -l)" -eq "$rows" ]; ok $? "  each package/DP pair once"
done_testing
