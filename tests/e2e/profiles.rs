//! The profile suites (the SCIM 2.0 Interoperability Profile, IPSIE AL1 and AL2, RFC 9865
//! cursor pagination) against the reference server in the interop profile's mode: clean, every check passes; with
//! each fault, exactly the checks meant to catch it fail (or warn, for what the text only
//! recommends). The profile's stricter rules stay its own: the default server, which follows
//! RFC 7644 where the profile is stricter, fails them in this suite only.

use std::collections::BTreeSet;

use harness::report::{RunReport, ScoreVerdict};
use refserver::{Fault, Faults, ServerConfig};

use crate::support::TOKEN;

/// The profile suites named: IPSIE AL2 brings AL1 and the interop profile it builds on.
const PROFILE_SUITES: &[&str] = &["ipsie-al2", "cursor-pagination"];

/// Each fault, the checks it must fail, and those it must only warn on.
const PROFILE_FAULTS: &[(&str, &[&str], &[&str])] = &[
    (
        "json-content-type",
        &[
            "interop-profile/create-user",
            "interop-profile/get-by-id",
            "ipsie-al1/get-by-id",
            "ipsie-al2/get-group",
        ],
        &[],
    ),
    (
        "error-bodies-not-scim",
        &[
            "interop-profile/uniqueness-user-name-any-case",
            "interop-profile/filter-undefined-attribute",
            "interop-profile/undefined-attribute-refused",
            "interop-profile/undefined-schema-refused",
            "interop-profile/patch-path-less-refused",
            "interop-profile/duplicate-user-name",
        ],
        &["cursor-pagination/invalid-cursor"],
    ),
    (
        "filter-ignored",
        &[
            "interop-profile/filter-user-name-any-case",
            "interop-profile/filter-external-id-exact",
            "interop-profile/filter-eq-and",
            "interop-profile/filter-undefined-attribute",
            "interop-profile/deleted-not-listed",
            "ipsie-al1/filter-user-name",
            "ipsie-al1/filter-external-id",
            "ipsie-al1/filter-email",
            "ipsie-al1/filter-work-email",
        ],
        &[],
    ),
    (
        "paging-ignored",
        &[
            "cursor-pagination/first-page",
            "cursor-pagination/walk-every-page",
        ],
        &[],
    ),
    (
        "start-index-zero-based",
        &[
            "interop-profile/filter-user-name-any-case",
            "interop-profile/filter-eq-and",
            "interop-profile/count-100-honoured",
            "ipsie-al1/filter-user-name",
            "ipsie-al1/filter-external-id",
            "ipsie-al1/filter-email",
            "ipsie-al1/filter-work-email",
            "ipsie-al2/filter-group-display-name",
            "ipsie-al2/filter-group-external-id",
            "ipsie-al2/filter-group-member",
        ],
        &["interop-profile/default-page"],
    ),
    ("pages-unbounded", &[], &["ipsie-al2/page-size"]),
    (
        "counters-as-strings",
        &[
            "interop-profile/count-100-honoured",
            "cursor-pagination/walk-every-page",
        ],
        &["interop-profile/default-page"],
    ),
    (
        "patch-not-applied",
        &[
            "interop-profile/patch-add-singular-verify",
            "interop-profile/patch-replace-complex-verify",
            "interop-profile/patch-add-complex-verify",
            "interop-profile/patch-replace-collection-verify",
            "interop-profile/patch-add-collection-verify",
            "interop-profile/deactivated-still-there",
            "ipsie-al1/deactivated",
            "ipsie-al2/patch-several-attributes-verify",
            "ipsie-al2/bulk-verify",
            "ipsie-al2/fifty-member-operations-verify",
            "ipsie-al2/filter-group-member",
        ],
        &[],
    ),
    (
        "delete-not-applied",
        &[
            "interop-profile/deleted-not-found",
            "interop-profile/deleted-not-listed",
            "interop-profile/user-name-reusable",
            "ipsie-al1/recreate-same-user-name",
        ],
        &[],
    ),
    (
        "soft-delete",
        &[
            "interop-profile/deleted-not-found",
            "interop-profile/user-name-reusable",
            "ipsie-al1/recreate-same-user-name",
        ],
        &[],
    ),
    (
        "duplicates-allowed",
        &[
            "interop-profile/uniqueness-user-name-any-case",
            "interop-profile/duplicate-user-name",
        ],
        &[],
    ),
    (
        "case-sensitive-username",
        &[
            "interop-profile/filter-user-name-any-case",
            "interop-profile/uniqueness-user-name-any-case",
        ],
        &[],
    ),
    (
        "error-status-number",
        &["interop-profile/duplicate-user-name"],
        &[],
    ),
    (
        "external-id-not-filterable",
        &[
            "interop-profile/filter-eq-and",
            "ipsie-al1/filter-external-id",
            "ipsie-al2/filter-group-external-id",
        ],
        &[],
    ),
    (
        "attributes-ignored",
        &[],
        &["ipsie-al2/groups-without-members"],
    ),
    (
        "duplicate-group-500",
        &[],
        &["ipsie-al2/duplicate-group-name"],
    ),
    (
        "empty-group-refused",
        &["ipsie-al2/create-empty-group"],
        &[],
    ),
    (
        "service-provider-config-missing",
        &[
            "interop-profile/service-provider-config",
            "ipsie-al2/service-provider-config",
        ],
        &[
            "cursor-pagination/service-provider-config",
            "ipsie-al2/page-size",
        ],
    ),
    ("bulk-status-number", &["ipsie-al2/bulk"], &[]),
    (
        "count-500",
        &[
            "interop-profile/count-100-honoured",
            "cursor-pagination/first-page",
            "cursor-pagination/walk-every-page",
        ],
        &["cursor-pagination/invalid-cursor"],
    ),
    (
        "create-requires-phone",
        &[
            "interop-profile/create-user",
            "interop-profile/undefined-attribute-refused",
            "interop-profile/undefined-schema-refused",
            "ipsie-al1/create-user",
            "ipsie-al2/create-user",
            "ipsie-al2/other-user",
            "cursor-pagination/create-user-1",
            "cursor-pagination/create-user-2",
            "cursor-pagination/create-user-3",
        ],
        &[],
    ),
    (
        "created-without-id",
        &[
            "interop-profile/create-user",
            "ipsie-al1/create-user",
            "ipsie-al2/create-user",
            "ipsie-al2/other-user",
            "ipsie-al2/create-empty-group",
            "cursor-pagination/create-user-1",
            "cursor-pagination/create-user-2",
            "cursor-pagination/create-user-3",
        ],
        &[],
    ),
    (
        "undefined-attributes-accepted",
        &[
            "interop-profile/undefined-attribute-refused",
            "interop-profile/undefined-schema-refused",
        ],
        &[],
    ),
    (
        "path-less-patch-accepted",
        &["interop-profile/patch-path-less-refused"],
        &[],
    ),
    (
        "resource-type-id-not-name",
        &[
            "interop-profile/resource-types-endpoint",
            "interop-profile/user-resource-type",
        ],
        &[],
    ),
    (
        "no-canonical-values",
        &["interop-profile/schemas-endpoint"],
        &[],
    ),
    (
        "patch-replace-merges",
        &["interop-profile/patch-replace-complex-verify"],
        &[],
    ),
    (
        "patch-add-replaces-collection",
        &[
            "interop-profile/patch-add-collection-verify",
            "ipsie-al2/fifty-member-operations-verify",
        ],
        &[],
    ),
    (
        "cursor-ignored",
        &[
            "cursor-pagination/first-page",
            "cursor-pagination/walk-every-page",
        ],
        &["cursor-pagination/invalid-cursor"],
    ),
    (
        "previous-cursor-wrong",
        &[],
        &["cursor-pagination/previous-page"],
    ),
    (
        "invalid-cursor-accepted",
        &[],
        &["cursor-pagination/invalid-cursor"],
    ),
    (
        "cursor-repeats-first-page",
        &[
            "cursor-pagination/next-page",
            "cursor-pagination/walk-every-page",
        ],
        &[],
    ),
    (
        "patch-refused",
        &[
            "interop-profile/patch-path-less-refused",
            "interop-profile/patch-add-singular",
            "interop-profile/patch-replace-complex",
            "interop-profile/patch-add-complex",
            "interop-profile/patch-replace-collection",
            "interop-profile/patch-add-collection",
            "interop-profile/patch-deactivate-keeps",
            "ipsie-al1/deactivate",
            "ipsie-al1/reactivate",
            "ipsie-al2/patch-several-attributes",
            "ipsie-al2/fifty-member-operations",
        ],
        &[],
    ),
    (
        "delete-refused",
        &["interop-profile/delete-user"],
        &["ipsie-al1/delete"],
    ),
    ("reactivation-ignored", &["ipsie-al1/reactivated"], &[]),
    (
        "schema-by-id-missing",
        &[
            "interop-profile/user-schema-served",
            "ipsie-al2/user-schema",
        ],
        &[],
    ),
    (
        "resource-types-500",
        &[
            "interop-profile/resource-types-endpoint",
            "interop-profile/user-resource-type",
        ],
        &["ipsie-al2/group-resource-type"],
    ),
];

/// The faults only the profile suites can see (or that fail nearly every other check): proven
/// here.
pub const PROFILE_ONLY: &[&str] = &[
    "undefined-attributes-accepted",
    "path-less-patch-accepted",
    "resource-type-id-not-name",
    "no-canonical-values",
    "patch-replace-merges",
    "patch-add-replaces-collection",
    "cursor-ignored",
    "invalid-cursor-accepted",
    "cursor-repeats-first-page",
    "previous-cursor-wrong",
    "patch-refused",
    "delete-refused",
    "reactivation-ignored",
    "schema-by-id-missing",
    "resource-types-500",
    "pages-unbounded",
    // The app's own authorization server: proven by ipsie_oauth.rs through the command line.
    "authorization-metadata-missing",
    "assertion-unverified",
    "scope-broader",
];

async fn server(interop_profile: bool, faults: &[Fault]) -> refserver::RunningServer {
    limited_server(interop_profile, faults, None).await
}

async fn limited_server(
    interop_profile: bool,
    faults: &[Fault],
    rate_limit: Option<u32>,
) -> refserver::RunningServer {
    refserver::start(ServerConfig {
        rate_limit,
        auth: refserver::Auth {
            token: Some(TOKEN.into()),
            basic: None,
        },
        faults: Faults::new(faults.iter().copied()),
        seed_users: 5,
        interop_profile,
        ..ServerConfig::default()
    })
    .await
    .expect("reference server starts")
}

async fn run_suites(base_url: &str, ids: &[&str]) -> RunReport {
    let ids: Vec<String> = ids.iter().map(|id| id.to_string()).collect();
    let suites =
        harness::suite::builtin::select_suites(&ids, &[], harness::report::ScimVersion::V2)
            .unwrap();
    crate::support::run_suites(&crate::support::client_with_token(base_url, TOKEN), suites).await
}

/// `suite/check` ids with this outcome label, as a set.
fn with_label(report: &RunReport, label: &str) -> BTreeSet<String> {
    crate::support::with_label(report, label)
        .into_iter()
        .collect()
}

#[tokio::test]
async fn every_profile_check_passes_on_a_conformant_app_and_catches_its_fault() {
    let clean = server(true, &[]).await;
    let report = run_suites(clean.base_url(), PROFILE_SUITES).await;
    let not_passed: Vec<String> = ["fail", "warn", "error", "skip", "blocked", "partial"]
        .iter()
        .flat_map(|l| with_label(&report, l))
        .collect();
    // What a run cannot check without what the user gives is skipped, never passed.
    // (the load probe: not asked for in a default run)
    let not_checked = [
        "ipsie-al1/authorization-server-metadata",
        "ipsie-al1/oauth-client-credentials",
        "ipsie-al1/rate-limits",
    ];
    assert_eq!(not_passed, not_checked);
    // The scorecard: every profile meets its MUSTs but AL1, whose OAuth and rate
    // requirements were not judged (nothing given to judge them with).
    let verdicts: Vec<(&str, ScoreVerdict)> = report
        .scorecard
        .iter()
        .map(|r| (r.suite.as_str(), r.verdict))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("interop-profile", ScoreVerdict::Meets),
            ("ipsie-al1", ScoreVerdict::NotFullyJudged),
            ("ipsie-al2", ScoreVerdict::Meets),
            ("cursor-pagination", ScoreVerdict::Meets),
        ]
    );
    assert_eq!(report.scorecard[1].must.not_judged, 3);
    assert!(report.diagnoses.is_empty(), "{:#?}", report.diagnoses);
    assert_eq!(report.summary.leftovers, 0);
    clean.stop().await;
    let mut wrong = Vec::new();
    for (name, fails, warns) in PROFILE_FAULTS {
        let faulty = server(true, &[name.parse().unwrap()]).await;
        let report = run_suites(faulty.base_url(), PROFILE_SUITES).await;
        for (label, want) in [("fail", *fails), ("warn", *warns), ("error", &[][..])] {
            let want: BTreeSet<String> = want.iter().map(|w| w.to_string()).collect();
            let got = with_label(&report, label);
            if got != want {
                wrong.push(format!("{name}: {label}\n  got  {got:?}\n  want {want:?}"));
            }
        }
        faulty.stop().await;
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The interop profile §4: an app that claims conformance and fails a MUST of it is told so
/// first; an app that does not claim it fails the same checks without that headline.
#[tokio::test]
async fn a_claim_the_findings_contradict_heads_the_root_causes() {
    let claims = server(true, &["path-less-patch-accepted".parse().unwrap()]).await;
    let report = run_suites(claims.base_url(), &["interop-profile"]).await;
    let first = report.diagnoses.first().expect("a root cause");
    assert_eq!(first.id, "claims-interop-conformance");
    assert_eq!(first.explains, ["interop-profile/patch-path-less-refused"]);
    claims.stop().await;

    // The default server follows RFC 7644 where the profile is stricter: it fails the
    // profile's stricter rules here, claims nothing, and passes RFC 7644's own suite.
    let plain = server(false, &[]).await;
    let report = run_suites(plain.base_url(), &["interop-profile", "rfc7644"]).await;
    let want: BTreeSet<String> = [
        "interop-profile/filter-undefined-attribute",
        "interop-profile/undefined-attribute-refused",
        "interop-profile/undefined-schema-refused",
        "interop-profile/patch-path-less-refused",
        "interop-profile/patch-replace-complex-verify",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(with_label(&report, "fail"), want);
    // The scorecard names the profile's sections these break; RFC 7644's suite has no row.
    assert_eq!(report.scorecard.len(), 1);
    let row = &report.scorecard[0];
    assert_eq!(row.verdict, ScoreVerdict::DoesNotMeet);
    assert_eq!(row.must.unmet, 5);
    let sections: BTreeSet<&str> = row.unmet.iter().map(|u| u.section.as_str()).collect();
    assert_eq!(
        sections,
        BTreeSet::from(["§5.3", "§6.3", "§6.5.1.1", "§6.5.2.1"])
    );
    assert!(
        report
            .diagnoses
            .iter()
            .all(|d| d.id != "claims-interop-conformance"),
        "{:#?}",
        report.diagnoses
    );
    plain.stop().await;
}

/// IPSIE's rate requirement, by the opt-in load probe (25 requests a second for 4 s, then 50 at
/// once): an app that limits at 40 a second passes (the burst meets its 429 with Retry-After);
/// one without a limit the burst reaches is partial; one that answers 429 within the steady
/// rate or serves one request at a time fails; without the opt-in it is skipped.
#[tokio::test]
async fn the_load_probe_runs_only_when_asked_and_tells_a_slow_or_throttling_app() {
    let probe = |faults: Vec<Fault>, rate_limit: Option<u32>| async move {
        let server = limited_server(true, &faults, rate_limit).await;
        let suites = harness::suite::builtin::select_suites(
            &["ipsie-al1".to_string()],
            &[],
            harness::report::ScimVersion::V2,
        )
        .unwrap();
        let only = harness::suite::select::Selection {
            only: vec!["ipsie-al1/rate-limits".into()],
            skip: Vec::new(),
        };
        let suites = only.apply(suites).unwrap();
        let options = harness::run::RunOptions {
            load_probe: true,
            ..harness::run::RunOptions::default()
        };
        let client = crate::support::client_with_token(server.base_url(), TOKEN);
        let report = harness::run::run(
            &client,
            &suites,
            &options,
            &mut harness::run::events::NoEvents,
            std::future::pending(),
        )
        .await;
        server.stop().await;
        report.suites[0]
            .checks
            .iter()
            .find(|c| c.id == "rate-limits")
            .unwrap()
            .outcome
            .clone()
    };
    assert_eq!(probe(Vec::new(), Some(40)).await.label(), "pass");
    assert_eq!(probe(Vec::new(), None).await.label(), "partial");
    for fault in ["too-many-requests-every=10", "one-at-a-time=60"] {
        let outcome = probe(vec![fault.parse().unwrap()], None).await;
        assert_eq!(outcome.label(), "fail", "{fault}: {outcome:?}");
    }
    // Without the opt-in (a default run), it is skipped with the reason.
    let server = server(true, &[]).await;
    let report = run_suites(server.base_url(), &["ipsie-al1"]).await;
    let skipped = with_label(&report, "skip");
    assert!(skipped.contains("ipsie-al1/rate-limits"), "{skipped:?}");
    server.stop().await;
}
