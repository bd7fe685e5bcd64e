//! Discovery documents (RFC 7644 §4, RFC 7643 §5–§7): ServiceProviderConfig, ResourceTypes and
//! Schemas. The ServiceProviderConfig is honest: it advertises exactly what this server does
//! (PATCH, filter, sort, ETag, bulk; no password change).

use serde_json::{Value, json};

use crate::store::Kind;
use crate::version::{CORE_11, ScimVersion};

const SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/// Most operations in one bulk request (RFC 7644 §3.7).
pub const MAX_BULK_OPERATIONS: usize = 100;

/// Largest bulk request body in bytes.
pub const MAX_BULK_PAYLOAD: usize = 1024 * 1024;

/// Page size when the client gives no `count` (RFC 7644 §3.4.2.4 leaves it to the server).
pub const DEFAULT_COUNT: usize = 100;

/// Largest page the server returns (advertised as `filter.maxResults`).
pub const MAX_RESULTS: usize = 1000;

/// `/ServiceProviderConfig`.
pub fn service_provider_config(
    base: &str,
    basic: bool,
    version: ScimVersion,
    interop_profile: bool,
    cursor_by_default: bool,
) -> Value {
    let mut schemes = vec![json!({
        "type": "oauthbearertoken", "name": "OAuth Bearer Token",
        "description": "Authentication with a bearer token in the Authorization header",
        "primary": true
    })];
    if basic {
        schemes.push(json!({
            "type": "httpbasic", "name": "HTTP Basic",
            "description": "Authentication with a user name and password"
        }));
    }
    let schema = match version {
        ScimVersion::V2 => "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
        ScimVersion::V11 => CORE_11,
    };
    let mut config = json!({
        "schemas": [schema],
        "documentationUri": "https://www.rfc-editor.org/rfc/rfc7644",
        "patch": {"supported": true},
        "bulk": {"supported": true, "maxOperations": MAX_BULK_OPERATIONS, "maxPayloadSize": MAX_BULK_PAYLOAD},
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        // Passwords are accepted on create and changed by PUT and PATCH (RFC 7643 §5), except
        // in the interop profile's mode, which serves IPSIE AL2's "no password attribute".
        "changePassword": {"supported": !interop_profile},
        "sort": {"supported": true},
        "etag": {"supported": true},
        "authenticationSchemes": schemes,
        "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{base}{}", version.service_provider_config_path())}
    });
    if version == ScimVersion::V2 {
        // RFC 9865 §4: both pagination methods, index by default unless told otherwise.
        let default = if cursor_by_default { "cursor" } else { "index" };
        config["pagination"] = json!({
            "cursor": true, "index": true, "defaultPaginationMethod": default,
            "defaultPageSize": DEFAULT_COUNT, "maxPageSize": MAX_RESULTS,
            "cursorTimeout": CURSOR_TIMEOUT_S
        });
    }
    if version == ScimVersion::V2 && interop_profile {
        // The interop profile §4: said only when the server conforms (omitted otherwise, as
        // the profile allows and strict schema validators of ServiceProviderConfig expect).
        config["interopProfileConformant"] = json!(true);
    }
    config
}

/// Seconds a cursor is advertised to stay valid (cursors here never expire sooner).
pub const CURSOR_TIMEOUT_S: u64 = 3600;

/// A `type` sub-attribute with the canonical values of its attribute, when it has some.
fn typed(mut kind: Value, attribute: &str) -> Value {
    if let Some(values) = canonical_types(attribute) {
        kind["canonicalValues"] = json!(values);
    }
    kind
}

/// The canonical `type` values of RFC 7643 §4.1.2 for a multi-valued attribute, declared as
/// the interop profile §5.4 asks.
fn canonical_types(attribute: &str) -> Option<Vec<&'static str>> {
    Some(match attribute {
        "emails" | "addresses" => vec!["work", "home", "other"],
        "phoneNumbers" => vec!["work", "home", "mobile", "fax", "pager", "other"],
        "ims" => vec!["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"],
        "photos" => vec!["photo", "thumbnail"],
        // The entitlement types this server serves (`catalogue`).
        "entitlements" | "roles" => vec!["Role", "Entitlement", "License"],
        "groups" => vec!["direct", "indirect"],
        "members" => vec!["User", "Group"],
        _ => return None,
    })
}

/// The ResourceTypes, each with its `meta.location`.
pub fn resource_types(base: &str, version: ScimVersion) -> Vec<Value> {
    vec![
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "User", "name": "User", "endpoint": "/Users",
            "description": "User Account",
            "schema": version.core_schema(Kind::Users),
            "schemaExtensions": [{"schema": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "required": false}],
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/User")}
        }),
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "Group", "name": "Group", "endpoint": "/Groups",
            "description": "Group",
            "schema": version.core_schema(Kind::Groups),
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/Group")}
        }),
    ]
}

fn attr(
    name: &str,
    kind: &str,
    multi: bool,
    required: bool,
    case_exact: bool,
    mutability: &str,
    uniqueness: &str,
) -> Value {
    json!({
        "name": name, "type": kind, "multiValued": multi, "description": name,
        "required": required, "caseExact": case_exact, "mutability": mutability,
        "returned": "default", "uniqueness": uniqueness
    })
}

fn complex(name: &str, multi: bool, subs: Vec<Value>) -> Value {
    complex_with(name, multi, "readWrite", subs)
}

fn complex_with(name: &str, multi: bool, mutability: &str, subs: Vec<Value>) -> Value {
    let mut a = attr(name, "complex", multi, false, false, mutability, "none");
    a["subAttributes"] = Value::Array(subs);
    a
}

fn read_only(name: &str) -> Value {
    attr(name, "string", false, false, false, "readOnly", "none")
}

fn s(name: &str) -> Value {
    attr(name, "string", false, false, false, "readWrite", "none")
}

/// The Schemas served (User, enterprise extension, Group), each with its `meta.location`.
pub fn schemas(base: &str) -> Vec<Value> {
    let multi_value = |name: &str| {
        let kind = typed(s("type"), name);
        complex(
            name,
            true,
            vec![
                s("value"),
                s("display"),
                kind,
                attr(
                    "primary",
                    "boolean",
                    false,
                    false,
                    false,
                    "readWrite",
                    "none",
                ),
            ],
        )
    };
    let user = json!({
        "schemas": [SCHEMA],
        "id": "urn:ietf:params:scim:schemas:core:2.0:User", "name": "User", "description": "User Account",
        "attributes": [
            attr("userName", "string", false, true, false, "readWrite", "server"),
            complex("name", false, vec![s("formatted"), s("familyName"), s("givenName"), s("middleName"), s("honorificPrefix"), s("honorificSuffix")]),
            s("displayName"), s("nickName"), s("title"), s("userType"), s("preferredLanguage"), s("locale"), s("timezone"),
            attr("active", "boolean", false, false, false, "readWrite", "none"),
            attr("password", "string", false, false, false, "writeOnly", "none"),
            attr("externalId", "string", false, false, true, "readWrite", "none"),
            multi_value("emails"), multi_value("phoneNumbers"),
            // Assignments of entitlement management (RFC 7643 §4.1.2).
            multi_value("entitlements"), multi_value("roles"),
            // Group membership is managed through /Groups (RFC 7643 §4.1.2).
            complex_with("groups", true, "readOnly", vec![read_only("value"), read_only("display"), typed(read_only("type"), "groups")]),
        ],
        "meta": {"resourceType": "Schema", "location": format!("{base}/Schemas/urn:ietf:params:scim:schemas:core:2.0:User")}
    });
    let enterprise = json!({
        "schemas": [SCHEMA],
        "id": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "name": "EnterpriseUser",
        "description": "Enterprise User",
        "attributes": [s("employeeNumber"), s("costCenter"), s("organization"), s("division"), s("department"),
                       complex("manager", false, vec![s("value"), s("displayName")])],
        "meta": {"resourceType": "Schema", "location": format!("{base}/Schemas/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")}
    });
    let group = json!({
        "schemas": [SCHEMA],
        "id": "urn:ietf:params:scim:schemas:core:2.0:Group", "name": "Group", "description": "Group",
        "attributes": [
            attr("displayName", "string", false, true, false, "readWrite", "none"),
            attr("externalId", "string", false, false, true, "readWrite", "none"),
            complex("members", true, vec![s("value"), s("display"), typed(s("type"), "members"), s("$ref")]),
        ],
        "meta": {"resourceType": "Schema", "location": format!("{base}/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group")}
    });
    vec![user, enterprise, group]
}
