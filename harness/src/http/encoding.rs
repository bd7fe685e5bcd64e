//! URLs encoded as Okta sends them: every byte outside RFC 3986's unreserved set as `%XX` (a
//! space is `%20`, never `+`), and a server-chosen id always one path segment.

/// Percent-encodes a query component as Okta does: all but RFC 3986 unreserved characters.
pub fn encode_component(s: &str) -> String {
    encode(s, |b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// Percent-encodes a path, keeping its slashes and the `%XX` escapes of segments that were
/// encoded already ([`encode_segment`]).
pub(crate) fn encode_path(s: &str) -> String {
    encode(s, |b| {
        b.is_ascii_alphanumeric() || b"-._~/:@!$&'()*+,;=%".contains(&b)
    })
}

/// A value the server chose, as one path segment: percent-encoded ([`encode_segment`]); none
/// for a dot segment or an empty value, which would leave (or name) the collection itself.
pub fn path_segment(value: &str) -> Option<String> {
    (!matches!(value, "" | "." | "..")).then(|| encode_segment(value))
}

/// Percent-encodes a value as one path segment (RFC 3986 §3.3 `segment`): `/`, `?`, `#`, `%`
/// and everything outside the unreserved and sub-delimiter characters become `%XX`.
pub fn encode_segment(s: &str) -> String {
    encode(s, |b| {
        b.is_ascii_alphanumeric() || b"-._~:@!$&'()*+,;=".contains(&b)
    })
}

fn encode(s: &str, keep: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if keep(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
