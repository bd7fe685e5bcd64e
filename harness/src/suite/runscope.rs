//! Okta's Runscope (BlazeMeter API Monitoring) exports, run as they are: an export is
//! converted into a [`Suite`] and runs through the same runner and reporters as the built-in
//! suites, so a reviewer can reproduce exactly Okta's file, today's or tomorrow's.
//!
//! The conversion keeps Okta's step names, order, headers, bodies, assertions and captures.
//! Initial variables come from the user (`--var`, `--var-env`); the random values of Okta's
//! initial scripts are generated natively (no JavaScript runs). `{{SCIMBaseURL}}`/`{{SCIMUrl}}`
//! become the run's base URL and `{{auth}}`/`{{SCIMAuth}}` its credential; other URLs (Okta's
//! management API in the CRUD exports) are sent as they are. A step's JavaScript `scripts`
//! cannot run: each is reported with the step as not run, never as passed. Pauses are kept
//! and honoured only with `--honor-pauses`. A step that a POST creates a SCIM user or group
//! with is cleaned up like any other.

use serde::Deserialize;
use serde_json::Value;

use crate::http::Method;
use crate::suite::template;
use crate::suite::{
    Assertion, AssertionKind, Authorization, Body, Check, CheckKind, Comparison, Creates,
    Generator, Judged, Level, RequestSpec, ScimVersion, Suite, VarSpec,
};

/// Variables that mean the run's base URL.
const BASE_VARS: &[&str] = &["SCIMBaseURL", "SCIMUrl"];
/// Variables that mean the run's whole Authorization value.
pub const AUTH_VARS: &[&str] = &["auth", "SCIMAuth"];

/// An export that cannot be used, naming the step and field.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {place}: {message}")]
pub struct RunscopeError {
    /// The export file.
    pub file: String,
    /// `step 3 ("Test invalid User by username"), assertions[1].comparison`, or the top level.
    pub place: String,
    /// What is wrong.
    pub message: String,
}

#[derive(Deserialize)]
struct Export {
    name: Option<String>,
    exported_at: Option<Value>,
    steps: Vec<Value>,
}

/// One step of an export, as far as scimcheck reads it (exports carry many more keys, which
/// are ignored). Leaves whose type varies between exports stay JSON and are judged where they
/// are used, so that an error names the step and the field.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Step {
    step_type: Option<String>,
    duration: Option<u64>,
    note: Option<String>,
    method: Option<String>,
    url: Option<String>,
    headers: Option<serde_json::Map<String, Value>>,
    body: Option<Value>,
    assertions: Vec<Value>,
    variables: Vec<Variable>,
    before_scripts: Vec<Value>,
    scripts: Vec<Value>,
    skipped: Option<bool>,
}

/// A row of a step's variables table.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Variable {
    name: Option<String>,
    property: Option<String>,
    source: Option<String>,
}

/// The values Okta's initial scripts generate (Initial_Script_Spec.txt and
/// Initial_Script_CRUD.txt), as suite variables: generated natively, in Okta's exact style.
fn initial_script_vars() -> Vec<(String, VarSpec)> {
    let t = |s: &str| VarSpec::Template {
        template: s.into(),
        upper: false,
    };
    vec![
        (
            "randomGivenName".into(),
            VarSpec::Generate(Generator::OktaGivenName),
        ),
        (
            "randomFamilyName".into(),
            VarSpec::Generate(Generator::OktaFamilyName),
        ),
        (
            "randomEmail".into(),
            t("{{randomGivenName}}{{randomFamilyName}}@atko.com"),
        ),
        ("randomUsername".into(), t("{{randomEmail}}")),
        (
            "randomUsernameCaps".into(),
            VarSpec::Template {
                template: "{{randomEmail}}".into(),
                upper: true,
            },
        ),
        (
            "InvalidUserEmail".into(),
            VarSpec::Value("abcdefgh@atko.com".into()),
        ),
        (
            "UserIdThatDoesNotExist".into(),
            VarSpec::Value("010101001010101011001010101011".into()),
        ),
        (
            "okta_user_firstname".into(),
            VarSpec::Generate(Generator::OktaGivenName),
        ),
        (
            "okta_user_lastname".into(),
            VarSpec::Generate(Generator::OktaFamilyName),
        ),
        (
            "okta_user_fullname".into(),
            t("{{okta_user_firstname}} {{okta_user_lastname}}"),
        ),
        (
            "okta_user_firstname_update".into(),
            t("{{okta_user_firstname}}update"),
        ),
        (
            "okta_user_fullname_update".into(),
            t("{{okta_user_firstname_update}} {{okta_user_lastname}}"),
        ),
        (
            "okta_user_email".into(),
            t("{{okta_user_firstname}}{{okta_user_lastname}}@atko.com"),
        ),
        ("okta_user_title".into(), VarSpec::Value("Engineer".into())),
        (
            "okta_user_primaryphone".into(),
            VarSpec::Value("415.123.4567".into()),
        ),
    ]
}

/// A converted export: the suite, and what of the export it cannot express (listed by
/// `import-runscope`; the runner reports the same items with their steps).
#[derive(Debug)]
pub struct Converted {
    /// The suite.
    pub suite: Suite,
    /// What cannot be expressed, by step.
    pub not_expressible: Vec<String>,
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Reads and converts an export's text. `file` is used in errors.
pub fn convert(file: &str, text: &str) -> Result<Converted, RunscopeError> {
    let top = |message: String| RunscopeError {
        file: file.into(),
        place: "the export".into(),
        message,
    };
    let export: Export =
        serde_json::from_str(text).map_err(|e| top(format!("not a Runscope export: {e}")))?;
    let name = export
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| top("no name".into()))?;
    let version = export
        .exported_at
        .as_ref()
        .and_then(Value::as_i64)
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map_or_else(|| "unknown".into(), |d| d.format("%Y-%m-%d").to_string());
    let scim_version = if name.contains("1.1") {
        ScimVersion::V11
    } else {
        ScimVersion::V2
    };
    let mut checks = Vec::new();
    let mut not_expressible = Vec::new();
    let mut captured: Vec<String> = Vec::new();
    let mut pause = 0u64;
    for (position, raw) in export.steps.iter().enumerate() {
        let step: Step = serde_json::from_value(raw.clone()).map_err(|e| RunscopeError {
            file: file.into(),
            place: format!("steps[{position}]"),
            message: e.to_string(),
        })?;
        if step.step_type.as_deref() == Some("pause") {
            pause += step.duration.unwrap_or(0);
            continue;
        }
        let at = StepAt {
            file,
            index: checks.len() + 1,
            note: step.note.as_deref().unwrap_or("").trim().to_string(),
        };
        let mut check = step_check(&step, &at, &name, &mut not_expressible)?;
        check.pause_before_s = std::mem::take(&mut pause);
        captured.extend(check.captures().iter().map(|(n, _)| n.clone()));
        checks.push(check);
    }
    if checks.is_empty() {
        return Err(top("no request steps".into()));
    }
    if pause > 0 {
        not_expressible.push(format!(
            "a final pause of {pause} s after the last step is dropped"
        ));
    }
    let (vars, inputs) = vars_and_inputs(&checks, &captured);
    Ok(Converted {
        suite: Suite {
            id: slug(&name),
            title: name.clone(),
            version,
            scim_version,
            reference: format!("Runscope export {name:?} ({file})"),
            profile: None,
            builds_on: Vec::new(),
            by_hand: Vec::new(),
            source: file.into(),
            vars,
            inputs,
            checks,
        },
        not_expressible,
    })
}

/// Where a request step stands, for its errors: the file, its number among the request
/// steps, and its note.
struct StepAt<'a> {
    file: &'a str,
    index: usize,
    note: String,
}

impl StepAt<'_> {
    fn fail(&self, field: &str, message: String) -> RunscopeError {
        RunscopeError {
            file: self.file.into(),
            place: format!(
                "step {} ({:?}){}{field}",
                self.index,
                self.note,
                if field.is_empty() { "" } else { ", " }
            ),
            message,
        }
    }
}

/// One request step as a check; what it holds that cannot run here is told in
/// `not_expressible`.
fn step_check(
    step: &Step,
    at: &StepAt<'_>,
    export: &str,
    not_expressible: &mut Vec<String>,
) -> Result<Check, RunscopeError> {
    let kind = step.step_type.as_deref().unwrap_or("request");
    if kind != "request" {
        return Err(at.fail(
            "step_type",
            format!("unsupported step type {kind:?} (request and pause are)"),
        ));
    }
    let index = at.index;
    let (level, title) = level_and_title(&at.note);
    let method_text = step
        .method
        .as_deref()
        .ok_or_else(|| at.fail("method", "missing".into()))?;
    let method = Method::parse(method_text)
        .ok_or_else(|| at.fail("method", format!("unsupported method {method_text:?}")))?;
    let url = step
        .url
        .as_deref()
        .ok_or_else(|| at.fail("url", "missing".into()))?;
    let (path, query) = split_url(url);
    let (headers, authorization) = headers_of(step, at)?;
    let body = match &step.body {
        Some(Value::String(b)) if !b.is_empty() => Some(Body::Raw(b.clone())),
        Some(Value::String(_)) | Some(Value::Null) | None => None,
        Some(_) => return Err(at.fail("body", "not a string".into())),
    };
    let expect = expectations(step, at, &title, not_expressible)?;
    let capture = captures_of(step, at, &title, not_expressible)?;
    let not_run = scripts_not_run(step);
    for n in &not_run {
        not_expressible.push(format!("step {index} ({title}): {n}"));
    }
    let creates = creates_of(method, &path, &capture);
    Ok(Check {
        id: format!("step-{index:02}"),
        title,
        level,
        reference: format!("{export}, step {index}"),
        request: RequestSpec {
            method,
            path,
            query,
            headers,
            authorization,
            body,
        },
        kind: CheckKind::Request(Judged {
            expect,
            capture,
            creates,
            capture_body: None,
        }),
        keyword: None,
        when: None,
        not_run,
        pause_before_s: 0,
        disabled: (step.skipped == Some(true)).then(|| "skipped in the Runscope export".into()),
        // Dependencies come from the captures its templates use.
        needs: Vec::new(),
        presupposes: Vec::new(),
        refusal_of: None,
        line: 0,
        each: None,
        bindings: Vec::new(),
    })
}

/// A step's level and title from its note: Okta writes "Required Test: …" or "Optional
/// Test: …"; any other note is a required check of that title.
fn level_and_title(note: &str) -> (Level, String) {
    match note.split_once(':') {
        Some((p, rest)) if p.trim().eq_ignore_ascii_case("Required Test") => {
            (Level::Required, rest.trim().to_string())
        }
        Some((p, rest)) if p.trim().eq_ignore_ascii_case("Optional Test") => {
            (Level::Optional, rest.trim().to_string())
        }
        _ => (Level::Required, note.to_string()),
    }
}

/// A step's assertions; a step without one only sends its request (any status passes), which
/// is told in `not_expressible`.
fn expectations(
    step: &Step,
    at: &StepAt<'_>,
    title: &str,
    not_expressible: &mut Vec<String>,
) -> Result<Vec<Assertion>, RunscopeError> {
    let mut expect = Vec::new();
    for (i, a) in step.assertions.iter().enumerate() {
        let field = format!("assertions[{i}]");
        expect.push(assertion(a).map_err(|m| at.fail(&field, m))?);
    }
    if expect.is_empty() {
        not_expressible.push(format!(
            "step {} ({title}): no assertion; the step only sends its request",
            at.index
        ));
        expect.push(Assertion {
            kind: AssertionKind::Status((100..600).collect()),
            hint: None,
            keyword: None,
        });
    }
    Ok(expect)
}

/// A step's headers, and its Authorization: the run's credential when it is the export's
/// `{{auth}}` variable, else the literal value.
fn headers_of(
    step: &Step,
    at: &StepAt<'_>,
) -> Result<(Vec<(String, String)>, Authorization), RunscopeError> {
    let mut headers = Vec::new();
    let mut authorization = Authorization::Omit;
    for (k, v) in step.headers.iter().flatten() {
        let value = match v {
            Value::String(s) => s.clone(),
            Value::Array(items) => items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", "),
            _ => {
                return Err(at.fail(
                    &format!("headers.{k}"),
                    "not a string or a list of strings".into(),
                ));
            }
        };
        if k.eq_ignore_ascii_case("authorization") {
            let is_run_credential = AUTH_VARS
                .iter()
                .any(|a| value.trim() == format!("{{{{{a}}}}}"));
            authorization = if is_run_credential {
                Authorization::Run
            } else {
                Authorization::Literal(value)
            };
        } else {
            headers.push((k.clone(), value));
        }
    }
    Ok((headers, authorization))
}

/// The values a step captures from its response (`response_json` variables).
fn captures_of(
    step: &Step,
    at: &StepAt<'_>,
    title: &str,
    not_expressible: &mut Vec<String>,
) -> Result<Vec<(String, String)>, RunscopeError> {
    let mut capture = Vec::new();
    for (i, v) in step.variables.iter().enumerate() {
        let field = format!("variables[{i}]");
        let blank = |x: &Option<String>| x.as_deref().unwrap_or("").is_empty();
        if blank(&v.name) && blank(&v.property) {
            // An empty row of Runscope's variables table: Runscope ignores it too.
            not_expressible.push(format!(
                "step {} ({title}): an empty variable row ({field}) is ignored",
                at.index
            ));
            continue;
        }
        let source = v.source.as_deref().unwrap_or("");
        if source != "response_json" {
            return Err(at.fail(
                &format!("{field}.source"),
                format!("unsupported source {source:?} (response_json is)"),
            ));
        }
        let name = v
            .name
            .as_deref()
            .ok_or_else(|| at.fail(&format!("{field}.name"), "missing".into()))?;
        let property = v
            .property
            .as_deref()
            .ok_or_else(|| at.fail(&format!("{field}.property"), "missing".into()))?;
        capture.push((name.to_string(), property.to_string()));
    }
    Ok(capture)
}

/// The JavaScript a step would run before or after its request, which cannot run here.
fn scripts_not_run(step: &Step) -> Vec<String> {
    let mut not_run = Vec::new();
    for (key, scripts) in [
        ("before_scripts", &step.before_scripts),
        ("scripts", &step.scripts),
    ] {
        for script in scripts.iter().filter_map(Value::as_str) {
            if !script.trim().is_empty() {
                let first = script
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .trim();
                not_run.push(format!(
                    "a JavaScript {} ({} lines, starting {first:?}) cannot run here",
                    key.trim_end_matches('s'),
                    script.lines().count()
                ));
            }
        }
    }
    not_run
}

/// A SCIM create whose id the step captures is cleaned up, as every resource the run makes.
fn creates_of(method: Method, path: &str, capture: &[(String, String)]) -> Option<Creates> {
    let resource = (method == Method::Post && path.starts_with('/'))
        .then(|| path.trim_end_matches('/').rsplit('/').next())
        .flatten()
        .filter(|r| *r == "Users" || *r == "Groups")?;
    capture
        .iter()
        .find(|(_, p)| p == "id")
        .map(|(n, _)| Creates {
            resource: resource.into(),
            id_var: n.clone(),
        })
}

/// The suite's variables (Okta's initial script, those the steps use) and its inputs: what the
/// steps use that is neither generated, captured, nor built in.
fn vars_and_inputs(checks: &[Check], captured: &[String]) -> (Vec<(String, VarSpec)>, Vec<String>) {
    let mut used = Vec::new();
    for c in checks {
        let r = &c.request;
        let mut texts = vec![r.path.clone()];
        texts.extend(r.query.iter().map(|(_, v)| v.clone()));
        texts.extend(r.headers.iter().map(|(_, v)| v.clone()));
        if let Authorization::Literal(v) = &r.authorization {
            texts.push(v.clone());
        }
        if let Some(Body::Raw(b)) = &r.body {
            texts.push(b.clone());
        }
        texts.extend(
            c.expect()
                .iter()
                .filter_map(|a| a.kind.template())
                .map(str::to_string),
        );
        for t in &texts {
            for n in template::references(t) {
                if !used.contains(&n.to_string()) {
                    used.push(n.to_string());
                }
            }
        }
    }
    let builtin = crate::suite::BUILTIN_VARS;
    let vars: Vec<(String, VarSpec)> = initial_script_vars()
        .into_iter()
        .filter(|(n, _)| used.contains(n) || depends(n, &used))
        .collect();
    let inputs = used
        .iter()
        .filter(|n| {
            !builtin.contains(&n.as_str())
                && !vars.iter().any(|(v, _)| v == *n)
                && !captured.contains(n)
        })
        .cloned()
        .collect();
    (vars, inputs)
}

/// Whether another used variable is built on this one (randomEmail on randomGivenName).
fn depends(name: &str, used: &[String]) -> bool {
    let chains: &[(&str, &[&str])] = &[
        (
            "randomGivenName",
            &["randomEmail", "randomUsername", "randomUsernameCaps"],
        ),
        (
            "randomFamilyName",
            &["randomEmail", "randomUsername", "randomUsernameCaps"],
        ),
        ("randomEmail", &["randomUsername", "randomUsernameCaps"]),
        (
            "okta_user_firstname",
            &[
                "okta_user_email",
                "okta_user_fullname",
                "okta_user_firstname_update",
                "okta_user_fullname_update",
            ],
        ),
        (
            "okta_user_lastname",
            &[
                "okta_user_email",
                "okta_user_fullname",
                "okta_user_fullname_update",
            ],
        ),
        ("okta_user_firstname_update", &["okta_user_fullname_update"]),
    ];
    chains
        .iter()
        .any(|(n, users)| *n == name && users.iter().any(|u| used.iter().any(|x| x == u)))
}

/// Splits an export URL into the path (relative when it starts with the base variable) and
/// its query pairs, left unencoded: the client encodes them on the wire.
fn split_url(url: &str) -> (String, Vec<(String, String)>) {
    let (before, query) = match url.split_once('?') {
        Some((b, q)) => (b, q),
        None => (url, ""),
    };
    let mut path = before.to_string();
    for base in BASE_VARS {
        if let Some(rest) = before.strip_prefix(&format!("{{{{{base}}}}}")) {
            path = if rest.is_empty() {
                "/".into()
            } else {
                rest.to_string()
            };
        }
    }
    let query = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (p.to_string(), String::new()),
        })
        .collect();
    (path, query)
}

fn assertion(a: &Value) -> Result<Assertion, String> {
    let source = a.get("source").and_then(Value::as_str).unwrap_or("");
    let comparison = a.get("comparison").and_then(Value::as_str).unwrap_or("");
    let value = a.get("value").and_then(text_of);
    let number = || -> Result<f64, String> {
        value
            .as_deref()
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| format!("{comparison} needs a number, got {:?}", a.get("value")))
    };
    let text = || {
        value
            .clone()
            .ok_or_else(|| format!("{comparison} needs a value"))
    };
    let kind = match source {
        "response_status" => match comparison {
            "equal_number" | "equal" => AssertionKind::Status(vec![number()? as u16]),
            other => {
                return Err(format!(
                    "comparison {other:?} on response_status is not supported (equal_number is)"
                ));
            }
        },
        "response_time" => match comparison {
            "is_less_than" => AssertionKind::TimeBelowMs(number()? as u64),
            other => {
                return Err(format!(
                    "comparison {other:?} on response_time is not supported (is_less_than is)"
                ));
            }
        },
        "response_json" => {
            let path = a
                .get("property")
                .and_then(Value::as_str)
                .filter(|p| !p.is_empty())
                .ok_or("response_json needs a property")?
                .to_string();
            let cmp = match comparison {
                "equal" => Comparison::Equals(text()?),
                "equal_number" => Comparison::EqualsNumber(number()?),
                "not_empty" => Comparison::NotEmpty,
                "has_value" => Comparison::HasValue(text()?),
                "contains" => Comparison::Contains(text()?),
                "is_a_number" => Comparison::IsNumber,
                "is_less_than" => Comparison::LessThan(number()?),
                other => return Err(format!("unsupported comparison {other:?}")),
            };
            AssertionKind::Json { path, cmp }
        }
        other => {
            return Err(format!(
                "unsupported source {other:?} (response_status, response_json and response_time are)"
            ));
        }
    };
    Ok(Assertion {
        kind,
        hint: None,
        keyword: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"{"name": "Tiny SCIM 2.0 Test", "exported_at": 1700000000, "steps": [
      {"step_type": "request", "note": "Required Test: List users", "method": "GET",
       "url": "{{SCIMBaseURL}}/Users?filter=userName eq \"{{randomEmail}}\"",
       "headers": {"Authorization": ["{{auth}}"], "Accept": ["application/scim+json"]},
       "assertions": [{"source": "response_status", "comparison": "equal_number", "value": 200},
                      {"source": "response_json", "property": "totalResults", "comparison": "equal", "value": "0"}],
       "variables": [], "scripts": ["var x = 1;\nassert(x);"]},
      {"step_type": "pause", "duration": 5},
      {"step_type": "request", "note": "Optional Test: Okta API", "method": "GET",
       "url": "{{oktaOrgUrl}}/api/v1/apps/{{oktaAppId}}", "headers": {"Authorization": "SSWS {{oktaToken}}"},
       "assertions": [{"source": "response_status", "comparison": "equal_number", "value": "200"}]}
    ]}"#;

    #[test]
    fn converts_steps_levels_urls_auth_pauses_and_scripts() {
        let c = convert("tiny.json", SMALL).unwrap();
        let s = &c.suite;
        assert_eq!(s.id, "tiny-scim-2-0-test");
        assert_eq!(s.checks.len(), 2);
        assert_eq!(s.checks[0].title, "List users");
        assert_eq!(s.checks[0].request.path, "/Users");
        assert_eq!(
            s.checks[0].request.query,
            [(
                "filter".to_string(),
                "userName eq \"{{randomEmail}}\"".to_string()
            )]
        );
        assert_eq!(s.checks[0].request.authorization, Authorization::Run);
        assert_eq!(s.checks[1].level, Level::Optional);
        assert_eq!(s.checks[1].pause_before_s, 5);
        assert_eq!(
            s.checks[1].request.path,
            "{{oktaOrgUrl}}/api/v1/apps/{{oktaAppId}}"
        );
        assert_eq!(
            s.checks[1].request.authorization,
            Authorization::Literal("SSWS {{oktaToken}}".into())
        );
        assert_eq!(s.inputs, ["oktaOrgUrl", "oktaAppId", "oktaToken"]);
        assert!(
            s.vars.iter().any(|(n, _)| n == "randomGivenName"),
            "the generator behind randomEmail is kept"
        );
        assert!(
            c.not_expressible[0].contains("JavaScript script"),
            "{:?}",
            c.not_expressible
        );
    }

    #[test]
    fn bad_exports_name_the_step_and_field() {
        let e = convert(
            "x.json",
            &SMALL.replace(
                "equal_number\", \"value\": 200",
                "matches\", \"value\": 200",
            ),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("x.json: step 1 (\"Required Test: List users\"), assertions[0]"),
            "{e}"
        );
        let e = convert("x.json", "{\"steps\": []}")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no name"), "{e}");
        assert!(
            convert("x.json", "not json")
                .unwrap_err()
                .to_string()
                .contains("not a Runscope export")
        );
    }
}

/// A TOML key, quoted when it is not bare.
fn key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        toml::Value::String(k.into()).to_string()
    }
}

fn quote(s: &str) -> String {
    toml::Value::String(s.into()).to_string()
}

fn number(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

fn assertion_toml(a: &Assertion) -> String {
    match &a.kind {
        AssertionKind::Status(s) if s.len() == 1 => format!("{{ status = {} }}", s[0]),
        AssertionKind::Status(s) => format!(
            "{{ status_in = [{}] }}",
            s.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")
        ),
        AssertionKind::TimeBelowMs(ms) => format!("{{ time_below_ms = {ms} }}"),
        AssertionKind::BodyIsJson => "{ body_is_json = true }".into(),
        AssertionKind::Rule(_) | AssertionKind::Header { .. } => {
            unreachable!("exports convert to status, time and json assertions only")
        }
        AssertionKind::Json { path, cmp } => {
            // Written by name from the one table of comparisons (`Comparison::name`).
            let value = match cmp {
                Comparison::EqualsNumber(n) | Comparison::LessThan(n) => number(*n),
                Comparison::Length(n) => n.to_string(),
                other => other.template().map_or_else(|| "true".into(), quote),
            };
            let c = format!("{} = {value}", cmp.name());
            format!("{{ json = {}, {c} }}", quote(path))
        }
    }
}

/// The converted suite as a suite file, with what cannot be expressed listed on top.
pub fn to_toml(c: &Converted) -> String {
    let s = &c.suite;
    let mut t = String::new();
    t.push_str(&format!(
        "# Converted from the Runscope export {} by `scimcheck import-runscope`.\n",
        s.source
    ));
    if c.not_expressible.is_empty() {
        t.push_str("# Everything in the export is expressed below.\n");
    } else {
        t.push_str("# Not expressible in a suite file (reported as not run):\n");
        for n in &c.not_expressible {
            t.push_str(&format!("#   - {n}\n"));
        }
    }
    t.push_str(&format!(
        "\nformat = 1\nid = {}\ntitle = {}\nversion = {}\nscim_version = {}\nreference = {}\n",
        quote(&s.id),
        quote(&s.title),
        quote(&s.version),
        quote(s.scim_version.as_str()),
        quote(&s.reference)
    ));
    if !s.inputs.is_empty() {
        t.push_str(&format!("# Give these with --var NAME=VALUE (or --var-env NAME=ENV for secrets).\ninputs = [{}]\n", s.inputs.iter().map(|i| quote(i)).collect::<Vec<_>>().join(", ")));
    }
    if !s.vars.is_empty() {
        t.push_str("\n# Okta's initial scripts, generated natively.\n[vars]\n");
        for (name, spec) in &s.vars {
            let v = match spec {
                VarSpec::Generate(Generator::OktaGivenName) => {
                    "{ generate = \"okta-given-name\" }".to_string()
                }
                VarSpec::Generate(Generator::OktaFamilyName) => {
                    "{ generate = \"okta-family-name\" }".to_string()
                }
                VarSpec::Template {
                    template,
                    upper: false,
                } => format!("{{ template = {} }}", quote(template)),
                VarSpec::Template {
                    template,
                    upper: true,
                } => format!("{{ template = {}, case = \"upper\" }}", quote(template)),
                VarSpec::Value(v) => format!("{{ value = {} }}", quote(v)),
            };
            t.push_str(&format!("{} = {v}\n", key(name)));
        }
    }
    for c in &s.checks {
        if c.request.headers.is_empty() {
            continue;
        }
        t.push_str(&format!("\n[headers.{}]\n", key(&c.id)));
        for (k, v) in &c.request.headers {
            t.push_str(&format!("{} = {}\n", key(k), quote(v)));
        }
    }
    for c in &s.checks {
        let r = &c.request;
        let mut req = vec![
            format!("method = {}", quote(r.method.as_str())),
            format!("path = {}", quote(&r.path)),
        ];
        if !r.query.is_empty() {
            let q: Vec<String> = r
                .query
                .iter()
                .map(|(k, v)| format!("{} = {}", key(k), quote(v)))
                .collect();
            req.push(format!("query = {{ {} }}", q.join(", ")));
        }
        if !r.headers.is_empty() {
            req.push(format!("headers = {}", quote(&c.id)));
        }
        match &r.authorization {
            Authorization::Run => {}
            Authorization::Literal(v) => req.push(format!("authorization = {}", quote(v))),
            Authorization::Omit => req.push("omit_authorization = true".into()),
        }
        if let Some(Body::Raw(b)) = &r.body {
            req.push(format!("body_raw = {}", quote(b)));
        }
        t.push_str(&format!(
            "\n[[check]]\nid = {}\ntitle = {}\nlevel = {}\nreference = {}\nrequest = {{ {} }}\nexpect = [\n",
            quote(&c.id),
            quote(&c.title),
            quote(c.level.as_str()),
            quote(&c.reference),
            req.join(", ")
        ));
        for a in c.expect() {
            t.push_str(&format!("  {},\n", assertion_toml(a)));
        }
        t.push_str("]\n");
        if !c.captures().is_empty() {
            let cap: Vec<String> = c
                .captures()
                .iter()
                .map(|(n, p)| format!("{} = {}", key(n), quote(p)))
                .collect();
            t.push_str(&format!("capture = {{ {} }}\n", cap.join(", ")));
        }
        if let Some(cr) = c.creates() {
            t.push_str(&format!(
                "creates = {{ resource = {}, id = {} }}\n",
                quote(&cr.resource),
                quote(&cr.id_var)
            ));
        }
        if !c.not_run.is_empty() {
            t.push_str(&format!(
                "not_run = [{}]\n",
                c.not_run
                    .iter()
                    .map(|n| quote(n))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if c.pause_before_s > 0 {
            t.push_str(&format!("pause_before_s = {}\n", c.pause_before_s));
        }
        if let Some(d) = &c.disabled {
            t.push_str(&format!("disabled = {}\n", quote(d)));
        }
    }
    t
}

#[cfg(test)]
mod toml_tests {
    use super::*;

    #[test]
    fn the_suite_file_reads_back_as_the_same_suite() {
        let c = convert("tiny.json", tests_export()).unwrap();
        let text = to_toml(&c);
        let back = crate::suite::load::parse_suite("tiny.toml", &text)
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(back.checks.len(), c.suite.checks.len());
        for (a, b) in back.checks.iter().zip(&c.suite.checks) {
            assert_eq!(a.request.path, b.request.path);
            assert_eq!(a.request.query, b.request.query);
            assert_eq!(a.request.headers, b.request.headers);
            assert_eq!(a.request.authorization, b.request.authorization);
            assert_eq!(a.expect().len(), b.expect().len());
            assert_eq!(a.not_run, b.not_run);
            assert_eq!(a.pause_before_s, b.pause_before_s);
        }
        assert_eq!(back.inputs, c.suite.inputs);
        assert!(text.contains("# Not expressible"), "{text}");
    }

    fn tests_export() -> &'static str {
        include_str!("../../../fixtures/runscope/tiny-spec.json")
    }
}
