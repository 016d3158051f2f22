#!/usr/bin/env bash
# Signals in the command line: a `dpdoctor repair` held in its wait step and
# sent SIGTERM, SIGHUP or SIGPIPE (by kill, and by a real pipe whose reader
# goes away) stops that step at its next check and journals its end entry
# as "interrupted" (not "failed"), exits 128+signal, and leaves no step
# unfinished for `history --unfinished`.  A prompt waiting on stdin when
# SIGHUP comes ends too, its step journalled "interrupted"; a typed "abort"
# is journalled "aborted", a plain "no" "declined".
. "$(dirname "$0")/lib.sh"

site=$SCRATCH/site
journal=$XDG_STATE_HOME/dpdoctor/journal.jsonl
"$DPDOCTOR" status --demo="$site" --format csv >/dev/null
is $? 1 "demo site created, with problems"
# A pair whose PCK never arrived: preload-pck ends waiting for Installed, which
# a frozen clock never brings.
set -- $(sim_pairs "$site" PCK_MISSING | head -1)
pkg=$1 dp=$2
[ -n "$pkg" ] && [ -n "$dp" ]; ok $? "a pair to repair: $pkg on $dp"

# The last end entry's step name and result.
last_end() {
	python3 -c '
import json, sys
last = ""
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o.get("phase") == "end": last = "%s %s" % (o["step"]["name"], o.get("result"))
print(last)' "$journal"
}
# After a run stopped by a signal: its step's end, and nothing left open.
check_closed() { # WHAT STEP-PREFIX
	local what=$1 prefix=$2 end
	end=$(last_end)
	case $end in "$prefix"*" interrupted") ok 0 "  $what: the step is journalled interrupted ($end)" ;;
	*) ok 1 "  $what: the step is journalled interrupted"; echo "#   last end entry: $end" ;;
	esac
	"$DPDOCTOR" history --unfinished >"$SCRATCH/unf" 2>&1
	is $? 0 "  $what: history --unfinished lists nothing"
	grep -q "UNFINISHED\|RUNNING" "$SCRATCH/unf" && sed 's/^/#   /' "$SCRATCH/unf"
}

for sig in TERM HUP PIPE; do
	(exec "$DPDOCTOR" repair "$pkg" "$dp" --plan preload-pck --yes --demo="$site" \
	    </dev/null >"$SCRATCH/$sig.out" 2>"$SCRATCH/$sig.err") &
	pid=$!
	wait_until "the wait step" in_wait_step; ok $? "SIG$sig: the run is in its wait step"
	kill -"$sig" "$pid"
	wait "$pid"
	is $? $((128 + $(kill -l "$sig"))) "  exit status 128+SIG$sig"
	check_closed "SIG$sig" wait
	grep -q "^Summary" "$SCRATCH/$sig.out" "$SCRATCH/$sig.err"
	ok $? "  the summary is printed"
done

# A real pipe whose reader leaves while the wait step runs: the next
# progress line meets SIGPIPE.
timeout 60 "$DPDOCTOR" repair "$pkg" "$dp" --plan preload-pck --yes --demo="$site" \
    </dev/null 2>"$SCRATCH/pipe.err" |
    { wait_until "the wait step" in_wait_step; head -c1 >/dev/null; }
is "${PIPESTATUS[0]}" 141 "| head -c1: exit status 128+SIGPIPE"
check_closed "| head -c1" wait
grep -q "^Summary" "$SCRATCH/pipe.err"; ok $? "  the summary goes to stderr"
grep -qi "segmentation\|core dumped" "$SCRATCH/pipe.err"; ok $((!$?)) "  no crash"

# SIGHUP while a prompt waits on stdin (held open, never answered).
mkfifo "$SCRATCH/in"
sleep 300 >"$SCRATCH/in" &
holder=$!
(exec "$DPDOCTOR" repair "$pkg" "$dp" --plan preload-pck --demo="$site" \
    <"$SCRATCH/in" >"$SCRATCH/prompt.out" 2>"$SCRATCH/prompt.err") &
pid=$!
prompted() { grep -q "Run step 1?" "$SCRATCH/prompt.err" 2>/dev/null; }
wait_until "the first prompt" prompted
ok $? "a prompt waits on stdin"
kill -HUP "$pid"
wait "$pid"
is $? 129 "  SIGHUP at the prompt: exit status 129"
kill "$holder"; wait "$holder" 2>/dev/null
check_closed "prompt" ""
grep -q "answer: abort (interrupted)" "$SCRATCH/prompt.out"; ok $? "  the prompt ended as interrupted"

# Typed answers: "a" is aborted, "n" is declined.
for ans in a:aborted n:declined; do
	echo "${ans%%:*}" | "$DPDOCTOR" repair "$pkg" "$dp" --plan preload-pck --demo="$site" \
	    >/dev/null 2>&1
	case $(last_end) in *" ${ans#*:}") ok 0 "answer ${ans%%:*}: journalled ${ans#*:}" ;;
	*) ok 1 "answer ${ans%%:*}: journalled ${ans#*:}"; echo "#   last end: $(last_end)" ;;
	esac
done
done_testing
