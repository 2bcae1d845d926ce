//! The Public Suffix List as a trie over the characters of reversed host names.
//!
//! Who can create a host is a question of its registrable domain: the public suffix the list
//! names (`com`, `co.uk`, `github.io`) and one label more. The attacker search walks this trie
//! one character at a time, from the end of the host, in step with the matcher's reverse DFA,
//! so the trie is over characters rather than labels; `registrable_domain` reads it the same
//! way. Rules outside ASCII are left out: browsers send hosts in Punycode, and an attacker has
//! the ASCII suffixes besides (a policy naming a domain under an internationalised suffix gets
//! no claim, never a false one).

use std::sync::OnceLock;

const RULES: &str = include_str!("public_suffix_rules.txt");

/// RFC 2606's documentation suffix stands for any suffix an attacker registers under, so the
/// examples' `evil.example` counts as a domain someone else owns.
const DOCUMENTATION_SUFFIX: &str = "example";

pub type NodeId = u32;

#[derive(Default)]
struct Node {
    /// Children by byte, sorted.
    next: Vec<(u8, NodeId)>,
    /// The path from the root, reversed, is a rule: a public suffix.
    rule: bool,
    /// `*.` and this path is a rule: any one label more is a public suffix.
    wildcard: bool,
    /// `!` and this path is a rule: this host is registrable, its parent is the suffix.
    exception: bool,
}

pub struct Trie {
    nodes: Vec<Node>,
}

pub const ROOT: NodeId = 0;

impl Trie {
    fn insert(&mut self, reversed: impl Iterator<Item = u8>) -> NodeId {
        let mut at = ROOT;
        for b in reversed {
            at = match self.nodes[at as usize]
                .next
                .binary_search_by_key(&b, |(k, _)| *k)
            {
                Ok(i) => self.nodes[at as usize].next[i].1,
                Err(i) => {
                    let id = self.nodes.len() as NodeId;
                    self.nodes.push(Node::default());
                    self.nodes[at as usize].next.insert(i, (b, id));
                    id
                }
            };
        }
        at
    }

    fn parse(text: &str) -> Trie {
        let mut trie = Trie {
            nodes: vec![Node::default()],
        };
        let rules = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("//") && l.is_ascii())
            .chain([DOCUMENTATION_SUFFIX]);
        for rule in rules {
            let (rule, exception) = match rule.strip_prefix('!') {
                Some(r) => (r, true),
                None => (rule, false),
            };
            let (rule, wildcard) = match rule.strip_prefix("*.") {
                Some(r) => (r, true),
                None => (rule, false),
            };
            let id = trie.insert(rule.to_ascii_lowercase().bytes().rev());
            let node = &mut trie.nodes[id as usize];
            match (exception, wildcard) {
                (true, _) => node.exception = true,
                (false, true) => node.wildcard = true,
                (false, false) => node.rule = true,
            }
        }
        trie
    }

    /// A trie of `names`, reversed, each one a rule: the domains a matcher names, walked
    /// beside the list's own trie.
    pub fn of_names(names: &[String]) -> Trie {
        let mut trie = Trie {
            nodes: vec![Node::default()],
        };
        for name in names {
            let id = trie.insert(name.bytes().rev());
            trie.nodes[id as usize].rule = true;
        }
        trie
    }

    pub fn step(&self, at: NodeId, byte: u8) -> Option<NodeId> {
        let next = &self.nodes[at as usize].next;
        next.binary_search_by_key(&byte, |(k, _)| *k)
            .ok()
            .map(|i| next[i].1)
    }

    pub fn is_rule(&self, at: NodeId) -> bool {
        self.nodes[at as usize].rule
    }

    pub fn is_wildcard(&self, at: NodeId) -> bool {
        self.nodes[at as usize].wildcard
    }

    pub fn is_exception(&self, at: NodeId) -> bool {
        self.nodes[at as usize].exception
    }
}

/// The list, parsed once.
pub fn trie() -> &'static Trie {
    static TRIE: OnceLock<Trie> = OnceLock::new();
    TRIE.get_or_init(|| Trie::parse(RULES))
}

/// `com` alone: the first search looks only there, where a witness is quick to find and
/// reads plainly; the whole list decides when it finds none.
pub fn common() -> &'static Trie {
    static TRIE: OnceLock<Trie> = OnceLock::new();
    TRIE.get_or_init(|| Trie::parse("com"))
}

/// The number of labels of `host`'s public suffix under the list's rules (longest rule wins,
/// an exception rule over every other), `None` when no rule of the list covers it (the
/// implicit `*` rule is not taken: nobody registers under a suffix that does not exist).
fn suffix_labels(trie: &Trie, host: &str) -> Option<usize> {
    let mut best = None;
    let mut at = Some(ROOT);
    for (i, label) in host.rsplit('.').enumerate() {
        let Some(parent) = at else { break };
        let mut node = if i == 0 {
            Some(parent)
        } else {
            trie.step(parent, b'.')
        };
        for b in label.bytes().rev() {
            node = node.and_then(|n| trie.step(n, b));
        }
        if node.is_some_and(|n| trie.is_exception(n)) {
            return Some(i);
        }
        if trie.is_wildcard(parent) && i > 0 || node.is_some_and(|n| trie.is_rule(n)) {
            best = Some(i + 1);
        }
        at = node;
    }
    best
}

/// `host`'s registrable domain (`app.example.co.uk` → `example.co.uk`), or `None` for a
/// public suffix itself, an IP address, a single label or a host under no listed suffix.
pub fn registrable_domain(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.is_empty() || host.split('.').any(str::is_empty) {
        return None;
    }
    let n = suffix_labels(trie(), &host)?;
    let labels: Vec<&str> = host.split('.').collect();
    (labels.len() > n).then(|| labels[labels.len() - n - 1..].join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrable_domains_follow_the_list() {
        let cases = [
            ("app.example.com", Some("example.com")),
            ("example.com", Some("example.com")),
            ("com", None),
            ("a.b.example.co.uk", Some("example.co.uk")),
            ("co.uk", None),
            ("evil.github.io", Some("evil.github.io")),
            ("github.io", None),
            // `*.ck` with the exception `!www.ck`.
            ("a.b.ck", Some("a.b.ck")),
            ("b.ck", None),
            ("www.ck", Some("www.ck")),
            ("x.www.ck", Some("www.ck")),
            ("localhost", None),
            ("127.0.0.1", None),
            ("intranet.corp", None),
            ("app.example.com.evil.example", Some("evil.example")),
        ];
        for (host, want) in cases {
            assert_eq!(registrable_domain(host).as_deref(), want, "{host}");
        }
    }

    /// The trie reads the list as the psl crate does: every ASCII rule, one and two labels
    /// under it, and the exceptions.
    #[test]
    fn agrees_with_the_psl_crate() {
        let mut checked = 0;
        for rule in RULES
            .lines()
            .filter(|l| !l.starts_with("//") && l.is_ascii())
        {
            let base = rule.trim_start_matches('!').trim_start_matches("*.");
            for host in [
                base.to_string(),
                format!("zz9.{base}"),
                format!("a.zz9.{base}"),
            ] {
                let ours = registrable_domain(&host);
                let theirs = psl::domain_str(&host).map(str::to_string);
                // The crate falls back to the implicit `*` rule; ours makes no claim there.
                if ours.is_some() {
                    assert_eq!(ours, theirs, "{host}");
                }
                checked += 1;
            }
        }
        assert!(checked > 20_000, "{checked}");
    }
}
