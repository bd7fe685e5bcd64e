//! The import walk: pages through a list exactly as Okta imports (`startIndex=1&count=N`, then
//! `startIndex=N+1`, … until totalResults is covered) and checks the whole walk, not one page.
//!
//! Memory stays flat at any size: a page is parsed, checked and dropped; across pages only a
//! 64-bit hash of each id is kept (for duplicates, gaps, and group members). Evidence is kept
//! for the first page and for the first page where each problem appeared, not for every page.

use serde_json::Value;

use crate::http::exchange::Exchange;
use crate::judge::assertion::Mismatch;
use crate::judge::path::{is_counter, lookup_ref as lookup};
pub use crate::judge::walk::IdHashes;
use crate::judge::walk::*;
use crate::run::events::WalkProgress;
use futures_util::StreamExt;

use crate::http::{Auth, Client, Method, Outgoing, Response};
use crate::suite::{Pagination, WalkRule, WalkSpec};

/// Pages of evidence kept at most per walk.
const EVIDENCE_PAGES: usize = 5;

/// What a walk asks for: the list, its page size, and the resource to look for.
pub struct WalkRequest<'a> {
    /// The list path (`/Users`, `/Groups`).
    pub path: &'a str,
    /// Query parameters of every page besides the paging ones (a filter).
    pub query: Vec<(String, String)>,
    /// How the walk pages.
    pub pagination: Pagination,
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
    /// Hashes of the ids the run deleted: an app that keeps a deleted user listed (often
    /// emptied) shows the import remains that are not the shape of a user, and not the app's
    /// bug to judge here (the checks after a DELETE judge that).
    pub deleted_by_run: IdHashes,
    /// Pages requested ahead of the one being judged, once totalResults is known
    /// (`--import-concurrency` minus one; the default 1 overlaps fetching the next page with
    /// judging this one). Pages are judged in order whatever order they arrive in.
    pub pages_ahead: usize,
}

impl WalkRequest<'_> {
    /// A page request: the walk's own query (a filter) and the paging parameters.
    fn page(&self, paging: [(&str, String); 2]) -> Outgoing {
        let mut query = self.query.clone();
        query.extend(paging.map(|(k, v)| (k.to_string(), v)));
        Outgoing {
            method: Method::Get,
            path: self.path.to_string(),
            query,
            headers: self.headers.to_vec(),
            authorization: self.authorization.clone(),
            body: None,
        }
    }
}

/// The default of `--max-import-resources`: ten times the largest import the project
/// benchmarks (100,000 users), about 16 MB of id hashes.
pub use scim_results::DEFAULT_MAX_IMPORT_RESOURCES;

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
    /// Resources the run deleted that the import still returned (not judged for shape).
    pub deleted_still_listed: usize,
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
        next_cursor: None,
        found: false,
        out: WalkOutcome::default(),
        problems: Problems::default(),
    };
    let complete = match req.pagination {
        Pagination::Index => w.by_index(client, progress).await,
        Pagination::Cursor => w.by_cursor(client, progress).await,
    };
    w.finish(complete)
}

impl Walker<'_> {
    /// Judges a page that came back, keeps its evidence and tells the progress; the
    /// resources it held, or None when the walk stops here.
    fn take_page(
        &mut self,
        client: &Client,
        sent: crate::http::Sent,
        page_label: &PageAt<'_>,
        progress: &mut dyn FnMut(&WalkProgress),
    ) -> Option<usize> {
        self.out.pages += 1;
        self.problems.new_since_page = false;
        let Some(resp) = sent.response else {
            self.failed(page_label, sent.exchanges);
            return None;
        };
        let returned = self.check_page(&resp, page_label);
        self.keep_evidence(client, sent.exchanges, &resp);
        progress(&WalkProgress {
            pages: self.out.pages,
            resources: self.out.resources,
            total: self.first_total,
        });
        returned
    }

    /// Pages by index as Okta imports: `startIndex=1&count=N`, then `N+1`, … until
    /// totalResults is covered, with the next pages in flight while one is judged. Whether
    /// every page was read.
    async fn by_index(&mut self, client: &Client, progress: &mut dyn FnMut(&WalkProgress)) -> bool {
        let (req, size) = (self.req, self.req.page_size);
        let fetch = |start: u64| {
            let request = req.page([
                ("startIndex", start.to_string()),
                ("count", size.to_string()),
            ]);
            async move { (start, client.send_page(request).await) }
        };
        // Pages asked for and not judged yet, in page order. The first page is alone: it says
        // how many there are. Requests already sent progress while a page is judged.
        let mut ahead = futures_util::stream::FuturesOrdered::new();
        let mut next_start: u64 = 1;
        ahead.push_back(fetch(next_start));
        next_start += size as u64;
        // Pages that came back while the next ones were sent, in page order.
        let mut ready = std::collections::VecDeque::new();
        loop {
            let next = match ready.pop_front() {
                Some(page) => Some(page),
                None => ahead.next().await,
            };
            let Some((start, sent)) = next else { break };
            if let Some(total) = self.first_total {
                fill(&mut ahead, &mut next_start, total, req, &fetch);
                send_now(&mut ahead, &mut ready).await;
            }
            let page_label = PageAt::Index(start);
            let distinct_before = self.out.ids.len();
            let Some(returned) = self.take_page(client, sent, &page_label, progress) else {
                return false;
            };
            if self.out.pages == 1
                && let Some(total) = self.first_total
            {
                // totalResults is known now: the next pages can be asked for.
                fill(&mut ahead, &mut next_start, total, req, &fetch);
            }
            match self.after_page(start, returned, distinct_before, &page_label) {
                AfterPage::More => {}
                AfterPage::Complete => return true,
                AfterPage::Stop => return false,
            }
        }
        false
    }

    /// Pages by cursor (RFC 9865 §2): an empty cursor, then each page's `nextCursor` until a
    /// page has none. A chain: each request needs the page before it, so nothing is in
    /// flight ahead. Whether every page was read.
    async fn by_cursor(
        &mut self,
        client: &Client,
        progress: &mut dyn FnMut(&WalkProgress),
    ) -> bool {
        let size = self.req.page_size;
        let mut cursor = String::new();
        let mut cursors_seen = IdHashes::default();
        let mut empty_in_a_row = 0;
        loop {
            let request = self
                .req
                .page([("cursor", cursor.clone()), ("count", size.to_string())]);
            let sent = client.send_page(request).await;
            let page_label = PageAt::Cursor {
                number: self.out.pages + 1,
                cursor: &cursor,
            };
            let distinct_before = self.out.ids.len();
            let Some(returned) = self.take_page(client, sent, &page_label, progress) else {
                return false;
            };
            let Some(next) = self.next_cursor.take() else {
                return true;
            };
            empty_in_a_row = if returned == 0 { empty_in_a_row + 1 } else { 0 };
            let repeats = !cursors_seen.insert(crate::judge::walk::id_hash(&next));
            if repeats
                || empty_in_a_row >= EMPTY_CURSOR_PAGES
                || (returned > 0 && self.out.ids.len() == distinct_before)
            {
                self.problems.add(
                    "cursor-ends",
                    "nextCursor to lead to resources not seen before, and to be absent on the last page",
                    format!(
                        "{page_label}: {}; the walk stops",
                        if repeats {
                            format!("nextCursor {next:?} was given before")
                        } else if returned == 0 {
                            format!("{} in a row with a nextCursor", scim_results::count(empty_in_a_row, "empty page"))
                        } else {
                            format!("its {returned} resources were all on earlier pages")
                        }
                    ),
                );
                return false;
            }
            if self.out.resources >= self.req.max_resources {
                self.problems.add(
                    "walk-limit",
                    &format!("an import within --max-import-resources ({})", self.req.max_resources),
                    format!("{} resources read and a nextCursor still given; the walk stops (raise --max-import-resources for an app this large)", self.out.resources),
                );
                return false;
            }
            cursor = next;
        }
    }
}

/// Which page a finding is about, said only when one is (a label per page would cost a
/// formatted string for each of thousands of pages).
enum PageAt<'a> {
    /// The page at this startIndex.
    Index(u64),
    /// The n-th page of a cursor walk, asked for with this cursor (empty: the first).
    Cursor { number: usize, cursor: &'a str },
}

impl std::fmt::Display for PageAt<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageAt::Index(start) => write!(f, "page at startIndex {start}"),
            PageAt::Cursor { cursor: "", .. } => write!(f, "first page (empty cursor)"),
            PageAt::Cursor { number, cursor } => write!(f, "page {number} (cursor {cursor:?})"),
        }
    }
}

/// Empty pages in a row, each with a nextCursor, after which a cursor walk stops: RFC 9865
/// lets a page hold fewer than `count` resources, not lead nowhere for ever.
const EMPTY_CURSOR_PAGES: usize = 3;

/// Where a walk goes after a page.
enum AfterPage {
    /// On to the next page.
    More,
    /// Every page up to totalResults was read.
    Complete,
    /// It stops here (a rule said why).
    Stop,
}

impl Walker<'_> {
    /// A page that got no answer: the walk ends with the transport error.
    fn failed(&mut self, page_label: &PageAt<'_>, exchanges: Vec<Exchange>) {
        self.out.transport_error = exchanges
            .last()
            .and_then(|e| e.error.as_ref())
            .map(|e| format!("{page_label}: {e}"));
        self.out.exchanges.extend(exchanges);
    }

    /// Keeps a page as evidence: the first, and the first where a problem appeared (at most
    /// [`EVIDENCE_PAGES`]); its body is redacted only then.
    fn keep_evidence(&mut self, client: &Client, mut exchanges: Vec<Exchange>, resp: &Response) {
        if self.out.pages == 1
            || (self.problems.new_since_page && self.out.exchanges.len() < EVIDENCE_PAGES)
        {
            if let Some(last) = exchanges.last_mut() {
                client.record_body(last, resp);
            }
            self.out.exchanges.extend(exchanges);
        }
    }

    /// The bounds that do not trust totalResults, after the page at `start` returned
    /// `returned` resources: a page that brings nothing new means the pages repeat (the walk
    /// would never end); past the limit, the walk stops with a verdict instead of running for
    /// days; an empty page before the end, or more pages than totalResults gives, stops it.
    fn after_page(
        &mut self,
        start: u64,
        returned: usize,
        distinct_before: usize,
        page_label: &PageAt<'_>,
    ) -> AfterPage {
        let total = self.first_total.unwrap_or(0);
        let page_size = self.req.page_size as u64;
        if returned > 0 && self.out.ids.len() == distinct_before {
            // Judged by walks that judge paging; others only stop (one root cause, one
            // failure).
            if self.paging {
                self.problems.add(
                    "pages-repeat",
                    "each page to bring resources not seen before",
                    format!("{page_label}: its {returned} resources were all on earlier pages; the walk stops"),
                );
            }
            return AfterPage::Stop;
        }
        if self.out.resources >= self.req.max_resources && start + page_size <= total {
            self.problems.add(
                "walk-limit",
                &format!(
                    "an import within --max-import-resources ({})",
                    self.req.max_resources
                ),
                format!(
                    "{} resources read, totalResults says {total}; the walk stops (raise --max-import-resources for an app this large)",
                    self.out.resources
                ),
            );
            return AfterPage::Stop;
        }
        if start + page_size > total {
            return AfterPage::Complete;
        }
        if returned == 0 {
            self.problems.add(
                "pages-cover-total",
                "pages up to totalResults that hold resources",
                format!("{page_label} is empty although totalResults is {total}"),
            );
            return AfterPage::Stop;
        }
        // A guard against a server whose totalResults never ends.
        if self.out.pages as u64 > total / page_size.max(1) + 2 {
            self.problems.add(
                "pages-cover-total",
                "the walk to end after totalResults / count pages",
                format!(
                    "still going after {}",
                    scim_results::count(self.out.pages, "page")
                ),
            );
            return AfterPage::Stop;
        }
        AfterPage::More
    }

    /// The rules over the whole walk, once it ended: no gaps in a complete walk, and the
    /// run's own resource found (or gone) as the walk asks.
    fn finish(mut self, complete: bool) -> WalkOutcome {
        if self.paging && complete {
            let total = self.first_total.unwrap_or(0);
            if (self.out.ids.len() as u64) < total {
                self.problems.add(
                    "no-gaps",
                    &format!("{total} distinct resources, as totalResults says"),
                    format!(
                        "{} distinct ids over {}: {} never appeared",
                        self.out.ids.len(),
                        scim_results::count(self.out.pages, "page"),
                        total - self.out.ids.len() as u64
                    ),
                );
            }
        }
        if let Some(id) = &self.req.find_id {
            let wanted = self.spec.find.as_ref().is_some_and(|f| f.present);
            if wanted && !self.found && self.out.transport_error.is_none() {
                self.problems.add(
                    "find",
                    "the run's resource in the import",
                    format!("id {id} was not returned by any page"),
                );
            }
            if !wanted && self.found {
                self.problems.add(
                    "find",
                    "the deleted resource gone from the import",
                    format!("id {id} is still returned"),
                );
            }
        }
        let mut out = self.out;
        out.mismatches = self.problems.into_mismatches();
        out
    }
}

/// Lets the pages asked for leave before the one in hand is judged, so that the app prepares
/// them meanwhile: each is polled once (one that already came back is kept, in order) and the
/// task yields, letting the connection write them. Without it a request leaves only when the
/// walk next waits, after judging, and app and harness take turns.
async fn send_now<F: std::future::Future>(
    ahead: &mut futures_util::stream::FuturesOrdered<F>,
    ready: &mut std::collections::VecDeque<F::Output>,
) {
    use futures_util::FutureExt;
    while let Some(Some(page)) = ahead.next().now_or_never() {
        ready.push_back(page);
    }
    tokio::task::yield_now().await;
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

/// The running state of one walk: what the pages so far established, and what they broke.
struct Walker<'a> {
    spec: &'a WalkSpec,
    req: &'a WalkRequest<'a>,
    known_users: &'a IdHashes,
    /// Whether the walk judges paging (counters, duplicates, gaps).
    paging: bool,
    /// totalResults of the first page.
    first_total: Option<u64>,
    /// The nextCursor of the page judged last (a cursor walk's next request).
    next_cursor: Option<String>,
    /// Whether the resource looked for was seen.
    found: bool,
    out: WalkOutcome,
    problems: Problems,
}

impl Walker<'_> {
    /// Checks one page; returns how many resources it held, or None to stop the walk.
    fn check_page(&mut self, resp: &crate::http::Response, page: &PageAt<'_>) -> Option<usize> {
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
        let total = self.check_counters(&p, page)?;
        if self.req.pagination == Pagination::Cursor {
            self.read_next_cursor(p.next_cursor.as_ref(), page)?;
        }
        let resources = match p.resources {
            Some(items) => items,
            None if total.unwrap_or(0) == 0 => Vec::new(),
            None => {
                self.problems.add(
                    "resources",
                    "Resources as an array",
                    format!("{page}: Resources is absent or not an array"),
                );
                return None;
            }
        };
        if self.paging && !self.check_page_size(p.per_page.as_ref(), resources.len(), page) {
            return None;
        }
        for r in &resources {
            self.check_resource(r, &resp.body, page);
        }
        Some(resources.len())
    }

    /// A page's counters: JSON integers (when the walk judges paging), a totalResults, the
    /// same on every page. The page's totalResults (Some(None): a cursor page without one,
    /// which RFC 9865 §2 allows), or None to stop the walk.
    fn check_counters(&mut self, p: &Page<'_>, page: &PageAt<'_>) -> Option<Option<u64>> {
        let by_cursor = self.req.pagination == Pagination::Cursor;
        if self.paging {
            // A cursor page has no startIndex, and may leave out totalResults (RFC 9865 §2).
            let counters: &[(&str, &Option<Value>)] = if by_cursor {
                &[("totalResults", &p.total), ("itemsPerPage", &p.per_page)]
            } else {
                &[
                    ("totalResults", &p.total),
                    ("startIndex", &p.start),
                    ("itemsPerPage", &p.per_page),
                ]
            };
            for (name, v) in counters {
                let left_out = by_cursor && v.is_none();
                if !left_out && !is_counter(v.as_ref()) {
                    self.problems.add(
                        "integer-counters",
                        if by_cursor {
                            "totalResults and itemsPerPage, when given, as JSON integers"
                        } else {
                            "totalResults, startIndex and itemsPerPage as JSON integers"
                        },
                        format!(
                            "{page}: {name} is {}",
                            v.as_ref().map_or("absent".to_string(), Value::to_string)
                        ),
                    );
                }
            }
        }
        let Some(total) = number(p.total.as_ref()) else {
            if by_cursor && p.total.is_none() {
                return Some(None);
            }
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
        Some(Some(total))
    }

    /// A cursor page's nextCursor (RFC 9865 §2: a string, absent on the last page); None
    /// to stop the walk when it is something else.
    fn read_next_cursor(&mut self, next: Option<&Value>, page: &PageAt<'_>) -> Option<()> {
        self.next_cursor = match next {
            None | Some(Value::Null) => None,
            Some(Value::String(c)) if !c.is_empty() => Some(c.clone()),
            Some(other) => {
                self.problems.add(
                    "cursor-ends",
                    "nextCursor as a cursor string, absent on the last page",
                    format!("{page}: nextCursor is {other}; the walk stops"),
                );
                return None;
            }
        };
        Some(())
    }

    /// itemsPerPage equal to the page's resources, and no more than `count` of them; false
    /// when the page is larger than asked (the app ignores paging: the walk stops).
    fn check_page_size(
        &mut self,
        per_page: Option<&Value>,
        returned: usize,
        page: &PageAt<'_>,
    ) -> bool {
        if let Some(per_page) = number(per_page)
            && per_page != returned as u64
        {
            self.problems.add(
                "items-per-page",
                "itemsPerPage equal to the resources on the page",
                format!("{page}: itemsPerPage {per_page}, {returned} resources"),
            );
        }
        if returned > self.req.page_size {
            self.problems.add(
                "page-size",
                &format!("at most count = {} resources per page", self.req.page_size),
                format!("{page}: {returned} resources (paging ignored?); the walk stops"),
            );
            return false;
        }
        true
    }

    /// One resource of a page: seen once, the shape the walk's rules ask for (the run's own
    /// users judged, the app's others counted), and the run's resource found as expected.
    fn check_resource(&mut self, r: &ResourceView<'_>, body: &str, page: &PageAt<'_>) {
        self.out.resources += 1;
        let id = r.id.as_deref().unwrap_or_default();
        let hash = id_hash(id);
        if !self.out.ids.insert(hash) && self.paging {
            self.problems.add(
                "no-duplicates",
                "each resource on exactly one page",
                format!("{page}: id {id} was already on an earlier page"),
            );
        }
        if self.spec.rules.contains(&WalkRule::UserShape) {
            let ours = r
                .user_name
                .as_deref()
                .is_some_and(|n| n.contains(self.req.run_marker.as_str()));
            let deleted = self.req.deleted_by_run.contains(&hash);
            if ours && !deleted {
                check_user(r, id, &mut self.problems);
            } else if deleted {
                self.out.deleted_still_listed += 1;
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
            self.check_found(body, id, page);
        }
    }

    /// The run's resource, found in the import: the values the walk expects of it.
    fn check_found(&mut self, body: &str, id: &str, page: &PageAt<'_>) {
        let doc = resource_by_id(body, id).unwrap_or(Value::Null);
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn users() -> WalkSpec {
        WalkSpec {
            rules: vec![WalkRule::UserShape],
            find: None,
            pagination: None,
            count: None,
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
    fn a_primary_email_needs_primary_true_and_a_value_in_either_reading() {
        let user = |emails: &str, case: &str| {
            format!(
                r#"{{"totalResults": 1, "Resources": [{{"id": "u", "userName": "u@x", "name": {{"givenName": "A", "familyName": "B"}}, "{case}": {emails}, "active": true}}]}}"#
            )
        };
        for case in ["emails", "Emails"] {
            for (emails, primary) in [
                (
                    r#"[{"value": "a@x"}, {"primary": true, "value": "b@x"}]"#,
                    true,
                ),
                (r#"[{"primary": true, "value": " "}]"#, false),
                (r#"[{"primary": "true", "value": "a@x"}]"#, false),
                ("[]", false),
            ] {
                let page = user(emails, case);
                let p = read_page(&page, &users()).unwrap();
                let mut problems = Problems::default();
                check_user(&p.resources.unwrap()[0], "u", &mut problems);
                assert_eq!(problems.found.is_empty(), primary, "{case}: {emails}");
            }
        }
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
