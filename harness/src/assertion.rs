//! Evaluating a check's assertions against a response, with Runscope's comparator semantics,
//! and the JSON path lookup they use.
//!
//! Every assertion is evaluated (not only up to the first failure), and each one that does not
//! hold becomes a [`Mismatch`]: what was asserted, what was expected, what came back.

use serde::Serialize;
use serde_json::Value;

use crate::http::Response;
use crate::suite::{Assertion, AssertionKind, Comparison};
use crate::template::{Vars, render};

/// One assertion that did not hold.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Mismatch {
    /// The assertion in words (`json Resources[0].id not_empty`).
    pub assertion: String,
    /// What was expected.
    pub expected: String,
    /// What came back.
    pub actual: String,
    /// How to fix the usual cause, if the suite gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// Evaluates every assertion; returns the ones that failed.
pub fn evaluate(assertions: &[Assertion], response: &Response, vars: &Vars) -> Vec<Mismatch> {
    assertions
        .iter()
        .filter_map(|a| {
            evaluate_one(&a.kind, response, vars)
                .err()
                .map(|(assertion, expected, actual)| Mismatch {
                    assertion,
                    expected,
                    actual,
                    hint: a.hint.clone(),
                })
        })
        .collect()
}

type Failure = (String, String, String);

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
        AssertionKind::BodyIsJson => match &r.json {
            Some(_) => Ok(()),
            None => Err(("body".into(), "a JSON document".into(), not_json(r))),
        },
        AssertionKind::Json { path, cmp } => {
            let label = format!("json {path} {}", cmp_name(cmp));
            let Some(doc) = &r.json else {
                return Err((label, expected_text(cmp, vars), not_json(r)));
            };
            let found = lookup(doc, path);
            compare(cmp, found, vars).map_err(|(e, a)| (label, e, a))
        }
        AssertionKind::Header { name, cmp } => {
            let label = format!("header {name} {}", cmp_name(cmp));
            let value = r.header(name).map(|v| Value::String(v.to_string()));
            compare(cmp, value.as_ref(), vars).map_err(|(e, a)| (label, e, a))
        }
    }
}

fn cmp_name(cmp: &Comparison) -> &'static str {
    match cmp {
        Comparison::Equals(_) => "equals",
        Comparison::EqualsNumber(_) => "equals_number",
        Comparison::NotEmpty => "not_empty",
        Comparison::HasValue(_) => "has_value",
        Comparison::Contains(_) => "contains",
        Comparison::IsNumber => "is_number",
        Comparison::Absent => "absent",
    }
}

fn expected_text(cmp: &Comparison, vars: &Vars) -> String {
    let v = |s: &str| render(s, vars).unwrap_or_else(|_| s.to_string());
    match cmp {
        Comparison::Equals(s) => format!("{:?}", v(s)),
        Comparison::EqualsNumber(n) => format!("the number {n}"),
        Comparison::NotEmpty => "a value that is not empty".into(),
        Comparison::HasValue(s) => format!("an array holding {:?}", v(s)),
        Comparison::Contains(s) => format!("a value containing {:?}", v(s)),
        Comparison::IsNumber => "a JSON number".into(),
        Comparison::Absent => "no value".into(),
    }
}

fn compare(cmp: &Comparison, found: Option<&Value>, vars: &Vars) -> Result<(), (String, String)> {
    let expected = expected_text(cmp, vars);
    let fail = || Err((expected.clone(), describe(found)));
    let rendered = |s: &str| render(s, vars).unwrap_or_else(|_| s.to_string());
    let ok = match cmp {
        Comparison::Equals(s) => found.is_some_and(|v| scalar_text(v) == rendered(s)),
        Comparison::EqualsNumber(n) => found.and_then(number_of).is_some_and(|x| x == *n),
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

fn describe(found: Option<&Value>) -> String {
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
            format!("{kind} {}", shorten(&text, 200))
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
            shorten(r.body.trim(), 200)
        )
    }
}

/// For a wrong status, the server's own explanation helps: its SCIM `detail` or a body excerpt.
fn error_detail(r: &Response) -> String {
    match r
        .json
        .as_ref()
        .and_then(|j| j.get("detail"))
        .and_then(Value::as_str)
    {
        Some(d) => format!(" (detail: {})", shorten(d, 200)),
        None if r.body.trim().is_empty() => String::new(),
        None => format!(" (body: {})", shorten(r.body.trim(), 120)),
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    format!("{cut}…")
}

/// Looks up a Runscope-style path (`Resources[0].name.familyName`). Attribute names match
/// exactly first, then case-insensitively, because SCIM attribute names are case-insensitive
/// (RFC 7643 §2.1).
pub fn lookup<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = doc;
    for segment in path.split('.') {
        let (name, indices) = match segment.find('[') {
            Some(i) => (&segment[..i], &segment[i..]),
            None => (segment, ""),
        };
        if !name.is_empty() {
            let obj = cur.as_object()?;
            cur = obj.get(name).or_else(|| {
                obj.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v)
            })?;
        }
        let mut rest = indices;
        while let Some(stripped) = rest.strip_prefix('[') {
            let end = stripped.find(']')?;
            let index: usize = stripped[..end].trim().parse().ok()?;
            cur = cur.as_array()?.get(index)?;
            rest = &stripped[end + 1..];
        }
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn response(status: u16, body: Value) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), "application/scim+json".into())],
            body: body.to_string(),
            json: Some(body),
            elapsed_ms: 5,
        }
    }

    fn json_assert(path: &str, cmp: Comparison) -> Assertion {
        Assertion {
            kind: AssertionKind::Json {
                path: path.into(),
                cmp,
            },
            hint: None,
        }
    }

    #[test]
    fn lookup_follows_runscope_paths() {
        let doc = json!({"Resources":[{"name":{"familyName":"X"}, "emails":[{"value":"a"}]}]});
        assert_eq!(
            lookup(&doc, "Resources[0].name.familyName"),
            Some(&json!("X"))
        );
        assert_eq!(
            lookup(&doc, "resources[0].emails[0].value"),
            Some(&json!("a"))
        );
        assert_eq!(lookup(&doc, "Resources[1].id"), None);
        assert_eq!(lookup(&doc, "Resources[x]"), None);
    }

    #[test]
    fn runscope_comparators() {
        let r = response(
            200,
            json!({"active": false, "status": 401, "n": "0", "schemas": ["a", "b"], "e": ""}),
        );
        let vars = Vars::new();
        let ok = |a: Assertion| evaluate(&[a], &r, &vars).is_empty();
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
            }],
            &r,
            &Vars::new(),
        );
        assert_eq!(m[0].expected, "200");
        assert_eq!(m[0].actual, "500 (detail: boom)");
        assert_eq!(m[0].hint.as_deref(), Some("h"));
    }

    #[test]
    fn non_json_body_is_named() {
        let r = Response {
            status: 200,
            headers: vec![("content-type".into(), "text/html".into())],
            body: "<html>oops</html>".into(),
            json: None,
            elapsed_ms: 1,
        };
        let m = evaluate(&[json_assert("id", Comparison::NotEmpty)], &r, &Vars::new());
        assert!(m[0].actual.contains("not JSON"), "{}", m[0].actual);
        assert!(m[0].actual.contains("text/html"), "{}", m[0].actual);
    }
}
