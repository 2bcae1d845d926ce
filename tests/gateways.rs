//! The Gateway API, Istio and Envoy Gateway front ends: byte-exact spans of their findings,
//! version-dependent validation, and the answers their policies give (Envoy's CORS filter as
//! `cors_filter.cc` writes them: echoed origins, credentials on locally answered preflights,
//! forwarded unmatched preflights, no `Vary`).

use cors_lint::frontend::gateway_api::Version;
use cors_lint::frontend::{self, Dialect, Options};
use cors_lint::ir::CorsPolicy;
use cors_lint::lint::{Settings, lint_bytes};
use cors_lint::sim::{PageFetch, simulate};
use cors_lint::source::{Encoding, SourceFile};

fn findings(dialect: Dialect, src: &str, options: Options) -> Vec<(String, String)> {
    let settings = Settings {
        options,
        selection: cors_lint::selection::Selection::new(&["ALL".into()], &[], &[]).unwrap(),
        ..Settings::default()
    };
    let r = lint_bytes(
        "x.yaml".into(),
        src.as_bytes().to_vec(),
        dialect,
        String::new(),
        &settings,
    );
    r.findings
        .iter()
        .map(|f| (f.code.to_string(), src[f.span.range()].to_string()))
        .collect()
}

fn has(found: &[(String, String)], code: &str, text: &str) -> bool {
    found.iter().any(|(c, t)| c == code && t == text)
}

fn policies(dialect: Dialect, src: &str) -> Vec<CorsPolicy> {
    let file = SourceFile::new("x.yaml", src.as_bytes().to_vec(), Encoding::Utf8);
    frontend::lower(dialect, &file, &Options::default())
        .expect("lowers")
        .policies
}

/// (status, sorted CORS headers) of the preflight and of the request, for `fetch()` from
/// `origin` with `method` and credentials.
fn answers(policy: &CorsPolicy, origin: &str, method: &str) -> Vec<(u16, Vec<String>)> {
    let page = PageFetch {
        origin: origin.into(),
        method: method.into(),
        headers: Vec::new(),
        credentials: true,
        path: "/api".into(),
    };
    let listener = &policy.scope.listeners[0];
    let x = simulate(policy, listener, &page, &[]).expect("simulates");
    [x.preflight, x.actual]
        .into_iter()
        .flatten()
        .map(|(_, r)| {
            let mut h: Vec<String> = r.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
            h.sort();
            (r.status.unwrap_or(0), h)
        })
        .collect()
}

const ROUTE: &str = r#"apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: api
spec:
  rules:
  - filters:
    - type: CORS
      cors:
        allowOrigins: ["https://App.example.com:443", "https://*.example.org", "*x"]
        allowMethods: [GET, PUT]
        allowCredentials: false
    backendRefs: [{name: api, port: 8080}]
"#;

#[test]
fn gateway_api_rejections_point_at_the_value_and_depend_on_the_version() {
    let new = findings(Dialect::GatewayApi, ROUTE, Options::default());
    assert!(has(&new, "GW001", "*x"), "{new:?}");
    assert!(!has(&new, "GW001", "false"));
    let old = findings(
        Dialect::GatewayApi,
        ROUTE,
        Options {
            gateway_api_version: Some(Version(1, 4)),
            ..Options::default()
        },
    );
    assert!(has(&old, "GW001", "false"), "{old:?}");
    let ancient = findings(
        Dialect::GatewayApi,
        ROUTE,
        Options {
            gateway_api_version: Some(Version(1, 2)),
            ..Options::default()
        },
    );
    assert!(has(&ancient, "GW001", "CORS"), "{ancient:?}");
}

#[test]
fn gateway_api_matching_reads_the_spec_text() {
    let src = ROUTE.replace(", \"*x\"", "");
    let p = &policies(Dialect::GatewayApi, &src)[0];
    let cors_lint::ir::OriginPolicy::Match(m) = &p.allow_origin else {
        panic!("{:?}", p.allow_origin)
    };
    let accepts = |o: &str| m.matchers.iter().any(|(x, _)| x.accepts(o));
    // Default port written = the origin browsers send; host names case-insensitive.
    assert!(accepts("https://app.example.com"));
    // `*.` greedy to the left, the bare domain not included.
    assert!(accepts("https://a.b.example.org"));
    assert!(!accepts("https://example.org"));
    assert!(!accepts("https://a.example.org:8443"));
    // Default max-age 5, anchored on the filter type.
    assert!(matches!(
        p.max_age,
        cors_lint::ir::MaxAge::Seconds {
            value: 5,
            defaulted: true,
            ..
        }
    ));
    assert_eq!(&src[p.anchor.range()], "CORS");
}

#[test]
fn gateway_api_star_is_literal_without_credentials_and_echoed_with() {
    let star = |creds: &str| {
        format!(
            "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: a\nspec:\n  rules:\n  - filters:\n    - type: CORS\n      cors:\n        allowOrigins: [\"*\"]\n        allowMethods: [\"*\"]\n{creds}"
        )
    };
    let p = &policies(Dialect::GatewayApi, &star(""))[0];
    let a = answers(p, "https://evil.example", "GET");
    assert_eq!(
        a,
        [(200, vec!["access-control-allow-origin: *".to_string()])]
    );
    let p = &policies(
        Dialect::GatewayApi,
        &star("        allowCredentials: true\n"),
    )[0];
    let a = answers(p, "https://evil.example", "DELETE");
    assert_eq!(
        a[0].1,
        [
            "access-control-allow-credentials: true",
            "access-control-allow-methods: DELETE",
            "access-control-allow-origin: https://evil.example",
            "access-control-max-age: 5"
        ]
    );
    let found = findings(
        Dialect::GatewayApi,
        &star("        allowCredentials: true\n"),
        Options::default(),
    );
    assert!(has(&found, "CORS015", "*"), "{found:?}");
    assert!(has(&found, "CORS028", "*"), "{found:?}");
    assert!(!found.iter().any(|(c, _)| c == "CORS017"), "{found:?}");
}

const VS: &str = r#"apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: api
spec:
  hosts: [api.example.com]
  http:
  - corsPolicy:
      allowOrigins:
      - prefix: "https://app.example.com"
      - regex: '(?i)https://[a-z]+\.example\.net'
      allowMethods: [GET, PUT]
      allowCredentials: true
      maxAge: 2h1s
UNMATCHED    route:
    - destination:
        host: api
"#;

#[test]
fn istio_forwards_unmatched_preflights_unless_ignore() {
    let forward = VS.replace("UNMATCHED", "");
    let p = &policies(Dialect::Istio, &forward)[0];
    // Allowed: Envoy answers, origin echoed, credentials, methods, max-age in seconds.
    let a = answers(p, "https://APP.example.net", "PUT");
    assert_eq!(a[0].0, 200);
    assert!(
        a[0].1
            .contains(&"access-control-allow-origin: https://APP.example.net".to_string())
    );
    assert!(a[0].1.contains(&"access-control-max-age: 7201".to_string()));
    // Exposed headers, methods and max-age never on the actual response; no Vary anywhere.
    assert!(
        a[1].1
            .iter()
            .all(|h| !h.contains("methods") && !h.starts_with("vary"))
    );
    // Not allowed: the backend answers the preflight, with no CORS header.
    let a = answers(p, "https://evil.example", "PUT");
    assert!(a[0].1.is_empty(), "{a:?}");
    let found = findings(Dialect::Istio, &forward, Options::default());
    assert!(has(&found, "CORS027", "corsPolicy"), "{found:?}");
    assert!(
        has(&found, "CORS016", "https://app.example.com"),
        "{found:?}"
    );
    assert!(has(&found, "CORS024", "2h1s"), "{found:?}");

    let ignore = VS.replace("UNMATCHED", "      unmatchedPreflights: IGNORE\n");
    let p = &policies(Dialect::Istio, &ignore)[0];
    let a = answers(p, "https://evil.example", "PUT");
    // Envoy answers itself: credentials, methods and max-age, no origin. Istio joins the
    // lists with `,` (pilot's `TranslateCORSPolicy`: `strings.Join(in.AllowMethods, ",")`),
    // and Envoy sends the string as it is.
    assert_eq!(
        a,
        [(
            200,
            vec![
                "access-control-allow-credentials: true".to_string(),
                "access-control-allow-methods: GET,PUT".to_string(),
                "access-control-max-age: 7201".to_string()
            ]
        )]
    );
    let found = findings(Dialect::Istio, &ignore, Options::default());
    assert!(!found.iter().any(|(c, _)| c == "CORS027"), "{found:?}");
}

#[test]
fn istio_rejections_and_deprecated_field_have_exact_spans() {
    let src = VS
        .replace("UNMATCHED", "      allowOrigin: [\"*\"]\n")
        .replace("[GET, PUT]", "[GET, \"put\"]");
    let found = findings(Dialect::Istio, &src, Options::default());
    assert!(has(&found, "IST002", "put"), "{found:?}");
    // Rejected: no policy, so no other finding.
    assert!(found.iter().all(|(c, _)| c == "IST002"), "{found:?}");
    let src = VS.replace("UNMATCHED", "      allowOrigin: [\"*\"]\n");
    let found = findings(Dialect::Istio, &src, Options::default());
    assert!(has(&found, "IST001", "allowOrigin"), "{found:?}");
    // `allowOrigins` is set, so the deprecated `*` is ignored: no reflection.
    assert!(!found.iter().any(|(c, _)| c == "CORS015"), "{found:?}");
}

const SP: &str = r#"apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: api
  namespace: shop
spec:
  rules:
  - backendRefs: [{name: api, port: 8080}]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata:
  name: cors
  namespace: shop
spec:
  targetRefs:
  - {group: gateway.networking.k8s.io, kind: HTTPRoute, name: TARGET}
  cors:
    allowOrigins: ["https://*.example.com", "http://localhost:*"]
    allowMethods: [GET, PUT]
    maxAge: "10m"
"#;

#[test]
fn envoy_gateway_translates_wildcards_and_resolves_targets() {
    let ok = SP.replace("TARGET", "api");
    let p = &policies(Dialect::EnvoyGateway, &ok)[0];
    let cors_lint::ir::OriginPolicy::Match(m) = &p.allow_origin else {
        panic!()
    };
    let accepts = |o: &str| m.matchers.iter().any(|(x, _)| x.accepts(o));
    assert!(accepts("https://a.b.example.com"));
    assert!(!accepts("https://A.example.com.evil.example"));
    assert!(accepts("http://localhost:5173"));
    assert!(matches!(
        p.max_age,
        cors_lint::ir::MaxAge::Seconds { value: 600, .. }
    ));
    // forward_not_matching_preflights: false.
    assert!(p.unmatched_preflights_forwarded.is_none());
    let found = findings(Dialect::EnvoyGateway, &ok, Options::default());
    assert!(!found.iter().any(|(c, _)| c == "EG001"), "{found:?}");
    assert!(has(&found, "CORS025", "https://*.example.com"), "{found:?}");
    assert!(has(&found, "CORS019", "http://localhost:*"), "{found:?}");

    let typo = SP.replace("TARGET", "apii");
    let found = findings(Dialect::EnvoyGateway, &typo, Options::default());
    assert!(has(&found, "EG001", "apii"), "{found:?}");
    // A target of a kind the file does not define is not judged.
    let elsewhere = typo.replace("kind: HTTPRoute, name", "kind: Gateway, name");
    let found = findings(Dialect::EnvoyGateway, &elsewhere, Options::default());
    assert!(!found.iter().any(|(c, _)| c == "EG001"), "{found:?}");
    // Both front ends read a file holding both kinds.
    let found = findings(Dialect::GatewayApi, &typo, Options::default());
    assert!(has(&found, "EG001", "apii"), "{found:?}");
}

#[test]
fn recognition_names_the_objects() {
    let (d, why) = frontend::recognise("r.yaml", ROUTE.as_bytes()).expect("read");
    assert_eq!(d, Dialect::GatewayApi);
    assert!(why.contains("HTTPRoute `api`"), "{why}");
    let (d, _) = frontend::recognise("v.yml", VS.as_bytes()).expect("read");
    assert_eq!(d, Dialect::Istio);
    let istio_alpha = VS.replace("networking.istio.io/v1", "networking.istio.io/v1alpha3");
    assert!(frontend::recognise("v.yaml", istio_alpha.as_bytes()).is_ok());
    let other_group = VS.replace("networking.istio.io", "example.com");
    assert!(frontend::recognise("v.yaml", other_group.as_bytes()).is_err());
}
