//! Entitlement management (Okta Identity Governance): the rules an app's entitlement resource
//! types are read by (an Okta-URN schema, an endpoint below the base URL, extension URNs). The
//! discovery that requests them and the suite made for them are `run::entitlements`.
//!
//! Okta reads `/ResourceTypes`; every resource type whose `schema` is an Okta URN (Role or
//! Entitlement) names an endpoint (`/Roles`, `/Licenses`, … — the app chooses) whose values it
//! imports. Okta's own Entitlements suite asks the tester to "duplicate the request for multiple
//! Entitlement Endpoints"; here a suite's checks marked `each` are repeated for every endpoint the
//! app declares (or `--entitlement-endpoint` names), before the run starts. An app that declares
//! none has the suite skipped with the reason.

use serde_json::Value;

use crate::judge::path::lookup;

/// The Okta URN of role resource types.
pub const ROLE_URN: &str = "urn:okta:scim:schemas:core:1.0:Role";
/// The Okta URN of entitlement resource types.
pub const ENTITLEMENT_URN: &str = "urn:okta:scim:schemas:core:1.0:Entitlement";

/// A resource type with an Okta URN as its schema, as the app declares it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OktaType {
    /// `id` (Okta keys its mapping on it).
    pub id: Option<String>,
    /// `name` (shown on the app's Governance tab).
    pub name: Option<String>,
    /// `endpoint`, relative to the base URL.
    pub endpoint: Option<String>,
    /// The Okta URN: roles or entitlements.
    pub role: bool,
    /// The `schemaExtensions` URNs.
    pub extensions: Vec<String>,
    /// What is wrong with its `schemaExtensions` entries.
    pub extension_problems: Vec<String>,
}

/// The Okta-URN resource types of a `/ResourceTypes` ListResponse (or a bare array).
pub fn okta_types(doc: &Value) -> Vec<OktaType> {
    let items = lookup(doc, "Resources")
        .and_then(|r| r.as_array().cloned())
        .or_else(|| doc.as_array().cloned())
        .unwrap_or_default();
    let text = |v: &Value, path: &str| {
        lookup(v, path)
            .and_then(|x| x.as_str().map(str::to_string))
            .filter(|s| !s.is_empty())
    };
    items
        .iter()
        .filter_map(|t| {
            let schema = text(t, "schema")?;
            let role = schema.eq_ignore_ascii_case(ROLE_URN);
            if !role && !schema.eq_ignore_ascii_case(ENTITLEMENT_URN) {
                return None;
            }
            let mut extensions = Vec::new();
            let mut extension_problems = Vec::new();
            let entries = lookup(t, "schemaExtensions")
                .and_then(|e| e.as_array().cloned())
                .unwrap_or_default();
            for entry in entries {
                match text(&entry, "schema") {
                    Some(urn) if safe_urn(&urn) => extensions.push(urn),
                    Some(urn) => extension_problems.push(format!(
                        "schemaExtensions schema {urn:?} is not a URN (not requested)"
                    )),
                    None => {
                        extension_problems.push("a schemaExtensions entry has no schema".into())
                    }
                }
                if !lookup(&entry, "required").is_some_and(|v| v.is_boolean()) {
                    extension_problems
                        .push("a schemaExtensions entry has no boolean required".into());
                }
            }
            Some(OktaType {
                id: text(t, "id"),
                name: text(t, "name"),
                endpoint: text(t, "endpoint"),
                role,
                extensions,
                extension_problems,
            })
        })
        .collect()
}

/// Whether an endpoint the app declares is a path below the base URL that the run may request
/// with its credential: `/` and segments of URL-safe characters, none `.` or `..` (a hostile
/// `/ResourceTypes` must not send the credential to another host or path).
pub fn safe_endpoint(endpoint: &str) -> bool {
    let Some(rest) = endpoint.strip_prefix('/') else {
        return false;
    };
    !rest.is_empty()
        && rest.split('/').all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._~%".contains(c))
        })
}

/// Whether a schema extension's URN is printable text without spaces (it is shown in titles
/// and compared in assertions).
fn safe_urn(urn: &str) -> bool {
    urn.len() <= 256 && urn.chars().all(|c| c.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn okta_types_are_the_resource_types_with_an_okta_urn() {
        let doc = json!({"Resources": [
            {"id": "User", "name": "User", "endpoint": "/Users", "schema": "urn:ietf:params:scim:schemas:core:2.0:User"},
            {"id": "Role", "name": "Role", "endpoint": "/Roles", "schema": ROLE_URN},
            {"id": "License", "name": "License", "schema": ENTITLEMENT_URN,
             "schemaExtensions": [{"schema": "urn:x:license", "required": false}, {"required": "no"}]},
        ]});
        let types = okta_types(&doc);
        assert_eq!(types.len(), 2);
        assert!(types[0].role && types[0].endpoint.as_deref() == Some("/Roles"));
        assert_eq!(types[1].endpoint, None);
        assert_eq!(types[1].extensions, vec!["urn:x:license".to_string()]);
        assert_eq!(
            types[1].extension_problems.len(),
            2,
            "{:?}",
            types[1].extension_problems
        );
    }

    #[test]
    fn only_paths_below_the_base_url_are_requested() {
        for ok in ["/Roles", "/Access_Profiles", "/v2/Licenses", "/A%20B"] {
            assert!(safe_endpoint(ok), "{ok}");
        }
        for bad in [
            "Roles",
            "https://evil.example/x",
            "//evil.example/x",
            "/Roles/../../admin",
            "/./Roles",
            "/Roles?x=1",
            "/Roles#x",
            "/Ro les",
            "/Roles\u{1b}[2J",
            "/",
        ] {
            assert!(!safe_endpoint(bad), "{bad}");
        }
    }
}
