//! Ground truth with nginx: `cors-lint simulate`'s model of nginx (`frontend::nginx::eval`)
//! and of the browser (`sim`) against a real nginx 1.22 (+ headers-more) and a real headless
//! Chromium. Unlike TorchServe, nginx sends `Access-Control-Allow-Credentials`,
//! `Access-Control-Max-Age` and `*` lists, so the credentialed paths of the browser model are
//! checked here. Every case: the server's answers byte for byte, the browser's verdict and
//! failing check, and (two fetches per case) the requests the preflight cache lets through.

mod support;

use cors_lint::frontend::nginx::{eval, headers::Version, syntax};
use cors_lint::sim::{self, PageFetch, ServerRequest, ServerResponse};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use support::chromium::{self, BrowserCase};
use support::compare::{self, REPEAT, Tally};
use support::nginx::Nginx;
use support::page::PageServer;

const PREFLIGHT_FULL: &str = "add_header Access-Control-Allow-Methods \"GET, PUT, DELETE\" always;\n\
     add_header Access-Control-Allow-Headers \"X-Token, Authorization, Content-Type\" always;\n\
     add_header Access-Control-Max-Age 100000 always;\n";

fn deployments(origin: &str) -> Vec<(&'static str, String)> {
    let server =
        |locations: &str| format!("server {{\nlisten 127.0.0.1:__PORT__;\n{locations}\n}}");
    let with_preflight = |cors: &str, preflight: &str| {
        format!(
            "location / {{\n{cors}if ($request_method = OPTIONS) {{\n{cors}{preflight}return 204;\n}}\nreturn 200 ok;\n}}\n\
             location /missing {{\n{cors}return 404;\n}}\n"
        )
    };
    let allow = "add_header Access-Control-Allow-Origin $cors always;\nadd_header Access-Control-Allow-Credentials true always;\nadd_header Vary Origin always;\n";
    let reflect = "add_header Access-Control-Allow-Origin $http_origin always;\nadd_header Access-Control-Allow-Credentials true always;\n";
    vec![
        (
            "allow-list",
            format!(
                "map $http_origin $cors {{ default \"\"; \"{origin}\" $http_origin; }}\n{}",
                server(&with_preflight(allow, PREFLIGHT_FULL))
            ),
        ),
        (
            "reflect-any-with-credentials",
            server(&with_preflight(
                reflect,
                "add_header Access-Control-Allow-Methods PUT always;\nadd_header Access-Control-Allow-Headers X-Token always;\n",
            )),
        ),
        (
            "wildcard-with-credentials",
            server(&with_preflight(
                "add_header Access-Control-Allow-Origin * always;\nadd_header Access-Control-Allow-Credentials true always;\n",
                "add_header Access-Control-Allow-Methods * always;\nadd_header Access-Control-Allow-Headers * always;\n",
            )),
        ),
        (
            "preflight-branch-hides-origin",
            server(
                "location / {\nadd_header Access-Control-Allow-Origin $http_origin always;\n\
                 if ($request_method = OPTIONS) {\nadd_header Access-Control-Allow-Methods \"PUT, DELETE\";\nreturn 204;\n}\nreturn 200 ok;\n}\n\
                 location /missing {\nadd_header Access-Control-Allow-Origin $http_origin;\nreturn 404;\n}\n",
            ),
        ),
        (
            "credentials-capitalised",
            server(&with_preflight(
                "add_header Access-Control-Allow-Origin $http_origin always;\nadd_header Access-Control-Allow-Credentials True always;\n",
                "add_header Access-Control-Allow-Methods \"put, PATCH\" always;\n",
            )),
        ),
        (
            "origin-list",
            server(&with_preflight(
                &format!(
                    "add_header Access-Control-Allow-Origin \"{origin}, https://b.example\" always;\n"
                ),
                PREFLIGHT_FULL,
            )),
        ),
        (
            "wildcard-lists-without-credentials",
            server(&with_preflight(
                "add_header Access-Control-Allow-Origin $http_origin always;\n",
                "add_header Access-Control-Allow-Methods * always;\nadd_header Access-Control-Allow-Headers * always;\nadd_header Access-Control-Max-Age -5 always;\n",
            )),
        ),
        (
            "more-set-headers",
            server(&with_preflight(
                "more_set_headers \"Access-Control-Allow-Origin: $http_origin\" \"Access-Control-Allow-Credentials: true\";\n",
                "more_set_headers \"Access-Control-Allow-Methods: PUT, PATCH\" \"Access-Control-Allow-Headers: x-token\";\n",
            )),
        ),
    ]
}

struct Shape {
    method: &'static str,
    path: &'static str,
    headers: &'static [(&'static str, &'static str)],
    credentials: bool,
    null_origin: bool,
}

const fn shape(
    method: &'static str,
    path: &'static str,
    headers: &'static [(&'static str, &'static str)],
    credentials: bool,
) -> Shape {
    Shape {
        method,
        path,
        headers,
        credentials,
        null_origin: false,
    }
}

const SHAPES: &[Shape] = &[
    shape("GET", "/", &[], false),
    shape("GET", "/", &[], true),
    shape("PUT", "/", &[("X-Token", "1")], true),
    shape("PUT", "/", &[("X-Token", "1")], false),
    shape("DELETE", "/", &[], true),
    shape("PATCH", "/", &[], false),
    shape("patch", "/", &[], true),
    shape("put", "/", &[], false),
    shape("GET", "/", &[("Authorization", "Bearer x")], true),
    shape("GET", "/", &[("Authorization", "Bearer x")], false),
    shape("POST", "/", &[("Content-Type", "text/plain")], true),
    shape("POST", "/", &[("Content-Type", "application/json")], true),
    shape("GET", "/missing", &[], true),
    shape("PUT", "/missing", &[("X-Token", "1")], false),
    Shape {
        method: "GET",
        path: "/",
        headers: &[],
        credentials: false,
        null_origin: true,
    },
    Shape {
        method: "PUT",
        path: "/",
        headers: &[("X-Token", "1")],
        credentials: true,
        null_origin: true,
    },
];

fn model(config: &syntax::Config, req: &ServerRequest) -> ServerResponse {
    let mut r = eval::respond(&config.statements, req, Version(1, 22, 1)).unwrap_or_else(|why| {
        panic!(
            "the nginx model cannot answer {} {}: {why}",
            req.method, req.path
        )
    });
    r.reason.clear();
    r
}

#[test]
fn simulate_agrees_with_real_nginx_and_chromium() {
    let started = Instant::now();
    let page = PageServer::start();
    let browser = chromium::version();
    let mut next_id = 0;
    let mut tally = Tally::default();
    for (name, body) in deployments(&page.origin()) {
        let nginx = Nginx::start(name, &body);
        let config = syntax::parse(&std::fs::read(&nginx.config).unwrap()).expect("parses");
        let mut expected = BTreeMap::new();
        let mut browser_cases = Vec::new();
        for s in SHAPES {
            next_id += 1;
            let id = next_id;
            tally.cases += 1;
            let path = format!("{}?gt={id}", s.path);
            let page_fetch = PageFetch {
                origin: if s.null_origin {
                    "null".into()
                } else {
                    page.origin()
                },
                method: s.method.into(),
                headers: s
                    .headers
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect(),
                credentials: s.credentials,
                path: path.clone(),
            };
            let label = format!(
                "[{name}#{id}] {} {} {:?}{}{}",
                s.method,
                s.path,
                s.headers,
                if s.credentials { " credentials" } else { "" },
                if s.null_origin { " from null" } else { "" }
            );
            let request = sim::prepare(&page_fetch).expect("prepare");
            let exchange = sim::fetch(&request, |r| model(&config, r));
            // Server side: preflight (if any) and the request itself, byte for byte.
            let mut exchanges: Vec<ServerRequest> =
                exchange.preflight.iter().map(|(q, _)| q.clone()).collect();
            exchanges.push(sim::actual_request(&request));
            for req in exchanges {
                let real = support::http::request(
                    nginx.port,
                    &req.method,
                    &format!("{}&raw", req.path),
                    &req.headers,
                    Duration::from_secs(3),
                );
                tally.server(
                    &label,
                    &req,
                    &model(&config, &req),
                    real.status,
                    &real.headers,
                );
            }
            let sent = compare::sent_over_repeats(&request, |r| model(&config, r))
                .expect("the model answers every request");
            expected.insert(id, (label, exchange.verdict, sent));
            browser_cases.push(BrowserCase {
                id,
                url: format!("http://127.0.0.1:{}{path}", nginx.port),
                method: s.method.into(),
                headers: page_fetch.headers.clone(),
                credentials: if s.credentials {
                    "include"
                } else {
                    "same-origin"
                },
                null_origin: s.null_origin,
                repeat: REPEAT,
            });
        }
        let results = chromium::run(&page, &browser_cases, &nginx.dir.join("chromium"));
        let mut seen = compare::requests_by_case(nginx.access_log());
        for (id, (label, verdict, sent)) in expected {
            tally.browser(&label, &verdict, &results[&id]);
            tally.requests(&label, &sent, seen.remove(&id).unwrap_or_default());
        }
    }
    let summary = tally.summary(
        &format!("ground truth, nginx 1.22 + {browser}"),
        started,
        "summary-nginx.txt",
    );
    assert!(
        tally.disagreements.is_empty(),
        "{} disagreements (each is a bug in a model):\n{}\n{summary}",
        tally.disagreements.len(),
        tally.disagreements.join("\n")
    );
}
