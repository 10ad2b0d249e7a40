//! The example in every DataContract operation's docs: the request contract built from the spec's
//! example (`requestBody.content.application/json.example`, the contract as JSON) with the
//! contracts' `new` and `with_` setters, then the call. It compiles as a doctest (`no_run`: it
//! needs a server).
//!
//! The client's own member (the authentication key) is never set. A member the builder cannot
//! spell (a collection) makes the example read the request from its JSON instead; an operation
//! without an example says so.

use super::types::{area_module, field_name};
use crate::model::{Class, Contracts, Example, MemberDef, QName, TypeRef};

/// The Markdown of the example for the method `method`, whose request contract is `request`.
pub(crate) fn operation_example(
    c: &Contracts,
    krate: &str,
    method: &str,
    request: &QName,
    auth_member: &str,
    example: Option<&Example>,
) -> String {
    let Some(class) = c.classes.get(request) else {
        return String::new();
    };
    let path = class_path(class);
    let built = example
        .and_then(Example::as_object)
        .and_then(|o| class_expr(c, class, o, auth_member, 0));
    let request_line = match (built, example) {
        (Some(expr), _) => format!("let request = {expr};"),
        (None, Some(json)) => format!(
            "let request: {path} = serde_json::from_str(r#\"{}\"#)?;",
            serde_json::to_string_pretty(json).unwrap_or_default()
        ),
        (None, None) => format!(
            "// The spec has no example: build the request with `{path}::new` and its `with_` setters.\nlet request = {path}::new();"
        ),
    };
    // The contract modules the example names, imported once.
    let mut areas: Vec<String> = c
        .classes
        .values()
        .map(|k| area_module(&k.area))
        .chain(c.enums.values().map(|e| area_module(&e.area)))
        .filter(|a| names_module(&request_line, a))
        .collect();
    areas.sort();
    areas.dedup();
    let uses = match areas.as_slice() {
        [one] => format!("use {krate}::contracts::{one};\n\n"),
        many => format!("use {krate}::contracts::{{{}}};\n\n", many.join(", ")),
    };
    format!(
        "\n\n# Example\n\n```no_run\n# async fn example(client: &{krate}::Client) -> Result<(), Box<dyn std::error::Error>> {{\n{uses}{request_line}\nlet response = client.{method}(request).await?;\nprintln!(\"{{response:?}}\");\n# Ok(())\n# }}\n```"
    )
}

/// Whether `code` has a path that starts with the module `module` (`module::`, not preceded by
/// another identifier character).
fn names_module(code: &str, module: &str) -> bool {
    let needle = format!("{module}::");
    code.match_indices(&needle).any(|(at, _)| {
        !code[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
    })
}

/// `area::Name`: the example imports the contract modules it uses.
fn class_path(class: &Class) -> String {
    format!("{}::{}", area_module(&class.area), class.name)
}

/// `Path::new()` and one `.with_member(..)` per member the example sets (not null), in wire
/// order; `None` when a member cannot be spelled.
fn class_expr(
    c: &Contracts,
    class: &Class,
    members: &serde_json::Map<String, Example>,
    skip: &str,
    indent: usize,
) -> Option<String> {
    let mut expr = format!("{}::new()", class_path(class));
    for m in c.all_members(class) {
        if m.name == skip {
            continue;
        }
        let Some(v) = members.get(&m.name).filter(|v| !v.is_null()) else {
            continue;
        };
        let arg = member_expr(c, &m, v, indent + 4)?;
        let setter = crate::ast::setter_name(&field_name(&m.name));
        expr.push_str(&format!("\n{}.{setter}({arg})", " ".repeat(indent + 4)));
    }
    Some(expr)
}

fn member_expr(c: &Contracts, m: &MemberDef, v: &Example, indent: usize) -> Option<String> {
    match (&m.ty, v) {
        (TypeRef::String, Example::String(s)) => Some(format!("{s:?}")),
        (TypeRef::Int, Example::Number(n)) => {
            let n = i32::try_from(n.as_i64()?).ok()?;
            Some(format!("{n}i32"))
        }
        (TypeRef::Decimal, Example::Number(n)) => crate::emit::decimal_expr(&n.to_string()),
        (TypeRef::Bool, Example::Bool(b)) => Some(b.to_string()),
        (TypeRef::DateTime, Example::String(s)) => {
            Some(format!("{s:?}.parse::<payspec_runtime::DateTime>()?"))
        }
        (TypeRef::Enum(q), v) => {
            let e = c.enums.get(q)?;
            let name = match v {
                // Json.NET writes an enum as its integer, XML as its name.
                Example::Number(n) => {
                    let n = n.as_i64()?;
                    &e.values
                        .iter()
                        .find(|(_, value, _)| i64::from(*value) == n)?
                        .0
                }
                Example::String(s) => &e.values.iter().find(|(name, _, _)| name == s)?.0,
                _ => return None,
            };
            Some(format!("{}::{}::{name}", area_module(&e.area), e.name))
        }
        (TypeRef::Class(q), Example::Object(o)) => class_expr(c, c.classes.get(q)?, o, "", indent),
        _ => None,
    }
}
