#!/usr/bin/env python3
"""Extract the ProcessOne seed (003) into fixture files.

Usage: extract_seed.py <seed.txt> <out-dir>   (out-dir = tests/fixtures/processone)

Writes, reproducibly and without hand edits:
  xml/<Area>.<Contract>.xml    every XML sample, verbatim (the seed's lines, '\n'-joined, final '\n')
  json/<Area>.<Contract>.json  every JSON sample, verbatim (same convention)
  index.tsv                    area, operation, direction, contract, root element, root namespace, files
  seed-tables.json             the seed's member tables and enum tables, parsed (names, descriptions,
                               seed type words, "Required" notes), used by check_schemas.py to prove
                               every seed member is in the XSDs with its seed description.
Fails loudly if the seed's shape is not what this parser expects.
"""
import json, os, re, sys

HEADER = "NameDescriptionTypeAdditional information"
ENUM_INTRO = "Possible enumeration values:"
ENUM_HEADER = "NameValueDescription"
STOPS = {"Request Formats", "Response Information", "Response Formats"}
PRIMS = {"string", "integer", "boolean", "date", "decimal number"}
AREAS = ["PaymentToken", "CreditCard", "HealthStatus", "Transaction", "Eft"]


def main(seed_path, out):
    with open(seed_path, encoding="utf-8") as fh:
        raw = fh.read()
    lines = raw.split("\n")

    # ---- pass 1: operations and their samples -------------------------------------------------
    ops = []
    cur = None
    i = 0
    while i < len(lines):
        ln = lines[i]
        m = re.match(r"^POST api/(\w+)/(\w+)$", ln)
        if m:
            cur = {"area": m.group(1), "operation": m.group(2), "path": "api/%s/%s" % m.groups(),
                   "line": i + 1, "samples": {},
                   "description": next(l.strip() for l in lines[i + 1:] if l.strip())}
            ops.append(cur)
            state = None
        elif ln in ("Request Formats", "Response Formats") and cur is not None:
            direction = "request" if ln.startswith("Request") else "response"
            # JSON block: from a line "{" to the next line "}"
            j = i + 1
            while lines[j].strip() != "{":
                if lines[j].strip() not in ("", "\u00a0"):
                    raise SystemExit("unexpected text before JSON at line %d: %r" % (j + 1, lines[j]))
                j += 1
            k = j
            while lines[k] != "}":
                k += 1
            json_text = "\n".join(lines[j:k + 1]) + "\n"
            json.loads(json_text)  # must parse
            x = k + 1
            if not lines[x].startswith("<"):
                raise SystemExit("no XML after JSON at line %d" % (x + 1))
            root = re.match(r"<([A-Za-z0-9_]+)[ >]", lines[x]).group(1)
            y = x
            while ("</%s>" % root) not in lines[y]:
                y += 1
            xml_text = "\n".join(lines[x:y + 1]) + "\n"
            ns = re.search(r' xmlns="([^"]+)"', lines[x]).group(1)
            cur["samples"][direction] = {"root": root, "namespace": ns, "json": json_text,
                                         "xml": xml_text, "json_line": j + 1, "xml_line": x + 1}
            i = y
        i += 1

    if len(ops) != 28:
        raise SystemExit("expected 28 operations, found %d" % len(ops))

    os.makedirs(os.path.join(out, "xml"), exist_ok=True)
    os.makedirs(os.path.join(out, "json"), exist_ok=True)
    rows = []
    seen = set()
    for op in ops:
        for direction in ("request", "response"):
            s = op["samples"].get(direction)
            if s is None:
                raise SystemExit("%s has no %s sample" % (op["path"], direction))
            base = "%s.%s" % (op["area"], s["root"])
            if base in seen:
                raise SystemExit("duplicate contract file name " + base)
            seen.add(base)
            xf, jf = "xml/%s.xml" % base, "json/%s.json" % base
            for rel, text in ((xf, s["xml"]), (jf, s["json"])):
                with open(os.path.join(out, rel), "w", encoding="utf-8", newline="") as fh:
                    fh.write(text)
            rows.append([op["area"], op["operation"], direction, s["root"], s["root"], s["namespace"],
                         xf, jf, str(s["xml_line"]), str(s["json_line"])])
    with open(os.path.join(out, "index.tsv"), "w", encoding="utf-8", newline="") as fh:
        fh.write("\t".join(["area", "operation", "direction", "contract", "root_element", "root_namespace",
                            "xml_file", "json_file", "seed_xml_line", "seed_json_line"]) + "\n")
        for r in rows:
            fh.write("\t".join(r) + "\n")

    # ---- pass 2: member tables and enum tables ----------------------------------------------
    toks = []  # (text, line no, area, op)
    area = op = None
    for n, ln in enumerate(lines):
        t = ln.strip().strip("\u00a0").strip()
        m = re.match(r"^POST api/(\w+)/(\w+)$", t)
        if m:
            area, op = m.group(1), m.group(2)
        if t:
            toks.append((t, n + 1, area, op))
    texts = [t[0] for t in toks]
    heading_idx = set()
    known_types = set()
    for idx, t in enumerate(texts):
        if t in (HEADER, ENUM_INTRO) and idx > 0:
            heading_idx.add(idx - 1)
            nm = texts[idx - 1]
            known_types.add(nm[6:] if nm.startswith("ListOf") else nm)

    def is_type(t):
        return t in PRIMS or t.startswith("Collection of ") or t in known_types

    tables, enums, junk = [], {}, []
    for idx, t in enumerate(texts):
        if t == HEADER:
            head = texts[idx - 1]
            name = head[6:] if head.startswith("ListOf") else head
            members = []
            p = idx + 1
            while p < len(texts) and texts[p] not in STOPS and p not in heading_idx and not texts[p].startswith("POST api/"):
                mname = texts[p]
                rest = []
                q = p + 1
                while q < len(texts) and q not in heading_idx and texts[q] not in STOPS and len(rest) < 2:
                    rest.append(texts[q]); q += 1
                if not rest:
                    junk.append({"text": mname, "line": toks[p][1]}); p += 1; continue
                if is_type(rest[0]) and not (len(rest) > 1 and rest[1] in PRIMS | {"decimal number"} | known_types
                                             or (len(rest) > 1 and rest[1].startswith("Collection of "))):
                    desc, typ, p = None, rest[0], p + 2
                else:
                    if len(rest) < 2 or not is_type(rest[1]):
                        junk.append({"text": mname, "line": toks[p][1]}); p += 1; continue
                    desc, typ, p = rest[0], rest[1], p + 3
                notes = []
                while p < len(texts) and texts[p].startswith("Required"):
                    notes.append(texts[p]); p += 1
                members.append({"name": mname, "description": desc, "seed_type": typ, "notes": notes,
                                "line": toks[p - 1][1]})
            tables.append({"type": name, "heading": head, "area": toks[idx][2], "operation": toks[idx][3],
                           "line": toks[idx][1], "members": members})
        elif t == ENUM_INTRO:
            head = texts[idx - 1]
            name = head[6:] if head.startswith("ListOf") else head
            if texts[idx + 1] != ENUM_HEADER:
                raise SystemExit("enum table without header at line %d" % toks[idx][1])
            vals = []
            p = idx + 2
            while p + 2 < len(texts) and re.fullmatch(r"-?\d+", texts[p + 1]) and p not in heading_idx:
                vals.append({"name": texts[p], "value": int(texts[p + 1]), "description": texts[p + 2]})
                p += 3
            prev = enums.get(name)
            if prev is not None and [(v["name"], v["value"]) for v in prev["values"]] != [(v["name"], v["value"]) for v in vals]:
                raise SystemExit("enum %s differs between its tables" % name)
            if prev is None:
                enums[name] = {"line": toks[idx][1], "values": vals}
    model = {"seed": os.path.basename(seed_path), "operations": [
        {k: v for k, v in o.items() if k != "samples"} | {
            "request": o["samples"]["request"]["root"], "response": o["samples"]["response"]["root"]}
        for o in ops], "tables": tables, "enums": enums, "unparsed_lines": junk}
    with open(os.path.join(out, "seed-tables.json"), "w", encoding="utf-8") as fh:
        json.dump(model, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    print("operations %d, samples %d xml + %d json, tables %d, enums %d, unparsed %s" % (
        len(ops), len(rows), len(rows), len(tables), len(enums), [j["text"] for j in junk]))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
