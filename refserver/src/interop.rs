//! The SCIM 2.0 Interoperability Profile's strict handling (draft-zollner-scim-interop-profile-01),
//! served when the server runs in its mode (`serve --interop-profile`): attributes and schema
//! URIs the server does not define are refused with 400 invalidSyntax (§5.3), and so are PATCH
//! operations without a `path` (§6.5.1.1). RFC 7644 lets a server accept both, and Okta's own
//! client sends a path-less PATCH to rename a group, so this is a mode and not the default.

use serde_json::Value;

use crate::discovery;
use crate::error::ScimError;
use crate::faults::Fault;
use crate::state::AppState;
use crate::store::Kind;

/// The schemas: the core ones, and the entitlement extension when served.
pub(crate) fn all_schemas(s: &AppState) -> Vec<Value> {
    let mut schemas = discovery::schemas(&s.base_url);
    if s.faults.has(Fault::NoCanonicalValues) {
        for attribute in schemas
            .iter_mut()
            .flat_map(|sc| sc["attributes"].as_array_mut().into_iter().flatten())
        {
            for sub in attribute["subAttributes"]
                .as_array_mut()
                .into_iter()
                .flatten()
            {
                if let Some(o) = sub.as_object_mut() {
                    o.remove("canonicalValues");
                }
            }
        }
    }
    if s.interop_profile {
        // IPSIE AL2 (built on the profile): no `password` attribute.
        for schema in &mut schemas {
            if let Some(attributes) = schema["attributes"].as_array_mut() {
                attributes.retain(|a| a["name"] != "password");
            }
        }
    }
    if s.entitlements.is_some() {
        schemas.extend(crate::entitlements::schemas(s));
    }
    schemas
}

/// Attributes every resource has (RFC 7643 §3.1), beside those of its schemas.
const COMMON: &[&str] = &["schemas", "id", "externalId", "meta"];

/// Refuses a resource (as sent, or as a PATCH leaves it) that carries an attribute or a schema
/// URI the server does not define, when the profile's strict handling is on.
pub(crate) fn refuse_undefined(
    s: &AppState,
    kind: Kind,
    resource: &Value,
) -> Result<(), ScimError> {
    if !s.interop_profile || s.faults.has(Fault::UndefinedAttributesAccepted) {
        return Ok(());
    }
    let schemas = all_schemas(s);
    let core = s.version.core_schema(kind);
    let known_uri = |uri: &str| {
        schemas.iter().any(|sc| {
            sc["id"]
                .as_str()
                .is_some_and(|id| id.eq_ignore_ascii_case(uri))
        })
    };
    let core_attributes: Vec<&str> = schemas
        .iter()
        .find(|sc| sc["id"].as_str() == Some(core))
        .and_then(|sc| sc["attributes"].as_array())
        .map(|a| a.iter().filter_map(|a| a["name"].as_str()).collect())
        .unwrap_or_default();
    let refuse = |what: String| {
        Err(ScimError::bad_request(
            "invalidSyntax",
            format!("{what} (SCIM 2.0 Interoperability Profile §5.3)"),
        ))
    };
    for uri in resource["schemas"].as_array().into_iter().flatten() {
        let uri = uri.as_str().unwrap_or_default();
        if !known_uri(uri) {
            return refuse(format!("the schema {uri:?} is not defined here"));
        }
    }
    for key in resource.as_object().into_iter().flat_map(|o| o.keys()) {
        let defined = COMMON
            .iter()
            .chain(&core_attributes)
            .any(|a| a.eq_ignore_ascii_case(key))
            || (key.contains(':') && known_uri(key));
        if !defined {
            return refuse(format!("the attribute {key:?} is not defined here"));
        }
    }
    Ok(())
}

/// Refuses a filter on an attribute that none of the schemas of the listed kind defines, when
/// the profile's strict handling is on (§6.3: 400 invalidFilter).
pub(crate) fn refuse_undefined_filter(
    s: &AppState,
    kind: Kind,
    filter: &crate::filter::Filter,
) -> Result<(), ScimError> {
    use crate::filter::Filter;
    if !s.interop_profile {
        return Ok(());
    }
    let schemas = all_schemas(s);
    let core = s.version.core_schema(kind);
    let defined = |name: &str| {
        COMMON.iter().any(|a| a.eq_ignore_ascii_case(name))
            || schemas
                .iter()
                .filter(|sc| sc["id"].as_str() == Some(core) || !is_core(sc))
                .flat_map(|sc| sc["attributes"].as_array().into_iter().flatten())
                .any(|a| {
                    a["name"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
                })
    };
    let mut todo = vec![filter];
    while let Some(f) = todo.pop() {
        match f {
            Filter::Compare { path, .. } | Filter::ValuePath { path, .. } => {
                let head = path.first().map(String::as_str).unwrap_or_default();
                if !defined(head) {
                    return Err(ScimError::bad_request(
                        "invalidFilter",
                        format!(
                            "the filter names {head:?}, which no schema of this resource type defines (SCIM 2.0 Interoperability Profile §6.3)"
                        ),
                    ));
                }
            }
            Filter::And(all) | Filter::Or(all) => todo.extend(all),
            Filter::Not(inner) => todo.push(inner),
        }
    }
    Ok(())
}

/// Whether a schema is a core schema of a resource type (not an extension).
fn is_core(schema: &Value) -> bool {
    schema["id"]
        .as_str()
        .is_some_and(|id| id.contains(":core:"))
}

/// Refuses a PatchOp with an operation that has no `path`, when the profile's strict handling
/// is on (§6.5.1.1).
pub(crate) fn refuse_path_less(s: &AppState, message: &Value) -> Result<(), ScimError> {
    if !s.interop_profile || s.faults.has(Fault::PathLessPatchAccepted) {
        return Ok(());
    }
    let ops = crate::filter::get_ci(message, "Operations").and_then(Value::as_array);
    match ops
        .into_iter()
        .flatten()
        .position(|o| crate::filter::get_ci(o, "path").is_none())
    {
        Some(i) => Err(ScimError::bad_request(
            "invalidSyntax",
            format!(
                "Operations[{i}] has no path (SCIM 2.0 Interoperability Profile §6.5.1.1: every operation names its path)"
            ),
        )),
        None => Ok(()),
    }
}
