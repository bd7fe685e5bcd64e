//! The results of a scimcheck run as plain data: the model the harness fills, every reporter
//! renders, `results.json` serialises, and the packager reads back and bundles. A crate of its
//! own, at the bottom, so that the harness and the packager share one definition of it (as
//! cargo-nextest does with nextest-metadata) without the packager depending on HTTP.
#![warn(missing_docs)]

use serde::{Deserialize, Serialize};

mod diff;
mod exchange;
pub mod html;
mod kinds;
mod plan;
mod report;
mod scorecard;

pub use diff::*;
pub use exchange::*;
pub use kinds::*;
pub use plan::*;
pub use report::*;
pub use scorecard::*;

/// Whether a failing check fails the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A failure fails the run.
    Required,
    /// Reported, never fails the run.
    Optional,
}

impl Level {
    /// The lowercase name used in every report.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Required => "required",
            Level::Optional => "optional",
        }
    }
}

/// The requirement keyword of RFC 2119 a check or an assertion rests on. A MUST violation
/// fails; a SHOULD or MAY violation is a warning unless the run is strict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Keyword {
    /// An absolute requirement.
    #[serde(rename = "MUST")]
    Must,
    /// A recommendation.
    #[serde(rename = "SHOULD")]
    Should,
    /// An option.
    #[serde(rename = "MAY")]
    May,
}

impl Keyword {
    /// "MUST", "SHOULD" or "MAY".
    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::Must => "MUST",
            Keyword::Should => "SHOULD",
            Keyword::May => "MAY",
        }
    }
}

/// One assertion that did not hold.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Mismatch {
    /// The assertion in words (`json Resources[0].id not_empty`).
    pub assertion: String,
    /// What was expected.
    pub expected: String,
    /// What came back.
    pub actual: String,
    /// How to fix the usual cause, if the suite gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The RFC keyword of the rule broken (none in parity suites: every failure fails).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyword: Option<Keyword>,
}

/// The SCIM version a run targets, and why.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VersionChoice {
    /// The version.
    pub version: ScimVersion,
    /// "detected" (from the probes) or "declared" (by the user).
    pub how: String,
    /// What decided it, in words.
    pub evidence: Vec<String>,
    /// The probes sent, secrets removed.
    pub exchanges: Vec<Exchange>,
}

impl VersionChoice {
    /// A version the user declared (`--scim-version`): no probe is sent.
    pub fn declared(version: ScimVersion) -> Self {
        VersionChoice {
            version,
            how: "declared".into(),
            evidence: vec![format!("--scim-version {version}")],
            exchanges: Vec::new(),
        }
    }
}

/// A root cause and the checks it explains.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Diagnosis {
    /// Stable id of the rule (`filter-ignored`, …).
    pub id: String,
    /// The cause, in words.
    pub cause: String,
    /// The RFC section or Okta reference that decides it.
    pub reference: String,
    /// `suite/check` ids of the checks it explains.
    pub explains: Vec<String>,
    /// What to change in the app, in one line (empty in results written before it existed).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fix: String,
}
