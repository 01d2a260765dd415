#!/usr/bin/env bash
# bench/run.sh: mod_cf_aop side by side with TLS without client auth and with
# mod_ssl's own client verification (the usual Authenticated Origin Pulls
# recipe), on one machine, in one run.
#
# What it does
#   1. builds the load generator (bench/loadgen.c) into $BUILD/loadgen
#   2. makes a throwaway PKI with the openssl CLI (a CA standing in for the
#      origin-pull CA, a client leaf signed by it, a server cert for localhost)
#   3. writes one httpd config per configuration (see "Configurations"),
#      times `httpd -t` and the start, and starts them all on 127.0.0.1
#   4. full handshakes: alternating rounds A B C, B C A, C A B, ... (rotated so
#      that no configuration always runs first); per round it takes the
#      server's CPU time (all threads of the parent and its children, from
#      /proc/<pid>/task/*/schedstat) before and after, and divides by the
#      handshakes: server CPU microseconds per handshake
#   5. keep-alive: the same for requests on long-lived connections
#      (server CPU per request); resumption: the same for resumed
#      handshakes (each client thread resumes its previous session)
#   6. prints the table (medians, min-max, ratios) and exits 1 if any
#      configuration had a failed connection, handshake or request
#
# Server and client are pinned to different cores (taskset) so that the
# server's CPU time is not shared with the client's.
#
# Environment (all optional):
#   QUICK=1          2 rounds of 3 s (keep-alive, resumption 2 of 2 s): under a minute
#   ROUNDS, SECS     rounds per configuration and seconds per round (5, 10)
#   KA_ROUNDS, KA_SECS  same for keep-alive (7, 5)
#   RS_ROUNDS, RS_SECS  same for resumed handshakes (5, 5)
#   THREADS          client connections in flight (8)
#   SRV_THREADS      httpd worker threads, one child process (2 x THREADS)
#   TLS              1.3 or 1.2 (1.3)
#   CLIENT_KEY       ec (ECDSA P-256) or rsa (RSA-2048) client leaf (ec)
#   SERVER_KEY       ec or rsa server key (ec)
#   CA_KEY           rsa4096 (like Cloudflare's origin-pull CA) or ec (rsa4096)
#   CONFIGS          full-handshake configurations, in order ("base modssl aop")
#   KA_CONFIGS       keep-alive configurations ("base aop"; empty: none)
#   RS_CONFIGS       resumed-handshake configurations ("modssl aop"; empty: none)
#   SERVER_CPU, CLIENT_CPU  cores to pin to (1, 0)
#   BUILD, MODULE, APXS     build dir, module path, apxs
#   KEEP=1           keep the temp dir (configs, logs, PKI) and print its path
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
BUILD=${BUILD:-$root/build}
MODULE=${MODULE:-$BUILD/mod_cf_aop.so}
APXS=${APXS:-apxs}
QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
    ROUNDS=${ROUNDS:-2} SECS=${SECS:-3} KA_ROUNDS=${KA_ROUNDS:-2} KA_SECS=${KA_SECS:-2}
    RS_ROUNDS=${RS_ROUNDS:-2} RS_SECS=${RS_SECS:-2} WARMUP=${WARMUP:-0.5}
else
    ROUNDS=${ROUNDS:-5} SECS=${SECS:-10} KA_ROUNDS=${KA_ROUNDS:-7} KA_SECS=${KA_SECS:-5}
    RS_ROUNDS=${RS_ROUNDS:-5} RS_SECS=${RS_SECS:-5} WARMUP=${WARMUP:-2}
fi
THREADS=${THREADS:-8}
SRV_THREADS=${SRV_THREADS:-$(( 2 * THREADS ))}
TLS=${TLS:-1.3}
CLIENT_KEY=${CLIENT_KEY:-ec}
SERVER_KEY=${SERVER_KEY:-ec}
CA_KEY=${CA_KEY:-rsa4096}
CONFIGS=${CONFIGS:-"base modssl aop"}
KA_CONFIGS=${KA_CONFIGS-"base aop"}
RS_CONFIGS=${RS_CONFIGS-"modssl aop"}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }
case $TLS in 1.2|1.3) ;; *) die "TLS is 1.2 or 1.3" ;; esac
case $CLIENT_KEY in ec|rsa) ;; *) die "CLIENT_KEY is ec or rsa" ;; esac
case $SERVER_KEY in ec|rsa) ;; *) die "SERVER_KEY is ec or rsa" ;; esac
case $CA_KEY in ec|rsa4096) ;; *) die "CA_KEY is rsa4096 or ec" ;; esac

# ---- configurations ------------------------------------------------------
# A configuration NAME (ID below: NAME with "-" as "_", e.g. aop-deny -> aop_deny) is:
#   cfg_ID      prints the directives that go inside the TLS <VirtualHost>
#   mod_ID=1    (optional) load mod_cf_aop in that instance
#   prep_ID     (optional) makes its data files in $pki before configs are
#               written (lists, CRLs); runs once
# and is measured when listed in CONFIGS / KA_CONFIGS / RS_CONFIGS.  The
# ratio column is against "modssl" (full handshakes), "base" (keep-alive) and
# the first of RS_CONFIGS (resumption).  Adding one is a function and a word
# in CONFIGS, e.g.
#   mod_aop_deny=1
#   prep_aop_deny() { ...write $pki/deny.txt...; }
#   cfg_aop_deny()  { cfg_aop; echo "    CFAOPDenySerialFile $pki/deny.txt"; }

cfg_base() { :; }

# the seeds' recipe: mod_ssl verifies the client against the CA
cfg_modssl() {
    cat <<EOF
    SSLVerifyClient require
    SSLVerifyDepth 1
    SSLCACertificateFile $pki/ca.pem
EOF
}

mod_aop=1
cfg_aop() {
    cat <<EOF
    CFAOP On
    CFAOPTrustedCA $pki/ca.pem
EOF
}

# Opt-in (CONFIGS="base modssl aop modssl-nt aop-nt"): the same without TLS
# session tickets.  With a client certificate in the session, each ticket
# costs the server a re-parse of that certificate (OpenSSL 3.0 copies the
# session for a stateless ticket by encoding and decoding it), which is a
# large share of the client-authentication cost; these isolate it.
cfg_modssl_nt() { cfg_modssl; echo "    SSLSessionTickets off"; }
mod_aop_nt=1
cfg_aop_nt() { cfg_aop; echo "    SSLSessionTickets off"; }

# ---- helpers -------------------------------------------------------------
now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }
ms_since() { echo $(( ($(now_us) - $1) / 1000 )); }

# key=value from loadgen's machine line
kv() { local k=$1 line=$2 v; v=" $line "; v=${v#* "$k"=}; echo "${v%% *}"; }

have_pinning=1
if ! command -v taskset >/dev/null || [ "$(nproc)" -lt 2 ]; then
    have_pinning=0
    note "taskset missing or fewer than 2 cores: server and client are not pinned"
fi
srv_pin=() cli_pin=()
if [ $have_pinning = 1 ]; then srv_pin=(taskset -c "$SERVER_CPU"); cli_pin=(taskset -c "$CLIENT_CPU"); fi

command -v "$APXS" >/dev/null || die "apxs not found (install apache2-dev)"
[ -f "$MODULE" ] || die "module $MODULE not built (run make)"
HTTPD=$("$APXS" -q SBINDIR)/$("$APXS" -q TARGET)
LIBEXEC=$("$APXS" -q LIBEXECDIR)
[ -x "$HTTPD" ] || die "httpd binary $HTTPD not found"
MODULE=$(cd "$(dirname "$MODULE")" && pwd)/$(basename "$MODULE")

# ---- temp dir, cleanup -----------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cfaop-bench.XXXXXX")
chmod 755 "$tmp"   # httpd's children run as an unprivileged user when we are root
pki=$tmp/pki
declare -A PID PORT CONF
cleanup() {
    local rc=$? n p
    for n in "${!PID[@]}"; do
        p=${PID[$n]}
        kill -TERM "$p" 2>/dev/null || true
    done
    for n in "${!PID[@]}"; do
        p=${PID[$n]}
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    if [ "${KEEP:-0}" = 1 ]; then note "kept $tmp"; else rm -rf "$tmp"; fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- load generator --------------------------------------------------------
mkdir -p "$BUILD"
LOADGEN=$BUILD/loadgen
${CC:-cc} -O2 -Wall -Wextra -Werror -pthread -o "$LOADGEN" "$here/loadgen.c" -lssl -lcrypto \
    || die "cannot build the load generator"

# ---- PKI -----------------------------------------------------------------
mkdir -p "$pki"
gen_key() {   # gen_key FILE ec|rsa|rsa4096
    case $2 in
    ec)      openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null ;;
    rsa)     openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null ;;
    rsa4096) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out "$1" 2>/dev/null ;;
    *) die "unknown key type $2" ;;
    esac
}
make_pki() {
    cat >"$pki/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
[v3_client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
    local c="$pki/openssl.cnf"
    gen_key "$pki/ca.key" "$CA_KEY"
    openssl req -x509 -new -config "$c" -extensions v3_ca -key "$pki/ca.key" -sha256 -days 60 \
        -subj "/O=cfaop bench/OU=Origin Pull/CN=cfaop bench origin-pull CA" -out "$pki/ca.pem"
    gen_key "$pki/server.key" "$SERVER_KEY"
    openssl req -x509 -new -config "$c" -extensions v3_server -key "$pki/server.key" -sha256 -days 30 \
        -subj "/CN=localhost" -out "$pki/server.pem"
    gen_key "$pki/client.key" "$CLIENT_KEY"
    openssl req -new -config "$c" -key "$pki/client.key" -subj "/O=cfaop bench/CN=origin-pull client" \
        -out "$pki/client.csr"
    openssl x509 -req -in "$pki/client.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" \
        -set_serial "0x$(openssl rand -hex 12)" -days 30 -sha256 \
        -extfile "$c" -extensions v3_client -out "$pki/client.pem" 2>/dev/null
    openssl verify -CAfile "$pki/ca.pem" "$pki/client.pem" >/dev/null || die "client cert does not verify"
    chmod 644 "$pki"/*.pem
}
make_pki || die "cannot make the PKI"
# measure a snapshot of the module: a rebuild during the run does not change it
module_id="sha256 $(sha256sum "$MODULE" | cut -c1-12), built $(date -u -r "$MODULE" '+%Y-%m-%d %H:%M:%S UTC')"
cp "$MODULE" "$tmp/mod_cf_aop.so"
MODULE=$tmp/mod_cf_aop.so
chmod 644 "$MODULE"
mkdir -p "$tmp/htdocs"
printf 'ok\n' >"$tmp/htdocs/bench.txt"
chmod -R a+rX "$tmp/htdocs"

# ---- httpd configs ---------------------------------------------------------
static_mods=$("$HTTPD" -l)
load() {   # load SHORTNAME: LoadModule unless compiled in
    if ! grep -q "mod_$1\.c" <<<"$static_mods"; then
        echo "LoadModule ${1}_module $LIBEXEC/mod_$1.so"
    fi
}
run_as=""
if [ "$(id -u)" = 0 ]; then
    u=www-data; g=www-data
    id -u "$u" >/dev/null 2>&1 || u=nobody
    getent group "$g" >/dev/null 2>&1 || g=nogroup
    run_as="User $u
Group $g"
fi

declare -A USED_PORT
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
    local p
    for _ in $(seq 100); do
        p=$(( 20000 + RANDOM % 10000 ))
        [ -z "${USED_PORT[$p]:-}" ] && ! port_open "$p" && { USED_PORT[$p]=1; echo "$p"; return 0; }
    done
    return 1
}

write_conf() {   # write_conf NAME PORT
    local n=$1 port=$2 d=$tmp/inst/$1 modvar="mod_${1//-/_}"
    mkdir -p "$d/logs" "$d/run"
    chmod 755 "$d" "$d/run"
    {
        echo "# bench configuration: $n"
        echo "ServerRoot \"$d\""
        echo "ServerName localhost"
        echo "Listen 127.0.0.1:$port"
        echo "PidFile $d/run/httpd.pid"
        echo "DefaultRuntimeDir $d/run"
        echo "ErrorLog $d/logs/error.log"
        echo "LogLevel warn"
        load mpm_event; load unixd; load authz_core; load socache_shmcb; load ssl
        [ "${!modvar:-0}" = 1 ] && echo "LoadModule cf_aop_module $MODULE"
        [ -n "$run_as" ] && echo "$run_as"
        # One child process with a fixed pool of threads: the instance's CPU
        # time is exactly parent + one child (no process is started or reaped
        # during a round, so no CPU is lost with an exited process and no
        # fork cost lands in a round), and every handshake runs on the one
        # pinned core.  Twice as many workers as client connections: mpm_event
        # stops accepting and closes kept-alive connections whenever all of
        # its workers are busy, which would measure the MPM's back-off rather
        # than TLS; idle workers only sleep, so they cost no CPU.
        cat <<EOF
StartServers 1
ServerLimit 1
ThreadLimit $SRV_THREADS
ThreadsPerChild $SRV_THREADS
MaxRequestWorkers $SRV_THREADS
MinSpareThreads 1
MaxSpareThreads $SRV_THREADS
MaxConnectionsPerChild 0
ListenBacklog 511
Timeout 10
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 5
DocumentRoot "$tmp/htdocs"
<Directory "$tmp/htdocs">
    Require all granted
</Directory>
SSLSessionCache shmcb:$d/run/ssl_scache(512000)
<VirtualHost 127.0.0.1:$port>
    ServerName localhost
    SSLEngine on
    SSLCertificateFile $pki/server.pem
    SSLCertificateKeyFile $pki/server.key
EOF
        "cfg_${n//-/_}"
        echo "</VirtualHost>"
    } >"$d/httpd.conf"
    CONF[$n]=$d/httpd.conf
}

all_configs=$(printf '%s\n' $CONFIGS $KA_CONFIGS $RS_CONFIGS | awk 'NF && !seen[$0]++')
for n in $all_configs; do
    declare -F "cfg_${n//-/_}" >/dev/null || die "unknown configuration $n (no cfg_${n//-/_})"
done
for n in $all_configs; do
    if declare -F "prep_${n//-/_}" >/dev/null; then "prep_${n//-/_}" || die "prep_${n//-/_} failed"; fi
done

# ---- start ---------------------------------------------------------------
declare -A T_CONFIGTEST T_LISTEN T_READY RSS_PARENT RSS_CHILD
lg_common=(--host 127.0.0.1 --sni localhost --cert "$pki/client.pem" --key "$pki/client.key" --tls "$TLS" --path /bench.txt)

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
children_of() {
    local p=$1 f
    for f in /proc/"$p"/task/*/children; do
        [ -r "$f" ] && cat "$f"
    done 2>/dev/null
    [ -r "/proc/$p/task/$p/children" ] && return 0
    # kernels without /proc/.../children
    awk -v pp="$p" '$4 == pp {print $1}' /proc/[0-9]*/stat 2>/dev/null || true
}
instance_pids() { echo "$1"; children_of "$1"; }

start_instance() {   # start_instance NAME
    local n=$1 port out t0 try log
    for try in 1 2 3; do
        port=$(pick_port) || die "no free port"
        write_conf "$n" "$port"
        log=$tmp/inst/$n/logs/configtest.out
        t0=$(now_us)
        if ! "$HTTPD" -t -f "${CONF[$n]}" >"$log" 2>&1; then
            cat "$log" >&2
            die "configuration $n does not pass httpd -t"
        fi
        T_CONFIGTEST[$n]=$(ms_since "$t0")
        grep -v '^Syntax OK$' "$log" | sed "s/^/bench: [$n] httpd -t: /" >&2 || true
        t0=$(now_us)
        "${srv_pin[@]}" "$HTTPD" -f "${CONF[$n]}" -DFOREGROUND </dev/null >>"$tmp/inst/$n/logs/stdout" 2>&1 &
        PID[$n]=$!
        PORT[$n]=$port
        local ok=0
        for _ in $(seq 3000); do
            if ! kill -0 "${PID[$n]}" 2>/dev/null; then break; fi
            if port_open "$port"; then ok=1; break; fi
            sleep 0.01
        done
        if [ $ok = 1 ]; then
            T_LISTEN[$n]=$(ms_since "$t0")
            # ready: a worker answers TLS (whether or not it accepts the
            # client: a rejecting configuration shows up in the rounds)
            ok=0
            for _ in $(seq 500); do
                out=$("$LOADGEN" "${lg_common[@]}" --port "$port" --count 1 --threads 1 --seconds 5 2>/dev/null) || true
                if [ "$(kv f_connect "$(grep '^loadgen ' <<<"$out")")" = 0 ]; then ok=1; break; fi
                sleep 0.01
            done
            [ $ok = 1 ] || { tail -20 "$tmp/inst/$n/logs/error.log" >&2; die "configuration $n listens but does not answer"; }
            T_READY[$n]=$(ms_since "$t0")
            RSS_PARENT[$n]=$(rss_kb "${PID[$n]}")
            return 0
        fi
        # lost the port to someone else, or failed: retry on another port
        kill -TERM "${PID[$n]}" 2>/dev/null || true
        wait "${PID[$n]}" 2>/dev/null || true
        unset "PID[$n]"
        if ! grep -q 'Address already in use' "$tmp/inst/$n/logs/error.log" "$tmp/inst/$n/logs/stdout" 2>/dev/null; then
            tail -20 "$tmp/inst/$n/logs/error.log" "$tmp/inst/$n/logs/stdout" >&2 2>/dev/null || true
            die "configuration $n did not start"
        fi
    done
    die "configuration $n: no port after 3 tries"
}

for n in $all_configs; do start_instance "$n"; done

# CPU time of an instance, ns: schedstat run time summed over every thread of
# the parent and its children (a process-wide /proc/<pid>/stat utime+stime
# has 10 ms ticks; schedstat is exact).
cpu_ns() {
    local total=0 p f v rest
    for p in $(instance_pids "$1"); do
        for f in /proc/"$p"/task/*/schedstat; do
            read -r v rest <"$f" 2>/dev/null || continue
            total=$(( total + v ))
        done
    done
    echo "$total"
}

# ---- rounds --------------------------------------------------------------
results=$tmp/results.tsv
: >"$results"
errfile=$tmp/loadgen.err
: >"$errfile"

# measure PHASE NAME ROUND MODE SECONDS: one loadgen run against NAME,
# appends: phase name round rate ok failed handshakes ops server_ns wall client_share us_per_op
#          fail_detail server_util
measure() {
    local phase=$1 n=$2 round=$3 mode=$4 secs=$5 pids_before pids_after c0 c1 out line
    pids_before=$(instance_pids "${PID[$n]}" | sort | tr '\n' ' ')
    c0=$(cpu_ns "${PID[$n]}")
    local extra=()
    [ "$phase" = resume ] && extra=(--resume)
    out=$("${cli_pin[@]}" "$LOADGEN" "${lg_common[@]}" --port "${PORT[$n]}" --threads "$THREADS" \
          --seconds "$secs" --mode "$mode" "${extra[@]}" 2>"$tmp/lg.err") || true
    sed "s/^/[$n] /" "$tmp/lg.err" >>"$errfile"
    sleep 0.3   # let the server finish closing the last connections
    c1=$(cpu_ns "${PID[$n]}")
    pids_after=$(instance_pids "${PID[$n]}" | sort | tr '\n' ' ')
    [ "$pids_before" = "$pids_after" ] || note "[$n] process set changed during a round ($pids_before -> $pids_after): CPU may be undercounted"
    line=$(grep '^loadgen ' <<<"$out") || die "[$n] loadgen printed no result"
    local ok failed hs ops rate wall share denom detail
    ok=$(kv ok "$line"); failed=$(kv failed "$line"); hs=$(kv handshakes "$line"); ops=$(kv ops "$line")
    rate=$(kv rate "$line"); wall=$(kv wall "$line"); share=$(kv cpu_share "$line")
    if [ "$mode" = full ]; then denom=$hs; else denom=$ops; fi
    if [ "$phase" = resume ]; then
        local res; res=$(kv resumed "$line")
        [ "$hs" -gt 0 ] && [ $(( res * 100 / hs )) -ge 95 ] || note "[$n] round $round: only $res of $hs handshakes resumed"
    fi
    detail=-
    [ "$(kv reopened "$line")" = 0 ] || note "[$n] round $round: $(kv reopened "$line") kept-alive connections closed by the server and reopened"
    if [ "$failed" != 0 ]; then
        detail=$(tr ' ' '\n' <<<"$line" | grep -E '^(f_[a-z]+=[1-9]|alerts=[0-9]|statuses=[0-9])' | tr '\n' ' ')
        note "[$n] round $round: $failed failed: $detail"
    fi
    awk -v OFS='\t' -v p="$phase" -v n="$n" -v r="$round" -v rate="$rate" -v ok="$ok" -v f="$failed" \
        -v hs="$hs" -v ops="$ops" -v ns="$((c1 - c0))" -v wall="$wall" -v sh="$share" -v d="$denom" -v det="${detail% }" \
        'BEGIN { print p, n, r, rate, ok, f, hs, ops, ns, wall, sh, (d > 0 ? ns / 1000 / d : 0), det,
                 (wall > 0 ? ns / 1e9 / wall : 0) }' >>"$results"
}

# rounds PHASE MODE SECS NROUNDS CONFIG...: rotated alternating rounds
rounds() {
    local phase=$1 mode=$2 secs=$3 nr=$4; shift 4
    local cfgs=("$@") k=${#cfgs[@]} r i
    for ((r = 1; r <= nr; r++)); do
        for ((i = 0; i < k; i++)); do
            measure "$phase" "${cfgs[$(( (r - 1 + i) % k ))]}" "$r" "$mode" "$secs"
        done
    done
}

read -r -a full_cfgs <<<"$CONFIGS"
read -r -a ka_cfgs <<<"$KA_CONFIGS"
read -r -a rs_cfgs <<<"$RS_CONFIGS"

note "warming up ($WARMUP s each)"
for n in $all_configs; do
    "${cli_pin[@]}" "$LOADGEN" "${lg_common[@]}" --port "${PORT[$n]}" --threads "$THREADS" \
        --seconds "$WARMUP" --mode full >/dev/null 2>>"$errfile" || note "[$n] warm-up had failures"
done
note "full handshakes: ${#full_cfgs[@]} configurations x $ROUNDS rounds x $SECS s"
rounds full full "$SECS" "$ROUNDS" "${full_cfgs[@]}"
if [ ${#ka_cfgs[@]} -gt 0 ]; then
    note "keep-alive: ${#ka_cfgs[@]} configurations x $KA_ROUNDS rounds x $KA_SECS s"
    rounds keepalive keepalive "$KA_SECS" "$KA_ROUNDS" "${ka_cfgs[@]}"
fi
if [ ${#rs_cfgs[@]} -gt 0 ]; then
    note "resumed handshakes: ${#rs_cfgs[@]} configurations x $RS_ROUNDS rounds x $RS_SECS s"
    rounds resume full "$RS_SECS" "$RS_ROUNDS" "${rs_cfgs[@]}"
fi
for n in $all_configs; do
    RSS_CHILD[$n]=$(for c in $(children_of "${PID[$n]}"); do rss_kb "$c"; done | sort -n | tail -1)
    [ -n "${RSS_CHILD[$n]}" ] || RSS_CHILD[$n]=0
done

# ---- report --------------------------------------------------------------
# summary PHASE NAME COL: "median min max" of a results column
summary() {
    awk -F'\t' -v p="$1" -v n="$2" -v c="$3" '$1 == p && $2 == n { print $c }' "$results" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) { print "0 0 0"; exit }
               m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m, v[1], v[NR] }'
}
# paired PHASE NAME REF: median min max of the per-round ratio NAME/REF of us_per_op
paired() {
    awk -F'\t' -v p="$1" -v n="$2" -v ref="$3" '
        $1 == p && $2 == n   { a[$3] = $12 }
        $1 == p && $2 == ref { b[$3] = $12 }
        END { for (r in a) if ((r in b) && b[r] > 0) print a[r] / b[r] }' "$results" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) { print "- - -"; exit }
               m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f %.3f %.3f\n", m, v[1], v[NR] }'
}
sum_col() { awk -F'\t' -v p="$1" -v n="$2" -v c="$3" '$1 == p && $2 == n { s += $c } END { print s + 0 }' "$results"; }

table() {   # table PHASE REF UNIT
    local phase=$1 ref=$2 unit=$3 n rate cpu sh refcpu refrate pr util
    shift 3
    read -r refcpu _ _ <<<"$(summary "$phase" "$ref" 12)"
    read -r refrate _ _ <<<"$(summary "$phase" "$ref" 4)"
    printf '%-11s %-22s %-24s %-9s %-22s %-9s %-8s %-8s %s\n' config "$unit med (min-max)" \
        "srv us/op med (min-max)" "cpu/$ref" "paired cpu/$ref (range)" "rate/$ref" "server%" "client%" failed
    for n in "$@"; do
        read -r -a rate <<<"$(summary "$phase" "$n" 4)"
        read -r -a cpu <<<"$(summary "$phase" "$n" 12)"
        read -r -a sh <<<"$(summary "$phase" "$n" 11)"
        read -r -a util <<<"$(summary "$phase" "$n" 14)"
        read -r -a pr <<<"$(paired "$phase" "$n" "$ref")"
        awk -v n="$n" -v r0="${rate[0]}" -v r1="${rate[1]}" -v r2="${rate[2]}" \
            -v c0="${cpu[0]}" -v c1="${cpu[1]}" -v c2="${cpu[2]}" -v rc="${refcpu:-0}" -v rr="${refrate:-0}" \
            -v p0="${pr[0]}" -v p1="${pr[1]}" -v p2="${pr[2]}" -v s0="${sh[0]}" -v s2="${sh[2]}" \
            -v u0="${util[0]}" -v u2="${util[2]}" \
            -v f="$(sum_col "$phase" "$n" 6)" 'BEGIN {
            printf "%-11s %-22s %-24s %-9s %-22s %-9s %-8s %-8s %s\n", n,
                sprintf("%.0f (%.0f-%.0f)", r0, r1, r2),
                sprintf("%.1f (%.1f-%.1f)", c0, c1, c2),
                (rc > 0 ? sprintf("%.3f", c0 / rc) : "-"),
                (p0 == "-" ? "-" : sprintf("%s (%s-%s)", p0, p1, p2)),
                (rr > 0 ? sprintf("%.3f", r0 / rr) : "-"),
                sprintf("%.0f/%.0f", u0 * 100, u2 * 100),
                sprintf("%.0f/%.0f", s0 * 100, s2 * 100), f }'
    done
}

key_desc() { case $1 in ec) echo "ECDSA P-256" ;; rsa) echo "RSA-2048" ;; rsa4096) echo "RSA-4096" ;; esac; }
report=$tmp/report.txt
{
    echo
    echo "mod_cf_aop benchmark  $(date -u '+%Y-%m-%d %H:%M UTC')  QUICK=$QUICK"
    echo "machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), kernel $(uname -r)"
    echo "software: $("$HTTPD" -v | awk -F': ' '/version/ {print $2}'), $(openssl version)"
    echo "module: mod_cf_aop.so $module_id"
    echo "TLS $TLS, client leaf $(key_desc "$CLIENT_KEY") signed by a $(key_desc "$CA_KEY") CA, server key $(key_desc "$SERVER_KEY");" \
         "$THREADS client connections in flight; server pinned to CPU $SERVER_CPU, client to CPU $CLIENT_CPU (pinning: $have_pinning)"
    echo "httpd: mpm_event, 1 child x $SRV_THREADS threads, LogLevel warn, no access log, shmcb session cache"
    echo
    echo "== full handshake per request (connect, handshake, GET, close): $ROUNDS rounds x $SECS s, rotated =="
    table full modssl conn/s "${full_cfgs[@]}"
    if [ ${#ka_cfgs[@]} -gt 0 ]; then
        echo
        echo "== keep-alive (one connection per client thread): $KA_ROUNDS rounds x $KA_SECS s =="
        table keepalive base req/s "${ka_cfgs[@]}"
    fi
    if [ ${#rs_cfgs[@]} -gt 0 ]; then
        echo
        echo "== resumed handshake per request (each thread resumes its last session): $RS_ROUNDS rounds x $RS_SECS s =="
        table resume "${rs_cfgs[0]}" conn/s "${rs_cfgs[@]}"
    fi
    echo
    echo "== startup and memory =="
    printf '%-11s %-14s %-16s %-15s %-16s %s\n' config "httpd -t ms" "start->listen ms" "start->ready ms" "parent RSS KiB" "child RSS KiB (after load)"
    for n in $all_configs; do
        printf '%-11s %-14s %-16s %-15s %-16s %s\n' "$n" "${T_CONFIGTEST[$n]}" "${T_LISTEN[$n]}" "${T_READY[$n]}" \
            "${RSS_PARENT[$n]}" "${RSS_CHILD[$n]}"
    done
    echo
    echo "us/op: server CPU microseconds per handshake (full) or per request (keep-alive), all threads of"
    echo "the instance's processes, from /proc/<pid>/task/*/schedstat. cpu/REF: ratio of medians;"
    echo "paired: median of per-round ratios. server%/client%: CPU time / wall time of the server instance"
    echo "and of loadgen (getrusage user+sys), median/max, in % of one core: the side near 100% is the bottleneck."
} >"$report"
cat "$report"
cp "$results" "$BUILD/bench-results.tsv"
cp "$report" "$BUILD/bench-report.txt"

total_failed=$(awk -F'\t' '{ s += $6 } END { print s + 0 }' "$results")
if [ "$total_failed" != 0 ]; then
    echo
    echo "bench: FAILED: $total_failed operations failed; first failures reported by loadgen:" >&2
    sort "$errfile" | uniq -c | sort -rn | head -10 >&2
    for n in $all_configs; do
        if [ -s "$tmp/inst/$n/logs/error.log" ]; then
            echo "bench: [$n] error log (last lines):" >&2
            tail -5 "$tmp/inst/$n/logs/error.log" >&2
        fi
    done
    exit 1
fi
exit 0
