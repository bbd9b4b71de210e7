#!/usr/bin/env python3
"""Independent check of `isptab apply` with Python's `email` package.

Usage: apply_check.py RECORDS_JSON MANIFEST

RECORDS_JSON is `isptab dump --format json` of the table the outputs were made
with. MANIFEST has one line per run of `isptab apply`:

    INPUT<TAB>OUTPUT<TAB>REPORT_JSON<TAB>RECORD_NAME<TAB>EXIT<TAB>MODE

EXIT is the exit status of `isptab apply`, MODE is `plain` or `smtputf8`. For
every line, the output is compared with the input as Python's `email` package
sees them both (policy.default, and compat32 for the shape), against what the
record says (encodings, header rules) and what the report says it did.

Prints `FAIL INPUT RECORD: WHAT` per failure and a summary; exits 1 on any
failure.
"""

import email
import email.policy
import json
import quopri
import re
import sys
import warnings

warnings.simplefilter("ignore")

MAX_LINE = 998
ENCODING_NAMES = {"quoted-printable", "base64", "8bit"}

failures = 0
notes = 0


def fail(inp, record, what):
    global failures
    failures += 1
    print(f"FAIL {inp} {record}: {what}")


def note(inp, record, what):
    """Not a failure: something the checker cannot judge, shown once per
    message and kind (the first record that shows it)."""
    global notes
    key = (inp, re.sub(r"\d+", "", what)[:60])
    if key in noted:
        return
    noted.add(key)
    notes += 1
    print(f"NOTE {inp} {record}: {what}")


noted = set()
ACTIONS = {}


# --- raw header block, independent of the `email` package ---------------------


# A header line as Python's feedparser takes it (a field name and a colon, or a
# continuation), widened to the obsolete syntax of RFC 5322 section 4.5.8:
# white space between the field name and the colon.
FIELD_START = re.compile(rb"([\x21-\x39\x3b-\x7e]*)[ \t]*:")


def split_message(data):
    """(header fields, line break of the first field, body offset).

    Each field is (name, raw bytes of the whole field including its line
    breaks). The header ends at the first empty line (the body is after it),
    or at the first line that is not a header line (the body starts there)."""
    fields = []
    pos = 0
    first_eol = None
    n = len(data)
    while pos < n:
        end = data.find(b"\n", pos)
        line_end = n if end < 0 else end + 1
        line = data[pos:line_end]
        if first_eol is None:
            first_eol = b"\r\n" if line.endswith(b"\r\n") else b"\n"
        if line in (b"\r\n", b"\n"):
            return fields, first_eol, line_end
        if pos == 0 and line.startswith(b"From "):
            fields.append(("(mbox From_ line)", line))  # Python's unixfrom
        elif line[:1] in (b" ", b"\t"):
            if not fields:
                return fields, first_eol, pos
            name, raw = fields[-1]
            fields[-1] = (name, raw + line)
        else:
            m = FIELD_START.match(line)
            if not m:
                return fields, first_eol, pos
            fields.append((m.group(1).decode("ascii"), line))
        pos = line_end
    return fields, first_eol or b"\r\n", n


def python_view(data):
    """The bytes Python is given: the same, but a top-level field name followed
    by white space before its colon (obsolete syntax, which Python's parser
    takes for the start of the body) written without that white space. Applied
    to input and output alike."""
    fields, _, _ = split_message(data)
    if not any(re.match(rb"[^:]*[ \t]:", raw) for _, raw in fields):
        return data
    head = b"".join(re.sub(rb"^([^: \t]*)[ \t]+:", rb"\1:", raw) for _, raw in fields)
    rest = data[sum(len(raw) for _, raw in fields):]
    return head + rest


def field_value(raw):
    """The value of a raw field, unfolded (line breaks removed), without the
    name and the colon, leading whitespace stripped."""
    value = raw.split(b":", 1)[1] if b":" in raw else b""
    return value.replace(b"\r\n", b"").replace(b"\n", b"").lstrip(b" \t")


def lines_of(data):
    return [line[:-1] if line.endswith(b"\r") else line for line in data.split(b"\n")]


# --- MIME tree ----------------------------------------------------------------


def walk(msg, path=""):
    """Yield (path, part, is_container) depth-first, in document order, with the
    paths `isptab apply` uses: `message` for a non-multipart message, 1-based
    indexes, a message/* part's message is its `.1`."""
    if msg.is_multipart():
        yield (path or "message", msg, True)
        payload = msg.get_payload()
        if not isinstance(payload, list):
            return
        for i, sub in enumerate(payload, 1):
            # multipart: its parts; message/rfc822: its one message (more is
            # a defect Python keeps); the same numbering either way
            yield from walk(sub, (path + "." if path else "") + str(i))
    else:
        yield (path or "message", msg, False)


def shape(msg):
    return [(p, part.get_content_type(), c) for p, part, c in walk(msg)]


def cte_of(part):
    """The Content-Transfer-Encoding, lowercased, without the white space
    around it; `7bit` when there is none."""
    value = part.get("Content-Transfer-Encoding")
    if value is None:
        return "7bit"
    return str(value).strip().lower()


def raw_payload(part):
    payload = part.get_payload(decode=False)
    if isinstance(payload, list):
        return None
    if isinstance(payload, bytes):
        return payload
    return payload.encode("utf-8", "surrogateescape")


def decoded(part):
    """Python's decoding of a leaf, with two corrections to RFC 2045:
    - Python compares the field's value with `quoted-printable` etc. as
      written, so trailing white space (or a CR in an LF message) makes it skip
      the decoding: it is given the value trimmed;
    - its quoted-printable decoder (binascii.a2b_qp) keeps the white space at
      the end of an encoded line, which RFC 2045 6.7 (3) says a decoder must
      delete (transports add it): it is deleted before Python decodes."""
    cte = cte_of(part)
    if "Content-Transfer-Encoding" in part and str(part["Content-Transfer-Encoding"]).lower() != cte:
        part.replace_header("Content-Transfer-Encoding", cte)
    if cte == "quoted-printable":
        raw = raw_payload(part) or b""
        return quopri.decodestring(re.sub(rb"[ \t]+(?=\r?\n|\Z)", b"", raw))
    data = part.get_payload(decode=True)
    return b"" if data is None else data


def norm(data):
    return data.replace(b"\r\n", b"\n")


def line_break_at_end(longer, shorter):
    return longer in (shorter + b"\n", shorter + b"\r\n")


def unterminated(msg, path):
    """Whether the part at `path` is the last part of a multipart (at any
    level above it) whose close delimiter Python did not find: at the end of
    such a message, whether the last line break is the part's is a guess."""
    parts = dict((p, part) for p, part, _ in walk(msg))
    steps = path.split(".") if path != "message" else []
    for depth in range(len(steps)):
        parent_path = ".".join(steps[:depth]) or "message"
        parent = parts.get(parent_path)
        if parent is None or not parent.is_multipart():
            return False
        if int(steps[depth]) != len(parent.get_payload()):
            return False
    return any(isinstance(d, email.errors.CloseBoundaryNotFoundDefect)
               for p, part in parts.items() for d in part.defects)


def valid_8bit_raw(data, eol):
    """RFC 2045 2.8 on the bytes as written: no NUL, lines of at most 998
    octets, CR and LF only as the message's line break."""
    if b"\x00" in data:
        return "NUL"
    if eol == b"\r\n":
        if re.search(rb"\r(?!\n)|(?<!\r)\n", data):
            return "bare CR or LF"
    elif b"\r" in data:
        return "CR in an LF message"
    for line in lines_of(data):
        if len(line) > MAX_LINE:
            return f"line of {len(line)} octets"
    return None


def must_fall_back(data, is_text):
    """Reasons that make 8bit impossible for these decoded bytes, whatever line
    break convention is used. Bare LF is ambiguous for text (a text body may be
    written with the message's line breaks), so it is not counted there."""
    if b"\x00" in data:
        return "NUL"
    if re.search(rb"\r(?!\n)", data):
        return "bare CR"
    if not is_text and re.search(rb"(?<!\r)\n", data) and b"\r\n" in data:
        return "mixed CRLF and LF in binary data"
    for line in data.split(b"\n"):
        if line.endswith(b"\r"):
            line = line[:-1]
        if len(line) > MAX_LINE:
            return f"line of {len(line)} octets"
    return None


def applies_for(content_type):
    if content_type == "text/html":
        return "html"
    if content_type == "text/plain":
        return "text"
    return "global"


def defect_names(msg):
    return [type(d).__name__ for d in msg.defects]


def ambiguous(src, msg):
    """Why a message's MIME structure can be read more than one way, seen
    without isptab: Python reports a defect, two delimiter lines of a boundary
    follow each other (no line break for the part between, RFC 2046 5.1.1),
    a boundary is declared by two multiparts or is the start of another
    declared boundary (a delimiter line of one reads as one of the other)."""
    defects = [(p, defect_names(part)) for p, part, _ in walk(msg) if part.defects]
    if defects:
        return f"Python reports defects {defects}"
    declared = [m.group(2) for m in re.finditer(
        rb'boundary\s*=\s*("?)([^";\r\n]+)\1', src, re.IGNORECASE)]
    for b in declared:
        if declared.count(b) > 1:
            return f"boundary {b!r} declared twice"
        if any(o != b and o.startswith(b) for o in declared):
            return f"boundary {b!r} starts another boundary"
        delimiter = re.compile(rb"^--" + re.escape(b) + rb"(--)?[ \t]*\r?$", re.MULTILINE)
        lines = lines_of(src)
        for a, c in zip(lines, lines[1:]):
            if delimiter.match(a) and delimiter.match(c):
                return f"two delimiter lines of {b!r} in a row"
    return None


# --- DKIM ---------------------------------------------------------------------


def dkim_tags(raw):
    value = field_value(raw).decode("ascii", "replace")
    tags = {}
    for item in value.split(";"):
        if "=" in item:
            k, v = item.split("=", 1)
            tags[k.strip().lower()] = re.sub(r"\s+", "", v)
    return tags


def relaxed_header(raw):
    return re.sub(rb"[ \t]+", b" ", field_value(raw)).strip()


def canon_body(body, relaxed):
    lines = re.split(rb"\r?\n", body)
    if lines and lines[-1] == b"":
        lines.pop()
    if relaxed:
        lines = [re.sub(rb"[ \t]+", b" ", l).rstrip(b" ") for l in lines]
    while lines and lines[-1] == b"":
        lines.pop()
    return b"\r\n".join(lines) + b"\r\n" if lines else (b"" if relaxed else b"\r\n")


# --- one run ------------------------------------------------------------------


def check(inp, out, rep, record_name, exit_code, mode, records, counts):
    label = record_name + (" [smtputf8]" if mode == "smtputf8" else "")

    def F(what):
        fail(inp, label, what)

    def N(what):
        note(inp, label, what)

    src = open(inp, "rb").read()
    try:
        dst = open(out, "rb").read()
    except OSError:
        dst = b""
    if exit_code == 2:
        said = open(rep, "rb").read().decode("utf-8", "replace").strip()
        if dst:
            F("exit 2 but something on stdout")
        msg = email.message_from_bytes(python_view(src), policy=email.policy.default)
        fields, _, _ = split_message(src)
        if len(msg.keys()) == 0 and not fields:
            # refused: fine if Python finds no header block either
            N(f"refused, and Python finds no header block either ({defect_names(msg)}): {said}")
            counts["refused"] += 1
        elif "MIME structure could not be read consistently" in said and (why := ambiguous(src, msg)):
            # refused as ambiguous: fine if the checker sees why on its own
            N(f"refused as ambiguous ({why}): {said}")
            counts["ambiguous"] += 1
        else:
            F(f"isptab refused the message (exit 2: {said}); Python parses it: "
              f"{len(msg.keys())} header fields, parts {shape(msg)}, "
              f"defects {[(p, defect_names(part)) for p, part, _ in walk(msg) if part.defects]}")
        return
    if exit_code != 0:
        F(f"isptab exited {exit_code}")
        return
    try:
        report_doc = json.loads(open(rep, "rb").read())
    except ValueError as e:
        F(f"stderr is not one JSON document ({e})")
        return
    if not isinstance(report_doc, dict) or not isinstance(report_doc.get("report"), dict):
        F(f"no report in the JSON: {report_doc!r:.200}")
        return
    if report_doc.get("record") != record_name:
        F(f"report names record {report_doc.get('record')!r}")
        return
    record = records[record_name]
    report = report_doc["report"]
    enc = record["encoding"]
    rules = record["headers"]
    adds = [r for r in rules if r["op"] == "add"]
    removes = [r for r in rules if r["op"] == "remove"]
    counts["runs_ok"] += 1

    # changed: false means the very same bytes, and the other way round
    if report["changed"] != (src != dst):
        F(f"report says changed={report['changed']} but output "
          f"{'differs from' if src != dst else 'equals'} the input")

    # Python parses the output
    try:
        m_in = email.message_from_bytes(python_view(src), policy=email.policy.default)
        m_out = email.message_from_bytes(python_view(dst), policy=email.policy.default)
        c_in = email.message_from_bytes(python_view(src), policy=email.policy.compat32)
        c_out = email.message_from_bytes(python_view(dst), policy=email.policy.compat32)
    except Exception as e:  # noqa: BLE001 - any exception is the failure
        F(f"Python cannot parse: {type(e).__name__}: {e}")
        return

    # same MIME shape (policy.default and compat32)
    try:
        s_in, s_out = shape(m_in), shape(m_out)
        if s_in != s_out:
            F(f"MIME shape differs: input {s_in} output {s_out}")
            return
        if shape(c_in) != shape(c_out):
            F(f"MIME shape differs under compat32: input {shape(c_in)} output {shape(c_out)}")
            return
    except Exception as e:  # noqa: BLE001
        F(f"Python cannot walk the MIME tree: {type(e).__name__}: {e}")
        return

    # --- line break
    in_fields, in_eol, in_body_at = split_message(src)
    out_fields, out_eol, out_body_at = split_message(dst)
    want_lb = "crlf" if in_eol == b"\r\n" else "lf"
    if report["line_break"] != want_lb:
        F(f"report line_break {report['line_break']}, the first field ends with {want_lb}")

    # --- parts: match the report's entries to Python's parts by path
    entries = report["parts"]
    by_path = {}
    for e in entries:
        if e["path"] in by_path:
            F(f"report lists part {e['path']} twice")
        by_path[e["path"]] = e
    in_parts = {p: part for p, part, _ in walk(m_in)}
    matched, unmatched = [], []
    skip_under = None
    for path, part_out, container in walk(m_out):
        if skip_under and path.startswith(skip_under + "."):
            continue
        if path in by_path:
            matched.append((path, part_out, container))
            if container:
                skip_under = path
        elif not container:
            unmatched.append(path)
    listed = [e["path"] for e in entries]
    agree = not unmatched and [p for p, _, _ in matched] == listed
    if agree:
        for path, part_out, container in matched:
            counts["parts"] += 1
            check_part(F, N, path, in_parts[path], part_out, container, by_path[path], enc,
                       in_eol, m_in)
    else:
        # isptab's parser and Python's see different MIME structures (only
        # seen on malformed messages): the report cannot be matched, but
        # every leaf as Python sees it must still hold the same data
        N("isptab and Python see different MIME structures: report "
          f"{[(e['path'], e['content_type']) for e in entries]}, Python "
          f"{[(p, part.get_content_type()) for p, part, c in walk(m_out) if not c]}")
        counts["disagree"] += 1
        for path, part_out, container in walk(m_out):
            if container:
                continue
            counts["parts"] += 1
            part_in = in_parts[path]
            what = (f"part {path} as Python sees it ({part_out.get_content_type()}, "
                    f"{cte_of(part_in)} -> {cte_of(part_out)})")
            check_data(F, N, what, path, part_in, part_out, m_in)
            after = cte_of(part_out)
            if after in ("8bit", "7bit") and after != cte_of(part_in):
                bad = valid_8bit_raw(raw_payload(part_out) or b"", in_eol)
                if bad:
                    F(f"{what}: written as {after} but not valid 8bit: {bad}")

    # --- header rules
    check_headers(F, m_out, in_fields, out_fields, in_eol, report, adds, removes, mode)

    # --- no new overlong lines
    in_lines = set(lines_of(src))
    for line in lines_of(dst):
        if len(line) > MAX_LINE and line not in in_lines:
            F(f"output line of {len(line)} octets not in the input: {line[:60]!r}...")
            break

    # --- DKIM
    check_dkim(F, src, dst, in_fields, out_fields, in_body_at, out_body_at, report, removes)


def check_data(F, N, what, path, part_in, part_out, m_in):
    """The decoded data of a leaf is the same, as Python decodes it."""
    d_in, d_out = decoded(part_in), decoded(part_out)
    if norm(d_in) == norm(d_out):
        return d_in, d_out
    if unterminated(m_in, path) and (line_break_at_end(norm(d_out), norm(d_in))
                                     or line_break_at_end(norm(d_in), norm(d_out))):
        N(f"{what}: the last line break moved into or out of the part, at the end of a "
          "multipart without its close delimiter")
        return d_in, d_out
    a, b = norm(d_in), norm(d_out)
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    start = max(0, at - 20)
    F(f"{what}: decoded data differs from octet {at} (input {len(a)} octets, output {len(b)}): "
      f"input ...{a[start:at + 40]!r} output ...{b[start:at + 40]!r}")
    return d_in, d_out


TYPE = re.compile(r'[^\s()<>@,;:\\"/\[\]?=]+/[^\s()<>@,;:\\"/\[\]?=]+')


def check_part(F, N, path, part_in, part_out, container, entry, enc, eol, m_in):
    ctype = part_out.get_content_type()
    if not TYPE.fullmatch(ctype):
        # Python keeps a Content-Type it cannot read as written; RFC 2045
        # section 5.2 says such a part is text/plain
        ctype = "text/plain"
    before, after = cte_of(part_in), cte_of(part_out)
    action = entry["action"]
    ACTIONS[action] = ACTIONS.get(action, 0) + 1
    what = f"part {path} ({ctype}, {before} -> {after}, report {action})"
    if entry["content_type"] != ctype:
        F(f"{what}: report content_type {entry['content_type']!r}, Python {ctype!r}")
    applies = applies_for(ctype)
    if entry["applies"] != applies:
        F(f"{what}: report applies {entry['applies']}, expected {applies}")
    wanted = enc[entry["applies"]]
    if entry["wanted"] != wanted:
        F(f"{what}: report wanted {entry['wanted']}, the record says {wanted}")
    if entry["before"].strip().lower() != before:
        F(f"{what}: report before {entry['before']!r}, the input says {before!r}")
    if entry["after"].strip().lower() != after:
        F(f"{what}: report after {entry['after']!r}, the output says {after!r}")
    if action in ("fallback", "left") and not entry.get("reason"):
        F(f"{what}: no reason given")

    if action == "left" or container:
        if action != "left":
            F(f"{what}: a container listed with action {action}")
        if after != before:
            F(f"{what}: left, but the transfer encoding changed")
        if container:
            try:
                same = part_in.as_bytes() == part_out.as_bytes()
            except Exception as e:  # noqa: BLE001
                same = False
                F(f"{what}: Python cannot serialize: {e}")
            if not same:
                F(f"{what}: left, but the part changed")
        elif raw_payload(part_in) != raw_payload(part_out):
            F(f"{what}: left, but the body bytes changed")
        return

    # the transfer encoding written
    is_text = part_out.get_content_maintype() == "text"
    if action == "fallback":
        expected = "quoted-printable" if is_text else "base64"
        if wanted != "8bit":
            F(f"{what}: fallback although {wanted} was wanted")
        if after != expected:
            F(f"{what}: fallback should be {expected}")
    elif action == "kept" and wanted == "8bit" and after == "7bit":
        if before != "7bit":
            F(f"{what}: kept as 7bit but the input was {before}")
        if re.search(rb"[\x80-\xff]", raw_payload(part_out) or b""):
            F(f"{what}: kept a 7bit label on 8-bit octets (relabelled expected)")
    elif after != wanted:
        F(f"{what}: the record wants {wanted}")
    if action == "kept" and (after != before or raw_payload(part_in) != raw_payload(part_out)):
        F(f"{what}: kept, but the part changed")
    if action == "relabelled" and (after != "8bit" or before not in ("7bit", "8bit", "binary")):
        F(f"{what}: relabelled is 7bit/binary -> 8bit")
    if action == "reencoded" and after == before:
        F(f"{what}: reencoded into the same encoding")

    # the data
    d_in, d_out = check_data(F, N, what, path, part_in, part_out, m_in)
    if not is_text and before == "base64" and after == "base64" and d_in != d_out:
        F(f"{what}: binary data changed")
    if after in ("8bit", "7bit") and action != "kept":
        bad = valid_8bit_raw(raw_payload(part_out) or b"", eol)
        if bad:
            F(f"{what}: written as {after} but not valid 8bit: {bad}")
    if after == "7bit" and before != "7bit" and re.search(rb"[\x80-\xff]", raw_payload(part_out) or b""):
        F(f"{what}: labelled 7bit with 8-bit octets")
    if wanted == "8bit":
        bad = must_fall_back(d_in, is_text)
        if action == "fallback" and not bad and before != "7bit":
            if re.search(rb"(?<!\r)\n", d_in) is None:
                F(f"{what}: fallback though the data is valid 8bit ({entry.get('reason')})")
        if action != "fallback" and bad and after == "8bit":
            F(f"{what}: 8bit written but the data has a {bad}")


def check_headers(F, m_out, in_fields, out_fields, eol, report, adds, removes, mode):
    removed = {r["name"].lower() for r in removes}
    added_names = [a["name"] for a in adds]

    # report: removed, in rule order, with the counts Python sees
    want_removed = [(r["name"], sum(1 for n, _ in in_fields if n.lower() == r["name"].lower()))
                    for r in removes]
    got_removed = [(r["name"], r["count"]) for r in report["removed"]]
    if [(n.lower(), c) for n, c in got_removed] != [(n.lower(), c) for n, c in want_removed]:
        # a later remove of the same name finds nothing left
        pass_ = True
        seen = set()
        for (gn, gc), (wn, wc) in zip(got_removed, want_removed):
            if gn.lower() != wn.lower() or gc != (0 if wn.lower() in seen else wc):
                pass_ = False
            seen.add(wn.lower())
        if not pass_ or len(got_removed) != len(want_removed):
            F(f"report removed {got_removed}, input has {want_removed}")
    rep_added = report["added"]
    if rep_added[len(rep_added) - len(added_names):] != added_names or len(rep_added) < len(added_names):
        F(f"report added {rep_added}, the record adds {added_names}")
    extra = rep_added[: len(rep_added) - len(added_names)]
    if any(n.lower() not in ("content-transfer-encoding", "mime-version") for n in extra):
        F(f"report added {extra} besides the rules")
    if report["skipped"]:
        F(f"report skipped {report['skipped']}")

    # removed names absent (unless re-added), in Python's view
    out_names = [n.lower() for n in m_out.keys()]
    for name in removed:
        n_out = out_names.count(name)
        n_add = sum(1 for a in added_names if a.lower() == name)
        if n_out != n_add:
            F(f"{name}: {n_out} in the output header, the record removes it and adds {n_add}")

    # the adds: the last fields, in order, with the record's values
    k = len(adds)
    tail = out_fields[len(out_fields) - k:] if k else []
    if k and [n for n, _ in tail] != added_names:
        F(f"the header ends with {[n for n, _ in out_fields[-k:]]}, expected {added_names}")
    else:
        py_items = list(m_out.items())[len(m_out) - k:] if k else []
        for a, (name, raw), (pname, pvalue) in zip(adds, tail, py_items):
            if not raw.endswith(eol) and raw.endswith(b"\n"):
                F(f"added {name}: written with another line break than the message's")
            raw_value = field_value(raw)
            non_ascii = any(ord(c) > 127 for c in a["value"])
            longest = max(len(l) for l in lines_of(raw.rstrip(b"\r\n")))
            if mode != "smtputf8" and longest > 78:
                # RFC 5322 2.1.1: SHOULD be at most 78; a value with spaces
                # (or encoded-words) can always be folded to that
                F(f"added {name}: a line of {longest} octets, not folded to 78")
            if mode == "smtputf8":
                try:
                    text = raw_value.decode("utf-8")
                except UnicodeDecodeError:
                    text = None
                if text != a["value"]:
                    F(f"added {name} with --smtputf8: raw {raw_value!r}, expected raw UTF-8 {a['value']!r}")
                if non_ascii and b"=?" in raw_value:
                    F(f"added {name} with --smtputf8 has encoded-words")
            else:
                if re.search(rb"[\x80-\xff]", raw):
                    F(f"added {name}: 8-bit octets in the header without --smtputf8")
                if non_ascii and b"=?" not in raw_value:
                    F(f"added {name}: non-ASCII value not encoded")
                value = re.sub(r"\s+", " ", str(pvalue)).strip()
                want = re.sub(r"\s+", " ", a["value"]).strip()
                if pname.lower() != name.lower() or value != want:
                    F(f"added {name}: Python reads {value!r}, the record says {want!r}")
                if pvalue.defects:
                    F(f"added {name}: defects {[type(d).__name__ for d in pvalue.defects]}")

    # the other fields: kept, in order, unchanged, except the top-level
    # Content-Transfer-Encoding (rewritten) and what the encodings added
    def others(fields, drop_tail):
        body = fields[: len(fields) - drop_tail] if drop_tail else fields
        return [(n, raw) for n, raw in body if n.lower() not in removed]

    kept_in = [(n, r) for n, r in others(in_fields, 0)
               if n.lower() != "content-transfer-encoding"]
    kept_out = [(n, r) for n, r in out_fields[: len(out_fields) - k]
                if n.lower() != "content-transfer-encoding"
                and not (n.lower() == "mime-version" and "MIME-Version" in extra)]
    if kept_in != kept_out:
        for i, (a, b) in enumerate(zip(kept_in + [None] * 99, kept_out + [None] * 99)):
            if a != b:
                F(f"header field {i + 1} not kept: input {a and a[1][:80]!r} output {b and b[1][:80]!r}")
                break


def check_dkim(F, src, dst, in_fields, out_fields, in_body_at, out_body_at, report, removes):
    removed = {r["name"].lower() for r in removes if any(n.lower() == r["name"].lower() for n, _ in in_fields)}
    sigs = [raw for n, raw in in_fields if n.lower() == "dkim-signature"]
    entries = report["dkim"]
    if len(entries) != len(sigs):
        F(f"report has {len(entries)} DKIM entries, the input {len(sigs)} DKIM-Signature fields")
        return
    out_sigs = [raw for n, raw in out_fields if n.lower() == "dkim-signature"]
    for raw, entry in zip(sigs, entries):
        tags = dkim_tags(raw)
        if entry["domain"] != tags.get("d", "") or entry["selector"] != tags.get("s", ""):
            F(f"DKIM entry {entry['domain']}/{entry['selector']}, the signature says "
              f"{tags.get('d')}/{tags.get('s')}")
        canon = tags.get("c", "simple/simple").lower().split("/")
        hcanon, bcanon = canon[0], (canon[1] if len(canon) > 1 else "simple")
        signed = [h.strip().lower() for h in tags.get("h", "").split(":") if h.strip()]
        reasons = []
        if raw not in out_sigs:
            reasons.append("signature removed")
        if "l" not in tags:
            b_in = canon_body(src[in_body_at:], bcanon == "relaxed")
            b_out = canon_body(dst[out_body_at:], bcanon == "relaxed")
            if b_in != b_out:
                reasons.append("body changed")
        for name in dict.fromkeys(signed):
            def vals(fields):
                got = [raw for n, raw in fields if n.lower() == name]
                if hcanon == "relaxed":
                    return [relaxed_header(r) for r in got]
                return got
            v_in, v_out = vals(in_fields), vals(out_fields)
            if v_in and name in removed:
                reasons.append(f"{name} removed")  # even if a rule adds it again
            elif v_in and not v_out:
                reasons.append(f"{name} removed")
            elif v_out and not v_in:
                reasons.append(f"{name} added")
            elif v_in != v_out:
                reasons.append(f"{name} changed")
        verifies = not reasons
        said = sorted(r.lower() for r in entry["reasons"])
        if entry["verifies"] != verifies or said != sorted(reasons):
            F(f"DKIM {entry['domain']}/{entry['selector']}: report verifies={entry['verifies']} "
              f"{entry['reasons']}, expected {verifies} {reasons}")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    dump = json.load(open(sys.argv[1]))
    records = {r["name"]: r for r in dump["records"]}
    for r in records.values():
        for k in ("global", "html", "text"):
            assert r["encoding"][k] in ENCODING_NAMES, r
    counts = {"runs": 0, "runs_ok": 0, "parts": 0, "refused": 0, "ambiguous": 0,
              "disagree": 0}
    messages, used = set(), set()
    for line in open(sys.argv[2], encoding="utf-8"):
        line = line.rstrip("\n")
        if not line:
            continue
        inp, out, rep, record_name, exit_code, mode = line.split("\t")
        counts["runs"] += 1
        messages.add(inp)
        used.add(record_name)
        if record_name not in records:
            fail(inp, record_name, "no such record in the table")
            continue
        try:
            check(inp, out, rep, record_name, int(exit_code), mode, records, counts)
        except Exception as e:  # noqa: BLE001 - a checker crash is a failure, not a stop
            import traceback
            fail(inp, record_name, f"checker error {type(e).__name__}: {e}\n"
                 + traceback.format_exc())
    print(f"checked {len(messages)} messages x {len(used)} records: {counts['runs']} runs "
          f"({counts['runs_ok']} rewritten, {counts['refused']} refused non-messages, "
          f"{counts['ambiguous']} refused ambiguous structures), "
          f"{counts['parts']} parts; {counts['disagree']} runs where isptab and Python "
          f"see different MIME structures; {notes} notes, {failures} failures")
    print("actions checked: " + ", ".join(f"{k} {v}" for k, v in sorted(ACTIONS.items())))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
