//! Loading an OpenAPI document: the model codegen needs beyond what progenitor reads (operations,
//! auth, servers, validation rules, open enums, webhooks, error bodies), and the cleaned copy that
//! is handed to progenitor / typify.
//!
//! The spec is read as a `serde_json::Value` so that our own `x-` extensions and the JSON Schema
//! keywords we enforce ourselves can be read and stripped in one place.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::Error;
use crate::model::*;
use crate::source::escape_pointer;

/// The JSON Schema keywords we enforce ourselves (client-side validation) and therefore strip
/// from the copy typify sees, so that fields keep their plain types.
const VALIDATION_KEYWORDS: &[&str] = &[
    "maxLength",
    "minLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
];

/// Extensions read here and removed from the copy progenitor sees.
const OUR_EXTENSIONS: &[&str] = &[
    "x-open-enum",
    "x-enum-descriptions",
    "x-error-message",
    "x-error-details",
    "x-server-name",
    "x-idempotent",
    "x-webhooks",
    "x-pagination",
    "x-rate-limit",
    "x-error-code",
    "x-idempotency-key",
    "x-request-id",
];

/// Parses the YAML text of an OpenAPI document.
pub fn parse_yaml(spec_name: &str, text: &str) -> Result<Value, Error> {
    serde_yaml::from_str::<Value>(text).map_err(|e| Error {
        line: e.location().and_then(|l| u32::try_from(l.line()).ok()),
        column: e.location().and_then(|l| u32::try_from(l.column()).ok()),
        ..Error::spec(spec_name, format!("not valid YAML: {e}"))
    })
}

/// A string member of a JSON object.
pub fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn text_of(v: &Value, key: &str) -> String {
    str_of(v, key).unwrap_or_default().trim().to_string()
}

/// The component name of a `$ref` (`#/components/schemas/Name`).
pub fn ref_name(v: &Value) -> Option<&str> {
    str_of(v, "$ref").and_then(|r| r.strip_prefix("#/components/schemas/"))
}

/// The document's `servers`, each named by its `x-server-name`.
pub fn read_servers(spec_name: &str, doc: &Value) -> Result<Vec<Server>, Error> {
    let mut servers = Vec::new();
    for (i, s) in doc
        .get("servers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let url = text_of(s, "url");
        let name = str_of(s, "x-server-name")
            .ok_or_else(|| {
                Error::spec(spec_name, format!("server {url} has no x-server-name"))
                    .at(format!("/servers/{i}"))
            })?
            .to_string();
        servers.push(Server {
            url,
            name,
            description: text_of(s, "description"),
        });
    }
    Ok(servers)
}

/// Reads the model of a document.
pub fn read_model(spec_name: &str, doc: &Value) -> Result<Api, Error> {
    let err = |m: String| Error::spec(spec_name, m);
    let version = text_of(doc, "openapi");
    if !version.starts_with("3.0.") {
        return Err(err(format!(
            "openapi version {version:?}: only 3.0.x is supported"
        ))
        .at("/openapi"));
    }
    let info = doc.get("info").cloned().unwrap_or(Value::Null);

    let servers = read_servers(spec_name, doc)?;

    let mut schemes = Vec::new();
    if let Some(map) = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
    {
        for (name, s) in map {
            let kind = match (str_of(s, "type"), str_of(s, "scheme"), str_of(s, "in")) {
                (Some("http"), Some(sch), _) if sch.eq_ignore_ascii_case("bearer") => {
                    SchemeKind::Bearer
                }
                (Some("http"), Some(sch), _) if sch.eq_ignore_ascii_case("basic") => {
                    SchemeKind::Basic
                }
                (Some("apiKey"), _, Some("header")) => SchemeKind::ApiKeyHeader(text_of(s, "name")),
                _ => {
                    return Err(err(format!("security scheme {name}: unsupported kind")).at(
                        format!("/components/securitySchemes/{}", escape_pointer(name)),
                    ));
                }
            };
            schemes.push(Scheme {
                name: name.clone(),
                kind,
                description: text_of(s, "description"),
            });
        }
    }
    let global_security = security_of(doc).unwrap_or_default();
    let headers = DocHeaders::read(spec_name, doc, &schemes)?;

    let schemas: BTreeMap<String, Value> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();

    let mut operations = Vec::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for method in Method::ALL {
            let Some(op) = item.get(method.as_str()) else {
                continue;
            };
            operations.push(
                read_operation(
                    spec_name,
                    path,
                    method,
                    item,
                    op,
                    &global_security,
                    &headers,
                )
                .map_err(|e| {
                    e.at(format!(
                        "/paths/{}/{}",
                        escape_pointer(path),
                        method.as_str()
                    ))
                })?,
            );
        }
    }

    let mut open_enums = Vec::new();
    let mut error_bodies = BTreeMap::new();
    for (name, s) in &schemas {
        let here = schema_pointer(name);
        let err = |m: String| Error::spec(spec_name, m).at(here.clone());
        if s.get("x-open-enum").and_then(Value::as_bool) == Some(true) {
            if str_of(s, "type") != Some("string") {
                return Err(err(format!(
                    "schema {name}: x-open-enum needs a string enum"
                )));
            }
            let descs = s.get("x-enum-descriptions");
            let values = s
                .get("enum")
                .and_then(Value::as_array)
                .ok_or_else(|| err(format!("schema {name}: x-open-enum without enum")))?
                .iter()
                .map(|v| {
                    let v = v.as_str().unwrap_or_default().to_string();
                    let d = descs.and_then(|d| d.get(&v)).and_then(Value::as_str);
                    let d = d.map(str::to_string).unwrap_or_else(|| format!("`{v}`."));
                    (v, d)
                })
                .collect();
            open_enums.push(OpenEnum {
                name: name.clone(),
                description: text_of(s, "description"),
                values,
            });
        }
        if ["x-error-message", "x-error-details", "x-error-code"]
            .iter()
            .any(|k| s.get(*k).is_some())
        {
            let locator = |key: &str| -> Result<Option<Locator>, Error> {
                match s.get(key) {
                    None => Ok(None),
                    Some(Value::String(p)) => Ok(Some(Locator::Property(p.clone()))),
                    Some(v) => pointers(v)
                        .map(|p| Some(Locator::Pointers(p)))
                        .ok_or_else(|| {
                            err(format!(
                                "schema {name}: {key} must be a property name or a list of JSON pointers"
                            ))
                        }),
                }
            };
            let code = match s.get("x-error-code") {
                None => None,
                Some(c) => {
                    let e = str_of(c, "enum");
                    let at = c.get("at").and_then(pointers);
                    match (e, at) {
                        (Some(e), Some(at)) => Some((e.to_string(), at)),
                        _ => {
                            return Err(err(format!(
                                "schema {name}: x-error-code needs `enum` (an x-open-enum schema) and `at` (JSON pointers)"
                            )));
                        }
                    }
                }
            };
            error_bodies.insert(
                name.clone(),
                ErrorBodyExt {
                    message: locator("x-error-message")?,
                    details: locator("x-error-details")?,
                    code,
                },
            );
        }
        check_schema(spec_name, name, &here, s, true)?;
    }

    let mut webhooks = Vec::new();
    for (key, w) in doc
        .get("x-webhooks")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let err = |m: String| {
            Error::spec(spec_name, m).at(format!("/x-webhooks/{}", escape_pointer(key)))
        };
        let sig = w.get("signature").cloned().unwrap_or(Value::Null);
        if str_of(&sig, "algorithm") != Some("hmac-sha256") {
            return Err(err(format!(
                "webhook {key}: only signature.algorithm hmac-sha256 is supported"
            )));
        }
        let encoding = text_of(&sig, "encoding");
        if encoding != "base64" && encoding != "hex" {
            return Err(err(format!(
                "webhook {key}: signature.encoding must be base64 or hex"
            )));
        }
        let payload = w
            .get("payload")
            .and_then(ref_name)
            .ok_or_else(|| {
                err(format!(
                    "webhook {key}: payload must be a $ref to a component schema"
                ))
            })?
            .to_string();
        webhooks.push(Webhook {
            key: key.clone(),
            description: text_of(w, "description"),
            header: text_of(&sig, "header"),
            encoding,
            payload,
        });
    }

    let mut unions = Vec::new();
    for (name, s) in &schemas {
        if let Some(u) = read_union(spec_name, name, s, &schemas)
            .map_err(|e| e.at(format!("{}/discriminator", schema_pointer(name))))?
        {
            unions.push(u);
        }
    }
    for (name, s) in &schemas {
        if let Some(members) = uniform_items(s) {
            check_uniform(spec_name, name, s, &members, &unions)
                .map_err(|e| e.at(format!("{}/anyOf", schema_pointer(name))))?;
        }
        for (p, ps) in s
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let Some(members) = uniform_items(ps) {
                check_uniform(spec_name, &format!("{name}.{p}"), ps, &members, &unions).map_err(
                    |e| {
                        e.at(format!(
                            "{}/properties/{}/anyOf",
                            schema_pointer(name),
                            escape_pointer(p)
                        ))
                    },
                )?;
            }
        }
    }

    let mut multipart_schemas = BTreeSet::new();
    for op in &operations {
        if let Some(m) = &op.multipart {
            multipart_schemas.insert(m.clone());
        }
    }
    let mut used = BTreeSet::new();
    for (name, s) in &schemas {
        if !multipart_schemas.contains(name) {
            collect_refs_in(s, &mut used);
        }
    }
    for op in &operations {
        used.extend(
            [&op.body, &op.success, &op.error]
                .into_iter()
                .flatten()
                .cloned(),
        );
    }
    if let Some(m) = multipart_schemas.intersection(&used).next() {
        return Err(err(format!(
            "schema {m}: a multipart/form-data body schema must not be used anywhere else"
        ))
        .at(schema_pointer(m)));
    }

    let rate_limit = match doc.get("x-rate-limit") {
        None => None,
        Some(r) => {
            let n = |k: &str| -> Result<Option<u64>, Error> {
                match r.get(k) {
                    None => Ok(None),
                    Some(v) => v.as_u64().filter(|n| *n > 0).map(Some).ok_or_else(|| {
                        err(format!("x-rate-limit.{k} must be a positive integer"))
                            .at(format!("/x-rate-limit/{k}"))
                    }),
                }
            };
            Some(RateLimit {
                max_in_flight: n("max-in-flight")?,
                requests_per_minute: n("requests-per-minute")?,
            })
        }
    };

    let mut request_schemas = BTreeSet::new();
    for op in &operations {
        for b in [&op.body, &op.multipart].into_iter().flatten() {
            collect_refs(b, &schemas, &mut request_schemas);
        }
    }

    Ok(Api {
        title: text_of(&info, "title"),
        description: text_of(&info, "description"),
        version: text_of(&info, "version"),
        servers,
        schemes,
        operations,
        open_enums,
        error_bodies,
        webhooks,
        types: schemas
            .iter()
            .map(|(name, s)| (name.clone(), schema_of(name, s)))
            .collect(),
        uses_epoch_millis: schemas.values().any(mentions_epoch_millis),
        request_schemas,
        unions,
        multipart_schemas,
        rate_limit,
        dcs: None,
        contracts: Default::default(),
    })
}

/// A component schema as the emitters see it.
fn schema_of(name: &str, s: &Value) -> Schema {
    let object =
        (str_of(s, "type") == Some("object") && s.get("properties").is_some()).then(|| Object {
            properties: s
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(p, ps)| Property {
                    name: p.clone(),
                    ty: ty_of(ps),
                    description: text_of(ps, "description"),
                    nullable: ps.get("nullable").and_then(Value::as_bool) == Some(true),
                })
                .collect(),
            exactly_one_of: exactly_one_of(s),
            required_groups: required_groups(s),
        });
    let choice = if s.get("discriminator").is_some() {
        Vec::new()
    } else {
        s.get("oneOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(ref_name)
            .map(str::to_string)
            .collect()
    };
    Schema {
        name: name.to_string(),
        description: text_of(s, "description"),
        ty: ty_of(s),
        object,
        required: s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        choice,
        example: s.get("example").cloned(),
    }
}

/// The type of a value schema, with its limits.
fn ty_of(s: &Value) -> Ty {
    if let Some(r) = ref_name(s) {
        return Ty::Ref(r.to_string());
    }
    let format = str_of(s, "format").map(str::to_string);
    match str_of(s, "type") {
        Some("string") => Ty::String {
            format,
            limits: limits_of(s),
        },
        Some("integer") => Ty::Integer {
            format,
            limits: limits_of(s),
        },
        Some("number") => Ty::Number {
            format,
            limits: limits_of(s),
        },
        Some("boolean") => Ty::Boolean,
        Some("array") => Ty::Array {
            items: Box::new(ty_of(s.get("items").unwrap_or(&Value::Null))),
            limits: limits_of(s),
            uniform: uniform_items(s),
        },
        Some("object") if s.get("properties").is_some() => Ty::Object,
        Some("object") => match s.get("additionalProperties").filter(|v| v.is_object()) {
            Some(ap) => Ty::Map(Box::new(ty_of(ap))),
            None => Ty::Object,
        },
        _ => Ty::Other,
    }
}

/// The JSON Schema limits written on `s`.
fn limits_of(s: &Value) -> Limits {
    let number = |k: &str| match s.get(k) {
        Some(Value::Number(n)) => Some(n.clone()),
        _ => None,
    };
    let flag = |k: &str| s.get(k).and_then(Value::as_bool).unwrap_or(false);
    Limits {
        min_length: number("minLength"),
        max_length: number("maxLength"),
        minimum: number("minimum"),
        maximum: number("maximum"),
        exclusive_minimum: flag("exclusiveMinimum"),
        exclusive_maximum: flag("exclusiveMaximum"),
        min_items: number("minItems"),
        max_items: number("maxItems"),
    }
}

/// Whether `v` or anything inside it says `format: epoch-millis`.
fn mentions_epoch_millis(v: &Value) -> bool {
    match v {
        Value::Object(o) => {
            o.get("format").and_then(Value::as_str) == Some("epoch-millis")
                || o.values().any(mentions_epoch_millis)
        }
        Value::Array(a) => a.iter().any(mentions_epoch_millis),
        _ => false,
    }
}

/// The JSON pointer of component schema `name`.
pub fn schema_pointer(name: &str) -> String {
    format!("/components/schemas/{}", escape_pointer(name))
}

/// A list of JSON pointers (each starting with `/`).
fn pointers(v: &Value) -> Option<Vec<String>> {
    let list = v.as_array()?;
    let out: Option<Vec<String>> = list
        .iter()
        .map(|p| {
            p.as_str()
                .filter(|p| p.starts_with('/'))
                .map(str::to_string)
        })
        .collect();
    out.filter(|o| !o.is_empty())
}

/// Every `$ref` name inside `v`.
fn collect_refs_in(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(r) = ref_name(v) {
                out.insert(r.to_string());
            }
            m.values().for_each(|c| collect_refs_in(c, out));
        }
        Value::Array(a) => a.iter().for_each(|c| collect_refs_in(c, out)),
        _ => {}
    }
}

/// A `oneOf` of `$ref`s with a `discriminator` (explicit `mapping` required): a tagged union.
/// Every member must declare the tag property as a single-value string enum, in `required`.
fn read_union(
    spec_name: &str,
    name: &str,
    s: &Value,
    schemas: &BTreeMap<String, Value>,
) -> Result<Option<Union>, Error> {
    let Some(d) = s.get("discriminator") else {
        return Ok(None);
    };
    let err = |m: String| Error::spec(spec_name, format!("schema {name}: {m}"));
    let property = str_of(d, "propertyName")
        .ok_or_else(|| err("discriminator without propertyName".into()))?
        .to_string();
    let mapping = d
        .get("mapping")
        .and_then(Value::as_object)
        .ok_or_else(|| err("discriminator needs an explicit mapping".into()))?;
    let members: Vec<&str> = s
        .get("oneOf")
        .and_then(Value::as_array)
        .ok_or_else(|| err("discriminator without oneOf".into()))?
        .iter()
        .map(|m| ref_name(m).ok_or_else(|| err("oneOf members must be $refs".into())))
        .collect::<Result<_, _>>()?;
    let mut variants = Vec::new();
    for member in &members {
        let tags: Vec<&String> = mapping
            .iter()
            .filter(|(_, v)| {
                v.as_str()
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    == Some(*member)
            })
            .map(|(k, _)| k)
            .collect();
        let [tag] = tags[..] else {
            return Err(err(format!(
                "member {member} needs exactly one mapping entry"
            )));
        };
        let ms = schemas
            .get(*member)
            .ok_or_else(|| err(format!("member {member} is not a schema")))?;
        let declared = ms
            .pointer(&format!("/properties/{property}/enum"))
            .and_then(Value::as_array)
            .map(|e| e.iter().filter_map(Value::as_str).collect::<Vec<_>>());
        if declared.as_deref() != Some(&[tag.as_str()][..]) {
            return Err(err(format!(
                "member {member} must declare `{property}` as `enum: [{tag}]`"
            )));
        }
        let required = ms
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|x| x.as_str() == Some(&property)));
        if !required {
            return Err(err(format!(
                "member {member} must list `{property}` in required"
            )));
        }
        variants.push((tag.clone(), member.to_string()));
    }
    if mapping.len() != variants.len() {
        return Err(err(
            "mapping names a schema that is not a oneOf member".into()
        ));
    }
    Ok(Some(Union {
        name: name.to_string(),
        description: text_of(s, "description"),
        property,
        variants,
    }))
}

/// The member names of an "all items of one kind" rule: an array schema whose `anyOf` members
/// are each only `{items: {$ref: M}}`.
pub fn uniform_items(s: &Value) -> Option<Vec<String>> {
    if str_of(s, "type") != Some("array") {
        return None;
    }
    let members = s.get("anyOf")?.as_array()?;
    members
        .iter()
        .map(|m| {
            let obj = m.as_object().filter(|o| o.len() == 1)?;
            ref_name(obj.get("items")?).map(str::to_string)
        })
        .collect()
}

fn check_uniform(
    spec_name: &str,
    at: &str,
    s: &Value,
    members: &[String],
    unions: &[Union],
) -> Result<(), Error> {
    let items = s.get("items").and_then(ref_name);
    let union = unions.iter().find(|u| Some(u.name.as_str()) == items);
    let ok = union.is_some_and(|u| {
        let mut a: Vec<&String> = u.variants.iter().map(|(_, m)| m).collect();
        let mut b: Vec<&String> = members.iter().collect();
        a.sort();
        b.sort();
        a == b
    });
    if ok {
        Ok(())
    } else {
        Err(Error::spec(
            spec_name,
            format!(
                "schema {at}: an `anyOf` of `items` must list every member of the items' tagged union"
            ),
        ))
    }
}

/// The groups of an "at least one of these combinations is complete" rule: an `anyOf` whose
/// members each only list `required` names.
pub fn required_groups(s: &Value) -> Option<Vec<Vec<String>>> {
    required_lists(s, "anyOf")
}

/// The `required` lists of `s[key]` (`oneOf` / `anyOf`) when each member is only a `required`
/// list of names.
fn required_lists(s: &Value, key: &str) -> Option<Vec<Vec<String>>> {
    s.get(key)?
        .as_array()?
        .iter()
        .map(|m| {
            let obj = m.as_object().filter(|o| o.len() == 1)?;
            obj.get("required")?
                .as_array()?
                .iter()
                .map(|n| n.as_str().map(str::to_string))
                .collect()
        })
        .collect()
}

fn security_of(v: &Value) -> Option<Vec<Vec<String>>> {
    v.get("security").and_then(Value::as_array).map(|alts| {
        alts.iter()
            .map(|alt| {
                alt.as_object()
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default()
            })
            .collect()
    })
}

fn read_operation(
    spec_name: &str,
    path: &str,
    method: Method,
    item: &Value,
    op: &Value,
    global_security: &[Vec<String>],
    headers: &DocHeaders,
) -> Result<Operation, Error> {
    let id = str_of(op, "operationId")
        .ok_or_else(|| {
            Error::spec(
                spec_name,
                format!("{} {path}: no operationId", method.as_str()),
            )
        })?
        .to_string();
    let here = format!("/paths/{}/{}", escape_pointer(path), method.as_str());
    let err_at = |at: String, m: String| Error::operation(spec_name, &id, m).at(at);

    let mut params = Vec::new();
    let item_params = item
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, p)| (format!("/paths/{}/parameters/{i}", escape_pointer(path)), p));
    let op_params = op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, p)| (format!("{here}/parameters/{i}"), p));
    for (at, p) in item_params.chain(op_params) {
        if p.get("$ref").is_some() {
            return Err(err_at(
                at,
                "parameter $ref is not supported; write parameters inline".into(),
            ));
        }
        let location = match str_of(p, "in") {
            Some("path") => ParamLocation::Path,
            Some("query") => ParamLocation::Query,
            Some("header") => ParamLocation::Header,
            other => {
                return Err(err_at(
                    format!("{at}/in"),
                    format!("parameter location {other:?} is not supported"),
                ));
            }
        };
        params.push(Param {
            name: text_of(p, "name"),
            location,
            required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
            description: text_of(p, "description"),
            ty: ty_of(p.get("schema").unwrap_or(&Value::Null)),
            example: p
                .get("example")
                .or_else(|| p.get("schema").and_then(|s| s.get("example")))
                .cloned(),
        });
    }

    let mut body = None;
    let mut body_example = None;
    let mut multipart = None;
    let mut multipart_example = None;
    if let Some(rb) = op.get("requestBody") {
        let content = rb
            .get("content")
            .and_then(Value::as_object)
            .ok_or_else(|| {
                err_at(
                    format!("{here}/requestBody"),
                    "request body without content".into(),
                )
            })?;
        for (media, c) in content {
            let at = format!("{here}/requestBody/content/{}", escape_pointer(media));
            let schema = c
                .get("schema")
                .and_then(ref_name)
                .ok_or_else(|| {
                    err_at(
                        format!("{at}/schema"),
                        format!("request body {media}: schema must be a $ref"),
                    )
                })?
                .to_string();
            match media.as_str() {
                "application/json" => {
                    body = Some(schema);
                    body_example = media_example(c);
                }
                "multipart/form-data" => {
                    multipart = Some(schema);
                    multipart_example = media_example(c);
                }
                other => {
                    return Err(err_at(
                        at,
                        format!(
                            "request body media type {other} is not supported (application/json, multipart/form-data)"
                        ),
                    ));
                }
            }
        }
    }

    let mut success = None;
    let mut error: Option<String> = None;
    let mut success_statuses = Vec::new();
    let mut error_statuses = Vec::new();
    for (status, resp) in op
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let at = format!("{here}/responses/{}", escape_pointer(status));
        let err = |m: String| err_at(at.clone(), m);
        let schema = resp.pointer("/content/application~1json/schema");
        let name = match schema {
            None => None,
            Some(s) => Some(
                ref_name(s)
                    .ok_or_else(|| {
                        err_at(
                            format!("{at}/content/application~1json/schema"),
                            format!("response {status}: schema must be a $ref"),
                        )
                    })?
                    .to_string(),
            ),
        };
        let code: Option<u16> = status.parse().ok();
        if status.starts_with('2') {
            if !success_statuses.is_empty() && success != name {
                return Err(err("more than one success body type".into()));
            }
            success = name;
            success_statuses.push(code.ok_or_else(|| {
                err(format!(
                    "success status {status}: write the exact status code"
                ))
            })?);
        } else if let Some(name) = name {
            match &error {
                Some(e) if *e != name => {
                    return Err(err(format!(
                        "error responses use two body types ({e}, {name}); progenitor needs one"
                    )));
                }
                _ => error = Some(name),
            }
            if let Some(code) = code {
                error_statuses.push(code);
            }
        }
    }

    let pagination = match op.get("x-pagination") {
        None => None,
        Some(p) => {
            let err = |m: String| err_at(format!("{here}/x-pagination"), m);
            let get = |k: &str| {
                str_of(p, k)
                    .map(str::to_string)
                    .ok_or_else(|| err(format!("x-pagination needs `{k}`")))
            };
            if body.is_none() {
                return Err(err(
                    "x-pagination: the cursor travels in the JSON request body, which this operation lacks"
                        .into(),
                ));
            }
            Some(Pagination {
                cursor: get("cursor")?,
                next_cursor: get("next-cursor")?,
                items: get("items")?,
            })
        }
    };

    let flag = |key: &str| match op.get(key) {
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(err_at(
            format!("{here}/{key}"),
            format!("{key} must be a boolean"),
        )),
        None => Ok(None),
    };
    let retry = match (flag("x-idempotent")?, flag("x-moves-money")?) {
        (Some(true), Some(true)) => {
            return Err(err_at(
                format!("{here}/x-moves-money"),
                "x-moves-money operations cannot be x-idempotent".into(),
            ));
        }
        (_, Some(true)) => Retry::MovesMoney,
        (Some(true), _) => Retry::Idempotent,
        (None, _) if method.is_safe() => Retry::Idempotent,
        _ => Retry::Once,
    };

    let (idempotency_header, request_id_header) = headers
        .of_operation(op, &here)
        .map_err(|(at, m)| err_at(at, m))?;
    Ok(Operation {
        id,
        method,
        path: path.to_string(),
        pointer: here.clone(),
        summary: text_of(op, "summary"),
        description: text_of(op, "description"),
        params,
        body,
        body_example,
        multipart,
        multipart_example,
        success,
        success_statuses,
        error_statuses,
        error,
        formats: vec![Format::Json],
        retry,
        security: security_of(op).unwrap_or_else(|| global_security.to_vec()),
        pagination,
        idempotency_header,
        request_id_header,
    })
}

/// The document's `x-idempotency-key` and `x-request-id`, which its operations inherit; and
/// the headers a credential travels in, which neither may name.
pub(crate) struct DocHeaders {
    idempotency: Option<String>,
    request_id: Option<String>,
    credentials: Vec<String>,
}

impl DocHeaders {
    /// Reads the document's extensions (`schemes`: its security schemes).
    pub(crate) fn read(spec: &str, doc: &Value, schemes: &[Scheme]) -> Result<DocHeaders, Error> {
        let mut credentials = vec!["authorization".to_string(), "proxy-authorization".into()];
        for s in schemes {
            if let SchemeKind::ApiKeyHeader(h) = &s.kind {
                credentials.push(h.to_ascii_lowercase());
            }
        }
        let mut out = DocHeaders {
            idempotency: None,
            request_id: None,
            credentials,
        };
        let err = |(at, m): (String, String)| Error::spec(spec, m).at(at);
        out.idempotency = out.named(doc, "", IDEMPOTENCY_KEY, false).map_err(err)?;
        out.request_id = out.named(doc, "", REQUEST_ID, false).map_err(err)?;
        Ok(out)
    }

    /// The idempotency header and the request id header of `op` (written at `here`): each its
    /// own, or the document's.
    pub(crate) fn of_operation(
        &self,
        op: &Value,
        here: &str,
    ) -> Result<OpHeaders, (String, String)> {
        let own = |key: &str, document: &Option<String>| match op.get(key) {
            None => Ok(document.clone()),
            Some(_) => self.named(op, here, key, true),
        };
        Ok((
            own(IDEMPOTENCY_KEY, &self.idempotency)?,
            own(REQUEST_ID, &self.request_id)?,
        ))
    }

    /// `key` of `v` (written at `here`): `{header: <name>}`, the name lowercased; on an
    /// operation (`may_disable`) also `false`, for none.
    fn named(
        &self,
        v: &Value,
        here: &str,
        key: &str,
        may_disable: bool,
    ) -> Result<Option<String>, (String, String)> {
        let at = format!("{here}/{key}");
        let header = match v.get(key) {
            None => return Ok(None),
            Some(Value::Bool(false)) if may_disable => return Ok(None),
            Some(x) => {
                if let Some(other) = x
                    .as_object()
                    .and_then(|m| m.keys().find(|k| *k != "header"))
                {
                    return Err((
                        format!("{at}/{}", escape_pointer(other)),
                        format!("{key}.{other} is not a known setting (known: header)"),
                    ));
                }
                str_of(x, "header")
            }
        };
        let Some(header) = header.filter(|h| is_header_name(h)) else {
            let or_false = if may_disable { ", or false" } else { "" };
            return Err((
                at,
                format!("{key} must be {{header: <an HTTP header name>}}{or_false}"),
            ));
        };
        let lower = header.to_ascii_lowercase();
        if self.credentials.contains(&lower) {
            return Err((
                at,
                format!("{key}: {header} is a header that carries a credential"),
            ));
        }
        Ok(Some(lower))
    }
}

/// An operation's idempotency header and request id header.
pub(crate) type OpHeaders = (Option<String>, Option<String>);

/// The extension naming an operation's idempotency header.
const IDEMPOTENCY_KEY: &str = "x-idempotency-key";
/// The extension naming the response header with the provider's request id.
const REQUEST_ID: &str = "x-request-id";

/// Whether `name` is an HTTP header name (an RFC 9110 token).
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// A media type's `example`, or the first of its `examples` (in document order).
fn media_example(content: &Value) -> Option<Value> {
    content.get("example").cloned().or_else(|| {
        content
            .get("examples")
            .and_then(Value::as_object)
            .and_then(|e| e.values().find_map(|x| x.get("value")).cloned())
    })
}

fn collect_refs(name: &str, schemas: &BTreeMap<String, Value>, out: &mut BTreeSet<String>) {
    if !out.insert(name.to_string()) {
        return;
    }
    let mut direct = BTreeSet::new();
    if let Some(s) = schemas.get(name) {
        collect_refs_in(s, &mut direct);
    }
    for r in direct {
        collect_refs(&r, schemas, out);
    }
}

/// Rules every schema must follow so that the generated types are what a payments user needs.
fn check_schema(
    spec_name: &str,
    at: &str,
    pointer: &str,
    s: &Value,
    top: bool,
) -> Result<(), Error> {
    let err = |m: String| Error::spec(spec_name, format!("schema {at}: {m}")).at(pointer);
    if str_of(s, "type") == Some("number") && str_of(s, "format") != Some("decimal") {
        return Err(err(
            "`type: number` must carry `format: decimal` (money is never f64)".into(),
        ));
    }
    if s.get("pattern").is_some() {
        return Err(
            err("`pattern` is not enforced by the generated validation yet".into())
                .at(format!("{pointer}/pattern")),
        );
    }
    if !top && s.get("properties").is_some() {
        return Err(err(
            "inline object with properties: make it a named component schema".into(),
        ));
    }
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        for (p, ps) in props {
            check_schema(
                spec_name,
                &format!("{at}.{p}"),
                &format!("{pointer}/properties/{}", escape_pointer(p)),
                ps,
                false,
            )?;
        }
    }
    if let Some(items) = s.get("items") {
        check_schema(
            spec_name,
            &format!("{at}[]"),
            &format!("{pointer}/items"),
            items,
            false,
        )?;
    }
    if let Some(ap) = s.get("additionalProperties").filter(|v| v.is_object()) {
        check_schema(
            spec_name,
            &format!("{at}{{}}"),
            &format!("{pointer}/additionalProperties"),
            ap,
            false,
        )?;
    }
    Ok(())
}

/// The members of a `oneOf` that only lists `required` names: "exactly one of these is set".
pub fn exactly_one_of(s: &Value) -> Option<Vec<String>> {
    required_lists(s, "oneOf")?
        .into_iter()
        .map(|names| match <[String; 1]>::try_from(names) {
            Ok([name]) => Some(name),
            Err(_) => None,
        })
        .collect()
}

/// The copy of the document progenitor and typify see: our extensions, the keywords we validate
/// ourselves, `default`s, and `oneOf` / `anyOf` rules of `required` names removed, with the
/// removed facts written into the descriptions so they still reach the generated docs.
/// What codegen emits itself is taken out: `multipart/form-data` bodies (and their schemas, and
/// operations that have no other body), and the tag property of tagged-union members (the
/// union's own type writes and reads it).
pub fn clean_for_progenitor(doc: &Value, model: &Api) -> Value {
    let mut doc = doc.clone();
    if let Some(m) = doc.as_object_mut() {
        for ext in OUR_EXTENSIONS {
            m.remove(*ext);
        }
    }
    if let Some(servers) = doc.get_mut("servers").and_then(Value::as_array_mut) {
        for s in servers {
            if let Some(m) = s.as_object_mut() {
                m.remove("x-server-name");
            }
        }
    }
    for op in &model.operations {
        if op.multipart.is_none() {
            continue;
        }
        let Some(item) = doc
            .pointer_mut(&format!("/paths/{}", escape_pointer(&op.path)))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        if op.body.is_none() {
            item.remove(op.method.as_str());
        } else if let Some(content) = item
            .get_mut(op.method.as_str())
            .and_then(|o| o.pointer_mut("/requestBody/content"))
            .and_then(Value::as_object_mut)
        {
            content.remove("multipart/form-data");
        }
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        paths.retain(|_, item| {
            item.as_object()
                .is_some_and(|i| Method::ALL.iter().any(|m| i.contains_key(m.as_str())))
        });
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            if let Some(params) = item.get_mut("parameters") {
                clean_params(params);
            }
            for op in item.values_mut() {
                if let Some(op) = op.as_object_mut() {
                    for ext in OUR_EXTENSIONS {
                        op.remove(*ext);
                    }
                    if let Some(params) = op.get_mut("parameters") {
                        clean_params(params);
                    }
                }
            }
        }
    }
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        schemas.retain(|name, _| !model.multipart_schemas.contains(name));
        for u in &model.unions {
            if let Some(m) = schemas.get_mut(&u.name).and_then(Value::as_object_mut) {
                m.remove("discriminator");
            }
            for (_, member) in &u.variants {
                let Some(m) = schemas.get_mut(member).and_then(Value::as_object_mut) else {
                    continue;
                };
                if let Some(props) = m.get_mut("properties").and_then(Value::as_object_mut) {
                    props.remove(&u.property);
                }
                if let Some(req) = m.get_mut("required").and_then(Value::as_array_mut) {
                    req.retain(|r| r.as_str() != Some(&u.property));
                }
            }
        }
        for s in schemas.values_mut() {
            clean_schema(s);
        }
    }
    autolink_descriptions(&mut doc);
    doc
}

/// Every string `description` in `v`, with bare URLs made autolinks (rustdoc warns about bare
/// URLs, and the descriptions become docs).
fn autolink_descriptions(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                match child {
                    Value::String(text) if k == "description" => *text = autolink(text),
                    _ => autolink_descriptions(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(autolink_descriptions),
        _ => {}
    }
}

/// `text` with each bare `http://` or `https://` URL wrapped in `<` `>`, the Markdown autolink
/// rustdoc accepts. URLs already in angle brackets, in a Markdown link target or in code are
/// left alone; trailing sentence punctuation stays outside.
pub(crate) fn autolink(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut in_code = false;
    while let Some(at) = rest.find(['`', 'h']) {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        if let Some(after) = from.strip_prefix('`') {
            in_code = !in_code;
            out.push('`');
            rest = after;
            continue;
        }
        let is_url = from.starts_with("https://") || from.starts_with("http://");
        let wrapped = out.ends_with(['<', '(']) || in_code;
        if !is_url || wrapped {
            out.push('h');
            rest = &from[1..];
            continue;
        }
        let mut end = from
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ')'))
            .unwrap_or(from.len());
        while end > 0 && from[..end].ends_with(['.', ',', ';', ':', '!', '?']) {
            end -= 1;
        }
        out.push('<');
        out.push_str(&from[..end]);
        out.push('>');
        rest = &from[end..];
    }
    out.push_str(rest);
    out
}

fn clean_params(params: &mut Value) {
    for p in params.as_array_mut().into_iter().flatten() {
        if let Some(s) = p.get_mut("schema") {
            clean_schema(s);
        }
    }
}

fn clean_schema(s: &mut Value) {
    let one_of = exactly_one_of(s);
    let groups = required_groups(s);
    let uniform = uniform_items(s);
    let Some(m) = s.as_object_mut() else { return };
    let mut notes = Vec::new();
    if let Some(names) = one_of {
        m.remove("oneOf");
        let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        notes.push(format!("Exactly one of {} is set.", names.join(", ")));
    }
    if let Some(groups) = groups {
        m.remove("anyOf");
        let groups: Vec<String> = groups
            .iter()
            .map(|g| {
                let names: Vec<String> = g.iter().map(|n| format!("`{n}`")).collect();
                names.join(" and ")
            })
            .collect();
        notes.push(format!(
            "At least one of these is complete (checked before sending): {}.",
            groups.join("; or ")
        ));
    }
    if uniform.is_some() {
        m.remove("anyOf");
        notes.push("All items are of one kind (checked before sending).".to_string());
    }
    for ext in OUR_EXTENSIONS {
        m.remove(*ext);
    }
    let limits = describe_limits(m);
    if !limits.is_empty() {
        notes.push(format!("Limits (checked before sending): {limits}."));
    }
    for k in VALIDATION_KEYWORDS {
        m.remove(*k);
    }
    if let Some(d) = m.remove("default") {
        notes.push(format!(
            "Default when absent (applied by the service): `{d}`."
        ));
    }
    if !notes.is_empty() {
        let base = m
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim()
            .to_string();
        let mut text = base;
        for n in notes {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(&n);
        }
        m.insert("description".into(), Value::String(text));
    }
    for key in ["properties"] {
        if let Some(props) = m.get_mut(key).and_then(Value::as_object_mut) {
            for p in props.values_mut() {
                clean_schema(p);
            }
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(c) = m.get_mut(key).filter(|v| v.is_object()) {
            clean_schema(c);
        }
    }
    // A `$ref` with siblings is a reference in OpenAPI 3.0: the siblings are ignored anyway.
    if m.contains_key("$ref") {
        m.retain(|k, _| k == "$ref");
    }
}

/// Human-readable limits of a schema (for docs).
pub fn describe_limits(m: &Map<String, Value>) -> String {
    let mut out = Vec::new();
    let excl = |k: &str| m.get(k).and_then(Value::as_bool).unwrap_or(false);
    if let Some(v) = m.get("minLength") {
        out.push(format!("at least {v} characters"));
    }
    if let Some(v) = m.get("maxLength") {
        out.push(format!("at most {v} characters"));
    }
    if let Some(v) = m.get("minimum") {
        out.push(if excl("exclusiveMinimum") {
            format!("greater than {v}")
        } else {
            format!("at least {v}")
        });
    }
    if let Some(v) = m.get("maximum") {
        out.push(if excl("exclusiveMaximum") {
            format!("less than {v}")
        } else {
            format!("at most {v}")
        });
    }
    if let Some(v) = m.get("minItems") {
        out.push(format!("at least {v} items"));
    }
    if let Some(v) = m.get("maxItems") {
        out.push(format!("at most {v} items"));
    }
    out.join(", ")
}

#[cfg(test)]
mod autolink_tests {
    use super::autolink;

    #[test]
    fn bare_urls_become_autolinks() {
        assert_eq!(
            autolink(r#"Example "https://store.example.com/cancel"."#),
            r#"Example "<https://store.example.com/cancel>"."#
        );
        assert_eq!(
            autolink("See http://a.example/x?y=1, then go."),
            "See <http://a.example/x?y=1>, then go."
        );
        for kept in [
            "<https://a.example>",
            "[docs](https://a.example)",
            "`https://a.example`",
            "no url here, hello",
            "",
        ] {
            assert_eq!(autolink(kept), kept);
        }
    }
}
