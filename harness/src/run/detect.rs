//! Which SCIM version an app speaks, decided from evidence: `GET /ServiceProviderConfig` (2.0),
//! `GET /ServiceProviderConfigs` (1.1), and, for apps without discovery endpoints, the schema
//! a user list declares. The choice and every probe are kept for the report.

use serde_json::Value;

use crate::http::{Auth, Client, Method, Outgoing, Sent, Unreachable, unreachable};
use crate::report::{Abort, AbortCause};
use crate::run::abort::credential_refused;

use crate::report::{ScimVersion, VersionChoice};

/// Why no version could be chosen.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    /// The first probe could not connect at all.
    #[error(transparent)]
    Unreachable(#[from] Unreachable),
    /// A probe carrying the run's credential was answered 401 or 403.
    #[error("{0}")]
    CredentialRefused(String),
    /// The app answered no probe like a SCIM 2.0 or 1.1 service provider.
    #[error("the app speaks neither SCIM 2.0 nor SCIM 1.1 as far as these probes tell:\n  {}{}", .tried.join("\n  "), .hint.as_deref().map(|h| format!("\nhint: {h}")).unwrap_or_default())]
    Neither {
        /// Each probe and what came back.
        tried: Vec<String>,
        /// Where SCIM answered instead, when a usual prefix below the base URL does.
        hint: Option<String>,
    },
}

impl DetectError {
    /// The report's form of this error.
    pub fn to_abort(&self) -> Abort {
        let cause = match self {
            DetectError::Unreachable(_) => AbortCause::Unreachable,
            DetectError::CredentialRefused(_) => AbortCause::CredentialRefused,
            DetectError::Neither { .. } => AbortCause::NotScim,
        };
        Abort {
            cause,
            message: self.to_string(),
        }
    }
}

const SPC_20: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const LIST_20: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const CORE_11: &str = "urn:scim:schemas:core:1.0";

/// One probe: a GET, and the schema whose presence decides the version (none: the list
/// probe, whose own schema tells).
struct Probe {
    path: &'static str,
    query: &'static [(&'static str, &'static str)],
    schema: &'static str,
    /// The version its schema shows (none for the list probe).
    version: Option<ScimVersion>,
}

/// Probes the app, in order: 2.0 discovery, 1.1 discovery, then a one-user list.
pub async fn detect(client: &Client) -> Result<VersionChoice, DetectError> {
    let probes = [
        Probe {
            path: "/ServiceProviderConfig",
            query: &[],
            schema: SPC_20,
            version: Some(ScimVersion::V2),
        },
        Probe {
            path: "/ServiceProviderConfigs",
            query: &[],
            schema: CORE_11,
            version: Some(ScimVersion::V11),
        },
        Probe {
            path: "/Users",
            query: &[("startIndex", "1"), ("count", "1")],
            schema: "",
            version: None,
        },
    ];
    let mut tried = Vec::new();
    let mut exchanges = Vec::new();
    for probe in probes {
        if let Some(choice) = try_probe(client, probe, &mut tried, &mut exchanges).await? {
            return Ok(choice);
        }
    }
    let all_404 = exchanges
        .iter()
        .all(|x| x.response.as_ref().is_some_and(|r| r.status == 404));
    let hint = if all_404 {
        prefix_that_answers(client).await
    } else {
        None
    };
    Err(DetectError::Neither { tried, hint })
}

/// Where the SCIM endpoints usually live below a host's root: a base URL given without its
/// prefix answers 404 to every probe.
const USUAL_PREFIXES: [&str; 4] = ["/scim/v2", "/scim", "/api/scim/v2", "/v2"];

/// The base URL that answers `/ServiceProviderConfig` as SCIM 2.0 (or `/ServiceProviderConfigs`
/// as 1.1) below one of the usual prefixes, said as the fix. Same origin, at most eight GETs.
async fn prefix_that_answers(client: &Client) -> Option<String> {
    let base = client.target().base_url.trim_end_matches('/').to_string();
    for prefix in USUAL_PREFIXES {
        if base.ends_with(prefix) {
            continue;
        }
        for (path, schema, version) in [
            ("/ServiceProviderConfig", SPC_20, ScimVersion::V2),
            ("/ServiceProviderConfigs", CORE_11, ScimVersion::V11),
        ] {
            let sent = client
                .send(Outgoing {
                    headers: vec![(
                        "Accept".into(),
                        "application/scim+json, application/json".into(),
                    )],
                    ..Outgoing::to(Method::Get, &format!("{prefix}{path}"), Auth::Run)
                })
                .await;
            if version_shown(schema, Some(version), &schemas_of(&sent)).is_some() {
                return Some(format!(
                    "{base}{prefix}{path} answers as SCIM {version}: run with --base-url {base}{prefix}"
                ));
            }
        }
    }
    None
}

/// Sends one probe: the version it shows, if it shows one (what each probe got is kept in
/// `tried` and `exchanges`, the evidence); an unreachable app or a refused credential ends
/// the detection.
async fn try_probe(
    client: &Client,
    probe: Probe,
    tried: &mut Vec<String>,
    exchanges: &mut Vec<crate::http::exchange::Exchange>,
) -> Result<Option<VersionChoice>, DetectError> {
    let Probe {
        path,
        query,
        schema,
        version,
    } = probe;
    let sent = client
        .send(Outgoing {
            method: Method::Get,
            path: path.into(),
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            headers: vec![(
                "Accept".into(),
                "application/scim+json, application/json".into(),
            )],
            authorization: Auth::Run,
            body: None,
        })
        .await;
    if tried.is_empty()
        && let Some(u) = unreachable(&sent.exchanges)
    {
        return Err(u.into());
    }
    if let Some(status) = sent
        .response
        .as_ref()
        .map(|r| r.status)
        .filter(|s| matches!(s, 401 | 403))
    {
        return Err(DetectError::CredentialRefused(credential_refused(
            client,
            &format!("GET {path}"),
            status,
        )));
    }
    let what = describe(client, &sent);
    exchanges.extend(sent.exchanges.iter().cloned());
    let schemas = schemas_of(&sent);
    let found = version_shown(schema, version, &schemas);
    tried.push(format!("GET {path} → {what}"));
    if let Some(v) = found {
        let evidence = vec![client.redactor().redact_owned(format!(
            "GET {path} → {what} with schemas {}, so SCIM {v}",
            schemas.join(", ")
        ))];
        let mut evidence_all = tried[..tried.len() - 1].to_vec();
        evidence_all.extend(evidence);
        return Ok(Some(VersionChoice {
            version: v,
            how: "detected".into(),
            evidence: evidence_all,
            exchanges: std::mem::take(exchanges),
        }));
    }
    Ok(None)
}

/// The `schemas` of a probe's 200 answer.
fn schemas_of(sent: &Sent) -> Vec<String> {
    sent.response
        .as_ref()
        .filter(|r| r.status == 200)
        .and_then(|r| r.json())
        .and_then(|j| j.get("schemas"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The version a probe's answer shows: its schema present (the list probe: the list's own
/// schema tells).
fn version_shown(
    schema: &str,
    version: Option<ScimVersion>,
    schemas: &[String],
) -> Option<ScimVersion> {
    if !schema.is_empty() {
        return version.filter(|_| schemas.iter().any(|s| s == schema));
    }
    if schemas.iter().any(|s| s == LIST_20) {
        Some(ScimVersion::V2)
    } else if schemas.iter().any(|s| s.starts_with(CORE_11)) {
        Some(ScimVersion::V11)
    } else {
        None
    }
}

/// What a probe got, in words, secrets removed (the body is the server's text).
fn describe(client: &Client, sent: &Sent) -> String {
    let what = match (
        &sent.response,
        sent.exchanges.last().and_then(|e| e.error.as_ref()),
    ) {
        (Some(r), _) if r.json().is_some() => format!("{}", r.status),
        (Some(r), _) => format!("{} (not JSON: {})", r.status, r.excerpt(r.body.trim(), 80)),
        (None, Some(e)) => e.message.clone(),
        (None, None) => "no answer".into(),
    };
    client.redactor().redact_owned(what)
}
