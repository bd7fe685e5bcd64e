//! Suites as data: the model of a suite file in `specs/`; its strict loader is `load`.
//!
//! A [`Suite`] is read from TOML (the format is documented at the top of each built-in file,
//! e.g. `specs/okta-scim2-spec.toml`). Loading is strict: unknown keys are rejected, each
//! assertion must name exactly one subject and one comparison, check ids are unique, and every
//! `{{variable}}` a check uses must be defined by the suite, built in, or captured by an earlier
//! check. Every error names the file, the line and the key, so a suite author can fix it
//! without reading Rust.

use serde::Deserialize;

use crate::http::Method;

pub mod builtin;
pub mod load;
pub mod qa_plan;
mod raw;
pub mod runscope;
pub mod select;
pub mod template;

/// Variables every run defines before a suite starts.
pub const BUILTIN_VARS: &[&str] = &[
    "runMarker",
    "suiteMarker",
    "emailDomain",
    "SCIMBaseURL",
    "pageSize",
];

/// The only suite-file format version this build reads.
const FORMAT: u32 = 1;

/// A suite, loaded and validated.
#[derive(Debug, Clone)]
pub struct Suite {
    /// Stable id, used on the command line and as the JUnit testsuite name.
    pub id: String,
    /// Human title.
    pub title: String,
    /// Version of the suite's content (for parity suites, the date of Okta's export).
    pub version: String,
    /// SCIM version the suite speaks.
    pub scim_version: ScimVersion,
    /// Where the suite comes from (Okta's suite name, or the RFC).
    pub reference: String,
    /// The profile beyond RFC 7643/7644 the suite grades (the interop profile, IPSIE, RFC
    /// 9865): such a suite runs only when it is named, and its verdicts are the profile's.
    pub profile: Option<String>,
    /// Ids of the suites it builds on: naming it runs them too, first.
    pub builds_on: Vec<String>,
    /// What its text requires that a client at the wire cannot see, for a person to check
    /// (`scimcheck plan` lists them).
    pub by_hand: Vec<String>,
    /// The file it was loaded from (`specs/…` for built-ins).
    pub source: String,
    /// Suite variables, in definition order (later ones may use earlier ones).
    pub vars: Vec<(String, VarSpec)>,
    /// Variables the user must supply (`--var NAME=VALUE` or `--var-env NAME=ENV`).
    pub inputs: Vec<String>,
    /// The checks, in run order.
    pub checks: Vec<Check>,
}

/// How a suite variable gets its value.
#[derive(Debug, Clone, PartialEq)]
pub enum VarSpec {
    /// A random value in the style of Okta's initial script.
    Generate(Generator),
    /// A template over earlier variables, optionally upper-cased.
    Template {
        /// The `{{name}}` template.
        template: String,
        /// Upper-case the result (Okta's `randomUsernameCaps`).
        upper: bool,
    },
    /// A fixed value.
    Value(String),
}

/// The random generators of Okta's initial scripts, implemented natively.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Generator {
    /// "Runscope" followed by three digits.
    OktaGivenName,
    /// One upper-case letter, eight lower-case letters, three digits.
    OktaFamilyName,
}

pub use scim_results::{Keyword, Level};

/// A condition on data captured earlier: the check runs only if it holds (otherwise it is
/// skipped with the reason). Written `var.path` (true), `var.path == Text`, or `var.path
/// present`, e.g. `spc.sort.supported`.
#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    /// The whole-body capture to look in.
    pub var: String,
    /// The path whose value is tested.
    pub path: String,
    /// What the value must be.
    pub test: GateTest,
}

/// What a gate's value must be.
#[derive(Debug, Clone, PartialEq)]
pub enum GateTest {
    /// `true`.
    True,
    /// This text (`when = "groupType.name == Group"`).
    Equals(String),
    /// Anything but absent or null (`when = "page.previousCursor present"`): what the app
    /// chose to send.
    Present,
}

impl Gate {
    /// Whether the value found at the gate's path opens it.
    pub fn holds(&self, value: Option<&serde_json::Value>) -> bool {
        match &self.test {
            GateTest::True => value == Some(&serde_json::Value::Bool(true)),
            GateTest::Equals(text) => value.and_then(|v| v.as_str()) == Some(text.as_str()),
            GateTest::Present => value.is_some_and(|v| !v.is_null()),
        }
    }

    /// What the gate asks, for the reason a check did not run.
    pub fn wants(&self) -> String {
        match &self.test {
            GateTest::True => format!("{}.{} is not true", self.var, self.path),
            GateTest::Equals(text) => format!("{}.{} is not {text:?}", self.var, self.path),
            GateTest::Present => format!("{}.{} is absent", self.var, self.path),
        }
    }
}

pub use scim_results::ScimVersion;

/// One check: a request and what its response must satisfy (one JUnit testcase).
#[derive(Debug, Clone)]
pub struct Check {
    /// Stable id, unique in the suite.
    pub id: String,
    /// Title (for parity suites, Okta's step name).
    pub title: String,
    /// Required or optional.
    pub level: Level,
    /// Okta's step or the RFC section the check rests on.
    pub reference: String,
    /// What is sent.
    pub request: RequestSpec,
    /// One request judged by assertions, or a walk of every page judged by its rules.
    pub kind: CheckKind,
    /// The RFC keyword the check rests on (parity suites have none: every failure fails).
    pub keyword: Option<Keyword>,
    /// Run only if this captured capability holds.
    pub when: Option<Gate>,
    /// Parts of the original step that cannot run here (a Runscope JavaScript script), shown
    /// with the result: never counted as passed.
    pub not_run: Vec<String>,
    /// Seconds to wait before the request, honoured only with `--honor-pauses`.
    pub pause_before_s: u64,
    /// Why the check is disabled (a step skipped in a Runscope export).
    pub disabled: Option<String>,
    /// Earlier checks that set up what this one observes (a resource they created or
    /// changed, state they established) beyond the values it captures: when one of them did
    /// not pass, this check is blocked instead of judging a setup that never happened.
    pub needs: Vec<String>,
    /// Earlier checks that show what makes this one's pass mean something (the attribute it
    /// sees gone was stored before its removal): when one did not pass, a pass of this check
    /// is partial, naming it.
    pub presupposes: Vec<String>,
    /// The attribute a refusal this check expects is about: a 4xx whose detail or scimType
    /// names another attribute, and not this one, may be a refusal for another reason, and
    /// the check is partial.
    pub refusal_of: Option<String>,
    /// The line of the check in its suite file (0 when it has none, as in a Runscope export).
    pub line: usize,
    /// Repeated for each entitlement resource type the app declares (`each`): the template,
    /// before the run discovers them.
    pub each: Option<Each>,
    /// The values of [`EACH_VARS`] for one repetition (set when the template is repeated).
    pub bindings: Vec<(String, String)>,
}

/// What a check is repeated for, once the app's `/ResourceTypes` is known (the
/// `entitlements` module repeats it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Each {
    /// Each resource type with an Okta entitlement URN that has an endpoint.
    EntitlementEndpoint,
    /// Each schema extension such a resource type declares.
    EntitlementExtension,
}

/// The variables a repeated check may use: the resource type's `id`, `name` and `endpoint`,
/// and (for an extension) its schema URN.
pub const EACH_VARS: [&str; 4] = ["typeId", "typeName", "endpoint", "extension"];

/// What a check is: its shape says which keys it has, so a walk cannot carry assertions or
/// captures that nothing would evaluate.
#[derive(Debug, Clone)]
pub enum CheckKind {
    /// One request; its response is judged by assertions, values are captured from it.
    Request(Judged),
    /// Every page of the request's list, as an import walks it, judged by the walk's rules.
    Walk(WalkSpec),
    /// The request sent at a steady rate for a few seconds (an opt-in load probe): every
    /// answer a success, the rate kept, every 429 with Retry-After.
    Load(LoadSpec),
    /// A probe of the app's OAuth 2 authorization server with the run's OAuth 2 client, then
    /// the request with the token it got.
    OAuth(OAuthProbe),
}

/// What an OAuth probe checks (IPSIE's shared prerequisites); each sends the check's request
/// with the token it got, so the token is shown to serve SCIM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OAuthProbe {
    /// RFC 8414 metadata at the issuer: its `issuer` the one asked for, a `token_endpoint`
    /// (the one the run uses), `private_key_jwt` among its methods when it lists them.
    Metadata,
    /// The client credentials grant with a JWT client assertion (RFC 7523 §2.2) and the
    /// `scim` scope: a token no broader than `scim`; an assertion signed by a key nobody
    /// registered is refused.
    ClientCredentials,
}

/// A bounded, polite load probe: `per_second` requests a second for `seconds` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadSpec {
    /// Requests a second (1–50).
    pub per_second: u32,
    /// How long (1–10 s).
    pub seconds: u32,
    /// Requests sent at once after the steady part (0–100; 0: none), to see the app's limit:
    /// a 429 with Retry-After shows it enforces one.
    pub burst: u32,
}

/// How the response of a one-request check is judged and what is taken from it.
#[derive(Debug, Clone, Default)]
pub struct Judged {
    /// What must hold (at least one assertion).
    pub expect: Vec<Assertion>,
    /// Variables captured from the response: (name, JSON path).
    pub capture: Vec<(String, String)>,
    /// A resource this check creates, to be cleaned up by the run.
    pub creates: Option<Creates>,
    /// Capture the whole response body as JSON under this name.
    pub capture_body: Option<String>,
}

impl Check {
    /// The assertions on the response (none for a walk).
    pub fn expect(&self) -> &[Assertion] {
        self.judged().map_or(&[], |j| &j.expect)
    }

    /// The values captured from the response: (name, JSON path).
    pub fn captures(&self) -> &[(String, String)] {
        self.judged().map_or(&[], |j| &j.capture)
    }

    /// The resource the check creates, if any.
    pub fn creates(&self) -> Option<&Creates> {
        self.judged().and_then(|j| j.creates.as_ref())
    }

    /// The name the whole response body is captured under, if any.
    pub fn capture_body(&self) -> Option<&str> {
        self.judged().and_then(|j| j.capture_body.as_deref())
    }

    /// Every variable the check uses: in its request ([`Check::request_references`]), its
    /// assertions, its walk's find, and its gate. The one reading of a check's templates for
    /// its dependencies.
    pub fn references(&self) -> std::collections::BTreeSet<String> {
        let mut used = self.request_references();
        let mut texts: Vec<&str> = self
            .expect()
            .iter()
            .filter_map(|a| a.kind.template())
            .collect();
        if let Some(find) = self.walk().and_then(|w| w.find.as_ref()) {
            texts.push(&find.id);
            texts.extend(find.expect.iter().map(|(_, v)| v.as_str()));
        }
        used.extend(texts_references(texts));
        if let Some(gate) = &self.when {
            used.insert(gate.var.clone());
        }
        used
    }

    /// The variables the request itself uses (path, query, headers, a literal Authorization,
    /// the body and the capture a body is made from): what it names in the app.
    pub fn request_references(&self) -> std::collections::BTreeSet<String> {
        fn strings_of<'v>(value: &'v serde_json::Value, out: &mut Vec<&'v str>) {
            match value {
                serde_json::Value::String(s) => out.push(s),
                serde_json::Value::Array(items) => items.iter().for_each(|v| strings_of(v, out)),
                serde_json::Value::Object(map) => map.iter().for_each(|(k, v)| {
                    out.push(k);
                    strings_of(v, out)
                }),
                _ => {}
            }
        }
        let r = &self.request;
        let mut used = std::collections::BTreeSet::new();
        let mut texts: Vec<&str> = vec![&r.path];
        texts.extend(r.query.iter().map(|(_, v)| v.as_str()));
        texts.extend(r.headers.iter().map(|(_, v)| v.as_str()));
        if let Authorization::Literal(v) = &r.authorization {
            texts.push(v);
        }
        match &r.body {
            None => {}
            Some(Body::Json(v)) => strings_of(v, &mut texts),
            Some(Body::Raw(s)) => texts.push(s),
            Some(Body::FromCapture { var, set, .. }) => {
                used.insert(var.clone());
                set.iter().for_each(|(_, v)| strings_of(v, &mut texts));
            }
        }
        used.extend(texts_references(texts));
        used
    }

    /// The walk, when the check is one.
    pub fn walk(&self) -> Option<&WalkSpec> {
        match &self.kind {
            CheckKind::Walk(w) => Some(w),
            CheckKind::Request(_) | CheckKind::Load(_) | CheckKind::OAuth(_) => None,
        }
    }

    /// The OAuth probe, when the check is one.
    pub fn oauth(&self) -> Option<OAuthProbe> {
        match &self.kind {
            CheckKind::OAuth(p) => Some(*p),
            _ => None,
        }
    }

    /// The load probe, when the check is one.
    pub fn load(&self) -> Option<&LoadSpec> {
        match &self.kind {
            CheckKind::Load(l) => Some(l),
            CheckKind::Request(_) | CheckKind::Walk(_) | CheckKind::OAuth(_) => None,
        }
    }

    fn judged(&self) -> Option<&Judged> {
        match &self.kind {
            CheckKind::Request(j) => Some(j),
            CheckKind::Walk(_) | CheckKind::Load(_) | CheckKind::OAuth(_) => None,
        }
    }
}

/// An import walk: `GET path?startIndex=1&count=N`, then `startIndex=N+1`, … until
/// totalResults is covered, keeping only id hashes so memory stays flat at any size.
#[derive(Debug, Clone, PartialEq)]
pub struct WalkSpec {
    /// The rules every page and resource must satisfy.
    pub rules: Vec<WalkRule>,
    /// A resource of the run to look for during the walk.
    pub find: Option<Find>,
    /// How this walk pages, whatever the run's choice (`pagination = "cursor"` in a suite of
    /// RFC 9865's checks); none: the run's ([`crate::run::RunOptions::pagination`]).
    pub pagination: Option<Pagination>,
    /// `count` of every page, instead of the run's `--page-size`.
    pub count: Option<usize>,
}

/// How a list is paged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pagination {
    /// `startIndex` and `count`, until totalResults is covered (RFC 7644 §3.4.2.4): how Okta
    /// imports.
    Index,
    /// An empty `cursor`, then each page's `nextCursor` until a page has none (RFC 9865 §2).
    Cursor,
}

impl Pagination {
    /// The word used on the command line and in results.
    pub fn as_str(self) -> &'static str {
        match self {
            Pagination::Index => "index",
            Pagination::Cursor => "cursor",
        }
    }
}

/// Rules checked over a whole walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WalkRule {
    /// Each value of an entitlement endpoint has `id` and `displayName` (what Okta imports).
    ValueShape,
    /// Integer counters, one totalResults across pages, itemsPerPage equal to the page's
    /// resources, no page larger than count, no duplicates and no gaps across pages.
    Paging,
    /// Each user has id, userName, name.givenName, name.familyName, a primary email value and
    /// a boolean active (what Okta imports).
    UserShape,
    /// Each group has id and displayName, and its members are users of an earlier user walk.
    GroupMembers,
}

/// A resource to look for during a walk, and what it must look like.
#[derive(Debug, Clone, PartialEq)]
pub struct Find {
    /// Its id (a template).
    pub id: String,
    /// Whether it must be there (false: it must be gone).
    pub present: bool,
    /// Paths and the text they must equal (templates), when present.
    pub expect: Vec<(String, String)>,
}

/// A request template.
#[derive(Debug, Clone)]
pub struct RequestSpec {
    /// HTTP method.
    pub method: Method,
    /// Path relative to the base URL, a template.
    pub path: String,
    /// Query parameters in order, values are templates (encoded on the wire).
    pub query: Vec<(String, String)>,
    /// Headers in order (from the named header set), values are templates.
    pub headers: Vec<(String, String)>,
    /// What goes in the Authorization header.
    pub authorization: Authorization,
    /// The body, if any.
    pub body: Option<Body>,
}

/// What a request sends as its Authorization header.
#[derive(Debug, Clone, PartialEq)]
pub enum Authorization {
    /// The run's credential (nothing when the run uses `--auth none`).
    Run,
    /// A literal value, e.g. Okta's invalid `non-token`.
    Literal(String),
    /// No Authorization header at all.
    Omit,
}

/// A request body template.
#[derive(Debug, Clone)]
pub enum Body {
    /// JSON; templates are substituted in every string value.
    Json(serde_json::Value),
    /// Sent byte for byte after substitution (for malformed-input checks).
    Raw(String),
    /// A body captured earlier, changed: Okta's profile update (GET, change, PUT the whole).
    FromCapture {
        /// The whole-body capture.
        var: String,
        /// Paths to set (dotted), with JSON values whose strings are templates.
        set: Vec<(String, serde_json::Value)>,
        /// Top-level attributes to leave out.
        remove: Vec<String>,
    },
}

/// A resource a check creates: cleaned up at the end of the run.
#[derive(Debug, Clone)]
pub struct Creates {
    /// Resource endpoint, e.g. "Users".
    pub resource: String,
    /// The variable holding the new resource's id.
    pub id_var: String,
}

/// One assertion, with an optional hint shown when it fails.
#[derive(Debug, Clone)]
pub struct Assertion {
    /// What is tested.
    pub kind: AssertionKind,
    /// How to fix the usual cause of a failure (a precondition, for example).
    pub hint: Option<String>,
    /// Overrides the check's keyword for this assertion (a SHOULD inside a MUST check).
    pub keyword: Option<Keyword>,
}

/// The subject of an assertion and its comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum AssertionKind {
    /// The status is one of these.
    Status(Vec<u16>),
    /// A JSON path in the body.
    Json {
        /// Runscope-style path (`Resources[0].id`).
        path: String,
        /// The comparison.
        cmp: Comparison,
    },
    /// A response header (case-insensitive name).
    Header {
        /// Header name.
        name: String,
        /// The comparison.
        cmp: Comparison,
    },
    /// The response took less than this many milliseconds.
    TimeBelowMs(u64),
    /// The body parses as JSON.
    BodyIsJson,
    /// A named structural rule implemented in Rust.
    Rule(Rule),
}

impl AssertionKind {
    /// The template text this assertion compares with, if any (`{{var}}` rendered at run time).
    pub fn template(&self) -> Option<&str> {
        match self {
            AssertionKind::Json { cmp, .. } | AssertionKind::Header { cmp, .. } => cmp.template(),
            _ => None,
        }
    }
}

impl Comparison {
    /// The comparison's name in suite files (`equals`, `lacks_value`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Comparison::Equals(_) => "equals",
            Comparison::EqualsIgnoringCase(_) => "equals_ignoring_case",
            Comparison::EqualsNumber(_) => "equals_number",
            Comparison::LessThan(_) => "less_than",
            Comparison::NotEmpty => "not_empty",
            Comparison::HasValue(_) => "has_value",
            Comparison::Contains(_) => "contains",
            Comparison::IsNumber => "is_number",
            Comparison::Absent => "absent",
            Comparison::LacksValue(_) => "lacks_value",
            Comparison::Length(_) => "length",
            Comparison::IsString => "is_string",
            Comparison::IsBoolean => "is_boolean",
        }
    }

    /// The text compared with, which may hold `{{var}}` templates: the one list of the
    /// comparisons that carry one (the loader checks their variables, the runner renders them
    /// before the request is sent, and a check whose template cannot be rendered is not run).
    pub fn template(&self) -> Option<&str> {
        match self {
            Comparison::Equals(t)
            | Comparison::EqualsIgnoringCase(t)
            | Comparison::HasValue(t)
            | Comparison::Contains(t)
            | Comparison::LacksValue(t) => Some(t),
            Comparison::EqualsNumber(_)
            | Comparison::LessThan(_)
            | Comparison::NotEmpty
            | Comparison::IsNumber
            | Comparison::Absent
            | Comparison::Length(_)
            | Comparison::IsString
            | Comparison::IsBoolean => None,
        }
    }
}

/// Structural rules that would be clumsy as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// A ListResponse (RFC 7644 §3.4.2): its schema, integer counters, `Resources` an array
    /// when there are results, `itemsPerPage` equal to the resources returned.
    ListResponse,
    /// Each resource type with an Okta entitlement URN as `schema` has what Okta reads (RFC
    /// 7643 §6: `id`, `name`, `endpoint` relative to the base URL, `schema`; each
    /// `schemaExtensions` entry a `schema` URN and a boolean `required`).
    OktaResourceTypes,
    /// A SCIM Error (RFC 7644 §3.12): its schema, `status` a string equal to the HTTP status.
    ScimError,
    /// Every resource type of a `/ResourceTypes` list has an `id` equal to its `name` (the
    /// interop profile §5.1).
    ResourceTypeIdIsName,
    /// Every multi-valued complex attribute of a `/Schemas` list with a `type` sub-attribute
    /// declares its `canonicalValues` (the interop profile §5.4).
    TypedCanonicalValues,
    /// A list page holds at least 100 resources, or every one when totalResults is smaller
    /// (the interop profile §6.4).
    #[serde(rename = "page-of-100")]
    PageOf100,
}

/// The comparisons of Okta's suites (Runscope's comparators) plus `absent`.
#[derive(Debug, Clone, PartialEq)]
pub enum Comparison {
    /// Equal as text (Runscope `equal`: `"true"` equals JSON `true`).
    Equals(String),
    /// Equal as text without regard to case: for attributes whose schema says
    /// caseExact=false (RFC 7643 §2.2; `userName`, `emails.value`), which an app MAY store in
    /// another case.
    EqualsIgnoringCase(String),
    /// Equal as a number (Runscope `equal_number`).
    EqualsNumber(f64),
    /// A number below this (Runscope `is_less_than`).
    LessThan(f64),
    /// Present and not null, "", [] or {} (`false` and `0` are not empty).
    NotEmpty,
    /// An array that holds this element (Runscope `has_value`).
    HasValue(String),
    /// An array element equal to it, or a substring (Runscope `contains`).
    Contains(String),
    /// A JSON number (strings holding digits are not numbers).
    IsNumber,
    /// Not present (or null).
    Absent,
    /// An array without this element, or no value at all.
    LacksValue(String),
    /// An array (or string) of this length; absent counts as 0.
    Length(usize),
    /// A JSON string.
    IsString,
    /// A JSON boolean.
    IsBoolean,
}

/// A problem in a suite file, located by file, line and key.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {key}{sep}{message}", sep = if key.is_empty() { "" } else { ": " })]
pub struct SpecError {
    /// The suite file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The key at fault (`check[2].expect[0]`), empty if the parser could not tell.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

/// The variables a set of templates refers to.
fn texts_references<'t>(
    texts: impl IntoIterator<Item = &'t str>,
) -> std::collections::BTreeSet<String> {
    texts
        .into_iter()
        .flat_map(crate::suite::template::references)
        .map(str::to_string)
        .collect()
}
