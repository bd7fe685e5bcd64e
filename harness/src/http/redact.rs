//! The [`Redactor`]: removes the run's secrets from any text that leaves the process, in every
//! form a server or a client may give them.
//!
//! Verdicts are computed on the raw response; only what is recorded (evidence, failure text,
//! notes, errors) goes through here. A server can echo a token in more than its literal form,
//! so one scan recognises each secret written character by character as any mix of:
//!
//! - the literal character (case-insensitively when the secret looks like hex, since servers
//!   print hex digests in either case),
//! - a JSON escape (`\u0063`, `\/`, `\\`, `\"`, `\n`, …),
//! - percent-encoding of its UTF-8 bytes (`%63`, either hex case), `+` for a space,
//!
//! and, as plain alternative texts, its base64 forms (standard and URL-safe, with and without
//! padding, and at each of the three byte alignments it can take inside a longer encoded
//! text). Base64 forms of secrets shorter than [`MIN_BASE64_SECRET`] bytes are not searched:
//! their encodings are two or three characters long and would erase ordinary text.

use secrecy::{ExposeSecret, SecretString};

/// What replaces a secret in every output.
pub const REDACTED: &str = "[REDACTED]";

/// Secrets at least this long also have their base64 forms redacted.
pub const MIN_BASE64_SECRET: usize = 5;

/// Removes the run's secrets from text.
#[derive(Default, Clone)]
pub struct Redactor {
    /// Each secret as characters, longest first.
    secrets: Vec<Secret>,
    /// Base64 forms, longest first, matched literally.
    encoded: Vec<SecretString>,
}

#[derive(Clone)]
struct Secret {
    chars: SecretString,
    /// Compare letters without case (hex-looking secrets).
    fold_case: bool,
    /// Match only where no letter or digit touches it: a short secret (`T`, `id`, `1`) is
    /// also part of ordinary words, which must stay readable.
    whole_word: bool,
}

/// Secrets shorter than this are matched as whole words only.
pub const MIN_ANYWHERE_SECRET: usize = 8;

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

impl Redactor {
    /// A redactor for these secrets (empty ones are ignored). Longer secrets are replaced
    /// first, so a token inside a longer credential never leaves a partial secret behind.
    pub fn new(secrets: impl IntoIterator<Item = SecretString>) -> Self {
        let mut plain: Vec<Secret> = Vec::new();
        let mut encoded: Vec<SecretString> = Vec::new();
        for s in secrets {
            let text = s.expose_secret();
            if text.is_empty() {
                continue;
            }
            let fold_case = text.len() >= 8 && text.bytes().all(|b| b.is_ascii_hexdigit());
            if text.len() >= MIN_BASE64_SECRET {
                encoded.extend(base64_forms(text.as_bytes()).into_iter().map(Into::into));
            }
            plain.push(Secret {
                chars: s.clone(),
                fold_case,
                whole_word: text.chars().count() < MIN_ANYWHERE_SECRET,
            });
        }
        plain.sort_by_key(|s| std::cmp::Reverse(s.chars.expose_secret().len()));
        encoded.sort_by_key(|s| std::cmp::Reverse(s.expose_secret().len()));
        encoded.dedup_by(|a, b| a.expose_secret() == b.expose_secret());
        Redactor {
            secrets: plain,
            encoded,
        }
    }

    /// The most bytes one secret can take in any form it is matched in (twelve bytes a
    /// character covers `\uXXXX\uXXXX` and percent-encoded UTF-8): a text cut this far after
    /// a point holds every secret that starts before it whole.
    pub fn longest_form(&self) -> usize {
        let plain = self
            .secrets
            .iter()
            .map(|s| s.chars.expose_secret().chars().count() * 12)
            .max()
            .unwrap_or(0);
        let encoded = self
            .encoded
            .iter()
            .map(|e| e.expose_secret().len())
            .max()
            .unwrap_or(0);
        plain.max(encoded)
    }

    /// Whether there is nothing to redact.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// The text with every secret replaced by [`REDACTED`].
    pub fn redact(&self, text: &str) -> String {
        self.redact_owned(text.to_string())
    }

    /// The same for text the caller owns: returned as it is when it holds no secret (a large
    /// response body is then not copied).
    pub fn redact_owned(&self, mut text: String) -> String {
        for s in &self.secrets {
            if let Some(replaced) = replace_encoded(&text, s) {
                text = replaced;
            }
        }
        for e in &self.encoded {
            let e = e.expose_secret();
            if text.contains(e) {
                text = text.replace(e, REDACTED);
            }
        }
        text
    }

    /// The text with its secrets removed, then cut to at most `max` bytes: the only way a
    /// text that may hold a secret is shortened, so no cut can leave part of one. Redaction
    /// comes first, on a window reaching [`Redactor::longest_form`] past the cut (a large body
    /// costs no more than its excerpt): every secret that starts before the cut is whole in
    /// the window, and the window's own last `longest_form` bytes, which may hold the start of
    /// a secret the window cut, are never kept. The cut falls on a character boundary and
    /// never inside a [`REDACTED`] marker. Returns the text and whether it was cut.
    pub fn cut(&self, text: &str, max: usize) -> (String, bool) {
        let margin = self.longest_form();
        let window = prefix(text, max.saturating_add(margin));
        let windowed = window.len() < text.len();
        // A marker longer than the secret it replaces can take a text past `max`: the cut
        // is on the redacted text, so that holds as well.
        let redacted = self.redact(window);
        let mut end = if windowed {
            max.min(redacted.len().saturating_sub(margin))
        } else {
            max
        };
        if end >= redacted.len() {
            return (redacted, windowed);
        }
        while !redacted.is_char_boundary(end) {
            end -= 1;
        }
        if let Some((start, _)) = redacted
            .match_indices(REDACTED)
            .find(|(start, _)| *start < end && end < start + REDACTED.len())
        {
            end = start;
        }
        (redacted[..end].to_string(), true)
    }

    /// An excerpt of at most `max` characters of a text that may hold secrets, for a message:
    /// [`Redactor::cut`] at that length, with `…` where it was cut.
    pub fn excerpt(&self, text: &str, max: usize) -> String {
        let bytes = text.char_indices().nth(max).map_or(text.len(), |(i, _)| i);
        match self.cut(text, bytes) {
            (cut, true) => format!("{cut}…"),
            (whole, false) => whole,
        }
    }

    /// Redacts a string in place.
    pub fn redact_in_place(&self, text: &mut String) {
        if !self.is_empty() {
            *text = self.redact_owned(std::mem::take(text));
        }
    }
}

/// The longest prefix of `text` of at most `len` bytes that ends on a character boundary.
pub fn prefix(text: &str, len: usize) -> &str {
    if text.len() <= len {
        return text;
    }
    let mut end = len;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `text` with each occurrence of the secret, in any mix of its encodings, replaced; `None`
/// when there is none.
fn replace_encoded(text: &str, secret: &Secret) -> Option<String> {
    let want: Vec<char> = secret.chars.expose_secret().chars().collect();
    // A match can only start at the first character's literal form or an escape: the scan
    // skips every other byte cheaply (bodies of import pages are large).
    let first = want[0];
    let mut starts: Vec<u8> = vec![b'\\', b'%', b'+'];
    let mut utf8 = [0u8; 4];
    starts.push(first.encode_utf8(&mut utf8).as_bytes()[0]);
    if first.is_ascii() {
        starts.push(first.to_ascii_lowercase() as u8);
        starts.push(first.to_ascii_uppercase() as u8);
    }
    let mut is_start = [false; 256];
    for b in starts {
        is_start[usize::from(b)] = true;
    }
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !is_start[usize::from(bytes[i])] || !text.is_char_boundary(i) {
            i += 1;
            continue;
        }
        let touches = |before: Option<char>, after: Option<char>| {
            before.is_some_and(char::is_alphanumeric) || after.is_some_and(char::is_alphanumeric)
        };
        match match_at(text, i, &want, secret.fold_case).filter(|&end| {
            !secret.whole_word
                || !touches(text[..i].chars().next_back(), text[end..].chars().next())
        }) {
            Some(end) => {
                let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
                o.push_str(&text[copied..i]);
                o.push_str(REDACTED);
                copied = end;
                i = end;
            }
            None => i += 1,
        }
    }
    out.map(|mut o| {
        o.push_str(&text[copied..]);
        o
    })
}

/// The end of a match of `want` starting at byte `start`, if every character is there in one
/// of its forms.
fn match_at(text: &str, start: usize, want: &[char], fold_case: bool) -> Option<usize> {
    let mut pos = start;
    for &c in want {
        pos = match_char(text, pos, c, fold_case)?;
    }
    Some(pos)
}

/// The end of one character `c` written at `pos` in any of its forms.
fn match_char(text: &str, pos: usize, c: char, fold_case: bool) -> Option<usize> {
    let rest = text.get(pos..)?;
    let first = rest.chars().next()?;
    if first == c || (fold_case && first.eq_ignore_ascii_case(&c)) {
        return Some(pos + first.len_utf8());
    }
    let b = rest.as_bytes();
    match b[0] {
        b'\\' if b.len() >= 2 => {
            let simple = match b[1] {
                b'/' => Some('/'),
                b'\\' => Some('\\'),
                b'"' => Some('"'),
                b'n' => Some('\n'),
                b'r' => Some('\r'),
                b't' => Some('\t'),
                _ => None,
            };
            if simple == Some(c) {
                return Some(pos + 2);
            }
            if b[1] == b'u' && b.len() >= 6 {
                let code = u32::from_str_radix(rest.get(2..6)?, 16).ok()?;
                if code == c as u32 {
                    return Some(pos + 6);
                }
            }
            None
        }
        b'%' => {
            let mut utf8 = [0u8; 4];
            let mut p = pos;
            for byte in c.encode_utf8(&mut utf8).bytes() {
                let hex = text.get(p..p + 3)?;
                if !hex.starts_with('%') || u8::from_str_radix(&hex[1..], 16).ok()? != byte {
                    return None;
                }
                p += 3;
            }
            Some(p)
        }
        b'+' if c == ' ' => Some(pos + 1),
        _ => None,
    }
}

/// Base64 texts that can only come from the secret: its whole encoding (padded and not), and
/// the characters that depend on its bytes alone at each alignment inside a longer encoding;
/// each in the standard and the URL-safe alphabet.
fn base64_forms(secret: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let padded = base64(secret);
    out.push(padded.trim_end_matches('=').to_string());
    out.push(padded);
    for offset in 0..3usize {
        let mut shifted = vec![0u8; offset];
        shifted.extend_from_slice(secret);
        let encoded = base64(&shifted);
        let first = (8 * offset).div_ceil(6);
        let last = (8 * (offset + secret.len())) / 6;
        if last > first + 3 {
            out.push(encoded[first..last].to_string());
        }
    }
    let url_safe: Vec<String> = out
        .iter()
        .map(|s| s.replace('+', "-").replace('/', "_"))
        .collect();
    out.extend(url_safe);
    out.retain(|s| !s.is_empty());
    out
}

/// Standard base64 with padding (RFC 4648 §4).
pub fn base64(input: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "s3cr/t+Tok en";

    fn redactor() -> Redactor {
        Redactor::new([
            SecretString::from(TOKEN),
            SecretString::from("Bearer s3cr/t+Tok en"),
        ])
    }

    fn json_escape_all(s: &str) -> String {
        s.chars().map(|c| format!("\\u{:04x}", c as u32)).collect()
    }

    fn percent_all(s: &str) -> String {
        s.bytes().map(|b| format!("%{b:02X}")).collect()
    }

    #[test]
    fn redacts_every_secret_longest_first() {
        let r = Redactor::new([
            SecretString::from("abc"),
            SecretString::from("Bearer abcdef"),
            SecretString::from(""),
        ]);
        assert_eq!(
            r.redact("x Bearer abcdef y abc"),
            "x [REDACTED] y [REDACTED]"
        );
    }

    #[test]
    fn redacts_every_encoding_of_a_secret() {
        let r = redactor();
        let forms = [
            TOKEN.to_string(),
            json_escape_all(TOKEN),
            json_escape_all(TOKEN).to_uppercase().replace("\\U", "\\u"),
            TOKEN.replace('/', "\\/"),
            percent_all(TOKEN),
            percent_all(TOKEN).to_lowercase(),
            TOKEN.replace(' ', "+"),
            TOKEN
                .replace(' ', "%20")
                .replace('/', "%2F")
                .replace('+', "%2B"),
            base64(TOKEN.as_bytes()),
            base64(TOKEN.as_bytes()).trim_end_matches('=').to_string(),
            base64(TOKEN.as_bytes()).replace('+', "-").replace('/', "_"),
            base64(format!("Bearer {TOKEN}").as_bytes()),
            base64(format!("x{TOKEN}").as_bytes()),
            base64(format!("xy{TOKEN}").as_bytes()),
            base64(format!("user:{TOKEN}").as_bytes()),
        ];
        for form in forms {
            let text = format!("{{\"detail\":\"bad token {form} given\"}}");
            let out = r.redact(&text);
            assert!(out.contains(REDACTED), "{form} not redacted: {out}");
            for probe in ["s3cr", "Tok", "\\u0073\\u0033"] {
                assert!(!out.contains(probe), "{form} left {probe}: {out}");
            }
        }
    }

    #[test]
    fn hex_secrets_are_matched_without_case() {
        let r = Redactor::new([SecretString::from("deadbeef0123abcd")]);
        assert_eq!(r.redact("id DEADBEEF0123ABCD."), "id [REDACTED].");
    }

    #[test]
    fn short_secrets_keep_ordinary_text_readable() {
        let r = Redactor::new([SecretString::from("T"), SecretString::from("User")]);
        // Only where no letter or digit touches them: words stay readable.
        assert_eq!(
            r.redact("Test the User: {\"token\":\"T\"} Users Bearer T"),
            "Test the [REDACTED]: {\"token\":\"[REDACTED]\"} Users Bearer [REDACTED]"
        );
    }

    #[test]
    fn text_without_secrets_is_returned_as_is() {
        let r = redactor();
        let body = "x".repeat(1000);
        assert_eq!(r.redact_owned(body.clone()), body);
        assert_eq!(r.redact("100% \\\\ \\u00"), "100% \\\\ \\u00");
    }

    /// Every text a cut can leave: no run of eight characters of the secret, in any form,
    /// at any offset of the secret around the cut, for secrets of several lengths.
    #[test]
    fn a_cut_never_leaves_part_of_a_secret() {
        for len in [8usize, 9, 13, 32, 42, 64] {
            let secret: String = (0..len)
                .map(|i| (b'a' + (i * 7 % 26) as u8) as char)
                .collect();
            let escaped = json_escape_all(&secret);
            let r = Redactor::new([SecretString::from(secret.clone())]);
            for form in [secret.clone(), escaped.clone()] {
                let max: usize = 120;
                for start in max.saturating_sub(form.len() + 2)..max + 2 {
                    let mut text = "x".repeat(start);
                    text.push_str(&form);
                    text.push_str(&" tail".repeat(40));
                    for cut in [r.cut(&text, max).0, r.excerpt(&text, max)] {
                        assert!(cut.len() <= max + "…".len(), "{len} at {start}");
                        for w in 0..=len - 8 {
                            assert!(!cut.contains(&secret[w..w + 8]), "{len} at {start}: {cut}");
                        }
                        assert!(!cut.contains(&escaped[..12]), "{len} at {start}: {cut}");
                        assert!(!cut.contains("[REDAC") || cut.contains(REDACTED));
                    }
                }
            }
        }
    }

    /// A marker longer than its secret never takes a text past the limit.
    #[test]
    fn a_cut_holds_when_redaction_lengthens_the_text() {
        let r = Redactor::new([SecretString::from("s3cr")]);
        let text = "s3cr s3cr s3cr";
        let (cut, was_cut) = r.cut(text, text.len());
        assert!(was_cut && cut.len() <= text.len(), "{cut}");
        assert!(!cut.contains("s3cr"), "{cut}");
        // No marker is cut either: every one that starts is whole.
        assert_eq!(
            cut.matches('[').count(),
            cut.matches(REDACTED).count(),
            "{cut}"
        );
        assert_eq!(cut, "[REDACTED] ");
    }

    /// A second secret beyond the window's edge, after a first one that redaction shortened,
    /// is not pulled into the cut half-read.
    #[test]
    fn a_cut_window_never_keeps_the_start_of_a_secret_it_cut() {
        let secret = "0123456789abcdefghijklmnopqrstuvwxyzABCDEF";
        let r = Redactor::new([SecretString::from(secret)]);
        let max = 200;
        for gap in 0..secret.len() * 12 {
            let mut text = format!("{secret} ");
            text.push_str(&"y".repeat(max + gap - text.len().min(max + gap)));
            text.push_str(secret);
            text.push_str(&"z".repeat(2000));
            let (cut, was_cut) = r.cut(&text, max);
            assert!(was_cut);
            assert!(!cut.contains(&secret[..8]), "gap {gap}: {cut}");
        }
    }

    #[test]
    fn basic_credential_is_base64() {
        assert_eq!(
            base64(b"Aladdin:open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(base64(b"ab"), "YWI=");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Whatever surrounds it and however it is encoded, a secret of realistic length is
        /// gone from the redacted text.
        #[test]
        fn a_secret_never_survives(
            secret in "[A-Za-z0-9._~+/=-]{12,40}",
            before in "[ -~]{0,30}",
            after in "[ -~]{0,30}",
            form in 0usize..5,
        ) {
            let encoded = match form {
                0 => secret.clone(),
                1 => secret.chars().map(|c| format!("\\u{:04x}", c as u32)).collect(),
                2 => secret.replace('/', "\\/"),
                3 => secret.bytes().map(|b| format!("%{b:02X}")).collect(),
                _ => base64(format!("{before}{secret}").as_bytes()),
            };
            let r = Redactor::new([SecretString::from(secret.clone())]);
            let out = r.redact(&format!("{before}{encoded}{after}"));
            prop_assert!(!out.contains(&secret), "{out}");
            // The base64 form is found at whatever alignment the text before it gives.
            prop_assert!(out.contains(REDACTED), "{form}: {out}");
        }

        /// Redaction never panics on arbitrary text and escapes.
        #[test]
        fn redaction_handles_any_text(text in "\\PC{0,200}", secret in "\\PC{1,10}") {
            let _ = Redactor::new([SecretString::from(secret)]).redact(&text);
        }
    }
}
