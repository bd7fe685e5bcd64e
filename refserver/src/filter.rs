//! SCIM filters (RFC 7644 §3.4.2.2): parsing and evaluation over JSON resources.
//!
//! Supported: `eq ne co sw ew pr gt ge lt le`, `and`/`or`/`not`, parentheses, value paths
//! (`emails[type eq "work" and value co "@x"]`), sub-attributes (`name.familyName`), and
//! schema-qualified names (`urn:ietf:params:scim:schemas:core:2.0:User:userName`). Attribute
//! names and operators are case-insensitive (§3.4.2.2, RFC 7643 §2.1); string comparisons are
//! case-insensitive unless the attribute is caseExact (`id`, `externalId`, `meta.version`;
//! RFC 7643 §3.1 and §4.1). `and` binds tighter than `or` (§3.4.2.2, "precedence").

use serde_json::Value;

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `attr op value` or `attr pr`.
    Compare {
        /// Attribute path (dotted, lower-cased, schema prefix removed).
        path: Vec<String>,
        /// Operator.
        op: Op,
        /// Comparison value (`Null` for `pr`).
        value: Value,
    },
    /// `attr[filter]`: some element of a multi-valued attribute matches.
    ValuePath {
        /// The multi-valued attribute.
        path: Vec<String>,
        /// Filter over each element.
        filter: Box<Filter>,
    },
    /// Every one holds (a flat list: a long `and` chain is a loop, not a deep tree).
    And(Vec<Filter>),
    /// Some one holds.
    Or(Vec<Filter>),
    /// Does not hold.
    Not(Box<Filter>),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// equal
    Eq,
    /// not equal
    Ne,
    /// contains
    Co,
    /// starts with
    Sw,
    /// ends with
    Ew,
    /// present
    Pr,
    /// greater than
    Gt,
    /// greater or equal
    Ge,
    /// less than
    Lt,
    /// less or equal
    Le,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    Word(String),
    Str(String),
}

fn tokenize(input: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                out.push(Token::Open);
                i += 1;
            }
            ')' => {
                out.push(Token::Close);
                i += 1;
            }
            '[' => {
                out.push(Token::OpenBracket);
                i += 1;
            }
            ']' => {
                out.push(Token::CloseBracket);
                i += 1;
            }
            '"' => {
                // A JSON string literal, escapes included.
                let start = i;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if i >= chars.len() {
                    return Err("unterminated string".into());
                }
                i += 1;
                let literal: String = chars[start..i].iter().collect();
                let s: String = serde_json::from_str(&literal)
                    .map_err(|_| format!("invalid string literal {literal}"))?;
                out.push(Token::Str(s));
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !matches!(
                        chars[i],
                        ' ' | '\t' | '\n' | '\r' | '(' | ')' | '[' | ']' | '"'
                    )
                {
                    i += 1;
                }
                // A value path may continue with `.sub` after `]`; that is a word too.
                out.push(Token::Word(chars[start..i].iter().collect()));
            }
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    /// Open parentheses, `not(` and value-path brackets around the current position.
    depth: usize,
}

/// The longest filter accepted, in bytes: a client's filter is a line, not a document.
pub const MAX_FILTER_LEN: usize = 4096;

/// The deepest nesting of parentheses, `not(` and value-path brackets accepted.
pub const MAX_FILTER_DEPTH: usize = 16;

/// Parses a filter; the error says what is wrong (answered as 400 invalidFilter). Length and
/// nesting are bounded, so no filter can exhaust the stack (parsing, evaluating or dropping
/// recurses only as deep as the nesting).
pub fn parse(input: &str) -> Result<Filter, String> {
    if input.len() > MAX_FILTER_LEN {
        return Err(format!(
            "the filter is {} bytes long; this server accepts at most {MAX_FILTER_LEN}",
            input.len()
        ));
    }
    let tokens = tokenize(input)?;
    if tokens.is_empty() {
        return Err("empty filter".into());
    }
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let f = p.or_expr()?;
    if p.pos != p.tokens.len() {
        return Err(format!(
            "unexpected {:?} after a complete filter",
            p.tokens[p.pos]
        ));
    }
    Ok(f)
}

/// Splits an attribute path: removes a schema URN prefix, lower-cases, splits on dots.
pub fn attr_path(raw: &str) -> Vec<String> {
    let lower = raw.to_ascii_lowercase();
    let name = if lower.starts_with("urn:") {
        // The attribute follows the last ':' of the schema URN.
        lower.rsplit(':').next().unwrap_or(&lower).to_string()
    } else {
        lower
    };
    name.split('.').map(str::to_string).collect()
}

impl Parser {
    fn peek_word(&self) -> Option<String> {
        match self.tokens.get(self.pos) {
            Some(Token::Word(w)) => Some(w.to_ascii_lowercase()),
            _ => None,
        }
    }

    fn or_expr(&mut self) -> Result<Filter, String> {
        let mut terms = vec![self.and_expr()?];
        while self.peek_word().as_deref() == Some("or") {
            self.pos += 1;
            terms.push(self.and_expr()?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Filter::Or(terms)
        })
    }

    fn and_expr(&mut self) -> Result<Filter, String> {
        let mut terms = vec![self.unary()?];
        while self.peek_word().as_deref() == Some("and") {
            self.pos += 1;
            terms.push(self.unary()?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Filter::And(terms)
        })
    }

    /// Parses a nested `or_expr` one level deeper, refusing nesting past the limit.
    fn nested(&mut self) -> Result<Filter, String> {
        if self.depth >= MAX_FILTER_DEPTH {
            return Err(format!(
                "the filter nests deeper than {MAX_FILTER_DEPTH} levels of parentheses, not() or brackets"
            ));
        }
        self.depth += 1;
        let f = self.or_expr();
        self.depth -= 1;
        f
    }

    fn unary(&mut self) -> Result<Filter, String> {
        match self.tokens.get(self.pos) {
            Some(Token::Open) => {
                self.pos += 1;
                let f = self.nested()?;
                self.expect(Token::Close)?;
                Ok(f)
            }
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("not") => {
                self.pos += 1;
                self.expect(Token::Open)?;
                let f = self.nested()?;
                self.expect(Token::Close)?;
                Ok(Filter::Not(Box::new(f)))
            }
            Some(Token::Word(_)) => self.attr_expr(),
            Some(t) => Err(format!("expected an attribute, got {t:?}")),
            None => Err("filter ends where an attribute was expected".into()),
        }
    }

    fn expect(&mut self, t: Token) -> Result<(), String> {
        if self.tokens.get(self.pos) == Some(&t) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!(
                "expected {t:?}, got {:?}",
                self.tokens.get(self.pos)
            ))
        }
    }

    fn attr_expr(&mut self) -> Result<Filter, String> {
        let Some(Token::Word(attr)) = self.tokens.get(self.pos).cloned() else {
            return Err("expected an attribute".into());
        };
        self.pos += 1;
        validate_attr(&attr)?;
        let path = attr_path(&attr);
        if self.tokens.get(self.pos) == Some(&Token::OpenBracket) {
            self.pos += 1;
            let inner = self.nested()?;
            self.expect(Token::CloseBracket)?;
            return Ok(Filter::ValuePath {
                path,
                filter: Box::new(inner),
            });
        }
        let op_word = self
            .peek_word()
            .ok_or_else(|| format!("expected an operator after {attr}"))?;
        self.pos += 1;
        let op = match op_word.as_str() {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "co" => Op::Co,
            "sw" => Op::Sw,
            "ew" => Op::Ew,
            "pr" => Op::Pr,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "le" => Op::Le,
            other => return Err(format!("unknown operator {other:?}")),
        };
        if op == Op::Pr {
            return Ok(Filter::Compare {
                path,
                op,
                value: Value::Null,
            });
        }
        let value = match self.tokens.get(self.pos).cloned() {
            Some(Token::Str(s)) => Value::String(s),
            Some(Token::Word(w)) => match w.to_ascii_lowercase().as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                _ => serde_json::from_str::<serde_json::Number>(&w)
                    .map(Value::Number)
                    .map_err(|_| format!("expected a value after {op_word}, got {w:?} (strings need double quotes)"))?,
            },
            other => return Err(format!("expected a value after {op_word}, got {other:?}")),
        };
        self.pos += 1;
        Ok(Filter::Compare { path, op, value })
    }
}

fn validate_attr(attr: &str) -> Result<(), String> {
    let name = if attr.to_ascii_lowercase().starts_with("urn:") {
        attr.rsplit(':').next().unwrap_or("")
    } else {
        attr
    };
    let ok = !name.is_empty()
        && name.split('.').all(|part| {
            part.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '$')
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
        });
    if ok {
        Ok(())
    } else {
        Err(format!("invalid attribute name {attr:?}"))
    }
}

/// Options for evaluation.
#[derive(Debug, Clone, Copy, Default)]
pub struct EvalOptions {
    /// Compare userName case-sensitively (a fault switch).
    pub case_sensitive_username: bool,
}

/// A JSON object's member by case-insensitive name (RFC 7643 §2.1).
pub fn get_ci<'a>(obj: &'a Value, name: &str) -> Option<&'a Value> {
    let map = obj.as_object()?;
    map.get(name).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// The values at a path; multi-valued attributes along the way contribute every element.
pub fn values_at<'a>(resource: &'a Value, path: &[String]) -> Vec<&'a Value> {
    let mut current = vec![resource];
    for name in path {
        let mut next = Vec::new();
        for v in current {
            match v {
                Value::Array(items) => {
                    for item in items {
                        if let Some(x) = get_ci(item, name) {
                            next.push(x);
                        }
                    }
                }
                other => {
                    if let Some(x) = get_ci(other, name) {
                        next.push(x);
                    }
                }
            }
        }
        current = next;
    }
    // The leaves of a multi-valued attribute are its elements.
    current
        .into_iter()
        .flat_map(|v| match v {
            Value::Array(items) => items.iter().collect::<Vec<_>>(),
            other => vec![other],
        })
        .collect()
}

fn case_exact(path: &[String], opts: EvalOptions) -> bool {
    match path.join(".").as_str() {
        "id" | "externalid" | "meta.version" => true,
        "username" => opts.case_sensitive_username,
        _ => false,
    }
}

/// Whether a resource matches the filter.
pub fn matches(filter: &Filter, resource: &Value, opts: EvalOptions) -> bool {
    match filter {
        Filter::And(terms) => terms.iter().all(|f| matches(f, resource, opts)),
        Filter::Or(terms) => terms.iter().any(|f| matches(f, resource, opts)),
        Filter::Not(f) => !matches(f, resource, opts),
        Filter::ValuePath { path, filter } => values_at(resource, path)
            .into_iter()
            .any(|element| matches(filter, element, opts)),
        Filter::Compare { path, op, value } => {
            let found = values_at(resource, path);
            if *op == Op::Pr {
                return found.iter().any(|v| {
                    !matches!(v, Value::Null)
                        && *v != &Value::String(String::new())
                        && !matches!(v, Value::Array(a) if a.is_empty())
                        && !matches!(v, Value::Object(o) if o.is_empty())
                });
            }
            let exact = case_exact(path, opts);
            if *op == Op::Ne {
                return !found.iter().any(|v| compare(v, Op::Eq, value, exact));
            }
            if found.is_empty() && *op == Op::Eq && value.is_null() {
                return true;
            }
            found.iter().any(|v| compare(v, *op, value, exact))
        }
    }
}

fn compare(actual: &Value, op: Op, expected: &Value, exact: bool) -> bool {
    match (actual, expected) {
        (Value::String(a), Value::String(e)) => {
            let (a, e) = if exact {
                (a.clone(), e.clone())
            } else {
                (a.to_lowercase(), e.to_lowercase())
            };
            match op {
                Op::Eq => a == e,
                Op::Co => a.contains(&e),
                Op::Sw => a.starts_with(&e),
                Op::Ew => a.ends_with(&e),
                // ISO 8601 timestamps order correctly as text.
                Op::Gt => a > e,
                Op::Ge => a >= e,
                Op::Lt => a < e,
                Op::Le => a <= e,
                Op::Ne | Op::Pr => false,
            }
        }
        (Value::Number(a), Value::Number(e)) => {
            let (a, e) = (
                a.as_f64().unwrap_or(f64::NAN),
                e.as_f64().unwrap_or(f64::NAN),
            );
            match op {
                Op::Eq => a == e,
                Op::Gt => a > e,
                Op::Ge => a >= e,
                Op::Lt => a < e,
                Op::Le => a <= e,
                _ => false,
            }
        }
        (Value::Bool(a), Value::Bool(e)) => op == Op::Eq && a == e,
        (Value::Null, Value::Null) => op == Op::Eq,
        _ => false,
    }
}

/// If the filter is exactly `userName eq "x"`, the value: the store answers it from its index.
pub fn username_eq(filter: &Filter) -> Option<&str> {
    match filter {
        Filter::Compare {
            path,
            op: Op::Eq,
            value: Value::String(s),
        } if path.len() == 1 && path[0] == "username" => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> Value {
        json!({"id": "A1", "userName": "Bjensen@Example.com", "active": true,
               "name": {"familyName": "Jensen", "givenName": "Barbara"},
               "emails": [{"type": "work", "value": "bjensen@example.com", "primary": true},
                          {"type": "home", "value": "babs@jensen.org"}],
               "meta": {"lastModified": "2024-01-02T00:00:00Z"}})
    }

    fn m(f: &str) -> bool {
        matches(&parse(f).unwrap(), &user(), EvalOptions::default())
    }

    #[test]
    fn operators_and_case_rules() {
        assert!(
            m(r#"userName eq "bjensen@example.com""#),
            "userName is caseExact=false"
        );
        assert!(
            m(r#"USERNAME EQ "BJENSEN@EXAMPLE.COM""#),
            "names and operators are case-insensitive"
        );
        assert!(!m(r#"id eq "a1""#), "id is caseExact");
        assert!(m(r#"name.familyName co "ens""#));
        assert!(m(r#"userName sw "bj""#));
        assert!(m(r#"userName ew ".com""#));
        assert!(m("name.givenName pr"));
        assert!(!m("title pr"));
        assert!(m(r#"userName ne "x""#));
        assert!(m("active eq true"));
        assert!(m(r#"meta.lastModified gt "2024-01-01T00:00:00Z""#));
        assert!(!m(r#"meta.lastModified lt "2024-01-01T00:00:00Z""#));
        assert!(m(
            r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bjensen@example.com""#
        ));
    }

    #[test]
    fn logic_precedence_and_value_paths() {
        assert!(m(
            r#"userName eq "x" or active eq true and name.familyName eq "Jensen""#
        ));
        assert!(!m(
            r#"(userName eq "x" or active eq true) and name.familyName eq "Nope""#
        ));
        assert!(m(r#"not (userName eq "x")"#));
        assert!(m(r#"emails[type eq "work" and value co "example.com"]"#));
        assert!(!m(r#"emails[type eq "home" and value co "example.com"]"#));
        assert!(m(r#"emails.value eq "babs@jensen.org""#));
    }

    /// Regression: these aborted the server with a stack overflow.
    #[test]
    fn hostile_filters_are_refused_without_exhausting_the_stack() {
        let deep = format!("{}userName pr{}", "(".repeat(1500), ")".repeat(1500));
        let nots = format!("{}userName pr{}", "not(".repeat(5000), ")".repeat(5000));
        let flat_or = vec!["userName pr"; 20_000].join(" or ");
        let brackets = format!(
            "emails[{}value pr{}]",
            "emails[".repeat(300),
            "]".repeat(300)
        );
        for hostile in [&deep, &nots, &flat_or, &brackets] {
            let err = parse(hostile).unwrap_err();
            assert!(
                err.contains("nests deeper") || err.contains("at most"),
                "{err}"
            );
        }
        // Within the limits, a long flat chain evaluates in a loop.
        let chain = vec![r#"userName eq "x""#; 200].join(" or ");
        assert!(!m(&chain));
        let nested = format!("{}userName pr{}", "(".repeat(16), ")".repeat(16));
        assert!(m(&nested));
    }

    #[test]
    fn malformed_filters_are_errors() {
        for bad in [
            "",
            "userName",
            "userName eq",
            "userName xx \"a\"",
            "userName eq bob",
            "(userName pr",
            "userName eq \"a",
            "1abc eq \"x\"",
            "userName pr extra",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should not parse");
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// Any text is a filter or a 400, never a panic or an overflow, and what parses
        /// evaluates.
        #[test]
        fn any_text_parses_or_is_refused(text in r#"[a-zA-Z ()\[\]".=0-9]{0,200}|(\(|not\(|a\[){0,40}"#) {
            if let Ok(f) = parse(&text) {
                let _ = matches(&f, &serde_json::json!({"a": [{"b": 1}]}), EvalOptions::default());
            }
        }

        #[test]
        fn deep_nesting_is_refused_at_any_depth(depth in 17usize..3000) {
            let text = format!("{}userName pr{}", "(".repeat(depth), ")".repeat(depth));
            prop_assert!(parse(&text).is_err());
        }
    }
}
