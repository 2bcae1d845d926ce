//! The Gateway API conformance test for the HTTPRoute `CORS` filter
//! (kubernetes-sigs/gateway-api @ 4564255a, `conformance/tests/httproute-cors.go` and its
//! manifest `conformance/tests/httproute-cors.yaml`) and Envoy Gateway's CORS end-to-end
//! test (envoyproxy/gateway @ d32f2829, `test/e2e/tests/cors.go`, manifest
//! `test/e2e/testdata/cors-security-policy.yaml`), re-expressed: each upstream case's route
//! (written here in our own words, stating the same CORS fields) is lowered by cors-lint and
//! the exact request the case sends is answered by cors-lint's server model
//! (`cors_lint::sim::respond`); the assertions are the case's expectations. No upstream code
//! or manifest is copied.
//!
//! Conformance compares header values with `IgnoreWhitespace` where it says so (so `, ` and
//! `,` joins both pass) and otherwise byte for byte; it accepts several values where the
//! spec leaves a choice (`*` or the echoed origin without credentials) — the helpers below
//! do the same, and each case says which it accepts.

use cors_lint::frontend::{self, Dialect, Options};
use cors_lint::ir::CorsPolicy;
use cors_lint::sim::{ServerRequest, ServerResponse, respond};
use cors_lint::source::{Encoding, SourceFile};

fn lower(dialect: Dialect, src: &str) -> Vec<CorsPolicy> {
    let file = SourceFile::new("route.yaml", src.as_bytes().to_vec(), Encoding::Utf8);
    frontend::lower(dialect, &file, &Options::default())
        .expect("lowers")
        .policies
}

/// The one policy a route with one CORS filter lowers to.
fn only(dialect: Dialect, src: &str) -> CorsPolicy {
    let mut p = lower(dialect, src);
    assert_eq!(p.len(), 1, "one CORS policy expected: {p:?}");
    p.remove(0)
}

/// What the gateway cors-lint models answers to this raw request (conformance sends its
/// headers as written, not as a browser would).
fn ask(p: &CorsPolicy, method: &str, path: &str, headers: &[(&str, &str)]) -> ServerResponse {
    let req = ServerRequest {
        method: method.into(),
        path: path.into(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
            .collect(),
    };
    respond(p, &p.scope.listeners[0], &req, &[])
}

fn status_in(r: &ServerResponse, allowed: &[u16]) {
    let s = r.status.expect("an HTTP response");
    assert!(allowed.contains(&s), "status {s} not in {allowed:?}: {r:?}");
}

/// Conformance's `ValidHeaderValues`: present, and one of `values` (whitespace removed on
/// both sides when `ignore_ws`, as `IgnoreWhitespace: true` does).
fn one_of(r: &ServerResponse, name: &str, values: &[&str], ignore_ws: bool) {
    let squeeze = |s: &str| {
        if ignore_ws {
            s.replace(' ', "")
        } else {
            s.to_string()
        }
    };
    let got = r
        .header(name)
        .unwrap_or_else(|| panic!("`{name}` missing: {r:?}"));
    assert!(
        values.iter().any(|v| squeeze(v) == squeeze(&got)),
        "`{name}: {got}` is not one of {values:?}: {r:?}"
    );
}

/// Conformance's `Headers`: present and equal.
fn exactly(r: &ServerResponse, name: &str, value: &str) {
    one_of(r, name, &[value], false);
}

/// Conformance's `AbsentHeaders`.
fn absent(r: &ServerResponse, name: &str) {
    assert!(r.header(name).is_none(), "`{name}` present: {r:?}");
}

const ACAO: &str = "access-control-allow-origin";
const ACAC: &str = "access-control-allow-credentials";
const ACAM: &str = "access-control-allow-methods";
const ACAH: &str = "access-control-allow-headers";
const ACEH: &str = "access-control-expose-headers";
const ACMA: &str = "access-control-max-age";

// --- Gateway API conformance: the routes of httproute-cors.yaml, in our own words. ---

/// conformance/tests/httproute-cors.yaml:1-33 (route `cors-multiple-origins-methods-headers`):
/// an exact and a `*.` origin, two methods, two request and two exposed headers,
/// credentials, max-age 3600.
const ROUTE_LISTS: &str = r#"apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: lists, namespace: conformance}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /cors-1}}]
    backendRefs: [{name: echo, port: 8080}]
    filters:
    - type: CORS
      cors:
        allowCredentials: true
        maxAge: 3600
        allowOrigins: [https://www.foo.com, "https://*.bar.com"]
        allowMethods: [GET, OPTIONS]
        allowHeaders: [x-header-1, x-header-2]
        exposeHeaders: [x-header-3, x-header-4]
"#;

/// conformance/tests/httproute-cors.yaml:35-56 (route `cors-wildcard-methods`): one exact
/// origin, `allowMethods: ["*"]`, nothing else (no credentials).
const ROUTE_ANY_METHOD: &str = r#"apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: any-method, namespace: conformance}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /cors-2}}]
    backendRefs: [{name: echo, port: 8080}]
    filters:
    - {type: CORS, cors: {allowOrigins: [https://www.foo.com], allowMethods: ["*"]}}
"#;

/// conformance/tests/httproute-cors.yaml:58-80 (route `cors-wildcard-origin`): origin `*`,
/// method PUT, `allowCredentials: false`.
const ROUTE_ANY_ORIGIN: &str = r#"apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: any-origin, namespace: conformance}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /cors-wildcard-origin}}]
    backendRefs: [{name: echo, port: 8080}]
    filters:
    - type: CORS
      cors: {allowOrigins: ["*"], allowMethods: [PUT], allowCredentials: false}
"#;

/// conformance/tests/httproute-cors.yaml:82-122 (route `cors-wildcard-methods-headers`): two
/// rules, both `*` for origins, methods and headers; the first with credentials, the second
/// (`…-unauth`) with `allowCredentials: false`.
const ROUTE_ALL_STARS: &str = r#"apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: all-stars, namespace: conformance}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /cors-wildcard-methods-headers}}]
    backendRefs: [{name: echo, port: 8080}]
    filters:
    - type: CORS
      cors:
        allowOrigins: ["*"]
        allowMethods: ["*"]
        allowHeaders: ["*"]
        allowCredentials: true
  - matches: [{path: {type: PathPrefix, value: /cors-wildcard-methods-headers-unauth}}]
    backendRefs: [{name: echo, port: 8080}]
    filters:
    - type: CORS
      cors:
        allowOrigins: ["*"]
        allowMethods: ["*"]
        allowHeaders: ["*"]
        allowCredentials: false
"#;

/// The two policies of [`ROUTE_ALL_STARS`], credentialed rule first.
fn all_stars() -> (CorsPolicy, CorsPolicy) {
    let mut p = lower(Dialect::GatewayApi, ROUTE_ALL_STARS);
    assert_eq!(p.len(), 2, "{p:?}");
    let unauth = p.pop().unwrap();
    (p.pop().unwrap(), unauth)
}

const ACRH_1_2: (&str, &str) = ("access-control-request-headers", "x-header-1, x-header-2");

/// The three allowed-origin preflight cases of route 1 expect the same headers but the
/// origin (httproute-cors.go:82-102, :130-150, :178-198).
fn lists_preflight_allows(origin: &str) {
    let p = only(Dialect::GatewayApi, ROUTE_LISTS);
    let r = ask(
        &p,
        "OPTIONS",
        "/cors-1",
        &[
            ("Origin", origin),
            ("access-control-request-method", "GET"),
            ACRH_1_2,
        ],
    );
    status_in(&r, &[200, 204]);
    one_of(&r, ACAO, &[origin], true);
    one_of(&r, ACAM, &["GET, OPTIONS", "OPTIONS, GET"], true);
    one_of(
        &r,
        ACAH,
        &["x-header-1, x-header-2", "x-header-2, x-header-1"],
        true,
    );
    // Exposed headers are expected on the preflight answer too.
    one_of(
        &r,
        ACEH,
        &["x-header-3, x-header-4", "x-header-4, x-header-3"],
        true,
    );
    one_of(&r, ACMA, &["3600"], true);
    one_of(&r, ACAC, &["true"], true);
}

// gateway-api conformance/tests/httproute-cors.go:57 @ 4564255a
// "CORS preflight request from an exact matching origin should be allowed"
#[test]
fn conformance_preflight_exact_origin() {
    lists_preflight_allows("https://www.foo.com");
}

// gateway-api conformance/tests/httproute-cors.go:105 @ 4564255a
// "CORS preflight request from a wildcard matching origin should be allowed"
#[test]
fn conformance_preflight_wildcard_origin() {
    lists_preflight_allows("https://www.bar.com");
}

// gateway-api conformance/tests/httproute-cors.go:153 @ 4564255a
// "… a wildcard matching any number of periods left to '*' should be allowed": `*.bar.com`
// takes two labels.
#[test]
fn conformance_preflight_wildcard_any_depth() {
    lists_preflight_allows("https://xpto.www.bar.com");
}

// gateway-api conformance/tests/httproute-cors.go:201 @ 4564255a
// "CORS preflight request from a non-matching origin should not be allowed": 200, 204 or 403,
// and no `Access-Control-Allow-Origin` (no other header is checked).
#[test]
fn conformance_preflight_unmatched_origin() {
    let p = only(Dialect::GatewayApi, ROUTE_LISTS);
    let r = ask(
        &p,
        "OPTIONS",
        "/cors-1",
        &[
            ("Origin", "https://foobar.com"),
            ("access-control-request-method", "GET"),
        ],
    );
    status_in(&r, &[200, 204, 403]);
    absent(&r, ACAO);
}

/// Route 1's simple GET, sent with preflight headers as conformance sends it.
fn lists_get(origin: &str) -> ServerResponse {
    let p = only(Dialect::GatewayApi, ROUTE_LISTS);
    ask(
        &p,
        "GET",
        "/cors-1",
        &[
            ("Origin", origin),
            ("access-control-request-method", "GET"),
            ACRH_1_2,
        ],
    )
}

// gateway-api conformance/tests/httproute-cors.go:231 @ 4564255a
// "Simple request from an exact matching origin should be allowed"
#[test]
fn conformance_simple_exact_origin() {
    let r = lists_get("https://www.foo.com");
    status_in(&r, &[200]);
    exactly(&r, ACAO, "https://www.foo.com");
}

// gateway-api conformance/tests/httproute-cors.go:250 @ 4564255a
// "Simple request from a wildcard matching origin should be allowed"
#[test]
fn conformance_simple_wildcard_origin() {
    let r = lists_get("https://www.bar.com");
    status_in(&r, &[200]);
    exactly(&r, ACAO, "https://www.bar.com");
}

// gateway-api conformance/tests/httproute-cors.go:269 @ 4564255a
// "Simple request from a non-matching origin should not be allowed" (no status checked).
#[test]
fn conformance_simple_unmatched_origin() {
    let p = only(Dialect::GatewayApi, ROUTE_LISTS);
    let r = ask(
        &p,
        "GET",
        "/cors-1",
        &[
            ("Origin", "https://foobar.com"),
            ("access-control-request-method", "GET"),
        ],
    );
    absent(&r, ACAO);
}

fn any_method_preflight() -> ServerResponse {
    let p = only(Dialect::GatewayApi, ROUTE_ANY_METHOD);
    ask(
        &p,
        "OPTIONS",
        "/cors-2",
        &[
            ("Origin", "https://www.foo.com"),
            ("access-control-request-method", "POST"),
        ],
    )
}

// gateway-api conformance/tests/httproute-cors.go:287 @ 4564255a
// "CORS preflight request with POST method should be allowed by allowMethods with wildcard":
// `POST` (echoed) or a literal `*`, the origin exactly, no credentials.
#[test]
fn conformance_preflight_any_method() {
    let r = any_method_preflight();
    status_in(&r, &[200, 204]);
    one_of(&r, ACAM, &["POST", "*"], false);
    exactly(&r, ACAO, "https://www.foo.com");
    absent(&r, ACAC);
}

// gateway-api conformance/tests/httproute-cors.go:321 @ 4564255a
// "CORS preflight request should not receive access-control-allow-credentials header without
// access-control-allow-credentials set to true"
#[test]
fn conformance_preflight_no_credentials_unless_true() {
    let r = any_method_preflight();
    status_in(&r, &[200, 204]);
    absent(&r, ACAC);
}

fn any_origin(method: &str, headers: &[(&str, &str)]) -> ServerResponse {
    let p = only(Dialect::GatewayApi, ROUTE_ANY_ORIGIN);
    ask(&p, method, "/cors-wildcard-origin", headers)
}

// gateway-api conformance/tests/httproute-cors.go:349 @ 4564255a
// "CORS preflight request from a wildcard origin should return header with '*' or with the
// requested Origin": conformance accepts either (Envoy echoes, others may send `*`).
#[test]
fn conformance_preflight_star_origin() {
    let r = any_origin(
        "OPTIONS",
        &[
            ("Origin", "https://foobar.com"),
            ("access-control-request-method", "PUT"),
        ],
    );
    status_in(&r, &[200, 204]);
    one_of(&r, ACAO, &["https://foobar.com", "*"], false);
    one_of(&r, ACAM, &["PUT"], false);
    absent(&r, ACAC);
}

// gateway-api conformance/tests/httproute-cors.go:383 @ 4564255a
// "… from a wildcard origin containing a port …": `*` or the origin with its port.
#[test]
fn conformance_preflight_star_origin_with_port() {
    let r = any_origin(
        "OPTIONS",
        &[
            ("Origin", "https://foobar.com:12345"),
            ("access-control-request-method", "PUT"),
        ],
    );
    status_in(&r, &[200, 204]);
    one_of(&r, ACAO, &["https://foobar.com:12345", "*"], false);
    one_of(&r, ACAM, &["PUT"], false);
    absent(&r, ACAC);
}

// gateway-api conformance/tests/httproute-cors.go:417 @ 4564255a
// "Request from a wildcard origin containing a port should return header with '*' or with the
// requested Origin" (either accepted).
#[test]
fn conformance_simple_star_origin_with_port() {
    let r = any_origin("PUT", &[("Origin", "https://foobar.com:12345")]);
    status_in(&r, &[200]);
    one_of(&r, ACAO, &["https://foobar.com:12345", "*"], false);
}

// gateway-api conformance/tests/httproute-cors.go:440 @ 4564255a
// "Simple request from a wildcard origin should return header with '*' or with the requested
// Origin" (either accepted), no credentials.
#[test]
fn conformance_simple_star_origin() {
    let r = any_origin("PUT", &[("Origin", "https://foobar.com")]);
    status_in(&r, &[200]);
    one_of(&r, ACAO, &["https://foobar.com", "*"], false);
    absent(&r, ACAC);
}

fn all_stars_preflight(p: &CorsPolicy, path: &str) -> ServerResponse {
    ask(
        p,
        "OPTIONS",
        path,
        &[
            ("Origin", "https://other.foo.com"),
            ("access-control-request-method", "PUT"),
            ACRH_1_2,
        ],
    )
}

// gateway-api conformance/tests/httproute-cors.go:464 @ 4564255a
// "… should be allowed and always echo the origin with allowCredentials set to true": with
// credentials `*` is never sent; origin, method and headers are echoed.
#[test]
fn conformance_preflight_stars_with_credentials_echo() {
    let (auth, _) = all_stars();
    let r = all_stars_preflight(&auth, "/cors-wildcard-methods-headers");
    status_in(&r, &[200, 204]);
    one_of(&r, ACAO, &["https://other.foo.com"], true);
    one_of(&r, ACAM, &["PUT"], true);
    one_of(
        &r,
        ACAH,
        &["x-header-1, x-header-2", "x-header-2, x-header-1"],
        true,
    );
    one_of(&r, ACAC, &["true"], true);
}

// gateway-api conformance/tests/httproute-cors.go:504 @ 4564255a
// "… should hide access-control-allow-credentials headers with allowCredentials set to
// false": each of origin, methods and headers may be the echo or `*` (all accepted).
#[test]
fn conformance_preflight_stars_without_credentials() {
    let (_, unauth) = all_stars();
    let r = all_stars_preflight(&unauth, "/cors-wildcard-methods-headers-unauth");
    status_in(&r, &[200, 204]);
    one_of(&r, ACAO, &["https://other.foo.com", "*"], true);
    one_of(&r, ACAM, &["PUT", "*"], true);
    one_of(
        &r,
        ACAH,
        &["x-header-1, x-header-2", "x-header-2, x-header-1", "*"],
        true,
    );
    absent(&r, ACAC);
}

// gateway-api conformance/tests/httproute-cors.go:550 @ 4564255a
// "CORS request should receive access-control-allow-credentials header with allowCredentials
// set to true": the origin echoed, not `*`.
#[test]
fn conformance_simple_stars_with_credentials() {
    let (auth, _) = all_stars();
    let r = ask(
        &auth,
        "GET",
        "/cors-wildcard-methods-headers",
        &[("Origin", "https://other.foo.com")],
    );
    status_in(&r, &[200]);
    one_of(&r, ACAO, &["https://other.foo.com"], false);
    one_of(&r, ACAC, &["true"], false);
}

// gateway-api conformance/tests/httproute-cors.go:568 @ 4564255a
// "CORS request should not receive access-control-allow-credentials header without
// allowCredentials set to true": origin echoed or `*` (either accepted).
#[test]
fn conformance_simple_stars_without_credentials() {
    let (_, unauth) = all_stars();
    let r = ask(
        &unauth,
        "GET",
        "/cors-wildcard-methods-headers-unauth",
        &[("Origin", "https://other.foo.com")],
    );
    status_in(&r, &[200]);
    one_of(&r, ACAO, &["https://other.foo.com", "*"], false);
    absent(&r, ACAC);
}

// --- Envoy Gateway e2e: SecurityPolicy CORS (test/e2e/testdata/cors-security-policy.yaml). ---

/// test/e2e/testdata/cors-security-policy.yaml:1-45 @ d32f2829: a route and a SecurityPolicy
/// targeting it with three origins (one `*.`), six methods, two request and two exposed
/// headers, no credentials, no max-age.
const EG_EXACT: &str = r#"apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: exact, namespace: e2e}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /cors-exact}}]
    backendRefs: [{name: echo, port: 8080}]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: exact-cors, namespace: e2e}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: exact}]
  cors:
    allowOrigins: [https://www.foo.com, https://www.bar.com, "https://*.foobar.com"]
    allowMethods: [GET, POST, PUT, PATCH, DELETE, OPTIONS]
    allowHeaders: [x-header-1, x-header-2]
    exposeHeaders: [x-header-3, x-header-4]
"#;

/// test/e2e/testdata/cors-security-policy.yaml:47-82 @ d32f2829: `*` for origins, methods,
/// request and exposed headers, no credentials.
const EG_STARS: &str = r#"apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: stars, namespace: e2e}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /cors-wildcard}}]
    backendRefs: [{name: echo, port: 8080}]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: stars-cors, namespace: e2e}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: stars}]
  cors:
    allowOrigins: ["*"]
    allowMethods: ["*"]
    allowHeaders: ["*"]
    exposeHeaders: ["*"]
"#;

fn eg_preflight(src: &str, path: &str, origin: &str) -> ServerResponse {
    let p = only(Dialect::EnvoyGateway, src);
    ask(
        &p,
        "OPTIONS",
        path,
        &[
            ("Origin", origin),
            ("access-control-request-method", "GET"),
            ACRH_1_2,
        ],
    )
}

/// The e2e's two allowed-origin cases, whitespace ignored (the separator is checked below).
fn eg_exact_allows(origin: &str) {
    let r = eg_preflight(EG_EXACT, "/cors-exact", origin);
    status_in(&r, &[200]);
    exactly(&r, ACAO, origin);
    one_of(&r, ACAM, &["GET, POST, PUT, PATCH, DELETE, OPTIONS"], true);
    one_of(&r, ACAH, &["x-header-1, x-header-2"], true);
    one_of(&r, ACEH, &["x-header-3, x-header-4"], true);
}

// envoyproxy/gateway test/e2e/tests/cors.go:51 @ d32f2829
// "should enable cors with Allow Origin Exact" (values compared ignoring whitespace here; the
// byte-exact comparison upstream makes is `eg_e2e_list_separator_is_comma_space`).
#[test]
fn eg_e2e_exact_origin() {
    eg_exact_allows("https://www.foo.com");
}

// envoyproxy/gateway test/e2e/tests/cors.go:87 @ d32f2829
// "should enable cors with Allow Origin Regex": `https://*.foobar.com` matches
// `https://anydomain.foobar.com` (Envoy Gateway turns it into a regex).
#[test]
fn eg_e2e_wildcard_origin() {
    eg_exact_allows("https://anydomain.foobar.com");
}

// envoyproxy/gateway test/e2e/tests/cors.go:73-80 and :109-116 @ d32f2829
// Upstream compares these headers byte for byte (`Headers`, no `IgnoreWhitespace`): Envoy
// Gateway joins the lists with ", " (internal/xds/translator/cors.go:156, :161, :163
// `strings.Join(c.AllowMethods, ", ")` @ d32f2829) and Envoy sends the string verbatim.
// (cors-lint wrote "," until this case showed it; only Istio's `TranslateCORSPolicy` joins
// with ",".)
#[test]
fn eg_e2e_list_separator_is_comma_space() {
    let r = eg_preflight(EG_EXACT, "/cors-exact", "https://www.foo.com");
    exactly(&r, ACAM, "GET, POST, PUT, PATCH, DELETE, OPTIONS");
    exactly(&r, ACAH, "x-header-1, x-header-2");
    exactly(&r, ACEH, "x-header-3, x-header-4");
}

// envoyproxy/gateway test/e2e/tests/cors.go:124 @ d32f2829
// "should not contain cors headers when Origin not registered" (only the origin is checked;
// Envoy Gateway answers the preflight itself, forward_not_matching_preflights: false).
#[test]
fn eg_e2e_unregistered_origin() {
    let r = eg_preflight(EG_EXACT, "/cors-exact", "https://unknown.foo.com");
    absent(&r, ACAO);
}

// envoyproxy/gateway test/e2e/tests/cors.go:155 @ d32f2829
// "should enable cors with wildcard matching": without credentials Envoy still echoes the
// requested method and headers for `*` (cors_filter.cc: `allow_methods == "*"` → the
// Access-Control-Request-Method value) and sends the exposed `*` literally.
#[test]
fn eg_e2e_stars() {
    let r = eg_preflight(EG_STARS, "/cors-wildcard", "https://foo.bar.com");
    status_in(&r, &[200]);
    exactly(&r, ACAO, "https://foo.bar.com");
    exactly(&r, ACAM, "GET");
    exactly(&r, ACAH, "x-header-1, x-header-2");
    exactly(&r, ACEH, "*");
}
