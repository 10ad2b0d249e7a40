//! Request checks derived from a provider's OpenAPI document, so the sandbox restates nothing
//! by hand: missing required members, members of the wrong JSON type and arrays under their
//! `minItems` (and, where a simulator asks for it, `null` in members that are not `nullable`)
//! are reported by their path (`order_lines[0].quantity`), from the same spec the clients are
//! generated from. The spec's limits (lengths, ranges, either-or rules) are then checked with
//! the generated `Validate`; `oneOf` choices are left to the generated types' decoders, and
//! [`Schemas::one_of_members`] names the members such a rule is about.

use serde_json::{Map, Value};

/// The component schemas of one OpenAPI document.
#[derive(Debug)]
pub struct Schemas {
    schemas: Map<String, Value>,
    refuse_nulls: bool,
}

/// One problem: the member's path and what is wrong with it.
pub type Problem = (String, String);

impl Schemas {
    /// The component schemas of the OpenAPI document `yaml`.
    pub fn from_yaml(yaml: &str) -> Result<Schemas, String> {
        let doc: Value = serde_yaml::from_str(yaml).map_err(|e| e.to_string())?;
        doc.pointer("/components/schemas")
            .and_then(Value::as_object)
            .cloned()
            .map(|schemas| Schemas {
                schemas,
                refuse_nulls: false,
            })
            .ok_or_else(|| "the document has no components.schemas".to_owned())
    }

    /// Also reports `null` in an optional member that is not `nullable` (OpenAPI 3.0's rule).
    /// Without it such a `null` reads as an absent member, as some services do (Onecheckout's
    /// partial updates).
    pub fn refusing_nulls(mut self) -> Schemas {
        self.refuse_nulls = true;
        self
    }

    /// The problems of `value` against the component schema `name`, ordered by path. Enum
    /// values are checked even for open enums: the simulated server knows every value it
    /// accepts.
    pub fn check(&self, name: &str, value: &Value) -> Vec<Problem> {
        let mut out = Vec::new();
        if let Some(s) = self.schemas.get(name) {
            self.check_at(s, value, "", &mut out);
        }
        out.sort();
        out
    }

    /// The members a rule on the whole object at `path` (`lineItems[0]`) under the component
    /// schema `name` is about: those named by the `required` lists of that object's `oneOf`
    /// (`[lineItems[0].sku, lineItems[0].product]`); empty when it has none.
    pub fn one_of_members(&self, name: &str, path: &str) -> Vec<String> {
        self.schemas
            .get(name)
            .and_then(|root| self.schema_at(root, path))
            .and_then(|s| s.get("oneOf"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|alternative| alternative.get("required").and_then(Value::as_array))
            .flatten()
            .filter_map(Value::as_str)
            .map(|member| join(path, member))
            .collect()
    }

    /// The schema of the member at `path` (`lineItems[0].product`) under `root`.
    fn schema_at<'a>(&'a self, root: &'a Value, path: &str) -> Option<&'a Value> {
        let mut s = self.resolve(root);
        if path.is_empty() {
            return Some(s);
        }
        for part in path.split('.') {
            let (name, indexes) = part.split_once('[').unwrap_or((part, ""));
            if !name.is_empty() {
                s = self.resolve(s.get("properties")?.get(name)?);
            }
            for _ in indexes.matches(']') {
                s = self.resolve(s.get("items")?);
            }
        }
        Some(s)
    }

    fn resolve<'a>(&'a self, mut s: &'a Value) -> &'a Value {
        // A bounded walk: a `$ref` cycle without content cannot loop.
        for _ in 0..16 {
            let Some(target) = s
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .and_then(|r| self.schemas.get(r))
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
                    match object.get(name) {
                        None => {}
                        // A required member that is null was reported as missing above.
                        Some(Value::Null) => {
                            let required = required
                                .is_some_and(|r| r.iter().any(|x| x.as_str() == Some(name)));
                            let nullable = self
                                .resolve(ps)
                                .get("nullable")
                                .and_then(Value::as_bool)
                                .unwrap_or(false);
                            if self.refuse_nulls && !required && !nullable {
                                out.push((join(path, name), "must not be null".to_owned()));
                            }
                        }
                        Some(v) => self.check_at(ps, v, &join(path, name), out),
                    }
                }
                None
            }
            Some("array") => match value.as_array() {
                None => Some("must be an array".to_owned()),
                Some(items) => {
                    if let Some(item_schema) = s.get("items") {
                        for (i, item) in items.iter().enumerate() {
                            self.check_at(item_schema, item, &format!("{path}[{i}]"), out);
                        }
                    }
                    s.get("minItems")
                        .and_then(Value::as_u64)
                        .filter(|&min| (items.len() as u64) < min)
                        .map(|min| {
                            let noun = if min == 1 { "item" } else { "items" };
                            format!("must have at least {min} {noun} (got {})", items.len())
                        })
                }
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
        lines: {type: array, minItems: 1, items: {$ref: "#/components/schemas/Line"}}
        note: {type: string}
        memo: {type: string, nullable: true}
        pick:
          type: object
          oneOf:
            - required: [a]
            - required: [b]
          properties:
            a: {type: string}
            b: {type: string}
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
        assert_eq!(
            s.check("Order", &json!({"currency": "USD", "lines": []})),
            [(
                "lines".to_owned(),
                "must have at least 1 item (got 0)".to_owned()
            )]
        );
    }

    #[test]
    fn nulls_read_as_absent_unless_refused() {
        let lenient = Schemas::from_yaml(SPEC).unwrap();
        let strict = Schemas::from_yaml(SPEC).unwrap().refusing_nulls();
        let body = json!({"currency": null, "lines": [{"price": 1}], "note": null, "memo": null});
        let problems = |s: &Schemas| -> Vec<String> {
            s.check("Order", &body)
                .into_iter()
                .map(|(p, m)| format!("{p} {m}"))
                .collect()
        };
        assert_eq!(problems(&lenient), ["currency is required"]);
        assert_eq!(
            problems(&strict),
            ["currency is required", "note must not be null"]
        );
    }

    #[test]
    fn one_of_members_name_the_members_of_the_rule() {
        let s = Schemas::from_yaml(SPEC).unwrap();
        assert_eq!(s.one_of_members("Order", "pick"), ["pick.a", "pick.b"]);
        assert!(s.one_of_members("Order", "").is_empty());
        assert!(s.one_of_members("Order", "lines[0].price").is_empty());
        assert!(s.one_of_members("Order", "nope[1].x").is_empty());
        assert!(s.one_of_members("Nope", "").is_empty());
    }
}
