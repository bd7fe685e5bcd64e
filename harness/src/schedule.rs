//! The order a run may take, derived from the suite data alone: which earlier checks each check
//! waits for, and which suites may run beside each other (`--concurrency`).
//!
//! A check waits for an earlier one when the sequential order could matter to its verdict:
//! it `needs` it; they share a resource variable (a captured id, a generated user name, a value
//! derived from one) and either changes the app (POST, PUT, PATCH, DELETE) or captures that
//! variable; or one observes state beyond the run's own resources (a list, a count, an import
//! walk, a query over everything the run marker names) while the other changes the app. Import
//! walks keep their order (a group walk judges members against the last user walk). Everything
//! else is independent, and runs at once within the request limit.
//!
//! A suite with such an observer sees only what a sequential run would show it: it runs alone,
//! after every suite before it has cleaned up and before any after it starts. Suites without one
//! run beside their neighbours.

use std::collections::BTreeSet;

use crate::http::Method;
use crate::suite::{Authorization, Check, Suite, VarSpec};
use crate::template::references;

/// Variables that name nothing in the app: the same for every check of a run.
const CONSTANTS: [&str; 3] = ["emailDomain", "SCIMBaseURL", "pageSize"];

/// The variable that scopes a query to everything this run created.
const RUN_MARKER: &str = "runMarker";

/// Discovery endpoints (RFC 7644 §4): configuration, the same for every request.
const DISCOVERY: [&str; 6] = [
    "/ServiceProviderConfig",
    "/ServiceProviderConfigs",
    "/ResourceTypes",
    "/Schemas",
    "/ResourceTypes/",
    "/Schemas/",
];

/// What a check touches, as far as ordering goes.
#[derive(Debug, Default, PartialEq)]
struct Footprint {
    /// Resource variables it uses or captures (with the variables they are derived from).
    keys: BTreeSet<String>,
    /// Variables it captures.
    defines: BTreeSet<String>,
    /// It changes the app.
    mutates: bool,
    /// It observes state beyond the run's own resources.
    observes_all: bool,
    /// It is an import walk.
    walk: bool,
}

fn footprint(suite: &Suite, check: &Check) -> Footprint {
    let r = &check.request;
    let used = check.references();
    let marker_scoped = used.contains(RUN_MARKER);
    let defines: BTreeSet<String> = check
        .captures()
        .iter()
        .map(|(name, _)| name.clone())
        .chain(check.capture_body().map(str::to_string))
        .collect();
    let mut keys = derived(suite, used);
    let scoped = !keys.is_empty();
    keys.extend(defines.iter().cloned());
    let walk = check.walk().is_some();
    // A search (POST …/.search, RFC 7644 §3.4.3) reads like a GET.
    let search = r.path.ends_with("/.search");
    let reads = r.method == Method::Get || (r.method == Method::Post && search);
    let discovery = DISCOVERY
        .iter()
        .any(|d| r.path == *d || (d.ends_with('/') && r.path.starts_with(d)));
    // Configuration, and requests without the run's credential (judged on authentication
    // alone), neither read nor change the app's resources.
    let touches_resources = !discovery && r.authorization == Authorization::Run;
    // A request that names its resource by no variable (a list, a literal id, a literal
    // body) may meet any resource: it keeps its place among every change, and a change of
    // that kind among every read.
    Footprint {
        observes_all: walk || (touches_resources && ((reads && marker_scoped) || !scoped)),
        mutates: touches_resources && !reads,
        keys,
        defines,
        walk,
    }
}

/// Each check's footprint, its variables named by the resource they stand for: a check that
/// captures a value ties the variables it used to those it captured (the user created with
/// `{{userName}}` is the user at `/Users/{{userId}}`), so a lookup by name and a change by id
/// of one user keep their order.
fn footprints(suite: &Suite) -> Vec<Footprint> {
    let mut prints: Vec<Footprint> = suite.checks.iter().map(|c| footprint(suite, c)).collect();
    let mut alias: std::collections::BTreeMap<String, String> = Default::default();
    fn root(alias: &std::collections::BTreeMap<String, String>, name: &str) -> String {
        let mut name = name;
        while let Some(next) = alias.get(name) {
            name = next;
        }
        name.to_string()
    }
    for print in prints.iter().filter(|p| !p.defines.is_empty()) {
        let mut names = print.keys.iter();
        let Some(first) = names.next() else { continue };
        let first = root(&alias, first);
        for name in names {
            let other = root(&alias, name);
            if other != first {
                alias.insert(other, first.clone());
            }
        }
    }
    for print in &mut prints {
        print.keys = print.keys.iter().map(|k| root(&alias, k)).collect();
        print.defines = print.defines.iter().map(|k| root(&alias, k)).collect();
    }
    prints
}

/// The variables used, with those they are derived from (a user name in capitals observes the
/// user name), less the constants and the run marker (which every generated name carries).
fn derived(suite: &Suite, used: BTreeSet<String>) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    let mut todo: Vec<String> = used.into_iter().collect();
    while let Some(name) = todo.pop() {
        if CONSTANTS.contains(&name.as_str()) || name == RUN_MARKER || !keys.insert(name.clone()) {
            continue;
        }
        if let Some((_, VarSpec::Template { template, .. })) =
            suite.vars.iter().find(|(n, _)| *n == name)
        {
            todo.extend(references(template).into_iter().map(str::to_string));
        }
    }
    keys
}

/// For each check of the suite, the earlier checks it waits for (indexes, ascending).
pub fn waits(suite: &Suite) -> Vec<Vec<usize>> {
    let prints = footprints(suite);
    let ordered = |a: &Footprint, b: &Footprint| {
        a.keys
            .intersection(&b.keys)
            .any(|k| a.mutates || b.mutates || a.defines.contains(k) || b.defines.contains(k))
            || (a.observes_all && b.mutates)
            || (a.mutates && b.observes_all)
            || (a.walk && b.walk)
    };
    suite
        .checks
        .iter()
        .enumerate()
        .map(|(j, check)| {
            (0..j)
                .filter(|&i| {
                    check.needs.contains(&suite.checks[i].id) || ordered(&prints[i], &prints[j])
                })
                .collect()
        })
        .collect()
}

/// The strictly sequential order: each check waits for the one before it.
pub fn sequential(suite: &Suite) -> Vec<Vec<usize>> {
    (0..suite.checks.len())
        .map(|j| j.checked_sub(1).into_iter().collect())
        .collect()
}

/// Whether a suite observes state beyond its own resources: it then runs alone.
pub fn runs_alone(suite: &Suite) -> bool {
    suite
        .checks
        .iter()
        .any(|c| footprint(suite, c).observes_all)
}

/// The suites in groups that run at once, in order: consecutive suites that do not run alone
/// share a group; with a concurrency of one every suite is its own group.
pub fn phases(suites: &[Suite], concurrency: usize) -> Vec<Vec<usize>> {
    let mut phases: Vec<Vec<usize>> = Vec::new();
    let mut open = false;
    for (i, suite) in suites.iter().enumerate() {
        let alone = concurrency <= 1 || runs_alone(suite);
        match phases.last_mut() {
            Some(group) if open && !alone => group.push(i),
            _ => phases.push(vec![i]),
        }
        open = !alone;
    }
    phases
}

/// The longest chain of checks that wait for each other in a suite: its round trips when
/// nothing else limits the run (a walk counts as one).
pub fn critical_path(waits: &[Vec<usize>]) -> usize {
    let mut depth = vec![0usize; waits.len()];
    for (j, before) in waits.iter().enumerate() {
        depth[j] = 1 + before.iter().map(|&i| depth[i]).max().unwrap_or(0);
    }
    depth.into_iter().max().unwrap_or(0)
}

/// How a suite is scheduled, in words: its longest chain of dependent checks, and whether it
/// runs alone.
pub fn describe(suite: &Suite) -> String {
    format!(
        "longest chain {} of {} checks; {}",
        critical_path(&waits(suite)),
        suite.checks.len(),
        if runs_alone(suite) {
            "runs alone (it observes more than its own resources)"
        } else {
            "runs beside other suites"
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin(id: &str) -> Suite {
        crate::builtin::builtin_suites()
            .unwrap()
            .into_iter()
            .find(|s| s.id == id)
            .unwrap()
    }

    fn index(suite: &Suite, id: &str) -> usize {
        suite.checks.iter().position(|c| c.id == id).unwrap()
    }

    fn waits_for(suite: &Suite, waits: &[Vec<usize>], later: &str, earlier: &str) -> bool {
        waits[index(suite, later)].contains(&index(suite, earlier))
    }

    #[test]
    fn a_check_waits_for_what_creates_or_changes_what_it_reads() {
        let s = builtin("okta-scim2-crud");
        let w = waits(&s);
        assert!(waits_for(&s, &w, "verify-created", "create-user"));
        assert!(waits_for(&s, &w, "update-profile", "verify-created"));
        assert!(waits_for(&s, &w, "verify-update", "update-profile"));
        // A lookup before the create must not see the user: the create waits for it.
        assert!(waits_for(&s, &w, "create-user", "lookup-before-create"));
    }

    #[test]
    fn a_lookup_by_name_keeps_its_place_before_a_change_by_id() {
        // Regression: deactivated-still-found looks the user up by {{userName}}; reactivate
        // changes it at /Users/{{userId}}. Run at once, the lookup saw the user active again.
        let s = builtin("okta-scim2-crud");
        let w = waits(&s);
        assert!(waits_for(&s, &w, "reactivate", "deactivated-still-found"));
    }

    #[test]
    fn reads_of_one_resource_run_at_once() {
        let s = builtin("okta-scim2-crud");
        let w = waits(&s);
        assert!(!waits_for(&s, &w, "lookup-finds-user", "verify-created"));
    }

    #[test]
    fn a_derived_name_waits_for_the_create_of_the_name_it_derives_from() {
        // username-case-sensitivity queries {{userNameCaps}}, derived from the created user's
        // name: run before the create, it would find nothing (a false alarm).
        let s = builtin("okta-scim2-spec");
        let w = waits(&s);
        assert!(waits_for(
            &s,
            &w,
            "username-case-sensitivity",
            "create-user"
        ));
    }

    #[test]
    fn observers_of_every_resource_keep_their_place_among_changes() {
        let s = builtin("okta-scim2-spec");
        assert!(runs_alone(&s), "the spec suite lists /Users");
        let w = waits(&s);
        assert!(waits_for(&s, &w, "create-user", "test-users-endpoint"));
        let r = builtin("rfc7644");
        let w = waits(&r);
        // A run-marker query sees the three users the suite created, and no other.
        for user in ["create-user-a", "create-user-b", "create-user-c"] {
            assert!(waits_for(&r, &w, "filter-sw", user));
        }
        assert!(!waits_for(&r, &w, "create-user-b", "create-user-a"));
    }

    #[test]
    fn suites_scoped_to_their_own_resources_share_a_phase() {
        let suites: Vec<Suite> = [
            "okta-scim2-spec",
            "okta-scim2-crud",
            "okta-scim2-groups",
            "rfc7644",
        ]
        .into_iter()
        .map(builtin)
        .collect();
        assert!(!runs_alone(&suites[1]) && !runs_alone(&suites[2]));
        assert_eq!(phases(&suites, 4), vec![vec![0], vec![1, 2], vec![3]]);
        assert_eq!(phases(&suites, 1), vec![vec![0], vec![1], vec![2], vec![3]]);
    }

    #[test]
    fn the_sequential_order_is_a_chain() {
        let s = builtin("okta-scim2-crud");
        let w = sequential(&s);
        assert_eq!(critical_path(&w), s.checks.len());
        assert!(critical_path(&waits(&s)) < s.checks.len());
    }
}
