//! Compiled regexes for matching origins, hosts and paths the way servers do, memoized per
//! thread.
//!
//! The rules ask the same origin matcher about dozens of candidate origins, and the nginx
//! model evaluates the same `if`/`map`/`location` regex for every probe; compiling each time
//! was most of the run time. Entries are shared (`Arc`) rather than cloned: a cloned `Regex`
//! starts with an empty search cache.
//!
//! `regex-lite` first: it compiles several times faster (the subjects are short origins and
//! paths, so its simpler matcher costs nothing), and its `\w`, `\d`, `\s`, `\b` and case
//! folding are ASCII-only — as in PCRE (nginx), RE2 (Envoy) and Go (Traefik). A pattern it
//! does not take (Unicode classes such as `\p{L}`) is compiled by `regex`.

use crate::memo::Memo;
use std::sync::Arc;

/// A compiled pattern.
#[derive(Debug)]
pub enum Pattern {
    Lite(regex_lite::Regex),
    Full(regex::Regex),
}

impl Pattern {
    pub fn is_match(&self, text: &str) -> bool {
        match self {
            Pattern::Lite(r) => r.is_match(text),
            Pattern::Full(r) => r.is_match(text),
        }
    }

    /// The capture groups of the first match (`""` for a group that did not take part).
    pub fn captures(&self, text: &str) -> Option<Vec<String>> {
        let text_of = |m: Option<&str>| m.unwrap_or_default().to_string();
        match self {
            Pattern::Lite(r) => r
                .captures(text)
                .map(|c| c.iter().map(|m| text_of(m.map(|m| m.as_str()))).collect()),
            Pattern::Full(r) => r
                .captures(text)
                .map(|c| c.iter().map(|m| text_of(m.map(|m| m.as_str()))).collect()),
        }
    }
}

fn compile(pattern: &str, case_insensitive: bool) -> Option<Pattern> {
    regex_lite::RegexBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        .build()
        .map(Pattern::Lite)
        .or_else(|_| {
            regex::RegexBuilder::new(pattern)
                .case_insensitive(case_insensitive)
                .build()
                .map(Pattern::Full)
        })
        .ok()
}

/// Entries kept per thread before the cache starts over: bounds memory on hostile input with
/// many distinct patterns (each keeps its own search cache), while one file's patterns —
/// rarely more than a dozen — stay compiled while its rules run.
const CAPACITY: usize = 32;

thread_local! {
    /// (pattern, case-insensitive) → the compiled pattern, `None` when neither crate takes it.
    static CACHE: Memo<(String, bool), Option<Arc<Pattern>>> = Memo::new(CAPACITY);
}

/// `pattern` compiled (case-insensitive when asked), or `None` when neither crate takes it.
pub fn compiled(pattern: &str, case_insensitive: bool) -> Option<Arc<Pattern>> {
    CACHE.with(|cache| {
        cache.get_or(&(pattern.to_string(), case_insensitive), || {
            compile(pattern, case_insensitive).map(Arc::new)
        })
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
    fn classes_are_ascii_like_the_servers_engines() {
        // PCRE, RE2 and Go: `\w` and `\d` are ASCII.
        assert!(!compiled(r"^\w+$", false).unwrap().is_match("café"));
        assert!(!compiled(r"^\d$", false).unwrap().is_match("٣"));
        // A Unicode class the lite engine lacks still compiles.
        assert!(compiled(r"^\p{L}+$", false).unwrap().is_match("café"));
        assert_eq!(
            compiled(r"^(a)(x)?(b)$", false).unwrap().captures("ab"),
            Some(vec![
                "ab".to_string(),
                "a".into(),
                String::new(),
                "b".into()
            ])
        );
    }

    #[test]
    fn rejected_patterns_stay_rejected() {
        assert!(compiled("(unclosed", false).is_none());
        assert!(compiled("(unclosed", false).is_none());
    }
}
