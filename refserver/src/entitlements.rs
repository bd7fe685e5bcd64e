//! Entitlement management as Okta Identity Governance reads it (`--entitlements`): resource
//! types whose `schema` is an Okta URN (`/Roles`, `/Entitlements`, and a custom `/Licenses` with
//! a schema extension), their seeded values, served page by page, and users' `entitlements` and
//! `roles` checked against them.
//!
//! Okta calls `/ResourceTypes`, then `/Schemas` for extension URNs it does not know, then each
//! Okta-URN endpoint, importing every value; assignments travel in the User's multi-valued
//! `entitlements` (`value`, `display`, `type`) and `roles` (`value`, `display`).

use serde_json::{Value, json};

use crate::catalogue::{Catalogue, EntitlementType, LICENSE_EXTENSION};
use crate::error::ScimError;
use crate::faults::Fault;
use crate::filter;
use crate::state::AppState;

/// The resource types of the catalogue, as `/ResourceTypes` lists them.
pub(crate) fn resource_types(s: &AppState, catalogue: &Catalogue) -> Vec<Value> {
    catalogue
        .types
        .iter()
        .map(|t| {
            let mut r = json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
                "id": t.id, "name": t.id, "endpoint": t.endpoint,
                "description": t.description, "schema": t.schema,
                "meta": {"resourceType": "ResourceType", "location": format!("{}/ResourceTypes/{}", s.base_url, t.id)}
            });
            if let Some(ext) = t.extension {
                r["schemaExtensions"] = json!([{"schema": ext, "required": false}]);
            }
            if s.faults.has(Fault::ResourceTypeWithoutEndpoint) {
                r.as_object_mut().expect("an object").remove("endpoint");
            }
            r
        })
        .collect()
}

/// The schemas the catalogue adds to `/Schemas`: its extension (Okta knows the Role and
/// Entitlement schemas, not an app's extensions).
pub(crate) fn schemas(s: &AppState) -> Vec<Value> {
    if s.faults.has(Fault::ExtensionSchemaMissing) {
        return Vec::new();
    }
    vec![json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": LICENSE_EXTENSION, "name": "License", "description": "What a license seat carries",
        "attributes": [{
            "name": "seats", "type": "integer", "multiValued": false, "description": "Seats in the plan",
            "required": false, "caseExact": false, "mutability": "readOnly", "returned": "default",
            "uniqueness": "none"
        }],
        "meta": {"resourceType": "Schema", "location": format!("{}/Schemas/{LICENSE_EXTENSION}", s.base_url)}
    })]
}

/// A page of a type's values (RFC 7644 §3.4.2.4: 1-based startIndex, count).
pub(crate) fn page(
    s: &AppState,
    t: &EntitlementType,
    q: &[(String, String)],
) -> Result<Value, ScimError> {
    let number = |name: &str| -> Result<Option<i64>, ScimError> {
        q.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| {
                v.trim().parse::<i64>().map_err(|_| {
                    ScimError::bad_request(
                        "invalidValue",
                        format!("{name} must be an integer, got {v:?}"),
                    )
                })
            })
            .transpose()
    };
    let start = number("startIndex")?.unwrap_or(1).max(1) as usize;
    let count = number("count")?.map_or(t.values.len(), |c| c.max(0) as usize);
    let page: Vec<&Value> = if s.faults.has(Fault::EntitlementPagingIgnored) {
        t.values.iter().collect()
    } else {
        t.values.iter().skip(start - 1).take(count).collect()
    };
    Ok(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": t.values.len(),
        "startIndex": start,
        "itemsPerPage": page.len(),
        "Resources": page,
    }))
}

/// One value by id.
pub(crate) fn one(t: &EntitlementType, id: &str) -> Result<Value, ScimError> {
    t.values
        .iter()
        .find(|v| v["id"] == json!(id))
        .cloned()
        .ok_or_else(|| ScimError::not_found(t.id, id))
}

/// A user's `entitlements` and `roles` must name values the app has (RFC 7644 §3.12
/// invalidValue), unless the fault accepts anything.
pub(crate) fn check_assignments(s: &AppState, user: &Value) -> Result<(), ScimError> {
    let Some(catalogue) = &s.entitlements else {
        return Ok(());
    };
    if s.faults.has(Fault::UnknownEntitlementAccepted) {
        return Ok(());
    }
    for (attr, roles) in [("entitlements", false), ("roles", true)] {
        let Some(items) = filter::get_ci(user, attr).and_then(Value::as_array) else {
            continue;
        };
        for item in items {
            let value = filter::get_ci(item, "value").and_then(Value::as_str);
            if !value.is_some_and(|v| catalogue.value(roles, v)) {
                return Err(ScimError::bad_request(
                    "invalidValue",
                    format!("{attr}: {item} names no value of the app"),
                ));
            }
        }
    }
    Ok(())
}

/// A PATCH's result as a faulty app stores it: an add of entitlements or roles, or a removal
/// of an entitlement by value filter, answered with success and the assignments left as they
/// were.
pub(crate) fn bend_patched(
    s: &AppState,
    message: &Value,
    current: &Value,
    patched: Value,
) -> Value {
    let add = s.faults.has(Fault::AssignmentAddNotApplied);
    let remove = s.faults.has(Fault::AssignmentRemoveNotApplied);
    if !add && !remove {
        return patched;
    }
    let ops = filter::get_ci(message, "Operations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let ignored = ops.iter().any(|op| {
        let kind = filter::get_ci(op, "op")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_lowercase();
        let path = filter::get_ci(op, "path")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_lowercase();
        let assignment = path.starts_with("entitlements") || path.starts_with("roles");
        (add && kind == "add" && assignment)
            || (remove && kind == "remove" && path.starts_with("entitlements["))
    });
    if !ignored {
        return patched;
    }
    let mut kept = patched;
    if let Some(obj) = kept.as_object_mut() {
        for attr in ["entitlements", "roles"] {
            obj.retain(|k, _| !k.eq_ignore_ascii_case(attr));
            if let Some(before) = filter::get_ci(current, attr) {
                obj.insert(attr.to_string(), before.clone());
            }
        }
    }
    kept
}
