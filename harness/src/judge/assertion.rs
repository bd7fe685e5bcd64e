//! Evaluating a check's assertions against a response, with Runscope's comparator semantics,
//! and the JSON path lookup they use.
//!
//! Every assertion is evaluated (not only up to the first failure), and each one that does not
//! hold becomes a [`Mismatch`]: what was asserted, what was expected, what came back.

use serde_json::Value;

use crate::http::Response;
use crate::judge::path::{is_counter, lookup};
use crate::judge::profile_rules;
use crate::suite::template::{Vars, render};
use crate::suite::{Assertion, AssertionKind, Comparison, Keyword, Rule};

pub use scim_results::Mismatch;

/// Evaluates every assertion; returns the ones that failed, each graded with the assertion's
/// keyword or else the check's.
pub fn evaluate(
    assertions: &[Assertion],
    check_keyword: Option<Keyword>,
    response: &Response,
    vars: &Vars,
) -> Vec<Mismatch> {
    // A hint explains the usual cause of its assertion failing on a response of the expected
    // status; after an unexpected status (a 500, a 401) that cause is not the cause.
    let status_held = assertions.iter().all(|a| match &a.kind {
        AssertionKind::Status(allowed) => allowed.contains(&response.status),
        _ => true,
    });
    assertions
        .iter()
        .filter_map(|a| {
            evaluate_one(&a.kind, response, vars)
                .err()
                .map(|(assertion, expected, actual)| Mismatch {
                    assertion,
                    expected,
                    actual,
                    hint: a
                        .hint
                        .clone()
                        .filter(|_| status_held || matches!(a.kind, AssertionKind::Status(_))),
                    keyword: a.keyword.or(rule_keyword(&a.kind)).or(check_keyword),
                })
        })
        .collect()
}

/// What an Okta-URN resource type in a `/ResourceTypes` list lacks (RFC 7643 §6: `id`,
/// `name`, `endpoint`, `schema` are REQUIRED; a `schemaExtensions` entry has a `schema` URN
/// and a boolean `required`).
fn okta_resource_type_problems(doc: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    let types = crate::judge::entitlements::okta_types(doc);
    for (index, t) in types.iter().enumerate() {
        let who =
            t.id.clone()
                .unwrap_or_else(|| format!("the Okta-URN resource type #{}", index + 1));
        for (name, present) in [
            ("id", t.id.is_some()),
            ("name", t.name.is_some()),
            ("endpoint", t.endpoint.is_some()),
        ] {
            if !present {
                out.push(format!("{who} has no {name}"));
            }
        }
        if let Some(e) = t
            .endpoint
            .as_deref()
            .filter(|e| !crate::judge::entitlements::safe_endpoint(e))
        {
            out.push(format!(
                "{who}: endpoint {e:?} is not a path below the base URL (\"/\" and URL-safe segments, none \"..\"): not requested"
            ));
        }
        for problem in &t.extension_problems {
            out.push(format!("{who}: {problem}"));
        }
    }
    out
}

/// The level a structural rule carries wherever it is used, unless the assertion names one:
/// one rule, one level. A query response is a ListResponse by RFC 7644 §3.4.2 (MUST); the
/// error schema's wording (§3.12) leaves the level to the check.
fn rule_keyword(kind: &AssertionKind) -> Option<Keyword> {
    match kind {
        AssertionKind::Rule(Rule::ListResponse | Rule::OktaResourceTypes) => Some(Keyword::Must),
        AssertionKind::Rule(Rule::ResourceTypeIdIsName | Rule::TypedCanonicalValues) => {
            Some(Keyword::Must)
        }
        _ => None,
    }
}

type Failure = (String, String, String);

/// A structural rule over the whole response: what it finds missing, in one failure.
fn evaluate_rule(rule: Rule, r: &Response) -> Result<(), Failure> {
    let label = match rule {
        Rule::ListResponse => "rule list-response",
        Rule::ScimError => "rule scim-error",
        Rule::OktaResourceTypes => "rule okta-resource-types",
        Rule::ResourceTypeIdIsName => "rule resource-type-id-is-name",
        Rule::TypedCanonicalValues => "rule typed-canonical-values",
        Rule::PageOf100 => "rule page-of-100",
    };
    let Some(doc) = r.json() else {
        return Err((label.into(), "a JSON document".into(), not_json(r)));
    };
    let problems = match rule {
        Rule::ListResponse => list_response_problems(r, doc),
        Rule::ScimError => scim_error_problems(r, doc),
        Rule::OktaResourceTypes => okta_resource_type_problems(doc),
        Rule::ResourceTypeIdIsName => profile_rules::resource_type_id_is_name(doc),
        Rule::TypedCanonicalValues => profile_rules::typed_canonical_values(doc),
        Rule::PageOf100 => profile_rules::page_of_100(doc),
    };
    if problems.is_empty() {
        Ok(())
    } else {
        let expected = match rule {
            Rule::ListResponse => "a ListResponse (RFC 7644 §3.4.2)",
            Rule::ScimError => "a SCIM Error (RFC 7644 §3.12)",
            Rule::OktaResourceTypes => {
                "each Okta-URN resource type with id, name, endpoint, schema (RFC 7643 §6)"
            }
            Rule::ResourceTypeIdIsName => {
                "each resource type's id equal to its name (interop profile §5.1)"
            }
            Rule::TypedCanonicalValues => {
                "canonicalValues for every typed multi-valued attribute (interop profile §5.4)"
            }
            Rule::PageOf100 => {
                "at least 100 resources, or all of them when fewer (interop profile §6.4)"
            }
        };
        Err((label.into(), expected.into(), problems.join("; ")))
    }
}

fn evaluate_one(kind: &AssertionKind, r: &Response, vars: &Vars) -> Result<(), Failure> {
    match kind {
        AssertionKind::Status(allowed) => {
            if allowed.contains(&r.status) {
                Ok(())
            } else {
                let list: Vec<String> = allowed.iter().map(u16::to_string).collect();
                Err((
                    "status".into(),
                    list.join(" or "),
                    format!("{}{}", r.status, error_detail(r)),
                ))
            }
        }
        AssertionKind::TimeBelowMs(limit) => {
            if r.elapsed_ms < *limit {
                Ok(())
            } else {
                Err((
                    "response time".into(),
                    format!("< {limit} ms"),
                    format!("{} ms", r.elapsed_ms),
                ))
            }
        }
        AssertionKind::Rule(rule) => evaluate_rule(*rule, r),
        AssertionKind::BodyIsJson => match r.json() {
            Some(_) => Ok(()),
            None => Err(("body".into(), "a JSON document".into(), not_json(r))),
        },
        AssertionKind::Json { path, cmp } => {
            let label = format!("json {path} {}", cmp.name());
            let Some(doc) = r.json() else {
                // No body at all (a 204) holds no attribute: absent is true of it.
                if matches!(cmp, Comparison::Absent) && r.body.trim().is_empty() {
                    return Ok(());
                }
                return Err((label, expected_text(cmp, vars), not_json(r)));
            };
            let found = lookup(doc, path);
            compare(cmp, found.as_ref(), vars, r).map_err(|(e, a)| (label, e, a))
        }
        AssertionKind::Header { name, cmp } => {
            let label = format!("header {name} {}", cmp.name());
            let value = r.header(name).map(|v| Value::String(v.to_string()));
            compare(cmp, value.as_ref(), vars, r).map_err(|(e, a)| (label, e, a))
        }
    }
}

fn expected_text(cmp: &Comparison, vars: &Vars) -> String {
    let v = |s: &str| render(s, vars).unwrap_or_else(|_| s.to_string());
    match cmp {
        Comparison::Equals(s) => format!("{:?}", v(s)),
        Comparison::EqualsIgnoringCase(s) => format!("{:?} in any case", v(s)),
        Comparison::EqualsNumber(n) => format!("the number {n}"),
        Comparison::LessThan(n) => format!("a number below {n}"),
        Comparison::NotEmpty => "a value that is not empty".into(),
        Comparison::HasValue(s) => format!("an array holding {:?}", v(s)),
        Comparison::Contains(s) => format!("a value containing {:?}", v(s)),
        Comparison::IsNumber => "a JSON number".into(),
        Comparison::Absent => "no value".into(),
        Comparison::LacksValue(s) => format!("no element {:?}", v(s)),
        Comparison::Length(n) => format!("{n} elements"),
        Comparison::IsString => "a JSON string".into(),
        Comparison::IsBoolean => "a JSON boolean".into(),
    }
}

fn compare(
    cmp: &Comparison,
    found: Option<&Value>,
    vars: &Vars,
    r: &Response,
) -> Result<(), (String, String)> {
    let expected = expected_text(cmp, vars);
    // A template that cannot be rendered is never compared as literal text (`{{idB}}` would
    // otherwise "lack" from any answer). The runner does not run such a check; this is the
    // last guard.
    if let Some(t) = cmp.template()
        && let Err(missing) = render(t, vars)
    {
        return Err((
            expected,
            format!("nothing compared: {{{{{missing}}}}} was never captured"),
        ));
    }
    let fail = || Err((expected.clone(), describe(r, found)));
    let rendered = |s: &str| render(s, vars).unwrap_or_else(|_| s.to_string());
    let ok = match cmp {
        Comparison::Equals(s) => found.is_some_and(|v| scalar_text(v) == rendered(s)),
        Comparison::EqualsIgnoringCase(s) => {
            found.is_some_and(|v| scalar_text(v).to_lowercase() == rendered(s).to_lowercase())
        }
        Comparison::EqualsNumber(n) => found.and_then(number_of).is_some_and(|x| x == *n),
        Comparison::LessThan(n) => found.and_then(number_of).is_some_and(|x| x < *n),
        Comparison::NotEmpty => found.is_some_and(|v| !is_empty(v)),
        Comparison::HasValue(s) => {
            let want = rendered(s);
            matches!(found, Some(Value::Array(items)) if items.iter().any(|i| scalar_text(i) == want))
        }
        Comparison::Contains(s) => {
            let want = rendered(s);
            match found {
                Some(Value::Array(items)) => items.iter().any(|i| scalar_text(i) == want),
                Some(Value::String(text)) => text.contains(&want),
                _ => false,
            }
        }
        Comparison::IsNumber => matches!(found, Some(Value::Number(_))),
        Comparison::Absent => found.is_none_or(Value::is_null),
        Comparison::LacksValue(s) => {
            let unwanted = rendered(s);
            match found {
                None | Some(Value::Null) => true,
                Some(Value::Array(items)) => !items.iter().any(|i| scalar_text(i) == unwanted),
                Some(other) => scalar_text(other) != unwanted,
            }
        }
        Comparison::Length(n) => match found {
            None | Some(Value::Null) => *n == 0,
            Some(Value::Array(items)) => items.len() == *n,
            Some(Value::String(text)) => text.chars().count() == *n,
            _ => false,
        },
        Comparison::IsString => matches!(found, Some(Value::String(_))),
        Comparison::IsBoolean => matches!(found, Some(Value::Bool(_))),
    };
    if ok { Ok(()) } else { fail() }
}

/// Runscope compares as text: a string is itself, `true` is "true", 401 is "401".
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A number, or a string holding one (Runscope's `equal_number` parses both).
fn number_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

/// A value of the response in words: its JSON kind and an excerpt (secrets removed first).
fn describe(r: &Response, found: Option<&Value>) -> String {
    match found {
        None => "absent".into(),
        Some(v) => {
            let text = v.to_string();
            let kind = match v {
                Value::Null => "null",
                Value::Bool(_) => "boolean",
                Value::Number(_) => "number",
                Value::String(_) => "string",
                Value::Array(_) => "array",
                Value::Object(_) => "object",
            };
            format!("{kind} {}", r.excerpt(&text, 200))
        }
    }
}

fn not_json(r: &Response) -> String {
    if r.body.trim().is_empty() {
        format!("an empty body (status {})", r.status)
    } else {
        format!(
            "a body that is not JSON (status {}, Content-Type {}): {}",
            r.status,
            r.header("content-type").unwrap_or("absent"),
            r.excerpt(r.body.trim(), 200)
        )
    }
}

/// For a wrong status, the server's own explanation helps: its SCIM `detail` or a body excerpt.
fn error_detail(r: &Response) -> String {
    // SCIM 2.0 `detail`, or SCIM 1.1 `Errors[0].description`.
    let detail = r.json().and_then(|j| {
        j.get("detail")
            .or_else(|| j.pointer("/Errors/0/description"))
            .and_then(Value::as_str)
    });
    match detail {
        Some(d) => format!(" (detail: {})", r.excerpt(d, 200)),
        None if r.body.trim().is_empty() => String::new(),
        None => format!(" (body: {})", r.excerpt(r.body.trim(), 120)),
    }
}

fn list_response_problems(r: &Response, doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let has_schema = lookup(doc, "schemas").is_some_and(|s| {
        s.as_array().is_some_and(|a| {
            a.iter()
                .any(|x| x == "urn:ietf:params:scim:api:messages:2.0:ListResponse")
        })
    });
    if !has_schema {
        out.push("schemas lacks urn:ietf:params:scim:api:messages:2.0:ListResponse".to_string());
    }
    let total = lookup(doc, "totalResults");
    let resources = lookup(doc, "Resources");
    let returned_len = resources
        .as_ref()
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    // startIndex and itemsPerPage are REQUIRED only "when partial results are returned due to
    // pagination" (RFC 7644 §3.4.2); when present they are integers like totalResults.
    let partial = total
        .as_ref()
        .and_then(Value::as_u64)
        .is_some_and(|t| t > returned_len as u64);
    for name in ["totalResults", "startIndex", "itemsPerPage"] {
        let v = lookup(doc, name);
        let required = name == "totalResults" || partial;
        if v.is_none() && !required {
            continue;
        }
        if !is_counter(v.as_ref()) {
            out.push(format!(
                "{name} is {} instead of a non-negative integer",
                describe(r, v.as_ref())
            ));
        }
    }
    let returned = match &resources {
        Some(Value::Array(a)) => a.len(),
        None | Some(Value::Null) => 0,
        Some(other) => {
            out.push(format!(
                "Resources is {} instead of an array",
                describe(r, Some(other))
            ));
            0
        }
    };
    if total
        .as_ref()
        .and_then(Value::as_u64)
        .is_some_and(|t| t > 0)
        && resources.is_none()
    {
        out.push("Resources is missing although totalResults is not 0".to_string());
    }
    // itemsPerPage's value is judged where a page is asked for (its own assertions and the
    // import walk): an app that echoes the page size on a complete list is not broken.
    if let Some(t) = total.as_ref().and_then(Value::as_u64)
        && t < returned as u64
    {
        out.push(format!(
            "totalResults is {t} but the page alone holds {returned}"
        ));
    }
    out
}

fn scim_error_problems(r: &Response, doc: &Value) -> Vec<String> {
    let http_status = r.status;
    // A success is not a malformed error: say what came instead of one (its status check
    // says what status was due).
    if (200..300).contains(&http_status) {
        return vec![format!(
            "the answer is a success ({http_status}), not a SCIM error"
        )];
    }
    let mut out = Vec::new();
    let has_schema = lookup(doc, "schemas").is_some_and(|s| {
        s.as_array().is_some_and(|a| {
            a.iter()
                .any(|x| x == "urn:ietf:params:scim:api:messages:2.0:Error")
        })
    });
    if !has_schema {
        out.push("schemas lacks urn:ietf:params:scim:api:messages:2.0:Error".to_string());
    }
    match lookup(doc, "status") {
        Some(Value::String(s)) if *s == http_status.to_string() => {}
        Some(Value::String(s)) => out.push(format!(
            "status is \"{s}\" but the HTTP status is {http_status}"
        )),
        other => out.push(format!(
            "status is {} instead of the string \"{http_status}\"",
            describe(r, other.as_ref())
        )),
    }
    if let Some(d) = lookup(doc, "detail")
        && !d.is_string()
    {
        out.push(format!(
            "detail is {} instead of a string",
            describe(r, Some(&d))
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn response(status: u16, body: Value) -> Response {
        Response::new(
            status,
            vec![("Content-Type".into(), "application/scim+json".into())],
            body.to_string(),
            5,
        )
    }

    fn json_assert(path: &str, cmp: Comparison) -> Assertion {
        Assertion {
            kind: AssertionKind::Json {
                path: path.into(),
                cmp,
            },
            hint: None,
            keyword: None,
        }
    }

    #[test]
    fn a_success_is_told_as_a_success_not_as_a_malformed_error() {
        let kind = AssertionKind::Rule(Rule::ScimError);
        let failed =
            evaluate_one(&kind, &response(200, json!({"id": "u1"})), &Vars::new()).unwrap_err();
        assert_eq!(failed.2, "the answer is a success (200), not a SCIM error");
        // An error answer is still judged field by field.
        let failed =
            evaluate_one(&kind, &response(404, json!({"status": 404})), &Vars::new()).unwrap_err();
        assert!(
            failed
                .2
                .contains("status is number 404 instead of the string \"404\"")
        );
    }

    #[test]
    fn runscope_comparators() {
        let r = response(
            200,
            json!({"active": false, "status": 401, "n": "0", "schemas": ["a", "b"], "e": ""}),
        );
        let vars = Vars::new();
        let ok = |a: Assertion| evaluate(&[a], None, &r, &vars).is_empty();
        assert!(
            ok(json_assert("active", Comparison::NotEmpty)),
            "false is not empty"
        );
        assert!(!ok(json_assert("e", Comparison::NotEmpty)));
        assert!(
            ok(json_assert("status", Comparison::Equals("401".into()))),
            "numbers compare as text"
        );
        assert!(ok(json_assert(
            "active",
            Comparison::Equals("false".into())
        )));
        assert!(ok(json_assert("n", Comparison::EqualsNumber(0.0))));
        assert!(
            !ok(json_assert("n", Comparison::IsNumber)),
            "a string of digits is not a number"
        );
        assert!(ok(json_assert("status", Comparison::IsNumber)));
        assert!(ok(json_assert("schemas", Comparison::HasValue("b".into()))));
        assert!(!ok(json_assert(
            "schemas",
            Comparison::HasValue("c".into())
        )));
        assert!(ok(json_assert("missing", Comparison::Absent)));
    }

    #[test]
    fn mismatch_says_expected_and_actual() {
        let r = response(500, json!({"detail": "boom"}));
        let m = evaluate(
            &[Assertion {
                kind: AssertionKind::Status(vec![200]),
                hint: Some("h".into()),
                keyword: None,
            }],
            None,
            &r,
            &Vars::new(),
        );
        assert_eq!(m[0].expected, "200");
        assert_eq!(m[0].actual, "500 (detail: boom)");
        assert_eq!(m[0].hint.as_deref(), Some("h"));
    }

    /// Regression: "Okta's suite needs at least one user" was shown when the list answered
    /// 500: a hint is shown only when its precondition (the expected status) holds.
    #[test]
    fn hints_follow_only_the_expected_status() {
        let expect = [
            Assertion {
                kind: AssertionKind::Status(vec![200]),
                hint: None,
                keyword: None,
            },
            Assertion {
                kind: AssertionKind::Json {
                    path: "Resources".into(),
                    cmp: Comparison::NotEmpty,
                },
                hint: Some("seed a user".into()),
                keyword: None,
            },
        ];
        let vars = Vars::new();
        let empty = response(200, json!({"Resources": []}));
        let m = evaluate(&expect, None, &empty, &vars);
        assert_eq!(m[0].hint.as_deref(), Some("seed a user"));
        let broken = response(500, json!({"detail": "boom"}));
        let m = evaluate(&expect, None, &broken, &vars);
        assert_eq!(m.len(), 2);
        assert!(m.iter().all(|m| m.hint.is_none()), "{m:?}");
    }

    /// Regression: `lacks_value = "{{idB}}"` passed against the literal text `{{idB}}` when
    /// `idB` was never captured.
    #[test]
    fn an_uncaptured_template_is_never_compared_as_text() {
        let r = response(200, json!({"members": [{"value": "a"}]}));
        let vars = Vars::new();
        for cmp in [
            Comparison::LacksValue("{{idB}}".into()),
            Comparison::Equals("{{idB}}".into()),
            Comparison::Contains("{{idB}}".into()),
            Comparison::HasValue("{{idB}}".into()),
        ] {
            assert!(
                cmp.template().is_some(),
                "{} carries a template",
                cmp.name()
            );
            let m = evaluate(&[json_assert("members[*].value", cmp)], None, &r, &vars);
            assert_eq!(m.len(), 1);
            assert!(m[0].actual.contains("{{idB}} was never captured"), "{m:?}");
        }
    }

    /// Regression: /ResourceTypes and /Schemas without startIndex/itemsPerPage were failed,
    /// although RFC 7644 §3.4.2 requires them only "when partial results are returned due to
    /// pagination".
    #[test]
    fn list_counters_are_required_only_for_partial_results() {
        let rule = Assertion {
            kind: AssertionKind::Rule(Rule::ListResponse),
            hint: None,
            keyword: None,
        };
        let schema = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
        let whole = response(
            200,
            json!({"schemas": [schema], "totalResults": 2, "Resources": [{}, {}]}),
        );
        let vars = Vars::new();
        assert!(
            evaluate(
                std::slice::from_ref(&rule),
                Some(Keyword::Should),
                &whole,
                &vars
            )
            .is_empty()
        );
        let partial = response(
            200,
            json!({"schemas": [schema], "totalResults": 5, "Resources": [{}, {}]}),
        );
        let m = evaluate(
            std::slice::from_ref(&rule),
            Some(Keyword::Should),
            &partial,
            &vars,
        );
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].actual.contains("startIndex is absent"), "{m:?}");
        // One rule, one level: MUST wherever it is used, whatever the check's keyword.
        assert_eq!(m[0].keyword, Some(Keyword::Must));
        let strings = response(
            200,
            json!({"schemas": [schema], "totalResults": 2, "startIndex": "1", "Resources": [{}, {}]}),
        );
        assert_eq!(evaluate(&[rule], None, &strings, &vars).len(), 1);
    }

    #[test]
    fn new_comparators_and_rules() {
        let r = response(
            200,
            json!({"members": [{"value": "a"}], "active": true,
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 5, "startIndex": 1, "itemsPerPage": 2, "Resources": [{}]}),
        );
        let vars = Vars::new();
        let ok = |a: Assertion| evaluate(&[a], None, &r, &vars).is_empty();
        assert!(ok(json_assert(
            "members[*].value",
            Comparison::LacksValue("b".into())
        )));
        assert!(!ok(json_assert(
            "members[*].value",
            Comparison::LacksValue("a".into())
        )));
        assert!(ok(json_assert("members", Comparison::Length(1))));
        assert!(ok(json_assert("nothing", Comparison::Length(0))));
        assert!(ok(json_assert("active", Comparison::IsBoolean)));
        let rule = Assertion {
            kind: AssertionKind::Rule(Rule::ListResponse),
            hint: None,
            keyword: None,
        };
        // totalResults 5 with one resource is a partial page: well formed, counters present.
        // (itemsPerPage's value is judged by the checks that ask for a page.)
        assert!(evaluate(&[rule], None, &r, &vars).is_empty());
        let err = response(
            404,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": 404}),
        );
        let rule = Assertion {
            kind: AssertionKind::Rule(Rule::ScimError),
            hint: None,
            keyword: None,
        };
        let m = evaluate(&[rule], None, &err, &vars);
        assert!(
            m[0].actual
                .contains("status is number 404 instead of the string \"404\""),
            "{:?}",
            m
        );
    }

    #[test]
    fn non_json_body_is_named() {
        let r = Response::new(
            200,
            vec![("content-type".into(), "text/html".into())],
            "<html>oops</html>".into(),
            1,
        );
        let m = evaluate(
            &[json_assert("id", Comparison::NotEmpty)],
            None,
            &r,
            &Vars::new(),
        );
        assert!(m[0].actual.contains("not JSON"), "{}", m[0].actual);
        assert!(m[0].actual.contains("text/html"), "{}", m[0].actual);
    }
}
