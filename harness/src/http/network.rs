//! How requests reach the app from where the user sits: through the corporate proxy the
//! environment names (or `--proxy`), trusting the platform's CAs plus the ones `--cacert`
//! adds (or nothing, with `--insecure`), and, when the connection fails, what went wrong in
//! words a user can act on. Proxy credentials are secrets like the app's own.

use secrecy::SecretString;

/// The User-Agent of every request: the tool and its version.
pub const USER_AGENT: &str = concat!("scimcheck/", env!("CARGO_PKG_VERSION"));

/// Which proxy requests go through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Proxy {
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (either case), as curl reads them.
    #[default]
    Environment,
    /// This proxy for every request (`--proxy URL`).
    Url(String),
    /// None: straight to the app (`--proxy none`, and the built-in reference server).
    Direct,
}

/// The variables a proxy is read from, in the order they are looked up.
const PROXY_VARIABLES: [&str; 6] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// The network settings of a run.
#[derive(Debug, Clone, Default)]
pub struct Network {
    /// The proxy.
    pub proxy: Proxy,
    /// Extra trusted CA certificates (PEM), added to the platform's roots, and where they came
    /// from (for the report).
    pub ca_certificates: Option<(String, Vec<u8>)>,
    /// Certificates are not verified at all (`--insecure`).
    pub insecure: bool,
}

impl Network {
    /// Applies the settings to an HTTP client under construction.
    pub fn apply(
        &self,
        mut builder: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder, String> {
        // A client names itself (the interop profile §6.2 asks every client to).
        builder = builder.user_agent(USER_AGENT);
        builder = match &self.proxy {
            // reqwest reads the same variables itself.
            Proxy::Environment => builder,
            Proxy::Direct => builder.no_proxy(),
            Proxy::Url(url) => builder.proxy(
                reqwest::Proxy::all(url)
                    .map_err(|e| format!("--proxy {}: {e}", without_password(url)))?,
            ),
        };
        if let Some((file, pem)) = &self.ca_certificates {
            let certificates = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| format!("--cacert {file}: not PEM certificates: {e}"))?;
            if certificates.is_empty() {
                return Err(format!(
                    "--cacert {file}: no certificate in it (expected PEM, -----BEGIN CERTIFICATE-----)"
                ));
            }
            builder = builder.tls_certs_merge(certificates);
        }
        Ok(builder.tls_danger_accept_invalid_certs(self.insecure))
    }

    /// Whether requests to this base URL can meet TLS: an https URL, or a proxy reached over
    /// https (named, or from the environment).
    pub fn needs_tls(&self, base_url: &str) -> bool {
        let https = |u: &str| u.trim().to_ascii_lowercase().starts_with("https://");
        https(base_url)
            || self.ca_certificates.is_some()
            || match &self.proxy {
                Proxy::Direct => false,
                Proxy::Url(url) => https(url),
                Proxy::Environment => PROXY_VARIABLES
                    .iter()
                    .any(|name| std::env::var(name).is_ok_and(|v| https(&v))),
            }
    }

    /// A plain HTTP client with these settings (no redirects followed), for requests that are
    /// not the app's: an authorization server's.
    pub fn client(&self, timeout: std::time::Duration) -> Result<reqwest::Client, String> {
        self.apply(
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(timeout),
        )?
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
    }

    /// The proxy URL in use and where it came from, without its password, if any.
    pub fn proxy_in_use(&self) -> Option<String> {
        match &self.proxy {
            Proxy::Direct => None,
            Proxy::Url(url) => Some(format!("{} (--proxy)", without_password(url))),
            Proxy::Environment => PROXY_VARIABLES.iter().find_map(|name| {
                let value = std::env::var(name).ok().filter(|v| !v.trim().is_empty())?;
                Some(format!("{} (from {name})", without_password(&value)))
            }),
        }
    }

    /// How certificates are verified, for the report.
    pub fn tls_trust(&self) -> String {
        match (&self.ca_certificates, self.insecure) {
            (_, true) => "INSECURE: certificates are not verified (--insecure)".into(),
            (Some((file, _)), false) => format!("the platform's CAs and {file} (--cacert)"),
            (None, false) => "the platform's CAs".into(),
        }
    }

    /// Every form in which a proxy password could show up: kept out of every output.
    pub fn secrets(&self) -> Vec<SecretString> {
        let urls: Vec<String> = match &self.proxy {
            Proxy::Direct => Vec::new(),
            Proxy::Url(url) => vec![url.clone()],
            Proxy::Environment => PROXY_VARIABLES
                .iter()
                .filter_map(|n| std::env::var(n).ok())
                .collect(),
        };
        let mut out = Vec::new();
        for url in urls {
            let Ok(parsed) = reqwest::Url::parse(&url) else {
                continue;
            };
            if let Some(password) = parsed.password() {
                out.push(SecretString::from(password.to_string()));
                let decoded = percent_decode(password);
                if decoded != password {
                    out.push(SecretString::from(decoded.clone()));
                }
                // What a Proxy-Authorization: Basic header carries.
                let pair = format!("{}:{decoded}", percent_decode(parsed.username()));
                out.push(SecretString::from(crate::http::redact::base64(
                    pair.as_bytes(),
                )));
            }
        }
        out
    }
}

/// The largest answer read from an authorization server (a token, its metadata): a server
/// that sends more is not believed, and cannot fill memory.
pub const OAUTH_ANSWER_MAX_BYTES: usize = 64 * 1024;

/// A response's body as JSON, read chunk by chunk and refused past `limit` bytes (`Null` when
/// it is larger, unreadable or not JSON).
pub async fn json_capped(mut response: reqwest::Response, limit: usize) -> serde_json::Value {
    let mut bytes = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) if bytes.len() + chunk.len() <= limit => {
                bytes.extend_from_slice(&chunk)
            }
            Ok(None) => break,
            _ => return serde_json::Value::Null,
        }
    }
    serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null)
}

/// Scheme, host and port of a URL (none when it is not one).
fn origin(url: &str) -> Option<(String, String, Option<u16>)> {
    let u = reqwest::Url::parse(url).ok()?;
    Some((
        u.scheme().to_string(),
        u.host_str()?.to_ascii_lowercase(),
        u.port_or_known_default(),
    ))
}

/// Whether two URLs share scheme, host and port.
pub fn same_origin(a: &str, b: &str) -> bool {
    origin(a).is_some_and(|o| Some(o) == origin(b))
}

/// Whether a request to `url` would cross a network in clear: http:// to a host that is not a
/// loopback address or `localhost`.
pub fn clear_text_off_machine(url: &str) -> bool {
    let Ok(u) = reqwest::Url::parse(url) else {
        return false;
    };
    if u.scheme() != "http" {
        return false;
    }
    let host = u.host_str().unwrap_or("");
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => !ip.is_loopback(),
        Err(_) => {
            let name = bare.trim_end_matches('.').to_ascii_lowercase();
            name != "localhost" && !name.ends_with(".localhost")
        }
    }
}

/// Whether a URL carries a password (`scheme://user:password@host`).
pub fn has_password(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| u.password().is_some())
}

/// A proxy URL as it may be shown: its password replaced.
pub fn without_password(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let user = parsed.username().to_string();
            let _ = parsed.set_password(None);
            parsed.to_string().trim_end_matches('/').replacen(
                &format!("{user}@"),
                &format!("{user}:[REDACTED]@"),
                1,
            )
        }
        Ok(_) => url.to_string(),
        Err(_) => "(not a URL)".into(),
    }
}

/// Percent-decodes text (invalid UTF-8 is replaced).
pub fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// What a failed connection means and how to fix it, read from the error chain of the HTTP
/// and TLS libraries (their messages are the only stable surface they give), for the URL
/// that was tried. `None` when nothing more can be said than the error itself.
pub fn diagnose(chain: &str, url: &str) -> Option<String> {
    let https = url.starts_with("https://");
    let host = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let has = |needle: &str| chain.contains(needle);
    let text = if has("InvalidContentType") || has("CorruptMessage") || has("corrupt message") {
        "the server answered TLS with plain HTTP: this port speaks http, not https. Fix: use http:// in --base-url, or the app's https port".to_string()
    } else if !https
        && (has("invalid HTTP version") || has("connection closed before message completed"))
    {
        "the server closed the connection on a plain-HTTP request: this port probably speaks https. Fix: use https:// in --base-url".to_string()
    } else if has("NotValidForName") || has("not valid for name") {
        format!(
            "the server's certificate is not valid for the name {host:?}. Fix: use the host name the certificate names in --base-url, or have the certificate reissued for {host:?}"
        )
    } else if has("Expired") || has("expired") {
        "the server's certificate has expired (or is not valid yet: check this machine's clock). Fix: renew the certificate".to_string()
    } else if has("UnknownIssuer") || has("unknown issuer") || has("self-signed") {
        "the server's certificate is not signed by a CA this machine trusts (a private CA, or self-signed). Fix: --cacert FILE with the CA's PEM certificate (or SSL_CERT_FILE); --insecure skips verification, for a test only".to_string()
    } else if has("Connection refused") || has("connection refused") {
        "nothing listens there (connection refused). Fix: check the host and port of --base-url, and that the app is running".to_string()
    } else if has("dns error")
        || has("failed to lookup address")
        || has("Name or service not known")
    {
        format!(
            "the host name {host:?} does not resolve (DNS). Fix: check the spelling; behind a corporate proxy, set HTTPS_PROXY or --proxy"
        )
    } else if has("proxy") && (has("407") || has("Proxy Authentication")) {
        "the proxy refused the request (407): it wants credentials. Fix: --proxy http://USER:PASSWORD@HOST:PORT (the password is redacted everywhere)".to_string()
    } else {
        return None;
    };
    Some(text)
}

#[cfg(test)]
mod tests {

    #[test]
    fn plain_http_needs_no_tls_unless_a_proxy_or_ca_says_so() {
        let direct = Network {
            proxy: Proxy::Direct,
            ..Network::default()
        };
        assert!(!direct.needs_tls("http://127.0.0.1:8080/scim/v2"));
        assert!(direct.needs_tls("HTTPS://app.example/scim/v2"));
        let via_https = Network {
            proxy: Proxy::Url("https://proxy.example:3128".into()),
            ..Network::default()
        };
        assert!(via_https.needs_tls("http://app.example/scim/v2"));
        let with_ca = Network {
            proxy: Proxy::Direct,
            ca_certificates: Some(("ca.pem".into(), Vec::new())),
            ..Network::default()
        };
        assert!(with_ca.needs_tls("http://app.example/scim/v2"));
    }
    use super::*;

    #[test]
    fn clear_text_is_only_http_off_this_machine() {
        for (url, clear) in [
            ("http://127.0.0.1:8080/scim/v2", false),
            ("http://[::1]/scim", false),
            ("http://localhost/scim", false),
            ("https://app.example.com/scim", false),
            ("http://app.example.com/scim", true),
            ("http://10.0.0.5/scim", true),
        ] {
            assert_eq!(clear_text_off_machine(url), clear, "{url}");
        }
        assert!(same_origin("http://a.example:80/x", "http://A.example/y"));
        assert!(!same_origin("http://a.example/x", "https://a.example/x"));
    }

    #[test]
    fn each_failure_is_named_with_its_fix() {
        let cases = [
            (
                "https://127.0.0.1:1/",
                "error sending request: client error (Connect): received corrupt message of type InvalidContentType",
                "speaks http, not https",
            ),
            (
                "http://127.0.0.1:1/",
                "error sending request: connection closed before message completed",
                "probably speaks https",
            ),
            (
                "https://app.test/",
                "invalid peer certificate: NotValidForName",
                "not valid for the name \"app.test\"",
            ),
            (
                "https://a/",
                "invalid peer certificate: Expired",
                "has expired",
            ),
            (
                "https://a/",
                "invalid peer certificate: UnknownIssuer",
                "--cacert",
            ),
            (
                "http://a:1/",
                "tcp connect error: Connection refused (os error 111)",
                "nothing listens",
            ),
            (
                "http://nohost.invalid/",
                "dns error: failed to lookup address information",
                "does not resolve",
            ),
        ];
        for (url, chain, expected) in cases {
            let text = diagnose(chain, url).unwrap_or_default();
            assert!(text.contains(expected), "{chain}: {text}");
            assert!(text.contains("Fix: "), "{chain}: {text}");
        }
        assert_eq!(diagnose("HTTP error: something else", "http://a/"), None);
    }

    #[test]
    fn a_proxy_password_is_a_secret_in_every_form() {
        let network = Network {
            proxy: Proxy::Url("http://alice:s%40cret-proxy-pw@127.0.0.1:3128".into()),
            ..Network::default()
        };
        let secrets: Vec<String> = network
            .secrets()
            .iter()
            .map(|s| secrecy::ExposeSecret::expose_secret(s).to_string())
            .collect();
        assert!(secrets.contains(&"s%40cret-proxy-pw".to_string()));
        assert!(secrets.contains(&"s@cret-proxy-pw".to_string()));
        assert!(secrets.contains(&crate::http::redact::base64(b"alice:s@cret-proxy-pw")));
        assert_eq!(
            network.proxy_in_use().unwrap(),
            "http://alice:[REDACTED]@127.0.0.1:3128 (--proxy)"
        );
    }
}
