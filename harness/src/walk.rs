//! The import walk: pages through a list exactly as Okta imports (`startIndex=1&count=N`, then
//! `startIndex=N+1`, … until totalResults is covered) and checks the whole walk, not one page.
//!
//! Memory stays flat at any size: a page is parsed, checked and dropped; across pages only a
//! 64-bit hash of each id is kept (for duplicates, gaps, and group members). Evidence is kept
//! for the first page and for the first page where each problem appeared, not for every page.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use secrecy::SecretString;
use serde_json::Value;

use crate::assertion::{Mismatch, lookup_ref as lookup};
use crate::exchange::Exchange;
use crate::http::{Client, Outgoing};
use crate::suite::{WalkRule, WalkSpec};

/// Pages of evidence kept at most per walk.
const EVIDENCE_PAGES: usize = 5;

/// Ids seen by a walk, as hashes.
pub type IdHashes = HashSet<u64>;

/// What a walk asks for: the list, its page size, and the resource to look for.
pub struct WalkRequest<'a> {
    /// The list path (`/Users`, `/Groups`).
    pub path: &'a str,
    /// Headers of every page request.
    pub headers: &'a [(String, String)],
    /// The Authorization value.
    pub authorization: Option<SecretString>,
    /// `count` of every page.
    pub page_size: usize,
    /// The id to look for, rendered.
    pub find_id: Option<String>,
    /// Paths and expected text of the resource looked for, rendered.
    pub find_expect: Vec<(String, String)>,
}

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
}

/// Hashes an id for the sets a walk keeps.
pub fn id_hash(id: &str) -> u64 {
    let mut h = DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
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
                keyword: None,
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

fn non_empty_text(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::String(s)) if !s.trim().is_empty())
}

/// Walks the list and checks the rules. `known_users` are the user id hashes of an earlier
/// user walk (for group members).
pub async fn walk(
    client: &Client,
    spec: &WalkSpec,
    req: WalkRequest<'_>,
    known_users: &IdHashes,
) -> WalkOutcome {
    let mut out = WalkOutcome::default();
    let mut problems = Problems::default();
    let paging = spec.rules.contains(&WalkRule::Paging);
    let mut first_total: Option<u64> = None;
    let mut found = false;
    let mut start: u64 = 1;
    let mut complete = false;
    loop {
        let sent = client
            .send(Outgoing {
                method: "GET".into(),
                path: req.path.to_string(),
                query: vec![
                    ("startIndex".into(), start.to_string()),
                    ("count".into(), req.page_size.to_string()),
                ],
                headers: req.headers.to_vec(),
                authorization: req.authorization.clone(),
                body: None,
            })
            .await;
        out.pages += 1;
        problems.new_since_page = false;
        let Some(resp) = sent.response else {
            out.transport_error = sent
                .exchanges
                .last()
                .and_then(|e| e.error.as_ref())
                .map(|e| format!("page at startIndex {start}: {e}"));
            out.exchanges.extend(sent.exchanges);
            break;
        };
        let page_label = format!("page at startIndex {start}");
        let stop = check_page(
            &resp,
            spec,
            &req,
            &page_label,
            paging,
            &mut first_total,
            &mut found,
            known_users,
            &mut out,
            &mut problems,
        );
        if out.pages == 1 || (problems.new_since_page && out.exchanges.len() < EVIDENCE_PAGES) {
            out.exchanges.extend(sent.exchanges);
        }
        let Some(returned) = stop else { break };
        let total = first_total.unwrap_or(0);
        start += req.page_size as u64;
        if start > total {
            complete = true;
            break;
        }
        if returned == 0 {
            problems.add(
                "pages-cover-total",
                "pages up to totalResults that hold resources",
                format!("{page_label} is empty although totalResults is {total}"),
            );
            break;
        }
        // A guard against a server whose totalResults never ends.
        if out.pages as u64 > total / req.page_size.max(1) as u64 + 2 {
            problems.add(
                "pages-cover-total",
                "the walk to end after totalResults / count pages",
                format!("still going after {} pages", out.pages),
            );
            break;
        }
    }
    if paging && complete {
        let total = first_total.unwrap_or(0);
        if (out.ids.len() as u64) < total {
            problems.add(
                "no-gaps",
                &format!("{total} distinct resources, as totalResults says"),
                format!(
                    "{} distinct ids over {} pages: {} never appeared",
                    out.ids.len(),
                    out.pages,
                    total - out.ids.len() as u64
                ),
            );
        }
    }
    if let Some(id) = &req.find_id {
        let wanted = spec.find.as_ref().is_some_and(|f| f.present);
        if wanted && !found && out.transport_error.is_none() {
            problems.add(
                "find",
                "the run's resource in the import",
                format!("id {id} was not returned by any page"),
            );
        }
        if !wanted && found {
            problems.add(
                "find",
                "the deleted resource gone from the import",
                format!("id {id} is still returned"),
            );
        }
    }
    out.mismatches = problems.into_mismatches();
    out
}

/// Checks one page; returns how many resources it held, or None to stop the walk.
#[expect(
    clippy::too_many_arguments,
    reason = "one page's checks share the walk's running state"
)]
fn check_page(
    resp: &crate::http::Response,
    spec: &WalkSpec,
    req: &WalkRequest<'_>,
    page: &str,
    paging: bool,
    first_total: &mut Option<u64>,
    found: &mut bool,
    known_users: &IdHashes,
    out: &mut WalkOutcome,
    problems: &mut Problems,
) -> Option<usize> {
    if resp.status != 200 {
        problems.add(
            "status",
            "200 for every page",
            format!("{page}: status {}", resp.status),
        );
        return None;
    }
    let Some(doc) = &resp.json else {
        problems.add(
            "json",
            "a JSON ListResponse for every page",
            format!("{page}: the body is not JSON"),
        );
        return None;
    };
    let total = number(doc.get("totalResults"));
    if paging {
        for name in ["totalResults", "startIndex", "itemsPerPage"] {
            let v = lookup(doc, name);
            if !is_integer(v) {
                problems.add(
                    "integer-counters",
                    "totalResults, startIndex and itemsPerPage as JSON integers",
                    format!(
                        "{page}: {name} is {}",
                        v.map_or("absent".to_string(), |v| v.to_string())
                    ),
                );
            }
        }
    }
    let Some(total) = total else {
        problems.add(
            "total",
            "totalResults on every page",
            format!("{page}: no totalResults"),
        );
        return None;
    };
    match *first_total {
        None => *first_total = Some(total),
        Some(t) if paging && t != total => problems.add(
            "consistent-total",
            "the same totalResults on every page",
            format!("{page}: {total}, the first page said {t}"),
        ),
        Some(_) => {}
    }
    let empty = Vec::new();
    let resources = match lookup(doc, "Resources") {
        Some(Value::Array(items)) => items,
        None | Some(Value::Null) if total == 0 => &empty,
        other => {
            problems.add(
                "resources",
                "Resources as an array",
                format!(
                    "{page}: Resources is {}",
                    other.map_or("absent".into(), |v| v.to_string())
                ),
            );
            return None;
        }
    };
    if paging {
        if let Some(per_page) = number(doc.get("itemsPerPage"))
            && per_page != resources.len() as u64
        {
            problems.add(
                "items-per-page",
                "itemsPerPage equal to the resources on the page",
                format!(
                    "{page}: itemsPerPage {per_page}, {} resources",
                    resources.len()
                ),
            );
        }
        if resources.len() > req.page_size {
            problems.add(
                "page-size",
                &format!("at most count = {} resources per page", req.page_size),
                format!(
                    "{page}: {} resources (paging ignored?); the walk stops",
                    resources.len()
                ),
            );
            return None;
        }
    }
    for r in resources {
        out.resources += 1;
        let id = r.get("id").and_then(Value::as_str).unwrap_or_default();
        if paging && !out.ids.insert(id_hash(id)) {
            problems.add(
                "no-duplicates",
                "each resource on exactly one page",
                format!("{page}: id {id} was already on an earlier page"),
            );
        } else if !paging {
            out.ids.insert(id_hash(id));
        }
        if spec.rules.contains(&WalkRule::UserShape) {
            check_user(r, id, problems);
        }
        if spec.rules.contains(&WalkRule::GroupMembers) {
            check_group(r, id, known_users, problems);
        }
        if req.find_id.as_deref() == Some(id) {
            *found = true;
            for (path, want) in &req.find_expect {
                let got = lookup(r, path);
                let text = got.map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                });
                if text.as_deref() != Some(want.as_str()) {
                    problems.add(
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

fn check_user(r: &Value, id: &str, problems: &mut Problems) {
    let who = format!("user {id}");
    if id.is_empty() {
        problems.add(
            "user id",
            "an id on every user",
            format!(
                "a user without id: {}",
                r.to_string().chars().take(120).collect::<String>()
            ),
        );
    }
    for path in ["userName", "name.givenName", "name.familyName"] {
        if !non_empty_text(lookup(r, path)) {
            problems.add(
                &format!("user {path}"),
                &format!("{path} on every user (Okta imports it)"),
                format!("{who} has none"),
            );
        }
    }
    let primary_email = match lookup(r, "emails") {
        Some(Value::Array(emails)) => emails.iter().any(|e| {
            e.get("primary") == Some(&Value::Bool(true)) && non_empty_text(e.get("value"))
        }),
        _ => false,
    };
    if !primary_email {
        problems.add(
            "user primary email",
            "an email with primary=true and a value on every user",
            format!("{who} has none"),
        );
    }
    if !matches!(lookup(r, "active"), Some(Value::Bool(_))) {
        problems.add(
            "user active",
            "a boolean active on every user",
            format!(
                "{who}: active is {}",
                lookup(r, "active").map_or("absent".to_string(), |v| v.to_string())
            ),
        );
    }
}

fn check_group(r: &Value, id: &str, known_users: &IdHashes, problems: &mut Problems) {
    if id.is_empty() || !non_empty_text(lookup(r, "displayName")) {
        problems.add(
            "group shape",
            "an id and a displayName on every group",
            format!("group {id:?}"),
        );
    }
    if let Some(Value::Array(members)) = lookup(r, "members") {
        for m in members {
            let is_group = m
                .get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("Group"));
            let value = m.get("value").and_then(Value::as_str).unwrap_or_default();
            if !is_group && !known_users.contains(&id_hash(value)) {
                problems.add(
                    "group members exist",
                    "members that are users of the user import",
                    format!(
                        "group {id} lists member {value:?}, which the user import never returned"
                    ),
                );
            }
        }
    }
}
