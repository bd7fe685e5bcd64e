//! The rules of one field of the OIN forms: filled, an https URL Okta's cloud can reach, an
//! email address a person reads, a phone number, the logo and the configuration guide as
//! files, an environment variable that holds a secret. `rules` applies them per section.

use crate::submission::Submission;

/// The logo limit: "less than one MB".
pub const LOGO_MAX_BYTES: u64 = 1024 * 1024;

pub(crate) fn filled(v: &str) -> Result<(), String> {
    if v.trim().is_empty() {
        Err("missing".into())
    } else {
        Ok(())
    }
}

/// A list with at least one entry; else `missing` says what to add.
pub(crate) fn listed<T>(items: &[T], missing: &str) -> Result<(), String> {
    if items.is_empty() {
        Err(missing.to_string())
    } else {
        Ok(())
    }
}

pub(crate) fn https_url(v: &str) -> Result<(), String> {
    filled(v)?;
    let rest = v
        .strip_prefix("https://")
        .ok_or_else(|| format!("{v:?} is not an https:// URL"))?;
    if rest
        .split('/')
        .next()
        .is_none_or(|host| host.is_empty() || host.contains(' '))
    {
        return Err(format!("{v:?} has no host"));
    }
    Ok(())
}

/// Why Okta's cloud cannot reach the URL's host, if it cannot: localhost, loopback, private
/// (RFC 1918, IPv6 unique local), link-local, unspecified, or a name only a local network
/// resolves (`.local`, `.internal`, `.localhost`, `.lan`, `.home.arpa`).
pub fn unreachable_from_okta(url: &str) -> Option<String> {
    use std::net::IpAddr;
    let authority = url.split("://").nth(1)?.split('/').next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        host.rsplit_once(':').map_or(host, |(h, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                h
            } else {
                host
            }
        })
    };
    let lower = host.to_ascii_lowercase();
    let name = lower.trim_end_matches('.');
    if name == "localhost"
        || [".localhost", ".local", ".internal", ".lan", ".home.arpa"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
    {
        return Some(format!("{host} is a local name"));
    }
    let ip: IpAddr = name.parse().ok()?;
    let what = match ip {
        IpAddr::V4(v4) if v4.is_loopback() => "a loopback address",
        IpAddr::V4(v4) if v4.is_private() => "a private address (RFC 1918)",
        IpAddr::V4(v4) if v4.is_link_local() => "a link-local address",
        IpAddr::V4(v4) if v4.is_unspecified() => "the unspecified address",
        IpAddr::V6(v6) if v6.is_loopback() => "a loopback address",
        IpAddr::V6(v6) if v6.is_unspecified() => "the unspecified address",
        IpAddr::V6(v6) if (v6.segments()[0] & 0xfe00) == 0xfc00 => "a unique local address",
        IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80 => "a link-local address",
        _ => return None,
    };
    Some(format!("{host} is {what}"))
}

/// A plausible email address (one @, a dot in the domain, no spaces).
pub fn email(v: &str) -> Result<(), String> {
    filled(v)?;
    let (local, domain) = v
        .split_once('@')
        .ok_or_else(|| format!("{v:?} is not an email address"))?;
    if local.is_empty()
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || v.contains(' ')
        || domain.contains('@')
    {
        return Err(format!("{v:?} is not an email address"));
    }
    Ok(())
}

pub(crate) fn phone_digits(v: &str) -> Option<String> {
    if !v
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
    {
        return None;
    }
    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 7).then_some(digits)
}

/// North American toll-free prefixes (800, 888, 877, 866, 855, 844, 833).
pub(crate) fn toll_free(digits: &str) -> bool {
    let national = digits.strip_prefix('1').unwrap_or(digits);
    ["800", "888", "877", "866", "855", "844", "833"]
        .iter()
        .any(|p| national.starts_with(p))
}

pub(crate) const GENERIC_LOCAL_PARTS: &[&str] = &[
    "support",
    "help",
    "helpdesk",
    "info",
    "admin",
    "contact",
    "sales",
    "noreply",
    "no-reply",
    "hello",
    "team",
    "office",
    "service",
    "customerservice",
];

pub(crate) fn escalation(v: &str) -> Result<(), String> {
    filled(v)?;
    if let Some(digits) = phone_digits(v) {
        return if toll_free(&digits) {
            Err(format!("{v:?} is a toll-free (1-800 style) number"))
        } else {
            Err(format!(
                "{v:?} is a phone number; the escalation contact is an email distribution list"
            ))
        };
    }
    email(v)?;
    let local = v.split('@').next().unwrap_or_default().to_ascii_lowercase();
    if GENERIC_LOCAL_PARTS.contains(&local.as_str()) {
        return Err(format!("{v:?} is a generic address"));
    }
    Ok(())
}

pub(crate) fn contact(kind: &str, value: &str) -> Result<(), String> {
    match kind {
        "email" => email(value),
        "url" => https_url(value).or_else(|_| {
            value
                .starts_with("http://")
                .then_some(())
                .ok_or_else(|| format!("{value:?} is not a URL"))
        }),
        "phone" => phone_digits(value)
            .map(|_| ())
            .ok_or_else(|| format!("{value:?} is not a phone number")),
        other => Err(format!("type {other:?} is not email, url or phone")),
    }
}

/// What kind of file the bytes are, by their signature (not the name).
pub fn image_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("gif")
    } else {
        None
    }
}

pub(crate) fn logo(s: &Submission) -> Result<(), String> {
    let name = &s.app.logo;
    filled(name)?;
    let bytes = s.read_input(name, LOGO_MAX_BYTES).map_err(|e| match e {
        untrusted::files::ReadError::TooLarge { size, .. } => {
            format!("{name} is {size} bytes; the limit is under 1 MB ({LOGO_MAX_BYTES} bytes)")
        }
        other => other.to_string(),
    })?;
    if image_kind(&bytes).is_none() {
        return Err(format!(
            "{name} is not a PNG, JPG or GIF (its bytes say otherwise, whatever its name)"
        ));
    }
    if bytes.len() as u64 >= LOGO_MAX_BYTES {
        return Err(format!(
            "{name} is {} bytes; the limit is under 1 MB ({LOGO_MAX_BYTES} bytes)",
            bytes.len()
        ));
    }
    Ok(())
}

pub(crate) fn config_guide(s: &Submission) -> Result<(), String> {
    let g = &s.scim.config_guide;
    filled(g)?;
    if g.starts_with("https://") {
        return https_url(g);
    }
    let bytes = s
        .read_input(g, untrusted::files::GUIDE_MAX_BYTES)
        .map_err(|e| {
            format!("{g:?} is neither an https:// link nor a file within the limits: {e}")
        })?;
    let html = g.ends_with(".html") || g.ends_with(".htm");
    let pdf = bytes.starts_with(b"%PDF");
    if !(html || pdf) {
        return Err(format!("{g} is not HTML or PDF"));
    }
    Ok(())
}

pub(crate) fn env_name(v: &str, env: &dyn Fn(&str) -> bool) -> Result<(), String> {
    filled(v)?;
    let ok = v
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        return Err(format!("{v:?} is not an environment variable name"));
    }
    if env(v) {
        Ok(())
    } else {
        Err(format!("the environment variable {v} is not set"))
    }
}
