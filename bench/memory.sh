#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/memory.sh: the memory of VHOSTS TLS virtual hosts that all name one
# CFAOPDenySerialFile of DENY_N serials (`make bench-memory`).
#
# Makes a throwaway CA and server certificate (openssl CLI) and a deny file
# of DENY_N distinct random 20-octet serials, one bare hex serial a line;
# writes one httpd configuration of VHOSTS name-based virtual hosts on one
# port (SSLEngine on, CFAOP On, CFAOPTrustedCA, CFAOPDenySerialFile), and
# the same configuration without the deny file. For each it prints
#   - the peak RSS of `httpd -t` (one configuration pass), from
#     /usr/bin/time when it is installed, and
#   - the parent's VmRSS once the server has started (two passes; the
#     first pass's memory is released when httpd clears its pool)
# and the difference the deny file makes.
#
# Environment (all optional):
#   VHOSTS   number of virtual hosts (default 100)
#   DENY_N   serials in the deny file (default 1000000)
#   MODULE   the module to load (default build/mod_cf_aop.so): point it at a
#            build of another commit to compare
#   APXS     apxs (default apxs)
#   KEEP=1   keep the temporary directory
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
VHOSTS=${VHOSTS:-100}
DENY_N=${DENY_N:-1000000}
MODULE=${MODULE:-$top/build/mod_cf_aop.so}
APXS=${APXS:-apxs}
TIME=/usr/bin/time

die() { echo "bench/memory.sh: $*" >&2; exit 1; }
command -v "$APXS" >/dev/null || die "apxs not found (install apache2-dev)"
[ -f "$MODULE" ] || die "no module at $MODULE (run make all)"
HTTPD=$("$APXS" -q SBINDIR)/$("$APXS" -q TARGET)
LIBEXEC=$("$APXS" -q LIBEXECDIR)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cfaop-memory.XXXXXX")
chmod 755 "$tmp"
cleanup() { [ "${KEEP:-0}" = 1 ] || rm -rf "$tmp"; }
trap cleanup EXIT

# ---- material ---------------------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=cfaop memory bench CA" -keyout "$tmp/ca.key" -out "$tmp/ca.pem" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=localhost" -keyout "$tmp/server.key" -out "$tmp/server.pem" 2>/dev/null
# Distinct serials: a counter in the last 4 octets, the rest random.
perl -e 'srand(1); for my $i (1 .. $ARGV[0]) {
    printf "%02X%08X%08X%08X%06X%08X\n", 1 + int(rand(127)), int(rand(2**32)), int(rand(2**32)),
        int(rand(2**32)), int(rand(2**24)), $i }' "$DENY_N" >"$tmp/deny.txt"
chmod 644 "$tmp"/*

static_mods=$("$HTTPD" -l)
load() {   # load SHORTNAME: LoadModule unless compiled in
    if ! grep -q "mod_$1\.c" <<<"$static_mods"; then
        echo "LoadModule ${1}_module $LIBEXEC/mod_$1.so"
    fi
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
    local p
    for _ in $(seq 100); do
        p=$(( 20000 + RANDOM % 10000 ))
        port_open "$p" || { echo "$p"; return 0; }
    done
    return 1
}

write_conf() {   # write_conf NAME PORT WITH_DENY
    local d=$tmp/$1 i
    mkdir -p "$d/logs"
    chmod 755 "$d"
    {
        echo "ServerRoot \"$d\""
        echo "ServerName localhost"
        echo "Listen 127.0.0.1:$2"
        echo "PidFile $d/httpd.pid"
        echo "DefaultRuntimeDir $d"
        echo "ErrorLog $d/logs/error.log"
        echo "LogLevel notice"
        load mpm_event; load unixd; load authz_core; load socache_shmcb; load ssl
        echo "LoadModule cf_aop_module $MODULE"
        if [ "$(id -u)" = 0 ]; then
            id -u www-data >/dev/null 2>&1 && echo "User www-data" || echo "User nobody"
            getent group www-data >/dev/null 2>&1 && echo "Group www-data" || echo "Group nogroup"
        fi
        echo "StartServers 1"
        echo "SSLCertificateFile $tmp/server.pem"
        echo "SSLCertificateKeyFile $tmp/server.key"
        for i in $(seq "$VHOSTS"); do
            echo "<VirtualHost 127.0.0.1:$2>"
            echo "    ServerName v$i.memory.test"
            echo "    SSLEngine on"
            echo "    CFAOP On"
            echo "    CFAOPTrustedCA $tmp/ca.pem"
            [ "$3" = 1 ] && echo "    CFAOPDenySerialFile $tmp/deny.txt"
            echo "</VirtualHost>"
        done
    } >"$d/httpd.conf"
}

kib_to_mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# peak RSS of httpd -t, KiB ("-" without /usr/bin/time); its seconds in $tmp/NAME/seconds
configtest_peak() {
    local out
    if [ ! -x "$TIME" ]; then echo - | tee "$tmp/$1/seconds"; return 0; fi
    out=$("$TIME" -f 'maxrss=%M elapsed=%e' "$HTTPD" -t -f "$tmp/$1/httpd.conf" 2>&1) \
        || die "configtest of $1 failed: $out"
    sed -n 's/^maxrss=\([0-9]*\) elapsed=\(.*\)$/\2/p' <<<"$out" >"$tmp/$1/seconds"
    sed -n 's/^maxrss=\([0-9]*\) .*$/\1/p' <<<"$out"
}

# VmRSS of the started parent, KiB
started_rss() {
    local d=$tmp/$1 pid rss i
    "$HTTPD" -f "$d/httpd.conf" -k start || die "$1 does not start"
    for i in $(seq 600); do
        grep -q 'resuming normal operations' "$d/logs/error.log" 2>/dev/null && break
        sleep 0.1
    done
    pid=$(cat "$d/httpd.pid")
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
    kill -TERM "$pid"
    for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    grep -c 'CFAOP0031: CFAOPDenySerialFile' "$d/logs/error.log" >"$d/notices" || true
    echo "$rss"
}

echo "httpd: $HTTPD; module: $MODULE"
echo "$VHOSTS virtual hosts; deny file: $DENY_N serials, $(du -m "$tmp/deny.txt" | cut -f1) MiB"
declare -A peak rss
for c in without with; do
    port=$(pick_port) || die "no free port"
    write_conf "$c" "$port" "$([ "$c" = with ] && echo 1 || echo 0)"
    peak[$c]=$(configtest_peak "$c")
    rss[$c]=$(started_rss "$c")
done
printf '%-22s %16s %22s %12s\n' "" "httpd -t peak MiB" "started parent RSS MiB" "httpd -t s"
for c in without with; do
    p=${peak[$c]}; [ "$p" = - ] || p=$(kib_to_mib "$p")
    printf '%-22s %16s %22s %12s\n' "$c the deny file" "$p" "$(kib_to_mib "${rss[$c]}")" \
        "$(cat "$tmp/$c/seconds")"
done
if [ "${peak[with]}" != - ]; then
    added_peak=$(kib_to_mib $(( peak[with] - peak[without] )))
else
    added_peak=-
fi
printf '%-22s %16s %22s\n' "added by the file" "$added_peak" "$(kib_to_mib $(( rss[with] - rss[without] )))"
echo "CFAOP0031 notices for the deny file in the started server's log: $(cat "$tmp/with/notices")"
