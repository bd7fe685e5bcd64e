//! The OIN submission packager: validates a `submission.toml` against the OIN form's rules
//! ([`rules`]), reads the recorded results back and checks that they support the submission
//! ([`results`]), and writes a deterministic, verifiable review bundle ([`bundle`]). No HTTP:
//! everything here works offline, so a reviewer can verify a bundle anywhere.
#![warn(missing_docs)]

pub mod bundle;
pub mod files;
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

use crate::manifest::{Manifest, Run, SuiteLine};
use crate::results::{required_suites, requirement_problems};
use crate::rules::Completeness;
use crate::submission::Submission;
use scim_results::{Outcome, RunReport};

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
    /// The submission date the review timeline counts from.
    pub submission_date: NaiveDate,
    /// "Now", for the age rule.
    pub now: DateTime<Utc>,
    /// The packaging tool's version (recorded in the manifest).
    pub tool_version: String,
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
    let completeness = rules::check(&s, o.env);
    let files = results::read_dir(&o.results)?;
    let results_problems = requirement_problems(&s, &files.results, Some(o.max_age_days), o.now);
    let ready = completeness.complete() && results_problems.is_empty();
    if !ready && !o.draft {
        return Ok(Packaged {
            completeness,
            results_problems,
            bundle: None,
        });
    }
    let mut bundle: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    bundle.insert("results/junit.xml".into(), files.junit);
    bundle.insert("results/results.json".into(), files.json);
    if let Some(report) = files.report {
        // The run's own report, with every request and response, as the harness wrote it.
        bundle.insert("results/report.html".into(), report);
    }
    bundle.insert(
        "submission.json".into(),
        serde_json::to_vec_pretty(&s).expect("a submission serialises"),
    );
    if let Some((name, bytes)) = logo_file(&s) {
        bundle.insert(name, bytes);
    }
    if let Some((name, bytes)) = guide_file(&s) {
        bundle.insert(name, bytes);
    }
    let mut manifest = manifest_for(
        &s,
        &completeness,
        &files.results,
        &results_problems,
        o,
        !ready,
    );
    // Every file but SHA256SUMS, the report and the manifest included.
    manifest.files = bundle
        .keys()
        .cloned()
        .chain(["manifest.json".into(), "report.html".into()])
        .collect();
    manifest.files.sort();
    let report = html::render(
        &s,
        &completeness,
        &files.results,
        &manifest,
        &results_problems,
    );
    bundle.insert("report.html".into(), report.into_bytes());
    bundle.insert(
        "manifest.json".into(),
        serde_json::to_vec_pretty(&manifest).expect("a manifest serialises"),
    );
    Ok(Packaged {
        completeness,
        results_problems,
        bundle: Some(bundle::write_tar_gz(&bundle)?),
    })
}

fn logo_file(s: &Submission) -> Option<(String, Vec<u8>)> {
    if s.app.logo.is_empty() {
        return None;
    }
    let bytes = files::read_capped(&s.base_dir.join(&s.app.logo), rules::LOGO_MAX_BYTES).ok()?;
    let kind = rules::image_kind(&bytes)?;
    ((bytes.len() as u64) < rules::LOGO_MAX_BYTES).then(|| (format!("logo.{kind}"), bytes))
}

fn guide_file(s: &Submission) -> Option<(String, Vec<u8>)> {
    let g = &s.scim.config_guide;
    if g.is_empty() || g.starts_with("https://") {
        return None;
    }
    let bytes = files::read_capped(&s.base_dir.join(g), files::GUIDE_MAX_BYTES).ok()?;
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

/// Where the manifest disagrees with what the bundle's own submission and results say.
fn manifest_disagreements(m: &Manifest, s: &Submission, r: &RunReport) -> Vec<String> {
    let kind = if s.app.exists_in_oin { "update" } else { "new" };
    let required: Vec<String> = required_suites(s).iter().map(|x| x.to_string()).collect();
    let fields = [
        ("form", m.form == s.form.as_str()),
        ("kind", m.kind == kind),
        ("base_url", m.base_url == s.scim.base_url),
        ("scim_version", m.scim_version == s.scim.version),
        ("run", m.run == run_of(r)),
        ("required_suites", m.required_suites == required),
    ];
    fields
        .into_iter()
        .filter(|(_, agrees)| !agrees)
        .map(|(field, _)| {
            format!(
                "manifest.json: {field} disagrees with the bundle's submission.json and results"
            )
        })
        .collect()
}

fn manifest_for(
    s: &Submission,
    c: &Completeness,
    r: &RunReport,
    problems: &[String],
    o: &PackageOptions<'_>,
    draft: bool,
) -> Manifest {
    Manifest {
        format_version: 1,
        tool_version: o.tool_version.clone(),
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
        timeline: timeline::timeline(o.submission_date),
        files: Vec::new(),
    }
}

/// What `verify` found.
pub struct Verified {
    /// Every problem (empty: the bundle is intact and review-ready, or an intact draft).
    pub problems: Vec<String>,
    /// The manifest, when it could be read.
    pub manifest: Option<Manifest>,
}

/// Re-checks a bundle: hashes, structure, the results (JUnit against JSON, and the
/// requirements of the bundled submission), and, unless it is a draft, its completeness.
pub fn verify(path: &Path) -> Verified {
    let bytes = match files::read_capped(path, files::BUNDLE_MAX_BYTES) {
        Ok(b) => b,
        Err(e) => {
            return Verified {
                problems: vec![format!("cannot read {}: {e}", path.display())],
                manifest: None,
            };
        }
    };
    let files = match bundle::read_tar_gz(&bytes) {
        Ok(f) => f,
        Err(e) => {
            return Verified {
                problems: vec![format!("{}: {e}", path.display())],
                manifest: None,
            };
        }
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
    let submission: Option<Submission> =
        files
            .get("submission.json")
            .and_then(|s| match serde_json::from_slice(s) {
                Ok(s) => Some(s),
                Err(e) => {
                    problems.push(format!("submission.json: {e}"));
                    None
                }
            });
    if let (Some(json), Some(junit)) = (
        files.get("results/results.json"),
        files.get("results/junit.xml"),
    ) {
        match results::parse_pair(
            json,
            junit,
            Path::new("results/results.json"),
            Path::new("results/junit.xml"),
        ) {
            Err(e) => problems.push(e.to_string()),
            Ok(r) => {
                if let (Some(s), Some(m)) = (&submission, &manifest) {
                    problems.extend(manifest_disagreements(m, s, &r));
                    let found = requirement_problems(s, &r, None, Utc::now());
                    if !m.draft {
                        problems.extend(found);
                    } else if found != m.results_problems {
                        problems.push(
                            "the manifest's results problems differ from the bundled results"
                                .into(),
                        );
                    }
                }
            }
        }
    }
    if let Some(m) = &manifest {
        if !m.draft && (!m.complete || m.completeness != 100) {
            problems.push(format!(
                "the bundle is not marked DRAFT but the submission is {}% complete",
                m.completeness
            ));
        }
        let mut listed: Vec<&String> = m.files.iter().collect();
        listed.sort();
        let present: Vec<&String> = files.keys().filter(|k| *k != bundle::SUMS).collect();
        if listed != present {
            problems.push("the manifest's file list differs from the bundle's files".into());
        }
    }
    Verified { problems, manifest }
}
