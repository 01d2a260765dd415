#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t/pki.d/identity.sh PKI_DIR: the end clients' side of the identity tests
# (t/identity*.t): certificates that Cloudflare would have seen on Leg 1
# and forwards in Client-Cert / Client-Cert-Chain. Run by t/TEST.PL after
# scripts/mkpki.sh; needs the openssl CLI only; well under two seconds.
#
# ECDSA P-256 keys, PEM certificates, each with its .key:
#   endclient-ca.pem       the end-client CA (CFAOPClientCA), self-signed,
#                          CA:TRUE                                   (serial 3001)
#   endclient-int.pem      intermediate under endclient-ca, pathlen 0 (serial 3002)
#   alice.pem              leaf of endclient-ca                      (serial 0E1D0A11CE01)
#   bob.pem                leaf of endclient-int (valid only with the
#                          intermediate as Client-Cert-Chain)        (serial 0E1D0B0B0002)
#   forged.pem             self-signed look-alike of alice: same subject,
#                          same serial, its own key, not CA-issued
#   alice-mid.pem          leaf of endclient-ca with a ~7 KB extension:
#                          its base64 DER stays under the 10 KiB header limit
#   alice-big.pem          the same with a ~9 KB extension: its base64 DER
#                          (about 12 KiB) is over the limit
# Also identity-modules.conf: a LoadModule line for mod_rewrite when the
# server does not load it and apxs finds it (included by
# t/conf/identity.conf.in), else only a comment.
set -euo pipefail

# shellcheck source=scripts/pki-lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../../scripts" && pwd)/pki-lib.sh"

pki_extra_start idpki "$@"

# padded_client NAME SIZE: extension section v3_client_NAME, v3_client's
# without the key identifiers, plus a private extension of SIZE bytes
padded_client() {
    pki_extensions "v3_client_$1" <<EOF
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
1.3.6.1.4.1.32473.1 = ASN1:UTF8String:$(head -c "$2" /dev/zero | tr '\0' 'x')
EOF
}
padded_client mid 7000
padded_client big 9000

ORG='/O=End Client Test, Ltd./OU=Leg 1'
pki_ca   endclient-ca  "$ORG/CN=End Client Test CA" 3001
pki_int  endclient-int "$ORG/CN=End Client Test Intermediate" 3002 endclient-ca -days 825
pki_leaf alice     "$ORG/CN=alice.example"      0E1D0A11CE01 endclient-ca
pki_leaf bob       "$ORG/CN=bob.example"        0E1D0B0B0002 endclient-int
pki_leaf alice-mid "$ORG/CN=alice-mid.example"  0E1D0A11CE03 endclient-ca -ext v3_client_mid
pki_leaf alice-big "$ORG/CN=alice-big.example"  0E1D0A11CE04 endclient-ca -ext v3_client_big
pki_self forged    "$ORG/CN=alice.example"      0E1D0A11CE01

for f in endclient-ca endclient-int alice bob alice-mid alice-big forged; do
    mv -f "$f.pem" "$f.key" "$out/"
    chmod 644 "$out/$f.pem" "$out/$f.key"
done

# mod_rewrite for t/identity.t's RewriteCond %{ENV:...} case, from where
# apxs says the server's modules are.
apxs=${APXS:-$(command -v apxs || command -v apxs2 || true)}
libexec=
[ -n "$apxs" ] && libexec=$("$apxs" -q LIBEXECDIR 2>/dev/null || true)
{
    echo "# written by t/pki.d/identity.sh"
    if [ -n "$libexec" ] && [ -f "$libexec/mod_rewrite.so" ]; then
        printf '<IfModule !rewrite_module>\n    LoadModule rewrite_module "%s"\n</IfModule>\n' \
            "$libexec/mod_rewrite.so"
    fi
} > "$out/identity-modules.conf"
chmod 644 "$out/identity-modules.conf"
