//! The example in every operation's docs: a call of the method with its parameters and its
//! request body built from the spec's example values, the body with the types' `new` and `with_`
//! setters. It compiles as a doctest (`no_run`: it needs a server).
//!
//! A body value the builder cannot spell (a tagged union, a map, a date-time, an example that
//! leaves out a required member) is read from the example's JSON instead; an operation whose body
//! has no example says so and builds nothing.

use heck::ToSnakeCase;

use super::common::{Context, field_ident, ordered_params};
use crate::model::{Example, Operation, Ty};

/// The Markdown of the example for `op`'s typed method: a heading and a `no_run` block.
pub(crate) fn operation_example(ctx: &Context, op: &Operation) -> String {
    let krate = ctx.package.replace('-', "_");
    let mut body_lines = Vec::new();
    let mut uses_types = false;
    let mut args = param_args(op);
    if let Some(body) = &op.body {
        uses_types = true;
        // The operation's own example, else the body schema's.
        let example = op
            .body_example
            .as_ref()
            .or_else(|| ctx.model.types.get(body).and_then(|s| s.example.as_ref()));
        let built = example.and_then(|v| build(ctx, body, v, 0));
        match (built, example) {
            (Some(expr), _) => body_lines.push(format!("let body = {expr};")),
            (None, Some(example)) => {
                let json = serde_json::to_string_pretty(example).unwrap_or_default();
                body_lines.push(format!(
                    "let body: types::{body} = serde_json::from_str(r#\"{json}\"#)?;"
                ));
            }
            (None, None) => {
                body_lines.push(format!(
                    "// The spec has no example body: build one with `types::{body}::new` and its `with_` setters."
                ));
                body_lines.push(format!("# let body: types::{body} = unimplemented!();"));
            }
        }
        args.push("&body".to_string());
    }
    let call = format!("client.{}({}).await?", op.rust_name(), args.join(", "));
    let call = match &op.success {
        Some(output) => {
            let name = output.to_snake_case();
            format!("let {name} = {call};\nprintln!(\"{{{name}:?}}\");")
        }
        None => format!("{call};"),
    };
    let uses = if uses_types {
        format!("use {krate}::types;\n\n")
    } else {
        String::new()
    };
    let body = if body_lines.is_empty() {
        String::new()
    } else {
        format!("{}\n", body_lines.join("\n"))
    };
    format!(
        "\n\n# Example\n\n```no_run\n# async fn example(client: &{krate}::Client) -> Result<(), Box<dyn std::error::Error>> {{\n{uses}{body}{call}\n# Ok(())\n# }}\n```"
    )
}

/// The Markdown of the example for `op`'s multipart method: the form built from the form
/// schema's example (`multipart/form-data` `example` or first `examples`) with its `new` and
/// `with_` setters; a file part is read from a path.
pub(crate) fn multipart_example(ctx: &Context, op: &Operation, form: &str) -> String {
    let krate = ctx.package.replace('-', "_");
    let mut args = param_args(op);
    let example = op.multipart_example.as_ref().and_then(Example::as_object);
    let schema = ctx.model.types.get(form);
    let object = schema.and_then(|s| s.object.as_ref());
    let mut new_args = Vec::new();
    let mut setters = String::new();
    for property in object.map(|o| o.properties.as_slice()).unwrap_or_default() {
        let required = schema.is_some_and(|s| s.required.contains(&property.name));
        let value = example
            .and_then(|e| e.get(&property.name))
            .filter(|v| !v.is_null());
        let expr = match value {
            Some(v) => part_expr(&krate, &property.ty, v),
            None if required => Some(part_placeholder(&krate, &property.ty, &property.name)),
            None => None,
        };
        let Some(expr) = expr else { continue };
        if required {
            new_args.push(expr);
        } else {
            let setter = crate::ast::setter_name(&field_ident(&property.name));
            setters.push_str(&format!("\n    .{setter}({expr})"));
        }
    }
    args.push("form".to_string());
    let method = op.multipart_method_name();
    let output = op.success.as_deref().unwrap_or("response").to_snake_case();
    format!(
        "\n\n# Example\n\n```no_run\n# async fn example(client: &{krate}::Client) -> Result<(), Box<dyn std::error::Error>> {{\nuse {krate}::multipart::{form};\n\nlet form = {form}::new({}){setters};\nlet {output} = client.{method}({}).await?;\nprintln!(\"{{{output}:?}}\");\n# Ok(())\n# }}\n```",
        new_args.join(", "),
        args.join(", ")
    )
}

/// One multipart part's value: text, an `i64`, a decimal, a boolean, a date-time, or a file
/// read from a path (the example's value stands for the file's content).
fn part_expr(krate: &str, ty: &Ty, value: &Example) -> Option<String> {
    match (ty, value) {
        (Ty::Array { items, .. }, Example::Array(values)) => {
            let items = values
                .iter()
                .map(|v| part_expr(krate, items, v))
                .collect::<Option<Vec<_>>>()?;
            Some(format!("vec![{}]", items.join(", ")))
        }
        (Ty::String { format, .. }, _) if format.as_deref() == Some("binary") => {
            Some(format!("{krate}::FilePart::from_path(\"invoice.pdf\")"))
        }
        (Ty::String { format, .. }, Example::String(s))
            if format.as_deref() == Some("date-time") =>
        {
            Some(format!("{s:?}.parse::<payspec_runtime::DateTime>()?"))
        }
        (Ty::String { .. }, Example::String(s)) => Some(format!("{s:?}")),
        (Ty::Integer { .. }, Example::Number(n)) if n.is_i64() => Some(format!("{n}i64")),
        (Ty::Number { .. }, Example::Number(n)) => decimal_expr(&n.to_string()),
        (Ty::Boolean, Example::Bool(b)) => Some(b.to_string()),
        _ => None,
    }
}

/// A required part the example does not give: a file from a path, else a placeholder text.
fn part_placeholder(krate: &str, ty: &Ty, name: &str) -> String {
    match ty {
        Ty::String { format, .. } if format.as_deref() == Some("binary") => {
            format!("{krate}::FilePart::from_path(\"file\")")
        }
        _ => format!("{:?}", name.to_snake_case()),
    }
}

/// The method's parameter arguments, from their examples ([`ordered_params`] order).
fn param_args(op: &Operation) -> Vec<String> {
    ordered_params(op)
        .iter()
        .map(|p| {
            let value = match (&p.ty, &p.example) {
                (Ty::String { .. }, Some(Example::String(s))) => format!("{s:?}"),
                (Ty::Integer { .. }, Some(Example::Number(n))) if n.is_i64() => n.to_string(),
                (Ty::String { .. }, _) => format!("{:?}", p.name.to_snake_case()),
                _ => "1".to_string(),
            };
            match (p.required, &p.example) {
                (true, _) => value,
                (false, Some(_)) => format!("Some({value})"),
                (false, None) => "None".to_string(),
            }
        })
        .collect()
}

/// The Rust expression of `value` as a `ty` (normalized type text, as inside `types`), or `None`
/// when it cannot be spelled with constructors and literals. `indent` is the indentation of the
/// line the expression starts on.
fn build(ctx: &Context, ty: &str, value: &Example, indent: usize) -> Option<String> {
    if let Some(inner) = generic(ty, "::std::option::Option<")
        .or_else(|| generic(ty, "::payspec_runtime::Nullable<"))
    {
        return build(ctx, inner, value, indent);
    }
    if let Some(inner) = generic(ty, "::std::vec::Vec<") {
        let items = value
            .as_array()?
            .iter()
            .map(|v| build(ctx, inner, v, indent + 4))
            .collect::<Option<Vec<_>>>()?;
        let one_line = format!("vec![{}]", items.join(", "));
        if one_line.len() <= 60 && !one_line.contains('\n') {
            return Some(one_line);
        }
        let pad = " ".repeat(indent + 4);
        let lines: Vec<String> = items.iter().map(|i| format!("{pad}{i},\n")).collect();
        return Some(format!("vec![\n{}{}]", lines.concat(), " ".repeat(indent)));
    }
    match (ty, value) {
        ("::std::string::String" | "::payspec_runtime::SecretString", Example::String(s)) => {
            Some(format!("{s:?}"))
        }
        ("bool", Example::Bool(b)) => Some(b.to_string()),
        ("i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64", Example::Number(n))
            if n.is_i64() || n.is_u64() =>
        {
            Some(format!("{n}{ty}"))
        }
        ("::rust_decimal::Decimal", Example::Number(n)) => decimal_expr(&n.to_string()),
        (name, Example::String(s)) if ctx.model.open_enums.iter().any(|e| e.name == name) => {
            Some(format!("types::{name}::from({s:?})"))
        }
        (name, Example::Object(members)) => {
            let fields = ctx.structs.get(name)?;
            let mut args = Vec::new();
            for f in fields.iter().filter(|f| f.in_new) {
                let v = members.get(&f.json).filter(|v| !v.is_null())?;
                args.push(build(ctx, &f.ty, v, indent)?);
            }
            let mut expr = format!("types::{name}::new({})", args.join(", "));
            for f in fields.iter().filter(|f| !f.in_new) {
                let setter = crate::ast::setter_name(&f.ident);
                let Some(v) = members.get(&f.json).filter(|v| !v.is_null()) else {
                    // An example's `null` for a three-state member is sent as `null`.
                    if f.nullable && members.get(&f.json).is_some_and(Example::is_null) {
                        let null = crate::ast::null_setter_name(&f.ident);
                        expr.push_str(&format!("\n{}.{null}()", " ".repeat(indent + 4)));
                    }
                    continue;
                };
                let arg = build(ctx, &f.ty, v, indent + 4)?;
                expr.push_str(&format!("\n{}.{setter}({arg})", " ".repeat(indent + 4)));
            }
            Some(expr)
        }
        _ => None,
    }
}

/// The `T` of `ty` when it is `prefix` + `T>`.
fn generic<'a>(ty: &'a str, prefix: &str) -> Option<&'a str> {
    ty.strip_prefix(prefix)?.strip_suffix('>')
}

/// `rust_decimal::Decimal::new(mantissa, scale)` for a JSON number's text, keeping its scale
/// (`10.5` is `Decimal::new(105, 1)`); `None` for an exponent form.
pub(crate) fn decimal_expr(text: &str) -> Option<String> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if !int
        .trim_start_matches('-')
        .bytes()
        .all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mantissa: i64 = format!("{int}{frac}").parse().ok()?;
    Some(format!(
        "rust_decimal::Decimal::new({mantissa}, {})",
        frac.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::decimal_expr as decimal;

    #[test]
    fn decimals_keep_their_scale() {
        assert_eq!(
            decimal("10.5").as_deref(),
            Some("rust_decimal::Decimal::new(105, 1)")
        );
        assert_eq!(
            decimal("100").as_deref(),
            Some("rust_decimal::Decimal::new(100, 0)")
        );
        assert_eq!(
            decimal("-0.25").as_deref(),
            Some("rust_decimal::Decimal::new(-25, 2)")
        );
        assert_eq!(decimal("1e5"), None);
    }
}
