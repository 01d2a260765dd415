#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t/pki.d/request.sh PKI_DIR: what the request-side tests (t/request-*.t)
# need beyond the base PKI. Run by t/TEST.PL after scripts/mkpki.sh.
#
#   admin.pem            self-signed, subject /CN=admin (the name the mod_ssl
#                        manual gives for SSLOptions +FakeBasicAuth)
#   request-users        AuthUserFile: /CN=admin and good.pem's subject, each
#                        with the password mod_ssl fabricates ("password",
#                        crypt xxj31ZMTZzkVA)
#   mod_cfaop_setlocale.so, mod_cfaop_echo.so
#                        the test modules of t/modules, built here with the
#                        server's apxs settings
#   request-modules.conf LoadModule lines for them and for the stock modules
#                        the tests use (mod_proxy, mod_proxy_http, Basic
#                        authentication), each when found; a module that
#                        cannot be built is left out, and the tests that need
#                        it say so when they skip
set -euo pipefail

# shellcheck source=scripts/pki-lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../../scripts" && pwd)/pki-lib.sh"

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 PKI_DIR" >&2
    exit 2
fi
out=$(cd "$1" && pwd)
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../modules" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/reqpki.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
pki_init "$work/pki"

pki_self admin "/CN=admin" 0AD0000000000001
mv -f admin.pem admin.key "$out/"
chmod 644 "$out/admin.pem" "$out/admin.key"

dn() { openssl x509 -in "$1" -noout -subject -nameopt compat | sed 's/^subject=//'; }
{
    echo "$(dn "$out/admin.pem"):xxj31ZMTZzkVA"
    echo "$(dn "$out/good.pem"):xxj31ZMTZzkVA"
} > "$out/request-users"
chmod 644 "$out/request-users"

apxs=${APXS:-$(command -v apxs || command -v apxs2 || true)}
q() { "$apxs" -q "$1" 2>/dev/null || true; }
libexec=
[ -n "$apxs" ] && libexec=$(q LIBEXECDIR)

conf="$out/request-modules.conf"
echo "# written by t/pki.d/request.sh" > "$conf"
for m in proxy proxy_http auth_basic authn_file authn_core authz_user; do
    if [ -n "$libexec" ] && [ -f "$libexec/mod_$m.so" ]; then
        printf '<IfModule !%s_module>\n    LoadModule %s_module "%s"\n</IfModule>\n' \
            "$m" "$m" "$libexec/mod_$m.so" >> "$conf"
    fi
done
for m in setlocale echo; do
    so="$out/mod_cfaop_$m.so"
    rm -f "$so"
    if [ -n "$apxs" ]; then
        cc=$(q CC)
        # shellcheck disable=SC2046
        if ${cc:-cc} -shared -fPIC $(q CFLAGS) $(q EXTRA_CPPFLAGS) -I"$(q INCLUDEDIR)" \
               -I"$(q APR_INCLUDEDIR)" -o "$so" "$src/mod_cfaop_$m.c" 2> "$work/cc.log"; then
            chmod 644 "$so"
            printf 'LoadModule cfaop_%s_module "%s"\n' "$m" "$so" >> "$conf"
        else
            echo "t/pki.d/request.sh: cannot build t/modules/mod_cfaop_$m.c:" >&2
            cat "$work/cc.log" >&2
        fi
    fi
done
chmod 644 "$conf"
