//! Entitlement management (Okta Identity Governance): which entitlement resource types an app
//! declares, and the suite made for them.
//!
//! Okta reads `/ResourceTypes`; every resource type whose `schema` is an Okta URN (Role or
//! Entitlement) names an endpoint (`/Roles`, `/Licenses`, … — the app chooses) whose values it
//! imports. Okta's own Entitlements suite asks the tester to "duplicate the request for multiple
//! Entitlement Endpoints"; here a suite's checks marked `each` are repeated for every endpoint the
//! app declares (or `--entitlement-endpoint` names), before the run starts. An app that declares
//! none has the suite skipped with the reason.

use serde_json::Value;

use crate::http::{Auth, Client, Method, Outgoing};
use crate::judge::path::lookup;
use crate::suite::{Each, Suite, VarSpec};

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

/// The entitlement resource types a run repeats its `each` checks for.
#[derive(Debug, Clone, Default)]
pub struct Discovered {
    /// The Okta-URN resource types.
    pub types: Vec<OktaType>,
    /// Why there are none, when there are none.
    pub none_because: Option<String>,
}

/// Reads the app's `/ResourceTypes` for its Okta-URN resource types; `by_hand` endpoints
/// (`--entitlement-endpoint`) replace discovery (an app without discovery endpoints). The
/// request's exchanges come back too: an unreachable app or a refused credential stops the run.
pub async fn discover(
    client: &Client,
    by_hand: &[String],
) -> (Discovered, Vec<crate::http::exchange::Exchange>) {
    if !by_hand.is_empty() {
        let types = by_hand
            .iter()
            .map(|e| {
                let endpoint = format!("/{}", e.trim_matches('/'));
                // Named by the user: requested as given (the run's own base URL).
                let id = endpoint.trim_start_matches('/').to_string();
                OktaType {
                    name: Some(id.clone()),
                    id: Some(id),
                    endpoint: Some(endpoint),
                    role: e.to_ascii_lowercase().contains("role"),
                    ..OktaType::default()
                }
            })
            .collect();
        let found = Discovered {
            types,
            none_because: None,
        };
        return (found, Vec::new());
    }
    let sent = client
        .send(Outgoing {
            headers: vec![("Accept".into(), "application/scim+json".into())],
            ..Outgoing::to(Method::Get, "/ResourceTypes", Auth::Run)
        })
        .await;
    let found = match sent.response.as_ref() {
        None => Err("not run: GET /ResourceTypes got no answer".to_string()),
        Some(r) => match r.json().filter(|_| r.status == 200) {
            None => Err(format!(
                "not run: GET /ResourceTypes answered {} without a ListResponse, so no entitlement endpoint is known (name them with --entitlement-endpoint)",
                r.status
            )),
            Some(doc) => Ok(okta_types(doc)).and_then(|types| {
                if types.is_empty() {
                    Err(format!(
                        "not run: the app's /ResourceTypes declares no resource type with schema {ROLE_URN} or {ENTITLEMENT_URN} (entitlement management is not offered; name endpoints with --entitlement-endpoint)"
                    ))
                } else {
                    Ok(types)
                }
            }),
        },
    };
    let found = match found {
        Ok(types) => Discovered {
            types,
            none_because: None,
        },
        Err(why) => Discovered {
            types: Vec::new(),
            none_because: Some(why),
        },
    };
    (found, sent.exchanges)
}

/// Whether a suite has checks repeated per entitlement resource type.
pub fn repeats(suite: &Suite) -> bool {
    suite.checks.iter().any(|c| c.each.is_some())
}

/// The suite with each `each` check repeated for every discovered resource type (and each of
/// its schema extensions), ids suffixed with the type; the suite's `entitlementEndpoint`,
/// `entitlementType` and `roleEndpoint` variables set to the first entitlement and role types.
/// With none discovered, every check is skipped with the reason; checks that use a role or
/// entitlement endpoint the app lacks are skipped naming it.
pub fn expand(suite: &Suite, found: &Discovered) -> Suite {
    let mut out = suite.clone();
    let first = |role: bool| {
        found
            .types
            .iter()
            .find(|t| t.role == role && t.endpoint.as_deref().is_some_and(safe_endpoint))
    };
    let entitlement = first(false);
    let role = first(true);
    for (name, spec) in &mut out.vars {
        let value = match name.as_str() {
            "entitlementEndpoint" => entitlement.and_then(|t| t.endpoint.clone()),
            "entitlementType" => entitlement.and_then(|t| t.id.clone()),
            "roleEndpoint" => role.and_then(|t| t.endpoint.clone()),
            _ => continue,
        };
        *spec = VarSpec::Value(value.unwrap_or_default());
    }
    let missing = |names: &[(&str, bool)]| {
        names.iter().find(|(_, present)| !present).map(|(what, _)| {
            format!("not run: the app declares no {what} resource type with an endpoint")
        })
    };
    out.checks = Vec::new();
    for check in &suite.checks {
        let Some(each) = check.each else {
            let mut c = check.clone();
            let used = check.references();
            let uses = |var: &str| used.contains(var);
            if c.disabled.is_none() {
                c.disabled = found.none_because.clone().or_else(|| {
                    missing(&[
                        (
                            "entitlement (Okta Entitlement URN)",
                            !uses("entitlementEndpoint") || entitlement.is_some(),
                        ),
                        (
                            "role (Okta Role URN)",
                            !uses("roleEndpoint") || role.is_some(),
                        ),
                    ])
                });
            }
            out.checks.push(c);
            continue;
        };
        for t in &found.types {
            // A missing or unsafe endpoint fails resource-types; nothing is sent to it.
            let Some(endpoint) = t.endpoint.as_ref().filter(|e| safe_endpoint(e)) else {
                continue;
            };
            let type_id =
                t.id.clone()
                    .unwrap_or_else(|| endpoint.trim_matches('/').to_string());
            let base = vec![
                ("typeId".to_string(), type_id.clone()),
                ("typeName".to_string(), t.name.clone().unwrap_or_default()),
                ("endpoint".to_string(), endpoint.clone()),
            ];
            let repetitions: Vec<(String, Option<&String>)> = match each {
                Each::EntitlementEndpoint => vec![(slug(&type_id), None)],
                Each::EntitlementExtension => t
                    .extensions
                    .iter()
                    .map(|x| (format!("{}-{}", slug(&type_id), slug(x)), Some(x)))
                    .collect(),
            };
            for (suffix, extension) in repetitions {
                let mut c = check.clone();
                c.id = format!("{}-{suffix}", check.id);
                c.title = format!(
                    "{} ({endpoint}{})",
                    check.title,
                    extension.map_or(String::new(), |x| format!(", {x}"))
                );
                c.each = None;
                c.bindings = base.clone();
                c.bindings
                    .push(("extension".into(), extension.cloned().unwrap_or_default()));
                out.checks.push(c);
            }
        }
    }
    out
}

/// A check-id suffix from a type id or URN: lower-case letters, digits and dashes.
fn slug(text: &str) -> String {
    // The last part of a URN that names something (not a version such as "1.0").
    let tail = text
        .rsplit(':')
        .find(|p| p.chars().any(|c| c.is_ascii_alphabetic()))
        .unwrap_or(text);
    tail.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .trim_matches('-')
        .to_string()
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

    #[test]
    fn slugs_are_id_safe() {
        assert_eq!(slug("License"), "license");
        assert_eq!(
            slug("urn:scimcheck:params:scim:schemas:extension:license:1.0"),
            "license"
        );
        assert_eq!(slug("Access Profiles"), "access-profiles");
    }
}
