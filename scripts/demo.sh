#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scripts/demo.sh: `make demo`. Shows mod_cf_aop at work on this machine:
# a throwaway PKI (scripts/mkpki.sh), a private httpd on 127.0.0.1 with the
# module just built in build/, one accepted and several rejected client
# certificates with the reason the module logged, and a ReportOnly vhost.
# Everything lives in one temporary directory, removed on exit together
# with the server. PORT=n listens on n and n+1 (default: two free ports).
# Needs no terminal and no input. Exits non-zero when any
# outcome differs from the expected one.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

module="$repo/build/mod_cf_aop.so"
APXS=${APXS:-apxs}

say()  { printf '%s\n' "$*"; }
die()  { printf 'demo: %s\n' "$*" >&2; exit 2; }

command -v "$APXS" >/dev/null 2>&1 || die "apxs not found (install apache2-dev, or run 'make demo' as root)"
command -v curl >/dev/null 2>&1 || die "curl not found (run 'make demo' as root to install it)"
command -v openssl >/dev/null 2>&1 || die "openssl not found"
[ -f "$module" ] || die "$module is missing: run 'make' first"
[ -f scripts/mkpki.sh ] || die "scripts/mkpki.sh is missing"

libexec=$("$APXS" -q LIBEXECDIR)
httpd="$("$APXS" -q SBINDIR)/$("$APXS" -q TARGET)"
[ -x "$httpd" ] || die "httpd binary $httpd not found"

# ---- the temporary directory and its cleanup ---------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/cfaop-demo.XXXXXX")
chmod 755 "$work"                # the unprivileged server user reads htdocs/
conf="$work/httpd.conf"
errlog="$work/error.log"
started=0

cleanup() {
    local rc=$? pid i
    if [ "$started" = 1 ] && [ -f "$work/httpd.pid" ]; then
        pid=$(cat "$work/httpd.pid" 2>/dev/null || true)
        "$httpd" -d "$work" -f "$conf" -k stop >/dev/null 2>&1 || true
        for i in $(seq 1 50); do
            [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
        fi
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the PKI -----------------------------------------------------------

pki="$work/pki"
if ! bash scripts/mkpki.sh "$pki" >"$work/mkpki.log" 2>&1; then
    cat "$work/mkpki.log" >&2
    die "scripts/mkpki.sh failed"
fi
ca_cert="$pki/root-ca.pem"              # the origin-pull CA stand-in
server_cert="$pki/server.pem"           # self-signed, CN=localhost
server_key="$pki/server.key"
for f in "$ca_cert" "$server_cert" "$server_key" \
         "$pki"/good.pem "$pki"/good.key "$pki"/expired.pem "$pki"/expired.key \
         "$pki"/selfsigned.pem "$pki"/selfsigned.key "$pki"/wrongca.pem "$pki"/wrongca.key; do
    [ -f "$f" ] || die "scripts/mkpki.sh did not produce ${f#"$pki"/}"
done

# ---- two free loopback ports -------------------------------------------

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
    local p i
    for i in $(seq 1 100); do
        p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
        if ! port_in_use "$p" && [ "$p" != "${1:-}" ]; then
            echo "$p"
            return 0
        fi
    done
    die "no free port found on 127.0.0.1"
}
# PORT=n (make demo PORT=n): n for the enforcing vhost, n+1 for ReportOnly.
if [ -n "${PORT:-}" ]; then
    case "$PORT" in
        *[!0-9]*) die "PORT must be a port number (got '$PORT')" ;;
    esac
    [ "$PORT" -ge 1 ] && [ "$PORT" -le 65534 ] || die "PORT must be from 1 to 65534 (it uses PORT and PORT+1)"
    port_on=$PORT
    port_report=$((PORT + 1))
    for p in "$port_on" "$port_report"; do
        port_in_use "$p" && die "port $p on 127.0.0.1 is in use: choose another PORT (the demo uses PORT and PORT+1)"
    done
else
    port_on=$(pick_port)
    port_report=$(pick_port "$port_on")
fi

# ---- the server --------------------------------------------------------

mkdir -p "$work/htdocs" "$work/run"
chmod 755 "$work/htdocs"
printf 'Hello from behind Cloudflare Authenticated Origin Pulls.\n' >"$work/htdocs/index.html"
chmod 644 "$work/htdocs/index.html"

load_module() {     # name file: skip what is compiled into httpd
    if ! "$httpd" -l 2>/dev/null | grep -q "mod_${2%.so}.c"; then
        printf 'LoadModule %s_module "%s/mod_%s"\n' "$1" "$libexec" "$2"
    fi
}

run_as=""
if [ "$(id -u)" = 0 ]; then
    if id www-data >/dev/null 2>&1; then
        run_as="User www-data
Group $(id -gn www-data)"
    else
        run_as="User nobody
Group $(id -gn nobody)"
    fi
fi

{
    load_module mpm_event mpm_event.so
    load_module authz_core authz_core.so
    load_module mime mime.so
    load_module ssl ssl.so
    load_module headers headers.so
    load_module log_config log_config.so
    printf 'LoadModule cf_aop_module "%s"\n' "$module"
    cat <<EOF
ServerRoot "$work"
ServerName localhost
DefaultRuntimeDir "$work/run"
PidFile "$work/httpd.pid"
ErrorLog "$errlog"
LogLevel warn cf_aop:info
$run_as
Listen 127.0.0.1:$port_on
Listen 127.0.0.1:$port_report
TypesConfig /dev/null
SSLSessionCache none
DocumentRoot "$work/htdocs"
<Directory "$work/htdocs">
    Require all granted
</Directory>
LogFormat "%h \"%r\" %>s aop=%{CF_AOP_VERIFIED}e serial=%{CF_AOP_CERT_SERIAL}e" aop
CustomLog "$work/access.log" aop

# What the application sees, as response headers for the demo.
Header set X-CF-AOP-Verified "%{CF_AOP_VERIFIED}e"
Header set X-CF-AOP-Serial "%{CF_AOP_CERT_SERIAL}e" env=CF_AOP_CERT_SERIAL
Header set X-CF-AOP-Subject "%{CF_AOP_CERT_SUBJECT_DN}e" env=CF_AOP_CERT_SUBJECT_DN

# Enforcing: only a certificate issued by the demo CA gets through.
<VirtualHost 127.0.0.1:$port_on>
    SSLEngine on
    SSLCertificateFile "$server_cert"
    SSLCertificateKeyFile "$server_key"
    CFAOP On
    CFAOPTrustedCA "$ca_cert"
</VirtualHost>

# Rollout: verify and report, never reject.
<VirtualHost 127.0.0.1:$port_report>
    SSLEngine on
    SSLCertificateFile "$server_cert"
    SSLCertificateKeyFile "$server_key"
    CFAOP ReportOnly
    CFAOPTrustedCA "$ca_cert"
</VirtualHost>
EOF
} >"$conf"

if ! "$httpd" -d "$work" -f "$conf" -t >"$work/configtest.log" 2>&1; then
    cat "$work/configtest.log" >&2
    die "the demo configuration does not pass configtest"
fi
if ! "$httpd" -d "$work" -f "$conf" -k start >"$work/start.log" 2>&1; then
    cat "$work/start.log" "$errlog" >&2 2>/dev/null || true
    die "httpd did not start"
fi
started=1
for i in $(seq 1 100); do
    [ -s "$work/httpd.pid" ] && port_in_use "$port_on" && port_in_use "$port_report" && break
    sleep 0.1
done
port_in_use "$port_on" || { cat "$errlog" >&2; die "httpd is not listening on 127.0.0.1:$port_on"; }

# ---- the requests ------------------------------------------------------

failures=0
log_seen=0

# Prints the module's log line with this id and reason written since the
# last call (waiting briefly: the line may land just after the alert).
new_log_line() {
    local id=$1 reason=$2 i line=""
    for i in $(seq 1 30); do
        line=$(tail -n +"$((log_seen + 1))" "$errlog" 2>/dev/null \
               | grep -E "$id: .*reason=$reason( |$)" | tail -n 1 || true)
        [ -n "$line" ] && break
        sleep 0.1
    done
    log_seen=$(wc -l <"$errlog")
    printf '%s' "${line#*"] $id"}" | sed "s/^/$id/"
}

# request PORT CERT-NAME ("" for none): sets status, curl_rc, curl_err, headers
request() {
    local port=$1 name=$2
    local args=(-sS -o /dev/null -D "$work/headers" -w '%{http_code}'
                --max-time 10 --resolve "localhost:$port:127.0.0.1"
                --cacert "$server_cert")
    if [ -n "$name" ]; then
        args+=(--cert "$pki/$name.pem" --key "$pki/$name.key")
    fi
    : >"$work/headers"
    curl_rc=0
    status=$(curl "${args[@]}" "https://localhost:$port/index.html" </dev/null 2>"$work/curl.err") || curl_rc=$?
    curl_err=$(tr -d '\r' <"$work/curl.err" | head -n 1)
    headers=$(tr -d '\r' <"$work/headers")
}

header() { printf '%s\n' "$headers" | sed -n "s/^$1: //Ip" | head -n 1; }

ok()  { say "   ok: $*"; }
bad() { say "   UNEXPECTED: $*"; failures=$((failures + 1)); }

expect_accepted() {     # port cert verified-value title
    local port=$1 name=$2 want=$3 title=$4 serial got_serial line
    say ""
    say "== $title"
    request "$port" "$name"
    serial=$(openssl x509 -in "$pki/$name.pem" -noout -serial | sed 's/^serial=//')
    got_serial=$(header X-CF-AOP-Serial)
    say "   curl: HTTP $status, CF_AOP_VERIFIED=$(header X-CF-AOP-Verified), CF_AOP_CERT_SERIAL=$got_serial"
    line=""
    if [ "$want" != SUCCESS ]; then
        line=$(new_log_line CFAOP0102 "${want#FAILED:}")
        [ -n "$line" ] && say "   log:  $line"
    fi
    log_seen=$(wc -l <"$errlog")
    if [ "$curl_rc" != 0 ] || [ "$status" != 200 ] || [ "$(header X-CF-AOP-Verified)" != "$want" ] \
       || [ "$got_serial" != "$serial" ]; then
        bad "expected HTTP 200, CF_AOP_VERIFIED=$want and serial $serial (curl exit $curl_rc${curl_err:+: $curl_err})"
    elif [ "$want" != SUCCESS ] && [ -z "$line" ]; then
        bad "no CFAOP0102 line with reason=${want#FAILED:} in the error log"
    else
        ok "HTTP 200 with CF_AOP_VERIFIED=$want, serial $serial as openssl prints it${line:+, reported}"
    fi
}

expect_rejected() {     # cert reason alert-text title
    local name=$1 reason=$2 alert=$3 title=$4 line
    say ""
    say "== $title"
    request "$port_on" "$name"
    say "   ${curl_err:-curl: HTTP $status}"
    line=$(new_log_line CFAOP0101 "$reason")
    [ -n "$line" ] && say "   log:  $line"
    if [ "$curl_rc" = 0 ]; then
        bad "the request got through (HTTP $status)"
    elif ! printf '%s' "$curl_err" | grep -Eqi "$alert"; then
        bad "expected the TLS alert '$alert' in curl's error"
    elif [ -z "$line" ]; then
        bad "no CFAOP0101 line with reason=$reason in the error log"
    else
        ok "handshake refused with '$(printf '%s' "$curl_err" | grep -Eoi "$alert" | head -n 1)', logged as reason=$reason"
    fi
}

say "mod_cf_aop demo: httpd on 127.0.0.1:$port_on (CFAOP On) and 127.0.0.1:$port_report (CFAOP ReportOnly)"
notice=$(grep -o 'CFAOP0023: .*' "$errlog" | tail -n 1 || true)
[ -n "$notice" ] && say "startup notice: $notice"
say "trusted CA: $(openssl x509 -in "$ca_cert" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')"
log_seen=$(wc -l <"$errlog")

expect_accepted "$port_on" good SUCCESS "CFAOP On, certificate issued by the trusted CA"
expect_rejected ""         no-cert   "certificate required|handshake failure" "CFAOP On, no client certificate"
expect_rejected wrongca    untrusted "unknown ca"           "CFAOP On, certificate from another CA"
expect_rejected expired    expired   "certificate expired"  "CFAOP On, expired certificate"
expect_rejected selfsigned untrusted "unknown ca"           "CFAOP On, self-signed certificate"
expect_accepted "$port_report" wrongca FAILED:untrusted "CFAOP ReportOnly, certificate from another CA (let through, reported)"

say ""
if [ "$failures" -gt 0 ]; then
    say "demo: $failures outcome(s) differ from the expected ones; error log:"
    sed 's/^/   /' "$errlog"
    exit 1
fi
say "demo: all outcomes as expected. Stopping httpd and removing $work."
