#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t/pki.d/handshake-ownroot.sh PKI_DIR: a client that brings its own root
# (t/untrusted-root.t). Run by t/TEST.PL after scripts/mkpki.sh; needs the
# openssl CLI only.
#
#   own-root-ca.pem          self-signed CA:TRUE that no vhost trusts (serial 4001)
#   own-root-leaf.pem/.key   leaf signed by own-root-ca              (serial 0A1F00C0FFEE41)
#   own-root-leaf-chain.pem  own-root-leaf.pem then own-root-ca.pem (what the client sends)
#   big-subject.pem/.key     self-signed leaf whose subject is over 4 KB: 70 OUs
#                            of 60 characters (t/handshake-logline.t) (serial 0A1F00C0FFEE42)
#   good-nokey.pem/.key      good.pem, with a key that carries good.pem's public
#                            key but another private scalar: OpenSSL loads it as
#                            matching, and the client's CertificateVerify fails
#                            (t/handshake-nokey.t)
set -euo pipefail

# shellcheck source=scripts/pki-lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../../scripts" && pwd)/pki-lib.sh"

pki_extra_start ownroot "$@"

pki_ca   own-root-ca   "/C=US/O=Own Root Client/CN=Own Root CA" 4001
pki_leaf own-root-leaf "/C=US/O=Own Root Client/CN=own-root-leaf.test" 0A1F00C0FFEE41 own-root-ca
cat own-root-leaf.pem own-root-ca.pem > own-root-leaf-chain.pem

big="/C=US/O=Big Subject Client"
for i in $(seq -w 1 70); do
    big="$big/OU=unit-$i-$(printf '%052d' 0 | tr 0 x)"
done
pki_self big-subject "$big/CN=big-subject.test" 0A1F00C0FFEE42

# A SEC1 EC key is the private scalar and, optionally, the public point;
# OpenSSL takes the point as given. The scalar is big-subject's.
hex_of() { tr -d ' :\n'; }
priv=$(openssl ec -in big-subject.key -text -noout 2>/dev/null | sed -n '/^priv:/,/^pub:/p' | sed '1d;$d' | hex_of)
pub=$(openssl x509 -in "$out/good.pem" -noout -pubkey \
      | openssl ec -pubin -text -noout 2>/dev/null | sed -n '/^pub:/,/^ASN1/p' | sed '1d;$d' | hex_of)
printf '%s\n' 'asn1=SEQUENCE:ec' '[ec]' 'version=INTEGER:1' \
    "priv=FORMAT:HEX,OCTETSTRING:$priv" 'params=EXPLICIT:0,OID:prime256v1' \
    "pub=EXPLICIT:1,FORMAT:HEX,BITSTRING:$pub" > nokey.cnf
openssl asn1parse -genconf nokey.cnf -noout -out nokey.der
{ echo '-----BEGIN EC PRIVATE KEY-----'; base64 -w 64 nokey.der; echo '-----END EC PRIVATE KEY-----'; } > good-nokey.key
cp "$out/good.pem" good-nokey.pem

for f in good-nokey.pem good-nokey.key own-root-ca.pem own-root-ca.key own-root-leaf.pem own-root-leaf.key own-root-leaf-chain.pem \
         big-subject.pem big-subject.key; do
    mv -f "$f" "$out/"
    chmod 644 "$out/$f"
done
