use super::*;
use crate::ir::{AllowList, Credentials, MaxAge, OnMatch, OriginMatcher, OriginPolicy, VaryOrigin};
use crate::sim::{ServerRequest, respond};
use crate::source::Encoding;

fn lower_as(name: &str, src: &str, version: Option<Version>) -> Lowered {
    let file = SourceFile::new(name, src.as_bytes().to_vec(), Encoding::Utf8);
    let options = Options {
        traefik_version: version,
        ..Options::default()
    };
    lower(&file, &options).unwrap()
}

fn at(src: &str, span: Span) -> &str {
    &src[span.range()]
}

fn req(method: &str, headers: &[(&str, &str)]) -> ServerRequest {
    ServerRequest {
        method: method.into(),
        path: "/api".into(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
    }
}

fn answer(p: &CorsPolicy, r: &ServerRequest) -> (Option<u16>, Vec<(String, String)>) {
    let x = respond(p, &p.scope.listeners[0], r, &[]);
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

const CRD: &str = "apiVersion: traefik.io/v1alpha1\nkind: Middleware\nmetadata:\n  name: cors\n  namespace: web\nspec:\n  headers:\n    accessControlAllowOriginList:\n      - https://app.example.com\n      - \"null\"\n    accessControlAllowOriginListRegex:\n      - 'https://.*\\.example\\.org'\n    accessControlAllowMethods: [GET, \"PUT\"]\n    accessControlAllowCredentials: true\n    accessControlMaxAge: 600\n    addVaryHeader: true\n";

#[test]
fn crd_fields_become_matchers_on_their_bytes() {
    let l = lower_as("m.yaml", CRD, None);
    let p = &l.policies[0];
    assert_eq!(p.scope.description, "Traefik middleware `web/cors`");
    let OriginPolicy::Match(m) = &p.allow_origin else {
        panic!("{:?}", p.allow_origin)
    };
    let shown: Vec<&str> = m.matchers.iter().map(|(_, s)| at(CRD, *s)).collect();
    assert_eq!(
        shown,
        [
            "https://app.example.com",
            "null",
            "https://.*\\.example\\.org"
        ]
    );
    assert_eq!(m.matchers[1].0, OriginMatcher::Null);
    // Case-sensitive `==` (header.go `isOriginAllowed`: `item == origin`).
    assert!(!m.matchers[0].0.accepts("https://APP.example.com"));
    // `regexp.MatchString`: unanchored.
    assert!(
        m.matchers[2]
            .0
            .accepts("https://a.example.org.evil.example")
    );
    let AllowList::Static(v) = &p.allow_methods else {
        panic!()
    };
    assert_eq!(v.text(), "GET,PUT");
    let e = p.allow_methods.entries().unwrap();
    assert_eq!(at(CRD, e[1].1), "PUT");
    assert!(
        matches!(p.credentials, Credentials::On { at: s } if at(CRD, s) == "accessControlAllowCredentials")
    );
    assert!(matches!(p.max_age, MaxAge::Seconds { value: 600, at: s, .. } if at(CRD, s) == "600"));
    assert_eq!(p.vary_origin, VaryOrigin::Always);
    assert!(recognise("m.yaml", CRD.as_bytes()).is_ok());
}

/// Traefik 3.7.15 as observed (tests/ground_truth_traefik.rs checks the same against the
/// binary): preflights answered 200 for any origin, credentials on every response, `Vary`
/// only on non-preflight responses, no `Max-Age` on actual responses.
#[test]
fn answers_like_traefik_3_7_15() {
    let p = &lower_as("m.yaml", CRD, None).policies[0];
    let pre = req(
        "OPTIONS",
        &[
            ("origin", "https://evil.example"),
            ("access-control-request-method", "PUT"),
        ],
    );
    assert_eq!(
        answer(p, &pre),
        (
            Some(200),
            h(&[
                ("access-control-allow-credentials", "true"),
                ("access-control-allow-methods", "GET,PUT"),
                ("access-control-max-age", "600"),
            ])
        )
    );
    let get = req("GET", &[("origin", "https://app.example.com")]);
    assert_eq!(
        answer(p, &get),
        (
            Some(200),
            h(&[
                ("access-control-allow-origin", "https://app.example.com"),
                ("access-control-allow-credentials", "true"),
                ("vary", "Origin"),
            ])
        )
    );
    let none = req("GET", &[]);
    assert_eq!(
        answer(p, &none).1,
        h(&[
            ("access-control-allow-credentials", "true"),
            ("vary", "Origin")
        ])
    );
}

const STAR: &str = "http:\n  middlewares:\n    cors:\n      headers:\n        accessControlAllowOriginList: [\"https://x.example\", \"*\", \"https://y.example\"]\n        accessControlAllowHeaders: [\"*\"]\n        accessControlExposeHeaders: [\"*\", X-A]\n        accessControlAllowCredentials: true\n";

#[test]
fn star_with_credentials_depends_on_the_release() {
    // 3.7.15: echo (commit f9d79007, v3.7.6), `*` headers echoed, expose with `*` dropped.
    let new = lower_as("d.yml", STAR, None);
    let OriginPolicy::Match(m) = &new.policies[0].allow_origin else {
        panic!()
    };
    assert_eq!(m.on_match_with_credentials, OnMatch::EchoOrigin);
    assert!(matches!(
        new.policies[0].allow_headers,
        AllowList::EchoRequest { .. }
    ));
    assert!(matches!(new.policies[0].expose_headers, AllowList::NotSent));
    let null = req("GET", &[("origin", "null")]);
    assert_eq!(
        answer(&new.policies[0], &null).1,
        h(&[
            ("access-control-allow-origin", "null"),
            ("access-control-allow-credentials", "true")
        ])
    );
    // Without `Origin`, `Header.Get` gives "" and `*` echoes it.
    assert!(
        answer(&new.policies[0], &req("GET", &[]))
            .1
            .contains(&("access-control-allow-origin".into(), String::new()))
    );
    // The entry after `*` is never consulted.
    assert!(
        new.facts
            .iter()
            .any(|f| matches!(f, Fact::Shadowed { entry, .. } if entry == "https://y.example"))
    );
    // 3.7.5 and 3.6.21: a literal `*`, and the `*` header entry sent as is.
    for v in [Version(3, 7, 5), Version(3, 6, 21), Version(2, 11, 0)] {
        let old = lower_as("d.yml", STAR, Some(v));
        let OriginPolicy::Match(m) = &old.policies[0].allow_origin else {
            panic!()
        };
        assert_eq!(m.on_match_with_credentials, OnMatch::LiteralStar, "{v}");
        let get = req("GET", &[("origin", "https://q.example")]);
        assert!(
            answer(&old.policies[0], &get)
                .1
                .contains(&("access-control-allow-origin".into(), "*".into()))
        );
        // An exact entry before `*` still gets its own origin back.
        let x = req("GET", &[("origin", "https://x.example")]);
        assert!(answer(&old.policies[0], &x).1.contains(&(
            "access-control-allow-origin".into(),
            "https://x.example".into()
        )));
    }
    assert!(Version(3, 6, 22).star_credentials_echo());
    assert!(!Version(3, 6, 21).star_credentials_echo());
    assert!(Version(3, 7, 6).star_credentials_echo());
    assert!(!Version(3, 7, 5).star_credentials_echo());
}

fn dynamic(fields: &str) -> String {
    format!("http:\n  middlewares:\n    cors:\n      headers:\n{fields}")
}

/// `AccessControlMaxAge int64` until 9badb31b (v3.6.22, v3.7.6): unset, `Max-Age: 0` on every
/// preflight; a `*int64` after: unset sends nothing.
#[test]
fn unset_max_age_depends_on_the_release() {
    let src = dynamic("        accessControlAllowOriginList: ['*']\n");
    for v in [
        Version(2, 11, 53),
        Version(3, 0, 0),
        Version(3, 5, 6),
        Version(3, 6, 21),
        Version(3, 7, 0),
        Version(3, 7, 5),
    ] {
        let p = &lower_as("d.yml", &src, Some(v)).policies[0];
        assert!(
            matches!(
                p.max_age,
                MaxAge::Seconds {
                    value: 0,
                    defaulted: true,
                    ..
                }
            ),
            "{v}"
        );
    }
    for v in [Version(3, 6, 22), Version(3, 7, 6), Version(3, 7, 15)] {
        let p = &lower_as("d.yml", &src, Some(v)).policies[0];
        assert!(matches!(p.max_age, MaxAge::NotSent), "{v}");
    }
}

/// `HasCorsHeadersDefined` tests Go values: a field holding what an unset one decodes to does
/// not make Traefik answer preflights — `0` only while the max age is an `int64`.
#[test]
fn zero_values_do_not_enable_cors() {
    for fields in [
        "        accessControlAllowCredentials: false\n",
        "        addVaryHeader: false\n",
        "        accessControlAllowMethods: []\n",
        "        accessControlExposeHeaders:\n",
    ] {
        let src = dynamic(fields);
        assert!(
            lower_as("d.yml", &src, None).policies.is_empty(),
            "{fields}"
        );
    }
    let zero = dynamic("        accessControlMaxAge: 0\n");
    assert!(
        lower_as("d.yml", &zero, Some(Version(3, 7, 5)))
            .policies
            .is_empty()
    );
    let p = &lower_as("d.yml", &zero, None).policies[0];
    let pre = req(
        "OPTIONS",
        &[
            ("origin", "https://a.example"),
            ("access-control-request-method", "GET"),
        ],
    );
    assert_eq!(
        answer(p, &pre),
        (Some(200), h(&[("access-control-max-age", "0")]))
    );
}

#[test]
fn toml_file_provider_spans_are_exact() {
    let src = "[http.routers.api]\n  rule = \"Host(`a.example`)\"\n  middlewares = [\"other\"]\n\n[http.middlewares.cors.headers]\n  accessControlAllowOriginList = [\"https://app.example.com\", 'http://localhost:3000']\n  accessControlAllowMethods = [\"GET\", \"POST\"]\n  accessControlMaxAge = 100\n";
    assert!(recognise("dynamic.toml", src.as_bytes()).is_ok());
    assert!(recognise("Cargo.toml", b"[package]\nname = \"x\"\n").is_err());
    let l = lower_as("dynamic.toml", src, None);
    let p = &l.policies[0];
    let OriginPolicy::Match(m) = &p.allow_origin else {
        panic!()
    };
    assert_eq!(at(src, m.matchers[1].1), "http://localhost:3000");
    let e = p.allow_methods.entries().unwrap();
    assert_eq!(at(src, e[1].1), "POST");
    assert!(matches!(p.max_age, MaxAge::Seconds { value: 100, at: s, .. } if at(src, s) == "100"));
    // Routers exist and none uses `cors`.
    let unused = l.facts.iter().find_map(|f| match f {
        Fact::Unused { span, .. } => Some(*span),
        _ => None,
    });
    assert_eq!(at(src, unused.unwrap()), "cors");
}

#[test]
fn custom_response_headers_are_static_and_reported() {
    let src = "http:\n  middlewares:\n    c:\n      headers:\n        customResponseHeaders:\n          Access-Control-Allow-Origin: \"*\"\n          Access-Control-Allow-Credentials: \"true\"\n";
    let l = lower_as("d.yml", src, None);
    let p = &l.policies[0];
    assert!(matches!(&p.allow_origin, OriginPolicy::Static(v) if v.text() == "*"));
    assert!(matches!(p.credentials, Credentials::On { .. }));
    assert!(p.emission.preflight_split.is_none());
    let keys: Vec<&str> = l
        .facts
        .iter()
        .filter_map(|f| match f {
            Fact::CustomCorsHeader { key, .. } => Some(at(src, *key)),
            _ => None,
        })
        .collect();
    assert_eq!(
        keys,
        [
            "Access-Control-Allow-Origin",
            "Access-Control-Allow-Credentials"
        ]
    );
}

#[test]
fn invalid_regex_and_wrong_types_are_facts() {
    let src = "http:\n  middlewares:\n    c:\n      headers:\n        accessControlAllowOriginListRegex: ['(?=x)']\n";
    let l = lower_as("d.yml", src, None);
    assert!(matches!(
        l.policies[0].allow_origin,
        OriginPolicy::Unknown { .. }
    ));
    assert!(
        l.facts
            .iter()
            .any(|f| matches!(f, Fact::InvalidRegex { span, .. } if at(src, *span) == "(?=x)"))
    );
    // A value of the wrong type: refused, so no policy is judged.
    let src = "http:\n  middlewares:\n    c:\n      headers:\n        accessControlAllowOriginList: [a]\n        accessControlAllowCredentials: \"true\"\n";
    let l = lower_as("d.yml", src, None);
    assert!(l.policies.is_empty());
    assert!(
        l.facts
            .iter()
            .any(|f| matches!(f, Fact::WrongType { span, .. } if at(src, *span) == "\"true\""))
    );
}

#[test]
fn ingress_route_and_annotation_references_count_as_use() {
    let src = "apiVersion: traefik.containo.us/v1alpha1\nkind: Middleware\nmetadata:\n  name: cors\nspec:\n  headers:\n    accessControlAllowOriginList: [https://a.example]\n---\napiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata:\n  name: r\nspec:\n  routes:\n    - match: Host(`a.example`)\n      middlewares:\n        - name: cors\n";
    let l = lower_as("m.yaml", src, None);
    assert_eq!(l.policies.len(), 1);
    assert!(!l.facts.iter().any(|f| matches!(f, Fact::Unused { .. })));
    let ann = "apiVersion: traefik.io/v1alpha1\nkind: Middleware\nmetadata:\n  name: cors\nspec:\n  headers:\n    accessControlAllowOriginList: [https://a.example]\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i\n  annotations:\n    traefik.ingress.kubernetes.io/router.middlewares: web-other@kubernetescrd\n";
    // An annotation names middlewares of any namespace (`web-other`): it says nothing of
    // whether `cors`, wherever it is applied, is used.
    let l = lower_as("m.yaml", ann, None);
    assert!(!l.facts.iter().any(|f| matches!(f, Fact::Unused { .. })));
    // A route of the same (unwritten) namespace that names another middleware does.
    let other = src.replace("- name: cors", "- name: auth");
    let l = lower_as("m.yaml", &other, None);
    assert!(l.facts.iter().any(|f| matches!(f, Fact::Unused { .. })));
    // The file provider's `cors` is another middleware than the CRD's.
    let file = src.replace("- name: cors", "- name: cors@file");
    let l = lower_as("m.yaml", &file, None);
    assert!(l.facts.iter().any(|f| matches!(f, Fact::Unused { .. })));
    // `cors` in another namespace: only with `allowCrossNamespace`, which the file cannot
    // show, so it may be used.
    let cross = src.replace("- name: cors", "- name: cors\n          namespace: other");
    let l = lower_as("m.yaml", &cross, None);
    assert!(!l.facts.iter().any(|f| matches!(f, Fact::Unused { .. })));
}

#[test]
fn versions_parse() {
    assert_eq!(Version::parse("3.7.15"), Some(Version(3, 7, 15)));
    assert_eq!(Version::parse("v3.6"), Some(Version(3, 6, 24)));
    assert_eq!(Version::parse("3.x"), None);
}
