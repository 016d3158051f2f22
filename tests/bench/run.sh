#!/usr/bin/env bash
# Benchmarks (not part of the pass/fail suite): `make bench`.
#  1. load: the large scenario (5,000 packages x 500 DPs) into a snapshot,
#     against a line-counting pass over the same bytes (tests/bench/bench_load.c);
#     wire: its status reply over the loopback sshd, bytes at the socket with
#     compression = no and yes, against the old one-row-per-pair form (wire.sh);
#  2. start-up: from launching the TUI on the large site to the grid on screen;
#  3. key latency: a key press in the grid until the screen changes, against
#     the same measurement on `less` showing a file in the same tmux.
# Every figure is measured in this run; ratios are against this run's baseline.
set -u
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)}
B=$top_builddir
work=${BENCH_DIR:-$B/tests/bench/out}
mkdir -p "$work"
export DPDOCTOR_SIM_TIME=2007-01-04T10:00:00Z XDG_STATE_HOME=$work/state
site=$work/large

echo "== load"
"$B/tests/bench/bench_load" "$site" | tee "$work/load.txt"
echo "== wire (the large status reply over the loopback sshd)"; top_builddir=$B flock /tmp/dpd-sshd.lock bash "$(dirname "$0")/wire.sh" | tee "$work/wire.txt"

sock=dpdbench$$
tm() { tmux -L "$sock" "$@"; }
trap 'tm kill-server 2>/dev/null' EXIT
now_ms() { date +%s%3N; }
screen() { tm capture-pane -p -t b; }

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
