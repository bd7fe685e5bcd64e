//! The `oauth` suite: Okta's QA case C21902 ("OAuth: the app's authorization server and API
//! refuse what they must") at the wire, for an app tested with `--auth oauth2`. Unlike the
//! other suites it is not a file of `specs/`: its checks drive an authorization server (a
//! redirect that must not happen, a token spent on purpose, a wait for expiry) that the
//! request format does not describe; `specs/oauth.md` lists them for readers. The part that
//! needs a person's consent, a reused authorization code, is `scimcheck oauth login
//! --check-code-reuse`.

use crate::suite::builtin::{OAUTH_CHECK_IDS, OAUTH_SUITE_ID};
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};

use crate::http::oauth::{ClientAuth, OAuth2};
use crate::http::redact::base64;
use crate::http::{Auth, Client, Credential, Method, Outgoing, Sent};
use crate::report::{CheckResult, Outcome, Redact, SuiteReport};
use crate::run::events::Events;
use crate::run::options::OAuthSuiteOptions;
use crate::suite::Suite;
use scim_results::{Keyword, Level, Mismatch};

/// The suite's id.
pub const SUITE_ID: &str = OAUTH_SUITE_ID;

/// The suite as the events and the report name it (its checks are code, not data).
pub fn description() -> Suite {
    Suite {
        id: SUITE_ID.into(),
        title: "OAuth 2: the authorization server and the API refuse what they must".into(),
        version: "2026-12-02".into(),
        scim_version: crate::report::ScimVersion::V2,
        reference: "Okta QA case C21902; RFC 6749, RFC 6750, RFC 6819, RFC 7009".into(),
        profile: None,
        builds_on: Vec::new(),
        by_hand: Vec::new(),
        source: "harness/src/run/oauth_checks.rs (listed in specs/oauth.md)".into(),
        vars: Vec::new(),
        inputs: Vec::new(),
        checks: Vec::new(),
    }
}

/// Runs the suite inside a run, with the run's OAuth 2 client and its settings, telling the
/// events as every suite does: nothing when the run's credential is not OAuth 2.
pub async fn run_in_run(
    client: &Client,
    settings: &OAuthSuiteOptions,
    events: &mut dyn Events,
) -> Option<SuiteReport> {
    let Credential::OAuth2(oauth) = &client.target().credential else {
        return None;
    };
    let revocation_url = match &settings.revocation_url {
        Some(u) => Some(u.clone()),
        None => discover_revocation(client.http(), &oauth.token_url).await,
    };
    let checks = OAuthChecks {
        oauth,
        authorize_url: settings.authorize_url.as_deref(),
        revocation_url: revocation_url.as_deref(),
        max_wait: settings.max_wait,
    };
    let suite = description();
    events.suite_started(&suite);
    let report = run(client, &checks).await;
    for check in &report.checks {
        events.check_finished(&suite, check);
    }
    Some(report)
}

/// A redirect URI no app registers (RFC 2606 reserves `.invalid`).
const UNREGISTERED_REDIRECT: &str = "https://scimcheck-unregistered.invalid/callback";

/// What the suite needs besides the run's client.
pub struct OAuthChecks<'a> {
    /// The run's OAuth 2 client.
    pub oauth: &'a OAuth2,
    /// The authorize endpoint, when the app has one (the authorization code grant).
    pub authorize_url: Option<&'a str>,
    /// The revocation endpoint (RFC 7009), given or found in the server's metadata.
    pub revocation_url: Option<&'a str>,
    /// The longest the suite waits for a token to expire.
    pub max_wait: Duration,
}

/// One check's fixed facts.
struct Spec {
    id: &'static str,
    title: &'static str,
    reference: &'static str,
}

const AUTHORIZE: Spec = Spec {
    id: OAUTH_CHECK_IDS[0],
    title: "The authorize endpoint refuses a redirect URI that is not registered",
    reference: "RFC 6749 §3.1.2.4 and §4.1.2.1 (MUST NOT redirect to an invalid redirection URI); RFC 6819 §4.2.4, §5.2.3.5; Okta QA C21902",
};
const WRONG_SECRET: Spec = Spec {
    id: OAUTH_CHECK_IDS[1],
    title: "The token endpoint refuses a wrong client secret",
    reference: "RFC 6749 §2.3.1 and §5.2 (invalid_client); Okta QA C21902",
};
const REVOKED: Spec = Spec {
    id: OAUTH_CHECK_IDS[2],
    title: "The SCIM API refuses a revoked access token with 401",
    reference: "RFC 7009 §2 (revocation), RFC 6750 §3.1 (invalid_token: 401); RFC 6819 §5.1.5.9; Okta QA C21902",
};
const EXPIRED: Spec = Spec {
    id: OAUTH_CHECK_IDS[3],
    title: "The SCIM API refuses an expired access token with 401",
    reference: "RFC 6749 §4.2.2/§5.1 (expires_in), RFC 6750 §3.1 (invalid_token: 401); RFC 6819 §5.1.5.3; Okta QA C21902",
};

/// Runs the suite's checks, in order.
pub async fn run(client: &Client, checks: &OAuthChecks<'_>) -> SuiteReport {
    let started = Instant::now();
    let mut results = vec![
        authorize(client, checks).await,
        wrong_secret(client, checks.oauth).await,
        revoked(client, checks).await,
        expired(client, checks).await,
    ];
    // Tokens met in token responses are secrets too: learned, then removed from everything
    // recorded (they were unknown when the exchange was recorded).
    let redactor = client.redactor();
    for r in &mut results {
        r.redact(&redactor);
        for e in &mut r.exchanges {
            e.redact(&redactor);
        }
    }
    let suite = description();
    SuiteReport {
        id: suite.id,
        title: suite.title,
        version: suite.version,
        scim_version: suite.scim_version,
        reference: suite.reference,
        profile: suite.profile,
        duration_ms: started.elapsed().as_millis() as u64,
        checks: results,
        cleanup: Vec::new(),
    }
}

fn result(
    spec: &Spec,
    outcome: Outcome,
    exchanges: Vec<crate::http::exchange::Exchange>,
    started: Instant,
) -> CheckResult {
    CheckResult {
        id: spec.id.into(),
        title: spec.title.into(),
        level: Level::Required,
        reference: spec.reference.into(),
        keyword: Some(Keyword::Must),
        outcome,
        duration_ms: started.elapsed().as_millis() as u64,
        exchanges,
        note: None,
        location: None,
    }
}

pub(crate) fn mismatch(
    assertion: &str,
    expected: &str,
    actual: String,
    keyword: Keyword,
    hint: Option<&str>,
) -> Mismatch {
    Mismatch {
        assertion: assertion.into(),
        expected: expected.into(),
        actual,
        hint: hint.map(str::to_string),
        keyword: Some(keyword),
    }
}

fn status_of(sent: &Sent) -> Option<u16> {
    sent.response.as_ref().map(|r| r.status)
}

/// No answer at all: the check could not judge.
pub(crate) fn no_answer(sent: &Sent) -> Outcome {
    Outcome::Error {
        reason: sent
            .exchanges
            .last()
            .and_then(|e| e.error.as_ref())
            .map_or("no response".into(), |e| e.message.clone()),
    }
}

async fn authorize(client: &Client, checks: &OAuthChecks<'_>) -> CheckResult {
    let started = Instant::now();
    let Some(url) = checks.authorize_url else {
        return result(
            &AUTHORIZE,
            Outcome::Skip {
                reason: "no --authorize-url: the app uses no authorization code grant".into(),
            },
            Vec::new(),
            started,
        );
    };
    let (_, challenge) = crate::http::oauth_login::pkce();
    let sent = client
        .send(Outgoing {
            query: vec![
                ("response_type".into(), "code".into()),
                ("client_id".into(), checks.oauth.client_id.clone()),
                ("redirect_uri".into(), UNREGISTERED_REDIRECT.into()),
                ("state".into(), "scimcheck-c21902".into()),
                ("code_challenge".into(), challenge),
                ("code_challenge_method".into(), "S256".into()),
            ],
            ..Outgoing::to(Method::Get, url, Auth::Omit)
        })
        .await;
    let Some(response) = &sent.response else {
        let outcome = no_answer(&sent);
        return result(&AUTHORIZE, outcome, sent.exchanges, started);
    };
    let location = response.header("location").unwrap_or("");
    let outcome = if (300..400).contains(&response.status)
        && location.starts_with(UNREGISTERED_REDIRECT)
    {
        Outcome::Fail {
            mismatches: vec![mismatch(
                "no redirect to the unregistered redirect_uri",
                "an error page (4xx), no redirect to it",
                format!("{} with Location {location}", response.status),
                Keyword::Must,
                Some(
                    "compare redirect_uri exactly with the client's registered URIs before anything else, and show an error instead of redirecting (RFC 6749 §3.1.2.4)",
                ),
            )],
        }
    } else if (400..500).contains(&response.status) {
        Outcome::Pass
    } else {
        // A login page first (200, or a redirect within the server): whether the redirect is
        // refused after login cannot be seen from here.
        Outcome::Warn {
            mismatches: vec![mismatch(
                "refused at once",
                "an error (4xx) before any login",
                format!("{} (Location {location:?})", response.status),
                Keyword::Should,
                Some(
                    "validate redirect_uri before showing the login; check by hand that the login never ends in a redirect to the unregistered URI",
                ),
            )],
        }
    };
    result(&AUTHORIZE, outcome, sent.exchanges, started)
}

/// A token request with this client's id, authenticated as the client does: with its own
/// secret or key, or (`wrong`) with a secret it does not have or an assertion signed by a key
/// nobody registered. A client assertion made here is learned as a secret.
pub(crate) fn token_request(
    client: &Client,
    oauth: &OAuth2,
    url: &str,
    wrong: bool,
    form: &[(&str, &str)],
) -> Outgoing {
    let mut fields: Vec<String> = form
        .iter()
        .map(|(k, v)| format!("{k}={}", crate::http::oauth::form_encode(v)))
        .collect();
    let secret = if wrong {
        SecretString::from("scimcheck-wrong-client-secret")
    } else {
        oauth.client_secret.clone()
    };
    let encode = crate::http::oauth::form_encode;
    let authorization = match &oauth.client_auth {
        ClientAuth::Basic => Auth::Value(SecretString::from(format!(
            "Basic {}",
            base64(
                format!(
                    "{}:{}",
                    encode(&oauth.client_id),
                    encode(secret.expose_secret())
                )
                .as_bytes()
            )
        ))),
        ClientAuth::Post => {
            fields.push(format!("client_id={}", encode(&oauth.client_id)));
            fields.push(format!("client_secret={}", encode(secret.expose_secret())));
            Auth::Omit
        }
        ClientAuth::PrivateKeyJwt(key) => {
            let stranger;
            let key = if wrong {
                stranger = crate::http::jwt::JwtKey::stranger();
                &stranger
            } else {
                key.as_ref()
            };
            if let Ok(assertion) = key.assertion(&oauth.client_id, &oauth.token_url) {
                fields.push(format!(
                    "client_assertion_type={}",
                    encode(crate::http::jwt::ASSERTION_TYPE)
                ));
                fields.push(format!(
                    "client_assertion={}",
                    encode(assertion.expose_secret())
                ));
                client.learn(vec![assertion]);
            }
            Auth::Omit
        }
    };
    Outgoing {
        headers: vec![
            (
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
            ("Accept".into(), "application/json".into()),
        ],
        body: Some(fields.join("&")),
        ..Outgoing::to(Method::Post, url, authorization)
    }
}

/// What a token endpoint's refusal of a client it cannot authenticate lacks: 400 or 401, and
/// error `invalid_client` (RFC 6749 §5.2; RFC 7523 §3.1 for an assertion).
pub(crate) fn client_refused(response: &crate::http::Response, hint: &str) -> Vec<Mismatch> {
    let error = response
        .json()
        .and_then(|j| j["error"].as_str().map(str::to_string));
    let mut mismatches = Vec::new();
    if !matches!(response.status, 400 | 401) {
        mismatches.push(mismatch(
            "status",
            "400 or 401",
            response.status.to_string(),
            Keyword::Must,
            Some(hint),
        ));
    }
    if (400..500).contains(&response.status) && error.as_deref() != Some("invalid_client") {
        mismatches.push(mismatch(
            "json error",
            "\"invalid_client\"",
            format!("{error:?}"),
            Keyword::Must,
            Some("a client authentication failure is answered with error invalid_client (RFC 6749 §5.2, RFC 7523 §3.1)"),
        ));
    }
    mismatches
}

async fn wrong_secret(client: &Client, oauth: &OAuth2) -> CheckResult {
    let started = Instant::now();
    let sent = client
        .send(token_request(
            client,
            oauth,
            &oauth.token_url,
            true,
            &[("grant_type", "client_credentials")],
        ))
        .await;
    let Some(response) = &sent.response else {
        let outcome = no_answer(&sent);
        return result(&WRONG_SECRET, outcome, sent.exchanges, started);
    };
    let mismatches = client_refused(
        response,
        "authenticate the client before the grant, and refuse a wrong secret (RFC 6749 §2.3.1)",
    );
    let outcome = if mismatches.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail { mismatches }
    };
    result(&WRONG_SECRET, outcome, sent.exchanges, started)
}

/// A token of its own for a check that spends it, learned as a secret.
async fn spend_token(
    client: &Client,
    oauth: &OAuth2,
) -> Result<(SecretString, Option<Duration>), Outcome> {
    match oauth.separate_token(client.http()).await {
        Ok(fetched) => {
            let mut learned = vec![fetched.access.clone()];
            learned.extend(fetched.refresh.clone());
            client.learn(learned);
            Ok((fetched.access, fetched.lifetime))
        }
        Err(e) => Err(Outcome::Error {
            reason: client.redactor().redact(&e.to_string()),
        }),
    }
}

/// `GET /Users?count=1` with this token: what the app must refuse.
async fn with_token(client: &Client, token: &SecretString) -> Sent {
    client
        .send(Outgoing {
            query: vec![("count".into(), "1".into())],
            headers: vec![("Accept".into(), "application/scim+json".into())],
            ..Outgoing::to(
                Method::Get,
                "/Users",
                Auth::Value(format!("Bearer {}", token.expose_secret()).into()),
            )
        })
        .await
}

fn refused_with_401(sent: &Sent, what: &str) -> Outcome {
    match status_of(sent) {
        None => no_answer(sent),
        Some(401) => Outcome::Pass,
        Some(status) => Outcome::Fail {
            mismatches: vec![mismatch(
                "status",
                "401",
                status.to_string(),
                Keyword::Must,
                Some(what),
            )],
        },
    }
}

async fn revoked(client: &Client, checks: &OAuthChecks<'_>) -> CheckResult {
    let started = Instant::now();
    let Some(url) = checks.revocation_url else {
        return result(
            &REVOKED,
            Outcome::Skip {
                reason: "the authorization server names no revocation endpoint (RFC 7009; --revocation-url, or revocation_endpoint in its metadata)".into(),
            },
            Vec::new(),
            started,
        );
    };
    let (token, _) = match spend_token(client, checks.oauth).await {
        Ok(t) => t,
        Err(outcome) => return result(&REVOKED, outcome, Vec::new(), started),
    };
    let mut exchanges = Vec::new();
    let revoke = client
        .send(token_request(
            client,
            checks.oauth,
            url,
            false,
            &[
                ("token", token.expose_secret()),
                ("token_type_hint", "access_token"),
            ],
        ))
        .await;
    let revoke_status = status_of(&revoke);
    exchanges.extend(revoke.exchanges);
    if revoke_status != Some(200) {
        let outcome = Outcome::Error {
            reason: format!(
                "the revocation endpoint answered {revoke_status:?}, not 200 (RFC 7009 §2.2): the token may not be revoked, so the API cannot be judged"
            ),
        };
        return result(&REVOKED, outcome, exchanges, started);
    }
    let sent = with_token(client, &token).await;
    let outcome = refused_with_401(
        &sent,
        "check each access token with the authorization server (introspection, RFC 7662) or a revocation list; a revoked token must stop working at once",
    );
    exchanges.extend(sent.exchanges);
    result(&REVOKED, outcome, exchanges, started)
}

async fn expired(client: &Client, checks: &OAuthChecks<'_>) -> CheckResult {
    let started = Instant::now();
    let (token, lifetime) = match spend_token(client, checks.oauth).await {
        Ok(t) => t,
        Err(outcome) => return result(&EXPIRED, outcome, Vec::new(), started),
    };
    let Some(lifetime) = lifetime else {
        return result(
            &EXPIRED,
            Outcome::Skip {
                reason: "the token response has no expires_in: when the token expires is unknown"
                    .into(),
            },
            Vec::new(),
            started,
        );
    };
    if lifetime > checks.max_wait {
        return result(
            &EXPIRED,
            Outcome::Skip {
                reason: format!(
                    "the token lives {} s, longer than --oauth-max-wait ({} s): give the test client short-lived tokens, or check by hand",
                    lifetime.as_secs(),
                    checks.max_wait.as_secs()
                ),
            },
            Vec::new(),
            started,
        );
    }
    // Past the expiry, with a second of margin for clocks counted in whole seconds.
    tokio::time::sleep(lifetime + Duration::from_secs(2)).await;
    let sent = with_token(client, &token).await;
    let outcome = refused_with_401(
        &sent,
        "check the token's expiry (exp, or introspection's active) on every request",
    );
    result(&EXPIRED, outcome, sent.exchanges, started)
}

/// The revocation endpoint in the authorization server's metadata (RFC 8414, then OpenID
/// discovery), looked up at the origin of the token endpoint.
pub async fn discover_revocation(http: &reqwest::Client, token_url: &str) -> Option<String> {
    let origin: String = token_url.split('/').take(3).collect::<Vec<_>>().join("/");
    for well_known in [
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration",
    ] {
        let Ok(response) = http.get(format!("{origin}{well_known}")).send().await else {
            continue;
        };
        let metadata = crate::http::network::json_capped(
            response,
            crate::http::network::OAUTH_ANSWER_MAX_BYTES,
        )
        .await;
        if let Some(url) = metadata["revocation_endpoint"].as_str() {
            return Some(url.to_string());
        }
    }
    None
}
