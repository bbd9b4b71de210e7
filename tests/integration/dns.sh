#!/usr/bin/env bash
# `lookup --resolve` and `check --resolve` against a real DNS server: installs nsd
# from Debian when it is missing, then runs the tests of tests/dns.rs that need it
# (each starts nsd on 127.0.0.1 with tests/fixtures/dns/example.zone).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/integration/need.sh
need nsd nsd
cargo test --quiet --test dns -- --include-ignored
