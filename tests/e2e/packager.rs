//! The packager through the binary: a review-ready bundle (deterministic, verifiable, without
//! secrets), and each way a submission or its results can be refused.

use std::path::Path;
use std::process::{Command, Output};

use harness::run::events::NoEvents;
use harness::run::{RunOptions, run};

use crate::support::{client, server, suite};

const BIN: &str = env!("CARGO_BIN_EXE_scimcheck");
const SAMPLE_URL: &str = "https://scim.acme-directory.example/scim/v2";

/// Runs the suites the sample's features need against the reference server and writes the
/// results into `dir`. `https` rewrites the recorded base URL to the sample's, standing in for
/// an app deployed on HTTPS (the reference server is plain HTTP on loopback).
async fn results(dir: &Path, suites: &[&str], https: bool) {
    results_with(dir, suites, https, |_| {}).await
}

/// The same, with the report changed before it is written (both files agree).
async fn results_with(
    dir: &Path,
    suites: &[&str],
    https: bool,
    change: impl FnOnce(&mut harness::report::RunReport),
) {
    let server = server(&[], 3).await;
    let options = RunOptions {
        scim_version: Some(harness::report::VersionChoice::declared(
            harness::report::ScimVersion::V2,
        )),
        ..RunOptions::default()
    };
    let suites: Vec<_> = suites.iter().map(|id| suite(id)).collect();
    let mut report = run(
        &client(server.base_url()),
        &suites,
        &options,
        &mut NoEvents,
        std::future::pending(),
    )
    .await;
    server.stop().await;
    // The packager is tested on passing results: anything else is a broken precondition.
    let not_passed: Vec<String> = report
        .suites
        .iter()
        .flat_map(|s| s.checks.iter())
        .filter(|c| matches!(c.outcome.label(), "fail" | "error" | "blocked"))
        .map(|c| format!("{}: {}", c.id, c.outcome.explanation()))
        .collect();
    assert!(not_passed.is_empty(), "{not_passed:#?}");
    if https {
        report.target.base_url = SAMPLE_URL.into();
    }
    change(&mut report);
    std::fs::create_dir_all(dir).unwrap();
    let mut junit = Vec::new();
    harness::reporters::junit::write(&report, &mut junit).unwrap();
    std::fs::write(dir.join("junit.xml"), junit).unwrap();
    let mut json = Vec::new();
    harness::reporters::json::write(&report, &mut json).unwrap();
    std::fs::write(dir.join("results.json"), json).unwrap();
}

const ALL: &[&str] = &[
    "okta-scim2-spec",
    "okta-scim2-crud",
    "okta-scim2-groups",
    "profile-sourcing",
];

fn sample_into(dir: &Path) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for f in ["submission.toml", "logo.png", "config-guide.html"] {
        std::fs::copy(fixtures.join(f), dir.join(f)).unwrap();
    }
}

fn scimcheck(args: &[&str], dir: &Path, password: Option<&str>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(dir)
        .env_remove("SCIMCHECK_SAMPLE_PASSWORD")
        .env("NO_COLOR", "1");
    if let Some(p) = password {
        cmd.env("SCIMCHECK_SAMPLE_PASSWORD", p);
    }
    cmd.output().unwrap()
}

fn stdout(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const PACKAGE: &[&str] = &[
    "package",
    "--submission",
    "submission.toml",
    "--results",
    "results",
    "--submission-date",
    "2026-11-23",
];

#[tokio::test(flavor = "multi_thread")]
async fn a_ready_submission_gives_a_deterministic_bundle_that_verifies_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample_into(d);
    results(&d.join("results"), ALL, true).await;
    let canary = "canary-pw-5f1e2d";
    let first = scimcheck(&[PACKAGE, &["--out", "a.tar.gz"]].concat(), d, Some(canary));
    assert_eq!(first.status.code(), Some(0), "{}", stdout(&first));
    assert!(
        stdout(&first).contains("Completeness: 100%"),
        "{}",
        stdout(&first)
    );
    assert!(
        stdout(&first).contains("wrote review-ready bundle a.tar.gz"),
        "{}",
        stdout(&first)
    );
    // The sample declares create/update/deactivate, import and group push: Okta's QA plan
    // for those, judged by the run.
    assert!(
        stdout(&first).contains("applicable cases automated")
            && stdout(&first).contains("all passing"),
        "{}",
        stdout(&first)
    );
    let second = scimcheck(&[PACKAGE, &["--out", "b.tar.gz"]].concat(), d, Some(canary));
    assert_eq!(second.status.code(), Some(0));
    let (a, b) = (
        std::fs::read(d.join("a.tar.gz")).unwrap(),
        std::fs::read(d.join("b.tar.gz")).unwrap(),
    );
    assert_eq!(a, b, "two builds of the same inputs differ");

    let files = packager::bundle::read_tar_gz(&a).unwrap();
    let plan: serde_json::Value = serde_json::from_slice(&files["qa-plan.json"]).unwrap();
    let c9290 = plan["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "C9290")
        .unwrap();
    assert_eq!(c9290["status"], "automated");
    assert_eq!(c9290["passing"], true);
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "SHA256SUMS",
            "config-guide.html",
            "inputs/submission.toml",
            "logo.png",
            "manifest.json",
            "qa-plan.json",
            "report.html",
            "results/junit.xml",
            "results/results.json",
            "submission.json"
        ]
    );
    for (name, data) in &files {
        assert!(
            !String::from_utf8_lossy(data).contains(canary),
            "the password reached {name}"
        );
    }
    assert!(!stdout(&first).contains(canary));
    let manifest: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    assert_eq!(manifest["kind"], "new");
    assert_eq!(manifest["timeline"]["published"], "2026-12-08");
    assert_eq!(
        manifest["required_suites"],
        serde_json::json!([
            "okta-scim2-spec",
            "okta-scim2-crud",
            "okta-scim2-groups",
            "profile-sourcing"
        ])
    );

    let verified = scimcheck(&["verify", "a.tar.gz"], d, None);
    assert_eq!(verified.status.code(), Some(0), "{}", stdout(&verified));
    assert!(
        stdout(&verified).contains("REVIEW-READY: intact"),
        "{}",
        stdout(&verified)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tampered_bundle_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample_into(d);
    results(&d.join("results"), ALL, true).await;
    assert_eq!(
        scimcheck(&[PACKAGE, &["--out", "ok.tar.gz"]].concat(), d, Some("x"))
            .status
            .code(),
        Some(0)
    );
    let mut files =
        packager::bundle::read_tar_gz(&std::fs::read(d.join("ok.tar.gz")).unwrap()).unwrap();
    files
        .get_mut("results/results.json")
        .unwrap()
        .extend_from_slice(b" ");
    // Rebuild the archive keeping the original SHA256SUMS, as someone editing it would.
    let mut raw = tar::Builder::new(Vec::new());
    for (name, data) in &files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        raw.append_data(&mut h, name, data.as_slice()).unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &raw.into_inner().unwrap()).unwrap();
    std::fs::write(d.join("bad.tar.gz"), gz.finish().unwrap()).unwrap();
    let out = scimcheck(&["verify", "bad.tar.gz"], d, None);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stdout(&out).contains("INVALID"), "{}", stdout(&out));
    assert!(
        stdout(&out)
            .contains("results/results.json: its SHA-256 does not match SHA256SUMS (tampered)"),
        "{}",
        stdout(&out)
    );

    std::fs::write(d.join("garbage.tar.gz"), b"not an archive").unwrap();
    let out = scimcheck(&["verify", "garbage.tar.gz"], d, None);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("garbage.tar.gz: "),
        "{}",
        stdout(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn results_that_do_not_support_the_submission_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample_into(d);
    // Plain loopback results (another base URL), and only the SPEC suite.
    results(&d.join("results"), &["okta-scim2-spec"], false).await;
    let out = scimcheck(PACKAGE, d, Some("x"));
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(
            "the submission declares scim.base_url https://scim.acme-directory.example/scim/v2"
        ),
        "{text}"
    );
    // Every missing suite at once, and one command that produces all the needed results
    // (a hint per suite sent users round in circles: one run replaces the last).
    assert!(
        text.contains(
            "suites okta-scim2-crud, okta-scim2-groups, profile-sourcing are missing from the results"
        ),
        "{text}"
    );
    assert!(
        text.contains("scimcheck run --suite okta-scim2-spec --suite okta-scim2-crud --suite okta-scim2-groups --suite profile-sourcing"),
        "{text}"
    );
    assert!(
        text.contains("not review-ready: no bundle written"),
        "{text}"
    );
    assert!(!d.join("oin-submission.tar.gz").exists());

    // --draft writes a bundle marked DRAFT, which verifies as an intact draft.
    let out = scimcheck(&[PACKAGE, &["--draft"]].concat(), d, None);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("wrote DRAFT bundle"),
        "{}",
        stdout(&out)
    );
    let out = scimcheck(&["verify", "oin-submission.tar.gz"], d, None);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("DRAFT: intact, but not review-ready"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains(
            "okta-scim2-crud, okta-scim2-groups, profile-sourcing are missing from the results"
        ),
        "{}",
        stdout(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn old_results_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample_into(d);
    results(&d.join("results"), ALL, true).await;
    let path = d.join("results/results.json");
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    json["started_at"] = "2026-01-01T00:00:00Z".into();
    std::fs::write(&path, serde_json::to_vec(&json).unwrap()).unwrap();
    let out = scimcheck(PACKAGE, d, Some("x"));
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("days old (run 2026-01-01); the limit is 30 days"),
        "{}",
        stdout(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unreadable_inputs_exit_two_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample_into(d);
    results(&d.join("results"), ALL, true).await;
    std::fs::write(
        d.join("bad.toml"),
        "form = \"oin-wizard\"\n[app]\nname = \n",
    )
    .unwrap();
    let out = scimcheck(
        &[
            "package",
            "--submission",
            "bad.toml",
            "--results",
            "results",
        ],
        d,
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stdout(&out).contains("bad.toml:3:"), "{}", stdout(&out));

    std::fs::write(
        d.join("results/junit.xml"),
        "<testsuites name=\"pytest\" tests=\"0\" failures=\"0\" errors=\"0\"></testsuites>",
    )
    .unwrap();
    let out = scimcheck(PACKAGE, d, Some("x"));
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("junit.xml: not a scimcheck junit.xml"),
        "{}",
        stdout(&out)
    );
    assert!(!stdout(&out).contains("panicked"));
}

#[test]
fn init_writes_a_form_that_package_reads() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for form in ["oin-wizard", "oin-manager"] {
        let out = scimcheck(
            &["init", "--form", form, "--out", &format!("{form}.toml")],
            d,
            None,
        );
        assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
        let text = std::fs::read_to_string(d.join(format!("{form}.toml"))).unwrap();
        assert!(packager::submission::parse("t", &text).is_ok());
    }
    let again = scimcheck(&["init", "--out", "oin-wizard.toml"], d, None);
    assert_eq!(again.status.code(), Some(2));
    assert!(stdout(&again).contains("--force"), "{}", stdout(&again));
}

/// Rebuilds a bundle from its files with SHA256SUMS recomputed, as a careful forger would.
pub(crate) fn reforge(files: &mut std::collections::BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    files.remove(packager::bundle::SUMS);
    packager::bundle::write_tar_gz(files).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manifest_that_disagrees_with_the_bundle_is_refused_even_with_new_sums() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample_into(d);
    results(&d.join("results"), ALL, true).await;
    let out = scimcheck(&[PACKAGE, &["--out", "ok.tar.gz"]].concat(), d, Some("x"));
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let mut files =
        packager::bundle::read_tar_gz(&std::fs::read(d.join("ok.tar.gz")).unwrap()).unwrap();
    let mut manifest: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    manifest["base_url"] = "https://elsewhere.example/scim/v2".into();
    manifest["run"]["suites"][0]["passed"] = 99.into();
    files.insert(
        "manifest.json".into(),
        serde_json::to_vec_pretty(&manifest).unwrap(),
    );
    std::fs::write(d.join("forged.tar.gz"), reforge(&mut files)).unwrap();
    let out = scimcheck(&["verify", "forged.tar.gz"], d, None);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("manifest.json is not what the bundle's inputs and results give"),
        "{text}"
    );

    // A report made to look better, its sums recomputed: derived again, it differs.
    let mut files =
        packager::bundle::read_tar_gz(&std::fs::read(d.join("ok.tar.gz")).unwrap()).unwrap();
    let report = String::from_utf8(files["report.html"].clone()).unwrap();
    files.insert(
        "report.html".into(),
        report
            .replacen("<body>", "<body><p>All checks passed.</p>", 1)
            .into_bytes(),
    );
    std::fs::write(d.join("doctored.tar.gz"), reforge(&mut files)).unwrap();
    let out = scimcheck(&["verify", "doctored.tar.gz"], d, None);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("report.html is not what the bundle's inputs and results give"),
        "{text}"
    );

    // The QA plan made to say every case passes: derived again, it differs.
    let mut files =
        packager::bundle::read_tar_gz(&std::fs::read(d.join("ok.tar.gz")).unwrap()).unwrap();
    let mut plan: serde_json::Value = serde_json::from_slice(&files["qa-plan.json"]).unwrap();
    plan["automated"] = 61.into();
    files.insert(
        "qa-plan.json".into(),
        serde_json::to_vec_pretty(&plan).unwrap(),
    );
    std::fs::write(d.join("plan.tar.gz"), reforge(&mut files)).unwrap();
    let out = scimcheck(&["verify", "plan.tar.gz"], d, None);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("qa-plan.json is not what the bundle's inputs and results give"),
        "{text}"
    );
}

/// Regression: report.html wrote `outcome.status` from results.json unescaped.
#[tokio::test(flavor = "multi_thread")]
async fn markup_in_every_field_of_the_inputs_is_escaped_in_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample_into(d);
    const MARK: &str = "<img src=x onerror=alert(1)>";
    // Markup in every text of the results that a server or a suite file chooses.
    results_with(&d.join("results"), ALL, true, |report| {
        for suite in &mut report.suites {
            suite.title.push_str(MARK);
            suite.reference.push_str(MARK);
            for check in &mut suite.checks {
                check.title.push_str(MARK);
                check.reference.push_str(MARK);
                check.note = Some(MARK.into());
            }
        }
        report.suites[0].checks[0].outcome = harness::report::Outcome::Fail {
            mismatches: vec![harness::judge::assertion::Mismatch {
                assertion: MARK.into(),
                expected: MARK.into(),
                actual: MARK.into(),
                hint: Some(MARK.into()),
                keyword: None,
            }],
        };
    })
    .await;
    // A status no harness writes is refused outright: results.json is read through the same
    // model the harness writes it with (the unescaped status of the old mirror is gone).
    let path = d.join("results/results.json");
    let original = std::fs::read(&path).unwrap();
    let mut json: serde_json::Value = serde_json::from_slice(&original).unwrap();
    json["suites"][1]["checks"][0]["outcome"]["status"] = format!("pass{MARK}").into();
    std::fs::write(&path, serde_json::to_vec(&json).unwrap()).unwrap();
    let forged = scimcheck(&[PACKAGE, &["--draft"]].concat(), d, Some("x"));
    assert_eq!(forged.status.code(), Some(2), "{}", stdout(&forged));
    assert!(stdout(&forged).contains("not a scimcheck results.json"));
    std::fs::write(&path, original).unwrap();
    // And the submission's free text.
    let sub = d.join("submission.toml");
    let text = std::fs::read_to_string(&sub)
        .unwrap()
        .replace("name = \"", &format!("name = \"{MARK}"))
        .replace("description = \"", &format!("description = \"{MARK}"));
    std::fs::write(&sub, text).unwrap();
    let out = scimcheck(&[PACKAGE, &["--draft"]].concat(), d, Some("x"));
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let files =
        packager::bundle::read_tar_gz(&std::fs::read(d.join("oin-submission.tar.gz")).unwrap())
            .unwrap();
    let html = String::from_utf8(files["report.html"].clone()).unwrap();
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!html.contains(MARK), "markup reached report.html unescaped");
}

/// Regression: verify printed the bundle's entry names and manifest fields raw, so a crafted
/// bundle could rewrite the terminal.
#[tokio::test(flavor = "multi_thread")]
async fn a_crafted_bundle_cannot_steer_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample_into(d);
    results(&d.join("results"), ALL, true).await;
    let out = scimcheck(&[PACKAGE, &["--out", "ok.tar.gz"]].concat(), d, Some("x"));
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let mut files =
        packager::bundle::read_tar_gz(&std::fs::read(d.join("ok.tar.gz")).unwrap()).unwrap();
    let mut manifest: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    manifest["base_url"] = "https://x\u{1b}[2K\rOK: hashes check out\u{7}".into();
    files.insert(
        "manifest.json".into(),
        serde_json::to_vec_pretty(&manifest).unwrap(),
    );
    files.insert("\u{1b}]0;pwned\u{7}extra".into(), b"x".to_vec());
    std::fs::write(d.join("crafted.tar.gz"), reforge(&mut files)).unwrap();
    let out = scimcheck(&["verify", "crafted.tar.gz"], d, None);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    for c in ['\u{1b}', '\r', '\u{7}'] {
        assert!(!text.contains(c), "{c:?} reached the terminal: {text:?}");
    }
    assert!(text.contains("\\u{1b}"), "{text}");
}

/// Results holding every kind of outcome cross-check with their JUnit file (blocked and
/// partly evaluated checks, warnings and optional failures are skipped testcases there).
#[tokio::test(flavor = "multi_thread")]
async fn results_with_every_outcome_cross_check_with_their_junit() {
    use harness::report::Outcome;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample_into(d);
    results_with(&d.join("results"), ALL, true, |report| {
        let checks = &mut report.suites[1].checks;
        checks[0].outcome = Outcome::Blocked {
            reason: "blocked".into(),
            waited_for: vec![],
        };
        checks[1].outcome = Outcome::Partial {
            not_evaluated: vec!["a script".into()],
        };
        checks[2].outcome = Outcome::Warn { mismatches: vec![] };
        checks[3].level = harness::suite::Level::Optional;
        checks[3].outcome = Outcome::Error {
            reason: "timeout".into(),
        };
    })
    .await;
    let out = scimcheck(&[PACKAGE, &["--draft"]].concat(), d, Some("x"));
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(!text.contains("disagrees"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn results_of_an_insecure_run_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample_into(d);
    results_with(&d.join("results"), ALL, true, |r| r.target.insecure = true).await;
    let out = scimcheck(PACKAGE, d, Some("x"));
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("did not verify certificates (--insecure)"),
        "{}",
        stdout(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oauth_submission_needs_results_of_an_oauth_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample_into(d);
    let path = d.join("submission.toml");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "auth = \"bearer\"\n",
        "auth = \"oauth2\"\noauth = { authorize_url = \"https://scim.acme-directory.example/oauth/authorize\", token_url = \"https://scim.acme-directory.example/oauth/token\", client_id = \"okta\", client_secret_env = \"SCIMCHECK_SAMPLE_PASSWORD\" }\n",
    );
    std::fs::write(&path, text).unwrap();
    results(&d.join("results"), ALL, true).await;
    let out = scimcheck(PACKAGE, d, Some("x"));
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out)
            .contains("obtained with --auth bearer, the submission declares scim.auth \"oauth2\""),
        "{}",
        stdout(&out)
    );
    results_with(&d.join("results"), ALL, true, |r| {
        r.target.auth = harness::report::AuthKind::OAuth2
    })
    .await;
    let out = scimcheck(PACKAGE, d, Some("x"));
    assert!(
        !stdout(&out).contains("obtained with --auth"),
        "{}",
        stdout(&out)
    );
}

/// The submission of the fixture, declaring entitlement management with these endpoints.
fn declare_entitlements(dir: &Path, endpoints: &[&str]) {
    let path = dir.join("submission.toml");
    let types: Vec<String> = endpoints
        .iter()
        .map(|e| {
            format!(
                "{{ resource_type = \"{}\", endpoint = \"{e}\", multi_valued = true }}",
                e.trim_start_matches('/')
            )
        })
        .collect();
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace(
            "\"group-push\"]",
            &format!(
                "\"group-push\", \"entitlement-management\"]\nentitlements = {{ resource_types = [{}], schema = [{{ id = \"id\", display_name = \"displayName\" }}] }}",
                types.join(", ")
            ),
        );
    std::fs::write(&path, text).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn entitlement_management_needs_its_suite_and_every_declared_endpoint_proven() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample_into(d);
    // Declared, but the results lack the suite.
    declare_entitlements(d, &["/Roles", "/Licenses"]);
    results(&d.join("results"), ALL, true).await;
    let out = scimcheck(PACKAGE, d, Some("x"));
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("suite okta-entitlements is missing from the results"),
        "{text}"
    );
    assert!(text.contains("Entitlement management"), "{text}");

    // With the suite (the reference server declares /Roles, /Entitlements, /Licenses).
    let with_suite: Vec<&str> = ALL.iter().copied().chain(["okta-entitlements"]).collect();
    std::fs::remove_dir_all(d.join("results")).unwrap();
    results(&d.join("results"), &with_suite, true).await;
    let out = scimcheck(PACKAGE, d, Some("x"));
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    // An endpoint the app does not declare is refused, named.
    sample_into(d);
    declare_entitlements(d, &["/Roles", "/Profiles"]);
    let out = scimcheck(PACKAGE, d, Some("x"));
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("endpoint /Profiles is not among those the run discovered"),
        "{text}"
    );
}
