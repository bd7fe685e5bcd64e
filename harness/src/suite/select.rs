//! Selecting checks (`--only`, `--skip`, `--rerun-failed`) without breaking what they stand on.
//!
//! A check often observes what earlier checks set up: values they captured, the body a `when`
//! gate reads, the writes it `needs`. Those dependencies come from the suite data, the same
//! data that makes a check blocked when its setup failed. A selected check brings its
//! dependencies along (run, and marked as such in the note); a dependency the user skipped
//! explicitly leaves the checks that need it blocked, as a failed setup would.

use std::collections::BTreeSet;

use crate::suite::template::references;
use crate::suite::{Authorization, Body, Check, Suite};

/// Which checks to run: patterns over `suite/check` or `check` ids, `*` matching any text.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Run only checks matching one of these (all when empty).
    pub only: Vec<String>,
    /// Never run checks matching one of these.
    pub skip: Vec<String>,
}

impl Selection {
    /// Whether nothing is selected away.
    pub fn is_all(&self) -> bool {
        self.only.is_empty() && self.skip.is_empty()
    }

    fn matches(patterns: &[String], suite: &str, check: &str) -> bool {
        let full = format!("{suite}/{check}");
        patterns
            .iter()
            .any(|p| glob(p, &full) || (!p.contains('/') && glob(p, check)))
    }

    /// The suites with only the selected checks and their dependencies; suites left without
    /// checks are dropped. The error names a pattern that selects nothing.
    pub fn apply(&self, suites: Vec<Suite>) -> Result<Vec<Suite>, String> {
        if self.is_all() {
            return Ok(suites);
        }
        for p in &self.only {
            let any = suites.iter().any(|s| {
                s.checks
                    .iter()
                    .any(|c| Self::matches(std::slice::from_ref(p), &s.id, &c.id))
            });
            if !any {
                return Err(format!(
                    "--only {p:?} matches no check of the suites to run"
                ));
            }
        }
        let mut out = Vec::new();
        for mut suite in suites {
            let wanted: Vec<bool> = suite
                .checks
                .iter()
                .map(|c| {
                    (self.only.is_empty() || Self::matches(&self.only, &suite.id, &c.id))
                        && !Self::matches(&self.skip, &suite.id, &c.id)
                })
                .collect();
            let mut keep = wanted.clone();
            let mut because: Vec<Option<String>> = vec![None; suite.checks.len()];
            // Walk backwards: a check's dependencies come before it.
            for i in (0..suite.checks.len()).rev() {
                if !keep[i] {
                    continue;
                }
                for d in dependencies(&suite, i) {
                    let skipped = Self::matches(&self.skip, &suite.id, &suite.checks[d].id);
                    if !keep[d] && !skipped {
                        keep[d] = true;
                        because[d] = Some(suite.checks[i].id.clone());
                    }
                }
            }
            let checks = std::mem::take(&mut suite.checks);
            suite.checks = checks
                .into_iter()
                .zip(keep.iter().zip(&wanted))
                .zip(because)
                .filter(|((_, (k, _)), _)| **k)
                .map(|((mut c, (_, w)), b)| {
                    if let (false, Some(b)) = (w, b) {
                        c.title = format!("{} (run for {b})", c.title);
                    }
                    c
                })
                .collect();
            if !suite.checks.is_empty() {
                out.push(suite);
            }
        }
        Ok(out)
    }
}

/// The indexes of the earlier checks that check `i` depends on: the last capture of each
/// variable it uses, the whole-body captures its gate and body read, and its `needs`.
pub fn dependencies(suite: &Suite, i: usize) -> BTreeSet<usize> {
    let check = &suite.checks[i];
    let mut vars: BTreeSet<String> = BTreeSet::new();
    let mut add = |text: &str| {
        vars.extend(references(text).into_iter().map(str::to_string));
    };
    templates_of(check, &mut add);
    let mut bodies: BTreeSet<&str> = BTreeSet::new();
    if let Some(g) = &check.when {
        bodies.insert(&g.var);
    }
    if let Some(Body::FromCapture { var, .. }) = &check.request.body {
        bodies.insert(var);
    }
    let earlier = &suite.checks[..i];
    let mut out = BTreeSet::new();
    for v in &vars {
        if let Some(d) = earlier
            .iter()
            .rposition(|c| c.captures().iter().any(|(n, _)| n == v))
        {
            out.insert(d);
        }
    }
    for b in bodies {
        if let Some(d) = earlier.iter().rposition(|c| c.capture_body() == Some(b)) {
            out.insert(d);
        }
    }
    for n in &check.needs {
        if let Some(d) = earlier.iter().position(|c| &c.id == n) {
            out.insert(d);
        }
    }
    out
}

/// Every template text of a check: request, assertions, walk find.
fn templates_of(check: &Check, add: &mut dyn FnMut(&str)) {
    let r = &check.request;
    add(&r.path);
    r.query.iter().for_each(|(_, v)| add(v));
    r.headers.iter().for_each(|(_, v)| add(v));
    if let Authorization::Literal(v) = &r.authorization {
        add(v);
    }
    match &r.body {
        Some(Body::Json(v)) => json_strings(v, add),
        Some(Body::Raw(t)) => add(t),
        Some(Body::FromCapture { set, .. }) => set.iter().for_each(|(_, v)| json_strings(v, add)),
        None => {}
    }
    check
        .expect()
        .iter()
        .filter_map(|a| a.kind.template())
        .for_each(&mut *add);
    if let Some(f) = check.walk().and_then(|w| w.find.as_ref()) {
        add(&f.id);
        f.expect.iter().for_each(|(_, v)| add(v));
    }
}

fn json_strings(v: &serde_json::Value, add: &mut dyn FnMut(&str)) {
    match v {
        serde_json::Value::String(s) => add(s),
        serde_json::Value::Array(items) => items.iter().for_each(|i| json_strings(i, add)),
        serde_json::Value::Object(map) => map.values().for_each(|i| json_strings(i, add)),
        _ => {}
    }
}

/// `*` matches any text (including none); everything else matches itself.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("filter-*", "filter-eq"));
        assert!(glob("rfc7644/*-verify", "rfc7644/put-verify"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "aXbYc"));
        assert!(!glob("a*b*c", "aXcYb"));
        assert!(!glob("filter-eq", "filter-eq2"));
    }

    fn rfc() -> Suite {
        crate::suite::builtin::builtin_suites()
            .unwrap()
            .into_iter()
            .find(|s| s.id == "rfc7644")
            .unwrap()
    }

    #[test]
    fn a_selected_check_brings_what_it_stands_on() {
        let sel = Selection {
            only: vec!["rfc7644/put-verify".into()],
            skip: vec![],
        };
        let suites = sel.apply(vec![rfc()]).unwrap();
        let ids: Vec<&str> = suites[0].checks.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "create-user-a",
                "get-before-put",
                "put-replace",
                "put-verify"
            ]
        );
        assert!(suites[0].checks[0].title.ends_with("(run for put-verify)"));
        assert!(suites[0].checks[1].title.ends_with("(run for put-replace)"));
        assert!(!suites[0].checks[3].title.contains("run for"));
    }

    #[test]
    fn a_skipped_dependency_stays_out() {
        let sel = Selection {
            only: vec!["put-verify".into()],
            skip: vec!["put-replace".into()],
        };
        let suites = sel.apply(vec![rfc()]).unwrap();
        let ids: Vec<&str> = suites[0].checks.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["create-user-a", "put-verify"]);
        assert!(
            Selection {
                only: vec!["nope-*".into()],
                skip: vec![]
            }
            .apply(vec![rfc()])
            .is_err()
        );
    }
}
