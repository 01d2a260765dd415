#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scripts/asan-suite.sh [t/TEST.PL options] [t/file.t ...]: `make asan`.
#
# Builds the module and the Check unit tests with AddressSanitizer and
# UndefinedBehaviorSanitizer (clang, -fno-sanitize-recover=undefined, so any
# undefined behaviour aborts) into build/asan ($ASAN_BUILD), runs the unit
# tests (leak checking on), then the whole Apache::Test suite with httpd
# loading the instrumented module.
#
# httpd itself is not instrumented, so the ASan runtime has to be loaded
# first: httpd is started through a small wrapper (HTTPD=, which
# t/run-suite.sh passes on to Apache::Test) that sets LD_PRELOAD to clang's
# shared ASan runtime, which carries the UBSan handlers too. Sanitizer
# reports of every httpd process go to files in a directory of their own;
# any file there fails the run, whatever the tests said. Leak checking is
# off in httpd (its pools are released by exit, not freed: every exit
# would look like a leak); scripts/valgrind-suite.sh looks for leaks.
#
# As root, installs clang, libclang-rt-dev and llvm when they are missing
# (and the suite's own packages through scripts/install-deps.sh). Exits
# non-zero on a failed unit test, a failed suite, or any sanitizer report.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
cd "$top"

build=${ASAN_BUILD:-build/asan}
case "$build" in /*) module="$build/mod_cf_aop.so" ;; *) module="$top/$build/mod_cf_aop.so" ;; esac

# shellcheck source=scripts/hardening-lib.sh
. "$here/hardening-lib.sh"

bash scripts/install-deps.sh
hardening_ensure_clang asan-suite libclang_rt.asan-x86_64.so

runtime=$(clang -print-file-name=libclang_rt.asan-x86_64.so)
if [ ! -f "$runtime" ]; then
    echo "asan-suite: clang's ASan runtime ($runtime) is missing (install libclang-rt-dev)" >&2
    exit 1
fi
symbolizer=$(command -v llvm-symbolizer)

echo "asan-suite: building the instrumented module and unit tests in $build"
make --no-print-directory -f Makefile -f mk/hardening.mk ASAN_BUILD="$build" asan-build

# ---- unit tests -------------------------------------------------------------
# CK_FORK=no: one process, so a report names the test that was running.
echo "asan-suite: unit tests"
CK_FORK=no ASAN_SYMBOLIZER_PATH="$symbolizer" \
    ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1 \
    UBSAN_OPTIONS=print_stacktrace=1 \
    "$build/unit_tests"
echo "asan-suite: glue tests"
CK_FORK=no ASAN_SYMBOLIZER_PATH="$symbolizer" \
    ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1 \
    UBSAN_OPTIONS=print_stacktrace=1 \
    "$build/glue_tests"

# ---- the suite ----------------------------------------------------------------
hardening_find_httpd asan-suite

# The wrapper and the report directory must be usable by the suite's
# unprivileged user (t/run-suite.sh drops root).
work=$(mktemp -d "${TMPDIR:-/tmp}/cfaop-asan.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir "$work/reports"
chmod 1777 "$work/reports"
cat > "$work/httpd" <<EOF
#!/bin/sh
# httpd with clang's ASan runtime loaded first (made by scripts/asan-suite.sh).
LD_PRELOAD="$runtime\${LD_PRELOAD:+:\$LD_PRELOAD}"
ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:detect_odr_violation=0:log_path=$work/reports/asan"
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$work/reports/ubsan"
ASAN_SYMBOLIZER_PATH="$symbolizer"
export LD_PRELOAD ASAN_OPTIONS UBSAN_OPTIONS ASAN_SYMBOLIZER_PATH
exec "$httpd" "\$@"
EOF
chmod 755 "$work/httpd"

echo "asan-suite: Apache::Test suite, httpd loading $module"
rc=0
HTTPD="$work/httpd" APXS="$apxs" CFAOP_MODULE="$module" CFAOP_SANITIZER=asan \
    bash t/run-suite.sh "$@" || rc=$?

reports=$(find "$work/reports" -type f | sort)
if [ -n "$reports" ]; then
    mkdir -p "$build/reports"
    cp $reports "$build/reports/"
    echo "asan-suite: sanitizer reports (copied to $build/reports):" >&2
    for f in $reports; do
        echo "---- $(basename "$f")" >&2
        head -n 60 "$f" >&2
    done
    exit 1
fi
if [ "$rc" -ne 0 ]; then
    echo "asan-suite: the suite failed (exit $rc) with no sanitizer report" >&2
    exit "$rc"
fi
echo "asan-suite: unit tests and suite passed; no sanitizer report"
