#!/usr/bin/env bash
# install-deps.sh: makes sure the Debian packages the build and the tests
# need are installed. As root it installs what is missing (one apt-get
# update, then apt-get install); as anyone else it names what is missing and
# fails. Says nothing when everything is there.
set -euo pipefail

packages=(apache2 apache2-dev libssl-dev check pkg-config libsubunit-dev
          libapache2-mod-perl2 libio-socket-ssl-perl curl nghttp2-client)

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps: dpkg-query not found; on this system install by hand: ${packages[*]}" >&2
    exit 1
fi

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: install them as root: apt-get install ${missing[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${missing[*]}"
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
