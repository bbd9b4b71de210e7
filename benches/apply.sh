#!/usr/bin/env bash
# isptab::apply against Python's email package (parse + generate) on the same
# messages, in MB/s of input, interleaved rounds in one run; prints the medians
# and the ratio for each case (benches/support/apply_corpus.rs).
#
#   benches/apply.sh            # RUNS=5 ROUNDS_RUST=200 ROUNDS_PYTHON=5
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/integration/need.sh
need python3 python3
RUNS=${RUNS:-5}
ROUNDS_RUST=${ROUNDS_RUST:-200}
ROUNDS_PYTHON=${ROUNDS_PYTHON:-5}
cargo build --release --quiet --example apply-corpus --features apply
bin=target/release/examples/apply-corpus
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for case in header-only re-encode; do
    "$bin" write "$case" "$dir/$case"
    : > "$dir/rust" ; : > "$dir/python"
    for _ in $(seq "$RUNS"); do
        "$bin" time "$case" "$ROUNDS_RUST" | awk '{print $1}' >> "$dir/rust"
        python3 benches/apply_peer.py "$dir/$case" "$ROUNDS_PYTHON" | awk '{print $1}' >> "$dir/python"
    done
    rust=$(median < "$dir/rust")
    python=$(median < "$dir/python")
    echo "$case: isptab $rust MB/s, python email $python MB/s, ratio $(awk -v a="$rust" -v b="$python" 'BEGIN {printf "%.1f", a / b}')x ($(ls "$dir/$case" | wc -l) messages, $RUNS runs)"
done
