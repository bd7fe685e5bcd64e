//! `scimcheck oauth login`: the authorization code grant as the OIN Wizard runs it (RFC 6749
//! §4.1) from a terminal, for a native client (RFC 8252): PKCE with S256 (RFC 7636), a
//! loopback redirect on 127.0.0.1 with a port of the system's choosing (§7.3), a random
//! `state` checked on return (RFC 6749 §10.12). The refresh token it obtains is written to a
//! file only its owner can read, never printed. Asked to, it checks what only this flow can
//! (Okta's QA case C21902): that the token endpoint refuses the same authorization code twice
//! (§4.1.2 MUST, RFC 6819 §4.4.1.1) and revokes what it issued for it (§4.1.2 SHOULD), which
//! spends that authorization.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::http::oauth::{Fetched, TokenEndpoint};

/// What the login needs besides the token endpoint.
pub struct Login<'a> {
    /// The authorize endpoint.
    pub authorize_url: &'a str,
    /// The token endpoint and client.
    pub token: TokenEndpoint<'a>,
    /// The scope to ask for.
    pub scope: Option<&'a str>,
    /// The loopback port to listen on (0: any free one).
    pub port: u16,
    /// How long to wait for the browser to come back.
    pub wait: Duration,
    /// Reuse the code after the exchange (which spends the authorization).
    pub check_code_reuse: bool,
}

/// A login that worked: the tokens, and, when asked, what reusing the code showed.
pub struct LoggedIn {
    /// The tokens.
    pub tokens: Fetched,
    /// The code reuse check, when it was asked for.
    pub code_reuse: Option<CodeReuse>,
}

/// What the token endpoint did with an authorization code sent a second time.
pub struct CodeReuse {
    /// It refused the code (RFC 6749 §4.1.2: MUST).
    pub refused: bool,
    /// Its answer, for the report.
    pub answer: String,
    /// The refresh token issued for the code no longer works (§4.1.2: SHOULD revoke); `None`
    /// when none was issued.
    pub tokens_revoked: Option<bool>,
}

/// PKCE's verifier and S256 challenge (RFC 7636 §4.1, §4.2): 64 characters from the OS's
/// random source (two v4 UUIDs, 244 random bits).
pub fn pkce() -> (SecretString, String) {
    let verifier = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let challenge = base64url(&Sha256::digest(verifier.as_bytes()));
    (verifier.into(), challenge)
}

/// Base64url without padding (RFC 7636 §4.2: the S256 code challenge).
fn base64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl Login<'_> {
    /// Listens on the loopback, hands the authorization URL to `open` (a browser, or the
    /// terminal), waits for the redirect, checks `state`, and exchanges the code.
    pub async fn run(
        &self,
        http: &reqwest::Client,
        open: impl FnOnce(&str),
    ) -> Result<LoggedIn, String> {
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", self.port))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let redirect_uri = format!("http://127.0.0.1:{port}/callback");
        let (verifier, challenge) = pkce();
        let state = uuid::Uuid::new_v4().simple().to_string();
        open(&self.authorization_url(&redirect_uri, &state, &challenge));
        let mut forged = 0usize;
        let params = tokio::time::timeout(self.wait, callback(&listener, &state, &mut forged))
            .await
            .map_err(|_| {
                let refused = match forged {
                    0 => String::new(),
                    n => format!(
                        " ({n} redirect{} with another state refused: RFC 6749 §10.12, forged or stale)",
                        if n == 1 { "" } else { "s" }
                    ),
                };
                format!(
                    "no redirect to {redirect_uri} within {} s: the login was not completed{refused}",
                    self.wait.as_secs()
                )
            })??;
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        if let Some(error) = get("error") {
            return Err(format!(
                "the authorization server refused: {error} {}",
                get("error_description").unwrap_or("")
            ));
        }
        let code = get("code").ok_or("the redirect has no code")?.to_string();
        let form = |code: &str| {
            vec![
                ("grant_type", "authorization_code".to_string()),
                ("code", code.to_string()),
                ("redirect_uri", redirect_uri.clone()),
                ("code_verifier", verifier.expose_secret().to_string()),
            ]
        };
        let tokens = self
            .token
            .request(http, form(&code))
            .await
            .map_err(|e| e.to_string())?
            .token()
            .map_err(|e| e.to_string())?;
        let code_reuse = if self.check_code_reuse {
            Some(self.reuse(http, form(&code), &tokens).await?)
        } else {
            None
        };
        Ok(LoggedIn { tokens, code_reuse })
    }

    /// The authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3) the person's browser opens.
    fn authorization_url(&self, redirect_uri: &str, state: &str, challenge: &str) -> String {
        let mut url = format!(
            "{}{}response_type=code&client_id={}&redirect_uri={}&state={state}&code_challenge={challenge}&code_challenge_method=S256",
            self.authorize_url,
            if self.authorize_url.contains('?') {
                '&'
            } else {
                '?'
            },
            crate::http::oauth::form_encode(self.token.client_id),
            crate::http::oauth::form_encode(redirect_uri),
        );
        if let Some(scope) = self.scope {
            url.push_str(&format!(
                "&scope={}",
                crate::http::oauth::form_encode(scope)
            ));
        }
        url
    }

    async fn reuse(
        &self,
        http: &reqwest::Client,
        form: Vec<(&str, String)>,
        tokens: &Fetched,
    ) -> Result<CodeReuse, String> {
        let again = self
            .token
            .request(http, form)
            .await
            .map_err(|e| e.to_string())?;
        let refused = !(200..300).contains(&again.status);
        let answer = match again.error() {
            Some(error) => format!("status {}, {error}", again.status),
            None => format!("status {}", again.status),
        };
        let tokens_revoked = match &tokens.refresh {
            None => None,
            Some(refresh) => {
                let answer = self
                    .token
                    .request(
                        http,
                        vec![
                            ("grant_type", "refresh_token".into()),
                            ("refresh_token", refresh.expose_secret().to_string()),
                        ],
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                Some(!(200..300).contains(&answer.status))
            }
        };
        Ok(CodeReuse {
            refused,
            answer,
            tokens_revoked,
        })
    }
}

/// Accepts connections until a redirect to `/callback` carries the `state` that was sent, and
/// returns its query parameters. A redirect with another state (forged, or stale from an
/// earlier login) is answered with a page saying it was refused, counted in `forged`, and the
/// wait goes on; other paths (a favicon) get a 404.
async fn callback(
    listener: &TcpListener,
    state: &str,
    forged: &mut usize,
) -> Result<Vec<(String, String)>, String> {
    loop {
        let (mut stream, _) = listener.accept().await.map_err(|e| e.to_string())?;
        let mut buf = vec![0u8; 8192];
        let mut len = 0;
        // The request line and headers, at most 8 KiB.
        while len < buf.len() && !buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf[len..]).await {
                Ok(0) | Err(_) => break,
                Ok(n) => len += n,
            }
        }
        let head = String::from_utf8_lossy(&buf[..len]);
        let target = head
            .lines()
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .unwrap_or("");
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        if path != "/callback" {
            let _ = stream
                .write_all(
                    b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                )
                .await;
            continue;
        }
        let params: Vec<(String, String)> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (query_decode(k), query_decode(v)))
            .collect();
        let ours = params.iter().any(|(k, v)| k == "state" && v == state);
        let (status, page) = if ours {
            (
                "200 OK",
                "<!doctype html><title>scimcheck</title><p>scimcheck received the authorization server's answer. You can close this window.</p>",
            )
        } else {
            *forged += 1;
            (
                "400 Bad Request",
                "<!doctype html><title>scimcheck</title><p>scimcheck refused this redirect: its state is not the one this login sent (a forged or stale redirect). Nothing was exchanged; scimcheck is still waiting for the real one.</p>",
            )
        };
        let _ = stream
            .write_all(
                format!(
                    "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
                    page.len()
                )
                .as_bytes(),
            )
            .await;
        if ours {
            return Ok(params);
        }
    }
}

fn query_decode(text: &str) -> String {
    crate::http::network::percent_decode(&text.replace('+', " "))
}

/// Whether a refresh token may be stored at `path`: never through a symlink (it would write
/// wherever the link points), and over an existing file only when the user said `replace`
/// (`--force`). Checked before the login, so that a person does not log in for nothing.
pub fn check_store(path: &std::path::Path, replace: bool) -> Result<(), String> {
    match std::fs::symlink_metadata(path) {
        Err(_) => Ok(()),
        Ok(meta) if meta.file_type().is_symlink() => Err(format!(
            "{} is a symbolic link: a token is never written through one; name a file",
            path.display()
        )),
        Ok(meta) if !meta.is_file() => Err(format!(
            "{} exists and is not a regular file",
            path.display()
        )),
        Ok(_) if !replace => Err(format!(
            "{} exists: use --force to replace it",
            path.display()
        )),
        Ok(_) => Ok(()),
    }
}

/// Writes a refresh token to `path` ([`check_store`] first), readable by its owner only (0600
/// on Unix from its creation on), through a new file renamed onto the name.
pub fn store(path: &std::path::Path, token: &SecretString, replace: bool) -> Result<(), String> {
    check_store(path, replace)?;
    let text = format!("{}\n", token.expose_secret());
    untrusted::files::write_atomic(path, text.as_bytes(), true)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_s256_of_the_verifier() {
        // RFC 7636 Appendix B.
        assert_eq!(
            base64url(&Sha256::digest(
                b"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
            )),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let (verifier, challenge) = pkce();
        assert_eq!(verifier.expose_secret().len(), 64);
        assert_eq!(challenge.len(), 43);
    }

    #[cfg(unix)]
    #[test]
    fn a_stored_token_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("scimcheck-store-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("refresh-token");
        std::fs::write(&path, "old").unwrap();
        let token = SecretString::from("r-123".to_string());
        assert!(store(&path, &token, false).unwrap_err().contains("--force"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        store(&path, &token, true).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "r-123\n");
        // A symlink planted at the name: refused, its target untouched.
        let target = dir.join("target");
        std::fs::write(&target, "keep").unwrap();
        let link = dir.join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(
            store(&link, &token, true)
                .unwrap_err()
                .contains("symbolic link")
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
