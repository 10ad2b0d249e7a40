//! The n1co spec the request bodies are checked against.

use std::sync::LazyLock;

use crate::schema::Schemas;

pub(super) const SPEC_YAML: &str = include_str!("../../../specs/n1co/openapi.yaml");

/// The spec's component schemas, for the member checks.
pub(super) static SCHEMAS: LazyLock<Schemas> = LazyLock::new(|| {
    Schemas::from_yaml(SPEC_YAML)
        .expect("the embedded n1co spec parses (a test checks it)")
        .refusing_nulls()
});

/// The keys a violation at `path` of the component `schema` is listed under: the members of
/// the `oneOf` rule when the rule is on a whole object, else the path itself.
pub(super) fn keys_for(schema: &str, path: &str) -> Vec<String> {
    let members = SCHEMAS.one_of_members(schema, path);
    if members.is_empty() {
        vec![path.to_owned()]
    } else {
        members
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CREATE: &str = "CreatePaymentLinkRequest";

    #[test]
    fn the_embedded_spec_drives_the_member_checks() {
        let problems = SCHEMAS.check(
            "CreatePaymentLinkRequest",
            &json!({"amount": "x", "lineItems": [{"product": {"name": "P"}}]}),
        );
        let paths: Vec<&str> = problems.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "amount",
                "lineItems[0].product.price",
                "lineItems[0].quantity"
            ]
        );
    }

    #[test]
    fn one_of_rules_are_keyed_by_their_members() {
        assert_eq!(keys_for(CREATE, ""), ["amount", "lineItems"]);
        assert_eq!(
            keys_for(CREATE, "lineItems[3]"),
            ["lineItems[3].sku", "lineItems[3].product"]
        );
        assert_eq!(keys_for(CREATE, "amount"), ["amount"]);
        assert_eq!(
            keys_for(CREATE, "lineItems[0].quantity"),
            ["lineItems[0].quantity"]
        );
        assert_eq!(keys_for(CREATE, "nope[1].x"), ["nope[1].x"]);
    }

    #[test]
    fn nulls_and_short_arrays_are_refused() {
        let out = SCHEMAS.check(
            CREATE,
            &json!({"orderName": null, "orderDescription": null, "lineItems": [],
                    "metadata": [{"name": "a", "value": null}]}),
        );
        let keys: Vec<&str> = out.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["lineItems", "metadata[0].value", "orderName"]);
    }
}
