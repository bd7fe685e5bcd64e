//! The recorded results, read back: `results.json` through the results model the harness
//! writes it with (`scim-results`, one definition for both), cross-checked against
//! `junit.xml` (parsed with quick-junit) by the same JUnit rule, and the OIN's requirement
//! that every required check of every suite the declared features need has passed, against
//! the declared base URL and SCIM version, recently enough.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use scim_results::{JunitClass, Level, Outcome, RunReport};

use crate::submission::Submission;
use untrusted::files::{RESULTS_MAX_BYTES, read_capped};

/// A results folder that cannot be used, naming the file and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// A file could not be read (missing, not a regular file, over the size limit).
    #[error(transparent)]
    Read(#[from] untrusted::files::ReadError),
    /// results.json is not ours or not valid.
    #[error("{0}: not a scimcheck results.json: {1}")]
    NotResults(PathBuf, String),
    /// junit.xml is not ours or not valid.
    #[error("{0}: not a scimcheck junit.xml: {1}")]
    NotJunit(PathBuf, String),
    /// The two files disagree.
    #[error("{junit} disagrees with {json}: {what}")]
    Disagree {
        /// The JUnit file.
        junit: PathBuf,
        /// The JSON file.
        json: PathBuf,
        /// The difference.
        what: String,
    },
}

/// Both result files, as bytes for the bundle and parsed.
pub struct ResultFiles {
    /// results.json.
    pub json: Vec<u8>,
    /// junit.xml.
    pub junit: Vec<u8>,
    /// results.json parsed.
    pub results: RunReport,
    /// The run's report.html, when the harness wrote one: the bundle carries it as it is.
    pub report: Option<Vec<u8>>,
}

/// Reads a results folder and cross-checks its two files.
pub fn read_dir(dir: &Path) -> Result<ResultFiles, ResultsError> {
    let json_path = dir.join("results.json");
    let junit_path = dir.join("junit.xml");
    let json = read_capped(&json_path, RESULTS_MAX_BYTES)?;
    let junit = read_capped(&junit_path, RESULTS_MAX_BYTES)?;
    let results = parse_pair(&json, &junit, &json_path, &junit_path)?;
    let report_path = dir.join("report.html");
    let report = if report_path.exists() {
        Some(read_capped(&report_path, RESULTS_MAX_BYTES)?)
    } else {
        None
    };
    Ok(ResultFiles {
        json,
        junit,
        results,
        report,
    })
}

/// Parses results.json and junit.xml and checks that they tell the same story.
pub fn parse_pair(
    json: &[u8],
    junit: &[u8],
    json_path: &Path,
    junit_path: &Path,
) -> Result<RunReport, ResultsError> {
    let results: RunReport = serde_json::from_slice(json)
        .map_err(|e| ResultsError::NotResults(json_path.into(), e.to_string()))?;
    if results.format_version != 1 || results.tool.name != "scimcheck" {
        return Err(ResultsError::NotResults(
            json_path.into(),
            format!(
                "format_version {} from {:?}",
                results.format_version, results.tool.name
            ),
        ));
    }
    let xml = std::str::from_utf8(junit)
        .map_err(|e| ResultsError::NotJunit(junit_path.into(), e.to_string()))?;
    let report = quick_junit::Report::deserialize_from_str(xml)
        .map_err(|e| ResultsError::NotJunit(junit_path.into(), e.to_string()))?;
    let name = report.name.as_ref().map(|n| n.as_str()).unwrap_or_default();
    if name != "scimcheck" {
        return Err(ResultsError::NotJunit(
            junit_path.into(),
            format!("the report is named {name:?}, not \"scimcheck\""),
        ));
    }
    let disagree = |what: String| ResultsError::Disagree {
        junit: junit_path.into(),
        json: json_path.into(),
        what,
    };
    // A run that could not judge adds one suite saying why (it proves nothing anyway).
    let extra = usize::from(results.aborted.is_some());
    if report.test_suites.len() != results.suites.len() + extra {
        return Err(disagree(format!(
            "{} test suites against {} suites",
            report.test_suites.len(),
            results.suites.len()
        )));
    }
    for suite in &results.suites {
        suite_agrees(suite, &report).map_err(disagree)?;
    }
    Ok(results)
}

/// Whether a suite of results.json and its JUnit testsuite say the same: the counts by the
/// harness's JUnit rule (the same function: red is what fails the run), and every check.
fn suite_agrees(
    suite: &scim_results::SuiteReport,
    report: &quick_junit::Report,
) -> Result<(), String> {
    let ts = report
        .test_suites
        .iter()
        .find(|t| t.name.as_str() == suite.id)
        .ok_or_else(|| format!("no <testsuite name=\"{}\">", suite.id))?;
    // The harness's JUnit rule, the same function: red is what fails the run.
    let count =
        |f: fn(JunitClass) -> bool| suite.checks.iter().filter(|c| f(c.junit_class())).count();
    let pairs = [
        ("tests", ts.tests, suite.checks.len()),
        ("failures", ts.failures, count(|c| c == JunitClass::Failure)),
        ("errors", ts.errors, count(|c| c == JunitClass::Error)),
        (
            "skipped",
            ts.skipped,
            count(|c| matches!(c, JunitClass::Skipped(_))),
        ),
    ];
    for (name, in_junit, in_json) in pairs {
        if in_junit != in_json {
            return Err(format!(
                "suite {}: {name} {in_junit} against {in_json}",
                suite.id
            ));
        }
    }
    for check in &suite.checks {
        let name = format!("{}: {}", check.id, check.title);
        if !ts.test_cases.iter().any(|tc| tc.name.as_str() == name) {
            return Err(format!("suite {}: no testcase {name:?}", suite.id));
        }
    }
    Ok(())
}

/// Suites whose checks are all required when the feature they prove is declared.
const FEATURE_SUITES: &[&str] = &["password-sync", "okta-entitlements"];

/// The suites the OIN review needs for the declared features and SCIM version.
pub fn required_suites(s: &Submission) -> Vec<&'static str> {
    let v11 = s.scim.version == "1.1";
    let has = |f: &str| s.scim.features.iter().any(|x| x == f);
    let mut out = vec![if v11 {
        "okta-scim11-spec"
    } else {
        "okta-scim2-spec"
    }];
    // Okta's 1.1 suites never send a request without the credential (the 2.0 SPEC suite
    // does): the proof that the app refuses strangers comes from this suite.
    if v11 {
        out.push("scim11-auth");
    }
    if has("create-users") || has("update-users") || has("deactivate-users") {
        out.push(if v11 {
            "okta-scim11-crud"
        } else {
            "okta-scim2-crud"
        });
    }
    if has("group-push") {
        out.push(if v11 {
            "okta-scim11-groups"
        } else {
            "okta-scim2-groups"
        });
    }
    if has("sync-password") && !v11 {
        out.push("password-sync");
    }
    if has("entitlement-management") && !v11 {
        out.push("okta-entitlements");
    }
    if has("import-users") || has("import-groups") || has("profile-sourcing") {
        out.push(if v11 {
            "profile-sourcing-scim11"
        } else {
            "profile-sourcing"
        });
    }
    out
}

/// Why the results do not support the submission (empty: they do). `max_age_days` is
/// measured from `now`; `None` skips the age rule (verifying a bundle later).
pub fn requirement_problems(
    s: &Submission,
    r: &RunReport,
    max_age_days: Option<i64>,
    now: DateTime<Utc>,
) -> Vec<String> {
    let mut out = Vec::new();
    if r.interrupted {
        out.push("the run was interrupted: its results prove nothing".into());
    }
    if r.target.insecure {
        out.push(
            "the run did not verify certificates (--insecure): its results prove nothing about who answered; run again with the CA's certificate (--cacert FILE)".into(),
        );
    }
    if let Some(a) = &r.aborted {
        out.push(format!(
            "the run could not judge the app ({}): its results prove nothing",
            a.cause.label()
        ));
    }
    let norm = |u: &str| u.trim_end_matches('/').to_string();
    if norm(&r.target.base_url) != norm(&s.scim.base_url) {
        out.push(format!(
            "the results are from {}, the submission declares scim.base_url {}",
            r.target.base_url, s.scim.base_url
        ));
    }
    // The results must prove the authentication Okta will use: an OAuth 2 app's run used
    // OAuth 2 tokens from its token endpoint, a header app's run a token.
    let oauth_declared = s.scim.auth == "oauth2";
    if oauth_declared != (r.target.auth == scim_results::AuthKind::OAuth2) {
        out.push(format!(
            "the results were obtained with --auth {}, the submission declares scim.auth {:?}{}",
            r.target.auth,
            s.scim.auth,
            if oauth_declared {
                ": run with --auth oauth2 --token-url … --client-id …"
            } else {
                ""
            }
        ));
    }
    match &r.scim_version {
        Some(v) if v.version.as_str() == s.scim.version => {}
        Some(v) => out.push(format!(
            "the results tested SCIM {}, the submission declares scim.version {}",
            v.version, s.scim.version
        )),
        None => out.push("the results do not record the SCIM version tested".into()),
    }
    if let Some(days) = max_age_days {
        let age = now.signed_duration_since(r.started_at);
        if age.num_days() > days {
            out.push(format!(
                "the results are {} days old (run {}); the limit is {days} days",
                age.num_days(),
                r.started_at.format("%Y-%m-%d")
            ));
        }
    }
    out.extend(suite_problems(s, r));
    out.extend(endpoint_problems(s, r));
    out
}

/// Every suite the declared features need: in the results, with the checks they need passed.
fn suite_problems(s: &Submission, r: &RunReport) -> Vec<String> {
    let mut out = Vec::new();
    let required = required_suites(s);
    // One message for every missing suite, with one command that produces the results of
    // all the required ones: a run of one suite replaces the results, so a hint per suite
    // would send the user round in circles.
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|id| !r.suites.iter().any(|x| x.id == *id))
        .collect();
    if !missing.is_empty() {
        let all: Vec<String> = required.iter().map(|id| format!("--suite {id}")).collect();
        out.push(format!(
            "{} missing from the results: the declared features need every one of {}; produce them in one run: scimcheck run {} (results of one run replace the last)",
            if missing.len() == 1 {
                format!("suite {} is", missing[0])
            } else {
                format!("suites {} are", missing.join(", "))
            },
            required.join(", "),
            all.join(" ")
        ));
    }
    for id in required {
        let Some(suite) = r.suites.iter().find(|x| x.id == id) else {
            continue;
        };
        // A suite that is optional in a plain run (password sync: an app may not do it) is
        // required whole once the submission declares its feature.
        let whole = FEATURE_SUITES.contains(&id);
        // Checks that did not pass, grouped by why: a skip says its reason once (a feature
        // the app's ServiceProviderConfig does not advertise is not proven, and says so).
        let mut why: Vec<(String, Vec<&str>)> = Vec::new();
        for c in suite.checks.iter().filter(|c| {
            (whole || c.level == Level::Required)
                && !matches!(c.outcome, Outcome::Pass | Outcome::Warn { .. })
        }) {
            let label = match &c.outcome {
                Outcome::Skip { reason } => format!("skipped, {reason}"),
                other => other.label().to_string(),
            };
            match why.iter_mut().find(|(l, _)| *l == label) {
                Some((_, ids)) => ids.push(&c.id),
                None => why.push((label, vec![&c.id])),
            }
        }
        if !why.is_empty() {
            let groups: Vec<String> = why
                .iter()
                .map(|(label, ids)| format!("{} ({label})", ids.join(", ")))
                .collect();
            out.push(format!(
                "suite {id}: checks the declared features need did not pass: {}",
                groups.join("; ")
            ));
        }
    }
    out
}

/// Each entitlement endpoint the submission declares must have been discovered by the run
/// and passed Okta's Entitlements step and the import of its values.
fn endpoint_problems(s: &Submission, r: &RunReport) -> Vec<String> {
    let declared = s
        .scim
        .entitlements
        .as_ref()
        .map(|e| e.resource_types.as_slice())
        .unwrap_or_default();
    if !s
        .scim
        .features
        .iter()
        .any(|f| f == "entitlement-management")
    {
        return Vec::new();
    }
    let Some(suite) = r.suites.iter().find(|x| x.id == "okta-entitlements") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for t in declared.iter().filter(|t| !t.endpoint.is_empty()) {
        let tag = format!("({})", t.endpoint);
        for (check, what) in [
            ("okta-step-", "Okta's Entitlements step"),
            ("import-values-", "the import of its values"),
        ] {
            let found = suite
                .checks
                .iter()
                .find(|c| c.id.starts_with(check) && c.title.ends_with(&tag));
            match found {
                None => out.push(format!(
                    "scim.entitlements: endpoint {} is not among those the run discovered in the app's /ResourceTypes ({what} never ran for it)",
                    t.endpoint
                )),
                Some(c) if !matches!(c.outcome, Outcome::Pass | Outcome::Warn { .. }) => {
                    out.push(format!(
                        "scim.entitlements: endpoint {}: {what} did not pass ({})",
                        t.endpoint,
                        c.outcome.label()
                    ))
                }
                Some(_) => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod junit_reading {
    #[test]
    fn character_references_the_harness_writes_are_read() {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"scimcheck\" tests=\"1\" failures=\"1\" errors=\"0\">\n<testsuite name=\"s\" tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\">\n<testcase name=\"a &apos;b&apos; &quot;c&quot;\" classname=\"s\"><failure message=\"x&#10;y&#9;z\" type=\"required\">it&apos;s &lt;here&gt; &amp; \\u{1b}</failure><system-out>level: required</system-out></testcase>\n</testsuite>\n</testsuites>\n";
        let report = quick_junit::Report::deserialize_from_str(xml).unwrap();
        let case = &report.test_suites[0].test_cases[0];
        assert_eq!(case.name.as_str(), "a 'b' \"c\"");
    }
}
