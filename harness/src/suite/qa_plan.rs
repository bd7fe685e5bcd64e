//! `specs/qa-plan.toml`, Okta's manual QA plan mapped case by case onto the checks, read and
//! resolved against the built-in suites: `spec/`, `crud/`, `groups/`, `sourcing/` and `auth/`
//! name the suite of each SCIM version; every reference must name a check that exists.

use serde::Deserialize;

use crate::suite::Suite;
use crate::suite::builtin::{OAUTH_CHECK_IDS, OAUTH_SUITE_ID, builtin_suites};
use scim_results::{CaseStatus, PlanCase, QaPlan};

const FILE: &str = "specs/qa-plan.toml";
const TEXT: &str = include_str!("../../../specs/qa-plan.toml");

/// The suite an alias names, for SCIM 2.0 and 1.1.
const ALIASES: &[(&str, &str, &str)] = &[
    ("spec", "okta-scim2-spec", "okta-scim11-spec"),
    ("crud", "okta-scim2-crud", "okta-scim11-crud"),
    ("groups", "okta-scim2-groups", "okta-scim11-groups"),
    ("sourcing", "profile-sourcing", "profile-sourcing-scim11"),
    ("auth", "rfc7644", "scim11-auth"),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    format: u32,
    case: Vec<RawCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    id: String,
    title: String,
    status: CaseStatus,
    #[serde(default)]
    features: Vec<String>,
    #[serde(default)]
    checks: Vec<String>,
    by_hand: Option<String>,
}

/// The built-in plan, resolved.
pub fn builtin() -> Result<QaPlan, String> {
    parse(FILE, TEXT, &builtin_suites().map_err(|e| e.to_string())?)
}

/// Reads a plan and resolves its references against these suites.
pub fn parse(file: &str, text: &str, suites: &[Suite]) -> Result<QaPlan, String> {
    let raw: RawPlan = toml::from_str(text).map_err(|e| format!("{file}: {}", e.message()))?;
    if raw.format != 1 {
        return Err(format!("{file}: format {} is not 1", raw.format));
    }
    let has = |suite: &str, check: &str| {
        (suite == OAUTH_SUITE_ID && OAUTH_CHECK_IDS.contains(&check))
            || suites
                .iter()
                .any(|s| s.id == suite && s.checks.iter().any(|c| c.id == check))
    };
    let version_of = |suite: &str| {
        suites
            .iter()
            .find(|s| s.id == suite)
            .map_or("2.0", |s| s.scim_version.as_str())
    };
    let mut cases = Vec::new();
    for c in raw.case {
        let (mut v2, mut v11) = (Vec::new(), Vec::new());
        for reference in &c.checks {
            let (suite, check) = reference.split_once('/').ok_or_else(|| {
                format!("{file}: case {}: {reference:?} is not suite/check", c.id)
            })?;
            let candidates: Vec<(&str, bool)> = match ALIASES.iter().find(|(a, _, _)| *a == suite) {
                Some((_, two, eleven)) => vec![(two, true), (eleven, false)],
                None if suite == OAUTH_SUITE_ID => {
                    vec![(suite, true), (suite, false)]
                }
                None => vec![(suite, version_of(suite) == "2.0")],
            };
            let mut found = false;
            for (s, is_2_0) in candidates {
                if has(s, check) {
                    found = true;
                    let key = format!("{s}/{check}");
                    if is_2_0 { v2.push(key) } else { v11.push(key) }
                }
            }
            if !found {
                return Err(format!(
                    "{file}: case {}: {reference} names no check of the built-in suites",
                    c.id
                ));
            }
        }
        if c.status == CaseStatus::Automated && c.checks.is_empty() {
            return Err(format!(
                "{file}: case {} is automated but names no check",
                c.id
            ));
        }
        if c.status != CaseStatus::Automated && c.by_hand.is_none() {
            return Err(format!(
                "{file}: case {} must say what is done by hand (by_hand)",
                c.id
            ));
        }
        cases.push(PlanCase {
            id: c.id,
            title: c.title,
            status: c.status,
            features: c.features,
            checks_2_0: v2,
            checks_1_1: v11,
            by_hand: c.by_hand,
        });
    }
    Ok(QaPlan {
        source: "Okta SCIM QA test plan v2 (C-numbers are Okta's)".into(),
        cases,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_of_the_plan_resolves_to_existing_checks() {
        let plan = builtin().unwrap();
        assert_eq!(plan.cases.len(), 61);
        let c9290 = plan.cases.iter().find(|c| c.id == "C9290").unwrap();
        assert!(
            c9290
                .checks_2_0
                .contains(&"okta-scim2-crud/create-user".to_string())
        );
        assert!(
            c9290
                .checks_1_1
                .contains(&"okta-scim11-crud/create-user".to_string())
        );
    }

    #[test]
    fn a_reference_to_no_check_is_refused() {
        let suites = builtin_suites().unwrap();
        let text = "format = 1\n[[case]]\nid = \"C1\"\ntitle = \"t\"\nstatus = \"automated\"\nchecks = [\"crud/no-such-check\"]\n";
        let e = parse("p.toml", text, &suites).unwrap_err();
        assert!(e.contains("crud/no-such-check names no check"), "{e}");
    }
}
