#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scripts/soak.sh: a soak of the module under restarts (`make soak`; not CI).
#
# Starts its own httpd on 127.0.0.1 (a free port, event MPM, a CFAOP On
# vhost trusting the root of a throwaway PKI from scripts/mkpki.sh, with a
# CFAOPDenySerialFile), then runs SOAK_PHASES phases (default 24). In each:
#
#   1. a mixed load starts with the C load generator (bench/loadgen.c):
#      good certificates (TLS 1.3 with session resumption, and TLS 1.2),
#      an untrusted one, an expired one, and no certificate (1.3 and 1.2);
#   2. while it runs, the deny file is rewritten (5,000 random serials,
#      plus the "victim" leaf's serial in odd phases) and the server is
#      restarted with httpd -k graceful (apachectl graceful);
#   3. once the new generation serves and the old children are gone, the
#      victim leaf (a good certificate) connects: it must pass in even
#      phases and get certificate_revoked in odd ones;
#   4. the phase's loads finish and every outcome is checked.
#
# Then one steady stretch without restarts (SOAK_STEADY handshakes, same
# mix; RSS compared after its first half and at its end, with samples
# between) shows whether a child grows by itself.
#
# Unexpected outcomes: a good certificate refused (or the victim refused
# in an even phase), a bad one, no certificate or the victim in an odd
# phase accepted, or a refusal with another alert than the one its reason
# maps to. A refusal whose alert the client could not read (the server's
# close raced the client's request: a reset) is counted apart, as
# "rejected, alert not seen", not as unexpected.
#
# Reported: handshakes by outcome, unexpected outcomes (must be 0), crashes
# in the error log (AH00052 "exit signal", "Segmentation fault": must be
# 0), RSS of the children after the first phase and after the last one and
# across the steady stretch (growth must stay under 5%), their open file
# descriptors and the parent's (no growth). Exits non-zero when one of these
# fails. Bounded: SOAK_MAX_SECONDS (default 3600) for the whole run; the
# server is stopped whatever happens. The logs are kept in build/soak.
#
# Environment: CFAOP_MODULE (default build/mod_cf_aop.so, built when
# missing), HTTPD, APXS, SOAK_PHASES (>= 20), SOAK_PERCENT (scales the
# per-phase counts; default 100 = 4,200 handshakes a phase; below 100 the
# run is a quick check and the 100,000 minimum is not enforced),
# SOAK_STEADY (default 40000), SOAK_MAX_SECONDS.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
cd "$top"

phases=${SOAK_PHASES:-24}
percent=${SOAK_PERCENT:-100}
steady=${SOAK_STEADY:-40000}
max_seconds=${SOAK_MAX_SECONDS:-3600}
keep=build/soak

if [ "$phases" -lt 20 ]; then
    echo "soak: SOAK_PHASES must be at least 20 (one graceful restart a phase)" >&2
    exit 2
fi
if [ ! -f bench/loadgen.c ]; then
    echo "soak: bench/loadgen.c is missing" >&2
    exit 1
fi

module=${CFAOP_MODULE:-$top/build/mod_cf_aop.so}
if [ -z "${CFAOP_MODULE:-}" ] && [ ! -f "$module" ]; then
    make --no-print-directory all
fi
[ -f "$module" ] || { echo "soak: $module is missing" >&2; exit 1; }

apxs=${APXS:-$(command -v apxs || command -v apxs2 || true)}
[ -n "$apxs" ] || { echo "soak: apxs not found (install apache2-dev)" >&2; exit 1; }
httpd=${HTTPD:-$("$apxs" -q SBINDIR)/$("$apxs" -q TARGET)}
[ -x "$httpd" ] || httpd=$(command -v apache2 || command -v httpd || true)
[ -n "$httpd" ] && [ -x "$httpd" ] || { echo "soak: httpd not found (set HTTPD)" >&2; exit 1; }
moddir=$("$apxs" -q LIBEXECDIR)

work=$(mktemp -d "${TMPDIR:-/tmp}/cfaop-soak.XXXXXX")
chmod 755 "$work"
conf=$work/httpd.conf
pidfile=$work/httpd.pid
errlog=$work/error_log
started=$(date +%s)

stop_server() {
    local pid
    [ -s "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    kill -0 "$pid" 2>/dev/null || return 0
    "$httpd" -d "$work" -f "$conf" -k stop >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
    stop_server
    rm -rf "$keep"
    mkdir -p "$keep"
    cp "$errlog" "$work"/load-*.log "$keep/" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# ---- material -----------------------------------------------------------------
cc -O2 -pthread -o "$work/loadgen" bench/loadgen.c -lssl -lcrypto
bash scripts/mkpki.sh "$work/pki" >/dev/null
mkdir -p "$work/htdocs" "$work/logs"
echo ok > "$work/htdocs/ok.txt"
chmod -R a+rX "$work/htdocs"
victim_serial=$(openssl x509 -in "$work/pki/good2.pem" -noout -serial | sed 's/.*=//')

port=$(perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 1, ReuseAddr => 1) or die "$!\n"; print $s->sockport, "\n"')

write_deny() {
    local with_victim=$1
    {
        echo "# soak: 5,000 random serials${with_victim:+ and the victim}"
        head -c 80000 /dev/urandom | od -An -v -tx1 | tr -d ' \n' | fold -w 32
        echo
        [ -n "$with_victim" ] && echo "$victim_serial"
    } > "$work/deny.tmp"
    mv "$work/deny.tmp" "$work/deny.txt"
}
write_deny ""

user_lines=""
if [ "$(id -u)" -eq 0 ]; then
    user_lines="User nobody
Group $(id -gn nobody)"
fi
load() { [ -f "$moddir/$2" ] && echo "LoadModule $1 $moddir/$2"; }
cat > "$conf" <<EOF
# scripts/soak.sh: a throwaway server on loopback
ServerRoot "$work"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile "$pidfile"
ErrorLog "$errlog"
LogLevel notice cf_aop:warn
$user_lines
$(load mpm_event_module mod_mpm_event.so)
$(load authz_core_module mod_authz_core.so)
$(load socache_shmcb_module mod_socache_shmcb.so)
$(load ssl_module mod_ssl.so)
LoadModule cf_aop_module "$module"
StartServers 2
ServerLimit 4
ThreadsPerChild 16
MaxRequestWorkers 64
MinSpareThreads 16
MaxSpareThreads 48
MaxConnectionsPerChild 0
KeepAlive Off
DocumentRoot "$work/htdocs"
<Directory "$work/htdocs">
    Require all granted
</Directory>
SSLSessionCache "shmcb:$work/logs/ssl_scache(512000)"
SSLEngine on
SSLCertificateFile "$work/pki/server.pem"
SSLCertificateKeyFile "$work/pki/server.key"
CFAOP On
CFAOPTrustedCA "$work/pki/root-ca.pem"
CFAOPDenySerialFile "$work/deny.txt"
EOF

"$httpd" -d "$work" -f "$conf" -t >/dev/null 2>&1 || { "$httpd" -d "$work" -f "$conf" -t; exit 1; }
"$httpd" -d "$work" -f "$conf" -k start
for _ in $(seq 1 100); do [ -s "$pidfile" ] && break; sleep 0.1; done
[ -s "$pidfile" ] || { echo "soak: the server did not start" >&2; cat "$errlog" >&2; exit 1; }
parent=$(cat "$pidfile")

# ---- measuring ----------------------------------------------------------------
# (Processes come and go while /proc is read: errors there are expected.)
children() {
    { grep -H '^PPid:' /proc/[0-9]*/status 2>/dev/null || true; } \
        | awk -F'[/:\t ]+' -v pp="$parent" '$NF == pp { print $3 }'
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
anon_kb() { awk '/^RssAnon:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
fds() { { ls "/proc/$1/fd" 2>/dev/null || true; } | wc -l; }
# "count total_rss_kb average_rss_kb max_fds average_anon_kb" of the
# children now (RssAnon: the private part of RSS, heap and stacks).
child_stats() {
    local n=0 total=0 anon=0 maxfd=0 pid r a f
    for pid in $(children); do
        r=$(rss_kb "$pid"); a=$(anon_kb "$pid"); f=$(fds "$pid")
        [ "${r:-0}" -gt 0 ] || continue
        n=$((n + 1)); total=$((total + r)); anon=$((anon + ${a:-0}))
        [ "$f" -gt "$maxfd" ] && maxfd=$f
    done
    echo "$n $total $(( n > 0 ? total / n : 0 )) $maxfd $(( n > 0 ? anon / n : 0 ))"
}
resumes() { grep -c 'resuming normal operations' "$errlog" || true; }

# ---- load ---------------------------------------------------------------------
# kind  cert  tls  expected(ok|alert number)  count  extra flags
batches() {
    local victim_expect=$1 s=$percent
    echo "good13 good 1.3 ok $((1000 * s / 100)) --resume"
    echo "good12 good 1.2 ok $((400 * s / 100))"
    echo "wrongca13 wrongca 1.3 48 $((500 * s / 100))"
    echo "expired12 expired 1.2 45 $((300 * s / 100))"
    echo "nocert13 - 1.3 116 $((400 * s / 100))"
    echo "nocert12 - 1.2 40 $((300 * s / 100))"
    echo "victim13 good2 1.3 $victim_expect $((1300 * s / 100))"
}

# Runs one batch in the foreground; its output goes to load-NAME-TAG.log.
run_batch() {
    local tag=$1 kind=$2 cert=$3 tls=$4 count=$6 extra=${7:-}
    local args=(--port "$port" --sni localhost --tls "$tls" --threads 2 --count "$count"
                --seconds 600 --mode full --path /ok.txt)
    [ "$cert" != - ] && args+=(--cert "$work/pki/$cert.pem" --key "$work/pki/$cert.key")
    # shellcheck disable=SC2206
    [ -n "$extra" ] && args+=($extra)
    "$work/loadgen" "${args[@]}" > "$work/load-$kind-$tag.log" 2>&1 || true
}

declare -A tot_ok tot_expected tot_wrong tot_noalert tot_unexpected
outcomes_total=0
unexpected_total=0
kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" | head -n1; }

# Reads one batch's result and adds it up.
account() {
    local tag=$1 kind=$2 expect=$4 line ok failed alerts exp_n=0 other=0 noalert unexpected
    line=$(grep '^loadgen ' "$work/load-$kind-$tag.log" || true)
    if [ -z "$line" ]; then
        echo "soak: $kind ($tag) produced no result:" >&2
        cat "$work/load-$kind-$tag.log" >&2
        unexpected_total=$((unexpected_total + 1))
        return
    fi
    ok=$(kv ok <<< "$line"); failed=$(kv failed <<< "$line")
    alerts=$(kv alerts <<< "$line")
    if [ "$alerts" != - ]; then
        local a
        for a in ${alerts//,/ }; do
            if [ "${a%%:*}" = "$expect" ]; then exp_n=$((exp_n + ${a#*:})); else other=$((other + ${a#*:})); fi
        done
    fi
    noalert=$((failed - exp_n - other))
    if [ "$expect" = ok ]; then
        unexpected=$failed
        noalert=0
    else
        unexpected=$((ok + other))
    fi
    local key=$kind
    [ "$kind" = victim13 ] && key="victim13-$([ "$expect" = ok ] && echo allowed || echo denied)"
    tot_ok[$key]=$(( ${tot_ok[$key]:-0} + ok ))
    [ "$expect" = ok ] && exp_n=0
    tot_expected[$key]=$(( ${tot_expected[$key]:-0} + exp_n ))
    tot_wrong[$key]=$(( ${tot_wrong[$key]:-0} + other ))
    tot_noalert[$key]=$(( ${tot_noalert[$key]:-0} + noalert ))
    tot_unexpected[$key]=$(( ${tot_unexpected[$key]:-0} + unexpected ))
    outcomes_total=$((outcomes_total + ok + failed))
    unexpected_total=$((unexpected_total + unexpected))
    if [ "$unexpected" -gt 0 ]; then
        echo "soak: $tag $kind: $unexpected unexpected outcome(s): $line" >&2
    fi
}

# The new generation is up and every child of the old one has exited.
wait_graceful() {
    local before=$1 old=$2 deadline pid alive
    deadline=$(( $(date +%s) + 120 ))
    while [ "$(resumes)" -le "$before" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || { echo "soak: graceful restart did not complete" >&2; return 1; }
        sleep 0.05
    done
    while :; do
        alive=0
        for pid in $old; do
            kill -0 "$pid" 2>/dev/null && [ "$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)" = "$parent" ] && alive=1
        done
        [ "$alive" -eq 0 ] && return 0
        [ "$(date +%s)" -lt "$deadline" ] || { echo "soak: old children still alive after the graceful restart" >&2; return 1; }
        sleep 0.05
    done
}

phase() {
    local p=$1 victim_expect old before pids=() name
    if [ $((p % 2)) -eq 1 ]; then victim_expect=44; else victim_expect=ok; fi
    # 1. the background mix (everything but the victim)
    while read -r name cert tls expect count extra; do
        [ "$name" = victim13 ] && continue
        run_batch "p$p" "$name" "$cert" "$tls" "$expect" "$count" "$extra" &
        pids+=($!)
    done < <(batches "$victim_expect")
    sleep 0.3
    # 2. new deny list, graceful restart under load
    old=$(children)
    before=$(resumes)
    if [ $((p % 2)) -eq 1 ]; then write_deny victim; else write_deny ""; fi
    "$httpd" -d "$work" -f "$conf" -k graceful
    wait_graceful "$before" "$old"
    # 3. the victim, against the new generation only
    while read -r name cert tls expect count extra; do
        [ "$name" = victim13 ] || continue
        run_batch "p$p" "$name" "$cert" "$tls" "$expect" "$count" "$extra"
        account "p$p" "$name" "$cert" "$expect"
    done < <(batches "$victim_expect")
    # 4. the rest
    wait "${pids[@]}"
    while read -r name cert tls expect count extra; do
        [ "$name" = victim13 ] && continue
        account "p$p" "$name" "$cert" "$expect"
    done < <(batches "$victim_expect")
}

echo "soak: server pid $parent on 127.0.0.1:$port, $phases phases of $((4200 * percent / 100)) handshakes, then $steady steady"
parent_rss_before=0 parent_fds_before=0 child_before="" child_after=""
# Children are compared between two phases with the same deny list (the
# victim denied in odd phases, allowed in even ones): the first phase of
# the last phase's parity. A phase that accepts the victim does more work
# (its chains cached, its tickets issued), so phase 1 against an even last
# phase would count that work as growth.
base_phase=$(( phases % 2 == 0 ? 2 : 1 ))
for p in $(seq 1 "$phases"); do
    if [ $(( $(date +%s) - started )) -gt "$max_seconds" ]; then
        echo "soak: SOAK_MAX_SECONDS reached after $((p - 1)) phases" >&2
        break
    fi
    phase "$p"
    # Keep only the first and last phases' load logs.
    [ "$p" -gt 1 ] && [ "$p" -lt "$phases" ] && rm -f "$work"/load-*-"p$p".log
    if [ "$p" -eq "$base_phase" ]; then
        child_before=$(child_stats)
        parent_rss_before=$(rss_kb "$parent"); parent_fds_before=$(fds "$parent")
    fi
    printf 'soak: phase %d/%d done (%s), %d handshakes so far, %d unexpected\n' \
        "$p" "$phases" "$([ $((p % 2)) -eq 1 ] && echo 'victim denied' || echo 'victim allowed')" \
        "$outcomes_total" "$unexpected_total"
done
gracefuls=$(( $(resumes) - 1 ))
child_after=$(child_stats)
parent_rss_after=$(rss_kb "$parent"); parent_fds_after=$(fds "$parent")

# The steady stretch: the same mix, victim allowed (the last deny list of an
# even phase count does not list it), no restart.
steady_expect=ok
[ $((phases % 2)) -eq 1 ] && steady_expect=44
# The first half warms the children up: every worker thread, its malloc
# arena and APR allocator, the session cache (measured: a child's RSS
# climbs for the first ~20,000 handshakes, by less each time, then stays
# flat). RSS is sampled after each further tenth and compared between the
# end of the warm-up and the end; a leak shows as the same step every tenth.
steady_part() {
    local tag=$1 share=$2 pids=() name cert tls expect count extra
    while read -r name cert tls expect count extra; do
        count=$(( count * steady * share / 4200 / percent ))
        [ "$count" -gt 0 ] || continue
        run_batch "$tag" "$name" "$cert" "$tls" "$expect" "$count" "$extra" &
        pids+=($!)
    done < <(batches "$steady_expect")
    [ ${#pids[@]} -eq 0 ] || wait "${pids[@]}"
    while read -r name cert tls expect count extra; do
        if [ -f "$work/load-$name-$tag.log" ]; then account "$tag" "$name" "$cert" "$expect"; fi
    done < <(batches "$steady_expect")
}
steady_part warmup 50
steady_before=$(child_stats)
steady_samples=""
for seg in 1 2 3 4 5; do
    steady_part "steady$seg" 10
    read -r _ _ avg _ anon <<< "$(child_stats)"
    steady_samples="$steady_samples ${avg}/${anon}"
done
steady_after=$(child_stats)

crashes=$(grep -cE 'AH00052|exit signal|Segmentation fault' "$errlog" || true)
read -r cb_n cb_total cb_avg cb_fd cb_anon <<< "$child_before"
read -r ca_n ca_total ca_avg ca_fd ca_anon <<< "$child_after"
read -r sb_n sb_total sb_avg sb_fd sb_anon <<< "$steady_before"
read -r sa_n sa_total sa_avg sa_fd sa_anon <<< "$steady_after"
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf("%.2f", (b > 0) ? (a - b) * 100 / b : 0) }'; }
growth_restart=$(pct "$ca_avg" "$cb_avg")
growth_steady=$(pct "$sa_avg" "$sb_avg")
growth_parent=$(pct "$parent_rss_after" "$parent_rss_before")
elapsed=$(( $(date +%s) - started ))

echo
echo "soak: outcomes by kind (accepted / refused with the expected alert / refused, other alert / refused, alert not seen / unexpected)"
for key in $(printf '%s\n' "${!tot_ok[@]}" | sort); do
    printf '  %-22s %8d %8d %8d %8d %8d\n' "$key" "${tot_ok[$key]}" "${tot_expected[$key]}" \
        "${tot_wrong[$key]}" "${tot_noalert[$key]}" "${tot_unexpected[$key]}"
done
echo "soak: handshakes=$outcomes_total unexpected=$unexpected_total gracefuls=$gracefuls crashes=$crashes seconds=$elapsed"
echo "soak: children after phase $base_phase: n=$cb_n avg_rss_kb=$cb_avg (anon $cb_anon) max_fds=$cb_fd; after phase $phases: n=$ca_n avg_rss_kb=$ca_avg (anon $ca_anon) max_fds=$ca_fd; growth ${growth_restart}%"
echo "soak: steady stretch: children n=$sb_n avg_rss_kb=$sb_avg (anon $sb_anon) max_fds=$sb_fd -> n=$sa_n avg_rss_kb=$sa_avg (anon $sa_anon) max_fds=$sa_fd; growth ${growth_steady}%"
echo "soak: steady stretch, avg rss_kb/anon_kb of a child after each further tenth:$steady_samples"
echo "soak: parent: rss_kb $parent_rss_before -> $parent_rss_after (${growth_parent}%), fds $parent_fds_before -> $parent_fds_after"

fail=0
[ "$unexpected_total" -eq 0 ] || { echo "soak: FAIL: unexpected outcomes" >&2; fail=1; }
[ "$crashes" -eq 0 ] || { echo "soak: FAIL: crashes in the error log" >&2; grep -E 'AH00052|exit signal|Segmentation fault' "$errlog" | head >&2; fail=1; }
[ "$gracefuls" -ge 20 ] || { echo "soak: FAIL: only $gracefuls graceful restarts" >&2; fail=1; }
if [ "$percent" -ge 100 ] && [ "$outcomes_total" -lt 100000 ]; then
    echo "soak: FAIL: only $outcomes_total handshakes" >&2
    fail=1
fi
for g in "$growth_restart" "$growth_steady" "$growth_parent"; do
    awk -v g="$g" 'BEGIN { exit !(g < 5) }' || { echo "soak: FAIL: RSS grew by $g%" >&2; fail=1; }
done
[ "$ca_fd" -le "$cb_fd" ] && [ "$sa_fd" -le "$sb_fd" ] && [ "$parent_fds_after" -le "$parent_fds_before" ] \
    || { echo "soak: FAIL: open file descriptors grew" >&2; fail=1; }
[ "$fail" -eq 0 ] && echo "soak: PASS"
exit "$fail"
