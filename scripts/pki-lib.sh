# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# scripts/pki-lib.sh: the certificate-issuing steps of the test PKIs, for
# scripts that source it (scripts/mkpki.sh, t/pki.d/*.sh, bench/run.sh).
# Needs the openssl CLI (3.0 or later) and coreutils; bash, set -euo pipefail
# clean. It sets no traps, exports nothing and leaves OPENSSL_CONF alone:
# every openssl call it makes names its configuration with -config.
#
# Files are named by a NAME that may carry a directory: NAME.key, NAME.pem.
# A NAME.key that already exists is used as it is (so a script can make a
# key of another type first with pki_key, or give a certificate the key of
# another); otherwise an ECDSA P-256 key is made. Serials are hexadecimal,
# without 0x. Certificates signed by an ISSUER go through `openssl ca` with
# one database per ISSUER (as written), which is what pki_revoke and pki_crl
# work on.
#
#   pki_init DIR                      first: DIR holds the configuration, databases
#   pki_extensions SECTION <<EOF      an extra extension section
#   pki_key  NAME [ec|rsa|rsa4096]    a private key
#   pki_ca   NAME SUBJECT SERIAL|- [options]         self-signed CA (v3_ca, 3650 days)
#   pki_self NAME SUBJECT SERIAL|- [options]         self-signed (v3_client, 825 days)
#   pki_int  NAME SUBJECT SERIAL ISSUER [options]    intermediate CA (v3_int, 3650 days)
#   pki_leaf NAME SUBJECT SERIAL ISSUER [options]    client leaf (v3_client, 825 days)
#   pki_sign NAME SUBJECT SERIAL ISSUER [options]    the same, any other kind (-ext)
#   pki_revoke ISSUER NAME REASON     revoked in ISSUER's database
#   pki_crl ISSUER OUT [openssl ca options]          ISSUER's CRL (PEM)
#   pki_db ISSUER                     ISSUER's database directory (index.txt)
#   pki_days_from_now N               a date for -dates
# options: -ext SECTION, -days N, -dates START END (YYYYMMDDHHMMSSZ; signed
# certificates only), -key FILE (an existing key instead of NAME.key),
# -keytype ec|rsa|rsa4096 (of a new NAME.key), -cakey FILE (signed
# certificates: the issuer's key, instead of ISSUER.key). SERIAL - lets
# openssl choose a random serial (self-signed only).
#
# Extension sections of the configuration:
#   v3_ca        CA:TRUE, keyCertSign + cRLSign, SKI, AKI keyid:always
#   v3_ca_noaki  the same without the authorityKeyIdentifier
#   v3_int       v3_ca with pathlen:0
#   v3_client    CA:FALSE, digitalSignature, clientAuth, SKI, AKI keyid
#   v3_server    CA:FALSE, digitalSignature, serverAuth,
#                SAN DNS:localhost, IP:127.0.0.1
#   v3_notca     CA:FALSE, digitalSignature + keyCertSign
# and crl_ext (AKI keyid:always) for CRLs.

# pki_init DIR: makes DIR (the openssl configuration and the CA databases);
# the caller removes it when done.
pki_init() {
    mkdir -p "$1/db" || return 1
    _pki_dir=$(cd "$1" && pwd) || return 1
    _pki_cnf=$_pki_dir/openssl.cnf
    cat > "$_pki_cnf" <<'EOF'
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused
[ ca ]
default_ca = ca_default
[ ca_default ]
dir = $ENV::PKI_CADB
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
preserve = yes
crl_extensions = crl_ext
[ policy_any ]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
[ crl_ext ]
authorityKeyIdentifier = keyid:always
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_ca_noaki ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_int ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
[ v3_notca ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyCertSign
EOF
}

# pki_extensions SECTION: adds extension section SECTION, its lines from stdin.
pki_extensions() {
    { printf '[ %s ]\n' "$1"; cat; } >> "$_pki_cnf"
}

# pki_key NAME [ec|rsa|rsa4096]: makes the private key NAME.key, unless it exists.
pki_key() {
    [ -f "$1.key" ] && return 0
    case ${2:-ec} in
    ec)      _pki_quiet openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" ;;
    rsa)     _pki_quiet openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" ;;
    rsa4096) _pki_quiet openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out "$1.key" ;;
    *) echo "pki-lib: unknown key type $2" >&2; return 1 ;;
    esac
}

# pki_ca NAME SUBJECT SERIAL|- [options]: a self-signed CA certificate.
pki_ca() {
    pki_self "$1" "$2" "$3" -ext v3_ca -days 3650 "${@:4}"
}

# pki_self NAME SUBJECT SERIAL|- [options]: a self-signed certificate
# (SERIAL -: a random one, openssl's choice).
pki_self() {
    local name=$1 subj=$2 serial=$3 ext=v3_client days=825 start='' end='' key='' keytype=ec cakey=''
    shift 3
    _pki_options "$@" || return 1
    [ -z "$start" ] || { echo "pki-lib: $name: -dates needs an issuer" >&2; return 1; }
    [ -n "$key" ] || { key=$name.key; pki_key "$name" "$keytype" || return 1; }
    local set_serial=()
    [ "$serial" = - ] || set_serial=(-set_serial "0x$serial")
    _pki_quiet _pki_openssl req -new -x509 -key "$key" -subj "$subj" ${set_serial[@]+"${set_serial[@]}"} \
        -extensions "$ext" -days "$days" -sha256 -out "$name.pem"
}

# pki_int NAME SUBJECT SERIAL ISSUER [options]: an intermediate CA (pathlen 0).
pki_int() {
    pki_sign "$1" "$2" "$3" "$4" -ext v3_int -days 3650 "${@:5}"
}

# pki_leaf NAME SUBJECT SERIAL ISSUER [options]: a client (clientAuth) leaf.
pki_leaf() {
    pki_sign "$1" "$2" "$3" "$4" -ext v3_client -days 825 "${@:5}"
}

# pki_sign NAME SUBJECT SERIAL ISSUER [options]: a certificate signed by ISSUER.
pki_sign() {
    local name=$1 subj=$2 serial=$3 issuer=$4 ext=v3_client days=825 start='' end='' key='' keytype=ec
    local cakey=$4.key
    shift 4
    _pki_options "$@" || return 1
    [ -n "$key" ] || { key=$name.key; pki_key "$name" "$keytype" || return 1; }
    local validity=(-days "$days")
    [ -z "$start" ] || validity=(-startdate "$start" -enddate "$end")
    # an even number of digits, as openssl ca reads its serial file
    [ $(( ${#serial} % 2 )) = 0 ] || serial=0$serial
    _pki_use_db "$issuer" || return 1
    echo "$serial" > "$_pki_cadb/serial"
    _pki_quiet _pki_openssl req -new -key "$key" -subj "$subj" -out "$name.csr" || return 1
    _pki_quiet _pki_openssl ca -batch -notext -cert "$issuer.pem" -keyfile "$cakey" \
        -in "$name.csr" -out "$name.pem" -extensions "$ext" "${validity[@]}" || return 1
    rm -f "$name.csr"
}

# pki_revoke ISSUER NAME REASON: marks NAME.pem revoked (REASON: a CRL reason
# as openssl ca -crl_reason takes it) in ISSUER's database.
pki_revoke() {
    _pki_use_db "$1" || return 1
    _pki_quiet _pki_openssl ca -revoke "$2.pem" -crl_reason "$3" -cert "$1.pem" -keyfile "$1.key"
}

# pki_crl ISSUER OUT [openssl ca options]: ISSUER's CRL (PEM) of its database.
pki_crl() {
    local issuer=$1 out=$2
    shift 2
    _pki_use_db "$issuer" || return 1
    _pki_quiet _pki_openssl ca -gencrl -cert "$issuer.pem" -keyfile "$issuer.key" -out "$out" "$@"
}

# pki_crl_dated ISSUER OUT LAST NEXT: ISSUER's CRL with the given
# lastUpdate and nextUpdate (YYYYMMDDHHMMSSZ), e.g. a stale one. OpenSSL 3
# sets the dates itself; 1.1.1's `openssl ca` has no option for them, so
# it runs under faketime at LAST, with nextUpdate whole days later.
pki_crl_dated() {
    local issuer=$1 out=$2 last=$3 next=$4
    if _pki_openssl ca -help 2>&1 | grep -q -- -crl_lastupdate; then
        pki_crl "$issuer" "$out" -crl_lastupdate "$last" -crl_nextupdate "$next"
        return
    fi
    command -v faketime >/dev/null 2>&1 \
        || { echo "pki_crl_dated: OpenSSL before 3.0 needs faketime (make deps installs it)" >&2; return 1; }
    local days=$(( ($(_pki_epoch "$next") - $(_pki_epoch "$last")) / 86400 ))
    _pki_use_db "$issuer" || return 1
    _pki_quiet env TZ=UTC PKI_CADB="$_pki_cadb" \
        faketime "$(date -u -d "@$(_pki_epoch "$last")" '+%Y-%m-%d %H:%M:%S')" \
        openssl ca -config "$_pki_cnf" -gencrl -cert "$issuer.pem" -keyfile "$issuer.key" \
        -out "$out" -crldays "$days"
}

# YYYYMMDDHHMMSSZ as seconds since the epoch.
_pki_epoch() {
    local t=$1
    date -u -d "${t:0:4}-${t:4:2}-${t:6:2} ${t:8:2}:${t:10:2}:${t:12:2}" +%s
}

# pki_extra_start NAME ARGS...: the start of a t/pki.d/NAME.sh script: checks
# its one argument (the PKI directory), sets $out to it (absolute) and $work
# to a scratch directory removed at exit, moves into $work and starts an
# issuing database there.
pki_extra_start() {
    local name=$1
    shift
    if [ $# -ne 1 ] || [ -z "$1" ]; then
        echo "usage: $0 PKI_DIR" >&2
        exit 2
    fi
    out=$(cd "$1" && pwd)
    work=$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    cd "$work"
    pki_init "$work/pki"
}

# pki_db ISSUER: prints the directory of ISSUER's database (index.txt), made if new.
pki_db() {
    _pki_use_db "$1" || return 1
    echo "$_pki_cadb"
}

# pki_days_from_now N: the time N days from now, as -dates takes it.
pki_days_from_now() {
    date -u -d "@$(( $(date +%s) + $1 * 86400 ))" +%Y%m%d%H%M%SZ
}

# ---- internals -------------------------------------------------------------

# the options of pki_self and pki_sign, into their locals
_pki_options() {
    while [ $# -gt 0 ]; do
        case $1 in
        -ext)     ext=$2; shift 2 ;;
        -days)    days=$2; start=''; end=''; shift 2 ;;
        -dates)   start=$2; end=$3; shift 3 ;;
        -key)     key=$2; shift 2 ;;
        -cakey)   cakey=$2; shift 2 ;;
        -keytype) keytype=$2; shift 2 ;;
        *) echo "pki-lib: unknown option $1" >&2; return 1 ;;
        esac
    done
}

# _pki_use_db ISSUER: _pki_cadb is ISSUER's database, made if new
_pki_use_db() {
    _pki_cadb=$_pki_dir/db/${1//\//_}
    [ -d "$_pki_cadb" ] || { mkdir "$_pki_cadb" && : > "$_pki_cadb/index.txt"; }
}

# _pki_openssl CMD ARGS: openssl CMD with the configuration of pki_init
_pki_openssl() {
    local cmd=$1
    shift
    PKI_CADB=${_pki_cadb:-$_pki_dir/db} openssl "$cmd" -config "$_pki_cnf" "$@"
}

# _pki_quiet COMMAND: runs COMMAND, showing its stderr only when it fails
_pki_quiet() {
    if ! "$@" 2>"$_pki_dir/stderr" >/dev/null; then
        cat "$_pki_dir/stderr" >&2
        return 1
    fi
}
