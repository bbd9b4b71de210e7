"""Finds the GitHub Actions workflow commands in a log, the way the Actions runner
does (actions/runner, src/Runner.Worker/ActionCommandManager.cs and
src/Runner.Common/ActionCommand.cs): a line is a command when, after leading
whitespace, it starts with `::NAME` and holds a second `::` (the current syntax),
or when it holds `##[NAME` ... `]` anywhere (the legacy syntax, still parsed),
and NAME is a command the runner knows.

Usage: workflow_commands.py FILE... prints one JSON object per command found:
{"file", "line", "syntax", "command", "properties", "data"}.
"""
import json
import sys

REGISTERED = {
    "add-mask", "add-matcher", "add-path", "debug", "echo", "endgroup", "error",
    "group", "notice", "remove-matcher", "save-state", "set-env", "set-output",
    "stop-commands", "warning", "internal-set-repo-path",
}


def unescape_data(s):
    return s.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(s):
    return (s.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":")
            .replace("%2C", ",").replace("%25", "%"))


def properties(text, separator, unescape):
    found = {}
    for pair in filter(None, text.split(separator)):
        key, _, value = pair.partition("=")
        found[key] = unescape(value)
    return found


def parse_v2(line):
    message = line.lstrip()
    if not message.startswith("::"):
        return None
    end = message.find("::", 2)
    if end < 0:
        return None
    info = message[2:end]
    name, _, props = info.partition(" ")
    if name not in REGISTERED:
        return None
    return {"syntax": "v2", "command": name,
            "properties": properties(props, ",", unescape_property),
            "data": unescape_data(message[end + 2:])}


def parse_v1(line):
    start = line.find("##[")
    if start < 0:
        return None
    end = line.find("]", start)
    if end < 0:
        return None
    info = line[start + 3:end]
    name, _, props = info.partition(" ")
    if name not in REGISTERED:
        return None
    return {"syntax": "v1", "command": name,
            "properties": properties(props, ";", lambda v: v), "data": line[end + 1:]}


def commands(text):
    # The runner reads lines split at LF (a CR before it is dropped).
    for number, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        found = parse_v2(line) or parse_v1(line)
        if found:
            found["line"] = number
            yield found


if __name__ == "__main__":
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8", errors="replace") as f:
            for c in commands(f.read()):
                c["file"] = path
                print(json.dumps(c))
