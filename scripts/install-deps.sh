#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# install-deps.sh: makes sure the Debian packages the build and the tests
# need are installed. As root it installs what is missing (one apt-get
# update, then apt-get install); as anyone else it names what is missing and
# fails. Says nothing when everything is there.
set -euo pipefail

packages=(apache2 apache2-dev libssl-dev check pkg-config libsubunit-dev
          libapache2-mod-perl2 libio-socket-ssl-perl curl nghttp2-client locales
          nginx-light haproxy memcached redis-server time)

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps: dpkg-query not found; on this system install by hand: ${packages[*]}" >&2
    exit 1
fi

updated=0
# install_missing PACKAGE...: installs those of them not installed yet.
install_missing() {
    local p status missing=()
    for p in "$@"; do
        status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
        [ "$status" = installed ] || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: missing packages: ${missing[*]}" >&2
        echo "install-deps: install them as root: apt-get install ${missing[*]}" >&2
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    echo "install-deps: installing ${missing[*]}"
    [ "$updated" = 1 ] || { apt-get update -q; updated=1; }
    # The proxies and caches the tests put in front of httpd are started by
    # the tests, on loopback; none of them may start as a system service
    # while installing (policy-rc.d, as debootstrap'd roots use it).
    local guard=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        guard=1
    fi
    apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null || {
        [ -z "$guard" ] || rm -f /usr/sbin/policy-rc.d
        return 1
    }
    [ -z "$guard" ] || rm -f /usr/sbin/policy-rc.d
}

# The locale tests switch to (tolower('I') is not 'i' there), made from the
# locales package's sources when the system has not generated it.
make_locale() {
    locale -a 2>/dev/null | grep -qix 'tr_TR\.utf-\?8' && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: the tr_TR.UTF-8 locale is missing; as root: localedef -i tr_TR -f UTF-8 tr_TR.UTF-8" >&2
        return 1
    fi
    localedef -i tr_TR -f UTF-8 tr_TR.UTF-8
}

install_missing "${packages[@]}"
# OpenSSL before 3.0 (Debian 11) cannot date a CRL itself: the test PKI
# makes its stale CRL under faketime there.
case "$(openssl version 2>/dev/null)" in
    "OpenSSL 1."*) install_missing faketime ;;
esac
make_locale
