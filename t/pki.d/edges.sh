#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t/pki.d/edges.sh PKI_DIR: files for the tests where the module meets the
# rest of httpd (t/reportonly-modssl.t): a FakeBasicAuth password file
# naming the self-signed and the good client certificates, with the
# password mod_ssl fabricates for them ("password", crypt xxj31ZMTZzkVA).
set -euo pipefail
cd "$1"
for cert in selfsigned good; do
    subject=$(openssl x509 -in "$cert.pem" -noout -subject -nameopt compat)
    printf '%s:xxj31ZMTZzkVA\n' "${subject#subject=}"
done > fakebasic.passwd
chmod 644 fakebasic.passwd

# t/resume-fallback.t writes serials into it and restores it.
printf '# nothing denied\n' > rotating-deny.txt
chmod 644 rotating-deny.txt
