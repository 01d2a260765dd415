#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scripts/check-sync.sh: fails the build when code, docs and conf drift apart.
#
#   bash scripts/check-sync.sh [REPO_ROOT]      (run by `make check-sync`)
#
# (a) Every field in the "from the directives" section of struct
#     cfaop_srv_cfg (mod_cf_aop_private.h) is initialised in create_srv_cfg
#     (`sc->X = ...`) and merged in merge_srv_cfg (`MERGE_INT(X)`,
#     `MERGE_PTR(X)`, any `MERGE_*(X)`, or `mrg->X = ...`). The section runs
#     from the comment that says "from the directives" to the first blank
#     line (or the end of the struct); comment lines inside it are skipped.
# (b) Every directive in a command table (AP_INIT_*("CFAOP...") in
#     mod_cf_aop*.c) has a heading in docs/directives.md and a line of its
#     own (commented or not) in conf/cf_aop.conf.
# (c) Every log id CFAOPnnnn used in mod_cf_aop*.c or src/*.c appears in a
#     table row or heading of docs/reasons-and-logs.md.
# (d) Every variable name CF_AOP_* / CF_CLIENT_CERT_* used in mod_cf_aop*.c
#     or src/*.c appears, as a whole word, in docs/variables.md.
#
# Exit 0 when all hold, 1 with one line per problem otherwise, 2 when the
# inputs themselves cannot be found (a check that cannot look must not pass).
set -u

root=${1:-"$(cd "$(dirname "$0")/.." && pwd)"}
cd "$root" || { echo "check-sync: cannot enter $root" >&2; exit 2; }

header=mod_cf_aop_private.h
dir_doc=docs/directives.md
conf=conf/cf_aop.conf
log_doc=docs/reasons-and-logs.md
var_doc=docs/variables.md

failures=0
fail() {
    echo "check-sync: $*" >&2
    failures=$((failures + 1))
}
need() {
    for f in "$@"; do
        [ -f "$f" ] || { echo "check-sync: missing file $f" >&2; exit 2; }
    done
}

shopt -s nullglob
glue=(mod_cf_aop*.c)
engine=(src/*.c)
shopt -u nullglob
[ ${#glue[@]} -gt 0 ] || { echo "check-sync: no mod_cf_aop*.c in $root" >&2; exit 2; }
need "$header" "$dir_doc" "$conf" "$log_doc" "$var_doc"

# A whole-word match for an identifier-like name (ERE).
word_re() { printf '(^|[^A-Za-z0-9_])%s([^A-Za-z0-9_]|$)' "$1"; }

# ---- (a) config fields: create and merge -------------------------------

# The directive-backed field names, one a line.
directive_fields() {
    awk '
    /struct[ \t]+cfaop_srv_cfg[ \t]*\{/ { in_struct = 1; next }
    in_struct && /^[ \t]*\}/             { exit }
    in_struct && !in_section && /from the directives/ { in_section = 1; next }
    !in_section                          { next }
    /^[ \t]*$/                           { exit }
    {
        line = $0
        # drop comments, including ones that span lines
        if (in_comment) {
            if (sub(/^.*\*\//, "", line) == 0) next
            in_comment = 0
        }
        gsub(/\/\*([^*]|\*+[^*\/])*\*+\//, "", line)
        if (match(line, /\/\*/)) { line = substr(line, 1, RSTART - 1); in_comment = 1 }
        sub(/\/\/.*$/, "", line)
        decl = decl " " line
        while ((i = index(decl, ";")) > 0) {
            stmt = substr(decl, 1, i - 1)
            decl = substr(decl, i + 1)
            # function pointer: type (*name)(args)
            if (match(stmt, /\([ \t]*\*[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*\)/)) {
                name = substr(stmt, RSTART, RLENGTH)
                gsub(/[^A-Za-z0-9_]/, "", name)
                print name
                continue
            }
            gsub(/\[[^]]*\]/, "", stmt)           # arrays
            n = split(stmt, parts, ",")
            for (k = 1; k <= n; k++) {
                part = parts[k]
                sub(/[ \t]*=.*$/, "", part)
                if (match(part, /[A-Za-z_][A-Za-z0-9_]*[ \t]*$/)) {
                    name = substr(part, RSTART, RLENGTH)
                    gsub(/[ \t]/, "", name)
                    print name
                }
            }
        }
    }
    END { if (!in_section) print "@@NO_SECTION@@" }
    ' "$header"
}

# The body of a function definition (from its name to the closing "}" in
# column 0) in whichever glue file defines it; prints nothing if none does.
function_body() {
    local fn=$1 f
    for f in "${glue[@]}"; do
        awk -v fn="$fn" '
        !inside && $0 ~ ("(^|[^A-Za-z0-9_])" fn "[ \t]*\\(") && $0 !~ /;[ \t]*$/ { inside = 1 }
        inside { print }
        inside && /^\}/ { exit }
        ' "$f"
    done
}

fields=$(directive_fields)
create_body=$(function_body create_srv_cfg)
merge_body=$(function_body merge_srv_cfg)

if [ "$fields" = "@@NO_SECTION@@" ] || [ -z "$fields" ]; then
    fail "(a) no fields found in the \"from the directives\" section of struct cfaop_srv_cfg in $header"
elif [ -z "$create_body" ] || [ -z "$merge_body" ]; then
    [ -n "$create_body" ] || fail "(a) no definition of create_srv_cfg found in ${glue[*]}"
    [ -n "$merge_body" ] || fail "(a) no definition of merge_srv_cfg found in ${glue[*]}"
else
    for field in $fields; do
        if ! printf '%s\n' "$create_body" | grep -Eq "[A-Za-z_][A-Za-z0-9_]*->${field}[[:blank:]]*="; then
            fail "(a) field '$field' of cfaop_srv_cfg ($header) is not initialised in create_srv_cfg: add 'sc->$field = <UNSET>;'"
        fi
        if ! printf '%s\n' "$merge_body" | grep -Eq "MERGE_[A-Z0-9_]*\([[:blank:]]*${field}[[:blank:]]*[,)]|mrg->${field}[[:blank:]]*="; then
            fail "(a) field '$field' of cfaop_srv_cfg ($header) is not merged in merge_srv_cfg: add 'MERGE_INT($field);', 'MERGE_PTR($field);' or 'mrg->$field = ...;'"
        fi
    done
fi

# ---- (b) directives: docs and conf -------------------------------------

directives=$(cat "${glue[@]}" | tr '\n\t' '  ' \
    | grep -oE 'AP_INIT_[A-Z0-9_]+[ ]*\([ ]*"CFAOP[A-Za-z0-9]*"' \
    | grep -oE '"CFAOP[A-Za-z0-9]*"' | tr -d '"' | sort -u)
if [ -z "$directives" ]; then
    fail "(b) no AP_INIT_*(\"CFAOP...\") command table entries found in ${glue[*]}"
fi
for d in $directives; do
    if ! grep -Eq "^#{1,6}[[:blank:]]+(.*[^A-Za-z0-9_])?${d}([^A-Za-z0-9_]|\$)" "$dir_doc"; then
        fail "(b) directive $d is declared in the command table but has no heading in $dir_doc"
    fi
    if ! grep -Eq "^[[:blank:]]*#?[[:blank:]]*${d}([[:blank:]]|$)" "$conf"; then
        fail "(b) directive $d is declared in the command table but has no (commented) line in $conf"
    fi
    # Not a failure: a reminder to drop the note once the feature has landed.
    if awk -v d="$d" '
        /^## / { inside = ($2 == d) }
        inside && /Status: planned/ { found = 1 }
        END { exit !found }' "$dir_doc"; then
        echo "check-sync: note: $d is implemented but $dir_doc still marks it \"Status: planned\"" >&2
    fi
done

# ---- (c) log ids -------------------------------------------------------

ids=$(cat "${glue[@]}" ${engine[@]+"${engine[@]}"} | grep -oE 'CFAOP[0-9]{4}' | sort -u)
for id in $ids; do
    if ! grep -Eq "^[[:blank:]]*(\||#)(.*[^A-Za-z0-9_])?${id}([^A-Za-z0-9_]|\$)" "$log_doc"; then
        fail "(c) log id $id is used in the code but has no table row or heading in $log_doc"
    fi
done

# ---- (d) environment variables -----------------------------------------

vars=$(cat "${glue[@]}" ${engine[@]+"${engine[@]}"} \
    | grep -oE 'CF_(AOP|CLIENT_CERT)_[A-Z0-9_]*' | grep -v '_$' | sort -u)
for v in $vars; do
    if ! grep -Eq "$(word_re "$v")" "$var_doc"; then
        fail "(d) variable $v is set by the code but is not documented in $var_doc"
    fi
done

if [ "$failures" -gt 0 ]; then
    echo "check-sync: FAILED ($failures problem(s))" >&2
    exit 1
fi
nf=$(printf '%s\n' $fields | grep -c .)
nd=$(printf '%s\n' $directives | grep -c .)
ni=$(printf '%s\n' $ids | grep -c .)
nv=$(printf '%s\n' $vars | grep -c .)
echo "check-sync: ok ($nf config fields, $nd directives, $ni log ids, $nv variables)"
