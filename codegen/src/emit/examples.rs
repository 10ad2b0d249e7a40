//! The example in every operation's docs: a call of the method with its parameters and its
//! request body built from the spec's example values, the body with the types' `new` and `with_`
//! setters. It compiles as a doctest (`no_run`: it needs a server).
//!
//! A body value the builder cannot spell (a tagged union, a map, a date-time, an example that
//! leaves out a required member) is read from the example's JSON instead; an operation whose body
//! has no example says so and builds nothing.

use heck::ToSnakeCase;

use super::common::{Context, ordered_params};
use crate::model::{Example, Operation, Ty};

/// The Markdown of the example for `op`'s typed method: a heading and a `no_run` block.
pub(crate) fn operation_example(ctx: &Context, op: &Operation) -> String {
    let krate = ctx.package.replace('-', "_");
    let mut body_lines = Vec::new();
    let mut uses_types = false;
    let mut args: Vec<String> = ordered_params(op)
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
        .collect();
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

/// The Rust expression of `value` as a `ty` (normalized type text, as inside `types`), or `None`
/// when it cannot be spelled with constructors and literals. `indent` is the indentation of the
/// line the expression starts on.
fn build(ctx: &Context, ty: &str, value: &Example, indent: usize) -> Option<String> {
    if let Some(inner) = generic(ty, "::std::option::Option<") {
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
                let Some(v) = members.get(&f.json).filter(|v| !v.is_null()) else {
                    continue;
                };
                let arg = build(ctx, &f.ty, v, indent + 4)?;
                let setter = f.ident.to_string();
                let setter = setter.trim_start_matches("r#");
                expr.push_str(&format!(
                    "\n{}.with_{setter}({arg})",
                    " ".repeat(indent + 4)
                ));
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
