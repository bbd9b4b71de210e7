#!/usr/bin/env bash
# `isptab check --format sarif` against Microsoft's official SARIF validator
# (npm package @microsoft/sarif-multitool, `validate`), installed into a throwaway
# directory. Validates a report with diagnostics in two files (one of them the
# built-in defaults), an empty report, absolute FILEs inside and outside the
# working directory (%SRCROOT%), help URIs from --help-uri-base, and the logs of
# runs stopped by usage errors.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$repo/tests/integration/need.sh"
need npm nodejs npm

npm install --silent --no-audit --no-fund --prefix "$work/tool" @microsoft/sarif-multitool >/dev/null
tool="$work/tool/node_modules/.bin/sarif-multitool"
[ -x "$tool" ] || { echo "sarif test: the validator did not install" >&2; exit 1; }

cargo build --quiet --manifest-path "$repo/Cargo.toml" --bin isptab
isptab="$bin_dir/isptab"

cd "$work"
cat > isptab.kdl <<'KDL'
include "regional.kdl"
isp "Copycat" {
    domains "gmail.com" "*.co.uk"
    headers {
        add "Subject" "hi"
    }
}
KDL
printf 'isp "Regional" {\n    domains "regional.example" "regional.example"\n}\n' > regional.kdl
printf 'isp "Clean" {\n    domains "clean.example"\n}\n' > clean.kdl

validate() {
    local name=$1
    shift
    "$isptab" check --format sarif "$@" > "$name.sarif" || true
    rm -f "$name.validation.sarif"
    "$tool" validate "$name.sarif" --output "$name.validation.sarif" > "$name.log" 2>&1 || true
    [ -s "$name.validation.sarif" ] || { cat "$name.log"; echo "sarif test: the validator wrote no report" >&2; exit 1; }
    # The validator writes its findings as SARIF; any error-level result fails.
    python3 - "$name.validation.sarif" <<'PY' || { cat "$name.log"; exit 1; }
import json, sys
log = json.load(open(sys.argv[1]))
errors = [r for run in log.get("runs", []) for r in run.get("results", []) if r.get("level", "warning") == "error"]
for r in errors:
    print("validator:", r.get("ruleId"), r.get("message", {}).get("text"))
sys.exit(1 if errors else 0)
PY
    echo "$name.sarif: valid"
}
validate conflicts
validate clean clean.kdl
validate absolute "$work/isptab.kdl"
validate help-uris --help-uri-base 'https://git.example.com/mail/isptab/src/branch/main/src/compiler/rules/explain/{code}.md'
validate usage-error missing.kdl   # exit 2: the log of a failed run, not an empty file
validate bad-help-uri --help-uri-base 'not a uri'   # exit 2 too
mkdir -p elsewhere
(cd elsewhere && validate outside "$work/isptab.kdl")   # a file:// URI outside %SRCROOT%
python3 - conflicts.sarif <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
results = log["runs"][0]["results"]
codes = sorted({r["ruleId"] for r in results})
assert "duplicate-domain" in codes and "redundant-domain" in codes, codes
assert any(len(r.get("relatedLocations", [])) > 0 for r in results), "no related locations"
run = log["runs"][0]
root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
assert root.startswith("file:///") and root.endswith("/"), root
uris = set()
for r in results:
    for loc in r["locations"] + r.get("relatedLocations", []):
        at = loc["physicalLocation"]["artifactLocation"]
        uris.add((at["uri"], at.get("uriBaseId"), at.get("index")))
assert ("isptab.kdl", "%SRCROOT%", None) in uris, uris
assert ("regional.kdl", "%SRCROOT%", None) in uris, uris
assert ("isptab:defaults", None, 0) in uris, uris
assert run["artifacts"][0]["location"]["uri"] == "isptab:defaults"
for rule in run["tool"]["driver"]["rules"]:
    assert "helpUri" not in rule, rule["id"]
    assert "## How to fix" in rule["help"]["markdown"] and "How to fix" in rule["help"]["text"], rule["id"]
print("sarif: ok,", len(results), "results:", ", ".join(codes))
PY
python3 - help-uris.sarif <<'PY'
import json, sys
rules = json.load(open(sys.argv[1]))["runs"][0]["tool"]["driver"]["rules"]
for rule in rules:
    assert rule["helpUri"].endswith("/explain/%s.md" % rule["id"]), rule["helpUri"]
print("sarif: help URIs ok")
PY
