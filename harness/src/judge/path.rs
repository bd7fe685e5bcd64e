//! The JSON paths checks and rules read a response by, as Runscope writes them
//! (`Resources[0].name.familyName`, `members[*].value`): one reader for the assertions, the
//! discovery rules, the walks and the cleanup.

use serde_json::Value;

/// Looks up a Runscope-style path (`Resources[0].name.familyName`). `[*]` takes every element
/// (`members[*].value` is the array of member ids). Attribute names match exactly first, then
/// case-insensitively, because SCIM attribute names are case-insensitive (RFC 7643 §2.1).
pub fn lookup(doc: &Value, path: &str) -> Option<Value> {
    match path.split_once("[*]") {
        None => lookup_ref(doc, path).cloned(),
        Some((head, tail)) => {
            let items = if head.is_empty() {
                doc
            } else {
                lookup_ref(doc, head)?
            }
            .as_array()?;
            let tail = tail.strip_prefix('.').unwrap_or(tail);
            Some(Value::Array(
                items
                    .iter()
                    .filter_map(|item| {
                        if tail.is_empty() {
                            Some(item.clone())
                        } else {
                            lookup(item, tail)
                        }
                    })
                    .collect(),
            ))
        }
    }
}

/// Like [`lookup`] for paths without `[*]`, borrowing instead of copying: for hot loops such
/// as the import walk, which reads a few attributes of every resource of every page.
pub fn lookup_ref<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = doc;
    for segment in path.split('.') {
        let (name, mut indices) = match segment.find('[') {
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
        while let Some(stripped) = indices.strip_prefix('[') {
            let end = stripped.find(']')?;
            cur = cur
                .as_array()?
                .get(stripped[..end].trim().parse::<usize>().ok()?)?;
            indices = &stripped[end + 1..];
        }
    }
    Some(cur)
}

/// A ListResponse counter (`totalResults`, `startIndex`, `itemsPerPage`, RFC 7644 §3.4.2):
/// a JSON integer that is not negative. One meaning for the list rule and the import walk.
pub fn is_counter(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Number(n)) if n.is_u64())
}

/// Sets a dotted path in a JSON document, creating objects on the way (case-insensitive
/// attribute names, RFC 7643 §2.1).
pub(crate) fn set_path(doc: &mut serde_json::Value, path: &str, value: serde_json::Value) {
    let mut cur = doc;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        if !cur.is_object() {
            *cur = serde_json::Value::Object(serde_json::Map::new());
        }
        let obj = cur.as_object_mut().expect("made an object above");
        let key = obj
            .keys()
            .find(|k| k.eq_ignore_ascii_case(part))
            .cloned()
            .unwrap_or_else(|| part.to_string());
        if i + 1 == parts.len() {
            obj.insert(key, value);
            return;
        }
        cur = obj.entry(key).or_insert(serde_json::Value::Null);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lookup_follows_runscope_paths() {
        let doc = json!({"Resources":[{"name":{"familyName":"X"}, "emails":[{"value":"a"}]}]});
        assert_eq!(
            lookup(&doc, "Resources[0].name.familyName"),
            Some(json!("X"))
        );
        assert_eq!(
            lookup(&doc, "resources[0].emails[0].value"),
            Some(json!("a"))
        );
        assert_eq!(
            lookup(&doc, "Resources[*].emails[*].value"),
            Some(json!([["a"]]))
        );
        assert_eq!(
            lookup(&doc, "Resources[0].emails[*].value"),
            Some(json!(["a"]))
        );
        assert_eq!(lookup(&doc, "Resources[1].id"), None);
        assert_eq!(lookup(&doc, "Resources[x]"), None);
    }

    #[test]
    fn a_counter_is_a_json_integer_that_is_not_negative() {
        assert!(is_counter(Some(&json!(0))) && is_counter(Some(&json!(12))));
        for v in [json!(-1), json!("12"), json!(1.5), json!(null)] {
            assert!(!is_counter(Some(&v)), "{v}");
        }
        assert!(!is_counter(None));
    }
}
