//! The order a run may take, derived from the suite data alone: which earlier checks each check
//! waits for, and which suites may run beside each other (`--concurrency`).
//!
//! A check waits for an earlier one when the sequential order could matter to its verdict:
//! it `needs` it; they share a resource (a captured id, a generated user name, a value derived
//! from one, a literal resource path) and either changes the app (POST, PUT, PATCH, DELETE) or
//! captures it; or one reads more than the resources it names (a list, a count, an import walk,
//! a query over every resource the suite or the run marker names) while the other changes the
//! app. Import walks keep their order (a group walk judges members against the last user walk).
//! Everything else is independent, and runs at once within the request limit.
//!
//! Across suites, what matters is reading beyond the suite's own resources: a list of every
//! user, a walk, a query by the run marker (which every suite's names carry). Such a check must
//! see what a sequential run shows it, so it runs while no other suite runs: its suite leads a
//! phase, after the suites before it cleaned up, and the suites that join the phase start once
//! those checks have finished. A query by the suite marker (`{{suiteMarker}}`, unique to the
//! suite within the run) sees the suite's own resources only, and needs no such quiet.

use std::collections::BTreeSet;

use crate::http::Method;
use crate::suite::template::references;
use crate::suite::{Authorization, Check, Suite, VarSpec};

/// Variables that name nothing in the app: the same for every check of a run.
const CONSTANTS: [&str; 3] = ["emailDomain", "SCIMBaseURL", "pageSize"];

/// The variable that scopes a query to everything this run created.
const RUN_MARKER: &str = "runMarker";

/// The variable that scopes a query to everything this suite created.
pub const SUITE_MARKER: &str = "suiteMarker";

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
    /// The resources it names: variables it uses or captures (with the variables they are
    /// derived from), or else the literal resource path it requests.
    keys: BTreeSet<String>,
    /// Variables it captures.
    defines: BTreeSet<String>,
    /// It changes the app.
    mutates: bool,
    /// It reads more than the resources it names (within the suite, at least).
    reads_all: bool,
    /// It reads beyond the suite's own resources, or uses a value so read: nothing else may
    /// run meanwhile.
    reads_beyond_suite: bool,
    /// It is an import walk.
    walk: bool,
}

fn footprint(suite: &Suite, check: &Check) -> Footprint {
    let r = &check.request;
    let asked = check.request_references();
    let run_scoped = asked.contains(RUN_MARKER);
    let suite_scoped = asked.contains(SUITE_MARKER);
    let mut named = derived(suite, asked);
    let defines: BTreeSet<String> = check
        .captures()
        .iter()
        .map(|(name, _)| name.clone())
        .chain(check.capture_body().map(str::to_string))
        .collect();
    // A search (POST …/.search, RFC 7644 §3.4.3) reads like a GET.
    let search = r.path.ends_with("/.search");
    // A resource named by a literal path (`/Users/no-such-id`) is a resource of its own.
    if named.is_empty() && !search && r.path.trim_matches('/').contains('/') {
        named.insert(format!("path {}", r.path));
    }
    let names_nothing = named.is_empty();
    let mut keys = derived(suite, check.references());
    keys.extend(named);
    keys.extend(defines.iter().cloned());
    let walk = check.walk().is_some();
    let reads = r.method == Method::Get || (r.method == Method::Post && search);
    let discovery = DISCOVERY
        .iter()
        .any(|d| r.path == *d || (d.ends_with('/') && r.path.starts_with(d)));
    // Configuration, and requests without the run's credential (judged on authentication
    // alone), neither read nor change the app's resources.
    let touches_resources = !discovery && r.authorization == Authorization::Run;
    let reading = touches_resources && reads;
    // A read that names no resource (a list) may meet any resource; a change that names none
    // (a POST with a literal body) creates one that only such reads can meet.
    Footprint {
        reads_all: walk || (reading && (run_scoped || suite_scoped || names_nothing)),
        reads_beyond_suite: walk || (reading && (run_scoped || (names_nothing && !suite_scoped))),
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
    // A value captured from a read beyond the suite names a resource that may not be the
    // suite's own (the first user of a list): what uses it reads beyond the suite too.
    let mut foreign: BTreeSet<String> = BTreeSet::new();
    for print in &mut prints {
        if print.keys.iter().any(|k| foreign.contains(k)) {
            print.reads_beyond_suite = true;
        }
        if print.reads_beyond_suite {
            foreign.extend(print.defines.iter().cloned());
        }
    }
    prints
}

/// The variables used, with those they are derived from (a user name in capitals observes the
/// user name), less the constants and the markers (which every generated name carries).
fn derived(suite: &Suite, used: BTreeSet<String>) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    let mut todo: Vec<String> = used.into_iter().collect();
    while let Some(name) = todo.pop() {
        if CONSTANTS.contains(&name.as_str())
            || name == RUN_MARKER
            || name == SUITE_MARKER
            || !keys.insert(name.clone())
        {
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
            || (a.reads_all && b.mutates)
            || (a.mutates && b.reads_all)
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

/// The checks of a suite that read beyond its own resources (indexes, ascending): while they
/// run, no other suite may change the app.
pub fn quiet_checks(suite: &Suite) -> Vec<usize> {
    footprints(suite)
        .iter()
        .enumerate()
        .filter(|(_, p)| p.reads_beyond_suite)
        .map(|(i, _)| i)
        .collect()
}

/// Suites that run at once: the first may lead, the others start when its `gate` checks (those
/// that read beyond its own resources) have finished.
#[derive(Debug, PartialEq)]
pub struct Phase {
    /// Indexes into the run's suites; the first leads.
    pub suites: Vec<usize>,
    /// The checks of the first suite the others wait for (none: all start at once).
    pub gate: Vec<usize>,
}

/// The run's phases, in order. A suite that reads beyond its own resources leads a phase; the
/// suites between two such leaders join the one whose gate opens sooner (the later one on a
/// tie: its gate is its quiet start, before any other suite's resources exist), and those
/// with no leader share a phase. With a concurrency of one, every suite is its own phase.
pub fn phases(suites: &[Suite], concurrency: usize) -> Vec<Phase> {
    if concurrency <= 1 {
        return (0..suites.len())
            .map(|i| Phase {
                suites: vec![i],
                gate: Vec::new(),
            })
            .collect();
    }
    let mut phases: Vec<Phase> = Vec::new();
    let mut pending: Vec<usize> = Vec::new();
    let mut last_lead: Option<(usize, usize)> = None; // (phase, gate depth)
    for (i, suite) in suites.iter().enumerate() {
        let gate = quiet_checks(suite);
        if gate.is_empty() {
            pending.push(i);
            continue;
        }
        let depth = gate_chain(&waits(suite), &gate);
        let mut lead = Phase {
            suites: vec![i],
            gate,
        };
        match last_lead {
            Some((p, before)) if before < depth => phases[p].suites.append(&mut pending),
            _ => lead.suites.append(&mut pending),
        }
        last_lead = Some((phases.len(), depth));
        phases.push(lead);
    }
    match last_lead {
        Some((p, _)) => phases[p].suites.append(&mut pending),
        None if !pending.is_empty() => phases.push(Phase {
            suites: pending,
            gate: Vec::new(),
        }),
        None => {}
    }
    phases
}

/// The longest chain of checks that ends with one of `gate`: when the checks others wait for
/// are done, nothing else limiting the run.
fn gate_chain(waits: &[Vec<usize>], gate: &[usize]) -> usize {
    let depth = depths(waits);
    gate.iter().map(|&i| depth[i]).max().unwrap_or(0)
}

/// Each check's place in the longest chain of checks ending with it (1: it waits for none).
fn depths(waits: &[Vec<usize>]) -> Vec<usize> {
    let mut depth = vec![0usize; waits.len()];
    for (j, before) in waits.iter().enumerate() {
        depth[j] = 1 + before.iter().map(|&i| depth[i]).max().unwrap_or(0);
    }
    depth
}

/// The order in which ready checks start: the longest chain of checks still ahead of a check
/// first (the run's critical path starts early, and what it waits for), then the suite's
/// order. Checks that are ready together do not wait for each other, so any order between
/// them gives the same verdicts; in a sequential suite (a chain) it is the suite's order.
pub fn start_order(waits: &[Vec<usize>]) -> Vec<usize> {
    // Each check's longest chain of checks waiting on it, itself included.
    let mut height = vec![1usize; waits.len()];
    for j in (0..waits.len()).rev() {
        for &i in &waits[j] {
            height[i] = height[i].max(height[j] + 1);
        }
    }
    let mut order: Vec<usize> = (0..waits.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(height[i]));
    order
}

/// The longest chain of checks that wait for each other in a suite: its round trips when
/// nothing else limits the run (a walk counts as one).
pub fn critical_path(waits: &[Vec<usize>]) -> usize {
    depths(waits).into_iter().max().unwrap_or(0)
}

/// How a suite is scheduled, in words: its longest chain of dependent checks, and whether
/// other suites wait for some of its checks.
pub fn describe(suite: &Suite) -> String {
    let waits = waits(suite);
    let gate = quiet_checks(suite);
    let chain = critical_path(&waits);
    let head = format!("longest chain {chain} of {} checks", suite.checks.len());
    if gate.is_empty() {
        return format!("{head}; runs beside other suites");
    }
    format!(
        "{head}; other suites wait for {} of its checks (a chain of {}: they read beyond its own resources)",
        gate.len(),
        gate_chain(&waits, &gate)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin(id: &str) -> Suite {
        crate::suite::builtin::builtin_suites()
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
        assert!(
            quiet_checks(&s).contains(&index(&s, "test-users-endpoint")),
            "the spec suite lists /Users"
        );
        let w = waits(&s);
        assert!(waits_for(&s, &w, "create-user", "test-users-endpoint"));
        let r = builtin("rfc7644");
        let w = waits(&r);
        // A suite-marker query sees the three users the suite created, and no other.
        for user in ["create-user-a", "create-user-b", "create-user-c"] {
            assert!(waits_for(&r, &w, "filter-sw", user));
        }
        assert!(!waits_for(&r, &w, "create-user-b", "create-user-a"));
    }

    fn phase(suites: &[usize], gate: &[usize]) -> Phase {
        Phase {
            suites: suites.to_vec(),
            gate: gate.to_vec(),
        }
    }

    #[test]
    fn suites_scoped_to_their_own_resources_run_beside_a_leader_after_its_quiet_checks() {
        let suites: Vec<Suite> = [
            "okta-scim2-spec",
            "okta-scim2-crud",
            "okta-scim2-groups",
            "rfc7644",
        ]
        .into_iter()
        .map(builtin)
        .collect();
        assert!(quiet_checks(&suites[1]).is_empty() && quiet_checks(&suites[2]).is_empty());
        // rfc7644 pages over every user: those checks run before crud and groups start; its
        // queries by the suite marker see its own users only, so its other checks run beside.
        let rfc = &suites[3];
        let gate = quiet_checks(rfc);
        let names: Vec<&str> = gate.iter().map(|&i| rfc.checks[i].id.as_str()).collect();
        assert!(names.contains(&"page-window") && !names.contains(&"filter-sw"));
        let spec_gate = quiet_checks(&suites[0]);
        // crud and groups join rfc7644, whose gate opens after a shorter chain than spec's.
        assert_eq!(
            phases(&suites, 4),
            vec![phase(&[0], &spec_gate), phase(&[3, 1, 2], &gate)]
        );
        let sequential: Vec<Phase> = (0..4).map(|i| phase(&[i], &[])).collect();
        assert_eq!(phases(&suites, 1), sequential);
        // Without a leader, suites share one phase.
        assert_eq!(phases(&suites[1..3], 4), vec![phase(&[0, 1], &[])]);
    }

    #[test]
    fn a_suite_marker_query_reads_the_suite_only_and_a_run_marker_query_reads_the_run() {
        let suite = |query: &str| {
            crate::suite::load::parse_suite(
                "t.toml",
                &format!(
                    r#"format = 1
id = "t"
title = "t"
version = "1"
scim_version = "2.0"
reference = "r"
[[check]]
id = "q"
title = "q"
level = "required"
keyword = "MUST"
reference = "r"
request = {{ method = "GET", path = "/Users", query = {{ filter = 'userName sw "{query}"' }} }}
expect = [{{ status = 200 }}]
"#
                ),
            )
            .unwrap()
        };
        assert!(quiet_checks(&suite("{{suiteMarker}}")).is_empty());
        assert_eq!(quiet_checks(&suite("{{runMarker}}")), vec![0]);
        assert_eq!(quiet_checks(&suite("x")), vec![0]);
    }

    #[test]
    fn the_longest_chain_ahead_starts_first_and_a_chain_keeps_its_order() {
        // 0 and 1 are ready at once; 1 has a chain of two behind it, 0 none.
        let waits = vec![vec![], vec![], vec![1], vec![2]];
        assert_eq!(start_order(&waits), [1, 2, 0, 3]);
        let chain = vec![vec![], vec![0], vec![1]];
        assert_eq!(start_order(&chain), [0, 1, 2]);
    }

    #[test]
    fn the_sequential_order_is_a_chain() {
        let s = builtin("okta-scim2-crud");
        let w = sequential(&s);
        assert_eq!(critical_path(&w), s.checks.len());
        assert!(critical_path(&waits(&s)) < s.checks.len());
    }
}
