#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scripts/compat.sh [RELEASE ...]: runs the README's two commands, `make demo`
# and `make test`, on fresh roots of each supported Debian release, as a new
# user would on a new machine, and prints one table row per release
# (`make compat`). Default releases: bullseye bookworm trixie.
#
# Needs root (debootstrap and chroot). Each release's bare root is made once
# with debootstrap from the mirror this machine's apt uses and kept as a
# tarball in build/compat/; every run unpacks a fresh copy, so nothing a
# previous run installed is there. The tree under test is `git archive HEAD`
# (committed work only), with nothing else of this machine in it. The roots
# share this machine's network: their servers listen on loopback, on ports
# the suite chooses. Logs: build/compat/RELEASE.log. Exits non-zero when a
# release fails.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
cd "$top"

if [ "$(id -u)" -ne 0 ]; then
    echo "compat: needs root (debootstrap, chroot)" >&2
    exit 2
fi
read -r -a releases <<< "${*:-bullseye bookworm trixie}"
out=${COMPAT_DIR:-build/compat}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The mirror this machine's apt already uses (deb822 or one-line sources).
mirror=${COMPAT_MIRROR:-}
if [ -z "$mirror" ]; then
    mirror=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' \
             | grep -v -- '-security' | head -n 1 || true)
    [ -n "$mirror" ] || mirror=$(grep -hsE '^deb ' /etc/apt/sources.list | awk '{print $2}' | head -n 1 || true)
fi
[ -n "$mirror" ] || { echo "compat: no Debian mirror found in apt's sources (set COMPAT_MIRROR)" >&2; exit 2; }

command -v debootstrap >/dev/null 2>&1 || {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap </dev/null >/dev/null
}

mounted=()
cleanup() {
    local m
    for m in "${mounted[@]+"${mounted[@]}"}"; do
        umount -l "$m" 2>/dev/null || true
    done
}
trap cleanup EXIT

bare_root() {
    local rel=$1 tarball=$out/$1-root.tar
    if [ ! -s "$tarball" ]; then
        local tmp=$out/$rel-bootstrap
        rm -rf "$tmp"
        debootstrap --variant=minbase "$rel" "$tmp" "$mirror" >"$out/$rel-debootstrap.log" 2>&1 \
            || { echo "compat: debootstrap $rel failed: $out/$rel-debootstrap.log" >&2; return 1; }
        tar -C "$tmp" -cf "$tarball" .
        rm -rf "$tmp"
    fi
    echo "$tarball"
}

# Runs a shell command as root inside ROOT.
in_root() {
    local root=$1
    shift
    chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 CI="${CI:-}" /bin/bash -c "$*"
}

rows=()
failed=0
for rel in "${releases[@]}"; do
    log=$out/$rel.log
    root=$out/$rel-root
    start=$(date +%s)
    echo "compat: $rel: fresh root, make demo, make test (log: $log)"
    tarball=$(bare_root "$rel") || { rows+=("$rel|-|-|-|FAIL (debootstrap)|-|-"); failed=1; continue; }
    rm -rf "$root"
    mkdir -p "$root"
    tar -C "$root" -xf "$tarball"
    for m in proc sys dev/pts dev/shm; do
        mkdir -p "$root/$m"
    done
    mount -t proc proc "$root/proc" && mounted+=("$root/proc")
    mount -t sysfs sys "$root/sys" && mounted+=("$root/sys")
    mount -t devpts -o newinstance devpts "$root/dev/pts" && mounted+=("$root/dev/pts")
    mount -t tmpfs shm "$root/dev/shm" && mounted+=("$root/dev/shm")
    cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    # Packages install services; none may start inside the root.
    printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
    chmod 755 "$root/usr/sbin/policy-rc.d"
    mkdir -p "$root/src/mod_cf_aop"
    git archive HEAD | tar -C "$root/src/mod_cf_aop" -xf -

    result=PASS
    {
        # A new machine has make; everything else the two commands install.
        in_root "$root" 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends make </dev/null' \
        && in_root "$root" 'cd /src/mod_cf_aop && make demo' \
        && echo "compat: make demo: ok" \
        && in_root "$root" 'cd /src/mod_cf_aop && make test' \
        && echo "compat: make test: ok"
    } >"$log" 2>&1 </dev/null || result=FAIL

    httpd=$(in_root "$root" 'apache2 -v 2>/dev/null | sed -n "s/^Server version: Apache\///p" | cut -d" " -f1' || true)
    ssl=$(in_root "$root" 'openssl version 2>/dev/null | cut -d" " -f2' || true)
    cc=$(in_root "$root" 'cc --version 2>/dev/null | head -n 1 | sed "s/.*) //"' || true)
    # make unit runs the Check unit tests, then the glue tests: two lines.
    checks=$(sed -n 's/^[0-9]*%: Checks: \([0-9]*\).*/\1/p' "$log" | paste -sd ' ' -)
    case $checks in
        *' '*) checks="${checks%% *} unit + ${checks#* } glue" ;;
        ?*) checks="$checks unit" ;;
    esac
    suite=$(sed -n 's/^Files=\([0-9]*\), Tests=\([0-9]*\).*/\1 files, \2 tests/p' "$log" | tail -n 1)
    grep -q '^All tests successful' "$log" || suite="${suite:-no result}${suite:+, not all passed}"
    secs=$(( $(date +%s) - start ))
    [ "$result" = PASS ] || failed=1
    rows+=("$rel|${httpd:--}|${ssl:--}|${cc:--}|$result|${checks:--}, ${suite:--}|${secs}s")

    for m in "$root/dev/shm" "$root/dev/pts" "$root/sys" "$root/proc"; do
        umount -l "$m" 2>/dev/null || true
    done
    mounted=()
    [ "$result" = PASS ] && rm -rf "$root"
done

# ---- headers: the module's sources compiled (not run) against OpenSSL
# without its deprecated API, and against the next major release's headers
# (Debian experimental), under -Werror.
header_check() {
    local label=$1 ok=PASS f
    shift
    local httpd_inc apr_inc apr_cpp
    httpd_inc=$(apxs -q INCLUDEDIR) apr_inc=$(apxs -q APR_INCLUDEDIR) apr_cpp=$(apxs -q EXTRA_CPPFLAGS)
    for f in src/*.c mod_cf_aop*.c; do
        # shellcheck disable=SC2086
        cc -fsyntax-only -std=gnu11 -Wall -Wextra -Werror "$@" -I"$apr_inc" $apr_cpp \
            -Isrc -I"$httpd_inc" -I. "$f" >>"$out/headers.log" 2>&1 || ok=FAIL
    done
    [ "$ok" = PASS ] || failed=1
    rows+=("$label|-|${header_version:--}|$(cc --version | head -n 1 | sed 's/.*) //')|$ok (compile only)|-|-")
}

: > "$out/headers.log"
header_version=$(openssl version | cut -d' ' -f2)
header_check "this machine, -DOPENSSL_NO_DEPRECATED" -DOPENSSL_API_COMPAT=30000 -DOPENSSL_NO_DEPRECATED

arch=$(dpkg --print-architecture)
exp=$out/openssl-experimental
if [ ! -d "$exp/usr/include/openssl" ]; then
    rm -rf "$exp" && mkdir -p "$exp"
    deb=$(curl -fsS -m 60 "$mirror/dists/experimental/main/binary-$arch/Packages.xz" 2>/dev/null | xz -dc 2>/dev/null \
          | awk '/^Package: libssl-dev$/ {p=1} p && /^Filename:/ {print $2; exit}' || true)
    if [ -n "$deb" ] && curl -fsS -m 120 -o "$exp/libssl-dev.deb" "$mirror/$deb"; then
        dpkg-deb -x "$exp/libssl-dev.deb" "$exp"
    fi
fi
if [ -f "$exp/usr/include/openssl/opensslv.h" ]; then
    header_version=$(sed -n 's/^# *define OPENSSL_FULL_VERSION_STR "\(.*\)"/\1/p' "$exp/usr/include/openssl/opensslv.h")
    header_check "experimental's libssl-dev headers" -I"$exp/usr/include/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)" -I"$exp/usr/include"
else
    rows+=("experimental's libssl-dev headers|-|-|-|SKIP (not reachable)|-|-")
fi

echo
echo "| Debian | httpd | OpenSSL | compiler | result | tests | time |"
echo "|---|---|---|---|---|---|---|"
for row in "${rows[@]}"; do
    IFS='|' read -r rel httpd ssl cc result tests secs <<< "$row"
    echo "| $rel | $httpd | $ssl | $cc | $result | $tests | $secs |"
done
exit "$failed"
