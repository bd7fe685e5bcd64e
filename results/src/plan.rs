//! Okta's manual QA plan mapped onto the checks: the plan as data (each case, the checks that
//! reproduce it for each SCIM version, what a person still does), and its evaluation against a
//! run's results for a submission's declared features. The harness builds the plan from
//! `specs/qa-plan.toml`; the packager evaluates it into the bundle's `qa-plan.json`.

use serde::{Deserialize, Serialize};

use crate::{Outcome, RunReport};

/// How much of a case the checks cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaseStatus {
    /// The checks are the case at the wire.
    Automated,
    /// The checks cover the wire part; a person does the rest.
    Partial,
    /// Nothing reaches the app.
    Manual,
    /// The declared features do not include it.
    NotApplicable,
}

/// One case of the plan, its checks resolved per SCIM version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanCase {
    /// Okta's case id (C-number).
    pub id: String,
    /// Okta's title.
    pub title: String,
    /// Automated, partial or manual.
    pub status: CaseStatus,
    /// It applies when one of these is declared (none: always); `auth:oauth2` for OAuth 2.
    pub features: Vec<String>,
    /// `suite/check` keys for SCIM 2.0.
    pub checks_2_0: Vec<String>,
    /// `suite/check` keys for SCIM 1.1.
    pub checks_1_1: Vec<String>,
    /// What a person still does.
    pub by_hand: Option<String>,
}

/// The plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QaPlan {
    /// Where the cases come from.
    pub source: String,
    /// Every case, in the plan's order.
    pub cases: Vec<PlanCase>,
}

/// One case for one submission and run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseVerdict {
    /// Okta's case id.
    pub id: String,
    /// Okta's title.
    pub title: String,
    /// The status for this submission (not-applicable when no declared feature needs it;
    /// manual when the SCIM version tested has no check for it).
    pub status: CaseStatus,
    /// Each check and its verdict in the run (`missing` when the run did not have it).
    pub checks: Vec<(String, String)>,
    /// Whether every check the run has passed (warnings included); `None` when it has none
    /// of them.
    pub passing: Option<bool>,
    /// What a person still does.
    pub by_hand: Option<String>,
}

/// The plan evaluated.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PlanReport {
    /// Where the cases come from.
    pub source: String,
    /// Applicable cases.
    pub applicable: usize,
    /// Of those, automated.
    pub automated: usize,
    /// Of those, partly automated.
    pub partial: usize,
    /// Automated or partial cases with a check that did not pass.
    pub failing: usize,
    /// Automated or partial cases none of whose checks the run has (their suites did not run).
    pub not_run: usize,
    /// Every case.
    pub cases: Vec<CaseVerdict>,
}

impl PlanReport {
    /// Adds a case and counts it: applicable, automated or partial, failing, or not run.
    fn tally(&mut self, case: CaseVerdict, none_ran: bool) {
        if none_ran {
            self.not_run += 1;
        }
        if case.status != CaseStatus::NotApplicable {
            self.applicable += 1;
        }
        match case.status {
            CaseStatus::Automated => self.automated += 1,
            CaseStatus::Partial => self.partial += 1,
            _ => {}
        }
        if case.passing == Some(false) {
            self.failing += 1;
        }
        self.cases.push(case);
    }

    /// "QA plan: N of M applicable cases automated (K partly), all passing".
    pub fn line(&self) -> String {
        format!(
            "QA plan: {} of {} applicable cases automated ({} more partly), {}",
            self.automated,
            self.applicable,
            self.partial,
            match (self.failing, self.not_run) {
                (0, 0) => "all passing".to_string(),
                (0, n) => format!("all passing ({n} not run: their suites are not in the results)"),
                (f, 0) => format!("{f} failing"),
                (f, n) => format!("{f} failing ({n} not run)"),
            }
        )
    }
}

/// Evaluates the plan for a submission's features and authentication, for a SCIM version,
/// against a run's results when there are some (without, no check has a verdict).
pub fn evaluate(
    plan: &QaPlan,
    features: &[String],
    auth: &str,
    version: crate::ScimVersion,
    report: Option<&RunReport>,
) -> PlanReport {
    // Every check of the run by its `suite/check` key, once.
    let by_key: std::collections::HashMap<String, &crate::CheckResult> = report
        .iter()
        .flat_map(|r| r.suites.iter())
        .flat_map(|s| {
            s.checks
                .iter()
                .map(move |c| (format!("{}/{}", s.id, c.id), c))
        })
        .collect();
    let find = |key: &str| by_key.get(key).copied();
    let verdict = |key: &str| -> String {
        find(key).map_or("missing".into(), |c| c.outcome.label().to_string())
    };
    let passed = |key: &str| {
        find(key).is_some_and(|c| matches!(c.outcome, Outcome::Pass | Outcome::Warn { .. }))
    };
    let declared = |f: &String| {
        f.strip_prefix("auth:")
            .map_or_else(|| features.contains(f), |a| a == auth)
    };
    let mut out = PlanReport {
        source: plan.source.clone(),
        ..PlanReport::default()
    };
    for case in &plan.cases {
        let keys = if version == crate::ScimVersion::V11 {
            &case.checks_1_1
        } else {
            &case.checks_2_0
        };
        let applies = case.features.is_empty() || case.features.iter().any(declared);
        let status = match case.status {
            _ if !applies => CaseStatus::NotApplicable,
            CaseStatus::Automated | CaseStatus::Partial
                if keys.is_empty() && case.checks_2_0.len() + case.checks_1_1.len() > 0 =>
            {
                CaseStatus::Manual
            }
            other => other,
        };
        let checks: Vec<(String, String)> = if status == CaseStatus::NotApplicable {
            Vec::new()
        } else {
            keys.iter().map(|k| (k.clone(), verdict(k))).collect()
        };
        // Only the checks the run has judge the case; a case none of whose checks ran is
        // counted apart, not as failing.
        let present: Vec<&String> = if status == CaseStatus::NotApplicable {
            Vec::new()
        } else {
            keys.iter().filter(|k| find(k).is_some()).collect()
        };
        let passing = (!present.is_empty()).then(|| present.iter().all(|k| passed(k)));
        let none_ran = report.is_some() && present.is_empty() && !checks.is_empty();
        out.tally(
            CaseVerdict {
                id: case.id.clone(),
                title: case.title.clone(),
                status,
                checks,
                passing,
                by_hand: case.by_hand.clone(),
            },
            none_ran,
        );
    }
    out
}
