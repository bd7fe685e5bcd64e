//! Fault switches: each reproduces one real-world bug class of SCIM servers, so that every
//! check of the harness can be shown to catch what it claims to catch.
//!
//! A fault is named on the command line (`scimcheck serve --fault filter-ignored`); faults
//! that take a number are written `name=N` (`latency=700`, `error-every=9`).

use std::collections::BTreeSet;
use std::fmt;

/// One fault switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    /// Responses are typed `application/json` (allowed by RFC 7644 §3.1, a warning at most).
    JsonContentType,
    /// No Location header on 201.
    NoLocation,
    /// Error bodies are `{"error": "..."}` instead of the SCIM Error schema.
    ErrorBodiesNotScim,
    /// `meta` is missing from resources.
    MetaMissing,
    /// The `filter` parameter is ignored: every resource is returned.
    FilterIgnored,
    /// `startIndex` and `count` are ignored: everything comes in one page.
    PagingIgnored,
    /// `startIndex` is read as 0-based.
    StartIndexZeroBased,
    /// `itemsPerPage` echoes the requested `count` instead of what the page holds.
    ItemsPerPageEchoesCount,
    /// `totalResults`, `startIndex` and `itemsPerPage` are strings.
    CountersAsStrings,
    /// List order changes from one request to the next.
    UnstableOrder,
    /// PATCH answers success but changes nothing.
    PatchNotApplied,
    /// PUT answers success but changes nothing.
    PutNotApplied,
    /// DELETE answers 204 but removes nothing.
    DeleteNotApplied,
    /// DELETE hides the resource from lists, but GET by id still answers 200.
    SoftDelete,
    /// No credential is required.
    AuthNotEnforced,
    /// A second user with the same userName is created (no 409).
    DuplicatesAllowed,
    /// userName filters and uniqueness are case-sensitive.
    CaseSensitiveUsername,
    /// The error `status` is a JSON number instead of a string.
    ErrorStatusNumber,
    /// A malformed filter answers 200 with every resource instead of 400 invalidFilter.
    MalformedFilter200,
    /// Deactivated users are left out of lists.
    DeactivatedHidden,
    /// Members sent with a new group are dropped.
    MembersDroppedOnCreate,
    /// PATCH removal of members is ignored.
    MemberRemovalIgnored,
    /// Okta's rename (PATCH replace with no path and `{id, displayName}`) is rejected with 400.
    RenameNoPathRejected,
    /// Every response is delayed by N milliseconds.
    Latency(u64),
    /// Every Nth request answers 429 with `Retry-After: 1`.
    TooManyRequestsEvery(u64),
    /// Every Nth request answers 500.
    ErrorEvery(u64),
}

/// The faults that take no value.
const VALUELESS: &[Fault] = &[
    Fault::JsonContentType,
    Fault::NoLocation,
    Fault::ErrorBodiesNotScim,
    Fault::MetaMissing,
    Fault::FilterIgnored,
    Fault::PagingIgnored,
    Fault::StartIndexZeroBased,
    Fault::ItemsPerPageEchoesCount,
    Fault::CountersAsStrings,
    Fault::UnstableOrder,
    Fault::PatchNotApplied,
    Fault::PutNotApplied,
    Fault::DeleteNotApplied,
    Fault::SoftDelete,
    Fault::AuthNotEnforced,
    Fault::DuplicatesAllowed,
    Fault::CaseSensitiveUsername,
    Fault::ErrorStatusNumber,
    Fault::MalformedFilter200,
    Fault::DeactivatedHidden,
    Fault::MembersDroppedOnCreate,
    Fault::MemberRemovalIgnored,
    Fault::RenameNoPathRejected,
];

/// Every fault name with what it does, for `--help` and the docs.
pub const CATALOGUE: &[(&str, &str)] = &[
    ("json-content-type", "responses typed application/json"),
    ("no-location", "no Location header on 201"),
    (
        "error-bodies-not-scim",
        "error bodies not in the SCIM Error schema",
    ),
    ("meta-missing", "resources without meta"),
    ("filter-ignored", "filter ignored: every resource returned"),
    ("paging-ignored", "startIndex and count ignored"),
    ("start-index-zero-based", "startIndex read as 0-based"),
    ("items-per-page-echoes-count", "itemsPerPage echoes count"),
    (
        "counters-as-strings",
        "totalResults, startIndex, itemsPerPage as strings",
    ),
    ("unstable-order", "list order changes between requests"),
    ("patch-not-applied", "PATCH answered but not applied"),
    ("put-not-applied", "PUT answered but not applied"),
    ("delete-not-applied", "DELETE answered but not applied"),
    ("soft-delete", "GET still 200 after DELETE"),
    ("auth-not-enforced", "no credential required"),
    ("duplicates-allowed", "duplicate userName accepted"),
    (
        "case-sensitive-username",
        "userName filter and uniqueness case-sensitive",
    ),
    ("error-status-number", "error status as a JSON number"),
    ("malformed-filter-200", "malformed filter answered 200"),
    ("deactivated-hidden", "deactivated users left out of lists"),
    (
        "members-dropped-on-create",
        "group members dropped on create",
    ),
    ("member-removal-ignored", "PATCH member removal ignored"),
    (
        "rename-no-path-rejected",
        "Okta's no-path group rename rejected",
    ),
    ("latency=N", "N ms of latency on every response"),
    (
        "too-many-requests-every=N",
        "429 with Retry-After on every Nth request",
    ),
    ("error-every=N", "500 on every Nth request"),
];

impl std::str::FromStr for Fault {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (name, arg) = match s.split_once('=') {
            Some((n, a)) => (n, Some(a)),
            None => (s, None),
        };
        let number = || -> Result<u64, String> {
            let a = arg.ok_or_else(|| format!("fault {name} needs a number: {name}=N"))?;
            a.parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("fault {name}: {a:?} is not a positive whole number"))
        };
        let plain = |f: Fault| match arg {
            None => Ok(f),
            Some(_) => Err(format!("fault {name} takes no value")),
        };
        if let Some(f) = VALUELESS.iter().find(|f| f.name() == name) {
            return plain(*f);
        }
        match name {
            "latency" => Ok(Fault::Latency(number()?)),
            "too-many-requests-every" => Ok(Fault::TooManyRequestsEvery(number()?)),
            "error-every" => Ok(Fault::ErrorEvery(number()?)),
            _ => {
                let names: Vec<&str> = CATALOGUE.iter().map(|(n, _)| *n).collect();
                Err(format!(
                    "unknown fault {name:?}; known faults: {}",
                    names.join(", ")
                ))
            }
        }
    }
}

impl Fault {
    /// The fault's name, as given on the command line (without `=N`).
    pub fn name(&self) -> &'static str {
        match self {
            Fault::JsonContentType => "json-content-type",
            Fault::NoLocation => "no-location",
            Fault::ErrorBodiesNotScim => "error-bodies-not-scim",
            Fault::MetaMissing => "meta-missing",
            Fault::FilterIgnored => "filter-ignored",
            Fault::PagingIgnored => "paging-ignored",
            Fault::StartIndexZeroBased => "start-index-zero-based",
            Fault::ItemsPerPageEchoesCount => "items-per-page-echoes-count",
            Fault::CountersAsStrings => "counters-as-strings",
            Fault::UnstableOrder => "unstable-order",
            Fault::PatchNotApplied => "patch-not-applied",
            Fault::PutNotApplied => "put-not-applied",
            Fault::DeleteNotApplied => "delete-not-applied",
            Fault::SoftDelete => "soft-delete",
            Fault::AuthNotEnforced => "auth-not-enforced",
            Fault::DuplicatesAllowed => "duplicates-allowed",
            Fault::CaseSensitiveUsername => "case-sensitive-username",
            Fault::ErrorStatusNumber => "error-status-number",
            Fault::MalformedFilter200 => "malformed-filter-200",
            Fault::DeactivatedHidden => "deactivated-hidden",
            Fault::MembersDroppedOnCreate => "members-dropped-on-create",
            Fault::MemberRemovalIgnored => "member-removal-ignored",
            Fault::RenameNoPathRejected => "rename-no-path-rejected",
            Fault::Latency(_) => "latency",
            Fault::TooManyRequestsEvery(_) => "too-many-requests-every",
            Fault::ErrorEvery(_) => "error-every",
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Latency(n) | Fault::TooManyRequestsEvery(n) | Fault::ErrorEvery(n) => {
                write!(f, "{}={n}", self.name())
            }
            other => f.write_str(other.name()),
        }
    }
}

/// The set of faults a server runs with.
#[derive(Debug, Clone, Default)]
pub struct Faults(BTreeSet<Fault>);

impl Faults {
    /// A set of faults.
    pub fn new(faults: impl IntoIterator<Item = Fault>) -> Self {
        Faults(faults.into_iter().collect())
    }

    /// Whether a (valueless) fault is on.
    pub fn has(&self, f: Fault) -> bool {
        self.0.contains(&f)
    }

    /// The latency to add, if any.
    pub fn latency_ms(&self) -> Option<u64> {
        self.0.iter().find_map(|f| match f {
            Fault::Latency(n) => Some(*n),
            _ => None,
        })
    }

    /// N of `too-many-requests-every=N`.
    pub fn too_many_every(&self) -> Option<u64> {
        self.0.iter().find_map(|f| match f {
            Fault::TooManyRequestsEvery(n) => Some(*n),
            _ => None,
        })
    }

    /// N of `error-every=N`.
    pub fn error_every(&self) -> Option<u64> {
        self.0.iter().find_map(|f| match f {
            Fault::ErrorEvery(n) => Some(*n),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_name_parses_and_prints_back() {
        for (name, _) in CATALOGUE {
            let text = name.replace("=N", "=3");
            let fault: Fault = text.parse().unwrap();
            assert_eq!(fault.to_string(), text);
        }
    }

    #[test]
    fn bad_faults_say_why() {
        assert!(
            "nope"
                .parse::<Fault>()
                .unwrap_err()
                .contains("known faults")
        );
        assert!(
            "latency"
                .parse::<Fault>()
                .unwrap_err()
                .contains("needs a number")
        );
        assert!(
            "latency=x"
                .parse::<Fault>()
                .unwrap_err()
                .contains("not a positive")
        );
        assert!(
            "filter-ignored=1"
                .parse::<Fault>()
                .unwrap_err()
                .contains("takes no value")
        );
    }
}
