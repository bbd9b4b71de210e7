#!/usr/bin/env bash
# Independent check of `isptab apply`: every message of tests/fixtures/apply
# (the third-party corpus in messages/*/ and our own in own/) through every
# record of tests/fixtures/apply/records.kdl (each combination of the three
# encodings, varied header rules), then Python's `email` package compares each
# output with its input, the record and the report (apply_check.py). A subset
# runs again with --smtputf8, where added non-ASCII values must be raw UTF-8.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/integration/need.sh
need python3 python3
cargo build --quiet
isptab="$bin_dir/isptab"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fixtures=tests/fixtures/apply
(cd "$fixtures" && "$isptab" build --no-defaults --quiet --allow non-ascii-header \
    records.kdl -o "$tmp/records.isptab")
"$isptab" dump --format json "$tmp/records.isptab" >"$tmp/records.json"

# RECORD<TAB>DOMAIN, one per record, from the table itself
python3 - "$tmp/records.json" >"$tmp/records.tsv" <<'EOF'
import json, sys
for r in json.load(open(sys.argv[1]))["records"]:
    exact = [p["pattern"] for p in r["patterns"] if p["kind"] == "exact"]
    print(f"{r['name']}\t{exact[0]}")
EOF

shopt -s nullglob
messages=("$fixtures"/messages/*/*.eml "$fixtures"/own/*.eml)
[ ${#messages[@]} -gt 0 ] || { echo "apply.sh: no messages" >&2; exit 1; }

# The runs: INPUT<TAB>OUTPUT-PREFIX<TAB>RECORD<TAB>DOMAIN<TAB>MODE. Every message
# with every record; the smtputf8 subset is every record on a few messages.
mkdir "$tmp/out"
: >"$tmp/jobs"
i=0
jobs_for() { # MODE MESSAGE...: every message with every record
    local mode=$1 message record domain
    shift
    for message in "$@"; do
        i=$((i + 1))
        while IFS=$'\t' read -r record domain; do
            printf '%s\t%s\t%s\t%s\t%s\n' "$message" "$tmp/out/$i.${domain%%.*}" \
                "$record" "$domain" "$mode" >>"$tmp/jobs"
        done <"$tmp/records.tsv"
    done
}
jobs_for plain "${messages[@]}"
jobs_for smtputf8 "$fixtures"/own/0[4789]-*.eml "$fixtures"/own/1[0236]-*.eml \
    "$fixtures"/messages/cpython/msg_0[12].eml

# One bash loop per CPU, each writing its part of the manifest:
# INPUT<TAB>OUTPUT<TAB>REPORT_JSON<TAB>RECORD<TAB>EXIT<TAB>MODE
workers=$(nproc 2>/dev/null || echo 2)
run_jobs() {
    local worker=$1 line=0 input prefix record domain mode rc
    local -a flags
    while IFS=$'\t' read -r input prefix record domain mode; do
        line=$((line + 1))
        [ $(((line - 1) % workers)) = "$worker" ] || continue
        flags=()
        [ "$mode" = smtputf8 ] && flags=(--smtputf8)
        rc=0
        "$isptab" apply --table "$tmp/records.isptab" --rcpt "rcpt@$domain" --format json \
            "${flags[@]}" "$input" >"$prefix.eml" 2>"$prefix.json" || rc=$?
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$input" "$prefix.eml" "$prefix.json" "$record" "$rc" "$mode"
    done <"$tmp/jobs" >"$tmp/manifest.$worker"
}
pids=()
for ((w = 0; w < workers; w++)); do
    run_jobs "$w" &
    pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
cat "$tmp"/manifest.* >"$tmp/manifest"

# Messages isptab refused: listed here, and failures in the checker.
refused=$(awk -F'\t' '$5 == 2 { print $1 }' "$tmp/manifest" | sort -u)
if [ -n "$refused" ]; then
    echo "apply.sh: isptab apply refused (exit 2):" >&2
    printf '  %s\n' $refused >&2
fi

echo "apply runs done: ${SECONDS}s" >&2
python3 tests/integration/apply_check.py "$tmp/records.json" "$tmp/manifest"
