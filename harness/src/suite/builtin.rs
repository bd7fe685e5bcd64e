//! The built-in suites: the files in `specs/`, embedded at build time, and the lookup that
//! turns `--suite` arguments (a built-in id or a path to a suite file) into suites.

use crate::suite::load::parse_suite;
use crate::suite::{ScimVersion, SpecError, Suite};

/// Each built-in suite's file name and text, in the order `demo` runs them (the suites that
/// observe only their own resources next to each other: they run at once, beside the next
/// suite that reads beyond its own, `schedule::phases`).
/// The `oauth` suite (Okta's QA case C21902) is the one suite written in Rust
/// (`run::oauth_checks`: it drives an authorization server); its id and its checks' ids, in
/// its order, for selection and the QA plan.
pub const OAUTH_SUITE_ID: &str = "oauth";

/// The `oauth` suite's checks.
pub const OAUTH_CHECK_IDS: [&str; 4] = [
    "authorize-refuses-unregistered-redirect",
    "token-refuses-wrong-secret",
    "api-refuses-revoked-token",
    "api-refuses-expired-token",
];

const BUILTIN: &[(&str, &str)] = &[
    (
        "specs/okta-scim2-spec.toml",
        include_str!("../../../specs/okta-scim2-spec.toml"),
    ),
    (
        "specs/okta-scim2-crud.toml",
        include_str!("../../../specs/okta-scim2-crud.toml"),
    ),
    (
        "specs/okta-scim2-groups.toml",
        include_str!("../../../specs/okta-scim2-groups.toml"),
    ),
    (
        "specs/password-sync.toml",
        include_str!("../../../specs/password-sync.toml"),
    ),
    (
        "specs/rfc7644.toml",
        include_str!("../../../specs/rfc7644.toml"),
    ),
    (
        "specs/okta-entitlements.toml",
        include_str!("../../../specs/okta-entitlements.toml"),
    ),
    (
        "specs/profile-sourcing.toml",
        include_str!("../../../specs/profile-sourcing.toml"),
    ),
    (
        "specs/interop-profile.toml",
        include_str!("../../../specs/interop-profile.toml"),
    ),
    (
        "specs/cursor-pagination.toml",
        include_str!("../../../specs/cursor-pagination.toml"),
    ),
    (
        "specs/ipsie-al1.toml",
        include_str!("../../../specs/ipsie-al1.toml"),
    ),
    (
        "specs/ipsie-al2.toml",
        include_str!("../../../specs/ipsie-al2.toml"),
    ),
    (
        "specs/okta-scim11-spec.toml",
        include_str!("../../../specs/okta-scim11-spec.toml"),
    ),
    (
        "specs/okta-scim11-crud.toml",
        include_str!("../../../specs/okta-scim11-crud.toml"),
    ),
    (
        "specs/okta-scim11-groups.toml",
        include_str!("../../../specs/okta-scim11-groups.toml"),
    ),
    (
        "specs/scim11-auth.toml",
        include_str!("../../../specs/scim11-auth.toml"),
    ),
    (
        "specs/profile-sourcing-scim11.toml",
        include_str!("../../../specs/profile-sourcing-scim11.toml"),
    ),
];

/// Every built-in suite. The files are checked by a unit test, so a parse error here is a
/// packaging bug, reported like any other spec error.
pub fn builtin_suites() -> Result<Vec<Suite>, SpecError> {
    BUILTIN
        .iter()
        .map(|(file, text)| parse_suite(file, text))
        .collect()
}

/// Problems resolving `--suite` arguments.
#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    /// The argument is neither a built-in id nor a readable file.
    #[error("no built-in suite {0:?} and no such file (built-in suites: {1})")]
    Unknown(String, String),
    /// The file could not be read.
    #[error("suite file {0}: {1}")]
    Read(String, untrusted::files::ReadError),
    /// The file is not a valid suite.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// `--profile` names no profile.
    #[error("no profile {0:?} (profiles: {1})")]
    UnknownProfile(String, String),
    /// A suite builds on one that does not exist.
    #[error("suite {0:?} builds on {1:?}, which is not a built-in suite")]
    UnknownBase(String, String),
}

/// The profiles `--profile` names, and the suite that grades each (it brings the suites it
/// builds on).
pub const PROFILES: &[(&str, &str)] = &[
    ("interop", "interop-profile"),
    ("cursor", "cursor-pagination"),
    ("ipsie-al1", "ipsie-al1"),
    ("ipsie-al2", "ipsie-al2"),
];

/// The suites named by `--suite` arguments; when none are given, every built-in suite of the
/// SCIM version the run targets that grades no profile. An argument is a built-in id, or else
/// a path to a suite file. Each `--profile` adds its suite; a suite brings the suites it builds
/// on, before it, once.
pub fn select_suites(
    args: &[String],
    profiles: &[String],
    scim_version: ScimVersion,
) -> Result<Vec<Suite>, SelectError> {
    let builtins = builtin_suites()?;
    let mut named: Vec<Suite> = Vec::new();
    if args.is_empty() {
        named.extend(
            builtins
                .iter()
                .filter(|s| s.scim_version == scim_version && s.profile.is_none())
                .cloned(),
        );
    }
    for arg in args {
        if let Some(s) = builtins.iter().find(|s| s.id == *arg) {
            named.push(s.clone());
            continue;
        }
        let path = std::path::Path::new(arg);
        if !path.exists() {
            let ids: Vec<&str> = builtins.iter().map(|s| s.id.as_str()).collect();
            return Err(SelectError::Unknown(arg.clone(), ids.join(", ")));
        }
        let text = untrusted::files::read_text_capped(path, untrusted::files::SUITE_MAX_BYTES)
            .map_err(|e| SelectError::Read(arg.clone(), e))?;
        named.push(parse_suite(arg, &text)?);
    }
    for p in profiles {
        let Some((_, id)) = PROFILES.iter().find(|(name, id)| name == p || id == p) else {
            let names: Vec<&str> = PROFILES.iter().map(|(n, _)| *n).collect();
            return Err(SelectError::UnknownProfile(p.clone(), names.join(", ")));
        };
        named.extend(builtins.iter().find(|s| s.id == *id).cloned());
    }
    let mut out: Vec<Suite> = Vec::new();
    for suite in named {
        with_bases(suite, &builtins, &mut out)?;
    }
    Ok(out)
}

/// Adds a suite after the suites it builds on (each once).
fn with_bases(suite: Suite, builtins: &[Suite], out: &mut Vec<Suite>) -> Result<(), SelectError> {
    if out.iter().any(|s| s.id == suite.id) {
        return Ok(());
    }
    for base in &suite.builds_on {
        let Some(b) = builtins.iter().find(|s| s.id == *base) else {
            return Err(SelectError::UnknownBase(suite.id.clone(), base.clone()));
        };
        with_bases(b.clone(), builtins, out)?;
    }
    out.push(suite);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_suite_loads() {
        let suites = builtin_suites().unwrap();
        assert!(suites.iter().any(|s| s.id == "okta-scim2-spec"));
    }

    #[test]
    fn okta_spec_suite_has_oktas_twelve_steps() {
        let suites = builtin_suites().unwrap();
        let spec = suites.iter().find(|s| s.id == "okta-scim2-spec").unwrap();
        assert_eq!(spec.checks.len(), 12);
        let optional: Vec<&str> = spec
            .checks
            .iter()
            .filter(|c| c.level == crate::suite::Level::Optional)
            .map(|c| c.title.as_str())
            .collect();
        assert_eq!(optional, ["Verify Groups endpoint"]);
    }

    #[test]
    fn without_arguments_the_suites_of_the_version_run() {
        let ids = |v| -> Vec<String> {
            select_suites(&[], &[], v)
                .unwrap()
                .into_iter()
                .map(|s| s.id)
                .collect()
        };
        assert!(ids(ScimVersion::V2).contains(&"rfc7644".to_string()));
        assert!(
            !ids(ScimVersion::V2).contains(&"interop-profile".to_string()),
            "a profile runs only when it is named"
        );
        assert!(
            ids(ScimVersion::V11).iter().all(|id| id.contains("scim11")),
            "{:?}",
            ids(ScimVersion::V11)
        );
    }

    #[test]
    fn unknown_suite_lists_the_builtins() {
        let e = select_suites(&["nope".into()], &[], ScimVersion::V2)
            .unwrap_err()
            .to_string();
        assert!(e.contains("okta-scim2-spec"), "{e}");
    }
}

#[cfg(test)]
mod profile_tests {
    use super::*;

    #[test]
    fn a_profile_brings_its_bases_once_and_every_base_exists() {
        for suite in builtin_suites().unwrap() {
            let picked =
                select_suites(std::slice::from_ref(&suite.id), &[], suite.scim_version).unwrap();
            assert_eq!(picked.last().unwrap().id, suite.id);
            let mut ids: Vec<&str> = picked.iter().map(|s| s.id.as_str()).collect();
            ids.dedup();
            assert_eq!(ids.len(), picked.len());
        }
        for (name, id) in PROFILES {
            let picked = select_suites(&[], &[name.to_string()], ScimVersion::V2).unwrap();
            assert!(picked.iter().any(|s| s.id == *id), "{name}");
            assert!(
                picked.iter().any(|s| s.id == "rfc7644"),
                "beside the default suites"
            );
        }
        assert!(select_suites(&[], &["nope".into()], ScimVersion::V2).is_err());
    }
}
