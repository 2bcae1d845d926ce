//! Origins: the matchers servers use, and what browsers accept in `Access-Control-Allow-Origin`.
//!
//! A browser compares the (whitespace-trimmed) `Access-Control-Allow-Origin` value byte for
//! byte with the page's serialized origin (Fetch "CORS check"): lower-case scheme and host,
//! no default port, no path, no trailing slash, exactly one origin. Anything else fails.

use crate::memo::Memo;
use std::ops::Range;

/// How a server decides whether a request's `Origin` is allowed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OriginMatcher {
    /// Every origin (`*`, a `.*` regex, reflecting `$http_origin`).
    Any,
    /// The opaque origin `null` (sandboxed iframes, `data:` and `file:` pages).
    Null,
    /// One serialized origin.
    Exact { origin: String, case: Case },
    /// Subdomains of `base` (`https://*.example.com`).
    Subdomains {
        scheme: String,
        base: String,
        depth: LabelDepth,
        port: PortMatch,
        case: Case,
    },
    /// A regular expression, with the anchoring and case rules of its engine.
    Regex {
        pattern: String,
        dialect: RegexDialect,
        anchoring: Anchoring,
        case: Case,
    },
    /// A raw string prefix (Envoy/Istio `prefix:`), not aware of origin boundaries.
    Prefix { value: String, case: Case },
    /// A raw string suffix.
    Suffix { value: String, case: Case },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Case {
    Sensitive,
    Insensitive,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LabelDepth {
    /// `*` is exactly one DNS label (ingress-nginx).
    ExactlyOne,
    /// `*` is one or more labels (Gateway API).
    OneOrMore,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PortMatch {
    Default,
    Exact(u16),
    Any,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Anchoring {
    Full,
    StartOnly,
    EndOnly,
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegexDialect {
    Pcre,
    Re2,
    GoRegexp,
}

/// What a server sends when a matcher accepts the request's origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnMatch {
    /// The request's `Origin`, echoed.
    EchoOrigin,
    /// The request's `Origin` without a written default port (`http://a.example:80` →
    /// `http://a.example`), echoed; the matchers are tried against that form too (Kong's
    /// `normalize_origin`). Browsers never write a default port, so only the answer to a
    /// hand-made request differs from [`OnMatch::EchoOrigin`].
    EchoNormalisedOrigin,
    /// A literal `*`.
    LiteralStar,
}

impl OnMatch {
    /// Whether a matching origin is sent back (in some form) rather than `*`.
    pub fn echoes(self) -> bool {
        self != OnMatch::LiteralStar
    }

    /// The form of the request's `Origin` the matchers see and an echo sends.
    pub fn subject(self, origin: &str) -> std::borrow::Cow<'_, str> {
        match self {
            OnMatch::EchoNormalisedOrigin => without_default_port(origin),
            OnMatch::EchoOrigin | OnMatch::LiteralStar => origin.into(),
        }
    }
}

/// `scheme://host:port` without `:port` when it is the scheme's default (`80` for `http`,
/// `443` for `https`, written exactly so); anything else as it is.
pub fn without_default_port(origin: &str) -> std::borrow::Cow<'_, str> {
    let Some((scheme, authority)) = origin.split_once("://") else {
        return origin.into();
    };
    let default = match scheme {
        "http" => ":80",
        "https" => ":443",
        _ => return origin.into(),
    };
    match authority.strip_suffix(default) {
        Some(host) if !host.is_empty() && !host.contains(['/', '?', '#']) => {
            format!("{scheme}://{host}").into()
        }
        _ => origin.into(),
    }
}

impl OriginMatcher {
    /// Whether the server accepts this request `Origin` value.
    pub fn accepts(&self, origin: &str) -> bool {
        let fold = |case: &Case, s: &str| match case {
            Case::Sensitive => s.to_string(),
            Case::Insensitive => s.to_ascii_lowercase(),
        };
        match self {
            OriginMatcher::Any => true,
            OriginMatcher::Null => origin == "null",
            OriginMatcher::Exact { origin: o, case } => fold(case, o) == fold(case, origin),
            OriginMatcher::Prefix { value, case } => {
                fold(case, origin).starts_with(&fold(case, value))
            }
            OriginMatcher::Suffix { value, case } => {
                fold(case, origin).ends_with(&fold(case, value))
            }
            OriginMatcher::Subdomains {
                scheme,
                base,
                depth,
                port,
                case,
            } => {
                let o = fold(case, origin);
                let Some(rest) = o.strip_prefix(&format!("{}://", fold(case, scheme))) else {
                    return false;
                };
                let (host, p) = match rest.rsplit_once(':') {
                    Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => (h, Some(p)),
                    _ => (rest, None),
                };
                let port_ok = match port {
                    PortMatch::Any => true,
                    PortMatch::Default => p.is_none(),
                    PortMatch::Exact(n) => p == Some(n.to_string().as_str()),
                };
                let Some(labels) = host.strip_suffix(&format!(".{}", fold(case, base))) else {
                    return false;
                };
                let depth_ok = match depth {
                    LabelDepth::ExactlyOne => !labels.is_empty() && !labels.contains('.'),
                    LabelDepth::OneOrMore => !labels.is_empty(),
                };
                port_ok && depth_ok
            }
            OriginMatcher::Regex {
                pattern,
                anchoring,
                case,
                ..
            } => {
                let anchored = match anchoring {
                    Anchoring::Full => format!("^(?:{pattern})$"),
                    Anchoring::StartOnly => format!("^(?:{pattern})"),
                    Anchoring::EndOnly => format!("(?:{pattern})$"),
                    Anchoring::None => pattern.clone(),
                };
                crate::regex_cache::compiled(&anchored, *case == Case::Insensitive)
                    .is_some_and(|r| r.is_match(origin))
            }
        }
    }
}

/// Why an origin an attacker can own gets through a matcher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weakness {
    /// The matcher accepts every origin.
    AcceptsAny,
    /// Nothing ties the match to the end of the origin: `https://app.example.com.evil.net`.
    OpenEnd,
    /// Nothing ties the match to a label boundary or the start: `https://evilapp.example.com`.
    OpenStart,
    /// An unescaped `.` matches any character: `https://appxexample.com`.
    UnescapedDot,
    /// A class or repetition admits hosts of domains the pattern does not name.
    OtherDomain,
}

impl Weakness {
    pub fn describe(self) -> &'static str {
        match self {
            Weakness::AcceptsAny => "it accepts every origin",
            Weakness::OpenEnd => "nothing anchors it at the end of the origin",
            Weakness::OpenStart => {
                "nothing anchors it at the start of the host (or at a `.` before the domain)"
            }
            Weakness::UnescapedDot => "an unescaped `.` matches any character",
            Weakness::OtherDomain => "it admits hosts of domains it does not name",
        }
    }
}

/// The registrable part of origins an attacker controls in the examples.
pub const ATTACKER_DOMAIN: &str = "evil.example";

/// Host names a matcher appears to be written for: the literal runs of host characters that
/// contain a dot (regex escapes `\.` read as dots).
pub fn intended_hosts(matcher: &OriginMatcher) -> Vec<String> {
    let mut hosts = literal_hosts(matcher);
    if let OriginMatcher::Regex { pattern, .. } = matcher
        && let Some(h) = witness_host(pattern)
    {
        hosts.insert(0, h);
    }
    let mut seen = std::collections::HashSet::new();
    hosts.retain(|h| seen.insert(h.clone()));
    hosts
}

/// The runs of host characters with a dot that a matcher's text spells.
pub fn literal_hosts(matcher: &OriginMatcher) -> Vec<String> {
    let text = match matcher {
        OriginMatcher::Regex { pattern, .. } => pattern.replace("\\.", "."),
        OriginMatcher::Prefix { value, .. } | OriginMatcher::Suffix { value, .. } => value.clone(),
        OriginMatcher::Exact { origin, .. } => origin.clone(),
        OriginMatcher::Subdomains { base, .. } => base.clone(),
        OriginMatcher::Any | OriginMatcher::Null => return Vec::new(),
    };
    host_runs(&text)
}

/// The runs of host characters in `text` that hold a dot between non-empty labels, lower
/// case: `https` of a scheme or `www.` of an optional group is no host by itself.
pub fn host_runs(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        .map(|run| run.trim_matches('.'))
        .filter(|run| {
            run.contains('.') && !run.starts_with('-') && run.split('.').all(|l| !l.is_empty())
        })
        .map(str::to_ascii_lowercase)
        .collect()
}

/// One short string a regex matches, built from its syntax tree: the first alternative,
/// the fewest repetitions, a letter or digit from a class. It gives the host a pattern was
/// written for even when `intended_hosts` cannot read it (`(foo|bar)\.client\.com`).
fn witness(pattern: &str) -> Option<String> {
    use regex_syntax::hir::{Class, Hir, HirKind};
    fn walk(h: &Hir, out: &mut String) -> Option<()> {
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => {}
            HirKind::Literal(l) => out.push_str(std::str::from_utf8(&l.0).ok()?),
            HirKind::Class(Class::Unicode(c)) => {
                let pick = ['a', '0', '-', '.']
                    .into_iter()
                    .find(|p| c.ranges().iter().any(|r| r.start() <= *p && *p <= r.end()))
                    .or_else(|| c.ranges().first().map(|r| r.start()))?;
                out.push(pick);
            }
            HirKind::Class(Class::Bytes(c)) => {
                out.push(char::from(c.ranges().first()?.start()));
            }
            HirKind::Repetition(r) => {
                for _ in 0..r.min {
                    walk(&r.sub, out)?;
                }
            }
            HirKind::Capture(c) => walk(&c.sub, out)?,
            HirKind::Concat(parts) => {
                for p in parts {
                    walk(p, out)?;
                }
            }
            HirKind::Alternation(alts) => walk(alts.first()?, out)?,
        }
        Some(())
    }
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    let mut out = String::new();
    walk(&hir, &mut out)?;
    Some(out)
}

/// The host of a witness string that looks like an origin (`https://foo.client.com` gives
/// `foo.client.com`).
fn witness_host(pattern: &str) -> Option<String> {
    let w = witness(pattern)?;
    let rest = w.split_once("://").map_or(w.as_str(), |(_, r)| r);
    let host = rest.split([':', '/']).next()?.to_ascii_lowercase();
    (host.contains('.') && host.split('.').all(|l| !l.is_empty())).then_some(host)
}

/// Origins an attacker can own that `matcher` accepts, each with the weakness it shows:
/// first the shortest one the exact search (`ir::attack`) finds, then the neighbour probes
/// whose registrable domain someone else owns. Empty for a matcher that accepts only hosts
/// of the domains it names.
pub fn attacker_origins(matcher: &OriginMatcher) -> Vec<(String, Weakness)> {
    thread_local! {
        static MEMO: Memo<OriginMatcher, Vec<(String, Weakness)>> = Memo::new(MEMO_CAPACITY);
    }
    MEMO.with(|m| m.get_or(matcher, || search_attacker_origins(matcher)))
}

fn search_attacker_origins(matcher: &OriginMatcher) -> Vec<(String, Weakness)> {
    use super::attack::{Verdict, named_domains, outside_origin, owned_by_others};
    let mut probes = neighbour_origins(matcher);
    if probes
        .first()
        .is_some_and(|(_, w)| *w == Weakness::AcceptsAny)
    {
        return probes;
    }
    let named = named_domains(matcher);
    probes.retain(|(o, _)| owned_by_others(o, &named));
    match outside_origin(matcher, &named) {
        Some(Verdict::Accepts(origin)) => {
            let weakness = weakness_shown(matcher, &origin, &named, &probes);
            probes.retain(|(o, _)| *o != origin);
            probes.insert(0, (origin, weakness));
            probes
        }
        // The probes' origins are evidence: a disagreement is a bug the tests look for, and
        // meanwhile the concrete origin stands.
        Some(Verdict::NoneOutside) | None => probes,
    }
}

/// Origins a matcher accepts among the hosts it was written for and the local development
/// hosts, over both schemes and common development ports.
pub fn accepted_examples(matcher: &OriginMatcher) -> Vec<String> {
    thread_local! {
        static MEMO: Memo<OriginMatcher, Vec<String>> = Memo::new(MEMO_CAPACITY);
    }
    MEMO.with(|m| {
        m.get_or(matcher, || {
            let mut hosts = intended_hosts(matcher);
            hosts.extend(["localhost".to_string(), "127.0.0.1".to_string()]);
            let mut out = Vec::new();
            for host in &hosts {
                for scheme in ["https", "http"] {
                    for port in ["", ":3000", ":4200", ":5173", ":8000", ":8080"] {
                        let o = format!("{scheme}://{host}{port}");
                        if matcher.accepts(&o) {
                            out.push(o);
                        }
                    }
                }
            }
            out
        })
    })
}

/// Answers about matchers kept per thread: every location of an nginx server shares its
/// `map`, and several rules ask the same questions about each policy; probing means dozens of
/// regex searches.
const MEMO_CAPACITY: usize = 64;

/// How `origin`, accepted though someone else owns it, gets through: compared with the
/// hosts the matcher spells and the origins it accepts that the named domains own. An open
/// start only when a probe shows one (`evilexample.com`): a host that merely ends like the
/// named one may come from a wildcard inside a pattern its engine anchors.
fn weakness_shown(
    matcher: &OriginMatcher,
    origin: &str,
    named: &[String],
    probes: &[(String, Weakness)],
) -> Weakness {
    let host_of = |o: &str| super::attack::origin_host(o).unwrap_or(o).to_string();
    let host = host_of(origin);
    let hosts = intended_hosts(matcher);
    let dot_replaced = |h: &String| {
        h.len() == host.len()
            && h != &host
            && h.bytes()
                .zip(host.bytes())
                .all(|(a, b)| a == b || a == b'.')
    };
    let own: Vec<String> = accepted_examples(matcher)
        .into_iter()
        .filter(|o| !super::attack::owned_by_others(o, named))
        .collect();
    if hosts.iter().any(dot_replaced) {
        Weakness::UnescapedDot
    } else if hosts.iter().any(|h| host.contains(&format!("{h}.")))
        || own
            .iter()
            .any(|o| origin.len() > o.len() && origin.starts_with(o.as_str()))
    {
        Weakness::OpenEnd
    } else if probes.iter().any(|(_, w)| *w == Weakness::OpenStart)
        && hosts
            .iter()
            .chain(own.iter().map(|o| host_of(o)).collect::<Vec<_>>().iter())
            .any(|h| host.len() > h.len() && host.ends_with(h.as_str()))
    {
        Weakness::OpenStart
    } else {
        Weakness::OtherDomain
    }
}

/// Origins near the hosts a matcher was written for that it should refuse (a domain after
/// it, a prefix glued to it, a dot replaced): the cross-check of the exact search, and
/// readable calls for the equivalence engine.
pub fn neighbour_origins(matcher: &OriginMatcher) -> Vec<(String, Weakness)> {
    let any = format!("https://{ATTACKER_DOMAIN}");
    if matcher.accepts(&any) {
        return vec![(any, Weakness::AcceptsAny)];
    }
    let mut out: Vec<(String, Weakness)> = Vec::new();
    let mut try_origin = |origin: String, weakness: Weakness| {
        if matcher.accepts(&origin) && !out.iter().any(|(o, _)| *o == origin) {
            out.push((origin, weakness));
        }
    };
    for host in intended_hosts(matcher) {
        for scheme in ["https", "http"] {
            try_origin(
                format!("{scheme}://{host}.{ATTACKER_DOMAIN}"),
                Weakness::OpenEnd,
            );
            // A pattern that wants a subdomain in front (`.*\.example\.org`).
            try_origin(
                format!("{scheme}://www.{host}.{ATTACKER_DOMAIN}"),
                Weakness::OpenEnd,
            );
            try_origin(format!("{scheme}://evil{host}"), Weakness::OpenStart);
            try_origin(format!("{scheme}://evil-{host}"), Weakness::OpenStart);
            let dots: Vec<usize> = host.match_indices('.').map(|(i, _)| i).collect();
            for &i in dots.iter().take(dots.len().saturating_sub(1)) {
                let mut mutated = host.clone();
                mutated.replace_range(i..i + 1, "x");
                try_origin(format!("{scheme}://{mutated}"), Weakness::UnescapedDot);
            }
            // The last dot too, once the end is open: `https://examplexcom.evil.example`.
            if let Some(&i) = dots.last() {
                let mut mutated = host.clone();
                mutated.replace_range(i..i + 1, "x");
                try_origin(
                    format!("{scheme}://{mutated}.{ATTACKER_DOMAIN}"),
                    Weakness::UnescapedDot,
                );
            }
        }
    }
    out
}

/// How a browser reads an `Access-Control-Allow-Origin` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AllowOriginValue {
    /// `*`: any origin, for requests without credentials.
    Wildcard,
    /// `null`: matches pages with an opaque origin.
    Null,
    /// Exactly one serialized origin.
    Origin,
    /// Matches no page at all.
    Invalid(OriginProblem),
}

/// Why a value can never equal a page's serialized origin, and which bytes show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginProblem {
    pub kind: ProblemKind,
    /// The offending part of the value.
    pub range: Range<usize>,
    /// What the value was probably meant to be, when that is clear.
    pub suggestion: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    Empty,
    /// Several values (comma or whitespace separated); `count` counts the non-empty ones.
    List {
        count: usize,
    },
    Quoted,
    MissingScheme,
    /// A path after the host; a lone `/` is [`ProblemKind::TrailingSlash`].
    Path,
    TrailingSlash,
    QueryOrFragment,
    UpperCase,
    DefaultPort,
    InvalidPort,
    /// A `*` inside the origin (`https://*.example.com`).
    Wildcard,
    Userinfo,
    InvalidHost,
    /// A host without a letter or digit (`_`, nginx's catch-all `server_name`): no page is
    /// served from it.
    NamelessHost,
    /// A scheme whose origins are opaque and serialize as `null` (`file:`).
    OpaqueScheme,
}

/// Classify an `Access-Control-Allow-Origin` value as the browser sees it (already trimmed
/// of surrounding whitespace).
pub fn classify_allow_origin(value: &str) -> AllowOriginValue {
    match value {
        "*" => return AllowOriginValue::Wildcard,
        "null" => return AllowOriginValue::Null,
        _ => {}
    }
    match find_problem(value) {
        Some(p) => AllowOriginValue::Invalid(p),
        None => AllowOriginValue::Origin,
    }
}

fn problem(
    kind: ProblemKind,
    range: Range<usize>,
    suggestion: Option<String>,
) -> Option<OriginProblem> {
    Some(OriginProblem {
        kind,
        range,
        suggestion,
    })
}

fn find_problem(v: &str) -> Option<OriginProblem> {
    let all = 0..v.len();
    if v.is_empty() {
        return problem(ProblemKind::Empty, all, None);
    }
    if v.contains(',') || v.contains([' ', '\t']) {
        let count = v.split([',', ' ', '\t']).filter(|s| !s.is_empty()).count();
        return problem(ProblemKind::List { count }, all, None);
    }
    if v.len() >= 2
        && (v.starts_with('"') && v.ends_with('"') || v.starts_with('\'') && v.ends_with('\''))
    {
        return problem(
            ProblemKind::Quoted,
            all,
            Some(v[1..v.len() - 1].to_string()),
        );
    }
    if v.eq_ignore_ascii_case("null") {
        return problem(ProblemKind::UpperCase, all, Some("null".into()));
    }
    let Some(scheme_end) = v.find("://") else {
        let host = v.trim_start_matches('/');
        let suggestion =
            (!host.is_empty()).then(|| format!("https://{}", host.trim_end_matches('/')));
        return problem(ProblemKind::MissingScheme, all, suggestion);
    };
    let scheme = &v[..scheme_end];
    let valid_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !valid_scheme {
        return problem(ProblemKind::MissingScheme, 0..scheme_end, None);
    }
    let rest_start = scheme_end + 3;
    let rest = &v[rest_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest_start..rest_start + authority_len;
    let tail = authority.end..v.len();
    let lower = v.to_ascii_lowercase();

    if scheme.eq_ignore_ascii_case("file") {
        return problem(ProblemKind::OpaqueScheme, 0..scheme_end, None);
    }
    if v[authority.clone()].contains('@') {
        return problem(ProblemKind::Userinfo, authority, None);
    }
    if let Some(star) = v[authority.clone()].find('*') {
        let at = authority.start + star;
        return problem(ProblemKind::Wildcard, at..at + 1, None);
    }
    if !tail.is_empty() {
        let kind = match &v[tail.clone()] {
            "/" => ProblemKind::TrailingSlash,
            t if t.starts_with('/') => ProblemKind::Path,
            _ => ProblemKind::QueryOrFragment,
        };
        let suggestion = Some(normalize_case(&v[..authority.end]));
        return problem(kind, tail, suggestion);
    }
    let (host, port) = split_host_port(&v[authority.clone()]);
    let host_range = authority.start..authority.start + host.len();
    if host.is_empty() || !host.is_ascii() || !host_chars_ok(host) {
        return problem(ProblemKind::InvalidHost, host_range, None);
    }
    if !host.bytes().any(|b| b.is_ascii_alphanumeric()) {
        return problem(ProblemKind::NamelessHost, host_range, None);
    }
    if scheme.bytes().any(|b| b.is_ascii_uppercase())
        || host.bytes().any(|b| b.is_ascii_uppercase())
    {
        let first_upper = v[..host_range.end]
            .bytes()
            .position(|b| b.is_ascii_uppercase())
            .unwrap_or(0);
        let last_upper = v[..host_range.end]
            .bytes()
            .rposition(|b| b.is_ascii_uppercase())
            .unwrap_or(0);
        return problem(
            ProblemKind::UpperCase,
            first_upper..last_upper + 1,
            Some(lower),
        );
    }
    if let Some(port) = port {
        let port_range = host_range.end + 1..authority.end;
        let parsed = port.parse::<u32>().ok().filter(|p| *p <= 65535);
        let canonical = parsed.map(|p| p.to_string());
        match parsed {
            None => return problem(ProblemKind::InvalidPort, port_range, None),
            Some(p) if Some(p) == default_port(scheme) => {
                return problem(
                    ProblemKind::DefaultPort,
                    port_range.start - 1..port_range.end,
                    Some(v[..host_range.end].to_string()),
                );
            }
            Some(_) if canonical.as_deref() != Some(port) => {
                return problem(
                    ProblemKind::InvalidPort,
                    port_range,
                    Some(format!(
                        "{}:{}",
                        &v[..host_range.end],
                        canonical.unwrap_or_default()
                    )),
                );
            }
            Some(_) => {}
        }
    }
    None
}

fn normalize_case(origin: &str) -> String {
    origin.to_ascii_lowercase()
}

fn split_host_port(authority: &str) -> (&str, Option<&str>) {
    if authority.starts_with('[') {
        if let Some(end) = authority.find(']') {
            let host = &authority[..=end];
            let rest = &authority[end + 1..];
            return (host, rest.strip_prefix(':'));
        }
        return (authority, None);
    }
    match authority.rfind(':') {
        Some(i) => (&authority[..i], Some(&authority[i + 1..])),
        None => (authority, None),
    }
}

fn host_chars_ok(host: &str) -> bool {
    if host.starts_with('[') {
        return host.ends_with(']')
            && host[1..host.len() - 1]
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
    }
    host.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
}

fn default_port(scheme: &str) -> Option<u32> {
    match scheme.to_ascii_lowercase().as_str() {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

/// The origin a malformed one was probably meant to be: the scheme and host lower-cased,
/// `https://` added when no scheme is written, path and trailing `/` removed — `None` when
/// that changes nothing or `accepts` (the dialect's own validation) still refuses it.
pub fn corrected_origin(text: &str, accepts: impl Fn(&str) -> bool) -> Option<String> {
    let t = text.trim();
    let (scheme, rest) = match t.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("https".to_string(), t),
    };
    let host = rest.split('/').next().unwrap_or(rest).to_ascii_lowercase();
    let fixed = format!("{scheme}://{host}");
    (fixed != text && !host.is_empty() && accepts(&fixed)).then_some(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_ports_are_dropped_only_where_written_exactly() {
        for (written, normalised) in [
            ("http://a.example:80", "http://a.example"),
            ("https://a.example:443", "https://a.example"),
            ("http://[::1]:80", "http://[::1]"),
            ("https://a.example:80", "https://a.example:80"),
            ("http://a.example:8080", "http://a.example:8080"),
            ("http://a.example:080", "http://a.example:080"),
            ("http://:80", "http://:80"),
            ("null", "null"),
            ("a.example:80", "a.example:80"),
        ] {
            assert_eq!(without_default_port(written), normalised, "{written}");
        }
        assert_eq!(
            OnMatch::EchoOrigin.subject("http://a.example:80"),
            "http://a.example:80"
        );
    }

    fn kind(v: &str) -> Option<ProblemKind> {
        match classify_allow_origin(v) {
            AllowOriginValue::Invalid(p) => Some(p.kind),
            _ => None,
        }
    }

    #[test]
    fn valid_values() {
        for v in [
            "*",
            "null",
            "https://a.example",
            "http://localhost:3000",
            "https://a.example:8443",
            "http://127.0.0.1:8080",
            "http://[::1]:8080",
            "chrome-extension://abcdef",
            "https://xn--caf-dma.example",
        ] {
            assert_eq!(kind(v), None, "{v}");
        }
    }

    #[test]
    fn invalid_values() {
        assert_eq!(kind(""), Some(ProblemKind::Empty));
        assert_eq!(
            kind("https://a.example, https://b.example"),
            Some(ProblemKind::List { count: 2 })
        );
        assert_eq!(
            kind("https://a.example https://b.example"),
            Some(ProblemKind::List { count: 2 })
        );
        assert_eq!(kind("\"https://a.example\""), Some(ProblemKind::Quoted));
        assert_eq!(kind("a.example"), Some(ProblemKind::MissingScheme));
        assert_eq!(kind("//a.example"), Some(ProblemKind::MissingScheme));
        assert_eq!(kind("https://a.example/"), Some(ProblemKind::TrailingSlash));
        assert_eq!(kind("https://a.example/app"), Some(ProblemKind::Path));
        assert_eq!(
            kind("https://a.example?x"),
            Some(ProblemKind::QueryOrFragment)
        );
        assert_eq!(kind("https://A.example"), Some(ProblemKind::UpperCase));
        assert_eq!(kind("HTTPS://a.example"), Some(ProblemKind::UpperCase));
        assert_eq!(kind("NULL"), Some(ProblemKind::UpperCase));
        assert_eq!(
            kind("https://a.example:443"),
            Some(ProblemKind::DefaultPort)
        );
        assert_eq!(kind("http://a.example:80"), Some(ProblemKind::DefaultPort));
        assert_eq!(
            kind("https://a.example:08443"),
            Some(ProblemKind::InvalidPort)
        );
        assert_eq!(
            kind("https://a.example:0443"),
            Some(ProblemKind::DefaultPort)
        );
        assert_eq!(
            kind("https://a.example:99999"),
            Some(ProblemKind::InvalidPort)
        );
        assert_eq!(kind("https://a.example:"), Some(ProblemKind::InvalidPort));
        assert_eq!(kind("https://*.a.example"), Some(ProblemKind::Wildcard));
        assert_eq!(kind("https://u@a.example"), Some(ProblemKind::Userinfo));
        assert_eq!(kind("https://café.example"), Some(ProblemKind::InvalidHost));
        assert_eq!(kind("https://_"), Some(ProblemKind::NamelessHost));
        assert_eq!(kind("http://-.-:8080"), Some(ProblemKind::NamelessHost));
        assert_eq!(kind("https://_dmarc.example"), None);
        assert_eq!(kind("file:///tmp"), Some(ProblemKind::OpaqueScheme));
    }

    #[test]
    fn problems_point_at_the_offending_part() {
        let AllowOriginValue::Invalid(p) = classify_allow_origin("https://a.example:443") else {
            panic!()
        };
        assert_eq!(p.range, 17..21);
        assert_eq!(p.suggestion.as_deref(), Some("https://a.example"));
        let AllowOriginValue::Invalid(p) = classify_allow_origin("https://App.example") else {
            panic!()
        };
        assert_eq!(p.range, 8..9);
        let AllowOriginValue::Invalid(p) = classify_allow_origin("https://a.example/") else {
            panic!()
        };
        assert_eq!(p.range, 17..18);
    }

    #[test]
    fn matcher_semantics() {
        let sub = |depth| OriginMatcher::Subdomains {
            scheme: "https".into(),
            base: "example.com".into(),
            depth,
            port: PortMatch::Default,
            case: Case::Insensitive,
        };
        assert!(sub(LabelDepth::ExactlyOne).accepts("https://a.example.com"));
        assert!(!sub(LabelDepth::ExactlyOne).accepts("https://a.b.example.com"));
        assert!(sub(LabelDepth::OneOrMore).accepts("https://a.b.example.com"));
        assert!(!sub(LabelDepth::OneOrMore).accepts("https://example.com"));
        assert!(!sub(LabelDepth::OneOrMore).accepts("https://a.example.com:8443"));
        let prefix = OriginMatcher::Prefix {
            value: "https://example.com".into(),
            case: Case::Sensitive,
        };
        assert!(prefix.accepts("https://example.com.evil.net"));
        let unanchored = OriginMatcher::Regex {
            pattern: r"example\.com".into(),
            dialect: RegexDialect::GoRegexp,
            anchoring: Anchoring::None,
            case: Case::Sensitive,
        };
        assert!(unanchored.accepts("https://example.com.evil.net"));
        assert!(OriginMatcher::Null.accepts("null"));
    }

    fn regex(pattern: &str, case: Case) -> OriginMatcher {
        OriginMatcher::Regex {
            pattern: pattern.into(),
            dialect: RegexDialect::Pcre,
            anchoring: Anchoring::None,
            case,
        }
    }

    /// The shortest origin someone else owns comes first, explained by the neighbour probe
    /// that shows the weakness.
    #[test]
    fn attacker_origins_show_each_weakness() {
        let first = |m: &OriginMatcher| attacker_origins(m).first().cloned();
        assert_eq!(
            first(&regex(r"https://app\.example\.com", Case::Insensitive)),
            Some(("https://app.example.com.com".into(), Weakness::OpenEnd))
        );
        assert_eq!(
            first(&regex(r"example\.com$", Case::Insensitive)),
            Some(("https://aexample.com".into(), Weakness::OpenStart))
        );
        assert_eq!(
            first(&regex(r"^https://app.example\.com$", Case::Sensitive)),
            Some(("https://appaexample.com".into(), Weakness::UnescapedDot))
        );
        assert_eq!(
            first(&regex(r"^https://.*", Case::Sensitive)),
            Some(("https://evil.example".into(), Weakness::AcceptsAny))
        );
        // Written right: only its own subdomains.
        assert_eq!(
            first(&regex(
                r"^https://([a-z0-9-]+\.)*example\.com$",
                Case::Insensitive
            )),
            None
        );
        assert_eq!(
            first(&regex(r"^https?://(www\.)?example\.com$", Case::Sensitive)),
            None
        );
        let prefix = OriginMatcher::Prefix {
            value: "https://example.com".into(),
            case: Case::Sensitive,
        };
        assert_eq!(first(&prefix).map(|(_, w)| w), Some(Weakness::OpenEnd));
    }
}
