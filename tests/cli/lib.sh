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
