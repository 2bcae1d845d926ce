//! Phrases and predicates several rules share, all computed from the IR.

use crate::finding::quote;
use crate::ir::{CorsPolicy, HeaderValue, OnMatch, OriginMatcher, OriginPolicy, ValueSource};
use crate::source::Span;

/// "TorchServe sends `Access-Control-Allow-Origin: x` on every response" (value quoted as
/// the browser sees it, i.e. trimmed).
pub fn sends(policy: &CorsPolicy, header: &str, value: &str) -> String {
    format!(
        "{} sends {} {}",
        policy.server.product,
        quote(&format!("{header}: {value}")),
        when(policy)
    )
}

/// Which responses carry the headers, e.g. "on every response".
pub fn when(policy: &CorsPolicy) -> &'static str {
    match (policy.emission.without_origin, policy.emission.on_errors) {
        (true, true) => "on every response",
        (true, false) => "on every successful response",
        (false, true) => "on every response to a cross-origin request",
        (false, false) => "on successful responses to cross-origin requests",
    }
}

/// " (from TS_CORS_ALLOWED_ORIGIN)" when the value comes from the environment.
pub fn provenance(value: &HeaderValue) -> String {
    match &value.source {
        ValueSource::Environment { variable } => {
            format!(" (from environment variable `{variable}`)")
        }
        ValueSource::File => String::new(),
    }
}

/// The span that makes the policy send `Access-Control-Allow-Origin: *`, if it does.
pub fn wildcard_origin(policy: &CorsPolicy) -> Option<Span> {
    match &policy.allow_origin {
        OriginPolicy::Static(v) if v.is_known() => {
            let (view, range) = v.browser_view();
            (view == "*").then(|| v.span_of(range))
        }
        OriginPolicy::Match(m) => {
            let star = m.on_match == OnMatch::LiteralStar;
            m.matchers
                .iter()
                .find(|(mat, _)| star && *mat == OriginMatcher::Any)
                .map(|(_, s)| *s)
        }
        _ => None,
    }
}

/// "a", "a and b", "a, b and c".
pub fn join_and(items: &[String]) -> String {
    join(items, "and")
}

/// "a", "a or b", "a, b or c".
pub fn join_or(items: &[String]) -> String {
    join(items, "or")
}

fn join(items: &[String], conjunction: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {conjunction} {last}", init.join(", ")),
    }
}

/// An administrative listener anyone on the network can reach without authenticating.
pub fn exposed_unauthenticated_admin(policy: &CorsPolicy) -> Option<&crate::ir::Listener> {
    policy.scope.listeners.iter().find(|l| {
        l.role == crate::ir::ListenerRole::Admin
            && l.exposure.beyond_loopback()
            && l.auth == crate::ir::Auth::None
    })
}

/// Why a browser would preflight calls under this policy to this listener, in words:
/// "send an `Authorization` header", "use PUT or DELETE", "send `X-Token`".
pub fn preflight_triggers(policy: &CorsPolicy, listener: &crate::ir::Listener) -> Vec<String> {
    let mut out = Vec::new();
    if matches!(listener.auth, crate::ir::Auth::BearerToken { .. }) {
        out.push("carry the `Authorization` token the server requires".to_string());
    }
    let methods = policy.preflighted_methods();
    if !methods.is_empty() {
        out.push(format!("use {}", join_or(&methods)));
    }
    let headers: Vec<String> = policy
        .preflighted_headers()
        .into_iter()
        .map(|h| format!("`{h}`"))
        .collect();
    if !headers.is_empty() {
        out.push(format!("send {}", join_or(&headers)));
    }
    out
}

/// Listeners where every preflight to an API route fails although browsers will send some.
pub fn preflight_blocked_listeners(policy: &CorsPolicy) -> Vec<&crate::ir::Listener> {
    use crate::ir::RoutePurpose;
    policy
        .scope
        .listeners
        .iter()
        .filter(|l| policy.needs_preflight(l))
        .filter(|l| {
            let preflight = l.preflight();
            let mut api = preflight
                .iter()
                .filter(|r| r.purpose == RoutePurpose::Api)
                .peekable();
            api.peek().is_some() && api.all(|r| !r.is_ok())
        })
        .collect()
}
