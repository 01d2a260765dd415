# SPDX-License-Identifier: Apache-2.0
# scripts/hardening-lib.sh: what the hardening scripts (asan-suite.sh,
# valgrind-suite.sh, fuzz/run.sh) share: finding httpd, and clang with its
# sanitizer runtimes. Sourced; sets no options and no traps.

# hardening_ensure_clang WHO RUNTIME: clang, llvm-symbolizer and clang's
# RUNTIME file (e.g. libclang_rt.asan-x86_64.so); as root on Debian, installs
# clang, libclang-rt-dev and llvm when one is missing, else exits naming
# them. WHO prefixes the messages.
hardening_ensure_clang() {
    local who=$1 runtime=$2 rt
    rt=$(clang -print-file-name="$runtime" 2>/dev/null || true)
    if command -v clang >/dev/null 2>&1 && [ -f "$rt" ] && command -v llvm-symbolizer >/dev/null 2>&1; then
        return 0
    fi
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "$who: needs clang with $runtime and llvm-symbolizer (Debian: apt-get install clang libclang-rt-dev llvm)" >&2
        exit 1
    fi
    echo "$who: installing clang libclang-rt-dev llvm"
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        clang libclang-rt-dev llvm </dev/null
}

# hardening_find_httpd WHO: sets apxs and httpd ($APXS and $HTTPD when set,
# else apxs's own httpd, else apache2 or httpd on the PATH), or exits.
hardening_find_httpd() {
    local who=$1
    apxs=${APXS:-$(command -v apxs || command -v apxs2 || true)}
    httpd=${HTTPD:-}
    if [ -z "$httpd" ] && [ -n "$apxs" ]; then
        httpd="$("$apxs" -q SBINDIR)/$("$apxs" -q TARGET)"
    fi
    [ -n "$httpd" ] && [ -x "$httpd" ] || httpd=$(command -v apache2 || command -v httpd || true)
    if [ -z "$httpd" ] || [ ! -x "$httpd" ]; then
        echo "$who: the httpd binary was not found (set HTTPD)" >&2
        exit 1
    fi
}
