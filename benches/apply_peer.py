"""The peer of `benches/apply.sh`: Python's `email` package parsing and
generating the same messages (`message_from_bytes` with `policy.default`, then
`as_bytes()`), in MB/s of input over ROUNDS passes.

    python3 benches/apply_peer.py DIR ROUNDS
"""

import email
import email.policy
import pathlib
import sys
import time


def main() -> None:
    directory, rounds = pathlib.Path(sys.argv[1]), int(sys.argv[2])
    messages = [p.read_bytes() for p in sorted(directory.glob("*.eml"))]
    size = sum(len(m) for m in messages)
    out = 0
    start = time.perf_counter()
    for _ in range(rounds):
        for m in messages:
            msg = email.message_from_bytes(m, policy=email.policy.default)
            out += len(msg.as_bytes())
    seconds = time.perf_counter() - start
    print(f"{size * rounds / 1e6 / seconds:.3f} MB/s ({len(messages)} messages, {size} bytes, {out} out)")


if __name__ == "__main__":
    main()
