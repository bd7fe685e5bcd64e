//! The binary as users and CI call it: exit codes, output files, messages for bad input, and a
//! canary credential that must not appear in anything written.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use refserver::{Auth, Fault, Faults, ServerConfig};

const BIN: &str = env!("CARGO_BIN_EXE_scimcheck");

/// Runs the binary off the async runtime so an in-process server keeps serving.
pub(crate) async fn scimcheck(args: &[&str], env: &[(&str, &str)], dir: &Path) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || {
        Command::new(BIN)
            .args(&args)
            .current_dir(&dir)
            .env_remove("SCIM_TOKEN")
            .env_remove("SCIM_BASE_URL")
            .env_remove("SCIM_USERNAME")
            .env_remove("SCIM_PASSWORD")
            .env("NO_COLOR", "1")
            .envs(env)
            .output()
            .expect("the binary runs")
    })
    .await
    .unwrap()
}

pub(crate) fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A clean reference server that accepts this bearer token.
async fn server_with_token(token: &str) -> refserver::RunningServer {
    server_with(
        Auth {
            token: Some(token.into()),
            basic: None,
        },
        &[],
    )
    .await
}

async fn server_with(auth: Auth, faults: &[Fault]) -> refserver::RunningServer {
    refserver::start(ServerConfig {
        port: 0,
        auth,
        faults: Faults::new(faults.iter().copied()),
        seed_users: 3,
        seed_groups: 1,
        patch_204: false,
        scim_version: refserver::ScimVersion::V2,
        oauth: None,
        entitlements: Some(3),
        ..ServerConfig::default()
    })
    .await
    .unwrap()
}

/// Asserts that no output of a run holds the secret.
fn assert_no_secret(secret: &str, out: &Output, dir: &Path) {
    let (stdout, stderr) = text(out);
    assert!(!stdout.contains(secret), "secret on stdout");
    assert!(!stderr.contains(secret), "secret on stderr");
    for entry in std::fs::read_dir(dir.join("scimcheck-results")).unwrap() {
        let path = entry.unwrap().path();
        let content = std::fs::read_to_string(&path).unwrap();
        assert!(!content.contains(secret), "secret in {}", path.display());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_passes_and_writes_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = scimcheck(&["demo"], &[], dir.path()).await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let count = |version| -> usize {
        harness::suite::builtin::select_suites(&[], &[], version)
            .unwrap()
            .iter()
            .map(|s| s.checks.len())
            .sum()
    };
    // Every check passed: those of the suites, with okta-entitlements' repeated for each of
    // the reference server's three entitlement endpoints (two checks each, one extension).
    let checks = count(harness::report::ScimVersion::V2) + 2 * 2;
    assert!(
        stdout.contains(&format!("PASSED: {checks} passed, 0 failed")),
        "{stdout}"
    );
    assert!(stdout.contains("HTTP requests"), "{stdout}");
    let junit = std::fs::read_to_string(dir.path().join("scimcheck-results/junit.xml")).unwrap();
    assert!(
        junit.contains("<testsuite name=\"okta-scim2-spec\" tests=\"12\""),
        "{junit}"
    );
    let results: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("scimcheck-results/results.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(results["format_version"], 1);
    assert_eq!(results["summary"]["passed"], checks);
    assert_eq!(results["scim_version"]["version"], "2.0");
    let checks_11 = count(harness::report::ScimVersion::V11);
    assert!(
        stdout.contains(&format!("PASSED: {checks_11} passed, 0 failed")),
        "{stdout}"
    );
    let results_11: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("scimcheck-results/scim-1.1/results.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(results_11["scim_version"]["version"], "1.1");
    assert_eq!(results["scim_version"]["version"], "2.0");
    // The profile suites, against a server in the interop profile's mode.
    // Every check passes but what is not checked yet and the load probe (not asked for),
    // skipped with their reasons.
    let profiles: usize = harness::suite::builtin::builtin_suites()
        .unwrap()
        .iter()
        .filter(|s| s.profile.is_some())
        .flat_map(|s| &s.checks)
        .filter(|c| c.disabled.is_none() && c.load().is_none())
        .count();
    let results_profiles: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("scimcheck-results/profiles/results.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(results_profiles["summary"]["passed"], profiles, "{stdout}");
    assert_eq!(results_profiles["summary"]["failed"], 0);
    assert!(results["summary"]["requests"].as_u64().unwrap() < 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_canary_token_never_appears_in_any_output() {
    let canary = format!("canary-{}", uuid_like());
    let server = server_with(
        Auth {
            token: Some(canary.clone()),
            basic: None,
        },
        &[],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let out = scimcheck(
        &["run", "--base-url", server.base_url()],
        &[("SCIM_TOKEN", &canary)],
        dir.path(),
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_no_secret(&canary, &out, dir.path());
    server.stop().await;

    // A failing run prints more evidence: still no secret.
    let server = server_with(
        Auth {
            token: Some(canary.clone()),
            basic: None,
        },
        &[Fault::FilterIgnored],
    )
    .await;
    let out = scimcheck(
        &["run", "--base-url", server.base_url()],
        &[("SCIM_TOKEN", &canary)],
        dir.path(),
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));
    assert_no_secret(&canary, &out, dir.path());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_canary_basic_password_never_appears_in_any_output() {
    let password = format!("pw-{}", uuid_like());
    let server = server_with(
        Auth {
            token: None,
            basic: Some(("isvtest".into(), password.clone())),
        },
        &[],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let out = scimcheck(
        &["run", "--base-url", server.base_url(), "--auth", "basic"],
        &[("SCIM_USERNAME", "isvtest"), ("SCIM_PASSWORD", &password)],
        dir.path(),
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_no_secret(&password, &out, dir.path());
    let results =
        std::fs::read_to_string(dir.path().join("scimcheck-results/results.json")).unwrap();
    assert!(results.contains("Basic [REDACTED]"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_required_check_exits_one() {
    let server = server_with(
        Auth {
            token: Some("a-long-enough-token".into()),
            basic: None,
        },
        &[Fault::AuthNotEnforced],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let out = scimcheck(
        &[
            "run",
            "--base-url",
            server.base_url(),
            "--suite",
            "okta-scim2-spec",
        ],
        &[("SCIM_TOKEN", "a-long-enough-token")],
        dir.path(),
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout.contains("FAILED: 11 passed, 1 failed"), "{stdout}");
    assert!(
        stderr.contains("FAIL          Check status 401"),
        "{stderr}"
    );
    assert!(stderr.contains("status: expected 401, got 200"), "{stderr}");
    server.stop().await;
}

/// Arguments, environment, and the message expected on stderr.
type BadInput<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_exits_two_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: Vec<BadInput> = vec![
        (
            vec!["run", "--base-url", "http://127.0.0.1:9"],
            vec![],
            "SCIM_TOKEN is not set",
        ),
        (
            vec!["run", "--base-url", "ftp://example.com"],
            vec![("SCIM_TOKEN", "token-for-tests")],
            "must be http:// or https://",
        ),
        (
            vec!["run", "--base-url", "http://127.0.0.1:1/scim"],
            vec![("SCIM_TOKEN", "token-for-tests")],
            "cannot reach http://127.0.0.1:1/scim/ServiceProviderConfig",
        ),
        (
            vec!["run", "--base-url", "http://x", "--suite", "nope"],
            vec![("SCIM_TOKEN", "token-for-tests")],
            "no built-in suite \"nope\"",
        ),
        (
            vec!["run"],
            vec![("SCIM_TOKEN", "token-for-tests")],
            "no base URL",
        ),
        (
            vec!["run", "--auth", "basic", "--base-url", "http://x"],
            vec![],
            "SCIM_USERNAME is not set",
        ),
        (
            vec![
                "run",
                "--base-url",
                "http://127.0.0.1:1/scim",
                "--scim-version",
                "2.0",
            ],
            vec![("SCIM_TOKEN", "token-for-tests")],
            // The first request: the discovery of entitlement endpoints.
            "cannot reach http://127.0.0.1:1/scim/ResourceTypes",
        ),
        (
            vec!["run", "--base-url", "http://x", "--scim-version", "3.0"],
            vec![("SCIM_TOKEN", "token-for-tests")],
            "invalid value '3.0'",
        ),
    ];
    for (args, env, expected) in cases {
        let out = scimcheck(&args, &env, d).await;
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_files_are_named_with_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("scimcheck.toml"),
        "base_url = \"http://127.0.0.1:9\"\n\nsuits = [\"x\"]\n",
    )
    .unwrap();
    let out = scimcheck(&["run"], &[("SCIM_TOKEN", "token-for-tests")], d).await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("scimcheck.toml:3: unknown field `suits`"),
        "{stderr}"
    );

    std::fs::write(
        d.join("scimcheck.toml"),
        "base_url = \"http://127.0.0.1:9\"\ntoken = \"x\"\n",
    )
    .unwrap();
    let out = scimcheck(&["run"], &[("SCIM_TOKEN", "token-for-tests")], d).await;
    assert!(
        text(&out).1.contains("secrets never go in"),
        "{:?}",
        text(&out)
    );
    std::fs::remove_file(d.join("scimcheck.toml")).unwrap();

    std::fs::write(
        d.join("mine.toml"),
        "format = 1\nid = \"m\"\ntitle = \"M\"\nversion = \"1\"\nscim_version = \"2.0\"\nreference = \"r\"\n\n[[check]]\nid = \"a\"\ntitle = \"A\"\nlevel = \"required\"\nreference = \"r\"\nrequest = { method = \"GET\", path = \"/Users\" }\nexpect = [\n  { status = 200 },\n  { json = \"id\" },\n]\n",
    )
    .unwrap();
    let out = scimcheck(
        &[
            "run",
            "--base-url",
            "http://127.0.0.1:9",
            "--suite",
            "mine.toml",
        ],
        &[("SCIM_TOKEN", "token-for-tests")],
        d,
    )
    .await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains(
            "mine.toml:16: check[0].expect[1]: a json or header assertion needs exactly one of"
        ),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_prints_its_base_url_first() {
    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0", "--token", "t", "--seed-users", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        line.starts_with("http://127.0.0.1:") && line.trim_end().ends_with("/scim/v2"),
        "{line}"
    );
}

fn uuid_like() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn an_app_speaking_neither_version_exits_two_with_what_was_tried() {
    use wiremock::{Mock, MockServer, ResponseTemplate, matchers::any};
    let mock = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(404).set_body_raw("Not Found", "text/plain"))
        .mount(&mock)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let out = scimcheck(
        &["run", "--base-url", &mock.uri()],
        &[("SCIM_TOKEN", "token-for-tests")],
        dir.path(),
    )
    .await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("speaks neither SCIM 2.0 nor SCIM 1.1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("GET /ServiceProviderConfigs → 404 (not JSON: Not Found)"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_runscope_export_runs_from_the_command_line_and_converts() {
    let server = server_with(
        Auth {
            token: Some("runscope-token-42".into()),
            basic: None,
        },
        &[],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let export = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/runscope/tiny-spec.json");
    let export = export.to_str().unwrap();
    // The export's {{auth}} given as a secret variable: the whole Authorization value.
    let out = scimcheck(
        &[
            "run",
            "--runscope",
            export,
            "--base-url",
            server.base_url(),
            "--var-env",
            "auth=MY_AUTH",
        ],
        &[("MY_AUTH", "Bearer runscope-token-42")],
        dir.path(),
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stderr.contains(
            "the Runscope export \"Tiny SCIM 2.0 check (scimcheck fixture)\" is a SCIM 2.0 test"
        ),
        "{stderr}"
    );
    assert_no_secret("runscope-token-42", &out, dir.path());
    server.stop().await;

    let out = scimcheck(
        &[
            "run",
            "--runscope",
            export,
            "--base-url",
            "http://127.0.0.1:9",
            "--var-env",
            "auth=UNSET_VAR",
        ],
        &[],
        dir.path(),
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).1.contains("UNSET_VAR is not set"),
        "{:?}",
        text(&out)
    );

    let crud = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/runscope/tiny-crud.json");
    let out = scimcheck(
        &[
            "run",
            "--runscope",
            crud.to_str().unwrap(),
            "--base-url",
            "http://127.0.0.1:9",
        ],
        &[("SCIM_TOKEN", "token-for-tests")],
        dir.path(),
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out)
            .1
            .contains("needs --var oktaOrgUrl=… --var oktaToken=…"),
        "{:?}",
        text(&out)
    );

    let out = scimcheck(
        &[
            "import-runscope",
            crud.to_str().unwrap(),
            "--out",
            "crud.toml",
        ],
        &[],
        dir.path(),
    )
    .await;
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("inputs to give with --var (or --var-env): oktaOrgUrl, oktaToken"),
        "{stdout}"
    );
    assert!(
        stdout.contains("an empty variable row (variables[1]) is ignored"),
        "{stdout}"
    );
    let toml = std::fs::read_to_string(dir.path().join("crud.toml")).unwrap();
    harness::suite::load::parse_suite("crud.toml", &toml).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tls_failure_exits_two_naming_the_url() {
    // https:// against a plain-HTTP server: the TLS handshake fails.
    let server = server_with(
        Auth {
            token: Some("tls-test-token".into()),
            basic: None,
        },
        &[],
    )
    .await;
    let url = server.base_url().replace("http://", "https://");
    let dir = tempfile::tempdir().unwrap();
    let out = scimcheck(
        &["run", "--base-url", &url],
        &[("SCIM_TOKEN", "tls-test-token")],
        dir.path(),
    )
    .await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot reach {url}/ServiceProviderConfig")),
        "{stderr}"
    );
    server.stop().await;
}

/// Regression: a wrong token was reported as "the app speaks neither SCIM 2.0 nor SCIM 1.1",
/// and with a declared version as hundreds of failures with a hint about seeding users.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_credential_exits_two_with_one_clear_message_and_reports() {
    let server = server_with(
        Auth {
            token: Some("the-right-token-1234".into()),
            basic: None,
        },
        &[],
    )
    .await;
    for version in [None, Some("2.0"), Some("1.1")] {
        let dir = tempfile::tempdir().unwrap();
        let mut args = vec!["run", "--base-url", server.base_url()];
        if let Some(v) = version {
            args.extend(["--scim-version", v]);
        }
        let out = scimcheck(&args, &[("SCIM_TOKEN", "a-wrong-token-5678")], dir.path()).await;
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{version:?}: {stderr}");
        assert!(
            stderr.contains("the app refused the credential")
                && stderr.contains("answered 401")
                && stderr.contains("Bearer <SCIM_TOKEN> (--auth bearer)"),
            "{version:?}: {stderr}"
        );
        assert!(!stderr.contains("speaks neither"), "{stderr}");
        assert!(!stderr.contains("seed"), "{stderr}");
        assert!(stdout.starts_with("ERROR"), "{stdout}");
        let junit = std::fs::read_to_string(dir.path().join("scimcheck-results/junit.xml"))
            .expect("junit.xml is written for a run that could not judge");
        assert!(junit.contains("type=\"credential-refused\""), "{junit}");
        let json =
            std::fs::read_to_string(dir.path().join("scimcheck-results/results.json")).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(doc["aborted"]["cause"], "credential-refused");
        assert_no_secret("a-wrong-token-5678", &out, dir.path());
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_with_bearer_or_a_newline_is_trimmed_and_the_report_says_so() {
    let server = server_with(
        Auth {
            token: Some("the-right-token-1234".into()),
            basic: None,
        },
        &[],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let out = scimcheck(
        &[
            "run",
            "--base-url",
            server.base_url(),
            "--suite",
            "okta-scim2-spec",
        ],
        &[("SCIM_TOKEN", "Bearer the-right-token-1234\n")],
        dir.path(),
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("note: SCIM_TOKEN had white space"),
        "{stdout}"
    );
    assert!(
        stdout.contains("note: SCIM_TOKEN started with 'Bearer '"),
        "{stdout}"
    );
    let json = std::fs::read_to_string(dir.path().join("scimcheck-results/results.json")).unwrap();
    assert!(json.contains("\"notices\""));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn verbosity_quiet_and_colour_are_chosen_by_flags() {
    let server = server_with(
        Auth {
            token: Some("verbosity-token-1234".into()),
            basic: None,
        },
        &[Fault::FilterIgnored],
    )
    .await;
    let env = [("SCIM_TOKEN", "verbosity-token-1234")];
    let run = |extra: &'static [&'static str]| {
        let mut args = vec![
            "run",
            "--base-url",
            server.base_url(),
            "--suite",
            "okta-scim2-spec",
        ];
        args.extend_from_slice(extra);
        args
    };
    let dir = tempfile::tempdir().unwrap();
    let verbose = scimcheck(&run(&["-vv"]), &env, dir.path()).await;
    let (_, stderr) = text(&verbose);
    assert!(stderr.contains("        > GET "), "{stderr}");
    assert!(stderr.contains("        < 200 ("), "{stderr}");
    assert!(
        stderr.contains("\"Resources\""),
        "-vv shows bodies: {stderr}"
    );
    assert!(!stderr.contains("verbosity-token-1234"));
    let quiet = scimcheck(&run(&["-q"]), &env, dir.path()).await;
    let (stdout, stderr) = text(&quiet);
    assert!(!stderr.contains("PASS"), "{stderr}");
    assert!(
        stdout.starts_with("Root causes") || stdout.starts_with("FAILED"),
        "{stdout}"
    );
    let coloured = scimcheck(&run(&["--color", "always"]), &env, dir.path()).await;
    assert!(
        text(&coloured).0.contains("\u{1b}[31mFAILED"),
        "{}",
        text(&coloured).0
    );
    let plain = scimcheck(&run(&["--color", "never"]), &env, dir.path()).await;
    assert!(!text(&plain).1.contains('\u{1b}'));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn only_skip_and_rerun_failed_select_checks_with_their_dependencies() {
    let server = server_with(
        Auth {
            token: Some("select-token-1234".into()),
            basic: None,
        },
        &[Fault::PutNotApplied],
    )
    .await;
    let env = [("SCIM_TOKEN", "select-token-1234")];
    let dir = tempfile::tempdir().unwrap();
    let base = ["run", "--base-url", server.base_url(), "--suite", "rfc7644"];
    let checks = |dir: &Path| -> Vec<(String, String)> {
        let doc: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("scimcheck-results/results.json")).unwrap(),
        )
        .unwrap();
        doc["suites"][0]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["id"].as_str().unwrap().to_string(),
                    c["outcome"]["status"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let all = scimcheck(&base, &env, dir.path()).await;
    assert_eq!(all.status.code(), Some(1));
    let failed: Vec<String> = checks(dir.path())
        .into_iter()
        .filter(|(_, s)| s == "fail")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(failed, ["put-verify"]);
    // The failed check again, with what it stands on, and the note that results are replaced.
    let again = scimcheck(&[&base[..], &["--rerun-failed"]].concat(), &env, dir.path()).await;
    let (_, stderr) = text(&again);
    assert_eq!(again.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("note: replacing the results of run"),
        "{stderr}"
    );
    let ids: Vec<String> = checks(dir.path()).into_iter().map(|(id, _)| id).collect();
    assert_eq!(
        ids,
        [
            "create-user-a",
            "get-before-put",
            "put-replace",
            "put-verify"
        ]
    );
    // Skipping the write the check reads back blocks it: nothing is judged on a missing setup.
    let skipped = scimcheck(
        &[
            &base[..],
            &["--only", "put-verify", "--skip", "put-replace"],
        ]
        .concat(),
        &env,
        dir.path(),
    )
    .await;
    assert_eq!(skipped.status.code(), Some(0), "{}", text(&skipped).1);
    assert_eq!(
        checks(dir.path()),
        [
            ("create-user-a".to_string(), "pass".to_string()),
            ("put-verify".to_string(), "blocked".to_string())
        ]
    );
    let nothing = scimcheck(
        &[&base[..], &["--only", "no-such-*"]].concat(),
        &env,
        dir.path(),
    )
    .await;
    assert_eq!(nothing.status.code(), Some(2));
    assert!(
        text(&nothing)
            .1
            .contains("--only \"no-such-*\" matches no check")
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn github_actions_json_output_and_a_baseline() {
    let token = "ci-token-123456789";
    let auth = || Auth {
        token: Some(token.into()),
        basic: None,
    };
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let put_broken = server_with(auth(), &[Fault::PutNotApplied]).await;
    let args = |base: &str| {
        ["run", "--base-url", base, "--suite", "rfc7644"]
            .map(str::to_string)
            .to_vec()
    };
    let argv = args(put_broken.base_url());
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let summary_path = summary.display().to_string();
    let env = [
        ("SCIM_TOKEN", token),
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_STEP_SUMMARY", summary_path.as_str()),
    ];
    let first = scimcheck(&[&argv[..], &["--out", "base"]].concat(), &env, dir.path()).await;
    let (stdout, _) = text(&first);
    assert_eq!(first.status.code(), Some(1), "{}", text(&first).1);
    // One annotation per root cause, naming the checks it explains.
    assert!(
        stdout.contains("::error title=root cause%3A put-not-applied::"),
        "{stdout}"
    );
    assert!(stdout.contains("rfc7644/put-verify"), "{stdout}");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("## scimcheck: ❌ FAILED"), "{md}");
    assert!(md.contains("| `rfc7644/put-verify`"), "{md}");
    assert!(md.contains("### Root causes"), "{md}");
    // The same failure against that baseline is known, not a regression: exit 0.
    let known = scimcheck(
        &[
            &argv[..],
            &["--baseline", "base/results.json", "--out", "again"],
        ]
        .concat(),
        &[("SCIM_TOKEN", token)],
        dir.path(),
    )
    .await;
    let (_, stderr) = text(&known);
    assert_eq!(known.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "baseline: 0 regressions; 1 failures known from the baseline (rfc7644/put-verify)"
        ),
        "{stderr}"
    );
    put_broken.stop().await;
    // A check that passed in the baseline and fails now is a regression: exit 1. stdout is
    // results.json for scripts.
    let patch_broken = server_with(auth(), &[Fault::PatchNotApplied]).await;
    let argv2 = args(patch_broken.base_url());
    let argv2: Vec<&str> = argv2.iter().map(String::as_str).collect();
    let regressed = scimcheck(
        &[
            &argv2[..],
            &[
                "--baseline",
                "base/results.json",
                "--out",
                "third",
                "--format",
                "json",
            ],
        ]
        .concat(),
        &[("SCIM_TOKEN", token)],
        dir.path(),
    )
    .await;
    let (stdout, stderr) = text(&regressed);
    assert_eq!(regressed.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("rfc7644/patch-remove-verify"), "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).expect("stdout is results.json");
    assert_eq!(doc["format_version"], 1);
    patch_broken.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn completions_and_the_man_page_come_from_the_clap_definitions() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let out = scimcheck(&["completions", shell], &[], dir.path()).await;
        let (stdout, _) = text(&out);
        assert_eq!(out.status.code(), Some(0));
        assert!(
            stdout.contains("rerun-failed"),
            "{shell}: the run flags are there"
        );
    }
    let man = scimcheck(&["man"], &[], dir.path()).await;
    let (stdout, _) = text(&man);
    assert!(stdout.contains(".TH scimcheck 1"), "{stdout}");
    assert!(stdout.contains("verify"), "the subcommands are listed");
}

/// Issue 29.5: `--token` is answered with where credentials come from (clap alone suggests
/// `--token-url`, which sends a bearer-token user to OAuth), and the token is not echoed back
/// beyond clap's own error line.
#[tokio::test(flavor = "multi_thread")]
async fn a_credential_flag_says_where_credentials_come_from() {
    let dir = tempfile::tempdir().unwrap();
    let out = scimcheck(&["run", "--token", "abc"], &[], dir.path()).await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("set SCIM_TOKEN for a bearer token"),
        "{stderr}"
    );
    let out = scimcheck(&["run", "--no-such-flag"], &[], dir.path()).await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !stderr.contains("SCIM_TOKEN"),
        "only for credential flags: {stderr}"
    );
}

/// Issue 29.5: a base URL without its SCIM prefix answers 404 to every probe; the error says
/// which usual prefix answers instead, as the fix.
#[tokio::test(flavor = "multi_thread")]
async fn a_base_url_without_its_prefix_is_told_the_one_that_answers() {
    let token = "prefix-test-token";
    let server = server_with_token(token).await;
    let root = server.base_url().trim_end_matches("/scim/v2").to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = scimcheck(
        &["run", "--base-url", &root],
        &[("SCIM_TOKEN", token)],
        dir.path(),
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    let fix = format!("run with --base-url {root}/scim/v2");
    assert!(stderr.contains(&fix), "{stderr}");
    server.stop().await;
}

/// Issue 29.5: a suite of the other SCIM version than the app was seen to speak is refused
/// before any check runs, naming the evidence and both ways on (not 16 failures with the wrong
/// causes); declaring the version runs it anyway.
#[tokio::test(flavor = "multi_thread")]
async fn a_suite_of_the_other_version_is_refused_before_it_runs() {
    let token = "version-test-token";
    let server = server_with_token(token).await;
    let dir = tempfile::tempdir().unwrap();
    let base = server.base_url().to_string();
    let run = |extra: &'static [&'static str]| {
        let mut args = vec![
            "run",
            "--base-url",
            base.as_str(),
            "--suite",
            "okta-scim11-spec",
        ];
        args.extend_from_slice(extra);
        args.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let argv = run(&[]);
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let out = scimcheck(&argv, &[("SCIM_TOKEN", token)], dir.path()).await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(
        stderr.contains(
            "suite okta-scim11-spec is a SCIM 1.1 suite, but the app answers as SCIM 2.0"
        ),
        "{stderr}"
    );
    assert!(!stdout.contains("FAIL"), "no check ran: {stdout}");
    let argv = run(&["--scim-version", "1.1"]);
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let out = scimcheck(&argv, &[("SCIM_TOKEN", token)], dir.path()).await;
    let (stdout, stderr) = text(&out);
    // Declared against what the app shows: said before any check, with the way out.
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("--scim-version 1.1: the app answers as SCIM 2.0")
            && stderr.contains("leave out --scim-version"),
        "{stderr}"
    );
    assert!(!stdout.contains("FAIL"), "no check ran: {stdout}");
    server.stop().await;
}

/// Issue 29.7: colours follow the common conventions when stdout is not a terminal:
/// CLICOLOR_FORCE turns them on, NO_COLOR (not empty) wins over it.
#[tokio::test(flavor = "multi_thread")]
async fn colours_follow_clicolor_force_and_no_color() {
    let token = "colour-test-token";
    let server = server_with_token(token).await;
    let dir = tempfile::tempdir().unwrap();
    let base = server.base_url().to_string();
    let argv = [
        "run",
        "--base-url",
        base.as_str(),
        "--suite",
        "okta-scim2-spec",
    ];
    for (env, coloured) in [
        ([("CLICOLOR_FORCE", "1"), ("NO_COLOR", "")], true),
        ([("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], false),
        ([("CLICOLOR_FORCE", "0"), ("NO_COLOR", "")], false),
    ] {
        let mut all = vec![("SCIM_TOKEN", token)];
        all.extend(env);
        let out = scimcheck(&argv, &all, dir.path()).await;
        let (stdout, _) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{stdout}");
        assert_eq!(stdout.contains("\x1b["), coloured, "{env:?}: {stdout}");
    }
    server.stop().await;
}
