//! cors-lint's `convert --to gateway-api` against ingress2gateway's published mapping
//! (kubernetes-sigs/ingress2gateway `pkg/i2gw/providers/ingressnginx/cors.go` @ 89ab0cdd,
//! facts gateways.md §3: values copied verbatim, absent origin → `["*"]`, credentials
//! default `true`, methods/headers/max-age defaults copied). For each annotation set, both
//! outputs are read back with cors-lint's Gateway API front end and compared with the
//! ingress-nginx behaviour by the `diff` engine. cors-lint must never widen: its output is
//! equivalent, or it refuses with a reason. The table it prints is docs/simulate-diff-convert.md's.

use cors_lint::backend::{self, Context};
use cors_lint::equiv;
use cors_lint::frontend::{self, Dialect, Options};
use cors_lint::ir::CorsPolicy;
use cors_lint::source::SourceFile;

const P: &str = "nginx.ingress.kubernetes.io/";

fn lower(dialect: Dialect, name: &str, text: &str) -> Vec<CorsPolicy> {
    let file = SourceFile::new(name, text.as_bytes().to_vec(), dialect.encoding());
    frontend::lower(dialect, &file, &Options::default())
        .map(|l| l.policies)
        .unwrap_or_default()
}

fn ingress(annotations: &[(&str, &str)]) -> String {
    let mut s =
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: x\n  annotations:\n"
            .to_string();
    for (k, v) in annotations {
        s.push_str(&format!("    {P}{k}: \"{v}\"\n"));
    }
    s
}

/// ingress2gateway's `applyCorsToEmitterIR` + emitter, as the facts quote them.
fn ingress2gateway(annotations: &[(&str, &str)]) -> Option<String> {
    let get = |k: &str| annotations.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
    let split = |v: &str| -> Vec<String> {
        v.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    if !matches!(
        get("enable-cors"),
        Some("true" | "1" | "t" | "T" | "TRUE" | "True")
    ) {
        return None;
    }
    let origins = get("cors-allow-origin")
        .map(split)
        .filter(|o| !o.is_empty())
        .unwrap_or(vec!["*".into()]);
    let methods = split(get("cors-allow-methods").unwrap_or("GET,PUT,POST,DELETE,PATCH,OPTIONS"));
    let headers = split(get("cors-allow-headers").unwrap_or(
        "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization",
    ));
    let expose = get("cors-expose-headers").map(split).unwrap_or_default();
    let credentials = !matches!(
        get("cors-allow-credentials"),
        Some("false" | "0" | "f" | "F" | "FALSE" | "False")
    );
    let max_age = get("cors-max-age")
        .and_then(|v| v.parse::<i32>().ok())
        .unwrap_or(1_728_000);
    let list = |v: &[String]| {
        format!(
            "[{}]",
            v.iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mut cors = format!(
        "            allowOrigins: {}\n            allowMethods: {}\n            allowHeaders: {}\n",
        list(&origins),
        list(&methods),
        list(&headers)
    );
    if !expose.is_empty() {
        cors.push_str(&format!("            exposeHeaders: {}\n", list(&expose)));
    }
    cors.push_str(&format!(
        "            allowCredentials: {credentials}\n            maxAge: {max_age}\n"
    ));
    Some(format!(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: x\nspec:\n  parentRefs:\n    - name: gw\n  rules:\n    - filters:\n        - type: CORS\n          cors:\n{cors}      backendRefs:\n        - name: api\n          port: 80\n"
    ))
}

/// "equivalent", "widens: <call>", "narrows: <call>", "rejected by the API server", "no route".
fn judge(source: &CorsPolicy, route: Option<&str>) -> String {
    let Some(text) = route else {
        return "no CORS filter".into();
    };
    let back = lower(Dialect::GatewayApi, "route.yaml", text);
    let Some(result) = back.first() else {
        return "rejected by the API server".into();
    };
    let c = equiv::compare(source, result);
    if let Some(d) = c
        .differences
        .iter()
        .find(|d| d.change == equiv::Change::Widened)
    {
        format!("widens: {} is {} after", d.call, d.after.describe())
    } else if let Some(d) = c.differences.first() {
        format!("narrows: {} is {} after", d.call, d.after.describe())
    } else {
        "equivalent".into()
    }
}

#[test]
fn cors_lint_never_widens_where_ingress2gateway_does() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        ("bare enable-cors (defaults)", &[("enable-cors", "true")]),
        (
            "exact origin, credentials default",
            &[
                ("enable-cors", "true"),
                ("cors-allow-origin", "https://app.example.com"),
            ],
        ),
        (
            "origin list, credentials off",
            &[
                ("enable-cors", "true"),
                (
                    "cors-allow-origin",
                    "https://a.example.com, https://b.example.com",
                ),
                ("cors-allow-credentials", "false"),
                ("cors-allow-methods", "GET, PUT"),
                ("cors-max-age", "600"),
            ],
        ),
        (
            "one-label wildcard",
            &[
                ("enable-cors", "true"),
                ("cors-allow-origin", "https://*.example.com"),
            ],
        ),
        (
            "`*` without credentials",
            &[
                ("enable-cors", "true"),
                ("cors-allow-origin", "*"),
                ("cors-allow-credentials", "false"),
            ],
        ),
        (
            "trailing slash (ingress-nginx fails open to `*`)",
            &[
                ("enable-cors", "true"),
                ("cors-allow-origin", "https://app.example.com/"),
            ],
        ),
        (
            "scheme-less entry (ingress-nginx drops it)",
            &[
                ("enable-cors", "true"),
                (
                    "cors-allow-origin",
                    "app.example.com, https://b.example.com",
                ),
            ],
        ),
        (
            "`null` entry",
            &[
                ("enable-cors", "true"),
                ("cors-allow-origin", "null, https://b.example.com"),
            ],
        ),
    ];
    let cx = Context {
        gateway: Some("gw".into()),
        service: Some("api:80".into()),
        ..Context::default()
    };
    let mut table = vec![
        "| annotations | ingress2gateway | cors-lint `convert --to gateway-api` |".to_string(),
        "|---|---|---|".to_string(),
    ];
    let mut i2g_widens = 0;
    for (name, annotations) in cases {
        let source = lower(Dialect::IngressNginx, "ingress.yaml", &ingress(annotations))
            .into_iter()
            .next()
            .expect("an ingress-nginx policy");
        let theirs = judge(&source, ingress2gateway(annotations).as_deref());
        if theirs.starts_with("widens") {
            i2g_widens += 1;
        }
        let ours = match backend::emit(&source, Dialect::GatewayApi, &cx) {
            Ok(e) => {
                let verdict = judge(&source, Some(&e.text));
                assert_eq!(
                    verdict, "equivalent",
                    "{name}: cors-lint's output\n{}",
                    e.text
                );
                verdict
            }
            Err(r) => format!("refused: {}", r.feature),
        };
        table.push(format!("| {name} | {theirs} | {ours} |"));
    }
    eprintln!("{}", table.join("\n"));
    // The facts' two security gaps must show: `*` + default credentials and `*.` depth.
    assert!(i2g_widens >= 2, "{}", table.join("\n"));
}
