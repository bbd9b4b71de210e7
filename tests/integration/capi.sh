#!/usr/bin/env bash
# The C library (capi/): lints it, checks that capi/include/isptab.h is what
# cbindgen generates, installs libisptab.so and libisptab.a with the
# pkg-config file into two scratch prefixes, compiles capi/tests/test.c with
# the system compiler against each, and runs it natively, under valgrind (leak
# check) and built with AddressSanitizer and UBSan, on a table `isptab build`
# makes from capi/tests/fixture.kdl; compiles capi/tests/conformance.c against
# the shared library and runs it natively and under valgrind on
# tests/conformance/; then runs examples/ctypes_lookup.py and compares its
# output with `isptab lookup --table`. Installs cc, valgrind, pkg-config and
# python3 from Debian when they are missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/integration/need.sh
need cc gcc
need valgrind valgrind
need pkg-config pkgconf
need python3 python3

cargo clippy --quiet -p isptab-capi --all-targets -- -D warnings
cargo test --quiet -p isptab-capi   # tests/header.rs: the header is generated
cargo build --quiet -p isptab-capi
cargo build --quiet --bin isptab

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
table="$work/fixture.isptab"
"$bin_dir/isptab" build --quiet --no-defaults capi/tests/fixture.kdl -o "$table"

# One prefix with only the shared library, one with only the static one, so
# that each link below can only use the library it means to.
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' capi/Cargo.toml)
for kind in shared static; do
    prefix="$work/$kind"
    mkdir -p "$prefix/lib/pkgconfig" "$prefix/include"
    cp capi/include/isptab.h "$prefix/include/"
    sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$version|" capi/isptab.pc.in \
        >"$prefix/lib/pkgconfig/isptab.pc"
done
cp "$bin_dir/libisptab.so" "$work/shared/lib/"
cp "$bin_dir/libisptab.a" "$work/static/lib/"

cflags=(-std=c11 -Wall -Wextra -Werror -pthread)
pc() { PKG_CONFIG_PATH="$work/$1/lib/pkgconfig" pkg-config "${@:2}" isptab; }
# shellcheck disable=SC2046 # pkg-config prints words to split
cc "${cflags[@]}" capi/tests/test.c $(pc shared --cflags --libs) \
    -Wl,-rpath,"$work/shared/lib" -o "$work/test-shared"
# shellcheck disable=SC2046
cc "${cflags[@]}" capi/tests/test.c $(pc static --cflags --static --libs) -o "$work/test-static"
# shellcheck disable=SC2046
cc "${cflags[@]}" -g -fsanitize=address,undefined -fno-sanitize-recover=all capi/tests/test.c \
    $(pc shared --cflags --libs) -Wl,-rpath,"$work/shared/lib" -o "$work/test-asan"
# shellcheck disable=SC2046
cc "${cflags[@]}" capi/tests/conformance.c $(pc shared --cflags --libs) \
    -Wl,-rpath,"$work/shared/lib" -o "$work/conformance"
if ldd "$work/test-static" | grep -q libisptab; then
    echo "capi.sh: the static test links libisptab.so" >&2
    exit 1
fi

valgrind=(valgrind -q --error-exitcode=99 --leak-check=full
    --errors-for-leak-kinds=definite,indirect,possible)
for run in "$work/test-shared" "$work/test-static"; do
    echo "${run##*/}:"
    "$run" "$table" "$work" 5000
    echo "${run##*/} under valgrind:"
    "${valgrind[@]}" "$run" "$table" "$work" 100
done
echo "test-asan:"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$work/test-asan" "$table" "$work" 2000

# The C library answers the conformance suite as tests/conformance/ says.
"$work/conformance" tests/conformance
echo "conformance under valgrind:"
"${valgrind[@]}" "$work/conformance" tests/conformance

# The ctypes example answers like `isptab lookup --table`.
queries=(alpha.example User@ALPHA.example. a.b.alpha.example alpha-x.example
    ПОЧТА.example. "<ceo@gamma.example>" nobody.example localhost)
ISPTAB_LIB="$work/shared/lib/libisptab.so" python3 examples/ctypes_lookup.py "$table" \
    "${queries[@]}" >"$work/ctypes.out"
"$bin_dir/isptab" lookup --table "$table" "${queries[@]}" >"$work/lookup.out"
if ! diff -u "$work/lookup.out" "$work/ctypes.out"; then
    echo "capi.sh: examples/ctypes_lookup.py disagrees with isptab lookup" >&2
    exit 1
fi
grep -qxF "$(printf 'a.b.alpha.example\tAlpha Mail\tsuffix\t*.alpha.example')" "$work/ctypes.out"
echo "ctypes example: ${#queries[@]} queries answered as isptab lookup answers them"
