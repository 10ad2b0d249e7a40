//! The operations of a DataContract provider, from its OpenAPI document, and the complete
//! document with `components.schemas` derived from the XSDs.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::Input;
use crate::Error;
use crate::model::{Api, DcsClient, Format, Method, Operation, Recovery, ResponseCode, Retry};
use crate::model::{Contracts, QName, TypeRef};
use crate::source::escape_pointer;
use crate::spec::{DocHeaders, ref_name, str_of};

fn body_ref(v: Option<&Value>, what: &str) -> Result<String, String> {
    let content = v
        .and_then(|b| b.get("content"))
        .ok_or(format!("{what} has no content"))?;
    let json = content
        .get("application/json")
        .and_then(|c| c.get("schema"))
        .and_then(ref_name)
        .ok_or(format!(
            "{what}: application/json must be a $ref to a contract"
        ))?;
    let xml = content
        .get("application/xml")
        .and_then(|c| c.get("schema"))
        .and_then(ref_name)
        .ok_or(format!(
            "{what}: application/xml must be a $ref to a contract"
        ))?;
    if json != xml {
        return Err(format!("{what}: JSON and XML name different contracts"));
    }
    Ok(json.to_string())
}

/// Reads the operations, checking every contract they name exists in the XSDs and has the
/// members `x-dcs-client` names (the keys `x-dcs-client` may hold are checked with the whole
/// document, `check.rs`).
pub fn read(
    spec: &str,
    doc: &Value,
    contracts: &Contracts,
    qualified: &BTreeMap<String, QName>,
) -> Result<Api, Error> {
    let err = |m: String| Error::spec(spec, m);
    if doc.pointer("/components/schemas").is_some() {
        return Err(err(
            "components.schemas must not be written by hand: it is derived from the XSDs".into(),
        ));
    }
    let client = doc
        .get("x-dcs-client")
        .ok_or_else(|| err("x-dcs-client is required".into()))?;
    let setting = |k: &str| {
        str_of(client, k)
            .map(str::to_string)
            .ok_or_else(|| err(format!("x-dcs-client.{k} is required")).at("/x-dcs-client"))
    };
    let (auth_member, code_member, message_member, success) = (
        setting("authentication")?,
        setting("response-code")?,
        setting("response-message")?,
        setting("success")?,
    );
    let info = doc.get("info").unwrap_or(&Value::Null);
    let title = str_of(info, "title").unwrap_or("API").to_string();
    let error_type = match client.get("error-type") {
        None => derived_error_type(&title),
        Some(v) => v
            .as_str()
            .filter(|t| is_type_name(t))
            .ok_or_else(|| {
                err("x-dcs-client.error-type must be a Rust type name (UpperCamelCase)".into())
                    .at("/x-dcs-client/error-type")
            })?
            .to_string(),
    };
    let servers = crate::spec::read_servers(spec, doc)?;
    if servers.is_empty() {
        return Err(err("at least one server is required".into()));
    }
    let has_member = |contract: &str, member: &str| -> bool {
        qualified
            .get(contract)
            .and_then(|q| contracts.classes.get(q))
            .map(|c| {
                contracts
                    .all_members(c)
                    .iter()
                    .any(|m| m.name == member && m.ty == TypeRef::String)
            })
            .unwrap_or(false)
    };
    // The key travels in the body: no header carries a credential.
    let headers = DocHeaders::read(spec, doc, &[])?;
    let mut operations = Vec::new();
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| err("no paths".into()))?;
    for (path, item) in paths {
        let item = item
            .as_object()
            .ok_or_else(|| err(format!("{path}: not an object")))?;
        for (method, op) in item {
            let at = format!("/paths/{}/{}", escape_pointer(path), escape_pointer(method));
            if method != "post" {
                return Err(err(format!("{path}: only POST operations are supported")).at(at));
            }
            let id = str_of(op, "operationId")
                .ok_or_else(|| err(format!("{path}: operationId is required")).at(at))?
                .to_string();
            let here = format!("/paths/{}/post", escape_pointer(path));
            let oerr = |m: String| Error::operation(spec, &id, m).at(here.clone());
            let request = body_ref(op.get("requestBody"), "requestBody")
                .map_err(|m| oerr(m).at(format!("{here}/requestBody")))?;
            let response = body_ref(op.pointer("/responses/200"), "response 200")
                .map_err(|m| oerr(m).at(format!("{here}/responses/200")))?;
            for c in [&request, &response] {
                if !qualified.contains_key(c) {
                    return Err(oerr(format!(
                        "contract {c} is not a complexType of the XSDs"
                    )));
                }
            }
            if !has_member(&request, &auth_member) {
                return Err(oerr(format!(
                    "request {request} has no string member {auth_member}"
                )));
            }
            if !has_member(&response, &code_member) || !has_member(&response, &message_member) {
                return Err(oerr(format!(
                    "response {response} lacks the string members {code_member} / {message_member}"
                )));
            }
            let flag = |k: &str| op.get(k).and_then(Value::as_bool).unwrap_or(false);
            let retry = match (flag("x-idempotent"), flag("x-moves-money")) {
                (true, true) => {
                    return Err(oerr(
                        "x-moves-money operations cannot be x-idempotent".into(),
                    ));
                }
                (_, true) => Retry::MovesMoney,
                (true, false) => Retry::Idempotent,
                (false, false) => Retry::Once,
            };
            let (idempotency_header, request_id_header) = headers
                .of_operation(op, &here)
                .map_err(|(at, m)| oerr(m).at(at))?;
            operations.push(Operation {
                method: Method::Post,
                pointer: here.clone(),
                path: path.clone(),
                summary: str_of(op, "summary").unwrap_or_default().trim().to_string(),
                description: str_of(op, "description")
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
                params: Vec::new(),
                body: Some(request),
                body_example: op
                    .pointer("/requestBody/content/application~1json/example")
                    .cloned(),
                multipart: None,
                multipart_example: None,
                success: Some(response),
                formats: vec![Format::Json, Format::Xml],
                success_statuses: vec![200],
                error_statuses: Vec::new(),
                error: None,
                retry,
                security: Vec::new(),
                pagination: None,
                idempotency_header,
                request_id_header,
                id,
            });
        }
    }
    let mut ids: Vec<&str> = operations.iter().map(|o| o.id.as_str()).collect();
    ids.sort();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(err(format!("operationId {} is used twice", w[0])));
    }
    let recovery = match client.get("recovery") {
        None => None,
        Some(r) => Some(
            read_recovery(spec, r, &operations, &has_member)
                .map_err(|e| e.at("/x-dcs-client/recovery"))?,
        ),
    };
    let mut response_codes = Vec::new();
    for (i, c) in doc
        .get("x-response-codes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = format!("/x-response-codes/{i}");
        let code = str_of(c, "code")
            .ok_or_else(|| err("x-response-codes: every entry needs a code".into()).at(&at))?;
        if response_codes.iter().any(|r: &ResponseCode| r.code == code) {
            return Err(err(format!("x-response-codes: {code} is listed twice")).at(at));
        }
        response_codes.push(ResponseCode {
            code: code.to_string(),
            description: str_of(c, "description")
                .unwrap_or_default()
                .trim()
                .to_string(),
            operations: c
                .get("operations")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
        });
    }
    if !response_codes.iter().any(|r| r.code == success) {
        return Err(err(format!(
            "x-response-codes must list the success code {success}"
        ))
        .at("/x-response-codes"));
    }
    Ok(Api {
        title,
        description: str_of(info, "description")
            .unwrap_or_default()
            .trim()
            .to_string(),
        version: str_of(info, "version").unwrap_or_default().to_string(),
        servers,
        operations,
        dcs: Some(DcsClient {
            response_codes,
            auth_member,
            code_member,
            message_member,
            success,
            error_type,
            recovery,
        }),
        ..Api::default()
    })
}

/// `x-dcs-client.recovery`, checked against the operations: the look-up exists and its request
/// has the member as a string.
fn read_recovery(
    spec: &str,
    r: &Value,
    operations: &[Operation],
    has_member: &dyn Fn(&str, &str) -> bool,
) -> Result<Recovery, Error> {
    let err = |m: String| Error::spec(spec, format!("x-dcs-client.recovery: {m}"));
    let field = |k: &str| {
        str_of(r, k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| err(format!("{k} is required")))
    };
    let (operation, member, guidance) = (field("operation")?, field("member")?, field("guidance")?);
    let lookup = operations
        .iter()
        .find(|o| o.id == operation)
        .ok_or_else(|| {
            err(format!(
                "operation {operation} is not an operationId of this spec"
            ))
            .at("/x-dcs-client/recovery/operation")
        })?;
    let request = super::request_of(lookup);
    if !has_member(request, &member) {
        return Err(err(format!(
            "the request of {operation} ({request}) has no string member {member}"
        )));
    }
    if !guidance.contains("{operation}") {
        return Err(err(
            "guidance must name the look-up as {operation} (it becomes a link to the method)"
                .into(),
        ));
    }
    Ok(Recovery {
        operation,
        member,
        guidance,
    })
}

/// The error type's name from the API title: its last word, UpperCamelCase, and `Error`.
fn derived_error_type(title: &str) -> String {
    let last = title
        .split(|c: char| !c.is_alphanumeric())
        .rfind(|w| !w.is_empty())
        .unwrap_or("Api");
    let mut name = heck::ToUpperCamelCase::to_upper_camel_case(last);
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name.insert_str(0, "Api");
    }
    name.push_str("Error");
    name
}

/// An UpperCamelCase Rust identifier.
fn is_type_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

fn qualified_of(input: &Input, q: &QName) -> String {
    input
        .qualified
        .iter()
        .find(|(_, v)| *v == q)
        .map(|(k, _)| k.clone())
        .unwrap_or_default()
}

/// The JSON schema of a member's JSON form.
fn member_schema(input: &Input, m: &crate::model::MemberDef) -> Value {
    let c = input.contracts;
    let nullable = m.nillable;
    let mut s = match &m.ty {
        TypeRef::String => json!({"type": "string"}),
        TypeRef::Int => json!({"type": "integer", "format": "int32"}),
        TypeRef::Decimal => json!({"type": "number", "format": "decimal"}),
        TypeRef::DateTime => json!({
            "type": "string",
            "description": "xs:dateTime: YYYY-MM-DDTHH:MM:SS, optional fraction (up to 7 digits) and optional Z or ±HH:MM offset",
            "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,7})?(Z|[+-]\\d{2}:\\d{2})?$",
            "example": "2019-11-19T10:52:07"
        }),
        TypeRef::Bool => json!({"type": "boolean"}),
        TypeRef::Enum(q) => {
            let e = &c.enums[q];
            json!({
                "type": "integer",
                "format": "int32",
                "enum": e.values.iter().map(|v| v.1).collect::<Vec<_>>(),
                "x-enum-varnames": e.values.iter().map(|v| v.0.clone()).collect::<Vec<_>>(),
            })
        }
        TypeRef::Class(q) => {
            let r = format!("#/components/schemas/{}", qualified_of(input, q));
            return if nullable {
                json!({"allOf": [{"$ref": r}], "nullable": true})
            } else {
                json!({"$ref": r})
            };
        }
        TypeRef::Array(q) => {
            let a = &c.arrays[q];
            let item = match &a.item {
                TypeRef::String => json!({"type": "string", "nullable": a.item_nillable}),
                TypeRef::Enum(e) => {
                    let e = &c.enums[e];
                    json!({"type": "integer", "format": "int32", "enum": e.values.iter().map(|v| v.1).collect::<Vec<_>>()})
                }
                TypeRef::Class(k) => {
                    let r = format!("#/components/schemas/{}", qualified_of(input, k));
                    json!({"allOf": [{"$ref": r}], "nullable": a.item_nillable})
                }
                _ => json!({}),
            };
            json!({"type": "array", "items": item})
        }
    };
    if let Some(o) = s.as_object_mut() {
        if nullable {
            o.insert("nullable".into(), Value::Bool(true));
        }
        if let Some(d) = m
            .default
            .as_deref()
            .and_then(|d| serde_json::from_str::<Value>(d).ok())
        {
            o.insert("default".into(), d);
        }
        if let Some(d) = &m.doc
            && !o.contains_key("description")
        {
            o.insert("description".into(), Value::String(d.clone()));
        }
    }
    s
}

/// The complete OpenAPI document: the curated one with `components.schemas` derived from the
/// XSDs (each contract's JSON form, members flattened base first, XML name and namespace).
pub fn derived_document(input: &Input, doc: &Value) -> Result<String, String> {
    let mut schemas = Map::new();
    for (qn, q) in &input.qualified {
        let class = &input.contracts.classes[q];
        let mut props = Map::new();
        for m in input.contracts.all_members(class) {
            props.insert(m.name.clone(), member_schema(input, &m));
        }
        let mut s = json!({
            "type": "object",
            "properties": props,
            "xml": {"name": class.name, "namespace": class.ns},
        });
        if let Some(d) = &class.doc {
            s["description"] = Value::String(d.clone());
        }
        schemas.insert(qn.clone(), s);
    }
    let mut full = doc.clone();
    let obj = full
        .as_object_mut()
        .ok_or("the document is not an object")?;
    let components = obj
        .entry("components")
        .or_insert_with(|| Value::Object(Map::new()));
    components
        .as_object_mut()
        .ok_or("components is not an object")?
        .insert("schemas".into(), Value::Object(schemas));
    if let Some(info) = obj.get_mut("info").and_then(Value::as_object_mut) {
        info.insert(
            "x-generated".into(),
            Value::String(format!(
                "@generated by `cargo xtask codegen` from {} and its XSDs (components.schemas derived). Do not edit.",
                input.spec_path
            )),
        );
    }
    let mut text = serde_json::to_string_pretty(&full).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_type_names_derive_from_the_title() {
        assert_eq!(derived_error_type("Globex PayOne"), "PayOneError");
        assert_eq!(derived_error_type("acme payments"), "PaymentsError");
        assert_eq!(derived_error_type("Pay-2000"), "Api2000Error");
        assert_eq!(derived_error_type(""), "ApiError");
        assert!(is_type_name("AcmeError"));
        assert!(!is_type_name("acme_error"));
    }
}
