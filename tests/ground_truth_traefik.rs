//! Ground truth for the Traefik front end: a real Traefik 3.7.15 (file provider, loopback
//! only) runs generated `headers` middlewares — half written in YAML, half in TOML, in one
//! directory as Traefik's file provider reads them — each behind its own router to a
//! loopback backend. For every middleware and every request shape (simple requests,
//! preflights and bare `OPTIONS` from matching, non-matching, case-varied, `null`, empty and
//! absent origins), the status and every `access-control-*`/`vary` line Traefik sends must
//! equal, byte for byte, what `sim::respond` computes from the policy cors-lint lowers from
//! the same files — and from the same middlewares written as Kubernetes `Middleware` objects
//! (both API groups), which no Kubernetes runs here but must answer alike.

mod support;

use cors_lint::frontend::{self, Dialect, Options};
use cors_lint::ir::CorsPolicy;
use cors_lint::sim::{self, ServerRequest};
use cors_lint::source::SourceFile;
use std::time::{Duration, Instant};
use support::compare::Tally;
use support::traefik::{self, Traefik};

/// One middleware's CORS fields.
#[derive(Default, Clone)]
struct Mw {
    origins: Vec<&'static str>,
    regexes: Vec<&'static str>,
    methods: Vec<&'static str>,
    headers: Vec<&'static str>,
    expose: Vec<&'static str>,
    credentials: Option<bool>,
    max_age: Option<i64>,
    vary: Option<bool>,
}

fn middlewares() -> Vec<Mw> {
    vec![
        Mw {
            origins: vec!["https://app.example.com"],
            methods: vec!["GET", "PUT"],
            headers: vec!["X-Foo"],
            credentials: Some(true),
            max_age: Some(600),
            vary: Some(true),
            ..Mw::default()
        },
        Mw {
            regexes: vec![r"https://.*\.example\.com"],
            methods: vec!["GET"],
            ..Mw::default()
        },
        Mw {
            origins: vec!["*"],
            methods: vec!["*"],
            headers: vec!["*"],
            expose: vec!["*", "X-A"],
            credentials: Some(true),
            ..Mw::default()
        },
        Mw {
            origins: vec!["*"],
            methods: vec!["GET"],
            expose: vec!["X-A", "X-B"],
            vary: Some(true),
            ..Mw::default()
        },
        Mw {
            origins: vec!["https://x.example", "*", "https://y.example"],
            methods: vec!["GET", "*"],
            expose: vec!["*", "X-A"],
            vary: Some(true),
            ..Mw::default()
        },
        Mw {
            origins: vec!["https://app.example.com", "null"],
            regexes: vec![r"^https://[a-z]+\.example\.org$"],
            headers: vec!["X-A", "*"],
            credentials: Some(true),
            max_age: Some(0),
            ..Mw::default()
        },
        Mw {
            credentials: Some(true),
            ..Mw::default()
        },
        Mw {
            regexes: vec![".*"],
            methods: vec!["GET", "POST"],
            max_age: Some(-5),
            ..Mw::default()
        },
        Mw {
            origins: vec!["http://localhost:3000", "https://APP.example.com"],
            expose: vec!["X-Total"],
            credentials: Some(true),
            vary: Some(true),
            max_age: Some(7200),
            ..Mw::default()
        },
        Mw {
            regexes: vec!["example", r"^http://127\.0\.0\.1:\d+$"],
            headers: vec!["Content-Type", "Authorization"],
            credentials: Some(false),
            vary: Some(false),
            ..Mw::default()
        },
        Mw {
            origins: vec!["https://app.example.com"],
            regexes: vec![r"(?i)^https://admin\.example\.com$"],
            methods: vec!["DELETE"],
            expose: vec!["*"],
            credentials: Some(true),
            ..Mw::default()
        },
        // One field alone still makes Traefik answer preflights itself.
        Mw {
            regexes: vec![r"^https://a\.example\.com$"],
            ..Mw::default()
        },
        Mw {
            max_age: Some(30),
            ..Mw::default()
        },
        Mw {
            vary: Some(true),
            ..Mw::default()
        },
    ]
}

fn yaml_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|s| format!("'{}'", s.replace('\'', "''")))
        .collect();
    format!("[{}]", quoted.join(", "))
}

fn toml_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("'{s}'")).collect();
    format!("[{}]", quoted.join(", "))
}

/// The fields as `key: value` pairs in the syntax's own spelling.
fn fields(m: &Mw, list: fn(&[&str]) -> String) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for (k, v) in [
        ("accessControlAllowOriginList", &m.origins),
        ("accessControlAllowOriginListRegex", &m.regexes),
        ("accessControlAllowMethods", &m.methods),
        ("accessControlAllowHeaders", &m.headers),
        ("accessControlExposeHeaders", &m.expose),
    ] {
        if !v.is_empty() {
            out.push((k, list(v)));
        }
    }
    if let Some(c) = m.credentials {
        out.push(("accessControlAllowCredentials", c.to_string()));
    }
    if let Some(a) = m.max_age {
        out.push(("accessControlMaxAge", a.to_string()));
    }
    if let Some(v) = m.vary {
        out.push(("addVaryHeader", v.to_string()));
    }
    out
}

/// Even middlewares in `cors.yml` (with every router), odd ones in `cors.toml`.
fn config_files(mws: &[Mw]) -> (String, String) {
    let mut yaml = String::from("http:\n  routers:\n");
    for i in 0..mws.len() {
        yaml.push_str(&format!(
            "    r{i}:\n      entryPoints: [web]\n      rule: \"PathPrefix(`/m{i}/`)\"\n      service: be\n      middlewares: [m{i}]\n"
        ));
    }
    yaml.push_str("  middlewares:\n");
    let mut toml = String::new();
    for (i, m) in mws.iter().enumerate() {
        if i % 2 == 0 {
            yaml.push_str(&format!("    m{i}:\n      headers:\n"));
            for (k, v) in fields(m, yaml_list) {
                yaml.push_str(&format!("        {k}: {v}\n"));
            }
        } else {
            toml.push_str(&format!("[http.middlewares.m{i}.headers]\n"));
            for (k, v) in fields(m, toml_list) {
                toml.push_str(&format!("  {k} = {v}\n"));
            }
            toml.push('\n');
        }
    }
    (yaml, toml)
}

/// The same middlewares as Kubernetes `Middleware` objects (no Kubernetes runs here: their
/// policies must answer exactly as the file provider's did on the real Traefik).
fn crd_file(mws: &[Mw]) -> String {
    let mut out = String::new();
    for (i, m) in mws.iter().enumerate() {
        let api = if i % 2 == 0 {
            "traefik.io/v1alpha1"
        } else {
            "traefik.containo.us/v1alpha1"
        };
        out.push_str(&format!(
            "---\napiVersion: {api}\nkind: Middleware\nmetadata:\n  name: m{i}\nspec:\n  headers:\n"
        ));
        for (k, v) in fields(m, yaml_list) {
            out.push_str(&format!("    {k}: {v}\n"));
        }
    }
    out
}

/// The policies cors-lint lowers from both files, by middleware name.
fn policies(yaml: &str, toml: &str) -> Vec<(String, CorsPolicy)> {
    let mut out = Vec::new();
    for (name, text) in [("cors.yml", yaml), ("cors.toml", toml)] {
        let file = SourceFile::new(name, text.as_bytes().to_vec(), Dialect::Traefik.encoding());
        let l = frontend::lower(Dialect::Traefik, &file, &Options::default())
            .unwrap_or_else(|e| panic!("{name}: {}", e.message));
        for p in l.policies {
            let n = p
                .scope
                .description
                .trim_start_matches("Traefik middleware `")
                .trim_end_matches('`')
                .to_string();
            out.push((n, p));
        }
    }
    out
}

const ORIGINS: [Option<&str>; 13] = [
    None,
    Some(""),
    Some("https://app.example.com"),
    Some("https://APP.example.com"),
    Some("https://evil.example"),
    Some("null"),
    Some("https://a.example.com"),
    Some("https://a.example.com.attacker.net"),
    Some("http://localhost:3000"),
    Some("https://x.example"),
    Some("https://y.example"),
    Some("https://q.example.org"),
    Some("https://ADMIN.example.com"),
];

/// Request shapes: method, extra headers.
fn shapes() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    vec![
        ("GET", vec![]),
        (
            "OPTIONS",
            vec![
                ("Access-Control-Request-Method", "PUT"),
                ("Access-Control-Request-Headers", "x-foo, Authorization"),
            ],
        ),
        ("OPTIONS", vec![("Access-Control-Request-Method", "delete")]),
        ("OPTIONS", vec![]),
        ("POST", vec![("Content-Type", "text/plain")]),
    ]
}

#[test]
fn traefik_answers_as_the_model_says() {
    let started = Instant::now();
    traefik::install();
    let backend = traefik::backend();
    let mws = middlewares();
    let (yaml, toml) = config_files(&mws);
    let served_yaml = format!(
        "{yaml}  services:\n    be:\n      loadBalancer:\n        servers:\n          - url: \"http://127.0.0.1:{backend}\"\n"
    );
    let last = mws.len() - 1;
    let real = Traefik::start(
        "traefik-cors",
        &[
            ("cors.yml", served_yaml.clone()),
            ("cors.toml", toml.clone()),
        ],
        &format!("/m{last}/ready"),
    );
    let models = policies(&served_yaml, &toml);
    assert_eq!(models.len(), mws.len(), "one policy per middleware");
    let crd = crd_file(&mws);
    let crd_models: Vec<(String, CorsPolicy)> = frontend::lower(
        Dialect::Traefik,
        &SourceFile::new(
            "middlewares.yaml",
            crd.into_bytes(),
            Dialect::Traefik.encoding(),
        ),
        &Options::default(),
    )
    .expect("CRDs")
    .policies
    .into_iter()
    .map(|p| {
        let n = p
            .scope
            .description
            .trim_start_matches("Traefik middleware `")
            .trim_end_matches('`')
            .to_string();
        (n, p)
    })
    .collect();
    assert_eq!(
        crd_models.len(),
        mws.len(),
        "one policy per Middleware object"
    );
    let mut tally = Tally::default();
    // Responses that carry `Access-Control-Allow-Origin`: the comparison is not vacuous.
    let mut with_allow_origin = 0;
    for (i, _) in mws.iter().enumerate() {
        let name = format!("m{i}");
        let policy = &models
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("no policy for {name}"))
            .1;
        let listener = &policy.scope.listeners[0];
        let crd_policy = &crd_models
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("no CRD policy for {name}"))
            .1;
        for origin in ORIGINS {
            for (method, extra) in shapes() {
                let path = format!("/m{i}/api?gt={}", tally.cases);
                let mut headers: Vec<(String, String)> = Vec::new();
                if let Some(o) = origin {
                    headers.push(("Origin".into(), o.into()));
                }
                headers.extend(extra.iter().map(|(n, v)| (n.to_string(), v.to_string())));
                let got = support::http::request(
                    real.port,
                    method,
                    &path,
                    &headers,
                    Duration::from_secs(5),
                );
                let req = ServerRequest {
                    method: method.into(),
                    path: path.clone(),
                    headers: headers
                        .iter()
                        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
                        .collect(),
                };
                let model = sim::respond(policy, listener, &req, &[]);
                if got
                    .headers
                    .iter()
                    .any(|(n, _)| n == "access-control-allow-origin")
                {
                    with_allow_origin += 1;
                }
                tally.cases += 1;
                tally.server(
                    &format!("{name} Origin={origin:?} {method} {extra:?}"),
                    &req,
                    &model,
                    got.status,
                    &got.headers,
                );
                let crd_model = sim::respond(crd_policy, &crd_policy.scope.listeners[0], &req, &[]);
                tally.server(
                    &format!(
                        "{name} (as a Middleware object) Origin={origin:?} {method} {extra:?}"
                    ),
                    &req,
                    &crd_model,
                    got.status,
                    &got.headers,
                );
            }
        }
    }
    let summary = tally.summary(
        &format!(
            "Traefik {} (file provider, YAML + TOML; each answer also checked against the Middleware-object model)",
            traefik::VERSION
        ),
        started,
        "traefik-summary.txt",
    );
    let pid = real.pid();
    drop(real);
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "traefik still running"
    );
    assert!(
        tally.disagreements.is_empty(),
        "{summary}\n{}",
        tally.disagreements.join("\n")
    );
    assert!(tally.cases >= 100);
    assert!(
        with_allow_origin >= 100,
        "only {with_allow_origin} responses allowed an origin"
    );
}
