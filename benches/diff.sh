#!/usr/bin/env bash
# `isptab diff` of two tables of N names (default 1,000,000), as `/usr/bin/time`
# sees it: wall time and peak memory, medians of RUNS (default 3) runs, for the
# report alone (impact over the sample made from the patterns) and with
# --queries over N queries (two lookups each).
#
# The new table moves 1% of the names to a record of their own, removes 2%, adds
# 1% new ones, and changes the big record's encodings.
#
#   benches/diff.sh            # N=1000000 RUNS=3
#   N=100000 benches/diff.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/measure.sh

N=${N:-1000000}
RUNS=${RUNS:-3}
WORK=${WORK:-target/diff-bench}
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (Debian package time)" >&2; exit 2; }

cargo build --release -q --bin isptab --example gen-domains
ISPTAB=target/release/isptab
mkdir -p "$WORK"
if [ ! -s "$WORK/domains.txt" ] || [ "$(grep -vc '^#' "$WORK/domains.txt")" != "$N" ]; then
    target/release/examples/gen-domains "$WORK" "$N" "$N" >/dev/null
fi
cd "$WORK"
grep -v '^#' domains.txt > all.txt
total=$(wc -l < all.txt)
one=$((total / 100))
# old: every name in one record; new: 1% moved out, the last 2% removed, 1% added.
head -n $((total - one)) all.txt > old-bulk.txt
tail -n "$one" all.txt > old-extra.txt
printf 'isp "Bulk" {\n    domains-file "old-bulk.txt"\n    domains-file "old-extra.txt"\n}\n' > old.kdl
head -n $((total - 3 * one)) all.txt > new-bulk.txt
sed -n "$((total - 3 * one + 1)),$((total - 2 * one))p" all.txt > new-moved.txt
sed 's/^/added-/' new-moved.txt > new-added.txt
printf 'isp "Bulk" {\n    domains-file "new-bulk.txt"\n    domains-file "new-added.txt"\n    encoding html="base64"\n}\nisp "Moved" {\n    domains-file "new-moved.txt"\n}\n' > new.kdl
"../../$ISPTAB" build --no-defaults old.kdl -o old.isptab -q
"../../$ISPTAB" build --no-defaults new.kdl -o new.isptab -q
grep -v '^#' queries-uniform.txt > queries.txt

echo "| case ($total names per table) | wall | peak |"
echo "|---|---:|---:|"
for case in sample queries; do
    args=(diff --format json old.isptab new.isptab)
    [ "$case" = queries ] && args+=(--queries queries.txt)
    times=(); peaks=()
    for _ in $(seq "$RUNS"); do
        read -r s k < <(measure "../../$ISPTAB" "${args[@]}")
        times+=("$s"); peaks+=("$k")
    done
    printf '| `isptab %s` | %s s | %s MiB |\n' "${args[*]}" \
        "$(printf '%s\n' "${times[@]}" | median)" \
        "$(printf '%s\n' "${peaks[@]}" | median | awk '{printf "%.0f", $1/1024}')"
done
