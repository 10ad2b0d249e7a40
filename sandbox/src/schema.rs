//! Request checks derived from a provider's OpenAPI document, so the sandbox restates nothing
//! by hand: missing required members and members of the wrong JSON type are reported by their
//! path (`order_lines[0].quantity`), from the same spec the clients are generated from. The
//! spec's limits (lengths, ranges, either-or rules) are then checked with the generated
//! `Validate`; `oneOf` choices are left to the generated types' decoders.

use serde_json::{Map, Value};

/// The component schemas of one OpenAPI document.
#[derive(Debug)]
pub struct Schemas(Map<String, Value>);

/// One problem: the member's path and what is wrong with it.
pub type Problem = (String, String);

impl Schemas {
    /// The component schemas of the OpenAPI document `yaml`.
    pub fn from_yaml(yaml: &str) -> Result<Schemas, String> {
        let doc: Value = serde_yaml::from_str(yaml).map_err(|e| e.to_string())?;
        doc.pointer("/components/schemas")
            .and_then(Value::as_object)
            .cloned()
            .map(Schemas)
            .ok_or_else(|| "the document has no components.schemas".to_owned())
    }

    /// The problems of `value` against the component schema `name`, ordered by path. Enum
    /// values are checked even for open enums: the simulated server knows every value it
    /// accepts.
    pub fn check(&self, name: &str, value: &Value) -> Vec<Problem> {
        let mut out = Vec::new();
        if let Some(s) = self.0.get(name) {
            self.check_at(s, value, "", &mut out);
        }
        out.sort();
        out
    }

    fn resolve<'a>(&'a self, mut s: &'a Value) -> &'a Value {
        // A bounded walk: a `$ref` cycle without content cannot loop.
        for _ in 0..16 {
            let Some(target) = s
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .and_then(|r| self.0.get(r))
            else {
                break;
            };
            s = target;
        }
        s
    }

    fn check_at(&self, s: &Value, value: &Value, path: &str, out: &mut Vec<Problem>) {
        let s = self.resolve(s);
        let problem: Option<String> = match s.get("type").and_then(Value::as_str) {
            Some("object") => {
                let Some(object) = value.as_object() else {
                    out.push((path.to_owned(), "must be an object".to_owned()));
                    return;
                };
                let required = s.get("required").and_then(Value::as_array);
                for r in required.into_iter().flatten().filter_map(Value::as_str) {
                    if object.get(r).is_none_or(Value::is_null) {
                        out.push((join(path, r), "is required".to_owned()));
                    }
                }
                let properties = s.get("properties").and_then(Value::as_object);
                for (name, ps) in properties.into_iter().flatten() {
                    if let Some(v) = object.get(name).filter(|v| !v.is_null()) {
                        self.check_at(ps, v, &join(path, name), out);
                    }
                }
                None
            }
            Some("array") => match (value.as_array(), s.get("items")) {
                (None, _) => Some("must be an array".to_owned()),
                (Some(items), Some(item_schema)) => {
                    for (i, item) in items.iter().enumerate() {
                        self.check_at(item_schema, item, &format!("{path}[{i}]"), out);
                    }
                    None
                }
                (Some(_), None) => None,
            },
            Some("string") => match value.as_str() {
                None => Some("must be a string".to_owned()),
                Some(text) => {
                    let allowed = s.get("enum").and_then(Value::as_array);
                    allowed
                        .filter(|values| !values.iter().any(|v| v.as_str() == Some(text)))
                        .map(|values| {
                            let names: Vec<&str> =
                                values.iter().filter_map(Value::as_str).collect();
                            format!("must be one of {}", names.join(", "))
                        })
                }
            },
            Some("integer") => {
                let format = s.get("format").and_then(Value::as_str);
                let ok = match format {
                    Some("epoch-millis") => {
                        serde_json::from_value::<payspec_runtime::EpochMillis>(value.clone())
                            .is_ok()
                    }
                    Some("int32") => value.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
                    _ => value.as_i64().is_some(),
                };
                (!ok).then_some(
                    match format {
                        Some("epoch-millis") => {
                            "must be an integer number of milliseconds since the Unix epoch"
                        }
                        _ => "must be an integer",
                    }
                    .to_owned(),
                )
            }
            Some("number") => payspec_runtime::decimal::number::deserialize(value.clone())
                .is_err()
                .then(|| "must be a decimal number".to_owned()),
            Some("boolean") => (!value.is_boolean()).then(|| "must be true or false".to_owned()),
            _ => None,
        };
        if let Some(problem) = problem {
            out.push((path.to_owned(), problem));
        }
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SPEC: &str = r##"
openapi: 3.0.3
components:
  schemas:
    Order:
      type: object
      required: [currency, lines]
      properties:
        currency: {type: string}
        status: {$ref: "#/components/schemas/Status"}
        created: {type: integer, format: epoch-millis}
        lines: {type: array, items: {$ref: "#/components/schemas/Line"}}
    Line:
      type: object
      required: [price]
      properties:
        price: {type: number, format: decimal}
        count: {type: integer, format: int32}
    Status: {type: string, enum: [OPEN, PAID]}
"##;

    #[test]
    fn reports_every_problem_by_its_path() {
        let s = Schemas::from_yaml(SPEC).unwrap();
        let problems = s.check(
            "Order",
            &json!({"status": "GONE", "created": 1.5,
                    "lines": [{"price": "x", "count": 3000000000u64}, {}, 7]}),
        );
        let paths: Vec<(&str, &str)> = problems
            .iter()
            .map(|(p, m)| (p.as_str(), m.as_str()))
            .collect();
        assert_eq!(
            paths,
            [
                (
                    "created",
                    "must be an integer number of milliseconds since the Unix epoch"
                ),
                ("currency", "is required"),
                ("lines[0].count", "must be an integer"),
                ("lines[0].price", "must be a decimal number"),
                ("lines[1].price", "is required"),
                ("lines[2]", "must be an object"),
                ("status", "must be one of OPEN, PAID"),
            ]
        );
        let fine = json!({"currency": "USD", "lines": [{"price": 1.50}], "status": "PAID",
                          "created": 1729712400000u64, "extra": true});
        assert!(s.check("Order", &fine).is_empty());
    }
}
