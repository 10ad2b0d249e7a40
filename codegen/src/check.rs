//! Whole-document checks of an OpenAPI spec, run by the front ends before anything else reads
//! it: references, path parameters, security requirements, operation ids, servers and the
//! shape of every payspec extension. Each problem names its place (a JSON pointer, turned into a
//! line by [`crate::source::SourceMap`]); all of a document's problems are reported together, so
//! nothing reaches progenitor or typify that would make them panic.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::Error;
use crate::model::Method;
use crate::source::escape_pointer;
use crate::source::{SourceMap, walk_objects};
use crate::spec::str_of;

/// How many problems one run reports at most.
const MAX_REPORTED: usize = 30;

/// The `x-` extensions payspec reads (documented in `specs/README.md`), and the ones its tools
/// read (`x-enum-varnames` by typify, `x-generated` in derived documents).
pub const KNOWN_EXTENSIONS: &[&str] = &[
    "x-dcs-client",
    "x-dcs-contracts",
    "x-enum-descriptions",
    "x-enum-varnames",
    "x-error-code",
    "x-error-details",
    "x-error-message",
    "x-generated",
    "x-idempotency-key",
    "x-idempotent",
    "x-moves-money",
    "x-open-enum",
    "x-pagination",
    "x-rate-limit",
    "x-request-id",
    "x-response-codes",
    "x-sensitive",
    "x-server-name",
    "x-webhooks",
];

/// What an extension's value may hold: an object with these keys (and the shape of a key's
/// value where it is an object itself), or a map whose every value has one shape.
enum Shape {
    Keys(&'static [(&'static str, Option<&'static Shape>)]),
    EachValue(&'static Shape),
}

const SIGNATURE: Shape = Shape::Keys(&[("header", None), ("algorithm", None), ("encoding", None)]);
const WEBHOOK: Shape = Shape::Keys(&[
    ("description", None),
    ("signature", Some(&SIGNATURE)),
    ("payload", None),
]);
const RECOVERY: Shape = Shape::Keys(&[("operation", None), ("member", None), ("guidance", None)]);

/// The payspec extensions whose value is an object, and its shape.
const EXTENSION_SHAPES: &[(&str, Shape)] = &[
    (
        "x-pagination",
        Shape::Keys(&[("cursor", None), ("next-cursor", None), ("items", None)]),
    ),
    (
        "x-rate-limit",
        Shape::Keys(&[("max-in-flight", None), ("requests-per-minute", None)]),
    ),
    ("x-error-code", Shape::Keys(&[("enum", None), ("at", None)])),
    ("x-webhooks", Shape::EachValue(&WEBHOOK)),
    (
        "x-dcs-client",
        Shape::Keys(&[
            ("authentication", None),
            ("response-code", None),
            ("response-message", None),
            ("success", None),
            ("error-type", None),
            ("recovery", Some(&RECOVERY)),
        ]),
    ),
];

/// Problems found so far, each with its pointer.
struct Problems<'a> {
    spec: &'a str,
    found: Vec<Error>,
}

impl Problems<'_> {
    fn add(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        self.found
            .push(Error::spec(self.spec, message).at(pointer.into()));
    }

    fn add_op(&mut self, operation: &str, pointer: String, message: impl Into<String>) {
        self.found
            .push(Error::operation(self.spec, operation, message).at(pointer));
    }
}

/// Checks `doc` (the text it was read from gives the lines) and returns every problem as one
/// error: the problem itself when there is one, else a list with a line per problem.
pub fn check_document(spec: &str, doc: &Value, source: &SourceMap) -> Result<(), Error> {
    let mut p = Problems {
        spec,
        found: Vec::new(),
    };
    check_extension_spelling(doc, &mut p);
    check_refs(doc, &mut p);
    check_servers(doc, &mut p);
    check_operations(doc, &mut p);
    check_extension_keys(doc, &mut p);
    check_schema_extensions(doc, &mut p);
    report(spec, p.found, source)
}

/// One error for all of `found`: the problem itself when there is one; otherwise a count and one
/// `file:line: ...` line per problem.
fn report(spec: &str, found: Vec<Error>, source: &SourceMap) -> Result<(), Error> {
    let mut found: Vec<Error> = found.into_iter().map(|e| e.locate(source)).collect();
    match found.len() {
        0 => Ok(()),
        1 => Err(found.remove(0)),
        n => {
            found.sort_by_key(|e| e.line.unwrap_or(u32::MAX));
            let mut message = format!("{n} problems:");
            for e in found.iter().take(MAX_REPORTED) {
                message.push_str("\n  ");
                message.push_str(&e.to_string());
            }
            if n > MAX_REPORTED {
                message.push_str(&format!("\n  (and {} more)", n - MAX_REPORTED));
            }
            Err(Error::spec(spec, message))
        }
    }
}

/// Every `x-` key that is a near miss of one of [`KNOWN_EXTENSIONS`] (at most two edits away,
/// case ignored) is refused: a misspelled extension would otherwise be ignored silently
/// (`x-idempotnet: true` would leave an operation's retry class unchanged). A vendor's own
/// extensions, which are not near misses, are allowed and ignored.
fn check_extension_spelling(doc: &Value, p: &mut Problems) {
    walk_objects(doc, &mut |pointer, map| {
        for key in map.keys() {
            if !key.starts_with("x-") || KNOWN_EXTENSIONS.contains(&key.as_str()) {
                continue;
            }
            if let Some(known) = near_miss(key, KNOWN_EXTENSIONS.iter().copied()) {
                p.add(
                    format!("{pointer}/{}", escape_pointer(key)),
                    format!("unknown extension {key}; did you mean {known}?"),
                );
            }
        }
    });
}

/// The Levenshtein distance between two short strings.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let next = (row[j + 1] + 1).min(row[j] + 1).min(prev + cost);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// The nearest of `names` to `name` (at most two edits away, case ignored), if any.
fn near_miss<'a>(name: &str, names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let name = name.to_ascii_lowercase();
    names
        .map(|n| (edit_distance(&name, &n.to_ascii_lowercase()), n))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, n)| n)
}

/// " (did you mean x?)" when one of `names` is a near miss of `name`.
fn did_you_mean<'a>(name: &str, names: impl Iterator<Item = &'a str>) -> String {
    near_miss(name, names)
        .map(|n| format!(" (did you mean {n}?)"))
        .unwrap_or_default()
}

/// Every `$ref` must be local (`#/...`) and resolve.
fn check_refs(doc: &Value, p: &mut Problems) {
    walk_objects(doc, &mut |pointer, map| {
        let Some(r) = map.get("$ref") else {
            return;
        };
        match r.as_str() {
            Some(target) if target.starts_with("#/") || target == "#" => {
                let pointer_of = decode_fragment(&target[1..]);
                // A DataContract document's schemas are derived from its XSDs; its front end
                // checks those references against them.
                let derived = doc.get("x-dcs-contracts").is_some()
                    && pointer_of
                        .as_deref()
                        .is_some_and(|t| t.starts_with("/components/schemas/"));
                let resolved = derived || pointer_of.is_some_and(|t| doc.pointer(&t).is_some());
                if !resolved {
                    p.add(
                        format!("{pointer}/$ref"),
                        format!("$ref {target} does not resolve: nothing is written there"),
                    );
                }
            }
            Some(target) => p.add(
                format!("{pointer}/$ref"),
                format!("$ref {target}: only references within the document (#/...) are supported"),
            ),
            None => p.add(format!("{pointer}/$ref"), "$ref must be a string"),
        }
    });
}

/// A `$ref` fragment as a JSON pointer: percent-decoded (URI fragments may escape characters).
fn decode_fragment(fragment: &str) -> Option<String> {
    let bytes = fragment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = fragment.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Servers: a URL, a unique `x-server-name`.
fn check_servers(doc: &Value, p: &mut Problems) {
    let mut names = BTreeSet::new();
    for (i, s) in doc
        .get("servers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = format!("/servers/{i}");
        match str_of(s, "url") {
            Some(u) if u.starts_with("https://") || u.starts_with("http://") => {}
            Some(u) => p.add(
                format!("{at}/url"),
                format!("server url {u:?} is not an absolute http(s) URL"),
            ),
            None => p.add(at.clone(), "server without url"),
        }
        if let Some(name) = str_of(s, "x-server-name")
            && !names.insert(name.to_ascii_lowercase())
        {
            p.add(
                format!("{at}/x-server-name"),
                format!("x-server-name {name} is used by two servers"),
            );
        }
    }
}

/// Path templates against their parameters, security requirements against the schemes, and
/// unique operation ids.
fn check_operations(doc: &Value, p: &mut Problems) {
    let schemes: BTreeSet<&str> = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    check_security(doc, "", &schemes, None, p);
    let mut ids: BTreeMap<&str, String> = BTreeMap::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let item_at = format!("/paths/{}", escape_pointer(path));
        if !path.starts_with('/') {
            p.add(item_at.clone(), format!("path {path:?} must start with /"));
        }
        let template = template_names(path);
        for method in Method::ALL {
            let Some(op) = item.get(method.as_str()) else {
                continue;
            };
            let at = format!("{item_at}/{}", method.as_str());
            let Some(id) = str_of(op, "operationId") else {
                // Reported by the front end, which needs the id to go on.
                continue;
            };
            if let Some(first) = ids.insert(id, at.clone()) {
                p.add_op(
                    id,
                    format!("{at}/operationId"),
                    format!("operationId {id} is also used at {first}"),
                );
            }
            check_security(op, &at, &schemes, Some(id), p);
            // Declared parameters (operation-level ones override the path item's).
            let mut declared: BTreeMap<String, String> = BTreeMap::new();
            for (list_at, list) in [(item_at.clone(), item), (at.clone(), op)] {
                for (i, param) in list
                    .get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    let param_at = format!("{list_at}/parameters/{i}");
                    let param = resolve(doc, param);
                    if str_of(param, "in") != Some("path") {
                        continue;
                    }
                    let Some(name) = str_of(param, "name") else {
                        p.add_op(id, param_at, "parameter without name");
                        continue;
                    };
                    if param.get("required").and_then(Value::as_bool) != Some(true) {
                        p.add_op(
                            id,
                            param_at.clone(),
                            format!("path parameter {name} must be `required: true`"),
                        );
                    }
                    declared.insert(name.to_string(), param_at);
                }
            }
            for name in &template {
                if !declared.contains_key(name) {
                    p.add_op(
                        id,
                        at.clone(),
                        format!(
                            "the path {path} has {{{name}}}, but no path parameter {name} is declared{}",
                            did_you_mean(name, declared.keys().map(String::as_str))
                        ),
                    );
                }
            }
            for (name, param_at) in &declared {
                if !template.contains(name) {
                    p.add_op(
                        id,
                        param_at.clone(),
                        format!("path parameter {name} is not in the path {path}"),
                    );
                }
            }
        }
    }
}

/// `{name}`s of a path template.
fn template_names(path: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.insert(rest[open + 1..open + close].to_string());
        rest = &rest[open + close + 1..];
    }
    out
}

/// A parameter or other object that may be a `$ref`, followed once.
fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    str_of(v, "$ref")
        .and_then(|r| r.strip_prefix('#'))
        .and_then(decode_fragment)
        .and_then(|t| doc.pointer(&t))
        .unwrap_or(v)
}

/// Every scheme an object's `security` names is declared.
fn check_security(
    v: &Value,
    at: &str,
    schemes: &BTreeSet<&str>,
    operation: Option<&str>,
    p: &mut Problems,
) {
    let Some(alts) = v.get("security") else {
        return;
    };
    let Some(alts) = alts.as_array() else {
        p.add(format!("{at}/security"), "security must be a list");
        return;
    };
    for (i, alt) in alts.iter().enumerate() {
        for name in alt.as_object().into_iter().flat_map(|m| m.keys()) {
            if !schemes.contains(name.as_str()) {
                let pointer = format!("{at}/security/{i}/{}", escape_pointer(name));
                let message = format!(
                    "security requirement {name} names no scheme of components.securitySchemes{}",
                    did_you_mean(name, schemes.iter().copied())
                );
                match operation {
                    Some(op) => p.add_op(op, pointer, message),
                    None => p.add(pointer, message),
                }
            }
        }
    }
}

/// Unknown keys inside a known extension's object are named.
fn check_extension_keys(doc: &Value, p: &mut Problems) {
    walk_objects(doc, &mut |pointer, map| {
        for (key, child) in map {
            if let Some((_, shape)) = EXTENSION_SHAPES.iter().find(|(k, _)| k == key) {
                let at = format!("{pointer}/{}", escape_pointer(key));
                check_shape(key, child, shape, &at, p);
            }
        }
    });
}

/// `v` (`what`, at `at`) against `shape`.
fn check_shape(what: &str, v: &Value, shape: &Shape, at: &str, p: &mut Problems) {
    let Some(map) = v.as_object() else {
        p.add(at.to_string(), format!("{what} must be an object"));
        return;
    };
    for (key, child) in map {
        let child_at = format!("{at}/{}", escape_pointer(key));
        let child_what = format!("{what}.{key}");
        match shape {
            Shape::EachValue(each) => check_shape(&child_what, child, each, &child_at, p),
            Shape::Keys(keys) => match keys.iter().find(|(k, _)| k == key) {
                Some((_, Some(inner))) => check_shape(&child_what, child, inner, &child_at, p),
                Some((_, None)) => {}
                None => p.add(
                    child_at,
                    format!(
                        "{child_what} is not a known setting (known: {})",
                        keys.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
                    ),
                ),
            },
        }
    }
}

/// Extensions on schemas that refer to other parts of the document.
fn check_schema_extensions(doc: &Value, p: &mut Problems) {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return;
    };
    let open_enum = |name: &str| {
        schemas
            .get(name)
            .and_then(|s| s.get("x-open-enum"))
            .and_then(Value::as_bool)
            == Some(true)
    };
    for (name, s) in schemas {
        let at = crate::spec::schema_pointer(name);
        if let Some(e) = s.pointer("/x-error-code/enum").and_then(Value::as_str)
            && !open_enum(e)
        {
            p.add(
                format!("{at}/x-error-code/enum"),
                format!("schema {name}: x-error-code.enum {e} is not an x-open-enum schema"),
            );
        }
        for key in ["x-error-message", "x-error-details"] {
            if let Some(prop) = s.get(key).and_then(Value::as_str)
                && s.pointer(&format!("/properties/{}", escape_pointer(prop)))
                    .is_none()
            {
                p.add(
                    format!("{at}/{key}"),
                    format!(
                        "schema {name}: {key} names {prop}, which is not one of its properties"
                    ),
                );
            }
        }
        if let Some(descs) = s.get("x-enum-descriptions").and_then(Value::as_object) {
            let values: BTreeSet<&str> = s
                .get("enum")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            for v in descs.keys() {
                if !values.contains(v.as_str()) {
                    p.add(
                        format!("{at}/x-enum-descriptions/{}", escape_pointer(v)),
                        format!("schema {name}: x-enum-descriptions has {v}, which is not a value of its enum"),
                    );
                }
            }
        }
        check_sensitive(name, s, &at, p);
    }
}

/// `x-sensitive` is a boolean on string properties.
fn check_sensitive(name: &str, s: &Value, at: &str, p: &mut Problems) {
    for (prop, ps) in s
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let Some(flag) = ps.get("x-sensitive") else {
            continue;
        };
        let here = format!("{at}/properties/{}/x-sensitive", escape_pointer(prop));
        if !flag.is_boolean() {
            p.add(
                here,
                format!("schema {name}.{prop}: x-sensitive must be a boolean"),
            );
        } else if str_of(ps, "type") != Some("string") {
            p.add(
                here,
                format!("schema {name}.{prop}: x-sensitive is for `type: string` properties"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> String {
        let doc: Value = serde_yaml::from_str(text).unwrap();
        let source = SourceMap::of_yaml(text);
        let mut p = Problems {
            spec: "specs/acme/openapi.yaml",
            found: Vec::new(),
        };
        check_extension_spelling(&doc, &mut p);
        match report("specs/acme/openapi.yaml", p.found, &source) {
            Ok(()) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn near_misses_of_our_extensions_are_errors_and_vendor_extensions_pass() {
        let e = problems(
            "paths:\n  /orders/{id}:\n    get:\n      x-idempotnet: true\n      x-stripeResource: order\n      x-addedInVersion: '2024-01'\n      x-Sensitive: true\ncomponents:\n  schemas:\n    A:\n      x-open-enmu: true\n      x-open-enum: true\n",
        );
        assert!(e.starts_with("specs/acme/openapi.yaml: 3 problems:"), "{e}");
        assert!(
            e.contains("\n  specs/acme/openapi.yaml:4:7: unknown extension x-idempotnet; did you mean x-idempotent?"),
            "{e}"
        );
        assert!(
            e.contains("\n  specs/acme/openapi.yaml:7:7: unknown extension x-Sensitive; did you mean x-sensitive?"),
            "{e}"
        );
        assert!(
            e.contains("\n  specs/acme/openapi.yaml:11:7: unknown extension x-open-enmu; did you mean x-open-enum?"),
            "{e}"
        );
        assert!(
            !e.contains("stripeResource") && !e.contains("addedInVersion"),
            "{e}"
        );
        let one = problems("paths:\n  /a:\n    post:\n      x-idempotnet: true\n");
        assert_eq!(
            one,
            "specs/acme/openapi.yaml:4:7: unknown extension x-idempotnet; did you mean x-idempotent?"
        );
        assert_eq!(edit_distance("x-idempotnet", "x-idempotent"), 2);
        assert_eq!(edit_distance("", "ab"), 2);
    }
}
