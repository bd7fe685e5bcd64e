//! The words where crates meet, as types: the SCIM version a suite or a run speaks and the kind
//! of credential a run sends. Serialised as the words results.json has always held ("2.0",
//! "oauth2"), so a match on them is exhaustive and a new kind cannot be forgotten.

use serde::{Deserialize, Serialize};

/// A SCIM protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ScimVersion {
    /// SCIM 2.0 (RFC 7643, RFC 7644).
    #[serde(rename = "2.0")]
    V2,
    /// SCIM 1.1.
    #[serde(rename = "1.1")]
    V11,
}

impl ScimVersion {
    /// As written in suite files and reports: "2.0", "1.1".
    pub fn as_str(self) -> &'static str {
        match self {
            ScimVersion::V2 => "2.0",
            ScimVersion::V11 => "1.1",
        }
    }

    /// The version written as `text`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "2.0" => Some(ScimVersion::V2),
            "1.1" => Some(ScimVersion::V11),
            _ => None,
        }
    }
}

impl std::fmt::Display for ScimVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a run authenticates to the app (`--auth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthKind {
    /// No Authorization header.
    None,
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: <value>` as given (Okta's "HTTP Header").
    Header,
    /// HTTP Basic.
    Basic,
    /// OAuth 2 access tokens from a token endpoint.
    #[serde(rename = "oauth2")]
    OAuth2,
}

impl AuthKind {
    /// As `--auth` and results.json write it.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthKind::None => "none",
            AuthKind::Bearer => "bearer",
            AuthKind::Header => "header",
            AuthKind::Basic => "basic",
            AuthKind::OAuth2 => "oauth2",
        }
    }

    /// Whether requests carry a secret.
    pub fn sends_secret(self) -> bool {
        self != AuthKind::None
    }
}

impl std::fmt::Display for AuthKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_keep_the_words_results_json_holds() {
        for v in [ScimVersion::V2, ScimVersion::V11] {
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(json, format!("\"{v}\""));
            assert_eq!(serde_json::from_str::<ScimVersion>(&json).unwrap(), v);
            assert_eq!(ScimVersion::parse(v.as_str()), Some(v));
        }
        for a in [
            AuthKind::None,
            AuthKind::Bearer,
            AuthKind::Header,
            AuthKind::Basic,
            AuthKind::OAuth2,
        ] {
            let json = serde_json::to_string(&a).unwrap();
            assert_eq!(json, format!("\"{a}\""));
            assert_eq!(serde_json::from_str::<AuthKind>(&json).unwrap(), a);
        }
        assert!(serde_json::from_str::<ScimVersion>("\"3.0\"").is_err());
    }
}
