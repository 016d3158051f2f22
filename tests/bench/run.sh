#!/usr/bin/env bash
# Benchmarks (not part of the pass/fail suite): `make bench`.
#  1. load: the large scenario (5,000 packages x 500 DPs) into a snapshot,
#     against a line-counting pass over the same bytes (tests/bench/bench_load.c),
#     and a delta refresh after 100 pairs changed against a full refresh;
#     wire: its status reply over the loopback sshd, bytes at the socket with
#     compression = no and yes, against the old one-row-per-pair form (wire.sh);
#  2. start-up: from launching the TUI on the large site to the grid on screen;
#  3. key latency: a key press in the grid until the screen changes, against
#     the same measurement on `less` showing a file in the same tmux;
#  4. huge (10,000 packages x 1,000 DPs, over a million pairs): fetch, the
#     board and the / filter (tests/bench/bench_huge.c), first paint against
#     less's (and htop's, when installed) start, start-up to grid, key
#     latency against less, peak RSS of the TUI and of status --all --format
#     csv, each beside its target.
# A site left by another dpdoctor (or half made) is made again, and a step
# that fails says so instead of printing nothing.
# Every figure is measured in this run; ratios are against this run's baseline.
set -u
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)}
B=$top_builddir
work=${BENCH_DIR:-$B/tests/bench/out}
mkdir -p "$work"
export DPDOCTOR_SIM_TIME=2007-01-04T10:00:00Z XDG_STATE_HOME=$work/state
site=$work/large
huge=$work/huge

# site_fresh DIR SCENARIO: the demo site in DIR opens with this dpdoctor
# and holds SCENARIO, or is removed (and made again by the next use).
site_fresh() {
	local rc
	[ -e "$1/site.db" ] || return 0
	"$B/dpdoctor" status --demo="$1" --demo-scenario="$2" --format prometheus \
		>/dev/null 2>"$work/site.err"
	rc=$?
	if [ "$rc" -gt 1 ]; then
		echo "($1 was made by another dpdoctor or is broken: $(head -c 300 "$work/site.err"); making it again)"
		rm -rf "$1"
	fi
}
# step NAME COMMAND...: run it; a failure is printed, never silent.
step() {
	local name=$1 rc
	shift
	"$@"
	rc=$?
	[ "$rc" -le 1 ] || echo "$name FAILED (exit $rc)"
	return 0
}
site_fresh "$site" large
site_fresh "$huge" huge

echo "== load"
step bench_load "$B/tests/bench/bench_load" "$site" | tee "$work/load.txt"
echo "== wire (the large status reply over the loopback sshd)"; top_builddir=$B flock /tmp/dpd-sshd.lock bash "$(dirname "$0")/wire.sh" | tee "$work/wire.txt"

sock=dpdbench$$
tm() { tmux -L "$sock" "$@"; }
trap 'tm kill-server 2>/dev/null' EXIT
now_ms() { date +%s%3N; }
screen() { tm capture-pane -p -t b 2>/dev/null; }

# Wait until the screen differs from $1 (or contains $2); echo elapsed ms.
wait_change() {
	local before=$1 want=${2:-} t0 t
	t0=$(now_ms)
	while :; do
		s=$(screen)
		if [ -n "$want" ]; then
			case $s in *"$want"*) break ;; esac
		elif [ "$s" != "$before" ]; then
			break
		fi
		t=$(now_ms)
		[ $((t - t0)) -gt 5000 ] && { echo 99999; return; }
	done
	echo $(($(now_ms) - t0))
}

# Median key latency over N presses of `down`/`up` alternately.
key_latency() {
	local n=$1 i lat=() s
	for ((i = 0; i < n; i++)); do
		s=$(screen)
		if ((i % 2 == 0)); then tm send-keys -t b Down; else tm send-keys -t b Up; fi
		lat+=("$(wait_change "$s")")
	done
	printf '%s\n' "${lat[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

echo "== start-up and key latency (tmux 80x24)"
seq 1 100000 | sed 's/$/ a line of text to page through/' >"$work/lines.txt"
tm -f /dev/null new-session -d -s b -x 80 -y 24 "less $work/lines.txt"
wait_change "" "a line of text" >/dev/null
base=$(key_latency 21)
tm kill-session -t b

t0=$(now_ms)
tm -f /dev/null new-session -d -s b -x 80 -y 24 \
	"$B/dpdoctor --demo=$site --demo-scenario=large"
startup=$(wait_change "" "? help")
# the grid is up when a package ID of the site shows
up=$(wait_change "" "0090")
dp=$(key_latency 21)
tm kill-session -t b
echo "start-up to grid on screen: $((startup > up ? startup : up)) ms (target < 1000)"
echo "key latency: dpdoctor ${dp} ms, less ${base} ms, ratio $(awk -v a="$dp" -v b="$base" 'BEGIN {printf "%.1f", (b > 0 ? a / b : 0)}') (target < 50 ms)"

# ---- huge: 10,000 packages x 1,000 DPs ----------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b > 0 ? a / b : 0)}'; }
verdict() { awk -v a="$1" -v t="$2" 'BEGIN {print (a + 0 < t + 0 ? "ok" : "MISSED")}'; }

echo "== huge (10,000 packages x 1,000 DPs)"
# A session that outlives the measured ones keeps the tmux server up
# between them (a server starting anew can race the one exiting).
tm -f /dev/null new-session -d -s keep -x 80 -y 24 "sleep 600"
step bench_huge "$B/tests/bench/bench_huge" "$huge" | tee "$work/huge.txt"
fl=$(sed -n 's/.*filter_ms=\([0-9.]*\).*/\1/p' "$work/huge.txt")
echo "/ filter over every cell: ${fl:-?} ms (target < 100: $(verdict "${fl:-99999}" 100))"

# first_paint CMD TEXT: ms from launch until TEXT shows (median of 3).
first_paint() {
	local cmd=$1 text=$2 i v=()
	for i in 1 2 3; do
		tm -f /dev/null new-session -d -s b -x 80 -y 24 "$cmd"
		v+=("$(wait_change "" "$text")")
		tm kill-session -t b
	done
	printf '%s\n' "${v[@]}" | sort -n | sed -n 2p
}
fp=$(first_paint "$B/dpdoctor --demo=$huge --demo-scenario=huge" "reading site")
lp=$(first_paint "less $work/lines.txt" "a line of text")
line="first paint: dpdoctor ${fp} ms (target < 50: $(verdict "$fp" 50)), less ${lp} ms"
if command -v htop >/dev/null 2>&1; then
	hp=$(first_paint "htop" "PID")
	line="$line, htop ${hp} ms"
fi
echo "$line"

# The TUI under /usr/bin/time: start-up, key latency, then q; peak RSS.
rss=$work/tui.rss
rm -f "$rss"
tm -f /dev/null new-session -d -s b -x 80 -y 24 "less $work/lines.txt"
wait_change "" "a line of text" >/dev/null
hbase=$(key_latency 21)
tm kill-session -t b
tm -f /dev/null new-session -d -s b -x 80 -y 24 \
	"/usr/bin/time -f %M -o $rss $B/dpdoctor --demo=$huge --demo-scenario=huge; sleep 30"
hup=$(wait_change "" "0090")
hdp=$(key_latency 21)
tm send-keys -t b q
for _ in $(seq 100); do [ -s "$rss" ] && break; sleep 0.1; done
tm kill-session -t b
echo "start-up to grid on screen: ${hup} ms (target < 1500: $(verdict "$hup" 1500))"
echo "key latency: dpdoctor ${hdp} ms, less ${hbase} ms, ratio $(ratio "$hdp" "$hbase") (target <= 1.5: $(verdict "$(ratio "$hdp" "$hbase")" 1.51))"
tr=$(tail -1 "$rss" 2>/dev/null)
echo "TUI peak RSS: $(awk -v k="${tr:-0}" 'BEGIN {printf "%.0f", k / 1024}') MB (target < 150: $(verdict "$((${tr:-999999} / 1024))" 150))"
/usr/bin/time -f %M -o "$work/csv.rss" "$B/dpdoctor" status --demo="$huge" \
	--demo-scenario=huge --all --format csv >"$work/huge.csv"
/usr/bin/time -f %M -o "$work/nagios.rss" "$B/dpdoctor" status --demo="$huge" \
	--demo-scenario=huge --format nagios >/dev/null
cr=$(tail -1 "$work/csv.rss"); nr=$(tail -1 "$work/nagios.rss")
echo "status --all --format csv: $(($(wc -l <"$work/huge.csv") - 1)) rows, peak RSS $((cr / 1024)) MB (target < 150: $(verdict "$((cr / 1024))" 150)); the snapshot alone (--format nagios) $((nr / 1024)) MB"
rm -f "$work/huge.csv"
