//! `results.json`: the canonical machine form of a run, the [`RunReport`] serialised.
//!
//! Shape (format_version 1), abridged:
//!
//! ```json
//! {
//!   "format_version": 1,
//!   "tool": { "name": "scimcheck", "version": "0.1.0" },
//!   "run_id": "5f0c…", "started_at": "2026-11-23T08:00:00Z", "duration_ms": 41,
//!   "target": { "base_url": "http://127.0.0.1:8080/scim/v2", "auth": "bearer" },
//!   "interrupted": false,
//!   "scim_version": { "version": "2.0", "how": "detected",
//!                     "evidence": ["GET /ServiceProviderConfig → 200 with schemas …, so SCIM 2.0"],
//!                     "exchanges": [] },
//!   "suites": [{
//!     "id": "rfc7644", "title": "…", "version": "2026-11-23",
//!     "scim_version": "2.0", "reference": "…", "duration_ms": 40,
//!     "checks": [{
//!       "id": "no-credential", "title": "A request without credentials is refused with 401",
//!       "level": "required", "reference": "RFC 7644 §2 and §3.12 …", "keyword": "MUST",
//!       "duration_ms": 2,
//!       "outcome": { "status": "fail", "mismatches": [
//!         { "assertion": "status", "expected": "401", "actual": "200", "keyword": "MUST" } ] },
//!       "exchanges": [{ "request": { "method": "GET", "url": "…", "headers": [["Accept", "…"]] },
//!                       "response": { "status": 200, "headers": [], "body": "…" },
//!                       "duration_ms": 2 }],
//!       "note": "6 pages, 23 resources, 23 distinct"
//!     }],
//!     "cleanup": [{ "resource": "/Users/…", "action": "deleted", "note": "DELETE answered 204",
//!                   "exchanges": [] }]
//!   }],
//!   "summary": { "passed": 11, "warnings": 0, "failed": 1, "errors": 0, "skipped": 0,
//!                "required_failed": 1, "requests": 13, "leftovers": 0 }
//! }
//! ```
//!
//! `outcome.status` is `pass`, `warn` (only SHOULD/MAY rules broken, with `mismatches`),
//! `fail` (with `mismatches`), `error` (with `reason`: a timeout, a refused connection, the size
//! cap) or `skip` (with `reason`). `keyword` appears on RFC checks; `note` when a check covers
//! more than one request (an import walk) or has parts that could not run (a Runscope
//! script). An exchange has either a `response` or an `error`; a walk keeps the first page and
//! the pages where problems first appeared. `cleanup.action` is `deleted`, `deactivated`,
//! `left-behind` or `kept`. Secrets were removed when the exchanges were recorded.

use std::io::Write;

use crate::report::RunReport;

/// Writes the report as pretty-printed JSON. The document may be printed on stdout in CI,
/// where a runner reads `##[` anywhere in a line as a command: inside a JSON string (the only
/// place it can occur) its `#` is written `\u0023`, the same string to any JSON reader.
pub fn write(report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(report)?;
    out.write_all(text.replace("##[", "#\\u0023[").as_bytes())?;
    out.write_all(b"\n")
}
