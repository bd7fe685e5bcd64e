//! Untrusted text made safe for the sink it is written to.
//!
//! A SCIM server chooses its error details, ids and schema names, and a bundle's author its
//! manifest and file names: none of that may steer the terminal that prints it (escape
//! sequences can rewrite `FAILED` as `PASSED`, hide lines, set the window title, plant
//! hyperlinks; bidi overrides reorder what is read) or the page that shows it (markup). Every
//! printer of the harness, the packager and the binary calls these functions: the escaping is
//! defined once, here. The crate has no dependencies so that every other crate can use it.
#![warn(missing_docs)]

use std::borrow::Cow;
use std::fmt::Write;

/// Text for a terminal: control characters (C0 but for newline and tab, DEL, C1) and the
/// Unicode controls that reorder or hide text (bidi embeddings, overrides and isolates, the
/// zero-width and line/paragraph separators) are shown as `\u{…}` escapes. Newlines stay, so
/// a multi-line explanation keeps its lines; use [`terminal_line`] for a one-line field.
pub fn terminal(text: &str) -> Cow<'_, str> {
    escape_if(text, |c| c != '\n' && c != '\t' && is_unsafe(c))
}

/// Like [`terminal`], and newlines, carriage returns and tabs escaped too: for a field printed
/// on one line (an id, a file name), which must not start a line of its own.
pub fn terminal_line(text: &str) -> Cow<'_, str> {
    escape_if(text, is_unsafe)
}

/// Text for HTML element content and quoted attribute values: the same escaping as XML
/// element content, which HTML reads alike (a control character a server sent is shown as
/// `\u{…}` there too).
pub fn html(text: &str) -> Cow<'_, str> {
    xml(text, false)
}

/// Text for XML element content and quoted attribute values (XML 1.0, as JUnit viewers parse
/// it). Markup is escaped; characters XML 1.0 forbids outright (C0 controls but for tab,
/// newline and carriage return; U+FFFE, U+FFFF) are shown as `\u{…}`, because a parser refuses
/// the whole file for one of them. In an attribute, newlines, carriage returns and tabs are
/// written as character references so that they survive attribute-value normalisation.
pub fn xml(text: &str, in_attribute: bool) -> Cow<'_, str> {
    let needs = |c: char| {
        matches!(c, '<' | '>' | '&' | '"' | '\'')
            || xml_forbidden(c)
            || (in_attribute && matches!(c, '\n' | '\r' | '\t'))
    };
    if !text.chars().any(needs) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\r' | '\t' if in_attribute => {
                let _ = write!(out, "&#{};", c as u32);
            }
            c if xml_forbidden(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn xml_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}'      // zero-width spaces and joiners, LRM, RLM
            | '\u{2028}' | '\u{2029}'    // line and paragraph separators
            | '\u{202A}'..='\u{202E}'    // bidi embeddings and overrides
            | '\u{2066}'..='\u{2069}'    // bidi isolates
            | '\u{FEFF}'                 // zero-width no-break space
        )
}

fn escape_if(text: &str, unsafe_char: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_cannot_reach_a_terminal() {
        let spoof = "x\u{1b}[2K\r\u{1b}[1APASSED: 12 passed\u{7}\u{9b}31m\u{202e}txt.exe";
        let safe = terminal(spoof);
        assert!(!safe.chars().any(|c| c.is_control() || c == '\u{202e}'));
        assert_eq!(
            safe,
            "x\\u{1b}[2K\\u{d}\\u{1b}[1APASSED: 12 passed\\u{7}\\u{9b}31m\\u{202e}txt.exe"
        );
        // An OSC 8 hyperlink and a window title are escaped the same way.
        assert!(!terminal("\u{1b}]8;;http://x\u{7}a\u{1b}]0;title\u{7}").contains('\u{1b}'));
    }

    #[test]
    fn ordinary_text_is_borrowed() {
        assert!(matches!(terminal("héllo\n\tworld"), Cow::Borrowed(_)));
        assert!(matches!(html("plain text"), Cow::Borrowed(_)));
    }

    #[test]
    fn one_line_fields_keep_to_one_line() {
        assert_eq!(terminal_line("a\nb\tc"), "a\\u{a}b\\u{9}c");
        assert_eq!(terminal("a\nb"), "a\nb");
    }

    #[test]
    fn xml_never_carries_a_character_xml_forbids() {
        assert_eq!(
            xml("a\u{1b}[31m<b>&\"'\u{ffff}", false),
            "a\\u{1b}[31m&lt;b&gt;&amp;&quot;&apos;\\u{ffff}"
        );
        assert_eq!(xml("line\nnext\ttab", false), "line\nnext\ttab");
        assert_eq!(xml("line\nnext\ttab", true), "line&#10;next&#9;tab");
        assert!(matches!(xml("plain", true), Cow::Borrowed(_)));
    }

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            html("<script>\"x\"&'y'</script>"),
            "&lt;script&gt;&quot;x&quot;&amp;&apos;y&apos;&lt;/script&gt;"
        );
    }
}
