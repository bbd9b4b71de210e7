#!/usr/bin/env bash
# Glob lookups through whole programs, one binary against another (a build of an
# earlier commit, say), runs interleaved A B A B: wall time and peak memory,
# medians of RUNS (default 3), as `/usr/bin/time` sees them.
#
#   benches/glob-shapes.sh                     # the release build alone
#   benches/glob-shapes.sh OTHER/isptab        # and another binary, side by side
#
# Shapes: 5,000 globs `gN?.example` with 10,000 queries (half hit a glob of their
# own, half miss); 20,000 globs `?A?.?B?.?C.example` that share every literal
# label, with 1,000 queries that each match a different glob (each tries the
# globs before it). The answers of the two binaries are compared.
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/measure.sh
RUNS=${RUNS:-3}
WORK=${WORK:-target/glob-shapes}
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (Debian package time)" >&2; exit 2; }
cargo build --release -q --bin isptab
binaries=("$PWD/target/release/isptab")
[ $# -ge 1 ] && binaries+=("$(realpath "$1")")
mkdir -p "$WORK"
cd "$WORK"
python3 - <<'PY'
with open('distinct.kdl', 'w') as f:
    f.write('isp "Globs" {\n')
    f.writelines(f'    domains "g{i}?.example"\n' for i in range(5000))
    f.write('}\n')
with open('distinct.txt', 'w') as f:
    f.writelines(f'g{i}z.example\nx{i}.example\n' for i in range(5000))
with open('shared.kdl', 'w') as f:
    f.write('isp "Globs" {\n')
    f.writelines(f'    domains "?{i % 30}?.?{i // 30 % 30}?.?{i // 900}.example"\n' for i in range(20000))
    f.write('}\n')
with open('shared.txt', 'w') as f:
    f.writelines(f'a{i % 30}b.c{i // 30 % 30}d.e{i // 900}.example\n' for i in range(0, 20000, 20))
PY
"${binaries[0]}" build --no-defaults -q distinct.kdl -o distinct.isptab
"${binaries[0]}" build --no-defaults -q shared.kdl -o shared.isptab
echo "| shape | binary | wall | peak |"
echo "|---|---|---:|---:|"
for shape in distinct shared; do
    declare -A times=() peaks=()
    for _ in $(seq "$RUNS"); do
        for i in "${!binaries[@]}"; do
            report=$(mktemp)
            /usr/bin/time -f '%e %M' -o "$report" "${binaries[$i]}" lookup --table "$shape.isptab" - < "$shape.txt" > "answers-$i.txt"
            read -r s k < <(tail -n 1 "$report")
            rm -f "$report"
            times[$i]+="$s "; peaks[$i]+="$k "
        done
    done
    for i in "${!binaries[@]}"; do
        t=$(tr ' ' '\n' <<<"${times[$i]}" | grep . | median)
        k=$(tr ' ' '\n' <<<"${peaks[$i]}" | grep . | median)
        echo "| $shape | ${binaries[$i]} | $t s | $((${k%.*} / 1024)) MiB |"
    done
    if [ "${#binaries[@]}" -gt 1 ] && ! cmp -s answers-0.txt answers-1.txt; then
        echo "the two binaries answer $shape differently" >&2
        exit 1
    fi
done
