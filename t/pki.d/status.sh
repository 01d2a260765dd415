#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t/pki.d/status.sh PKI_DIR: material of t/status.t (t/conf/status.conf.in),
# made in PKI_DIR/status after scripts/mkpki.sh. (Its anchor with an odd
# subject is t/pki.d/probe.sh's odd-ca.)
#
#   soon.pem/.key     a leaf of root-ca that expires 10 days from now
#                     (serial 5A7A000000000001): CFAOP0503
#   revoked.pem/.key  a leaf of root-ca (serial 5A7A000000000002) that
#   root.crl.pem      root-ca's CRL revokes: one entry
#   deny.txt          two serials, good2's (8E00...FF) and one of no leaf
set -euo pipefail
# shellcheck source=scripts/pki-lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../../scripts" && pwd)/pki-lib.sh"
pki_extra_start status "$@"

dir=$out/status
rm -rf "$dir"
mkdir -p "$dir"

pki_leaf "$dir/soon" "/CN=status soon" 5A7A000000000001 "$out/root-ca" \
    -dates "$(pki_days_from_now -1)" "$(pki_days_from_now 10)"
pki_leaf "$dir/revoked" "/CN=status revoked" 5A7A000000000002 "$out/root-ca"
pki_revoke "$out/root-ca" "$dir/revoked" keyCompromise
pki_crl "$out/root-ca" "$dir/root.crl.pem" -crldays 30

printf '# t/status.t: good2 and a serial of no leaf\n8E0000000000000000000000000000FF\n5A7A0000000000FF\n' \
    > "$dir/deny.txt"
