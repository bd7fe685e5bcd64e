//! Realistic seed data: users with names, emails and phone numbers (every tenth deactivated,
//! as real directories have), and groups with members. Deterministic, so tests can rely on it.

use serde_json::{Value, json};

const GIVEN: &[&str] = &[
    "Ada", "Barbara", "Chen", "Dmitri", "Elif", "Femi", "Grace", "Hiro", "Ines", "Jonas", "Kavya",
    "Luis", "Mei", "Noor", "Olu", "Priya",
];
const FAMILY: &[&str] = &[
    "Lovelace", "Jensen", "Wang", "Petrov", "Yilmaz", "Adeyemi", "Hopper", "Tanaka", "Garcia",
    "Berg", "Iyer", "Moreno", "Lin", "Haddad", "Okafor", "Shah",
];

fn names(i: usize) -> (&'static str, &'static str) {
    (
        GIVEN[i % GIVEN.len()],
        FAMILY[(i / GIVEN.len()) % FAMILY.len()],
    )
}

/// The userName of the i-th seeded user (benchmarks look seeded users up by it).
pub fn user_name(i: usize) -> String {
    let (given, family) = names(i);
    format!(
        "{}.{}.{i}@example.com",
        given.to_lowercase(),
        family.to_lowercase()
    )
}

/// The body of the i-th seeded user (as a client would POST it).
pub fn user(i: usize) -> Value {
    let (given, family) = names(i);
    let user_name = user_name(i);
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "externalId": format!("seed-{i}"),
        "name": {"givenName": given, "familyName": family, "formatted": format!("{given} {family}")},
        "displayName": format!("{given} {family}"),
        "emails": [{"value": user_name, "type": "work", "primary": true}],
        "phoneNumbers": [{"value": format!("+1 555 01{:02}", i % 100), "type": "work"}],
        "active": i % 10 != 9
    })
}

/// The body of the i-th seeded group, with members chosen among the given user ids.
pub fn group(i: usize, user_ids: &[(String, String)]) -> Value {
    let members: Vec<Value> = if user_ids.is_empty() {
        Vec::new()
    } else {
        (0..(i % 5 + 1).min(user_ids.len()))
            .map(|k| {
                let (id, name) = &user_ids[(i * 7 + k * 13) % user_ids.len()];
                json!({"value": id, "display": name})
            })
            .collect()
    };
    // Distinct picks: the formula above can repeat for tiny stores.
    let mut seen = std::collections::HashSet::new();
    let members: Vec<Value> = members
        .into_iter()
        .filter(|m| seen.insert(m["value"].clone()))
        .collect();
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": format!("Seed Group {i}"),
        "members": members
    })
}
