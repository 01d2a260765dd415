#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t/pki.d/revocation.sh PKI_DIR: material for the revocation suites
# (t/revocation*.t, t/conf/revocation.conf.in), made after scripts/mkpki.sh.
# Everything goes to PKI_DIR/rev/, which is replaced on every run. Keys are
# ECDSA P-256; certificates and CRLs are made with scripts/pki-lib.sh, whose
# throwaway CA databases are removed at the end. Serials are fixed (the
# configuration names some of them); keys and signatures are not.
#
# CAs (CA:TRUE, keyCertSign + cRLSign):
#   root-ca        the anchor of the revocation vhosts         (3001)
#   int-ok-ca      intermediate under root-ca, not revoked     (3002)
#   int-bad-ca     intermediate under root-ca, revoked by root.crl (3003)
#   other-ca       a second self-signed anchor                  (3004)
#   unknown-ca     self-signed, trusted nowhere                 (3005)
#   fake-root-ca   self-signed, root-ca's subject with another key (3006)
# Leaves of root-ca unless said (clientAuth, each with its .key):
#   crl-revoked      5EC0C0FFEE0101  revoked in root.crl (keyCompromise)
#   crl-ok           5EC0C0FFEE0102  not revoked
#   expired-revoked  5EC0C0FFEE0103  valid 2020-2021, revoked in root.crl
#   int-ok-leaf      5EC0C0FFEE0201  under int-ok-ca  (+ int-ok-leaf-chain.pem)
#   int-bad-leaf     5EC0C0FFEE0202  under int-bad-ca (+ int-bad-leaf-chain.pem)
#   other-revoked    5EC0C0FFEE0301  under other-ca, revoked in other.crl
#   other-ok         5EC0C0FFEE0302  under other-ca
#   deny-inline-a    5EC0DE000000000000000000000000A1
#   deny-inline-b    9EC0DE000000000000000000000000B2
#   deny-bare        C0DE5EC0000000000000000000000011
#   deny-serialeq    5EC0DE00000000000000000000000012
#   deny-colon       9EC0DE00000000000000000000000013
#   deny-0x          5EC0DE00000000000000000000000014
#   deny-zeros       5EC0DE00000000000000000000000015
#   deny-dec         AEC0DE00000000000000000000000016
#   deny-text        5EC0DE17 (small enough for openssl's "N (0xN)" form)
#   deny-ok          5EC0DE000000000000000000000000FF  (listed nowhere but in comments)
#   deny-live        5EC0DE00000000000000000000000019  (t/revocation-deny.t adds it)
#   pin-a            5EC0914000000001
#   pin-a-reissued   5EC0914000000002  pin-a's key, another certificate
#   pin-b, pin-c     5EC0914000000003, ...04
#   pin-other        5EC0914000000005
# CRLs:
#   root.crl.pem     root-ca's CRL (PEM): crl-revoked, expired-revoked, int-bad-ca
#   root.crl.der     the same CRL in DER
#   other.crl.pem    other-ca's CRL: other-revoked
#   two.crl.pem      root.crl.pem followed by other.crl.pem (two CRLs, one file)
#   stale.crl.pem    root-ca's CRL, lastUpdate 2020-01-01, nextUpdate 2020-02-01
#   unknown.crl.pem  unknown-ca's CRL (its issuer is trusted nowhere)
#   fake.crl.pem     fake-root-ca's CRL: root-ca's name, not root-ca's signature
# Deny lists (CFAOPDenySerialFile), one serial form each, with comments:
#   deny-bare.txt deny-serialeq.txt deny-colon.txt deny-0x.txt deny-zeros.txt
#   deny-dec.txt deny-text.txt (deny-bare.txt also has deny-ok's serial in a
#   comment); deny-live.txt (a comment and deny-inline-a's serial; the test
#   adds deny-live's), deny-live.orig (its pristine copy)
#   deny-good.txt (well formed), deny-bad5.txt (line 5 is not a serial),
#   deny-bad3.txt (line 3, the last, without a newline, is not a serial)
# Pins, as Include files of CFAOP*Pin directives (keys are random):
#   pins-hash.conf   CFAOPPinSHA256 pin-a (lower-case hex)
#   pins-spki.conf   CFAOPPinSPKI   pin-a
#   pins-forms.conf  CFAOPPinSHA256 pin-b as openssl prints it (AB:CD:...), pin-c upper-case
#   pins-both.conf   CFAOPPinSHA256 pin-b, CFAOPPinSPKI pin-a
#   pins-order.conf  CFAOPPinSHA256 pin-a, pin-c
set -euo pipefail

# shellcheck source=scripts/pki-lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../../scripts" && pwd)/pki-lib.sh"

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 PKI_DIR" >&2
    exit 2
fi
out=$(cd "$1" && pwd)/rev
rm -rf "$out"
mkdir -p "$out"
cd "$out"
# the openssl configuration and the CA databases (a CRL lists its own)
pki_init "$out/.pki"

ORG='/C=US/O=mod_cf_aop test, Inc./OU=Revocation'
pki_ca  root-ca      "$ORG/CN=AOP Test Revocation Root CA" 3001
pki_int int-ok-ca    "$ORG/CN=AOP Test Revocation Intermediate OK" 3002 root-ca
pki_int int-bad-ca   "$ORG/CN=AOP Test Revocation Intermediate Revoked" 3003 root-ca
pki_ca  other-ca     "$ORG/CN=AOP Test Revocation Other CA" 3004
pki_ca  unknown-ca   "$ORG/CN=AOP Test Revocation Unknown CA" 3005
pki_ca  fake-root-ca "$ORG/CN=AOP Test Revocation Root CA" 3006

LEAF="$ORG/OU=Origin Pull"
leaf() {    # leaf NAME SERIAL [ISSUER [options]]
    pki_leaf "$1" "$LEAF/CN=$1.rev.test" "$2" "${3:-root-ca}" "${@:4}"
}
leaf crl-revoked 5EC0C0FFEE0101
leaf crl-ok      5EC0C0FFEE0102
leaf expired-revoked 5EC0C0FFEE0103 root-ca -dates 20200101000000Z 20210101000000Z
leaf int-ok-leaf   5EC0C0FFEE0201 int-ok-ca
leaf int-bad-leaf  5EC0C0FFEE0202 int-bad-ca
cat int-ok-leaf.pem int-ok-ca.pem > int-ok-leaf-chain.pem
cat int-bad-leaf.pem int-bad-ca.pem > int-bad-leaf-chain.pem
leaf other-revoked 5EC0C0FFEE0301 other-ca
leaf other-ok      5EC0C0FFEE0302 other-ca

leaf deny-inline-a 5EC0DE000000000000000000000000A1
leaf deny-inline-b 9EC0DE000000000000000000000000B2
leaf deny-bare     C0DE5EC0000000000000000000000011
leaf deny-serialeq 5EC0DE00000000000000000000000012
leaf deny-colon    9EC0DE00000000000000000000000013
leaf deny-0x       5EC0DE00000000000000000000000014
leaf deny-zeros    5EC0DE00000000000000000000000015
leaf deny-dec      AEC0DE00000000000000000000000016
leaf deny-text     5EC0DE17
leaf deny-ok       5EC0DE000000000000000000000000FF
leaf deny-live     5EC0DE00000000000000000000000019

leaf pin-a 5EC0914000000001
cp pin-a.key pin-a-reissued.key
leaf pin-a-reissued 5EC0914000000002
leaf pin-b 5EC0914000000003
leaf pin-c 5EC0914000000004
leaf pin-other 5EC0914000000005

# ---- CRLs ---------------------------------------------------------------
pki_revoke root-ca crl-revoked keyCompromise
pki_revoke root-ca expired-revoked superseded
pki_revoke root-ca int-bad-ca CACompromise
pki_crl root-ca root.crl.pem -crldays 30
openssl crl -in root.crl.pem -outform DER -out root.crl.der
pki_crl_dated root-ca stale.crl.pem 20200101000000Z 20200201000000Z
pki_revoke other-ca other-revoked keyCompromise
pki_crl other-ca other.crl.pem -crldays 30
cat root.crl.pem other.crl.pem > two.crl.pem
pki_crl unknown-ca unknown.crl.pem -crldays 30
# fake-root-ca "revokes" crl-ok; were its CRL believed, crl-ok would fail.
# (An index.txt line: status, expiry, revocation date[,reason], serial,
# file, subject; crl-ok was not issued through this database.)
printf 'R\t300101000000Z\t240101000000Z,keyCompromise\t5EC0C0FFEE0102\tunknown\t/CN=x\n' \
    > "$(pki_db fake-root-ca)/index.txt"
pki_crl fake-root-ca fake.crl.pem -crldays 30

# ---- deny lists: each serial form as people paste it ----------------------
serial_of() { openssl x509 -in "$1.pem" -noout -serial; }        # serial=HEX
text_serial() {     # what `openssl x509 -text` prints for the serial
    openssl x509 -in "$1.pem" -noout -text | awk '
        /Serial Number:/ { s = $0; sub(/.*Serial Number: */, "", s)
                           if (s == "") { getline; s = $0; gsub(/ /, "", s) }
                           print s; exit }'
}
cat > deny-bare.txt <<'EOF2'
# bare upper-case hex
# 5EC0DE000000000000000000000000FF  (deny-ok: commented out, so not refused)
C0DE5EC0000000000000000000000011
EOF2
{
    echo "# as openssl x509 -noout -serial prints it"
    serial_of deny-serialeq
} > deny-serialeq.txt
{
    echo "# as openssl x509 -noout -text prints it: lower case, colon-separated"
    echo "   $(text_serial deny-colon)   # (indented, with a comment)"
} > deny-colon.txt
{
    echo "# C style"
    echo "0x5ec0de00000000000000000000000014"
} > deny-0x.txt
# leading zeros, an odd number of digits, CRLF line ends
printf '# leading zeros\r\n\r\n00000005EC0DE00000000000000000000000015\r\n' > deny-zeros.txt
{
    echo "# decimal, as Cloudflare's API reports serial_number"
    echo "dec:$(perl -MMath::BigInt -e 'print Math::BigInt->from_hex("AEC0DE00000000000000000000000016")')"
} > deny-dec.txt
{
    echo "# as openssl x509 -noout -text prints a small serial"
    text_serial deny-text
} > deny-text.txt
cat > deny-live.orig <<'EOF'
# serials refused on <VirtualHost rev_deny_live>; t/revocation-deny.t appends to this file
5EC0DE000000000000000000000000A1
EOF
cp deny-live.orig deny-live.txt
cat > deny-good.txt <<'EOF'
# a well-formed list
5EC0DE00000000000000000000000011

0x5ec0de00000000000000000000000012   # trailing comment
5EC0DE00000000000000000000000014
EOF
cat > deny-bad5.txt <<'EOF'
# a list with one bad line: the fifth
5EC0DE00000000000000000000000011

0x5ec0de00000000000000000000000012   # trailing comment
5EC0DE0000000000000000000000G013
5EC0DE00000000000000000000000014
EOF
printf '# the last line is bad and has no newline\n5EC0DE00000000000000000000000011\ndec:5EC0' > deny-bad3.txt

# ---- pins ----------------------------------------------------------------
# pin NAME: "HEX SPKI" (certificate SHA-256 in upper-case hex, the base64
# SHA-256 of its DER SubjectPublicKeyInfo) from one openssl call.
pin() {
    openssl x509 -in "$1.pem" -noout -pubkey -fingerprint -sha256 | perl -MDigest::SHA=sha256_base64 -ne '
        $fp = $1 if /Fingerprint=([0-9A-F:]+)/; $spki .= $_ if /^[A-Za-z0-9+\/=]+$/;
        END { require MIME::Base64; $fp =~ tr/://d;
              print "$fp ", sha256_base64(MIME::Base64::decode_base64($spki)), "=\n" }'
}
read -r a_hex a_spki < <(pin pin-a)
read -r b_hex _ < <(pin pin-b)
read -r c_hex _ < <(pin pin-c)
b_colon=$(echo "$b_hex" | sed 's/../&:/g; s/:$//')
lc() { echo "$1" | tr 'A-F' 'a-f'; }
echo "CFAOPPinSHA256 $(lc "$a_hex")" > pins-hash.conf
echo "CFAOPPinSPKI $a_spki" > pins-spki.conf
echo "CFAOPPinSHA256 $b_colon $c_hex" > pins-forms.conf
printf 'CFAOPPinSHA256 %s\nCFAOPPinSPKI %s\n' "$(lc "$b_hex")" "$a_spki" > pins-both.conf
echo "CFAOPPinSHA256 $(lc "$a_hex") $(lc "$c_hex")" > pins-order.conf

rm -rf .pki
chmod 644 ./*
