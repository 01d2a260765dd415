#!/usr/bin/env bash
# mkpki.sh OUTDIR: a throwaway PKI for the Apache::Test suite and the demo.
#
# Every key is ECDSA P-256, every certificate is PEM. The structure (names,
# subjects, serials, extensions, fixed dates) is the same on every run; keys,
# signatures and the dates relative to "now" are not. Running it again
# replaces what it made before and leaves other files in OUTDIR alone.
# Needs only the openssl CLI and coreutils; takes well under a second.
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
#   empty.pem              an empty file
#   garbage.pem            text with no certificate in it
# Also: ticket.key (48 random bytes, for SSLSessionTicketKeyFile).
set -euo pipefail

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

ORG='/C=US/O=mod_cf_aop test, Inc./OU=AOP'

cat > openssl.cnf <<'EOF'
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
countryName = optional
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
[ v3_server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
[ v3_notca ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyCertSign
EOF
export OPENSSL_CONF="$work/openssl.cnf"
mkdir newcerts
: > index.txt

newkey() {
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null
}

# selfsign NAME SUBJECT SERIAL EXTENSIONS DAYS
selfsign() {
    newkey "$1"
    openssl req -new -x509 -key "$1.key" -subj "$2" -set_serial "0x$3" \
        -extensions "$4" -days "$5" -sha256 -out "$1.pem"
}

# issue NAME SUBJECT SERIAL ISSUER EXTENSIONS (-days N | -startdate S -enddate E)
issue() {
    local name=$1 subj=$2 serial=$3 issuer=$4 ext=$5
    shift 5
    newkey "$name"
    openssl req -new -key "$name.key" -subj "$subj" -out "$name.csr"
    echo "$serial" > serial
    openssl ca -batch -notext -config openssl.cnf -cert "$issuer.pem" -keyfile "$issuer.key" \
        -in "$name.csr" -out "$name.pem" -extensions "$ext" "$@" 2>/dev/null
    rm -f "$name.csr"
}

# A date N days from now, in the form openssl ca takes.
days_from_now() {
    date -u -d "@$(( $(date +%s) + $1 * 86400 ))" +%Y%m%d%H%M%SZ
}

selfsign root-ca  "$ORG/CN=AOP Test Origin Pull Root CA" 1001 v3_ca 3650
selfsign wrong-ca "/C=US/O=Elsewhere/CN=AOP Test Wrong CA" 1002 v3_ca 3650
issue int-ca "$ORG/CN=AOP Test Intermediate CA" 1003 root-ca v3_int -days 3650
issue expiring-ca "$ORG/CN=AOP Test Expiring CA" 1004 root-ca v3_ca \
    -startdate "$(days_from_now -1)" -enddate "$(days_from_now 10)"
issue expired-ca "$ORG/CN=AOP Test Expired CA" 1005 root-ca v3_ca \
    -startdate 20200101000000Z -enddate 20210101000000Z

LEAF="$ORG/OU=Origin Pull"
issue good    "$LEAF/CN=origin-pull.test"   0A1F00C0FFEE01 root-ca v3_client -days 825
issue expired "$LEAF/CN=expired.test"       0A1F00C0FFEE02 root-ca v3_client \
    -startdate 20200101000000Z -enddate 20210101000000Z
issue notyet  "$LEAF/CN=not-yet-valid.test" 0A1F00C0FFEE03 root-ca v3_client \
    -startdate 20450101000000Z -enddate 20460101000000Z
selfsign selfsigned "$LEAF/CN=self-signed.test" 0A1F00C0FFEE04 v3_client 825
issue wrongca "/C=US/O=Elsewhere/CN=wrong-ca-leaf.test" 0A1F00C0FFEE05 wrong-ca v3_client -days 825
issue int-leaf "$LEAF/CN=intermediate-leaf.test" 0A1F00C0FFEE06 int-ca v3_client -days 825
cat int-leaf.pem int-ca.pem > int-leaf-chain.pem
issue badsig "$LEAF/CN=bad-signature.test" 0A1F00C0FFEE07 root-ca v3_client -days 825
issue good2 "$LEAF/CN=origin-pull-2.test" 8E0000000000000000000000000000FF root-ca v3_client -days 825

# Flip the last byte of the DER: it lies inside the signature value (the s
# integer of the ECDSA signature), so the certificate still parses.
openssl x509 -in badsig.pem -outform DER -out badsig.der
size=$(wc -c < badsig.der)
last=$(od -An -tu1 -j $((size - 1)) badsig.der | tr -d ' ')
printf "\\$(printf '%03o' $((last ^ 1)))" | dd of=badsig.der bs=1 seek=$((size - 1)) conv=notrunc 2>/dev/null
openssl x509 -inform DER -in badsig.der -out badsig.pem
rm -f badsig.der

selfsign server "/CN=localhost" 2001 v3_server 825
selfsign notca "$ORG/CN=AOP Test Not A CA" 2002 v3_notca 825
: > empty.pem
printf 'this file holds no certificate\n-----BEGIN NOTHING-----\nxyz\n' > garbage.pem
openssl rand -out ticket.key 48

for f in root-ca wrong-ca int-ca expiring-ca expired-ca good expired notyet selfsigned \
         wrongca int-leaf badsig good2 server notca; do
    mv -f "$f.pem" "$f.key" "$out/"
done
mv -f int-leaf-chain.pem empty.pem garbage.pem ticket.key "$out/"
chmod 644 "$out"/*.pem "$out"/*.key "$out/ticket.key"
