#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Instructions per verification (callgrind), engine vs plain X509_verify_cert,
# on one fixed chain: the Cloudflare-like case (RSA-4096 CA, leaf signed by it)
# and an ECDSA P-256 one. Prints a small table for docs/performance.md.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-200}
make -C "$top" -s build/libcfaop.a >/dev/null
APR_INC=$(apxs -q APR_INCLUDEDIR)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cc -O2 -g -Wall -Wextra -Werror -I"$APR_INC" $(apxs -q EXTRA_CPPFLAGS) -I"$top/src" \
   -o "$work/verify_cost" "$top/bench/verify_cost.c" "$top/build/libcfaop.a" -lapr-1 -lssl -lcrypto
cd "$work"
mkpki() { # name keyopts
    openssl req -x509 $2 -nodes -keyout $1-ca.key -out $1-ca.pem -subj "/CN=$1 CA" -days 365 \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $1-leaf.key -out $1-leaf.csr \
        -subj "/CN=$1 leaf" 2>/dev/null
    printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' > ext
    openssl x509 -req -in $1-leaf.csr -CA $1-ca.pem -CAkey $1-ca.key -set_serial 7 -days 30 \
        -extfile ext -out $1-leaf.pem 2>/dev/null
}
mkpki rsa4096 "-newkey rsa:4096"
mkpki p256 "-newkey ec -pkeyopt ec_paramgen_curve:P-256"
count() { # mode name
    valgrind --tool=callgrind --callgrind-out-file=cg.out ./verify_cost "$1" "$N" "$2-ca.pem" "$2-leaf.pem" >/dev/null 2>cg.err
    awk '/^summary:|^totals:/ {print $2; exit}' cg.out
}
printf '%-10s %-16s %14s %14s\n' chain mode "instr/verify" "vs plain"
for name in rsa4096 p256; do
    base=$(count none $name)
    plain=$(( ($(count plain $name) - base) / N ))
    for mode in plain engine-nocache engine; do
        v=$(( ($(count $mode $name) - base) / N ))
        printf '%-10s %-16s %14d %13.3fx\n' "$name" "$mode" "$v" "$(echo "$v / $plain" | bc -l)"
    done
done
