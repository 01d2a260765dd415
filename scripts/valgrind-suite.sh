#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scripts/valgrind-suite.sh [t/TEST.PL options]: the Apache::Test suite with
# httpd under valgrind memcheck (`make valgrind`). Slow (tens of minutes);
# not part of CI.
#
# The module is built without optimisation into build/valgrind
# ($VALGRIND_BUILD) so that stacks are exact. The server is started through
# a wrapper that puts it under valgrind with --leak-check=full; the other
# httpd runs of the suite (httpd -V, httpd -t) run without valgrind. When
# the suite stops the server, valgrind writes a leak report for every
# process that exits (log files vg.PID).
#
# Two ways to run the server:
#   VALGRIND_ONE_PROCESS=1  a single process (Apache::Test's -one-process,
#            httpd -D ONE_PROCESS): one log, threads of one process. httpd
#            ignores graceful restarts in this mode, so the test files that
#            restart the server (they call httpd_signal_restart) are left
#            out unless files are named.
#   default  httpd as it normally runs (-D FOREGROUND, so valgrind follows
#            the parent and, through fork, every child): the whole suite
#            passes, graceful restarts included, and the parent's report
#            shows what a configuration reload leaves behind.
#
# Reported: valgrind's errors (invalid reads and writes, uses of
# uninitialised values, bad frees) and definitely lost blocks, split into
# those whose stack names the module (a cfaop_* function or a mod_cf_aop
# file) and the rest (httpd, APR, OpenSSL: listed, not counted against the
# module). Exits non-zero when the module has an error or a definite leak,
# or when valgrind wrote no leak report (the server did not exit cleanly).
# The logs are kept in build/valgrind/reports.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
cd "$top"

build=${VALGRIND_BUILD:-build/valgrind}
case "$build" in /*) build_abs=$build ;; *) build_abs=$top/$build ;; esac

bash scripts/install-deps.sh
if ! command -v valgrind >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "valgrind-suite: valgrind is missing (Debian: apt-get install valgrind)" >&2
        exit 1
    fi
    echo "valgrind-suite: installing valgrind"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends valgrind </dev/null
fi

echo "valgrind-suite: building the module in $build (-O0 -g)"
make --no-print-directory BUILD="$build" OPT="-O0 -g -fno-omit-frame-pointer" "$build/mod_cf_aop.so"

# shellcheck source=scripts/hardening-lib.sh
. "$here/hardening-lib.sh"
hardening_find_httpd valgrind-suite

foreground="-D FOREGROUND"
[ "${VALGRIND_ONE_PROCESS:-0}" = 1 ] && foreground=""
work=$(mktemp -d "${TMPDIR:-/tmp}/cfaop-valgrind.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir "$work/reports"
chmod 1777 "$work/reports"
cat > "$work/httpd" <<EOF
#!/bin/sh
# httpd under valgrind when it is the server (made by scripts/valgrind-suite.sh):
# not for httpd -t, -V, -v, -l, -L, -M, -S or -k.
case " \$* " in
*" -t "*|*" -V "*|*" -v "*|*" -l "*|*" -L "*|*" -M "*|*" -S "*|*" -k "*) ;;
*" -f "*)
    exec valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite \\
        --errors-for-leak-kinds=definite --num-callers=40 --keep-debuginfo=yes \\
        --log-file="$work/reports/vg.%p" "$httpd" $foreground "\$@" ;;
esac
exec "$httpd" "\$@"
EOF
chmod 755 "$work/httpd"

suite_args=(-startup_timeout 600)
if [ "${VALGRIND_ONE_PROCESS:-0}" = 1 ]; then
    suite_args+=(-one-process)
    # httpd ignores graceful restarts in this mode: without named files,
    # run every file but those that restart the server.
    if [ $# -eq 0 ]; then
        while read -r f; do
            grep -q httpd_signal_restart "$f" || suite_args+=("$f")
        done < <(ls t/*.t)
    fi
    echo "valgrind-suite: Apache::Test suite, single-process httpd under valgrind (slow)"
else
    echo "valgrind-suite: Apache::Test suite, httpd and its children under valgrind (slow)"
fi
rc=0
start=$(date +%s)
HTTPD="$work/httpd" APXS="$apxs" CFAOP_MODULE="$build_abs/mod_cf_aop.so" CFAOP_SANITIZER=valgrind \
    bash t/run-suite.sh "${suite_args[@]}" "$@" || rc=$?
elapsed=$(( $(date +%s) - start ))

rm -rf "$build/reports"
mkdir -p "$build/reports"
cp "$work"/reports/vg.* "$build/reports/" 2>/dev/null || true

# Split each log into records (a record ends at an empty "==PID== " line)
# and classify them.
summary=$(awk '
    function flush() {
        if (rec == "") return
        kind = ""
        if (rec ~ /definitely lost in loss record/) kind = "leak"
        else if (rec ~ /(Invalid (read|write|free)|uninitialised|Conditional jump|Mismatched free|overlap|Syscall param)/) kind = "error"
        if (kind != "") {
            ours = (rec ~ /(cfaop_|mod_cf_aop)/) ? "module" : "other"
            n[kind "_" ours]++
            if (ours == "module") print "----\n" rec > "/dev/stderr"
        }
        rec = ""
    }
    /HEAP SUMMARY/ { heaps++ }
    /^==[0-9]+== *$/ { flush(); next }
    /^==[0-9]+== / { sub(/^==[0-9]+== /, ""); rec = rec $0 "\n" }
    END {
        flush()
        printf "logs=%d heap_summaries=%d module_errors=%d module_definite_leaks=%d other_errors=%d other_definite_leaks=%d\n",
               files, heaps, n["error_module"], n["leak_module"], n["error_other"], n["leak_other"]
    }
    FNR == 1 { files++ }
' "$build"/reports/vg.* 2>"$build/reports/module-records.txt" </dev/null || true)

echo "valgrind-suite: suite exit $rc after ${elapsed}s; $summary"
if [ -s "$build/reports/module-records.txt" ]; then
    echo "valgrind-suite: records that name the module:" >&2
    head -n 200 "$build/reports/module-records.txt" >&2
fi
heaps=$(sed -n 's/.*heap_summaries=\([0-9]*\).*/\1/p' <<< "$summary")
mod_err=$(sed -n 's/.*module_errors=\([0-9]*\).*/\1/p' <<< "$summary")
mod_leak=$(sed -n 's/.*module_definite_leaks=\([0-9]*\).*/\1/p' <<< "$summary")
if [ "${heaps:-0}" -eq 0 ]; then
    echo "valgrind-suite: valgrind wrote no leak report: the server did not exit normally" >&2
    exit 1
fi
if [ "${mod_err:-0}" -ne 0 ] || [ "${mod_leak:-0}" -ne 0 ]; then
    echo "valgrind-suite: memory errors or definite leaks in the module (logs: $build/reports)" >&2
    exit 1
fi
if [ "$rc" -ne 0 ]; then
    echo "valgrind-suite: valgrind is clean for the module, but the suite failed (exit $rc)" >&2
    exit "$rc"
fi
echo "valgrind-suite: clean (logs: $build/reports)"
