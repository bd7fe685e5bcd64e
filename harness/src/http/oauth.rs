//! OAuth 2 for the app's API, as the OIN Wizard offers it for SCIM: an access token from the
//! app's token endpoint by the client credentials grant (RFC 6749 §4.4) or a refresh token
//! (§6), sent as a Bearer token (RFC 6750), renewed before it expires and once when the app
//! answers 401 in the middle of a run (a long import outlives a short token). Every token, the
//! client secret and the refresh token are secrets: the client learns each new one so that it
//! is redacted from everything recorded.
//!
//! Why not the `oauth2` crate (evaluated against this module, issue 29): it parses a token
//! answer into its typed response or fails, where a tester must judge what an authorization
//! server actually sent (no JSON, a flood, a token type other than Bearer, an error body) and
//! say so; it authenticates only by Basic or form secret (an RFC 7523 assertion would be an
//! "extra param" it does not sign, renew or redact); it has no RFC 8414 discovery; and its
//! requests go through its own HTTP abstraction, outside the recorded, redacted exchanges and
//! the proxy/CA settings every other request of a run uses. The protocol parts here are small
//! (a form post, a JSON answer read once): what the crate would add is what the checks must
//! not have (a typed refusal of malformed answers).

use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};

use crate::http::redact::base64;

/// How the client authenticates to the token endpoint (RFC 6749 §2.3.1, RFC 7523 §2.2).
#[derive(Debug, Clone, Default)]
pub enum ClientAuth {
    /// HTTP Basic with the URL-encoded client id and secret (`client_secret_basic`).
    #[default]
    Basic,
    /// `client_id` and `client_secret` in the form body (`client_secret_post`).
    Post,
    /// A JWT signed with the client's private key, in the form body (`private_key_jwt`,
    /// RFC 7523 §2.2): no client secret.
    PrivateKeyJwt(std::sync::Arc<crate::http::jwt::JwtKey>),
}

impl ClientAuth {
    /// The method's name in RFC 8414 metadata (`token_endpoint_auth_methods_supported`).
    pub fn method_name(&self) -> &'static str {
        match self {
            ClientAuth::Basic => "client_secret_basic",
            ClientAuth::Post => "client_secret_post",
            ClientAuth::PrivateKeyJwt(_) => "private_key_jwt",
        }
    }
}

/// The OAuth 2 settings of a run and the current access token.
pub struct OAuth2 {
    /// The token endpoint.
    pub token_url: String,
    /// The client id (not secret).
    pub client_id: String,
    /// The client secret.
    pub client_secret: SecretString,
    /// How the client authenticates.
    pub client_auth: ClientAuth,
    /// The scope asked for, if any.
    pub scope: Option<String>,
    /// The authorization server's issuer, when the user named it (`--oauth-issuer`): its RFC
    /// 8414 metadata gave the token endpoint.
    pub issuer: Option<String>,
    /// The current token and, for the refresh grant, the refresh token (rotated when the
    /// server issues a new one).
    state: tokio::sync::Mutex<State>,
}

struct State {
    /// The token and when to renew it.
    access: Option<(SecretString, Option<Instant>)>,
    refresh: Option<SecretString>,
}

/// A token is renewed when less than this, or a third of its lifetime, is left of it (an
/// issuer counts expiry in whole seconds, and a request takes time to reach the app).
pub const RENEW_BEFORE: Duration = Duration::from_secs(30);

/// The longest lifetime taken from a token endpoint (a year): an `expires_in` beyond it (up
/// to 2^64 - 1 seconds, which no clock can add) is read as this.
pub const MAX_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);

/// When a token that lives this long is renewed.
fn renew_at(lifetime: Duration) -> Instant {
    let lifetime = lifetime.min(MAX_LIFETIME);
    Instant::now() + lifetime - RENEW_BEFORE.min(lifetime / 3)
}

/// A token endpoint that did not give a token.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the token endpoint {url} gave no access token: {reason}")]
pub struct TokenError {
    /// The token endpoint.
    pub url: String,
    /// What it answered (secrets are removed by the caller's redactor).
    pub reason: String,
}

impl std::fmt::Debug for OAuth2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OAuth2({}, client {})", self.token_url, self.client_id)
    }
}

impl OAuth2 {
    /// Settings for the client credentials grant, or the refresh grant when a refresh token
    /// is given.
    pub fn new(
        token_url: String,
        client_id: String,
        client_secret: SecretString,
        client_auth: ClientAuth,
        scope: Option<String>,
        refresh_token: Option<SecretString>,
    ) -> Self {
        OAuth2 {
            token_url,
            client_id,
            client_secret,
            client_auth,
            scope,
            issuer: None,
            state: tokio::sync::Mutex::new(State {
                access: None,
                refresh: refresh_token,
            }),
        }
    }

    /// Reads the token endpoint from the issuer's RFC 8414 metadata when only the issuer was
    /// given (`--oauth-issuer` without `--token-url`); before the client is shared.
    pub async fn discover(&mut self, http: &reqwest::Client) -> Result<(), String> {
        if let Some(issuer) = self.issuer.as_deref().filter(|_| self.token_url.is_empty()) {
            self.token_url = discover_token_endpoint(http, issuer)
                .await
                .map_err(|e| format!("--oauth-issuer {issuer}: {e}"))?;
        }
        Ok(())
    }

    /// The grant in use, for the report.
    pub fn grant(&self) -> &'static str {
        match self.state.try_lock() {
            Ok(s) if s.refresh.is_some() => "refresh_token",
            Ok(_) => "client_credentials",
            Err(_) => "oauth2",
        }
    }

    /// The secrets known before any token is fetched.
    pub fn secrets(&self) -> Vec<SecretString> {
        let mut out = vec![self.client_secret.clone()];
        if let Ok(s) = self.state.try_lock()
            && let Some(r) = &s.refresh
        {
            out.push(r.clone());
        }
        out
    }

    /// The Authorization header value for the next request: the current token, or a new one
    /// when there is none, it is about to expire ([`RENEW_BEFORE`]), or `renew` says the app
    /// refused it. Returns the new secrets learned (tokens) with it.
    pub async fn authorization(
        &self,
        http: &reqwest::Client,
        renew: bool,
    ) -> Result<(SecretString, Vec<SecretString>), TokenError> {
        let mut state = self.state.lock().await;
        if !renew
            && let Some((token, renew_at)) = &state.access
            && renew_at.is_none_or(|at| Instant::now() < at)
        {
            return Ok((bearer(token), Vec::new()));
        }
        let fetched = self.fetch(http, state.refresh.as_ref()).await?;
        let mut learned = vec![fetched.access.clone()];
        learned.extend(fetched.assertions.iter().cloned());
        if let Some(r) = &fetched.refresh {
            learned.push(r.clone());
            state.refresh = Some(r.clone());
        }
        let header = bearer(&fetched.access);
        state.access = Some((fetched.access, fetched.lifetime.map(renew_at)));
        Ok((header, learned))
    }

    async fn fetch(
        &self,
        http: &reqwest::Client,
        refresh: Option<&SecretString>,
    ) -> Result<Fetched, TokenError> {
        let mut form: Vec<(&str, String)> = match refresh {
            Some(r) => vec![
                ("grant_type", "refresh_token".into()),
                ("refresh_token", r.expose_secret().to_string()),
            ],
            None => vec![("grant_type", "client_credentials".into())],
        };
        if let Some(scope) = &self.scope {
            form.push(("scope", scope.clone()));
        }
        let answer = self.token_endpoint().request(http, form).await?;
        let mut fetched = answer.token()?;
        fetched.assertions = answer.assertions;
        Ok(fetched)
    }

    /// A token of its own, apart from the run's (which keeps working): for checks that spend
    /// one (revoke it, let it expire). A refresh token rotated on the way is kept.
    pub async fn separate_token(&self, http: &reqwest::Client) -> Result<Fetched, TokenError> {
        let mut state = self.state.lock().await;
        let fetched = self.fetch(http, state.refresh.as_ref()).await?;
        if let Some(r) = &fetched.refresh {
            state.refresh = Some(r.clone());
        }
        Ok(fetched)
    }

    /// The token endpoint as this client calls it.
    pub fn token_endpoint(&self) -> TokenEndpoint<'_> {
        TokenEndpoint {
            url: &self.token_url,
            client_id: &self.client_id,
            client_secret: &self.client_secret,
            client_auth: &self.client_auth,
        }
    }
}

/// A token endpoint and the client's credentials for it.
pub struct TokenEndpoint<'a> {
    /// The endpoint.
    pub url: &'a str,
    /// The client id.
    pub client_id: &'a str,
    /// The client secret.
    pub client_secret: &'a SecretString,
    /// How the client authenticates.
    pub client_auth: &'a ClientAuth,
}

/// What a token endpoint answered: the status and the JSON body (RFC 6749 §5.1, §5.2).
pub struct TokenAnswer {
    /// The endpoint, for messages.
    pub url: String,
    /// The HTTP status.
    pub status: u16,
    /// The body as JSON (null when it was not JSON).
    pub json: serde_json::Value,
    /// The client assertions sent (secrets to learn).
    pub assertions: Vec<SecretString>,
}

impl TokenEndpoint<'_> {
    /// Posts a token request (`form` without the client's credentials, which are added the
    /// way `client_auth` says). Fails only when no answer came. The client assertion sent,
    /// if any, comes back with the answer: a secret to learn.
    pub async fn request(
        &self,
        http: &reqwest::Client,
        mut form: Vec<(&str, String)>,
    ) -> Result<TokenAnswer, TokenError> {
        let fail = |reason: String| TokenError {
            url: self.url.to_string(),
            reason,
        };
        let mut request = http.post(self.url).header("Accept", "application/json");
        let mut learned = Vec::new();
        match self.client_auth {
            ClientAuth::PrivateKeyJwt(key) => {
                let assertion = key.assertion(self.client_id, self.url).map_err(fail)?;
                form.push((
                    "client_assertion_type",
                    crate::http::jwt::ASSERTION_TYPE.into(),
                ));
                form.push(("client_assertion", assertion.expose_secret().to_string()));
                learned.push(assertion);
            }
            ClientAuth::Basic => {
                let pair = format!(
                    "{}:{}",
                    form_encode(self.client_id),
                    form_encode(self.client_secret.expose_secret())
                );
                request = request.header(
                    "Authorization",
                    format!("Basic {}", base64(pair.as_bytes())),
                );
            }
            ClientAuth::Post => {
                form.push(("client_id", self.client_id.to_string()));
                form.push((
                    "client_secret",
                    self.client_secret.expose_secret().to_string(),
                ));
            }
        }
        let body = form
            .iter()
            .map(|(k, v)| format!("{k}={}", form_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let response = request
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|e| fail(format!("the request failed: {e}")))?;
        let status = response.status().as_u16();
        let answer = TokenAnswer {
            url: self.url.to_string(),
            status,
            json: crate::http::network::json_capped(
                response,
                crate::http::network::OAUTH_ANSWER_MAX_BYTES,
            )
            .await,
            assertions: learned,
        };
        Ok(answer)
    }
}

impl TokenAnswer {
    /// The `error` code of a refusal (RFC 6749 §5.2), if the body has one.
    pub fn error(&self) -> Option<&str> {
        self.json["error"].as_str()
    }

    /// The token of a success, or why there is none.
    pub fn token(&self) -> Result<Fetched, TokenError> {
        let fail = |reason: String| TokenError {
            url: self.url.clone(),
            reason,
        };
        let status = self.status;
        let json = &self.json;
        if json.is_null() {
            return Err(fail(format!(
                "status {status}, and the body is not JSON of at most 64 KiB"
            )));
        }
        if !(200..300).contains(&status) {
            let error = self.error().unwrap_or("(no error code)");
            let description = json["error_description"].as_str().unwrap_or("");
            return Err(fail(
                format!("status {status}, {error} {description}")
                    .trim()
                    .to_string(),
            ));
        }
        let access = json["access_token"]
            .as_str()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| fail(format!("status {status} without access_token")))?;
        let token_type = json["token_type"].as_str().unwrap_or("");
        if !token_type.eq_ignore_ascii_case("bearer") {
            return Err(fail(format!(
                "token_type {token_type:?}: only Bearer tokens (RFC 6750) are supported"
            )));
        }
        Ok(Fetched {
            access: access.to_string().into(),
            lifetime: json["expires_in"]
                .as_u64()
                .map(|s| Duration::from_secs(s).min(MAX_LIFETIME)),
            refresh: json["refresh_token"]
                .as_str()
                .map(|r| SecretString::from(r.to_string())),
            scope: json["scope"].as_str().map(str::to_string),
            assertions: Vec::new(),
        })
    }
}

/// A token a token endpoint issued.
pub struct Fetched {
    /// The access token.
    pub access: SecretString,
    /// How long it lives, when the endpoint said.
    pub lifetime: Option<Duration>,
    /// A refresh token, when one was issued.
    pub refresh: Option<SecretString>,
    /// The scope granted, when the endpoint said (RFC 6749 §5.1: absent when it is the one
    /// asked for).
    pub scope: Option<String>,
    /// The client assertions sent to get it (secrets to learn).
    pub assertions: Vec<SecretString>,
}

fn bearer(token: &SecretString) -> SecretString {
    format!("Bearer {}", token.expose_secret()).into()
}

/// The address of an issuer's authorization server metadata (RFC 8414 §3.1): the well-known
/// suffix goes between the host and the issuer's path.
pub fn metadata_url(issuer: &str) -> String {
    let issuer = issuer.trim_end_matches('/');
    let (scheme, rest) = issuer.split_once("://").unwrap_or(("https", issuer));
    let (host, path) = rest.split_once('/').map_or((rest, ""), |(h, p)| (h, p));
    let path = if path.is_empty() {
        String::new()
    } else {
        format!("/{path}")
    };
    format!("{scheme}://{host}/.well-known/oauth-authorization-server{path}")
}

/// What an issuer's metadata says, once checked as RFC 8414 §3.3 asks: the document's
/// `issuer` is the issuer asked for (else the metadata MUST NOT be used), and it names a
/// `token_endpoint`.
pub fn token_endpoint_of(issuer: &str, metadata: &serde_json::Value) -> Result<String, String> {
    let said = metadata["issuer"].as_str().unwrap_or_default();
    if said.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(format!(
            "its issuer is {said:?}, not {issuer:?}: RFC 8414 §3.3 forbids using it"
        ));
    }
    metadata["token_endpoint"]
        .as_str()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .map(str::to_string)
        .ok_or_else(|| "it names no token_endpoint URL".to_string())
}

/// The token endpoint an issuer's metadata names (`--oauth-issuer`).
pub async fn discover_token_endpoint(
    http: &reqwest::Client,
    issuer: &str,
) -> Result<String, String> {
    let url = metadata_url(issuer);
    let response = http
        .get(&url)
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let status = response.status().as_u16();
    let metadata =
        crate::http::network::json_capped(response, crate::http::network::OAUTH_ANSWER_MAX_BYTES)
            .await;
    if status != 200 || metadata.is_null() {
        return Err(format!(
            "{url} answered {status}{}: no RFC 8414 metadata there",
            if metadata.is_null() {
                " without JSON"
            } else {
                ""
            }
        ));
    }
    token_endpoint_of(issuer, &metadata).map_err(|e| format!("{url}: {e}"))
}

/// `application/x-www-form-urlencoded` (RFC 6749 Appendix B).
pub fn form_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_renewed_before_it_expires() {
        let now = Instant::now();
        // Five minutes: 30 s before; six seconds: two seconds before.
        let five_minutes = renew_at(Duration::from_secs(300)).duration_since(now);
        assert!(
            (269..=270).contains(&five_minutes.as_secs()),
            "{five_minutes:?}"
        );
        let six_seconds = renew_at(Duration::from_secs(6)).duration_since(now);
        assert!(
            (3900..=4000).contains(&six_seconds.as_millis()),
            "{six_seconds:?}"
        );
    }

    #[test]
    fn any_lifetime_is_clamped_not_added_past_the_clock() {
        let now = Instant::now();
        let at = renew_at(Duration::from_secs(u64::MAX));
        assert!(at.duration_since(now) <= MAX_LIFETIME);
    }

    #[test]
    fn metadata_lives_at_the_well_known_address_of_the_issuer() {
        assert_eq!(
            metadata_url("https://as.example"),
            "https://as.example/.well-known/oauth-authorization-server"
        );
        assert_eq!(
            metadata_url("https://as.example/tenant/1/"),
            "https://as.example/.well-known/oauth-authorization-server/tenant/1"
        );
        let doc = serde_json::json!({"issuer": "https://as.example", "token_endpoint": "https://as.example/t"});
        assert_eq!(
            token_endpoint_of("https://as.example", &doc).unwrap(),
            "https://as.example/t"
        );
        assert!(
            token_endpoint_of("https://other.example", &doc)
                .unwrap_err()
                .contains("§3.3")
        );
    }

    #[test]
    fn form_encoding_follows_appendix_b() {
        assert_eq!(form_encode("a b:c/d+é"), "a+b%3Ac%2Fd%2B%C3%A9");
    }
}
