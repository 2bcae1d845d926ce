//! Kong's `cors` plugin has no runnable server here: each test encodes a behaviour of
//! `kong/plugins/cors/handler.lua` (Kong/kong @01789df426ac4b882755b9074556d4b79c29f038),
//! cited by function and line.

use super::lower::{DEFAULT_METHODS, is_literal, kong_regex, normalize};
use super::*;
use crate::ir::{AllowList, Credentials, MaxAge, OriginMatcher, OriginPolicy, VaryOrigin};
use crate::sim::{ServerRequest, respond};
use crate::source::Encoding;

fn lower_src(src: &str) -> Lowered {
    let file = SourceFile::new("kong.yaml", src.as_bytes().to_vec(), Encoding::Utf8);
    lower(&file, &Options::default()).unwrap()
}

fn plugin(config: &str) -> String {
    format!(
        "apiVersion: configuration.konghq.com/v1\nkind: KongPlugin\nmetadata:\n  name: cors\nplugin: cors\nconfig:\n{config}"
    )
}

fn at(src: &str, span: Span) -> &str {
    &src[span.range()]
}

fn answer(
    p: &CorsPolicy,
    method: &str,
    headers: &[(&str, &str)],
) -> (Option<u16>, Vec<(String, String)>) {
    let r = ServerRequest {
        method: method.into(),
        path: "/x".into(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
    };
    let x = respond(p, &p.scope.listeners[0], &r, &[]);
    let mut h = x.headers;
    h.sort();
    (x.status, h)
}

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    v.sort();
    v
}

/// `configure_origin`: `re_find(entry, "[^A-Za-z0-9.:/-]", "jo")` marks a regex; `if
/// entry:sub(-1) ~= "$" then entry = entry .. "$"`, `if entry:sub(1, 1) == "^" then entry =
/// entry:sub(2)`; `re_find(subject, cached_domain.regex, "ajo")` anchors the start;
/// `domain.by_host = not find(entry, ":", 1, true)`.
#[test]
fn regex_detection_and_anchoring() {
    assert!(is_literal("https://app.example.com:8443"));
    assert!(!is_literal("https://.*\\.example\\.com"));
    assert!(!is_literal("(www\\.)?example\\.com"));
    assert_eq!(kong_regex("^https://a\\.example$"), "https://a\\.example$");
    assert_eq!(kong_regex("https://a\\.example"), "https://a\\.example$");
    let src = plugin(
        "  origins:\n    - \"https://.*\\\\.example\\\\.com\"\n    - \"(www\\\\.)?partner\\\\.com\"\n  headers: [Content-Type]\n",
    );
    let l = lower_src(&src);
    let OriginPolicy::Match(m) = &l.policies[0].allow_origin else {
        panic!("{:?}", l.policies[0].allow_origin)
    };
    let full = &m.matchers[0].0;
    assert!(full.accepts("https://a.example.com"));
    // Anchored at both ends, unlike Traefik.
    assert!(!full.accepts("https://a.example.com.evil.example"));
    assert!(!full.accepts("http://x.https://a.example.com"));
    // Host only: any scheme, any port.
    let host = &m.matchers[1].0;
    assert!(host.accepts("http://www.partner.com:8080"));
    assert!(host.accepts("https://partner.com"));
    assert!(!host.accepts("https://evilpartner.com"));
    assert_eq!(at(&src, m.matchers[1].1), "(www\\\\.)?partner\\\\.com");
    assert!(
        l.facts
            .iter()
            .any(|f| matches!(f, Fact::HostOnlyRegex { .. }))
    );
}

/// `configure_origin`: `if from then set_header("Access-Control-Allow-Origin",
/// conf.origins[1])` for one literal entry, after `add_vary_header(header_filter)`;
/// `configure_credentials`: `if not allow_all then set_header("Access-Control-Allow-Credentials", true)`.
#[test]
fn single_literal_is_static_with_vary_and_credentials() {
    let src =
        plugin("  origins: [\"https://app.example.com\"]\n  credentials: true\n  headers: [X-A]\n");
    let p = &lower_src(&src).policies[0];
    assert!(
        matches!(&p.allow_origin, OriginPolicy::Static(v) if v.text() == "https://app.example.com" && at(&src, v.span_of(0..5)) == "https")
    );
    assert_eq!(p.vary_origin, VaryOrigin::Always);
    assert_eq!(
        answer(p, "GET", &[("origin", "https://evil.example")]).1,
        h(&[
            ("access-control-allow-origin", "https://app.example.com"),
            ("access-control-allow-credentials", "true"),
            ("vary", "Origin"),
        ])
    );
}

/// `if n_origins == 0 or (n_origins == 1 and conf.origins[1] == "*") then
/// set_header("Access-Control-Allow-Origin", "*")`; `configure_credentials` with allow-all:
/// `add_vary_header(header_filter)`, `set_header("Access-Control-Allow-Origin", req_origin)`.
#[test]
fn allow_all_with_credentials_echoes() {
    let src = plugin("  credentials: true\n");
    let p = &lower_src(&src).policies[0];
    assert!(matches!(p.credentials, Credentials::On { .. }));
    assert_eq!(
        answer(p, "GET", &[("origin", "null")]).1,
        h(&[
            ("access-control-allow-origin", "null"),
            ("access-control-allow-credentials", "true"),
            ("vary", "Origin"),
        ])
    );
    let plain = plugin("  origins: [\"*\"]\n");
    let p = &lower_src(&plain).policies[0];
    assert!(matches!(&p.allow_origin, OriginPolicy::Static(v) if v.text() == "*"));
}

/// `access`: a preflight (OPTIONS + Origin + ACRM) ends in `kong.response.exit(HTTP_OK)`, with
/// `concat(conf.headers, ",")` or else the request's ACRH, `conf.methods` or
/// `"GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT"`, and `if conf.max_age`;
/// `exposed_headers` only in `header_filter`.
#[test]
fn preflight_is_answered_by_kong() {
    let src = plugin(
        "  origins: [\"https://a.example\", \"https://b.example\"]\n  exposed_headers: [X-E]\n  max_age: 3600\n",
    );
    let p = &lower_src(&src).policies[0];
    assert!(matches!(p.allow_headers, AllowList::EchoRequest { .. }));
    assert!(matches!(&p.allow_methods, AllowList::Static(v) if v.text() == DEFAULT_METHODS));
    assert!(matches!(p.max_age, MaxAge::Seconds { value: 3600, .. }));
    assert_eq!(
        answer(
            p,
            "OPTIONS",
            &[
                ("origin", "https://b.example"),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "x-token"),
            ]
        ),
        (
            Some(200),
            h(&[
                ("access-control-allow-origin", "https://b.example"),
                ("access-control-allow-headers", "x-token"),
                ("access-control-allow-methods", DEFAULT_METHODS),
                ("access-control-max-age", "3600"),
                ("vary", "Origin"),
            ])
        )
    );
    // Not allowed: `kong.response.clear_header("Access-Control-Allow-Origin")`, the rest sent.
    let (_, hs) = answer(
        p,
        "OPTIONS",
        &[
            ("origin", "https://evil.example"),
            ("access-control-request-method", "PUT"),
        ],
    );
    assert!(!hs.iter().any(|(n, _)| n == "access-control-allow-origin"));
}

/// `normalize_origin`: `if (parsed_obj.scheme == "http" and port == "80") or (… "https" and
/// port == "443") then port = nil`; `if not parsed_obj.host then return { domain = domain }`:
/// a bare name is compared as is and never equals a browser's origin, while `null` equals `null`.
#[test]
fn literal_entries_are_normalised() {
    assert_eq!(
        normalize("https://a.example:443").as_deref(),
        Some("https://a.example")
    );
    assert_eq!(
        normalize("http://a.example:8080").as_deref(),
        Some("http://a.example:8080")
    );
    assert_eq!(normalize("a.example"), None);
    let src =
        plugin("  origins: [\"https://a.example:443\", \"b.example\", \"null\"]\n  headers: [X]\n");
    let l = lower_src(&src);
    let OriginPolicy::Match(m) = &l.policies[0].allow_origin else {
        panic!()
    };
    assert!(m.matchers[0].0.accepts("https://a.example"));
    assert_eq!(m.matchers[1].0, OriginMatcher::Null);
    let dead = l.facts.iter().find_map(|f| match f {
        Fact::EntryNeverMatches { span, .. } => Some(at(&src, *span)),
        _ => None,
    });
    assert_eq!(dead, Some("b.example"));
    // The request's origin is normalised too (:139-143) and answered so (:163).
    let sent = answer(
        &l.policies[0],
        "GET",
        &[("origin", "https://a.example:443")],
    );
    assert!(sent.1.contains(&(
        "access-control-allow-origin".into(),
        "https://a.example".into()
    )));
}

/// `access`: `kong.ctx.plugin.skip_response_headers = true; if conf.preflight_continue then
/// return end`: the preflight goes upstream and no CORS header is added.
#[test]
fn preflight_continue_forwards() {
    let src = plugin("  origins: [\"https://a.example\"]\n  preflight_continue: true\n");
    let l = lower_src(&src);
    assert!(matches!(l.policies[0].allow_methods, AllowList::NotSent));
    assert!(l.facts.iter().any(|f| matches!(f, Fact::PreflightContinue { span, .. } if at(&src, *span) == "preflight_continue")));
}

#[test]
fn declarative_config_and_references() {
    let src = "_format_version: \"3.0\"\nplugins:\n  - name: cors\n    config:\n      origins: [\"https://a.example\"]\nservices:\n  - name: api\n    url: http://api:80\n    routes:\n      - name: r\n        plugins:\n          - name: cors\n            enabled: false\n";
    let l = lower_src(src);
    assert_eq!(l.policies.len(), 1);
    assert_eq!(
        l.policies[0].scope.description,
        "the `cors` plugin (global)"
    );
    assert!(recognise("kong.yml", src.as_bytes()).is_ok());
    let with_service = format!(
        "{}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  annotations:\n    konghq.com/plugins: cors\n",
        plugin("  origins: [\"https://a.example\"]\n")
    );
    assert!(
        !lower_src(&with_service)
            .facts
            .iter()
            .any(|f| matches!(f, Fact::Unused { .. }))
    );
}

/// A null is read as the default for a field that is not `required` (kong/db/schema/init.lua:
/// 877-887, 1950) and refused for one that is (:884-886; every boolean of schema.lua:48-51).
#[test]
fn nulls_are_defaults_unless_the_field_is_required() {
    let src = plugin(
        "  origins: null\n  methods: ~\n  headers:\n  exposed_headers: NULL\n  max_age: null\n",
    );
    let l = lower_src(&src);
    assert!(l.facts.is_empty(), "{:?}", l.facts);
    let pre = [
        ("origin", "https://a.example"),
        ("access-control-request-method", "PUT"),
        ("access-control-request-headers", "X-A"),
    ];
    assert_eq!(
        answer(&l.policies[0], "OPTIONS", &pre),
        (
            Some(200),
            h(&[
                ("access-control-allow-origin", "*"),
                ("access-control-allow-methods", DEFAULT_METHODS),
                ("access-control-allow-headers", "X-A"),
            ])
        )
    );
    for field in [
        "credentials",
        "private_network",
        "preflight_continue",
        "allow_origin_absent",
    ] {
        for null in ["null", "~", ""] {
            let src = plugin(&format!(
                "  origins: [\"https://a.example\"]\n  {field}: {null}\n"
            ));
            let l = lower_src(&src);
            assert!(l.policies.is_empty(), "{field}: {null}");
            assert!(
                l.facts
                    .iter()
                    .any(|f| matches!(f, Fact::WrongType { field: f, .. } if f == field)),
                "{field}: {null}"
            );
        }
    }
}
