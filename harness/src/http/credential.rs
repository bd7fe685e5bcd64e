//! The run's credential ([`Credential`]): how each request is authorised, which secrets the
//! redactor must know, and the hints for a refused one. Secrets stay in `SecretString`.

use scim_results::AuthKind;
use secrecy::{ExposeSecret, SecretString};

use crate::http::oauth::OAuth2;
use crate::http::redact::base64;

/// The run's credential. Secrets are held in `SecretString` and only exposed to build the
/// header.
#[derive(Clone)]
pub enum Credential {
    /// No Authorization header.
    None,
    /// `Authorization: Bearer <token>`.
    Bearer(SecretString),
    /// `Authorization: <value>` (Okta's "HTTP Header" mode).
    Header(SecretString),
    /// `Authorization: Basic base64(username:password)`.
    Basic {
        /// User name (not secret).
        username: String,
        /// Password.
        password: SecretString,
    },
    /// `Authorization: Bearer <access token>` from an OAuth 2 token endpoint.
    OAuth2(std::sync::Arc<OAuth2>),
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credential::{}", self.kind())
    }
}

impl Credential {
    /// The mode's name as given on the command line.
    pub fn kind(&self) -> AuthKind {
        match self {
            Credential::None => AuthKind::None,
            Credential::Bearer(_) => AuthKind::Bearer,
            Credential::Header(_) => AuthKind::Header,
            Credential::Basic { .. } => AuthKind::Basic,
            Credential::OAuth2(_) => AuthKind::OAuth2,
        }
    }

    /// The Authorization header value, if any (an OAuth 2 token is the client's to fetch:
    /// see [`Client::send`]).
    pub fn header_value(&self) -> Option<SecretString> {
        match self {
            Credential::None | Credential::OAuth2(_) => None,
            Credential::Bearer(t) => Some(format!("Bearer {}", t.expose_secret()).into()),
            Credential::Header(v) => Some(v.clone()),
            Credential::Basic { username, password } => Some(
                format!(
                    "Basic {}",
                    base64(format!("{username}:{}", password.expose_secret()).as_bytes())
                )
                .into(),
            ),
        }
    }

    /// What looks wrong in the credential's shape, each as a hint for a refused credential.
    pub fn hints(&self) -> Vec<String> {
        let mut out = Vec::new();
        let (name, value) = match self {
            Credential::None => {
                out.push(
                    "the app wants a credential: set SCIM_TOKEN and use --auth bearer or header"
                        .into(),
                );
                return out;
            }
            Credential::Bearer(t) | Credential::Header(t) => ("SCIM_TOKEN", t.expose_secret()),
            Credential::Basic { password, .. } => ("SCIM_PASSWORD", password.expose_secret()),
            Credential::OAuth2(o) => {
                out.push(format!(
                    "the app refused an access token from {}: check --scope and that the token is meant for this app",
                    o.token_url
                ));
                return out;
            }
        };
        let lower = value.to_ascii_lowercase();
        if matches!(self, Credential::Bearer(_)) && lower.starts_with("bearer ") {
            out.push(format!(
                "{name} starts with 'Bearer ': --auth bearer adds that itself; remove it from {name} or use --auth header"
            ));
        }
        if matches!(self, Credential::Header(_))
            && !lower.starts_with("bearer ")
            && !lower.starts_with("basic ")
            && !lower.starts_with("ssws ")
            && !value.contains(' ')
        {
            out.push(format!(
                "--auth header sends {name} as the whole Authorization value, without a scheme; most apps want --auth bearer"
            ));
        }
        if value.trim() != value {
            out.push(format!(
                "{name} has white space (a newline?) at its start or end"
            ));
        }
        if value.len() > 1 && value.starts_with(['"', '\'']) && value.ends_with(['"', '\'']) {
            out.push(format!(
                "{name} is wrapped in quotes; the quotes are sent too"
            ));
        }
        out
    }

    /// Every form in which this credential's secret could show up in text. The header's
    /// scheme stays readable (`Bearer [REDACTED]`), so the evidence shows which mode was used.
    pub fn secrets(&self) -> Vec<SecretString> {
        let mut out = Vec::new();
        match self {
            Credential::None => {}
            Credential::Bearer(t) | Credential::Header(t) => out.push(t.clone()),
            Credential::Basic { password, .. } => out.push(password.clone()),
            Credential::OAuth2(o) => out.extend(o.secrets()),
        }
        if let Some(h) = self.header_value() {
            // The base64 part of a Basic header is as secret as the password.
            if let Some(b64) = h.expose_secret().strip_prefix("Basic ") {
                out.push(b64.to_string().into());
            }
        }
        out
    }
}
