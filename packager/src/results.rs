//! The recorded results, read back: `results.json` (its documented shape, read independently
//! of the harness) cross-checked against `junit.xml` (parsed with quick-junit), and the OIN's
//! requirement that every required check of every suite the declared features need has
//! passed, against the declared base URL and SCIM version, recently enough.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::files::{RESULTS_MAX_BYTES, read_capped};
use crate::submission::Submission;

/// The parts of `results.json` the packager needs (unknown fields are ignored: newer harness
/// versions may add some).
#[derive(Debug, Clone, Deserialize)]
pub struct Results {
    /// Shape version.
    pub format_version: u32,
    /// The harness.
    pub tool: Tool,
    /// Run id.
    pub run_id: String,
    /// Start of the run.
    pub started_at: DateTime<Utc>,
    /// Wall time.
    pub duration_ms: u64,
    /// The target.
    pub target: TargetDoc,
    /// Interrupted runs prove nothing.
    pub interrupted: bool,
    /// Why a run could not judge the app (`{"cause", "message"}`); such runs prove nothing.
    #[serde(default)]
    pub aborted: Option<Value>,
    /// The version tested.
    pub scim_version: Option<VersionDoc>,
    /// Root causes the harness found (`{"id", "cause", "reference", "explains"}`).
    #[serde(default)]
    pub diagnoses: Vec<Value>,
    /// Suites.
    pub suites: Vec<SuiteDoc>,
}

/// The tool that wrote the results.
#[derive(Debug, Clone, Deserialize)]
pub struct Tool {
    /// "scimcheck".
    pub name: String,
    /// Its version.
    pub version: String,
}

/// The target of the run.
#[derive(Debug, Clone, Deserialize)]
pub struct TargetDoc {
    /// Base URL.
    pub base_url: String,
}

/// The SCIM version of the run.
#[derive(Debug, Clone, Deserialize)]
pub struct VersionDoc {
    /// "2.0" or "1.1".
    pub version: String,
}

/// A suite's results.
#[derive(Debug, Clone, Deserialize)]
pub struct SuiteDoc {
    /// Suite id.
    pub id: String,
    /// Suite title.
    pub title: String,
    /// Suite content version.
    pub version: String,
    /// Checks.
    pub checks: Vec<CheckDoc>,
}

/// A check's result.
#[derive(Debug, Clone, Deserialize)]
pub struct CheckDoc {
    /// Check id.
    pub id: String,
    /// Title.
    pub title: String,
    /// "required" or "optional".
    pub level: String,
    /// Reference.
    pub reference: String,
    /// The RFC keyword (MUST, SHOULD, MAY) of an RFC check.
    #[serde(default)]
    pub keyword: Option<String>,
    /// `{"status": "pass" | "warn" | "fail" | "error" | "skip", …}`.
    pub outcome: Value,
}

impl CheckDoc {
    /// The outcome's status.
    pub fn status(&self) -> &str {
        self.outcome
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
    }

    /// The outcome's explanation: mismatches as expected versus actual, or the reason.
    pub fn explanation(&self) -> String {
        if let Some(ms) = self.outcome.get("mismatches").and_then(Value::as_array) {
            let text = |m: &Value, k: &str| {
                m.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            // The same text as the harness's reports: keyword first, hint after.
            return ms
                .iter()
                .map(|m| {
                    let keyword = m
                        .get("keyword")
                        .and_then(Value::as_str)
                        .map(|k| format!("[{k}] "))
                        .unwrap_or_default();
                    let hint = m
                        .get("hint")
                        .and_then(Value::as_str)
                        .map(|h| format!("\n  hint: {h}"))
                        .unwrap_or_default();
                    format!(
                        "{keyword}{}: expected {}, got {}{hint}",
                        text(m, "assertion"),
                        text(m, "expected"),
                        text(m, "actual")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
        }
        if let Some(n) = self.outcome.get("not_evaluated").and_then(Value::as_array) {
            return n
                .iter()
                .filter_map(Value::as_str)
                .map(|t| format!("not evaluated: {t}"))
                .collect::<Vec<_>>()
                .join("\n");
        }
        self.outcome
            .get("reason")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }
}

/// A results folder that cannot be used, naming the file and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// A file could not be read (missing, not a regular file, over the size limit).
    #[error(transparent)]
    Read(#[from] crate::files::ReadError),
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
    pub results: Results,
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
) -> Result<Results, ResultsError> {
    let results: Results = serde_json::from_slice(json)
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
        let ts = report
            .test_suites
            .iter()
            .find(|t| t.name.as_str() == suite.id)
            .ok_or_else(|| disagree(format!("no <testsuite name=\"{}\">", suite.id)))?;
        // The harness's JUnit rule: failure and error are required checks only (what fails the
        // run); every other check that is not a pass is skipped.
        let required = |status: &str| {
            suite
                .checks
                .iter()
                .filter(|c| c.status() == status && c.level == "required")
                .count()
        };
        let skipped = suite
            .checks
            .iter()
            .filter(|c| match c.status() {
                "warn" | "skip" | "blocked" | "partial" => true,
                "fail" | "error" => c.level != "required",
                _ => false,
            })
            .count();
        let pairs = [
            ("tests", ts.tests, suite.checks.len()),
            ("failures", ts.failures, required("fail")),
            ("errors", ts.errors, required("error")),
            ("skipped", ts.skipped, skipped),
        ];
        for (name, in_junit, in_json) in pairs {
            if in_junit != in_json {
                return Err(disagree(format!(
                    "suite {}: {name} {in_junit} against {in_json}",
                    suite.id
                )));
            }
        }
        for check in &suite.checks {
            let name = format!("{}: {}", check.id, check.title);
            if !ts.test_cases.iter().any(|tc| tc.name.as_str() == name) {
                return Err(disagree(format!(
                    "suite {}: no testcase {name:?}",
                    suite.id
                )));
            }
        }
    }
    Ok(results)
}

/// The suites the OIN review needs for the declared features and SCIM version.
pub fn required_suites(s: &Submission) -> Vec<&'static str> {
    let v11 = s.scim.version == "1.1";
    let has = |f: &str| s.scim.features.iter().any(|x| x == f);
    let mut out = vec![if v11 {
        "okta-scim11-spec"
    } else {
        "okta-scim2-spec"
    }];
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
    r: &Results,
    max_age_days: Option<i64>,
    now: DateTime<Utc>,
) -> Vec<String> {
    let mut out = Vec::new();
    if r.interrupted {
        out.push("the run was interrupted: its results prove nothing".into());
    }
    if let Some(a) = &r.aborted {
        out.push(format!(
            "the run could not judge the app ({}): its results prove nothing",
            a.get("cause").and_then(Value::as_str).unwrap_or("aborted")
        ));
    }
    let norm = |u: &str| u.trim_end_matches('/').to_string();
    if norm(&r.target.base_url) != norm(&s.scim.base_url) {
        out.push(format!(
            "the results are from {}, the submission declares scim.base_url {}",
            r.target.base_url, s.scim.base_url
        ));
    }
    match &r.scim_version {
        Some(v) if v.version == s.scim.version => {}
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
    for id in required_suites(s) {
        let Some(suite) = r.suites.iter().find(|x| x.id == id) else {
            out.push(format!("suite {id} is missing from the results: the declared features need it (run scimcheck run --suite {id})"));
            continue;
        };
        let not_passed: Vec<String> = suite
            .checks
            .iter()
            .filter(|c| c.level == "required" && !matches!(c.status(), "pass" | "warn"))
            .map(|c| format!("{} ({})", c.id, c.status()))
            .collect();
        if !not_passed.is_empty() {
            out.push(format!(
                "suite {id}: required checks that did not pass: {}",
                not_passed.join(", ")
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: the bundle's report dropped the SHOULD keyword and the hint of a failure,
    /// so a warning read like a failure without its fix.
    #[test]
    fn explanations_keep_the_keyword_and_the_hint() {
        let check = CheckDoc {
            id: "c".into(),
            title: "t".into(),
            level: "required".into(),
            reference: "RFC 7644 §3.3".into(),
            keyword: Some("SHOULD".into()),
            outcome: serde_json::json!({"status": "warn", "mismatches": [{
                "assertion": "header Content-Type contains", "expected": "application/scim+json",
                "actual": "application/json", "keyword": "SHOULD", "hint": "send application/scim+json"}]}),
        };
        assert_eq!(
            check.explanation(),
            "[SHOULD] header Content-Type contains: expected application/scim+json, got application/json\n  hint: send application/scim+json"
        );
        let partial = CheckDoc {
            outcome: serde_json::json!({"status": "partial", "not_evaluated": ["a script"]}),
            ..check
        };
        assert_eq!(partial.explanation(), "not evaluated: a script");
    }
}
