//! Cursor-based pagination (RFC 9865): opaque cursors made of a page's offset and a digest of
//! the query they belong to, so that a cursor from another query, or one never issued, is
//! answered 400 invalidCursor (§2.1) instead of an arbitrary page.

use std::hash::{Hash, Hasher};

use crate::error::ScimError;

/// A cursor for the page that starts at `offset` of the query `key` describes: unreserved
/// characters only (RFC 9865 §2, RFC 3986 §2.3).
pub(crate) fn encode(offset: usize, key: u64) -> String {
    format!("{offset:x}-{:x}", digest(offset, key))
}

/// The offset a cursor stands for: 0 for the empty cursor of a first request.
pub(crate) fn decode(cursor: &str, key: u64) -> Result<usize, ScimError> {
    if cursor.is_empty() {
        return Ok(0);
    }
    let invalid = || {
        ScimError::bad_request(
            "invalidCursor",
            "the cursor is not one this server issued for this query: start again with an empty cursor (RFC 9865 §2.1)",
        )
    };
    let (offset, sum) = cursor.split_once('-').ok_or_else(invalid)?;
    let offset = usize::from_str_radix(offset, 16).map_err(|_| invalid())?;
    let sum = u64::from_str_radix(sum, 16).map_err(|_| invalid())?;
    if sum == digest(offset, key) {
        Ok(offset)
    } else {
        Err(invalid())
    }
}

/// The key of a query: its parameters other than `cursor`, in any order.
pub(crate) fn query_key(q: &[(String, String)]) -> u64 {
    let mut params: Vec<(String, &str)> = q
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("cursor"))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.as_str()))
        .collect();
    params.sort();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    params.hash(&mut h);
    h.finish()
}

fn digest(offset: usize, key: u64) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    ("scimcheck-cursor", offset, key).hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_is_good_for_its_own_query_only() {
        let q = |f: &str| vec![("filter".to_string(), f.to_string())];
        let key = query_key(&q("userName sw \"a\""));
        let c = encode(40, key);
        assert!(
            c.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || "-._~".contains(ch))
        );
        assert_eq!(decode(&c, key).unwrap(), 40);
        assert_eq!(decode("", key).unwrap(), 0);
        let other = query_key(&q("userName sw \"b\""));
        assert!(decode(&c, other).is_err());
        assert!(decode("zz-1", key).is_err());
        assert!(decode("28-1", key).is_err());
    }
}
