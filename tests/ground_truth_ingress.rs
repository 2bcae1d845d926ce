//! Ground truth for the ingress-nginx front end: for generated sets of CORS annotations, the
//! policy cors-lint reads from the manifest answers requests (through `simulate`'s server
//! side) exactly as a real nginx 1.22 + headers-more answers them when it runs the location
//! block controller v1.15.1 renders for those annotations (`support::ingress`, the test's
//! own reading of the controller), and as cors-lint's nginx model answers that rendered
//! block. Three answers per request, compared byte for byte (status and every
//! `access-control-*`/`vary` line).
//!
//! The backend behind each location is a stand-in that answers 200, which is also what the
//! front end assumes of an unknown backend. With authentication (`auth-url`, `auth-signin`,
//! `auth-type: basic`) the location also runs `auth_request` against a stand-in auth service
//! or `auth_basic`, and the backend is proxied so that authentication runs before it.

mod support;

use cors_lint::frontend::{self, Dialect, Options, nginx::eval, nginx::headers::Version};
use cors_lint::sim::{self, ServerRequest, ServerResponse};
use cors_lint::source::SourceFile;
use std::time::{Duration, Instant};
use support::compare::Tally;
use support::ingress;
use support::nginx::Nginx;
use support::rng::Rng;

const P: &str = "nginx.ingress.kubernetes.io/";

/// A `fetch()`: method, request headers, credentials, from the sandboxed (`null`) page.
type Shape = (
    &'static str,
    &'static [(&'static str, &'static str)],
    bool,
    bool,
);

/// Annotation sets: the catalogue's shapes by hand, then random combinations.
fn annotation_sets() -> Vec<Vec<(String, String)>> {
    let a = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (format!("{P}{k}"), v.to_string()))
            .collect()
    };
    let mut sets = vec![
        a(&[("enable-cors", "true")]),
        a(&[
            ("enable-cors", "true"),
            ("cors-allow-origin", "https://app.example.com"),
        ]),
        a(&[
            ("enable-cors", "true"),
            (
                "cors-allow-origin",
                "https://app.example.com, https://*.example.org",
            ),
            ("cors-allow-credentials", "false"),
        ]),
        a(&[
            ("enable-cors", "true"),
            ("cors-allow-origin", "https://app.example.com/"),
        ]),
        a(&[
            ("enable-cors", "true"),
            ("cors-allow-origin", "app.example.com"),
        ]),
        a(&[
            ("enable-cors", "true"),
            ("cors-allow-origin", "https://app.example.com, *"),
        ]),
        a(&[
            ("enable-cors", "true"),
            ("cors-allow-origin", "null, https://app.example.com"),
        ]),
        a(&[
            ("enable-cors", "true"),
            ("cors-allow-origin", "HTTPS://APP.EXAMPLE.COM"),
        ]),
        a(&[
            ("enable-cors", "true"),
            ("cors-allow-origin", "https://app.example.com:8443"),
            ("cors-allow-methods", "GET, PUT"),
            ("cors-allow-headers", "X-Token, Content-Type"),
            ("cors-expose-headers", "X-Request-Id"),
            ("cors-max-age", "600"),
        ]),
        a(&[
            ("enable-cors", "true"),
            ("cors-allow-origin", "https://app.example.com"),
            ("cors-allow-methods", "GET; PUT"),
            ("cors-allow-headers", "X-Token/1"),
            ("cors-max-age", "ten"),
            ("cors-allow-credentials", "yes"),
        ]),
        a(&[
            ("enable-cors", "false"),
            ("cors-allow-origin", "https://app.example.com"),
        ]),
        a(&[
            ("enable-cors", "True"),
            ("cors-allow-origin", "https://a.example.com,"),
        ]),
    ];
    let origins = [
        "https://app.example.com",
        "https://*.example.org",
        "http://localhost:3000",
        "https://app.example.com/",
        "example.net",
        "*",
        "null",
        "https://app.example.com:8443",
    ];
    let mut rng = Rng(0x1a9e_55c0_4e5e_ed01);
    for _ in 0..28 {
        let mut set = vec![(
            format!("{P}enable-cors"),
            rng.pick(&["true", "true", "true", "TRUE", "1", "on"])
                .to_string(),
        )];
        if rng.below(5) > 0 {
            let n = 1 + rng.below(3);
            let list: Vec<&str> = (0..n).map(|_| rng.pick(&origins)).collect();
            set.push((format!("{P}cors-allow-origin"), list.join(", ")));
        }
        if rng.below(2) == 0 {
            set.push((
                format!("{P}cors-allow-credentials"),
                rng.pick(&["true", "false", "no"]).to_string(),
            ));
        }
        if rng.below(2) == 0 {
            set.push((
                format!("{P}cors-allow-methods"),
                rng.pick(&["PUT, DELETE", "GET", "get, post", "PUT,DELETE,"])
                    .to_string(),
            ));
        }
        if rng.below(3) == 0 {
            set.push((
                format!("{P}cors-expose-headers"),
                rng.pick(&["X-Total", "*", "X-A, X-B"]).to_string(),
            ));
        }
        if rng.below(3) == 0 {
            set.push((
                format!("{P}cors-max-age"),
                rng.pick(&["0", "7200", "-1", "86400"]).to_string(),
            ));
        }
        sets.push(set);
    }
    sets
}

fn manifest(host: &str, set: &[(String, String)]) -> String {
    let mut out =
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: gt\n  annotations:\n"
            .to_string();
    for (k, v) in set {
        out.push_str(&format!("    {k}: \"{v}\"\n"));
    }
    out.push_str(&format!(
        "spec:\n  rules:\n    - host: {host}\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: app\n                port:\n                  number: 80\n"
    ));
    out
}

const ORIGINS: [Option<&str>; 9] = [
    Some("https://app.example.com"),
    Some("https://x.example.org"),
    Some("https://a.b.example.org"),
    Some("https://evil.example"),
    Some("HTTPS://APP.EXAMPLE.COM"),
    Some("https://app.example.com:8443"),
    Some("http://localhost:3000"),
    Some("null"),
    None,
];

#[test]
fn ingress_policies_answer_like_the_rendered_controller_config() {
    let started = Instant::now();
    let sets = annotation_sets();
    let mut servers = String::new();
    for (i, set) in sets.iter().enumerate() {
        let pairs: Vec<(&str, &str)> = set.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let cors = ingress::location_cors(&ingress::parse(&pairs));
        servers.push_str(&format!(
            "server {{\nlisten 127.0.0.1:__PORT__;\nserver_name ing{i}.test;\nlocation / {{\n{cors}return 200 ok;\n}}\n}}\n"
        ));
    }
    let nginx = Nginx::start("ingress", &servers);
    let rendered = std::fs::read(&nginx.config).unwrap();
    let rendered =
        cors_lint::frontend::nginx::syntax::parse(&rendered).expect("rendered config parses");

    let mut tally = Tally::default();
    let mut eval_agree = 0;
    let mut eval_checked = 0;
    for (i, set) in sets.iter().enumerate() {
        let host = format!("ing{i}.test");
        let yaml = manifest(&host, set);
        let file = SourceFile::new(
            "gt.yaml",
            yaml.into_bytes(),
            Dialect::IngressNginx.encoding(),
        );
        let lowered = frontend::lower(Dialect::IngressNginx, &file, &Options::default())
            .unwrap_or_else(|e| panic!("set {i} {set:?}: {}", e.message));
        let policy = lowered.policies.first();
        for origin in ORIGINS {
            for (method, extra) in [
                ("GET", vec![]),
                ("POST", vec![]),
                (
                    "OPTIONS",
                    vec![
                        (
                            "access-control-request-method".to_string(),
                            "PUT".to_string(),
                        ),
                        (
                            "access-control-request-headers".to_string(),
                            "x-token".to_string(),
                        ),
                    ],
                ),
            ] {
                for path in ["/", "/api/v1/items"] {
                    tally.cases += 1;
                    let mut headers: Vec<(String, String)> =
                        vec![("host".to_string(), host.clone())];
                    if let Some(o) = origin {
                        headers.push(("origin".into(), o.into()));
                    }
                    headers.extend(extra.iter().cloned());
                    let req = ServerRequest {
                        method: method.into(),
                        path: path.into(),
                        headers: headers.clone(),
                    };
                    let model = match policy {
                        Some(p) => {
                            let mut r = sim::respond(p, &p.scope.listeners[0], &req, &[]);
                            r.reason.clear();
                            r
                        }
                        // No policy: the controller adds nothing; the backend answers.
                        None => ServerResponse {
                            status: Some(200),
                            reason: String::new(),
                            headers: Vec::new(),
                        },
                    };
                    let wire: Vec<(String, String)> = headers
                        .iter()
                        .filter(|(n, _)| n != "host")
                        .cloned()
                        .collect();
                    let real = support::http::request_to_host(
                        nginx.port,
                        &host,
                        method,
                        path,
                        &wire,
                        Duration::from_secs(5),
                    );
                    let label = format!("[set {i} {set:?}] origin {origin:?}");
                    tally.server(&label, &req, &model, real.status, &real.headers);
                    // cors-lint's nginx model on the rendered block must agree too.
                    eval_checked += 1;
                    match eval::respond(&rendered.statements, &req, Version(1, 22, 1)) {
                        Ok(e)
                            if e.status == real.status
                                && support::compare::cors_headers(&e.headers)
                                    == support::compare::cors_headers(&real.headers) =>
                        {
                            eval_agree += 1
                        }
                        other => tally.disagreements.push(format!(
                            "{label}: nginx model on the rendered block: {other:?}"
                        )),
                    }
                }
            }
        }
    }
    let summary = tally.summary(
        &format!(
            "ingress-nginx ground truth ({} annotation sets, nginx 1.22 + headers-more running the controller's template; \
             nginx model on the rendered blocks {eval_agree}/{eval_checked} agree)",
            sets.len()
        ),
        started,
        "summary-ingress.txt",
    );
    assert!(
        tally.disagreements.is_empty(),
        "{} disagreements:\n{}\n{summary}",
        tally.disagreements.len(),
        tally.disagreements.join("\n")
    );
}

/// Authentication in front of the CORS block: for `auth-url` (with and without
/// `auth-signin`) and `auth-type: basic`, each with the default `*` and with an origin list,
/// the policy's answers (status and CORS headers) against a real nginx 1.22 + headers-more
/// running the location as the controller renders it (`support::ingress::auth`), the
/// backend a proxied server block. A preflight from an allowed origin is answered before
/// authentication; every other request meets it, without credentials and with the ones
/// the stand-in auth service and the htpasswd accept (`foo:bar`).
#[test]
fn ingress_authentication_answers_like_the_rendered_controller_config() {
    let started = Instant::now();
    let listed = ("cors-allow-origin", "https://app.example.com");
    let external = ("auth-url", "http://auth.internal/oauth2/auth");
    let signin = ("auth-signin", "https://auth.example.com/oauth2/start");
    let basic = [
        ("auth-type", "basic"),
        ("auth-secret", "htpasswd"),
        ("auth-realm", "test auth"),
    ];
    let sets: Vec<Vec<(&str, &str)>> = vec![
        vec![external],
        vec![external, listed],
        vec![external, listed, ("cors-allow-credentials", "false")],
        vec![external, signin],
        vec![external, signin, listed],
        basic.to_vec(),
        [&basic[..], &[listed]].concat(),
        [&basic[..], &[external, signin, listed]].concat(),
    ];
    let sets: Vec<Vec<(String, String)>> = sets
        .into_iter()
        .map(|set| {
            [("enable-cors", "true")]
                .iter()
                .chain(&set)
                .map(|(k, v)| (format!("{P}{k}"), v.to_string()))
                .collect()
        })
        .collect();
    let mut servers = String::from(
        "server {\nlisten 127.0.0.1:__PORT__;\nserver_name backend.test;\nlocation / {\nreturn 200 ok;\n}\n}\n",
    );
    for (i, set) in sets.iter().enumerate() {
        let pairs: Vec<(&str, &str)> = set.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let config = ingress::parse(&pairs);
        let cors = ingress::location_cors(&config);
        let auth = ingress::auth(&pairs, &config, i);
        servers.push_str(&format!(
            "server {{\nlisten 127.0.0.1:__PORT__;\nserver_name auth{i}.test;\n{}location / {{\n{cors}{}\
             proxy_set_header Host backend.test;\nproxy_pass http://127.0.0.1:__PORT__;\n}}\n}}\n",
            auth.server_locations, auth.location
        ));
    }
    let nginx = Nginx::start("ingress-auth", &servers);
    // Read per request by auth_basic: the one user, `foo:bar`.
    std::fs::write(nginx.dir.join("htpasswd"), "foo:{PLAIN}bar\n").expect("write htpasswd");

    let mut tally = Tally::default();
    for (i, set) in sets.iter().enumerate() {
        let host = format!("auth{i}.test");
        let file = SourceFile::new(
            "gt.yaml",
            manifest(&host, set).into_bytes(),
            Dialect::IngressNginx.encoding(),
        );
        let lowered = frontend::lower(Dialect::IngressNginx, &file, &Options::default())
            .unwrap_or_else(|e| panic!("set {i} {set:?}: {}", e.message));
        let policy = lowered.policies.first().expect("CORS is on");
        let listener = &policy.scope.listeners[0];
        assert!(
            matches!(listener.auth, cors_lint::ir::Auth::Required { .. }),
            "set {i}: authentication is modelled: {:?}",
            listener.auth
        );
        for origin in [
            Some("https://app.example.com"),
            Some("https://evil.example"),
            None,
        ] {
            for (method, preflight) in [
                ("GET", false),
                ("POST", false),
                ("OPTIONS", true),
                ("OPTIONS", false),
            ] {
                for credentials in [None, Some("Basic Zm9vOmJhcg==")] {
                    tally.cases += 1;
                    let mut headers: Vec<(String, String)> = Vec::new();
                    if let Some(o) = origin {
                        headers.push(("origin".into(), o.into()));
                    }
                    if preflight {
                        headers.push(("access-control-request-method".into(), "PUT".into()));
                    }
                    if let Some(c) = credentials {
                        headers.push(("authorization".into(), c.into()));
                    }
                    let mut with_host = vec![("host".to_string(), host.clone())];
                    with_host.extend(headers.iter().cloned());
                    let req = ServerRequest {
                        method: method.into(),
                        path: "/api/items".into(),
                        headers: with_host,
                    };
                    let mut model = sim::respond(policy, listener, &req, &[]);
                    model.reason.clear();
                    let real = support::http::request_to_host(
                        nginx.port,
                        &host,
                        method,
                        "/api/items",
                        &headers,
                        Duration::from_secs(5),
                    );
                    let label = format!(
                        "[auth set {i} {set:?}] origin {origin:?} credentials {credentials:?}"
                    );
                    tally.server(&label, &req, &model, real.status, &real.headers);
                    // A 401's challenge too (what a browser's login dialog depends on).
                    let challenge = |h: &[(String, String)]| {
                        h.iter()
                            .find(|(n, _)| n.eq_ignore_ascii_case("www-authenticate"))
                            .map(|(_, v)| v.clone())
                    };
                    if real.status == Some(401)
                        && challenge(&model.headers) != challenge(&real.headers)
                    {
                        tally.disagreements.push(format!(
                            "{label}: WWW-Authenticate: model {:?}, real {:?}",
                            challenge(&model.headers),
                            challenge(&real.headers)
                        ));
                    }
                }
            }
        }
    }
    let summary = tally.summary(
        &format!(
            "ingress-nginx authentication ground truth ({} annotation sets, nginx 1.22 + headers-more running the \
             controller's template with auth_request / auth_basic)",
            sets.len()
        ),
        started,
        "summary-ingress-auth.txt",
    );
    assert!(
        tally.disagreements.is_empty(),
        "{} disagreements:\n{}\n{summary}",
        tally.disagreements.len(),
        tally.disagreements.join("\n")
    );
}

/// The browser side for a subset: deployments whose annotations name (or fail open around)
/// the calling page's origin, each `fetch()` run in headless Chromium against the real nginx,
/// the verdict and the requests sent over repeated fetches compared with `simulate` on the
/// ingress policy.
#[test]
fn ingress_policies_give_chromium_s_verdicts() {
    use support::chromium::{self, BrowserCase};
    use support::compare::{self, REPEAT};
    use support::page::PageServer;

    let started = Instant::now();
    let page = PageServer::start();
    let browser = chromium::version();
    let me = page.origin();
    let other = "https://other.example";
    let deployments: Vec<(&str, Vec<(&str, String)>)> = vec![
        ("default-star", vec![("enable-cors", "true".into())]),
        (
            "page-listed",
            vec![
                ("enable-cors", "true".into()),
                ("cors-allow-origin", me.clone()),
            ],
        ),
        (
            "page-listed-no-credentials",
            vec![
                ("enable-cors", "true".into()),
                ("cors-allow-origin", format!("{other}, {me}")),
                ("cors-allow-credentials", "false".into()),
                ("cors-allow-headers", "X-Token".into()),
            ],
        ),
        (
            "other-only",
            vec![
                ("enable-cors", "true".into()),
                ("cors-allow-origin", other.into()),
            ],
        ),
        (
            "trailing-slash-fails-open",
            vec![
                ("enable-cors", "true".into()),
                ("cors-allow-origin", format!("{other}/")),
            ],
        ),
        (
            "null-listed",
            vec![
                ("enable-cors", "true".into()),
                ("cors-allow-origin", "null".into()),
            ],
        ),
        // Authentication: the 401 and the preflight answered before it, as the page sees them.
        (
            "external-auth-page-listed",
            vec![
                ("enable-cors", "true".into()),
                ("cors-allow-origin", me.clone()),
                ("auth-url", "http://auth.internal/oauth2/auth".into()),
            ],
        ),
        (
            "external-auth-star",
            vec![
                ("enable-cors", "true".into()),
                ("auth-url", "http://auth.internal/oauth2/auth".into()),
            ],
        ),
        (
            "external-auth-other-only",
            vec![
                ("enable-cors", "true".into()),
                ("cors-allow-origin", other.into()),
                ("auth-url", "http://auth.internal/oauth2/auth".into()),
            ],
        ),
        (
            "basic-auth-page-listed",
            vec![
                ("enable-cors", "true".into()),
                ("cors-allow-origin", me.clone()),
                ("auth-type", "basic".into()),
                ("auth-secret", "htpasswd".into()),
                ("auth-realm", "test auth".into()),
            ],
        ),
    ];
    // (method, headers, credentials, from the sandboxed page)
    let shapes: [Shape; 7] = [
        ("GET", &[], false, false),
        ("GET", &[], true, false),
        ("PUT", &[("X-Token", "1")], true, false),
        ("PUT", &[("X-Token", "1")], false, false),
        // `foo:bar`, the one user of the basic-auth deployment's htpasswd.
        (
            "GET",
            &[("Authorization", "Basic Zm9vOmJhcg==")],
            true,
            false,
        ),
        (
            "POST",
            &[("Content-Type", "application/json")],
            false,
            false,
        ),
        ("GET", &[], false, true),
    ];
    let mut tally = Tally::default();
    let mut next_id = 0;
    for (name, set) in &deployments {
        let pairs: Vec<(String, String)> = set
            .iter()
            .map(|(k, v)| (format!("{P}{k}"), v.clone()))
            .collect();
        let refs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let config = ingress::parse(&refs);
        let cors = ingress::location_cors(&config);
        let auth = ingress::auth(&refs, &config, 0);
        // With authentication the backend must be proxied (a `return` would answer in the
        // rewrite phase, before it): a second, unlogged server block on the same port.
        let backend = if auth.location.is_empty() {
            "return 200 ok;\n".to_string()
        } else {
            "proxy_set_header Host backend.test;\nproxy_pass http://127.0.0.1:__PORT__;\n"
                .to_string()
        };
        let nginx = Nginx::start(
            name,
            &format!(
                "server {{\nlisten 127.0.0.1:__PORT__;\n{}location / {{\n{cors}{}{backend}}}\n}}\n\
                 server {{\nlisten 127.0.0.1:__PORT__;\nserver_name backend.test;\naccess_log off;\n\
                 location / {{\nreturn 200 ok;\n}}\n}}\n",
                auth.server_locations, auth.location
            ),
        );
        std::fs::write(nginx.dir.join("htpasswd"), "foo:{PLAIN}bar\n").expect("write htpasswd");
        let yaml = manifest("127.0.0.1", &pairs);
        let file = SourceFile::new(
            "gt.yaml",
            yaml.into_bytes(),
            Dialect::IngressNginx.encoding(),
        );
        let lowered = frontend::lower(Dialect::IngressNginx, &file, &Options::default())
            .unwrap_or_else(|e| panic!("{name}: {}", e.message));
        let policy = lowered.policies.first().expect("CORS is on");
        let model = |r: &ServerRequest| {
            let mut x = sim::respond(policy, &policy.scope.listeners[0], r, &[]);
            x.reason.clear();
            x
        };
        let mut expected = std::collections::BTreeMap::new();
        let mut cases = Vec::new();
        for (method, headers, credentials, null_origin) in shapes {
            next_id += 1;
            tally.cases += 1;
            let id = next_id;
            let path = format!("/?gt={id}");
            let fetch = sim::PageFetch {
                origin: if null_origin {
                    "null".into()
                } else {
                    me.clone()
                },
                method: method.into(),
                headers: headers
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect(),
                credentials,
                path: path.clone(),
            };
            let label = format!(
                "[{name}#{id}] {method} {headers:?}{}{}",
                if credentials { " credentials" } else { "" },
                if null_origin { " from null" } else { "" }
            );
            let request = sim::prepare(&fetch).expect("prepare");
            let exchange = sim::fetch(&request, model);
            let mut sent_requests: Vec<ServerRequest> =
                exchange.preflight.iter().map(|(q, _)| q.clone()).collect();
            sent_requests.push(sim::actual_request(&request));
            for req in sent_requests {
                let real = support::http::request(
                    nginx.port,
                    &req.method,
                    &format!("{}&raw", req.path),
                    &req.headers,
                    Duration::from_secs(3),
                );
                tally.server(&label, &req, &model(&req), real.status, &real.headers);
            }
            let sent = compare::sent_over_repeats(&request, model).expect("answered");
            // A 401 the model says the page reads once its user dismisses Chromium's login
            // dialog: headless Chromium shows none, so the fetch never finishes (5 s timeout).
            let dialog = exchange.actual.as_ref().is_some_and(|(_, r)| {
                r.status == Some(401) && credentials && sim::asks_for_credentials(r)
            });
            let verdict = if dialog && exchange.verdict.allowed {
                sim::Verdict {
                    allowed: false,
                    check: None,
                    detail: format!(
                        "no one dismisses the login dialog: {}",
                        exchange.verdict.detail
                    ),
                }
            } else {
                exchange.verdict
            };
            expected.insert(id, (label, verdict, sent));
            cases.push(BrowserCase {
                id,
                url: format!("http://127.0.0.1:{}{path}", nginx.port),
                method: method.into(),
                headers: fetch.headers.clone(),
                credentials: if credentials {
                    "include"
                } else {
                    "same-origin"
                },
                null_origin,
                repeat: REPEAT,
            });
        }
        let results = chromium::run(&page, &cases, &nginx.dir.join("chromium"));
        let mut seen = compare::requests_by_case(nginx.access_log());
        for (id, (label, verdict, sent)) in expected {
            tally.browser(&label, &verdict, &results[&id]);
            tally.requests(&label, &sent, seen.remove(&id).unwrap_or_default());
        }
    }
    let summary = tally.summary(
        &format!("ingress-nginx ground truth, browser subset, nginx 1.22 + {browser}"),
        started,
        "summary-ingress-browser.txt",
    );
    assert!(
        tally.disagreements.is_empty(),
        "{} disagreements:\n{}\n{summary}",
        tally.disagreements.len(),
        tally.disagreements.join("\n")
    );
}
