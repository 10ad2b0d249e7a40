//! Client-side request validation whose errors name the field.
//!
//! Generated request types implement [`Validate`] from the constraints in the API description
//! (lengths, item counts, bounds, "exactly one of"), so a request the provider would reject
//! is caught before it is sent, with a message naming the JSON path of each offending field:
//!
//! ```
//! use payspec_runtime::{Validate, Validator};
//!
//! struct LineItem { name: String }
//! struct Order { line_items: Vec<LineItem> }
//!
//! impl Validate for LineItem {
//!     fn validate_into(&self, v: &mut Validator) {
//!         v.max_length("name", &self.name, 5);
//!     }
//! }
//! impl Validate for Order {
//!     fn validate_into(&self, v: &mut Validator) {
//!         v.min_items("lineItems", self.line_items.len(), 1);
//!         v.field("lineItems", |v| self.line_items.validate_into(v));
//!     }
//! }
//!
//! let order = Order { line_items: vec![LineItem { name: "ok".into() }, LineItem { name: "too long".into() }] };
//! assert_eq!(
//!     order.validate().unwrap_err().to_string(),
//!     "invalid request: lineItems[1].name: must be at most 5 characters long (got 8)",
//! );
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt::{self, Write as _};

use rust_decimal::Decimal;

/// One broken constraint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Where, as a JSON path such as `lineItems[1].product.name` (empty for the request
    /// itself).
    pub path: String,
    /// What is wrong, e.g. `must be at most 255 characters long (got 300)`.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// A request that breaks one or more constraints of the API description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    /// Every broken constraint, in the order they were found.
    pub violations: Vec<Violation>,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid request: ")?;
        for (i, v) in self.violations.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationError {}

/// Collects violations while walking a request, keeping track of the current JSON path.
#[derive(Clone, Debug, Default)]
pub struct Validator {
    path: String,
    violations: Vec<Violation>,
}

impl Validator {
    /// An empty validator positioned at the root of the request.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `f` with the path extended by the object member `json_name`.
    pub fn field(&mut self, json_name: &str, f: impl FnOnce(&mut Self)) {
        let len = self.path.len();
        self.push_name(json_name);
        f(self);
        self.path.truncate(len);
    }

    /// Runs `f` with the path extended by the array index `i`.
    pub fn index(&mut self, i: usize, f: impl FnOnce(&mut Self)) {
        let len = self.path.len();
        // Writing to a String cannot fail.
        let _ = write!(self.path, "[{i}]");
        f(self);
        self.path.truncate(len);
    }

    /// Records a violation at the current path, or at its member `json_name` if given.
    pub fn violation(&mut self, json_name: Option<&str>, message: impl Into<String>) {
        let len = self.path.len();
        if let Some(name) = json_name {
            self.push_name(name);
        }
        self.violations.push(Violation {
            path: self.path.clone(),
            message: message.into(),
        });
        self.path.truncate(len);
    }

    /// The violations recorded so far.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// Checks `maxLength`, counting UTF-16 code units (the providers' servers are .NET).
    ///
    /// A string has at least as many UTF-16 code units as code points, so a value that
    /// passes here also passes a JSON Schema `maxLength` (which counts code points).
    pub fn max_length(&mut self, json_name: &str, value: &str, max: usize) {
        let len = value.encode_utf16().count();
        if len > max {
            self.violation(
                Some(json_name),
                format!("must be at most {max} {} long (got {len})", characters(max)),
            );
        }
    }

    /// Checks `minLength`, counting code points.
    ///
    /// A string has at most as many code points as UTF-16 code units, so a value that passes
    /// here passes both a JSON Schema `minLength` and a .NET check counting UTF-16 units.
    pub fn min_length(&mut self, json_name: &str, value: &str, min: usize) {
        let len = value.chars().count();
        if len < min {
            self.violation(
                Some(json_name),
                format!(
                    "must be at least {min} {} long (got {len})",
                    characters(min)
                ),
            );
        }
    }

    /// Checks `minItems` of an array holding `len` items.
    pub fn min_items(&mut self, json_name: &str, len: usize, min: usize) {
        if len < min {
            self.violation(
                Some(json_name),
                format!("must have at least {min} {} (got {len})", items(min)),
            );
        }
    }

    /// Checks `maxItems` of an array holding `len` items.
    pub fn max_items(&mut self, json_name: &str, len: usize, max: usize) {
        if len > max {
            self.violation(
                Some(json_name),
                format!("must have at most {max} {} (got {len})", items(max)),
            );
        }
    }

    /// Checks `minimum` (or `exclusiveMinimum`) against `bound`, a decimal literal from the
    /// API description, compared exactly.
    ///
    /// A bound that is not a valid decimal (which [`crate::decimal::parse_exact`] lets the
    /// generator rule out) is not checked here; the server still checks it.
    pub fn minimum_decimal(
        &mut self,
        json_name: &str,
        value: &Decimal,
        bound: &str,
        exclusive: bool,
    ) {
        let Ok(limit) = crate::decimal::parse_exact(bound.trim()) else {
            return;
        };
        self.check_minimum(json_name, value, &limit, bound.trim(), exclusive);
    }

    /// Checks `maximum` (or `exclusiveMaximum`) against `bound`, a decimal literal from the
    /// API description, compared exactly.
    ///
    /// A bound that is not a valid decimal is not checked here; the server still checks it.
    pub fn maximum_decimal(
        &mut self,
        json_name: &str,
        value: &Decimal,
        bound: &str,
        exclusive: bool,
    ) {
        let Ok(limit) = crate::decimal::parse_exact(bound.trim()) else {
            return;
        };
        self.check_maximum(json_name, value, &limit, bound.trim(), exclusive);
    }

    /// Checks `minimum` (or `exclusiveMinimum`) of an integer.
    pub fn minimum_int(&mut self, json_name: &str, value: i64, bound: i64, exclusive: bool) {
        self.check_minimum(json_name, &value, &bound, bound, exclusive);
    }

    /// Checks `maximum` (or `exclusiveMaximum`) of an integer.
    pub fn maximum_int(&mut self, json_name: &str, value: i64, bound: i64, exclusive: bool) {
        self.check_maximum(json_name, &value, &bound, bound, exclusive);
    }

    fn check_minimum<T: PartialOrd + fmt::Display>(
        &mut self,
        json_name: &str,
        value: &T,
        limit: &T,
        shown: impl fmt::Display,
        exclusive: bool,
    ) {
        if exclusive && value <= limit {
            self.violation(
                Some(json_name),
                format!("must be greater than {shown} (got {value})"),
            );
        } else if !exclusive && value < limit {
            self.violation(
                Some(json_name),
                format!("must be at least {shown} (got {value})"),
            );
        }
    }

    fn check_maximum<T: PartialOrd + fmt::Display>(
        &mut self,
        json_name: &str,
        value: &T,
        limit: &T,
        shown: impl fmt::Display,
        exclusive: bool,
    ) {
        if exclusive && value >= limit {
            self.violation(
                Some(json_name),
                format!("must be less than {shown} (got {value})"),
            );
        } else if !exclusive && value > limit {
            self.violation(
                Some(json_name),
                format!("must be at most {shown} (got {value})"),
            );
        }
    }

    /// Checks that exactly one of the named members is present, recording a violation at the
    /// current path otherwise. `present` pairs each JSON name with whether it is set.
    pub fn exactly_one_of(&mut self, present: &[(&str, bool)]) {
        let set: Vec<&str> = present
            .iter()
            .filter(|(_, is_set)| *is_set)
            .map(|(name, _)| *name)
            .collect();
        if set.len() == 1 || present.is_empty() {
            return;
        }
        let names: Vec<&str> = present.iter().map(|(name, _)| *name).collect();
        let which = match set.len() {
            0 => "none is".to_owned(),
            2 if present.len() == 2 => "both are".to_owned(),
            _ => format!("{} are", list(&set, "and")),
        };
        let message = if names.len() == 1 {
            format!("`{}` must be set ({which})", names[0])
        } else {
            format!(
                "exactly one of {} must be set ({which})",
                list(&names, "or")
            )
        };
        self.violation(None, message);
    }

    /// Checks an "at least one of these combinations is complete" rule (JSON Schema `anyOf`
    /// of `required` lists), e.g. street and house, or lat and lng. `groups` pairs each JSON
    /// name with whether it is set; a violation at the current path names every combination.
    pub fn any_group_complete(&mut self, groups: &[&[(&str, bool)]]) {
        if groups.is_empty() || groups.iter().any(|g| g.iter().all(|(_, set)| *set)) {
            return;
        }
        let described: Vec<String> = groups
            .iter()
            .map(|g| {
                let names: Vec<&str> = g.iter().map(|(n, _)| *n).collect();
                list(&names, "and")
            })
            .collect();
        let message = if described.len() == 1 {
            format!("{} must be set", described[0])
        } else {
            format!("either {} must be set", described.join(", or "))
        };
        self.violation(None, message);
    }

    /// Checks that every item of the array `json_name` is of the same kind (a tagged union's
    /// tag), e.g. penalties that are all `DATE_PENALTY` or all `OFFSET_PENALTY`.
    pub fn same_kind<'a>(&mut self, json_name: &str, kinds: impl IntoIterator<Item = &'a str>) {
        let mut seen: Vec<&str> = Vec::new();
        for k in kinds {
            if !seen.contains(&k) {
                seen.push(k);
            }
        }
        if seen.len() > 1 {
            self.violation(
                Some(json_name),
                format!(
                    "mixes {}: all items must be of one kind",
                    list(&seen, "and")
                ),
            );
        }
    }

    /// `Ok(())` if nothing was recorded, otherwise every violation.
    pub fn finish(self) -> Result<(), ValidationError> {
        if self.violations.is_empty() {
            Ok(())
        } else {
            Err(ValidationError {
                violations: self.violations,
            })
        }
    }

    fn push_name(&mut self, name: &str) {
        if !self.path.is_empty() {
            self.path.push('.');
        }
        self.path.push_str(name);
    }
}

fn characters(n: usize) -> &'static str {
    if n == 1 { "character" } else { "characters" }
}

fn items(n: usize) -> &'static str {
    if n == 1 { "item" } else { "items" }
}

/// "`a`", "`a` or `b`", "`a`, `b` or `c`".
fn list(names: &[&str], conjunction: &str) -> String {
    let mut out = String::new();
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.push_str(if i + 1 == names.len() { " " } else { ", " });
            if i + 1 == names.len() {
                out.push_str(conjunction);
                out.push(' ');
            }
        }
        out.push('`');
        out.push_str(name);
        out.push('`');
    }
    out
}

/// A value that can check itself against the constraints of the API description.
pub trait Validate {
    /// Records this value's violations into `v`, at `v`'s current path.
    fn validate_into(&self, v: &mut Validator);

    /// Checks this value on its own.
    fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        self.validate_into(&mut v);
        v.finish()
    }
}

impl<T: Validate + ?Sized> Validate for &T {
    fn validate_into(&self, v: &mut Validator) {
        (**self).validate_into(v);
    }
}

impl<T: Validate + ?Sized> Validate for Box<T> {
    fn validate_into(&self, v: &mut Validator) {
        (**self).validate_into(v);
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate_into(&self, v: &mut Validator) {
        if let Some(inner) = self {
            inner.validate_into(v);
        }
    }
}

impl<T: Validate> Validate for [T] {
    fn validate_into(&self, v: &mut Validator) {
        for (i, item) in self.iter().enumerate() {
            v.index(i, |v| item.validate_into(v));
        }
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate_into(&self, v: &mut Validator) {
        self.as_slice().validate_into(v);
    }
}

impl<T: Validate> Validate for BTreeMap<String, T> {
    fn validate_into(&self, v: &mut Validator) {
        for (key, item) in self {
            v.field(key, |v| item.validate_into(v));
        }
    }
}

impl<T: Validate, S> Validate for HashMap<String, T, S> {
    /// Entries are checked in key order, so the violations come out in a stable order.
    fn validate_into(&self, v: &mut Validator) {
        let mut entries: Vec<(&String, &T)> = self.iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        for (key, item) in entries {
            v.field(key, |v| item.validate_into(v));
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn any_group_complete_names_every_combination() {
        let mut v = Validator::new();
        v.field("location", |v| {
            v.any_group_complete(&[
                &[("street", true), ("house", false)],
                &[("lat", false), ("lng", true)],
            ])
        });
        assert_eq!(
            v.finish().unwrap_err().to_string(),
            "invalid request: location: either `street` and `house`, or `lat` and `lng` must be set"
        );
        for complete in [
            [
                ("street", true),
                ("house", true),
                ("lat", false),
                ("lng", false),
            ],
            [
                ("street", false),
                ("house", false),
                ("lat", true),
                ("lng", true),
            ],
        ] {
            let mut v = Validator::new();
            v.any_group_complete(&[&complete[..2], &complete[2..]]);
            assert!(v.finish().is_ok());
        }
    }

    #[test]
    fn same_kind_reports_the_kinds_mixed() {
        let mut v = Validator::new();
        v.same_kind("penalties", ["DATE_PENALTY", "DATE_PENALTY"]);
        v.same_kind("empty", []);
        assert!(v.violations().is_empty());
        v.same_kind(
            "penalties",
            ["DATE_PENALTY", "OFFSET_PENALTY", "DATE_PENALTY"],
        );
        assert_eq!(
            v.finish().unwrap_err().to_string(),
            "invalid request: penalties: mixes `DATE_PENALTY` and `OFFSET_PENALTY`: all items must be of one kind"
        );
    }
    use super::*;
    use std::str::FromStr;

    fn messages(v: Validator) -> Vec<String> {
        match v.finish() {
            Ok(()) => Vec::new(),
            Err(e) => e.violations.iter().map(ToString::to_string).collect(),
        }
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn paths_nest_and_unwind() {
        let mut v = Validator::new();
        v.violation(None, "root problem");
        v.field("lineItems", |v| {
            v.index(1, |v| {
                v.field("product", |v| v.violation(Some("name"), "bad"));
                v.violation(Some("quantity"), "worse");
            });
            v.violation(None, "list problem");
        });
        v.violation(Some("amount"), "top");
        assert_eq!(
            v.violations(),
            &[
                Violation {
                    path: String::new(),
                    message: "root problem".into()
                },
                Violation {
                    path: "lineItems[1].product.name".into(),
                    message: "bad".into()
                },
                Violation {
                    path: "lineItems[1].quantity".into(),
                    message: "worse".into()
                },
                Violation {
                    path: "lineItems".into(),
                    message: "list problem".into()
                },
                Violation {
                    path: "amount".into(),
                    message: "top".into()
                },
            ]
        );
        assert_eq!(
            v.finish().unwrap_err().to_string(),
            "invalid request: root problem; lineItems[1].product.name: bad; \
             lineItems[1].quantity: worse; lineItems: list problem; amount: top"
        );
    }

    #[test]
    fn finish_is_ok_when_clean() {
        let mut v = Validator::new();
        v.max_length("name", "abc", 3);
        v.min_length("name", "abc", 3);
        v.min_items("items", 1, 1);
        v.max_items("items", 2, 2);
        v.minimum_int("n", 5, 5, false);
        v.maximum_int("n", 5, 5, false);
        v.minimum_decimal("a", &dec("0.01"), "0", true);
        v.maximum_decimal("a", &dec("10.00"), "10", false);
        v.exactly_one_of(&[("amount", true), ("lineItems", false)]);
        assert_eq!(v.finish(), Ok(()));
    }

    #[test]
    fn lengths_count_utf16_for_max_and_code_points_for_min() {
        let mut v = Validator::new();
        v.max_length("name", &"x".repeat(300), 255);
        // One emoji is two UTF-16 units but one code point.
        v.max_length("emoji", "😀😀", 3);
        v.max_length("fine", "😀a", 3);
        v.min_length("short", "😀", 2);
        v.min_length("ok", "ab", 2);
        v.min_length("empty", "", 1);
        assert_eq!(
            messages(v),
            [
                "name: must be at most 255 characters long (got 300)",
                "emoji: must be at most 3 characters long (got 4)",
                "short: must be at least 2 characters long (got 1)",
                "empty: must be at least 1 character long (got 0)",
            ]
        );
    }

    #[test]
    fn item_counts() {
        let mut v = Validator::new();
        v.min_items("lineItems", 0, 1);
        v.max_items("tags", 11, 10);
        v.min_items("pair", 1, 2);
        assert_eq!(
            messages(v),
            [
                "lineItems: must have at least 1 item (got 0)",
                "tags: must have at most 10 items (got 11)",
                "pair: must have at least 2 items (got 1)",
            ]
        );
    }

    #[test]
    fn decimal_bounds_are_exact() {
        let mut v = Validator::new();
        v.minimum_decimal("amount", &dec("-1"), "0", true);
        v.minimum_decimal("zero", &dec("0.00"), "0", true);
        v.minimum_decimal("qty", &dec("0"), "1", false);
        v.minimum_decimal("fine", &dec("1.00"), "1", false);
        v.maximum_decimal("rate", &dec("100.01"), "100", false);
        v.maximum_decimal("cap", &dec("100"), "100.00", true);
        v.maximum_decimal("fine2", &dec("99.99"), "100", true);
        // 0.1 + 0.2 == 0.3 exactly with decimals; no float fuzz.
        v.maximum_decimal("sum", &(dec("0.1") + dec("0.2")), "0.3", false);
        v.minimum_decimal("big", &Decimal::MAX, "79228162514264337593543950335", false);
        v.minimum_decimal("sci", &dec("999"), "1e3", false);
        // An unusable bound is skipped rather than failing every request.
        v.minimum_decimal("ignored", &dec("1"), "not a number", false);
        v.maximum_decimal("ignored", &dec("1"), "1e40", false);
        assert_eq!(
            messages(v),
            [
                "amount: must be greater than 0 (got -1)",
                "zero: must be greater than 0 (got 0.00)",
                "qty: must be at least 1 (got 0)",
                "rate: must be at most 100 (got 100.01)",
                "cap: must be less than 100.00 (got 100)",
                "sci: must be at least 1e3 (got 999)",
            ]
        );
    }

    #[test]
    fn integer_bounds() {
        let mut v = Validator::new();
        v.minimum_int("a", 0, 1, false);
        v.minimum_int("b", 1, 1, true);
        v.maximum_int("c", 11, 10, false);
        v.maximum_int("d", 10, 10, true);
        v.minimum_int("ok", i64::MIN + 1, i64::MIN, true);
        v.maximum_int("ok", i64::MAX - 1, i64::MAX, true);
        assert_eq!(
            messages(v),
            [
                "a: must be at least 1 (got 0)",
                "b: must be greater than 1 (got 1)",
                "c: must be at most 10 (got 11)",
                "d: must be less than 10 (got 10)",
            ]
        );
    }

    #[test]
    fn exactly_one_of_messages() {
        let mut v = Validator::new();
        v.field("order", |v| {
            v.exactly_one_of(&[("amount", false), ("lineItems", false)]);
            v.exactly_one_of(&[("amount", true), ("lineItems", true)]);
            v.exactly_one_of(&[("card", false), ("iban", true), ("wallet", false)]);
            v.exactly_one_of(&[("card", false), ("iban", false), ("wallet", false)]);
            v.exactly_one_of(&[("card", true), ("iban", false), ("wallet", true)]);
            v.exactly_one_of(&[("card", true), ("iban", true), ("wallet", true)]);
            v.exactly_one_of(&[("token", false)]);
            v.exactly_one_of(&[]);
        });
        assert_eq!(
            messages(v),
            [
                "order: exactly one of `amount` or `lineItems` must be set (none is)",
                "order: exactly one of `amount` or `lineItems` must be set (both are)",
                "order: exactly one of `card`, `iban` or `wallet` must be set (none is)",
                "order: exactly one of `card`, `iban` or `wallet` must be set (`card` and `wallet` are)",
                "order: exactly one of `card`, `iban` or `wallet` must be set (`card`, `iban` and `wallet` are)",
                "order: `token` must be set (none is)",
            ]
        );
    }

    struct Product {
        name: String,
    }
    struct LineItem {
        product: Box<Product>,
        note: Option<String>,
    }
    struct Order {
        line_items: Vec<LineItem>,
        metadata: HashMap<String, Product>,
        extra: BTreeMap<String, Product>,
    }

    impl Validate for Product {
        fn validate_into(&self, v: &mut Validator) {
            v.min_length("name", &self.name, 1);
        }
    }
    impl Validate for LineItem {
        fn validate_into(&self, v: &mut Validator) {
            v.field("product", |v| self.product.validate_into(v));
            if let Some(note) = &self.note {
                v.max_length("note", note, 3);
            }
        }
    }
    impl Validate for Order {
        fn validate_into(&self, v: &mut Validator) {
            v.min_items("lineItems", self.line_items.len(), 1);
            v.field("lineItems", |v| self.line_items.validate_into(v));
            v.field("metadata", |v| self.metadata.validate_into(v));
            v.field("extra", |v| self.extra.validate_into(v));
        }
    }

    #[test]
    fn blanket_impls_extend_the_path() {
        let item = |name: &str, note: Option<&str>| LineItem {
            product: Box::new(Product { name: name.into() }),
            note: note.map(Into::into),
        };
        let order = Order {
            line_items: vec![item("a", None), item("", Some("long")), item("", None)],
            metadata: [("z", ""), ("a", ""), ("m", "ok")]
                .into_iter()
                .map(|(k, n)| (k.to_owned(), Product { name: n.into() }))
                .collect(),
            extra: [(
                "k".to_owned(),
                Product {
                    name: String::new(),
                },
            )]
            .into(),
        };
        let err = order.validate().unwrap_err();
        let paths: Vec<&str> = err.violations.iter().map(|v| v.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "lineItems[1].product.name",
                "lineItems[1].note",
                "lineItems[2].product.name",
                "metadata.a.name",
                "metadata.z.name",
                "extra.k.name",
            ]
        );
        // Option and references.
        let none: Option<Order> = None;
        assert_eq!(none.validate(), Ok(()));
        let empty = Order {
            line_items: vec![],
            metadata: HashMap::new(),
            extra: BTreeMap::new(),
        };
        assert_eq!(
            Some(&empty).validate().unwrap_err().to_string(),
            "invalid request: lineItems: must have at least 1 item (got 0)"
        );
        let _: &dyn std::error::Error = &err;
    }
}
