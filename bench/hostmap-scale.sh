#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Startup cost of a large CFAOPHostnameMap: configtest time, time to start
# serving, and the parent's RSS, with and without the map. Not a test: it
# prints numbers for docs/performance.md. Usage: bench/hostmap-scale.sh [HOSTS] [CA_FILES]
set -euo pipefail
HOSTS=${1:-10000}
CAFILES=${2:-100}
top=$(cd "$(dirname "$0")/.." && pwd)
module="$top/build/mod_cf_aop.so"
[ -f "$module" ] || { echo "build the module first (make)" >&2; exit 1; }
HTTPD=${HTTPD:-$(command -v apache2 || command -v httpd)}
APXS=${APXS:-apxs}
modules=$($APXS -q LIBEXECDIR)
work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() {
    for f in "$work"/*/httpd.pid; do
        [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
    done
    sleep 0.5
    rm -rf "$work"
}
trap cleanup EXIT

cd "$work"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout srv.key -out srv.pem \
    -subj /CN=localhost -days 30 2>/dev/null
mkdir ca
for i in $(seq 1 "$CAFILES"); do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca/$i.key \
        -out ca/$i.pem -subj "/CN=Hostname CA $i" -days 365 \
        -addext basicConstraints=critical,CA:TRUE 2>/dev/null
done
awk -v n="$HOSTS" -v c="$CAFILES" -v dir="$work/ca" 'BEGIN {
    print "# generated: " n " hostnames over " c " CA files"
    for (i = 1; i <= n; i++) printf "host%05d.example.test %s/%d.pem\n", i, dir, (i % c) + 1
}' > hostnames.map

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
user_line=""
[ "$(id -u)" = 0 ] && user_line="User www-data
Group www-data"

write_conf() { # name extra-directives
    mkdir -p "$work/$1"
    cat > "$work/$1/httpd.conf" <<CONF
ServerRoot $work
ServerName localhost
Listen 127.0.0.1:$(free_port)
PidFile $work/$1/httpd.pid
ErrorLog $work/$1/error_log
LogLevel warn
$user_line
LoadModule mpm_event_module $modules/mod_mpm_event.so
LoadModule authz_core_module $modules/mod_authz_core.so
LoadModule ssl_module $modules/mod_ssl.so
LoadModule cf_aop_module $module
StartServers 1
MaxRequestWorkers 25
ServerLimit 1
<VirtualHost _default_:*>
  SSLEngine on
  SSLCertificateFile $work/srv.pem
  SSLCertificateKeyFile $work/srv.key
  CFAOP On
  CFAOPTrustedCA $work/ca/1.pem
  $2
</VirtualHost>
CONF
}

measure() { # name
    local conf="$work/$1/httpd.conf" t0 t1 t2 pid rss
    t0=$(date +%s%N)
    "$HTTPD" -f "$conf" -t >/dev/null 2>&1
    t1=$(date +%s%N)
    "$HTTPD" -f "$conf" -k start
    while [ ! -s "$work/$1/httpd.pid" ]; do sleep 0.01; done
    t2=$(date +%s%N)
    pid=$(cat "$work/$1/httpd.pid")
    sleep 0.5
    rss=$(awk '/VmRSS/ {print $2}' /proc/"$pid"/status)
    printf '%-10s configtest %6d ms   start %6d ms   parent RSS %7.1f MiB\n' "$1" \
        $(( (t1 - t0) / 1000000 )) $(( (t2 - t1) / 1000000 )) "$(echo "$rss / 1024" | bc -l)"
    echo "$rss" > "$work/$1/rss"
}

write_conf zone ""
write_conf map "CFAOPHostnameMap $work/hostnames.map"
echo "CFAOPHostnameMap: $HOSTS hostnames, $CAFILES distinct CA files"
measure zone
measure map
echo "map adds $(( ($(cat "$work/map/rss") - $(cat "$work/zone/rss")) / 1024 )) MiB to the parent"
