//! Profile sourcing: the import walk against the reference server in both versions, clean and
//! with each fault it must catch, on enough users to span many pages.

use harness::events::NoEvents;
use harness::report::RunReport;
use harness::runner::{RunOptions, run};
use refserver::{Fault, ScimVersion};

use crate::support::{client, server_speaking, suite};

/// Small pages over 23 seeded users: every walk spans many pages.
const PAGE_SIZE: usize = 4;

async fn run_sourcing(base_url: &str, id: &str) -> RunReport {
    let options = RunOptions {
        page_size: PAGE_SIZE,
        ..RunOptions::default()
    };
    run(
        &client(base_url),
        &[suite(id)],
        &options,
        &mut NoEvents,
        std::future::pending(),
    )
    .await
}

fn failed(report: &RunReport) -> Vec<String> {
    report.suites[0]
        .checks
        .iter()
        .filter(|c| c.outcome.label() != "pass")
        .map(|c| c.id.clone())
        .collect()
}

const BOTH: [(ScimVersion, &str); 2] = [
    (ScimVersion::V2, "profile-sourcing"),
    (ScimVersion::V11, "profile-sourcing-scim11"),
];

#[tokio::test]
async fn the_clean_server_passes_in_both_versions() {
    for (version, id) in BOTH {
        let server = server_speaking(version, &[], 23).await;
        let report = run_sourcing(server.base_url(), id).await;
        assert!(
            failed(&report).is_empty(),
            "{id}: {:#?}",
            report.suites[0].checks
        );
        let walk = &report.suites[0].checks[0];
        assert_eq!(
            walk.note.as_deref(),
            Some("6 pages, 23 resources, 23 distinct"),
            "{id}"
        );
        server.stop().await;
    }
}

#[tokio::test]
async fn walk_failures_name_the_rule_the_count_and_an_example() {
    let server = server_speaking(ScimVersion::V2, &[Fault::DeactivatedHidden], 23).await;
    let report = run_sourcing(server.base_url(), "profile-sourcing").await;
    let text = report.suites[0]
        .checks
        .iter()
        .find(|c| c.id == "import-sees-deactivation")
        .unwrap()
        .outcome
        .explanation();
    assert!(
        text.contains("walk find: expected the run's resource in the import, got id "),
        "{text}"
    );
    server.stop().await;

    let server = server_speaking(ScimVersion::V2, &[Fault::UnstableOrder], 23).await;
    let report = run_sourcing(server.base_url(), "profile-sourcing").await;
    let text = report.suites[0].checks[0].outcome.explanation();
    assert!(
        text.contains("walk no-duplicates: expected each resource on exactly one page, got "),
        "{text}"
    );
    assert!(
        text.contains("walk no-gaps: expected 23 distinct resources, as totalResults says"),
        "{text}"
    );
    server.stop().await;
}
