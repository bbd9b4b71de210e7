# Sourced by the integration scripts: `need COMMAND DEBIAN-PACKAGE...` makes sure
# a tool is on PATH, installing the Debian packages when it is not (as root, with
# apt-get), and stops with a clear message otherwise. `bin_dir` is where cargo
# puts the debug binaries.

need() {
    local command=$1
    shift
    command -v "$command" >/dev/null && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing $* for \`$command\`" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
    fi
    command -v "$command" >/dev/null || {
        echo "$(basename "$0"): needs \`$command\` (Debian: $*)" >&2
        exit 1
    }
}

bin_dir="${CARGO_TARGET_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/target}/debug"
