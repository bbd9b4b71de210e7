#!/usr/bin/env bash
# The batch resolution rate of `isptab lookup --resolve` against nsd on 127.0.0.1
# (the zone of tests/dns.rs: every name under wild.example has an MX at Acme).
# Usage: benches/resolve.sh [QUERIES]   (default 20000; needs nsd: Debian `nsd`)
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/integration/need.sh
need nsd nsd
n=${1:-20000}
cargo build --release --quiet
dir=$(mktemp -d)
trap 'kill "$nsd" 2>/dev/null; wait "$nsd" 2>/dev/null; rm -rf "$dir"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cp tests/fixtures/dns/example.zone "$dir/"
cat > "$dir/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1@$port
  port: $port
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: "$dir"
  database: ""
  zonelistfile: "$dir/zone.list"
  xfrdfile: "$dir/xfrd.state"
  pidfile: "$dir/nsd.pid"
  logfile: "$dir/nsd.log"
  server-count: 1
  rrl-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: example
  zonefile: example.zone
CONF
nsd -d -c "$dir/nsd.conf" & nsd=$!
sleep 1
printf 'isp "Acme Mail" {\n    mx "*.acme-mail.example"\n}\n' > "$dir/isptab.kdl"
seq 1 "$n" | sed 's/.*/q&.wild.example/' > "$dir/queries.txt"
start=$(date +%s%N)
(cd "$dir" && "$OLDPWD/target/release/isptab" lookup --config isptab.kdl --no-defaults \
    --resolve --dns "127.0.0.1:$port" - < queries.txt > answers.txt)
end=$(date +%s%N)
hits=$(grep -c $'\tmx\t' "$dir/answers.txt" || true)
ms=$(( (end - start) / 1000000 ))
echo "$n queries, $hits MX answers, $ms ms, $(( n * 1000 / (ms > 0 ? ms : 1) )) queries/s"
