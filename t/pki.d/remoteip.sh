#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t/pki.d/remoteip.sh PKI_DIR: what t/remoteip.t needs beyond the base PKI:
#
#   remoteip-modules.conf   a LoadModule line for the stock mod_remoteip,
#                           when the server's apxs knows where it is (the
#                           vhost that runs it beside CFAOPRemoteIP); empty
#                           otherwise, and the tests that need it skip
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 PKI_DIR" >&2
    exit 2
fi
conf="$(cd "$1" && pwd)/remoteip-modules.conf"
apxs=${APXS:-$(command -v apxs || command -v apxs2 || true)}
libexec=
[ -n "$apxs" ] && libexec=$("$apxs" -q LIBEXECDIR 2>/dev/null || true)

echo "# written by t/pki.d/remoteip.sh" > "$conf"
if [ -n "$libexec" ] && [ -f "$libexec/mod_remoteip.so" ]; then
    printf '<IfModule !remoteip_module>\n    LoadModule remoteip_module "%s"\n</IfModule>\n' \
        "$libexec/mod_remoteip.so" >> "$conf"
fi
chmod 644 "$conf"
