//! What a run created, and its removal: the [`Register`] of created resources, cleaned up
//! newest first after each suite, also after a failure or an interruption.
//!
//! A DELETE is confirmed by a GET (a resource still there is a soft delete, reported as a
//! leftover); a user the app refuses to delete is deactivated, as Okta does; a resource the
//! app created without returning an id is found again by the name it was created with (which
//! carries the run marker) and only an exact match is removed. Nothing the run did not create
//! is ever touched.

use crate::http::{Auth, Client, Method, Outgoing, Response, Sent, path_segment};
use crate::judge::path::lookup;
use crate::report::Redact;
use crate::report::{CleanupAction, CleanupResult};
use crate::run::events::Events;

/// A resource to remove after the suite.
pub(crate) struct Created {
    pub(crate) resource: String,
    /// Its id; empty when the app answered a create without one.
    pub(crate) id: String,
    /// The attribute and value it was created with (`userName`, `displayName`): how it is
    /// found again when the app gave no id.
    pub(crate) name: Option<(&'static str, String)>,
    /// A check of the run deleted it (answered 2xx): the cleanup only confirms it is gone.
    pub(crate) deleted_by_check: bool,
}

impl Created {
    /// Its path: the id as one path segment; none for an id that is a dot segment or empty.
    pub(crate) fn path(&self) -> Option<String> {
        path_segment(&self.id).map(|id| format!("/{}/{id}", self.resource))
    }
}

/// The resources a suite created, to remove when it ends.
pub(crate) struct Register<'a> {
    client: &'a Client,
    /// `--keep`: leave them, and say so.
    keep: bool,
    /// A SCIM 1.1 suite deactivates with a partial resource, not a PatchOp.
    scim11: bool,
    created: Vec<Created>,
}

/// A holder's place among the DELETEs the users wait for: released once, when its DELETE is
/// answered, or when its removal ends another way (none sent, or given up).
struct Release<'s>(Option<&'s tokio::sync::watch::Sender<usize>>);

impl Release<'_> {
    fn now(&mut self) {
        if let Some(unanswered) = self.0.take() {
            unanswered.send_modify(|left| *left -= 1);
        }
    }
}

impl Drop for Release<'_> {
    fn drop(&mut self) {
        self.now();
    }
}

impl<'a> Register<'a> {
    /// An empty register.
    pub(crate) fn new(client: &'a Client, keep: bool, scim11: bool) -> Self {
        Register {
            client,
            keep,
            scim11,
            created: Vec::new(),
        }
    }

    /// Registers a created resource (before the next request is sent).
    pub(crate) fn add(&mut self, created: Created) {
        self.created.push(created);
    }

    /// Notes a resource a check deleted itself (by its path): the cleanup sends no second
    /// DELETE, but confirms with a GET that it is gone (a soft-deleting app keeps it).
    pub(crate) fn deleted(&mut self, path: &str) {
        for c in &mut self.created {
            if c.path().as_deref() == Some(path) {
                c.deleted_by_check = true;
            }
        }
    }

    /// Removes what the suite created: DELETE; if the app refuses, a user is deactivated
    /// instead (Okta never deletes users either); what cannot be removed is reported as left
    /// behind. Everything at once but for one order: the users wait until every other
    /// resource's DELETE is answered (groups hold users as members; nothing the run creates
    /// holds a group), not for the GETs that confirm those removals. Results are reported
    /// holders first, newest first. After the run was stopped by a signal, the cleanup ends by
    /// `deadline`: what it could not remove by then is reported as left behind.
    pub(crate) async fn clean(
        &mut self,
        events: &mut dyn Events,
        deadline: Option<tokio::time::Instant>,
    ) -> Vec<CleanupResult> {
        let created = std::mem::take(&mut self.created);
        let (users, holders): (Vec<Created>, Vec<Created>) = created
            .into_iter()
            .rev()
            .partition(|c| c.resource.eq_ignore_ascii_case("Users"));
        let (unanswered, holders_answered) = tokio::sync::watch::channel(holders.len());
        let this = &*self;
        let holders_removed = futures_util::future::join_all(holders.iter().map(|c| {
            in_time(deadline, c, async {
                let mut release = Release(Some(&unanswered));
                this.clean_one(c, &mut release).await
            })
        }));
        let users_removed = futures_util::future::join_all(users.iter().map(|c| {
            let mut answered = holders_answered.clone();
            in_time(deadline, c, async move {
                // The sender outlives this wait; an error cannot happen.
                let _ = answered.wait_for(|left| *left == 0).await;
                this.clean_one(c, &mut Release(None)).await
            })
        }));
        let (holders_done, users_done) =
            futures_util::future::join(holders_removed, users_removed).await;
        let mut out = Vec::new();
        for mut result in holders_done.into_iter().chain(users_done).flatten() {
            result.redact(&self.client.redactor());
            events.cleanup_finished(&result);
            out.push(result);
        }
        out
    }

    /// Removes one created resource (or says why it stays); `release` is told when its
    /// DELETE is answered.
    async fn clean_one(&self, c: &Created, release: &mut Release<'_>) -> Vec<CleanupResult> {
        if self.client.breaker_open() && !self.keep {
            vec![CleanupResult {
                resource: format!("/{}/{}", c.resource, c.id),
                action: CleanupAction::LeftBehind,
                note: "not tried: the app stopped answering; remove it by hand".into(),
                exchanges: Vec::new(),
            }]
        } else if c.id.is_empty() && !self.keep {
            self.find_by_name(c).await
        } else if let Some(resource) = c.path().filter(|_| c.deleted_by_check) {
            release.now();
            vec![self.confirm_gone(resource).await]
        } else if let Some(resource) = c.path().filter(|_| !self.keep) {
            vec![self.remove(c, resource, release).await]
        } else if self.keep {
            vec![CleanupResult {
                resource: format!("/{}/{}", c.resource, c.id),
                action: CleanupAction::Kept,
                note: "kept at the user's request (--keep)".into(),
                exchanges: Vec::new(),
            }]
        } else {
            vec![CleanupResult {
                resource: format!("/{}/{:?}", c.resource, c.id),
                action: CleanupAction::LeftBehind,
                note: "the app gave it an id that is not one path segment: not requested; remove it by hand".into(),
                exchanges: Vec::new(),
            }]
        }
    }

    /// Finds what a create answered without an id by the name it was created with (which
    /// carries the run marker), and removes each match.
    async fn find_by_name(&self, c: &Created) -> Vec<CleanupResult> {
        let left = |note: String, exchanges| {
            vec![CleanupResult {
                resource: format!("/{} (no id)", c.resource),
                action: CleanupAction::LeftBehind,
                note,
                exchanges,
            }]
        };
        let Some((attr, value)) = &c.name else {
            return left(
                "the app answered the create without an id, and the request named nothing to find it by; remove it by hand".into(),
                Vec::new(),
            );
        };
        let found = self
            .client
            .send(Outgoing {
                query: vec![("filter".into(), format!("{attr} eq \"{value}\""))],
                headers: vec![("Accept".into(), "application/scim+json".into())],
                ..Outgoing::to(Method::Get, &format!("/{}", c.resource), Auth::Run)
            })
            .await;
        let (ids, answered_empty_list) = matching_ids(&found, attr, value);
        if ids.is_empty() && answered_empty_list {
            // A check of the run deleted it by the id it learnt later.
            return vec![CleanupResult {
                resource: format!("/{} (no id)", c.resource),
                action: CleanupAction::Deleted,
                note: format!(
                    "created without an id; {attr} eq {value:?} finds nothing: it is gone"
                ),
                exchanges: found.exchanges,
            }];
        }
        if ids.is_empty() {
            return left(
                format!(
                    "the app answered the create without an id, and {attr} eq {value:?} finds nothing ({}); remove it by hand",
                    what_came_back(&found)
                ),
                found.exchanges,
            );
        }
        let mut out = Vec::new();
        for id in ids {
            let found_one = Created {
                resource: c.resource.clone(),
                id,
                name: None,
                deleted_by_check: false,
            };
            let mut r = match found_one.path() {
                Some(path) => self.remove(&found_one, path, &mut Release(None)).await,
                None => left(
                    "found by name, but its id is not one path segment; remove it by hand".into(),
                    Vec::new(),
                )
                .remove(0),
            };
            r.note = format!("created without an id, found by {attr}; {}", r.note);
            r.exchanges.splice(0..0, found.exchanges.iter().cloned());
            out.push(r);
        }
        out
    }

    async fn remove(
        &self,
        c: &Created,
        resource: String,
        release: &mut Release<'_>,
    ) -> CleanupResult {
        let auth = Auth::Run;
        let delete = self
            .client
            .send(Outgoing::to(Method::Delete, &resource, auth.clone()))
            .await;
        release.now();
        let mut exchanges = delete.exchanges.clone();
        let done = |action, note, exchanges| CleanupResult {
            resource: resource.clone(),
            action,
            note,
            exchanges,
        };
        match delete.response.as_ref().map(|r| r.status) {
            Some(404) => {
                return done(
                    CleanupAction::Deleted,
                    "DELETE answered 404 (already gone)".into(),
                    exchanges,
                );
            }
            Some(s) if (200..300).contains(&s) => {
                // Deleted is what a GET says, not what the DELETE answered.
                let check = self
                    .client
                    .send(Outgoing::to(Method::Get, &resource, auth.clone()))
                    .await;
                exchanges.extend(check.exchanges.iter().cloned());
                return match check.response.as_ref().map(|r| r.status) {
                    Some(200) => done(
                        CleanupAction::SoftDeleted,
                        format!(
                            "DELETE answered {s}, but GET still answers 200: the app keeps it (a soft delete, or a DELETE that only deactivates)"
                        ),
                        exchanges,
                    ),
                    _ => done(
                        CleanupAction::Deleted,
                        format!("DELETE answered {s}; GET {}", what_came_back(&check)),
                        exchanges,
                    ),
                };
            }
            _ => {}
        }
        // A refused or failed DELETE may still have removed it: a GET says.
        let refused = format!("DELETE {}", what_came_back(&delete));
        let check = self
            .client
            .send(Outgoing::to(Method::Get, &resource, auth.clone()))
            .await;
        exchanges.extend(check.exchanges.iter().cloned());
        if check.response.as_ref().is_some_and(|r| r.status == 404) {
            return done(
                CleanupAction::Deleted,
                format!("{refused}, but GET answers 404: it is gone"),
                exchanges,
            );
        }
        if c.resource != "Users" {
            return done(
                CleanupAction::LeftBehind,
                format!(
                    "{refused}; GET {}: remove it by hand",
                    what_came_back(&check)
                ),
                exchanges,
            );
        }
        self.deactivate(resource, refused, exchanges).await
    }

    /// A resource a check deleted: gone if a GET answers 404; kept (a soft delete) if 200.
    async fn confirm_gone(&self, resource: String) -> CleanupResult {
        let check = self
            .client
            .send(Outgoing::to(Method::Get, &resource, Auth::Run))
            .await;
        let (action, note) = match check.response.as_ref().map(|r| r.status) {
            Some(200) => (
                CleanupAction::SoftDeleted,
                "deleted by a check of the run, but GET still answers 200: the app keeps it (a soft delete, or a DELETE that only deactivates)".to_string(),
            ),
            Some(404 | 410) => (
                CleanupAction::Deleted,
                "deleted by a check of the run; GET answers 404".to_string(),
            ),
            _ => (
                CleanupAction::LeftBehind,
                format!(
                    "deleted by a check of the run, but GET {}: check it and remove it by hand",
                    what_came_back(&check)
                ),
            ),
        };
        CleanupResult {
            resource,
            action,
            note,
            exchanges: check.exchanges,
        }
    }

    /// A user the app refused to delete, deactivated instead: Okta never deletes users either,
    /// and a deactivated user is the accepted remainder.
    async fn deactivate(
        &self,
        resource: String,
        refused: String,
        mut exchanges: Vec<crate::http::exchange::Exchange>,
    ) -> CleanupResult {
        let body = if self.scim11 {
            serde_json::json!({"schemas": ["urn:scim:schemas:core:1.0"], "active": false})
        } else {
            serde_json::json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "value": {"active": false}}]
            })
        };
        let patch = self
            .client
            .send(Outgoing {
                headers: vec![("Content-Type".into(), "application/scim+json".into())],
                body: Some(body.to_string()),
                ..Outgoing::to(Method::Patch, &resource, Auth::Run)
            })
            .await;
        exchanges.extend(patch.exchanges.iter().cloned());
        let (action, note) = match patch.response.as_ref().map(|r| r.status) {
            Some(s) if (200..300).contains(&s) => (
                CleanupAction::Deactivated,
                format!("{refused}; deactivated instead (PATCH answered {s})"),
            ),
            _ => (
                CleanupAction::LeftBehind,
                format!(
                    "{refused}; deactivation failed too (PATCH {}); remove it by hand",
                    what_came_back(&patch)
                ),
            ),
        };
        CleanupResult {
            resource,
            action,
            note,
            exchanges,
        }
    }
}

/// The attribute a resource of this kind is created and found by, with the value the create
/// request sent (it carries the run marker).
pub(crate) fn created_name(
    resource: &str,
    sent_body: Option<&str>,
) -> Option<(&'static str, String)> {
    let attr = match resource {
        "Users" => "userName",
        "Groups" => "displayName",
        _ => return None,
    };
    let body: serde_json::Value = serde_json::from_str(sent_body?).ok()?;
    let value = lookup(&body, attr)?.as_str()?.to_string();
    Some((attr, value))
}

/// The ids of the resources a lookup by name found that carry the value sent, exactly or as
/// the app lower-cased it (caseExact=false: RFC 7643 §4.1.1), and whether the app answered a
/// list with no resource at all. Nothing the run did not create is ever matched.
fn matching_ids(found: &Sent, attr: &str, value: &str) -> (Vec<String>, bool) {
    let ids: Vec<String> = found
        .response
        .as_ref()
        .and_then(Response::json)
        .and_then(|doc| lookup(doc, "Resources"))
        .and_then(|r| r.as_array().cloned())
        .unwrap_or_default()
        .iter()
        // Only what carries the value sent, exactly or as the app lower-cased it
        // (caseExact=false: RFC 7643 §4.1.1): never touch what the run did not create.
        .filter(|r| {
            lookup(r, attr).is_some_and(|v| {
                v.as_str()
                    .is_some_and(|v| v == value || v == value.to_lowercase())
            })
        })
        .filter_map(|r| lookup(r, "id").and_then(|v| v.as_str().map(str::to_string)))
        .collect();
    let answered_empty_list = found.response.as_ref().is_some_and(|r| {
        r.status == 200
            && r.json()
                .and_then(|doc| lookup(doc, "totalResults"))
                .and_then(|v| v.as_u64())
                == Some(0)
    });
    (ids, answered_empty_list)
}

/// "answered 500" or "failed: <transport error>".
fn what_came_back(sent: &Sent) -> String {
    match (
        &sent.response,
        sent.exchanges.last().and_then(|e| e.error.as_ref()),
    ) {
        (Some(r), _) => format!("answered {}", r.status),
        (None, Some(e)) => format!("failed: {}", e.message),
        (None, None) => "failed".into(),
    }
}

/// A removal, or what stays of it when the deadline comes first.
async fn in_time(
    deadline: Option<tokio::time::Instant>,
    c: &Created,
    removal: impl Future<Output = Vec<CleanupResult>>,
) -> Vec<CleanupResult> {
    match deadline {
        None => removal.await,
        Some(at) => tokio::time::timeout_at(at, removal)
            .await
            .unwrap_or_else(|_| out_of_time(c)),
    }
}

/// A resource whose removal did not finish in the time a stopped run has for its cleanup.
fn out_of_time(c: &Created) -> Vec<CleanupResult> {
    vec![CleanupResult {
        resource: format!("/{}/{}", c.resource, c.id),
        action: CleanupAction::LeftBehind,
        note: format!(
            "the run was stopped and its cleanup ran out of time ({} s) before this was removed; check it and remove it by hand",
            CLEANUP_AFTER_STOP.as_secs()
        ),
        exchanges: Vec::new(),
    }]
}

/// How long a run stopped by a signal spends on cleanup: within `docker stop`'s default grace
/// of 10 s, with time left to write the results.
pub const CLEANUP_AFTER_STOP: std::time::Duration = std::time::Duration::from_secs(8);
