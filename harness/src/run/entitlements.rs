//! The entitlement endpoints of a run: discovered from the app's `/ResourceTypes` (or named by
//! `--entitlement-endpoint`) before the run starts, and the suite's checks marked `each`
//! repeated for every one. Okta's own Entitlements suite asks the tester to "duplicate the
//! request for multiple Entitlement Endpoints"; an app that declares none has the suite
//! skipped with the reason. What makes a resource type an entitlement type is
//! `judge::entitlements`.

use crate::http::{Auth, Client, Method, Outgoing};
use crate::judge::entitlements::{ENTITLEMENT_URN, OktaType, ROLE_URN, okta_types, safe_endpoint};
use crate::suite::{Check, Each, Suite, VarSpec};

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
        out.checks.extend(repeated(check, each, found));
    }
    out
}

/// A check marked `each`, repeated for every entitlement type (and, for an extension
/// check, every schema extension of it) with an endpoint that may be requested.
fn repeated(check: &Check, each: Each, found: &Discovered) -> Vec<Check> {
    let mut out = Vec::new();
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
            out.push(c);
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
