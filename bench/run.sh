#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/run.sh: mod_cf_aop side by side with TLS without client auth and with
# mod_ssl's own client verification (the usual Authenticated Origin Pulls
# recipe), on one machine, in one run.
#
# What it does
#   1. builds the load generator (bench/loadgen.c) and the revocation-data
#      generator (bench/revgen.c) into $BUILD
#   2. makes a throwaway PKI with the openssl CLI (a CA standing in for the
#      origin-pull CA, a client leaf signed by it, a server cert for localhost)
#      and the data of the configurations that need it, once per run: a deny
#      list and a CRL of the same DENY_N serials (revgen, OpenSSL API), a
#      hostname map of MAP_HOSTS names over MAP_CAS CA files
#   3. writes one httpd config per configuration (see "Configurations"),
#      times `httpd -t` and the start (STARTUP_REPS times, medians), reads
#      the parent's RSS, and starts them all on 127.0.0.1
#   4. checks that the revocation configurations really refuse a leaf whose
#      serial is in the list (alert certificate_revoked) and that aop-map
#      really selects the hostname's CA (the zone CA's leaf is refused)
#   5. full handshakes: alternating rounds A B C, B C A, C A B, ... (rotated so
#      that no configuration always runs first); per round it takes the
#      server's CPU time (all threads of the parent and its children, from
#      /proc/<pid>/task/*/schedstat) before and after, and divides by the
#      handshakes: server CPU microseconds per handshake
#   6. keep-alive: the same for requests on long-lived connections
#      (server CPU per request); resumption: the same for resumed
#      handshakes (each client thread resumes its previous session)
#   7. prints the tables (handshakes with medians, min-max, ratios; startup
#      and memory; the load of the deny list against the same revocations as
#      a CRL) and exits 1 if any configuration had a failed connection,
#      handshake or request
#
# Server and client are pinned to different cores (taskset) so that the
# server's CPU time is not shared with the client's.
#
# Configurations (CONFIGS, full handshakes):
#   base        TLS, no client authentication
#   modssl      the seeds' recipe: SSLVerifyClient require, SSLVerifyDepth 1,
#               SSLCACertificateFile (the CA)
#   aop         CFAOP On, CFAOPTrustedCA (the CA)
#   aop-nocache aop + CFAOPChainCache Off (full chain verification each time)
#   aop-deny    aop + CFAOPDenySerialFile of DENY_N serials (not the client's)
#   aop-map     aop + CFAOPHostnameMap of MAP_HOSTS hostnames over MAP_CAS CA
#               files; the client sends the SNI of one of them and presents a
#               leaf of that hostname's CA
#   modssl-crl  modssl + SSLCARevocationFile (a DENY_N-entry CRL signed by the
#               CA, the same serials as the deny list) + SSLCARevocationCheck
#               chain.  OpenSSL re-checks the CRL's signature on every
#               handshake: with 1M entries about 40 ms of server CPU each, so
#               its rounds are shorter (CRL_SECS)
#   aop-crl     aop + CFAOPRevocationFile (the same CRL)
#   opt-in:     base-nt, modssl-nt, aop-nt (SSLSessionTickets off)
#
# Environment (all optional):
#   QUICK=1          a smoke run in under a minute: 2 rounds of 1 s (keep-alive,
#                    resumption 2 of 1 s), one start per configuration, and SMALL
#                    lists: 10,000 serials / CRL entries, 100 hostnames over 10
#                    CA files (every configuration runs; the load numbers are
#                    then not the 1M / 10k ones)
#   ROUNDS, SECS     rounds per configuration and seconds per round (5, 10)
#   CRL_SECS         seconds per round of modssl-crl (SECS / 2, at least 1)
#   KA_ROUNDS, KA_SECS  same for keep-alive (7, 5)
#   RS_ROUNDS, RS_SECS  same for resumed handshakes (5, 5)
#   STARTUP_REPS     starts (and `httpd -t` runs) per configuration, medians (3)
#   DENY_N           serials in the deny list and entries in the CRL (1000000)
#   MAP_HOSTS, MAP_CAS  hostnames and distinct CA files of the map (10000, 100)
#   THREADS          client connections in flight (8)
#   SRV_THREADS      httpd worker threads, one child process (2 x THREADS)
#   TLS              1.3 or 1.2 (1.3)
#   CLIENT_KEY       ec (ECDSA P-256) or rsa (RSA-2048) client leaf (ec)
#   SERVER_KEY       ec or rsa server key (ec)
#   CA_KEY           rsa4096 (like Cloudflare's origin-pull CA) or ec (rsa4096)
#   CONFIGS          full-handshake configurations, in order
#                    ("base modssl aop aop-nocache aop-deny aop-map modssl-crl aop-crl")
#   KA_CONFIGS       keep-alive configurations ("base aop"; empty: none)
#   RS_CONFIGS       resumed-handshake configurations ("modssl aop"; empty: none)
#   SERVER_CPU, CLIENT_CPU  cores to pin to (1, 0)
#   BUILD, MODULE, APXS     build dir, module path, apxs
#   KEEP=1           keep the temp dir (configs, logs, PKI) and print its path
#   INSTR=1          count instructions instead of timing (bench/server-instr.sh):
#                    each configuration runs as one `httpd -X` process under
#                    valgrind --tool=callgrind; after a warm-up the counters are
#                    zeroed, loadgen runs IA operations (one client thread), the
#                    counters are dumped, loadgen runs IB operations, dumped again;
#                    per operation = (I(IB) - I(IA)) / (IB - IA), so what is paid
#                    once per loadgen run (its keep-alive connection's handshake,
#                    idle timers) cancels.  User-space instructions only (callgrind
#                    does not see the kernel).  CONFIGS defaults to all but
#                    modssl-crl (about 5 s a handshake under callgrind; it can be
#                    listed, with small counts); keep-alive for KA_CONFIGS
#   IFULL_A, IFULL_B full handshakes of the two INSTR measurements (100, 300)
#   IKA_A, IKA_B     keep-alive requests of the two INSTR measurements (500, 2500)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
BUILD=${BUILD:-$root/build}
MODULE=${MODULE:-$BUILD/mod_cf_aop.so}
APXS=${APXS:-apxs}
QUICK=${QUICK:-0}
INSTR=${INSTR:-0}
if [ "$INSTR" = 1 ]; then
    # instruction counts are exact: one start, no timed rounds
    STARTUP_REPS=1
    CONFIGS=${CONFIGS:-"base modssl aop aop-nocache aop-deny aop-map aop-crl"}
    RS_CONFIGS=${RS_CONFIGS-""}
fi
if [ "$QUICK" = 1 ]; then
    ROUNDS=${ROUNDS:-2} SECS=${SECS:-1} KA_ROUNDS=${KA_ROUNDS:-2} KA_SECS=${KA_SECS:-1}
    RS_ROUNDS=${RS_ROUNDS:-2} RS_SECS=${RS_SECS:-1} WARMUP=${WARMUP:-0.3}
    STARTUP_REPS=${STARTUP_REPS:-1} DENY_N=${DENY_N:-10000} MAP_HOSTS=${MAP_HOSTS:-100} MAP_CAS=${MAP_CAS:-10}
else
    ROUNDS=${ROUNDS:-5} SECS=${SECS:-10} KA_ROUNDS=${KA_ROUNDS:-7} KA_SECS=${KA_SECS:-5}
    RS_ROUNDS=${RS_ROUNDS:-5} RS_SECS=${RS_SECS:-5} WARMUP=${WARMUP:-2}
    STARTUP_REPS=${STARTUP_REPS:-3} DENY_N=${DENY_N:-1000000} MAP_HOSTS=${MAP_HOSTS:-10000} MAP_CAS=${MAP_CAS:-100}
fi
CRL_SECS=${CRL_SECS:-$(awk -v s="$SECS" 'BEGIN { h = s / 2; print (h < 1 ? (s < 1 ? s : 1) : h) }')}
THREADS=${THREADS:-8}
SRV_THREADS=${SRV_THREADS:-$(( 2 * THREADS ))}
TLS=${TLS:-1.3}
CLIENT_KEY=${CLIENT_KEY:-ec}
SERVER_KEY=${SERVER_KEY:-ec}
CA_KEY=${CA_KEY:-rsa4096}
CONFIGS=${CONFIGS:-"base modssl aop aop-nocache aop-deny aop-map modssl-crl aop-crl"}
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
for v in STARTUP_REPS DENY_N MAP_HOSTS MAP_CAS; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer"
done
[ "$MAP_HOSTS" -le 99999 ] || die "MAP_HOSTS is at most 99999"

# ---- configurations ------------------------------------------------------
# A configuration NAME (ID below: NAME with "-" as "_", e.g. aop-deny -> aop_deny) is:
#   cfg_ID      prints the directives that go inside the TLS <VirtualHost>
#   mod_ID=1    (optional) load mod_cf_aop in that instance
#   prep_ID     (optional) makes its data files in $pki before configs are
#               written (lists, CRLs); runs once
#   client_ID   (optional) prints loadgen options, one a line, that replace
#               the defaults (SNI, client certificate and key) for this
#               configuration: readiness probe, warm-up and rounds
#   check_ID    (optional) runs after the start, before the rounds: proves
#               that the configuration does what it claims (dies if not)
#   secs_ID     (optional) seconds per full-handshake round instead of SECS
# and is measured when listed in CONFIGS / KA_CONFIGS / RS_CONFIGS.  The
# ratio column is against "modssl" (full handshakes), "base" (keep-alive) and
# the first of RS_CONFIGS (resumption).  Adding one is a function and a word
# in CONFIGS, e.g.
#   mod_aop_pin=1
#   cfg_aop_pin()  { cfg_aop; echo "    CFAOPPinSHA256 $(fingerprint of the leaf)"; }

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

# Opt-in (CONFIGS="base modssl aop base-nt modssl-nt aop-nt"): the same without TLS
# session tickets.  With a client certificate in the session, each ticket
# costs the server a re-parse of that certificate (OpenSSL 3.0 copies the
# session for a stateless ticket by encoding and decoding it), which is a
# large share of the client-authentication cost; these isolate it.
cfg_base_nt() { echo "    SSLSessionTickets off"; }
cfg_modssl_nt() { cfg_modssl; echo "    SSLSessionTickets off"; }
mod_aop_nt=1
cfg_aop_nt() { cfg_aop; echo "    SSLSessionTickets off"; }

# Full chain verification on every handshake: what the chain cache saves.
mod_aop_nocache=1
cfg_aop_nocache() { cfg_aop; echo "    CFAOPChainCache Off"; }

# The revocation data, made once per run by prep_revocation: a deny list and
# a CRL (signed by the CA) holding the same DENY_N serials, and a leaf (the
# client's key) whose serial is one of them.  The client's own leaf has a
# random serial, in neither.
revocation_ready=0
prep_revocation() {
    [ $revocation_ready = 1 ] && return 0
    local t0 out member
    t0=$(now_us)
    out=$("$REVGEN" "$pki/ca.pem" "$pki/ca.key" "$DENY_N" "$pki/deny.txt" "$pki/crl.pem") || return 1
    member=$(sed -n 's/^member=//p' <<<"$out")
    [ -n "$member" ] || return 1
    note "revocation data: $DENY_N serials as a deny list and as a CRL in $(ms_since "$t0") ms"
    pki_leaf "$pki/revoked" "$CLIENT_SUBJ" "$member" "$pki/ca" -days 30 -key "$pki/client.key" || return 1
    chmod 644 "$pki/deny.txt" "$pki/crl.pem" "$pki/revoked.pem"
    revocation_ready=1
}

# check_refuses_revoked NAME: the leaf whose serial is listed is refused with
# certificate_revoked (TLS alert 44); the client's own leaf passed the
# readiness probe already.
check_refuses_revoked() {
    local n=$1 out line cargs
    mapfile -t cargs < <(client_args "$n")
    out=$("$LOADGEN" "${lg_common[@]}" "${cargs[@]}" --cert "$pki/revoked.pem" --key "$pki/client.key" \
          --port "${PORT[$n]}" --count 1 --threads 1 --seconds 10 2>/dev/null) || true
    line=$(grep '^loadgen ' <<<"$out") || die "[$n] check: loadgen printed no result"
    if [ "$(kv ok "$line")" != 0 ] || [[ ",$(kv alerts "$line")," != *,44:* ]]; then
        die "[$n] check: a leaf with a listed serial was not refused with certificate_revoked: $line"
    fi
    CHECKS+=("$n: a leaf whose serial is listed is refused (alert certificate_revoked)")
}

mod_aop_deny=1
prep_aop_deny() { prep_revocation; }
cfg_aop_deny() { cfg_aop; echo "    CFAOPDenySerialFile $pki/deny.txt"; }
check_aop_deny() { check_refuses_revoked aop-deny; }

# The seeds' recipe with the CRL.  Without SSLCARevocationCheck mod_ssl
# loads the file and checks nothing (AH01902); "chain" checks the leaf and
# the CA.
prep_modssl_crl() { prep_revocation; }
cfg_modssl_crl() {
    cfg_modssl
    cat <<EOF
    SSLCARevocationFile $pki/crl.pem
    SSLCARevocationCheck chain
EOF
}
check_modssl_crl() { check_refuses_revoked modssl-crl; }
secs_modssl_crl=$CRL_SECS

mod_aop_crl=1
prep_aop_crl() { prep_revocation; }
cfg_aop_crl() { cfg_aop; echo "    CFAOPRevocationFile $pki/crl.pem"; }
check_aop_crl() { check_refuses_revoked aop-crl; }

# MAP_HOSTS hostnames hostNNNNN.example.test over MAP_CAS CA files (host i
# trusts CA file (i mod MAP_CAS) + 1).  The CA files are distinct CA
# certificates (own subject names) sharing the zone CA's key, so that their
# signatures cost what the zone CA's do and only the policy lookup differs
# from aop.  The client sends the SNI of a host in the middle of the map
# and presents a leaf issued by that host's CA.
map_host_index=$(( MAP_HOSTS / 2 + 7 > MAP_HOSTS ? MAP_HOSTS : MAP_HOSTS / 2 + 7 ))
map_sni=$(printf 'host%05d.example.test' "$map_host_index")
mod_aop_map=1
prep_aop_map() {
    local t0 i d=$pki/mapca c
    t0=$(now_us)
    mkdir -p "$d"
    for ((i = 1; i <= MAP_CAS; i++)); do
        pki_ca "$d/$i" "/O=cfaop bench/OU=Origin Pull/CN=cfaop bench hostname CA $i" - \
            -ext v3_ca_noaki -days 60 -key "$pki/ca.key" || return 1
    done
    awk -v n="$MAP_HOSTS" -v c="$MAP_CAS" -v dir="$d" 'BEGIN {
        print "# bench: " n " hostnames over " c " CA files"
        for (i = 1; i <= n; i++) printf "host%05d.example.test %s/%d.pem\n", i, dir, (i % c) + 1
    }' >"$pki/hostnames.map"
    c=$d/$(( map_host_index % MAP_CAS + 1 ))
    pki_leaf "$pki/map-client" "$CLIENT_SUBJ" "$(openssl rand -hex 12)" "$c" -days 30 \
        -key "$pki/client.key" -cakey "$pki/ca.key" || return 1
    openssl verify -CAfile "$c.pem" "$pki/map-client.pem" >/dev/null || return 1
    chmod -R a+rX "$d"
    chmod 644 "$pki/hostnames.map" "$pki/map-client.pem"
    note "hostname map: $MAP_HOSTS hostnames over $MAP_CAS CA files in $(ms_since "$t0") ms; client SNI $map_sni"
}
cfg_aop_map() { cfg_aop; echo "    CFAOPHostnameMap $pki/hostnames.map"; }
client_aop_map() { printf '%s\n' --sni "$map_sni" --cert "$pki/map-client.pem" --key "$pki/client.key"; }
# the zone CA's leaf under the map's SNI is refused (unknown_ca, alert 48):
# the hostname's entry, not the zone, judged the connection
check_aop_map() {
    local out line
    out=$("$LOADGEN" "${lg_common[@]}" --sni "$map_sni" --port "${PORT[aop-map]}" --count 1 --threads 1 \
          --seconds 10 2>/dev/null) || true
    line=$(grep '^loadgen ' <<<"$out") || die "[aop-map] check: loadgen printed no result"
    if [ "$(kv ok "$line")" != 0 ] || [[ ",$(kv alerts "$line")," != *,48:* ]]; then
        die "[aop-map] check: the zone CA's leaf was not refused under the SNI $map_sni: $line"
    fi
    CHECKS+=("aop-map: under SNI $map_sni the hostname's CA decides (the zone CA's leaf is refused, alert unknown_ca)")
}

# ---- helpers -------------------------------------------------------------
now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }
ms_since() { echo $(( ($(now_us) - $1) / 1000 )); }

# key=value from loadgen's machine line
kv() { local k=$1 line=$2 v; v=" $line "; v=${v#* "$k"=}; echo "${v%% *}"; }

key_desc() { case $1 in ec) echo "ECDSA P-256" ;; rsa) echo "RSA-2048" ;; rsa4096) echo "RSA-4096" ;; esac; }
# loadgen options of configuration NAME that replace the defaults (client_ID)
client_args() { if declare -F "client_${1//-/_}" >/dev/null; then "client_${1//-/_}"; fi; }
# seconds of a full-handshake round of NAME (secs_ID, else SECS)
round_secs() { local v="secs_${1//-/_}"; echo "${!v:-$SECS}"; }

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
if [ "$INSTR" = 1 ]; then
    command -v valgrind >/dev/null && command -v callgrind_control >/dev/null \
        || die "INSTR=1 needs valgrind (apt-get install valgrind)"
    mkdir -p "$tmp/cg"
    chmod 1777 "$tmp/cg"   # httpd writes its dumps after dropping root
fi
LOAD_PID=""
cleanup() {
    local rc=$? n p
    [ -n "$LOAD_PID" ] && kill "$LOAD_PID" 2>/dev/null
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
REVGEN=$BUILD/revgen
${CC:-cc} -O2 -Wall -Wextra -Werror -o "$REVGEN" "$here/revgen.c" -lcrypto \
    || die "cannot build the revocation-data generator"

# ---- PKI -----------------------------------------------------------------
mkdir -p "$pki"
# shellcheck source=scripts/pki-lib.sh
. "$root/scripts/pki-lib.sh"
CLIENT_SUBJ="/O=cfaop bench/CN=origin-pull client"
make_pki() {
    pki_init "$tmp/pki-work"
    pki_extensions v3_bench_server <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
EOF
    pki_key "$pki/ca" "$CA_KEY"
    pki_ca "$pki/ca" "/O=cfaop bench/OU=Origin Pull/CN=cfaop bench origin-pull CA" - -ext v3_ca_noaki -days 60
    pki_key "$pki/server" "$SERVER_KEY"
    pki_self "$pki/server" "/CN=localhost" - -ext v3_bench_server -days 30
    pki_key "$pki/client" "$CLIENT_KEY"
    pki_leaf "$pki/client" "$CLIENT_SUBJ" "$(openssl rand -hex 12)" "$pki/ca" -days 30
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
        load mpm_event; load unixd; load authz_core; load socache_shmcb; load ssl; load slotmem_shm
        [ "${!modvar:-0}" = 1 ] && echo "LoadModule cf_aop_module $MODULE"
        # under callgrind (INSTR=1) httpd stays root: valgrind's control
        # pipes are made before httpd drops privileges, and callgrind_control
        # could not reach the process afterwards
        [ -n "$run_as" ] && [ "$INSTR" != 1 ] && echo "$run_as"
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
declare -A T_CONFIGTEST T_LISTEN T_READY RSS_PARENT RSS_CHILD T_ALL
CHECKS=()
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

start_once() {   # start_once NAME: one start; sets the T_*/RSS_PARENT values of this start
    local n=$1 port out t0 try log cargs
    mapfile -t cargs < <(client_args "$n")
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
        if [ "$INSTR" = 1 ]; then
            # one process (-X): the dumps hold every thread of the server
            valgrind --tool=callgrind --callgrind-out-file="$tmp/cg/$n.%p" \
                "$HTTPD" -X -f "${CONF[$n]}" </dev/null >>"$tmp/inst/$n/logs/stdout" 2>&1 &
        else
            "${srv_pin[@]}" "$HTTPD" -f "${CONF[$n]}" -DFOREGROUND </dev/null >>"$tmp/inst/$n/logs/stdout" 2>&1 &
        fi
        PID[$n]=$!
        PORT[$n]=$port
        local ok=0
        for _ in $(seq $(( INSTR == 1 ? 60000 : 6000 ))); do
            if ! kill -0 "${PID[$n]}" 2>/dev/null; then break; fi
            if port_open "$port"; then ok=1; break; fi
            sleep 0.01
        done
        if [ $ok = 1 ]; then
            T_LISTEN[$n]=$(ms_since "$t0")
            # ready: a worker completes a handshake, or refuses the client
            # with an alert (a rejecting configuration shows up in the
            # rounds).  The port opens during httpd's first configuration
            # pass, well before a child serves: a connection alone is not
            # enough
            ok=0
            for _ in $(seq 500); do
                out=$("$LOADGEN" "${lg_common[@]}" "${cargs[@]}" --port "$port" --count 1 --threads 1 --seconds 5 2>/dev/null) || true
                out=$(grep '^loadgen ' <<<"$out") || true
                if [ -n "$out" ] && { [ "$(kv ok "$out")" != 0 ] || [ "$(kv alerts "$out")" != - ]; }; then ok=1; break; fi
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

stop_instance() {   # stop_instance NAME
    local n=$1 p=${PID[$1]}
    kill -TERM "$p" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
    unset "PID[$n]"
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print 0; exit }
                                               print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# start_instance NAME: STARTUP_REPS starts (each with its `httpd -t`); the
# last one keeps running; the T_* and RSS_PARENT values are medians
start_instance() {
    local n=$1 r ct="" li="" re="" rss=""
    for ((r = 1; r <= STARTUP_REPS; r++)); do
        start_once "$n"
        ct+="${T_CONFIGTEST[$n]} " li+="${T_LISTEN[$n]} " re+="${T_READY[$n]} " rss+="${RSS_PARENT[$n]} "
        [ "$r" -lt "$STARTUP_REPS" ] && stop_instance "$n"
    done
    T_CONFIGTEST[$n]=$(tr ' ' '\n' <<<"$ct" | grep . | median)
    T_LISTEN[$n]=$(tr ' ' '\n' <<<"$li" | grep . | median)
    T_READY[$n]=$(tr ' ' '\n' <<<"$re" | grep . | median)
    RSS_PARENT[$n]=$(tr ' ' '\n' <<<"$rss" | grep . | median)
    T_ALL[$n]="${ct% } / ${re% } / ${rss% }"
}

note "starting ${all_configs//$'\n'/ } ($STARTUP_REPS start(s) each)"
for n in $all_configs; do start_instance "$n"; done
for n in $all_configs; do
    if declare -F "check_${n//-/_}" >/dev/null; then "check_${n//-/_}"; fi
done

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
# user and system ticks of an instance ("U S"), from /proc/<pid>/task/*/stat
# (clock ticks: coarse, but over a round enough for the user/system split)
cpu_ticks() {
    local p
    for p in $(instance_pids "$1"); do
        cat /proc/"$p"/task/*/stat 2>/dev/null
    done | awk '{ sub(/^.*\) /, ""); u += $12; s += $13 } END { print u + 0, s + 0 }'
}

# ---- rounds --------------------------------------------------------------
results=$tmp/results.tsv
: >"$results"
errfile=$tmp/loadgen.err
: >"$errfile"

# measure PHASE NAME ROUND MODE SECONDS: one loadgen run against NAME,
# appends: phase name round rate ok failed handshakes ops server_ns wall client_share us_per_op
#          fail_detail server_util server_user_share
measure() {
    local phase=$1 n=$2 round=$3 mode=$4 secs=$5 pids_before pids_after c0 c1 u0 s0 u1 s1 out line cargs
    mapfile -t cargs < <(client_args "$n")
    [ "$phase" = full ] && secs=$(round_secs "$n")
    pids_before=$(instance_pids "${PID[$n]}" | sort | tr '\n' ' ')
    c0=$(cpu_ns "${PID[$n]}")
    read -r u0 s0 <<<"$(cpu_ticks "${PID[$n]}")"
    local extra=()
    [ "$phase" = resume ] && extra=(--resume)
    out=$("${cli_pin[@]}" "$LOADGEN" "${lg_common[@]}" "${cargs[@]}" --port "${PORT[$n]}" --threads "$THREADS" \
          --seconds "$secs" --mode "$mode" "${extra[@]}" 2>"$tmp/lg.err") || true
    sed "s/^/[$n] /" "$tmp/lg.err" >>"$errfile"
    sleep 0.3   # let the server finish closing the last connections
    c1=$(cpu_ns "${PID[$n]}")
    read -r u1 s1 <<<"$(cpu_ticks "${PID[$n]}")"
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
        -v ut="$((u1 - u0))" -v st="$((s1 - s0))" \
        'BEGIN { print p, n, r, rate, ok, f, hs, ops, ns, wall, sh, (d > 0 ? ns / 1000 / d : 0), det,
                 (wall > 0 ? ns / 1e9 / wall : 0), (ut + st > 0 ? ut / (ut + st) : 0) }' >>"$results"
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

# ---- INSTR=1: instructions per operation ------------------------------------
IFULL_A=${IFULL_A:-100} IFULL_B=${IFULL_B:-300} IKA_A=${IKA_A:-500} IKA_B=${IKA_B:-2500}
# Ir of the newest dump of instance NAME
last_dump_ir() {
    local f
    f=$(ls -t "$tmp"/cg/"$1"."${PID[$1]}".* 2>/dev/null | head -1)
    [ -n "$f" ] || die "[$1] no callgrind dump"
    awk '/^(summary|totals):/ { print $2; exit }' "$f"
}
instr_lg() {   # instr_lg NAME MODE COUNT
    local n=$1 out cargs
    mapfile -t cargs < <(client_args "$n")
    out=$("$LOADGEN" "${lg_common[@]}" "${cargs[@]}" --port "${PORT[$n]}" --threads 1 --mode "$2" \
          --count "$3" --seconds 3600 2>&1) || { echo "$out" >&2; die "[$n] loadgen failed under callgrind"; }
}
instr_measure() {   # instr_measure NAME MODE A B: instructions per operation
    local n=$1 ia ib
    callgrind_control -z "${PID[$n]}" >/dev/null 2>&1 || die "[$n] callgrind_control -z failed"
    instr_lg "$n" "$2" "$3"
    callgrind_control -d "${PID[$n]}" >/dev/null 2>&1 || die "[$n] callgrind_control -d failed"
    ia=$(last_dump_ir "$n")
    instr_lg "$n" "$2" "$4"
    callgrind_control -d "${PID[$n]}" >/dev/null 2>&1 || die "[$n] callgrind_control -d failed"
    ib=$(last_dump_ir "$n")
    echo $(( (ib - ia) / ($4 - $3) ))
}
instr_main() {
    local n
    declare -A IF IK
    for n in $CONFIGS; do
        instr_lg "$n" full 20
        note "[$n] full handshakes under callgrind ($IFULL_A, then $IFULL_B)"
        IF[$n]=$(instr_measure "$n" full "$IFULL_A" "$IFULL_B")
    done
    for n in $KA_CONFIGS; do
        instr_lg "$n" keepalive 50
        note "[$n] keep-alive requests under callgrind ($IKA_A, then $IKA_B)"
        IK[$n]=$(instr_measure "$n" keepalive "$IKA_A" "$IKA_B")
    done
    ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.4f", a / b; else print "-" }'; }
    {
        echo
        echo "mod_cf_aop instruction counts  $(date -u '+%Y-%m-%d %H:%M UTC')"
        echo "software: $("$HTTPD" -v | awk -F': ' '/version/ {print $2}'), $(openssl version), $(valgrind --version)"
        echo "module: mod_cf_aop.so $module_id"
        echo "TLS $TLS, client leaf $(key_desc "$CLIENT_KEY") signed by a $(key_desc "$CA_KEY") CA, server key $(key_desc "$SERVER_KEY")"
        echo "lists: $DENY_N serials (deny list, and the same as a CRL); hostname map $MAP_HOSTS names over $MAP_CAS CA files"
        echo "server instructions (user space, all threads of one httpd -X) per full handshake (($IFULL_B - $IFULL_A) measured)"
        echo "and per keep-alive request (($IKA_B - $IKA_A) measured on one connection)"
        echo
        printf '%-12s %14s %9s %9s %9s\n' config "full hs" "/modssl" "/aop" "/base"
        for n in $CONFIGS; do
            printf '%-12s %14s %9s %9s %9s\n' "$n" "${IF[$n]}" "$(ratio "${IF[$n]}" "${IF[modssl]:-}")" \
                "$(ratio "${IF[$n]}" "${IF[aop]:-}")" "$(ratio "${IF[$n]}" "${IF[base]:-}")"
        done
        if [ -n "$KA_CONFIGS" ]; then
            echo
            printf '%-12s %14s %9s\n' config "keep-alive req" "/base"
            for n in $KA_CONFIGS; do
                printf '%-12s %14s %9s\n' "$n" "${IK[$n]}" "$(ratio "${IK[$n]}" "${IK[base]:-}")"
            done
        fi
        if [ ${#CHECKS[@]} -gt 0 ]; then
            echo
            echo "== checks (before the counts) =="
            printf '  %s\n' "${CHECKS[@]}"
        fi
    } >"$tmp/instr.txt"
    cat "$tmp/instr.txt"
    cp "$tmp/instr.txt" "$BUILD/bench-instr.txt"
}

read -r -a full_cfgs <<<"$CONFIGS"
read -r -a ka_cfgs <<<"$KA_CONFIGS"
read -r -a rs_cfgs <<<"$RS_CONFIGS"

if [ "$INSTR" = 1 ]; then
    instr_main
    exit 0
fi

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# the 1-minute load average every 5 s during the rounds (other users of the
# machine show up here)
loadlog=$tmp/loadavg.txt
( while :; do cut -d' ' -f1 /proc/loadavg >>"$loadlog"; sleep 5; done ) &
LOAD_PID=$!
note "warming up ($WARMUP s each)"
for n in $all_configs; do
    mapfile -t cargs < <(client_args "$n")
    "${cli_pin[@]}" "$LOADGEN" "${lg_common[@]}" "${cargs[@]}" --port "${PORT[$n]}" --threads "$THREADS" \
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
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
kill "$LOAD_PID" 2>/dev/null || true
wait "$LOAD_PID" 2>/dev/null || true
LOAD_PID=""
LOAD_DURING=$(sort -g "$loadlog" | awk '{ v[NR] = $1 } END { if (NR) printf "median %s, min %s, max %s (%d samples)", v[int((NR + 1) / 2)], v[1], v[NR], NR }')
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
    local phase=$1 ref=$2 unit=$3 n rate cpu sh refcpu refrate pr util usr
    shift 3
    read -r refcpu _ _ <<<"$(summary "$phase" "$ref" 12)"
    read -r refrate _ _ <<<"$(summary "$phase" "$ref" 4)"
    printf '%-11s %-22s %-24s %-9s %-22s %-9s %-8s %-8s %-6s %s\n' config "$unit med (min-max)" \
        "srv us/op med (min-max)" "cpu/$ref" "paired cpu/$ref (range)" "rate/$ref" "server%" "client%" "user%" failed
    for n in "$@"; do
        read -r -a rate <<<"$(summary "$phase" "$n" 4)"
        read -r -a cpu <<<"$(summary "$phase" "$n" 12)"
        read -r -a sh <<<"$(summary "$phase" "$n" 11)"
        read -r -a util <<<"$(summary "$phase" "$n" 14)"
        read -r -a usr <<<"$(summary "$phase" "$n" 15)"
        read -r -a pr <<<"$(paired "$phase" "$n" "$ref")"
        awk -v n="$n" -v r0="${rate[0]}" -v r1="${rate[1]}" -v r2="${rate[2]}" \
            -v c0="${cpu[0]}" -v c1="${cpu[1]}" -v c2="${cpu[2]}" -v rc="${refcpu:-0}" -v rr="${refrate:-0}" \
            -v p0="${pr[0]}" -v p1="${pr[1]}" -v p2="${pr[2]}" -v s0="${sh[0]}" -v s2="${sh[2]}" \
            -v u0="${util[0]}" -v u2="${util[2]}" -v us="${usr[0]}" \
            -v f="$(sum_col "$phase" "$n" 6)" 'BEGIN {
            printf "%-11s %-22s %-24s %-9s %-22s %-9s %-8s %-8s %-6s %s\n", n,
                sprintf("%.0f (%.0f-%.0f)", r0, r1, r2),
                sprintf("%.1f (%.1f-%.1f)", c0, c1, c2),
                (rc > 0 ? sprintf("%.3f", c0 / rc) : "-"),
                (p0 == "-" ? "-" : sprintf("%s (%s-%s)", p0, p1, p2)),
                (rr > 0 ? sprintf("%.3f", r0 / rr) : "-"),
                sprintf("%.0f/%.0f", u0 * 100, u2 * 100),
                sprintf("%.0f/%.0f", s0 * 100, s2 * 100), sprintf("%.0f", us * 100), f }'
    done
}

has_cfg() { [[ " ${all_configs//$'\n'/ } " == *" $1 "* ]]; }
has_full() { [[ " ${full_cfgs[*]} " == *" $1 "* ]]; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
file_mib() { awk -v b="$(stat -c %s "$1" 2>/dev/null || echo 0)" 'BEGIN { printf "%.1f", b / 1048576 }'; }

# The load of the same revocations as a deny list, as a CRL in the module and
# as a CRL in mod_ssl: each against the same configuration without the list.
# start->ready covers both of httpd's startup passes (httpd reads its
# configuration twice when it starts); `httpd -t` runs only the first, and
# mod_ssl reads CRLs in post_config, which `httpd -t` does not run.
load_row() {   # load_row NAME BASELINE WHAT FILE
    local n=$1 b=$2
    has_cfg "$n" && has_cfg "$b" || return 0
    printf '%-11s %-36s %-9s %-16s %-18s %s\n' "$n" "$3" "$(file_mib "$4")" \
        "${T_CONFIGTEST[$n]} ($(printf '%+d' $(( T_CONFIGTEST[$n] - T_CONFIGTEST[$b] ))))" \
        "${T_READY[$n]} ($(printf '%+d' $(( T_READY[$n] - T_READY[$b] ))))" \
        "$(mib "${RSS_PARENT[$n]}") ($(awk -v k=$(( RSS_PARENT[$n] - RSS_PARENT[$b] )) 'BEGIN { printf "%+.1f", k / 1024 }'))"
}
load_vs() {   # load_vs CRLCONFIG CRLBASE LABEL: the deny list against that CRL
    local c=$1 cb=$2 dt ct dm cm
    has_cfg aop-deny && has_cfg aop && has_cfg "$c" && has_cfg "$cb" || return 0
    dt=$(( T_READY[aop-deny] - T_READY[aop] )); ct=$(( T_READY[$c] - T_READY[$cb] ))
    dm=$(( RSS_PARENT[aop-deny] - RSS_PARENT[aop] )); cm=$(( RSS_PARENT[$c] - RSS_PARENT[$cb] ))
    awk -v dt="$dt" -v ct="$ct" -v dm="$dm" -v cm="$cm" -v l="$3" 'BEGIN {
        ft = (dt > 0 && ct > 0) ? sprintf("%.1fx faster (%d ms vs %d ms added to start->ready)", ct / dt, dt, ct) : sprintf("- (%d ms vs %d ms)", dt, ct)
        fm = (cm > 0 && dm >= 0) ? sprintf("%.2f of its memory (%.1f MiB vs %.1f MiB added to the parent)", dm / cm, dm / 1024, cm / 1024) : sprintf("- (%.1f vs %.1f MiB)", dm / 1024, cm / 1024)
        printf "deny list vs %s: loads %s; %s\n", l, ft, fm }'
}
load_table() {
    has_cfg aop-deny || has_cfg aop-crl || has_cfg modssl-crl || return 0
    echo
    echo "== load: $DENY_N revocations as a deny list and as a CRL (parent process; added over the same config without the list) =="
    printf '%-11s %-36s %-9s %-16s %-18s %s\n' config list "file MiB" "httpd -t ms" "start->ready ms" "parent RSS MiB"
    load_row aop-deny aop "CFAOPDenySerialFile ($DENY_N serials)" "$pki/deny.txt"
    load_row aop-crl aop "CFAOPRevocationFile ($DENY_N entries)" "$pki/crl.pem"
    load_row modssl-crl modssl "SSLCARevocationFile ($DENY_N entries)" "$pki/crl.pem"
    echo "(httpd -t: the first configuration pass only; mod_ssl reads CRLs in post_config, which httpd -t"
    echo " does not run, so its CRL shows only in start->ready, which covers both startup passes)"
    load_vs modssl-crl modssl "the CRL in mod_ssl"
    load_vs aop-crl aop "the CRL in CFAOPRevocationFile"
}

# The budget lines of issue 7 (and issue 4's 2 % for the module with the
# CRL) from this run: ratios of medians of server CPU per operation.
budget_line() {   # budget_line PHASE NAME REF LIMIT TEXT
    local phase=$1 n=$2 ref=$3 lim=$4 a b pr
    [ "$phase" = keepalive ] && { [[ " ${ka_cfgs[*]} " == *" $n "* && " ${ka_cfgs[*]} " == *" $ref "* ]] || return 0; }
    [ "$phase" = full ] && { has_full "$n" && has_full "$ref" || return 0; }
    read -r a _ _ <<<"$(summary "$phase" "$n" 12)"
    read -r b _ _ <<<"$(summary "$phase" "$ref" 12)"
    read -r pr _ _ <<<"$(paired "$phase" "$n" "$ref")"
    awk -v a="$a" -v b="$b" -v lim="$lim" -v t="$5" -v pr="$pr" 'BEGIN {
        if (b <= 0) exit
        r = a / b
        printf "  %-44s %-6s %.3f (paired %s; %.1f vs %.1f us)\n", t, (r <= lim ? "holds" : "MISSES"), r, pr, a, b }'
}
budget() {
    echo
    echo "== budget (server CPU per operation, ratio of medians; informational, never fails the run) =="
    [ "$QUICK" = 1 ] && echo "  (QUICK=1: short rounds and small lists; a smoke test, not a measurement)"
    budget_line full aop modssl 0.90 "aop <= 0.90 x modssl"
    budget_line full aop-nocache modssl 1.02 "aop-nocache <= 1.02 x modssl"
    budget_line full aop-deny aop 1.02 "aop-deny <= 1.02 x aop"
    budget_line full aop-map aop 1.02 "aop-map <= 1.02 x aop"
    budget_line full aop-crl aop 1.02 "aop-crl <= 1.02 x aop"
    budget_line keepalive aop base 1.01 "keep-alive aop <= 1.01 x base"
    if has_cfg aop-deny && has_cfg aop; then
        local dt=$(( T_READY[aop-deny] - T_READY[aop] )) dm=$(( RSS_PARENT[aop-deny] - RSS_PARENT[aop] )) c cb
        for c in modssl-crl aop-crl; do
            cb=${c%-crl}
            has_cfg "$c" && has_cfg "$cb" || continue
            awk -v dt="$dt" -v dm="$dm" -v ct="$(( T_READY[$c] - T_READY[$cb] ))" -v cm="$(( RSS_PARENT[$c] - RSS_PARENT[$cb] ))" -v c="$c" 'BEGIN {
                if (dt > 0 && ct > 0) printf "  %-44s %-6s %.1fx\n", "deny load >= 10x faster than " c, (ct / dt >= 10 ? "holds" : "MISSES"), ct / dt
                if (cm > 0) printf "  %-44s %-6s %.2f\n", "deny memory <= 0.25 x " c, (dm / cm <= 0.25 ? "holds" : "MISSES"), dm / cm }'
        done
    fi
}

# ---- TLS 1.3 session tickets per handshake ---------------------------------
# Each ticket carries the client certificate and costs the server an encode
# and decode of it; a CFAOP vhost sends one, whether it is the default vhost
# of its port or chosen by SNI, and other vhosts keep OpenSSL's two.
TICKETS=()
ticket_counts() {
    local d=$tmp/inst/tickets p1 p2 pid t0 row what port sni cert
    mkdir -p "$d/logs" "$d/run"
    chmod 755 "$d" "$d/run"
    p1=$(pick_port) && p2=$(pick_port) || return 1
    {
        echo "ServerRoot \"$d\""
        echo "ServerName localhost"
        echo "Listen 127.0.0.1:$p1"
        echo "Listen 127.0.0.1:$p2"
        echo "PidFile $d/run/httpd.pid"
        echo "DefaultRuntimeDir $d/run"
        echo "ErrorLog $d/logs/error.log"
        load mpm_event; load unixd; load authz_core; load socache_shmcb; load ssl
        echo "LoadModule cf_aop_module $MODULE"
        [ -n "$run_as" ] && echo "$run_as"
        cat <<EOF
SSLSessionCache shmcb:$d/run/ssl_scache(512000)
SSLCertificateFile $pki/server.pem
SSLCertificateKeyFile $pki/server.key
DocumentRoot "$tmp/htdocs"
<VirtualHost 127.0.0.1:$p1>
    ServerName aop-default.bench
    SSLEngine on
    CFAOP On
    CFAOPTrustedCA $pki/ca.pem
</VirtualHost>
<VirtualHost 127.0.0.1:$p2>
    ServerName plain.bench
    SSLEngine on
</VirtualHost>
<VirtualHost 127.0.0.1:$p2>
    ServerName aop-sni.bench
    SSLEngine on
    CFAOP On
    CFAOPTrustedCA $pki/ca.pem
</VirtualHost>
EOF
    } >"$d/httpd.conf"
    "$HTTPD" -f "$d/httpd.conf" -DFOREGROUND </dev/null >>"$d/logs/stdout" 2>&1 &
    pid=$!
    t0=$(now_us)
    until port_open "$p1" && port_open "$p2"; do
        if ! kill -0 "$pid" 2>/dev/null || [ $(( $(now_us) - t0 )) -gt 10000000 ]; then
            kill -TERM "$pid" 2>/dev/null
            return 1
        fi
        sleep 0.05
    done
    for row in "CFAOP vhost, the default of its port|$p1|aop-default.bench|client" \
               "CFAOP vhost chosen by SNI (the port's default is not CFAOP)|$p2|aop-sni.bench|client" \
               "not a CFAOP vhost (OpenSSL's default)|$p2|plain.bench|"; do
        IFS='|' read -r what port sni cert <<<"$row"
        local auth=()
        [ -n "$cert" ] && auth=(-cert "$pki/$cert.pem" -key "$pki/$cert.key")
        TICKETS+=("$(printf '  %-62s %s' "$what" "$(printf 'GET /bench.txt HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$sni" \
            | openssl s_client -connect "127.0.0.1:$port" -servername "$sni" -tls1_3 -msg -ign_eof "${auth[@]}" 2>&1 \
            | grep -c 'Handshake .*NewSessionTicket')")")
    done
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
}
ticket_counts || note "the ticket count could not be measured"

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
    echo "load average (1/5/15 min): $LOAD_BEFORE before the rounds, $LOAD_AFTER after; 1-min during: $LOAD_DURING; nice $(nice)"
    has_cfg aop-deny || has_cfg aop-crl || has_cfg modssl-crl || has_cfg aop-map &&
        echo "lists: $DENY_N serials (deny list, and the same as a CRL); hostname map $MAP_HOSTS names over $MAP_CAS CA files"
    echo
    echo "== full handshake per request (connect, handshake, GET, close): $ROUNDS rounds x $SECS s, rotated =="
    for n in "${full_cfgs[@]}"; do
        [ "$(round_secs "$n")" = "$SECS" ] || echo "($n: rounds of $(round_secs "$n") s)"
    done
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
    if [ "$STARTUP_REPS" -gt 1 ]; then
        echo "(medians of $STARTUP_REPS starts; each start: httpd -t ms / start->ready ms / parent RSS KiB:)"
        for n in $all_configs; do printf '  %-11s %s\n' "$n" "${T_ALL[$n]}"; done
    fi
    load_table
    budget
    if [ ${#TICKETS[@]} -gt 0 ]; then
        echo
        echo "== TLS 1.3 session tickets sent per full handshake =="
        printf '%s\n' "${TICKETS[@]}"
    fi
    if [ ${#CHECKS[@]} -gt 0 ]; then
        echo
        echo "== checks (before the rounds) =="
        printf '  %s\n' "${CHECKS[@]}"
    fi
    echo
    echo "us/op: server CPU microseconds per handshake (full) or per request (keep-alive), all threads of"
    echo "the instance's processes, from /proc/<pid>/task/*/schedstat. cpu/REF: ratio of medians;"
    echo "paired: median of per-round ratios. server%/client%: CPU time / wall time of the server instance"
    echo "and of loadgen (getrusage user+sys), median/max, in % of one core: the side near 100% is the bottleneck."
    echo "user%: the server's user-space share of its CPU time (the rest is the kernel: TCP, syscalls), median."
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
