//! Lists and searches: filters, paging, sorting and the ListResponse (RFC 7644 §3.4.2, §3.4.3).

use crate::cursor;
use crate::discovery::{DEFAULT_COUNT, MAX_RESULTS};
use crate::error::ScimError;
use crate::faults::Fault;
use crate::filter::{self};
use crate::resources::present;
use crate::state::{AppState, Shared, error, eval_options, parse_body, scim_text};
use crate::store::Kind;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

/// POST `.search` (RFC 7644 §3.4.3): the same query as GET, sent as a SearchRequest body.
pub(crate) async fn search(s: &AppState, kinds: &[Kind], body: &Bytes) -> Response {
    let request = match parse_body(body) {
        Ok(v) => v,
        Err(e) => return error(s, e),
    };
    let mut q = Vec::new();
    for name in [
        "filter",
        "startIndex",
        "count",
        "sortBy",
        "sortOrder",
        "attributes",
        "excludedAttributes",
    ] {
        match filter::get_ci(&request, name) {
            Some(Value::String(v)) => q.push((name.to_string(), v.clone())),
            Some(Value::Number(n)) => q.push((name.to_string(), n.to_string())),
            Some(Value::Array(items)) => {
                let list: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
                q.push((name.to_string(), list.join(",")));
            }
            _ => {}
        }
    }
    match list_inner(s, kinds, &q) {
        Ok(body) => scim_text(s, StatusCode::OK, body),
        Err(e) => error(s, e),
    }
}

pub(crate) async fn search_all(State(s): State<Shared>, body: Bytes) -> Response {
    search(&s, &[Kind::Users, Kind::Groups], &body).await
}

/// Lists with filter, sort and paging (RFC 7644 §3.4.2).
pub(crate) fn list(s: &AppState, kind: Kind, q: &[(String, String)]) -> Response {
    if s.faults.has(Fault::Count500) && q.iter().any(|(k, _)| k.eq_ignore_ascii_case("count")) {
        let e = ScimError::new(StatusCode::INTERNAL_SERVER_ERROR, "count is not supported");
        return error(s, e);
    }
    match list_inner(s, &[kind], q) {
        Ok(body) => scim_text(s, StatusCode::OK, body),
        Err(e) => error(s, e),
    }
}

/// The ListResponse body. Resources are stored as JSON text; when nothing projects or bends
/// them, that text goes into the page as it is, without a parse (a page of 100 out of 100,000
/// users then costs well under a millisecond).
pub(crate) fn list_inner(
    s: &AppState,
    kinds: &[Kind],
    q: &[(String, String)],
) -> Result<String, ScimError> {
    let param = |name: &str| {
        q.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let filter = list_filter(s, param("filter"))?;
    if let (Some(f), [kind]) = (&filter, kinds) {
        crate::interop::refuse_undefined_filter(s, *kind, f)?;
    }
    let number = |name: &str| -> Result<Option<i64>, ScimError> {
        match param(name) {
            None => Ok(None),
            Some(t) => t.trim().parse::<i64>().map(Some).map_err(|_| {
                ScimError::bad_request(
                    "invalidValue",
                    format!("{name} must be an integer, got {t:?}"),
                )
            }),
        }
    };
    // startIndex < 1 is read as 1 (RFC 7644 §3.4.2.4); a negative count as 0.
    let asked_start = number("startIndex")?.unwrap_or(1);
    let start = asked_start.max(1) as usize;
    let requested_count = number("count")?;
    let count = requested_count
        .map_or(DEFAULT_COUNT, |c| c.max(0) as usize)
        .min(MAX_RESULTS);
    let paging = paging_of(s, q, param("cursor"), requested_count)?;

    let store = s.store.lock().expect("store lock");
    let skip = match &paging {
        Paging::Cursor { offset, .. } => *offset,
        Paging::Index if s.faults.has(Fault::StartIndexZeroBased) => start,
        Paging::Index => start - 1,
    };
    let query = Query {
        filter: filter.as_ref(),
        filter_text: param("filter"),
        sort_by: param("sortBy"),
        sort_order: param("sortOrder"),
        skip,
        count,
        asked_start,
    };
    let (total, page) = page_of(s, &store, kinds, &query);
    let items_per_page = if s.faults.has(Fault::ItemsPerPageEchoesCount) {
        requested_count.map_or(page.len(), |c| c.max(0) as usize)
    } else {
        page.len()
    };
    let projected = s.faults.has(Fault::MetaMissing)
        || s.faults.has(Fault::ActiveAsString)
        || param("attributes").is_some()
        || param("excludedAttributes").is_some();
    let resources: Vec<String> = if projected {
        // Projection can be costly: it runs on copies, after the store is unlocked.
        let copies: Vec<Value> = page.into_iter().map(|e| e.resource()).collect();
        drop(store);
        copies
            .into_iter()
            .map(|v| present(s, v, q).map(|v| v.to_string()))
            .collect::<Result<_, _>>()?
    } else {
        page.into_iter()
            .map(|e| e.json_text().to_string())
            .collect()
    };
    let start_shown = if s.faults.has(Fault::StartIndexEchoedRaw) {
        number("startIndex")?.map_or(start, |n| n.max(0) as usize)
    } else {
        start
    };
    let counters = Counters::of(total, start_shown, items_per_page, &paging, count);
    Ok(list_response(s, &counters, &resources))
}

/// How a list is paged: by index (RFC 7644 §3.4.2.4), or by cursor when the request names
/// one, even empty (RFC 9865 §2), from the page's offset.
enum Paging {
    Index,
    /// `back`: how far the previousCursor goes back (a page; 0 under the previous-cursor-wrong
    /// fault).
    Cursor {
        offset: usize,
        key: u64,
        back: usize,
    },
}

fn paging_of(
    s: &AppState,
    q: &[(String, String)],
    cursor: Option<&str>,
    count: Option<i64>,
) -> Result<Paging, ScimError> {
    // A request that names no method is paged the server's default way (RFC 9865 §2.3).
    let unnamed = !q.iter().any(|(k, _)| k.eq_ignore_ascii_case("startIndex"));
    let cursor = cursor.or((s.cursor_by_default && unnamed).then_some(""));
    let Some(cursor) = cursor.filter(|_| {
        s.version == crate::version::ScimVersion::V2 && !s.faults.has(Fault::CursorIgnored)
    }) else {
        return Ok(Paging::Index);
    };
    if count.is_some_and(|c| c < 1) {
        return Err(ScimError::bad_request(
            "invalidCount",
            format!("count must be between 1 and {MAX_RESULTS} (RFC 9865 §2.1)"),
        ));
    }
    let key = cursor::query_key(q);
    let offset = match cursor::decode(cursor, key) {
        Err(_) if s.faults.has(Fault::InvalidCursorAccepted) => 0,
        Ok(_) if s.faults.has(Fault::CursorRepeatsFirstPage) => 0,
        other => other?,
    };
    let back = if s.faults.has(Fault::PreviousCursorWrong) {
        0
    } else {
        usize::MAX
    };
    Ok(Paging::Cursor { offset, key, back })
}

/// A ListResponse's counters, and its cursors (next, previous) when paged by cursor.
struct Counters {
    total: usize,
    start: usize,
    per_page: usize,
    cursors: Option<(Option<String>, Option<String>)>,
}

impl Counters {
    fn of(total: usize, start: usize, per_page: usize, paging: &Paging, count: usize) -> Self {
        let cursors = match *paging {
            Paging::Cursor { offset, key, back } => Some((
                (offset + per_page < total).then(|| cursor::encode(offset + per_page, key)),
                (offset > 0).then(|| cursor::encode(offset.saturating_sub(back.min(count)), key)),
            )),
            Paging::Index => None,
        };
        Counters {
            total,
            start,
            per_page,
            cursors,
        }
    }
}

/// The total and the page of a list. A plain list (one kind, no filter, no sort, no fault
/// that bends it) is a slice of the collection: found by position, at the cost of the page.
fn page_of<'a>(
    s: &AppState,
    store: &'a crate::store::Store,
    kinds: &[Kind],
    query: &Query<'_>,
) -> (usize, Vec<&'a crate::store::Entry>) {
    let plain = kinds.len() == 1
        && query.filter.is_none()
        && query.sort_by.is_none()
        && !s.faults.has(Fault::UnstableOrder)
        && !s.faults.has(Fault::PagingIgnored)
        && !(kinds[0] == Kind::Users && s.faults.has(Fault::DeactivatedHidden));
    if plain {
        let collection = store.of(kinds[0]);
        (
            collection.listed_len(),
            collection.listed_page(query.skip + 1, query.count),
        )
    } else {
        matching_page(s, store, kinds, query)
    }
}

/// A ListResponse of resources already written as JSON: totalResults, startIndex and
/// itemsPerPage (as strings under the counters-as-strings fault).
fn list_response(s: &AppState, c: &Counters, resources: &[String]) -> String {
    let counter = |n: usize| {
        if s.faults.has(Fault::CountersAsStrings) {
            json!(n.to_string())
        } else {
            json!(n)
        }
    };
    // A cursor page has no startIndex; it has nextCursor unless it is the last (RFC 9865 §2).
    let position = match &c.cursors {
        None => format!(r#""startIndex":{},"#, counter(c.start)),
        Some((next, previous)) => [("nextCursor", next), ("previousCursor", previous)]
            .iter()
            .filter_map(|(name, v)| v.as_ref().map(|v| format!(r#""{name}":{},"#, json!(v))))
            .collect(),
    };
    format!(
        r#"{{"schemas":{},"totalResults":{},{position}"itemsPerPage":{},"Resources":[{}]}}"#,
        s.version.list_schemas(),
        counter(c.total),
        counter(c.per_page),
        resources.join(",")
    )
}

/// The list's filter: parsed, or bent by the faults that ignore it, accept a malformed one,
/// or make externalId unfilterable (an empty list); a malformed one is a 400 invalidFilter.
fn list_filter(s: &AppState, text: Option<&str>) -> Result<Option<filter::Filter>, ScimError> {
    let filter = match text {
        None => None,
        Some(_) if s.faults.has(Fault::FilterIgnored) => None,
        Some(text) => match filter::parse(text) {
            Ok(f) => Some(f),
            Err(_) if s.faults.has(Fault::MalformedFilter200) => None,
            // A filter that matches nothing: an empty, successful list.
            Err(e)
                if s.faults.has(Fault::FilterMissingValue200) && e.contains("expected a value") =>
            {
                Some(filter::Filter::Or(Vec::new()))
            }
            Err(e) => {
                return Err(ScimError::bad_request(
                    "invalidFilter",
                    format!("invalid filter {text:?}: {e}"),
                ));
            }
        },
    };
    Ok(match filter {
        Some(_)
            if s.faults.has(Fault::ExternalIdNotFilterable)
                && text.is_some_and(|f| f.to_ascii_lowercase().contains("externalid")) =>
        {
            Some(filter::Filter::Or(Vec::new()))
        }
        other => other,
    })
}

/// What a list asks for besides the resource types.
struct Query<'q> {
    filter: Option<&'q filter::Filter>,
    /// The filter as written: with the types and the sort, what a kept list is known by.
    filter_text: Option<&'q str>,
    sort_by: Option<&'q str>,
    sort_order: Option<&'q str>,
    /// Resources before the page.
    skip: usize,
    count: usize,
    /// The startIndex as asked (below 1 too): what the unstable-order fault's rotation varies
    /// with, so that each page of a walk sees another order whatever ran before or beside it.
    asked_start: i64,
}

/// The page of a filtered, sorted or fault-bent list. Okta's `userName eq` lookup is answered
/// from the name index; any other list is gathered and sorted once per version of the data
/// ([`ListCache`](crate::list_cache::ListCache)), and each page is cut from it.
fn matching_page<'a>(
    s: &AppState,
    store: &'a crate::store::Store,
    kinds: &[Kind],
    q: &Query<'_>,
) -> (usize, Vec<&'a crate::store::Entry>) {
    let Query {
        skip,
        count,
        asked_start,
        ..
    } = *q;
    let opts = eval_options(s);
    let by_name = q
        .filter
        .and_then(filter::username_eq)
        .filter(|_| kinds == [Kind::Users] && q.sort_by.is_none());
    let bent = s.faults.has(Fault::UnstableOrder) || s.faults.has(Fault::PagingIgnored);
    let mut hits: Vec<&crate::store::Entry> = match by_name {
        // The index answers Okta's lookup without a scan.
        Some(name) => {
            let key = if opts.case_sensitive_username {
                name.to_string()
            } else {
                name.to_lowercase()
            };
            let users = store.of(Kind::Users);
            users
                .by_name(&key)
                .into_iter()
                .filter(|e| visible(s, Kind::Users, e))
                .collect()
        }
        None => {
            let key = format!(
                "{kinds:?}\u{0}{}\u{0}{}\u{0}{}",
                q.filter_text.unwrap_or_default(),
                q.sort_by.unwrap_or_default(),
                q.sort_order.unwrap_or_default()
            );
            let list =
                s.list_cache
                    .lock()
                    .expect("list cache lock")
                    .get_or(store.version(), key, || matching(s, store, kinds, q));
            let total = list.len();
            // A page is cut from the list as it is, unless a fault bends the whole list.
            let wanted: &[(Kind, u64)] = if bent {
                &list
            } else {
                &list[skip.min(total)..(skip + count).min(total)]
            };
            let entries = wanted
                .iter()
                .filter_map(|(kind, seq)| store.of(*kind).slot(*seq))
                .collect();
            if !bent {
                return (total, entries);
            }
            entries
        }
    };
    if s.faults.has(Fault::UnstableOrder) && hits.len() > 1 {
        // Each page sees the list rotated differently, as a server ordering by a volatile key
        // would: deterministic, never the identity rotation, and keyed on the page asked for
        // (not on how many requests came before or run beside), so the checks that catch it
        // do not depend on timing.
        let shift = 1 + (asked_start.unsigned_abs() as usize) % (hits.len() - 1);
        hits.rotate_left(shift);
    }
    let total = hits.len();
    let page: Vec<&crate::store::Entry> = if s.faults.has(Fault::PagingIgnored) {
        hits
    } else {
        hits.into_iter().skip(skip).take(count).collect()
    };
    (total, page)
}

/// Whether a resource shows in lists: not soft-deleted, and not a deactivated user hidden by
/// the deactivated-hidden fault.
fn visible(s: &AppState, kind: Kind, e: &crate::store::Entry) -> bool {
    let hidden_inactive =
        kind == Kind::Users && e.inactive && s.faults.has(Fault::DeactivatedHidden);
    !e.soft_deleted && !hidden_inactive
}

/// Every resource of the types that matches the filter, in the sort's order (creation order
/// without one), by position.
fn matching(
    s: &AppState,
    store: &crate::store::Store,
    kinds: &[Kind],
    q: &Query<'_>,
) -> Vec<(Kind, u64)> {
    let opts = eval_options(s);
    let mut hits: Vec<(Kind, u64, &crate::store::Entry)> = Vec::new();
    for &kind in kinds {
        hits.extend(
            store
                .of(kind)
                .positions()
                .filter(|(_, e)| visible(s, kind, e))
                .filter(|(_, e)| {
                    q.filter
                        .is_none_or(|f| filter::matches(f, &e.resource(), opts))
                })
                .map(|(seq, e)| (kind, seq, e)),
        );
    }
    if let Some(sort_by) = q.sort_by {
        let path = filter::attr_path(sort_by);
        let key = |e: &crate::store::Entry| {
            filter::values_at(&e.resource(), &path)
                .first()
                .map(|v| match v {
                    Value::String(x) => x.to_lowercase(),
                    other => other.to_string(),
                })
        };
        hits.sort_by_cached_key(|(_, _, e)| key(e));
        if q.sort_order
            .is_some_and(|o| o.eq_ignore_ascii_case("descending"))
        {
            hits.reverse();
        }
    }
    hits.into_iter().map(|(kind, seq, _)| (kind, seq)).collect()
}
