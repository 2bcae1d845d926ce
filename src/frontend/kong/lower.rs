//! One `cors` plugin configuration → facts and a CORS policy (see the module docs).

use super::{Fact, Plugin};
use crate::frontend::kube::tree::{Node, Value};
use crate::ir::{
    AllowList, Anchoring, Answer, Auth, Case, Condition, CorsPolicy, Credentials, Emission,
    Exposure, FixHints, HeaderValue, Listener, ListenerRole, MaxAge, OnMatch, OriginMatch,
    OriginMatcher, OriginPolicy, PreflightSplit, RegexDialect, Route, RoutePurpose, Scope, Server,
    VaryOrigin,
};
use crate::source::{MappedText, Span};

/// `handler.lua` `access`: the methods sent when `methods` is not set.
pub const DEFAULT_METHODS: &str = "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT";

/// `configure_origin`: an entry made only of these characters is a literal, not a regex.
pub fn is_literal(entry: &str) -> bool {
    !entry.is_empty()
        && entry
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '/' | '-'))
}

/// The regex Kong matches for an entry: a leading `^` dropped, `$` appended if missing;
/// `ngx.re.find(…, "ajo")` anchors it at the start.
pub fn kong_regex(entry: &str) -> String {
    let mut e = entry.to_string();
    if !e.ends_with('$') {
        e.push('$');
    }
    if let Some(rest) = e.strip_prefix('^') {
        e = rest.to_string();
    }
    e
}

/// `normalize_origin` for a literal with a scheme: `scheme://host[:port]`, the default
/// port dropped; `None` when `socket.url` finds no host.
pub fn normalize(entry: &str) -> Option<String> {
    let (scheme, rest) = entry.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() {
        return None;
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (h, Some(p)),
        _ => (authority, None),
    };
    let port =
        port.filter(|p| !((scheme == "http" && *p == "80") || (scheme == "https" && *p == "443")));
    Some(match port {
        Some(p) => format!("{scheme}://{host}:{p}"),
        None => format!("{scheme}://{host}"),
    })
}

fn text_span(t: &MappedText) -> Span {
    if t.as_str().is_empty() {
        t.span()
    } else {
        t.span_of(0..t.as_str().len())
    }
}

fn joined(entries: &[MappedText], anchor: Span) -> MappedText {
    let mut out = MappedText::empty(Span::empty(anchor.start));
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            out.push(',', Span::empty(text_span(&entries[i - 1]).end));
        }
        for (j, c) in e.as_str().char_indices() {
            out.push(c, e.span_of(j..j + c.len_utf8()));
        }
    }
    let whole = entries
        .iter()
        .map(MappedText::span)
        .reduce(Span::cover)
        .unwrap_or(anchor);
    out.with_whole(whole)
}

/// A YAML null (`null`, `~`, or nothing after the key): `ngx.null` to Kong's schema (a
/// declarative file's nulls are converted so, kong/db/declarative/init.lua:126), which
/// refuses it for a `required` field and otherwise reads it back as nil
/// (kong/db/schema/init.lua:877-887, 1950).
fn is_null(node: &Node) -> bool {
    matches!(&node.value, Value::Other(s) if matches!(s.as_str(), "" | "~" | "null" | "Null" | "NULL"))
}

struct Config<'a> {
    node: Option<&'a Node>,
}

impl<'a> Config<'a> {
    fn get(&self, name: &str) -> Option<(Span, &'a Node)> {
        self.node?.entry(name)
    }

    fn wrong(facts: &mut Vec<Fact>, name: &str, node: &Node, expected: &'static str) {
        facts.push(Fact::WrongType {
            field: name.to_string(),
            span: node.span,
            expected,
            found: node.kind(),
        });
    }

    /// An array of strings; `None` when absent or null (the arrays are not `required`, so
    /// Kong's schema takes a null and reads it back as nil, the default).
    fn list(&self, name: &str, facts: &mut Vec<Fact>) -> Option<(Span, Vec<MappedText>)> {
        let (key, node) = self.get(name)?;
        if is_null(node) {
            return None;
        }
        match &node.value {
            Value::Seq(items) => {
                let mut out = Vec::new();
                for i in items {
                    match &i.value {
                        Value::Str(t) => out.push(t.clone()),
                        _ => Self::wrong(facts, name, i, "a string"),
                    }
                }
                Some((key, out))
            }
            _ => {
                Self::wrong(facts, name, node, "an array of strings");
                None
            }
        }
    }

    /// A boolean. Every boolean of the schema is `required`: a null is refused
    /// ("required field missing"), not read as the default.
    fn bool(&self, name: &str, facts: &mut Vec<Fact>) -> Option<(Span, bool)> {
        let (key, node) = self.get(name)?;
        match node.value {
            Value::Bool(b) => Some((key, b)),
            _ if is_null(node) => {
                facts.push(Fact::WrongType {
                    field: name.to_string(),
                    span: node.span,
                    expected: "a boolean",
                    found: "null (the field is `required`)",
                });
                None
            }
            _ => {
                Self::wrong(facts, name, node, "a boolean");
                None
            }
        }
    }
}

fn fix_hints() -> FixHints {
    FixHints {
        whitespace: None,
        origin_list: Some(
            "list each allowed origin in `config.origins` (`- https://app.example.com`), \
             without `*`"
                .into(),
        ),
        anchor_pattern: Some(
            "write regex entries with the scheme and every dot escaped \
             (`https://[a-z0-9-]+\\.example\\.com`); Kong anchors them itself"
                .into(),
        ),
        credentials_off: Some("set `config.credentials: false`".into()),
        vary: None,
        max_age: Some("set `config.max_age: 7200` (seconds) or less".into()),
        allow_lists: Some(
            "list the request headers in `config.headers` (`- Content-Type`); an empty or \
             absent list echoes whatever the browser asks for"
                .into(),
        ),
    }
}

fn listener(answers_preflights: bool) -> Listener {
    let unmatched = Answer::any(
        200,
        "the upstream service answers (its status is not in the configuration)",
    );
    let mut answers = Vec::new();
    if answers_preflights {
        answers.push(
            Answer::on(
                &["OPTIONS"],
                200,
                "Kong's cors plugin answers a preflight itself (`preflight_continue: false`)",
            )
            .when(Condition::Preflight),
        );
    }
    answers.push(unmatched.clone());
    let routes = (0..=8)
        .map(|depth| Route {
            path: (1..=depth)
                .map(|i| format!("/{{segment{i}}}"))
                .collect::<String>()
                + if depth == 0 { "/" } else { "" },
            purpose: RoutePurpose::Api,
            before_auth: true,
            answers: answers.clone(),
        })
        .collect();
    Listener {
        name: "proxy".into(),
        role: ListenerRole::Api,
        address: "Kong's proxy listeners".into(),
        address_span: None,
        exposure: Exposure::Network,
        auth: Auth::Unknown,
        routes,
        unmatched,
    }
}

pub fn plugin(p: &Plugin, facts: &mut Vec<Fact>) -> Option<CorsPolicy> {
    let first_fact = facts.len();
    let c = Config {
        node: p.config.as_ref(),
    };
    let anchor = p.anchor;
    let origins = c.list("origins", facts);
    let credentials = c.bool("credentials", facts);
    let creds = credentials.is_some_and(|(_, b)| b);
    let preflight_continue = c.bool("preflight_continue", facts);
    let forwards = preflight_continue.is_some_and(|(_, b)| b);
    if let Some((at, true)) = preflight_continue {
        facts.push(Fact::PreflightContinue {
            plugin: p.description.clone(),
            span: at,
        });
    }
    let absent = c.bool("allow_origin_absent", facts).is_none_or(|(_, b)| b);
    // Read for its type only: what it sends (a preflight-only header, and only when asked
    // for) has no place in the IR.
    c.bool("private_network", facts);

    let entries: Vec<MappedText> = origins.as_ref().map(|(_, e)| e.clone()).unwrap_or_default();
    let origins_key = origins.as_ref().map_or(anchor, |(k, _)| *k);
    let star = entries.iter().find(|e| e.as_str() == "*");
    let allow_all = entries.is_empty() || (entries.len() == 1 && star.is_some());
    let mut vary = VaryOrigin::Always;
    let allow_origin = if allow_all {
        let at = star.map_or(origins_key, text_span);
        if creds {
            vary = VaryOrigin::WhenEchoing;
            OriginPolicy::Match(OriginMatch {
                matchers: vec![(OriginMatcher::Any, at)],
                on_match: OnMatch::LiteralStar,
                on_match_with_credentials: OnMatch::EchoOrigin,
            })
        } else {
            vary = VaryOrigin::Never;
            OriginPolicy::Static(HeaderValue::from_file(MappedText::opaque("*".into(), at)))
        }
    } else if entries.len() == 1 && is_literal(entries[0].as_str()) {
        // Sent as written, whatever the request's origin.
        OriginPolicy::Static(HeaderValue::from_file(entries[0].clone()))
    } else if let Some(star) = star {
        // The loop meets `*` before (or after) trying the others: allow-all for requests with
        // an `Origin`, the literal `*` (echoed with credentials).
        let at = text_span(star);
        OriginPolicy::Match(OriginMatch {
            matchers: vec![(OriginMatcher::Any, at)],
            on_match: OnMatch::LiteralStar,
            on_match_with_credentials: OnMatch::EchoOrigin,
        })
    } else {
        let mut matchers = Vec::new();
        for e in &entries {
            if let Some(m) = matcher(e, facts) {
                matchers.push((m, text_span(e)));
            }
        }
        // The loop compares and answers `normalize_origin` of the request's origin
        // (handler.lua:139-143, 163): a written default port dropped.
        OriginPolicy::Match(OriginMatch {
            matchers,
            on_match: OnMatch::EchoNormalisedOrigin,
            on_match_with_credentials: OnMatch::EchoNormalisedOrigin,
        })
    };
    let literal_list = |name: &str, facts: &mut Vec<Fact>| -> Option<AllowList> {
        let (_, e) = c.list(name, facts)?;
        (!e.is_empty()).then(|| AllowList::Static(HeaderValue::from_file(joined(&e, anchor))))
    };
    let allow_methods = if forwards {
        AllowList::NotSent
    } else {
        literal_list("methods", facts).unwrap_or_else(|| {
            AllowList::Static(HeaderValue::from_file(MappedText::opaque(
                DEFAULT_METHODS.into(),
                anchor,
            )))
        })
    };
    let headers_at = c.get("headers").map_or(anchor, |(k, _)| k);
    let allow_headers = if forwards {
        AllowList::NotSent
    } else {
        literal_list("headers", facts).unwrap_or(AllowList::EchoRequest { at: headers_at })
    };
    let expose_headers = literal_list("exposed_headers", facts).unwrap_or(AllowList::NotSent);
    let max_age = match c.get("max_age") {
        Some((_, n)) if !forwards => match n.value {
            Value::Int(v) => MaxAge::Seconds {
                value: v,
                at: n.span,
                defaulted: false,
            },
            Value::Other(ref s) if s.is_empty() => MaxAge::NotSent,
            _ => MaxAge::NotSent,
        },
        _ => MaxAge::NotSent,
    };
    // Kong's schema refuses a value of the wrong type: there is no plugin to judge.
    if facts[first_fact..]
        .iter()
        .any(|f| matches!(f, Fact::WrongType { .. }))
    {
        return None;
    }
    Some(CorsPolicy {
        server: Server {
            product: "Kong",
            version: "3.x (cors plugin)".into(),
            version_assumed: false,
            list_separator: ", ",
        },
        scope: Scope {
            description: p.description.clone(),
            listeners: vec![listener(!forwards)],
            object: p.object_name.clone().map(|name| crate::ir::ObjectName {
                name,
                namespace: None,
            }),
            only_method: None,
            branch: None,
        },
        anchor,
        allow_origin,
        allow_methods,
        allow_headers,
        expose_headers,
        credentials: match credentials {
            Some((at, true)) => Credentials::On { at },
            Some((at, false)) => Credentials::Off { at: Some(at) },
            None => Credentials::Off { at: None },
        },
        max_age,
        vary_origin: vary,
        response_headers: Vec::new(),
        emission: Emission {
            without_origin: absent,
            // `header_filter` runs on every response, errors included.
            on_errors: true,
            exceptions: Vec::new(),
            errors_cause: None,
            only_when_allowed: false,
            // `configure_credentials` outside allow-all: on every response.
            preflight_headers_unless_allowed: false,
            credentials_unconditional: !allow_all && star.is_none(),
            absent_origin_is_empty: false,
            preflight_split: Some(PreflightSplit {
                expose_on_preflight: false,
                vary_on_preflight: true,
            }),
        },
        lost_headers: Vec::new(),
        repeated_headers: Vec::new(),
        backend_passthrough: None,
        fix_hints: fix_hints(),
        fixes: Vec::new(),
        unmatched_preflights_forwarded: None,
    })
}

/// How Kong matches one entry of a list (not the single-literal case).
fn matcher(e: &MappedText, facts: &mut Vec<Fact>) -> Option<OriginMatcher> {
    let entry = e.as_str();
    if is_literal(entry) {
        if entry == "null" {
            // `socket.url` finds no host in `null`, on either side: compared as is.
            return Some(OriginMatcher::Null);
        }
        return match normalize(entry) {
            Some(origin) => Some(OriginMatcher::Exact {
                origin,
                case: Case::Sensitive,
            }),
            None => {
                facts.push(Fact::EntryNeverMatches {
                    entry: entry.to_string(),
                    span: text_span(e),
                    why: "it has no `scheme://`, and Kong compares literal entries with the request's whole \
                          `scheme://host[:port]`"
                        .into(),
                });
                None
            }
        };
    }
    let re = kong_regex(entry);
    let body = re.strip_suffix('$').unwrap_or(&re);
    if entry.contains(':') {
        Some(OriginMatcher::Regex {
            pattern: body.to_string(),
            dialect: RegexDialect::Pcre,
            anchoring: Anchoring::Full,
            case: Case::Sensitive,
        })
    } else {
        facts.push(Fact::HostOnlyRegex {
            entry: entry.to_string(),
            span: text_span(e),
        });
        // Matched against the host alone: any scheme, any port.
        Some(OriginMatcher::Regex {
            pattern: format!("[A-Za-z][A-Za-z0-9+.-]*://(?:{body})(?::[0-9]+)?"),
            dialect: RegexDialect::Pcre,
            anchoring: Anchoring::Full,
            case: Case::Sensitive,
        })
    }
}
