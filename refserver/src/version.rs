//! The two SCIM dialects the server speaks, and what differs between them: schema URNs, the
//! ServiceProviderConfig endpoint's name, list and error bodies, and PATCH (RFC 7644 PatchOp
//! for 2.0, a partial resource for 1.1).

use serde_json::{Value, json};

use crate::error::ScimError;
use crate::faults::{Fault, Faults};
use crate::store::Kind;

/// A SCIM protocol version.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ScimVersion {
    /// SCIM 2.0 (RFC 7643/7644).
    #[default]
    V2,
    /// SCIM 1.1 (the 2012 core schema and protocol), as published OIN apps still speak it.
    V11,
}

/// The 1.1 core schema URN: one URN for users, groups and list responses alike.
pub const CORE_11: &str = "urn:scim:schemas:core:1.0";

impl std::str::FromStr for ScimVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "2.0" | "2" => Ok(ScimVersion::V2),
            "1.1" => Ok(ScimVersion::V11),
            other => Err(format!("SCIM version must be 2.0 or 1.1, not {other:?}")),
        }
    }
}

impl ScimVersion {
    /// "2.0" or "1.1".
    pub fn as_str(self) -> &'static str {
        match self {
            ScimVersion::V2 => "2.0",
            ScimVersion::V11 => "1.1",
        }
    }

    /// The core schema URN of a resource type.
    pub fn core_schema(self, kind: Kind) -> &'static str {
        match (self, kind) {
            (ScimVersion::V2, Kind::Users) => "urn:ietf:params:scim:schemas:core:2.0:User",
            (ScimVersion::V2, Kind::Groups) => "urn:ietf:params:scim:schemas:core:2.0:Group",
            (ScimVersion::V11, _) => CORE_11,
        }
    }

    /// The `schemas` of a list response. For 1.1 both the core URN and its ListResponse form:
    /// Okta's 1.1 SPEC suite expects the first on /Users and the second on /Schemas.
    pub fn list_schemas(self) -> Value {
        match self {
            ScimVersion::V2 => json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"]),
            ScimVersion::V11 => json!([CORE_11, "urn:scim:schemas:core:1.0:ListResponse"]),
        }
    }

    /// The path of the ServiceProviderConfig endpoint (plural in 1.1).
    pub fn service_provider_config_path(self) -> &'static str {
        match self {
            ScimVersion::V2 => "/ServiceProviderConfig",
            ScimVersion::V11 => "/ServiceProviderConfigs",
        }
    }

    /// The error body: RFC 7644 §3.12 for 2.0; `{"Errors":[{description, code}]}` for 1.1,
    /// plus a top-level `detail`, because Okta's 1.1 SPEC suite asserts it on its 404 step.
    /// Fault switches bend the shape on purpose.
    pub fn error_body(self, e: &ScimError, faults: &Faults) -> Value {
        if faults.has(Fault::ErrorBodiesNotScim) {
            return json!({"error": e.detail, "code": e.status.as_u16()});
        }
        let status = if faults.has(Fault::ErrorStatusNumber) {
            json!(e.status.as_u16())
        } else {
            json!(e.status.as_u16().to_string())
        };
        match self {
            ScimVersion::V2 => {
                let mut b = json!({
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                    "status": status,
                    "detail": e.detail,
                });
                if let Some(t) = e.scim_type {
                    b["scimType"] = json!(t);
                }
                b
            }
            ScimVersion::V11 => json!({
                "Errors": [{"description": e.detail, "code": status}],
                "detail": e.detail,
            }),
        }
    }
}
