//! A bounded cache shared by every thread, for work a scan repeats with the very same input
//! (solver checks, string-domain explorations): entries are bucketed by a hash and found by
//! a full comparison the caller gives, so a hash collision never returns another input's
//! result. When full, the cache starts over (bounds its memory on large scans).

use rustc_hash::FxHashMap;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

/// Entries of type `T` (each holding its own input and result), at most `max` at once.
pub(crate) struct SharedCache<T> {
    entries: Mutex<Option<Buckets<T>>>,
    max: usize,
}

struct Buckets<T> {
    by_hash: FxHashMap<u64, Vec<T>>,
    len: usize,
}

impl<T> SharedCache<T> {
    pub(crate) const fn new(max: usize) -> SharedCache<T> {
        SharedCache {
            entries: Mutex::new(None),
            max,
        }
    }

    /// What `pick` returns for the first entry of bucket `hash` it accepts.
    pub(crate) fn find<R>(&self, hash: u64, pick: impl FnMut(&T) -> Option<R>) -> Option<R> {
        let guard = self.entries.lock().ok()?;
        guard.as_ref()?.by_hash.get(&hash)?.iter().find_map(pick)
    }

    /// Keeps `entry` in bucket `hash` (a poisoned lock keeps nothing: the cache only saves
    /// work).
    pub(crate) fn keep(&self, hash: u64, entry: T) {
        let Ok(mut guard) = self.entries.lock() else {
            return;
        };
        let fresh = || Buckets {
            by_hash: FxHashMap::default(),
            len: 0,
        };
        let buckets = guard.get_or_insert_with(fresh);
        if buckets.len >= self.max {
            *buckets = fresh();
        }
        buckets.len += 1;
        buckets.by_hash.entry(hash).or_default().push(entry);
    }
}

/// The hash a cache buckets `key` by.
pub(crate) fn key_hash(key: &impl Hash) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    key.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_by_full_comparison_and_starts_over_when_full() {
        let cache: SharedCache<(u32, &str)> = SharedCache::new(2);
        cache.keep(7, (1, "one"));
        cache.keep(7, (2, "two"));
        let get = |k: u32| cache.find(7, |(key, v)| (*key == k).then_some(*v));
        assert_eq!(get(1), Some("one"));
        assert_eq!(get(2), Some("two"));
        assert_eq!(get(3), None);
        cache.keep(7, (3, "three"));
        assert_eq!(get(1), None, "full: started over");
        assert_eq!(get(3), Some("three"));
    }
}
