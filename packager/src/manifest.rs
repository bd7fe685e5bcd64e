//! `manifest.json`, the bundle's table of contents: what was submitted (form, new or update,
//! completeness), what was tested (target, SCIM version, run, suites and their versions), the
//! expected review timeline, and the files. It holds no time of packaging, so the same inputs
//! give the same bytes; what packaging took besides the bundled files is recorded in
//! [`Packaging`], so that `verify` derives every derived file again and compares.

use serde::{Deserialize, Serialize};

use crate::timeline::Timeline;

/// The manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Shape version.
    pub format_version: u32,
    /// scimcheck's version that packaged it.
    pub tool_version: String,
    /// A draft is not review-ready.
    pub draft: bool,
    /// "oin-manager" or "oin-wizard".
    pub form: String,
    /// "new" or "update".
    pub kind: String,
    /// The form's progress indicator, 0-100.
    pub completeness: u32,
    /// Whether every required field is filled in and valid.
    pub complete: bool,
    /// What keeps the form from 100%.
    pub findings: Vec<String>,
    /// Declared base URL.
    pub base_url: String,
    /// Declared SCIM version.
    pub scim_version: String,
    /// The run the results come from.
    pub run: Run,
    /// The suites the declared features need.
    pub required_suites: Vec<String>,
    /// Why the results do not support the submission (empty when they do).
    pub results_problems: Vec<String>,
    /// Expected review phases.
    pub timeline: Timeline,
    /// Every file of the bundle but SHA256SUMS.
    pub files: Vec<String>,
    /// The packaging's inputs that are not files.
    #[serde(default)]
    pub packaging: Packaging,
}

/// What `package` was given besides the files it bundles.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Packaging {
    /// The submission date (YYYY-MM-DD): the timeline counts from it, and the results' age
    /// is measured at it.
    pub submission_date: String,
    /// The oldest results accepted, in days.
    pub max_age_days: i64,
    /// The environment variables the submission names that were not set (the secrets
    /// themselves are never read).
    pub env_missing: Vec<String>,
}

/// The run behind the results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// Run id.
    pub run_id: String,
    /// Start (RFC 3339).
    pub started_at: String,
    /// Wall time.
    pub duration_ms: u64,
    /// The harness version that ran it.
    pub harness_version: String,
    /// Suites run, with their content versions and counts.
    pub suites: Vec<SuiteLine>,
}

/// One suite of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuiteLine {
    /// Suite id.
    pub id: String,
    /// Suite content version.
    pub version: String,
    /// Checks.
    pub checks: usize,
    /// Passed (warnings included).
    pub passed: usize,
    /// Not passed.
    pub not_passed: usize,
}
