//! IPSIE's OAuth prerequisites through the command line: the app's own authorization server
//! (the reference server with `--jwt-client`) publishes RFC 8414 metadata, takes JWT client
//! assertions (RFC 7523 §2.2) signed by the client's key and grants the `scim` scope. With the
//! client's key and the issuer, the two `oauth` probes of ipsie-al1 pass on it; each fault
//! fails its probe; without an OAuth 2 client they are skipped with the flags that would run
//! them; the key's assertions and the tokens appear in no output.

use std::path::Path;

use refserver::{Auth, Fault, Faults, JwtClient, ServerConfig};

use crate::cli::{scimcheck, text};

const CHECKS: [&str; 2] = [
    "ipsie-al1/authorization-server-metadata",
    "ipsie-al1/oauth-client-credentials",
];

/// A P-256 key: the private key's PEM (the client's) and the public key's (the server's).
fn client_key() -> (String, String) {
    let key = rcgen::KeyPair::generate().expect("a key");
    (key.serialize_pem(), key.public_key_pem())
}

async fn app(faults: &[Fault], public_pem: &str) -> refserver::RunningServer {
    refserver::start(ServerConfig {
        auth: Auth {
            token: Some("scim-token-not-used-here".into()),
            basic: None,
        },
        faults: Faults::new(faults.iter().copied()),
        interop_profile: true,
        jwt_clients: vec![JwtClient::from_pem("ipsie-client", public_pem.as_bytes()).unwrap()],
        ..ServerConfig::default()
    })
    .await
    .unwrap()
}

/// The two probes' verdicts, by check id, from a run of them.
async fn verdicts(dir: &Path, args: &[&str]) -> (Vec<(String, String)>, String) {
    let mut all = vec!["run", "--suite", "ipsie-al1", "--out", "out"];
    for check in CHECKS {
        all.extend(["--only", check]);
    }
    all.extend(args);
    let out = scimcheck(&all, &[("SCIM_TOKEN", "scim-token-not-used-here")], dir).await;
    let (stdout, stderr) = text(&out);
    let results = std::fs::read_to_string(dir.join("out/results.json")).unwrap_or_default();
    let report: serde_json::Value = serde_json::from_str(&results).unwrap_or_default();
    let mut found = Vec::new();
    for suite in report["suites"].as_array().into_iter().flatten() {
        for c in suite["checks"].as_array().into_iter().flatten() {
            let id = format!(
                "{}/{}",
                suite["id"].as_str().unwrap(),
                c["id"].as_str().unwrap()
            );
            if CHECKS.contains(&id.as_str()) {
                found.push((
                    id,
                    c["outcome"]["status"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                ));
            }
        }
    }
    (found, format!("{stdout}{stderr}{results}"))
}

fn labelled(label: &str) -> Vec<(String, String)> {
    CHECKS
        .iter()
        .map(|c| (c.to_string(), label.to_string()))
        .collect()
}

#[tokio::test]
async fn the_probes_pass_on_a_sound_authorization_server_and_catch_each_fault() {
    let (private_pem, public_pem) = client_key();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("client.pem"), &private_pem).unwrap();
    for (faults, want, with_token_url) in [
        (vec![], vec!["pass", "pass"], false),
        (
            vec![Fault::AssertionUnverified],
            vec!["pass", "fail"],
            false,
        ),
        (vec![Fault::ScopeBroader], vec!["pass", "fail"], false),
        // Without metadata, the run finds the token endpoint only when it is given.
        (
            vec![Fault::AuthorizationMetadataMissing],
            vec!["fail", "pass"],
            true,
        ),
    ] {
        let server = app(&faults, &public_pem).await;
        let issuer = server
            .base_url()
            .trim_end_matches(refserver::BASE_PATH)
            .to_string();
        let token_url = format!("{issuer}/oauth2/token");
        let mut args = vec![
            "--base-url",
            server.base_url(),
            "--auth",
            "oauth2",
            "--client-id",
            "ipsie-client",
            "--client-auth",
            "private-key-jwt",
            "--client-key",
            "client.pem",
            "--oauth-issuer",
            &issuer,
            "--scope",
            "scim",
        ];
        if with_token_url {
            args.extend(["--token-url", &token_url]);
        }
        let (found, output) = verdicts(dir.path(), &args).await;
        let want: Vec<(String, String)> = CHECKS
            .iter()
            .zip(want)
            .map(|(c, l)| (c.to_string(), l.to_string()))
            .collect();
        assert_eq!(found, want, "{faults:?}\n{output}");
        // No assertion (a JWT: base64 of `{"`) and no private key in any output.
        assert!(!output.contains("eyJ"), "{faults:?}: a JWT in the output");
        assert!(!output.contains("PRIVATE KEY"), "{faults:?}");
        server.stop().await;
    }
}

#[tokio::test]
async fn without_the_apps_oauth_client_the_probes_say_what_would_run_them() {
    let (_, public_pem) = client_key();
    let server = app(&[], &public_pem).await;
    let dir = tempfile::tempdir().unwrap();
    let (found, output) = verdicts(dir.path(), &["--base-url", server.base_url()]).await;
    assert_eq!(found, labelled("skip"), "{output}");
    assert!(
        output.contains("--client-auth private-key-jwt --client-key FILE"),
        "{output}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_key_that_is_no_key_is_named_with_its_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("client.pem"), "not a key").unwrap();
    let out = scimcheck(
        &[
            "run",
            "--base-url",
            "http://127.0.0.1:9/scim/v2",
            "--auth",
            "oauth2",
            "--client-id",
            "c",
            "--client-auth",
            "private-key-jwt",
            "--client-key",
            "client.pem",
            "--token-url",
            "http://127.0.0.1:9/token",
        ],
        &[],
        dir.path(),
    )
    .await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--client-key client.pem: no PEM private key"),
        "{stderr}"
    );
}
