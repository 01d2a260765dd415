#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scripts/deb-test.sh: `make deb-test`. Installs the Debian package into a
# throwaway Debian 12 (bookworm) root and checks, one line per check, what
# an administrator relies on:
#
#   install         the package installs with apache2; the module is NOT enabled
#   enable          a2enmod cf_aop enables it and ssl
#   configtest      apachectl configtest passes with a CFAOP vhost
#   upgrade         to <version>-2 (same conffile): an edited cf_aop.conf is
#                   kept, no prompt, the module stays enabled
#   upgrade         to <version>-3 (the packaged cf_aop.conf changed): the
#                   edit is kept and the new file is cf_aop.conf.dpkg-dist
#   remove          apt remove disables it; configtest passes once the
#                   CFAOP site is disabled, and fails (closed) while it is not
#   purge           apt purge removes /etc/apache2/mods-available/cf_aop.*
#
# Then "N passed, N failed"; exits 1 on any failure, 2 when it cannot run.
# Needs root (debootstrap, chroot, mount). Installs debootstrap when missing.
# The mirror is the one this machine's apt uses for bookworm
# (/etc/apt/sources.list*). The root, with apache2 installed, is cached as
# build/deb-test/bookworm-<arch>-root.tar.gz: the first run downloads it
# (a few minutes), later runs unpack it (seconds); delete it to refresh.
# Services never start in the root (policy-rc.d); /proc is unmounted and
# the root removed on exit, whatever happens.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
pkg=libapache2-mod-cf-aop
suite=bookworm
work=$repo/build/deb-test
t0=$(date +%s)

say() { printf 'deb-test: %s\n' "$*"; }
die() { printf 'deb-test: %s\n' "$*" >&2; exit 2; }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot and mount)"
command -v dpkg-query >/dev/null 2>&1 || die "needs a Debian system"

# ---- the mirror this machine uses for bookworm ----------------------------

find_mirror() {
    local f
    # one-line format: deb [options] URI SUITE COMPONENTS
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk -v s="$suite" '
            $1 == "deb" {
                i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                if ($(i + 1) == s) { print $i; exit }
            }' "$f"
    done
    # deb822 format: a stanza with Types: deb and Suites: ... SUITE ...
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk -v s="$suite" '
            function flush() { if (deb && hit && uri != "") { print uri; found = 1 } deb = hit = 0; uri = "" }
            /^[ \t]*$/ { flush(); if (found) exit; next }
            /^Types:/  { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
            /^URIs:/   { uri = $2 }
            /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) hit = 1 }
            END { if (!found) flush() }' "$f"
    done
}
mirror=$(find_mirror | head -n 1)
[ -n "$mirror" ] || die "no '$suite' entry in /etc/apt/sources.list*: cannot tell which Debian mirror to use"

arch=$(dpkg --print-architecture)
version=$(sed -n 's/^#define CFAOP_VERSION "\(.*\)"/\1/p' src/version.h)
rev1=$(dpkg-parsechangelog -S Version 2>/dev/null || sed -n '1s/.*(\(.*\)).*/\1/p' debian/changelog)
rev1=${rev1##*-}
rev2=$((rev1 + 1))
rev3=$((rev1 + 2))
mkdir -p "$work"

# ---- the packages: this tree, and two rebuilds for the upgrades ---------

say "building the packages ($version-$rev1 with lintian; $version-$rev2 and, with a changed cf_aop.conf, $version-$rev3)"
tb=$(date +%s)
bash scripts/deb-build.sh >"$work/build-$rev1.log" 2>&1 || { cat "$work/build-$rev1.log" >&2; die "make deb failed"; }
grep -E '^deb: (lintian|built)' "$work/build-$rev1.log" | sed 's/^deb: /deb-test: /'
# The two rebuilds, in the background while the root is being prepared.
(
    DEB_OUT=$work/rev$rev2 DEB_REVISION=$rev2 DEB_LINTIAN=0 DEB_BUILD_OPTIONS=nocheck \
        bash scripts/deb-build.sh >"$work/build-$rev2.log" 2>&1 &&
    DEB_OUT=$work/rev$rev3 DEB_REVISION=$rev3 DEB_LINTIAN=0 DEB_BUILD_OPTIONS=nocheck \
        DEB_CONF_NOTE="changed in $version-$rev3 by make deb-test" \
        bash scripts/deb-build.sh >"$work/build-$rev3.log" 2>&1
) &
builds=$!
deb1=$repo/build/deb/${pkg}_$version-${rev1}_$arch.deb
deb2=$work/rev$rev2/${pkg}_$version-${rev2}_$arch.deb
deb3=$work/rev$rev3/${pkg}_$version-${rev3}_$arch.deb

# ---- the root -----------------------------------------------------------

if ! command -v debootstrap >/dev/null 2>&1; then
    say "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap </dev/null >/dev/null
fi

root=$(mktemp -d "$work/root.XXXXXX")
chmod 755 "$root"      # a root directory others (_apt, www-data) can traverse
mounted=0

# Processes whose root directory is inside the throwaway root (none are
# expected: nothing here starts a daemon, and policy-rc.d forbids it).
procs_in_root() {
    local p
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/root" 2>/dev/null || true)" = "$root" ] && echo "${p#/proc/}"
    done
    return 0
}

cleanup() {
    local rc=$? pids
    set +e
    [ -z "${builds:-}" ] || wait "$builds" 2>/dev/null
    pids=$(procs_in_root)
    if [ -n "$pids" ]; then
        say "stopping processes left in the root: $pids"
        # shellcheck disable=SC2086
        kill $pids 2>/dev/null; sleep 1
    fi
    if [ "$mounted" = 1 ] || mountpoint -q "$root/proc" 2>/dev/null; then
        umount "$root/proc" 2>/dev/null || umount -l "$root/proc"
    fi
    if ! mountpoint -q "$root/proc" 2>/dev/null; then
        rm -rf "$root"
    else
        say "$root/proc is still mounted: not removing $root" >&2
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
                LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
mount_proc() { mount -t proc proc "$root/proc"; mounted=1; }
umount_proc() { umount "$root/proc"; mounted=0; }

cache=$work/$suite-$arch-root.tar.gz
tr=$(date +%s)
if [ -f "$cache" ]; then
    tar -C "$root" -xzf "$cache"
    say "root: unpacked $(basename "$cache") in $(( $(date +%s) - tr ))s"
else
    say "root: debootstrap $suite from $mirror (first run only; cached afterwards)"
    debootstrap --variant=minbase --arch="$arch" "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
        || { tail -n 20 "$work/debootstrap.log" >&2; die "debootstrap failed (log: build/deb-test/debootstrap.log)"; }
    # No service ever starts in this root.
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 755 "$root/usr/sbin/policy-rc.d"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    mount_proc
    in_root apt-get update -q >"$work/apt.log" 2>&1
    in_root apt-get install -y -q --no-install-recommends apache2 openssl </dev/null >>"$work/apt.log" 2>&1 \
        || { tail -n 20 "$work/apt.log" >&2; die "installing apache2 in the root failed"; }
    in_root apt-get clean
    umount_proc
    tar -C "$root" -czf "$cache.tmp" . && mv "$cache.tmp" "$cache"
    say "root: made and cached as build/deb-test/$(basename "$cache") in $(( $(date +%s) - tr ))s"
fi
[ -x "$root/usr/sbin/policy-rc.d" ] || die "the root has no policy-rc.d"
chmod 755 "$root"      # tar restores the mode mktemp gave "." when it was cached
mount_proc

say "waiting for the rebuilds"
wait "$builds" || { cat "$work/build-$rev2.log" "$work/build-$rev3.log" >&2 2>/dev/null; die "rebuilding the upgrade packages failed"; }
builds=
for d in "$deb1" "$deb2" "$deb3"; do [ -f "$d" ] || die "missing $d"; done
say "packages built in $(( $(date +%s) - tb ))s (the rebuilds overlapping the root)"
mkdir -p "$root/tmp/debs"
cp "$deb1" "$deb2" "$deb3" "$root/tmp/debs/"

# ---- the checks ---------------------------------------------------------

passed=0
failed=0
log=$work/checks.log
: >"$log"
check() {   # name command...: PASS when the command succeeds
    local name=$1
    shift
    printf '== %s\n' "$name" >>"$log"
    if "$@" >>"$log" 2>&1; then
        printf 'PASS  %s\n' "$name"
        passed=$((passed + 1))
    else
        printf 'FAIL  %s\n' "$name"
        failed=$((failed + 1))
    fi
}
sh_root() { in_root sh -ec "$1"; }

etc=/etc/apache2
conf=$etc/mods-available/cf_aop.conf
# As an unattended upgrade would: keep an edited conffile, write the new
# one as .dpkg-dist. (No pty in the root: Dpkg::Use-Pty=0.)
apt_opts="-y -q -o Dpkg::Use-Pty=0 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"

check "install $pkg $version-$rev1 (apt, with apache2)" \
    sh_root "apt-get install $apt_opts /tmp/debs/$(basename "$deb1") </dev/null; dpkg-query -W -f='\${Version}\n' $pkg | grep -qx '$version-$rev1'"
check "files: module, cf_aop.load/.conf, CA PEM, docs and examples" \
    sh_root "test -f /usr/lib/apache2/modules/mod_cf_aop.so && test -f $etc/mods-available/cf_aop.load &&
             test -f $conf && test -f /usr/share/$pkg/cloudflare-origin-pull-ca.pem &&
             test -f /usr/share/doc/$pkg/docs/directives.md.gz && test -f /usr/share/doc/$pkg/examples/vhost-zone.conf.example"
check "not enabled after install (no mods-enabled link, a2query -m cf_aop fails)" \
    sh_root "! test -e $etc/mods-enabled/cf_aop.load && ! a2query -q -m cf_aop"
check "a2enmod cf_aop enables cf_aop, ssl and slotmem_shm (the status page's counters)" \
    sh_root "a2enmod cf_aop && test -L $etc/mods-enabled/cf_aop.load && test -L $etc/mods-enabled/cf_aop.conf &&
             test -L $etc/mods-enabled/ssl.load && test -L $etc/mods-enabled/slotmem_shm.load &&
             a2query -q -m cf_aop"

# A CFAOP vhost, with a throwaway server certificate and AOP CA.
sh_root "mkdir -p $etc/cf_aop /etc/ssl/cfaop-test && cd /etc/ssl/cfaop-test &&
         openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=www.example.test \
             -keyout server.key -out server.pem 2>/dev/null &&
         openssl req -x509 -newkey rsa:2048 -nodes -days 60 -subj '/CN=deb-test AOP CA' \
             -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
             -keyout aop-ca.key -out $etc/cf_aop/aop-ca.pem 2>/dev/null" >>"$log" 2>&1
cat >"$root$etc/sites-available/cfaop-test.conf" <<'EOF'
<VirtualHost *:443>
    ServerName www.example.test
    SSLEngine on
    SSLCertificateFile    /etc/ssl/cfaop-test/server.pem
    SSLCertificateKeyFile /etc/ssl/cfaop-test/server.key
    CFAOP On
    CFAOPTrustedCA /etc/apache2/cf_aop/aop-ca.pem
    LogLevel warn cf_aop:info
</VirtualHost>
EOF
check "apachectl configtest with a CFAOP vhost: Syntax OK" \
    sh_root "a2ensite cfaop-test; out=\$(apachectl configtest 2>&1); echo \"\$out\"; echo \"\$out\" | grep -q 'Syntax OK'"
check "apachectl -M lists cf_aop_module" \
    sh_root "apachectl -M 2>/dev/null | grep -q cf_aop_module"
check "the version is in the CFAOP help (apachectl -L)" \
    sh_root "apachectl -L 2>/dev/null | grep -q 'mod_cf_aop/$version'"

# The administrator edits the conffile before upgrading.
sh_root "sed -i 's/^    #CFAOPVerifyDepth 1\$/    CFAOPVerifyDepth 2/' $conf && grep -q '^    CFAOPVerifyDepth 2' $conf" >>"$log" 2>&1 || true
edited=$(in_root sha256sum "$conf" | cut -d' ' -f1)
check "upgrade to $version-$rev2 (packaged cf_aop.conf unchanged)" \
    sh_root "apt-get install $apt_opts /tmp/debs/$(basename "$deb2") </dev/null; dpkg-query -W -f='\${Version}\n' $pkg | grep -qx '$version-$rev2'"
check "  the edited cf_aop.conf is kept, no .dpkg-dist" \
    sh_root "grep -q '^    CFAOPVerifyDepth 2' $conf && echo '$edited  $conf' | sha256sum -c && ! test -e $conf.dpkg-dist"
check "  still enabled, configtest passes" \
    sh_root "a2query -q -m cf_aop && apachectl configtest"
check "upgrade to $version-$rev3 (packaged cf_aop.conf changed)" \
    sh_root "apt-get install $apt_opts /tmp/debs/$(basename "$deb3") </dev/null; dpkg-query -W -f='\${Version}\n' $pkg | grep -qx '$version-$rev3'"
check "  the edited cf_aop.conf is kept, the new one is cf_aop.conf.dpkg-dist" \
    sh_root "echo '$edited  $conf' | sha256sum -c && grep -q 'changed in $version-$rev3' $conf.dpkg-dist"
check "  still enabled, configtest passes" \
    sh_root "a2query -q -m cf_aop && apachectl configtest"

# Removal, as README.Debian says: first the vhosts' CFAOP lines.
sh_root "a2dissite cfaop-test" >>"$log" 2>&1 || true
check "apt remove $pkg" \
    sh_root "apt-get remove $apt_opts $pkg </dev/null; dpkg-query -W -f='\${db:Status-Abbrev}\n' $pkg | grep -q '^rc'"
check "  disabled: mods-enabled links gone, module file gone, ssl left enabled" \
    sh_root "! test -e $etc/mods-enabled/cf_aop.load && ! test -e $etc/mods-enabled/cf_aop.conf &&
             ! test -e /usr/lib/apache2/modules/mod_cf_aop.so && test -L $etc/mods-enabled/ssl.load"
check "  configtest passes" \
    sh_root "apachectl configtest"
check "  the edited cf_aop.conf is still there (conffiles stay until purge)" \
    sh_root "echo '$edited  $conf' | sha256sum -c"
check "  a vhost still saying CFAOP fails configtest (fails closed, not open)" \
    sh_root "a2ensite cfaop-test >/dev/null; out=\$(apachectl configtest 2>&1) && exit 1; a2dissite cfaop-test >/dev/null;
             echo \"\$out\"; echo \"\$out\" | grep -q CFAOP"
check "apt purge $pkg" \
    sh_root "apt-get purge $apt_opts $pkg </dev/null; st=\$(dpkg-query -W -f='\${db:Status-Status}' $pkg 2>/dev/null || true);
             test -z \"\$st\" || test \"\$st\" = not-installed"
check "  /etc/apache2/mods-available/cf_aop.conf, .load and .dpkg-dist removed" \
    sh_root "! test -e $conf && ! test -e $etc/mods-available/cf_aop.load && ! test -e $conf.dpkg-dist"
check "  a2enmod's state purged, configtest passes" \
    sh_root "ls -d /var/lib/apache2/module/*/cf_aop 2>/dev/null && exit 1; apachectl configtest"
check "no process left running in the root" \
    test -z "$(procs_in_root)"

printf '%d passed, %d failed\n' "$passed" "$failed"
say "details: build/deb-test/checks.log; took $(( $(date +%s) - t0 ))s"
[ "$failed" = 0 ] || exit 1
