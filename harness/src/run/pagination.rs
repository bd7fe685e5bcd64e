//! Which way a run's import walks page, settled once before the first check: as the user
//! said (`--pagination`), else as the app's ServiceProviderConfig advertises (RFC 9865 §4),
//! else by index, as Okta imports. An app that pages by index by default keeps Okta's walk;
//! one that defaults to cursors (or offers nothing else) is walked by cursor, since that is
//! how its clients will page it. What was chosen, and why, is a notice of the report.

use serde_json::Value;

use crate::http::{Auth, Client, Method, Outgoing};
use crate::judge::path::lookup;
use crate::report::ScimVersion;
use crate::run::options::RunOptions;
use crate::suite::{Pagination, Suite};

/// The options with `pagination` settled (never none when a walk follows the run's choice),
/// and a notice of the choice when it is not Okta's index walk, or when a cursor walk
/// cannot use `--import-concurrency`.
pub(crate) async fn settle(client: &Client, suites: &[Suite], options: &RunOptions) -> RunOptions {
    let mut settled = options.clone();
    let follows_run = suites.iter().any(|s| {
        s.checks
            .iter()
            .any(|c| c.walk().is_some_and(|w| w.pagination.is_none()))
    });
    if !follows_run {
        return settled;
    }
    let (method, why) = match options.pagination {
        Some(asked) => (asked, format!("--pagination {}", asked.as_str())),
        None if suites.iter().all(|s| s.scim_version == ScimVersion::V11) => {
            (Pagination::Index, "SCIM 1.1 pages by index".into())
        }
        None => match probed_config(options) {
            Some(config) => of_config(&config),
            None => advertised(client).await,
        },
    };
    settled.pagination = Some(method);
    if method == Pagination::Cursor {
        settled.notices.push(format!(
            "import walks page by cursor (RFC 9865: an empty cursor, then each nextCursor until a page has none), because {why}; Okta imports by startIndex: --pagination index walks that way"
        ));
        if options.import_concurrency > 1 {
            settled.notices.push(format!(
                "--import-concurrency {} is not used: a cursor walk is a chain, each page needs the nextCursor of the one before",
                options.import_concurrency
            ));
        }
    }
    settled
}

/// The ServiceProviderConfig the version detection already read (its 2.0 probe), whole: not
/// asked for twice.
fn probed_config(options: &RunOptions) -> Option<Value> {
    let probe =
        options.scim_version.as_ref()?.exchanges.iter().find(|x| {
            x.request.method == "GET" && x.request.url.ends_with("/ServiceProviderConfig")
        })?;
    let response = probe
        .response
        .as_ref()
        .filter(|r| r.status == 200 && !r.body_truncated)?;
    serde_json::from_str(&response.body).ok()
}

/// The method the app's ServiceProviderConfig advertises, and the words that say so.
async fn advertised(client: &Client) -> (Pagination, String) {
    let sent = client
        .send(Outgoing {
            headers: vec![(
                "Accept".into(),
                "application/scim+json, application/json".into(),
            )],
            ..Outgoing::to(Method::Get, "/ServiceProviderConfig", Auth::Run)
        })
        .await;
    let config = sent
        .response
        .as_ref()
        .filter(|r| r.status == 200)
        .and_then(|r| r.json());
    match config {
        Some(config) => of_config(config),
        None => (
            Pagination::Index,
            "the app's ServiceProviderConfig could not be read".into(),
        ),
    }
}

/// The method a ServiceProviderConfig's `pagination` (RFC 9865 §4) makes the client's:
/// cursors when the app offers only them or names them its default.
fn of_config(config: &Value) -> (Pagination, String) {
    let flag =
        |name: &str| lookup(config, &format!("pagination.{name}")) == Some(Value::Bool(true));
    let default = lookup(config, "pagination.defaultPaginationMethod");
    let default = default.as_ref().and_then(Value::as_str).unwrap_or_default();
    match (flag("cursor"), flag("index")) {
        (true, false) => (
            Pagination::Cursor,
            "the app's ServiceProviderConfig offers cursor pagination and not index pagination"
                .into(),
        ),
        (true, true) if default.eq_ignore_ascii_case("cursor") => (
            Pagination::Cursor,
            "the app's ServiceProviderConfig names cursor its defaultPaginationMethod".into(),
        ),
        _ => (
            Pagination::Index,
            "the app's ServiceProviderConfig does not make cursors its default".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cursors_are_used_when_the_app_makes_them_its_default_or_its_only_way() {
        let method = |pagination: Value| of_config(&json!({ "pagination": pagination })).0;
        assert_eq!(
            method(json!({"cursor": true, "index": false})),
            Pagination::Cursor
        );
        assert_eq!(
            method(json!({"cursor": true, "index": true, "defaultPaginationMethod": "cursor"})),
            Pagination::Cursor
        );
        assert_eq!(
            method(json!({"cursor": true, "index": true, "defaultPaginationMethod": "index"})),
            Pagination::Index
        );
        // Both, no default named: Okta's way, which the app supports.
        assert_eq!(
            method(json!({"cursor": true, "index": true})),
            Pagination::Index
        );
        assert_eq!(method(json!(null)), Pagination::Index);
        // Names in another case are read (RFC 7643 §2.1).
        assert_eq!(
            of_config(&json!({"Pagination": {"Cursor": true, "Index": false}})).0,
            Pagination::Cursor
        );
    }
}
