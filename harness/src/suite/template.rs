//! `{{name}}` templates: the substitution used in paths, queries, headers, bodies and expected
//! values, as Runscope does it.

use std::collections::BTreeMap;

/// The variables of one suite run: name to value.
pub type Vars = BTreeMap<String, String>;

/// The names a template refers to, in order of appearance.
pub fn references(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        names.push(after[..end].trim());
        rest = &after[end + 2..];
    }
    names
}

/// Substitutes every `{{name}}`; the error is the first name without a value.
pub fn render(template: &str, vars: &Vars) -> Result<String, String> {
    render_each(template, vars, |_, value| Ok(value.into())).map_err(|e| match e {
        PathProblem::Missing(name) | PathProblem::Unsafe { name, .. } => name,
    })
}

/// Why a request path could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathProblem {
    /// A variable without a value (an earlier check did not capture it).
    Missing(String),
    /// A value the server chose that is not one path segment (`..`, `.`, or empty).
    Unsafe {
        /// The variable.
        name: String,
        /// Its value.
        value: String,
    },
}

/// Substitutes a path template. The values of `from_server` variables (ids the app chose)
/// become one percent-encoded path segment each, so an id like `../../admin` cannot leave its
/// collection; an id that is a dot segment or empty is refused.
pub fn render_path(
    template: &str,
    vars: &Vars,
    from_server: impl Fn(&str) -> bool,
) -> Result<String, PathProblem> {
    render_each(template, vars, |name, value| {
        if !from_server(name) {
            return Ok(value.into());
        }
        crate::http::path_segment(value)
            .map(Into::into)
            .ok_or_else(|| PathProblem::Unsafe {
                name: name.into(),
                value: value.into(),
            })
    })
}

fn render_each<'v>(
    template: &str,
    vars: &'v Vars,
    value_of: impl Fn(&str, &'v str) -> Result<std::borrow::Cow<'v, str>, PathProblem>,
) -> Result<String, PathProblem> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let name = after[..end].trim();
        let value = vars
            .get(name)
            .ok_or_else(|| PathProblem::Missing(name.to_string()))?;
        out.push_str(&rest[..start]);
        out.push_str(&value_of(name, value)?);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Substitutes in every string of a JSON value (keys stay as written).
pub fn render_json(value: &serde_json::Value, vars: &Vars) -> Result<serde_json::Value, String> {
    use serde_json::Value;
    Ok(match value {
        Value::String(s) => Value::String(render(s, vars)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| render_json(v, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), render_json(v, vars)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        [
            ("a".to_string(), "1".to_string()),
            ("b".to_string(), "x y".to_string()),
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn substitutes_and_reports_missing() {
        assert_eq!(
            render("/Users/{{a}}?q={{ b }}", &vars()).unwrap(),
            "/Users/1?q=x y"
        );
        assert_eq!(render("{{missing}}", &vars()).unwrap_err(), "missing");
        assert_eq!(
            render("no vars {{ unclosed", &vars()).unwrap(),
            "no vars {{ unclosed"
        );
    }

    #[test]
    fn lists_references() {
        assert_eq!(references("{{a}} and {{b}}"), vec!["a", "b"]);
    }

    #[test]
    fn renders_inside_json_strings_only() {
        let v = serde_json::json!({"{{a}}": ["{{b}}", true, {"n": "{{a}}"}]});
        let out = render_json(&v, &vars()).unwrap();
        assert_eq!(out, serde_json::json!({"{{a}}": ["x y", true, {"n": "1"}]}));
    }
}
