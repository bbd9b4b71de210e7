#!/usr/bin/env bash
# Whole-program comparison with Postfix's postmap, on the same 1,000,000 domains,
# once per name-length mix (benches/support/gen.rs: short, medium, long, hex, real):
#
#   build:  postmap cdb:MAP  and  postmap lmdb:MAP   vs  isptab build (from a domains-file)
#   lookup: postmap -q - cdb:MAP < 1,000,000 queries  vs  isptab lookup --table T - < the same
#
# Each pair runs alternately RUNS times (A B A B ...); the script prints the median
# wall time and peak memory of each command and the median of the pairwise ratios,
# as a Markdown table. Installs postfix, postfix-cdb and postfix-lmdb from Debian
# (non-interactively, with no mail configuration) when postmap is missing.
#
#   benches/postmap.sh            # N=1000000 RUNS=5, every mix
#   N=100000 RUNS=3 MIXES="short hex" benches/postmap.sh
#   N=10000000 QUERIES=1000000 RUNS=1 MIXES="short hex" benches/postmap.sh   # 10^7 names, 10^6 queries
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/measure.sh

N=${N:-1000000}
QUERIES=${QUERIES:-$N}
RUNS=${RUNS:-5}
MIXES=${MIXES:-short medium long hex real}
WORK=${WORK:-target/postmap-bench}

install_postfix() {
    if command -v postmap >/dev/null 2>&1 || [ -x /usr/sbin/postmap ]; then
        if dpkg -s postfix-cdb postfix-lmdb >/dev/null 2>&1; then
            return
        fi
    fi
    echo "installing postfix, postfix-cdb and postfix-lmdb from Debian..." >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix postfix-cdb postfix-lmdb >/dev/null
}

install_postfix
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (Debian package time)" >&2; exit 2; }
PATH="$PATH:/usr/sbin"

cargo build --release -q --bin isptab --example gen-domains
ISPTAB=$(pwd)/target/release/isptab
GEN=$(pwd)/target/release/examples/gen-domains
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

# compare NAME_A CMD_A NAME_B CMD_B: alternate, then print a table row.
compare() {
    local name_a=$1 cmd_a=$2 name_b=$3 cmd_b=$4
    local ta=() tb=() ma=() mb=() ratios=()
    for _ in $(seq "$RUNS"); do
        read -r sa ka < <(measure sh -c "$cmd_a")
        read -r sb kb < <(measure sh -c "$cmd_b")
        ta+=("$sa"); ma+=("$ka"); tb+=("$sb"); mb+=("$kb")
        ratios+=("$(awk -v a="$sa" -v b="$sb" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "inf" }')")
    done
    printf '| %s | %s s | %s MiB | %s | %s s | %s MiB | %s |\n' \
        "$name_a" "$(printf '%s\n' "${ta[@]}" | median)" "$(printf '%s\n' "${ma[@]}" | median | awk '{printf "%.0f", $1/1024}')" \
        "$name_b" "$(printf '%s\n' "${tb[@]}" | median)" "$(printf '%s\n' "${mb[@]}" | median | awk '{printf "%.0f", $1/1024}')" \
        "$(printf '%s\n' "${ratios[@]}" | median)"
}

# One mix: its data (made once per N), then every comparison, as a section.
bench_mix() {
    local mix=$1 dir="$WORK/$1"
    mkdir -p "$dir"
    if [ "$(cat "$dir/made" 2>/dev/null)" != "$mix $N $QUERIES" ]; then
        "$GEN" "$dir" "$N" "$QUERIES" "$mix"
        echo "$mix $N $QUERIES" > "$dir/made"
    fi
    cd "$dir"
    # The same names as a Postfix text map and as an isptab configuration.
    grep -v '^#' domains.txt | sed 's/$/ Bulk/' > map
    printf 'isp "Bulk" {\n    domains-file "domains.txt"\n}\n' > postmap.kdl
    # postmap wants a configuration directory; an empty main.cf is enough.
    mkdir -p etc
    : > etc/main.cf
    POSTMAP="postmap -c $dir/etc"
    local names bytes
    names=$(grep -vc '^#' domains.txt)
    bytes=$(grep -v '^#' domains.txt | awk '{ s += length($0) } END { printf "%.1f", s / NR }')
    echo "### mix \`$mix\`: $names names, $bytes bytes a name on average"
    echo
    echo "| A | A wall | A peak | B | B wall | B peak | A/B (median of pairs) |"
    echo "|---|---|---|---|---|---|---|"
    compare "isptab build (domains-file)" "$ISPTAB build --no-defaults postmap.kdl -o t.isptab" \
            "postmap cdb:" "$POSTMAP cdb:map"
    compare "isptab build (domains-file)" "$ISPTAB build --no-defaults postmap.kdl -o t.isptab" \
            "postmap lmdb:" "$POSTMAP lmdb:map"
    "$ISPTAB" build --no-defaults postmap.kdl -o t.isptab 2>/dev/null
    $POSTMAP cdb:map
    compare "isptab lookup --table - (uniform hits)" "$ISPTAB lookup --table t.isptab - < queries-uniform.txt" \
            "postmap -q - cdb: (uniform hits)" "$POSTMAP -q - cdb:map < queries-uniform.txt"
    compare "isptab lookup --table - (misses)" "$ISPTAB lookup --table t.isptab - < queries-miss.txt" \
            "postmap -q - cdb: (misses)" "$POSTMAP -q - cdb:map < queries-miss.txt"
    local table cdb
    table=$(stat -c %s t.isptab)
    cdb=$(stat -c %s map.cdb)
    echo
    echo "Sizes: isptab $table bytes, cdb $cdb bytes ($(awk -v a="$table" -v b="$cdb" 'BEGIN { printf "%.2f", a / b }')x), lmdb $(stat -c %s map.lmdb) bytes"
    echo
}

echo "## isptab vs postmap: $N domains (the real list: all of its names), $RUNS alternating runs each, medians"
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); $(postconf -d mail_version 2>/dev/null || echo postfix)"
echo
for mix in $MIXES; do
    bench_mix "$mix"
done
