//! IPSIE's OAuth prerequisites at the wire (its "Authentication and Authorization"): the app's
//! authorization server publishes RFC 8414 metadata naming its token endpoint, and issues a
//! token for the client credentials grant with a JWT client assertion (RFC 7523 §2.2) and the
//! `scim` scope, no broader, while refusing an assertion signed by a key it never registered.
//! Each probe ends with the check's own request, sent with the token it got. A probe needs
//! what the user gives (an OAuth 2 client with a key, the issuer): without it, the check is
//! skipped with the flags that would run it, never passed.

use secrecy::{ExposeSecret, SecretString};

use crate::http::exchange::Exchange;
use crate::http::oauth::{ClientAuth, OAuth2, metadata_url, token_endpoint_of};
use crate::http::{Auth, Client, Credential, Method, Outgoing};
use crate::report::Outcome;
use crate::run::oauth_checks::{client_refused, mismatch, no_answer, token_request};
use crate::suite::OAuthProbe;
use scim_results::{Keyword, Mismatch};

/// The flags that give a run what these probes need.
const FLAGS: &str = "--auth oauth2 --client-id ID --client-auth private-key-jwt --client-key FILE --oauth-issuer URL";

/// Why the probe cannot run with this client, if it cannot.
pub(crate) fn not_possible(probe: OAuthProbe, client: &Client) -> Option<String> {
    let Credential::OAuth2(oauth) = &client.target().credential else {
        return Some(format!(
            "not run: it needs the app's OAuth 2 client ({FLAGS})"
        ));
    };
    match probe {
        OAuthProbe::Metadata if oauth.issuer.is_none() => Some(format!(
            "not run: it needs the authorization server's issuer (--oauth-issuer), whose RFC 8414 metadata is looked up (the run has only --token-url {})",
            oauth.token_url
        )),
        OAuthProbe::ClientCredentials
            if !matches!(oauth.client_auth, ClientAuth::PrivateKeyJwt(_)) =>
        {
            Some(format!(
                "not run: the run's OAuth 2 client authenticates with a client secret ({}); the profile asks for a JWT client assertion: --client-auth private-key-jwt --client-key FILE",
                oauth.client_auth.method_name()
            ))
        }
        _ => None,
    }
}

/// What a probe found: its verdict, evidence, and a note.
pub(crate) struct Probed {
    pub(crate) outcome: Outcome,
    pub(crate) exchanges: Vec<Exchange>,
    pub(crate) note: Option<String>,
}

/// Runs the probe, then `out` with the token it leads to.
pub(crate) async fn probe(client: &Client, out: &Outgoing, probe: OAuthProbe) -> Probed {
    let Credential::OAuth2(oauth) = &client.target().credential else {
        unreachable!("not_possible skips a probe without an OAuth 2 client");
    };
    let mut found = Found::default();
    let token = match probe {
        OAuthProbe::Metadata => {
            metadata(client, oauth, &mut found).await;
            None
        }
        OAuthProbe::ClientCredentials => client_credentials(client, oauth, &mut found).await,
    };
    if found.error.is_none() && (probe == OAuthProbe::Metadata || token.is_some()) {
        let authorization = match &token {
            Some(t) => Auth::Value(format!("Bearer {}", t.expose_secret()).into()),
            None => Auth::Run,
        };
        let sent = client
            .send(Outgoing {
                authorization,
                ..out.clone()
            })
            .await;
        if let Some(response) = found.answered(sent)
            && !(200..300).contains(&response.status)
        {
            found.mismatches.push(mismatch(
                "status",
                "2xx for the SCIM request made with the token",
                response.status.to_string(),
                Keyword::Must,
                Some("the token the authorization server issues must be accepted by the SCIM API"),
            ));
        }
    }
    let outcome = match (found.error.as_ref(), found.mismatches.is_empty()) {
        (Some(sent), _) => no_answer(sent),
        (None, true) => Outcome::Pass,
        (None, false) => Outcome::Fail {
            mismatches: found.mismatches,
        },
    };
    Probed {
        outcome,
        exchanges: found.exchanges,
        note: found.note,
    }
}

/// What a probe gathered on its way.
#[derive(Default)]
struct Found {
    mismatches: Vec<Mismatch>,
    exchanges: Vec<Exchange>,
    /// A request that got no answer.
    error: Option<crate::http::Sent>,
    note: Option<String>,
}

impl Found {
    /// Keeps a request's evidence; its response, or None (the probe ends) when none came.
    fn answered(&mut self, sent: crate::http::Sent) -> Option<crate::http::Response> {
        self.exchanges.extend(sent.exchanges.clone());
        match sent.response {
            Some(r) => Some(r),
            None => {
                self.error = Some(sent);
                None
            }
        }
    }
}

/// RFC 8414 §3: the metadata at the issuer's well-known address, checked as §3.3 asks.
async fn metadata(client: &Client, oauth: &OAuth2, found: &mut Found) {
    let issuer = oauth.issuer.as_deref().unwrap_or_default();
    let sent = client
        .send(Outgoing {
            headers: vec![("Accept".into(), "application/json".into())],
            ..Outgoing::to(Method::Get, &metadata_url(issuer), Auth::Omit)
        })
        .await;
    let Some(response) = found.answered(sent) else {
        return;
    };
    let Some(doc) = response.json().filter(|_| response.status == 200) else {
        found.mismatches.push(mismatch(
            "status",
            "200 with the metadata as JSON (RFC 8414 §3.2)",
            format!("{} ({})", response.status, if response.json().is_some() { "JSON" } else { "not JSON" }),
            Keyword::Must,
            Some("publish the authorization server's metadata at /.well-known/oauth-authorization-server"),
        ));
        return;
    };
    match token_endpoint_of(issuer, doc) {
        Err(e) => found.mismatches.push(mismatch(
            "metadata",
            "the issuer asked for, and a token_endpoint (RFC 8414 §2, §3.3; IPSIE)",
            e,
            Keyword::Must,
            None,
        )),
        Ok(endpoint) if endpoint != oauth.token_url => {
            found.note = Some(format!(
                "the metadata's token_endpoint is {endpoint}; the run used --token-url {}",
                oauth.token_url
            ));
        }
        Ok(_) => {}
    }
    if let Some(methods) = doc["token_endpoint_auth_methods_supported"].as_array()
        && !methods.iter().any(|m| m == "private_key_jwt")
    {
        found.mismatches.push(mismatch(
            "metadata token_endpoint_auth_methods_supported",
            "private_key_jwt among the methods (IPSIE: JWT client authentication, RFC 7523 §2.2)",
            serde_json::Value::Array(methods.clone()).to_string(),
            Keyword::Must,
            None,
        ));
    }
}

/// The client credentials grant with the client's assertion and scope `scim`; then one with
/// an assertion signed by a stranger's key, which must be refused. The token, if one came.
async fn client_credentials(
    client: &Client,
    oauth: &OAuth2,
    found: &mut Found,
) -> Option<SecretString> {
    let grant = [("grant_type", "client_credentials"), ("scope", "scim")];
    let sent = client
        .send(token_request(
            client,
            oauth,
            &oauth.token_url,
            false,
            &grant,
        ))
        .await;
    let response = found.answered(sent)?;
    let token = response
        .json()
        .and_then(|j| j["access_token"].as_str())
        .filter(|t| !t.is_empty());
    let token = match token {
        Some(t) if (200..300).contains(&response.status) => SecretString::from(t.to_string()),
        _ => {
            found.mismatches.push(mismatch(
                "token",
                "an access token for the client credentials grant with a JWT client assertion and scope scim",
                format!("status {}{}", response.status, response.json().and_then(|j| j["error"].as_str()).map(|e| format!(", error {e}")).unwrap_or_default()),
                Keyword::Must,
                Some("accept client_assertion_type jwt-bearer with an assertion signed by the client's registered key (RFC 7523 §2.2, §3)"),
            ));
            return None;
        }
    };
    client.learn(vec![token.clone()]);
    // RFC 6749 §5.1: no scope in the answer means the one asked for.
    if let Some(scope) = response.json().and_then(|j| j["scope"].as_str())
        && scope.split_whitespace().collect::<Vec<_>>() != ["scim"]
    {
        found.mismatches.push(mismatch(
            "token scope",
            "scim, and no broader permission (IPSIE)",
            format!("{scope:?}"),
            Keyword::Must,
            None,
        ));
    }
    let stranger = client
        .send(token_request(client, oauth, &oauth.token_url, true, &grant))
        .await;
    let refused = found.answered(stranger)?;
    found.mismatches.extend(client_refused(
        &refused,
        "verify the assertion's signature with the client's registered public key (RFC 7523 §3, §3.1)",
    ));
    Some(token)
}
