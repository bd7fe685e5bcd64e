//! The in-memory store: Users and Groups in creation order (so list order is stable across
//! pages), with an index on lower-cased userName for Okta's `userName eq` lookups and for
//! case-insensitive uniqueness (userName is caseExact=false, RFC 7643 §4.1.1).

use std::collections::HashMap;

use serde_json::Value;

/// The two resource types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `/Users`
    Users,
    /// `/Groups`
    Groups,
}

impl Kind {
    /// The endpoint name.
    pub fn endpoint(self) -> &'static str {
        match self {
            Kind::Users => "Users",
            Kind::Groups => "Groups",
        }
    }

    /// The resource type name in `meta.resourceType`.
    pub fn resource_type(self) -> &'static str {
        match self {
            Kind::Users => "User",
            Kind::Groups => "Group",
        }
    }
}

/// A stored resource. It is kept as compact JSON text, not as a `serde_json::Value` tree:
/// a tree costs several kilobytes per user, the text a few hundred bytes, so 100,000 users fit
/// in well under 200 MB. Reads parse it again, which costs microseconds per resource.
#[derive(Debug, Clone)]
pub struct Entry {
    json: Box<str>,
    /// The resource's id.
    pub id: String,
    /// Whether `active` is false (deactivated users), kept to filter lists without parsing.
    pub inactive: bool,
    /// Version counter behind `meta.version` / ETag.
    pub version: u64,
    /// Deleted under the soft-delete fault: hidden from lists, still served by id.
    pub soft_deleted: bool,
    /// Deleted under the deleted-listed-emptied fault: 404 by id, still listed, emptied.
    pub tombstone: bool,
}

impl Entry {
    fn new(id: String, resource: &Value) -> Self {
        let mut e = Entry {
            json: Box::from(""),
            id,
            inactive: false,
            version: 1,
            soft_deleted: false,
            tombstone: false,
        };
        e.set_resource(resource);
        e
    }

    /// The resource as served (without projection).
    pub fn resource(&self) -> Value {
        serde_json::from_str(&self.json).expect("the store holds JSON it wrote itself")
    }

    /// The resource as stored JSON text.
    pub fn json_text(&self) -> &str {
        &self.json
    }

    /// Replaces the stored resource.
    pub fn set_resource(&mut self, resource: &Value) {
        self.json = resource.to_string().into_boxed_str();
        self.inactive = resource.get("active") == Some(&Value::Bool(false));
    }
}

/// One resource type's collection.
#[derive(Debug, Default)]
pub struct Collection {
    /// Creation order; a deleted resource leaves `None`, so positions never shift. A vector,
    /// not a tree: listing scans it to count totalResults, and a linear scan of 100,000
    /// entries is several times faster than walking tree nodes.
    items: Vec<Option<Entry>>,
    by_id: HashMap<String, u64>,
    by_name: HashMap<String, Vec<u64>>,
    /// Which positions hold a listed resource (not removed, not soft-deleted): a page of a
    /// plain list is found from its start position in O(log n), so importing every page of
    /// 100,000 users costs the pages, not the pages times the users.
    listed: Fenwick,
}

/// Counts over positions (a Fenwick tree): the number of listed resources before a position,
/// and the position of the k-th, each in O(log n).
#[derive(Debug, Default)]
struct Fenwick {
    /// 1-based; `tree[i]` sums the positions `(i - lowbit(i), i]`.
    tree: Vec<i64>,
}

impl Fenwick {
    /// Appends a position holding `value` (0 or 1).
    fn push(&mut self, value: i64) {
        if self.tree.is_empty() {
            self.tree.push(0);
        }
        let i = self.tree.len();
        let low = i & i.wrapping_neg();
        // tree[i] = value + sum of (i - low, i - 1]
        let sum = self.prefix(i - 1) - self.prefix(i - low);
        self.tree.push(value + sum);
    }

    /// Adds `delta` at 0-based position `pos`.
    fn add(&mut self, pos: usize, delta: i64) {
        let mut i = pos + 1;
        while i < self.tree.len() {
            self.tree[i] += delta;
            i += i & i.wrapping_neg();
        }
    }

    /// The sum of the first `n` positions.
    fn prefix(&self, n: usize) -> i64 {
        let mut i = n;
        let mut sum = 0;
        while i > 0 {
            sum += self.tree[i];
            i -= i & i.wrapping_neg();
        }
        sum
    }

    /// The total.
    fn total(&self) -> usize {
        self.prefix(self.tree.len().saturating_sub(1)) as usize
    }

    /// The 0-based position of the k-th (1-based) counted position, if there are k.
    fn find(&self, k: usize) -> Option<usize> {
        let n = self.tree.len().saturating_sub(1);
        if k == 0 || k > self.total() {
            return None;
        }
        let mut pos = 0;
        let mut rest = k as i64;
        let mut step = n.next_power_of_two();
        while step > 0 {
            let next = pos + step;
            if next <= n && self.tree[next] < rest {
                pos = next;
                rest -= self.tree[next];
            }
            step >>= 1;
        }
        Some(pos)
    }
}

impl Collection {
    /// Adds a resource whose `id` is set; `name_key` is its lower-cased unique name, if any.
    pub fn insert(&mut self, id: String, name_key: Option<String>, resource: &Value) {
        let seq = self.items.len() as u64;
        self.by_id.insert(id.clone(), seq);
        if let Some(k) = name_key {
            self.by_name.entry(k).or_default().push(seq);
        }
        self.items.push(Some(Entry::new(id, resource)));
        self.listed.push(1);
    }

    /// The resource at a position, if it is still there.
    pub fn slot(&self, seq: u64) -> Option<&Entry> {
        self.items.get(seq as usize).and_then(Option::as_ref)
    }

    /// A resource by id.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.by_id.get(id).and_then(|s| self.slot(*s))
    }

    /// A resource by id, for changing it.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Entry> {
        let seq = *self.by_id.get(id)?;
        self.items.get_mut(seq as usize).and_then(Option::as_mut)
    }

    /// Moves the name index of a resource after a rename.
    pub fn rename(&mut self, id: &str, old: Option<String>, new: Option<String>) {
        let Some(&seq) = self.by_id.get(id) else {
            return;
        };
        if let Some(old) = old
            && let Some(v) = self.by_name.get_mut(&old)
        {
            v.retain(|s| *s != seq);
            if v.is_empty() {
                self.by_name.remove(&old);
            }
        }
        if let Some(new) = new {
            self.by_name.entry(new).or_default().push(seq);
        }
    }

    /// Removes a resource; returns it.
    pub fn remove(&mut self, id: &str, name_key: Option<String>) -> Option<Entry> {
        self.rename(id, name_key, None);
        let seq = self.by_id.remove(id)?;
        let entry = self.items.get_mut(seq as usize).and_then(Option::take)?;
        if !entry.soft_deleted {
            self.listed.add(seq as usize, -1);
        }
        Some(entry)
    }

    /// Hides a resource from lists while it stays readable by id (the soft-delete fault).
    pub fn soft_delete(&mut self, id: &str) {
        let Some(&seq) = self.by_id.get(id) else {
            return;
        };
        if let Some(Some(e)) = self.items.get_mut(seq as usize)
            && !e.soft_deleted
        {
            e.soft_deleted = true;
            self.listed.add(seq as usize, -1);
        }
    }

    /// How many resources a plain list shows (not removed, not soft-deleted).
    pub fn listed_len(&self) -> usize {
        self.listed.total()
    }

    /// The listed resources from the `start`-th (1-based), at most `count`, in creation
    /// order: found in O(log n + count), whatever the collection's size.
    pub fn listed_page(&self, start: usize, count: usize) -> Vec<&Entry> {
        let Some(first) = self.listed.find(start) else {
            return Vec::new();
        };
        self.items[first..]
            .iter()
            .flatten()
            .filter(|e| !e.soft_deleted)
            .take(count)
            .collect()
    }

    /// Resources whose lower-cased name is this, in creation order.
    pub fn by_name(&self, key: &str) -> Vec<&Entry> {
        self.by_name
            .get(key)
            .map(|seqs| seqs.iter().filter_map(|s| self.slot(*s)).collect())
            .unwrap_or_default()
    }

    /// Every resource in creation order.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.items.iter().flatten()
    }

    /// Every resource in creation order, with its position ([`Collection::slot`]).
    pub fn positions(&self) -> impl Iterator<Item = (u64, &Entry)> {
        self.items
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.as_ref().map(|e| (i as u64, e)))
    }

    /// Every resource, for changing (member clean-up after a user is deleted).
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Entry> {
        self.items.iter_mut().flatten()
    }
}

/// Users and Groups, and a version that changes with every change to either (what a list
/// computed from them stays valid for).
#[derive(Debug, Default)]
pub struct Store {
    users: Collection,
    groups: Collection,
    version: u64,
}

impl Store {
    /// The collection of a kind.
    pub fn of(&self, kind: Kind) -> &Collection {
        match kind {
            Kind::Users => &self.users,
            Kind::Groups => &self.groups,
        }
    }

    /// The collection of a kind, for changing: the store's version moves on.
    pub fn of_mut(&mut self, kind: Kind) -> &mut Collection {
        self.version += 1;
        match kind {
            Kind::Users => &mut self.users,
            Kind::Groups => &mut self.groups,
        }
    }

    /// The version of the data: equal versions, equal data.
    pub fn version(&self) -> u64 {
        self.version
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_page_is_found_by_position_whatever_was_removed() {
        let mut c = Collection::default();
        for i in 0..50 {
            c.insert(format!("u{i}"), None, &json!({"id": format!("u{i}")}));
        }
        c.remove("u3", None);
        c.soft_delete("u7");
        c.remove("u7", None);
        c.soft_delete("u10");
        let listed: Vec<String> = c
            .iter()
            .filter(|e| !e.soft_deleted)
            .map(|e| e.id.clone())
            .collect();
        assert_eq!(c.listed_len(), listed.len());
        for start in 1..=listed.len() + 1 {
            for count in [0, 1, 4, 100] {
                let page: Vec<String> = c
                    .listed_page(start, count)
                    .iter()
                    .map(|e| e.id.clone())
                    .collect();
                let want: Vec<String> =
                    listed.iter().skip(start - 1).take(count).cloned().collect();
                assert_eq!(page, want, "start {start}, count {count}");
            }
        }
    }

    #[test]
    fn keeps_creation_order_and_name_index() {
        let mut c = Collection::default();
        c.insert("b".into(), Some("x@y".into()), &json!({"id": "b"}));
        c.insert(
            "a".into(),
            Some("z@y".into()),
            &json!({"id": "a", "active": false}),
        );
        let ids: Vec<&str> = c.iter().map(|e| e.id.as_str()).collect();
        assert!(c.get("a").unwrap().inactive);
        assert_eq!(c.get("b").unwrap().resource(), json!({"id": "b"}));
        assert_eq!(ids, ["b", "a"]);
        assert_eq!(c.by_name("x@y").len(), 1);
        c.rename("b", Some("x@y".into()), Some("q@y".into()));
        assert!(c.by_name("x@y").is_empty());
        assert!(c.remove("b", Some("q@y".into())).is_some());
        assert!(c.by_name("q@y").is_empty());
        assert_eq!(c.iter().count(), 1);
    }
}
