//! Phrases and predicates several rules share, all computed from the IR.

use crate::finding::quote;
use crate::ir::origin::{AllowOriginValue, ProblemKind, classify_allow_origin};
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
        ValueSource::Expanded { written } => format!(" (`{written}` as nginx expands it here)"),
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
            // What the server sends to a matching origin under this policy's credentials.
            let on = if credentials_span(policy).is_some() {
                m.on_match_with_credentials
            } else {
                m.on_match
            };
            let star = on == OnMatch::LiteralStar;
            m.matchers
                .iter()
                .find(|(mat, _)| star && *mat == OriginMatcher::Any)
                .map(|(_, s)| *s)
        }
        _ => None,
    }
}

/// `text` cut after its first `max` words, with `…`, when it has more: for values quoted in a
/// headline, which must stay short (the note quotes them whole). Shorter text is returned
/// unchanged, whitespace and all.
pub fn clip_words(text: &str, max: usize) -> String {
    let mut words = 0;
    let mut end = 0;
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if in_word && words == max {
                end = i;
            }
            in_word = false;
        } else if !in_word {
            if words == max {
                return format!("{}…", &text[..end]);
            }
            in_word = true;
            words += 1;
        }
    }
    text.to_string()
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

/// A call the policy itself invites, run through the semantics engine (`sim`): from the
/// allowed origin (an example one when any is allowed), with the first configured method and
/// header that need a preflight (and the token the listener demands), to `path` with its
/// `{parameters}` filled in and registered. Returns the engine's verdict and a one-line
/// account such as "a `PUT` with `X-Token` from `https://app.example` to `/predictions/my-model`
/// gets 400 on its preflight, so the browser blocks it (`preflight-status`)".
pub fn simulated_call(
    policy: &CorsPolicy,
    listener: &crate::ir::Listener,
    path: &str,
) -> Option<(crate::sim::Verdict, String)> {
    use crate::sim::{PageFetch, simulate};
    let origin = match &policy.allow_origin {
        // A value that is not one origin (a list, a path): the page on its first origin.
        OriginPolicy::Static(v) if v.is_known() => {
            let first = v.browser_view().0.split(',').next().unwrap_or("").trim();
            match classify_allow_origin(first) {
                AllowOriginValue::Origin => first.to_string(),
                _ => "https://app.example".to_string(),
            }
        }
        OriginPolicy::Match(m) => m.matchers.iter().find_map(|(matcher, _)| match matcher {
            OriginMatcher::Exact { origin, .. } => Some(origin.clone()),
            OriginMatcher::Any => Some("https://app.example".to_string()),
            _ => None,
        })?,
        _ => return None,
    };
    let mut registered = Vec::new();
    let path: Vec<String> = crate::ir::routes::segments(path)
        .iter()
        .map(|s| {
            if s.starts_with('{') {
                registered.push("my-model".to_string());
                "my-model".to_string()
            } else {
                s.to_string()
            }
        })
        .collect();
    let path = format!("/{}", path.join("/"));
    let method = policy
        .preflighted_methods()
        .into_iter()
        .next()
        .unwrap_or_else(|| "POST".into());
    let mut headers: Vec<(String, String)> = policy
        .preflighted_headers()
        .into_iter()
        .take(1)
        .map(|h| (h, "1".to_string()))
        .collect();
    if matches!(listener.auth, crate::ir::Auth::BearerToken { .. }) {
        headers.push(("Authorization".into(), "Bearer <token>".into()));
    }
    let page = PageFetch {
        origin: origin.clone(),
        method: method.clone(),
        headers: headers.clone(),
        credentials: false,
        path: path.clone(),
    };
    let exchange = simulate(policy, listener, &page, &registered).ok()?;
    let with: Vec<String> = headers.iter().map(|(n, _)| format!("`{n}`")).collect();
    let step = match (&exchange.preflight, &exchange.actual) {
        (Some((_, r)), None) => format!(
            "gets {} on its preflight",
            r.status
                .map_or("no response".to_string(), |s| s.to_string())
        ),
        (_, Some((_, r))) => format!(
            "gets {}",
            r.status
                .map_or("no response".to_string(), |s| s.to_string())
        ),
        (None, None) => String::new(),
    };
    let outcome = match exchange.verdict.check {
        Some(c) => format!("so the browser blocks it (`{}`)", c.name()),
        None => "and the browser allows it".to_string(),
    };
    let account = format!(
        "a `{method}`{} from `{origin}` to `{path}`{} {step}, {outcome}",
        if with.is_empty() {
            String::new()
        } else {
            format!(" with {}", join_and(&with))
        },
        if registered.is_empty() {
            ""
        } else {
            " (model registered)"
        },
    );
    Some((exchange.verdict, account))
}

/// The span that allows credentials, when the policy does.
pub fn credentials_span(policy: &CorsPolicy) -> Option<Span> {
    match policy.credentials {
        crate::ir::Credentials::On { at } => Some(at),
        _ => None,
    }
}

/// `help`, followed by the dialect's own way to do it when the front end gave one.
pub fn with_hint(policy: &CorsPolicy, help: &str, hint: &Option<String>) -> String {
    format!("{help}{}", in_dialect(policy, hint))
}

/// The server's name as findings say it.
pub fn product(policy: &CorsPolicy) -> &'static str {
    policy.server.product
}

/// "nginx 1.22.0", or "nginx 1.31.4 (assumed: the newest release cors-lint knows; pass
/// `--assume-version nginx=…`)" — for findings whose answer depends on the version.
pub fn version_note(policy: &CorsPolicy) -> String {
    let s = &policy.server;
    if s.version_assumed {
        format!(
            "{} {} assumed, the newest release cors-lint models; pass `--assume-version {}=VERSION` for yours",
            s.product,
            s.version,
            s.product.to_ascii_lowercase()
        )
    } else {
        format!("{} {}", s.product, s.version)
    }
}

/// Concrete origins the policy allows, each with the bytes that allow it: a literal
/// `Access-Control-Allow-Origin`, exact allow-list entries, and what patterns accept among
/// their own hosts and the local development hosts, over both schemes and common ports.
pub fn allowed_origin_examples(policy: &CorsPolicy) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    match &policy.allow_origin {
        OriginPolicy::Static(v) if v.is_known() => {
            let (view, range) = v.browser_view();
            if classify_allow_origin(view) == AllowOriginValue::Origin {
                out.push((view.to_string(), v.span_of(range)));
            }
        }
        OriginPolicy::Match(m) => {
            for (matcher, span) in &m.matchers {
                match matcher {
                    OriginMatcher::Any | OriginMatcher::Null => {}
                    OriginMatcher::Exact { origin, .. } => out.push((origin.clone(), *span)),
                    _ => out.extend(
                        crate::ir::origin::accepted_examples(matcher)
                            .into_iter()
                            .map(|o| (o, *span)),
                    ),
                }
            }
        }
        _ => {}
    }
    out
}

/// An origin on the user's own machine: `localhost`, `*.localhost`, 127.0.0.0/8, `[::1]`.
pub fn is_local_origin(origin: &str) -> bool {
    let Some((_, rest)) = origin.split_once("://") else {
        return false;
    };
    let host = if rest.starts_with('[') {
        rest.split(']')
            .next()
            .map(|h| format!("{h}]"))
            .unwrap_or_default()
    } else {
        rest.split(':').next().unwrap_or("").to_ascii_lowercase()
    };
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "[::1]"
        || host == "0.0.0.0"
        || host.starts_with("127.")
}

/// " — in Gateway API: `allowCredentials: false`" when the front end says how a fix is
/// written in its dialect.
pub fn in_dialect(policy: &CorsPolicy, syntax: &Option<String>) -> String {
    match syntax {
        Some(s) => format!("; in {}: {s}", policy.server.product),
        None => String::new(),
    }
}

/// A short label and the reason a value can never equal a page's serialized origin.
pub fn explain_origin_problem(kind: &ProblemKind) -> (&'static str, String) {
    match kind {
        ProblemKind::Empty => ("blank", "the value is blank".into()),
        ProblemKind::List { count } if *count >= 2 => (
            "several origins",
            format!("it names {count} origins, but browsers accept exactly one origin or `*`"),
        ),
        ProblemKind::List { .. } => (
            "separator inside the value",
            "a comma or space makes it a list, but browsers accept exactly one origin or `*`".into(),
        ),
        ProblemKind::Quoted => ("quotes are part of the value", "the quotes are part of the value".into()),
        ProblemKind::MissingScheme => (
            "no scheme",
            "it has no scheme, and a browser's origin always has one (`https://…`)".into(),
        ),
        ProblemKind::TrailingSlash => ("trailing slash", "a serialized origin never ends with `/`".into()),
        ProblemKind::Path => ("path", "an origin has no path".into()),
        ProblemKind::QueryOrFragment => ("query or fragment", "an origin has no query or fragment".into()),
        ProblemKind::UpperCase => (
            "upper case",
            "browsers serialize origins in lower case and compare byte for byte".into(),
        ),
        ProblemKind::DefaultPort => (
            "default port",
            "browsers leave the default port out of the origin they compare".into(),
        ),
        ProblemKind::InvalidPort => ("invalid port", "the port is not written as browsers serialize it".into()),
        ProblemKind::Wildcard => (
            "not a wildcard here",
            "`*` inside an origin is a literal character, not a wildcard (only a bare `*` is)".into(),
        ),
        ProblemKind::Userinfo => ("user info", "an origin has no user name or password".into()),
        ProblemKind::InvalidHost => (
            "invalid host",
            "the host cannot appear in a serialized origin (non-ASCII hosts must be written in punycode)".into(),
        ),
        ProblemKind::NamelessHost => (
            "no such host",
            "a host without a letter or digit names no site a page could come from".into(),
        ),
        ProblemKind::OpaqueScheme => (
            "opaque origin",
            "pages at `file:` URLs have the origin `null`, not this".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::clip_words;

    #[test]
    fn clip_words_keeps_short_text_and_cuts_long_text() {
        assert_eq!(clip_words("a, b", 2), "a, b");
        assert_eq!(clip_words("\nPOST ", 1), "\nPOST ");
        assert_eq!(clip_words("a b  c d", 2), "a b…");
        assert_eq!(clip_words(" a\tb c", 2), " a\tb…");
    }
}
