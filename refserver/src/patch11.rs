//! SCIM 1.1 PATCH: the body is a partial resource (SCIM 1.1 protocol §3.3.2). Attributes
//! listed in `meta.attributes` are removed first; then single-valued attributes are replaced,
//! complex ones merged, and multi-valued ones merged element by element, where an element
//! marked `"operation": "delete"` is removed instead (Okta's group member removal).

use serde_json::{Map, Value};

use crate::error::ScimError;
use crate::filter::get_ci;

const READ_ONLY: &[&str] = &["id", "meta", "schemas", "groups"];

/// What the caller allows (fault switches bend it on purpose).
#[derive(Debug, Clone, Copy, Default)]
pub struct Patch11Options {
    /// Member removals are silently ignored.
    pub ignore_member_removal: bool,
}

/// Applies a 1.1 partial resource to a resource.
pub fn apply(resource: &Value, partial: &Value, opts: Patch11Options) -> Result<Value, ScimError> {
    let mut out = resource.clone();
    let obj = out.as_object_mut().expect("resources are objects");
    let Some(changes) = partial.as_object() else {
        return Err(ScimError::bad_request(
            "invalidSyntax",
            "a SCIM 1.1 PATCH body is a partial resource object",
        ));
    };
    if let Some(Value::Array(names)) = get_ci(partial, "meta").and_then(|m| get_ci(m, "attributes"))
    {
        for name in names.iter().filter_map(Value::as_str) {
            if let Some(k) = key_of(obj, name) {
                obj.remove(&k);
            }
        }
    }
    for (name, value) in changes {
        if READ_ONLY.iter().any(|r| r.eq_ignore_ascii_case(name)) {
            continue;
        }
        let key = key_of(obj, name).unwrap_or_else(|| name.clone());
        match (obj.get_mut(&key), value) {
            (existing, Value::Array(items)) => {
                let mut current = match existing {
                    Some(Value::Array(a)) => std::mem::take(a),
                    _ => Vec::new(),
                };
                for item in items {
                    let deleting = get_ci(item, "operation")
                        .and_then(Value::as_str)
                        .is_some_and(|o| o.eq_ignore_ascii_case("delete"));
                    if deleting {
                        if !(opts.ignore_member_removal && name.eq_ignore_ascii_case("members")) {
                            current.retain(|c| !same_value(c, item));
                        }
                    } else {
                        current.retain(|c| !same_value(c, item));
                        current.push(item.clone());
                    }
                }
                obj.insert(key, Value::Array(current));
            }
            (Some(Value::Object(existing)), Value::Object(new)) => {
                for (k, v) in new {
                    let sub = key_of(existing, k).unwrap_or_else(|| k.clone());
                    existing.insert(sub, v.clone());
                }
            }
            (_, v) => {
                obj.insert(key, v.clone());
            }
        }
    }
    Ok(out)
}

fn key_of(map: &Map<String, Value>, name: &str) -> Option<String> {
    map.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (get_ci(a, "value"), get_ci(b, "value")) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deactivate_rename_and_members() {
        let opts = Patch11Options::default();
        let u = apply(
            &json!({"id": "1", "active": true}),
            &json!({"schemas": ["urn:scim:schemas:core:1.0"], "active": false}),
            opts,
        )
        .unwrap();
        assert_eq!(u["active"], json!(false));
        let g = json!({"id": "g", "displayName": "A", "members": [{"value": "u1"}]});
        let g = apply(
            &g,
            &json!({"id": "g", "displayName": "B", "members": [{"value": "u2", "display": "two"}]}),
            opts,
        )
        .unwrap();
        assert_eq!(g["displayName"], json!("B"));
        assert_eq!(
            g["members"],
            json!([{"value": "u1"}, {"value": "u2", "display": "two"}])
        );
        let g = apply(
            &g,
            &json!({"members": [{"value": "u1", "operation": "delete"}]}),
            opts,
        )
        .unwrap();
        assert_eq!(g["members"], json!([{"value": "u2", "display": "two"}]));
        let ignoring = Patch11Options {
            ignore_member_removal: true,
        };
        let g = apply(
            &g,
            &json!({"members": [{"value": "u2", "operation": "delete"}]}),
            ignoring,
        )
        .unwrap();
        assert_eq!(g["members"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn meta_attributes_remove_first() {
        let u = json!({"id": "1", "displayName": "X", "name": {"givenName": "A"}});
        let u = apply(
            &u,
            &json!({"meta": {"attributes": ["displayName"]}, "name": {"familyName": "B"}}),
            Patch11Options::default(),
        )
        .unwrap();
        assert_eq!(
            u,
            json!({"id": "1", "name": {"givenName": "A", "familyName": "B"}})
        );
    }
}
