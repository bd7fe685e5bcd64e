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
    /// userName and email values are stored lower-cased (RFC 7643 allows it: caseExact=false).
    LowercasesValues,
    /// A filter without a comparison value (`userName eq`) answers 200 with no resources.
    FilterMissingValue200,
    /// A PATCH operation with an unknown `op` is ignored and the PATCH answered with success.
    PatchUnknownOpIgnored,
    /// `startIndex` is echoed as requested (0), not as the 1 it was read as.
    StartIndexEchoedRaw,
    /// Filters on `externalId` find nothing.
    ExternalIdNotFilterable,
    /// DELETE ignores a stale `If-Match`.
    IfMatchIgnoredOnDelete,
    /// `attributes` and `excludedAttributes` are ignored: whole resources come back.
    AttributesIgnored,
    /// A second group with an existing displayName crashes: 500 with an HTML page.
    DuplicateGroup500,
    /// The password a client sends is stored readable and returned (RFC 7643 §4.1.1: never).
    PasswordReturned,
    /// A group created without members is refused with 400.
    EmptyGroupRefused,
    /// The entitlement endpoints ignore `count` and `startIndex`: every value on one page.
    EntitlementPagingIgnored,
    /// The Okta-URN resource types carry no `endpoint`.
    ResourceTypeWithoutEndpoint,
    /// A resource type's schema extension is missing from `/Schemas`.
    ExtensionSchemaMissing,
    /// GET /ServiceProviderConfig answers 404: the app does not describe its features.
    ServiceProviderConfigMissing,
    /// A bulk response gives each operation's `status` as a JSON number, not a string.
    BulkStatusNumber,
    /// A user's `active` is answered as the string "true" or "false", not a JSON boolean.
    ActiveAsString,
    /// A PATCH that adds entitlements or roles is answered with success and not applied.
    AssignmentAddNotApplied,
    /// A PATCH that removes an entitlement by a value filter is answered with success and the
    /// assignment stays (and is imported).
    AssignmentRemoveNotApplied,
    /// An entitlement or role value the app does not have is accepted and stored.
    UnknownEntitlementAccepted,
    /// A list request with a `count` parameter answers 500.
    Count500,
    /// A user created without `phoneNumbers` is refused with 400 naming it (RFC 7643 requires
    /// only userName).
    CreateRequiresPhone,
    /// A create is answered 201 with a body that has no `id` (nor a Location).
    CreatedWithoutId,
    /// A deleted user answers 404 by id but stays in lists, emptied (id, userName, inactive).
    DeletedListedEmptied,
    /// Every request takes 15 ms, and a GET that meets another request being served answers
    /// 500 "database is locked" (reads against a busy SQLite file).
    LockedUnderLoad,
    /// In the interop profile's mode: undefined attributes and schema URIs are accepted.
    UndefinedAttributesAccepted,
    /// In the interop profile's mode: PATCH operations without a path are accepted.
    PathLessPatchAccepted,
    /// The User resource type's id differs from its name (`UserType` for `User`).
    ResourceTypeIdNotName,
    /// The schemas declare no canonicalValues for the `type` of emails, phoneNumbers, ….
    NoCanonicalValues,
    /// PATCH replace of a whole complex attribute merges into it instead of replacing it.
    PatchReplaceMerges,
    /// PATCH add to a multi-valued attribute without a filter replaces the collection.
    PatchAddReplacesCollection,
    /// The `cursor` parameter is ignored: index pages, no nextCursor (RFC 9865).
    CursorIgnored,
    /// A cursor the server never issued is answered with the first page, not 400 invalidCursor.
    InvalidCursorAccepted,
    /// Every cursor leads back to the first page (with a nextCursor again).
    CursorRepeatsFirstPage,
    /// A page's previousCursor leads to that same page, not the one before.
    PreviousCursorWrong,
    /// The authorization server publishes no RFC 8414 metadata (404).
    AuthorizationMetadataMissing,
    /// The token endpoint does not verify a client assertion's signature.
    AssertionUnverified,
    /// Tokens are granted scope `scim admin`, broader than the `scim` asked for.
    ScopeBroader,
    /// PATCH of users and groups answers 501 Not Implemented.
    PatchRefused,
    /// DELETE answers 405: the app deactivates instead.
    DeleteRefused,
    /// A PATCH that reactivates a deactivated user is answered with success; it stays inactive.
    ReactivationIgnored,
    /// GET /Schemas/{id} answers 404 (the list still names the schemas).
    SchemaByIdMissing,
    /// Every /ResourceTypes request answers 500.
    ResourceTypes500,
    /// ServiceProviderConfig advertises pages of up to 100,000 resources.
    PagesUnbounded,
    /// Every response is delayed by N milliseconds.
    Latency(u64),
    /// Every Nth request answers 429 with `Retry-After: 1`.
    TooManyRequestsEvery(u64),
    /// Every Nth request answers 500.
    ErrorEvery(u64),
    /// Requests are served one at a time, each taking N milliseconds (an app that cannot
    /// serve requests in parallel).
    OneAtATime(u64),
}

/// Every fault that takes no value, with its name and what it does: the one table that
/// names, parses and documents them.
const VALUELESS: &[(Fault, &str, &str)] = &[
    (
        Fault::JsonContentType,
        "json-content-type",
        "responses typed application/json",
    ),
    (
        Fault::NoLocation,
        "no-location",
        "no Location header on 201",
    ),
    (
        Fault::ErrorBodiesNotScim,
        "error-bodies-not-scim",
        "error bodies not in the SCIM Error schema",
    ),
    (Fault::MetaMissing, "meta-missing", "resources without meta"),
    (
        Fault::FilterIgnored,
        "filter-ignored",
        "filter ignored: every resource returned",
    ),
    (
        Fault::PagingIgnored,
        "paging-ignored",
        "startIndex and count ignored",
    ),
    (
        Fault::StartIndexZeroBased,
        "start-index-zero-based",
        "startIndex read as 0-based",
    ),
    (
        Fault::ItemsPerPageEchoesCount,
        "items-per-page-echoes-count",
        "itemsPerPage echoes count",
    ),
    (
        Fault::CountersAsStrings,
        "counters-as-strings",
        "totalResults, startIndex, itemsPerPage as strings",
    ),
    (
        Fault::UnstableOrder,
        "unstable-order",
        "list order changes between requests",
    ),
    (
        Fault::PatchNotApplied,
        "patch-not-applied",
        "PATCH answered but not applied",
    ),
    (
        Fault::PutNotApplied,
        "put-not-applied",
        "PUT answered but not applied",
    ),
    (
        Fault::DeleteNotApplied,
        "delete-not-applied",
        "DELETE answered but not applied",
    ),
    (
        Fault::SoftDelete,
        "soft-delete",
        "GET still 200 after DELETE",
    ),
    (
        Fault::AuthNotEnforced,
        "auth-not-enforced",
        "no credential required",
    ),
    (
        Fault::DuplicatesAllowed,
        "duplicates-allowed",
        "duplicate userName accepted",
    ),
    (
        Fault::CaseSensitiveUsername,
        "case-sensitive-username",
        "userName filter and uniqueness case-sensitive",
    ),
    (
        Fault::ErrorStatusNumber,
        "error-status-number",
        "error status as a JSON number",
    ),
    (
        Fault::MalformedFilter200,
        "malformed-filter-200",
        "malformed filter answered 200",
    ),
    (
        Fault::DeactivatedHidden,
        "deactivated-hidden",
        "deactivated users left out of lists",
    ),
    (
        Fault::MembersDroppedOnCreate,
        "members-dropped-on-create",
        "group members dropped on create",
    ),
    (
        Fault::MemberRemovalIgnored,
        "member-removal-ignored",
        "PATCH member removal ignored",
    ),
    (
        Fault::RenameNoPathRejected,
        "rename-no-path-rejected",
        "Okta's no-path group rename rejected",
    ),
    (
        Fault::LowercasesValues,
        "lowercases-values",
        "userName and emails stored lower-cased (allowed: caseExact=false)",
    ),
    (
        Fault::FilterMissingValue200,
        "filter-missing-value-200",
        "a filter without a value answered 200 with no resources",
    ),
    (
        Fault::PatchUnknownOpIgnored,
        "patch-unknown-op-ignored",
        "PATCH with an unknown op answered with success",
    ),
    (
        Fault::StartIndexEchoedRaw,
        "start-index-echoed-raw",
        "startIndex below 1 echoed as sent",
    ),
    (
        Fault::ExternalIdNotFilterable,
        "external-id-not-filterable",
        "filters on externalId find nothing",
    ),
    (
        Fault::IfMatchIgnoredOnDelete,
        "if-match-ignored-on-delete",
        "DELETE ignores a stale If-Match",
    ),
    (
        Fault::AttributesIgnored,
        "attributes-ignored",
        "attributes and excludedAttributes ignored",
    ),
    (
        Fault::DuplicateGroup500,
        "duplicate-group-500",
        "a second group with the same displayName answered 500 with HTML",
    ),
    (
        Fault::PasswordReturned,
        "password-returned",
        "the password sent is stored and returned",
    ),
    (
        Fault::EmptyGroupRefused,
        "empty-group-refused",
        "a group without members refused with 400",
    ),
    (
        Fault::EntitlementPagingIgnored,
        "entitlement-paging-ignored",
        "entitlement endpoints ignore startIndex and count",
    ),
    (
        Fault::ResourceTypeWithoutEndpoint,
        "resource-type-without-endpoint",
        "Okta-URN resource types without endpoint",
    ),
    (
        Fault::ExtensionSchemaMissing,
        "extension-schema-missing",
        "a resource type's schema extension missing from /Schemas",
    ),
    (
        Fault::ServiceProviderConfigMissing,
        "service-provider-config-missing",
        "GET /ServiceProviderConfig answers 404",
    ),
    (
        Fault::BulkStatusNumber,
        "bulk-status-number",
        "bulk operation statuses as JSON numbers",
    ),
    (
        Fault::ActiveAsString,
        "active-as-string",
        "active answered as a string (\"true\"), not a boolean",
    ),
    (
        Fault::AssignmentAddNotApplied,
        "assignment-add-not-applied",
        "PATCH adding entitlements or roles answered but not applied",
    ),
    (
        Fault::AssignmentRemoveNotApplied,
        "assignment-remove-not-applied",
        "PATCH removing an entitlement by value filter answered but not applied",
    ),
    (
        Fault::UnknownEntitlementAccepted,
        "unknown-entitlement-accepted",
        "an unknown entitlement or role value accepted silently",
    ),
    (
        Fault::Count500,
        "count-500",
        "list requests with count answered 500",
    ),
    (
        Fault::CreateRequiresPhone,
        "create-requires-phone",
        "users created without phoneNumbers refused with 400",
    ),
    (
        Fault::CreatedWithoutId,
        "created-without-id",
        "creates answered 201 without an id",
    ),
    (
        Fault::DeletedListedEmptied,
        "deleted-listed-emptied",
        "deleted users 404 by id but listed, emptied",
    ),
    (
        Fault::LockedUnderLoad,
        "locked-under-load",
        "GETs answer 500 \"database is locked\" while another request is served",
    ),
    (
        Fault::UndefinedAttributesAccepted,
        "undefined-attributes-accepted",
        "interop mode: undefined attributes and schema URIs accepted",
    ),
    (
        Fault::PathLessPatchAccepted,
        "path-less-patch-accepted",
        "interop mode: PATCH operations without a path accepted",
    ),
    (
        Fault::ResourceTypeIdNotName,
        "resource-type-id-not-name",
        "the User resource type's id is not its name",
    ),
    (
        Fault::NoCanonicalValues,
        "no-canonical-values",
        "no canonicalValues for the type of emails, phoneNumbers, …",
    ),
    (
        Fault::PatchReplaceMerges,
        "patch-replace-merges",
        "PATCH replace of a complex attribute merges instead of replacing",
    ),
    (
        Fault::PatchAddReplacesCollection,
        "patch-add-replaces-collection",
        "PATCH add to a multi-valued attribute replaces the collection",
    ),
    (
        Fault::CursorIgnored,
        "cursor-ignored",
        "cursor parameter ignored (RFC 9865)",
    ),
    (
        Fault::InvalidCursorAccepted,
        "invalid-cursor-accepted",
        "an unknown cursor answered with the first page",
    ),
    (
        Fault::CursorRepeatsFirstPage,
        "cursor-repeats-first-page",
        "every cursor leads back to the first page",
    ),
    (
        Fault::PreviousCursorWrong,
        "previous-cursor-wrong",
        "a previousCursor leads to the same page",
    ),
    (
        Fault::AuthorizationMetadataMissing,
        "authorization-metadata-missing",
        "no RFC 8414 metadata (with --jwt-client)",
    ),
    (
        Fault::AssertionUnverified,
        "assertion-unverified",
        "client assertion signatures not verified (with --jwt-client)",
    ),
    (
        Fault::ScopeBroader,
        "scope-broader",
        "tokens granted scope \"scim admin\" (with --jwt-client)",
    ),
    (Fault::PatchRefused, "patch-refused", "PATCH answers 501"),
    (Fault::DeleteRefused, "delete-refused", "DELETE answers 405"),
    (
        Fault::ReactivationIgnored,
        "reactivation-ignored",
        "reactivating a user answered but not applied",
    ),
    (
        Fault::SchemaByIdMissing,
        "schema-by-id-missing",
        "GET /Schemas/{id} answers 404",
    ),
    (
        Fault::ResourceTypes500,
        "resource-types-500",
        "every /ResourceTypes request answers 500",
    ),
    (
        Fault::PagesUnbounded,
        "pages-unbounded",
        "filter.maxResults advertised as 100000",
    ),
];

/// Builds a fault that takes a number.
type MakeFault = fn(u64) -> Fault;

/// The faults that take a number, with their names and what they do.
const VALUED: &[(MakeFault, &str, &str)] = &[
    (
        Fault::Latency,
        "latency",
        "N ms of latency on every response",
    ),
    (
        Fault::TooManyRequestsEvery,
        "too-many-requests-every",
        "429 with Retry-After on every Nth request",
    ),
    (Fault::ErrorEvery, "error-every", "500 on every Nth request"),
    (
        Fault::OneAtATime,
        "one-at-a-time",
        "requests served one at a time, N ms each",
    ),
];

/// Every fault name (`name=N` for those that take a number) with what it does, for `--help`
/// and the docs.
pub fn catalogue() -> Vec<(String, &'static str)> {
    VALUELESS
        .iter()
        .map(|(_, name, what)| (name.to_string(), *what))
        .chain(
            VALUED
                .iter()
                .map(|(_, name, what)| (format!("{name}=N"), *what)),
        )
        .collect()
}

impl std::str::FromStr for Fault {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (name, arg) = match s.split_once('=') {
            Some((n, a)) => (n, Some(a)),
            None => (s, None),
        };
        if let Some((f, ..)) = VALUELESS.iter().find(|(_, n, _)| *n == name) {
            return match arg {
                None => Ok(*f),
                Some(_) => Err(format!("fault {name} takes no value")),
            };
        }
        if let Some((make, ..)) = VALUED.iter().find(|(_, n, _)| *n == name) {
            let a = arg.ok_or_else(|| format!("fault {name} needs a number: {name}=N"))?;
            let n = a
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("fault {name}: {a:?} is not a positive whole number"))?;
            return Ok(make(n));
        }
        let names: Vec<String> = catalogue().into_iter().map(|(n, _)| n).collect();
        Err(format!(
            "unknown fault {name:?}; known faults: {}",
            names.join(", ")
        ))
    }
}

impl Fault {
    /// The fault's name, as given on the command line (without `=N`).
    pub fn name(&self) -> &'static str {
        match self {
            Fault::Latency(_) => VALUED[0].1,
            Fault::TooManyRequestsEvery(_) => VALUED[1].1,
            Fault::ErrorEvery(_) => VALUED[2].1,
            Fault::OneAtATime(_) => VALUED[3].1,
            valueless => VALUELESS
                .iter()
                .find(|(f, ..)| f == valueless)
                .map(|(_, name, _)| *name)
                .expect("every valueless fault is in the table"),
        }
    }

    /// The number of a fault that takes one.
    fn value(&self) -> Option<u64> {
        match self {
            Fault::Latency(n)
            | Fault::TooManyRequestsEvery(n)
            | Fault::ErrorEvery(n)
            | Fault::OneAtATime(n) => Some(*n),
            _ => None,
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value() {
            Some(n) => write!(f, "{}={n}", self.name()),
            None => f.write_str(self.name()),
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

    /// The number of the valued fault `make` builds (`Fault::Latency`, …), if it is on.
    fn valued(&self, make: MakeFault) -> Option<u64> {
        self.0
            .iter()
            .find_map(|f| (make(f.value()?) == *f).then(|| f.value())?)
    }

    /// The latency to add, if any.
    pub fn latency_ms(&self) -> Option<u64> {
        self.valued(Fault::Latency)
    }

    /// N of `too-many-requests-every=N`.
    pub fn too_many_every(&self) -> Option<u64> {
        self.valued(Fault::TooManyRequestsEvery)
    }

    /// N of `error-every=N`.
    pub fn error_every(&self) -> Option<u64> {
        self.valued(Fault::ErrorEvery)
    }

    /// N of `one-at-a-time=N`.
    pub fn one_at_a_time_ms(&self) -> Option<u64> {
        self.valued(Fault::OneAtATime)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_name_parses_and_prints_back() {
        for (name, _) in catalogue() {
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
