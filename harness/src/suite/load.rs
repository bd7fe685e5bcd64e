//! The strict loader of suite files: the raw TOML shape (unknown keys refused) turned into the
//! [`Suite`] model, every `{{variable}}` checked against what the suite, the run or an earlier
//! check defines, and every error located by file, line and key.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use toml::Spanned;

use crate::http::Method;
use crate::suite::raw::*;
use crate::suite::*;

/// Parses and validates a suite file's text. `file` is used in error messages.
pub fn parse_suite(file: &str, text: &str) -> Result<Suite, SpecError> {
    let loc = Located { file, text };
    let raw: RawSuite = toml::from_str(text).map_err(|e| {
        loc.at(
            e.span().unwrap_or(0..0),
            String::new(),
            e.message().trim().to_string(),
        )
    })?;
    if raw.format != FORMAT {
        return Err(loc.at(
            0..0,
            "format".into(),
            format!("this build reads suite format {FORMAT}, not {}", raw.format),
        ));
    }
    let Some(scim_version) = ScimVersion::parse(&raw.scim_version) else {
        return Err(loc.at(
            0..0,
            "scim_version".into(),
            format!("expected \"2.0\" or \"1.1\", got {:?}", raw.scim_version),
        ));
    };
    let mut known: BTreeSet<String> = BUILTIN_VARS.iter().map(|s| s.to_string()).collect();
    known.extend(raw.inputs.iter().cloned());
    let vars = loc.vars(raw.vars, &mut known)?;
    let header_sets = loc.header_sets(raw.headers)?;
    let checks = loc.checks(raw.check, known, &header_sets)?;
    Ok(Suite {
        id: raw.id,
        title: raw.title,
        version: raw.version,
        scim_version,
        reference: raw.reference,
        profile: raw.profile,
        builds_on: raw.builds_on,
        by_hand: raw.by_hand,
        source: file.to_string(),
        vars,
        inputs: raw.inputs,
        checks,
    })
}

/// A suite file's text, to locate its errors by line and key.
struct Located<'a> {
    file: &'a str,
    text: &'a str,
}

impl Located<'_> {
    fn at(&self, span: Range<usize>, key: String, message: String) -> SpecError {
        SpecError {
            file: self.file.to_string(),
            line: line_of(self.text, span.start),
            key,
            message,
        }
    }

    /// The suite's variables, in order; each may use those before it (added to `known`).
    fn vars(
        &self,
        raw: toml::Table,
        known: &mut BTreeSet<String>,
    ) -> Result<Vec<(String, VarSpec)>, SpecError> {
        let mut vars = Vec::new();
        for (name, value) in raw {
            let key = format!("vars.{name}");
            let span = key_span(self.text, &name);
            let fail = |m: String| self.at(span.clone(), key.clone(), m);
            let raw_var: RawVar = value
                .try_into()
                .map_err(|e: toml::de::Error| fail(e.message().to_string()))?;
            let spec = var_spec(raw_var).map_err(fail)?;
            if let VarSpec::Template { template, .. } = &spec {
                check_refs(template, known).map_err(fail)?;
            }
            known.insert(name.clone());
            vars.push((name, spec));
        }
        Ok(vars)
    }

    /// The named sets of headers checks refer to.
    fn header_sets(
        &self,
        raw: BTreeMap<String, toml::Table>,
    ) -> Result<BTreeMap<String, Vec<(String, String)>>, SpecError> {
        let mut header_sets = BTreeMap::new();
        for (set, table) in raw {
            let mut pairs = Vec::new();
            for (name, value) in table {
                let value = value.as_str().map(str::to_string).ok_or_else(|| {
                    self.at(
                        0..0,
                        format!("headers.{set}.{name}"),
                        "expected a string".into(),
                    )
                })?;
                pairs.push((name, value));
            }
            header_sets.insert(set, pairs);
        }
        Ok(header_sets)
    }

    /// The checks, in order: unique ids, `needs` on earlier checks, the variables each uses
    /// defined before it (a capture defines one for the checks after it), and a group-members
    /// walk after a walk of /Users.
    fn checks(
        &self,
        raw: Vec<Spanned<RawCheck>>,
        mut known: BTreeSet<String>,
        header_sets: &BTreeMap<String, Vec<(String, String)>>,
    ) -> Result<Vec<Check>, SpecError> {
        let mut checks = Vec::new();
        let mut ids = BTreeSet::new();
        let mut known_bodies = BTreeSet::new();
        let mut walked_users = false;
        for (i, spanned) in raw.into_iter().enumerate() {
            let span = spanned.span();
            let key = format!("check[{i}]");
            let raw_check = spanned.into_inner();
            for (field, named) in [
                ("needs", &raw_check.needs),
                ("presupposes", &raw_check.presupposes),
            ] {
                if let Some(unknown) = named.iter().find(|n| !ids.contains(*n)) {
                    return Err(self.at(
                        span,
                        format!("{key}.{field}"),
                        format!("{unknown:?} is not the id of an earlier check"),
                    ));
                }
            }
            if !ids.insert(raw_check.id.clone()) {
                return Err(self.at(
                    span,
                    format!("{key}.id"),
                    format!("duplicate check id {:?}", raw_check.id),
                ));
            }
            // A repeated check also knows the variables of its repetition.
            let mut known_here = known.clone();
            if raw_check.each.is_some() {
                known_here.extend(EACH_VARS.iter().map(|v| v.to_string()));
            }
            let scope = Scope {
                header_sets,
                known: &known_here,
                known_bodies: &known_bodies,
            };
            let mut check = build_check(raw_check, &scope).map_err(|e| {
                self.at(
                    e.span.unwrap_or(span.clone()),
                    key_join(&key, &e.key),
                    e.message,
                )
            })?;
            check.line = line_of(self.text, span.start);
            for (name, _) in check.captures() {
                known.insert(name.clone());
            }
            known_bodies.extend(check.capture_body().map(str::to_string));
            if let Some(w) = check.walk() {
                if w.rules.contains(&WalkRule::GroupMembers) && !walked_users {
                    return Err(self.at(
                        span,
                        format!("{key}.walk.rules"),
                        "group-members checks members against the users of an earlier walk of /Users: add one before".into(),
                    ));
                }
                walked_users |= check.request.path == "/Users";
            }
            checks.push(check);
        }
        if checks.is_empty() {
            return Err(self.at(
                0..0,
                "check".into(),
                "a suite needs at least one check".into(),
            ));
        }
        Ok(checks)
    }
}

fn key_join(base: &str, sub: &str) -> String {
    if sub.is_empty() {
        base.to_string()
    } else {
        format!("{base}.{sub}")
    }
}

/// Where `name = …` starts in the text: tables lose their spans once parsed, so the line of
/// a variable is found again by its key.
fn key_span(text: &str, name: &str) -> Range<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let rest = line.trim_start();
        if rest
            .strip_prefix(name)
            .is_some_and(|r| r.trim_start().starts_with('='))
        {
            return offset..offset;
        }
        offset += line.len();
    }
    0..0
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn var_spec(raw: RawVar) -> Result<VarSpec, String> {
    let upper = match raw.case.as_deref() {
        None => false,
        Some("upper") => true,
        Some(other) => return Err(format!("case must be \"upper\", got {other:?}")),
    };
    match (raw.generate, raw.template, raw.value) {
        (Some(g), None, None) if !upper => Ok(VarSpec::Generate(g)),
        (None, Some(template), None) => Ok(VarSpec::Template { template, upper }),
        (None, None, Some(v)) if !upper => Ok(VarSpec::Value(v)),
        _ => {
            Err("give exactly one of generate, template or value (case goes with template)".into())
        }
    }
}

fn check_refs(template_text: &str, known: &BTreeSet<String>) -> Result<(), String> {
    for name in template::references(template_text) {
        if !known.contains(name) {
            return Err(format!(
                "uses {{{{{name}}}}}, which is not defined by the suite, built in, or captured by an earlier check"
            ));
        }
    }
    Ok(())
}

/// What is wrong with one part of a check: its key below the check, its place in the file
/// when the part has its own (an assertion), and why.
struct PartError {
    key: String,
    span: Option<Range<usize>>,
    message: String,
}

impl PartError {
    fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        PartError {
            key: key.into(),
            span: None,
            message: message.into(),
        }
    }
}

/// Names the template references a part uses that nothing defines before it.
fn refs(key: &str, text: &str, known: &BTreeSet<String>) -> Result<(), PartError> {
    check_refs(text, known).map_err(|m| PartError::new(key, m))
}

/// What a check may refer to when it is built: the templates and whole-body captures that
/// are defined before it, and the suite's header sets.
struct Scope<'a> {
    header_sets: &'a BTreeMap<String, Vec<(String, String)>>,
    known: &'a BTreeSet<String>,
    known_bodies: &'a BTreeSet<String>,
}

fn build_check(raw: RawCheck, scope: &Scope<'_>) -> Result<Check, PartError> {
    let request = request(raw.request, scope)?;
    // A walk and a load probe are judged by their own rules: what a one-request check
    // declares would never be evaluated, so it is refused.
    let stray = [
        ("expect", !raw.expect.is_empty()),
        ("capture", !raw.capture.is_empty()),
        ("creates", raw.creates.is_some()),
        ("capture_body", raw.capture_body.is_some()),
    ];
    let stray = stray.iter().find(|(_, set)| *set).map(|(key, _)| *key);
    let kinds = [raw.walk.is_some(), raw.load.is_some(), raw.oauth.is_some()];
    if kinds.iter().filter(|k| **k).count() > 1 {
        return Err(PartError::new(
            "load",
            "a check is one of a walk, a load probe or an oauth probe",
        ));
    }
    if kinds.iter().any(|k| *k)
        && let Some(stray) = stray
    {
        return Err(PartError::new(
            stray,
            "a walk, a load probe or an oauth probe is judged by its own rules; it takes no expect, capture, creates or capture_body",
        ));
    }
    let kind = match (raw.walk, raw.load, raw.oauth) {
        (_, Some(l), _) => CheckKind::Load(load_spec(l, request.method)?),
        (Some(w), ..) => CheckKind::Walk(walk(w, request.method, scope.known)?),
        (_, _, Some(probe)) => CheckKind::OAuth(probe),
        (None, None, None) => CheckKind::Request(Judged {
            expect: expectations(raw.expect, scope.known)?,
            capture: captures(raw.capture)?,
            creates: None,
            capture_body: raw.capture_body,
        }),
    };
    let kind = match (kind, raw.creates) {
        (CheckKind::Request(mut judged), Some(c)) => {
            if !judged.capture.iter().any(|(n, _)| *n == c.id) {
                return Err(PartError::new(
                    "creates.id",
                    format!("{:?} must be one of this check's captures", c.id),
                ));
            }
            judged.creates = Some(Creates {
                resource: c.resource,
                id_var: c.id,
            });
            CheckKind::Request(judged)
        }
        (kind, _) => kind,
    };
    Ok(Check {
        id: raw.id,
        title: raw.title,
        level: raw.level,
        reference: raw.reference,
        request,
        kind,
        keyword: raw.keyword,
        when: raw.when.map(|w| gate(w, scope.known_bodies)).transpose()?,
        not_run: raw.not_run,
        pause_before_s: raw.pause_before_s,
        disabled: raw.disabled,
        needs: raw.needs,
        presupposes: raw.presupposes,
        refusal_of: raw.refusal_of,
        line: 0,
        each: raw.each,
        bindings: Vec::new(),
    })
}

/// A load probe: a GET, bounded (at most 50 requests a second for 10 s) so that it stays polite.
fn load_spec(raw: super::raw::RawLoad, method: Method) -> Result<LoadSpec, PartError> {
    if method != Method::Get {
        return Err(PartError::new(
            "load",
            "a load probe sends GET requests only",
        ));
    }
    if !(1..=50).contains(&raw.per_second) || !(1..=10).contains(&raw.seconds) || raw.burst > 100 {
        return Err(PartError::new(
            "load",
            "per_second must be 1 to 50, seconds 1 to 10 and burst at most 100 (a probe stays polite)",
        ));
    }
    Ok(LoadSpec {
        per_second: raw.per_second,
        seconds: raw.seconds,
        burst: raw.burst,
    })
}

fn request(r: RawRequest, scope: &Scope<'_>) -> Result<RequestSpec, PartError> {
    let method = Method::parse(&r.method).ok_or_else(|| {
        PartError::new(
            "request.method",
            format!(
                "unsupported method {:?}: SCIM uses GET, POST, PUT, PATCH and DELETE",
                r.method
            ),
        )
    })?;
    // A path below the base URL, or a whole URL (a template such as {{oktaOrgUrl}}/api/v1/…,
    // for exports that also drive Okta's own API).
    let absolute = ["{{", "http://", "https://"]
        .iter()
        .any(|p| r.path.starts_with(p));
    if !r.path.starts_with('/') && !absolute {
        return Err(PartError::new(
            "request.path",
            "must start with '/' (below the base URL) or be a whole URL",
        ));
    }
    refs("request.path", &r.path, scope.known)?;
    let mut query = Vec::new();
    for (name, value) in r.query {
        let key = format!("request.query.{name}");
        let value = value
            .as_str()
            .ok_or_else(|| PartError::new(&key, "expected a string"))?
            .to_string();
        refs(&key, &value, scope.known)?;
        query.push((name, value));
    }
    let headers = match &r.headers {
        None => Vec::new(),
        Some(set) => scope.header_sets.get(set).cloned().ok_or_else(|| {
            PartError::new(
                "request.headers",
                format!("no header set named {set:?} in [headers]"),
            )
        })?,
    };
    for (name, value) in &headers {
        if name.eq_ignore_ascii_case("authorization") {
            return Err(PartError::new(
                "request.headers",
                "Authorization comes from the run's credential or `authorization`, not a header set",
            ));
        }
        refs("request.headers", value, scope.known)?;
    }
    let authorization = match (r.authorization, r.omit_authorization) {
        (None, false) => Authorization::Run,
        (Some(v), false) => Authorization::Literal(v),
        (None, true) => Authorization::Omit,
        (Some(_), true) => {
            return Err(PartError::new(
                "request.authorization",
                "give authorization or omit_authorization, not both",
            ));
        }
    };
    let body = body(
        r.body,
        r.body_raw,
        r.body_from,
        r.body_set,
        r.body_remove,
        scope,
    )?;
    Ok(RequestSpec {
        method,
        path: r.path,
        query,
        headers,
        authorization,
        body,
    })
}

fn body(
    json: Option<toml::Table>,
    raw: Option<String>,
    from: Option<String>,
    set: toml::Table,
    remove: Vec<String>,
    scope: &Scope<'_>,
) -> Result<Option<Body>, PartError> {
    let from_capture = match from {
        None if set.is_empty() && remove.is_empty() => None,
        None => {
            return Err(PartError::new(
                "request.body_set",
                "body_set and body_remove go with body_from",
            ));
        }
        Some(var) => {
            if !scope.known_bodies.contains(&var) {
                return Err(PartError::new(
                    "request.body_from",
                    format!("{var:?} is not a capture_body of an earlier check"),
                ));
            }
            let mut changes = Vec::new();
            for (path, value) in set {
                let json = json_of(&format!("request.body_set.{path}"), &value, scope.known)?;
                changes.push((path, json));
            }
            Some(Body::FromCapture {
                var,
                set: changes,
                remove,
            })
        }
    };
    Ok(match (json, raw, from_capture) {
        (None, None, None) => None,
        (Some(t), None, None) => Some(Body::Json(json_of("request.body", &t, scope.known)?)),
        (None, Some(text), None) => {
            refs("request.body_raw", &text, scope.known)?;
            Some(Body::Raw(text))
        }
        (None, None, Some(b)) => Some(b),
        _ => {
            return Err(PartError::new(
                "request",
                "give one of body, body_raw or body_from",
            ));
        }
    })
}

/// A TOML table or value as the JSON it stands for, its templates defined.
fn json_of(
    key: &str,
    value: &impl serde::Serialize,
    known: &BTreeSet<String>,
) -> Result<serde_json::Value, PartError> {
    let json = serde_json::to_value(value)
        .map_err(|e| PartError::new(key, format!("cannot be JSON: {e}")))?;
    refs(key, &json.to_string(), known)?;
    Ok(json)
}

fn gate(text: String, known_bodies: &BTreeSet<String>) -> Result<Gate, PartError> {
    let (text, test) = match (text.split_once(" == "), text.strip_suffix(" present")) {
        (Some((gate, value)), _) => (
            gate.trim().to_string(),
            GateTest::Equals(value.trim().to_string()),
        ),
        (None, Some(gate)) => (gate.trim().to_string(), GateTest::Present),
        (None, None) => (text, GateTest::True),
    };
    let (var, path) = text
        .split_once('.')
        .ok_or_else(|| PartError::new("when", format!("expected capture.path, got {text:?}")))?;
    if !known_bodies.contains(var) {
        return Err(PartError::new(
            "when",
            format!("{var:?} is not a capture_body of an earlier check"),
        ));
    }
    Ok(Gate {
        var: var.to_string(),
        path: path.to_string(),
        test,
    })
}

fn expectations(
    raw: Vec<Spanned<RawAssertion>>,
    known: &BTreeSet<String>,
) -> Result<Vec<Assertion>, PartError> {
    if raw.is_empty() {
        return Err(PartError::new(
            "expect",
            "a check needs at least one assertion",
        ));
    }
    let mut expect = Vec::new();
    for (i, spanned) in raw.into_iter().enumerate() {
        let span = spanned.span();
        let in_place = |message: String| PartError {
            key: format!("expect[{i}]"),
            span: Some(span.clone()),
            message,
        };
        let a = assertion(spanned.into_inner()).map_err(in_place)?;
        if let Some(v) = a.kind.template() {
            check_refs(v, known).map_err(in_place)?;
        }
        expect.push(a);
    }
    Ok(expect)
}

fn captures(raw: toml::Table) -> Result<Vec<(String, String)>, PartError> {
    raw.into_iter()
        .map(|(name, path)| match path.as_str() {
            Some(p) => Ok((name, p.to_string())),
            None => Err(PartError::new(
                format!("capture.{name}"),
                "expected a JSON path string",
            )),
        })
        .collect()
}

fn walk(w: RawWalk, method: Method, known: &BTreeSet<String>) -> Result<WalkSpec, PartError> {
    if method != Method::Get {
        return Err(PartError::new(
            "walk",
            "a walk pages through a list: its request must be a GET",
        ));
    }
    if w.rules.is_empty() && w.find.is_none() {
        return Err(PartError::new(
            "walk",
            "a walk needs rules, a find, or both",
        ));
    }
    let find = match w.find {
        None => None,
        Some(f) => {
            refs("walk.find.id", &f.id, known)?;
            let mut expect = Vec::new();
            for (path, value) in f.expect {
                let key = format!("walk.find.expect.{path}");
                let value = value
                    .as_str()
                    .ok_or_else(|| PartError::new(&key, "expected a string"))?
                    .to_string();
                refs(&key, &value, known)?;
                expect.push((path, value));
            }
            if !f.present && !expect.is_empty() {
                return Err(PartError::new(
                    "walk.find.expect",
                    "a resource that must be gone has nothing to expect",
                ));
            }
            Some(Find {
                id: f.id,
                present: f.present,
                expect,
            })
        }
    };
    if w.count == Some(0) {
        return Err(PartError::new(
            "walk.count",
            "a page of 0 resources never ends a walk: give 1 or more",
        ));
    }
    Ok(WalkSpec {
        rules: w.rules,
        find,
        pagination: w.pagination,
        count: w.count,
    })
}

/// The comparisons an assertion names (a json or header assertion has exactly one).
fn comparisons(raw: &mut RawAssertion) -> Result<Vec<Comparison>, String> {
    let mut cmps = Vec::new();
    if let Some(v) = raw.equals.take() {
        cmps.push(Comparison::Equals(v));
    }
    if let Some(v) = raw.equals_ignoring_case.take() {
        cmps.push(Comparison::EqualsIgnoringCase(v));
    }
    if let Some(v) = raw.equals_number {
        cmps.push(Comparison::EqualsNumber(v));
    }
    if raw.not_empty == Some(true) {
        cmps.push(Comparison::NotEmpty);
    }
    if let Some(v) = raw.has_value.take() {
        cmps.push(Comparison::HasValue(v));
    }
    if let Some(v) = raw.contains.take() {
        cmps.push(Comparison::Contains(v));
    }
    if raw.is_number == Some(true) {
        cmps.push(Comparison::IsNumber);
    }
    if raw.absent == Some(true) {
        cmps.push(Comparison::Absent);
    }
    if let Some(v) = raw.lacks_value.take() {
        cmps.push(Comparison::LacksValue(v));
    }
    if let Some(v) = raw.less_than {
        cmps.push(Comparison::LessThan(v));
    }
    if let Some(n) = raw.length {
        cmps.push(Comparison::Length(n));
    }
    if raw.is_string == Some(true) {
        cmps.push(Comparison::IsString);
    }
    if raw.is_boolean == Some(true) {
        cmps.push(Comparison::IsBoolean);
    }
    let flags = [
        raw.not_empty,
        raw.is_number,
        raw.absent,
        raw.body_is_json,
        raw.is_string,
        raw.is_boolean,
    ];
    if flags.contains(&Some(false)) {
        return Err(
            "flags such as not_empty take `true`; leave the key out instead of `false`".into(),
        );
    }
    Ok(cmps)
}

fn assertion(mut raw: RawAssertion) -> Result<Assertion, String> {
    let mut cmps = comparisons(&mut raw)?;
    let mut subjects = Vec::new();
    if let Some(s) = raw.status {
        subjects.push(AssertionKind::Status(vec![s]));
    }
    if let Some(s) = raw.status_in {
        if s.is_empty() {
            return Err("status_in needs at least one status".into());
        }
        subjects.push(AssertionKind::Status(s));
    }
    if raw.time_below_ms.is_some() {
        subjects.push(AssertionKind::TimeBelowMs(
            raw.time_below_ms.unwrap_or_default(),
        ));
    }
    if raw.body_is_json == Some(true) {
        subjects.push(AssertionKind::BodyIsJson);
    }
    if let Some(rule) = raw.rule {
        subjects.push(AssertionKind::Rule(rule));
    }
    let needs_cmp = raw.json.is_some() || raw.header.is_some();
    if needs_cmp {
        if cmps.len() != 1 {
            return Err(
                "a json or header assertion needs exactly one of equals, equals_number, less_than, not_empty, has_value, contains, is_number, absent, lacks_value, length, is_string, is_boolean"
                    .into(),
            );
        }
        let cmp = cmps.remove(0);
        if let Some(path) = raw.json {
            subjects.push(AssertionKind::Json {
                path,
                cmp: cmp.clone(),
            });
        }
        if let Some(name) = raw.header {
            subjects.push(AssertionKind::Header { name, cmp });
        }
    } else if !cmps.is_empty() {
        return Err("a comparison needs a `json` path or a `header` name".into());
    }
    if subjects.len() != 1 {
        return Err(
            "an assertion needs exactly one subject: status, status_in, json, header, time_below_ms, body_is_json or rule"
                .into(),
        );
    }
    Ok(Assertion {
        kind: subjects.remove(0),
        hint: raw.hint,
        keyword: raw.keyword,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
format = 1
id = "t"
title = "T"
version = "1"
scim_version = "2.0"
reference = "r"

[[check]]
id = "a"
title = "A"
level = "required"
reference = "r"
request = { method = "GET", path = "/Users" }
expect = [{ status = 200 }]
"#;

    #[test]
    fn minimal_suite_loads() {
        let s = parse_suite("t.toml", MINIMAL).unwrap();
        assert_eq!(s.checks.len(), 1);
        assert_eq!(
            s.checks[0].expect()[0].kind,
            AssertionKind::Status(vec![200])
        );
    }

    #[test]
    fn unknown_key_names_file_and_line() {
        let text = MINIMAL.replace("level = \"required\"", "level = \"required\"\nlevle = 1");
        let e = parse_suite("my.toml", &text).unwrap_err();
        assert_eq!(e.file, "my.toml");
        assert_eq!(e.line, 13, "{e}");
        assert!(e.to_string().contains("levle"), "{e}");
    }

    #[test]
    fn assertion_without_subject_is_rejected_with_its_key() {
        let text = MINIMAL.replace("{ status = 200 }", "{ equals = \"x\" }");
        let e = parse_suite("s.toml", &text).unwrap_err();
        assert_eq!(e.key, "check[0].expect[0]");
        assert!(e.message.contains("json"), "{e}");
    }

    #[test]
    fn two_comparisons_are_rejected() {
        let text = MINIMAL.replace(
            "{ status = 200 }",
            "{ json = \"id\", not_empty = true, is_number = true }",
        );
        let e = parse_suite("s.toml", &text).unwrap_err();
        assert!(e.message.contains("exactly one"), "{e}");
    }

    #[test]
    fn undefined_variable_is_rejected() {
        let text = MINIMAL.replace("path = \"/Users\"", "path = \"/Users/{{nope}}\"");
        let e = parse_suite("s.toml", &text).unwrap_err();
        assert_eq!(e.key, "check[0].request.path");
        assert!(e.message.contains("{{nope}}"), "{e}");
    }

    #[test]
    fn duplicate_ids_are_rejected() {
        let second = MINIMAL.split("[[check]]").nth(1).unwrap();
        let text = format!("{MINIMAL}\n[[check]]{second}");
        let e = parse_suite("s.toml", &text).unwrap_err();
        assert!(e.message.contains("duplicate check id"), "{e}");
    }

    /// Regression: a walk silently dropped the expect, capture and creates it was given.
    #[test]
    fn a_walk_refuses_what_only_a_request_check_can_use() {
        let text = MINIMAL.replace(
            "expect = [{ status = 200 }]",
            "walk = { rules = [\"paging\"] }\ncapture = { x = \"id\" }",
        );
        let e = parse_suite("s.toml", &text).unwrap_err();
        assert_eq!(e.key, "check[0].capture", "{e}");
        assert!(
            e.message
                .contains("a walk, a load probe or an oauth probe is judged by its own rules"),
            "{e}"
        );
        let text = MINIMAL.replace(
            "request = {",
            "walk = { rules = [\"paging\"] }\nrequest = {",
        );
        assert_eq!(
            parse_suite("s.toml", &text).unwrap_err().key,
            "check[0].expect"
        );
        // A load probe: a GET, bounded.
        let probe = |load: &str| MINIMAL.replace("expect = [{ status = 200 }]", load);
        assert!(parse_suite("s.toml", &probe("load = { per_second = 25, seconds = 4 }")).is_ok());
        let e =
            parse_suite("s.toml", &probe("load = { per_second = 500, seconds = 4 }")).unwrap_err();
        assert!(e.message.contains("polite"), "{e}");
    }

    #[test]
    fn needs_names_an_earlier_check() {
        let text = MINIMAL.replace(
            "level = \"required\"",
            "level = \"required\"\nneeds = [\"b\"]",
        );
        let e = parse_suite("s.toml", &text).unwrap_err();
        assert_eq!(e.key, "check[0].needs", "{e}");
        assert!(e.message.contains("not the id of an earlier check"), "{e}");
    }

    #[test]
    fn each_check_knows_its_line() {
        let s = parse_suite("t.toml", MINIMAL).unwrap();
        assert_eq!(s.checks[0].line, 9);
    }

    #[test]
    fn malformed_toml_names_the_line() {
        let e = parse_suite("bad.toml", "format = 1\nid = \n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
    }
}
