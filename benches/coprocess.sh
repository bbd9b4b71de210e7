#!/usr/bin/env bash
# `isptab lookup --table T -` two ways (release build, the built-in defaults):
# a batch of QUERIES lines piped in at once (the time of the whole run), and a
# co-process that writes one line and waits for its answer before the next (the
# round trip per query, measured by benches/coprocess.py).
# Usage: benches/coprocess.sh [QUERIES] [ROUND-TRIPS] [BINARY]
#   (defaults 1000000, 20000, target/release/isptab; give an older binary to
#   compare side by side, with ROUND-TRIPS 0 for a binary that holds its
#   answers until stdin closes)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
trips=${2:-20000}
cargo build --release --quiet
bin=$(realpath "${3:-target/release/isptab}")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf 'isp "Bench" {\n    domains "bench.example"\n}\n' > "$dir/empty.kdl"
(cd "$dir" && "$bin" build empty.kdl -o t.isptab)
# Half hits (the defaults' domains, under made-up users), half misses.
python3 - "$n" > "$dir/queries.txt" <<'PY'
import sys
n = int(sys.argv[1])
hits = ["gmail.com", "yahoo.com", "outlook.com", "web.de", "orange.fr", "icloud.com"]
for i in range(n):
    print(f"u{i}@{hits[i % len(hits)]}" if i % 2 else f"q{i}.example.net")
PY
start=$(date +%s%N)
"$bin" lookup --table "$dir/t.isptab" - < "$dir/queries.txt" | wc -l > "$dir/count"
end=$(date +%s%N)
echo "batch: $(cat "$dir/count") answers in $(( (end - start) / 1000000 )) ms"
[ "$trips" = 0 ] || python3 benches/coprocess.py "$bin" "$dir/t.isptab" "$trips"
