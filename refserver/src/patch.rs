//! PATCH (RFC 7644 §3.5.2): `add`, `remove` and `replace`, with and without `path`, value
//! filters (`members[value eq "x"]`, `emails[type eq "work"].value`), and Okta's shapes
//! (`replace` with no path and an object value, including a group rename `{id, displayName}`).
//!
//! Operation names are compared case-insensitively (several IdPs send `Replace`). Read-only
//! attributes in a no-path value (`id`, `meta`, `groups`) are ignored rather than refused,
//! because Okta sends the group's own `id` in its rename (§3.5.2: the server may ignore
//! read-only attributes that do not change).

use serde_json::{Map, Value};

use crate::error::ScimError;
use crate::filter::{self, EvalOptions, Filter};

/// The PatchOp message schema (RFC 7644 §3.5.2).
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

const READ_ONLY: &[&str] = &["id", "meta", "groups", "schemas"];

/// A parsed PATCH path.
#[derive(Debug, PartialEq)]
struct Target {
    /// Extension schema URN holding the attribute, if any.
    extension: Option<String>,
    attr: String,
    filter: Option<Filter>,
    sub: Option<String>,
}

fn parse_path(path: &str) -> Result<Target, ScimError> {
    let invalid =
        |why: &str| ScimError::bad_request("invalidPath", format!("invalid path {path:?}: {why}"));
    let (head, filter, sub) = match path.find('[') {
        Some(open) => {
            let close = path.rfind(']').ok_or_else(|| invalid("missing ']'"))?;
            let filter = filter::parse(&path[open + 1..close]).map_err(|e| {
                ScimError::bad_request(
                    "invalidFilter",
                    format!("invalid filter in path {path:?}: {e}"),
                )
            })?;
            let rest = &path[close + 1..];
            let sub = match rest.strip_prefix('.') {
                Some(s) if !s.is_empty() => Some(s.to_string()),
                None if rest.is_empty() => None,
                _ => return Err(invalid("unexpected text after ']'")),
            };
            (&path[..open], Some(filter), sub)
        }
        None => (path, None, None),
    };
    let (extension, name) = if is_schema_urn(head) {
        // The path is a whole extension (`urn:…:enterprise:2.0:User`): a top-level attribute.
        (None, head.to_string())
    } else if head.to_ascii_lowercase().starts_with("urn:") {
        let (urn, attr) = head
            .rsplit_once(':')
            .ok_or_else(|| invalid("no attribute after the schema"))?;
        let ext = urn
            .to_ascii_lowercase()
            .contains(":extension:")
            .then(|| urn.to_string());
        (ext, attr.to_string())
    } else {
        (None, head.to_string())
    };
    if extension.is_none() && name.to_ascii_lowercase().starts_with("urn:") {
        return Ok(Target {
            extension: None,
            attr: name,
            filter,
            sub,
        });
    }
    let (attr, sub) = match (name.split_once('.'), sub) {
        (Some((a, s)), None) => (a.to_string(), Some(s.to_string())),
        (Some(_), Some(_)) => return Err(invalid("a sub-attribute on both sides of a filter")),
        (None, sub) => (name, sub),
    };
    if attr.is_empty() {
        return Err(invalid("empty attribute name"));
    }
    Ok(Target {
        extension,
        attr,
        filter,
        sub,
    })
}

/// Whether a path names a schema itself rather than an attribute in it: schema URNs end with
/// a version segment and a resource name (`…:2.0:User`), attribute paths with an attribute.
fn is_schema_urn(path: &str) -> bool {
    let parts: Vec<&str> = path.split(':').collect();
    path.to_ascii_lowercase().starts_with("urn:")
        && parts.len() >= 3
        && parts[parts.len() - 2]
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.')
        && parts[parts.len() - 1]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_uppercase())
}

/// What the caller allows (fault switches bend these on purpose).
#[derive(Debug, Clone, Copy, Default)]
pub struct PatchOptions {
    /// Removal of group members is silently ignored.
    pub ignore_member_removal: bool,
    /// Operations with an unknown `op` are skipped (a fault switch).
    pub ignore_unknown_ops: bool,
    /// Filter evaluation options.
    pub eval: EvalOptions,
    /// `replace` of a whole complex attribute replaces it (the interop profile §6.5.2.1); RFC
    /// 7644 §3.5.2.3 merges the sub-attributes given.
    pub replace_complex_whole: bool,
    /// `add` to a multi-valued attribute replaces the collection (a fault switch).
    pub add_replaces_collection: bool,
}

/// Applies a PatchOp message to a resource, all or nothing.
pub fn apply(resource: &Value, message: &Value, opts: PatchOptions) -> Result<Value, ScimError> {
    let schemas_ok = filter::get_ci(message, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| {
            s.iter()
                .any(|x| x.as_str().is_some_and(|x| x.eq_ignore_ascii_case(PATCH_OP)))
        });
    if !schemas_ok {
        return Err(ScimError::bad_request(
            "invalidSyntax",
            format!("schemas must contain {PATCH_OP}"),
        ));
    }
    let ops = filter::get_ci(message, "Operations")
        .and_then(Value::as_array)
        .filter(|o| !o.is_empty())
        .ok_or_else(|| {
            ScimError::bad_request("invalidSyntax", "Operations must be a non-empty array")
        })?;
    let mut out = resource.clone();
    for (i, op) in ops.iter().enumerate() {
        apply_op(&mut out, i, op, opts)?;
    }
    Ok(out)
}

/// Operation `i` of a PatchOp, applied to `out`: with a path, or without one (its value's
/// keys as paths, read-only attributes left alone).
fn apply_op(out: &mut Value, i: usize, op: &Value, opts: PatchOptions) -> Result<(), ScimError> {
    let name = filter::get_ci(op, "op")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            ScimError::bad_request("invalidSyntax", format!("Operations[{i}].op is missing"))
        })?
        .to_ascii_lowercase();
    let path = filter::get_ci(op, "path").and_then(Value::as_str);
    let value = filter::get_ci(op, "value");
    match (name.as_str(), path) {
        ("add" | "replace", None) => {
            let obj = value.and_then(Value::as_object).ok_or_else(|| {
                ScimError::bad_request(
                    "invalidValue",
                    format!("Operations[{i}]: without a path, value must be an object"),
                )
            })?;
            for (k, v) in obj {
                if READ_ONLY.iter().any(|r| r.eq_ignore_ascii_case(k)) {
                    continue;
                }
                // A dotted key ("name.givenName") is a path, as several IdPs send it.
                let t = parse_path(k)?;
                apply_one(out, &name, &t, Some(v), opts)?;
            }
        }
        ("remove", None) => {
            return Err(ScimError::bad_request(
                "noTarget",
                format!("Operations[{i}]: remove needs a path"),
            ));
        }
        ("add" | "replace" | "remove", Some(p)) => {
            let t = parse_path(p)?;
            if READ_ONLY.iter().any(|r| r.eq_ignore_ascii_case(&t.attr)) && t.extension.is_none() {
                return Err(ScimError::bad_request(
                    "mutability",
                    format!("{} is read-only", t.attr),
                ));
            }
            if name != "remove" && value.is_none() {
                return Err(ScimError::bad_request(
                    "invalidValue",
                    format!("Operations[{i}]: {name} needs a value"),
                ));
            }
            apply_one(out, &name, &t, value, opts)?;
        }
        _ if opts.ignore_unknown_ops => {}
        _ => {
            return Err(ScimError::bad_request(
                "invalidSyntax",
                format!("Operations[{i}]: unknown op {name:?}"),
            ));
        }
    }
    Ok(())
}

/// The object holding the target attribute (the resource, or its extension object).
fn container<'a>(
    resource: &'a mut Value,
    extension: &Option<String>,
) -> &'a mut Map<String, Value> {
    let root = resource.as_object_mut().expect("resources are objects");
    let Some(urn) = extension else { return root };
    let key = root
        .keys()
        .find(|k| k.eq_ignore_ascii_case(urn))
        .cloned()
        .unwrap_or_else(|| urn.clone());
    let slot = root.entry(key).or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut().expect("just made an object")
}

/// The existing key matching a name case-insensitively, or the name as given.
fn key_of(map: &Map<String, Value>, name: &str) -> String {
    map.keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .cloned()
        .unwrap_or_else(|| name.to_string())
}

fn apply_one(
    resource: &mut Value,
    op: &str,
    t: &Target,
    value: Option<&Value>,
    opts: PatchOptions,
) -> Result<(), ScimError> {
    if op == "remove" && opts.ignore_member_removal && t.attr.eq_ignore_ascii_case("members") {
        return Ok(());
    }
    let map = container(resource, &t.extension);
    let key = key_of(map, &t.attr);
    match (&t.filter, &t.sub) {
        (None, None) => {
            apply_whole(map, key, op, value, opts);
            Ok(())
        }
        (None, Some(sub)) => apply_sub(map, key, t, sub, op, value),
        (Some(f), sub) => apply_filtered(map, key, t, (f, sub.as_deref()), op, value, opts),
    }
}

/// An operation on a whole attribute (no filter, no sub-attribute).
fn apply_whole(
    map: &mut Map<String, Value>,
    key: String,
    op: &str,
    value: Option<&Value>,
    opts: PatchOptions,
) {
    match op {
        "remove" => match (value.and_then(Value::as_array), map.get_mut(&key)) {
            // Remove listed values only (Azure AD's members removal shape).
            (Some(listed), Some(Value::Array(items))) => {
                items.retain(|item| !listed.iter().any(|l| same_value(item, l)));
            }
            _ => {
                map.remove(&key);
            }
        },
        "add" => {
            let v = value.cloned().unwrap_or(Value::Null);
            match (map.get_mut(&key), v) {
                (Some(Value::Array(items)), Value::Array(new)) if opts.add_replaces_collection => {
                    *items = new;
                }
                (Some(Value::Array(items)), Value::Array(new)) => {
                    for n in new {
                        if !items.iter().any(|i| same_value(i, &n)) {
                            items.push(n);
                        }
                    }
                }
                (Some(Value::Array(items)), single) => {
                    if !items.iter().any(|i| same_value(i, &single)) {
                        items.push(single);
                    }
                }
                (Some(Value::Object(existing)), Value::Object(new)) => merge(existing, new),
                (_, v) => {
                    map.insert(key, v);
                }
            }
        }
        _ => {
            let v = value.cloned().unwrap_or(Value::Null);
            match (map.get_mut(&key), v) {
                // Replacing a complex attribute replaces the sub-attributes given (§3.5.2.3).
                (Some(Value::Object(existing)), Value::Object(new))
                    if !opts.replace_complex_whole =>
                {
                    merge(existing, new)
                }
                (_, v) => {
                    map.insert(key, v);
                }
            }
        }
    }
}

/// An operation on a sub-attribute of a complex attribute.
fn apply_sub(
    map: &mut Map<String, Value>,
    key: String,
    t: &Target,
    sub: &str,
    op: &str,
    value: Option<&Value>,
) -> Result<(), ScimError> {
    let slot = map.entry(key).or_insert_with(|| Value::Object(Map::new()));
    let Some(obj) = slot.as_object_mut() else {
        return Err(ScimError::bad_request(
            "invalidPath",
            format!("{}.{sub}: {} is not a complex attribute", t.attr, t.attr),
        ));
    };
    let sub_key = key_of(obj, sub);
    if op == "remove" {
        obj.remove(&sub_key);
    } else {
        obj.insert(sub_key, value.cloned().unwrap_or(Value::Null));
    }
    Ok(())
}

/// An operation on the values of a multi-valued attribute a filter selects (and on one of
/// their sub-attributes).
fn apply_filtered(
    map: &mut Map<String, Value>,
    key: String,
    t: &Target,
    (f, sub): (&Filter, Option<&str>),
    op: &str,
    value: Option<&Value>,
    opts: PatchOptions,
) -> Result<(), ScimError> {
    let items = match map.get_mut(&key) {
        Some(Value::Array(items)) => items,
        _ if op == "remove" => return Ok(()),
        _ => {
            return Err(ScimError::bad_request(
                "noTarget",
                format!("{} has no values to match", t.attr),
            ));
        }
    };
    let hits: Vec<usize> = (0..items.len())
        .filter(|i| filter::matches(f, &items[*i], opts.eval))
        .collect();
    if hits.is_empty() {
        // Removing what is already gone is harmless; replacing nothing is an error.
        return if op == "remove" {
            Ok(())
        } else {
            Err(ScimError::bad_request(
                "noTarget",
                format!("no value of {} matches the filter", t.attr),
            ))
        };
    }
    match (op, sub) {
        ("remove", None) => {
            let mut i = 0;
            items.retain(|_| {
                let keep = !hits.contains(&i);
                i += 1;
                keep
            });
        }
        ("remove", Some(sub)) => {
            for i in hits {
                if let Some(obj) = items[i].as_object_mut() {
                    let k = key_of(obj, sub);
                    obj.remove(&k);
                }
            }
        }
        (_, Some(sub)) => {
            for i in hits {
                if let Some(obj) = items[i].as_object_mut() {
                    let k = key_of(obj, sub);
                    obj.insert(k, value.cloned().unwrap_or(Value::Null));
                }
            }
        }
        (_, None) => {
            let Some(Value::Object(new)) = value else {
                return Err(ScimError::bad_request(
                    "invalidValue",
                    "a filtered add or replace needs an object value",
                ));
            };
            for i in hits {
                if let Some(obj) = items[i].as_object_mut() {
                    if op == "replace" {
                        obj.clear();
                    }
                    merge(obj, new.clone());
                }
            }
        }
    }
    Ok(())
}

fn merge(existing: &mut Map<String, Value>, new: Map<String, Value>) {
    for (k, v) in new {
        let key = key_of(existing, &k);
        existing.insert(key, v);
    }
}

/// Multi-valued elements are the same when their `value` sub-attributes are equal (members,
/// emails), or when they are equal as a whole.
fn same_value(a: &Value, b: &Value) -> bool {
    match (filter::get_ci(a, "value"), filter::get_ci(b, "value")) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patch(resource: Value, ops: Value) -> Result<Value, ScimError> {
        apply(
            &resource,
            &json!({"schemas": [PATCH_OP], "Operations": ops}),
            PatchOptions::default(),
        )
    }

    #[test]
    fn oktas_deactivate_and_rename_without_path() {
        let u = patch(
            json!({"id": "1", "active": true}),
            json!([{"op": "replace", "value": {"active": false}}]),
        )
        .unwrap();
        assert_eq!(u["active"], json!(false));
        let g = patch(
            json!({"id": "g", "displayName": "A"}),
            json!([{"op": "Replace", "value": {"id": "g", "displayName": "B"}}]),
        )
        .unwrap();
        assert_eq!(g, json!({"id": "g", "displayName": "B"}));
    }

    #[test]
    fn members_add_remove_by_filter_and_replace() {
        let g = json!({"id": "g", "members": [{"value": "u1"}]});
        let g = patch(g, json!([{"op": "add", "path": "members", "value": [{"value": "u2", "display": "two"}, {"value": "u1"}]}])).unwrap();
        assert_eq!(
            g["members"].as_array().unwrap().len(),
            2,
            "no duplicate member"
        );
        let g = patch(
            g,
            json!([{"op": "remove", "path": "members[value eq \"u1\"]"}]),
        )
        .unwrap();
        assert_eq!(g["members"], json!([{"value": "u2", "display": "two"}]));
        let g = patch(
            g,
            json!([{"op": "replace", "path": "members", "value": [{"value": "u3"}]}]),
        )
        .unwrap();
        assert_eq!(g["members"], json!([{"value": "u3"}]));
        let g = patch(g, json!([{"op": "remove", "path": "members"}])).unwrap();
        assert!(g.get("members").is_none());
    }

    #[test]
    fn filtered_sub_attribute_replace() {
        let u =
            json!({"emails": [{"type": "work", "value": "a@x"}, {"type": "home", "value": "b@x"}]});
        let u = patch(
            u,
            json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "c@x"}]),
        )
        .unwrap();
        assert_eq!(u["emails"][0]["value"], json!("c@x"));
        assert_eq!(u["emails"][1]["value"], json!("b@x"));
        let e = patch(
            u,
            json!([{"op": "replace", "path": "emails[type eq \"other\"].value", "value": "d"}]),
        )
        .unwrap_err();
        assert_eq!(e.scim_type, Some("noTarget"));
    }

    #[test]
    fn paths_with_sub_attributes_and_extensions() {
        let u = patch(
            json!({"name": {"givenName": "A"}}),
            json!([{"op": "replace", "path": "name.familyName", "value": "B"}]),
        )
        .unwrap();
        assert_eq!(u["name"], json!({"givenName": "A", "familyName": "B"}));
        let urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        let u = patch(
            u,
            json!([{"op": "add", "path": format!("{urn}:employeeNumber"), "value": "7"}]),
        )
        .unwrap();
        assert_eq!(u[urn]["employeeNumber"], json!("7"));
    }

    #[test]
    fn a_whole_extension_is_one_attribute() {
        let urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        let u = patch(
            json!({}),
            json!([{"op": "add", "path": urn, "value": {"costCenter": "c"}}]),
        )
        .unwrap();
        assert_eq!(u, json!({urn: {"costCenter": "c"}}));
        let u = patch(u, json!([{"op": "remove", "path": urn}])).unwrap();
        assert_eq!(u, json!({}));
    }

    #[test]
    fn malformed_messages_are_refused() {
        assert!(
            apply(
                &json!({}),
                &json!({"Operations": []}),
                PatchOptions::default()
            )
            .is_err()
        );
        assert_eq!(
            patch(json!({}), json!([{"op": "remove"}]))
                .unwrap_err()
                .scim_type,
            Some("noTarget")
        );
        assert_eq!(
            patch(json!({}), json!([{"op": "frobnicate", "path": "x"}]))
                .unwrap_err()
                .scim_type,
            Some("invalidSyntax")
        );
        assert_eq!(
            patch(
                json!({}),
                json!([{"op": "replace", "path": "id", "value": "x"}])
            )
            .unwrap_err()
            .scim_type,
            Some("mutability")
        );
    }
}
