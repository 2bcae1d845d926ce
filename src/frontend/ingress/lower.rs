//! One Ingress's annotations → facts and (with `enable-cors: "true"`) a CORS policy.
//!
//! The generated configuration (`rootfs/etc/nginx/template/nginx.tmpl` `{{ define "CORS" }}`
//! at controller-v1.15.1) is what the policy models: for `*`, `set $http_origin *` and every
//! header on every response of the location; for a list, `if ($http_origin ~* (…)$)` — case
//! insensitive, end-anchored, the `*.` of an entry one DNS label — and the request's `Origin`
//! echoed, with every header, only when it matches. Headers are set with `more_set_headers`
//! (headers-more), so error responses carry them too; no `Vary: Origin` is ever sent; an
//! `OPTIONS` request whose origin matches is answered `204` by nginx itself, before the
//! authentication the `auth-*` annotations add (`auth`) answers anything else.

use super::auth;
use super::controller::{self as ctl, Invalid, Version};
use super::facts::{Cors, Effective, Fact, Fate, OriginEntry, Setting, Source};
use super::objects::{Annotation, Ingress};
use crate::frontend::kube::resolve::Resolved;
use crate::ir::OriginMatch;
use crate::ir::{
    AllowList, Answer, Auth, Case, Condition, CorsPolicy, Credentials, Emission, Exposure,
    HeaderValue, LabelDepth, Listener, ListenerRole, MaxAge, OnMatch, OriginMatcher, OriginPolicy,
    PortMatch, Route, RoutePurpose, Scope, Server, VaryOrigin,
};
use crate::source::{MappedText, Span};

pub struct Context {
    pub version: Version,
    pub version_assumed: bool,
}

/// Go `normalizeString`: every line `strings.TrimSpace`d.
pub fn normalize(raw: &MappedText) -> MappedText {
    let text = raw.as_str();
    let mut out = MappedText::empty(Span::empty(raw.span().start));
    let mut line_start = 0;
    let lines: Vec<&str> = text.split('\n').collect();
    for (i, line) in lines.iter().enumerate() {
        let lead = line.len() - line.trim_start_matches(ctl::go_space).len();
        let kept = line.trim_matches(ctl::go_space);
        let from = line_start + lead;
        for (j, c) in kept.char_indices() {
            out.push(c, raw.span_of(from + j..from + j + c.len_utf8()));
        }
        if i + 1 < lines.len() {
            let nl = line_start + line.len();
            out.push('\n', raw.span_of(nl..nl + 1));
        }
        line_start += line.len() + 1;
    }
    out.with_whole(raw.span())
}

/// How `checkAnnotation` + `parseString` read a string annotation.
pub(super) enum Read<'a> {
    Absent,
    Empty(&'a Annotation),
    Invalid(&'a Annotation, Invalid),
    Ok(&'a Annotation, MappedText),
}

pub(super) fn read<'a>(
    ann: Option<&'a Annotation>,
    validator: impl Fn(&str) -> Result<(), Invalid>,
) -> Read<'a> {
    let Some(ann) = ann else {
        return Read::Absent;
    };
    let raw = ann.value.as_str();
    if !raw.is_empty()
        && let Err(e) = validator(raw)
    {
        return Read::Invalid(ann, e);
    }
    let normalized = normalize(&ann.value);
    if normalized.as_str().is_empty() {
        Read::Empty(ann)
    } else {
        Read::Ok(ann, normalized)
    }
}

fn invalid_source(ann: &Annotation, e: Invalid) -> Source {
    Source::Invalid {
        key: ann.key_span,
        value: ann.value_span,
        raw: ann.value.as_str().to_string(),
        at: ann.value.span_of(e.at.clone()),
        check: e.check,
        why: e.why,
    }
}

fn bool_validator(raw: &str) -> Result<(), Invalid> {
    match ctl::parse_bool(raw) {
        Some(_) => Ok(()),
        None => Err(Invalid {
            at: 0..raw.len(),
            check: "strconv.ParseBool",
            why: "Go's `strconv.ParseBool` accepts only `true`, `false`, `1`, `0`, `t`, `f`, `T`, `F`, \
                  `TRUE`, `FALSE`, `True` and `False`"
                .into(),
        }),
    }
}

fn int_validator(raw: &str) -> Result<(), Invalid> {
    match ctl::atoi(raw) {
        Some(_) => Ok(()),
        None => Err(Invalid {
            at: 0..raw.len(),
            check: "strconv.Atoi",
            why: "Go's `strconv.Atoi` accepts only a decimal integer".into(),
        }),
    }
}

/// A string setting with a default.
fn string_setting(
    ann: Option<&Annotation>,
    key: &str,
    validator: fn(&str) -> Result<(), Invalid>,
    default: &str,
    check: &'static str,
) -> (Setting<String>, Option<MappedText>) {
    match read(ann, validator) {
        Read::Absent => (
            Setting {
                value: default.into(),
                source: Source::Defaulted,
            },
            None,
        ),
        Read::Empty(a) => (
            Setting {
                value: default.into(),
                source: Source::Empty {
                    key: a.key_span,
                    value: a.value_span,
                },
            },
            None,
        ),
        Read::Invalid(a, e) => (
            Setting {
                value: default.into(),
                source: invalid_source(a, e),
            },
            None,
        ),
        Read::Ok(a, normalized) => {
            if ctl::recheck(key, normalized.as_str()) {
                (
                    Setting {
                        value: normalized.as_str().to_string(),
                        source: Source::Explicit {
                            key: a.key_span,
                            value: a.value_span,
                        },
                    },
                    Some(normalized),
                )
            } else {
                let why = if normalized.as_str().contains("  ") {
                    "two spaces in a row pass the controller's first check (which removes spaces) but not \
                     its second (which keeps them)"
                } else {
                    "the value fails the controller's second check (with its spaces kept)"
                };
                let e = Invalid {
                    at: 0..a.value.as_str().len(),
                    check,
                    why: why.into(),
                };
                (
                    Setting {
                        value: default.into(),
                        source: invalid_source(a, e),
                    },
                    None,
                )
            }
        }
    }
}

fn bool_setting(ann: Option<&Annotation>, default: bool) -> Setting<bool> {
    // `parseBool` reads the raw value, which the validator accepted.
    parsed_setting(ann, default, bool_validator, ctl::parse_bool)
}

fn int_setting(ann: Option<&Annotation>, default: i64) -> Setting<i64> {
    parsed_setting(ann, default, int_validator, ctl::atoi)
}

/// A setting the controller validates, then parses from the raw value; `default` when
/// absent, empty or invalid.
fn parsed_setting<T>(
    ann: Option<&Annotation>,
    default: T,
    validator: impl Fn(&str) -> Result<(), Invalid>,
    parse: impl Fn(&str) -> Option<T>,
) -> Setting<T> {
    match read(ann, validator) {
        Read::Absent => Setting {
            value: default,
            source: Source::Defaulted,
        },
        Read::Empty(a) => Setting {
            value: default,
            source: Source::Empty {
                key: a.key_span,
                value: a.value_span,
            },
        },
        Read::Invalid(a, e) => Setting {
            value: default,
            source: invalid_source(a, e),
        },
        Read::Ok(a, _) => Setting {
            value: parse(a.value.as_str()).unwrap_or(default),
            source: Source::Explicit {
                key: a.key_span,
                value: a.value_span,
            },
        },
    }
}

/// `cors-allow-origin`: the setting, its entries, and the text they were split from.
fn origin_setting(
    ann: Option<&Annotation>,
    v: Version,
) -> (Setting<Effective>, Vec<OriginEntry>, Option<MappedText>) {
    let validator = |raw: &str| ctl::validate_origin(raw, v);
    let (a, text) = match read(ann, validator) {
        Read::Absent => {
            return (
                Setting {
                    value: Effective::Star,
                    source: Source::Defaulted,
                },
                Vec::new(),
                None,
            );
        }
        Read::Empty(a) => {
            return (
                Setting {
                    value: Effective::Star,
                    source: Source::Empty {
                        key: a.key_span,
                        value: a.value_span,
                    },
                },
                Vec::new(),
                None,
            );
        }
        Read::Invalid(a, e) => {
            return (
                Setting {
                    value: Effective::Star,
                    source: invalid_source(a, e),
                },
                star_in_list(&a.value),
                None,
            );
        }
        Read::Ok(a, text) => (a, text),
    };
    // `strings.Split(value, ",")`, each `strings.TrimSpace`d.
    let mut entries: Vec<OriginEntry> = Vec::new();
    let mut start = 0;
    let s = text.as_str();
    let mut star = false;
    for piece in s.split(',') {
        let lead = piece.len() - piece.trim_start_matches(ctl::go_space).len();
        let trimmed = piece.trim_matches(ctl::go_space);
        let from = start + lead;
        let span = text.span_of(from..from + trimmed.len());
        start += piece.len() + 1;
        if star {
            entries.push(OriginEntry {
                text: trimmed.into(),
                span,
                fate: Fate::AfterStar,
            });
            continue;
        }
        if trimmed.is_empty() && v.skips_empty_origins() {
            continue;
        }
        let fate = if trimmed == "*" {
            star = true;
            for e in entries.iter_mut().filter(|e| e.fate == Fate::Kept) {
                e.fate = Fate::BeforeStar;
            }
            Fate::Star
        } else if ctl::origin_entry_ok(trimmed, v) {
            Fate::Kept
        } else {
            Fate::Dropped {
                check: ctl::origin_entry_source(v),
            }
        };
        entries.push(OriginEntry {
            text: trimmed.into(),
            span,
            fate,
        });
    }
    let kept: Vec<String> = entries
        .iter()
        .filter(|e| e.fate == Fate::Kept)
        .map(|e| e.text.clone())
        .collect();
    let effective = if star {
        Effective::Star
    } else if kept.is_empty() {
        Effective::Nothing
    } else {
        if ctl::matches_everything(&kept)
            && let Some(e) = entries
                .iter_mut()
                .rev()
                .find(|e| e.fate == Fate::Kept && e.text.is_empty())
        {
            e.fate = Fate::EmptyMatchesAll;
        }
        Effective::List
    };
    // Empty kept entries that do not open the regex match nothing: drop them from view.
    entries.retain(|e| !(e.fate == Fate::Kept && e.text.is_empty()));
    (
        Setting {
            value: effective,
            source: Source::Explicit {
                key: a.key_span,
                value: a.value_span,
            },
        },
        entries,
        Some(text),
    )
}

/// A `*` among other origins: the validator accepts `*` only as the whole value, so the
/// list is rejected (and becomes `*`). `Parse`'s own "any `*` wins" rule is unreachable
/// while annotation validation is on (the default).
fn star_in_list(raw: &MappedText) -> Vec<OriginEntry> {
    let s = raw.as_str();
    let mut entries = Vec::new();
    let mut start = 0;
    let mut seen_star = false;
    for piece in s.split(',') {
        let lead = piece.len() - piece.trim_start_matches(ctl::go_space).len();
        let trimmed = piece.trim_matches(ctl::go_space);
        let from = start + lead;
        start += piece.len() + 1;
        if trimmed.is_empty() {
            continue;
        }
        let fate = if trimmed == "*" {
            seen_star = true;
            Fate::Star
        } else if seen_star {
            Fate::AfterStar
        } else {
            Fate::BeforeStar
        };
        entries.push(OriginEntry {
            text: trimmed.into(),
            span: raw.span_of(from..from + trimmed.len()),
            fate,
        });
    }
    if seen_star && entries.len() > 1 {
        entries
    } else {
        Vec::new()
    }
}

/// How an entry the controller keeps matches a browser's `Origin` (case-insensitive; the
/// missing `^` is moot for serialized origins, which all start with their scheme).
fn matcher(entry: &str) -> OriginMatcher {
    if entry == "null" {
        return OriginMatcher::Null;
    }
    if entry.is_empty() {
        return OriginMatcher::Any;
    }
    let exact = || OriginMatcher::Exact {
        origin: entry.to_string(),
        case: Case::Insensitive,
    };
    let Some((scheme, rest)) = entry.split_once("://") else {
        return exact();
    };
    let Some(rest) = rest.strip_prefix("*.") else {
        return exact();
    };
    let (base, port) = match rest.rsplit_once(':') {
        Some((b, p)) => match p.parse::<u16>() {
            Ok(n) => (b, PortMatch::Exact(n)),
            Err(_) => return exact(),
        },
        None => (rest, PortMatch::Default),
    };
    OriginMatcher::Subdomains {
        scheme: scheme.to_string(),
        base: base.to_string(),
        depth: LabelDepth::ExactlyOne,
        port,
        case: Case::Insensitive,
    }
}

/// The bytes a defaulted value stands on: the annotation when written, else `enable-cors`.
fn default_span(source: &Source, anchor: Span) -> Span {
    match source {
        Source::Defaulted => anchor,
        Source::Explicit { value, .. }
        | Source::Empty { value, .. }
        | Source::Invalid { value, .. } => *value,
    }
}

fn list(setting: &Setting<String>, text: Option<MappedText>, anchor: Span) -> AllowList {
    if setting.value.is_empty() {
        return AllowList::NotSent;
    }
    let text = text.unwrap_or_else(|| {
        MappedText::opaque(setting.value.clone(), default_span(&setting.source, anchor))
    });
    AllowList::Static(HeaderValue::from_file(text))
}

/// Lower one Ingress: facts always, a policy when `enable-cors` is true.
pub fn ingress(ing: &Ingress, cx: &Context, facts: &mut Vec<Fact>) -> Option<CorsPolicy> {
    let object = format!("Ingress {}", ing.display_name());
    let mut ours: Vec<&Annotation> = Vec::new();
    for a in &ing.annotations {
        if a.resolved != Resolved::String {
            facts.push(Fact::NonString {
                key: a.key.clone(),
                value: a.value_span,
                written: a.written.clone(),
                resolved: a.resolved,
            });
        }
        match a.key.strip_prefix(ctl::PREFIX) {
            Some(name) if ctl::CORS_KEYS.contains(&name) => ours.push(a),
            Some(name) if name.ends_with("-snippet") => facts.push(Fact::Snippet {
                object: object.clone(),
                key: a.key.clone(),
                key_span: a.key_span,
                body: a.value.clone(),
                version: cx.version,
                version_assumed: cx.version_assumed,
            }),
            _ => {
                if let Some(suggestion) = unknown_key(&a.key) {
                    facts.push(Fact::UnknownKey {
                        key: a.key.clone(),
                        span: a.key_span,
                        suggestion,
                    });
                }
            }
        }
    }
    let get = |name: &str| {
        ours.iter()
            .find(|a| a.key.strip_prefix(ctl::PREFIX) == Some(name))
            .copied()
    };
    let enable_ann = get(ctl::ENABLE);
    let enable = bool_setting(enable_ann, false);
    if !enable.value {
        let keys: Vec<(String, Span)> = ours
            .iter()
            .filter(|a| a.key.strip_prefix(ctl::PREFIX) != Some(ctl::ENABLE))
            .map(|a| (a.key.clone(), a.key_span))
            .collect();
        let written = match &enable.source {
            Source::Defaulted => None,
            Source::Explicit { value, .. } => Some((*value, "is false".to_string())),
            Source::Empty { value, .. } => Some((
                *value,
                "is empty, which the controller reads as false".to_string(),
            )),
            Source::Invalid { at, raw, .. } => Some((
                *at,
                format!(
                    "is `{raw}`, which Go's `strconv.ParseBool` does not accept, so the controller reads false"
                ),
            )),
        };
        let invalid = matches!(enable.source, Source::Invalid { .. } | Source::Empty { .. });
        if !keys.is_empty() || invalid {
            facts.push(Fact::CorsOff {
                object,
                enable: written,
                keys,
            });
        }
        return None;
    }
    let anchor = enable_ann.map_or(ing.kind_span, |a| a.key_span);
    let v = cx.version;
    let (origin, entries, _) = origin_setting(get(ctl::ORIGIN), v);
    let (methods, methods_text) = string_setting(
        get(ctl::METHODS),
        ctl::METHODS,
        ctl::validate_methods,
        ctl::DEFAULT_METHODS,
        ctl::METHODS_SOURCE,
    );
    let (headers, headers_text) = string_setting(
        get(ctl::HEADERS),
        ctl::HEADERS,
        ctl::validate_headers,
        ctl::DEFAULT_HEADERS,
        ctl::HEADERS_SOURCE,
    );
    let (expose, expose_text) = string_setting(
        get(ctl::EXPOSE),
        ctl::EXPOSE,
        ctl::validate_expose,
        "",
        ctl::EXPOSE_SOURCE,
    );
    let credentials = bool_setting(get(ctl::CREDENTIALS), true);
    let max_age = int_setting(get(ctl::MAX_AGE), ctl::DEFAULT_MAX_AGE);

    let matchers: Vec<(OriginMatcher, Span)> = entries
        .iter()
        .filter(|e| matches!(e.fate, Fate::Kept | Fate::EmptyMatchesAll))
        .map(|e| (matcher(&e.text), e.span))
        .collect();
    let star_span = entries
        .iter()
        .find(|e| e.fate == Fate::Star)
        .map(|e| e.span)
        .unwrap_or_else(|| default_span(&origin.source, anchor));
    let nothing = origin.value == Effective::Nothing;
    let allow_origin = match origin.value {
        Effective::Star => OriginPolicy::Static(HeaderValue::from_file(MappedText::opaque(
            "*".into(),
            star_span,
        ))),
        Effective::List => OriginPolicy::Match(OriginMatch {
            matchers,
            on_match: OnMatch::EchoOrigin,
            on_match_with_credentials: OnMatch::EchoOrigin,
        }),
        Effective::Nothing => OriginPolicy::NotSent,
    };
    let credentials_ir = if nothing {
        Credentials::Off { at: None }
    } else if credentials.value {
        Credentials::On {
            at: default_span(&credentials.source, anchor),
        }
    } else {
        Credentials::Off {
            at: credentials
                .source
                .key()
                .map(|_| default_span(&credentials.source, anchor)),
        }
    };
    let policy = CorsPolicy {
        server: Server {
            product: "ingress-nginx",
            version: v.to_string(),
            version_assumed: cx.version_assumed,
            list_separator: ", ",
        },
        scope: scope(ing, &object),
        anchor,
        allow_origin,
        allow_methods: if nothing {
            AllowList::NotSent
        } else {
            list(&methods, methods_text, anchor)
        },
        allow_headers: if nothing {
            AllowList::NotSent
        } else {
            list(&headers, headers_text, anchor)
        },
        expose_headers: if nothing {
            AllowList::NotSent
        } else {
            list(&expose, expose_text, anchor)
        },
        credentials: credentials_ir,
        // A negative `Access-Control-Max-Age` is sent too (browsers then use their default).
        max_age: if nothing {
            MaxAge::NotSent
        } else {
            MaxAge::Seconds {
                value: max_age.value,
                at: default_span(&max_age.source, anchor),
                defaulted: matches!(max_age.source, Source::Defaulted),
            }
        },
        vary_origin: VaryOrigin::Never,
        response_headers: Vec::new(),
        emission: Emission {
            // `set $http_origin *; set $cors 'true';` does not look at the request.
            without_origin: origin.value == Effective::Star,
            // `more_set_headers` without `-s`: every status.
            on_errors: true,
            exceptions: Vec::new(),
            errors_cause: None,
            // Every header is inside `if ($cors = "true")`.
            only_when_allowed: origin.value != Effective::Star,
            preflight_headers_unless_allowed: false,
            credentials_unconditional: false,
            absent_origin_is_empty: false,
            preflight_split: None,
        },
        lost_headers: Vec::new(),
        repeated_headers: Vec::new(),
        backend_passthrough: None,
        fixes: Vec::new(),
        unmatched_preflights_forwarded: None,
        fix_hints: crate::ir::FixHints {
            vary: Some(
                "the controller's CORS annotations cannot send it: add `more_set_headers \"Vary: Origin\";` in a \
                 `configuration-snippet` (where snippets are allowed) or to the controller's `add-headers` ConfigMap"
                    .into(),
            ),
            ..crate::ir::FixHints::default()
        },
    };
    facts.push(Fact::Cors(Box::new(Cors {
        object,
        anchor,
        version: v,
        origin,
        origin_entries: entries,
        methods,
        headers,
        expose,
        credentials,
        max_age,
    })));
    Some(policy)
}

/// How the controller's nginx answers, in the order it does: an `OPTIONS` request from an
/// allowed origin in the rewrite phase (`return 204`, before any authentication), then
/// authentication, then the backend. Routes match whole segment counts, so each comes once
/// per path depth.
fn answers(ing: &Ingress) -> (Auth, Vec<Route>, Answer) {
    let (auth, backend) = match auth::gate(ing) {
        auth::Gate::Open => (Auth::None, BACKEND),
        auth::Gate::NotModelled => (Auth::Unknown, BACKEND),
        auth::Gate::Checked(c) => (
            Auth::Required {
                enabled_at: c.anchor,
                status: c.status(),
                reason: c.reason(),
                challenge: c.challenge(),
            },
            auth::PASSED,
        ),
    };
    let unmatched = Answer::any(200, backend);
    let depth_path = |depth: usize| {
        (1..=depth)
            .map(|i| format!("/{{segment{i}}}"))
            .collect::<String>()
            + if depth == 0 { "/" } else { "" }
    };
    let mut routes = Vec::new();
    for depth in 0..=8 {
        let path = depth_path(depth);
        routes.push(Route {
            path: path.clone(),
            purpose: RoutePurpose::Api,
            before_auth: true,
            answers: vec![
                Answer::on(
                    &["OPTIONS"],
                    204,
                    "ingress-nginx answers an `OPTIONS` request from an allowed origin itself (`return 204`)",
                )
                .when(Condition::OriginAllowed),
            ],
        });
        routes.push(Route {
            path,
            purpose: RoutePurpose::Api,
            before_auth: false,
            answers: vec![unmatched.clone()],
        });
    }
    (auth, routes, unmatched)
}

const BACKEND: &str = "the backend Service answers (its status is not in the manifest)";

/// Hosts and paths the Ingress routes, each host a listener of the controller's nginx.
fn scope(ing: &Ingress, object: &str) -> Scope {
    let hosts: Vec<String> = ing.hosts.iter().map(|(h, _)| format!("`{h}`")).collect();
    let description = match hosts.len() {
        0 => format!("{object} (every host)"),
        1 => format!("{object} (host {})", hosts[0]),
        _ => format!("{object} (hosts {})", join_and(&hosts)),
    };
    let (auth, routes, unmatched) = answers(ing);
    let mut listeners: Vec<Listener> = ing
        .hosts
        .iter()
        .map(|(h, span)| {
            let scheme = if ing.tls_hosts.iter().any(|t| t == h) {
                "https"
            } else {
                "http"
            };
            Listener {
                name: h.clone(),
                role: ListenerRole::Api,
                address: format!("{scheme}://{h}"),
                address_span: Some(*span),
                exposure: Exposure::Network,
                auth: auth.clone(),
                routes: routes.clone(),
                unmatched: unmatched.clone(),
            }
        })
        .collect();
    if listeners.is_empty() {
        listeners.push(Listener {
            name: "default".into(),
            role: ListenerRole::Api,
            address: "http://*".into(),
            address_span: None,
            exposure: Exposure::Network,
            auth,
            routes,
            unmatched,
        });
    }
    Scope {
        description,
        listeners,
        object: Some(crate::ir::ObjectName {
            name: ing.name.clone(),
            namespace: ing.namespace.clone(),
        }),
        only_method: None,
        branch: None,
    }
}

/// An annotation key the controller never reads that looks meant for its CORS support:
/// `Some(suggestion)`; `None` when it is none of our business.
fn unknown_key(key: &str) -> Option<Option<String>> {
    let (prefix, name) = key.rsplit_once('/')?;
    let near_prefix = prefix != ctl::PREFIX.trim_end_matches('/')
        && strsim::damerau_levenshtein(prefix, ctl::PREFIX.trim_end_matches('/')) <= 3;
    let ours = prefix == ctl::PREFIX.trim_end_matches('/');
    if !(ours || near_prefix) {
        return None;
    }
    let nearest = ctl::CORS_KEYS
        .iter()
        .map(|k| (strsim::damerau_levenshtein(name, k), *k))
        .min()?;
    let corsish = name.to_ascii_lowercase().contains("cors") || nearest.0 <= 2;
    if !corsish {
        return None;
    }
    if near_prefix && ctl::CORS_KEYS.contains(&name) {
        return Some(Some(format!("{}{name}", ctl::PREFIX)));
    }
    // `cors-allow-origin-regex` (not a thing: facts §2.5) and friends: nearest by name.
    let best = ctl::CORS_KEYS
        .iter()
        .map(|k| (strsim::normalized_damerau_levenshtein(name, k), *k))
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    Some((best.0 >= 0.6 || nearest.0 <= 3).then(|| format!("{}{}", ctl::PREFIX, best.1)))
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
