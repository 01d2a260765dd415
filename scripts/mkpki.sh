#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# mkpki.sh OUTDIR: a throwaway PKI for the Apache::Test suite and the demo.
#
# Every key is ECDSA P-256, every certificate is PEM. The structure (names,
# subjects, serials, extensions, fixed dates) is the same on every run; keys,
# signatures and the dates relative to "now" are not. Running it again
# replaces what it made before and leaves other files in OUTDIR alone.
# Needs only the openssl CLI and coreutils (and scripts/pki-lib.sh beside
# it); takes well under a second.
#
# Trust anchors (CA certificates, basicConstraints CA:TRUE):
#   root-ca.pem/.key       stand-in for the origin-pull CA  (serial 1001)
#   wrong-ca.pem/.key      a second, unrelated CA            (serial 1002)
#   int-ca.pem/.key        intermediate CA under root, pathlen 0 (serial 1003)
#   expiring-ca.pem        a CA that expires 10 days from now (serial 1004)
#   expired-ca.pem         a CA that expired in 2021          (serial 1005)
# Client (origin-pull) leaves, each with its own .key:
#   good.pem               signed by root-ca                (serial 0A1F00C0FFEE01)
#   expired.pem            root-ca, valid 2020-01-01..2021-01-01 (serial 0A1F00C0FFEE02)
#   notyet.pem             root-ca, valid 2045-01-01..2046-01-01 (serial 0A1F00C0FFEE03)
#   selfsigned.pem         self-signed, CA:FALSE            (serial 0A1F00C0FFEE04)
#   wrongca.pem            signed by wrong-ca               (serial 0A1F00C0FFEE05)
#   int-leaf.pem           signed by int-ca                 (serial 0A1F00C0FFEE06)
#   int-leaf-chain.pem     int-leaf.pem followed by int-ca.pem (what the client sends)
#   badsig.pem             root-ca, one byte of its signature flipped (serial 0A1F00C0FFEE07)
#   good2.pem              a second good leaf of root-ca   (serial 8E0000000000000000000000000000FF)
# Server:
#   server.pem/.key        self-signed, CN=localhost, SAN DNS:localhost, IP:127.0.0.1
# For configuration error cases:
#   notca.pem              self-signed, basicConstraints CA:FALSE
#   nocertsign-ca.pem      self-signed, CA:TRUE, keyUsage cRLSign only (no keyCertSign)
#   empty.pem              an empty file
#   garbage.pem            text with no certificate in it
# Also: ticket.key (48 random bytes, for SSLSessionTicketKeyFile).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/pki-lib.sh
. "$here/pki-lib.sh"

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/mkpki.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
pki_init "$work/pki"

ORG='/C=US/O=mod_cf_aop test, Inc./OU=AOP'
pki_ca root-ca  "$ORG/CN=AOP Test Origin Pull Root CA" 1001
pki_ca wrong-ca "/C=US/O=Elsewhere/CN=AOP Test Wrong CA" 1002
pki_int int-ca "$ORG/CN=AOP Test Intermediate CA" 1003 root-ca
pki_sign expiring-ca "$ORG/CN=AOP Test Expiring CA" 1004 root-ca -ext v3_ca \
    -dates "$(pki_days_from_now -1)" "$(pki_days_from_now 10)"
pki_sign expired-ca "$ORG/CN=AOP Test Expired CA" 1005 root-ca -ext v3_ca \
    -dates 20200101000000Z 20210101000000Z

LEAF="$ORG/OU=Origin Pull"
pki_leaf good    "$LEAF/CN=origin-pull.test"   0A1F00C0FFEE01 root-ca
pki_leaf expired "$LEAF/CN=expired.test"       0A1F00C0FFEE02 root-ca \
    -dates 20200101000000Z 20210101000000Z
pki_leaf notyet  "$LEAF/CN=not-yet-valid.test" 0A1F00C0FFEE03 root-ca \
    -dates 20450101000000Z 20460101000000Z
pki_self selfsigned "$LEAF/CN=self-signed.test" 0A1F00C0FFEE04
pki_leaf wrongca "/C=US/O=Elsewhere/CN=wrong-ca-leaf.test" 0A1F00C0FFEE05 wrong-ca
pki_leaf int-leaf "$LEAF/CN=intermediate-leaf.test" 0A1F00C0FFEE06 int-ca
cat int-leaf.pem int-ca.pem > int-leaf-chain.pem
pki_leaf badsig "$LEAF/CN=bad-signature.test" 0A1F00C0FFEE07 root-ca
pki_leaf good2 "$LEAF/CN=origin-pull-2.test" 8E0000000000000000000000000000FF root-ca

# Flip the last byte of the DER: it lies inside the signature value (the s
# integer of the ECDSA signature), so the certificate still parses.
openssl x509 -in badsig.pem -outform DER -out badsig.der
size=$(wc -c < badsig.der)
last=$(od -An -tu1 -j $((size - 1)) badsig.der | tr -d ' ')
printf "\\$(printf '%03o' $((last ^ 1)))" | dd of=badsig.der bs=1 seek=$((size - 1)) conv=notrunc 2>/dev/null
openssl x509 -inform DER -in badsig.der -out badsig.pem
rm -f badsig.der

pki_self server "/CN=localhost" 2001 -ext v3_server
pki_self notca "$ORG/CN=AOP Test Not A CA" 2002 -ext v3_notca
printf '%s\n' 'basicConstraints = critical, CA:TRUE' 'keyUsage = critical, cRLSign' \
    'subjectKeyIdentifier = hash' | pki_extensions v3_nocertsign
pki_self nocertsign-ca "$ORG/CN=AOP Test CRL-only CA" 2003 -ext v3_nocertsign
: > empty.pem
printf 'this file holds no certificate\n-----BEGIN NOTHING-----\nxyz\n' > garbage.pem
openssl rand -out ticket.key 48

for f in root-ca wrong-ca int-ca expiring-ca expired-ca good expired notyet selfsigned \
         wrongca int-leaf badsig good2 server notca nocertsign-ca; do
    mv -f "$f.pem" "$f.key" "$out/"
done
mv -f int-leaf-chain.pem empty.pem garbage.pem ticket.key "$out/"
chmod 644 "$out"/*.pem "$out"/*.key "$out/ticket.key"
