//! The OIN submission as the ISV fills it in: `submission.toml`, read strictly (unknown keys
//! are errors naming file, line and key). It models both of Okta's forms: the OIN Manager
//! (`form = "oin-manager"`, the seed documents' form) and the OIN Wizard (`form = "oin-wizard"`,
//! Okta's current form for SCIM). Secrets are never in the file: it names the environment
//! variables that hold them (`password_env`, `client_secret_env`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Which Okta form the submission follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    /// The OIN Manager (General Settings, Customer support, Test account, protocol tabs).
    OinManager,
    /// The OIN Wizard (catalogue properties, authentication, SCIM properties, test information).
    OinWizard,
}

impl Form {
    /// The form's name as written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Form::OinManager => "oin-manager",
            Form::OinWizard => "oin-wizard",
        }
    }
}

/// A whole submission.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// The form modelled.
    pub form: Form,
    /// The Okta developer org the submission is made from.
    #[serde(default)]
    pub dev_org: String,
    /// App information / OIN catalogue properties.
    pub app: App,
    /// Customer support.
    #[serde(default)]
    pub support: Support,
    /// The test account for Okta's review.
    pub test_account: TestAccount,
    /// The SCIM protocol settings.
    pub scim: Scim,
    /// Where the file was read from (logo and guide paths are relative to it).
    #[serde(skip)]
    pub base_dir: PathBuf,
    /// The files it names, by the name written in it, when they come from a bundle rather
    /// than from `base_dir` (`verify` re-derives a bundle from its own inputs).
    #[serde(skip)]
    pub inputs: Option<std::sync::Arc<std::collections::BTreeMap<String, Vec<u8>>>>,
    /// The file's text as read (bundled as the input it is).
    #[serde(skip)]
    pub text: String,
}

impl Submission {
    /// A file the submission names (the logo, the guide), at most `limit` bytes. Errors name
    /// the file as the submission writes it, so that they read the same wherever it is read.
    pub fn read_input(
        &self,
        name: &str,
        limit: u64,
    ) -> Result<Vec<u8>, untrusted::files::ReadError> {
        use untrusted::files::ReadError;
        let not_found = || ReadError::Io {
            path: name.to_string(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        };
        match &self.inputs {
            Some(files) => {
                let bytes = files.get(name).ok_or_else(not_found)?;
                if bytes.len() as u64 > limit {
                    return Err(ReadError::TooLarge {
                        path: name.to_string(),
                        size: bytes.len() as u64,
                        limit,
                    });
                }
                Ok(bytes.clone())
            }
            None => {
                untrusted::files::read_capped(&self.base_dir.join(name), limit).map_err(|e| match e
                {
                    ReadError::Io { source, .. }
                        if source.kind() == std::io::ErrorKind::NotFound =>
                    {
                        not_found()
                    }
                    ReadError::Io { source, .. } => ReadError::Io {
                        path: name.to_string(),
                        source,
                    },
                    ReadError::NotRegular(_) => ReadError::NotRegular(name.to_string()),
                    ReadError::NotText(_) => ReadError::NotText(name.to_string()),
                    ReadError::TooLarge { size, limit, .. } => ReadError::TooLarge {
                        path: name.to_string(),
                        size,
                        limit,
                    },
                })
            }
        }
    }
}

/// App information (OIN Manager) or catalogue properties (OIN Wizard).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct App {
    /// "Does your app exist in the OIN?"
    #[serde(default)]
    pub exists_in_oin: bool,
    /// The existing OIN app name (updates).
    #[serde(default)]
    pub existing_name: String,
    /// The changes this update makes (updates).
    #[serde(default)]
    pub changes_summary: String,
    /// The dev org of the original submission (updates must come from the same org).
    #[serde(default)]
    pub original_dev_org: String,
    /// App name (Manager) / display name (Wizard).
    #[serde(default)]
    pub name: String,
    /// App website (Manager).
    #[serde(default)]
    pub website: String,
    /// Use cases.
    #[serde(default)]
    pub use_cases: Vec<String>,
    /// App description.
    #[serde(default)]
    pub description: String,
    /// Path to the icon, relative to the submission file.
    #[serde(default)]
    pub logo: String,
}

/// Customer support.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Support {
    /// Public contacts (Manager).
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// The private escalation contact (Manager) / support email (Wizard).
    #[serde(default)]
    pub escalation: String,
}

/// A public support contact.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// "email", "url" or "phone".
    #[serde(rename = "type")]
    pub kind: String,
    /// The address, link or number.
    pub value: String,
}

/// The test account.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TestAccount {
    /// Static sign-in URL.
    #[serde(default)]
    pub url: String,
    /// Username or email (isvtest@okta.com preferred).
    #[serde(default)]
    pub username: String,
    /// The environment variable holding the password.
    #[serde(default)]
    pub password_env: String,
    /// Additional instructions.
    #[serde(default)]
    pub instructions: String,
}

/// SCIM protocol settings.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scim {
    /// "2.0" or "1.1".
    #[serde(default)]
    pub version: String,
    /// The SCIM base URL.
    #[serde(default)]
    pub base_url: String,
    /// "header", "bearer", "oauth2" or "basic".
    #[serde(default)]
    pub auth: String,
    /// OAuth 2 settings when `auth = "oauth2"`.
    pub oauth: Option<OAuth>,
    /// Configuration guide: an HTTPS link, or a file (HTML or PDF) bundled with the submission.
    #[serde(default)]
    pub config_guide: String,
    /// Supported features.
    #[serde(default)]
    pub features: Vec<String>,
    /// "Does your SCIM server support PATCH?" (Manager).
    pub patch_supported: Option<bool>,
    /// Group membership changes per PATCH, 100–1000 (Manager).
    pub group_patch_limit: Option<u32>,
    /// The app instance URL in the dev org (Manager).
    #[serde(default)]
    pub instance_url: String,
    /// Entitlement Management properties (OIN Wizard), with the `entitlement-management`
    /// feature.
    pub entitlements: Option<Entitlements>,
}

/// The OIN Wizard's Entitlement Management properties.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Entitlements {
    /// Resource type mapping: one entry per entitlement resource type of the app.
    #[serde(default)]
    pub resource_types: Vec<ResourceTypeMapping>,
    /// Schema mapping: the attributes Okta shows for the values.
    #[serde(default)]
    pub schema: Vec<SchemaMapping>,
}

/// One resource type of the Wizard's resource type mapping.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceTypeMapping {
    /// Resource type (its id in /ResourceTypes), e.g. "Role".
    #[serde(default)]
    pub resource_type: String,
    /// Endpoint, e.g. "/Roles".
    #[serde(default)]
    pub endpoint: String,
    /// A user must have one.
    #[serde(default)]
    pub required: bool,
    /// A user may have several.
    #[serde(default)]
    pub multi_valued: bool,
    /// Description.
    #[serde(default)]
    pub description: String,
}

/// One attribute of the Wizard's schema mapping.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaMapping {
    /// ID.
    #[serde(default)]
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub display_name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
}

/// OAuth 2 authorization-code settings (the secret is named, not stored).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OAuth {
    /// Authorize endpoint.
    #[serde(default)]
    pub authorize_url: String,
    /// Token endpoint.
    #[serde(default)]
    pub token_url: String,
    /// Client id.
    #[serde(default)]
    pub client_id: String,
    /// The environment variable holding the client secret.
    #[serde(default)]
    pub client_secret_env: String,
    /// Scopes.
    #[serde(default)]
    pub scopes: Vec<String>,
}

/// A submission file that cannot be read, located by file and line.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("{source}")]
    Read {
        /// The file.
        file: String,
        /// Why (it names the file): missing, not a regular file, too large, not text.
        source: untrusted::files::ReadError,
    },
    /// The TOML is malformed or has an unknown or mistyped key.
    #[error("{file}:{line}: {message}")]
    Parse {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Keys that would hold secrets: refused with the rule, not just as unknown keys.
const SECRET_KEYS: &[&str] = &["password", "client_secret", "token", "secret"];

/// Reads and parses a submission file.
pub fn load(path: &Path) -> Result<Submission, LoadError> {
    let file = path.display().to_string();
    let text = untrusted::files::read_text_capped(path, untrusted::files::CONFIG_MAX_BYTES)
        .map_err(|source| LoadError::Read {
            file: file.clone(),
            source,
        })?;
    let mut s = parse(&file, &text)?;
    s.base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(s)
}

/// Parses a submission's text; `file` is used in messages.
pub fn parse(file: &str, text: &str) -> Result<Submission, LoadError> {
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    for (offset, line) in text
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .chain([0])
        .map(|i| (i, &text[i..]))
    {
        let key = line.split(['=', '\n']).next().unwrap_or("").trim();
        if SECRET_KEYS.contains(&key) {
            return Err(LoadError::Parse {
                file: file.into(),
                line: line_of(offset),
                message: format!(
                    "{key}: secrets never go in the submission file; name the environment variable instead (password_env, client_secret_env)"
                ),
            });
        }
    }
    let mut s: Submission = toml::from_str(text).map_err(|e| LoadError::Parse {
        file: file.into(),
        line: line_of(e.span().map_or(0, |s| s.start)),
        message: e.message().trim().to_string(),
    })?;
    s.text = text.to_string();
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_and_secrets_name_the_line() {
        let e = parse("s.toml", "form = \"oin-wizard\"\n[app]\nnmae = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("s.toml:3:") && e.contains("nmae"), "{e}");
        let e = parse(
            "s.toml",
            "form = \"oin-wizard\"\n[test_account]\npassword = \"hunter2\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("s.toml:3:") && e.contains("password_env"),
            "{e}"
        );
        assert!(!e.contains("hunter2"));
    }
}
