//! The run's report.html as a person sees it, in a real browser: headless Chromium renders it
//! for a clean run and a faulty one, and the test reads what is on the page (the verdict, the
//! failures, the evidence opened) and that no script failed. A screenshot of each stays in
//! `target/test-artefacts/`.
//!
//! Chromium comes from Debian's packages (`.ci/run` installs it). Where it is absent the test
//! says so loudly, and under CI (`CI` set) it fails: it never passes silently.

use std::path::{Path, PathBuf};
use std::process::Command;

use harness::reporters::html;
use refserver::Fault;

use crate::support::{client, run_suites, server, suite};

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join(name))
                    .find(|p| p.is_file())
            })
        })
}

/// The DOM after the page's script ran, and what the browser logged.
fn render(browser: &Path, page: &Path, screenshot: &Path) -> (String, String) {
    let url = format!("file://{}#open-failures", page.display());
    let common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--enable-logging=stderr",
        "--v=0",
    ];
    let dom = Command::new(browser)
        .args(common)
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("chromium runs");
    let shot = Command::new(browser)
        .args(common)
        .arg("--window-size=1300,1800")
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(&url)
        .output()
        .expect("chromium runs");
    assert!(
        screenshot.exists(),
        "no screenshot: {}",
        String::from_utf8_lossy(&shot.stderr)
    );
    (
        String::from_utf8_lossy(&dom.stdout).into_owned(),
        String::from_utf8_lossy(&dom.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_report_shows_the_verdict_failures_and_evidence_in_a_browser() {
    let Some(browser) = chromium() else {
        let message = "chromium is not installed: the browser test of report.html did NOT run (apt-get install chromium)";
        if std::env::var_os("CI").is_some() {
            panic!("{message}");
        }
        eprintln!("\n*** SKIPPED: {message} ***\n");
        return;
    };
    let artefacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artefacts");
    std::fs::create_dir_all(&artefacts).unwrap();
    for (name, faults) in [("clean", vec![]), ("faulty", vec![Fault::FilterIgnored])] {
        let server = server(&faults, 3).await;
        let report = run_suites(
            &client(server.base_url()),
            vec![suite("okta-scim2-spec"), suite("rfc7644")],
        )
        .await;
        server.stop().await;
        let page = artefacts.join(format!("report-{name}.html"));
        let mut bytes = Vec::new();
        html::write(&report, &mut bytes).unwrap();
        std::fs::write(&page, bytes).unwrap();
        let (dom, log) = render(
            &browser,
            &page,
            &artefacts.join(format!("report-{name}.png")),
        );
        assert!(!log.contains("Uncaught"), "{name}: a script error: {log}");
        if name == "clean" {
            assert!(dom.contains(r#"id="verdict">PASSED"#), "{dom}");
            assert!(!dom.contains(r#"data-status="fail""#));
        } else {
            assert!(dom.contains(r#"id="verdict">FAILED"#), "{dom}");
            assert!(dom.contains("the app ignores the `filter` parameter"));
            // The failures are open, with what was sent and what came back.
            assert!(
                dom.contains(r#"<details class="check" data-status="fail" open="">"#),
                "the script opened the failures"
            );
            assert!(dom.contains("Authorization: Bearer [REDACTED]"));
            assert!(dom.contains("&lt; 200 ("), "the response is shown");
        }
    }
}
