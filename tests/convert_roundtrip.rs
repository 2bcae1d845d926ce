//! Every back end, on generated policies: where it can express a policy, reading its output
//! back gives a policy browsers cannot tell from the source (`equiv::compare` finds no call
//! whose verdict or readable headers differ). Where it cannot, it says so with a refusal —
//! never a silent approximation.

use cors_lint::backend::{self, Context, TARGETS};
use cors_lint::equiv;
use cors_lint::frontend::{self, Dialect, Options};
use cors_lint::ir::CorsPolicy;
use cors_lint::source::SourceFile;
use proptest::prelude::*;

fn lower(dialect: Dialect, name: &str, text: &str) -> Vec<CorsPolicy> {
    let file = SourceFile::new(name, text.as_bytes().to_vec(), dialect.encoding());
    frontend::lower(dialect, &file, &Options::default())
        .map(|l| l.policies)
        .unwrap_or_default()
}

const ORIGINS: &[&str] = &[
    "https://app.example.com",
    "http://localhost:3000",
    "https://*.example.org",
    "null",
    "*",
    "https://app.example.com:8443",
];

fn ingress_text() -> impl Strategy<Value = String> {
    (
        proptest::sample::subsequence(ORIGINS.to_vec(), 1..=3),
        prop::option::of(prop::sample::select(vec!["true", "false"])),
        prop::option::of(prop::sample::select(vec!["GET, PUT", "DELETE", "PATCH, POST"])),
        prop::option::of(prop::sample::select(vec!["X-Token", "Content-Type, Authorization"])),
        prop::option::of(prop::sample::select(vec!["X-Total", "X-A, X-B"])),
        prop::option::of(prop::sample::select(vec!["600", "7200"])),
    )
        .prop_map(|(origins, cred, methods, headers, expose, age)| {
            let mut a = vec![
                ("enable-cors", "true".to_string()),
                ("cors-allow-origin", origins.join(", ")),
            ];
            for (k, v) in [
                ("cors-allow-credentials", cred),
                ("cors-allow-methods", methods),
                ("cors-allow-headers", headers),
                ("cors-expose-headers", expose),
                ("cors-max-age", age),
            ] {
                if let Some(v) = v {
                    a.push((k, v.to_string()));
                }
            }
            let mut s = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: x\n  annotations:\n".to_string();
            for (k, v) in a {
                s.push_str(&format!("    nginx.ingress.kubernetes.io/{k}: \"{v}\"\n"));
            }
            s
        })
}

fn nginx_text() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![
            "add_header Access-Control-Allow-Origin https://app.example.com always;",
            "add_header Access-Control-Allow-Origin * always;",
            "add_header Access-Control-Allow-Origin $http_origin always;",
            "add_header Access-Control-Allow-Origin $cors always;",
        ]),
        any::<bool>(),
        prop::option::of(prop::sample::select(vec!["GET, PUT", "DELETE"])),
        prop::option::of(prop::sample::select(vec!["X-Token", "Authorization"])),
    )
        .prop_map(|(acao, cred, methods, headers)| {
            let mut s = String::from(
                "map $http_origin $cors { default \"\"; \"https://app.example.com\" $http_origin; \"~^https://[a-z0-9-]+\\.example\\.org$\" $http_origin; }\nserver { location / {\n",
            );
            s.push_str(acao);
            s.push('\n');
            if cred {
                s.push_str("add_header Access-Control-Allow-Credentials true always;\n");
            }
            if let Some(m) = methods {
                s.push_str(&format!("add_header Access-Control-Allow-Methods \"{m}\" always;\n"));
            }
            if let Some(h) = headers {
                s.push_str(&format!("add_header Access-Control-Allow-Headers \"{h}\" always;\n"));
            }
            s.push_str("} }\n");
            s
        })
}

type Tally = std::collections::BTreeMap<String, (usize, usize)>;

/// Every target as an object, and the two with a configuration-file form as that file:
/// each output must read back equivalent to `source`, or the back end refuses. Counts
/// (equivalent, refused) per output kind into `tally`.
fn round_trip(source: &CorsPolicy, tally: &mut Tally) -> Result<(), TestCaseError> {
    let cx = Context {
        service: Some("api:80".into()),
        gateway: Some("gw".into()),
        host: Some("api.example.com".into()),
        route: Some("api".into()),
        ..Context::default()
    };
    let file = Context {
        file_format: true,
        ..cx.clone()
    };
    let runs = TARGETS
        .iter()
        .map(|t| (*t, &cx, t.name().to_string()))
        .chain([
            (Dialect::Traefik, &file, "traefik (file)".to_string()),
            (Dialect::Kong, &file, "kong (file)".to_string()),
        ]);
    for (target, cx, label) in runs {
        let row = tally.entry(label.clone()).or_default();
        let Ok(e) = backend::emit(source, target, cx) else {
            row.1 += 1;
            continue;
        };
        let back = lower(target, e.file_name, &e.text);
        prop_assert!(!back.is_empty(), "{label} output reads back: {}", e.text);
        let c = equiv::compare(source, &back[0]);
        prop_assert!(
            c.equivalent(),
            "{label} output differs from the source:\n{}\n{}",
            c.render(3),
            e.text
        );
        row.0 += 1;
    }
    Ok(())
}

fn check(source: &CorsPolicy) -> Result<(), TestCaseError> {
    round_trip(source, &mut Tally::new())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 100, ..ProptestConfig::default() })]

    #[test]
    fn ingress_policies_round_trip(text in ingress_text()) {
        for p in lower(Dialect::IngressNginx, "ingress.yaml", &text) {
            check(&p)?;
        }
    }

    #[test]
    fn nginx_policies_round_trip(text in nginx_text()) {
        for p in lower(Dialect::Nginx, "nginx.conf", &text) {
            check(&p)?;
        }
    }
}

const PATTERNS: &[&str] = &[
    r"https://app\.example\.com",
    r"https://[a-z0-9-]+\.example\.org",
    r"https?://(www|api)\.example\.net(:[0-9]+)?",
    r"https://app\.example\.com|https://admin\.example\.com",
    r"(?i)https://APP\.example\.com",
    r"https://.*\.example\.org",
    r"http://localhost:[0-9]{4}",
];

/// Istio (RE2, whole origin) and Traefik (Go, unanchored) origin regexes next to exact
/// entries, with and without credentials.
fn regex_texts() -> impl Strategy<Value = (Dialect, &'static str, String)> {
    (
        proptest::sample::subsequence(PATTERNS.to_vec(), 1..=2),
        proptest::sample::subsequence(vec!["https://app.example.com", "null"], 0..=1),
        any::<bool>(),
        any::<bool>(),
        prop::option::of(prop::sample::select(vec!["GET", "PUT", "DELETE"])),
    )
        .prop_map(|(patterns, exact, credentials, istio, method)| {
            let method = method.unwrap_or("PATCH");
            if istio {
                let mut s = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: x\nspec:\n  hosts: [api.example.com]\n  http:\n    - corsPolicy:\n        allowOrigins:\n".to_string();
                for p in &patterns {
                    s.push_str(&format!("          - regex: '{p}'\n"));
                }
                for e in &exact {
                    s.push_str(&format!("          - exact: '{e}'\n"));
                }
                s.push_str(&format!(
                    "        allowMethods: [{method}]\n        allowCredentials: {credentials}\n        unmatchedPreflights: IGNORE\n      route:\n        - destination:\n            host: api\n"
                ));
                (Dialect::Istio, "vs.yaml", s)
            } else {
                let mut s = "apiVersion: traefik.io/v1alpha1\nkind: Middleware\nmetadata:\n  name: x\nspec:\n  headers:\n    accessControlAllowOriginListRegex:\n".to_string();
                for p in &patterns {
                    s.push_str(&format!("      - '{p}'\n"));
                }
                if !exact.is_empty() {
                    s.push_str("    accessControlAllowOriginList:\n");
                    for e in &exact {
                        s.push_str(&format!("      - '{e}'\n"));
                    }
                }
                s.push_str(&format!(
                    "    accessControlAllowMethods: [{method}]\n    accessControlAllowCredentials: {credentials}\n    addVaryHeader: true\n"
                ));
                (Dialect::Traefik, "middleware.yaml", s)
            }
        })
}

/// Regex origins through every back end, with the tally per target (for the docs and the
/// closing note): each output reads back equivalent, or the back end refuses.
#[test]
fn regex_origin_policies_round_trip() {
    use proptest::test_runner::{Config, TestRunner};
    use std::cell::RefCell;
    let tally: RefCell<Tally> = RefCell::new(Tally::new());
    // Each case compares 10 outputs over a few thousand calls: 40 cases keep the debug build
    // of CI under a minute.
    let mut runner = TestRunner::new(Config {
        cases: 40,
        failure_persistence: None,
        ..Config::default()
    });
    let mut policies = 0usize;
    runner
        .run(&regex_texts(), |(dialect, name, text)| {
            let ps = lower(dialect, name, &text);
            prop_assert!(!ps.is_empty(), "no policy in\n{text}");
            for p in &ps {
                round_trip(p, &mut tally.borrow_mut())?;
            }
            Ok(())
        })
        .unwrap();
    let t = tally.into_inner();
    for (target, (eq, refused)) in &t {
        policies = policies.max(eq + refused);
        eprintln!("  {target}: {eq} equivalent, {refused} refused");
    }
    eprintln!(
        "regex-origin round trips: {policies} generated policies × {} targets",
        t.len()
    );
    // Where the lossiness matrix says regexes are expressible, they must come through.
    for target in ["nginx", "istio", "traefik", "kong", "traefik (file)"] {
        assert!(t[target].0 >= 30, "{target}: {:?}", t[target]);
    }
}

/// What each back end refuses, and why — the lossiness the facts file's matrix predicts.
#[test]
fn back_ends_refuse_what_they_cannot_express() {
    let cx = Context {
        service: Some("api:80".into()),
        gateway: Some("gw".into()),
        host: Some("api.example.com".into()),
        route: Some("api".into()),
        ..Context::default()
    };
    let reason = |text: &str, dialect: Dialect, target: Dialect| -> Option<String> {
        let name = if dialect == Dialect::Nginx {
            "nginx.conf"
        } else {
            "ingress.yaml"
        };
        let p = lower(dialect, name, text).remove(0);
        backend::emit(&p, target, &cx).err().map(|r| r.feature)
    };
    let reflect = "server { location / { add_header Access-Control-Allow-Origin $http_origin always; \
                   add_header Access-Control-Allow-Credentials true always; } }";
    assert!(
        reason(reflect, Dialect::Nginx, Dialect::IngressNginx)
            .unwrap()
            .contains("literal `*`")
    );
    assert!(
        reason(reflect, Dialect::Nginx, Dialect::TorchServe)
            .unwrap()
            .contains("credentials")
    );
    assert_eq!(reason(reflect, Dialect::Nginx, Dialect::Nginx), None);
    let regex = "server { location / { if ($http_origin ~ ^https://a\\.example$) { \
                 add_header Access-Control-Allow-Origin $http_origin always; } } }";
    assert!(
        reason(regex, Dialect::Nginx, Dialect::IngressNginx)
            .unwrap()
            .contains(
                "the origin regex `https://a\\.example`: ingress-nginx matches only exact origins"
            )
    );
    // The same regex goes to a target that has regexes.
    assert_eq!(reason(regex, Dialect::Nginx, Dialect::Istio), None);
    let two = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: x\n  annotations:\n    \
               nginx.ingress.kubernetes.io/enable-cors: \"true\"\n    \
               nginx.ingress.kubernetes.io/cors-allow-origin: \"https://a.example, https://b.example\"\n    \
               nginx.ingress.kubernetes.io/cors-allow-credentials: \"false\"\n";
    assert!(
        reason(two, Dialect::IngressNginx, Dialect::TorchServe)
            .unwrap()
            .contains("several")
    );
    assert_eq!(reason(two, Dialect::IngressNginx, Dialect::Nginx), None);
    assert_eq!(
        reason(two, Dialect::IngressNginx, Dialect::IngressNginx),
        None
    );
}
