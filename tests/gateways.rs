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

/// Gateway API as the implementations serve it (issue 18 §3; src/frontend/gateway_api/
/// implementation.rs cites their source): origins compared byte for byte, `*.` over any
/// number of labels, `*` echoed, the serving implementation named in the scope.
#[test]
fn gateway_api_matching_is_the_implementations() {
    let src = ROUTE.replace(", \"*x\"", "");
    let p = &policies(Dialect::GatewayApi, &src)[0];
    let cors_lint::ir::OriginPolicy::Match(m) = &p.allow_origin else {
        panic!("{:?}", p.allow_origin)
    };
    let accepts = |o: &str| m.matchers.iter().any(|(x, _)| x.accepts(o));
    // No case or default-port normalisation: only the bytes written match.
    assert!(accepts("https://App.example.com:443"));
    assert!(!accepts("https://app.example.com"));
    // `*.`: any number of labels (Envoy Gateway's `.*`, matched whole, so no port after the
    // domain), not the bare domain.
    assert!(accepts("https://a.b.example.org"));
    assert!(!accepts("https://a.example.org:8443"));
    assert!(!accepts("https://example.org"));
    assert!(
        p.scope.description.ends_with("on Envoy Gateway (assumed)"),
        "{}",
        p.scope.description
    );
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

const STAR: &str = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: a\nspec:\n  parentRefs: [{name: gw}]\n  rules:\n  - filters:\n    - type: CORS\n      cors:\n        allowOrigins: [\"*\", ]\n        allowMethods: [\"*\"]\n";

fn star(creds: &str) -> String {
    STAR.replace(", ]", "]") + creds
}

#[test]
fn gateway_api_star_is_echoed_with_or_without_credentials() {
    let p = &policies(Dialect::GatewayApi, &star(""))[0];
    let a = answers(p, "https://evil.example", "GET");
    assert_eq!(
        a,
        [(
            200,
            vec!["access-control-allow-origin: https://evil.example".to_string()]
        )]
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

/// The implementation is the one the route's Gateway and GatewayClass name, else the flag's;
/// where they differ, so does the verdict: Istio since 1.29.1 does not allow `null` for `*`,
/// Envoy Gateway does; Istio before 1.29.1 matches a wildcard entry only as a literal and
/// forwards unmatched preflights.
#[test]
fn gateway_api_implementations_differ_where_their_source_does() {
    use cors_lint::frontend::gateway_api::implementation::Implementation;
    let class = |controller: &str| {
        format!(
            "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {{name: c}}\nspec: {{controllerName: {controller}}}\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {{name: gw}}\nspec: {{gatewayClassName: c}}\n---\n"
        )
    };
    let creds = star("        allowCredentials: true\n");
    let null_allowed = |text: &str, options: Options| {
        let file = cors_lint::source::SourceFile::new(
            "r.yaml",
            text.as_bytes().to_vec(),
            Dialect::GatewayApi.encoding(),
        );
        let p = &cors_lint::frontend::lower(Dialect::GatewayApi, &file, &options)
            .unwrap()
            .policies[0];
        let cors_lint::ir::OriginPolicy::Match(m) = &p.allow_origin else {
            panic!("{:?}", p.allow_origin)
        };
        (
            m.matchers.iter().any(|(x, _)| x.accepts("null")),
            p.scope.description.clone(),
        )
    };
    let (envoy, scope) = null_allowed(&creds, Options::default());
    assert!(
        envoy && scope.ends_with("on Envoy Gateway (assumed)"),
        "{scope}"
    );
    let istio = format!("{}{creds}", class("istio.io/gateway-controller"));
    let (null, scope) = null_allowed(&istio, Options::default());
    assert!(
        !null && scope.ends_with("on Istio, as its GatewayClass says"),
        "{scope}"
    );
    // The flag chooses for routes whose Gateway the file does not show.
    let flagged = Options {
        gateway_api_implementation: Some(Implementation::IstioExactOrigins),
        ..Options::default()
    };
    let (null, scope) = null_allowed(&creds, flagged.clone());
    assert!(null && scope.ends_with("on Istio before 1.29.1"), "{scope}");
    let wildcard = creds.replace(
        "allowOrigins: [\"*\"]",
        "allowOrigins: [\"https://*.example.com\"]",
    );
    let old = &policies_with(&wildcard, flagged);
    let cors_lint::ir::OriginPolicy::Match(m) = &old.allow_origin else {
        panic!()
    };
    assert!(
        !m.matchers
            .iter()
            .any(|(x, _)| x.accepts("https://a.example.com"))
    );
    assert!(old.unmatched_preflights_forwarded.is_some());
    let new = &policies_with(&wildcard, Options::default());
    assert!(new.unmatched_preflights_forwarded.is_none());
    // NGINX Gateway Fabric and Envoy Gateway join lists with ", ", Istio with ",".
    let ngf = format!(
        "{}{}",
        class("gateway.nginx.org/nginx-gateway-controller"),
        ROUTE.replace(", \"*x\"", "").replace(
            "name: api\nspec:\n",
            "name: api\nspec:\n  parentRefs: [{name: gw}]\n"
        )
    );
    assert_eq!(
        policies_with(&ngf, Options::default())
            .server
            .list_separator,
        ", "
    );
    assert!(
        policies_with(&ngf, Options::default())
            .scope
            .description
            .contains("NGINX Gateway Fabric")
    );
    assert_eq!(
        policies_with(&istio, Options::default())
            .server
            .list_separator,
        ","
    );
}

fn policies_with(text: &str, options: Options) -> cors_lint::ir::CorsPolicy {
    let file = cors_lint::source::SourceFile::new(
        "r.yaml",
        text.as_bytes().to_vec(),
        Dialect::GatewayApi.encoding(),
    );
    cors_lint::frontend::lower(Dialect::GatewayApi, &file, &options)
        .unwrap()
        .policies
        .remove(0)
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
