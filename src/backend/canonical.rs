//! The normalized form every back end writes: what a policy allows, independent of how the
//! source spelled it.

use super::Refusal;
use crate::ir::{AllowList, CorsPolicy, Credentials, MaxAge, OnMatch, OriginMatcher, OriginPolicy};
use crate::source::Span;

/// Which origins are allowed, and how a match is answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origins {
    /// No `Access-Control-Allow-Origin`.
    None,
    /// A literal `*` (any origin, no credentials).
    Star,
    /// Every origin, echoed (with credentials where allowed).
    EchoAny,
    /// These, echoed on a match.
    List(Vec<Allowed>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Allowed {
    /// `scheme://host[:port]`, lower-case, no default port.
    Exact(String),
    /// Subdomains of `base` (exactly one label when `one_label`).
    Subdomains {
        scheme: String,
        base: String,
        one_label: bool,
    },
    Null,
    /// Origins a regular expression matches as a whole (no anchors written: each back end
    /// anchors it in its own syntax), in the syntax PCRE, RE2 and Go's regexp share.
    Pattern {
        regex: String,
        insensitive: bool,
    },
}

#[derive(Clone, Debug)]
pub struct Canonical {
    pub origins: Origins,
    /// Where the origins come from, for refusals.
    pub origin_span: Span,
    pub methods: Vec<String>,
    pub headers: Vec<String>,
    pub expose: Vec<String>,
    pub credentials: bool,
    /// The source sends credentials next to a literal `*`, which no browser call can tell
    /// from not sending them; `credentials` is then false.
    pub credentials_unobservable: bool,
    pub max_age: Option<i64>,
}

/// The entries of a list as the server sends them, each once. Methods keep their case:
/// browsers match a method against `Access-Control-Allow-Methods` byte for byte (`put`
/// allows no `PUT`); header names are case-insensitive.
fn list(l: &AllowList, case_sensitive: bool) -> Result<Vec<String>, (Span, &'static str)> {
    match l {
        AllowList::EchoRequest { at } => Err((*at, "echoing what the request asks for")),
        _ => {
            let mut out: Vec<String> = Vec::new();
            // A value that depends on the environment is not known here.
            let entries = l.entries().ok_or_else(|| {
                let at = l.static_value().map_or(Span::default(), |v| v.span());
                (at, "a value that depends on the environment (pass `--env`)")
            })?;
            for (e, _) in entries {
                let same = |o: &String| {
                    if case_sensitive {
                        *o == e
                    } else {
                        o.eq_ignore_ascii_case(&e)
                    }
                };
                if !e.is_empty() && !out.iter().any(same) {
                    out.push(e);
                }
            }
            Ok(out)
        }
    }
}

pub fn canonical(p: &CorsPolicy) -> Result<Canonical, Refusal> {
    let refuse = |feature: &str, span: Span| Refusal {
        feature: feature.into(),
        span,
    };
    // A header value the server cannot write breaks every response: nothing to convert.
    for (name, value) in p.static_headers() {
        if let crate::ir::Delivery::BreaksEveryResponse { reason } = &value.delivery {
            return Err(refuse(
                &format!(
                    "a server that answers no request (`{name}` is invalid: {reason}, so {} cannot write any response)",
                    p.server.product
                ),
                value.span(),
            ));
        }
    }
    let credentials = matches!(p.credentials, Credentials::On { .. });
    let (origins, origin_span) = match &p.allow_origin {
        OriginPolicy::NotSent => (Origins::None, p.anchor),
        OriginPolicy::Unknown { at, why } => {
            return Err(refuse(
                &format!("an origin cors-lint cannot read ({why})"),
                *at,
            ));
        }
        OriginPolicy::Static(v) => {
            let (view, range) = v.browser_view();
            let span = v.span_of(range);
            match view {
                "*" => (Origins::Star, span),
                "null" => (Origins::List(vec![Allowed::Null]), span),
                o if crate::ir::origin::classify_allow_origin(o)
                    == crate::ir::origin::AllowOriginValue::Origin =>
                {
                    (Origins::List(vec![Allowed::Exact(o.to_string())]), span)
                }
                _ => {
                    return Err(refuse(
                        "an `Access-Control-Allow-Origin` value no browser accepts (it blocks every call; fix it first)",
                        span,
                    ));
                }
            }
        }
        OriginPolicy::Match(m) => {
            let on = if credentials {
                m.on_match_with_credentials
            } else {
                m.on_match
            };
            let span = m.matchers.first().map_or(p.anchor, |(_, s)| *s);
            if m.matchers.iter().any(|(x, _)| *x == OriginMatcher::Any) {
                let o = match on {
                    // Browsers never write a default port: both echo what they send.
                    OnMatch::EchoOrigin | OnMatch::EchoNormalisedOrigin => Origins::EchoAny,
                    OnMatch::LiteralStar => Origins::Star,
                };
                (o, span)
            } else {
                let mut out = Vec::new();
                for (matcher, at) in &m.matchers {
                    // Browsers send an origin in ASCII (punycode hosts), without spaces or
                    // control characters, and scheme and host in lower case: an origin that
                    // breaks this (matched case-sensitively, for case) never matches, so it
                    // allows nothing, and is left out rather than written.
                    if let OriginMatcher::Exact { origin, case } = matcher
                        && (!origin.is_ascii()
                            || origin.bytes().any(|b| b.is_ascii_control() || b == b' ')
                            || (*case == crate::ir::origin::Case::Sensitive
                                && *origin != origin.to_ascii_lowercase()))
                    {
                        continue;
                    }
                    out.push(match matcher {
                        OriginMatcher::Exact { origin, .. } => {
                            Allowed::Exact(origin.to_ascii_lowercase())
                        }
                        OriginMatcher::Null => Allowed::Null,
                        OriginMatcher::Subdomains {
                            scheme,
                            base,
                            depth,
                            port: crate::ir::PortMatch::Default,
                            ..
                        } => Allowed::Subdomains {
                            scheme: scheme.to_ascii_lowercase(),
                            base: base.to_ascii_lowercase(),
                            one_label: *depth == crate::ir::LabelDepth::ExactlyOne,
                        },
                        other => pattern(other).map_err(|why| refuse(&why, *at))?,
                    });
                }
                out.dedup();
                if out.is_empty() {
                    // Matching no origin sends no `Access-Control-Allow-Origin` to anyone.
                    (Origins::None, span)
                } else if on == OnMatch::LiteralStar {
                    return Err(refuse(
                        "a list answered with a literal `*` (ingress-nginx's `*` in a list)",
                        span,
                    ));
                } else {
                    (Origins::List(out), span)
                }
            }
        }
    };
    if origins == Origins::None {
        return Err(refuse(
            "no allowed origin (the source sends no `Access-Control-Allow-Origin`, so browsers block every \
             cross-origin read): nothing to convert",
            origin_span,
        ));
    }
    let listed = |l: &AllowList, case_sensitive: bool, what: &str| {
        list(l, case_sensitive).map_err(|(at, why)| {
            let at = if at == Span::default() { p.anchor } else { at };
            refuse(&format!("{what}: {why}"), at)
        })
    };
    let methods = listed(&p.allow_methods, true, "the allowed methods")?;
    let headers = listed(&p.allow_headers, false, "the allowed headers")?;
    let expose = listed(&p.expose_headers, false, "the exposed headers")?;
    // A list entry that is no HTTP token (`Content-Type Authorization`) matches nothing a
    // browser sends; targets that validate their lists would refuse it.
    for (list, what, at) in [
        (&methods, "method", &p.allow_methods),
        (&headers, "header name", &p.allow_headers),
        (&expose, "header name", &p.expose_headers),
    ] {
        if let Some(bad) = list
            .iter()
            .find(|e| *e != "*" && !crate::ir::fetch::is_token(e))
        {
            let span = at.static_value().map_or(p.anchor, |v| v.span());
            return Err(refuse(
                &format!("`{bad}`, which is not a valid {what}"),
                span,
            ));
        }
    }
    // Canonical order: origins and header names sorted, methods in the usual order.
    let mut origins = origins;
    if let Origins::List(list) = &mut origins {
        list.sort_by_key(|a| match a {
            Allowed::Null => (0, String::new()),
            Allowed::Exact(o) => (1, o.clone()),
            Allowed::Subdomains { scheme, base, .. } => (2, format!("{scheme}://{base}")),
            Allowed::Pattern { regex, .. } => (3, regex.clone()),
        });
        list.dedup();
    }
    let mut methods = methods;
    methods.sort_by_key(|m| method_order(m));
    let sorted = |v: Vec<String>| {
        let mut v: Vec<String> = v.iter().map(|h| header_spelling(h)).collect();
        v.sort_by_key(|h| header_order(h));
        v
    };
    let (headers, expose) = (sorted(headers), sorted(expose));
    // Browsers refuse credentialed calls answered with a literal `*` whatever else is sent,
    // so `*` with `Access-Control-Allow-Credentials: true` (ingress-nginx's default) is, for
    // every call, `*` without it: written so, targets that refuse the pair can take it.
    let credentials_unobservable = credentials && origins == Origins::Star;
    Ok(Canonical {
        credentials: credentials && !credentials_unobservable,
        credentials_unobservable,
        origins,
        origin_span,
        methods,
        headers,
        expose,
        max_age: match p.max_age {
            MaxAge::Seconds { value, .. } => Some(value),
            MaxAge::NotSent => None,
        },
    })
}

/// Methods in the usual order (`GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS`), others after
/// them alphabetically.
pub fn method_order(m: &str) -> (usize, String) {
    const ORDER: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE",
    ];
    (
        ORDER.iter().position(|o| *o == m).unwrap_or(ORDER.len()),
        m.to_string(),
    )
}

/// Header names alphabetically, ignoring case (browsers compare them so).
pub fn header_order(h: &str) -> String {
    h.to_ascii_lowercase()
}

/// The standard spelling of a well-known header name (`content-type` → `Content-Type`);
/// other names as written, since their owners chose the spelling (`X-API-Key`).
pub fn header_spelling(h: &str) -> String {
    const KNOWN: [&str; 22] = [
        "Accept",
        "Accept-Language",
        "Authorization",
        "Cache-Control",
        "Content-Disposition",
        "Content-Encoding",
        "Content-Language",
        "Content-Length",
        "Content-Range",
        "Content-Type",
        "ETag",
        "Expires",
        "If-Match",
        "If-Modified-Since",
        "If-None-Match",
        "Last-Modified",
        "Link",
        "Location",
        "Pragma",
        "Range",
        "Retry-After",
        "X-Requested-With",
    ];
    KNOWN
        .iter()
        .find(|k| k.eq_ignore_ascii_case(h))
        .map(|k| k.to_string())
        .unwrap_or_else(|| h.to_string())
}

/// A matcher no exact origin or `*.` wildcard expresses, as a whole-origin regex; `Err` says
/// why it cannot be carried over.
fn pattern(m: &OriginMatcher) -> Result<Allowed, String> {
    use crate::ir::{Case, PortMatch};
    let esc = |s: &str| regex::escape(s);
    let (regex, case) = match m {
        OriginMatcher::Regex {
            pattern,
            anchoring,
            case,
            ..
        } => (
            crate::ir::tighten::full_match_form(pattern, *anchoring),
            *case,
        ),
        OriginMatcher::Prefix { value, case } => (format!("{}.*", esc(value)), *case),
        OriginMatcher::Suffix { value, case } => (format!(".*{}", esc(value)), *case),
        OriginMatcher::Subdomains {
            scheme,
            base,
            depth,
            port,
            case,
        } => {
            let port = match port {
                PortMatch::Default => String::new(),
                PortMatch::Exact(n) => format!(":{n}"),
                PortMatch::Any => "(:[0-9]+)?".into(),
            };
            let one_label = *depth == crate::ir::LabelDepth::ExactlyOne;
            (
                format!(
                    "{}{port}",
                    super::yaml_out::origin_regex(scheme, base, one_label)
                ),
                *case,
            )
        }
        _ => return Err("an origin matcher with no equivalent".into()),
    };
    // Rust's regex crate accepts RE2's syntax; what it refuses (look-around, back-references)
    // or adds (class set operations) is not in the common subset.
    if regex.contains("&&") || regex.contains("~~") || regex.contains("--[") {
        return Err(format!(
            "the regex `{regex}`, which uses a class operation only some engines have"
        ));
    }
    if let Err(e) = regex::Regex::new(&format!("^(?:{regex})$")) {
        let e = e.to_string();
        let last = e.lines().last().unwrap_or("").trim();
        return Err(format!(
            "the regex `{regex}`, outside the syntax PCRE, RE2 and Go share ({last})"
        ));
    }
    Ok(Allowed::Pattern {
        regex,
        insensitive: case == Case::Insensitive,
    })
}
