//! The OIN submission packager: validates a `submission.toml` against the OIN form's rules
//! ([`rules`]), reads the recorded results back and checks that they support the submission
//! ([`results`]), and writes a deterministic, verifiable review bundle ([`bundle`]). No HTTP:
//! everything here works offline, so a reviewer can verify a bundle anywhere.
#![warn(missing_docs)]

pub mod bundle;
pub mod fields;

pub mod html;
pub mod manifest;
pub mod results;
pub mod rules;
pub mod submission;
pub mod template;
pub mod timeline;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use crate::manifest::{Manifest, Packaging, Run, SuiteLine};
use crate::results::{required_suites, requirement_problems};
use crate::rules::Completeness;
use crate::submission::Submission;
use scim_results::{Outcome, PlanReport, QaPlan, RunReport};

/// What `package` needs.
pub struct PackageOptions<'a> {
    /// Whether an environment variable is set (secrets are named, never read).
    pub env: &'a dyn Fn(&str) -> bool,
    /// The submission file.
    pub submission: PathBuf,
    /// The results folder (junit.xml and results.json).
    pub results: PathBuf,
    /// Write a bundle marked DRAFT even when the submission is incomplete.
    pub draft: bool,
    /// The oldest results accepted, in days.
    pub max_age_days: i64,
    /// The submission date: the review timeline counts from it, and the results' age is
    /// measured at its end.
    pub submission_date: NaiveDate,
    /// The packaging tool's version (recorded in the manifest).
    pub tool_version: String,
    /// Okta's QA plan mapped onto the checks (evaluated into qa-plan.json).
    pub qa_plan: &'a QaPlan,
}

/// The outcome of packaging: the form's completeness, the results' problems, and the bundle
/// bytes when one was written.
pub struct Packaged {
    /// The progress indicator.
    pub completeness: Completeness,
    /// Why the results do not support the submission.
    pub results_problems: Vec<String>,
    /// The bundle (None: not review-ready and not a draft).
    pub bundle: Option<Vec<u8>>,
    /// Okta's QA plan for this submission and run.
    pub qa_plan: PlanReport,
}

impl Packaged {
    /// Whether the submission is review-ready.
    pub fn ready(&self) -> bool {
        self.completeness.complete() && self.results_problems.is_empty()
    }
}

/// Input that cannot be used at all (as opposed to a submission that breaks a rule).
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// The submission file.
    #[error(transparent)]
    Submission(#[from] submission::LoadError),
    /// The results folder.
    #[error(transparent)]
    Results(#[from] results::ResultsError),
    /// Writing the archive.
    #[error("cannot build the bundle: {0}")]
    Io(#[from] std::io::Error),
}

/// Validates, cross-checks and (when ready, or as a draft) builds the bundle.
pub fn package(o: &PackageOptions<'_>) -> Result<Packaged, PackageError> {
    let s = submission::load(&o.submission)?;
    // The environment is asked about names only; which were missing is recorded so that
    // `verify` can judge the same way later.
    let missing = std::cell::RefCell::new(Vec::<String>::new());
    let env = |name: &str| {
        let set = (o.env)(name);
        if !set && !missing.borrow().iter().any(|m| m == name) {
            missing.borrow_mut().push(name.to_string());
        }
        set
    };
    let completeness = rules::check(&s, &env);
    let packaging = Packaging {
        submission_date: o.submission_date.format("%Y-%m-%d").to_string(),
        max_age_days: o.max_age_days,
        env_missing: missing.into_inner(),
    };
    let files = results::read_dir(&o.results)?;
    let results_problems = requirement_problems(
        &s,
        &files.results,
        Some(o.max_age_days),
        as_of(o.submission_date),
    );
    let qa_plan = plan_for(o.qa_plan, &s, &files.results);
    let ready = completeness.complete() && results_problems.is_empty();
    if !ready && !o.draft {
        return Ok(Packaged {
            completeness,
            results_problems,
            bundle: None,
            qa_plan,
        });
    }
    let bundle = derive(&Derivation {
        submission: &s,
        completeness: &completeness,
        results: &files,
        results_problems: &results_problems,
        packaging,
        tool_version: &o.tool_version,
        qa_plan: &qa_plan,
    });
    Ok(Packaged {
        completeness,
        results_problems,
        bundle: Some(bundle::write_tar_gz(&bundle)?),
        qa_plan,
    })
}

/// Okta's QA plan for a submission, judged by its run (whose SCIM version picks the checks).
fn plan_for(plan: &QaPlan, s: &Submission, r: &RunReport) -> PlanReport {
    let version = r.scim_version.as_ref().map_or_else(
        || {
            scim_results::ScimVersion::parse(&s.scim.version)
                .unwrap_or(scim_results::ScimVersion::V2)
        },
        |v| v.version,
    );
    scim_results::evaluate(plan, &s.scim.features, &s.scim.auth, version, Some(r))
}

/// The moment the results' age is measured at: the end of the submission date.
fn as_of(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(23, 59, 59)
        .map(|t| t.and_utc())
        .unwrap_or_default()
}

/// Everything a bundle is made of.
struct Derivation<'a> {
    submission: &'a Submission,
    completeness: &'a Completeness,
    results: &'a results::ResultFiles,
    results_problems: &'a [String],
    packaging: Packaging,
    tool_version: &'a str,
    qa_plan: &'a PlanReport,
}

/// The bundle's files (but SHA256SUMS): the inputs as given, and the files derived from them.
/// `package` writes them; `verify` derives them again from a bundle's inputs and compares.
fn derive(d: &Derivation<'_>) -> BTreeMap<String, Vec<u8>> {
    let s = d.submission;
    let mut bundle: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    bundle.insert(INPUT_SUBMISSION.into(), s.text.clone().into_bytes());
    bundle.insert(RESULTS_JUNIT.into(), d.results.junit.clone());
    bundle.insert(RESULTS_JSON.into(), d.results.json.clone());
    if let Some(report) = &d.results.report {
        // The run's own report, with every request and response, as the harness wrote it.
        bundle.insert(RESULTS_REPORT.into(), report.clone());
    }
    bundle.insert(
        "submission.json".into(),
        serde_json::to_vec_pretty(s).expect("a submission serialises"),
    );
    if let Some((name, bytes)) = logo_file(s) {
        bundle.insert(name, bytes);
    }
    if let Some((name, bytes)) = guide_file(s) {
        bundle.insert(name, bytes);
    }
    bundle.insert(
        "qa-plan.json".into(),
        serde_json::to_vec_pretty(d.qa_plan).expect("a plan report serialises"),
    );
    let draft = !(d.completeness.complete() && d.results_problems.is_empty());
    let mut manifest = manifest_for(
        s,
        d.completeness,
        &d.results.results,
        d.results_problems,
        d.tool_version,
        d.packaging.clone(),
        draft,
    );
    // Every file but SHA256SUMS, the report and the manifest included.
    manifest.files = bundle
        .keys()
        .cloned()
        .chain(["manifest.json".into(), "report.html".into()])
        .collect();
    manifest.files.sort();
    let report = html::render(
        s,
        d.completeness,
        &d.results.results,
        &manifest,
        d.results_problems,
        d.qa_plan,
    );
    bundle.insert("report.html".into(), report.into_bytes());
    bundle.insert(
        "manifest.json".into(),
        serde_json::to_vec_pretty(&manifest).expect("a manifest serialises"),
    );
    bundle
}

/// The submission file as the ISV wrote it.
const INPUT_SUBMISSION: &str = "inputs/submission.toml";
const RESULTS_JUNIT: &str = "results/junit.xml";
const RESULTS_JSON: &str = "results/results.json";
const RESULTS_REPORT: &str = "results/report.html";

fn logo_file(s: &Submission) -> Option<(String, Vec<u8>)> {
    if s.app.logo.is_empty() {
        return None;
    }
    let bytes = s.read_input(&s.app.logo, fields::LOGO_MAX_BYTES).ok()?;
    let kind = fields::image_kind(&bytes)?;
    ((bytes.len() as u64) < fields::LOGO_MAX_BYTES).then(|| (format!("logo.{kind}"), bytes))
}

fn guide_file(s: &Submission) -> Option<(String, Vec<u8>)> {
    let g = &s.scim.config_guide;
    if g.is_empty() || g.starts_with("https://") {
        return None;
    }
    let bytes = s.read_input(g, untrusted::files::GUIDE_MAX_BYTES).ok()?;
    let ext = if bytes.starts_with(b"%PDF") {
        "pdf"
    } else {
        "html"
    };
    Some((format!("config-guide.{ext}"), bytes))
}

/// The manifest's account of the run, derived from the results alone.
fn run_of(r: &RunReport) -> Run {
    Run {
        run_id: r.run_id.clone(),
        started_at: r.started_at.to_rfc3339(),
        duration_ms: r.duration_ms,
        harness_version: r.tool.version.clone(),
        suites: r
            .suites
            .iter()
            .map(|x| {
                let passed = x
                    .checks
                    .iter()
                    .filter(|c| matches!(c.outcome, Outcome::Pass | Outcome::Warn { .. }))
                    .count();
                SuiteLine {
                    id: x.id.clone(),
                    version: x.version.clone(),
                    checks: x.checks.len(),
                    passed,
                    not_passed: x.checks.len() - passed,
                }
            })
            .collect(),
    }
}

fn manifest_for(
    s: &Submission,
    c: &Completeness,
    r: &RunReport,
    problems: &[String],
    tool_version: &str,
    packaging: Packaging,
    draft: bool,
) -> Manifest {
    let submitted =
        NaiveDate::parse_from_str(&packaging.submission_date, "%Y-%m-%d").unwrap_or_default();
    Manifest {
        format_version: 1,
        tool_version: tool_version.to_string(),
        draft,
        form: s.form.as_str().into(),
        kind: if s.app.exists_in_oin { "update" } else { "new" }.into(),
        completeness: c.percent,
        complete: c.complete(),
        findings: c
            .sections
            .iter()
            .flat_map(|sec| {
                sec.findings.iter().filter(|f| f.blocking).map(move |f| {
                    format!("{}: {}: {} ({})", sec.name, f.field, f.message, f.guideline)
                })
            })
            .collect(),
        base_url: s.scim.base_url.clone(),
        scim_version: s.scim.version.clone(),
        run: run_of(r),
        required_suites: required_suites(s).iter().map(|x| x.to_string()).collect(),
        results_problems: problems.to_vec(),
        timeline: timeline::timeline(submitted),
        files: Vec::new(),
        packaging,
    }
}

/// What a bundle is, as `verify` finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleStatus {
    /// Intact, complete, and its results support the submission.
    ReviewReady,
    /// Intact, and marked DRAFT: why it is not review-ready.
    Draft(Vec<String>),
    /// Not what `package` made of its own inputs, or unreadable: the problems.
    Invalid(Vec<String>),
}

/// What `verify` found.
pub struct Verified {
    /// The bundle's status.
    pub status: BundleStatus,
    /// The manifest, when it could be read.
    pub manifest: Option<Manifest>,
    /// The required checks of the bundled results that failed (`suite/check`).
    pub failed_required: Vec<String>,
}

/// Re-checks a bundle: its hashes, then every derived file (manifest, report, submission.json)
/// derived again from the bundled inputs (the submission file, logo, guide) and results and
/// compared byte for byte, so that a doctored file is caught even with its sums recomputed;
/// then the status it claims.
pub fn verify(path: &Path, plan: &QaPlan) -> Verified {
    let invalid = |problems: Vec<String>| Verified {
        status: BundleStatus::Invalid(problems),
        manifest: None,
        failed_required: Vec::new(),
    };
    let files = match read_bundle(path) {
        Ok(f) => f,
        Err(e) => return invalid(vec![e]),
    };
    let mut problems = bundle::check_sums(&files);
    let manifest: Option<Manifest> =
        files
            .get("manifest.json")
            .and_then(|m| match serde_json::from_slice(m) {
                Ok(m) => Some(m),
                Err(e) => {
                    problems.push(format!("manifest.json: {e}"));
                    None
                }
            });
    let mut failed_required = Vec::new();
    match (&manifest, rederive(&files, manifest.as_ref(), plan)) {
        (_, Err(e)) => problems.push(e),
        (None, Ok(_)) => {}
        (Some(m), Ok((derived, results))) => {
            failed_required = results
                .keys(scim_results::CheckResult::fails_run)
                .into_iter()
                .collect();
            for (name, bytes) in &derived {
                match files.get(name) {
                    None => problems.push(format!("{name} is missing")),
                    Some(b) if b != bytes => problems.push(format!(
                        "{name} is not what the bundle's inputs and results give: it was changed after packaging"
                    )),
                    Some(_) => {}
                }
            }
            for name in files.keys() {
                if name != bundle::SUMS && !derived.contains_key(name) {
                    problems.push(format!("{name} is not a file package writes"));
                }
            }
            if problems.is_empty() && m.draft {
                let mut reasons = m.findings.clone();
                reasons.extend(m.results_problems.iter().cloned());
                return Verified {
                    status: BundleStatus::Draft(reasons),
                    manifest: manifest.clone(),
                    failed_required,
                };
            }
        }
    }
    Verified {
        status: if problems.is_empty() {
            BundleStatus::ReviewReady
        } else {
            BundleStatus::Invalid(problems)
        },
        manifest,
        failed_required,
    }
}

/// The files `package` makes of a bundle's inputs and results, and the results.
fn rederive(
    files: &BTreeMap<String, Vec<u8>>,
    manifest: Option<&Manifest>,
    plan: &QaPlan,
) -> Result<(BTreeMap<String, Vec<u8>>, RunReport), String> {
    let m = manifest.ok_or("manifest.json is missing or unreadable")?;
    let ours = env!("CARGO_PKG_VERSION");
    if m.tool_version != ours {
        return Err(format!(
            "packaged by scimcheck {}, and this is {ours}: the derived files can only be derived again by the same version",
            m.tool_version
        ));
    }
    let text = files
        .get(INPUT_SUBMISSION)
        .ok_or(format!("{INPUT_SUBMISSION} is missing"))?;
    let text = std::str::from_utf8(text).map_err(|_| format!("{INPUT_SUBMISSION} is not UTF-8"))?;
    let mut s = submission::parse(INPUT_SUBMISSION, text).map_err(|e| e.to_string())?;
    // The logo and the guide as the submission names them, from the bundle.
    let bundled = |prefix: &str| {
        files
            .iter()
            .find(|(k, _)| k.starts_with(prefix) && !k.contains('/'))
            .map(|(_, v)| v.clone())
    };
    let mut inputs = BTreeMap::new();
    if let Some(logo) = bundled("logo.") {
        inputs.insert(s.app.logo.clone(), logo);
    }
    if let Some(guide) = bundled("config-guide.") {
        inputs.insert(s.scim.config_guide.clone(), guide);
    }
    s.inputs = Some(std::sync::Arc::new(inputs));
    let (json, junit) = match (files.get(RESULTS_JSON), files.get(RESULTS_JUNIT)) {
        (Some(j), Some(x)) => (j.clone(), x.clone()),
        _ => return Err(format!("{RESULTS_JSON} or {RESULTS_JUNIT} is missing")),
    };
    let results = results::parse_pair(
        &json,
        &junit,
        Path::new(RESULTS_JSON),
        Path::new(RESULTS_JUNIT),
    )
    .map_err(|e| e.to_string())?;
    let result_files = results::ResultFiles {
        json,
        junit,
        results: results.clone(),
        report: files.get(RESULTS_REPORT).cloned(),
    };
    let missing = &m.packaging.env_missing;
    let completeness = rules::check(&s, &|name: &str| !missing.iter().any(|n| n == name));
    let submitted = NaiveDate::parse_from_str(&m.packaging.submission_date, "%Y-%m-%d")
        .map_err(|_| "manifest.json: packaging.submission_date is not a date".to_string())?;
    let results_problems = requirement_problems(
        &s,
        &results,
        Some(m.packaging.max_age_days),
        as_of(submitted),
    );
    let qa_plan = plan_for(plan, &s, &results);
    let derived = derive(&Derivation {
        submission: &s,
        completeness: &completeness,
        results: &result_files,
        results_problems: &results_problems,
        packaging: m.packaging.clone(),
        tool_version: ours,
        qa_plan: &qa_plan,
    });
    Ok((derived, results))
}

/// A bundle's files, read within the size limits.
fn read_bundle(path: &Path) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let bytes = untrusted::files::read_capped(path, untrusted::files::BUNDLE_MAX_BYTES)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    bundle::read_tar_gz(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// The run and the submission a bundle holds, for `rerun`: read only from a bundle that
/// [`verify`] does not call INVALID (sums can be recomputed by anyone; the derived files
/// cannot be doctored without showing).
pub fn bundled_run(path: &Path, plan: &QaPlan) -> Result<(RunReport, Submission), String> {
    if let BundleStatus::Invalid(problems) = verify(path, plan).status {
        return Err(format!(
            "{} is INVALID ({}), so it is not rerun: {}",
            path.display(),
            scim_results::count(problems.len(), "problem"),
            problems.join("; ")
        ));
    }
    let files = read_bundle(path)?;
    let json = files
        .get(RESULTS_JSON)
        .ok_or(format!("{RESULTS_JSON} is missing"))?;
    let results: RunReport =
        serde_json::from_slice(json).map_err(|e| format!("{RESULTS_JSON}: {e}"))?;
    let text = files
        .get(INPUT_SUBMISSION)
        .ok_or(format!("{INPUT_SUBMISSION} is missing"))?;
    let text = std::str::from_utf8(text).map_err(|_| format!("{INPUT_SUBMISSION} is not UTF-8"))?;
    let submission = submission::parse(INPUT_SUBMISSION, text).map_err(|e| e.to_string())?;
    Ok((results, submission))
}
