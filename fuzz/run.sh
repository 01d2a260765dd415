#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# fuzz/run.sh MODE: builds and runs the libFuzzer targets of fuzz/.
#
#   smoke   every target for FUZZ_RUNS inputs (default 20000), starting from
#           its seeds in fuzz/corpus/TARGET; what `make fuzz` and CI run
#   long    every target (or FUZZ_TARGETS) for FUZZ_SECONDS each (default
#           600), one process, keeping what it finds in build/fuzz/corpus
#   seeds   remakes fuzz/corpus/ (needs openssl; the files are committed)
#
# Environment: FUZZ_BUILD (build/fuzz), FUZZ_TARGETS ("cert crl"; default
# all), FUZZ_RUNS, FUZZ_SECONDS, FUZZ_NO_BUILD=1 (use the binaries as they
# are), FUZZ_ARGS (more libFuzzer flags, e.g. "-jobs=2 -workers=2").
#
# Prints one line per target: executions, seconds, corpus size, result;
# libFuzzer's own output is in build/fuzz/logs/TARGET-MODE-TIME-PID.log.
# Exits non-zero when a target crashes, leaks, times out or breaks one of
# its FUZZ_ASSERT properties; the input that did it is left in
# build/fuzz/artifacts/, and the line says how to replay it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
cd "$top"

mode=${1:-smoke}
build=${FUZZ_BUILD:-build/fuzz}
all_targets=(serial denyfile pin hostmap rfc9440 leg1 sessionrec crl cert anchors directive logesc sni clientip)
read -r -a targets <<< "${FUZZ_TARGETS:-${all_targets[*]}}"

# ---- tools ----------------------------------------------------------------

# shellcheck source=scripts/hardening-lib.sh
. "$top/scripts/hardening-lib.sh"

build_targets() {
    [ "${FUZZ_NO_BUILD:-}" = 1 ] && return 0
    hardening_ensure_clang fuzz/run.sh libclang_rt.fuzzer-x86_64.a
    make --no-print-directory -f Makefile -f mk/hardening.mk FUZZ_BUILD="$build" fuzz-build
}

# ---- seeds ------------------------------------------------------------------

make_seeds() {
    local work c
    work=$(mktemp -d "${TMPDIR:-/tmp}/cfaop-seeds.XXXXXX")
    trap 'rm -rf "$work"' RETURN
    bash scripts/mkpki.sh "$work/pki" >/dev/null
    [ -x "$build/fuzz_directive" ] || build_targets
    FUZZ_WRITE_FIXTURES="$work" "$build/fuzz_directive" -runs=0 >/dev/null 2>&1
    local p=$work/pki
    for n in good expired wrongca int-leaf int-ca root-ca selfsigned badsig notca good2; do
        openssl x509 -in "$p/$n.pem" -outform DER -out "$work/$n.der"
    done
    c=fuzz/corpus
    rm -rf "$c"
    mkdir -p "$c"/{serial,denyfile,pin,hostmap,rfc9440,leg1,sessionrec,crl,cert,anchors,directive,logesc,sni,clientip}
    # logesc: a value that tries to end its quotes, and escaped and UTF-8 bytes
    printf 'x" reason=ok' > "$c/logesc/quote"
    printf 'CN=caf\xc3\xa9\\, Inc.\n' > "$c/logesc/utf8"
    # sni: one host_name, and one after a name of another type
    printf '\x00\x13\x00\x00\x10app.example.test' > "$c/sni/one"
    printf '\x00\x0c\x07\x00\x02xy\x00\x00\x04h.tx' > "$c/sni/two"
    # clientip: IPv4, IPv6 (compressed, mapped), and a list, a port, a zone
    printf '203.0.113.9' > "$c/clientip/v4"
    printf '2001:DB8:0:0::1' > "$c/clientip/v6"
    printf '::ffff:203.0.113.10' > "$c/clientip/mapped"
    printf '203.0.113.9, 198.51.100.1' > "$c/clientip/list"
    printf '203.0.113.9:443' > "$c/clientip/port"
    printf 'fe80::1%%eth0' > "$c/clientip/zone"

    # serial: every syntax serial.h lists, and a few that must fail
    local i=0
    for s in '0A1F00C0FFEE01' 'serial=0A1F00C0FFEE01' '0a:1f:00:c0:ff:ee:01' '0x0a1f00c0ffee01' \
             '4096 (0x1000)' 'dec:649637853628928813316929457664831001767' '  01:2:ab  ' '00' \
             '8E0000000000000000000000000000FF' '-01' '0A1F 00' \
             '123456789012345678901234567890123456789012'; do
        printf '%s' "$s" > "$c/serial/s$((i++))"
    done

    # denyfile: comments, a BOM, CRLF, the forms, a blank line
    printf '\xef\xbb\xbf# revoked origin-pull leaves\n0A1F00C0FFEE01\r\nserial=0A1F00C0FFEE02  # expired\n\n  0x8E0000000000000000000000000000FF\n4096 (0x1000)\ndec:3565\n0d:e1\n' > "$c/denyfile/d0"
    printf '01\n02\nzz\n' > "$c/denyfile/d1"
    printf '\xef\xbb\xbf0A1F00C0FFEE01\n1234\n' > "$c/denyfile/d2"

    # pin: fingerprint as openssl prints it, plain, SPKI base64, wrong kinds
    openssl x509 -in "$p/good.pem" -noout -fingerprint -sha256 | sed 's/.*=//' | tr -d '\n' > "$c/pin/p0"
    tr -d ':' < "$c/pin/p0" | tr 'A-F' 'a-f' > "$c/pin/p1"
    openssl x509 -in "$p/good.pem" -noout -pubkey | openssl pkey -pubin -outform DER \
        | openssl dgst -sha256 -binary | base64 | tr -d '\n' > "$c/pin/p2"
    tr '+/' '-_' < "$c/pin/p2" > "$c/pin/p3"
    openssl x509 -in "$p/good.pem" -noout -fingerprint -sha1 | sed 's/.*=//' | tr -d '\n' > "$c/pin/p4"

    # hostmap: map-file lines
    printf 'app.example.com   /etc/aop/app-ca.pem\n*.example.com /etc/aop/wild-ca.pem /etc/aop/wild-new.pem  # rotation\n# a comment\n\nAdmin.Example.com. admin.pem\n' > "$c/hostmap/m0"
    printf '\xef\xbb\xbfapp.example.com /etc/aop/app-ca.pem\r\n# saved by an editor that writes a BOM\n' > "$c/hostmap/m2"
    printf 'bad_host!.example x.pem\n*.*.example.com y.pem\nlonely.example.com\n' > "$c/hostmap/m1"

    # rfc9440: mode byte, then the value (0 cert, 1 chain, 2 base64, 3 DER)
    { printf '\x00'; printf ':%s:' "$(base64 -w0 < "$work/leaf.der")"; } > "$c/rfc9440/r0"
    { printf '\x01'; printf ':%s:, :%s:' "$(base64 -w0 < "$work/int-leaf.der")" "$(base64 -w0 < "$work/int-ca.der")"; } > "$c/rfc9440/r1"
    { printf '\x02'; base64 -w0 < "$work/good.der"; } > "$c/rfc9440/r2"
    { printf '\x03'; cat "$work/good.der"; } > "$c/rfc9440/r3"
    { printf '\x00'; printf ' :%s:;a=1' "$(base64 -w0 < "$work/good.der")"; } > "$c/rfc9440/r4"

    # leg1: mode byte (bit 0 httpd merge, bit 1 Verify), then header lines
    local fp leaf_b64
    fp=$(openssl x509 -in "$work/leaf.pem" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
    leaf_b64=$(base64 -w0 < "$work/leaf.der")
    { printf '\x02'
      printf 'Host: app.example.com\ncf-cert-presented: true\ncf-cert-verified: true\ncf-cert-revoked: false\n'
      printf 'cf-cert-subject-dn: CN=client,O=Example\ncf-cert-issuer-dn: CN=cfaop fuzz CA,O=mod_cf_aop fuzz\n'
      printf 'cf-cert-serial: 0A1F\ncf-cert-fingerprint-sha256: %s\n' "$fp"
      printf 'cf-cert-not-before: Jan  1 00:00:00 2020 GMT\ncf-cert-not-after: Dec 31 23:59:59 2099 GMT\n'
      printf 'Client-Cert: :%s:\n' "$leaf_b64"; } > "$c/leg1/l0"
    { printf '\x01'
      printf 'cf-cert-serial: 01\ncf-client-cert-serial: 01\nCF-Cert-Verified: true\ncf-cert-verified: false\n'
      printf 'cf_cert_evil: 1\ncf-client-cert-pem: forged\nClient-Cert-Chain: :%s:\n' "$leaf_b64"; } > "$c/leg1/l1"
    { printf '\x03'; printf 'Client-Cert: :%s:\nClient-Cert-Chain: :%s:\ncf-cert-fingerprint-sha256: %s\n' \
        "$(base64 -w0 < "$work/int-leaf.der")" "$(base64 -w0 < "$work/int-ca.der")" "$fp"; } > "$c/leg1/l2"

    # sessionrec: "CFS1", name length, name, "CFA1" chain blob (mode 0); a bare blob (mode 1)
    local len hex
    len=$(stat -c %s "$work/int-ca.der")
    hex=$(printf '%08x' "$len")
    blob() { printf 'CFA1'; printf "\\x${hex:0:2}\\x${hex:2:2}\\x${hex:4:2}\\x${hex:6:2}"; cat "$work/int-ca.der"; }
    { printf '\x00CFS1\x04zone'; blob; } > "$c/sessionrec/r0"
    { printf '\x00CFS1\x14hostname:app.example'; } > "$c/sessionrec/r1"
    { printf '\x01'; blob; } > "$c/sessionrec/r2"

    # crl: a real CRL (root-ca revokes good2 and the fuzz leaf's serial),
    # DER re-signed (mode 1), PEM re-signed with a cert block (7), raw PEM (0)
    mkdir -p "$work/ca"
    : > "$work/ca/index.txt"
    printf 'R\t300101000000Z\t240101000000Z,keyCompromise\t8E0000000000000000000000000000FF\tunknown\t/CN=good2\n' >> "$work/ca/index.txt"
    printf 'R\t300101000000Z\t240101000000Z\t0A1F\tunknown\t/CN=cfaop fuzz leaf\n' >> "$work/ca/index.txt"
    printf 'R\t300101000000Z\t240101000000Z,removeFromCRL\t0A1F00C0FFEE01\tunknown\t/CN=good\n' >> "$work/ca/index.txt"
    cat > "$work/ca/ca.cnf" <<EOF
[ ca ]
default_ca = d
[ d ]
database = $work/ca/index.txt
crlnumber = $work/ca/crlnumber
default_md = sha256
default_crl_days = 30
crl_extensions = crl_ext
[ crl_ext ]
authorityKeyIdentifier = keyid:always
EOF
    echo 01 > "$work/ca/crlnumber"
    openssl ca -gencrl -config "$work/ca/ca.cnf" -cert "$p/root-ca.pem" -keyfile "$p/root-ca.key" \
        -out "$work/root.crl" 2>/dev/null
    openssl crl -in "$work/root.crl" -outform DER -out "$work/root.crl.der"
    { printf '\x01'; cat "$work/root.crl.der"; } > "$c/crl/c0"
    { printf '\x07'; cat "$work/root.crl.der"; } > "$c/crl/c1"
    { printf '\x00'; cat "$work/root.crl"; } > "$c/crl/c2"
    { printf '\x00'; cat "$work/root.crl" "$p/int-ca.pem"; } > "$c/crl/c3"

    # cert: mode byte (see fuzz_cert.c), then DER certificates
    { printf '\x00'; cat "$work/leaf.der" "$work/ca.der"; } > "$c/cert/t0"
    { printf '\x01'; cat "$work/leaf.der"; } > "$c/cert/t1"
    { printf '\x05'; cat "$work/good.der"; } > "$c/cert/t2"
    { printf '\x06'; cat "$work/int-leaf.der" "$work/int-ca.der"; } > "$c/cert/t3"
    { printf '\x05'; cat "$work/expired.der"; } > "$c/cert/t4"
    { printf '\x0d'; cat "$work/good2.der" "$work/root-ca.der"; } > "$c/cert/t5"
    { printf '\x00'; cat "$work/wrongca.der"; } > "$c/cert/t6"
    { printf '\x05'; cat "$work/badsig.der"; } > "$c/cert/t7"
    { printf '\x04'; cat "$work/selfsigned.der"; } > "$c/cert/t8"
    # serial 0BAD is on the fuzz target's CRL: re-signed, it is revoked
    openssl req -new -x509 -key "$p/good.key" -subj '/CN=revoked leaf' -set_serial 0x0BAD -days 3650 \
        -addext 'basicConstraints=critical,CA:FALSE' -addext 'extendedKeyUsage=clientAuth' \
        -outform DER -out "$work/revoked.der" 2>/dev/null
    { printf '\x05'; cat "$work/revoked.der"; } > "$c/cert/t9"

    # anchors: CA files
    cp "$work/ca.pem" "$c/anchors/a0"
    cat "$p/root-ca.pem" "$p/int-ca.pem" > "$c/anchors/a1"
    cp "$work/root-ca.der" "$c/anchors/a2"
    cp "$p/notca.pem" "$c/anchors/a3"
    cat "$p/root-ca.pem" "$p/garbage.pem" > "$c/anchors/a4"

    # directive: arguments
    i=0
    for s in On off ReportOnly Strip Trust Verify 1 16 017 0 '' '2 '; do
        printf '%s' "$s" > "$c/directive/v$((i++))"
    done
    echo "fuzz/run.sh: seeds written to $c"
}

# ---- running ------------------------------------------------------------------

# One target: prints "TARGET execs=N seconds=S corpus=C result".
run_target() {
    local t=$1 bin=$build/fuzz_$1 work=$build/corpus/$1 art=$build/artifacts log rc=0
    local flags=(-timeout=25 -rss_limit_mb=2560 -print_final_stats=1
                 -artifact_prefix="$art/$t-" -max_len=8192)
    mkdir -p "$work" "$art" "$build/logs"
    # One log per run: a smoke run beside a long one must not clobber it.
    log=$build/logs/$t-$mode-$(date +%Y%m%d-%H%M%S)-$$.log
    if [ "$mode" = smoke ]; then
        flags+=(-runs="${FUZZ_RUNS:-20000}" -seed=1)
    else
        flags+=(-max_total_time="${FUZZ_SECONDS:-600}")
    fi
    # shellcheck disable=SC2086
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
        "$bin" "${flags[@]}" ${FUZZ_ARGS:-} "$work" "fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
    local execs secs corpus
    execs=$(tr -d '\000' < "$log" | sed -n 's/^stat::number_of_executed_units: *//p' | tail -n1)
    secs=$(tr -d '\000' < "$log" | sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' | tail -n1)
    corpus=$(find "$work" -type f | wc -l)
    if [ "$rc" -eq 0 ]; then
        printf '%-11s execs=%-10s seconds=%-5s corpus=%-5s ok\n' "$t" "${execs:-?}" "${secs:-?}" "$corpus"
    else
        printf '%-11s execs=%-10s seconds=%-5s corpus=%-5s FAILED (exit %d)\n' "$t" "${execs:-?}" "${secs:-?}" "$corpus" "$rc"
        grep -aE 'ERROR: |FUZZ_ASSERT|SUMMARY|Test unit written to' "$log" | head -n 8 | sed 's/^/    /'
        echo "    log: $log; replay: $bin <the file named above>"
        return 1
    fi
}

case "$mode" in
seeds)
    make_seeds
    ;;
smoke|long)
    build_targets
    failed=0
    start=$(date +%s)
    for t in "${targets[@]}"; do
        [ -x "$build/fuzz_$t" ] || { echo "fuzz/run.sh: no target $t" >&2; exit 2; }
        run_target "$t" || failed=$((failed + 1))
    done
    echo "fuzz/run.sh: ${#targets[@]} target(s), $failed failed, $(( $(date +%s) - start )) s"
    [ "$failed" -eq 0 ]
    ;;
*)
    echo "usage: fuzz/run.sh smoke|long|seeds" >&2
    exit 2
    ;;
esac
