# Sanitizer settings for every test, sourced by the test environment
# (AM_TESTS_ENVIRONMENT in Makefile.am) and by tests/cli/lib.sh and
# tests/tui/lib.sh, so a test run by hand gets them too.  In an
# --enable-asan build a sanitizer report must stop the program and fail
# the test: UBSan otherwise prints to stderr, which the tests swallow, and
# carries on.  abort_on_error makes a report end in SIGABRT (exit 134), which
# no check mistakes for one of dpdoctor's own exit codes.  Our settings come
# first, so whatever the user already put in *SAN_OPTIONS wins (the last
# setting of a flag is the one that counts).  In a build without
# sanitizers these variables are read by nothing.
dpd_san_dir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests
ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:exitcode=86${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
LSAN_OPTIONS="suppressions=$dpd_san_dir/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
unset dpd_san_dir
