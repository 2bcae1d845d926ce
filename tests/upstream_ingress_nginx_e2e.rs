//! ingress-nginx's end-to-end CORS tests (kubernetes/ingress-nginx @ dbb11b92, the release
//! commit of controller v1.15.1: `test/e2e/annotations/cors.go`, and the CORS case and some
//! status cases of `test/e2e/annotations/auth.go`), re-expressed. Each upstream case deploys
//! one Ingress (`framework.NewSingleIngress(host, "/", host, ns, echo, 80, annotations)`) and either
//! sends `GET /` with a `Host` and maybe an `Origin` header and checks the response headers,
//! or checks the rendered `nginx.conf` for `more_set_headers` lines. Here the same Ingress is
//! read by cors-lint's ingress-nginx front end and the same request is answered by its
//! simulator's server side (`sim::respond`, what the controller's nginx sends back; the echo
//! backend answers 200, which is also what cors-lint assumes of a Service).
//!
//! A rendered-config check becomes a header check: the CORS template (`nginx.tmpl`
//! l. 873–903 at the same commit) writes each `more_set_headers` line into both the
//! `$cors = "true"` branch (actual requests) and the `$cors = "trueoptions"` branch
//! (preflights), so "the server block contains `more_set_headers 'H: v'`" means that an
//! allowed actual request and an allowed preflight both carry `H: v`, and "does not contain"
//! means neither does. No upstream code is copied; annotation values, origins and expected
//! header values are the tests' inputs.

use cors_lint::frontend::{self, Dialect, Options};
use cors_lint::ir::CorsPolicy;
use cors_lint::sim::{self, ServerRequest, ServerResponse};
use cors_lint::source::SourceFile;

const P: &str = "nginx.ingress.kubernetes.io/";
/// cors.go l. 30 `corsHost`.
const HOST: &str = "cors.foo.com";
/// cors.go l. 29 `originHost`.
const ORIGIN_HOST: &str = "http://origin.com:8080";

/// The controller's defaults as the e2e case at cors.go l. 51–55 expects them rendered.
const DEFAULT_METHODS: &str = "GET, PUT, POST, DELETE, PATCH, OPTIONS";
const DEFAULT_HEADERS: &str = "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization";

/// The Ingress `NewSingleIngress(host, "/", host, ns, "echo", 80, annotations)` creates
/// (`test/e2e/framework/framework.go` l. 692, 735: name = host, one rule for the host,
/// path `/` of type `Prefix`).
fn manifest(host: &str, annotations: &[(&str, &str)]) -> String {
    let mut text = format!(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {host}\n  namespace: cors\n  annotations:\n"
    );
    for (k, v) in annotations {
        text.push_str(&format!("    {P}{k}: {}\n", yaml_quoted(v)));
    }
    text.push_str(&format!(
        "spec:\n  rules:\n    - host: {host}\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: echo\n                port:\n                  number: 80\n"
    ));
    text
}

/// A YAML double-quoted scalar (annotation values are strings).
fn yaml_quoted(v: &str) -> String {
    format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The controller serving that one Ingress.
struct Controller {
    policy: CorsPolicy,
    host: &'static str,
}

fn deploy(annotations: &[(&str, &str)]) -> Controller {
    deploy_on(HOST, annotations)
}

fn deploy_on(host: &'static str, annotations: &[(&str, &str)]) -> Controller {
    let file = SourceFile::new(
        "ingress.yaml",
        manifest(host, annotations).into_bytes(),
        Dialect::IngressNginx.encoding(),
    );
    let mut policies = frontend::lower(Dialect::IngressNginx, &file, &Options::default())
        .expect("the Ingress lowers")
        .policies;
    assert_eq!(
        policies.len(),
        1,
        "one CORS policy for {annotations:?}: {policies:?}"
    );
    Controller {
        policy: policies.remove(0),
        host,
    }
}

impl Controller {
    /// `f.HTTPTestClient().<method>("/").WithHeader("Host", host)` plus `headers`.
    fn request(&self, method: &str, headers: &[(&str, &str)]) -> ServerResponse {
        let mut all = vec![("host".to_string(), self.host.to_string())];
        all.extend(
            headers
                .iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string())),
        );
        let req = ServerRequest {
            method: method.into(),
            path: "/".into(),
            headers: all,
        };
        sim::respond(&self.policy, &self.policy.scope.listeners[0], &req, &[])
    }

    /// `GET /` with `Host`, and `Origin` when given.
    fn get(&self, origin: Option<&str>) -> ServerResponse {
        match origin {
            Some(o) => self.request("GET", &[("Origin", o)]),
            None => self.request("GET", &[]),
        }
    }

    /// The two responses a rendered `more_set_headers` line reaches: an actual `GET`
    /// without `Origin` and a preflight, both from an origin the policy allows (every
    /// caller uses the default origin `*`).
    fn both_branches(&self) -> [(&'static str, ServerResponse); 2] {
        [
            ("GET", self.get(None)),
            (
                "preflight",
                self.request(
                    "OPTIONS",
                    &[
                        ("Origin", "https://app.example.com"),
                        ("Access-Control-Request-Method", "PUT"),
                    ],
                ),
            ),
        ]
    }
}

/// Every value of a response header, in order (lower-cased name).
fn values<'a>(r: &'a ServerResponse, name: &str) -> Vec<&'a str> {
    r.headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect()
}

/// `Headers().ContainsKey("Access-Control-Allow-Origin")` and then
/// `Status(http.StatusOK).Headers().ValueEqual("Access-Control-Allow-Origin", []string{v})`.
fn assert_allow_origin(r: &ServerResponse, expected: &str, case: &str) {
    assert_eq!(r.status, Some(200), "{case}: status; {r:?}");
    assert_eq!(
        values(r, "access-control-allow-origin"),
        [expected],
        "{case}: Access-Control-Allow-Origin; {r:?}"
    );
}

/// `Headers().NotContainsKey("Access-Control-Allow-Origin")`.
fn assert_no_allow_origin(r: &ServerResponse, case: &str) {
    assert_eq!(
        values(r, "access-control-allow-origin"),
        Vec::<&str>::new(),
        "{case}: no Access-Control-Allow-Origin; {r:?}"
    );
}

/// A rendered `more_set_headers 'name: value';` line: both branches carry it.
fn assert_rendered(c: &Controller, name: &str, value: &str) {
    for (branch, r) in c.both_branches() {
        assert_eq!(values(&r, name), [value], "{branch}: {name}; {r:?}");
    }
}

// ---------------------------------------------------------------------------------------
// test/e2e/annotations/cors.go @ dbb11b92ddb77bee9c35e462479129354c84f939
// ---------------------------------------------------------------------------------------

/// cors.go l. 40–65 "should enable cors": `enable-cors` alone renders the default methods,
/// `$http_origin` echo, default headers, max-age 1728000, credentials `true`, and
/// `set $http_origin *;` with `$cors 'true';` (l. 51–57) — i.e. every request, with or
/// without `Origin`, gets `Access-Control-Allow-Origin: *`; `GET /` answers 200 (l. 60–64).
#[test]
fn e2e_should_enable_cors() {
    let c = deploy(&[("enable-cors", "true")]);
    assert_rendered(&c, "access-control-allow-methods", DEFAULT_METHODS);
    assert_rendered(&c, "access-control-allow-origin", "*");
    assert_rendered(&c, "access-control-allow-headers", DEFAULT_HEADERS);
    assert_rendered(&c, "access-control-max-age", "1728000");
    assert_rendered(&c, "access-control-allow-credentials", "true");
    assert_eq!(c.get(None).status, Some(200));
}

/// cors.go l. 67–81 "should set cors methods to only allow POST, GET" (l. 79: the value as
/// written).
#[test]
fn e2e_should_set_cors_methods_to_only_allow_post_get() {
    let c = deploy(&[("enable-cors", "true"), ("cors-allow-methods", "POST, GET")]);
    assert_rendered(&c, "access-control-allow-methods", "POST, GET");
}

/// cors.go l. 83–97 "should set cors max-age" (l. 95).
#[test]
fn e2e_should_set_cors_max_age() {
    let c = deploy(&[("enable-cors", "true"), ("cors-max-age", "200")]);
    assert_rendered(&c, "access-control-max-age", "200");
}

/// cors.go l. 99–113 "should disable cors allow credentials": no
/// `Access-Control-Allow-Credentials: true` line (l. 111), so neither branch sends it.
#[test]
fn e2e_should_disable_cors_allow_credentials() {
    let c = deploy(&[("enable-cors", "true"), ("cors-allow-credentials", "false")]);
    for (branch, r) in c.both_branches() {
        assert!(
            !values(&r, "access-control-allow-credentials").contains(&"true"),
            "{branch}: {r:?}"
        );
    }
}

/// cors.go l. 115–140 "should allow origin for cors".
#[test]
fn e2e_should_allow_origin_for_cors() {
    let o = "https://origin.cors.com:8080";
    let c = deploy(&[("enable-cors", "true"), ("cors-allow-origin", o)]);
    assert_allow_origin(&c.get(Some(o)), o, "l. 126-139");
}

/// cors.go l. 142–156 "should allow headers for cors" (l. 154: the value as written).
#[test]
fn e2e_should_allow_headers_for_cors() {
    let c = deploy(&[
        ("enable-cors", "true"),
        ("cors-allow-headers", "DNT, User-Agent"),
    ]);
    assert_rendered(&c, "access-control-allow-headers", "DNT, User-Agent");
}

/// cors.go l. 158–172 "should expose headers for cors" (l. 170).
#[test]
fn e2e_should_expose_headers_for_cors() {
    let v = "X-CustomResponseHeader, X-CustomSecondHeader";
    let c = deploy(&[("enable-cors", "true"), ("cors-expose-headers", v)]);
    assert_rendered(&c, "access-control-expose-headers", v);
}

/// cors.go l. 174–199 "should allow - single origin for multiple cors values".
#[test]
fn e2e_should_allow_single_origin_for_multiple_cors_values() {
    let o = "https://origin.cors.com:8080";
    let c = deploy(&[
        ("enable-cors", "true"),
        (
            "cors-allow-origin",
            "https://origin.cors.com:8080, https://origin2.cors.com",
        ),
    ]);
    assert_allow_origin(&c.get(Some(o)), o, "l. 185-198");
}

/// cors.go l. 201–219 "should not allow - single origin for multiple cors values".
#[test]
fn e2e_should_not_allow_single_origin_for_multiple_cors_values() {
    let c = deploy(&[
        ("enable-cors", "true"),
        (
            "cors-allow-origin",
            "http://origin2.cors.com, https://origin.com",
        ),
    ]);
    assert_no_allow_origin(&c.get(Some("http://no.origin.com")), "l. 213-218");
}

/// cors.go l. 221–270 "should allow correct origins - single origin for multiple cors
/// values": the scheme-less entry is skipped by the parser, and the scheme-less `Origin`
/// matches nothing; the two listed origins are echoed.
#[test]
fn e2e_should_allow_correct_origins_single_origin_for_multiple_cors_values() {
    let c = deploy(&[
        ("enable-cors", "true"),
        (
            "cors-allow-origin",
            "origin.cors.com:8080, https://origin2.cors.com, https://origin.com",
        ),
    ]);
    assert_no_allow_origin(&c.get(Some("origin.cors.com:8080")), "l. 234-239");
    for (o, case) in [
        ("https://origin2.cors.com", "l. 241-254"),
        ("https://origin.com", "l. 256-269"),
    ] {
        assert_allow_origin(&c.get(Some(o)), o, case);
    }
}

/// cors.go l. 272–294 "should not break functionality": `cors-allow-origin: *`, a request
/// without `Origin` gets `*`.
#[test]
fn e2e_should_not_break_functionality() {
    let c = deploy(&[("enable-cors", "true"), ("cors-allow-origin", "*")]);
    assert_allow_origin(&c.get(None), "*", "l. 282-293");
}

/// cors.go l. 296–317 "should not break functionality - without `*`": the default origin.
#[test]
fn e2e_should_not_break_functionality_without_star() {
    let c = deploy(&[("enable-cors", "true")]);
    assert_allow_origin(&c.get(None), "*", "l. 305-316");
}

/// cors.go l. 319–341 "should not break functionality with extra domain": `*` first wins.
#[test]
fn e2e_should_not_break_functionality_with_extra_domain() {
    let c = deploy(&[
        ("enable-cors", "true"),
        ("cors-allow-origin", "*, foo.bar.com"),
    ]);
    assert_allow_origin(&c.get(None), "*", "l. 329-340");
}

/// cors.go l. 343–361 "should not match": the dot is escaped.
#[test]
fn e2e_should_not_match() {
    let c = deploy(&[
        ("enable-cors", "true"),
        ("cors-allow-origin", "https://foo.bar.com"),
    ]);
    assert_no_allow_origin(&c.get(Some("https://fooxbar.com")), "l. 355-360");
}

/// cors.go l. 363–389 "should allow - single origin with required port".
#[test]
fn e2e_should_allow_single_origin_with_required_port() {
    let c = deploy(&[
        ("enable-cors", "true"),
        (
            "cors-allow-origin",
            "http://origin.cors.com:8080, http://origin.com:8080",
        ),
    ]);
    assert_allow_origin(&c.get(Some(ORIGIN_HOST)), ORIGIN_HOST, "l. 375-388");
}

/// cors.go l. 391–408 "should not allow - single origin with port and origin without port".
#[test]
fn e2e_should_not_allow_single_origin_with_port_and_origin_without_port() {
    let c = deploy(&[
        ("enable-cors", "true"),
        (
            "cors-allow-origin",
            "https://origin2.cors.com, http://origin.com",
        ),
    ]);
    assert_no_allow_origin(&c.get(Some(ORIGIN_HOST)), "l. 402-407");
}

/// cors.go l. 410–428 "should not allow - single origin without port and origin with
/// required port".
#[test]
fn e2e_should_not_allow_single_origin_without_port_and_origin_with_required_port() {
    let c = deploy(&[
        ("enable-cors", "true"),
        (
            "cors-allow-origin",
            "http://origin.cors.com:8080, http://origin.com:8080",
        ),
    ]);
    assert_no_allow_origin(&c.get(Some("http://origin.com")), "l. 422-427");
}

/// cors.go l. 430–471 "should allow - matching origin with wildcard origin (2 subdomains)".
#[test]
fn e2e_should_allow_matching_origin_with_wildcard_origin() {
    let c = deploy(&[
        ("enable-cors", "true"),
        (
            "cors-allow-origin",
            "http://*.origin.cors.com, http://*.origin.com:8080",
        ),
    ]);
    for (o, case) in [
        ("http://foo.origin.cors.com", "l. 442-455"),
        ("http://bar-foo.origin.cors.com", "l. 457-470"),
    ] {
        assert_allow_origin(&c.get(Some(o)), o, case);
    }
}

/// cors.go l. 473–491 "should not allow - unmatching origin with wildcard origin (2
/// subdomains)": `*.` stands for one label.
#[test]
fn e2e_should_not_allow_unmatching_origin_with_wildcard_origin() {
    let c = deploy(&[
        ("enable-cors", "true"),
        (
            "cors-allow-origin",
            "http://*.origin.cors.com, http://*.origin.com:8080",
        ),
    ]);
    assert_no_allow_origin(&c.get(Some("http://bar.foo.origin.cors.com")), "l. 485-490");
}

/// cors.go l. 493–518 "should allow - matching origin+port with wildcard origin".
#[test]
fn e2e_should_allow_matching_origin_and_port_with_wildcard_origin() {
    let o = "http://abc.origin.com:8080";
    let c = deploy(&[
        ("enable-cors", "true"),
        (
            "cors-allow-origin",
            "http://origin.cors.com:8080, http://*.origin.com:8080",
        ),
    ]);
    assert_allow_origin(&c.get(Some(o)), o, "l. 504-517");
}

/// cors.go l. 520–538 "should not allow - portless origin with wildcard origin".
#[test]
fn e2e_should_not_allow_portless_origin_with_wildcard_origin() {
    let c = deploy(&[
        ("enable-cors", "true"),
        (
            "cors-allow-origin",
            "http://origin.cors.com:8080, http://*.origin.com:8080",
        ),
    ]);
    assert_no_allow_origin(&c.get(Some("http://abc.origin.com")), "l. 532-537");
}

/// cors.go l. 540–574 "should allow correct origins - missing subdomain + origin with
/// wildcard origin and correct origin": `http://origin.com:8080` is not `*.origin.com:8080`.
#[test]
fn e2e_should_allow_correct_origins_missing_subdomain_with_wildcard_origin() {
    let c = deploy(&[
        ("enable-cors", "true"),
        (
            "cors-allow-origin",
            "http://origin.cors.com:8080, http://*.origin.com:8080",
        ),
    ]);
    assert_no_allow_origin(&c.get(Some(ORIGIN_HOST)), "l. 553-558");
    let o = "http://bar.origin.com:8080";
    assert_allow_origin(&c.get(Some(o)), o, "l. 560-573");
}

/// cors.go l. 576–634 "should allow - missing origins (should allow all origins)": a blank
/// `cors-allow-origin` is no value (`parseString` trims it to "" and reports it invalid,
/// `internal/ingress/annotations/parser/main.go` l. 117–128, 228), so the origin falls back
/// to `*` (`cors/main.go` l. 221–226) for every `Origin`, even one without a scheme.
#[test]
fn e2e_should_allow_missing_origins() {
    let c = deploy(&[("enable-cors", "true"), ("cors-allow-origin", "      ")]);
    for (o, case) in [
        ("http://origin.com", "l. 590-603"),
        ("http://book.origin.com", "l. 605-618"),
        ("test.origin.com", "l. 620-633"),
    ] {
        assert_allow_origin(&c.get(Some(o)), "*", case);
    }
}

/// cors.go l. 636–671 "should allow correct origin but not others - cors allow origin
/// annotations contain trailing comma".
#[test]
fn e2e_should_allow_correct_origin_with_trailing_comma() {
    let c = deploy(&[
        ("enable-cors", "true"),
        (
            "cors-allow-origin",
            "https://origin-123.cors.com:8080,   ,https://origin-321.cors.com:8080,",
        ),
    ]);
    let o1 = "https://origin-123.cors.com:8080";
    let r1 = c.get(Some(o1));
    assert!(
        !values(&r1, "access-control-allow-origin").is_empty(),
        "l. 647-652: {r1:?}"
    );
    let o2 = "https://origin-321.cors.com:8080";
    assert_allow_origin(&c.get(Some(o2)), o2, "l. 655-661");
    assert_no_allow_origin(&c.get(Some("https://unknown.cors.com:8080")), "l. 664-670");
}

/// cors.go l. 673–700 "should allow - origins with non-http[s] protocols". Any scheme is
/// accepted from commit 2cec24143 (#11153, first released in controller v1.12.0); the
/// default model, 1.15.1, has it (with `--assume-version ingress-nginx=1.11.5` cors-lint
/// answers `*` instead: the older whole-value check rejects the list).
#[test]
fn e2e_should_allow_origins_with_non_http_protocols() {
    let c = deploy(&[
        ("enable-cors", "true"),
        (
            "cors-allow-origin",
            "test://localhost, tauri://localhost:3000",
        ),
    ]);
    for (o, case) in [
        ("test://localhost", "l. 685-691"),
        ("tauri://localhost:3000", "l. 693-699"),
    ] {
        assert_allow_origin(&c.get(Some(o)), o, case);
    }
}

// ---------------------------------------------------------------------------------------
// test/e2e/annotations/auth.go @ dbb11b92ddb77bee9c35e462479129354c84f939
// ---------------------------------------------------------------------------------------

/// The annotations of auth.go l. 150–176 "should return status code 401 and cors headers
/// when authentication and cors is configured but Authorization header is not configured"
/// (basic auth, realm "test auth", a Secret `test`, host `auth`; the case added with #9251).
/// auth.go `authHost`.
const AUTH_HOST: &str = "auth";

const BASIC_AUTH_CORS: &[(&str, &str)] = &[
    ("auth-type", "basic"),
    ("auth-secret", "test"),
    ("auth-realm", "test auth"),
    ("enable-cors", "true"),
];

/// auth.go l. 170–175, the header half: the 401 carries `Access-Control-Allow-Origin: *`
/// (`more_set_headers` without `-s` applies to every status).
#[test]
fn e2e_auth_basic_401_carries_cors_headers() {
    let c = deploy_on(AUTH_HOST, BASIC_AUTH_CORS);
    let r = c.get(None);
    assert_eq!(
        values(&r, "access-control-allow-origin"),
        ["*"],
        "auth.go l. 175; {r:?}"
    );
}

/// auth.go l. 170–175, the status half: without `Authorization` the controller answers 401.
#[test]
fn e2e_auth_basic_without_credentials_is_401() {
    let c = deploy_on(AUTH_HOST, BASIC_AUTH_CORS);
    let r = c.get(None);
    assert_eq!(r.status, Some(401), "auth.go l. 174; {r:?}");
    assert!(r.reason.starts_with("authentication answers"), "{r:?}");
    // Not checked upstream; `tests/ground_truth_ingress.rs` checks it against nginx.
    assert_eq!(
        values(&r, "www-authenticate"),
        ["Basic realm=\"test auth\""]
    );
}

// The cases below re-express auth.go's authentication cases that have no CORS annotation,
// with `enable-cors: "true"` added (cors-lint reads an Ingress only when CORS is on; the
// statuses do not depend on it).

/// auth.go l. 178–203 "should return status code 200 when authentication is configured and
/// Authorization header is sent" (`WithBasicAuth("foo", "bar")`): the backend answers.
/// cors-lint takes any `Authorization` header as the valid credentials.
#[test]
fn e2e_auth_basic_with_credentials_reaches_the_backend() {
    let c = deploy_on(AUTH_HOST, BASIC_AUTH_CORS);
    let r = c.request("GET", &[("Authorization", "Basic Zm9vOmJhcg==")]);
    assert_eq!(r.status, Some(200), "auth.go l. 202; {r:?}");
    assert_eq!(values(&r, "access-control-allow-origin"), ["*"], "{r:?}");
}

/// auth.go l. 463–471: external authentication with a sign-in page (the auth service is
/// httpbun's `/basic-auth/user/password`).
const EXTERNAL_AUTH_SIGNIN_CORS: &[(&str, &str)] = &[
    ("auth-url", "http://10.0.0.7/basic-auth/user/password"),
    ("auth-signin", "http://$host/auth/start"),
    ("enable-cors", "true"),
];

/// auth.go l. 481–488 "should return status code 200 when signed in" (`WithBasicAuth`).
#[test]
fn e2e_external_auth_signed_in_reaches_the_backend() {
    let c = deploy_on(AUTH_HOST, EXTERNAL_AUTH_SIGNIN_CORS);
    let r = c.request("GET", &[("Authorization", "Basic dXNlcjpwYXNzd29yZA==")]);
    assert_eq!(r.status, Some(200), "auth.go l. 487; {r:?}");
}

/// auth.go l. 490–499 "should redirect to signin url when not signed in": 302 (the
/// `Location` is not part of what cors-lint models), and since #8814 the sign-in location
/// renders the CORS block too, so the 302 carries the CORS headers.
#[test]
fn e2e_external_auth_not_signed_in_is_redirected_with_cors_headers() {
    let c = deploy_on(AUTH_HOST, EXTERNAL_AUTH_SIGNIN_CORS);
    let r = c.get(None);
    assert_eq!(r.status, Some(302), "auth.go l. 497; {r:?}");
    assert!(r.reason.contains("http://$host/auth/start"), "{r:?}");
    assert_eq!(values(&r, "access-control-allow-origin"), ["*"], "{r:?}");
}

/// Without `auth-signin` the auth service's 401 is the answer, with the CORS headers of an
/// allowed origin on it (confirmed in nginx 1.22 + headers-more: `/ext/` in the research
/// notes, and `tests/ground_truth_ingress.rs`).
#[test]
fn external_auth_refusal_is_401_with_cors_headers() {
    let c = deploy_on(
        AUTH_HOST,
        &[
            ("auth-url", "https://auth.example.com/oauth2/auth"),
            ("enable-cors", "true"),
            ("cors-allow-origin", "https://app.example.com"),
        ],
    );
    let r = c.get(Some("https://app.example.com"));
    assert_eq!(r.status, Some(401), "{r:?}");
    assert!(r.reason.contains("`auth-url` service"), "{r:?}");
    assert_eq!(
        values(&r, "access-control-allow-origin"),
        ["https://app.example.com"],
        "{r:?}"
    );
    assert_eq!(values(&r, "access-control-allow-credentials"), ["true"]);
}

/// A preflight from an allowed origin is answered 204 in nginx's rewrite phase, before any
/// authentication; one from another origin goes on to authentication and gets its 401 (or
/// the sign-in 302) without CORS headers.
#[test]
fn preflight_skips_authentication_only_from_an_allowed_origin() {
    for (annotations, refused) in [
        (
            &[
                ("auth-type", "basic"),
                ("auth-secret", "test"),
                ("enable-cors", "true"),
                ("cors-allow-origin", "https://app.example.com"),
            ][..],
            401,
        ),
        (
            &[
                ("auth-url", "https://auth.example.com/oauth2/auth"),
                ("enable-cors", "true"),
                ("cors-allow-origin", "https://app.example.com"),
            ][..],
            401,
        ),
        (
            &[
                ("auth-url", "https://auth.example.com/oauth2/auth"),
                ("auth-signin", "https://auth.example.com/oauth2/start"),
                ("enable-cors", "true"),
                ("cors-allow-origin", "https://app.example.com"),
            ][..],
            302,
        ),
    ] {
        let c = deploy_on(AUTH_HOST, annotations);
        let preflight = |origin| {
            c.request(
                "OPTIONS",
                &[("Origin", origin), ("Access-Control-Request-Method", "PUT")],
            )
        };
        let allowed = preflight("https://app.example.com");
        assert_eq!(allowed.status, Some(204), "{annotations:?}: {allowed:?}");
        assert_eq!(
            values(&allowed, "access-control-allow-origin"),
            ["https://app.example.com"]
        );
        let other = preflight("https://evil.example");
        assert_eq!(other.status, Some(refused), "{annotations:?}: {other:?}");
        assert!(
            other
                .headers
                .iter()
                .all(|(n, _)| !n.starts_with("access-control-")),
            "{annotations:?}: {other:?}"
        );
    }
}
