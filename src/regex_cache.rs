//! Compiled regexes, memoized per thread.
//!
//! The rules ask the same origin matcher about dozens of candidate origins, and the nginx
//! model evaluates the same `if`/`map`/`location` regex for every probe; compiling each time
//! was most of the run time. Entries are shared (`Arc`) rather than cloned: a cloned `Regex`
//! starts with an empty search cache, which costs nearly as much as compiling a small one.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use regex::{Regex, RegexBuilder};

/// Entries kept per thread before the cache starts over: bounds memory on hostile input with
/// many distinct patterns (each keeps its own search cache), while one file's patterns —
/// rarely more than a dozen — stay compiled while its rules run.
const CAPACITY: usize = 32;

/// (pattern, case-insensitive) → the compiled regex, `None` when the crate rejects it.
type Compiled = HashMap<(String, bool), Option<Arc<Regex>>>;

thread_local! {
    static CACHE: RefCell<Compiled> = RefCell::new(HashMap::new());
}

/// `pattern` compiled by the `regex` crate (case-insensitive when asked), or `None` when the
/// crate rejects it.
pub fn compiled(pattern: &str, case_insensitive: bool) -> Option<Arc<Regex>> {
    CACHE.with(|cache| {
        let key = (pattern.to_string(), case_insensitive);
        if let Some(hit) = cache.borrow().get(&key) {
            return hit.clone();
        }
        let built = RegexBuilder::new(pattern)
            .case_insensitive(case_insensitive)
            .build()
            .ok()
            .map(Arc::new);
        let mut cache = cache.borrow_mut();
        if cache.len() >= CAPACITY {
            cache.clear();
        }
        cache.insert(key, built.clone());
        built
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_and_remembers_the_case_flag() {
        let sensitive = compiled("^abc$", false).unwrap();
        let insensitive = compiled("^abc$", true).unwrap();
        assert!(!sensitive.is_match("ABC"));
        assert!(insensitive.is_match("ABC"));
        // A second lookup answers the same way from the cache.
        assert!(!compiled("^abc$", false).unwrap().is_match("ABC"));
        assert!(compiled("^abc$", true).unwrap().is_match("ABC"));
    }

    #[test]
    fn rejected_patterns_stay_rejected() {
        assert!(compiled("(unclosed", false).is_none());
        assert!(compiled("(unclosed", false).is_none());
    }
}
