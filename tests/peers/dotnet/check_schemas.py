#!/usr/bin/env python3
"""Static checks of specs/processone/contracts/*.xsd against the seed (no .NET needed).

Usage: check_schemas.py <xsd-dir> <fixtures-dir>

1. Coverage: every member of every seed table (tests/fixtures/processone/seed-tables.json) exists in the
   XSD type (own or inherited), with the seed's description as its xs:documentation, and with the XSD type
   the seed's type word maps to (string, integer -> xs:int, decimal number, boolean, date -> xs:dateTime,
   a contract or enum by name, "Collection of X" -> ArrayOfX).
2. Enums: names and integer values equal the seed's enum tables; an xs:enumeration whose value is not its
   position carries EnumerationValue (without it the importer silently renumbers: wrong integers in JSON).
3. Dialect lint: elementFormDefault="qualified"; every member minOccurs="0"; ordinal alphabetical order
   within each class level; nillable on strings, classes, lists; a global nillable element per type.
4. JSON samples: every object key of every seed JSON sample is a member of the XSD type at that place,
   every non-EmitDefaultValue=false member is present, null only where the XSD says nillable, enum integers
   are defined values, numbers / booleans / strings where the XSD says so.
5. sensitive.txt lists exactly the members carrying <payspec:Sensitive>true</payspec:Sensitive>.
Prints a summary with figures; exits 1 on any finding.
"""
import json, os, re, sys
import xml.etree.ElementTree as ET

XS = "{http://www.w3.org/2001/XMLSchema}"
SER = "http://schemas.microsoft.com/2003/10/Serialization/"
PAYSPEC = "urn:payspec"
DCB = "http://schemas.datacontract.org/2004/07/OneInc.ProcessOne.RestApi.Contracts"
AREA_NS = {a: DCB + ".DataContracts." + a for a in ["PaymentToken", "CreditCard", "HealthStatus", "Transaction", "Eft"]}
BASE_NS = DCB + ".DataContracts"
ENUM_NS = DCB + ".Enums"
ARR_NS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
VALUE_XS = {"int", "long", "decimal", "boolean", "dateTime", "double", "float", "short"}

errors = []
def err(msg):
    errors.append(msg)


def qn(elem, value):
    """resolve a QName attribute value using the namespace declarations in scope (ElementTree keeps none,
    so we pre-collected them per file)."""
    prefix, _, local = value.rpartition(":")
    return (elem["nsmap"].get(prefix, ""), local)


def load(xsd_dir):
    types, enums, elements, files = {}, {}, {}, {}
    for fn in sorted(os.listdir(xsd_dir)):
        if not fn.endswith(".xsd"):
            continue
        path = os.path.join(xsd_dir, fn)
        nsmap = {}
        for ev, (p, uri) in ET.iterparse(path, events=["start-ns"]):
            nsmap.setdefault(p, uri)
        root = ET.parse(path).getroot()
        tns = root.get("targetNamespace")
        files[tns] = fn
        if root.get("elementFormDefault") != "qualified":
            err("%s: elementFormDefault is not qualified" % fn)
        ctx = {"nsmap": nsmap}
        res = lambda v: qn(ctx, v)
        for child in root:
            if child.tag == XS + "complexType":
                name = child.get("name")
                t = {"ns": tns, "name": name, "base": None, "members": [], "file": fn}
                seq = child.find(XS + "sequence")
                cc = child.find(XS + "complexContent")
                if cc is not None:
                    if cc.get("mixed") != "false":
                        err("%s %s: complexContent without mixed=\"false\"" % (fn, name))
                    ext = cc.find(XS + "extension")
                    t["base"] = res(ext.get("base"))
                    seq = ext.find(XS + "sequence")
                for e in (seq if seq is not None else []):
                    if e.tag != XS + "element":
                        err("%s %s: unsupported particle %s" % (fn, name, e.tag)); continue
                    ann = e.find(XS + "annotation")
                    doc = sens = None
                    edv = False
                    if ann is not None:
                        d = ann.find(XS + "documentation")
                        doc = d.text if d is not None else None
                        for ai in ann.findall(XS + "appinfo"):
                            for x in ai:
                                if x.tag == "{%s}Sensitive" % PAYSPEC:
                                    sens = (x.text or "").strip() == "true"
                                if x.tag == "{%s}DefaultValue" % SER and x.get("EmitDefaultValue") == "false":
                                    edv = True
                    t["members"].append({"name": e.get("name"), "type": res(e.get("type")), "minOccurs": e.get("minOccurs"),
                                         "maxOccurs": e.get("maxOccurs"), "nillable": e.get("nillable") == "true",
                                         "doc": doc, "sensitive": bool(sens), "emit_default_false": edv})
                types[(tns, name)] = t
            elif child.tag == XS + "simpleType":
                r = child.find(XS + "restriction")
                vals = []
                for i, en in enumerate(r.findall(XS + "enumeration")):
                    ev_ = en.find("%sannotation/%sappinfo/{%s}EnumerationValue" % (XS, XS, SER))
                    vals.append((en.get("value"), int(ev_.text) if ev_ is not None else i, ev_ is not None))
                enums[(tns, child.get("name"))] = {"base": res(r.get("base")), "values": vals, "file": fn}
            elif child.tag == XS + "element":
                elements[(tns, child.get("name"))] = (res(child.get("type")), child.get("nillable") == "true")
    return types, enums, elements, files


def chain(types, key):
    out = []
    while key is not None and key in types:
        out = types[key]["members"] + out
        key = types[key]["base"]
    return out


def main(xsd_dir, fixtures):
    types, enums, elements, files = load(xsd_dir)
    seed = json.load(open(os.path.join(fixtures, "seed-tables.json"), encoding="utf-8"))

    # ---- 3. dialect lint
    for key, t in types.items():
        names = [m["name"] for m in t["members"]]
        if names != sorted(names):  # Python sorts str by code point = .NET ordinal order
            err("%s %s: members not in ordinal alphabetical order: %s" % (t["file"], t["name"], names))
        is_array = t["name"].startswith("ArrayOf")
        for m in t["members"]:
            if m["minOccurs"] != "0":
                err("%s %s.%s: minOccurs is not \"0\"" % (t["file"], t["name"], m["name"]))
            if is_array != (m["maxOccurs"] == "unbounded"):
                err("%s %s.%s: maxOccurs unbounded only (and always) in ArrayOf types" % (t["file"], t["name"], m["name"]))
            mt = m["type"]
            value_type = (mt[0] == XSD_NS and mt[1] in VALUE_XS) or (mt in enums)
            if not value_type and not m["nillable"] and not (is_array and mt in enums):
                err("%s %s.%s: reference type (string / class / list) without nillable=\"true\"" % (t["file"], t["name"], m["name"]))
            if mt[0] != XSD_NS and mt not in types and mt not in enums:
                err("%s %s.%s: type %s is not defined in our schemas" % (t["file"], t["name"], m["name"], mt))
        if key not in elements or elements[key] != (key, True):
            err("%s %s: missing global nillable element" % (t["file"], t["name"]))
        if t["base"] is not None and t["base"] not in types:
            err("%s %s: base %s not defined" % (t["file"], t["name"], t["base"]))
    for key, e in enums.items():
        if key not in elements or elements[key] != (key, True):
            err("%s %s: missing global nillable element" % (e["file"], key[1]))

    # ---- 2. enums
    n_enum_vals = 0
    for name, e in seed["enums"].items():
        key = (ENUM_NS, name)
        if key not in enums:
            err("enum %s missing from Enums.xsd" % name); continue
        ours = [(v, n) for v, n, _ in enums[key]["values"]]
        want = [(v["name"], v["value"]) for v in e["values"]]
        n_enum_vals += len(want)
        if ours != want:
            err("enum %s: ours %s != seed %s" % (name, ours, want))
        for i, (v, n, annotated) in enumerate(enums[key]["values"]):
            if n != i and not annotated:
                err("enum %s.%s: value %d is not its position %d and has no EnumerationValue" % (name, v, n, i))

    # ---- 1. coverage of the seed tables
    def find_type(area, name):
        for ns in (AREA_NS.get(area), BASE_NS):
            if (ns, name) in types:
                return (ns, name)
        return None

    def expected_type(area, word):
        simple = {"string": (XSD_NS, "string"), "integer": (XSD_NS, "int"), "boolean": (XSD_NS, "boolean"),
                  "date": (XSD_NS, "dateTime"), "decimal number": (XSD_NS, "decimal")}
        if word in simple:
            return simple[word]
        if word.startswith("Collection of "):
            item = word[len("Collection of "):]
            if item == "string":
                return (ARR_NS, "ArrayOfstring")
            if (ENUM_NS, item) in enums:
                return (ENUM_NS, "ArrayOf" + item)
            it = find_type(area, item)
            return (it[0], "ArrayOf" + item) if it else None
        if (ENUM_NS, word) in enums:
            return (ENUM_NS, word)
        return find_type(area, word)

    n_members = 0
    for tb in seed["tables"]:
        key = find_type(tb["area"], tb["type"])
        if key is None:
            err("seed table %s (%s/%s, line %d) has no XSD type" % (tb["type"], tb["area"], tb["operation"], tb["line"])); continue
        own = {m["name"] for m in types[key]["members"]}
        allm = {m["name"]: m for m in chain(types, key)}
        for sm in tb["members"]:
            n_members += 1
            m = allm.get(sm["name"])
            where = "%s.%s (seed line %d)" % (tb["type"], sm["name"], sm["line"])
            if m is None:
                err("%s: missing from %s" % (where, types[key]["file"])); continue
            want = expected_type(tb["area"], sm["seed_type"])
            if want != m["type"]:
                err("%s: seed type %r -> %s, XSD has %s" % (where, sm["seed_type"], want, m["type"]))
            if sm["description"] is not None and m["doc"] != sm["description"]:
                # inherited members are documented once, on the base; the derived table must say the same
                err("%s: xs:documentation %r != seed description %r" % (where, m["doc"], sm["description"]))
        # the table must not be missing anything the XSD declares on this class itself (except PROVIDER-FACTS members)
        seeded = {sm["name"] for sm in tb["members"]}
        for m in types[key]["members"]:
            if m["name"] not in seeded and not m["emit_default_false"] and tb["type"] == key[1]:
                err("%s.%s: in the XSD but not in the seed table at line %d" % (key[1], m["name"], tb["line"]))

    # every operation's request / response exists in its area namespace
    for op in seed["operations"]:
        for c in (op["request"], op["response"]):
            if (AREA_NS[op["area"]], c) not in types:
                err("operation %s: contract %s missing from %s.xsd" % (op["path"], c, op["area"]))

    # ---- 4. JSON samples against the XSD types
    n_json = 0
    def check_json(v, t, path):
        if t[0] == XSD_NS:
            ok = {"string": isinstance(v, str), "int": isinstance(v, int) and not isinstance(v, bool),
                  "decimal": isinstance(v, (int, float)) and not isinstance(v, bool), "boolean": isinstance(v, bool),
                  "long": isinstance(v, int) and not isinstance(v, bool),
                  "dateTime": isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?", v)}.get(t[1], False)
            if not ok:
                err("%s: %r is not a %s" % (path, v, t[1]))
            return
        if t in enums:
            if v not in [n for _, n, _ in enums[t]["values"]]:
                err("%s: %r is not a %s value" % (path, v, t[1]))
            return
        ty = types[t]
        if t[1].startswith("ArrayOf"):
            if not isinstance(v, list):
                err("%s: expected a JSON array" % path); return
            item = ty["members"][0]
            for i, x in enumerate(v):
                if x is None:
                    if not item["nillable"]:
                        err("%s[%d]: null item in a non-nillable collection" % (path, i))
                else:
                    check_json(x, item["type"], "%s[%d]" % (path, i))
            return
        if not isinstance(v, dict):
            err("%s: expected a JSON object" % path); return
        members = {m["name"]: m for m in chain(types, t)}
        for k, x in v.items():
            m = members.get(k)
            if m is None:
                err("%s.%s: JSON member not in XSD type %s" % (path, k, t[1])); continue
            if x is None:
                if not m["nillable"]:
                    err("%s.%s: JSON null but the XSD member is not nillable" % (path, k))
                continue
            check_json(x, m["type"], path + "." + k)
        for name, m in members.items():
            if name not in v and not m["emit_default_false"]:
                err("%s: member %s of %s absent from the JSON sample" % (path, name, t[1]))

    with open(os.path.join(fixtures, "index.tsv"), encoding="utf-8") as fh:
        rows = [l.rstrip("\n").split("\t") for l in fh if l.strip()]
    head = rows[0]
    for r in rows[1:]:
        rec = dict(zip(head, r))
        t = (rec["root_namespace"], rec["root_element"])
        if t not in types:
            err("%s: root type %s not in the XSDs" % (rec["json_file"], t)); continue
        with open(os.path.join(fixtures, rec["json_file"]), encoding="utf-8") as fh:
            check_json(json.load(fh), t, rec["json_file"])
        n_json += 1

    # ---- 5. sensitive.txt
    marked = sorted("%s:%s.%s" % (files[k[0]][:-4], k[1], m["name"]) for k, t in types.items() for m in t["members"] if m["sensitive"])
    listed_path = os.path.join(xsd_dir, "sensitive.txt")
    listed = sorted(l.strip() for l in open(listed_path, encoding="utf-8") if l.strip() and not l.startswith("#"))
    if marked != listed:
        err("sensitive.txt %s != payspec:Sensitive annotations %s" % (listed, marked))

    nullable_values = sorted("%s:%s.%s" % (files[k[0]][:-4], k[1], m["name"]) for k, t in types.items() for m in t["members"]
                             if m["nillable"] and ((m["type"][0] == XSD_NS and m["type"][1] in VALUE_XS) or m["type"] in enums))
    edv = sorted("%s:%s.%s" % (files[k[0]][:-4], k[1], m["name"]) for k, t in types.items() for m in t["members"] if m["emit_default_false"])
    if errors:
        print("check_schemas: FAIL, %d findings:" % len(errors))
        for e in errors:
            print("  " + e)
        return 1
    print("check_schemas: OK: %d complex types, %d enums (%d values, all equal to the seed), %d seed table members present "
          "with seed type and description, %d JSON samples consistent with the XSDs, %d sensitive members"
          % (len(types), sum(1 for k in enums if k[0] == ENUM_NS), n_enum_vals, n_members, n_json, len(marked)))
    print("  nullable value types (%d): %s" % (len(nullable_values), ", ".join(nullable_values)))
    print("  EmitDefaultValue=false (PROVIDER-FACTS members, %d): %s" % (len(edv), ", ".join(edv)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
