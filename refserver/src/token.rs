//! The app's own OAuth 2 authorization server, as IPSIE's SCIM profile asks of an app: RFC 8414
//! metadata at `/.well-known/oauth-authorization-server` naming the token endpoint, and a
//! token endpoint for the client credentials grant that authenticates clients by a JWT
//! assertion (RFC 7523 §2.2, `private_key_jwt`) checked against each client's registered
//! public key, and grants the `scim` scope. Tokens it issues are accepted by the SCIM API.
//! Served when clients are registered (`--jwt-client`).

use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED, RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey,
};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::faults::Fault;
use crate::state::Shared;
use crate::token_store::JwtClient;

/// The path of the token endpoint.
pub const TOKEN_PATH: &str = "/oauth2/token";
/// The path of the metadata (RFC 8414 §3: the issuer has no path).
pub const METADATA_PATH: &str = "/.well-known/oauth-authorization-server";
/// The `client_assertion_type` of RFC 7523 §2.2.
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The issuer: the server's origin.
fn issuer(s: &crate::state::AppState) -> String {
    s.base_url.trim_end_matches(crate::BASE_PATH).to_string()
}

/// `GET /.well-known/oauth-authorization-server` (RFC 8414 §3.2).
pub(crate) async fn metadata(State(s): State<Shared>) -> Response {
    if s.faults.has(Fault::AuthorizationMetadataMissing) {
        return (StatusCode::NOT_FOUND, "no metadata here").into_response();
    }
    let issuer = issuer(&s);
    json_answer(
        StatusCode::OK,
        &json!({
            "issuer": issuer,
            "token_endpoint": format!("{issuer}{TOKEN_PATH}"),
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256", "ES256"],
            "scopes_supported": ["scim"],
        }),
    )
}

/// `POST /oauth2/token`: the client credentials grant with a JWT client assertion.
pub(crate) async fn token(State(s): State<Shared>, body: axum::body::Bytes) -> Response {
    let form: Vec<(String, String)> = url_form(&body);
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let refuse = |status: StatusCode, error: &str, description: &str| {
        json_answer(
            status,
            &json!({"error": error, "error_description": description}),
        )
    };
    if field("grant_type") != Some("client_credentials") {
        return refuse(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only client_credentials",
        );
    }
    if field("client_assertion_type") != Some(ASSERTION_TYPE) {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "a JWT client assertion is required (RFC 7523 §2.2)",
        );
    }
    let audience = format!("{}{TOKEN_PATH}", issuer(&s));
    let verified = field("client_assertion").and_then(|jwt| {
        verify(
            &s.tokens.clients,
            jwt,
            &audience,
            !s.faults.has(Fault::AssertionUnverified),
        )
    });
    if verified.is_none() {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "the client assertion is not signed by a registered client's key, or its claims are wrong",
        );
    }
    if field("scope").is_some_and(|sc| sc.split_whitespace().any(|w| w != "scim")) {
        return refuse(StatusCode::BAD_REQUEST, "invalid_scope", "only scim");
    }
    let token = uuid::Uuid::new_v4().simple().to_string();
    s.tokens.issue(token.clone());
    let scope = if s.faults.has(Fault::ScopeBroader) {
        "scim admin"
    } else {
        "scim"
    };
    json_answer(
        StatusCode::OK,
        &json!({"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": scope}),
    )
}

/// The client id of a valid assertion (RFC 7523 §3: iss = sub = a registered client, aud the
/// token endpoint, not expired; signed by that client's key unless `check_signature` is off).
fn verify(
    clients: &[JwtClient],
    jwt: &str,
    audience: &str,
    check_signature: bool,
) -> Option<String> {
    let mut parts = jwt.split('.');
    let (header, claims, signature) = (parts.next()?, parts.next()?, parts.next()?);
    let decode = |p: &str| URL_SAFE_NO_PAD.decode(p).ok();
    let head: Value = serde_json::from_slice(&decode(header)?).ok()?;
    let body: Value = serde_json::from_slice(&decode(claims)?).ok()?;
    let id = body["iss"].as_str()?;
    let client = clients.iter().find(|c| c.id == id)?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    let aud_ok = match &body["aud"] {
        Value::String(a) => a == audience,
        Value::Array(list) => list.iter().any(|a| a == audience),
        _ => false,
    };
    if body["sub"].as_str() != Some(id) || !aud_ok || body["exp"].as_u64()? <= now {
        return None;
    }
    if check_signature {
        let algorithm: &dyn aws_lc_rs::signature::VerificationAlgorithm =
            match head["alg"].as_str()? {
                "RS256" => &RSA_PKCS1_2048_8192_SHA256,
                "ES256" => &ECDSA_P256_SHA256_FIXED,
                _ => return None,
            };
        UnparsedPublicKey::new(algorithm, &client.public_key)
            .verify(format!("{header}.{claims}").as_bytes(), &decode(signature)?)
            .ok()?;
    }
    Some(id.to_string())
}

/// An `application/x-www-form-urlencoded` body's fields.
fn url_form(body: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode(k), form_decode(v))
        })
        .collect()
}

fn form_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(&text.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

fn json_answer(status: StatusCode, body: &Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_are_decoded() {
        assert_eq!(
            url_form(b"a=b+c&d=%2F%3A&e"),
            vec![
                ("a".into(), "b c".into()),
                ("d".into(), "/:".into()),
                ("e".into(), String::new())
            ]
        );
    }
}
