#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scripts/install.sh: `make install` and `make uninstall` from a source
# build. (The Debian package does not use it: dh_apache2 installs the
# package's files, dpkg keeps their conffiles.)
#
#   install.sh install   MODULE LIBEXECDIR SYSCONFDIR
#   install.sh uninstall LIBEXECDIR SYSCONFDIR
#
# DESTDIR (environment) stages everything under a root of its own.
# LAYOUT=debian|other overrides the layout guess (debian when SYSCONFDIR
# has mods-available/, as on Debian and Ubuntu).
#
# What goes where (Debian layout; "other" in brackets):
#   LIBEXECDIR/mod_cf_aop.so                      always replaced
#   SYSCONFDIR/mods-available/cf_aop.load         [none: add LoadModule yourself]
#   SYSCONFDIR/mods-available/cf_aop.conf         [SYSCONFDIR/extra/cf_aop.conf]
#   SYSCONFDIR/cf_aop/cloudflare-origin-pull-ca.pem
#   SYSCONFDIR/cf_aop/.make-install.sha256        what this script wrote
#   BINDIR/cfaop-probe (default /usr/local/bin)   always replaced, when built
#
# Configuration files are never overwritten once edited: a file is
# replaced only when it is absent, identical to the new one, or unchanged
# since the previous `make install` wrote it (its checksum is in the
# manifest). Otherwise the new file goes beside it as FILE.dist, with a
# notice. `uninstall` removes each file of the manifest that is unchanged,
# leaves (and names) the ones that were edited, and removes the cf_aop
# directory when nothing else is left in it. It never runs a2dismod: do
# that first (the module must not stay enabled once its .so is gone).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
destdir=${DESTDIR:-}

die() { printf 'install: %s\n' "$*" >&2; exit 2; }
say() { printf '%s\n' "$*"; }

sha() { sha256sum "$1" | cut -d' ' -f1; }

layout_of() {   # SYSCONFDIR
    case "${LAYOUT:-}" in
        debian|other) echo "$LAYOUT"; return ;;
        "") ;;
        *) die "LAYOUT must be debian or other (got '$LAYOUT')" ;;
    esac
    if [ -d "$1/mods-available" ] || [ -d "$destdir$1/mods-available" ]; then
        echo debian
    else
        echo other
    fi
}

# The checksum the previous install recorded for PATH (empty if none).
recorded() {
    [ -f "$manifest" ] || return 0
    awk -v p="$1" '$2 == p { print $1 }' "$manifest" | tail -n 1
}

# install_conf SRC DEST: a configuration file, never overwriting an edit.
install_conf() {
    local src=$1 dest=$2 target=$destdir$2 old
    install -d "$(dirname "$target")"
    if [ -e "$target" ] && ! cmp -s "$src" "$target"; then
        old=$(recorded "$dest")
        if [ -z "$old" ] || [ "$old" != "$(sha "$target")" ]; then
            install -m 644 "$src" "$target.dist"
            # Remembered for uninstall: the edited file (kept then too)
            # and the .dist (removed then).
            written+=("${old:--}  $dest" "$(sha "$target.dist")  $dest.dist")
            say "install: NOTICE: $dest was edited (or not written by make install): kept as it is;"
            say "install:         the new version is beside it as $dest.dist (compare: diff -u $dest $dest.dist)"
            return
        fi
    fi
    install -m 644 "$src" "$target"
    rm -f "$target.dist"    # an older .dist is stale now
    written+=("$(sha "$target")  $dest")
}

do_install() {
    local module=$1 libexec=$2 sysconf=$3 layout
    [ -f "$module" ] || die "$module is missing: run 'make' first"
    layout=$(layout_of "$sysconf")
    cadir=$sysconf/cf_aop
    manifest=$destdir$cadir/.make-install.sha256
    written=()
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT

    install -d "$destdir$libexec"
    install -m 644 "$module" "$destdir$libexec/mod_cf_aop.so"
    written+=("$(sha "$destdir$libexec/mod_cf_aop.so")  $libexec/mod_cf_aop.so")
    say "install: $libexec/mod_cf_aop.so"

    # cfaop-probe, built beside the module (mk/probe.mk)
    local probe bindir=${BINDIR:-/usr/local/bin}
    probe=$(dirname "$module")/cfaop-probe
    if [ -x "$probe" ]; then
        install -d "$destdir$bindir"
        install -m 755 "$probe" "$destdir$bindir/cfaop-probe"
        written+=("$(sha "$destdir$bindir/cfaop-probe")  $bindir/cfaop-probe")
        say "install: $bindir/cfaop-probe"
    fi

    install -d "$destdir$cadir"
    install -m 644 "$repo/conf/cloudflare-origin-pull-ca.pem" "$destdir$cadir/cloudflare-origin-pull-ca.pem"
    written+=("$(sha "$destdir$cadir/cloudflare-origin-pull-ca.pem")  $cadir/cloudflare-origin-pull-ca.pem")

    if [ "$layout" = debian ]; then
        # The .load names the module directory apxs reports.
        sed "s|/usr/lib/apache2/modules/mod_cf_aop.so|$libexec/mod_cf_aop.so|" \
            "$repo/conf/cf_aop.load" >"$tmp/cf_aop.load"
        install_conf "$tmp/cf_aop.load" "$sysconf/mods-available/cf_aop.load"
        install_conf "$repo/conf/cf_aop.conf" "$sysconf/mods-available/cf_aop.conf"
        say "install: configuration in $sysconf/mods-available (cf_aop.load, cf_aop.conf)"
        say "install: enable with: a2enmod cf_aop (it enables ssl too), then apachectl configtest && systemctl restart apache2"
    else
        install_conf "$repo/conf/cf_aop.conf" "$sysconf/extra/cf_aop.conf"
        say "install: configuration in $sysconf/extra/cf_aop.conf"
        say "install: add to httpd.conf, after mod_ssl's LoadModule line:"
        say "install:     LoadModule cf_aop_module $libexec/mod_cf_aop.so"
        say "install:     Include $sysconf/extra/cf_aop.conf"
    fi
    printf '%s\n' "${written[@]}" >"$manifest"
    chmod 644 "$manifest"
}

do_uninstall() {
    local libexec=$1 sysconf=$2 sum path kept=0
    cadir=$sysconf/cf_aop
    manifest=$destdir$cadir/.make-install.sha256
    if [ ! -f "$manifest" ]; then
        say "install: $cadir/.make-install.sha256 not found: nothing installed by make install (a package? see 'dpkg -S mod_cf_aop.so')"
        return 0
    fi
    if [ -z "$destdir" ] && [ -L "$sysconf/mods-enabled/cf_aop.load" ]; then
        say "install: NOTICE: cf_aop is still enabled: run 'a2dismod cf_aop' (and remove the CFAOP lines of your vhosts) before httpd restarts"
    fi
    while read -r sum path; do
        [ -n "$path" ] || continue
        if [ ! -e "$destdir$path" ]; then
            continue
        elif [ "$(sha "$destdir$path")" = "$sum" ]; then
            rm -f "$destdir$path"
            say "install: removed $path"
        else
            say "install: NOTICE: kept $path: it was edited after make install wrote it (or was there before)"
            kept=$((kept + 1))
        fi
    done <"$manifest"
    rm -f "$manifest"
    if rmdir "$destdir$cadir" 2>/dev/null; then
        say "install: removed $cadir/"
    else
        say "install: kept $cadir/: it holds files of yours"
    fi
    [ "$kept" = 0 ] || say "install: $kept edited file(s) kept; remove them by hand once you no longer need them"
}

case "${1:-}" in
    install)   [ $# = 4 ] || die "usage: $0 install MODULE LIBEXECDIR SYSCONFDIR"; do_install "$2" "$3" "$4" ;;
    uninstall) [ $# = 3 ] || die "usage: $0 uninstall LIBEXECDIR SYSCONFDIR"; do_uninstall "$2" "$3" ;;
    *)         die "usage: $0 install|uninstall ..." ;;
esac
