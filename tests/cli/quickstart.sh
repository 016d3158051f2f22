#!/usr/bin/env bash
# ./quickstart demo on a fresh tree says what it is doing while it installs,
# configures and builds, and where the binary is, before it opens the demo.
# Hermetic: quickstart runs in a scratch copy whose autogen.sh, configure and
# dpdoctor are stubs, with stub dpkg-query, apt-get, id, make and nproc
# first on PATH (nothing is installed or built, the real tree is untouched).
. "$(dirname "$0")/lib.sh"

tree=$SCRATCH/tree bin=$SCRATCH/bin
mkdir -p "$tree" "$bin"
cp "$top_srcdir/quickstart" "$tree/"
stub() { # stub PATH BODY
	printf '#!/bin/sh\n%s\n' "$2" >"$1" && chmod +x "$1"
}
stub "$tree/autogen.sh" 'printf "#!/bin/sh\ntouch Makefile\n" >configure; chmod +x configure'
stub "$tree/dpdoctor" 'echo "dpdoctor ran: $*"'
stub "$bin/make" 'echo "make ran" >>"$STUBLOG"'
stub "$bin/nproc" 'echo 2'
stub "$bin/id" 'echo 0'
stub "$bin/apt-get" 'echo "apt-get $*" >>"$STUBLOG"'
# every package installed but tmux
stub "$bin/dpkg-query" 'for a; do p=$a; done; [ "$p" = tmux ] || printf "install ok installed"'
export STUBLOG=$SCRATCH/stub.log

out=$(cd "$tree" && PATH="$bin:$PATH" ./quickstart demo --demo-reset 2>&1); rc=$?
is "$rc" 0 "quickstart demo runs through (stubbed)"
[ -n "$out" ] || echo "# no output"
printf '%s\n' "$out" | sed 's/^/# /'
line() { printf '%s\n' "$out" | grep -n -- "$1" | head -1 | cut -d: -f1; }
for w in "checking the Debian packages" "installing tmux" "configuring" "building" \
	"built ./dpdoctor" "make install" "opening the simulated site" "dpdoctor ran: --demo --demo-reset"; do
	[ -n "$(line "$w")" ]; ok $? "says \"$w\""
done
a=$(line "installing") b=$(line "configuring") c=$(line "building") d=$(line "built ./dpdoctor") e=$(line "dpdoctor ran")
[ -n "$e" ] && [ "$a" -lt "$b" ] && [ "$b" -lt "$c" ] && [ "$c" -lt "$d" ] && [ "$d" -lt "$e" ]
ok $? "in the order it does them, the binary's place before the demo opens"
printf '%s\n' "$out" | grep -q "built ./dpdoctor in $tree"; ok $? "names the folder the binary is in"
grep -q "apt-get install.*tmux" "$STUBLOG"; ok $? "installed the missing package"

# A second run on the built tree: nothing to configure, still says where the binary is.
out=$(cd "$tree" && PATH="$bin:$PATH" ./quickstart demo 2>&1)
printf '%s\n' "$out" | grep -q "configuring"; is $? 1 "second run: configure is not run again"
printf '%s\n' "$out" | grep -q "built ./dpdoctor"; ok $? "  and it says where the binary is again"

done_testing
