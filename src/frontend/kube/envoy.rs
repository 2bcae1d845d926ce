//! What Envoy-based gateways do with a CORS policy, shared by the Gateway API, Istio and
//! Envoy Gateway front ends.
//!
//! Envoy's CORS filter (`source/extensions/filters/http/cors/cors_filter.cc`): a request
//! with a non-empty `Origin` is checked against the allowed-origin matchers — any matcher
//! that accepts the literal string `*` allows every origin — and an allowed origin is
//! **echoed** in `Access-Control-Allow-Origin` (never a literal `*`). A preflight (`OPTIONS`
//! with `Origin` and `Access-Control-Request-Method`) is answered `200` by Envoy itself for an
//! allowed origin, with credentials, methods (`*`: the requested method echoed), headers
//! (`*`: echoed), max-age; a preflight from another origin is forwarded upstream when
//! `forward_not_matching_preflights` is true (its default), else answered `200` with every
//! header but `Access-Control-Allow-Origin`. Other responses to an allowed origin get the
//! origin, credentials and exposed headers. `Vary` is never added.

use crate::ir::{
    AllowList, Anchoring, Answer, Auth, Case, Condition, CorsPolicy, Credentials, Emission,
    Exposure, FixHints, Listener, ListenerRole, MaxAge, OnMatch, OriginMatch, OriginMatcher,
    OriginPolicy, RegexDialect, Route, RoutePurpose, Scope, Server, VaryOrigin,
};
use crate::source::Span;

/// How a preflight from an origin the policy does not allow is answered.
#[derive(Clone, Debug)]
pub enum Unmatched {
    /// Passed to the backend: the setting (or anchor) and how to stop it in the dialect.
    Forwarded { at: Span, remedy: String },
    /// Answered `200` by Envoy with every CORS header but the origin.
    EnvoyAnswers,
}

/// What a front end read, in Envoy's terms.
pub struct Spec {
    pub server: Server,
    pub scope: String,
    /// The object the policy is configured in.
    pub object: Option<crate::ir::ObjectName>,
    /// Host names the route serves (listeners); empty: every host name.
    pub hosts: Vec<(String, Span)>,
    pub anchor: Span,
    /// `None`: no origin is allowed at all (no CORS header is ever sent).
    pub matchers: Option<Vec<(OriginMatcher, Span)>>,
    pub on_match: OnMatch,
    pub on_match_with_credentials: OnMatch,
    pub methods: AllowList,
    pub headers: AllowList,
    pub expose: AllowList,
    pub credentials: Credentials,
    pub max_age: MaxAge,
    pub unmatched: Unmatched,
    pub fix_hints: FixHints,
    /// Headers the route's filters put on responses (`Vary`).
    pub response_headers: Vec<crate::ir::ResponseHeader>,
}

/// Envoy's `StringMatcher` as an origin matcher. `regex` is RE2 matched against the whole
/// value; `exact`/`prefix`/`suffix` are case-sensitive unless `ignore_case`. A matcher that
/// accepts the literal `*` allows every origin (`isOriginAllowed` tries `*` first).
pub fn string_matcher(kind: &str, value: &str, ignore_case: bool) -> OriginMatcher {
    let case = if ignore_case {
        Case::Insensitive
    } else {
        Case::Sensitive
    };
    let m = match kind {
        "exact" if value == "null" => OriginMatcher::Null,
        "exact" => OriginMatcher::Exact {
            origin: value.to_string(),
            case,
        },
        "prefix" => OriginMatcher::Prefix {
            value: value.to_string(),
            case,
        },
        "suffix" => OriginMatcher::Suffix {
            value: value.to_string(),
            case,
        },
        _ => OriginMatcher::Regex {
            pattern: value.to_string(),
            dialect: RegexDialect::Re2,
            anchoring: Anchoring::Full,
            case,
        },
    };
    if m.accepts("*") {
        OriginMatcher::Any
    } else {
        m
    }
}

/// The policy Envoy enforces for `spec`.
pub fn policy(spec: Spec) -> CorsPolicy {
    let product = spec.server.product;
    let none = spec.matchers.is_none();
    let allow_origin = match spec.matchers {
        None => OriginPolicy::NotSent,
        Some(matchers) => OriginPolicy::Match(OriginMatch {
            matchers,
            on_match: spec.on_match,
            on_match_with_credentials: spec.on_match_with_credentials,
        }),
    };
    let backend = Answer::any(
        200,
        "the backend answers (its status is not in the manifest)",
    );
    let mut answers = vec![
        Answer::on(
            &["OPTIONS"],
            200,
            &format!("{product} answers a preflight from an allowed origin itself"),
        )
        .when(Condition::OriginAllowed),
    ];
    match &spec.unmatched {
        Unmatched::Forwarded { .. } => {}
        Unmatched::EnvoyAnswers => answers.push(Answer::on(
            &["OPTIONS"],
            200,
            &format!(
                "{product} answers a preflight from an origin it does not allow itself, without \
                 `Access-Control-Allow-Origin`"
            ),
        )),
    }
    answers.push(backend.clone());
    // Any path: routes match whole segment counts, so one route per depth.
    let routes: Vec<Route> = (0..=8)
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
    let listener = |name: String, address: String, span: Option<Span>| Listener {
        name,
        role: ListenerRole::Api,
        address,
        address_span: span,
        exposure: Exposure::Network,
        auth: Auth::None,
        routes: routes.clone(),
        unmatched: backend.clone(),
    };
    let mut listeners: Vec<Listener> = spec
        .hosts
        .iter()
        .map(|(h, s)| listener(h.clone(), format!("https://{h}"), Some(*s)))
        .collect();
    if listeners.is_empty() {
        listeners.push(listener("default".into(), "http://*".into(), None));
    }
    let forwarded = match &spec.unmatched {
        Unmatched::Forwarded { at, remedy } if !none => Some((*at, remedy.clone())),
        _ => None,
    };
    CorsPolicy {
        server: spec.server,
        scope: Scope {
            description: spec.scope,
            listeners,
            object: spec.object,
            only_method: None,
            branch: None,
        },
        anchor: spec.anchor,
        allow_origin,
        allow_methods: if none {
            AllowList::NotSent
        } else {
            spec.methods
        },
        allow_headers: if none {
            AllowList::NotSent
        } else {
            spec.headers
        },
        expose_headers: if none {
            AllowList::NotSent
        } else {
            spec.expose
        },
        credentials: if none {
            Credentials::Off { at: None }
        } else {
            spec.credentials
        },
        max_age: if none { MaxAge::NotSent } else { spec.max_age },
        vary_origin: VaryOrigin::Never,
        response_headers: spec.response_headers,
        emission: Emission {
            without_origin: false,
            // The filter's `encodeHeaders` runs on every upstream answer.
            on_errors: true,
            exceptions: Vec::new(),
            errors_cause: None,
            only_when_allowed: true,
            preflight_headers_unless_allowed: matches!(spec.unmatched, Unmatched::EnvoyAnswers),
            credentials_unconditional: false,
            absent_origin_is_empty: false,
            // Methods, headers and max-age only on preflights; never `Vary`. Exposed headers
            // on every answer, the filter's own preflight reply too: a decoder filter's
            // `encodeHeaders` starts the encoder chain at its beginning
            // (`FilterManager::commonEncodePrefix` with no filter), so `CorsFilter::encodeHeaders`
            // runs on it and adds `Access-Control-Expose-Headers`.
            preflight_split: Some(crate::ir::PreflightSplit {
                expose_on_preflight: true,
                vary_on_preflight: false,
            }),
        },
        lost_headers: Vec::new(),
        repeated_headers: Vec::new(),
        backend_passthrough: None,
        fixes: Vec::new(),
        unmatched_preflights_forwarded: forwarded,
        fix_hints: spec.fix_hints,
    }
}

/// Seconds of a Go/protobuf duration (`"24h"`, `"1h30m"`, `"600s"`, `"1.5s"`), truncated;
/// `None` when it does not parse.
pub fn duration_seconds(text: &str) -> Option<(i64, bool)> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if t == "0" {
        return Some((0, false));
    }
    let mut total: f64 = 0.0;
    let mut rest = t;
    let mut any = false;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            "us" | "µs" => 0.000_001,
            "ns" => 0.000_000_001,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += n * scale;
        any = true;
    }
    if !any || !total.is_finite() || total > 1e15 {
        return None;
    }
    let fractional = total.fract() != 0.0;
    Some((total.trunc() as i64, fractional))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matchers_that_accept_star_allow_everything() {
        assert_eq!(string_matcher("exact", "*", false), OriginMatcher::Any);
        assert_eq!(string_matcher("regex", ".*", false), OriginMatcher::Any);
        assert_eq!(string_matcher("prefix", "", false), OriginMatcher::Any);
        let prefix = string_matcher("prefix", "https://app.example.com", false);
        assert!(prefix.accepts("https://app.example.com.evil.example"));
        let regex = string_matcher("regex", r"https://.*\.example\.com", false);
        assert!(regex.accepts("https://a.b.example.com"));
        assert!(!regex.accepts("https://a.example.com.evil.example"));
        assert!(!regex.accepts("https://A.example.COM"));
    }

    #[test]
    fn durations() {
        assert_eq!(duration_seconds("24h"), Some((86400, false)));
        assert_eq!(duration_seconds("1h30m"), Some((5400, false)));
        assert_eq!(duration_seconds("1.5s"), Some((1, true)));
        assert_eq!(duration_seconds("600"), None);
        assert_eq!(duration_seconds("10x"), None);
    }
}
