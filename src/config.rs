//! `scimcheck.toml`: the optional file that holds a run's target and options. Flags override
//! it. It never holds secrets: credentials come only from the environment.
//!
//! ```toml
//! base_url = "https://app.example.com/scim/v2"
//! auth = "bearer"            # bearer | header | basic | oauth2 | none
//! token_url = "https://app.example.com/oauth/token"   # oauth2: the token endpoint
//! client_id = "okta-scim"     # oauth2 (the secret: SCIM_CLIENT_SECRET in the environment)
//! scope = "scim"              # oauth2, optional
//! client_auth = "basic"       # oauth2: basic | post
//! suites = ["okta-scim2-spec"]
//! out = "scimcheck-results"
//! email_domain = "example.com"
//! connect_timeout_secs = 10
//! timeout_secs = 30
//! max_body_bytes = 10485760
//! scim_version = "auto"      # auto | 2.0 | 1.1
//! page_size = 100            # count of each page of an import walk
//! proxy = "http://proxy.corp.example:3128"   # or "none"; default: HTTPS_PROXY and friends
//! cacert = "corp-ca.pem"      # more trusted CAs (PEM), relative to this file
//! insecure = false            # true: certificates are not verified (never for a submission)
//! rate = 5                    # at most 5 requests per second
//! concurrency = 8             # at most 8 requests at once (1: one at a time)
//! ```

use serde::Deserialize;

/// The contents of a `scimcheck.toml`.
#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// The SCIM base URL.
    pub base_url: Option<String>,
    /// Authentication mode.
    pub auth: Option<String>,
    /// Suites to run (ids or files).
    #[serde(default)]
    pub suites: Vec<String>,
    /// Output directory.
    pub out: Option<String>,
    /// Domain of generated users' emails.
    pub email_domain: Option<String>,
    /// Connect timeout in seconds.
    pub connect_timeout_secs: Option<u64>,
    /// Whole-request timeout in seconds.
    pub timeout_secs: Option<u64>,
    /// Response size cap in bytes.
    pub max_body_bytes: Option<usize>,
    /// SCIM version to test: "auto", "2.0" or "1.1".
    pub scim_version: Option<String>,
    /// `count` of each page of an import walk.
    pub page_size: Option<usize>,
    /// OAuth 2 token endpoint.
    pub token_url: Option<String>,
    /// OAuth 2 client id.
    pub client_id: Option<String>,
    /// OAuth 2 scope.
    pub scope: Option<String>,
    /// OAuth 2 client authentication: "basic" or "post".
    pub client_auth: Option<String>,
    /// The most requests per second.
    pub rate: Option<f64>,
    /// The most requests in flight at once.
    pub concurrency: Option<usize>,
    /// The proxy URL, or "none".
    pub proxy: Option<String>,
    /// A PEM file of more trusted CAs.
    pub cacert: Option<String>,
    /// Certificates are not verified.
    pub insecure: Option<bool>,
}

/// A problem in the config file, naming file, line and key.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ConfigError {
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

const SECRET_KEYS: &[&str] = &[
    "token",
    "password",
    "secret",
    "authorization",
    "client_secret",
];

/// Parses a config file's text.
pub fn parse_config(file: &str, text: &str) -> Result<FileConfig, ConfigError> {
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    // Name the rule, not just the unknown key, when someone tries to store a secret.
    if let Ok(table) = text.parse::<toml::Table>()
        && let Some(key) = table
            .keys()
            .find(|k| SECRET_KEYS.contains(&k.to_ascii_lowercase().as_str()))
    {
        let offset = text.find(key.as_str()).unwrap_or(0);
        return Err(ConfigError {
            file: file.into(),
            line: line_of(offset),
            message: format!(
                "{key}: secrets never go in {file}; set SCIM_TOKEN (or SCIM_USERNAME and SCIM_PASSWORD) in the environment"
            ),
        });
    }
    toml::from_str(text).map_err(|e| ConfigError {
        file: file.into(),
        line: line_of(e.span().map_or(0, |s| s.start)),
        message: e.message().trim().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_full_config() {
        let c = parse_config(
            "s.toml",
            "base_url = \"http://x\"\nauth = \"none\"\nsuites = [\"a\"]\n",
        )
        .unwrap();
        assert_eq!(c.base_url.as_deref(), Some("http://x"));
        assert_eq!(c.suites, ["a"]);
    }

    #[test]
    fn refuses_secrets_with_the_rule() {
        let e = parse_config("s.toml", "base_url = \"http://x\"\ntoken = \"abc\"\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("SCIM_TOKEN"), "{e}");
    }

    #[test]
    fn unknown_keys_name_the_line() {
        let e = parse_config("s.toml", "\nbase_ur = \"x\"\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("base_ur"), "{e}");
    }
}
