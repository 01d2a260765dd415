#!/usr/bin/env bash
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

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 PKI_DIR" >&2
    exit 2
fi
out=$(cd "$1" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/idpki.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

filler() { head -c "$1" /dev/zero | tr '\0' 'x'; }

cat > openssl.cnf <<CNF
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused
[ ca ]
default_ca = ca_default
[ ca_default ]
dir = .
database = ./index.txt
new_certs_dir = ./newcerts
serial = ./serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
preserve = yes
[ policy_any ]
organizationName = optional
organizationalUnitName = optional
commonName = supplied
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_int ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_client_mid ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
1.3.6.1.4.1.32473.1 = ASN1:UTF8String:$(filler 7000)
[ v3_client_big ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
1.3.6.1.4.1.32473.1 = ASN1:UTF8String:$(filler 9000)
CNF
export OPENSSL_CONF="$work/openssl.cnf"
mkdir newcerts
: > index.txt

newkey() {
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null
}

# issue NAME SUBJECT SERIAL ISSUER EXTENSIONS [KEY-OF]
issue() {
    local name=$1 subj=$2 serial=$3 issuer=$4 ext=$5
    newkey "$name"
    openssl req -new -key "$name.key" -subj "$subj" -out "$name.csr"
    echo "$serial" > serial
    openssl ca -batch -notext -config openssl.cnf -cert "$issuer.pem" -keyfile "$issuer.key" \
        -in "$name.csr" -out "$name.pem" -extensions "$ext" -days 825 2>/dev/null
    rm -f "$name.csr"
}

ORG='/O=End Client Test, Ltd./OU=Leg 1'
newkey endclient-ca
openssl req -new -x509 -key endclient-ca.key -subj "$ORG/CN=End Client Test CA" \
    -set_serial 0x3001 -extensions v3_ca -days 3650 -sha256 -out endclient-ca.pem
issue endclient-int "$ORG/CN=End Client Test Intermediate" 3002 endclient-ca v3_int
issue alice     "$ORG/CN=alice.example"      0E1D0A11CE01 endclient-ca  v3_client
issue bob       "$ORG/CN=bob.example"        0E1D0B0B0002 endclient-int v3_client
issue alice-mid "$ORG/CN=alice-mid.example"  0E1D0A11CE03 endclient-ca  v3_client_mid
issue alice-big "$ORG/CN=alice-big.example"  0E1D0A11CE04 endclient-ca  v3_client_big
newkey forged
openssl req -new -x509 -key forged.key -subj "$ORG/CN=alice.example" \
    -set_serial 0x0E1D0A11CE01 -extensions v3_client -days 825 -sha256 -out forged.pem

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
