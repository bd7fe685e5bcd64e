//! Untrusted text made safe for the sink it is written to, and local files read and written
//! as untrusted ([`files`]).
//!
//! A SCIM server chooses its error details, ids and schema names, and a bundle's author its
//! manifest and file names: none of that may steer the terminal that prints it (escape
//! sequences can rewrite `FAILED` as `PASSED`, hide lines, set the window title, plant
//! hyperlinks; bidi overrides reorder what is read) or the page that shows it (markup). Every
//! printer of the harness, the packager and the binary calls these functions: the escaping is
//! defined once, here. The crate has no dependencies so that every other crate can use it.
#![warn(missing_docs)]

pub mod files;

use std::borrow::Cow;
use std::fmt::Write;

/// Text for a terminal: control characters (C0 but for newline and tab, DEL, C1) and the
/// Unicode controls that reorder or hide text (bidi embeddings, overrides and isolates, the
/// zero-width and line/paragraph separators) are shown as `\u{…}` escapes, and so is what a
/// CI runner would read as a command ([`workflow_safe`]). Newlines stay, so a multi-line
/// explanation keeps its lines; use [`terminal_line`] for a one-line field.
pub fn terminal(text: &str) -> Cow<'_, str> {
    chain(
        escape_if(text, |c| c != '\n' && c != '\t' && is_unsafe(c)),
        workflow_safe,
    )
}

/// Like [`terminal`], and newlines, carriage returns and tabs escaped too: for a field printed
/// on one line (an id, a file name), which must not start a line of its own.
pub fn terminal_line(text: &str) -> Cow<'_, str> {
    chain(escape_if(text, is_unsafe), workflow_safe)
}

/// Text that a CI runner reading the log cannot take as a command, whatever line it lands on:
/// GitHub Actions runs `::name args::value` where a line starts with it (after spaces) and the
/// legacy `##[name]` anywhere in a line; either could add annotations, mask values or stop
/// command processing. The second character of each is shown as a `\u{…}` escape:
/// `:\u{3a}error`, `#\u{23}[`. A `::` after other text on its line (`[::1]`) stays. Logs are
/// often replayed in CI, so this holds everywhere, not only under GitHub Actions.
pub fn workflow_safe(text: &str) -> Cow<'_, str> {
    let starts_command = |i: usize| {
        text[..i]
            .rsplit(['\n', '\r'])
            .next()
            .is_some_and(|before| before.trim().is_empty())
    };
    let hits: Vec<(usize, &str)> = text
        .match_indices("::")
        .filter(|(i, _)| starts_command(*i))
        .map(|(i, _)| (i, ":\\u{3a}"))
        .chain(text.match_indices("##[").map(|(i, _)| (i, "#\\u{23}[")))
        .collect();
    if hits.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut hits = hits;
    hits.sort_by_key(|(i, _)| *i);
    let mut out = String::with_capacity(text.len() + 8 * hits.len());
    let mut copied = 0;
    for (i, replacement) in hits {
        if i < copied {
            continue;
        }
        out.push_str(&text[copied..i]);
        out.push_str(replacement);
        copied = i + if replacement.starts_with(':') { 2 } else { 3 };
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Text for a Markdown document that GitHub renders (a job summary): a code span, so nothing
/// in it is a link, an image, emphasis or HTML. Newlines become spaces; in a table cell, `|`
/// is escaped as GitHub's tables need even inside code spans. Empty text stays empty.
pub fn markdown_code(text: &str, in_table: bool) -> String {
    if text.is_empty() {
        return String::new();
    }
    let mut body = text.replace(['\n', '\r'], " ");
    if in_table {
        body = body.replace('|', "\\|");
    }
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    // A code span that starts or ends with a backtick needs a space inside its fence.
    let pad = if body.starts_with('`') || body.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// Applies a second escaping to the result of the first.
fn chain<'a>(first: Cow<'a, str>, then: impl Fn(&str) -> Cow<'_, str>) -> Cow<'a, str> {
    match first {
        Cow::Borrowed(b) => then(b),
        Cow::Owned(o) => Cow::Owned(then(&o).into_owned()),
    }
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
    fn no_text_can_be_read_as_a_workflow_command() {
        assert_eq!(
            terminal("detail\n  ::add-mask::x\nok ##[error]y"),
            "detail\n  :\\u{3a}add-mask::x\nok #\\u{23}[error]y"
        );
        assert_eq!(
            terminal_line("::stop-commands::t"),
            ":\\u{3a}stop-commands::t"
        );
        // Not at a line's start: not a command, and an address stays readable.
        assert_eq!(terminal("http://[::1]:8080/scim"), "http://[::1]:8080/scim");
        assert_eq!(workflow_safe("##[##[x"), "#\\u{23}[#\\u{23}[x");
        assert!(matches!(workflow_safe("a: b"), Cow::Borrowed(_)));
    }

    #[test]
    fn markdown_code_spans_hold_anything_literally() {
        assert_eq!(
            markdown_code("[x](http://e) *b*", false),
            "`[x](http://e) *b*`"
        );
        assert_eq!(markdown_code("a|b\nc", true), "`a\\|b c`");
        assert_eq!(markdown_code("x ``y`` `", false), "``` x ``y`` ` ```");
        assert_eq!(markdown_code("", true), "");
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
