//! The OIN QA engineer's reproduction: `rerun BUNDLE` against the same app gives "same" for
//! every check; against the app with a fault, exactly the checks that fault breaks (the fault
//! table's row) are "regressed"; `diff` compares two results folders the same way.

use std::path::Path;

use refserver::Fault;

use crate::cli::{scimcheck, text};
use crate::support::{TOKEN, server};

const SUITES: [&str; 3] = ["okta-scim2-spec", "okta-scim2-crud", "rfc7644"];

/// The sample submission with the results in `d/results`, packaged as a DRAFT `d/b.tar.gz`.
async fn draft_bundle(d: &Path) {
    draft_bundle_of(d, |sample| sample.to_string()).await
}

/// The same with the sample submission's text changed first.
async fn draft_bundle_of(d: &Path, submission: impl Fn(&str) -> String) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for f in ["logo.png", "config-guide.html"] {
        std::fs::copy(fixtures.join(f), d.join(f)).unwrap();
    }
    let sample = std::fs::read_to_string(fixtures.join("submission.toml")).unwrap();
    std::fs::write(d.join("submission.toml"), submission(&sample)).unwrap();
    let package = [
        "package",
        "--submission",
        "submission.toml",
        "--results",
        "results",
        "--draft",
        "--out",
        "b.tar.gz",
    ];
    let out = scimcheck(&package, &[], d).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).0);
}

fn changes(dir: &Path, change: &str) -> Vec<String> {
    let d: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("diff.json")).unwrap()).unwrap();
    d["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["change"] == change)
        .map(|c| c["key"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rerun_reproduces_a_bundle_and_names_exactly_what_regressed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let clean = server(&[], 5).await;
    let env = [("SCIM_TOKEN", TOKEN)];
    let mut run = vec![
        "run",
        "--base-url",
        clean.base_url(),
        "--out",
        "results",
        "--page-size",
        "7",
    ];
    for s in SUITES {
        run.extend(["--suite", s]);
    }
    let out = scimcheck(&run, &env, d).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    draft_bundle(d).await;

    // Without --base-url, off a terminal: the bundle does not choose where the token goes.
    let served = clean.requests_served();
    let out = scimcheck(&["rerun", "b.tar.gz", "--out", "same"], &env, d).await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("a credential goes only to a host you name"),
        "{stderr}"
    );
    assert_eq!(clean.requests_served(), served, "nothing was sent");

    // The same app, named: every check the same.
    let out = scimcheck(
        &[
            "rerun",
            "b.tar.gz",
            "--base-url",
            clean.base_url(),
            "--out",
            "same",
        ],
        &env,
        d,
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stderr.contains("rerunning run "), "{stderr}");
    let same = changes(&d.join("same"), "same");
    let all: usize = serde_json::from_slice::<serde_json::Value>(
        &std::fs::read(d.join("same/diff.json")).unwrap(),
    )
    .unwrap()["checks"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(same.len(), all, "{stdout}");
    // The bundle's options were reused.
    let rerun: serde_json::Value = crate::support::results_json(&d.join("same"));
    assert_eq!(rerun["settings"]["page_size"], 7);

    // The app with a fault, named with --base-url: exactly the fault table's checks regress.
    let faulty = server(&[Fault::PutNotApplied], 5).await;
    let out = scimcheck(
        &[
            "rerun",
            "b.tar.gz",
            "--base-url",
            faulty.base_url(),
            "--out",
            "faulty",
        ],
        &env,
        d,
    )
    .await;
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert_eq!(
        changes(&d.join("faulty"), "regressed"),
        ["okta-scim2-crud/verify-update", "rfc7644/put-verify"],
        "{stdout}"
    );
    assert!(stdout.contains("2 regressed"), "{stdout}");
    // The rerun's report shows the comparison, not only a fresh run.
    let html = std::fs::read_to_string(d.join("faulty/report.html")).unwrap();
    assert!(
        html.contains("<h2>Compared with the bundle&apos;s run")
            || html.contains("<h2>Compared with the bundle's run"),
        "{html}"
    );
    assert!(
        html.contains("<td class=\"fail\">regressed</td><td><code>rfc7644/put-verify</code>"),
        "a row per changed check"
    );

    // Okta's QA plan judged by the faulty run: the update cases fail.
    let out = scimcheck(
        &["plan", "--results", "faulty", "--features", "update-users"],
        &[],
        d,
    )
    .await;
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("fail     okta-scim2-crud/verify-update"),
        "{stdout}"
    );
    // C9291, C9310, and C9345 (partly automated) read the update back; C9337's removal
    // read-back is partial, since the PUT before it did not show displayName stored.
    assert!(stdout.contains("4 failing"), "{stdout}");

    // diff: the same comparison between two results folders.
    let out = scimcheck(&["diff", "results", "faulty", "--out", "d.json"], &[], d).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out)
            .0
            .contains("regressed        okta-scim2-crud/verify-update (pass → fail)"),
        "{}",
        text(&out).0
    );
    let out = scimcheck(&["diff", "faulty", "results"], &[], d).await;
    assert_eq!(out.status.code(), Some(0), "fixed is not a regression");
    assert!(text(&out).0.contains("2 fixed"), "{}", text(&out).0);
    clean.stop().await;
    faulty.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bundle_of_a_newer_suite_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let clean = server(&[], 3).await;
    let env = [("SCIM_TOKEN", TOKEN)];
    let out = scimcheck(
        &[
            "run",
            "--base-url",
            clean.base_url(),
            "--out",
            "results",
            "--suite",
            "okta-scim2-spec",
        ],
        &env,
        d,
    )
    .await;
    assert_eq!(out.status.code(), Some(0));
    // A results.json from a future scimcheck, whose suite is newer.
    let path = d.join("results/results.json");
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    json["suites"][0]["version"] = "2999-01-01".into();
    std::fs::write(&path, serde_json::to_vec(&json).unwrap()).unwrap();
    let mut report: harness::report::RunReport = serde_json::from_value(json).unwrap();
    report.suites[0].version = "2999-01-01".into();
    let mut junit = Vec::new();
    harness::reporters::junit::write(&report, &mut junit).unwrap();
    std::fs::write(d.join("results/junit.xml"), junit).unwrap();
    draft_bundle(d).await;
    let out = scimcheck(
        &["rerun", "b.tar.gz", "--base-url", clean.base_url()],
        &env,
        d,
    )
    .await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("version 2999-01-01, newer than this scimcheck's"),
        "{stderr}"
    );
    clean.stop().await;
}

/// A token endpoint that answers every request with the reference server's token, counting
/// what it receives.
async fn token_endpoint() -> wiremock::MockServer {
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let mock = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600
        })))
        .mount(&mock)
        .await;
    mock
}

/// Issue 25.2: a bundle is anyone's file. Its token URL (chosen by whoever packaged it) gets
/// no client secret when the QA engineer names only the app; `--token-url` says where it goes;
/// a doctored bundle whose sums were recomputed is INVALID and not rerun; nothing goes over
/// plain http off this machine; the bundle's strings reach the terminal escaped.
#[tokio::test(flavor = "multi_thread")]
async fn a_bundle_never_chooses_where_a_credential_goes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let app = server(&[], 3).await;
    let good = token_endpoint().await;
    let hostile = token_endpoint().await;
    let secret = [("SCIM_CLIENT_SECRET", "client-secret-for-rerun-77")];
    let good_url = format!("{}/token", good.uri());
    let out = scimcheck(
        &[
            "run",
            "--base-url",
            app.base_url(),
            "--auth",
            "oauth2",
            "--token-url",
            &good_url,
            "--client-id",
            "qa-client",
            "--suite",
            "okta-scim2-spec",
            "--out",
            "results",
        ],
        &secret,
        d,
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    // The bundle's author chooses its run id: escape sequences in it (issue 25.7).
    let path = d.join("results/results.json");
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    json["run_id"] = "run\u{1b}]0;pwned\u{7}\u{1b}[2J".into();
    std::fs::write(&path, serde_json::to_vec(&json).unwrap()).unwrap();
    let report: harness::report::RunReport = serde_json::from_value(json).unwrap();
    let mut junit = Vec::new();
    harness::reporters::junit::write(&report, &mut junit).unwrap();
    std::fs::write(d.join("results/junit.xml"), junit).unwrap();
    // The submission (the packager's input) names the hostile token endpoint.
    let token_url = format!("{}/token", hostile.uri());
    draft_bundle_of(d, |sample| {
        format!(
            "{}\n[scim.oauth]\ntoken_url = \"{token_url}\"\nclient_id = \"qa-client\"\nclient_secret_env = \"SCIM_CLIENT_SECRET\"\n",
            sample.replace("auth = \"bearer\"", "auth = \"oauth2\"")
        )
    })
    .await;

    // Only the app named: the bundle's token endpoint is another host, so refused.
    let out = scimcheck(
        &["rerun", "b.tar.gz", "--base-url", app.base_url()],
        &secret,
        d,
    )
    .await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("the token endpoint is at"), "{stderr}");
    assert!(stderr.contains("--token-url"), "{stderr}");
    // The token endpoint named: the run goes there, never to the bundle's.
    let out = scimcheck(
        &[
            "rerun",
            "b.tar.gz",
            "--base-url",
            app.base_url(),
            "--token-url",
            &good_url,
            "--out",
            "again",
        ],
        &secret,
        d,
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("rerunning run run\\u{1b}"), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}') && !stdout.contains('\u{1b}'),
        "{stderr:?}"
    );
    assert!(
        hostile.received_requests().await.unwrap().is_empty(),
        "the bundle's token URL got a request"
    );
    assert!(!good.received_requests().await.unwrap().is_empty());

    // Plain http to a host off this machine: refused before anything is sent.
    let out = scimcheck(
        &[
            "rerun",
            "b.tar.gz",
            "--base-url",
            "http://scim.example.com/scim/v2",
            "--token-url",
            &good_url,
        ],
        &secret,
        d,
    )
    .await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("in clear"), "{stderr}");

    // Doctored: results.json points the rerun elsewhere and carries escape sequences, the
    // sums recomputed. verify calls it INVALID, and so does rerun.
    let mut files =
        packager::bundle::read_tar_gz(&std::fs::read(d.join("b.tar.gz")).unwrap()).unwrap();
    let mut results: serde_json::Value =
        serde_json::from_slice(&files["results/results.json"]).unwrap();
    results["run_id"] = "\u{1b}]0;pwned\u{7}\u{1b}[2J".into();
    files.insert(
        "results/results.json".into(),
        serde_json::to_vec(&results).unwrap(),
    );
    std::fs::write(
        d.join("doctored.tar.gz"),
        crate::packager::reforge(&mut files),
    )
    .unwrap();
    let out = scimcheck(
        &[
            "rerun",
            "doctored.tar.gz",
            "--base-url",
            app.base_url(),
            "--token-url",
            &good_url,
        ],
        &secret,
        d,
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("INVALID"), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}') && !stdout.contains('\u{1b}'),
        "{stderr:?}"
    );
    assert!(hostile.received_requests().await.unwrap().is_empty());
    app.stop().await;
}

/// Issue 28.4: `rerun` makes the run again from the bundle's settings record (typed, not
/// command-line words): a run made with every option reruns with the same settings, the
/// entitlement endpoint and the selection included; `--keep` is never taken from a bundle.
#[tokio::test(flavor = "multi_thread")]
async fn a_rerun_resolves_every_recorded_setting() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let app = server(&[], 3).await;
    let env = [("SCIM_TOKEN", TOKEN)];
    let run = [
        "run",
        "--base-url",
        app.base_url(),
        "--out",
        "results",
        "--suite",
        "okta-scim2-spec",
        "--suite",
        "okta-entitlements",
        "--page-size",
        "7",
        "--email-domain",
        "example.org",
        "--strict",
        "--concurrency",
        "2",
        "--import-concurrency",
        "3",
        "--rate",
        "400",
        "--entitlement-endpoint",
        "/Licenses",
        "--skip",
        "okta-scim2-spec/get-user-by-id",
        "--max-import-resources",
        "5000",
        "--max-duration",
        "1200",
        "--connect-timeout",
        "5",
        "--timeout",
        "20",
        "--max-body-bytes",
        "2000000",
    ];
    let out = scimcheck(&run, &env, d).await;
    let (_, stderr) = text(&out);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{stderr}");
    draft_bundle(d).await;
    // The bundle rerun into `out` with these extra options: it ran (passed or failed).
    let rerun_into = |out: &'static str, extra: &'static [&'static str]| {
        let base = app.base_url().to_string();
        async move {
            let mut args = vec!["rerun", "b.tar.gz", "--base-url", &base, "--out", out];
            args.extend_from_slice(extra);
            let ran = scimcheck(&args, &env, d).await;
            let (stdout, stderr) = text(&ran);
            assert!(
                matches!(ran.status.code(), Some(0 | 1)),
                "{stdout}\n{stderr}"
            );
        }
    };
    rerun_into("again", &[]).await;
    let settings = |dir: &str| crate::support::results_json(&d.join(dir))["settings"].clone();
    let (before, after) = (settings("results"), settings("again"));
    assert_eq!(before, after);
    assert_eq!(before["record"], 2);
    assert_eq!(
        before["entitlement_endpoints"],
        serde_json::json!(["/Licenses"])
    );
    assert_eq!(
        before["skip"],
        serde_json::json!(["okta-scim2-spec/get-user-by-id"])
    );
    assert_eq!(before["timeout_secs"], 20);

    // Issue 29.4: the network options are this machine's, given to rerun as to run.
    rerun_into("net", &["--proxy", "none", "--insecure"]).await;
    let rerun = crate::support::results_json(&d.join("net"));
    assert_eq!(rerun["target"]["insecure"], true);
    assert_eq!(rerun["settings"], before);
    app.stop().await;
}
