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

fn check(source: &CorsPolicy) -> Result<(), TestCaseError> {
    let cx = Context {
        service: Some("api:80".into()),
        gateway: Some("gw".into()),
        host: Some("api.example.com".into()),
        route: Some("api".into()),
        ..Context::default()
    };
    for target in TARGETS {
        let Ok(e) = backend::emit(source, target, &cx) else {
            continue;
        };
        let back = lower(target, e.file_name, &e.text);
        prop_assert!(
            !back.is_empty(),
            "{} output reads back: {}",
            target.name(),
            e.text
        );
        let c = equiv::compare(source, &back[0]);
        prop_assert!(
            c.equivalent(),
            "{} output differs from the source:\n{}\n{}",
            target.name(),
            c.render(3),
            e.text
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

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
            .contains("pattern")
    );
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
