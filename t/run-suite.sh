#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t/run-suite.sh [t/TEST.PL options] [t/file.t ...]: runs the Apache::Test
# suite against build/mod_cf_aop.so (`make apache-test`). Exits non-zero when
# a test fails or the server does not start.
#
# As an ordinary user it runs in place: the logs stay in t/logs.
# As root (CI) it cannot: Apache::Test refuses root, and the server's children
# could not read a checkout under a directory such as /root. So it copies t/,
# scripts/, conf/ (the shipped examples) and the module to a fresh temporary directory, hands that to an
# unprivileged system user ($CFAOP_TEST_USER, default cfaop-test, created when
# missing), runs the suite there as that user, copies t/logs back when the
# suite fails, and removes the copy. An ordinary user who cannot write t/
# gets the same, without the change of user.
#
# The server listens on 127.0.0.1 only, on ports chosen at run time, and is
# stopped at the end, whatever happened.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
cd "$top"

module=${CFAOP_MODULE:-$top/build/mod_cf_aop.so}
probe=${CFAOP_PROBE:-$top/build/cfaop-probe}   # t/probe.t runs it
if [ ! -f "$module" ]; then
    echo "run-suite: $module is missing; run make first" >&2
    exit 1
fi

apxs=${APXS:-$(command -v apxs || command -v apxs2 || true)}
if [ -z "$apxs" ]; then
    echo "run-suite: apxs not found (install apache2-dev, or set APXS)" >&2
    exit 1
fi
httpd=${HTTPD:-}
if [ -z "$httpd" ]; then
    httpd="$("$apxs" -q SBINDIR)/$("$apxs" -q TARGET)"
    [ -x "$httpd" ] || httpd=$(command -v apache2 || command -v httpd || true)
fi
if [ -z "$httpd" ] || [ ! -x "$httpd" ]; then
    echo "run-suite: the httpd binary was not found (set HTTPD)" >&2
    exit 1
fi

# ---- as root, or in a tree we cannot write: run a copy -------------------
if [ "$(id -u)" -eq 0 ] || [ ! -w "$top/t" ]; then
    runner=()
    owner=$(id -un)
    if [ "$(id -u)" -eq 0 ]; then
        owner=${CFAOP_TEST_USER:-cfaop-test}
        if ! id -u "$owner" >/dev/null 2>&1; then
            if command -v useradd >/dev/null 2>&1; then
                useradd --system --user-group --no-create-home --home-dir /nonexistent \
                    --shell /usr/sbin/nologin "$owner"
            else
                adduser --system --group --no-create-home --home /nonexistent "$owner"
            fi
        fi
        if command -v runuser >/dev/null 2>&1; then
            runner=(runuser -u "$owner" --)
        else
            runner=(setpriv --reuid="$owner" --regid="$(id -g "$owner")" --init-groups --)
        fi
    fi

    work=$(mktemp -d "${TMPDIR:-/tmp}/cfaop-suite.XXXXXX")
    cleanup() {
        local pidfile="$work/t/logs/httpd.pid" pid
        if [ -s "$pidfile" ]; then
            pid=$(cat "$pidfile")
            # Only the server this suite started, by its own pid file.
            if kill -0 "$pid" 2>/dev/null; then
                kill -TERM "$pid" 2>/dev/null || true
                sleep 1
            fi
        fi
        rm -rf "$work"
    }
    trap cleanup EXIT

    mkdir -p "$work/build" "$work/tmp"
    # The tree without what a previous in-place run generated.
    tar -C "$top" --exclude=t/logs --exclude=t/pki --exclude=t/state \
        --exclude=t/conf/httpd.conf --exclude=t/conf/extra.conf --exclude=t/conf/modules.conf \
        --exclude=t/conf/mime.types \
        --exclude=t/conf/apache_test_config.pm --exclude='t/conf/*.bak' \
        -cf - t scripts conf | tar -C "$work" -xf -
    cp "$module" "$work/build/mod_cf_aop.so"
    if [ -x "$probe" ]; then cp "$probe" "$work/build/cfaop-probe"; fi
    if [ "$(id -u)" -eq 0 ]; then
        chown -R "$owner:$(id -gn "$owner")" "$work"
    fi
    chmod 755 "$work"

    env_args=(PATH="$PATH" HOME="$work" TMPDIR="$work/tmp" LANG=C.UTF-8
              CFAOP_MODULE="$work/build/mod_cf_aop.so" APXS="$apxs" HTTPD="$httpd"
              CFAOP_PROBE="$work/build/cfaop-probe")
    [ -n "${CI:-}" ] && env_args+=(CI="$CI")
    # asan or valgrind (scripts/asan-suite.sh, valgrind-suite.sh): the
    # server's memory is the tool's, which tests of RSS must know.
    [ -n "${CFAOP_SANITIZER:-}" ] && env_args+=(CFAOP_SANITIZER="$CFAOP_SANITIZER")
    [ -n "${APACHE_TEST_TRACE_LEVEL:-}" ] && env_args+=(APACHE_TEST_TRACE_LEVEL="$APACHE_TEST_TRACE_LEVEL")

    rc=0
    ${runner[@]+"${runner[@]}"} env -i "${env_args[@]}" bash "$work/t/run-suite.sh" "$@" </dev/null || rc=$?
    if [ "$rc" -ne 0 ] && [ -d "$work/t/logs" ] && [ -w "$top/t" ]; then
        rm -rf "$top/t/logs"
        cp -R "$work/t/logs" "$top/t/logs"
        echo "run-suite: the failed run's logs are in t/logs" >&2
    fi
    exit "$rc"
fi

# ---- as an ordinary user: run in place ------------------------------------
stop_server() {
    local pidfile=t/logs/httpd.pid
    if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        perl t/TEST.PL -stop-httpd >/dev/null 2>&1 || kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
    fi
}
trap stop_server EXIT

# Start from a clean configuration (this also stops a server left running).
perl t/TEST.PL -clean >/dev/null 2>&1 || true

rc=0
perl t/TEST.PL -apxs "$apxs" -httpd "$httpd" "$@" </dev/null || rc=$?
if [ "$rc" -ne 0 ] && [ -f t/logs/error_log ]; then
    echo "run-suite: failed; the module's last messages and errors in t/logs/error_log:" >&2
    grep -E 'CFAOP[0-9]|\[[a-z_0-9]+:(error|crit|alert|emerg)\]|AH00051|AH00052' t/logs/error_log | tail -n 40 >&2 || true
fi
exit "$rc"
