//! The import walk: pages through a list exactly as Okta imports (`startIndex=1&count=N`, then
//! `startIndex=N+1`, … until totalResults is covered) and checks the whole walk, not one page.
//!
//! Memory stays flat at any size: a page is parsed, checked and dropped; across pages only a
//! 64-bit hash of each id is kept (for duplicates, gaps, and group members). Evidence is kept
//! for the first page and for the first page where each problem appeared, not for every page.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use serde_json::Value;

use std::borrow::Cow;

use serde::Deserialize;

use crate::http::exchange::Exchange;
use crate::judge::assertion::Mismatch;
use crate::judge::path::lookup_ref as lookup;
use crate::run::events::WalkProgress;
use futures_util::StreamExt;

use crate::http::{Auth, Client, Method, Outgoing};
use crate::suite::{Keyword, WalkRule, WalkSpec};

/// Pages of evidence kept at most per walk.
const EVIDENCE_PAGES: usize = 5;

/// Ids seen by a walk, as hashes: the hashes are the set's keys as they are (hashing them
/// again would cost as much as the rest of the set's work).
pub type IdHashes = HashSet<u64, std::hash::BuildHasherDefault<Prehashed>>;

/// The hasher of [`IdHashes`]: a key already is a hash.
#[derive(Default)]
pub struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed here; any other input still hashes deterministically.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// What a walk asks for: the list, its page size, and the resource to look for.
pub struct WalkRequest<'a> {
    /// The list path (`/Users`, `/Groups`).
    pub path: &'a str,
    /// Headers of every page request.
    pub headers: &'a [(String, String)],
    /// The Authorization value.
    pub authorization: Auth,
    /// `count` of every page.
    pub page_size: usize,
    /// The id to look for, rendered.
    pub find_id: Option<String>,
    /// Paths and expected text of the resource looked for, rendered.
    pub find_expect: Vec<(String, String)>,
    /// The most resources the walk reads before it stops with a failure: a server chooses
    /// totalResults, and a walk must end with a verdict whatever it says.
    pub max_resources: usize,
    /// The run marker: the user-shape rule judges the users whose userName carries it (the
    /// run's own); the app's other users (service accounts, users made elsewhere) are counted
    /// as information.
    pub run_marker: String,
    /// Pages requested ahead of the one being judged, once totalResults is known
    /// (`--import-concurrency` minus one; the default 1 overlaps fetching the next page with
    /// judging this one). Pages are judged in order whatever order they arrive in.
    pub pages_ahead: usize,
}

/// The default of `--max-import-resources`: ten times the largest import the project
/// benchmarks (100,000 users), about 16 MB of id hashes.
pub const DEFAULT_MAX_IMPORT_RESOURCES: usize = 1_000_000;

/// What a walk found.
#[derive(Debug, Default)]
pub struct WalkOutcome {
    /// Every rule broken, with counts and a first example.
    pub mismatches: Vec<Mismatch>,
    /// A transport failure that ended the walk.
    pub transport_error: Option<String>,
    /// Evidence pages.
    pub exchanges: Vec<Exchange>,
    /// Pages fetched.
    pub pages: usize,
    /// Resources seen (with duplicates).
    pub resources: usize,
    /// Distinct ids seen.
    pub ids: IdHashes,
    /// Users not created by the run that lack what Okta imports: how many, and the first.
    pub others_incomplete: (usize, Option<String>),
}

/// Hashes an id for the sets a walk keeps.
pub fn id_hash(id: &str) -> u64 {
    let mut h = DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

/// The level of a walk rule that is not a plain failure: `itemsPerPage` is "the number of
/// resources returned" (RFC 7644 §3.4.2.4), but Okta's import pages by startIndex, count and
/// totalResults, so a page that echoes count is a warning, not a broken import.
fn walk_rule_keyword(rule: &str) -> Option<Keyword> {
    (rule == "items-per-page").then_some(Keyword::Should)
}

/// Problems by rule, in the order first seen: a count and the first example of each.
#[derive(Default)]
struct Problems {
    found: Vec<(String, String, usize, String)>,
    new_since_page: bool,
}

impl Problems {
    fn add(&mut self, rule: &str, expected: &str, example: String) {
        match self.found.iter_mut().find(|(r, ..)| r == rule) {
            Some((_, _, n, _)) => *n += 1,
            None => {
                self.found
                    .push((rule.to_string(), expected.to_string(), 1, example));
                self.new_since_page = true;
            }
        }
    }

    fn into_mismatches(self) -> Vec<Mismatch> {
        self.found
            .into_iter()
            .map(|(rule, expected, n, example)| Mismatch {
                assertion: format!("walk {rule}"),
                expected,
                actual: if n == 1 {
                    example
                } else {
                    format!("{n} times; first: {example}")
                },
                hint: None,
                keyword: walk_rule_keyword(&rule),
            })
            .collect()
    }
}

fn number(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn is_integer(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Number(n)) if n.is_u64())
}

/// Walks the list and checks the rules. `known_users` are the user id hashes of an earlier
/// user walk (for group members).
pub async fn walk(
    client: &Client,
    spec: &WalkSpec,
    req: WalkRequest<'_>,
    known_users: &IdHashes,
    progress: &mut dyn FnMut(&WalkProgress),
) -> WalkOutcome {
    let mut w = Walker {
        spec,
        req: &req,
        known_users,
        paging: spec.rules.contains(&WalkRule::Paging),
        first_total: None,
        found: false,
        out: WalkOutcome::default(),
        problems: Problems::default(),
    };
    let mut start: u64 = 1;
    let mut complete = false;
    let fetch = |start: u64| {
        let request = Outgoing {
            method: Method::Get,
            path: req.path.to_string(),
            query: vec![
                ("startIndex".into(), start.to_string()),
                ("count".into(), req.page_size.to_string()),
            ],
            headers: req.headers.to_vec(),
            authorization: req.authorization.clone(),
            body: None,
        };
        async move { (start, client.send_page(request).await) }
    };
    // Pages asked for and not judged yet, in page order. The first page is alone: it says
    // how many there are. Requests already sent progress while a page is judged.
    let mut ahead = futures_util::stream::FuturesOrdered::new();
    let mut next_start: u64 = 1;
    ahead.push_back(fetch(next_start));
    next_start += req.page_size as u64;
    loop {
        let Some((page_start, sent)) = ahead.next().await else {
            break;
        };
        debug_assert_eq!(page_start, start);
        if let Some(total) = w.first_total {
            fill(&mut ahead, &mut next_start, total, &req, &fetch);
        }
        w.out.pages += 1;
        w.problems.new_since_page = false;
        let Some(resp) = sent.response else {
            w.out.transport_error = sent
                .exchanges
                .last()
                .and_then(|e| e.error.as_ref())
                .map(|e| format!("page at startIndex {start}: {e}"));
            w.out.exchanges.extend(sent.exchanges);
            break;
        };
        let page_label = format!("page at startIndex {start}");
        let distinct_before = w.out.ids.len();
        let stop = w.check_page(&resp, &page_label);
        if w.out.pages == 1
            && let Some(total) = w.first_total
        {
            // totalResults is known now: the next pages can be asked for.
            fill(&mut ahead, &mut next_start, total, &req, &fetch);
        }
        if w.out.pages == 1 || (w.problems.new_since_page && w.out.exchanges.len() < EVIDENCE_PAGES)
        {
            let mut exchanges = sent.exchanges;
            if let Some(last) = exchanges.last_mut() {
                client.record_body(last, &resp);
            }
            w.out.exchanges.extend(exchanges);
        }
        progress(&WalkProgress {
            pages: w.out.pages,
            resources: w.out.resources,
            total: w.first_total,
        });
        let Some(returned) = stop else { break };
        let total = w.first_total.unwrap_or(0);
        // Bounds that do not trust totalResults: a page that brings nothing new means the
        // pages repeat (the walk would never end); past the limit, the walk stops with a
        // verdict instead of running for days.
        if returned > 0 && w.out.ids.len() == distinct_before {
            // Judged by walks that judge paging; others only stop (one root cause, one
            // failure).
            if w.paging {
                w.problems.add(
                    "pages-repeat",
                    "each page to bring resources not seen before",
                    format!("{page_label}: its {returned} resources were all on earlier pages; the walk stops"),
                );
            }
            break;
        }
        if w.out.resources >= req.max_resources && start + (req.page_size as u64) <= total {
            w.problems.add(
                "walk-limit",
                &format!(
                    "an import within --max-import-resources ({})",
                    req.max_resources
                ),
                format!(
                    "{} resources read, totalResults says {total}; the walk stops (raise --max-import-resources for an app this large)",
                    w.out.resources
                ),
            );
            break;
        }
        start += req.page_size as u64;
        if start > total {
            complete = true;
            break;
        }
        if returned == 0 {
            w.problems.add(
                "pages-cover-total",
                "pages up to totalResults that hold resources",
                format!("{page_label} is empty although totalResults is {total}"),
            );
            break;
        }
        // A guard against a server whose totalResults never ends.
        if w.out.pages as u64 > total / req.page_size.max(1) as u64 + 2 {
            w.problems.add(
                "pages-cover-total",
                "the walk to end after totalResults / count pages",
                format!("still going after {} pages", w.out.pages),
            );
            break;
        }
    }
    if w.paging && complete {
        let total = w.first_total.unwrap_or(0);
        if (w.out.ids.len() as u64) < total {
            w.problems.add(
                "no-gaps",
                &format!("{total} distinct resources, as totalResults says"),
                format!(
                    "{} distinct ids over {} pages: {} never appeared",
                    w.out.ids.len(),
                    w.out.pages,
                    total - w.out.ids.len() as u64
                ),
            );
        }
    }
    if let Some(id) = &req.find_id {
        let wanted = spec.find.as_ref().is_some_and(|f| f.present);
        if wanted && !w.found && w.out.transport_error.is_none() {
            w.problems.add(
                "find",
                "the run's resource in the import",
                format!("id {id} was not returned by any page"),
            );
        }
        if !wanted && w.found {
            w.problems.add(
                "find",
                "the deleted resource gone from the import",
                format!("id {id} is still returned"),
            );
        }
    }
    let mut out = w.out;
    out.mismatches = w.problems.into_mismatches();
    out
}

/// Asks for the next pages, up to `pages_ahead` in flight and no further than totalResults.
fn fill<F: std::future::Future>(
    ahead: &mut futures_util::stream::FuturesOrdered<F>,
    next_start: &mut u64,
    total: u64,
    req: &WalkRequest<'_>,
    fetch: &impl Fn(u64) -> F,
) {
    while ahead.len() < req.pages_ahead.max(1) && *next_start <= total {
        ahead.push_back(fetch(*next_start));
        *next_start += req.page_size as u64;
    }
}

/// A page, read in one pass without building a JSON tree: counters as small values,
/// resources straight into [`ResourceView`]s.
#[derive(Deserialize)]
struct PageView<'a> {
    #[serde(rename = "totalResults")]
    total_results: Option<Value>,
    #[serde(rename = "startIndex")]
    start_index: Option<Value>,
    #[serde(rename = "itemsPerPage")]
    items_per_page: Option<Value>,
    #[serde(rename = "Resources", borrow)]
    resources: Option<Vec<ResourceView<'a>>>,
}

/// What the walk reads of a resource. Strings borrow from the page where they can.
#[derive(Deserialize, Default)]
struct ResourceView<'a> {
    #[serde(borrow)]
    id: Option<Text<'a>>,
    #[serde(rename = "userName", borrow)]
    user_name: Option<Text<'a>>,
    #[serde(borrow)]
    name: Option<NameView<'a>>,
    #[serde(borrow)]
    emails: Option<Vec<EmailView<'a>>>,
    active: Option<Value>,
    #[serde(rename = "displayName", borrow)]
    display_name: Option<Text<'a>>,
    #[serde(borrow)]
    members: Option<Vec<MemberView<'a>>>,
}

#[derive(Deserialize, Default)]
struct NameView<'a> {
    #[serde(rename = "givenName", borrow)]
    given_name: Option<Text<'a>>,
    #[serde(rename = "familyName", borrow)]
    family_name: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct EmailView<'a> {
    primary: Option<Value>,
    #[serde(borrow)]
    value: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct MemberView<'a> {
    #[serde(borrow)]
    value: Option<Text<'a>>,
    #[serde(rename = "type", borrow)]
    kind: Option<Text<'a>>,
}

fn text_at(v: &Value, path: &str) -> Option<Text<'static>> {
    lookup(v, path)
        .and_then(Value::as_str)
        .map(|s| Text(Cow::Owned(s.to_string())))
}

/// A string of a page, borrowed from it unless it holds an escape. (serde borrows a `Cow`
/// only where it is the field's whole type; inside an `Option` it would copy every string.)
#[derive(Debug, Clone, PartialEq)]
struct Text<'a>(Cow<'a, str>);

impl std::ops::Deref for Text<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<'a>(std::marker::PhantomData<&'a str>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visitor<'a> {
            type Value = Text<'a>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }

            fn visit_str<E>(self, v: &str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
        }
        deserializer.deserialize_str(Visitor(std::marker::PhantomData))
    }
}

impl ResourceView<'_> {
    /// Whether the typed reading found every attribute the walk's rules read; if not, the
    /// names may differ in case only, and the generic reading decides.
    fn has_what(&self, spec: &WalkSpec) -> bool {
        let user = !spec.rules.contains(&WalkRule::UserShape)
            || (self.user_name.is_some()
                && self
                    .name
                    .as_ref()
                    .is_some_and(|n| n.given_name.is_some() && n.family_name.is_some())
                && self.emails.is_some()
                && self.active.is_some());
        let group = !spec.rules.contains(&WalkRule::GroupMembers) || self.display_name.is_some();
        self.id.is_some() && user && group
    }

    /// The same view from a generic JSON value, with SCIM's case-insensitive attribute names
    /// (RFC 7643 §2.1): for resources whose shape the typed view does not read.
    fn from_value(v: &Value) -> ResourceView<'static> {
        let list = |name: &str| lookup(v, name).and_then(Value::as_array);
        ResourceView {
            id: text_at(v, "id"),
            user_name: text_at(v, "userName"),
            name: Some(NameView {
                given_name: text_at(v, "name.givenName"),
                family_name: text_at(v, "name.familyName"),
            }),
            emails: list("emails").map(|es| {
                es.iter()
                    .map(|e| EmailView {
                        primary: lookup(e, "primary").cloned(),
                        value: text_at(e, "value"),
                    })
                    .collect()
            }),
            active: lookup(v, "active").cloned(),
            display_name: text_at(v, "displayName"),
            members: list("members").map(|ms| {
                ms.iter()
                    .map(|m| MemberView {
                        value: text_at(m, "value"),
                        kind: text_at(m, "type"),
                    })
                    .collect()
            }),
        }
    }
}

/// A page's counters and resources, from the typed reading or, when that misses what the
/// rules need (names differing in case only, RFC 7643 §2.1; a number where a string is
/// expected), from the generic, case-insensitive one.
struct Page<'a> {
    total: Option<Value>,
    start: Option<Value>,
    per_page: Option<Value>,
    resources: Option<Vec<ResourceView<'a>>>,
}

fn read_page<'a>(body: &'a str, spec: &WalkSpec) -> Option<Page<'a>> {
    if let Ok(p) = serde_json::from_str::<PageView>(body) {
        let complete = match &p.resources {
            Some(rs) => rs.iter().all(|r| r.has_what(spec)),
            None => number(p.total_results.as_ref()) == Some(0),
        };
        if complete {
            return Some(Page {
                total: p.total_results,
                start: p.start_index,
                per_page: p.items_per_page,
                resources: p.resources,
            });
        }
    }
    let doc: Value = serde_json::from_str(body).ok()?;
    Some(Page {
        total: lookup(&doc, "totalResults").cloned(),
        start: lookup(&doc, "startIndex").cloned(),
        per_page: lookup(&doc, "itemsPerPage").cloned(),
        resources: match lookup(&doc, "Resources") {
            Some(Value::Array(items)) => Some(items.iter().map(ResourceView::from_value).collect()),
            _ => None,
        },
    })
}

/// The resource with this id on a page, as generic JSON (for a find's arbitrary paths).
fn resource_by_id(body: &str, id: &str) -> Option<Value> {
    let doc: Value = serde_json::from_str(body).ok()?;
    let items = lookup(&doc, "Resources")?.as_array()?;
    items
        .iter()
        .find(|r| lookup(r, "id").and_then(Value::as_str) == Some(id))
        .cloned()
}

/// The running state of one walk: what the pages so far established, and what they broke.
struct Walker<'a> {
    spec: &'a WalkSpec,
    req: &'a WalkRequest<'a>,
    known_users: &'a IdHashes,
    /// Whether the walk judges paging (counters, duplicates, gaps).
    paging: bool,
    /// totalResults of the first page.
    first_total: Option<u64>,
    /// Whether the resource looked for was seen.
    found: bool,
    out: WalkOutcome,
    problems: Problems,
}

impl Walker<'_> {
    /// Checks one page; returns how many resources it held, or None to stop the walk.
    fn check_page(&mut self, resp: &crate::http::Response, page: &str) -> Option<usize> {
        if resp.status != 200 {
            self.problems.add(
                "status",
                "200 for every page",
                format!("{page}: status {}", resp.status),
            );
            return None;
        }
        let Some(p) = read_page(&resp.body, self.spec) else {
            self.problems.add(
                "json",
                "a JSON ListResponse for every page",
                format!("{page}: the body is not JSON"),
            );
            return None;
        };
        if self.paging {
            for (name, v) in [
                ("totalResults", &p.total),
                ("startIndex", &p.start),
                ("itemsPerPage", &p.per_page),
            ] {
                if !is_integer(v.as_ref()) {
                    self.problems.add(
                        "integer-counters",
                        "totalResults, startIndex and itemsPerPage as JSON integers",
                        format!(
                            "{page}: {name} is {}",
                            v.as_ref().map_or("absent".to_string(), Value::to_string)
                        ),
                    );
                }
            }
        }
        let Some(total) = number(p.total.as_ref()) else {
            self.problems.add(
                "total",
                "totalResults on every page",
                format!("{page}: no totalResults"),
            );
            return None;
        };
        match self.first_total {
            None => {
                self.first_total = Some(total);
                // The set grows once, to what the app says it holds (within the walk's limit).
                let expected = total.min(self.req.max_resources as u64) as usize;
                self.out.ids.reserve(expected);
            }
            Some(t) if self.paging && t != total => self.problems.add(
                "consistent-total",
                "the same totalResults on every page",
                format!("{page}: {total}, the first page said {t}"),
            ),
            Some(_) => {}
        }
        let resources = match p.resources {
            Some(items) => items,
            None if total == 0 => Vec::new(),
            None => {
                self.problems.add(
                    "resources",
                    "Resources as an array",
                    format!("{page}: Resources is absent or not an array"),
                );
                return None;
            }
        };
        if self.paging {
            if let Some(per_page) = number(p.per_page.as_ref())
                && per_page != resources.len() as u64
            {
                self.problems.add(
                    "items-per-page",
                    "itemsPerPage equal to the resources on the page",
                    format!(
                        "{page}: itemsPerPage {per_page}, {} resources",
                        resources.len()
                    ),
                );
            }
            if resources.len() > self.req.page_size {
                self.problems.add(
                    "page-size",
                    &format!("at most count = {} resources per page", self.req.page_size),
                    format!(
                        "{page}: {} resources (self.paging ignored?); the walk stops",
                        resources.len()
                    ),
                );
                return None;
            }
        }
        for r in &resources {
            self.out.resources += 1;
            let id = r.id.as_deref().unwrap_or_default();
            if self.paging && !self.out.ids.insert(id_hash(id)) {
                self.problems.add(
                    "no-duplicates",
                    "each resource on exactly one page",
                    format!("{page}: id {id} was already on an earlier page"),
                );
            } else if !self.paging {
                self.out.ids.insert(id_hash(id));
            }
            if self.spec.rules.contains(&WalkRule::UserShape) {
                let ours = r
                    .user_name
                    .as_deref()
                    .is_some_and(|n| n.contains(self.req.run_marker.as_str()));
                if ours {
                    check_user(r, id, &mut self.problems);
                } else {
                    let mut theirs = Problems::default();
                    check_user(r, id, &mut theirs);
                    if let Some((rule, _, _, example)) = theirs.found.first() {
                        let (n, first) = &mut self.out.others_incomplete;
                        *n += 1;
                        first.get_or_insert_with(|| format!("{rule}: {example}"));
                    }
                }
            }
            if self.spec.rules.contains(&WalkRule::GroupMembers) {
                check_group(r, id, self.known_users, &mut self.problems);
            }
            if self.spec.rules.contains(&WalkRule::ValueShape) {
                check_value(r, id, &mut self.problems);
            }
            if self.req.find_id.as_deref() == Some(id) {
                self.found = true;
                let doc = resource_by_id(&resp.body, id).unwrap_or(Value::Null);
                for (path, want) in &self.req.find_expect {
                    let text = lookup(&doc, path).map(|v| match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    });
                    if text.as_deref() != Some(want.as_str()) {
                        self.problems.add(
                            &format!("find {path}"),
                            &format!("{path} = {want:?} in the import"),
                            format!(
                                "{page}: {}",
                                text.map_or("absent".to_string(), |t| format!("{t:?}"))
                            ),
                        );
                    }
                }
            }
        }
        Some(resources.len())
    }
}

fn filled(v: &Option<Text<'_>>) -> bool {
    v.as_deref().is_some_and(|s| !s.trim().is_empty())
}

/// An entitlement value has what Okta imports: `id` and `displayName`.
fn check_value(r: &ResourceView<'_>, id: &str, problems: &mut Problems) {
    if id.is_empty() {
        problems.add(
            "value id",
            "an id on every value (Okta imports it)",
            "a value without id".to_string(),
        );
    }
    if !filled(&r.display_name) {
        problems.add(
            "value displayName",
            "a displayName on every value (Okta shows it)",
            format!("value {id} has none"),
        );
    }
}

fn check_user(r: &ResourceView<'_>, id: &str, problems: &mut Problems) {
    let who = format!("user {id}");
    if id.is_empty() {
        problems.add(
            "user id",
            "an id on every user",
            "a user without id".to_string(),
        );
    }
    let name = r.name.as_ref();
    let fields = [
        ("userName", filled(&r.user_name)),
        (
            "name.givenName",
            name.is_some_and(|n| filled(&n.given_name)),
        ),
        (
            "name.familyName",
            name.is_some_and(|n| filled(&n.family_name)),
        ),
    ];
    for (path, ok) in fields {
        if !ok {
            problems.add(
                &format!("user {path}"),
                &format!("{path} on every user (Okta imports it)"),
                format!("{who} has none"),
            );
        }
    }
    let primary_email = r.emails.as_ref().is_some_and(|es| {
        es.iter()
            .any(|e| e.primary == Some(Value::Bool(true)) && filled(&e.value))
    });
    if !primary_email {
        problems.add(
            "user primary email",
            "an email with primary=true and a value on every user",
            format!("{who} has none"),
        );
    }
    if !matches!(r.active, Some(Value::Bool(_))) {
        problems.add(
            "user active",
            "a boolean active on every user",
            format!(
                "{who}: active is {}",
                r.active
                    .as_ref()
                    .map_or("absent".to_string(), Value::to_string)
            ),
        );
    }
}

fn check_group(r: &ResourceView<'_>, id: &str, known_users: &IdHashes, problems: &mut Problems) {
    if id.is_empty() || !filled(&r.display_name) {
        problems.add(
            "group shape",
            "an id and a displayName on every group",
            format!("group {id:?}"),
        );
    }
    for m in r.members.iter().flatten() {
        let is_group = m
            .kind
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("Group"));
        let value = m.value.as_deref().unwrap_or_default();
        if !is_group && !known_users.contains(&id_hash(value)) {
            problems.add(
                "group members exist",
                "members that are users of the user import",
                format!("group {id} lists member {value:?}, which the user import never returned"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users() -> WalkSpec {
        WalkSpec {
            rules: vec![WalkRule::UserShape],
            find: None,
        }
    }

    #[test]
    fn attribute_names_in_another_case_are_still_read() {
        let raw = r#"{"ID": "u1", "username": "a@x", "Name": {"GivenName": "A", "familyname": "B"},
                      "EMAILS": [{"primary": true, "value": "a@x"}], "Active": false}"#;
        let page = format!(r#"{{"totalResults": 1, "Resources": [{raw}]}}"#);
        let p = read_page(&page, &users()).unwrap();
        let v = &p.resources.unwrap()[0];
        assert_eq!(v.id.as_deref(), Some("u1"));
        let mut problems = Problems::default();
        check_user(v, "u1", &mut problems);
        assert!(problems.found.is_empty(), "{:?}", problems.found);
    }

    #[test]
    fn strings_are_borrowed_from_the_page_unless_escaped() {
        let raw = r#"{"id": "u3", "userName": "c\u0040x", "name": {"givenName": "C", "familyName": "D"},
                      "emails": [{"primary": true, "value": "c@x"}], "active": true}"#;
        let page = format!(r#"{{"totalResults": 1, "Resources": [{raw}]}}"#);
        let p = read_page(&page, &users()).unwrap();
        let v = &p.resources.unwrap()[0];
        assert!(matches!(v.id, Some(Text(Cow::Borrowed("u3")))));
        // An escape is decoded into a string of its own.
        assert_eq!(v.user_name.as_deref(), Some("c@x"));
        assert!(matches!(v.user_name, Some(Text(Cow::Owned(_)))));
    }

    #[test]
    fn missing_and_mistyped_attributes_are_found() {
        let raw = r#"{"id": "u2", "userName": 7, "emails": [{"value": "b@x"}], "active": "true"}"#;
        let page = format!(r#"{{"totalResults": 1, "Resources": [{raw}]}}"#);
        let p = read_page(&page, &users()).unwrap();
        let mut problems = Problems::default();
        check_user(&p.resources.unwrap()[0], "u2", &mut problems);
        let rules: Vec<&str> = problems.found.iter().map(|(r, ..)| r.as_str()).collect();
        assert_eq!(
            rules,
            [
                "user userName",
                "user name.givenName",
                "user name.familyName",
                "user primary email",
                "user active"
            ]
        );
    }

    #[test]
    fn pages_in_another_case_are_read() {
        let p = read_page(
            r#"{"totalresults": 1, "resources": [{"id": "x"}]}"#,
            &users(),
        )
        .unwrap();
        assert_eq!(number(p.total.as_ref()), Some(1));
        assert_eq!(p.resources.unwrap().len(), 1);
        assert!(read_page("<html>", &users()).is_none());
    }
}
