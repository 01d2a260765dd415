#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scripts/deb-build.sh: `make deb`. Builds the Debian package
# libapache2-mod-cf-aop_<version>-<rev>_<arch>.deb (and its source
# package) with dpkg-buildpackage in a copy of the tree, so the checkout
# stays clean, then runs lintian on the result.
#
# Output: build/deb/ (or $DEB_OUT): the .deb, the source package (.dsc,
# .orig.tar.gz, .debian.tar.xz), .changes, .buildinfo, lintian.txt and
# the build log build.log. The copy it builds in is build/deb/src/.
#
# As root it installs what is missing first: dpkg-dev, then the
# Build-Depends of debian/control (dpkg-checkbuilddeps), lintian, and the
# tr_TR.UTF-8 locale one unit test needs. Needs no network otherwise.
#
# Environment (make deb-test uses these to make an upgrade):
#   DEB_OUT=dir        where the results go (default build/deb)
#   DEB_REVISION=n     build <version>-n: adds a debian/changelog entry in
#                      the copy (default: the changelog's own revision)
#   DEB_CONF_NOTE=txt  appends "# txt" to the packaged cf_aop.conf, in the
#                      copy, so that the conffile changes
#   DEB_LINTIAN=0      skip lintian
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
pkg=libapache2-mod-cf-aop
out=${DEB_OUT:-$repo/build/deb}
case "$out" in /*) ;; *) out=$repo/$out ;; esac

say() { printf 'deb: %s\n' "$*"; }
die() { printf 'deb: %s\n' "$*" >&2; exit 2; }

start=$(date +%s)

# ---- what the build needs -----------------------------------------------

have() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]; }

apt_install() {
    [ "$(id -u)" = 0 ] || die "missing: $* (run 'make deb' as root to install them, or: apt-get install $*)"
    export DEBIAN_FRONTEND=noninteractive
    say "installing $*"
    if [ -z "${apt_updated:-}" ]; then apt-get update -q >/dev/null; apt_updated=1; fi
    apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends "$@" </dev/null >/dev/null
}

command -v dpkg-query >/dev/null 2>&1 || die "this needs a Debian system (dpkg-query not found)"
have dpkg-dev || apt_install dpkg-dev
# Unmet Build-Depends, as package names (versions and alternatives dropped:
# apt picks the candidate, which bookworm's satisfies).
unmet=$(dpkg-checkbuilddeps 2>&1 | sed -n 's/.*Unmet build dependencies: //p' \
        | sed -e 's/([^)]*)//g' -e 's/<[^>]*>//g' -e 's/ *| *[^ ]*//g' -e 's/:[a-z]*//g') || true
# shellcheck disable=SC2086
[ -z "${unmet// /}" ] || apt_install $unmet
# The unit tests run during the build include one under tr_TR.UTF-8 (the
# locale where tolower('I') is not 'i'); make it as make deps does.
case " ${DEB_BUILD_OPTIONS:-} " in
    *" nocheck "*) ;;
    *)
        if ! locale -a 2>/dev/null | grep -qix 'tr_TR\.utf-\?8'; then
            [ "$(id -u)" = 0 ] || die "the tr_TR.UTF-8 locale is missing (the unit tests need it): as root, localedef -i tr_TR -f UTF-8 tr_TR.UTF-8; or DEB_BUILD_OPTIONS=nocheck"
            have locales || apt_install locales
            say "generating the tr_TR.UTF-8 locale"
            localedef -i tr_TR -f UTF-8 tr_TR.UTF-8
        fi
        ;;
esac
if [ "${DEB_LINTIAN:-1}" != 0 ] && ! command -v lintian >/dev/null 2>&1; then
    apt_install lintian
fi

# ---- versions -----------------------------------------------------------

version=$(sed -n 's/^#define CFAOP_VERSION "\(.*\)"/\1/p' src/version.h)
[ -n "$version" ] || die "no CFAOP_VERSION in src/version.h"
deb_version=$(dpkg-parsechangelog -S Version)
upstream=${deb_version%-*}
[ "$upstream" = "$version" ] \
    || die "debian/changelog is at $deb_version but src/version.h says $version: add a debian/changelog entry for $version-1"
grep -q "^## \[$version\]" CHANGELOG.md || die "CHANGELOG.md has no section '## [$version]'"

# ---- the copy -----------------------------------------------------------

rm -rf "$out"
src=$out/src/$pkg-$version
mkdir -p "$src"
# Tracked files as they are now (edits included) and new files not ignored;
# nothing from build/ or other ignored output.
if git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$repo" ls-files -z --cached --others --exclude-standard \
        | (while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done) \
        | tar -C "$repo" --null -T - -cf - | tar -C "$src" -xf -
else
    tar -C "$repo" --exclude=./build -cf - . | tar -C "$src" -xf -
fi

if [ -n "${DEB_CONF_NOTE:-}" ]; then
    printf '# %s\n' "$DEB_CONF_NOTE" >>"$src/conf/cf_aop.conf"
fi
if [ -n "${DEB_REVISION:-}" ]; then
    deb_version=$version-$DEB_REVISION
    maint=$(dpkg-parsechangelog -S Maintainer)
    {
        printf '%s (%s) unstable; urgency=medium\n\n' "$pkg" "$deb_version"
        printf '  * Rebuild of %s for make deb-test.\n\n' "$version"
        printf ' -- %s  %s\n\n' "$maint" "$(date -R)"
        cat debian/changelog
    } >"$src/debian/changelog"
fi

# The upstream tarball: the copy without debian/.
tar -C "$out/src" --exclude="$pkg-$version/debian" --owner=0 --group=0 --sort=name \
    -czf "$out/src/${pkg}_$version.orig.tar.gz" "$pkg-$version"

# ---- the build ----------------------------------------------------------

say "building $pkg $deb_version in ${src#"$repo"/}"
if ! (cd "$src" && dpkg-buildpackage -us -uc -j"$(nproc)") >"$out/build.log" 2>&1; then
    tail -n 40 "$out/build.log" >&2
    die "dpkg-buildpackage failed: see ${out#"$repo"/}/build.log"
fi
# Everything dpkg-buildpackage wrote beside the copy (the -dbgsym .deb too).
find "$out/src" -maxdepth 1 -type f -exec mv -t "$out/" {} +
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb=$out/${pkg}_${deb_version}_$arch.deb
[ -f "$deb" ] || die "no $deb after the build"
# The copy served its purpose; the results are in $out.
rm -rf "$out/src"

# ---- lintian ------------------------------------------------------------

lint_rc=0
if [ "${DEB_LINTIAN:-1}" != 0 ]; then
    lintian --info --display-info --fail-on error "$out/${pkg}_${deb_version}_$arch.changes" \
        >"$out/lintian.txt" 2>&1 || lint_rc=$?
    errors=$(grep -c '^E: ' "$out/lintian.txt" || true)
    warnings=$(grep -c '^W: ' "$out/lintian.txt" || true)
    infos=$(grep -c '^I: ' "$out/lintian.txt" || true)
    say "lintian: $errors error(s), $warnings warning(s), $infos info(s) (${out#"$repo"/}/lintian.txt; warnings explained in debian/README.source)"
    grep -E '^[EW]: ' "$out/lintian.txt" | sed 's/^/deb:   /' || true
fi

say "built ${deb#"$repo"/} in $(( $(date +%s) - start ))s"
[ "$lint_rc" = 0 ] || die "lintian reports errors: see ${out#"$repo"/}/lintian.txt"
