//! Do two policies let browsers make the same calls? The semantics engine (`sim`) answers
//! both over one request space — every origin either policy names, their adversarial
//! neighbours (other label, suffix and prefix tricks, other scheme and port, `null`), simple
//! and preflighted methods, safelisted, custom and `Authorization` headers, with and without
//! credentials — and every call whose verdict or readable headers differ is a difference,
//! with the call as its counterexample. `cors-lint diff` and `convert` are built on it.
//!
//! Both policies are run against the same neutral backend (every request answered 200), so
//! what is compared is CORS, not the servers' routes. [`compare_behaviour`] also runs every
//! call against a backend that fails (500), so that CORS headers on error responses — which
//! decide whether the page may read an error — count too; that is the test a safe fix and
//! `fmt` must pass.

use crate::ir::origin::{
    AllowOriginValue, attacker_origins, classify_allow_origin, intended_hosts,
};
use crate::ir::{
    Answer, Auth, CorsPolicy, Exposure, Listener, ListenerRole, OriginMatcher, OriginPolicy,
};
use crate::sim::{self, PageFetch};

/// One `fetch()` from a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub origin: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub credentials: bool,
    /// The backend answers 500 instead of 200.
    pub backend_fails: bool,
}

impl std::fmt::Display for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a `{}` from `{}`", self.method, self.origin)?;
        let names: Vec<String> = self.headers.iter().map(|(n, _)| format!("`{n}`")).collect();
        if !names.is_empty() {
            write!(f, " with {}", names.join(", "))?;
        }
        if self.credentials {
            write!(f, " (with credentials)")?;
        }
        if self.backend_fails {
            write!(f, " answered with a 500")?;
        }
        Ok(())
    }
}

/// What the page gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub allowed: bool,
    /// Why it is blocked (the failing check), when it is.
    pub detail: String,
    /// Response headers the page may read beyond the safelisted ones.
    pub exposed: Vec<String>,
}

impl Outcome {
    /// "allowed", "allowed, exposing x-total", "blocked (origin-mismatch)".
    pub fn describe(&self) -> String {
        if !self.allowed {
            format!("blocked ({})", self.detail)
        } else if self.exposed.is_empty() {
            "allowed".into()
        } else {
            format!("allowed, exposing {}", self.exposed.join(", "))
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// Blocked before, allowed now — or more headers readable.
    Widened,
    /// Allowed before, blocked now — or fewer headers readable.
    Narrowed,
}

#[derive(Clone, Debug)]
pub struct Difference {
    pub call: Call,
    pub before: Outcome,
    pub after: Outcome,
    pub change: Change,
}

#[derive(Clone, Debug, Default)]
pub struct Comparison {
    /// Calls compared.
    pub calls: usize,
    pub differences: Vec<Difference>,
}

impl Comparison {
    /// "  widened: N of M calls" then up to `examples` calls per direction, indented.
    pub fn render(&self, examples: usize) -> String {
        let mut out = String::new();
        for (change, word) in [(Change::Widened, "widened"), (Change::Narrowed, "narrowed")] {
            let diffs: Vec<&Difference> = self
                .differences
                .iter()
                .filter(|d| d.change == change)
                .collect();
            if diffs.is_empty() {
                continue;
            }
            out.push_str(&format!(
                "  {word}: {} of {} calls\n",
                diffs.len(),
                self.calls
            ));
            for d in diffs.iter().take(examples) {
                out.push_str(&format!(
                    "    {}: {} before, {} after\n",
                    d.call,
                    d.before.describe(),
                    d.after.describe()
                ));
            }
        }
        out
    }

    pub fn narrows(&self) -> bool {
        self.differences
            .iter()
            .any(|d| d.change == Change::Narrowed)
    }

    pub fn widens(&self) -> bool {
        self.differences.iter().any(|d| d.change == Change::Widened)
    }

    pub fn equivalent(&self) -> bool {
        self.differences.is_empty()
    }
}

/// Compare `before` and `after` over the request space both of them span.
pub fn compare(before: &CorsPolicy, after: &CorsPolicy) -> Comparison {
    compare_calls(before, after, request_space(&[before, after]))
}

/// [`compare`], and the same calls once more against a backend that fails: does any page
/// get another verdict or other readable headers, on answers or on errors?
pub fn compare_behaviour(before: &CorsPolicy, after: &CorsPolicy) -> Comparison {
    let calls = request_space(&[before, after]);
    let mut out = compare_calls(before, after, calls.clone());
    // With the same `on_errors`, an error carries the headers an answer carries or none, on
    // both sides; preflights fail on the status alone, so the answers already decide.
    if before.emission.on_errors != after.emission.on_errors {
        let failing = calls.into_iter().map(|c| Call {
            backend_fails: true,
            ..c
        });
        let more = compare_calls(before, after, failing);
        out.calls += more.calls;
        out.differences.extend(more.differences);
    }
    out
}

fn compare_calls(
    before: &CorsPolicy,
    after: &CorsPolicy,
    calls: impl IntoIterator<Item = Call>,
) -> Comparison {
    let mut out = Comparison::default();
    for call in calls {
        out.calls += 1;
        let (Some(b), Some(a)) = (outcome(before, &call), outcome(after, &call)) else {
            continue;
        };
        let change = match (b.allowed, a.allowed) {
            (false, true) => Some(Change::Widened),
            (true, false) => Some(Change::Narrowed),
            (true, true) if b.exposed != a.exposed => {
                if a.exposed.iter().any(|h| !b.exposed.contains(h)) {
                    Some(Change::Widened)
                } else {
                    Some(Change::Narrowed)
                }
            }
            _ => None,
        };
        if let Some(change) = change {
            out.differences.push(Difference {
                call,
                before: b,
                after: a,
                change,
            });
        }
    }
    out
}

/// A backend that answers every request 200 (or 500: `fails`), so only CORS differs
/// between two policies.
fn neutral_listener(fails: bool) -> Listener {
    let unmatched = if fails {
        Answer::any(500, "the backend fails")
    } else {
        Answer::any(200, "the backend answers")
    };
    Listener {
        name: "backend".into(),
        role: ListenerRole::Api,
        address: "http://backend".into(),
        address_span: None,
        exposure: Exposure::Unknown,
        auth: Auth::None,
        routes: Vec::new(),
        unmatched,
    }
}

/// What a page gets for `call` from `policy` (against a backend that answers 200, or 500).
pub fn outcome(policy: &CorsPolicy, call: &Call) -> Option<Outcome> {
    let page = PageFetch {
        origin: call.origin.clone(),
        method: call.method.clone(),
        headers: call.headers.clone(),
        credentials: call.credentials,
        path: "/".into(),
    };
    let x = sim::simulate(policy, &neutral_listener(call.backend_fails), &page, &[]).ok()?;
    let exposed = match (&x.actual, x.verdict.allowed) {
        (Some((_, resp)), true) => {
            let mut names: Vec<String> = resp
                .header("access-control-expose-headers")
                .map(|v| {
                    crate::ir::fetch::split_list(&v)
                        .into_iter()
                        .map(|r| v[r].to_ascii_lowercase())
                        .collect()
                })
                .unwrap_or_default();
            names.sort();
            names.dedup();
            names
        }
        _ => Vec::new(),
    };
    Some(Outcome {
        allowed: x.verdict.allowed,
        detail: x
            .verdict
            .check
            .map(|c| c.name().to_string())
            .unwrap_or_default(),
        exposed,
    })
}

/// What differs between two policies without changing any browser verdict on the request
/// space — how long preflights are cached, `Vary: Origin`, who answers an unmatched
/// preflight, CORS headers on the server's own errors — each as one sentence, for the notes
/// of `diff` and `convert`.
pub fn side_notes(before: &CorsPolicy, after: &CorsPolicy) -> Vec<String> {
    use crate::ir::{MaxAge, VaryOrigin};
    let mut out = Vec::new();
    let vary = |v: &VaryOrigin| match v {
        VaryOrigin::Never => Some("never"),
        VaryOrigin::Always => Some("on every response"),
        VaryOrigin::WhenEchoing => Some("when the origin is echoed"),
        VaryOrigin::Unknown => None,
    };
    if let (Some(b), Some(a)) = (vary(&before.vary_origin), vary(&after.vary_origin))
        && a != b
    {
        out.push(format!("`Vary: Origin` is sent {a} (before: {b})"));
    }
    let max_age = |m: &MaxAge| match m {
        MaxAge::NotSent => "no `Access-Control-Max-Age` (browsers cache 5 s)".to_string(),
        MaxAge::Seconds { value, .. } => format!("`Access-Control-Max-Age: {value}`"),
    };
    // What Chromium caches: 5 s without the header or for a negative value, at most 7200 s.
    let effective = |m: &MaxAge| match m {
        MaxAge::Seconds { value, .. } if *value >= 0 => (*value).min(7200),
        _ => 5,
    };
    let (b, a) = (max_age(&before.max_age), max_age(&after.max_age));
    if effective(&before.max_age) != effective(&after.max_age) {
        out.push(format!("preflights are cached per {a} (before: {b})"));
    }
    let forwarded = |p: &CorsPolicy| p.unmatched_preflights_forwarded.is_some();
    if forwarded(before) != forwarded(after) {
        out.push(if forwarded(after) {
            "preflights from origins that are not allowed now reach the backend (before: answered by the server)".to_string()
        } else {
            "preflights from origins that are not allowed are now answered by the server (before: passed to the backend)".to_string()
        });
    }
    if before.emission.on_errors != after.emission.on_errors {
        out.push(format!(
            "the server's own error responses {} the CORS headers (before: {})",
            if after.emission.on_errors {
                "carry"
            } else {
                "do not carry"
            },
            if before.emission.on_errors {
                "they did"
            } else {
                "they did not"
            }
        ));
    }
    out
}

/// The origins calls come from: every origin the policies name, their adversarial
/// neighbours, each matcher's attacker origins, an unrelated site and `null` — only what a
/// browser can send (lower-case scheme and host, no default port).
pub fn origin_space(policies: &[&CorsPolicy]) -> Vec<String> {
    let mut origins: Vec<String> = vec!["https://evil.example".into(), "null".into()];
    for p in policies {
        for o in named_origins(p) {
            origins.extend(neighbours(&o));
            origins.push(o);
        }
        if let OriginPolicy::Match(m) = &p.allow_origin {
            for (matcher, _) in &m.matchers {
                origins.extend(attacker_origins(matcher).into_iter().map(|(o, _)| o));
            }
        }
    }
    origins.retain(|o| o == "null" || classify_allow_origin(o) == AllowOriginValue::Origin);
    dedup(&mut origins);
    origins
}

/// The calls two policies are compared on.
pub fn request_space(policies: &[&CorsPolicy]) -> Vec<Call> {
    let mut custom_headers: Vec<String> = Vec::new();
    let mut methods: Vec<String> = ["GET", "POST", "PUT", "DELETE", "PATCH"]
        .map(String::from)
        .to_vec();
    for p in policies {
        // Every method either policy names (as written: a lower-case `patch` is a method of
        // its own), so a method one side allows and the other drops is a difference.
        for (m, _) in p.allow_methods.entries().unwrap_or_default() {
            let forbidden =
                crate::ir::fetch::FORBIDDEN_METHODS.contains(&m.to_ascii_uppercase().as_str());
            if crate::ir::fetch::is_token(&m) && m != "*" && !forbidden && !methods.contains(&m) {
                methods.push(m);
            }
        }
        for (h, _) in p.allow_headers.entries().unwrap_or_default() {
            if crate::ir::fetch::is_token(&h) && h != "*" {
                custom_headers.push(h);
            }
        }
    }
    let origins = origin_space(policies);
    custom_headers.truncate(4);
    let mut header_sets: Vec<Vec<(String, String)>> = vec![
        Vec::new(),
        vec![("Content-Type".into(), "application/json".into())],
        vec![("X-Custom-Header".into(), "1".into())],
        vec![("Authorization".into(), "Bearer token".into())],
    ];
    header_sets.extend(
        custom_headers
            .into_iter()
            .map(|h| vec![(h, "1".to_string())]),
    );
    let mut calls = Vec::new();
    for origin in &origins {
        for method in &methods {
            for headers in &header_sets {
                for credentials in [false, true] {
                    calls.push(Call {
                        origin: origin.clone(),
                        method: method.into(),
                        headers: headers.clone(),
                        credentials,
                        backend_fails: false,
                    });
                }
            }
        }
    }
    calls
}

/// Origins a policy names, as a browser would send them (lower-case, no default port).
fn named_origins(p: &CorsPolicy) -> Vec<String> {
    let mut out = Vec::new();
    match &p.allow_origin {
        OriginPolicy::Static(v) if v.is_known() => {
            for part in v.browser_view().0.split(',') {
                out.push(part.trim().to_ascii_lowercase());
            }
        }
        OriginPolicy::Match(m) => {
            for (matcher, _) in &m.matchers {
                match matcher {
                    OriginMatcher::Exact { origin, .. } => out.push(origin.to_ascii_lowercase()),
                    OriginMatcher::Null => out.push("null".into()),
                    OriginMatcher::Subdomains { scheme, base, .. } => {
                        let s = scheme.to_ascii_lowercase();
                        let b = base.to_ascii_lowercase();
                        out.push(format!("{s}://x.{b}"));
                        out.push(format!("{s}://a.b.{b}"));
                        out.push(format!("{s}://{b}"));
                    }
                    OriginMatcher::Any => {}
                    _ => {
                        for host in intended_hosts(matcher) {
                            out.push(format!("https://{host}"));
                            out.push(format!("http://{host}"));
                        }
                        if let OriginMatcher::Prefix { value, .. }
                        | OriginMatcher::Suffix { value, .. } = matcher
                        {
                            out.push(value.to_ascii_lowercase());
                        }
                    }
                }
            }
        }
        _ => {}
    }
    out
}

/// Origins next to one a policy names: another label, the other scheme, another port.
fn neighbours(origin: &str) -> Vec<String> {
    let Some((scheme, host)) = origin.split_once("://") else {
        return Vec::new();
    };
    let other = if scheme == "https" { "http" } else { "https" };
    vec![
        format!("{other}://{host}"),
        format!("{scheme}://sub.{host}"),
        format!("{scheme}://{host}:8443"),
        format!("{scheme}://{host}.evil.example"),
    ]
}

fn dedup(v: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    v.retain(|x| seen.insert(x.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::{self, Dialect, Options};
    use crate::source::SourceFile;

    fn policy(dialect: Dialect, name: &str, text: &str) -> CorsPolicy {
        let file = SourceFile::new(name, text.as_bytes().to_vec(), dialect.encoding());
        let mut l = frontend::lower(dialect, &file, &Options::default()).expect("lowers");
        assert_eq!(l.policies.len(), 1, "{text}");
        l.policies.remove(0)
    }

    fn nginx(body: &str) -> CorsPolicy {
        policy(
            Dialect::Nginx,
            "nginx.conf",
            &format!("server {{ location / {{ {body} }} }}"),
        )
    }

    #[test]
    fn the_same_policy_in_two_dialects_is_equivalent() {
        let ts = policy(
            Dialect::TorchServe,
            "config.properties",
            "cors_allowed_origin=https://app.example.com\ncors_allowed_methods=GET, PUT\n",
        );
        let ng = nginx(
            "add_header Access-Control-Allow-Origin https://app.example.com always; \
             add_header Access-Control-Allow-Methods 'GET, PUT' always;",
        );
        let c = compare(&ts, &ng);
        assert!(c.calls > 100);
        assert!(c.equivalent(), "{:#?}", c.differences.first());
    }

    #[test]
    fn a_method_only_one_side_names_is_compared() {
        let ts = |methods: &str| {
            policy(
                Dialect::TorchServe,
                "config.properties",
                &format!(
                    "cors_allowed_origin=https://app.example.com\ncors_allowed_methods={methods}\n"
                ),
            )
        };
        let c = compare(&ts("GET, PROPFIND"), &ts("GET"));
        assert!(c.narrows() && !c.widens(), "{}", c.render(3));
        assert!(c.differences.iter().all(|d| d.call.method == "PROPFIND"));
    }

    #[test]
    fn differences_no_verdict_sees_are_notes() {
        let plain = nginx("add_header Access-Control-Allow-Origin https://app.example.com always;");
        let cached = nginx(
            "add_header Access-Control-Allow-Origin https://app.example.com always; \
             add_header Access-Control-Max-Age 600 always; add_header Vary Origin always;",
        );
        let five = nginx(
            "add_header Access-Control-Allow-Origin https://app.example.com always; \
             add_header Access-Control-Max-Age 5 always;",
        );
        assert!(compare(&plain, &cached).equivalent());
        let notes = side_notes(&plain, &cached);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("`Vary: Origin` is sent on every response (before: never)"));
        assert!(notes[1].contains("`Access-Control-Max-Age: 600`"));
        // 5 s is what browsers cache without the header: nothing to say.
        assert!(side_notes(&plain, &five).is_empty());
        assert!(side_notes(&plain, &plain).is_empty());
    }

    #[test]
    fn widening_and_narrowing_come_with_a_counterexample() {
        let exact = nginx("add_header Access-Control-Allow-Origin https://app.example.com always;");
        let unanchored = nginx(
            "if ($http_origin ~ https://app\\.example\\.com) { add_header Access-Control-Allow-Origin $http_origin always; }",
        );
        let c = compare(&exact, &unanchored);
        assert!(c.widens());
        let widened: Vec<&str> = c
            .differences
            .iter()
            .filter(|d| d.change == Change::Widened)
            .map(|d| d.call.origin.as_str())
            .collect();
        assert!(widened.contains(&"https://app.example.com.evil.example"));
        assert!(widened.contains(&"https://app.example.com:8443"));
        assert!(!widened.contains(&"https://app.example.com"));
        let back = compare(&unanchored, &exact);
        assert!(!back.widens() && !back.equivalent());
    }

    #[test]
    fn credentials_and_exposed_headers_count() {
        let plain = nginx("add_header Access-Control-Allow-Origin https://app.example.com always;");
        let creds = nginx(
            "add_header Access-Control-Allow-Origin https://app.example.com always; \
             add_header Access-Control-Allow-Credentials true always; \
             add_header Access-Control-Expose-Headers X-Total always;",
        );
        let c = compare(&plain, &creds);
        assert!(c.widens());
        assert!(
            c.differences
                .iter()
                .any(|d| d.call.credentials && d.after.allowed)
        );
        assert!(c.differences.iter().any(|d| d.after.exposed == ["x-total"]));
    }
}
