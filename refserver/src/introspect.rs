//! Access tokens of a real OAuth 2 authorization server: with `--oauth-issuer`, a bearer token
//! that is not the server's own static token is accepted when the issuer's introspection
//! endpoint (RFC 7662) says it is active. Nothing is cached, so a revoked or expired token is
//! refused on its next use, as an app must.

use std::time::Duration;

/// An issuer's introspection endpoint and the resource server's own client credentials.
#[derive(Debug, Clone)]
pub struct Introspection {
    endpoint: String,
    client_id: String,
    client_secret: String,
    http: reqwest::Client,
}

impl Introspection {
    /// Finds the introspection endpoint in the issuer's metadata (OpenID discovery, then
    /// RFC 8414).
    pub async fn discover(
        issuer: &str,
        client_id: String,
        client_secret: String,
    ) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?;
        let issuer = issuer.trim_end_matches('/');
        for well_known in [
            "/.well-known/openid-configuration",
            "/.well-known/oauth-authorization-server",
        ] {
            let url = format!("{issuer}{well_known}");
            let Ok(response) = http.get(&url).send().await else {
                continue;
            };
            let Ok(metadata) = response.json::<serde_json::Value>().await else {
                continue;
            };
            if let Some(endpoint) = metadata["introspection_endpoint"].as_str() {
                return Ok(Introspection {
                    endpoint: endpoint.to_string(),
                    client_id,
                    client_secret,
                    http,
                });
            }
        }
        Err(format!(
            "{issuer} publishes no introspection_endpoint (/.well-known/openid-configuration or oauth-authorization-server)"
        ))
    }

    /// Whether the issuer says the token is active.
    pub async fn active(&self, token: &str) -> bool {
        let response = self
            .http
            .post(&self.endpoint)
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(format!(
                "token={}&token_type_hint=access_token",
                form_encode(token)
            ))
            .send()
            .await;
        match response {
            Ok(r) if r.status().is_success() => r
                .json::<serde_json::Value>()
                .await
                .is_ok_and(|v| v["active"] == serde_json::Value::Bool(true)),
            _ => false,
        }
    }
}

fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
