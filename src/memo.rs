//! A bounded per-thread memo: an answer computed once per key while a file's rules run. The
//! whole table is dropped when it fills, so input with endless distinct keys stays bounded
//! while one file's keys — a few dozen — keep hitting.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::Hash;

pub struct Memo<K, V> {
    map: RefCell<HashMap<K, V>>,
    capacity: usize,
}

impl<K: Hash + Eq + Clone, V: Clone> Memo<K, V> {
    pub fn new(capacity: usize) -> Self {
        Memo {
            map: RefCell::new(HashMap::new()),
            capacity,
        }
    }

    /// The remembered answer for `key`, or `compute`'s, remembered.
    pub fn get_or(&self, key: &K, compute: impl FnOnce() -> V) -> V {
        if let Some(v) = self.map.borrow().get(key) {
            return v.clone();
        }
        let v = compute();
        let mut map = self.map.borrow_mut();
        if map.len() >= self.capacity {
            map.clear();
        }
        map.insert(key.clone(), v.clone());
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_once_per_key_and_stays_bounded() {
        let memo: Memo<u32, u32> = Memo::new(2);
        let mut calls = 0;
        assert_eq!(
            memo.get_or(&1, || {
                calls += 1;
                10
            }),
            10
        );
        assert_eq!(
            memo.get_or(&1, || {
                calls += 1;
                99
            }),
            10
        );
        assert_eq!(calls, 1);
        memo.get_or(&2, || 20);
        memo.get_or(&3, || 30);
        assert!(memo.map.borrow().len() <= 2);
        assert_eq!(memo.get_or(&3, || 99), 30);
    }
}
