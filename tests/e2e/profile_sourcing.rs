//! Profile sourcing: the import walk against the reference server in both versions, clean and
//! with each fault it must catch, on enough users to span many pages.

use harness::report::RunReport;
use harness::run::events::NoEvents;
use harness::run::{RunOptions, run};
use refserver::{Fault, ScimVersion};

use crate::support::{client, cursor_first_server, server_speaking, suite};

/// Small pages over 23 seeded users: every walk spans many pages.
const PAGE_SIZE: usize = 4;

async fn run_sourcing(base_url: &str, id: &str) -> RunReport {
    run_sourcing_with(base_url, id, None).await
}

async fn run_sourcing_with(
    base_url: &str,
    id: &str,
    pagination: Option<harness::suite::Pagination>,
) -> RunReport {
    let options = RunOptions {
        page_size: PAGE_SIZE,
        pagination,
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
        // The first page is kept as evidence, its body with it.
        let first = walk.exchanges[0].response.as_ref().unwrap();
        assert!(first.body.contains("totalResults"), "{id}: {}", first.body);
        server.stop().await;
    }
}

#[tokio::test]
async fn imports_walk_by_cursor_when_asked_or_when_the_app_defaults_to_cursors() {
    use harness::suite::Pagination;
    let urls = |report: &RunReport| -> Vec<String> {
        report.suites[0].checks[0]
            .exchanges
            .iter()
            .map(|x| x.request.url.clone())
            .collect()
    };
    // Asked for: every page by cursor, the same verdicts and pages as by index.
    let server = server_speaking(ScimVersion::V2, &[], 23).await;
    let report = run_sourcing_with(
        server.base_url(),
        "profile-sourcing",
        Some(Pagination::Cursor),
    )
    .await;
    assert!(failed(&report).is_empty(), "{:#?}", report.suites[0].checks);
    assert_eq!(
        report.suites[0].checks[0].note.as_deref(),
        Some("6 pages, 23 resources, 23 distinct")
    );
    assert!(
        urls(&report)[0].contains("cursor=&count=4"),
        "{:?}",
        urls(&report)
    );
    assert!(
        report
            .notices
            .iter()
            .any(|n| n.contains("because --pagination cursor"))
    );
    assert_eq!(report.settings.pagination.as_deref(), Some("cursor"));
    server.stop().await;

    // Not asked for: an app that pages by index by default is walked as Okta does.
    let server = server_speaking(ScimVersion::V2, &[], 23).await;
    let report = run_sourcing(server.base_url(), "profile-sourcing").await;
    assert!(
        urls(&report)[0].contains("startIndex=1"),
        "{:?}",
        urls(&report)
    );
    assert!(report.notices.iter().all(|n| !n.contains("cursor")));
    server.stop().await;

    // An app that names cursor its default is walked by cursor.
    let server = cursor_first_server(&[], 23).await;
    let report = run_sourcing(server.base_url(), "profile-sourcing").await;
    assert!(failed(&report).is_empty(), "{:#?}", report.suites[0].checks);
    assert!(urls(&report)[0].contains("cursor="), "{:?}", urls(&report));
    assert!(
        report
            .notices
            .iter()
            .any(|n| n.contains("names cursor its defaultPaginationMethod")),
        "{:?}",
        report.notices
    );
    server.stop().await;

    // A cursor walk catches an app that ignores the cursor (one page, the rest never seen) and
    // one whose nextCursor leads back to the first page.
    for (fault, rule) in [
        (Fault::CursorIgnored, "walk no-gaps"),
        (Fault::CursorRepeatsFirstPage, "walk cursor-ends"),
    ] {
        let server = server_speaking(ScimVersion::V2, &[fault], 23).await;
        let report = run_sourcing_with(
            server.base_url(),
            "profile-sourcing",
            Some(Pagination::Cursor),
        )
        .await;
        let text = report.suites[0].checks[0].outcome.explanation();
        assert!(text.contains(rule), "{fault:?}: {text}");
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
        text.contains("walk pages-repeat: expected each page to bring resources not seen before, got page at startIndex "),
        "{text}"
    );
    server.stop().await;
}

#[tokio::test]
async fn pages_fetched_in_parallel_give_the_same_verdicts() {
    // The import's judgement (no duplicates, no gaps, stable order across pages) is made in
    // page order whatever order the pages arrive in: four pages in flight give exactly the
    // verdicts of one, on the clean server and on each fault an import must catch.
    let faults = [
        None,
        Some(Fault::UnstableOrder),
        Some(Fault::PagingIgnored),
        Some(Fault::StartIndexZeroBased),
        Some(Fault::ItemsPerPageEchoesCount),
        Some(Fault::DeactivatedHidden),
    ];
    for fault in faults {
        let mut verdicts = Vec::new();
        for import_concurrency in [1, 4] {
            let server =
                server_speaking(ScimVersion::V2, &fault.into_iter().collect::<Vec<_>>(), 23).await;
            let options = RunOptions {
                page_size: PAGE_SIZE,
                import_concurrency,
                ..RunOptions::default()
            };
            let report = run(
                &client(server.base_url()),
                &[suite("profile-sourcing")],
                &options,
                &mut NoEvents,
                std::future::pending(),
            )
            .await;
            let labels: Vec<(String, String)> = report.suites[0]
                .checks
                .iter()
                .map(|c| (c.id.clone(), without_ids(&c.outcome.explanation())))
                .collect();
            verdicts.push(labels);
            server.stop().await;
        }
        assert_eq!(verdicts[0], verdicts[1], "fault {fault:?}");
    }
}

/// A verdict's text with the server's ids (UUIDs, new on every server) left out.
fn without_ids(text: &str) -> String {
    let is_uuid = |w: &[u8]| {
        w.len() == 36
            && w.iter().enumerate().all(|(i, b)| {
                if [8, 13, 18, 23].contains(&i) {
                    *b == b'-'
                } else {
                    b.is_ascii_hexdigit()
                }
            })
    };
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        if i + 36 <= bytes.len() && is_uuid(&bytes[i..i + 36]) {
            out.push_str("<id>");
            i += 36;
        } else {
            let ch = text[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// The ServiceProviderConfig read to detect the version also says how the app pages: a run
/// does not ask for it twice (one probe, then the one page of five users).
#[tokio::test]
async fn the_version_probe_s_service_provider_config_decides_the_paging_too() {
    let server = server_speaking(ScimVersion::V2, &[], 5).await;
    let dir = tempfile::tempdir().unwrap();
    let out = crate::cli::scimcheck(
        &[
            "run",
            "--base-url",
            server.base_url(),
            "--suite",
            "profile-sourcing",
            "--only",
            "profile-sourcing/import-users",
            "--out",
            "out",
        ],
        &[("SCIM_TOKEN", crate::support::TOKEN)],
        dir.path(),
    )
    .await;
    let (stdout, stderr) = crate::cli::text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let results = crate::support::results_json(&dir.path().join("out"));
    assert_eq!(results["summary"]["requests"], 2, "{results:#}");
    server.stop().await;
}
