//! Envoy's CORS filter has no binary here, so its behaviour is encoded from source, one test
//! per behaviour, each citing where it comes from: `envoyproxy/envoy`
//! `source/extensions/filters/http/cors/cors_filter.cc` and the facts file
//! (`../shared/facts/gateways.md` §2.1, which quotes it), through Istio `VirtualService`
//! policies (Istio programs exactly this filter).

use cors_lint::frontend::{self, Dialect, Options};
use cors_lint::ir::CorsPolicy;
use cors_lint::sim::{ServerRequest, respond};
use cors_lint::source::{Encoding, SourceFile};

fn istio(cors: &str) -> CorsPolicy {
    let src = format!(
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: api\nspec:\n  hosts: [api.example.com]\n  http:\n    - corsPolicy:\n{cors}      route:\n        - destination:\n            host: api\n"
    );
    let file = SourceFile::new("vs.yaml", src.into_bytes(), Encoding::Utf8);
    let mut l = frontend::lower(Dialect::Istio, &file, &Options::default()).expect("lowers");
    assert_eq!(l.policies.len(), 1);
    l.policies.remove(0)
}

/// Status and the CORS lines (`name: value`, sorted) for one request.
fn answer(p: &CorsPolicy, method: &str, headers: &[(&str, &str)]) -> (u16, Vec<String>) {
    let req = ServerRequest {
        method: method.into(),
        path: "/api".into(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
    };
    let r = respond(p, &p.scope.listeners[0], &req, &[]);
    let mut lines: Vec<String> = r
        .headers
        .iter()
        .filter(|(n, _)| n.starts_with("access-control-") || n == "vary")
        .map(|(n, v)| format!("{n}: {v}"))
        .collect();
    lines.sort();
    (r.status.unwrap_or(0), lines)
}

const PREFLIGHT: [(&str, &str); 2] = [("access-control-request-method", "PUT"), ("origin", "")];

fn preflight_from(origin: &str) -> Vec<(&str, &str)> {
    vec![(PREFLIGHT[0].0, PREFLIGHT[0].1), ("origin", origin)]
}

#[test]
fn an_allowed_origin_is_echoed_never_a_literal_star() {
    // cors_filter.cc `encodeHeaders`: `Access-Control-Allow-Origin` is set to the request's
    // `Origin` (facts §2.1: "ACAO is always the echoed request Origin (never literal `*`)").
    let p = istio("        allowOrigins:\n          - exact: \"*\"\n");
    let (_, lines) = answer(&p, "GET", &[("origin", "https://any.example")]);
    assert!(lines.contains(&"access-control-allow-origin: https://any.example".to_string()));
}

#[test]
fn a_matcher_that_accepts_star_allows_every_origin_including_null() {
    // cors_filter.cc `isOriginAllowed`: allowed if any matcher matches the literal "*" or the
    // Origin — `exact: "*"` and `regex: ".*"` both allow everything (facts §2.1).
    for m in ["exact: \"*\"", "regex: \".*\""] {
        let p = istio(&format!(
            "        allowOrigins:\n          - {m}\n        allowCredentials: true\n"
        ));
        let (_, lines) = answer(&p, "GET", &[("origin", "null")]);
        assert!(
            lines.contains(&"access-control-allow-origin: null".to_string()),
            "{m}: {lines:?}"
        );
        assert!(lines.contains(&"access-control-allow-credentials: true".to_string()));
    }
}

#[test]
fn unmatched_preflights_are_forwarded_by_default_and_answered_locally_with_ignore() {
    // Istio `unmatchedPreflights` (virtual_service.proto field 8): "Default is forward to
    // upstream" → Envoy `forward_not_matching_preflights` true: the backend answers, with no
    // CORS headers from the filter.
    let forward = istio(
        "        allowOrigins:\n          - exact: https://app.example.com\n        allowCredentials: true\n        allowMethods: [PUT]\n",
    );
    let (_, lines) = answer(&forward, "OPTIONS", &preflight_from("https://evil.example"));
    assert!(lines.is_empty(), "{lines:?}");
    // `IGNORE`: the filter answers it itself, with credentials (cors_filter.cc: ACAC on
    // preflights even when the origin is not allowed) but no origin.
    let ignore = istio(
        "        allowOrigins:\n          - exact: https://app.example.com\n        allowCredentials: true\n        allowMethods: [PUT]\n        unmatchedPreflights: IGNORE\n",
    );
    let (_, lines) = answer(&ignore, "OPTIONS", &preflight_from("https://evil.example"));
    assert!(
        lines.contains(&"access-control-allow-credentials: true".to_string()),
        "{lines:?}"
    );
    assert!(
        !lines
            .iter()
            .any(|l| l.starts_with("access-control-allow-origin"))
    );
}

#[test]
fn never_a_vary_header() {
    // cors_filter.cc has no `Vary` code (facts §2.1: "The filter never adds `Vary: Origin`").
    let p = istio("        allowOrigins:\n          - exact: https://app.example.com\n");
    for (method, headers) in [
        ("GET", vec![("origin", "https://app.example.com")]),
        ("OPTIONS", preflight_from("https://app.example.com")),
    ] {
        let (_, lines) = answer(&p, method, &headers);
        assert!(!lines.iter().any(|l| l.starts_with("vary")), "{lines:?}");
    }
}

#[test]
fn methods_and_headers_go_on_preflights_exposed_headers_everywhere() {
    // cors_filter.cc: `Access-Control-Allow-Methods`/`-Headers`/`-Max-Age` are written in the
    // preflight answer; `Access-Control-Expose-Headers` in `encodeHeaders`, which also runs
    // on that answer: `ActiveStreamDecoderFilter::encodeHeaders` passes no filter to
    // `FilterManager::encodeHeaders`, so `commonEncodePrefix` starts at the first encoder
    // filter (filter_manager.cc).
    let p = istio(
        "        allowOrigins:\n          - exact: https://app.example.com\n        allowMethods: [PUT]\n        exposeHeaders: [X-Total]\n        maxAge: 600s\n",
    );
    let (_, pre) = answer(&p, "OPTIONS", &preflight_from("https://app.example.com"));
    assert!(
        pre.contains(&"access-control-allow-methods: PUT".to_string()),
        "{pre:?}"
    );
    assert!(
        pre.contains(&"access-control-max-age: 600".to_string()),
        "{pre:?}"
    );
    assert!(
        pre.contains(&"access-control-expose-headers: X-Total".to_string()),
        "{pre:?}"
    );
    let (_, get) = answer(&p, "GET", &[("origin", "https://app.example.com")]);
    assert!(
        get.contains(&"access-control-expose-headers: X-Total".to_string()),
        "{get:?}"
    );
    assert!(
        !get.iter()
            .any(|l| l.starts_with("access-control-allow-methods"))
    );
}

/// A case: its name, the Istio `corsPolicy`, the request method and headers, the CORS lines
/// the upstream test expects.
type IntegrationCase = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
);

/// Envoy's own integration test (`test/extensions/filters/http/cors/cors_filter_integration_test.cc`,
/// envoyproxy/envoy, the `CorsFilterIntegrationTest` cases whose route config one Istio
/// `corsPolicy` expresses), re-expressed: the expected CORS header lines, byte for byte, are
/// the test's. The vhost/route merging cases (`TestEncodeHeadersCredentialsAllowed`,
/// `TestAllowedOriginRegex`) and `filter_enabled` at 0 % (`TestCorsDisabled`) have no Istio
/// form and are left out. Origins are the test's strings (`test-origin`), not URLs: Envoy
/// compares bytes.
#[test]
fn envoy_integration_test_cases() {
    let cases: [IntegrationCase; 5] = [
        (
            "TestVHostConfigSuccess",
            "        allowOrigins:\n          - regex: \".*\"\n        allowHeaders: [content-type, x-grpc-web]\n        allowMethods: [GET, POST]\n",
            "OPTIONS",
            &[
                ("access-control-request-method", "GET"),
                ("origin", "test-origin"),
            ],
            &[
                "access-control-allow-headers: content-type,x-grpc-web",
                "access-control-allow-methods: GET,POST",
                "access-control-allow-origin: test-origin",
            ],
        ),
        (
            "TestRouteConfigSuccess",
            "        allowOrigins:\n          - exact: test-origin-1\n          - exact: test-host-2\n        allowHeaders: [content-type]\n        allowMethods: [POST]\n        maxAge: 100s\n",
            "OPTIONS",
            &[
                ("access-control-request-method", "GET"),
                ("origin", "test-origin-1"),
            ],
            &[
                "access-control-allow-headers: content-type",
                "access-control-allow-methods: POST",
                "access-control-allow-origin: test-origin-1",
                "access-control-max-age: 100",
            ],
        ),
        (
            // Not allowed: the preflight goes on to the backend, whose answer has no CORS line.
            "TestRouteConfigBadOrigin",
            "        allowOrigins:\n          - exact: test-origin-1\n          - exact: test-host-2\n        allowHeaders: [content-type]\n        allowMethods: [POST]\n        maxAge: 100s\n",
            "OPTIONS",
            &[
                ("access-control-request-method", "GET"),
                ("origin", "test-origin"),
            ],
            &[],
        ),
        (
            "TestEncodeHeaders",
            "        allowOrigins:\n          - regex: \".*\"\n        allowHeaders: [content-type, x-grpc-web]\n        allowMethods: [GET, POST]\n",
            "GET",
            &[("origin", "test-origin")],
            &["access-control-allow-origin: test-origin"],
        ),
        (
            "TestExposeHeaders",
            "        allowOrigins:\n          - exact: test-origin-1\n        exposeHeaders: [custom-header-1, custom-header-2]\n",
            "GET",
            &[("origin", "test-origin-1")],
            &[
                "access-control-allow-origin: test-origin-1",
                "access-control-expose-headers: custom-header-1,custom-header-2",
            ],
        ),
    ];
    for (name, cors, method, headers, want) in cases {
        let p = istio(cors);
        let (status, lines) = answer(&p, method, headers);
        assert_eq!(status, 200, "{name}");
        assert_eq!(lines, want, "{name}");
    }
}
