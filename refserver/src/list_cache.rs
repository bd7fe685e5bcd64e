//! The resources of a filtered or sorted list, in order, kept until the data changes: a walk
//! over such a list (every page with the same filter and sort) costs one scan and one sort,
//! then each page costs the page. Keyed by what decides the list (the resource types, the
//! filter as written, the sort); any change to the store drops them all, and at most
//! [`MAX_LISTS`] are kept.

use std::collections::HashMap;
use std::sync::Arc;

use crate::store::Kind;

/// Lists kept at once (100,000 positions are 1.6 MB).
const MAX_LISTS: usize = 16;

/// A list: the position of each resource in its collection, in the list's order.
pub(crate) type Positions = Arc<Vec<(Kind, u64)>>;

/// The lists computed for one version of the store.
#[derive(Debug, Default)]
pub(crate) struct ListCache {
    version: u64,
    lists: HashMap<String, Positions>,
}

impl ListCache {
    /// The list `key` names at this version of the store: kept, or computed and kept.
    pub(crate) fn get_or(
        &mut self,
        version: u64,
        key: String,
        compute: impl FnOnce() -> Vec<(Kind, u64)>,
    ) -> Positions {
        if self.version != version {
            self.lists.clear();
            self.version = version;
        }
        if let Some(list) = self.lists.get(&key) {
            return list.clone();
        }
        if self.lists.len() >= MAX_LISTS {
            self.lists.clear();
        }
        let list = Arc::new(compute());
        self.lists.insert(key, list.clone());
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_is_computed_once_per_version() {
        let mut cache = ListCache::default();
        let mut computed = 0;
        for version in [1, 1, 1, 2, 2] {
            cache.get_or(version, "k".into(), || {
                computed += 1;
                vec![(Kind::Users, 3)]
            });
        }
        assert_eq!(computed, 2);
    }
}
