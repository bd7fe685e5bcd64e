//! The attributes an app's error text names: how a refusal is told apart from a refusal for
//! another reason (a 400 about `name.formatted` is no proof that a missing `userName` is
//! refused), and how a root cause says which attribute an app demands.

/// Attributes of RFC 7643's User and Group (§4.1, §4.2) and of the enterprise extension
/// (§4.3), as an app's message may name them.
const ATTRIBUTES: &[&str] = &[
    "userName",
    "externalId",
    "name",
    "name.givenName",
    "name.familyName",
    "name.formatted",
    "name.middleName",
    "givenName",
    "familyName",
    "formatted",
    "displayName",
    "nickName",
    "profileUrl",
    "title",
    "userType",
    "preferredLanguage",
    "locale",
    "timezone",
    "active",
    "password",
    "emails",
    "phoneNumbers",
    "ims",
    "photos",
    "addresses",
    "groups",
    "entitlements",
    "roles",
    "x509Certificates",
    "members",
    "employeeNumber",
    "costCenter",
    "organization",
    "division",
    "department",
    "manager",
];

/// The attributes a text names, in the order it names them (each once). A word counts when
/// it is an attribute's name, in any case, standing alone (`'phoneNumbers' is required`,
/// `name.formatted: missing`).
pub fn named_in(text: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for word in text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
        .map(|w| w.trim_matches('.'))
        .filter(|w| !w.is_empty())
    {
        if let Some(a) = ATTRIBUTES.iter().find(|a| a.eq_ignore_ascii_case(word))
            && !out.contains(a)
        {
            out.push(a);
        }
    }
    out
}

/// Whether a text says something is required or missing.
pub fn says_required(text: &str) -> bool {
    let lower = text.to_lowercase();
    [
        "required",
        "missing",
        "must be provided",
        "mandatory",
        "cannot be empty",
        "must not be empty",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// Why a refusal may not be about `attribute`: its text names other attributes and not it.
pub fn about_another(text: &str, attribute: &str) -> Option<Vec<&'static str>> {
    let named = named_in(text);
    let about_it = named.iter().any(|a| {
        a.eq_ignore_ascii_case(attribute)
            || a.rsplit('.')
                .next()
                .is_some_and(|leaf| leaf.eq_ignore_ascii_case(attribute))
    });
    (!named.is_empty() && !about_it).then_some(named)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_naming_another_attribute_is_told_apart() {
        assert_eq!(
            about_another("Attribute 'name.formatted' is required", "userName"),
            Some(vec!["name.formatted"])
        );
        assert_eq!(about_another("userName is required", "userName"), None);
        assert_eq!(
            about_another("USERNAME must not be empty", "userName"),
            None
        );
        // Nothing named: nothing to tell.
        assert_eq!(about_another("Bad Request", "userName"), None);
        assert_eq!(named_in("'phoneNumbers' is required"), vec!["phoneNumbers"]);
        assert!(says_required("Attribute 'phoneNumbers' is required"));
        assert!(!says_required("already exists"));
    }
}
