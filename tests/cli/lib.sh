# Shared helpers for the shell tests: TAP output and a private demo dir.
# Sourced by tests/cli/*.sh and tests/tui/*.sh.
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
DPDOCTOR=${DPDOCTOR:-$top_builddir/dpdoctor}
. "$top_srcdir/tests/sanitizer_env.sh"
TAP_N=0
TAP_FAILED=0

ok() { # ok COND-EXIT-STATUS DESCRIPTION
	local rc=$1; shift
	TAP_N=$((TAP_N + 1))
	if [ "$rc" -eq 0 ]; then
		echo "ok $TAP_N - $*"
	else
		echo "not ok $TAP_N - $*"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

is() { # is GOT WANT DESCRIPTION
	local got=$1 want=$2; shift 2
	[ "$got" = "$want" ]
	ok $? "$*" || true
	[ "$got" = "$want" ] || printf '#   got  [%s]\n#   want [%s]\n' "$got" "$want"
}

done_testing() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}

# A scratch directory removed on exit.
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/dpdtest.XXXXXX")
cleanup_scratch() { rm -rf "$SCRATCH"; }
trap cleanup_scratch EXIT
export XDG_STATE_HOME=$SCRATCH/state XDG_CONFIG_HOME=$SCRATCH/config HOME=$SCRATCH/home
unset DPDOCTOR_CONFIG
mkdir -p "$HOME"
export DPDOCTOR_SIM_TIME=2007-01-04T10:00:00Z

# The simulated site's pairs of one failure kind, "PKG DP" a line
# (site.db's P, S and C records; C names the failure in its 5th field).
sim_pairs() { # SITE_DIR KIND
	awk -F'\t' -v kind="$2" '$1 == "P" {p[np++] = $2} $1 == "S" {s[ns++] = $2}
		$1 == "C" && $5 == kind {print p[$2], s[$3]}' "$1/site.db"
}

wait_until() { # DESCRIPTION COMMAND...: up to 30 s for COMMAND to succeed
	local what=$1 i; shift
	for ((i = 0; i < 300; i++)); do "$@" && return 0; sleep 0.1; done
	echo "# timed out waiting for: $what"
	return 1
}

# A repair is held in a wait step (journalled, not ended).
in_wait_step() {
	"$DPDOCTOR" history --unfinished --format json 2>/dev/null | grep -q '"name":"wait'
}
