//! Structural rules of the SCIM profiles beyond RFC 7644 (the interop profile's discovery and
//! paging rules) that would be clumsy as data: each reads one response and says what it lacks.

use serde_json::Value;

/// Resource types whose `id` is not their `name` (interop profile §5.1).
pub fn resource_type_id_is_name(doc: &Value) -> Vec<String> {
    resources(doc)
        .filter_map(|t| {
            let (id, name) = (
                t.get("id").and_then(Value::as_str),
                t.get("name").and_then(Value::as_str),
            );
            match (id, name) {
                (Some(i), Some(n)) if i == n => None,
                (None, n) => Some(format!("{} has no id", n.unwrap_or("a resource type"))),
                (Some(i), n) => Some(format!("id {i:?} but name {:?}", n.unwrap_or(""))),
            }
        })
        .collect()
}

/// Multi-valued complex attributes with a `type` sub-attribute that declares no
/// `canonicalValues` (interop profile §5.4), named `schema name: attribute`.
pub fn typed_canonical_values(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for schema in resources(doc) {
        let who = schema
            .get("name")
            .or_else(|| schema.get("id"))
            .and_then(Value::as_str)
            .unwrap_or("a schema");
        for attribute in schema
            .get("attributes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let multi = attribute.get("multiValued") == Some(&Value::Bool(true));
            let kind = attribute
                .get("subAttributes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|s| {
                    s.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.eq_ignore_ascii_case("type"))
                });
            let declared = kind
                .and_then(|k| k.get("canonicalValues"))
                .and_then(Value::as_array)
                .is_some_and(|v| !v.is_empty());
            if multi && kind.is_some() && !declared {
                let name = attribute.get("name").and_then(Value::as_str).unwrap_or("?");
                out.push(format!("{who}: {name}.type declares no canonicalValues"));
            }
        }
    }
    out
}

/// A page that holds fewer than 100 resources although totalResults says there are more
/// (interop profile §6.4).
pub fn page_of_100(doc: &Value) -> Vec<String> {
    let total = doc.get("totalResults").and_then(Value::as_u64);
    let held = doc
        .get("Resources")
        .and_then(Value::as_array)
        .map_or(0, Vec::len) as u64;
    match total {
        None => vec!["no integer totalResults".into()],
        Some(t) if held < t.min(100) => {
            vec![format!(
                "{held} resources of {t} (expected at least {})",
                t.min(100)
            )]
        }
        Some(_) => Vec::new(),
    }
}

fn resources(doc: &Value) -> impl Iterator<Item = &Value> {
    doc.get("Resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_rule_names_what_is_missing() {
        let types =
            json!({"Resources": [{"id": "User", "name": "User"}, {"id": "G", "name": "Group"}]});
        assert_eq!(
            resource_type_id_is_name(&types),
            ["id \"G\" but name \"Group\""]
        );
        let typed = |canonical: Value| {
            json!({"Resources": [{"name": "User", "attributes": [{"name": "emails", "multiValued": true,
                "subAttributes": [{"name": "value"}, {"name": "type", "canonicalValues": canonical}]}]}]})
        };
        assert!(
            typed(json!(["work"]))
                .pipe(|d| typed_canonical_values(&d))
                .is_empty()
        );
        assert_eq!(
            typed(json!([])).pipe(|d| typed_canonical_values(&d)).len(),
            1
        );
        assert!(page_of_100(&json!({"totalResults": 3, "Resources": [1, 2, 3]})).is_empty());
        assert_eq!(
            page_of_100(&json!({"totalResults": 300, "Resources": [1]})).len(),
            1
        );
    }

    trait Pipe: Sized {
        fn pipe<T>(self, f: impl FnOnce(Self) -> T) -> T {
            f(self)
        }
    }
    impl Pipe for Value {}
}
