//! The entitlement catalogue the reference server serves with `--entitlements`: the Okta-URN
//! resource types (`/Roles`, `/Entitlements`, a custom `/Licenses` with a schema extension) and
//! their seeded values, as data that the server state holds and the handlers read.

use serde_json::{Value, json};

/// The Okta URN of role resource types.
pub const ROLE_URN: &str = "urn:okta:scim:schemas:core:1.0:Role";
/// The Okta URN of entitlement resource types.
pub const ENTITLEMENT_URN: &str = "urn:okta:scim:schemas:core:1.0:Entitlement";
/// The schema extension the custom License type declares.
pub const LICENSE_EXTENSION: &str = "urn:scimcheck:params:scim:schemas:extension:license:1.0";

/// One entitlement resource type and its values.
#[derive(Debug)]
pub(crate) struct EntitlementType {
    pub(crate) id: &'static str,
    pub(crate) endpoint: &'static str,
    pub(crate) schema: &'static str,
    pub(crate) description: &'static str,
    pub(crate) extension: Option<&'static str>,
    pub(crate) values: Vec<Value>,
}

/// The entitlement types served, each with `per_type` values.
#[derive(Debug)]
pub(crate) struct Catalogue {
    pub(crate) types: Vec<EntitlementType>,
}

impl Catalogue {
    pub(crate) fn seeded(per_type: usize) -> Self {
        let make = |id: &'static str,
                    endpoint: &'static str,
                    schema: &'static str,
                    description: &'static str,
                    extension: Option<&'static str>| {
            let values = (1..=per_type)
                .map(|n| {
                    let mut v = json!({
                        "schemas": [schema],
                        "id": format!("{}-{n}", id.to_lowercase()),
                        "displayName": format!("{id} {n}"),
                    });
                    if schema == ENTITLEMENT_URN {
                        v["type"] = json!(id);
                    }
                    if let Some(ext) = extension {
                        v["schemas"]
                            .as_array_mut()
                            .expect("an array")
                            .push(json!(ext));
                        v[ext] = json!({"seats": 10 * n});
                    }
                    v
                })
                .collect();
            EntitlementType {
                id,
                endpoint,
                schema,
                description,
                extension,
                values,
            }
        };
        Catalogue {
            types: vec![
                make(
                    "Role",
                    "/Roles",
                    ROLE_URN,
                    "Roles a user holds in the app",
                    None,
                ),
                make(
                    "Entitlement",
                    "/Entitlements",
                    ENTITLEMENT_URN,
                    "Permissions granted in the app",
                    None,
                ),
                make(
                    "License",
                    "/Licenses",
                    ENTITLEMENT_URN,
                    "Seats of the app's paid plans",
                    Some(LICENSE_EXTENSION),
                ),
            ],
        }
    }

    pub(crate) fn value(&self, roles: bool, id: &str) -> bool {
        self.types
            .iter()
            .filter(|t| (t.schema == ROLE_URN) == roles)
            .any(|t| t.values.iter().any(|v| v["id"] == json!(id)))
    }
}
