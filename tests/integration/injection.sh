#!/usr/bin/env bash
# Output injection, checked the way GitHub Actions would read the log: hostile
# configurations (record names, file names, source lines and domains-file lines
# holding workflow commands, terminal escapes and bidi controls) are checked in
# every format, and lookup answers a hostile query stream; a parser of the
# runner's workflow-command syntax (workflow_commands.py) must find no command
# isptab did not write. In `--format github` isptab writes exactly one
# `::error`/`::warning` command per diagnostic (and one `::notice` when some were
# not shown); anywhere else (`fmt --diff` of the same files too), none.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$repo/tests/integration/need.sh"
need python3 python3

cargo build --quiet --manifest-path "$repo/Cargo.toml" --bin isptab
isptab="$bin_dir/isptab"
parser="$repo/tests/integration/workflow_commands.py"

cd "$work"
python3 - <<'PY'
esc, c1, bel, rlo = "\x1b", "\u009b", "\x07", "\u202e"
configs = {
    "names.kdl": 'override "X\\n::error file=evil.kdl,line=1::INJECTED\\n::add-mask::secret" { encoding html="base64" }\n'
                 'override "Gmail" { domains "x.example" from="A\\u{1b}]52;c;Zm9v\\u{7}" }\n'
                 'delete "  ::set-output name=x::y"\n',
    "files.kdl": 'include "::warning::x\\u{9b}31m.kdl"\n'
                 'isp "A" { domains-file "  ::add-mask::list.txt" }\n'
                 'include "##[error]legacy.kdl"\n',
    "snippets.kdl": '// ::error::from a comment ##[add-mask]hidden\n'
                    'isp "B" {\n    domains "::add-mask::b.example" "##[set-output name=x]y.example"\n}\n'
                    'unknown-thing "##[error]x" ::group::g\n',
    "lists.kdl": 'isp "C" { domains-file "list.txt" }\n',
}
for name, text in configs.items():
    open(name, "w").write(text)
open("list.txt", "w").write(
    "ok.example\n" + esc + "[31mred.example\n::error::list" + rlo + ".example\n"
    + c1 + "2J\n  ::add-mask::indented.example\n##[warning]legacy.example\n")
open("clean.kdl", "w").write('isp "Clean" { domains "clean.example" }\n')
# Raw controls in comments, laid out badly: `fmt --diff` shows these lines.
open("raw.kdl", "w").write("// " + esc + "]0;title" + bel + " " + rlo + " " + c1 + "\n"
                           "  ::error::raw comment\n   // ##[add-mask]x\ndelete   \"A\"  // " + esc + "\n")
open("queries.txt", "w").write(
    "clean.example\n::error::x\tfake\tGmail\n" + esc + "]0;title" + bel + "\n"
    + "##[add-mask]y\n   ::notice::indented\n" + rlo + "gmail.com\n")
PY

fail=0
for config in names.kdl files.kdl snippets.kdl lists.kdl; do
    "$isptab" check --format json "$config" > "$config.json" || true
    count=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["diagnostics"]))' "$config.json")
    for format in human short json sarif github; do
        out="$config.$format.log"
        "$isptab" check --format "$format" "$config" > "$out" 2>&1 || true
        python3 "$parser" "$out" > "$out.commands"
        python3 - "$out" "$out.commands" "$format" "$count" <<'PY' || fail=1
import json, sys
log, commands, fmt, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
found = [json.loads(l) for l in open(commands)]
text = open(log, encoding="utf-8", errors="replace").read()
problems = []
for bad in ["\x1b", "\u009b", "\x07", "\x00", "\u202e", "\u2066", "\u200f", "\u0085", "\r"]:
    if bad in text:
        problems.append("raw U+%04X" % ord(bad))
if fmt == "github":
    own = [c for c in found if c["syntax"] == "v2" and c["command"] in ("error", "warning") and "file" in c["properties"]]
    if len(own) != count or len(found) != count:
        problems.append("%d commands for %d diagnostics: %s" % (len(found), count, [c["command"] for c in found]))
    for c in own:
        for bad in ["\x1b", "\u009b", "\x07", "\u202e"]:
            if bad in c["data"] or any(bad in v for v in c["properties"].values()):
                problems.append("U+%04X inside an annotation" % ord(bad))
elif found:
    problems.append("commands isptab did not write: %s" % found)
if problems:
    print("injection: %s --format %s: %s" % (log, fmt, "; ".join(problems)))
    sys.exit(1)
print("injection: %s: no command isptab did not write (%d own)" % (log, len(found)))
PY
    done
done
# fmt --diff prints the files' own lines: escaped, never a command.
"$isptab" fmt --diff raw.kdl names.kdl files.kdl snippets.kdl lists.kdl > fmt.diff.log 2>&1 || true
python3 "$parser" fmt.diff.log > fmt.diff.commands
python3 - fmt.diff.log <<'PY' || fail=1
import sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
problems = ["raw U+%04X" % ord(bad) for bad in ["\x1b", "\u009b", "\x07", "\u202e", "\r"] if bad in text]
if "+++ raw.kdl" not in text or ":\\u{3a}error" not in text:
    problems.append("no diff of raw.kdl with its comment escaped")
if problems:
    print("injection: fmt --diff: " + "; ".join(problems)); print(text); sys.exit(1)
print("injection: fmt --diff: escaped")
PY
if [ -s fmt.diff.commands ]; then
    echo "injection: fmt --diff printed commands:"; cat fmt.diff.commands; fail=1
fi
"$isptab" build --no-defaults clean.kdl -o t.isptab
for format in text json; do
    "$isptab" lookup --table t.isptab --format "$format" - < queries.txt > "lookup.$format.log"
    python3 "$parser" "lookup.$format.log" > "lookup.$format.commands"
    if [ -s "lookup.$format.commands" ]; then
        echo "injection: lookup --format $format printed commands:"; cat "lookup.$format.commands"; fail=1
    fi
    lines=$(wc -l < "lookup.$format.log")
    [ "$lines" = 6 ] || { echo "injection: lookup --format $format: $lines lines for 6 queries"; fail=1; }
done
[ "$fail" = 0 ] && echo "injection: ok"
exit "$fail"
