# Shared by the benchmark scripts (sourced): timing a whole command.

# Runs "$@" once under /usr/bin/time; prints "SECONDS KILOBYTES".
measure() {
    local report
    report=$(mktemp)
    /usr/bin/time -f '%e %M' -o "$report" "$@" >/dev/null 2>&1 || true
    tail -n 1 "$report"
    rm -f "$report"
}

# The median of the numbers on stdin, one per line.
median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2] + a[NR/2+1]) / 2}'; }
