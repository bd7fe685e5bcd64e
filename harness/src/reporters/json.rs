//! `results.json`: the canonical machine form of a run, the [`RunReport`] serialised.
//!
//! Shape (format_version 1), abridged:
//!
//! ```json
//! {
//!   "format_version": 1,
//!   "tool": { "name": "scimcheck", "version": "0.1.0" },
//!   "run_id": "5f0c…", "started_at": "2026-11-23T08:00:00Z", "duration_ms": 41,
//!   "target": { "base_url": "http://127.0.0.1:8080", "auth": "bearer" },
//!   "interrupted": false,
//!   "suites": [{
//!     "id": "okta-scim2-spec", "title": "Okta SCIM 2.0 SPEC Test", "version": "2024-05-13",
//!     "scim_version": "2.0", "reference": "…", "duration_ms": 40,
//!     "checks": [{
//!       "id": "status-401", "title": "Check status 401", "level": "required",
//!       "reference": "Okta SCIM 2.0 SPEC Test, step 11", "duration_ms": 2,
//!       "outcome": { "status": "fail", "mismatches": [
//!         { "assertion": "status", "expected": "401", "actual": "200" } ] },
//!       "exchanges": [{ "request": { "method": "GET", "url": "…", "headers": [["Accept", "…"]] },
//!                       "response": { "status": 200, "headers": [], "body": "…" },
//!                       "duration_ms": 2 }]
//!     }],
//!     "cleanup": [{ "resource": "/Users/…", "action": "deleted", "note": "DELETE answered 204",
//!                   "exchanges": [] }]
//!   }],
//!   "summary": { "passed": 11, "failed": 1, "errors": 0, "skipped": 0,
//!                "required_failed": 1, "requests": 13, "leftovers": 0 }
//! }
//! ```
//!
//! `outcome.status` is `pass`, `fail` (with `mismatches`), `error` (with `reason`: a timeout,
//! a refused connection, the size cap) or `skip` (with `reason`). An exchange has either a
//! `response` or an `error`. Secrets were removed when the exchanges were recorded.

use std::io::Write;

use crate::report::RunReport;

/// Writes the report as pretty-printed JSON.
pub fn write(report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}
