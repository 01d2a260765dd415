#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t/pki.d/remoteip.sh PKI_DIR: what t/remoteip.t needs beyond the base PKI:
#
#   remoteip-modules.conf   LoadModule lines for the stock mod_remoteip (the
#                           vhost that runs it beside CFAOPRemoteIP), and
#                           mod_proxy, mod_proxy_http and mod_setenvif
#                           (t/remoteip-edges.t), each when the server's
#                           apxs knows where it is; the tests that need one
#                           skip without it
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
for m in remoteip proxy proxy_http setenvif; do
    if [ -n "$libexec" ] && [ -f "$libexec/mod_$m.so" ]; then
        printf '<IfModule !%s_module>\n    LoadModule %s_module "%s"\n</IfModule>\n' \
            "$m" "$m" "$libexec/mod_$m.so" >> "$conf"
    fi
done
chmod 644 "$conf"
