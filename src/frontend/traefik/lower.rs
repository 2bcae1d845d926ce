//! One `headers` middleware → facts and a CORS policy (see the module docs for the model).

use super::config::{Middleware, Origin};
use super::{Fact, Version};
use crate::frontend::kube::tree::{Node, Value};
use crate::ir::{
    AllowList, Anchoring, Answer, Auth, Case, Condition, CorsPolicy, Credentials, Emission,
    Exposure, FixHints, HeaderValue, Listener, ListenerRole, MaxAge, OnMatch, OriginMatch,
    OriginMatcher, OriginPolicy, PreflightSplit, RegexDialect, Route, RoutePurpose, Scope, Server,
    VaryOrigin,
};
use crate::source::{MappedText, Span};

pub struct Context {
    pub version: Version,
    pub version_assumed: bool,
    /// The file is TOML (help is written in its syntax).
    pub toml: bool,
}

pub const ORIGIN_LIST: &str = "accessControlAllowOriginList";
pub const ORIGIN_REGEX: &str = "accessControlAllowOriginListRegex";
pub const CREDENTIALS: &str = "accessControlAllowCredentials";
pub const METHODS: &str = "accessControlAllowMethods";
pub const HEADERS: &str = "accessControlAllowHeaders";
pub const EXPOSE: &str = "accessControlExposeHeaders";
pub const MAX_AGE: &str = "accessControlMaxAge";
pub const VARY: &str = "addVaryHeader";
pub const CUSTOM: &str = "customResponseHeaders";

/// The fields whose presence makes Traefik answer preflights (`HasCorsHeadersDefined`).
const CORS_FIELDS: [&str; 8] = [
    ORIGIN_LIST,
    ORIGIN_REGEX,
    CREDENTIALS,
    METHODS,
    HEADERS,
    EXPOSE,
    MAX_AGE,
    VARY,
];

struct Fields<'a> {
    m: &'a Middleware,
}

impl<'a> Fields<'a> {
    /// A field: exact name for a CRD, any case for the file provider.
    fn get(&self, name: &str) -> Option<(Span, &'a Node)> {
        match self.m.origin {
            Origin::Crd => self.m.headers.entry(name),
            Origin::File => self.m.headers.entry_ci(name).map(|(_, k, v)| (k, v)),
        }
    }

    fn wrong(&self, facts: &mut Vec<Fact>, name: &str, node: &Node, expected: &'static str) {
        facts.push(Fact::WrongType {
            middleware: self.m.name.clone(),
            field: name.to_string(),
            span: node.span,
            expected,
            found: node.kind(),
        });
    }

    /// A `[]string` field: its entries with their text; `None` when absent or empty.
    fn list(&self, name: &str, facts: &mut Vec<Fact>) -> Option<(Span, Vec<MappedText>)> {
        let (key, node) = self.get(name)?;
        match &node.value {
            Value::Seq(items) => {
                let mut out = Vec::new();
                for i in items {
                    match &i.value {
                        Value::Str(t) => out.push(t.clone()),
                        // go-yaml/JSON would refuse a non-string entry; skip it.
                        _ => self.wrong(facts, name, i, "a string"),
                    }
                }
                (!out.is_empty()).then_some((key, out))
            }
            Value::Other(s) if s.is_empty() => None,
            _ => {
                self.wrong(facts, name, node, "a list of strings");
                None
            }
        }
    }

    fn bool(&self, name: &str, facts: &mut Vec<Fact>) -> Option<(Span, bool)> {
        let (key, node) = self.get(name)?;
        match node.value {
            Value::Bool(b) => Some((key, b)),
            _ => {
                self.wrong(facts, name, node, "a boolean");
                None
            }
        }
    }

    fn int(&self, name: &str, facts: &mut Vec<Fact>) -> Option<(Span, i64)> {
        let (_, node) = self.get(name)?;
        match node.value {
            Value::Int(i) => Some((node.span, i)),
            _ => {
                self.wrong(facts, name, node, "an integer");
                None
            }
        }
    }
}

/// Entries joined with `,` (Go `strings.Join`), each character keeping its bytes; the commas
/// stand on the end of the entry before them.
fn joined(entries: &[MappedText], anchor: Span) -> MappedText {
    let mut out = MappedText::empty(Span::empty(anchor.start));
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            let prev = &entries[i - 1];
            out.push(',', Span::empty(prev.span_of(0..prev.as_str().len()).end));
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

/// The bytes of an entry's text (without its quotes).
fn text_span(t: &MappedText) -> Span {
    if t.as_str().is_empty() {
        t.span()
    } else {
        t.span_of(0..t.as_str().len())
    }
}

/// The dialect's fixes, in the syntax of the file at hand (TOML or YAML).
fn fix_hints(toml: bool) -> FixHints {
    let set = |key: &str, yaml: &str, toml_value: &str| {
        if toml {
            format!("`{key} = {toml_value}`")
        } else {
            format!("`{key}: {yaml}`")
        }
    };
    FixHints {
        whitespace: None,
        origin_list: Some(format!(
            "list each allowed origin exactly, without `*`: {}",
            set(
                ORIGIN_LIST,
                "[\"https://app.example.com\"]",
                "[\"https://app.example.com\"]"
            )
        )),
        anchor_pattern: Some(format!(
            "`{ORIGIN_REGEX}` entries match anywhere in the origin (Go `regexp.MatchString`); anchor them: {}",
            set(
                ORIGIN_REGEX,
                "['^https://([a-z0-9-]+\\.)*example\\.com$']",
                "['^https://([a-z0-9-]+\\.)*example\\.com$']"
            )
        )),
        credentials_off: Some(format!(
            "remove {} from the middleware",
            set("accessControlAllowCredentials", "true", "true")
        )),
        vary: Some(format!(
            "set {} on the middleware",
            set(VARY, "true", "true")
        )),
        max_age: Some(format!(
            "set {} (seconds) or less",
            set(MAX_AGE, "7200", "7200")
        )),
        allow_lists: Some(format!(
            "list the methods and headers without `*`: {} and {}",
            set(
                "accessControlAllowMethods",
                "[GET, PUT]",
                "[\"GET\", \"PUT\"]"
            ),
            set(
                "accessControlAllowHeaders",
                "[Content-Type, Authorization]",
                "[\"Content-Type\", \"Authorization\"]"
            )
        )),
    }
}

/// Any path (routes match whole segment counts, so one route per depth): Traefik answers a
/// CORS preflight itself; everything else reaches the service.
fn listener(cors: bool) -> Listener {
    let unmatched = Answer::any(
        200,
        "the service behind the router answers (its status is not in the configuration)",
    );
    let mut answers = Vec::new();
    if cors {
        answers.push(
            Answer::on(
                &["OPTIONS"],
                200,
                "Traefik answers a CORS preflight itself (`headers` middleware), whatever the origin",
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
        name: "routers".into(),
        role: ListenerRole::Api,
        address: "the entry points of the routers that use it".into(),
        address_span: None,
        exposure: Exposure::Network,
        auth: Auth::None,
        routes,
        unmatched,
    }
}

pub fn middleware(m: &Middleware, cx: &Context, facts: &mut Vec<Fact>) -> Option<CorsPolicy> {
    let f = Fields { m };
    let v = cx.version;
    let first_fact = facts.len();
    unknown_fields(m, facts);
    let custom = custom_cors_headers(&f, facts);
    let cors = CORS_FIELDS.iter().any(|n| enables_cors(&f, n, v));
    for c in &custom {
        facts.push(Fact::CustomCorsHeader {
            middleware: m.name.clone(),
            header: c.0.clone(),
            key: c.1,
            with_cors_fields: cors,
        });
    }
    if !cors && custom.is_empty() {
        return None;
    }
    let anchor = m.headers_key;
    let credentials_on = f.bool(CREDENTIALS, facts);
    let creds = credentials_on.is_some_and(|(_, b)| b);
    let echo_star = creds && v.star_credentials_echo();

    let allow_origin = if cors {
        origin_policy(&f, cx, credentials_on, facts)
    } else {
        match custom
            .iter()
            .find(|c| c.0.eq_ignore_ascii_case("Access-Control-Allow-Origin"))
        {
            Some(c) => OriginPolicy::Static(HeaderValue::from_file(c.2.clone())),
            None => OriginPolicy::NotSent,
        }
    };
    let list = |name: &str, facts: &mut Vec<Fact>, expose: bool| -> AllowList {
        let Some((_, entries)) = f.list(name, facts) else {
            return AllowList::NotSent;
        };
        if echo_star && let Some(star) = entries.iter().find(|e| e.as_str() == "*") {
            return if expose {
                // Dropped: `*` means nothing with credentials.
                AllowList::NotSent
            } else {
                AllowList::EchoRequest {
                    at: text_span(star),
                }
            };
        }
        AllowList::Static(HeaderValue::from_file(joined(&entries, anchor)))
    };
    let custom_list = |header: &str| -> AllowList {
        match custom.iter().find(|c| c.0.eq_ignore_ascii_case(header)) {
            Some(c) => AllowList::Static(HeaderValue::from_file(c.2.clone())),
            None => AllowList::NotSent,
        }
    };
    let (allow_methods, allow_headers, expose_headers) = if cors {
        (
            list(METHODS, facts, false),
            list(HEADERS, facts, false),
            list(EXPOSE, facts, true),
        )
    } else {
        (
            custom_list("Access-Control-Allow-Methods"),
            custom_list("Access-Control-Allow-Headers"),
            custom_list("Access-Control-Expose-Headers"),
        )
    };
    let credentials = if cors {
        match credentials_on {
            Some((at, true)) => Credentials::On { at },
            Some((at, false)) => Credentials::Off { at: Some(at) },
            None => Credentials::Off { at: None },
        }
    } else {
        match custom
            .iter()
            .find(|c| c.0.eq_ignore_ascii_case("Access-Control-Allow-Credentials"))
        {
            Some(c) if c.2.as_str() == "true" => Credentials::On { at: c.1 },
            _ => Credentials::Off { at: None },
        }
    };
    let max_age = if cors {
        match f.int(MAX_AGE, facts) {
            Some((at, value)) => MaxAge::Seconds {
                value,
                at,
                defaulted: false,
            },
            None if v.max_age_is_int64() => MaxAge::Seconds {
                value: 0,
                at: anchor,
                defaulted: true,
            },
            None => MaxAge::NotSent,
        }
    } else {
        MaxAge::NotSent
    };
    let vary = cors && f.bool(VARY, facts).is_some_and(|(_, b)| b);
    // A value of the wrong type: the API server or the decoder refuses the configuration,
    // so there is no middleware to judge.
    if facts[first_fact..].iter().any(|f| {
        matches!(
            f,
            Fact::WrongType { .. } | Fact::UnknownField { refused: true, .. }
        )
    }) {
        return None;
    }
    Some(CorsPolicy {
        server: Server {
            product: "Traefik",
            version: v.to_string(),
            version_assumed: cx.version_assumed,
            list_separator: ", ",
        },
        scope: Scope {
            description: format!("Traefik middleware `{}`", m.name),
            listeners: vec![listener(cors)],
            object: Some(crate::ir::ObjectName {
                name: m.short_name.clone(),
                namespace: m.name.split_once('/').map(|(ns, _)| ns.to_string()),
            }),
            only_method: None,
            branch: None,
        },
        anchor,
        allow_origin,
        allow_methods,
        allow_headers,
        expose_headers,
        credentials,
        max_age,
        vary_origin: if vary {
            VaryOrigin::Always
        } else {
            VaryOrigin::Never
        },
        response_headers: custom_vary(&f),
        emission: Emission {
            // Set on every response the middleware passes back, with or without `Origin`.
            without_origin: true,
            // The service's error responses pass through the same response modifier.
            on_errors: true,
            exceptions: vec![
                "Traefik's own error responses (no matching router, unreachable service)".into(),
            ],
            errors_cause: None,
            only_when_allowed: false,
            preflight_headers_unless_allowed: false,
            credentials_unconditional: cors,
            absent_origin_is_empty: cors,
            preflight_split: cors.then_some(PreflightSplit {
                expose_on_preflight: v.expose_on_preflight(),
                vary_on_preflight: false,
            }),
        },
        lost_headers: Vec::new(),
        repeated_headers: Vec::new(),
        backend_passthrough: None,
        fix_hints: fix_hints(cx.toml),
        fixes: Vec::new(),
        unmatched_preflights_forwarded: None,
    })
}

/// Whether a field counts in `HasCorsHeadersDefined`, which tests Go values, not presence:
/// `false`, an empty or null list and (while the field is an `int64`) a max age of `0` are
/// what an unset field decodes to, so they do not make Traefik answer preflights.
fn enables_cors(f: &Fields, name: &str, v: Version) -> bool {
    let Some((_, node)) = f.get(name) else {
        return false;
    };
    let flag = name == CREDENTIALS || name == VARY;
    match &node.value {
        Value::Bool(b) if flag => *b,
        Value::Seq(items) if !flag && name != MAX_AGE => !items.is_empty(),
        Value::Int(0) if name == MAX_AGE => !v.max_age_is_int64(),
        Value::Other(s) => !s.is_empty(),
        // A value of the wrong type: counted, so that the middleware is judged refused
        // (`Fact::WrongType`) rather than absent.
        _ => true,
    }
}

/// CORS-like keys of `headers` that Traefik does not read.
fn unknown_fields(m: &Middleware, facts: &mut Vec<Fact>) {
    for (key, span, _) in m.headers.entries() {
        let lower = key.to_ascii_lowercase();
        let known = CORS_FIELDS
            .iter()
            .chain([&CUSTOM])
            .find(|f| f.eq_ignore_ascii_case(key));
        let (suggestion, why) = match known {
            Some(f) if *f == key.as_str() => continue,
            // The file provider decodes field names without regard to case.
            Some(_) if m.origin == Origin::File => continue,
            Some(f) => (
                Some(f.to_string()),
                "field names of a `Middleware` object are case-sensitive, and the API server drops unknown ones"
                    .to_string(),
            ),
            None if lower == "accesscontrolalloworigin" => (
                Some(ORIGIN_LIST.to_string()),
                "Traefik v2 deprecated it and v3 removed it".to_string(),
            ),
            None if lower.contains("accesscontrol") || lower.contains("cors") || lower.contains("vary") => {
                let best = CORS_FIELDS
                    .iter()
                    .filter_map(|f| {
                        crate::spelling::distance_within(&lower, &f.to_ascii_lowercase(), 4)
                            .map(|d| (d, *f))
                    })
                    .min();
                (
                    best.map(|(_, f)| f.to_string()),
                    "the `headers` middleware has no such field".to_string(),
                )
            }
            None => continue,
        };
        let why = match m.origin {
            // Observed with Traefik 3.7.15: "field not found, node: …", and no router of the
            // file is built.
            Origin::File => format!(
                "{why}, and the file provider refuses the whole file (\"field not found\"), so none of its \
                 routers exist"
            ),
            Origin::Crd => format!("{why}; the middleware works without it"),
        };
        facts.push(Fact::UnknownField {
            middleware: m.name.clone(),
            field: key.clone(),
            span: *span,
            suggestion,
            why,
            refused: m.origin == Origin::File,
        });
    }
}

/// A `Vary` in `customResponseHeaders`: set (replacing the backend's) on every response
/// the middleware passes back, before `addVaryHeader` appends to it.
fn custom_vary(f: &Fields) -> Vec<crate::ir::ResponseHeader> {
    let Some((_, node)) = f.get(CUSTOM) else {
        return Vec::new();
    };
    node.entries()
        .iter()
        .filter(|(k, ..)| k.eq_ignore_ascii_case("vary"))
        .filter_map(|(k, _, v)| {
            let t = v.mapped()?;
            Some(crate::ir::ResponseHeader {
                name: k.clone(),
                value: t.as_str().to_string(),
                at: t.span(),
                replaces: true,
            })
        })
        .collect()
}

/// `customResponseHeaders` entries named `Access-Control-*`: name, key bytes, value.
fn custom_cors_headers(f: &Fields, facts: &mut Vec<Fact>) -> Vec<(String, Span, MappedText)> {
    let Some((_, node)) = f.get(CUSTOM) else {
        return Vec::new();
    };
    if !node.is_map() {
        f.wrong(facts, CUSTOM, node, "a mapping of header names to values");
        return Vec::new();
    }
    node.entries()
        .iter()
        .filter(|(k, ..)| k.to_ascii_lowercase().starts_with("access-control-"))
        .filter_map(|(k, s, v)| {
            // An empty value deletes the header.
            let t = v.mapped()?.clone();
            (!t.as_str().is_empty()).then(|| (k.clone(), *s, t))
        })
        .collect()
}

fn origin_policy(
    f: &Fields,
    cx: &Context,
    credentials: Option<(Span, bool)>,
    facts: &mut Vec<Fact>,
) -> OriginPolicy {
    let m = f.m;
    let exact = f
        .list(ORIGIN_LIST, facts)
        .map(|(_, e)| e)
        .unwrap_or_default();
    let regexes = f
        .list(ORIGIN_REGEX, facts)
        .map(|(_, e)| e)
        .unwrap_or_default();
    // `NewHeader` compiles every regex first; one that does not compile fails the middleware.
    for r in &regexes {
        // The shared cache answers "compiles" (the rules match with it anyway); only a
        // pattern that does not compile is compiled again, for the engine's message.
        let compiles = crate::regex_cache::compiled(r.as_str(), false).is_some();
        if !compiles && let Err(e) = regex::Regex::new(r.as_str()) {
            facts.push(Fact::InvalidRegex {
                middleware: m.name.clone(),
                pattern: r.as_str().to_string(),
                span: text_span(r),
                error: e
                    .to_string()
                    .lines()
                    .last()
                    .unwrap_or("")
                    .trim()
                    .to_string(),
            });
            return OriginPolicy::Unknown {
                at: text_span(r),
                why: "Traefik cannot build the middleware (an origin regex does not compile)"
                    .into(),
            };
        }
    }
    if exact.is_empty() && regexes.is_empty() {
        return OriginPolicy::NotSent;
    }
    let mut matchers = Vec::new();
    let mut star: Option<Span> = None;
    for e in &exact {
        let span = text_span(e);
        if let Some(s) = star {
            facts.push(Fact::Shadowed {
                middleware: m.name.clone(),
                entry: e.as_str().to_string(),
                span,
                star: s,
            });
            continue;
        }
        if e.as_str() == "*" {
            star = Some(span);
            matchers.push((OriginMatcher::Any, span));
        } else if e.as_str() == "null" {
            matchers.push((OriginMatcher::Null, span));
        } else {
            matchers.push((
                OriginMatcher::Exact {
                    origin: e.as_str().to_string(),
                    case: Case::Sensitive,
                },
                span,
            ));
        }
    }
    for r in &regexes {
        let span = text_span(r);
        if let Some(s) = star {
            facts.push(Fact::Shadowed {
                middleware: m.name.clone(),
                entry: r.as_str().to_string(),
                span,
                star: s,
            });
            continue;
        }
        matchers.push((
            OriginMatcher::Regex {
                pattern: r.as_str().to_string(),
                dialect: RegexDialect::GoRegexp,
                anchoring: Anchoring::None,
                case: Case::Sensitive,
            },
            span,
        ));
    }
    if let (Some(star), Some((credentials, true))) = (star, credentials) {
        facts.push(Fact::StarWithCredentials {
            middleware: m.name.clone(),
            star,
            credentials,
            version: cx.version,
            assumed: cx.version_assumed,
        });
    }
    let star_sent = if star.is_some() {
        OnMatch::LiteralStar
    } else {
        OnMatch::EchoOrigin
    };
    OriginPolicy::Match(OriginMatch {
        matchers,
        // A `*` entry sends `*`; every other entry sends the request's origin (an exact
        // entry equals it).
        on_match: star_sent,
        on_match_with_credentials: if cx.version.star_credentials_echo() {
            OnMatch::EchoOrigin
        } else {
            star_sent
        },
    })
}
