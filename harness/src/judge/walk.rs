//! The rules an import walk's pages and resources are judged by: what Okta reads of each user
//! and group (a borrowed, allocation-light view of the page), the problems found counted by
//! rule with a first example, and the id hashes a walk keeps. The walk itself (paging, pages
//! in flight, evidence) is `run::walk`.

use std::borrow::Cow;
use std::collections::HashSet;
use std::hash::Hasher;

use serde::Deserialize;
use serde_json::Value;

use crate::judge::assertion::Mismatch;
use crate::judge::path::lookup_ref as lookup;
use crate::suite::{Keyword, WalkRule, WalkSpec};

/// Ids seen by a walk, as hashes: the hashes are the set's keys as they are (hashing them
/// again would cost as much as the rest of the set's work).
pub type IdHashes = HashSet<u64, std::hash::BuildHasherDefault<Prehashed>>;

/// The hasher of [`IdHashes`]: a key already is a hash.
#[derive(Default)]
pub struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed here; any other input still hashes deterministically.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Hashes an id for the sets a walk keeps: the same for the same id in every run (a fixed
/// seed), 64 bits (a false duplicate among a million ids: odds of about 3 in 100 million).
pub fn id_hash(id: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0).hash_one(id)
}

/// The level of a walk rule that is not a plain failure: `itemsPerPage` is "the number of
/// resources returned" (RFC 7644 §3.4.2.4), but Okta's import pages by startIndex, count and
/// totalResults, so a page that echoes count is a warning, not a broken import.
pub(crate) fn walk_rule_keyword(rule: &str) -> Option<Keyword> {
    (rule == "items-per-page").then_some(Keyword::Should)
}

/// Problems by rule, in the order first seen: a count and the first example of each.
#[derive(Default)]
pub(crate) struct Problems {
    pub(crate) found: Vec<(String, String, usize, String)>,
    pub(crate) new_since_page: bool,
}

impl Problems {
    pub(crate) fn add(&mut self, rule: &str, expected: &str, example: String) {
        match self.found.iter_mut().find(|(r, ..)| r == rule) {
            Some((_, _, n, _)) => *n += 1,
            None => {
                self.found
                    .push((rule.to_string(), expected.to_string(), 1, example));
                self.new_since_page = true;
            }
        }
    }

    pub(crate) fn into_mismatches(self) -> Vec<Mismatch> {
        self.found
            .into_iter()
            .map(|(rule, expected, n, example)| Mismatch {
                assertion: format!("walk {rule}"),
                expected,
                actual: if n == 1 {
                    example
                } else {
                    format!("{n} times; first: {example}")
                },
                hint: None,
                keyword: walk_rule_keyword(&rule),
            })
            .collect()
    }
}

pub(crate) fn number(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A page, read in one pass without building a JSON tree: counters as small values,
/// resources straight into [`ResourceView`]s.
#[derive(Deserialize)]
pub(crate) struct PageView<'a> {
    #[serde(rename = "totalResults")]
    pub(crate) total_results: Option<Value>,
    #[serde(rename = "startIndex")]
    pub(crate) start_index: Option<Value>,
    #[serde(rename = "itemsPerPage")]
    pub(crate) items_per_page: Option<Value>,
    #[serde(rename = "nextCursor")]
    pub(crate) next_cursor: Option<Value>,
    #[serde(
        rename = "Resources",
        borrow,
        default,
        deserialize_with = "preallocated"
    )]
    pub(crate) resources: Option<Vec<ResourceView<'a>>>,
}

/// Resources a page is read into before it grows: a page of 100 then fills one allocation
/// instead of seven growing copies of the views.
const RESOURCES_PER_PAGE: usize = 128;

/// `Resources` read into a vector made for a page at once (JSON does not say its length).
fn preallocated<'de, D>(d: D) -> Result<Option<Vec<ResourceView<'de>>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Views;
    impl<'de> serde::de::Visitor<'de> for Views {
        type Value = Option<Vec<ResourceView<'de>>>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of resources")
        }

        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_seq(self)
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let mut views = Vec::with_capacity(RESOURCES_PER_PAGE);
            while let Some(view) = seq.next_element()? {
                views.push(view);
            }
            Ok(Some(views))
        }
    }
    d.deserialize_option(Views)
}

/// What the walk reads of a resource. Strings borrow from the page where they can.
#[derive(Deserialize, Default)]
pub(crate) struct ResourceView<'a> {
    #[serde(borrow)]
    pub(crate) id: Option<Text<'a>>,
    #[serde(rename = "userName", borrow)]
    pub(crate) user_name: Option<Text<'a>>,
    #[serde(borrow)]
    pub(crate) name: Option<NameView<'a>>,
    pub(crate) emails: Option<EmailsView>,
    pub(crate) active: Option<Value>,
    #[serde(rename = "displayName", borrow)]
    pub(crate) display_name: Option<Text<'a>>,
    #[serde(borrow)]
    pub(crate) members: Option<Vec<MemberView<'a>>>,
}

#[derive(Deserialize, Default)]
pub(crate) struct NameView<'a> {
    #[serde(rename = "givenName", borrow)]
    pub(crate) given_name: Option<Text<'a>>,
    #[serde(rename = "familyName", borrow)]
    pub(crate) family_name: Option<Text<'a>>,
}

/// What the rules read of a user's `emails`: that it is an array, and whether one of them is
/// primary with a value. Read without keeping the emails (no allocation for each user).
#[derive(Default)]
pub(crate) struct EmailsView {
    pub(crate) primary_filled: bool,
}

#[derive(Deserialize)]
struct EmailView<'a> {
    primary: Option<Value>,
    #[serde(borrow)]
    value: Option<Text<'a>>,
}

impl EmailView<'_> {
    /// Okta's import needs a primary email with a value.
    fn primary_filled(&self) -> bool {
        self.primary == Some(Value::Bool(true)) && filled(&self.value)
    }
}

impl<'de> Deserialize<'de> for EmailsView {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = EmailsView;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array of emails")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<EmailsView, A::Error> {
                let mut view = EmailsView::default();
                while let Some(email) = seq.next_element::<EmailView<'de>>()? {
                    view.primary_filled |= email.primary_filled();
                }
                Ok(view)
            }
        }
        deserializer.deserialize_seq(Visitor)
    }
}

#[derive(Deserialize)]
pub(crate) struct MemberView<'a> {
    #[serde(borrow)]
    pub(crate) value: Option<Text<'a>>,
    #[serde(rename = "type", borrow)]
    pub(crate) kind: Option<Text<'a>>,
}

pub(crate) fn text_at(v: &Value, path: &str) -> Option<Text<'static>> {
    lookup(v, path)
        .and_then(Value::as_str)
        .map(|s| Text(Cow::Owned(s.to_string())))
}

/// A string of a page, borrowed from it unless it holds an escape. (serde borrows a `Cow`
/// only where it is the field's whole type; inside an `Option` it would copy every string.)
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Text<'a>(pub(crate) Cow<'a, str>);

impl std::ops::Deref for Text<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<'a>(std::marker::PhantomData<&'a str>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visitor<'a> {
            type Value = Text<'a>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }

            fn visit_str<E>(self, v: &str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
        }
        deserializer.deserialize_str(Visitor(std::marker::PhantomData))
    }
}

impl ResourceView<'_> {
    /// Whether the typed reading found every attribute the walk's rules read; if not, the
    /// names may differ in case only, and the generic reading decides.
    pub(crate) fn has_what(&self, spec: &WalkSpec) -> bool {
        let user = !spec.rules.contains(&WalkRule::UserShape)
            || (self.user_name.is_some()
                && self
                    .name
                    .as_ref()
                    .is_some_and(|n| n.given_name.is_some() && n.family_name.is_some())
                && self.emails.is_some()
                && self.active.is_some());
        let group = !spec.rules.contains(&WalkRule::GroupMembers) || self.display_name.is_some();
        self.id.is_some() && user && group
    }

    /// The same view from a generic JSON value, with SCIM's case-insensitive attribute names
    /// (RFC 7643 §2.1): for resources whose shape the typed view does not read.
    pub(crate) fn from_value(v: &Value) -> ResourceView<'static> {
        let list = |name: &str| lookup(v, name).and_then(Value::as_array);
        ResourceView {
            id: text_at(v, "id"),
            user_name: text_at(v, "userName"),
            name: Some(NameView {
                given_name: text_at(v, "name.givenName"),
                family_name: text_at(v, "name.familyName"),
            }),
            emails: list("emails").map(|es| EmailsView {
                primary_filled: es.iter().any(|e| {
                    EmailView {
                        primary: lookup(e, "primary").cloned(),
                        value: text_at(e, "value"),
                    }
                    .primary_filled()
                }),
            }),
            active: lookup(v, "active").cloned(),
            display_name: text_at(v, "displayName"),
            members: list("members").map(|ms| {
                ms.iter()
                    .map(|m| MemberView {
                        value: text_at(m, "value"),
                        kind: text_at(m, "type"),
                    })
                    .collect()
            }),
        }
    }
}

/// A page's counters and resources, from the typed reading or, when that misses what the
/// rules need (names differing in case only, RFC 7643 §2.1; a number where a string is
/// expected), from the generic, case-insensitive one.
pub(crate) struct Page<'a> {
    pub(crate) total: Option<Value>,
    pub(crate) start: Option<Value>,
    pub(crate) per_page: Option<Value>,
    /// RFC 9865 §2: the cursor of the next page, absent on the last.
    pub(crate) next_cursor: Option<Value>,
    pub(crate) resources: Option<Vec<ResourceView<'a>>>,
}

pub(crate) fn read_page<'a>(body: &'a str, spec: &WalkSpec) -> Option<Page<'a>> {
    if let Ok(p) = serde_json::from_str::<PageView>(body) {
        let complete = match &p.resources {
            Some(rs) => rs.iter().all(|r| r.has_what(spec)),
            None => number(p.total_results.as_ref()) == Some(0),
        };
        if complete {
            return Some(Page {
                total: p.total_results,
                start: p.start_index,
                per_page: p.items_per_page,
                next_cursor: p.next_cursor,
                resources: p.resources,
            });
        }
    }
    let doc: Value = serde_json::from_str(body).ok()?;
    Some(Page {
        total: lookup(&doc, "totalResults").cloned(),
        start: lookup(&doc, "startIndex").cloned(),
        per_page: lookup(&doc, "itemsPerPage").cloned(),
        next_cursor: lookup(&doc, "nextCursor").cloned(),
        resources: match lookup(&doc, "Resources") {
            Some(Value::Array(items)) => Some(items.iter().map(ResourceView::from_value).collect()),
            _ => None,
        },
    })
}

/// The resource with this id on a page, as generic JSON (for a find's arbitrary paths).
pub(crate) fn resource_by_id(body: &str, id: &str) -> Option<Value> {
    let doc: Value = serde_json::from_str(body).ok()?;
    let items = lookup(&doc, "Resources")?.as_array()?;
    items
        .iter()
        .find(|r| lookup(r, "id").and_then(Value::as_str) == Some(id))
        .cloned()
}

pub(crate) fn filled(v: &Option<Text<'_>>) -> bool {
    v.as_deref().is_some_and(|s| !s.trim().is_empty())
}

/// An entitlement value has what Okta imports: `id` and `displayName`.
pub(crate) fn check_value(r: &ResourceView<'_>, id: &str, problems: &mut Problems) {
    if id.is_empty() {
        problems.add(
            "value id",
            "an id on every value (Okta imports it)",
            "a value without id".to_string(),
        );
    }
    if !filled(&r.display_name) {
        problems.add(
            "value displayName",
            "a displayName on every value (Okta shows it)",
            format!("value {id} has none"),
        );
    }
}

pub(crate) fn check_user(r: &ResourceView<'_>, id: &str, problems: &mut Problems) {
    // Formatted only for a finding: most users have none.
    let who = || format!("user {id}");
    if id.is_empty() {
        problems.add(
            "user id",
            "an id on every user",
            "a user without id".to_string(),
        );
    }
    let name = r.name.as_ref();
    let fields = [
        ("userName", filled(&r.user_name)),
        (
            "name.givenName",
            name.is_some_and(|n| filled(&n.given_name)),
        ),
        (
            "name.familyName",
            name.is_some_and(|n| filled(&n.family_name)),
        ),
    ];
    for (path, ok) in fields {
        if !ok {
            problems.add(
                &format!("user {path}"),
                &format!("{path} on every user (Okta imports it)"),
                format!("{} has none", who()),
            );
        }
    }
    if !r.emails.as_ref().is_some_and(|es| es.primary_filled) {
        problems.add(
            "user primary email",
            "an email with primary=true and a value on every user",
            format!("{} has none", who()),
        );
    }
    if !matches!(r.active, Some(Value::Bool(_))) {
        problems.add(
            "user active",
            "a boolean active on every user",
            format!(
                "{}: active is {}",
                who(),
                r.active
                    .as_ref()
                    .map_or("absent".to_string(), Value::to_string)
            ),
        );
    }
}

pub(crate) fn check_group(
    r: &ResourceView<'_>,
    id: &str,
    known_users: &IdHashes,
    problems: &mut Problems,
) {
    if id.is_empty() || !filled(&r.display_name) {
        problems.add(
            "group shape",
            "an id and a displayName on every group",
            format!("group {id:?}"),
        );
    }
    for m in r.members.iter().flatten() {
        let is_group = m
            .kind
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("Group"));
        let value = m.value.as_deref().unwrap_or_default();
        if !is_group && !known_users.contains(&id_hash(value)) {
            problems.add(
                "group members exist",
                "members that are users of the user import",
                format!("group {id} lists member {value:?}, which the user import never returned"),
            );
        }
    }
}
