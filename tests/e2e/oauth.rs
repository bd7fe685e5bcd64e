//! OAuth 2 for the app's API: access tokens from a real authorization server (oidc-provider
//! from npm, which `.ci/run` installs) accepted by the reference server through introspection,
//! both client authentication methods, a refused client said at once with its secret nowhere,
//! tokens renewed before they expire; and, where a mock is clearer, a token the app refuses in
//! the middle of a run renewed once.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use harness::http::oauth::{ClientAuth, OAuth2};
use harness::http::{Auth, Client, Credential, Method, Outgoing, Target};
use refserver::{Fault, Faults, ScimVersion, ServerConfig};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::cli::{scimcheck, text};

const CLIENT_SECRET: &str = "client-secret-5e4d3c2b1a";
const RESOURCE_SECRET: &str = "resource-secret-0a9b8c7d";

fn oauth_client(token_url: String, refresh: Option<&str>) -> OAuth2 {
    OAuth2::new(
        token_url,
        "scimcheck".into(),
        CLIENT_SECRET.to_string().into(),
        ClientAuth::Basic,
        None,
        refresh.map(|r| r.to_string().into()),
    )
}

fn token(value: &str, expires_in: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "access_token": value, "token_type": "Bearer", "expires_in": expires_in
    }))
}

#[tokio::test]
async fn a_token_the_app_refuses_mid_run_is_renewed_once_and_never_recorded() {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(token("first-access-token-111", 3600))
        .up_to_n_times(1)
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(token("second-access-token-222", 3600))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer second-access-token-222"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"totalResults": 0})),
        )
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&mock)
        .await;
    let credential = Credential::OAuth2(oauth_client(format!("{}/token", mock.uri()), None).into());
    let client = Client::new(Target::new(&mock.uri(), credential).unwrap()).unwrap();
    client.prepare().await.unwrap();
    let sent = client
        .send(Outgoing::to(Method::Get, "/Users", Auth::Run))
        .await;
    assert_eq!(sent.response.as_ref().unwrap().status, 200);
    assert_eq!(
        sent.exchanges.len(),
        2,
        "the refused token, then the renewed one"
    );
    assert_eq!(sent.exchanges[0].response.as_ref().unwrap().status, 401);
    let recorded = serde_json::to_string(&sent.exchanges).unwrap();
    assert!(!recorded.contains("first-access-token") && !recorded.contains("second-access-token"));
    assert!(recorded.contains("Bearer [REDACTED]"), "{recorded}");
}

#[tokio::test]
async fn a_token_is_renewed_before_it_expires_and_a_refresh_token_is_used_and_rotated() {
    let mock = MockServer::start().await;
    // The refresh grant: the first answer rotates the refresh token, the second must use it.
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(wiremock::matchers::body_string_contains(
            "refresh_token=refresh-one-aaaa",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "short-lived-token-1", "token_type": "bearer", "expires_in": 1,
            "refresh_token": "refresh-two-bbbb"
        })))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(wiremock::matchers::body_string_contains(
            "refresh_token=refresh-two-bbbb",
        ))
        .respond_with(token("short-lived-token-2", 3600))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"totalResults": 0})),
        )
        .mount(&mock)
        .await;
    let oauth = oauth_client(format!("{}/token", mock.uri()), Some("refresh-one-aaaa"));
    let client =
        Client::new(Target::new(&mock.uri(), Credential::OAuth2(oauth.into())).unwrap()).unwrap();
    client.prepare().await.unwrap();
    // A one-second token is renewed after 0.67 s: before the app would refuse it.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let sent = client
        .send(Outgoing::to(Method::Get, "/Users", Auth::Run))
        .await;
    assert_eq!(sent.exchanges.len(), 1);
    let received = mock.received_requests().await.unwrap();
    let get = received
        .iter()
        .find(|r| r.method.as_str() == "GET")
        .unwrap();
    assert_eq!(
        get.headers.get("authorization").unwrap().to_str().unwrap(),
        "Bearer short-lived-token-2"
    );
    let recorded = serde_json::to_string(&sent.exchanges).unwrap();
    assert!(!recorded.contains("short-lived-token") && !recorded.contains("refresh-"));
}

/// `node server.mjs` of tests/thirdparty/oidc with its node_modules: `SCIMCHECK_OIDC_SERVER`.
/// Absent, the test says so; under CI (`CI` set) absence fails it.
fn oidc_server() -> Option<String> {
    let found = std::env::var("SCIMCHECK_OIDC_SERVER").ok();
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the OAuth test needs oidc-provider: npm install in tests/thirdparty/oidc, SCIMCHECK_OIDC_SERVER=…/server.mjs"
        );
        eprintln!(
            "SKIPPED: no authorization server (SCIMCHECK_OIDC_SERVER=…/tests/thirdparty/oidc/server.mjs after npm install)"
        );
    }
    found
}

/// The authorization server, killed (by its PID) when dropped, and the private key (PEM) of
/// its client `scimcheck-jwt`, made for it.
struct AuthorizationServer {
    child: Child,
    issuer: String,
    client_key_pem: String,
}

impl Drop for AuthorizationServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn authorization_server(script: &str, ttl_secs: u64) -> AuthorizationServer {
    let port = crate::support::free_port();
    let key = rcgen::KeyPair::generate().expect("a P-256 key");
    // The public key as a JWK: the uncompressed point 0x04 || x || y.
    let point = key.public_key_raw();
    let b64 = |b: &[u8]| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
    };
    let jwk = serde_json::json!({
        "kty": "EC", "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..65])
    });
    let child = Command::new("node")
        .arg(script)
        .arg(port.to_string())
        .arg(ttl_secs.to_string())
        .env("OIDC_CLIENT_JWK", jwk.to_string())
        .env("OIDC_CLIENT_SECRET", CLIENT_SECRET)
        .env("OIDC_RESOURCE_SECRET", RESOURCE_SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("node runs");
    let issuer = format!("http://127.0.0.1:{port}");
    // Bounded wait for it to listen: at most 15 s.
    for _ in 0..150 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    AuthorizationServer {
        child,
        issuer,
        client_key_pem: key.serialize_pem(),
    }
}

async fn app_accepting(issuer: &str, faults: &[Fault]) -> refserver::RunningServer {
    let introspection =
        refserver::Introspection::discover(issuer, "refserver".into(), RESOURCE_SECRET.into())
            .await
            .expect("the issuer publishes its introspection endpoint");
    refserver::start(ServerConfig {
        port: 0,
        auth: refserver::Auth::default(),
        faults: Faults::new(faults.iter().copied()),
        seed_users: 3,
        seed_groups: 1,
        scim_version: ScimVersion::V2,
        oauth: Some(introspection.into()),
        ..ServerConfig::default()
    })
    .await
    .unwrap()
}

async fn run_oauth(
    base: &str,
    issuer: &str,
    extra: &[&str],
    secret: &str,
    dir: &Path,
) -> std::process::Output {
    let token_url = format!("{issuer}/token");
    let mut args = vec![
        "--auth",
        "oauth2",
        "--token-url",
        &token_url,
        "--scope",
        "scim",
        "--scim-version",
        "2.0",
    ];
    args.extend_from_slice(extra);
    crate::network::run_spec(base, &args, &[("SCIM_CLIENT_SECRET", secret)], dir).await
}

/// IPSIE's client authentication against an independent authorization server (oidc-provider,
/// npm): the JWT assertion signed with the client's key (RFC 7523 §2.2) gets a token for scope
/// scim that the app accepts, and an assertion signed by a key nobody registered is refused
/// with invalid_client: the probe passes on a server scimcheck did not write.
#[tokio::test]
async fn the_jwt_client_assertion_is_accepted_by_an_independent_authorization_server() {
    let Some(script) = oidc_server() else { return };
    let issuer = authorization_server(&script, 3600).await;
    let app = app_accepting(&issuer.issuer, &[]).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("client.pem"), &issuer.client_key_pem).unwrap();
    let token_url = format!("{}/token", issuer.issuer);
    let out = crate::cli::scimcheck(
        &[
            "run",
            "--base-url",
            app.base_url(),
            "--suite",
            "ipsie-al1",
            "--only",
            "ipsie-al1/oauth-client-credentials",
            "--auth",
            "oauth2",
            "--client-id",
            "scimcheck-jwt",
            "--client-auth",
            "private-key-jwt",
            "--client-key",
            "client.pem",
            "--token-url",
            &token_url,
            "--scope",
            "scim",
            "--out",
            "out",
        ],
        &[],
        dir.path(),
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let results = crate::support::results_json(&dir.path().join("out"));
    let check = &results["suites"][0]["checks"][0];
    assert_eq!(check["id"], "oauth-client-credentials");
    assert_eq!(check["outcome"]["status"], "pass", "{check:#}");
    assert!(
        !format!("{stdout}{stderr}{results}").contains("eyJ"),
        "no JWT in any output"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_real_authorization_server_s_tokens_reach_the_app_and_a_wrong_secret_is_said_at_once() {
    let Some(script) = oidc_server() else { return };
    let dir = tempfile::tempdir().unwrap();
    // Six-second tokens, and 500 ms per request: each run outlives its first token.
    let issuer = authorization_server(&script, 6).await;
    let app = app_accepting(&issuer.issuer, &[Fault::Latency(500)]).await;

    for extra in [
        &["--client-id", "scimcheck"][..],
        &["--client-id", "scimcheck-post", "--client-auth", "post"],
    ] {
        let out = run_oauth(
            app.base_url(),
            &issuer.issuer,
            extra,
            CLIENT_SECRET,
            dir.path(),
        )
        .await;
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{extra:?}: {stderr}");
        let results: serde_json::Value = crate::support::results_json(&dir.path().join("out"));
        assert_eq!(results["target"]["auth"], "oauth2");
        // The probe that checks the declared version, 12 steps, the DELETE and the GET that
        // proves it: renewed before expiry, no request was refused and sent again.
        assert_eq!(results["summary"]["requests"], 15, "{extra:?}");
        assert!(!stdout.contains(CLIENT_SECRET) && !stderr.contains(CLIENT_SECRET));
        for file in ["results.json", "junit.xml", "report.html"] {
            let text = std::fs::read_to_string(dir.path().join("out").join(file)).unwrap();
            assert!(!text.contains(CLIENT_SECRET), "{file}");
        }
    }

    let wrong = "wrong-secret-77777777";
    let out = run_oauth(
        app.base_url(),
        &issuer.issuer,
        &["--client-id", "scimcheck"],
        wrong,
        dir.path(),
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("invalid_client"), "{stderr}");
    let results = std::fs::read_to_string(dir.path().join("out/results.json")).unwrap();
    assert!(results.contains("credential-refused"), "{results}");
    assert!(!results.contains(wrong) && !stdout.contains(wrong) && !stderr.contains(wrong));
    app.stop().await;
}

/// A person at a browser, played by the test: follows redirects, keeps cookies, and submits
/// the forms it is shown (oidc-provider's development login and consent pages) until the
/// authorization server redirects to the loopback address, which it then visits.
async fn browse_and_consent(start: &str) {
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut cookies: Vec<String> = Vec::new();
    let mut next = (start.to_string(), None::<String>);
    // At most 12 pages: login, consent and the redirects between them take 6.
    for _ in 0..12 {
        let (url, form) = next.clone();
        let mut request = match &form {
            Some(body) => http
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.clone()),
            None => http.get(&url),
        };
        if !cookies.is_empty() {
            request = request.header("cookie", cookies.join("; "));
        }
        let response = request.send().await.unwrap();
        for c in response.headers().get_all("set-cookie") {
            let pair = c.to_str().unwrap().split(';').next().unwrap().to_string();
            let name = pair.split('=').next().unwrap().to_string();
            cookies.retain(|c| !c.starts_with(&format!("{name}=")));
            cookies.push(pair);
        }
        if url.contains("/callback?") {
            assert!(
                response.status().is_success(),
                "the loopback answered {}",
                response.status()
            );
            return;
        }
        if let Some(location) = response.headers().get("location") {
            let location = location.to_str().unwrap();
            let absolute = if location.starts_with('/') {
                let origin: String = url.split('/').take(3).collect::<Vec<_>>().join("/");
                format!("{origin}{location}")
            } else {
                location.to_string()
            };
            next = (absolute, None);
            continue;
        }
        let page = response.text().await.unwrap();
        let action = page
            .split("action=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("no form on {url}: {page}"))
            .to_string();
        let mut fields = Vec::new();
        for input in page.split("<input").skip(1) {
            let attr = |name: &str| {
                input
                    .split(&format!("{name}=\""))
                    .nth(1)
                    .and_then(|r| r.split('"').next())
                    .map(str::to_string)
            };
            match (attr("name"), attr("value")) {
                (Some(n), Some(v)) => fields.push(format!("{n}={v}")),
                (Some(n), None) if n == "login" => fields.push("login=isv-admin".into()),
                (Some(n), None) if n == "password" => fields.push("password=any".into()),
                _ => {}
            }
        }
        next = (action, Some(fields.join("&")));
    }
    panic!("the authorization did not reach the loopback redirect");
}

/// `scimcheck oauth login` with these extra arguments, the browser played by the test.
async fn login(issuer: &str, store: &Path, extra: &[&str]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scimcheck"))
        .args([
            "oauth",
            "login",
            "--no-browser",
            "--wait",
            "60",
            "--client-id",
            "scimcheck",
        ])
        .args(["--scope", "openid scim"])
        .args(extra)
        .arg("--authorize-url")
        .arg(format!("{issuer}/auth"))
        .arg("--token-url")
        .arg(format!("{issuer}/token"))
        .arg("--store")
        .arg(store)
        .env("SCIM_CLIENT_SECRET", CLIENT_SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The URL it prints for the person to open.
    let stderr = child.stderr.take().unwrap();
    let url = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .find_map(|l| l.trim().starts_with("http").then(|| l.trim().to_string()))
            .expect("the authorization URL is printed")
    })
    .await
    .unwrap();
    assert!(
        url.contains("code_challenge_method=S256") && url.contains("state="),
        "{url}"
    );
    assert!(
        url.contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A"),
        "{url}"
    );
    browse_and_consent(&url).await;
    tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn oauth_login_runs_the_code_flow_with_pkce_and_stores_a_refresh_token_that_run_uses() {
    let Some(script) = oidc_server() else { return };
    let dir = tempfile::tempdir().unwrap();
    let issuer = authorization_server(&script, 60).await;
    let app = app_accepting(&issuer.issuer, &[]).await;
    let store = dir.path().join("refresh-token");

    // C21902: the code sent twice is refused, and what it gave is revoked; nothing stored.
    let out = login(&issuer.issuer, &store, &["--check-code-reuse"]).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("PASS  the token endpoint refused the authorization code a second time"),
        "{stdout}"
    );
    assert!(
        stdout.contains("PASS  the refresh token issued for that code was revoked"),
        "{stdout}"
    );
    assert!(!store.exists());

    let out = login(&issuer.issuer, &store, &[]).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let refresh = std::fs::read_to_string(&store).unwrap().trim().to_string();
    assert!(!refresh.is_empty());
    assert!(
        !stdout.contains(&refresh),
        "the refresh token is never printed"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&store).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    // The stored refresh token is what run --auth oauth2 uses.
    let token_url = format!("{}/token", issuer.issuer);
    let out = scimcheck(
        &[
            "run",
            "--base-url",
            app.base_url(),
            "--suite",
            "okta-scim2-spec",
            "--out",
            "out",
            "--scim-version",
            "2.0",
            "--auth",
            "oauth2",
            "--token-url",
            &token_url,
            "--client-id",
            "scimcheck",
        ],
        &[
            ("SCIM_CLIENT_SECRET", CLIENT_SECRET),
            ("SCIM_REFRESH_TOKEN", &refresh),
        ],
        dir.path(),
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for file in ["results.json", "junit.xml", "report.html"] {
        let written = std::fs::read_to_string(dir.path().join("out").join(file)).unwrap();
        assert!(
            !written.contains(&refresh),
            "{file} holds the refresh token"
        );
    }
    assert!(!stdout.contains(&refresh) && !stderr.contains(&refresh));
    app.stop().await;
}

async fn oauth_suite(
    app: &str,
    token_url: String,
    authorize: Option<&str>,
    revocation: Option<&str>,
) -> harness::report::SuiteReport {
    let oauth = std::sync::Arc::new(oauth_client(token_url, None));
    let client = Client::new(Target::new(app, Credential::OAuth2(oauth.clone())).unwrap()).unwrap();
    client.prepare().await.unwrap();
    let checks = harness::run::oauth_checks::OAuthChecks {
        oauth: &oauth,
        authorize_url: authorize,
        revocation_url: revocation,
        max_wait: Duration::from_secs(10),
    };
    harness::run::oauth_checks::run(&client, &checks).await
}

fn labels(suite: &harness::report::SuiteReport) -> Vec<(String, &'static str)> {
    suite
        .checks
        .iter()
        .map(|c| (c.id.clone(), c.outcome.label()))
        .collect()
}

#[tokio::test]
async fn the_oauth_suite_passes_a_correct_server_and_app() {
    let Some(script) = oidc_server() else { return };
    let issuer = authorization_server(&script, 2).await;
    let app = app_accepting(&issuer.issuer, &[]).await;
    let revocation = format!("{}/token/revocation", issuer.issuer);
    let authorize = format!("{}/auth", issuer.issuer);
    let suite = oauth_suite(
        app.base_url(),
        format!("{}/token", issuer.issuer),
        Some(&authorize),
        Some(&revocation),
    )
    .await;
    for (id, label) in labels(&suite) {
        assert_eq!(label, "pass", "{id}: {:#?}", suite.checks);
    }
    // The tokens of the token responses are in no evidence.
    let recorded = serde_json::to_string(&suite).unwrap();
    assert!(!recorded.contains(CLIENT_SECRET));
    for c in &suite.checks {
        for e in &c.exchanges {
            if let Some(r) = &e.response
                && let Ok(body) = serde_json::from_str::<serde_json::Value>(&r.body)
                && let Some(t) = body["access_token"].as_str()
            {
                assert_eq!(t, "[REDACTED]", "{}", c.id);
            }
        }
    }
    // The token the suite spends is sent twice, to the revocation endpoint and to the API:
    // recorded both times, it is redacted both times.
    let revoked = suite
        .checks
        .iter()
        .find(|c| c.id == "api-refuses-revoked-token")
        .unwrap();
    let revocation = revoked.exchanges[0].request.body.as_deref().unwrap();
    assert!(revocation.starts_with("token=[REDACTED]&"), "{revocation}");
    for c in suite
        .checks
        .iter()
        .filter(|c| c.id.starts_with("api-refuses"))
    {
        let api = c.exchanges.last().unwrap();
        let auth = api
            .request
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
            .unwrap();
        assert_eq!(auth.1, "Bearer [REDACTED]", "{}", c.id);
    }
    app.stop().await;
}

#[tokio::test]
async fn each_oauth_check_fails_against_the_fault_it_is_for() {
    // An authorization server that redirects anywhere and takes any secret (wiremock), in
    // front of an app that takes any token (the reference server's auth-not-enforced).
    let mock = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/authorize"))
        .respond_with(ResponseTemplate::new(302).insert_header(
            "location",
            "https://scimcheck-unregistered.invalid/callback?code=c&state=s",
        ))
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(token("any-token-for-anyone-1", 1))
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/revoke"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&mock)
        .await;
    let app = refserver::start(ServerConfig {
        port: 0,
        faults: Faults::new([Fault::AuthNotEnforced]),
        auth: refserver::Auth {
            token: Some("static-token-unused".into()),
            basic: None,
        },
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let authorize = format!("{}/authorize", mock.uri());
    let revoke = format!("{}/revoke", mock.uri());
    let suite = oauth_suite(
        app.base_url(),
        format!("{}/token", mock.uri()),
        Some(&authorize),
        Some(&revoke),
    )
    .await;
    let expected = [
        ("authorize-refuses-unregistered-redirect", "fail"),
        ("token-refuses-wrong-secret", "fail"),
        ("api-refuses-revoked-token", "fail"),
        ("api-refuses-expired-token", "fail"),
    ];
    let got = labels(&suite);
    let got: Vec<(&str, &str)> = got.iter().map(|(i, l)| (i.as_str(), *l)).collect();
    assert_eq!(got, expected, "{:#?}", suite.checks);
    let recorded = serde_json::to_string(&suite).unwrap();
    assert!(!recorded.contains("any-token-for-anyone"), "{recorded}");
    app.stop().await;
}

/// Issue 25.9: a forged redirect (another state) is refused on the page and in the count, and
/// the login keeps waiting for the real one until its time is up; nothing is stored.
#[tokio::test]
async fn oauth_login_refuses_a_redirect_with_a_forged_state() {
    // No authorization server is needed: the forged redirect comes straight to the loopback.
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("refresh-token");
    let mut child = Command::new(env!("CARGO_BIN_EXE_scimcheck"))
        .args([
            "oauth",
            "login",
            "--no-browser",
            "--wait",
            "3",
            "--client-id",
            "scimcheck",
        ])
        .args([
            "--authorize-url",
            "http://127.0.0.1:9/auth",
            "--token-url",
            "http://127.0.0.1:9/token",
        ])
        .arg("--store")
        .arg(&store)
        .env("SCIM_CLIENT_SECRET", CLIENT_SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (url, mut rest) = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        let mut reader = std::io::BufReader::new(stderr);
        let mut line = String::new();
        loop {
            line.clear();
            assert!(reader.read_line(&mut line).unwrap() > 0, "no URL printed");
            if line.trim().starts_with("http") {
                return (line.trim().to_string(), reader);
            }
        }
    })
    .await
    .unwrap();
    let redirect = url
        .split("redirect_uri=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .replace("%3A", ":")
        .replace("%2F", "/");
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    for _ in 0..2 {
        let answer = http
            .get(format!("{redirect}?code=stolen-code&state=forged-state"))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 400);
        let page = answer.text().await.unwrap();
        assert!(page.contains("refused this redirect"), "{page}");
        assert!(!page.contains("received"), "{page}");
    }
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    let mut said = String::new();
    std::io::Read::read_to_string(&mut rest, &mut said).unwrap();
    assert_eq!(status.code(), Some(2), "{said}");
    assert!(
        said.contains("2 redirects with another state refused"),
        "{said}"
    );
    assert!(!store.exists());
}

/// Issue 25.9: `--store` never writes through a symlink, and replaces a file only with
/// `--force`; both are said before the login starts.
#[tokio::test]
async fn oauth_login_store_refuses_symlinks_and_needs_force() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target");
    std::fs::write(&target, "keep").unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let existing = dir.path().join("existing");
    std::fs::write(&existing, "old token").unwrap();
    for (store, force, said) in [
        ("link", true, "symbolic link"),
        ("existing", false, "use --force to replace it"),
    ] {
        let mut args = vec![
            "oauth",
            "login",
            "--no-browser",
            "--wait",
            "1",
            "--client-id",
            "c",
            "--authorize-url",
            "http://127.0.0.1:9/auth",
            "--token-url",
            "http://127.0.0.1:9/token",
            "--store",
            store,
        ];
        if force {
            args.push("--force");
        }
        let out = scimcheck(&args, &[("SCIM_CLIENT_SECRET", CLIENT_SECRET)], dir.path()).await;
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(said), "{stderr}");
        assert!(
            !stderr.contains("Open this URL") && !stdout.contains("http"),
            "{stderr}"
        );
    }
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "old token");
}

#[tokio::test]
async fn a_token_endpoint_that_floods_is_not_believed() {
    // 8 MiB of answer: read no further than 64 KiB, and refused as no token.
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_string("7".repeat(8 * 1024 * 1024)))
        .mount(&mock)
        .await;
    let credential = Credential::OAuth2(oauth_client(format!("{}/token", mock.uri()), None).into());
    let client = Client::new(Target::new(&mock.uri(), credential).unwrap()).unwrap();
    let e = client.prepare().await.unwrap_err();
    assert!(e.contains("not JSON of at most 64 KiB"), "{e}");
}

/// Issue 28.3: `--suite oauth` runs through the same run as every suite: told live like the
/// others (after them), in results.json, JUnit and the summary's counts, with the rest of the
/// run's settings; and alone when it is the only suite asked for.
#[tokio::test]
async fn the_oauth_suite_runs_inside_the_run_like_every_suite() {
    let Some(script) = oidc_server() else { return };
    let dir = tempfile::tempdir().unwrap();
    let issuer = authorization_server(&script, 2).await;
    let app = app_accepting(&issuer.issuer, &[]).await;
    let revocation = format!("{}/token/revocation", issuer.issuer);
    let authorize = format!("{}/auth", issuer.issuer);
    let extra = [
        "--client-id",
        "scimcheck",
        "--suite",
        "oauth",
        "--authorize-url",
        &authorize,
        "--revocation-url",
        &revocation,
        "--oauth-max-wait",
        "10",
    ];
    let out = run_oauth(
        app.base_url(),
        &issuer.issuer,
        &extra,
        CLIENT_SECRET,
        dir.path(),
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let spec = stderr
        .find("okta-scim2-spec  ")
        .expect("the spec suite is told");
    let oauth = stderr
        .find("oauth  OAuth 2")
        .expect("the oauth suite is told");
    assert!(spec < oauth, "{stderr}");
    let results: serde_json::Value = crate::support::results_json(&dir.path().join("out"));
    let ids: Vec<&str> = results["suites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["okta-scim2-spec", "oauth"]);
    let oauth_checks = results["suites"][1]["checks"].as_array().unwrap();
    assert_eq!(oauth_checks.len(), 4);
    let passed = results["summary"]["passed"].as_u64().unwrap() as usize;
    let spec_checks = results["suites"][0]["checks"].as_array().unwrap().len();
    assert_eq!(
        passed,
        spec_checks + 4,
        "the summary counts the oauth suite"
    );
    let junit = std::fs::read_to_string(dir.path().join("out/junit.xml")).unwrap();
    assert!(junit.contains("<testsuite name=\"oauth\""), "{junit}");

    // Alone: only the oauth suite runs.
    let alone = tempfile::tempdir().unwrap();
    let token_url = format!("{}/token", issuer.issuer);
    let run = [
        "run",
        "--base-url",
        app.base_url(),
        "--auth",
        "oauth2",
        "--token-url",
        &token_url,
        "--scope",
        "scim",
        "--scim-version",
        "2.0",
        "--out",
        "out",
    ];
    let out = scimcheck(
        &[&run[..], &extra[..]].concat(),
        &[("SCIM_CLIENT_SECRET", CLIENT_SECRET)],
        alone.path(),
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let results: serde_json::Value = crate::support::results_json(&alone.path().join("out"));
    assert_eq!(results["suites"].as_array().unwrap().len(), 1);
    assert_eq!(results["suites"][0]["id"], "oauth");
    app.stop().await;
}
