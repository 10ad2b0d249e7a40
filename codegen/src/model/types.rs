//! Types as codegen needs them: each component schema converted once, by the front end, into a
//! [`Schema`] (its value type, its object members and rules, an untagged choice), and each
//! property and parameter into a [`Ty`] with its wire form and limits. The emitters read only
//! these; the schemas as written go to progenitor and typify, which emit the Rust types.

use serde_json::Number;

/// The limits JSON Schema puts on a value, as written (checked by the generated validation).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Limits {
    pub min_length: Option<Number>,
    pub max_length: Option<Number>,
    pub minimum: Option<Number>,
    pub maximum: Option<Number>,
    pub exclusive_minimum: bool,
    pub exclusive_maximum: bool,
    pub min_items: Option<Number>,
    pub max_items: Option<Number>,
}

impl Limits {
    /// The limits in words ("at least 3 characters, at most 50 characters"), for docs.
    pub fn describe(&self) -> String {
        let mut out = Vec::new();
        if let Some(v) = &self.min_length {
            out.push(format!("at least {v} characters"));
        }
        if let Some(v) = &self.max_length {
            out.push(format!("at most {v} characters"));
        }
        if let Some(v) = &self.minimum {
            out.push(if self.exclusive_minimum {
                format!("greater than {v}")
            } else {
                format!("at least {v}")
            });
        }
        if let Some(v) = &self.maximum {
            out.push(if self.exclusive_maximum {
                format!("less than {v}")
            } else {
                format!("at most {v}")
            });
        }
        if let Some(v) = &self.min_items {
            out.push(format!("at least {v} items"));
        }
        if let Some(v) = &self.max_items {
            out.push(format!("at most {v} items"));
        }
        out.join(", ")
    }
}

/// The type of a value: a property, an array's items, a parameter, or a schema itself.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// A `$ref` to a component schema, by name.
    Ref(String),
    /// `type: string`, with its `format` (`date-time`, `binary`, ...).
    String {
        format: Option<String>,
        limits: Limits,
    },
    /// `type: integer`, with its `format` (`int32`, `epoch-millis`, ...).
    Integer {
        format: Option<String>,
        limits: Limits,
    },
    /// `type: number` (always `format: decimal`: money is never a float).
    Number {
        format: Option<String>,
        limits: Limits,
    },
    /// `type: boolean`.
    Boolean,
    /// `type: array`; `uniform` lists the members of an "all items of one kind" rule.
    Array {
        items: Box<Ty>,
        limits: Limits,
        uniform: Option<Vec<String>>,
    },
    /// `type: object` with only `additionalProperties`: a map from strings.
    Map(Box<Ty>),
    /// `type: object` with properties.
    Object,
    /// Anything else (`allOf` wrappers, untyped schemas, unions): no checks of its own.
    Other,
}

impl Ty {
    /// The limits written on this value, if its kind has any.
    pub fn limits(&self) -> Option<&Limits> {
        match self {
            Ty::String { limits, .. }
            | Ty::Integer { limits, .. }
            | Ty::Number { limits, .. }
            | Ty::Array { limits, .. } => Some(limits),
            _ => None,
        }
    }

    /// The component schema an array's items refer to.
    pub fn items_ref(&self) -> Option<&str> {
        match self {
            Ty::Array { items, .. } => match items.as_ref() {
                Ty::Ref(r) => Some(r),
                _ => None,
            },
            _ => None,
        }
    }
}

/// One property of an object schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    /// The JSON name.
    pub name: String,
    pub ty: Ty,
    /// `description`, as written.
    pub description: String,
    /// `nullable: true`: the member may be sent, or come back, as `null`.
    pub nullable: bool,
}

/// The members and rules of a `type: object` schema with `properties`.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    /// In the order of the spec.
    pub properties: Vec<Property>,
    /// `oneOf` of single `required` names: exactly one of these is set.
    pub exactly_one_of: Option<Vec<String>>,
    /// `anyOf` of `required` lists: at least one of these combinations is complete.
    pub required_groups: Option<Vec<Vec<String>>>,
}

/// A component schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    pub name: String,
    /// `description`, as written.
    pub description: String,
    /// A value of this schema, as a property that refers to it sees it.
    pub ty: Ty,
    /// Its members, when it is an object with properties.
    pub object: Option<Object>,
    /// `required`.
    pub required: Vec<String>,
    /// The `$ref` members of an untagged `oneOf` (a choice such as "a code or a Location").
    pub choice: Vec<String>,
    /// `example`, as written.
    pub example: Option<super::Example>,
}

impl Schema {
    /// Whether member `json` has three states (absent, `null`, a value): it is `nullable` and
    /// not `required`. Its field is a `payspec_runtime::Nullable`.
    pub fn three_state(&self, json: &str) -> bool {
        !self.required.iter().any(|r| r == json)
            && self
                .object
                .as_ref()
                .is_some_and(|o| o.properties.iter().any(|p| p.name == json && p.nullable))
    }
}
