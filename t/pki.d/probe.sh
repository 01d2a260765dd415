#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t/pki.d/probe.sh PKI_DIR: material of t/probe.t, made in PKI_DIR/probe
# after scripts/mkpki.sh; needs the openssl CLI only.
#
#   odd-ca.pem/.key   a self-signed CA (CA:TRUE, P-256) whose subject holds
#                     a quote, a backslash, a tab and non-ASCII UTF-8: the
#                     CA name the probe has to print without raw peer bytes
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 PKI_DIR" >&2
    exit 2
fi
out=$1/probe
rm -rf "$out"
mkdir -p "$out"

# A configuration of its own: with the system's, OpenSSL 1.1.1 adds its
# default v3_ca extensions to the -addext ones (two basicConstraints).
cat > "$out/req.cnf" <<'EOF'
[ req ]
distinguished_name = dn
string_mask = utf8only
[ dn ]
EOF
openssl req -config "$out/req.cnf" -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$out/odd-ca.key" -out "$out/odd-ca.pem" -days 3650 -sha256 -utf8 \
    -subj "/O=Probe Tëst 日本/OU=tab$(printf '\t')here/CN=Odd\"CA\\\\name" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    >/dev/null 2>&1
