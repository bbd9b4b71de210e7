#!/usr/bin/env bash
# The pre-commit hooks, through the real pre-commit: installs pre-commit from PyPI
# into a throwaway virtualenv, makes a throwaway git repository with a
# configuration, and runs the hooks with `pre-commit try-repo` against this
# repository (pre-commit builds isptab with cargo, as it would for a user).
# Passes when a clean configuration passes, a duplicate domain fails with the
# diagnostic in the output, a stale table fails the build check, and isptab-fmt
# fails on badly laid out files in two directories and rewrites them.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$repo/tests/integration/need.sh"
need git git
need python3 python3 python3-venv

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check pre-commit
export PRE_COMMIT_HOME="$work/cache" PATH="$work/venv/bin:$PATH"
# Every try-repo installs the hooks' isptab with `cargo install`; one target
# directory for all of them builds the dependencies once, not once per call
# (only for pre-commit: this script's own build stays in the repository's).
try_repo() { CARGO_TARGET_DIR="$work/hook-target" pre-commit try-repo "$@"; }

cd "$work" && mkdir project && cd project
git init -q
git config user.email ci@example.invalid
git config user.name ci
cat > isptab.kdl <<'KDL'
isp "Acme Mail" {
    domains "acme-mail.example" "*.acme-mail.example"
}
KDL
git add isptab.kdl
git commit -qm config

fail() { echo "pre-commit test: $*" >&2; exit 1; }

# A table that matches the configuration, built with this repository's isptab.
cargo build --quiet --manifest-path "$repo/Cargo.toml" --bin isptab
"$bin_dir/isptab" build -o isps.isptab 2>/dev/null || fail "building the table failed"
git add isps.isptab && git commit -qm table

# Each try-repo installs the hooks' isptab anew (its dependencies from the
# shared target directory), so every hook runs in each call.
echo "== a clean configuration and a current table pass every hook"
try_repo "$repo" --all-files > out.txt 2>&1 || { cat out.txt; fail "clean configuration failed"; }
grep -q "isptab check" out.txt && grep -q "isptab build --check" out.txt && grep -q "isptab fmt" out.txt ||
    { cat out.txt; fail "the hooks did not run"; }

echo "== a duplicate domain fails the check, with the diagnostic, and makes the table stale"
printf 'isp "Copycat" {\n    domains "gmail.com"\n}\n' >> isptab.kdl
git add isptab.kdl
if try_repo "$repo" --all-files > out.txt 2>&1; then
    cat out.txt; fail "duplicate domain passed"
fi
grep -q "duplicate-domain" out.txt || { cat out.txt; fail "no duplicate-domain diagnostic in the output"; }
grep -q "gmail.com" out.txt || { cat out.txt; fail "the diagnostic does not name the domain"; }
grep -q "cannot tell whether isps.isptab is up to date: the configuration has errors" out.txt || { cat out.txt; fail "the build check did not fail"; }

echo "== a valid change leaves the table stale"
git checkout -q HEAD -- isptab.kdl
printf 'isp "New" {\n    domains "new.example"\n}\n' >> isptab.kdl
git add isptab.kdl
if try_repo "$repo" isptab-build-check --all-files > out.txt 2>&1; then
    cat out.txt; fail "stale table passed"
fi
grep -q "isps.isptab is stale" out.txt || { cat out.txt; fail "no 'stale' message"; }

echo "== isptab-fmt rewrites badly laid out files, in any directory, and fails the commit"
git checkout -q HEAD -- isptab.kdl
mkdir -p isps
printf 'isp   "Acme Mail"{domains "acme-mail.example"   "*.acme-mail.example"   // ours\n}\n' > isptab.kdl
printf 'override  "Gmail" {\n  encoding html="base64"}\n' > isps/extra.kdl
git add isptab.kdl isps/extra.kdl
if try_repo "$repo" isptab-fmt --all-files > out.txt 2>&1; then
    cat out.txt; fail "badly laid out files passed"
fi
grep -q "files were modified by this hook" out.txt || { cat out.txt; fail "isptab-fmt did not rewrite the files"; }
printf 'isp "Acme Mail" {\n    domains "acme-mail.example" "*.acme-mail.example" // ours\n}\n' > want.kdl
cmp -s isptab.kdl want.kdl || { cat out.txt isptab.kdl; fail "isptab.kdl is not in the canonical layout"; }
printf 'override "Gmail" {\n    encoding html="base64"\n}\n' > want.kdl
cmp -s isps/extra.kdl want.kdl || { cat out.txt isps/extra.kdl; fail "isps/extra.kdl is not in the canonical layout"; }
echo "pre-commit hooks: ok"
