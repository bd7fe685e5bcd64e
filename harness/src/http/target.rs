//! Where and how to talk to the app ([`Target`]): the base URL, checked before anything is
//! sent, the credential, and the limits that protect a run from a misbehaving server.

use std::time::Duration;

use secrecy::SecretString;

use crate::http::credential::Credential;
use crate::http::network::Network;

/// Where and how to talk to the app.
#[derive(Debug, Clone)]
pub struct Target {
    /// Base URL without a trailing slash.
    pub base_url: String,
    /// The credential.
    pub credential: Credential,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Timeout on a whole request, body included.
    pub request_timeout: Duration,
    /// Largest response body read, in bytes.
    pub max_body_bytes: usize,
    /// More secrets to keep out of every output (values given with `--var-env`).
    pub extra_secrets: Vec<SecretString>,
    /// Proxy and TLS trust.
    pub network: Network,
}

/// How fast a run talks to the app: a setting of the run (`RunOptions::pace`) that the
/// client it runs with enforces.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pace {
    /// The most requests in flight at once (`--concurrency`; 1: strictly one at a time).
    pub concurrency: usize,
    /// The most requests per second sent to the app (`--rate`), retries included.
    pub rate: Option<f64>,
}

impl Default for Pace {
    fn default() -> Self {
        Pace {
            concurrency: DEFAULT_CONCURRENCY,
            rate: None,
        }
    }
}

/// The default of `--concurrency`: eight requests at once, chosen by measurement
/// (`bench/latency.py`, the four SCIM 2.0 suites against an app 100 ms away): the run takes
/// 1.86 × its longest chain of dependent requests at 4, 1.57 × at 6, 1.42 × at 8 (faster than
/// scim-sanity's 28 checks on the same app), and more gains little (1.37 × at 16). scim2-server
/// and the SCIMMY app give the same verdicts at 8 as at 1; a GET that fails while others are
/// in flight is sent again alone, and a 429's Retry-After holds every request.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// Default limits, chosen for real apps: Okta itself gives up after 60 s.
impl Target {
    /// A target with default limits (10 s connect, 30 s request, 10 MiB body).
    pub fn new(base_url: &str, credential: Credential) -> Result<Self, String> {
        check_base_url(base_url)?;
        Ok(Target {
            base_url: base_url.trim_end_matches('/').to_string(),
            credential,
            connect_timeout: Duration::from_secs(scim_results::DEFAULT_CONNECT_TIMEOUT_SECS),
            request_timeout: Duration::from_secs(scim_results::DEFAULT_REQUEST_TIMEOUT_SECS),
            max_body_bytes: scim_results::DEFAULT_MAX_BODY_BYTES,
            extra_secrets: Vec::new(),
            network: Network::default(),
        })
    }
}

/// Whether `base_url` can be a run's base URL: http(s), a host, no query or fragment, and no
/// user name or password (every report writes the URL). The message never repeats a password.
pub fn check_base_url(base_url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(base_url)
        .map_err(|e| format!("base URL {base_url:?} is not a URL: {e}"))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        // The URL is written in every report: a password in it would be too. It is not
        // repeated here either.
        let mut shown = parsed.clone();
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        return Err(format!(
            "base URL {:?} carries a user name or password: it would be written in every report. Fix: give the URL without it and use --auth basic with SCIM_USERNAME and SCIM_PASSWORD in the environment",
            shown.as_str()
        ));
    }
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "base URL {base_url:?} must be http:// or https://, not {}://",
            parsed.scheme()
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("base URL {base_url:?} has no host"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(format!(
            "base URL {base_url:?} must not have a query or fragment"
        ));
    }
    Ok(())
}
