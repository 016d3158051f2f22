# Shared helpers for the TUI tests: each test drives dpdoctor's full-screen
# UI inside a private tmux server (its own socket, no config file), reads
# the screen with capture-pane and prints TAP.  Waiting is always polling
# with a timeout, never a fixed long sleep.
#
#   . "$(dirname "$0")/lib.sh"
#   tui_start 80 24 -- ./tests/tui/tui-driver
#   tui_wait 'problems only' || fail
#   tui_keys Down
#   check "cursor moved" tui_wait '0090001A'
#   tui_done

set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/sanitizer_env.sh"

# One tmux server per tui_start (a fresh socket each time: a server that
# is still shutting down must never be reused).
TUI_STARTS=0
TUI_SOCK="dpdtest$$-0"
TUI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/dpdtui.XXXXXX")
TUI_N=0
TUI_FAILED=0
# What the pane prints once the program under test has exited.
TUI_EXIT_MARK="dpdoctor-test-exited"

# shellcheck disable=SC2034 # used by the tests that source this
TUI_DRIVER="$top_builddir/tests/tui/tui-driver"
TUI_DPDOCTOR="$top_builddir/dpdoctor"

tui_tmux() {
	tmux -u -L "$TUI_SOCK" -f /dev/null "$@"
}

tui_cleanup() {
	tui_tmux kill-server >/dev/null 2>&1
	rm -rf "$TUI_TMP"
}
trap tui_cleanup EXIT
trap 'exit 1' INT TERM HUP

# tui_start WIDTH HEIGHT [VAR=value ...] -- COMMAND [ARGS ...]
# Runs COMMAND under `env VARS` in a fresh pane.  The pane outlives the
# program: it prints "$TUI_EXIT_MARK RC" and waits, so tests can check
# what the terminal looks like after the program is gone.
tui_start() {
	local w=$1 h=$2
	shift 2
	local envs=() cmd=() q
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		envs+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	cmd=("$@")
	q=$(printf '%q ' env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=screen "${envs[@]}" "${cmd[@]}")
	tui_tmux kill-server >/dev/null 2>&1
	TUI_STARTS=$((TUI_STARTS + 1))
	TUI_SOCK="dpdtest$$-$TUI_STARTS"
	tui_tmux new-session -d -x "$w" -y "$h" \
		"$q; echo \"$TUI_EXIT_MARK \$?\"; exec sleep 600" || return 1
	tui_tmux set-option -g remain-on-exit on >/dev/null 2>&1
	return 0
}

# The screen as text (with -e: with escape sequences for attributes).
# shellcheck disable=SC2120 # the arguments are optional
tui_screen() {
	tui_tmux capture-pane -p "$@" 2>/dev/null
}

# tui_wait PATTERN [SECONDS]: until the screen matches (grep -E).
tui_wait() {
	local pat=$1 limit=${2:-5} i=0
	while [ "$i" -lt $((limit * 20)) ]; do
		tui_screen | grep -Eq -- "$pat" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# tui_wait_text TEXT [SECONDS]: until the screen holds TEXT (grep -F).
tui_wait_text() {
	local text=$1 limit=${2:-5} i=0
	while [ "$i" -lt $((limit * 20)) ]; do
		tui_screen | grep -Fq -- "$text" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# tui_wait_joined TEXT [SECONDS]: until the screen holds TEXT once its lines
# are joined and runs of blanks squeezed (for a message that may wrap).
tui_wait_joined() {
	local text=$1 limit=${2:-5} i=0
	while [ "$i" -lt $((limit * 20)) ]; do
		tui_screen | tr -s ' \n' ' ' | grep -Fq -- "$text" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# tui_wait_line WHICH PATTERN [SECONDS]: until the cursor line (WHICH =
# cursor) or the status line (WHICH = status) matches (grep -E).  A check
# of one line right after a key waits too: the screen may not be redrawn
# yet, least of all on a loaded machine.
tui_wait_line() {
	local which=$1 pat=$2 limit=${3:-5} i=0
	while [ "$i" -lt $((limit * 20)) ]; do
		"tui_${which}_line" | grep -Eq -- "$pat" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# tui_wait_gone PATTERN [SECONDS]: until the screen no longer matches.
tui_wait_gone() {
	local pat=$1 limit=${2:-5} i=0
	while [ "$i" -lt $((limit * 20)) ]; do
		tui_screen | grep -Eq -- "$pat" || return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# tui_wait_change OLD [SECONDS]: until the screen differs from OLD.
tui_wait_change() {
	local old=$1 limit=${2:-5} i=0
	while [ "$i" -lt $((limit * 20)) ]; do
		[ "$(tui_screen)" != "$old" ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# tui_until SECONDS COMMAND [ARGS ...]: until COMMAND succeeds (for a state
# no pattern states: an order of rows, a file, two lines together).
tui_until() {
	local limit=$1 i=0
	shift
	while [ "$i" -lt $((limit * 20)) ]; do
		"$@" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# tui_wait_row ROW PATTERN [SECONDS]: until screen line ROW (a sed address:
# 1, 2, $) matches (grep -E).
tui_wait_row() {
	local row=$1 pat=$2 limit=${3:-5} i=0
	while [ "$i" -lt $((limit * 20)) ]; do
		tui_screen | sed -n "${row}p" | grep -Eq -- "$pat" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# tui_wait_stable [SECONDS]: until the screen below the header (whose clock
# ticks) is the same in three looks 0.1 s apart: the keys sent so far are
# drawn.  A check that something is NOT on the screen, or that reads a
# whole screen at once, waits for this first (and for the state that
# should be there): an absence is true of a half-drawn screen too.
tui_wait_stable() {
	local limit=${1:-5} i=0 prev="" cur same=0
	while [ "$i" -lt $((limit * 10)) ]; do
		cur=$(tui_screen | tail -n +2)
		if [ "$cur" = "$prev" ]; then
			same=$((same + 1))
			[ "$same" -ge 2 ] && return 0
		else
			same=0
		fi
		prev=$cur
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# tui_absent PATTERN: once the screen is stable, it does not match.
tui_absent() {
	tui_wait_stable 5
	! tui_screen | grep -Eq -- "$1"
}

# tui_absent_text TEXT: the same for a fixed string (grep -F).
tui_absent_text() {
	tui_wait_stable 5
	! tui_screen | grep -Fq -- "$1"
}

# Send keys by tmux name (Down, Enter, Escape, C-l) or literally with -l.
tui_keys() {
	tui_tmux send-keys "$@"
}

# The cursor line (second from the bottom) and the status line.
tui_cursor_line() {
	tui_screen | tail -n 2 | head -n 1
}
tui_status_line() {
	tui_screen | tail -n 1
}

# The simulated site, with its clock fixed so every run sees the same
# grid.  Expectations come from `dpdoctor status --format json` at test
# time, so a change to the demo scenario does not break the TUI tests.
TUI_SIM_TIME=2007-01-04T10:00:00Z
TUI_DEMO="$TUI_TMP/demo"

tui_demo_env() {
	echo "DPDOCTOR_SIM_TIME=$TUI_SIM_TIME" "XDG_STATE_HOME=$TUI_TMP/state" \
		"XDG_CONFIG_HOME=$TUI_TMP/config" "DPDOCTOR_CONFIG="
}

# tui_demo_init: create the demo site and dump its status as JSON.
tui_demo_init() {
	local e
	e=$(tui_demo_env)
	# shellcheck disable=SC2086
	env $e "$TUI_DPDOCTOR" status --demo="$TUI_DEMO" --format json --all \
		>"$TUI_TMP/all.json" 2>"$TUI_TMP/demo.err"
	[ $? -le 1 ] || { cat "$TUI_TMP/demo.err" >&2; return 1; }
	env $e "$TUI_DPDOCTOR" status --demo="$TUI_DEMO" --format json \
		>"$TUI_TMP/bad.json" 2>>"$TUI_TMP/demo.err"
	[ $? -le 1 ]
}

# tui_json all|bad PYTHON-EXPRESSION: evaluate over the pairs (`p`, a list
# of dicts with PackageID, PackageName, DP, State, ...) and print it.
tui_json() {
	python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["pairs"]
r = eval(sys.argv[2])
print("\n".join(map(str, r)) if isinstance(r, (list, tuple)) else r)
' "$TUI_TMP/$1.json" "$2"
}

# tui_start_demo WIDTH HEIGHT [VAR=value ...] [-- DPDOCTOR-ARGS ...]
tui_start_demo() {
	local w=$1 h=$2 envs=() args=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		envs+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	args=("$@")
	# shellcheck disable=SC2046
	tui_start "$w" "$h" $(tui_demo_env) "${envs[@]}" -- \
		"$TUI_DPDOCTOR" --demo="$TUI_DEMO" "${args[@]}"
}

# tui_filter TEXT: apply a / filter and wait for it to show.
tui_filter() {
	tui_keys /
	tui_wait '^Filter' 2 || return 1
	tui_keys C-u
	[ -n "$1" ] && tui_keys -l "$1"
	tui_keys Enter
	tui_wait_gone '^Filter' 2
}

# tui_goto_dp NAME: move the cursor along the row to the DP's column.
tui_goto_dp() {
	local i old
	tui_keys 0
	for i in $(seq 1 40); do
		tui_cursor_line | grep -q " × $1 " && return 0
		old=$(tui_screen)
		tui_keys Right
		tui_wait_change "$old" 1 || return 1
	done
	return 1
}

# TAP.
tap() {
	local rc=$1
	shift
	TUI_N=$((TUI_N + 1))
	if [ "$rc" -eq 0 ]; then
		echo "ok $TUI_N - $*"
	else
		echo "not ok $TUI_N - $*"
		TUI_FAILED=$((TUI_FAILED + 1))
		echo "# screen:"
		tui_screen 2>/dev/null | sed 's/^/#   /'
	fi
}

# check DESCRIPTION COMMAND [ARGS ...]
check() {
	local what=$1
	shift
	"$@"
	tap $? "$what"
}

# Skip the whole file (TAP plan 0 with a reason).
tui_skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

tui_require() {
	command -v tmux >/dev/null 2>&1 || tui_skip_all "tmux is not installed"
	[ -x "$1" ] || tui_skip_all "$1 is not built"
}

tui_done() {
	echo "1..$TUI_N"
	[ "$TUI_FAILED" -eq 0 ]
}

# tui_start_evidence WIDTH HEIGHT [VAR=value ...]: the real dpdoctor on the
# demo site (main fills in the primary and the servers' log paths);
# TUI_EVIDENCE_BIN=driver runs tests/tui/tui-driver --demo instead.
tui_start_evidence() {
	local w=$1 h=$2
	shift 2
	# shellcheck disable=SC2046
	if [ "${TUI_EVIDENCE_BIN:-dpdoctor}" = dpdoctor ]; then
		tui_start "$w" "$h" $(tui_demo_env) "$@" -- "$TUI_DPDOCTOR" --demo="$TUI_DEMO"
	else
		tui_start "$w" "$h" $(tui_demo_env) "$@" -- "$TUI_DRIVER" --demo "$TUI_DEMO"
	fi
}

# tui_demo_failures [MODE]: "PKGID DP MODE" for every failing pair the
# simulator made (site.db C lines: package index, server index, state,
# failure mode), in site.db order; only MODE's with an argument.
tui_demo_failures() {
	python3 -c '
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
pkgs = [r[1] for r in rows if r[0] == "P"]
srvs = [r[1] for r in rows if r[0] == "S"]
for r in rows:
    if r[0] == "C" and len(r) > 4 and (len(sys.argv) < 3 or r[4] == sys.argv[2]):
        print(pkgs[int(r[1])], srvs[int(r[2])], r[4])
' "$TUI_DEMO/site.db" "$@"
}

# tui_demo_logged_pair: a PCK_MISSING pair whose DP's distmgr.log names
# the package, as $pkg, $dp and that log's path $log; skips the file when
# there is none.
tui_demo_logged_pair() {
	local p d
	pkg='' dp=''
	while read -r p d _; do
		grep -q "$p" "$TUI_DEMO/servers/$d/E:/SMS/Logs/distmgr.log" 2>/dev/null &&
			{ pkg=$p dp=$d; break; }
	done < <(tui_demo_failures PCK_MISSING)
	[ -n "$pkg" ] || tui_skip_all "no DP log names a failing package"
	log=$TUI_DEMO/servers/$dp/E:/SMS/Logs/distmgr.log
}

# tui_log_append LOG MESSAGE: a line shaped like the log's last one, with
# MESSAGE as its text.
tui_log_append() {
	python3 -c '
import sys
last = open(sys.argv[1], encoding="latin-1").read().rstrip("\n").split("\n")[-1]
i = last.find("  $$<")
with open(sys.argv[1], "a", encoding="latin-1") as f:
    f.write(sys.argv[2] + last[i:] + "\n")
' "$1" "$2"
}

# tui_finding_title ENUM: the title of a finding in backend/sms/diagnose.h.
tui_finding_title() {
	python3 -c '
import re, sys
src = open(sys.argv[1]).read()
m = re.search(r"X\(" + sys.argv[2] + r",\s*\"[^\"]*\",\s*\\?\s*\"((?:[^\"\\]|\\.)*)\"", src)
print(m.group(1).replace("\\\\", "\\") if m else "")
' "$top_srcdir/backend/sms/diagnose.h" "$1"
}

# tui_goto_cell PKGID DP: filter to the package and put the cursor on DP
# (from the grid view).
tui_goto_cell() {
	tui_filter "$1" && tui_goto_dp "$2"
}
