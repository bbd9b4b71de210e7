#!/usr/bin/env python3
"""Looks up domains in an isptab table through the C library, with ctypes.

    python3 examples/ctypes_lookup.py TABLE QUERY...

prints one line per query, as `isptab lookup --table TABLE` does:
QUERY<TAB>RECORD<TAB>KIND<TAB>PATTERN (`-` where there is none). The library is
$ISPTAB_LIB, else libisptab.so on the loader's path (build it with
`cargo build --release -p isptab-capi`; it is target/release/libisptab.so).
"""

import ctypes
import os
import sys


class Match(ctypes.Structure):
    """isptab_match: the strings are (pointer, length), not NUL-terminated."""

    _fields_ = [
        ("record", ctypes.c_void_p),
        ("record_len", ctypes.c_size_t),
        ("pattern", ctypes.c_void_p),
        ("pattern_len", ctypes.c_size_t),
        ("record_id", ctypes.c_uint16),
    ]


KINDS = {0: "none", 1: "exact", 2: "suffix", 3: "glob", 4: "mx", 5: "null-mx", -1: "invalid"}


def load_library(path):
    lib = ctypes.CDLL(path)
    lib.isptab_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.isptab_open.restype = ctypes.c_void_p
    lib.isptab_close.argtypes = [ctypes.c_void_p]
    lib.isptab_close.restype = None
    lib.isptab_lookup.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_size_t,
        ctypes.POINTER(Match),
    ]
    lib.isptab_lookup.restype = ctypes.c_int
    return lib


def text(pointer, length):
    return ctypes.string_at(pointer, length).decode() if pointer else "-"


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    lib = load_library(os.environ.get("ISPTAB_LIB", "libisptab.so"))
    err = ctypes.create_string_buffer(512)
    table = lib.isptab_open(os.fsencode(argv[1]), err, len(err))
    if not table:
        print(f"ctypes_lookup: {err.value.decode(errors='replace')}", file=sys.stderr)
        return 1
    try:
        for query in argv[2:]:
            raw = os.fsencode(query)
            m = Match()
            kind = lib.isptab_lookup(table, raw, len(raw), ctypes.byref(m))
            if kind not in KINDS:
                print(f"ctypes_lookup: lookup failed ({kind})", file=sys.stderr)
                return 1
            record = text(m.record, m.record_len)
            pattern = text(m.pattern, m.pattern_len)
            print(f"{query}\t{record}\t{KINDS[kind]}\t{pattern}")
    finally:
        lib.isptab_close(table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
