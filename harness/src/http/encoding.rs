//! URLs encoded as Okta sends them: every byte outside RFC 3986's unreserved set as `%XX` (a
//! space is `%20`, never `+`), and a server-chosen id always one path segment.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986's unreserved characters (`ALPHA DIGIT - . _ ~`).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A path segment keeps the sub-delimiters, `:` and `@` (RFC 3986 §3.3 `pchar`).
const SEGMENT: &AsciiSet = &COMPONENT
    .remove(b':')
    .remove(b'@')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=');

/// A path keeps its slashes and the `%XX` escapes of segments encoded already.
const PATH: &AsciiSet = &SEGMENT.remove(b'/').remove(b'%');

/// Percent-encodes a query component as Okta does: all but RFC 3986 unreserved characters.
pub fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// Percent-encodes a path, keeping its slashes and the `%XX` escapes of segments that were
/// encoded already ([`encode_segment`]).
pub(crate) fn encode_path(s: &str) -> String {
    utf8_percent_encode(s, PATH).to_string()
}

/// A value the server chose, as one path segment: percent-encoded ([`encode_segment`]); none
/// for a dot segment or an empty value, which would leave (or name) the collection itself.
pub fn path_segment(value: &str) -> Option<String> {
    (!matches!(value, "" | "." | "..")).then(|| encode_segment(value))
}

/// Percent-encodes a value as one path segment (RFC 3986 §3.3 `segment`): `/`, `?`, `#`, `%`
/// and everything outside the unreserved and sub-delimiter characters become `%XX`.
pub fn encode_segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}
