//! Locations nginx never selects. nginx takes an exact `=` location, else the longest prefix
//! if it is `^~`, else the first regex location (`~`, `~*`) in file order that matches, else
//! the longest prefix. So a regex location is never taken when every URI it matches an
//! earlier regex matches too, and a plain prefix location never when every URI under it
//! matches some regex. Each question is the inclusion of two regular languages, decided on
//! dense DFAs (regex-automata) by walking their product: no sampling, no false claim. A
//! pattern outside the syntax the DFA builder reads (PCRE look-around, back-references) or
//! too large to determinize makes no claim.

use super::syntax::Statement;
use regex_automata::dfa::{Automaton, dense};
use regex_automata::util::primitives::StateID;
use regex_automata::{Anchored, Input};

/// A location nginx never selects, and the earlier locations that take its requests.
pub struct Shadowed<'a> {
    pub location: &'a Statement,
    pub by: Vec<&'a Statement>,
}

/// Pairs of states the product walk may visit before it gives up (no claim).
const MAX_PAIRS: usize = 200_000;

fn modifier(s: &Statement) -> &str {
    if s.args.len() == 2 {
        &s.args[0].value
    } else {
        ""
    }
}

fn pattern(s: &Statement) -> &str {
    s.args.last().map_or("", |a| a.value.as_str())
}

/// `(?i:…)` or `(?-i:…)` around a location's regex, as nginx matches it (`~*` ignores case).
fn flagged(s: &Statement) -> String {
    let flag = if modifier(s) == "~*" { "i" } else { "-i" };
    format!("(?{flag}:{})", pattern(s))
}

/// A DFA whose language is the strings `inner` matches somewhere (a PCRE search).
fn search_dfa(inner: &str) -> Option<dense::DFA<Vec<u32>>> {
    full_dfa(&format!(r"\A(?s-u:.)*(?:{inner})(?s-u:.)*\z"))
}

fn full_dfa(pattern: &str) -> Option<dense::DFA<Vec<u32>>> {
    // Membership, not a leftmost match: every string the pattern matches whole.
    crate::ir::attack::dfa_builder(false).build(pattern).ok()
}

/// `Some(true)` when every string `a` accepts `b` accepts too; `None` when the walk is too
/// long to finish.
fn included(a: &dense::DFA<Vec<u32>>, b: &dense::DFA<Vec<u32>>) -> Option<bool> {
    reaches(a, b, |x, y| x && !y, false).map(|found| !found)
}

/// `Some(true)` when some string both accept.
fn intersects(a: &dense::DFA<Vec<u32>>, b: &dense::DFA<Vec<u32>>) -> Option<bool> {
    reaches(a, b, |x, y| x && y, true)
}

/// Walk the product of `a` and `b` over URIs (strings after a leading `/`, which nginx's
/// normalized URI always has): `Some(true)` when a pair of states whose acceptance `found`
/// holds for is reachable; `None` when the walk is too long. `b_must_live` prunes pairs
/// where `b` can accept nothing more.
fn reaches(
    a: &dense::DFA<Vec<u32>>,
    b: &dense::DFA<Vec<u32>>,
    found: impl Fn(bool, bool) -> bool,
    b_must_live: bool,
) -> Option<bool> {
    let start = |d: &dense::DFA<Vec<u32>>| {
        d.start_state_forward(&Input::new("").anchored(Anchored::Yes))
            .ok()
            .map(|s| d.next_state(s, b'/'))
    };
    let accepts = |d: &dense::DFA<Vec<u32>>, s: StateID| d.is_match_state(d.next_eoi_state(s));
    let (sa, sb) = (start(a)?, start(b)?);
    let mut seen = std::collections::HashSet::new();
    let mut todo = vec![(sa, sb)];
    seen.insert((sa, sb));
    while let Some((x, y)) = todo.pop() {
        if found(accepts(a, x), accepts(b, y)) {
            return Some(true);
        }
        for byte in 0..=255u8 {
            let (nx, ny) = (a.next_state(x, byte), b.next_state(y, byte));
            if a.is_dead_state(nx) || (b_must_live && b.is_dead_state(ny)) {
                continue;
            }
            if seen.insert((nx, ny)) {
                if seen.len() > MAX_PAIRS {
                    return None;
                }
                todo.push((nx, ny));
            }
        }
    }
    Some(false)
}

/// The locations among `body`'s direct children that nginx never selects.
pub fn shadowed(body: &[Statement]) -> Vec<Shadowed<'_>> {
    let locations: Vec<&Statement> = body.iter().filter(|s| s.name.value == "location").collect();
    let regexes: Vec<&Statement> = locations
        .iter()
        .copied()
        .filter(|s| matches!(modifier(s), "~" | "~*"))
        .collect();
    let mut out = Vec::new();
    if regexes.is_empty() {
        return out;
    }
    for (k, r) in regexes.iter().enumerate().skip(1) {
        let earlier = &regexes[..k];
        let union: Vec<String> = earlier.iter().map(|e| flagged(e)).collect();
        let (Some(a), Some(b)) = (search_dfa(&flagged(r)), search_dfa(&union.join("|"))) else {
            continue;
        };
        if included(&a, &b) == Some(true) {
            out.push(Shadowed {
                location: r,
                by: takers(earlier, &a),
            });
        }
    }
    for p in locations.iter().filter(|s| modifier(s).is_empty()) {
        let Some(rest) = pattern(p).strip_prefix('/') else {
            continue;
        };
        let literal = regex_syntax::escape(rest);
        let union: Vec<String> = regexes.iter().map(|e| flagged(e)).collect();
        let (Some(a), Some(b)) = (
            full_dfa(&format!(r"\A/{literal}(?s-u:.)*\z")),
            search_dfa(&union.join("|")),
        ) else {
            continue;
        };
        if included(&a, &b) == Some(true) {
            out.push(Shadowed {
                location: p,
                by: takers(&regexes, &a),
            });
        }
    }
    out
}

/// The earlier regexes that take some of the URIs `a` accepts (those whose language meets
/// it), for the message.
fn takers<'a>(earlier: &[&'a Statement], a: &dense::DFA<Vec<u32>>) -> Vec<&'a Statement> {
    let meets = |e: &Statement| {
        let Some(b) = search_dfa(&flagged(e)) else {
            return true;
        };
        // `a` ∩ `b` is not empty when `a` is not included in the complement of `b`: walk the
        // product for a string both accept.
        intersects(a, &b).unwrap_or(true)
    };
    let found: Vec<&Statement> = earlier.iter().copied().filter(|e| meets(e)).collect();
    if found.is_empty() {
        earlier.to_vec()
    } else {
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::nginx::syntax::parse;

    fn shadowed_names(src: &str) -> Vec<(String, Vec<String>)> {
        let c = parse(src.as_bytes()).unwrap();
        shadowed(&c.statements)
            .into_iter()
            .map(|s| {
                (
                    pattern(s.location).to_string(),
                    s.by.iter().map(|b| pattern(b).to_string()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn a_regex_every_match_of_which_an_earlier_one_takes() {
        let src = r"location ~* \.(js|css|png)$ {} location ~ \.css$ {} location ~ \.svg$ {}";
        assert_eq!(
            shadowed_names(src),
            [(r"\.css$".to_string(), vec![r"\.(js|css|png)$".to_string()])]
        );
        // Case matters: `~` does not cover what `~*` matches.
        let src = r"location ~ \.css$ {} location ~* \.css$ {}";
        assert!(shadowed_names(src).is_empty());
        let src = r"location ~* \.css$ {} location ~ \.CSS$ {}";
        assert_eq!(shadowed_names(src).len(), 1);
    }

    #[test]
    fn a_prefix_every_uri_under_which_a_regex_takes() {
        let src = r"location ~ / {} location /api/ {} location = /x {}";
        assert_eq!(
            shadowed_names(src),
            [("/api/".to_string(), vec!["/".to_string()])]
        );
        // `^~` and `=` locations win over regexes; a regex that leaves some URIs free does
        // not shadow.
        let src = r"location ~ ^/api/v1/ {} location ^~ /api/ {} location /api/ {}";
        assert!(shadowed_names(src).is_empty());
        let src = r"location ~ \.php$ {} location /api/ {}";
        assert!(shadowed_names(src).is_empty());
        // Two regexes together cover it.
        let src = r"location ~ ^/api/[a-m] {} location ~ ^/api/([^a-m]|$) {} location /api/ {}";
        assert_eq!(shadowed_names(src).len(), 1);
    }

    #[test]
    fn pcre_only_syntax_claims_nothing() {
        let src = r"location ~ ^/(?!static) {} location /api/ {}";
        assert!(shadowed_names(src).is_empty());
    }

    /// The analysis agrees with the location choice the nginx model makes (the one the
    /// oracles check against a real nginx): over every URI of up to six characters of a small
    /// alphabet, a shadowed location is never chosen and every other one sometimes is.
    #[test]
    fn agrees_with_the_location_choice_of_the_nginx_model() {
        let configs = [
            r"location ~* \.(js|css)$ {} location ~ \.css$ {} location ~ s$ {} location / {}",
            r"location ~ / {} location /a {} location = /c {}",
            r"location ~ ^/a[s.] {} location ~ ^/a([^s.]|$) {} location /a {} location /s {}",
            r"location ~ A {} location ~* a {} location ~ a {} location / {}",
        ];
        let alphabet = ['a', 's', '.', 'c', 'A', '/'];
        let mut uris = vec!["/".to_string()];
        let mut frontier = uris.clone();
        for _ in 0..5 {
            let next: Vec<String> = frontier
                .iter()
                .flat_map(|u| alphabet.iter().map(move |c| format!("{u}{c}")))
                .collect();
            uris.extend(next.iter().cloned());
            frontier = next;
        }
        for src in configs {
            let c = parse(src.as_bytes()).unwrap();
            let never: Vec<*const Statement> = shadowed(&c.statements)
                .iter()
                .map(|s| s.location as *const Statement)
                .collect();
            let mut chosen = std::collections::HashSet::new();
            for u in &uris {
                if let Some(l) = crate::frontend::nginx::eval::select_location(&c.statements, u) {
                    assert!(
                        !never.contains(&(l as *const Statement)),
                        "{src}: `{u}` chooses a location called never selected"
                    );
                    chosen.insert(l as *const Statement);
                }
            }
            for l in c.statements.iter().filter(|s| s.name.value == "location") {
                let p = l as *const Statement;
                let exact = l.args.len() == 2 && l.args[0].value == "=";
                assert!(
                    never.contains(&p) || chosen.contains(&p) || exact,
                    "{src}: `{}` is never chosen but not reported",
                    pattern(l)
                );
            }
            assert!(!never.is_empty(), "{src}");
        }
    }
}
