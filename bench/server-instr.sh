#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/server-instr.sh: instructions the whole server (httpd, mod_ssl,
# OpenSSL, the module) executes per full handshake and per keep-alive
# request, counted with callgrind, for the configurations of bench/run.sh.
# Seconds on a shared 2-core machine move by several per cent between runs;
# instruction counts move by well under one, which is what a 1-2 % budget
# needs.  Not a test: prints a table for docs/performance.md.
#
# This is `INSTR=1 bash bench/run.sh`: see the header of bench/run.sh for
# the method and the knobs (CONFIGS, KA_CONFIGS, IFULL_A/B, IKA_A/B, DENY_N,
# MAP_HOSTS, MAP_CAS, TLS, CLIENT_KEY, ...).  Needs valgrind.
set -euo pipefail
exec env INSTR=1 bash "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/run.sh" "$@"
