//! "Did you mean": the edit distance between a name in a file and a known one, bounded.
//!
//! Damerau–Levenshtein costs the product of the two lengths, and a file may hold thousands
//! of unknown names of any length; two names whose lengths differ by more than the limit are
//! farther apart than it, so they are never compared.

/// The Damerau–Levenshtein distance of `a` and `b` when it is at most `limit`.
pub fn distance_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    if a.chars().count().abs_diff(b.chars().count()) > limit {
        return None;
    }
    Some(strsim::damerau_levenshtein(a, b)).filter(|&d| d <= limit)
}

/// The known name closest to `name` within `limit` edits (the first of equals).
pub fn closest<'a>(
    name: &str,
    known: impl IntoIterator<Item = &'a str>,
    limit: usize,
) -> Option<(usize, &'a str)> {
    known
        .into_iter()
        .filter_map(|k| distance_within(name, k, limit).map(|d| (d, k)))
        .min_by_key(|(d, _)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_farther_than_the_limit_are_not_close() {
        assert_eq!(distance_within("orgin", "origin", 1), Some(1));
        assert_eq!(distance_within("oirgin", "origin", 1), Some(1)); // a transposition
        assert_eq!(distance_within("xx", "origin", 2), None);
        assert_eq!(distance_within(&"a".repeat(100_000), "origin", 3), None);
        assert_eq!(
            closest("metods", ["headers", "methods"], 2),
            Some((1, "methods"))
        );
        assert_eq!(closest("zzz", ["headers", "methods"], 2), None);
    }
}
