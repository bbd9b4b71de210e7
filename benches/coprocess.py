"""Round trips of `isptab lookup --table T -` as a co-process: one line written,
its answer read, then the next. Prints the median and p99 per round trip.
Usage: python3 benches/coprocess.py BINARY TABLE ROUND-TRIPS"""
import subprocess
import sys
import time

binary, table, trips = sys.argv[1], sys.argv[2], int(sys.argv[3])
child = subprocess.Popen(
    [binary, "lookup", "--table", table, "-"],
    stdin=subprocess.PIPE,
    stdout=subprocess.PIPE,
    bufsize=0,
)
out = child.stdout
times = []
for i in range(trips):
    query = f"u{i}@gmail.com\n" if i % 2 else f"q{i}.example.net\n"
    start = time.perf_counter_ns()
    child.stdin.write(query.encode())
    line = out.readline()
    times.append(time.perf_counter_ns() - start)
    if not line.startswith(query.strip().encode()):
        sys.exit(f"unexpected answer {line!r} to {query!r}")
child.stdin.close()
child.wait()
times.sort()
print(
    f"co-process: {trips} round trips, median {times[len(times) // 2] / 1000:.1f} us,"
    f" p99 {times[len(times) * 99 // 100] / 1000:.1f} us"
)
