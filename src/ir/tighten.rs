//! Tightening a too-broad origin regex: anchor it at both ends and escape the dots between
//! host labels. The constructs used (`^`, `$`, `(?:…)`, `\.`) mean the same in PCRE, RE2 and
//! Go's regexp, so the rewrite holds in every dialect; whether it went far enough is decided
//! by the same weakness analysis the rules use.

use super::origin::{OriginMatcher, attacker_origins, intended_hosts};

/// The anchored, escaped pattern, when it accepts no attacker origin any more and still
/// accepts an origin the original was written for; `None` when anchoring and escaping do
/// not make the pattern safe (`.*example\.com` needs a human) or change nothing.
pub fn tightened_regex(matcher: &OriginMatcher) -> Option<String> {
    let OriginMatcher::Regex { pattern, .. } = matcher else {
        return None;
    };
    let mut inner = pattern.as_str();
    inner = inner.strip_prefix('^').unwrap_or(inner);
    if inner.ends_with('$') && !inner.ends_with("\\$") {
        inner = &inner[..inner.len() - 1];
    }
    let escaped = escape_host_dots(inner);
    let body = if has_top_level_alternation(&escaped) {
        format!("(?:{escaped})")
    } else {
        escaped
    };
    let new = format!("^{body}$");
    if new == *pattern {
        return None;
    }
    let mut candidate = matcher.clone();
    if let OriginMatcher::Regex { pattern, .. } = &mut candidate {
        *pattern = new.clone();
    }
    if !attacker_origins(&candidate).is_empty() {
        return None;
    }
    // The hosts either spelling was written for (the candidate's witness reads `\.` where
    // the original's reads any character).
    let mut hosts = intended_hosts(&candidate);
    hosts.extend(intended_hosts(matcher));
    let still_useful = hosts.iter().any(|h| {
        ["https", "http"].iter().any(|s| {
            let o = format!("{s}://{h}");
            matcher.accepts(&o) && candidate.accepts(&o)
        })
    });
    still_useful.then_some(new)
}

/// The pattern as a whole-origin match (the form every back end writes, anchored by its own
/// syntax): an engine's partial match becomes explicit `.*`, and anchors the pattern
/// already spells at both ends are dropped.
pub fn full_match_form(pattern: &str, anchoring: super::Anchoring) -> String {
    use super::Anchoring;
    let mut anchoring = anchoring;
    let mut p = pattern;
    if !has_top_level_alternation(p) {
        let starts = p.starts_with('^');
        let ends = p.ends_with('$') && !p.ends_with("\\$");
        if starts {
            p = &p[1..];
        }
        if ends {
            p = &p[..p.len() - 1];
        }
        anchoring = match (anchoring, starts, ends) {
            (a, false, false) => a,
            (Anchoring::Full, _, _) | (_, true, true) => Anchoring::Full,
            (Anchoring::StartOnly, _, true) | (Anchoring::EndOnly, true, _) => Anchoring::Full,
            (Anchoring::None | Anchoring::StartOnly, true, false) => Anchoring::StartOnly,
            (Anchoring::None | Anchoring::EndOnly, false, true) => Anchoring::EndOnly,
        };
    }
    let group = |p: &str| {
        if has_top_level_alternation(p) {
            format!("(?:{p})")
        } else {
            p.to_string()
        }
    };
    match anchoring {
        Anchoring::Full => p.to_string(),
        Anchoring::StartOnly => format!("{}.*", group(p)),
        Anchoring::EndOnly => format!(".*{}", group(p)),
        Anchoring::None => format!(".*{}.*", group(p)),
    }
}

/// `.` between two host characters (`app.example`) becomes `\.`; wildcards (`.*`, `(.+)`),
/// escapes and character classes are left alone.
fn escape_host_dots(p: &str) -> String {
    let chars: Vec<char> = p.chars().collect();
    let host = |c: Option<&char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || *c == '-');
    let mut out = String::with_capacity(p.len() + 4);
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                out.push(c);
                if let Some(n) = chars.get(i + 1) {
                    out.push(*n);
                }
                i += 2;
                continue;
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '.' if !in_class
                && i > 0
                && host(chars.get(i - 1))
                && host(chars.get(i + 1))
                && chars[i + 1] != '-' =>
            {
                out.push_str("\\.");
                i += 1;
                continue;
            }
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    out
}

fn has_top_level_alternation(p: &str) -> bool {
    let mut depth = 0i32;
    let mut in_class = false;
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '(' if !in_class => depth += 1,
            ')' if !in_class => depth -= 1,
            '|' if !in_class && depth == 0 => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Anchoring, Case, RegexDialect};

    fn regex(p: &str, anchoring: Anchoring) -> OriginMatcher {
        OriginMatcher::Regex {
            pattern: p.into(),
            dialect: RegexDialect::Pcre,
            anchoring,
            case: Case::Sensitive,
        }
    }

    #[test]
    fn full_match_forms() {
        assert_eq!(full_match_form("^a$", Anchoring::None), "a");
        assert_eq!(full_match_form("^a", Anchoring::None), "a.*");
        assert_eq!(full_match_form("a$", Anchoring::None), ".*a");
        assert_eq!(full_match_form("a", Anchoring::None), ".*a.*");
        assert_eq!(full_match_form("a|b", Anchoring::Full), "a|b");
        assert_eq!(full_match_form("a|b", Anchoring::StartOnly), "(?:a|b).*");
        // `^a|b$` is `(^a)|(b$)`: its anchors are not the whole pattern's.
        assert_eq!(full_match_form("^a|b$", Anchoring::None), ".*(?:^a|b$).*");
        assert_eq!(full_match_form("a\\$", Anchoring::Full), "a\\$");
    }

    #[test]
    fn anchors_and_escapes_a_literal_origin() {
        let m = regex("https://app.example.com", Anchoring::None);
        assert_eq!(
            tightened_regex(&m).as_deref(),
            Some(r"^https://app\.example\.com$")
        );
    }

    #[test]
    fn groups_an_alternation_before_anchoring() {
        let m = regex(
            r"https://a\.example\.com|https://b\.example\.com",
            Anchoring::None,
        );
        assert_eq!(
            tightened_regex(&m).as_deref(),
            Some(r"^(?:https://a\.example\.com|https://b\.example\.com)$")
        );
    }

    #[test]
    fn keeps_groups_and_optional_parts() {
        let m = regex(r"^https://(www|api)\.example.com", Anchoring::None);
        assert_eq!(
            tightened_regex(&m).as_deref(),
            Some(r"^https://(www|api)\.example\.com$")
        );
    }

    #[test]
    fn refuses_what_anchoring_cannot_save() {
        // `.*example` still accepts `https://evilexample.com` when anchored.
        let m = regex(r"^https://.*example\.com", Anchoring::None);
        assert_eq!(tightened_regex(&m), None);
    }

    #[test]
    fn refuses_a_host_only_pattern_that_would_then_match_nothing() {
        let m = regex(r"example\.com", Anchoring::None);
        assert_eq!(tightened_regex(&m), None);
    }

    #[test]
    fn nothing_to_do_on_a_safe_pattern() {
        let m = regex(r"^https://app\.example\.com$", Anchoring::None);
        assert_eq!(tightened_regex(&m), None);
    }

    #[test]
    fn a_fully_anchored_dialect_only_gets_its_dots_escaped() {
        let m = regex("https://app.example.com", Anchoring::Full);
        assert_eq!(
            tightened_regex(&m).as_deref(),
            Some(r"^https://app\.example\.com$")
        );
    }
}
