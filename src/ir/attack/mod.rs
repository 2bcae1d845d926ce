//! Which origins an attacker can own that a matcher accepts, decided on automata.
//!
//! The question is exact: does the matcher accept a browser origin (`http`/`https`, a
//! well-formed lower-case host, an optional non-default port) whose registrable domain
//! (Public Suffix List) is not one the policy's author named? The matcher becomes a reverse
//! DFA (regex-automata) over the whole origin; a breadth-first walk reads candidate origins
//! from their last byte, in step with that DFA, with the list's trie (`psl`) and a trie of
//! the named domains, so the first origin it completes is the shortest such one. No
//! sampling: when the walk ends without one, there is none. A pattern outside the syntax
//! the DFA builder reads, or too large to walk, makes no claim (`None`).

pub mod psl;

use super::origin::{Anchoring, Case, LabelDepth, OriginMatcher, PortMatch};
use regex_automata::dfa::{Automaton, StartKind, dense};
use regex_automata::nfa::thompson;
use regex_automata::util::primitives::StateID;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, MatchKind};
use std::collections::{HashMap, HashSet};

/// Bytes of DFA a matcher may take.
const MAX_DFA_BYTES: usize = 4 << 20;
/// States the walk may visit before it gives up (no claim).
const MAX_STATES: usize = 400_000;

type Dfa = dense::DFA<Vec<u32>>;

/// The matcher's language over whole `Origin` values, as a regex for the DFA builder.
pub fn whole_origin_pattern(matcher: &OriginMatcher) -> Option<String> {
    let any = "(?s-u:.)*";
    let fold = |case: &Case| match case {
        Case::Sensitive => "",
        Case::Insensitive => "(?i)",
    };
    let lit = |s: &str| regex_syntax::escape(s);
    Some(match matcher {
        OriginMatcher::Any => format!(r"\A{any}\z"),
        OriginMatcher::Null => r"\Anull\z".to_string(),
        OriginMatcher::Exact { origin, case } => format!(r"{}\A{}\z", fold(case), lit(origin)),
        OriginMatcher::Prefix { value, case } => format!(r"{}\A{}{any}\z", fold(case), lit(value)),
        OriginMatcher::Suffix { value, case } => format!(r"{}\A{any}{}\z", fold(case), lit(value)),
        OriginMatcher::Subdomains {
            scheme,
            base,
            depth,
            port,
            case,
        } => {
            // As `OriginMatcher::accepts` reads a well-formed origin: labels before the base,
            // then the port rule.
            let labels = match depth {
                LabelDepth::ExactlyOne => r"[^.]+",
                LabelDepth::OneOrMore => r".+",
            };
            let port = match port {
                PortMatch::Default => String::new(),
                PortMatch::Exact(n) => format!(":{n}"),
                PortMatch::Any => "(?::[0-9]*)?".to_string(),
            };
            format!(
                r"{}\A{}://{labels}\.{}{port}\z",
                fold(case),
                lit(scheme),
                lit(base)
            )
        }
        OriginMatcher::Regex {
            pattern,
            anchoring,
            case,
            ..
        } => {
            let (before, after) = match anchoring {
                Anchoring::Full => ("", ""),
                Anchoring::StartOnly => ("", any),
                Anchoring::EndOnly => (any, ""),
                Anchoring::None => (any, any),
            };
            format!(r"{}\A{before}(?:{pattern}){after}\z", fold(case))
        }
    })
}

fn reverse_dfa(pattern: &str) -> Option<Dfa> {
    dfa_builder(true).build(pattern).ok()
}

/// Byte-oriented (origins are ASCII; `\w`, `\d` and case folding ASCII-only, as in PCRE, RE2
/// and Go), membership rather than leftmost matches, bounded in size.
pub(crate) fn dfa_builder(reverse: bool) -> dense::Builder {
    let mut b = dense::Builder::new();
    b.syntax(syntax::Config::new().unicode(false).utf8(false))
        .thompson(thompson::Config::new().reverse(reverse))
        .configure(
            dense::Config::new()
                .start_kind(StartKind::Anchored)
                .match_kind(MatchKind::All)
                .dfa_size_limit(Some(MAX_DFA_BYTES))
                .determinize_size_limit(Some(MAX_DFA_BYTES)),
        );
    b
}

/// The DFA's state at the end of the text, before any byte is read backwards.
fn end_state(dfa: &Dfa) -> Option<StateID> {
    dfa.start_state_reverse(&Input::new("").anchored(Anchored::Yes))
        .ok()
}

/// The DFA states from which the rest of an origin, read backwards, can still lead to a
/// match: `host` for states where host bytes then `scheme://` can, `port` where port digits
/// then `:` reach a `host` state. The DFA's dead state is not the only one that can never
/// match: a thread looping in `.*` beyond a `$`, or one that needs a `:` inside the host,
/// lives on in the DFA, and the walk must not follow it.
struct Live {
    host: HashSet<StateID>,
    port: HashSet<StateID>,
}

fn live_states(dfa: &Dfa, start: StateID) -> Option<Live> {
    // Edges backwards (from a state to those that reach it), host bytes and digits apart.
    let mut host_edges: HashMap<StateID, Vec<StateID>> = HashMap::new();
    let mut seen = HashSet::from([start]);
    let mut todo = vec![start];
    while let Some(s) = todo.pop() {
        for &b in ORIGIN_BYTES {
            let n = dfa.next_state(s, b);
            if dfa.is_dead_state(n) {
                continue;
            }
            if b != b':' && b != b'/' {
                host_edges.entry(n).or_default().push(s);
            }
            if seen.insert(n) {
                if seen.len() > MAX_STATES {
                    return None;
                }
                todo.push(n);
            }
        }
    }
    let closure = |from: HashSet<StateID>, digits_only: bool| {
        let mut live = from;
        let mut todo: Vec<StateID> = live.iter().copied().collect();
        while let Some(s) = todo.pop() {
            for &p in host_edges.get(&s).into_iter().flatten() {
                // Digit edges are those a digit byte takes from `p` to `s`.
                if digits_only && !(b'0'..=b'9').any(|d| dfa.next_state(p, d) == s) {
                    continue;
                }
                if live.insert(p) {
                    todo.push(p);
                }
            }
        }
        live
    };
    let ends_host = seen
        .iter()
        .copied()
        .filter(|s| {
            accepts_with_prefix(dfa, *s, b"https://") || accepts_with_prefix(dfa, *s, b"http://")
        })
        .collect();
    let host = closure(ends_host, false);
    let ends_port = seen
        .iter()
        .copied()
        .filter(|s| host.contains(&dfa.next_state(*s, b':')))
        .collect();
    let port = closure(ends_port, true);
    Some(Live { host, port })
}

impl Live {
    fn allows(&self, at: StateID, phase: Phase) -> bool {
        match phase {
            Phase::Port(_) => self.port.contains(&at),
            Phase::Host { .. } => self.host.contains(&at),
        }
    }
}

/// Whether, from `at`, reading `prefix` backwards reaches the start of a matched origin.
fn accepts_with_prefix(dfa: &Dfa, mut at: StateID, prefix: &[u8]) -> bool {
    for &b in prefix.iter().rev() {
        at = dfa.next_state(at, b);
        if dfa.is_dead_state(at) {
            return false;
        }
    }
    dfa.is_match_state(dfa.next_eoi_state(at))
}

/// The registrable domains a matcher names: those of the hosts its text spells (a regex's
/// alternatives expanded, an unescaped `.` read as the dot it was meant to be). Never a
/// host a class or repetition stands for: `[a-z]+\.com` names no domain.
pub fn named_domains(matcher: &OriginMatcher) -> Vec<String> {
    let mut hosts = super::origin::literal_hosts(matcher);
    if let OriginMatcher::Regex { pattern, .. } = matcher {
        hosts.extend(spelled_hosts(pattern));
    }
    let mut out: Vec<String> = hosts
        .iter()
        .filter_map(|h| psl::registrable_domain(h))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Host names a regex spells, alternatives expanded (`example\.(com|org)` spells
/// `example.com` and `example.org`); classes and repetitions break a name.
fn spelled_hosts(pattern: &str) -> Vec<String> {
    use regex_syntax::hir::{Class, Hir, HirKind};
    const MAX: usize = 64;
    const BREAK: char = ' ';
    fn product(a: Vec<String>, b: Vec<String>) -> Vec<String> {
        if a.len() * b.len() > MAX {
            return vec![BREAK.to_string()];
        }
        a.iter()
            .flat_map(|x| b.iter().map(move |y| format!("{x}{y}")))
            .collect()
    }
    fn any_char(c: &Class) -> bool {
        match c {
            Class::Unicode(u) => {
                u.ranges()
                    .iter()
                    .any(|r| r.start() <= 'a' && 'z' <= r.end())
                    && u.ranges()
                        .iter()
                        .any(|r| r.start() <= '!' && '!' <= r.end())
            }
            Class::Bytes(b) => {
                b.ranges()
                    .iter()
                    .any(|r| r.start() <= b'a' && b'z' <= r.end())
                    && b.ranges()
                        .iter()
                        .any(|r| r.start() <= b'!' && b'!' <= r.end())
            }
        }
    }
    fn walk(h: &Hir) -> Vec<String> {
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => vec![String::new()],
            HirKind::Literal(l) => vec![String::from_utf8_lossy(&l.0).into_owned()],
            HirKind::Class(c) if any_char(c) => vec![".".to_string()],
            HirKind::Class(_) => vec![BREAK.to_string()],
            HirKind::Repetition(r) if r.min == 0 && r.max == Some(1) => {
                let mut v = walk(&r.sub);
                v.push(String::new());
                v
            }
            HirKind::Repetition(_) => vec![BREAK.to_string()],
            HirKind::Capture(c) => walk(&c.sub),
            HirKind::Concat(parts) => parts
                .iter()
                .fold(vec![String::new()], |acc, p| product(acc, walk(p))),
            HirKind::Alternation(alts) => {
                let v: Vec<String> = alts.iter().flat_map(walk).collect();
                if v.len() > MAX {
                    vec![BREAK.to_string()]
                } else {
                    v
                }
            }
        }
    }
    let Ok(hir) = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
    else {
        return Vec::new();
    };
    walk(&hir)
        .iter()
        .flat_map(|s| super::origin::host_runs(s))
        .collect()
}

/// How far the labels read so far (from the right) are past the public suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Past {
    /// No rule of the list covers the labels read.
    NoSuffix,
    /// The labels read end exactly at a public suffix.
    AtSuffix,
    /// One label or more past it: the registrable domain is complete; whether it is named.
    Registrable { named: bool },
}

/// The left-most byte of the label being read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Label {
    Empty,
    Alnum,
    Hyphen,
}

/// The port read so far, as far as the default-port rule needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Port {
    None,
    /// Digits read backwards: how many, whether the left-most is `0`, and how far they spell
    /// a default port.
    Digits {
        count: u8,
        zero_first: bool,
        tail: PortTail,
    },
}

/// The digits read backwards, against `443` and `80` read backwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum PortTail {
    Three,
    FourThree,
    Https,
    Zero,
    Http,
    Other,
}

impl PortTail {
    fn after(tail: Option<PortTail>, digit: u8) -> PortTail {
        match (tail, digit) {
            (None, b'3') => PortTail::Three,
            (None, b'0') => PortTail::Zero,
            (Some(PortTail::Three), b'4') => PortTail::FourThree,
            (Some(PortTail::FourThree), b'4') => PortTail::Https,
            (Some(PortTail::Zero), b'8') => PortTail::Http,
            _ => PortTail::Other,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Phase {
    /// Reading the port's digits (backwards); `:` ends it.
    Port(Port),
    Host {
        port: Port,
        psl: Option<psl::NodeId>,
        /// The label being read follows a node with a `*.` rule.
        wild_parent: bool,
        past: Past,
        /// Where the bytes read stand in the trie of named domains.
        named: Option<psl::NodeId>,
        label: Label,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct State {
    dfa: StateID,
    phase: Phase,
}

struct Walk<'a> {
    dfa: &'a Dfa,
    trie: &'a psl::Trie,
    /// The named domains, as a trie of their own.
    named: &'a psl::Trie,
}

impl Walk<'_> {
    fn host_start(&self, port: Port) -> Phase {
        Phase::Host {
            port,
            psl: Some(psl::ROOT),
            wild_parent: false,
            past: Past::NoSuffix,
            named: Some(psl::ROOT),
            label: Label::Empty,
        }
    }

    /// The label just read is complete: where it leaves the public suffix.
    fn close_label(
        &self,
        psl: Option<psl::NodeId>,
        wild_parent: bool,
        past: Past,
        named: Option<psl::NodeId>,
    ) -> Past {
        let named_here = named.is_some_and(|n| self.named.is_rule(n));
        if psl.is_some_and(|n| self.trie.is_exception(n)) {
            return Past::Registrable { named: named_here };
        }
        if wild_parent || psl.is_some_and(|n| self.trie.is_rule(n)) {
            return Past::AtSuffix;
        }
        match past {
            Past::NoSuffix => Past::NoSuffix,
            Past::AtSuffix => Past::Registrable { named: named_here },
            r @ Past::Registrable { .. } => r,
        }
    }

    fn next(&self, phase: Phase, b: u8) -> Option<Phase> {
        match phase {
            Phase::Port(port) => match (b, port) {
                (
                    b':',
                    Port::Digits {
                        zero_first: false, ..
                    },
                ) => Some(self.host_start(port)),
                (b'0'..=b'9', Port::None) => Some(Phase::Port(Port::Digits {
                    count: 1,
                    zero_first: b == b'0',
                    tail: PortTail::after(None, b),
                })),
                (b'0'..=b'9', Port::Digits { count, tail, .. }) if count < 5 => {
                    Some(Phase::Port(Port::Digits {
                        count: count + 1,
                        zero_first: b == b'0',
                        tail: PortTail::after(Some(tail), b),
                    }))
                }
                _ => None,
            },
            Phase::Host {
                port,
                psl,
                wild_parent,
                past,
                named,
                label,
            } => {
                let stepped = (
                    psl.and_then(|n| self.trie.step(n, b)),
                    named.and_then(|n| self.named.step(n, b)),
                );
                let (label, wild_parent, past) = match (b, label) {
                    (b'a'..=b'z' | b'0'..=b'9', _) => (Label::Alnum, wild_parent, past),
                    (b'-', Label::Alnum | Label::Hyphen) => (Label::Hyphen, wild_parent, past),
                    // A label ends: the next one follows the node this one reached.
                    (b'.', Label::Alnum) => (
                        Label::Empty,
                        psl.is_some_and(|n| self.trie.is_wildcard(n)),
                        self.close_label(psl, wild_parent, past, named),
                    ),
                    _ => return None,
                };
                self.alive(Phase::Host {
                    port,
                    psl: stepped.0,
                    wild_parent,
                    past,
                    named: stepped.1,
                    label,
                })
            }
        }
    }

    /// `None` for a host that can no longer become one an attacker owns: off the list's
    /// trie, no `*.` rule pending, and no suffix or a named registrable domain.
    fn alive(&self, phase: Phase) -> Option<Phase> {
        if let Phase::Host {
            psl: None,
            wild_parent: false,
            past,
            ..
        } = phase
            && matches!(past, Past::NoSuffix | Past::Registrable { named: true })
        {
            return None;
        }
        Some(phase)
    }

    /// Whether the bytes read so far, after `scheme://`, make an origin the matcher accepts
    /// whose registrable domain someone else owns.
    fn completes(&self, state: State, scheme: &Scheme) -> bool {
        let Phase::Host {
            port,
            psl,
            wild_parent,
            past,
            named,
            label: Label::Alnum,
        } = state.phase
        else {
            return false;
        };
        if !matches!(
            self.close_label(psl, wild_parent, past, named),
            Past::Registrable { named: false }
        ) {
            return false;
        }
        if let Port::Digits { tail, .. } = port
            && tail == scheme.default_port
        {
            return false;
        }
        accepts_with_prefix(self.dfa, state.dfa, scheme.prefix)
    }
}

/// A scheme the walk completes origins with, `https` first.
struct Scheme {
    prefix: &'static [u8],
    /// The port browsers leave out of its origins.
    default_port: PortTail,
}

const SCHEMES: [Scheme; 2] = [
    Scheme {
        prefix: b"https://",
        default_port: PortTail::Https,
    },
    Scheme {
        prefix: b"http://",
        default_port: PortTail::Http,
    },
];

/// The bytes a host or port may hold, in the order the walk tries them (letters first, so
/// among origins of one length the most readable comes first).
const HOST_BYTES: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789-.:";
/// Every byte of an origin the walk builds.
const ORIGIN_BYTES: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789-.:/";

/// What the search found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The shortest origin the matcher accepts whose registrable domain it does not name
    /// (`https` preferred among the shortest hosts).
    Accepts(String),
    /// No such origin exists.
    NoneOutside,
}

/// Decide whether `matcher` accepts an origin outside `domains`, the ones it names
/// ([`named_domains`]); `None` when the matcher is outside what the DFA builder reads or the
/// walk is too long.
pub fn outside_origin(matcher: &OriginMatcher, domains: &[String]) -> Option<Verdict> {
    let dfa = reverse_dfa(&whole_origin_pattern(matcher)?)?;
    let named = psl::Trie::of_names(domains);
    let live = live_states(&dfa, end_state(&dfa)?)?;
    // Under `com` alone a host's registrable domain can read shorter than under the whole
    // list (`app.herokuapp.com`): a witness found there counts once the list agrees.
    if let Some(Verdict::Accepts(origin)) = search(&dfa, &live, &named, psl::common())
        && owned_by_others(&origin, domains)
    {
        return Some(Verdict::Accepts(origin));
    }
    search(&dfa, &live, &named, psl::trie())
}

/// Whether `origin` is one a browser can send (a lower-case DNS host) and its host has a
/// registrable domain that is not among `named`.
pub fn owned_by_others(origin: &str, named: &[String]) -> bool {
    let Some(host) = origin_host(origin) else {
        return false;
    };
    let well_formed = host
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    well_formed && psl::registrable_domain(host).is_some_and(|d| !named.contains(&d))
}

/// The host of `scheme://host[:port]`; `None` without `://`.
pub fn origin_host(origin: &str) -> Option<&str> {
    let (_, rest) = origin.split_once("://")?;
    Some(rest.rsplit_once(':').map_or(rest, |(h, _)| h))
}

fn search(dfa: &Dfa, live: &Live, named: &psl::Trie, trie: &psl::Trie) -> Option<Verdict> {
    let walk = Walk { dfa, trie, named };
    let start = end_state(dfa)?;
    let mut parent: HashMap<State, (State, u8)> = HashMap::new();
    let mut layer: Vec<State> = Vec::new();
    for phase in [walk.host_start(Port::None), Phase::Port(Port::None)] {
        if !live.allows(start, phase) {
            continue;
        }
        let s = State { dfa: start, phase };
        layer.push(s);
        parent.insert(s, (s, 0));
    }
    while !layer.is_empty() {
        let found = SCHEMES.iter().find_map(|scheme| {
            let s = layer.iter().find(|s| walk.completes(**s, scheme))?;
            Some((scheme, *s))
        });
        if let Some((scheme, s)) = found {
            let prefix = String::from_utf8_lossy(scheme.prefix);
            return Some(Verdict::Accepts(format!("{prefix}{}", spell(&parent, s))));
        }
        let mut next_layer = Vec::new();
        for s in layer {
            for &b in HOST_BYTES {
                let Some(phase) = walk.next(s.phase, b) else {
                    continue;
                };
                let d = dfa.next_state(s.dfa, b);
                if !live.allows(d, phase) {
                    continue;
                }
                let n = State { dfa: d, phase };
                if let std::collections::hash_map::Entry::Vacant(e) = parent.entry(n) {
                    e.insert((s, b));
                    next_layer.push(n);
                }
            }
        }
        if parent.len() > MAX_STATES {
            return None;
        }
        layer = next_layer;
    }
    Some(Verdict::NoneOutside)
}

/// The bytes that led to `s`, in origin order (they were read backwards).
fn spell(parent: &HashMap<State, (State, u8)>, mut s: State) -> String {
    let mut out = Vec::new();
    while let Some(&(p, b)) = parent.get(&s) {
        if p == s {
            break;
        }
        out.push(b);
        s = p;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Bytes a browser's serialized origin may hold after `scheme://`: a lower-case host (IPv6
/// in brackets) and a port. Generous on purpose: a matcher is called dead only when it
/// accepts none of these.
const AUTHORITY_BYTES: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789.-_~!$&'()*+,;=%[]:";

/// Where a backwards read of `scheme://authority` stands.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Shape {
    Authority {
        empty: bool,
    },
    /// `/`, `//` or `://` read.
    Separator(u8),
    Scheme {
        letter_first: bool,
    },
}

/// Whether `matcher` accepts any `Origin` a browser can send (`null` or `scheme://host`);
/// `None` when the DFA cannot be built or walked.
pub fn matches_some_browser_origin(matcher: &OriginMatcher) -> Option<bool> {
    if matcher.accepts("null") {
        return Some(true);
    }
    let dfa = reverse_dfa(&whole_origin_pattern(matcher)?)?;
    let start = end_state(&dfa)?;
    let first = (start, Shape::Authority { empty: true });
    let mut seen = HashSet::from([first]);
    let mut todo = vec![first];
    while let Some((at, shape)) = todo.pop() {
        if let Shape::Scheme { letter_first: true } = shape
            && dfa.is_match_state(dfa.next_eoi_state(at))
        {
            return Some(true);
        }
        let bytes: &[u8] = match shape {
            Shape::Authority { .. } => AUTHORITY_BYTES,
            Shape::Separator(_) => b"/:",
            Shape::Scheme { .. } => b"abcdefghijklmnopqrstuvwxyz0123456789+.-",
        };
        for &b in bytes.iter().chain(b"/") {
            let next = match (shape, b) {
                (Shape::Authority { empty: false }, b'/') => Shape::Separator(1),
                (Shape::Authority { .. }, b'/') => continue,
                (Shape::Authority { .. }, _) => Shape::Authority { empty: false },
                (Shape::Separator(1), b'/') => Shape::Separator(2),
                (Shape::Separator(2), b':') => Shape::Scheme {
                    letter_first: false,
                },
                (Shape::Separator(_), _) => continue,
                (Shape::Scheme { .. }, b'/') => continue,
                (Shape::Scheme { .. }, _) => Shape::Scheme {
                    letter_first: b.is_ascii_lowercase(),
                },
            };
            let d = dfa.next_state(at, b);
            if dfa.is_dead_state(d) || !seen.insert((d, next)) {
                continue;
            }
            if seen.len() > MAX_STATES {
                return None;
            }
            todo.push((d, next));
        }
    }
    Some(false)
}

#[cfg(test)]
mod tests;
